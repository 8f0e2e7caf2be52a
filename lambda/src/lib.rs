//! RenderMart's API as an AWS Lambda function behind an API Gateway HTTP API.
//!
//! The function runs the very router the Kubernetes deployment serves (`api::http::router`),
//! adapted to Lambda events by `lambda_http`, so queries and mutations behave identically on
//! both. What Lambda cannot do stays on Kubernetes: subscriptions need a long-lived
//! WebSocket, and generation workers need a process that outlives a request. A mutation that
//! queues a job here writes it to the shared database (and, on PostgreSQL, NOTIFYs), where the
//! Kubernetes workers claim it.

use std::path::PathBuf;

use anyhow::Context;
use api::config::{Config, Settings};
use clap::Parser;

/// Where the function keeps its data dir unless `RENDERMART_DATA_DIR` says otherwise: `/tmp`
/// is the only writable place in a Lambda sandbox.
pub const LAMBDA_DATA_DIR: &str = "/tmp/rendermart";

/// Lambda starts `bootstrap` without arguments, so every setting comes from the environment
/// (or from the TOML file `RENDERMART_CONFIG` names), through the same clap definitions the
/// `rendermart` binary uses.
#[derive(Debug, Parser)]
#[command(name = "rendermart-lambda", about = "RenderMart's API on AWS Lambda")]
struct LambdaCli {
    #[command(flatten)]
    settings: Settings,
}

/// Reads the settings from the environment: `RENDERMART_ENV`, `DATABASE_URL`,
/// `RENDERMART_JWT_SECRET`, `RENDERMART_STORAGE`, `RENDERMART_DATA_DIR`, …
pub fn settings_from_env() -> anyhow::Result<Settings> {
    LambdaCli::try_parse_from(["rendermart-lambda"])
        .map(|cli| cli.settings)
        .map_err(|error| anyhow::anyhow!("invalid setting in the environment: {error}"))
}

/// Resolves the configuration as the server does (production refuses missing secrets), with
/// the data dir moved to `/tmp` unless one is set.
pub fn lambda_config(mut settings: Settings) -> anyhow::Result<Config> {
    settings
        .data_dir
        .get_or_insert_with(|| PathBuf::from(LAMBDA_DATA_DIR));
    // No worker runs in the function; say so in the configuration too, so nothing that reads
    // it (metrics, logs) suggests otherwise.
    settings.workers = Some(0);
    Config::load(settings)
}

/// Connects, migrates and builds the router Lambda events are fed to. Runs once per cold
/// start; warm invocations reuse the router and its connection pool. The router is the
/// public one: `/api/metrics` is for the cluster's scraper and is never served here.
pub async fn build_service(config: Config) -> anyhow::Result<axum::Router> {
    let state = api::startup::build_state(config)
        .await
        .context("cannot start RenderMart")?;
    let schema = api::graphql::build_schema(state.clone());
    Ok(api::http::router(state, schema))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_dir_defaults_to_tmp_because_lambda_can_write_nowhere_else() {
        let dir = tempfile::tempdir().unwrap();
        // An explicit secret, so resolving does not write one into /tmp/rendermart.
        let settings = Settings {
            jwt_secret: Some("x".repeat(32)),
            database_url: Some(format!("sqlite://{}/db?mode=rwc", dir.path().display())),
            ..Settings::default()
        };
        let config = lambda_config(settings).unwrap();
        assert_eq!(config.data_dir, PathBuf::from(LAMBDA_DATA_DIR));
        assert_eq!(config.workers, 0);
    }

    #[test]
    fn an_explicit_data_dir_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            data_dir: Some(dir.path().to_path_buf()),
            ..Settings::default()
        };
        let config = lambda_config(settings).unwrap();
        assert_eq!(config.data_dir, dir.path());
        assert!(config.database_url.contains(&*dir.path().to_string_lossy()));
    }

    #[test]
    fn production_still_refuses_to_start_without_its_secrets() {
        let settings = Settings {
            env: Some("production".into()),
            database_url: Some("postgres://rendermart@db.internal/rendermart".into()),
            ..Settings::default()
        };
        let error = lambda_config(settings).unwrap_err().to_string();
        assert!(error.contains("RENDERMART_JWT_SECRET"), "{error}");
    }
}
