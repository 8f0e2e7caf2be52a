//! Building the application from its configuration: database, engines, router, listener.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::auth::TokenKeys;
use crate::config::{Config, StorageLocation, served_url};
use crate::engines::{EngineRegistry, bedrock, offline};
use crate::graphql::build_schema;
use crate::http::metrics::MetricsEndpoint;
use crate::jobs::events::EventBus;
use crate::jobs::worker::spawn_workers;
use crate::limits::RateLimiter;
use crate::metrics::Metrics;
use crate::state::AppState;
use crate::storage::s3::S3Endpoints;
use crate::storage::sweeper::spawn_sweeper;
use crate::storage::{LocalStorage, S3Storage, Storage};
use crate::webhooks::sender::spawn_sender;

/// Connects to the configured database. SQLite runs in WAL mode with a busy timeout so the
/// API and the workers can write concurrently.
pub async fn connect_database(url: &str) -> anyhow::Result<DatabaseConnection> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        let file = path.split('?').next().unwrap_or(path);
        if let Some(parent) = std::path::Path::new(file)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).with_context(|| {
                format!("cannot create the database directory {}", parent.display())
            })?;
        }
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10))
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    Database::connect(options)
        .await
        .with_context(|| format!("cannot connect to the database at {}", redact(url)))
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("database migration failed")
}

/// How long start-up waits for the AWS credential chain (STS for IRSA, instance metadata).
const AWS_PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// The AWS configuration, when a region and credentials are present; `None` otherwise.
///
/// Why the region is looked up first, from the environment and the profile files only: the
/// full default chains fall back to the EC2 instance metadata service, and a laptop or a
/// test run without AWS settings should not probe the network at start-up.
async fn aws_config(config: &Config) -> Option<aws_config::SdkConfig> {
    use aws_config::meta::region::RegionProviderChain;
    use aws_sdk_bedrockruntime::config::{Credentials, ProvideCredentials};

    if let Some(fixed) = &config.aws.static_credentials {
        use secrecy::ExposeSecret;
        let credentials = Credentials::new(
            fixed.access_key_id.clone(),
            fixed.secret_access_key.expose_secret().to_owned(),
            None,
            None,
            "rendermart-settings",
        );
        return Some(
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .region(aws_config::Region::new(fixed.region.clone()))
                .credentials_provider(credentials)
                .load()
                .await,
        );
    }
    let region = RegionProviderChain::first_try(
        aws_config::environment::region::EnvironmentVariableRegionProvider::new(),
    )
    .or_else(aws_config::profile::ProfileFileRegionProvider::new())
    .region()
    .await;
    let Some(region) = region else {
        tracing::info!("no AWS region configured (AWS_REGION or a profile): AWS is off");
        return None;
    };
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(region.clone())
        .load()
        .await;
    let provider = sdk.credentials_provider()?;
    match tokio::time::timeout(AWS_PROBE_TIMEOUT, provider.provide_credentials()).await {
        Ok(Ok(_)) => {
            tracing::info!(%region, "AWS credentials found");
            Some(sdk)
        }
        Ok(Err(error)) => {
            tracing::info!(%region, error = %aws_sdk_bedrockruntime::error::DisplayErrorContext(&error), "no usable AWS credentials: AWS is off");
            None
        }
        Err(_) => {
            tracing::warn!(%region, "the AWS credential chain did not answer in time: AWS is off");
            None
        }
    }
}

/// The engines this configuration can run: the Bedrock models when AWS is configured
/// (listed first, so the default model is a real one), and always the offline renderer.
fn engines(config: &Config, aws: Option<&aws_config::SdkConfig>) -> EngineRegistry {
    let mut registry = EngineRegistry::default();
    if let Some(sdk) = aws
        && !config.aws.bedrock_models.is_empty()
    {
        use aws_sdk_bedrockruntime::config::{Region, retry::RetryConfig, timeout::TimeoutConfig};
        // RenderMart owns the retry policy (see engines::bedrock): SDK retries would hide
        // attempts from the job's progress and from the call count.
        let mut builder = aws_sdk_bedrockruntime::config::Builder::from(sdk)
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_attempt_timeout(config.aws.bedrock_timeout)
                    .build(),
            );
        if let Some(region) = &config.aws.bedrock_region {
            builder = builder.region(Region::new(region.clone()));
        }
        if let Some(url) = &config.aws.bedrock_endpoint_url {
            builder = builder.endpoint_url(url);
        }
        let bedrock_config = builder.build();
        let region = bedrock_config
            .region()
            .map_or_else(|| "(no region)".to_owned(), ToString::to_string);
        let client = aws_sdk_bedrockruntime::Client::from_conf(bedrock_config);
        let settings = bedrock::BedrockSettings {
            retry: bedrock::RetryPolicy {
                max_attempts: config.aws.bedrock_max_attempts,
                base_delay: config.aws.bedrock_retry_base,
                max_delay: Duration::from_secs(20),
            },
            region,
        };
        bedrock::register(
            &mut registry,
            &client,
            &settings,
            &config.aws.bedrock_models,
        );
    }
    registry.register(
        offline::model_info(),
        Arc::new(offline::OfflineEngine::new(config.offline_step)),
    );
    registry
}

/// The Bedrock control plane of the region the models run in. Its endpoint is
/// RENDERMART_BEDROCK_CONTROL_ENDPOINT_URL when set; otherwise the SDK's own settings apply
/// (AWS_ENDPOINT_URL_BEDROCK, then the region's).
fn bedrock_control_plane(
    config: &Config,
    sdk: &aws_config::SdkConfig,
) -> bedrock::availability::ControlPlane {
    let mut builder = aws_sdk_bedrock::config::Builder::from(sdk);
    if let Some(region) = &config.aws.bedrock_region {
        builder = builder.region(aws_sdk_bedrock::config::Region::new(region.clone()));
    }
    if let Some(url) = &config.aws.bedrock_control_endpoint_url {
        builder = builder.endpoint_url(url);
    }
    let control = builder.build();
    let region = control
        .region()
        .map_or_else(|| "(no region)".to_owned(), ToString::to_string);
    bedrock::availability::ControlPlane::new(aws_sdk_bedrock::Client::from_conf(control), region)
}

/// Builds the shared state: connects, migrates and sets up engines.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let mut db = connect_database(&config.database_url).await?;
    migrate(&db).await?;
    let metrics = Arc::new(Metrics::new()?);
    let statements = metrics.db_statements.clone();
    // Every statement is counted and timed; with RUST_LOG=rendermart_sql=trace it is logged
    // with its values, which is how the benchmark captures what one request sends.
    db.set_metric_callback(move |info| {
        statements.observe(info.elapsed.as_secs_f64());
        tracing::trace!(target: "rendermart_sql", "{}", info.statement);
    });
    let aws = aws_config(&config).await;
    let storage = match &config.storage {
        StorageLocation::Directory(dir) => {
            Storage::Local(LocalStorage::new(dir.clone(), config.jwt_secret.clone()))
        }
        StorageLocation::S3 { bucket, prefix } => {
            let Some(sdk) = &aws else {
                anyhow::bail!(
                    "RENDERMART_STORAGE is s3://{bucket}/{prefix}, but no AWS region and credentials were found: set AWS_REGION and credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, or IRSA on EKS), or use file://DIR"
                );
            };
            Storage::S3(S3Storage::new(
                sdk,
                bucket.clone(),
                prefix.clone(),
                &S3Endpoints {
                    endpoint_url: config.aws.s3_endpoint_url.clone(),
                    public_endpoint_url: config.aws.s3_public_endpoint_url.clone(),
                },
                config.limits.s3_timeout,
            ))
        }
    };
    let events = EventBus::new(db.clone());
    events.start_listening();
    let limiter = Arc::new(RateLimiter::new(&config.limits));
    limiter.start_cleanup();
    let engines = Arc::new(engines(&config, aws.as_ref()));
    if let Some(sdk) = &aws
        && !config.aws.bedrock_models.is_empty()
    {
        bedrock::availability::watch(
            bedrock_control_plane(&config, sdk),
            &engines,
            config.aws.bedrock_models.clone(),
            config.aws.bedrock_catalog_refresh,
        )
        .await;
    }
    Ok(AppState {
        db,
        tokens: Arc::new(TokenKeys::new(&config.jwt_secret, config.token_ttl)),
        engines,
        storage: Arc::new(storage),
        events,
        metrics,
        limiter,
        config: Arc::new(config),
    })
}

/// Runs the configured number of workers, and the sweeper of stored files next to them,
/// until `shutdown`; then lets their jobs finish within the grace period (or gives them back
/// to the queue).
pub async fn run_workers(state: &AppState, shutdown: CancellationToken) {
    let grace = state.config.shutdown_grace;
    let mut workers = spawn_workers(state, state.config.workers, shutdown.clone(), grace);
    if state.config.workers > 0 {
        workers.push(spawn_sweeper(
            state.db.clone(),
            state.storage.clone(),
            shutdown.clone(),
        ));
        match spawn_sender(state.clone(), shutdown.clone()) {
            Ok(sender) => workers.push(sender),
            Err(error) => tracing::error!(?error, "the webhook sender could not start"),
        }
    }
    shutdown.cancelled().await;
    // Workers release their jobs at the grace deadline; allow a little more for that write.
    let all = futures::future::join_all(workers);
    if tokio::time::timeout(grace + Duration::from_secs(5), all)
        .await
        .is_err()
    {
        tracing::warn!("workers did not stop in time");
    }
}

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    metrics: MetricsEndpoint,
    state: AppState,
}

impl Application {
    /// Binds the configured address (port 0 picks a free port, which tests use).
    pub async fn build(mut config: Config) -> anyhow::Result<Application> {
        let address = (config.host, config.port);
        let listener = TcpListener::bind(address)
            .await
            .with_context(|| format!("cannot listen on {}:{}", address.0, address.1))?;
        if config.public_url.is_none() {
            // Port 0 is only known now.
            config.webhooks.base_url = served_url(listener.local_addr()?);
        }
        let state = build_state(config).await?;
        let metrics = MetricsEndpoint::bind(&state.config).await?;
        Ok(Application {
            listener,
            metrics,
            state,
        })
    }

    pub fn url(&self) -> String {
        self.listener
            .local_addr()
            .map(served_url)
            .unwrap_or_default()
    }

    /// Where `/api/metrics` is served when it has a port of its own.
    pub fn metrics_url(&self) -> Option<String> {
        self.metrics.url()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves the API and runs the workers until `shutdown` completes. Then workers stop
    /// claiming and finish or give back their jobs; open connections (WebSockets stay open
    /// indefinitely) get the same grace period.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let schema = build_schema(self.state.clone());
        let stop = CancellationToken::new();
        crate::memory::spawn_trimmer();
        let router = self.metrics.start(self.state.clone(), schema, stop.clone());
        let server = tokio::spawn(crate::http::server::serve(
            self.listener,
            router,
            self.state.config.limits.clone(),
            stop.clone(),
            self.state.config.shutdown_grace,
        ));
        let workers = {
            let state = self.state.clone();
            let stop = stop.clone();
            tokio::spawn(async move { run_workers(&state, stop).await })
        };
        shutdown.await;
        tracing::info!("shutting down");
        stop.cancel();
        let _ = workers.await;
        // The server lets open requests finish within the grace period, then returns.
        server.await.context("server failed")
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn database_passwords_are_kept_out_of_messages() {
        assert_eq!(
            redact("postgres://app:hunter2@db:5432/x"),
            "postgres://…@db:5432/x"
        );
        assert_eq!(redact("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
