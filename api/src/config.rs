//! Configuration: command-line flags over environment variables over an optional TOML file
//! over defaults. Embedded mode (the default) needs none of them.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

mod limits;

pub use limits::{Cidr, LimitSettings, Limits};

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
    /// Load the benchmark's deterministic dataset into an empty database (bench/run).
    BenchData {
        #[arg(long, default_value_t = 100)]
        users: u32,
        /// Each prompt gets one succeeded generation of two images, every other one public.
        #[arg(long, default_value_t = 10_000)]
        prompts: u32,
    },
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
    /// Port for `/api/metrics` alone; when set, the main port does not serve metrics (so an
    /// Ingress or gateway in front of it cannot reach them) [default: on the main port].
    #[arg(long, env = "RENDERMART_METRICS_PORT", global = true)]
    pub metrics_port: Option<u16>,
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
    /// Bedrock models to offer, comma-separated, `none` for none [default: all supported].
    /// Offered only when AWS credentials and a region are found.
    #[arg(long, env = "RENDERMART_BEDROCK_MODELS", global = true)]
    pub bedrock_models: Option<String>,
    /// Region for Bedrock calls when it differs from AWS_REGION (the Stability models are in
    /// us-west-2) [default: the AWS region].
    #[arg(long, env = "RENDERMART_BEDROCK_REGION", global = true)]
    pub bedrock_region: Option<String>,
    /// Bedrock endpoint instead of the region's, e.g. a VPC endpoint or a local fake.
    #[arg(long, env = "RENDERMART_BEDROCK_ENDPOINT_URL", global = true)]
    pub bedrock_endpoint_url: Option<String>,
    /// Bedrock control-plane endpoint (ListFoundationModels: which models are ACTIVE)
    /// [default: the SDK's AWS_ENDPOINT_URL_BEDROCK, else the region's].
    #[arg(long, env = "RENDERMART_BEDROCK_CONTROL_ENDPOINT_URL", global = true)]
    pub bedrock_control_endpoint_url: Option<String>,
    /// Seconds between two looks at which Bedrock models are ACTIVE [default: 3600].
    #[arg(
        long,
        env = "RENDERMART_BEDROCK_CATALOG_REFRESH_SECONDS",
        global = true
    )]
    pub bedrock_catalog_refresh_seconds: Option<u64>,
    /// Calls a Bedrock request gets when throttled or unavailable before the job fails [default: 8].
    #[arg(long, env = "RENDERMART_BEDROCK_MAX_ATTEMPTS", global = true)]
    pub bedrock_max_attempts: Option<u32>,
    /// First backoff delay between Bedrock attempts in milliseconds; it doubles per attempt,
    /// with jitter, up to 20 s [default: 1000].
    #[arg(long, env = "RENDERMART_BEDROCK_RETRY_BASE_MS", global = true)]
    pub bedrock_retry_base_ms: Option<u64>,
    /// Seconds one Bedrock call may take before it counts as timed out [default: 120].
    #[arg(long, env = "RENDERMART_BEDROCK_TIMEOUT_SECONDS", global = true)]
    pub bedrock_timeout_seconds: Option<u64>,
    /// S3-compatible endpoint (MinIO, a local server) instead of AWS S3; path-style addressing.
    #[arg(long, env = "RENDERMART_S3_ENDPOINT_URL", global = true)]
    pub s3_endpoint_url: Option<String>,
    /// Endpoint that browsers reach, used in presigned URLs [default: the S3 endpoint].
    #[arg(long, env = "RENDERMART_S3_PUBLIC_ENDPOINT_URL", global = true)]
    pub s3_public_endpoint_url: Option<String>,
    /// Images a user may make each calendar month (UTC) with paid models; a user's own
    /// quota overrides it [default: unlimited].
    #[arg(long, env = "RENDERMART_MONTHLY_IMAGE_QUOTA", global = true)]
    pub monthly_image_quota: Option<u32>,
    /// The address people and integrators reach this server at, e.g. https://render.example;
    /// image URLs in GraphQL are absolute under it, and webhooks always send absolute URLs
    /// [default: relative URLs in GraphQL; webhooks use the URL `serve` prints].
    #[arg(long, env = "RENDERMART_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Allow webhooks to loopback, private, link-local, CGNAT and unique-local addresses
    /// [default: true in development, false in production].
    #[arg(long, env = "RENDERMART_WEBHOOK_ALLOW_PRIVATE", global = true)]
    pub webhook_allow_private: Option<bool>,
    /// Waits between a webhook delivery's attempts, comma-separated, each with a unit (ms,
    /// s, m, h); each wait varies by up to a tenth [default: 5s,5m,30m,2h,5h,10h,10h].
    #[arg(long, env = "RENDERMART_WEBHOOK_RETRY_DELAYS", global = true)]
    pub webhook_retry_delays: Option<String>,
    /// Seconds a webhook receiver has to answer [default: 10].
    #[arg(long, env = "RENDERMART_WEBHOOK_TIMEOUT_SECONDS", global = true)]
    pub webhook_timeout_seconds: Option<u64>,
    /// Rate limits, caps and cost, size and time limits (TOML: the `[limits]` table).
    #[command(flatten)]
    #[serde(default)]
    pub limits: LimitSettings,
    /// AWS region and credentials given in code instead of the standard AWS chain (tests
    /// and embedding). Never read from flags, environment or file.
    #[arg(skip)]
    #[serde(skip)]
    pub aws_static: Option<StaticAws>,
}

/// An explicit AWS region and access key, bypassing the standard chain.
#[derive(Clone)]
pub struct StaticAws {
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: SecretString,
}

impl std::fmt::Debug for StaticAws {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticAws")
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// Fills every unset field from `lower`.
    fn or(self, lower: Settings) -> Settings {
        Settings {
            config: self.config.or(lower.config),
            env: self.env.or(lower.env),
            host: self.host.or(lower.host),
            port: self.port.or(lower.port),
            metrics_port: self.metrics_port.or(lower.metrics_port),
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
            public_url: self.public_url.or(lower.public_url),
            webhook_allow_private: self.webhook_allow_private.or(lower.webhook_allow_private),
            webhook_retry_delays: self.webhook_retry_delays.or(lower.webhook_retry_delays),
            webhook_timeout_seconds: self
                .webhook_timeout_seconds
                .or(lower.webhook_timeout_seconds),
            frontend_dir: self.frontend_dir.or(lower.frontend_dir),
            bedrock_models: self.bedrock_models.or(lower.bedrock_models),
            bedrock_region: self.bedrock_region.or(lower.bedrock_region),
            bedrock_endpoint_url: self.bedrock_endpoint_url.or(lower.bedrock_endpoint_url),
            bedrock_control_endpoint_url: self
                .bedrock_control_endpoint_url
                .or(lower.bedrock_control_endpoint_url),
            bedrock_catalog_refresh_seconds: self
                .bedrock_catalog_refresh_seconds
                .or(lower.bedrock_catalog_refresh_seconds),
            bedrock_max_attempts: self.bedrock_max_attempts.or(lower.bedrock_max_attempts),
            bedrock_retry_base_ms: self.bedrock_retry_base_ms.or(lower.bedrock_retry_base_ms),
            bedrock_timeout_seconds: self
                .bedrock_timeout_seconds
                .or(lower.bedrock_timeout_seconds),
            s3_endpoint_url: self.s3_endpoint_url.or(lower.s3_endpoint_url),
            s3_public_endpoint_url: self.s3_public_endpoint_url.or(lower.s3_public_endpoint_url),
            monthly_image_quota: self.monthly_image_quota.or(lower.monthly_image_quota),
            limits: self.limits.or(lower.limits),
            aws_static: self.aws_static.or(lower.aws_static),
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
    /// `/api/metrics` on a listener of its own instead of the main port.
    pub metrics_port: Option<u16>,
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
    pub aws: AwsConfig,
    /// Images a month per user with paid models, unless the user has a quota of their own.
    pub monthly_image_quota: Option<u32>,
    pub limits: Limits,
    /// Where this server is reached from outside, without a trailing slash.
    pub public_url: Option<String>,
    pub webhooks: WebhookConfig,
}

/// How webhooks are delivered.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// What image URLs in webhook bodies start with: the public URL, else this server's own.
    pub base_url: String,
    pub allow_private: bool,
    /// Production refuses plain http endpoints.
    pub require_https: bool,
    /// The wait before each attempt after the first; their number is the attempts after it.
    pub retry_delays: Vec<Duration>,
    pub timeout: Duration,
}

/// S3 presigned URLs cannot live longer than a week (SigV4 query signing limit).
pub const MAX_PRESIGNED_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// Bedrock model ids this build supports, in the order `models` lists them. The first that
/// is ACTIVE and draws from text is the default: AWS has moved Titan to Legacy, so Stable
/// Image Core, ACTIVE in its regions, comes first.
pub const BEDROCK_MODELS: [&str; 15] = [
    "stability.stable-image-core-v1:1",
    "stability.sd3-5-large-v1:0",
    "stability.stable-image-ultra-v1:1",
    "amazon.nova-canvas-v1:0",
    "amazon.titan-image-generator-v2:0",
    "amazon.titan-image-generator-v1",
    "stability.stable-image-inpaint-v1:0",
    "stability.stable-outpaint-v1:0",
    "stability.stable-image-erase-object-v1:0",
    "stability.stable-image-search-replace-v1:0",
    "stability.stable-image-search-recolor-v1:0",
    "stability.stable-image-remove-background-v1:0",
    "stability.stable-fast-upscale-v1:0",
    "stability.stable-conservative-upscale-v1:0",
    "stability.stable-creative-upscale-v1:0",
];

/// How RenderMart reaches AWS. Region and credentials come from the standard chain unless
/// `static_credentials` is set.
#[derive(Debug, Clone)]
pub struct AwsConfig {
    pub static_credentials: Option<StaticAws>,
    pub bedrock_models: Vec<String>,
    pub bedrock_region: Option<String>,
    pub bedrock_endpoint_url: Option<String>,
    pub bedrock_control_endpoint_url: Option<String>,
    pub bedrock_catalog_refresh: Duration,
    pub bedrock_max_attempts: u32,
    pub bedrock_retry_base: Duration,
    pub bedrock_timeout: Duration,
    pub s3_endpoint_url: Option<String>,
    pub s3_public_endpoint_url: Option<String>,
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

        let url_ttl = Duration::from_secs(settings.url_ttl_seconds.unwrap_or(3600).max(1));
        if matches!(storage, StorageLocation::S3 { .. }) && url_ttl > MAX_PRESIGNED_TTL {
            bail!(
                "RENDERMART_URL_TTL_SECONDS is {}, but S3 presigned URLs last at most 7 days: use at most 604800",
                url_ttl.as_secs()
            );
        }
        let limits = Limits::resolve(settings.limits)?;
        if !limits.rate_limits_on {
            tracing::warn!(
                "RENDERMART_RATE_LIMITS=off: rate limits and per-user caps are off; use this for benchmarks and load tests only"
            );
        }
        let port = settings.port.unwrap_or(4000);
        if settings.metrics_port == Some(port) && port != 0 {
            bail!(
                "RENDERMART_METRICS_PORT is {port}, the same as RENDERMART_PORT: give metrics a port of their own, or leave it unset to serve them on the main port"
            );
        }
        let bedrock_models = parse_bedrock_models(settings.bedrock_models.as_deref())?;
        let bedrock_max_attempts = settings.bedrock_max_attempts.unwrap_or(8);
        if bedrock_max_attempts < 1 {
            bail!("RENDERMART_BEDROCK_MAX_ATTEMPTS must be at least 1");
        }
        let aws = AwsConfig {
            static_credentials: settings.aws_static,
            bedrock_models,
            bedrock_region: non_empty(settings.bedrock_region),
            bedrock_endpoint_url: non_empty(settings.bedrock_endpoint_url),
            bedrock_control_endpoint_url: non_empty(settings.bedrock_control_endpoint_url),
            bedrock_catalog_refresh: Duration::from_secs(
                settings
                    .bedrock_catalog_refresh_seconds
                    .unwrap_or(3600)
                    .max(1),
            ),
            bedrock_max_attempts,
            bedrock_retry_base: Duration::from_millis(
                settings.bedrock_retry_base_ms.unwrap_or(1000),
            ),
            bedrock_timeout: Duration::from_secs(
                settings.bedrock_timeout_seconds.unwrap_or(120).max(1),
            ),
            s3_endpoint_url: non_empty(settings.s3_endpoint_url),
            s3_public_endpoint_url: non_empty(settings.s3_public_endpoint_url),
        };

        let public_url = match non_empty(settings.public_url) {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                Some(url.trim_end_matches('/').to_owned())
            }
            Some(url) => bail!(
                "RENDERMART_PUBLIC_URL is `{url}`; give the full address, such as https://render.example.com"
            ),
            None => None,
        };
        let development = environment == Environment::Development;
        let host = settings.host.unwrap_or(IpAddr::from([127, 0, 0, 1]));
        let webhooks = WebhookConfig {
            base_url: public_url
                .clone()
                .unwrap_or_else(|| served_url(SocketAddr::new(host, port))),
            allow_private: settings.webhook_allow_private.unwrap_or(development),
            require_https: !development,
            retry_delays: parse_delays(
                settings
                    .webhook_retry_delays
                    .as_deref()
                    .unwrap_or("5s,5m,30m,2h,5h,10h,10h"),
            )?,
            timeout: Duration::from_secs(settings.webhook_timeout_seconds.unwrap_or(10).max(1)),
        };

        Ok(Config {
            environment,
            host,
            port,
            metrics_port: settings.metrics_port,
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
            url_ttl,
            frontend_dir: settings
                .frontend_dir
                .unwrap_or_else(|| PathBuf::from("frontend/dist")),
            aws,
            monthly_image_quota: settings.monthly_image_quota,
            limits,
            public_url,
            webhooks,
        })
    }
}

/// The URL a server listening on `address` prints and answers at.
pub fn served_url(address: SocketAddr) -> String {
    format!("http://{address}")
}

/// Reads `5s,5m,2h` (units ms, s, m, h) into durations.
fn parse_delays(text: &str) -> anyhow::Result<Vec<Duration>> {
    text.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let split = part
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(part.len());
            let (number, unit) = part.split_at(split);
            let unit_ms = match unit {
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                _ => 0,
            };
            match number.parse::<u64>() {
                Ok(n) if unit_ms > 0 => Ok(Duration::from_millis(n.saturating_mul(unit_ms))),
                _ => bail!(
                    "RENDERMART_WEBHOOK_RETRY_DELAYS has `{part}`; write waits such as 5s,5m,30m,2h"
                ),
            }
        })
        .collect()
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The Bedrock models to offer: all supported ones by default, none for `none` or an empty
/// list, otherwise the named ones in the given order.
fn parse_bedrock_models(list: Option<&str>) -> anyhow::Result<Vec<String>> {
    let Some(list) = list else {
        return Ok(BEDROCK_MODELS.iter().map(|m| (*m).to_owned()).collect());
    };
    let mut models = Vec::new();
    for id in list.split(',').map(str::trim).filter(|id| !id.is_empty()) {
        if id.eq_ignore_ascii_case("none") {
            continue;
        }
        if !BEDROCK_MODELS.contains(&id) {
            bail!(
                "RENDERMART_BEDROCK_MODELS names `{id}`, which RenderMart does not support; use some of: {}",
                BEDROCK_MODELS.join(", ")
            );
        }
        if !models.iter().any(|m| m == id) {
            models.push(id.to_owned());
        }
    }
    Ok(models)
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
        let secret = secret.trim();
        // An empty or truncated file (a full disk, a bad copy) must not become a guessable key.
        if secret.len() < 32 {
            bail!(
                "{} holds no usable secret (it is empty or shorter than 32 characters): delete it to have a new one generated, which logs everyone out, or set RENDERMART_JWT_SECRET",
                path.display()
            );
        }
        return Ok(secret.to_owned());
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
    fn an_empty_secret_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("jwt-secret"), "\n").unwrap();
        let err = Config::resolve(settings(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("jwt-secret") && err.contains("delete it"),
            "{err}"
        );
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
    fn presigned_urls_cannot_outlive_a_week() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = settings(dir.path());
        s.storage = Some("s3://bucket/images".into());
        s.url_ttl_seconds = Some(604_800);
        assert!(Config::resolve(s.clone()).is_ok());
        s.url_ttl_seconds = Some(604_801);
        let err = Config::resolve(s.clone()).unwrap_err().to_string();
        assert!(err.contains("at most 7 days"), "{err}");
        // Local URLs are signed by RenderMart itself and may live longer.
        s.storage = None;
        assert!(Config::resolve(s).is_ok());
    }

    #[test]
    fn bedrock_models_default_to_all_and_unknown_ones_are_named() {
        assert_eq!(
            parse_bedrock_models(None).unwrap().len(),
            BEDROCK_MODELS.len()
        );
        assert!(parse_bedrock_models(Some("none")).unwrap().is_empty());
        assert_eq!(
            parse_bedrock_models(Some(
                "amazon.nova-canvas-v1:0, amazon.titan-image-generator-v1"
            ))
            .unwrap(),
            vec!["amazon.nova-canvas-v1:0", "amazon.titan-image-generator-v1"]
        );
        let err = parse_bedrock_models(Some("stability.stable-diffusion-xl-v1"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("stability.stable-diffusion-xl-v1"), "{err}");
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

    #[test]
    fn webhook_retry_delays_take_units_or_say_how_to_write_them() {
        assert_eq!(
            parse_delays("5s, 5m,2h,250ms").unwrap(),
            vec![
                Duration::from_secs(5),
                Duration::from_secs(300),
                Duration::from_secs(7200),
                Duration::from_millis(250)
            ]
        );
        let err = parse_delays("5s,soon").unwrap_err().to_string();
        assert!(err.contains("`soon`"), "{err}");
        assert!(parse_delays("5").is_err(), "a wait needs its unit");
    }
}
