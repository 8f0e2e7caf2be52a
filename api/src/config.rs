//! Configuration: command-line flags over environment variables over an optional TOML file
//! over defaults. Embedded mode (the default) needs none of them.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;
use serde::Deserialize;

#[derive(Debug, Parser)]
#[command(
    name = "rendermart",
    version,
    about = "Type a prompt, get images: the RenderMart server"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API, the frontend and the workers (the default).
    Serve,
    /// Run generation workers only.
    Worker,
    /// Apply database migrations and exit.
    Migrate,
    /// Print the GraphQL SDL that `schema.graphql` must equal.
    ExportSchema,
}

/// Every setting, each optional so that flags, environment and file can be layered.
/// The same struct is read from the TOML file (keys in snake_case).
#[derive(Debug, Default, Clone, Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// TOML file with any of these settings.
    #[arg(long, env = "RENDERMART_CONFIG", global = true)]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// `development` (default) or `production`; production refuses to start without its secrets.
    #[arg(long, env = "RENDERMART_ENV", global = true)]
    pub env: Option<String>,
    /// Address to listen on [default: 127.0.0.1].
    #[arg(long, env = "RENDERMART_HOST", global = true)]
    pub host: Option<IpAddr>,
    /// Port to listen on; 0 picks a free one [default: 4000].
    #[arg(long, env = "RENDERMART_PORT", global = true)]
    pub port: Option<u16>,
    /// Where embedded mode keeps its database, images and secret [default: ./data].
    #[arg(long, env = "RENDERMART_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// `sqlite://FILE` or `postgres://...` [default: SQLite in the data dir].
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// `file://DIR` or `s3://bucket/prefix` [default: DATA/images].
    #[arg(long, env = "RENDERMART_STORAGE", global = true)]
    pub storage: Option<String>,
    /// Secret that signs tokens and file URLs [default: generated once into the data dir].
    #[arg(
        long,
        env = "RENDERMART_JWT_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub jwt_secret: Option<String>,
    /// Hours a login token stays valid [default: 168].
    #[arg(long, env = "RENDERMART_TOKEN_TTL_HOURS", global = true)]
    pub token_ttl_hours: Option<u64>,
    /// Generation workers in this process [default: the number of cores].
    #[arg(long, env = "RENDERMART_WORKERS", global = true)]
    pub workers: Option<usize>,
    /// Milliseconds the offline engine spends on each of its steps [default: 150].
    #[arg(long, env = "RENDERMART_OFFLINE_STEP_MS", global = true)]
    pub offline_step_ms: Option<u64>,
    /// Seconds a worker's lease on a job lasts without renewal [default: 30].
    #[arg(long, env = "RENDERMART_LEASE_SECONDS", global = true)]
    pub lease_seconds: Option<u64>,
    /// Attempts before a job whose workers keep dying is failed [default: 3].
    #[arg(long, env = "RENDERMART_MAX_ATTEMPTS", global = true)]
    pub max_attempts: Option<i32>,
    /// Seconds running jobs get to finish on shutdown before they are given back [default: 20].
    #[arg(long, env = "RENDERMART_SHUTDOWN_GRACE_SECONDS", global = true)]
    pub shutdown_grace_seconds: Option<u64>,
    /// Seconds an image URL stays valid [default: 3600].
    #[arg(long, env = "RENDERMART_URL_TTL_SECONDS", global = true)]
    pub url_ttl_seconds: Option<u64>,
    /// The built frontend to serve at `/` [default: frontend/dist].
    #[arg(long, env = "RENDERMART_FRONTEND_DIR", global = true)]
    pub frontend_dir: Option<PathBuf>,
}

impl Settings {
    /// Fills every unset field from `lower`.
    fn or(self, lower: Settings) -> Settings {
        Settings {
            config: self.config.or(lower.config),
            env: self.env.or(lower.env),
            host: self.host.or(lower.host),
            port: self.port.or(lower.port),
            data_dir: self.data_dir.or(lower.data_dir),
            database_url: self.database_url.or(lower.database_url),
            storage: self.storage.or(lower.storage),
            jwt_secret: self.jwt_secret.or(lower.jwt_secret),
            token_ttl_hours: self.token_ttl_hours.or(lower.token_ttl_hours),
            workers: self.workers.or(lower.workers),
            offline_step_ms: self.offline_step_ms.or(lower.offline_step_ms),
            lease_seconds: self.lease_seconds.or(lower.lease_seconds),
            max_attempts: self.max_attempts.or(lower.max_attempts),
            shutdown_grace_seconds: self.shutdown_grace_seconds.or(lower.shutdown_grace_seconds),
            url_ttl_seconds: self.url_ttl_seconds.or(lower.url_ttl_seconds),
            frontend_dir: self.frontend_dir.or(lower.frontend_dir),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// Where images are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageLocation {
    Directory(PathBuf),
    S3 { bucket: String, prefix: String },
}

/// The resolved configuration the application is built from.
#[derive(Debug, Clone)]
pub struct Config {
    pub environment: Environment,
    pub host: IpAddr,
    pub port: u16,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub storage: StorageLocation,
    pub jwt_secret: SecretString,
    pub token_ttl: Duration,
    pub workers: usize,
    pub offline_step: Duration,
    pub lease: Duration,
    pub max_attempts: i32,
    pub shutdown_grace: Duration,
    pub url_ttl: Duration,
    pub frontend_dir: PathBuf,
}

impl Config {
    /// Layers the command line over the TOML file named by `--config`, then applies defaults.
    pub fn load(cli_settings: Settings) -> anyhow::Result<Config> {
        let file_settings = match &cli_settings.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read config file {}", path.display()))?;
                toml::from_str(&text)
                    .with_context(|| format!("invalid config file {}", path.display()))?
            }
            None => Settings::default(),
        };
        Config::resolve(cli_settings.or(file_settings))
    }

    /// Applies defaults and, in production, refuses missing secrets.
    pub fn resolve(settings: Settings) -> anyhow::Result<Config> {
        let environment = match settings.env.as_deref() {
            None | Some("development") | Some("dev") => Environment::Development,
            Some("production") | Some("prod") => Environment::Production,
            Some(other) => {
                bail!("RENDERMART_ENV is `{other}`; set it to `development` or `production`")
            }
        };
        let data_dir = settings.data_dir.unwrap_or_else(|| PathBuf::from("data"));

        if environment == Environment::Production {
            if settings.database_url.is_none() {
                bail!(
                    "DATABASE_URL is not set: production needs a PostgreSQL URL such as postgres://user:pass@host/rendermart"
                );
            }
            if settings.jwt_secret.is_none() {
                bail!(
                    "RENDERMART_JWT_SECRET is not set: production needs a shared secret of at least 32 characters (all replicas must use the same one)"
                );
            }
        }
        let jwt_secret = match settings.jwt_secret {
            Some(secret) if secret.len() < 32 => {
                bail!("RENDERMART_JWT_SECRET is too short: use at least 32 characters")
            }
            Some(secret) => SecretString::from(secret),
            None => SecretString::from(embedded_secret(&data_dir)?),
        };

        let database_url = settings.database_url.unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("rendermart.db").display()
            )
        });
        let storage = match settings.storage {
            Some(url) => parse_storage(&url)?,
            None => StorageLocation::Directory(data_dir.join("images")),
        };
        let workers = settings.workers.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
        });
        let max_attempts = settings.max_attempts.unwrap_or(3);
        if max_attempts < 1 {
            bail!("RENDERMART_MAX_ATTEMPTS must be at least 1");
        }

        Ok(Config {
            environment,
            host: settings.host.unwrap_or(IpAddr::from([127, 0, 0, 1])),
            port: settings.port.unwrap_or(4000),
            data_dir,
            database_url,
            storage,
            jwt_secret,
            token_ttl: Duration::from_secs(settings.token_ttl_hours.unwrap_or(168) * 3600),
            workers,
            offline_step: Duration::from_millis(settings.offline_step_ms.unwrap_or(150)),
            lease: Duration::from_secs(settings.lease_seconds.unwrap_or(30).max(1)),
            max_attempts,
            shutdown_grace: Duration::from_secs(settings.shutdown_grace_seconds.unwrap_or(20)),
            url_ttl: Duration::from_secs(settings.url_ttl_seconds.unwrap_or(3600).max(1)),
            frontend_dir: settings
                .frontend_dir
                .unwrap_or_else(|| PathBuf::from("frontend/dist")),
        })
    }
}

fn parse_storage(url: &str) -> anyhow::Result<StorageLocation> {
    if let Some(dir) = url.strip_prefix("file://") {
        if dir.is_empty() {
            bail!("RENDERMART_STORAGE `{url}` names no directory; use file:///path/to/images");
        }
        return Ok(StorageLocation::Directory(PathBuf::from(dir)));
    }
    if let Some(rest) = url.strip_prefix("s3://") {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            bail!("RENDERMART_STORAGE `{url}` names no bucket; use s3://bucket/prefix");
        }
        return Ok(StorageLocation::S3 {
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
        });
    }
    bail!("RENDERMART_STORAGE `{url}` is neither file://DIR nor s3://bucket/prefix")
}

/// Embedded mode's signing secret: generated once, kept in the data dir readable only by
/// its owner, so tokens survive restarts without any configuration.
fn embedded_secret(data_dir: &Path) -> anyhow::Result<String> {
    use rand::RngCore;
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;

    let path = data_dir.join("jwt-secret");
    if let Ok(secret) = std::fs::read_to_string(&path) {
        return Ok(secret.trim().to_owned());
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create data dir {}", data_dir.display()))?;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(secret.as_bytes())?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(dir: &Path) -> Settings {
        Settings {
            data_dir: Some(dir.to_path_buf()),
            ..Settings::default()
        }
    }

    #[test]
    fn embedded_mode_needs_no_configuration_and_keeps_its_secret() {
        let dir = tempfile::tempdir().unwrap();
        let first = Config::resolve(settings(dir.path())).unwrap();
        let second = Config::resolve(settings(dir.path())).unwrap();
        use secrecy::ExposeSecret;
        assert_eq!(
            first.jwt_secret.expose_secret(),
            second.jwt_secret.expose_secret()
        );
        assert!(first.database_url.starts_with("sqlite://"));
        assert_eq!(first.port, 4000);
        let mode = std::fs::metadata(dir.path().join("jwt-secret")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(mode.permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn production_names_the_missing_variable() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = settings(dir.path());
        s.env = Some("production".into());
        let err = Config::resolve(s.clone()).unwrap_err().to_string();
        assert!(err.contains("DATABASE_URL"), "{err}");
        s.database_url = Some("postgres://localhost/x".into());
        let err = Config::resolve(s).unwrap_err().to_string();
        assert!(err.contains("RENDERMART_JWT_SECRET"), "{err}");
    }

    #[test]
    fn flags_win_over_the_file() {
        let cli = Settings {
            port: Some(5000),
            ..Settings::default()
        };
        let file: Settings = toml::from_str("port = 6000\nworkers = 3").unwrap();
        let merged = cli.or(file);
        assert_eq!(merged.port, Some(5000));
        assert_eq!(merged.workers, Some(3));
    }

    #[test]
    fn storage_urls_are_parsed_or_explained() {
        assert_eq!(
            parse_storage("s3://bucket/a/b/").unwrap(),
            StorageLocation::S3 {
                bucket: "bucket".into(),
                prefix: "a/b".into()
            }
        );
        assert!(
            parse_storage("ftp://x")
                .unwrap_err()
                .to_string()
                .contains("file://DIR")
        );
    }
}
