//! `/api/metrics` (Prometheus text format). With `metrics_port` set it is served by a
//! listener of its own and is absent from the main router, so nothing that routes the main
//! port (the chart's Ingress, the Lambda function's gateway) can reach it.

use anyhow::Context;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::state::AppState;

pub const PATH: &str = "/api/metrics";

pub async fn serve(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

/// Where a server answers `/api/metrics`.
pub enum MetricsEndpoint {
    /// On the main port, next to the API (embedded mode, the default).
    MainPort,
    /// On a port of its own, for the cluster's scraper only.
    OwnPort(TcpListener),
}

impl MetricsEndpoint {
    /// Binds the metrics port when one is configured (0 picks a free port).
    pub async fn bind(config: &Config) -> anyhow::Result<MetricsEndpoint> {
        let Some(port) = config.metrics_port else {
            return Ok(MetricsEndpoint::MainPort);
        };
        let listener = TcpListener::bind((config.host, port))
            .await
            .with_context(|| {
                format!(
                    "cannot listen for metrics on {}:{port} (RENDERMART_METRICS_PORT)",
                    config.host
                )
            })?;
        Ok(MetricsEndpoint::OwnPort(listener))
    }

    /// The metrics URL when they have a port of their own.
    pub fn url(&self) -> Option<String> {
        match self {
            MetricsEndpoint::MainPort => None,
            MetricsEndpoint::OwnPort(listener) => listener
                .local_addr()
                .ok()
                .map(|addr| format!("http://{addr}{PATH}")),
        }
    }

    /// The router for the main port. With a port of their own, metrics are served there
    /// until `stop`, and the main router has none.
    pub fn start(
        self,
        state: AppState,
        schema: crate::graphql::AppSchema,
        stop: CancellationToken,
    ) -> Router {
        match self {
            MetricsEndpoint::MainPort => super::router_with_metrics(state, schema),
            MetricsEndpoint::OwnPort(listener) => {
                let metrics = Router::new()
                    .route(PATH, get(serve))
                    .with_state(state.clone());
                tokio::spawn(async move {
                    let served = axum::serve(listener, metrics)
                        .with_graceful_shutdown(async move { stop.cancelled().await })
                        .await;
                    if let Err(error) = served {
                        tracing::error!(%error, "the metrics listener stopped");
                    }
                });
                super::router(state, schema)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, Settings};

    fn settings(port: Option<u16>, metrics_port: Option<u16>) -> Settings {
        Settings {
            port,
            metrics_port,
            jwt_secret: Some("x".repeat(32)),
            data_dir: Some(std::path::PathBuf::from("/nonexistent")),
            ..Settings::default()
        }
    }

    #[test]
    fn the_metrics_port_must_differ_from_the_main_port() {
        let error = Config::resolve(settings(None, Some(4000)))
            .unwrap_err()
            .to_string();
        assert!(error.contains("RENDERMART_METRICS_PORT"), "{error}");
        assert!(Config::resolve(settings(Some(8080), Some(9464))).is_ok());
        // Port 0 picks a free port for each listener: they never collide.
        assert!(Config::resolve(settings(Some(0), Some(0))).is_ok());
        assert_eq!(
            Config::resolve(settings(None, None)).unwrap().metrics_port,
            None
        );
    }
}
