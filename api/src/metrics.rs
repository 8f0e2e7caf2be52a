//! Prometheus metrics served at `/api/metrics`.

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

/// The operations the frontend sends (frontend/src/graphql/operations.ts); a test keeps the
/// two lists equal.
pub const FRONTEND_OPERATIONS: [&str; 33] = [
    "Batch",
    "BatchUpdates",
    "CancelGeneration",
    "CreateApiKey",
    "CreateUpload",
    "CreateWebhook",
    "DeleteImage",
    "DeleteWebhook",
    "GenerateBatch",
    "GenerateImages",
    "Generation",
    "GenerationUpdates",
    "Generations",
    "ImageDetail",
    "Images",
    "LogIn",
    "Models",
    "MyGenerationUpdates",
    "PublicImages",
    "RedeliverWebhook",
    "RetryGeneration",
    "RevokeApiKey",
    "RotateWebhookSecret",
    "SendTestWebhook",
    "SetImageFavorite",
    "SetImageVisibility",
    "Settings",
    "SignUp",
    "UpdatePreferences",
    "UpdateWebhook",
    "Viewer",
    "WebhookDeliveries",
    "Webhooks",
];

pub struct Metrics {
    registry: Registry,
    pub graphql_requests: IntCounterVec,
    pub graphql_duration: HistogramVec,
    pub graphql_errors: IntCounterVec,
    /// SQL statements sent to the database, and how long they took.
    pub db_statements: Histogram,
}

impl Metrics {
    pub fn new() -> anyhow::Result<Metrics> {
        let registry = Registry::new_custom(Some("rendermart".into()), None)?;
        let graphql_requests = IntCounterVec::new(
            Opts::new(
                "graphql_requests_total",
                "GraphQL requests by operation name",
            ),
            &["operation"],
        )?;
        let graphql_duration = HistogramVec::new(
            HistogramOpts::new(
                "graphql_request_duration_seconds",
                "GraphQL request latency by operation name",
            ),
            &["operation"],
        )?;
        let graphql_errors = IntCounterVec::new(
            Opts::new("graphql_errors_total", "GraphQL errors by extensions.code"),
            &["code"],
        )?;
        let db_statements = Histogram::with_opts(HistogramOpts::new(
            "db_statement_duration_seconds",
            "SQL statements sent to the database (the count is the number of statements)",
        ))?;
        registry.register(Box::new(graphql_requests.clone()))?;
        registry.register(Box::new(graphql_duration.clone()))?;
        registry.register(Box::new(graphql_errors.clone()))?;
        registry.register(Box::new(db_statements.clone()))?;
        Ok(Metrics {
            registry,
            graphql_requests,
            graphql_duration,
            graphql_errors,
            db_statements,
        })
    }

    /// The label for an operation name. Names are chosen by clients, so only the frontend's
    /// own operations get a series of their own; every other name is `other` and a request
    /// without one is `anonymous`, which keeps the label set fixed.
    pub fn operation_label(name: Option<&str>) -> &'static str {
        match name {
            None => "anonymous",
            Some(name) => FRONTEND_OPERATIONS
                .iter()
                .find(|known| **known == name)
                .copied()
                .unwrap_or("other"),
        }
    }

    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut buffer) {
            tracing::error!(error = %e, "metrics encoding failed");
        }
        String::from_utf8(buffer).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Operation names declared in the frontend's GraphQL documents.
    fn frontend_operation_names() -> Vec<String> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../frontend/src/graphql/operations.ts"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let words: Vec<&str> = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        let mut names: Vec<String> = words
            .windows(2)
            .filter(|pair| {
                matches!(pair[0], "query" | "mutation" | "subscription")
                    && pair[1].starts_with(|c: char| c.is_ascii_uppercase())
            })
            .map(|pair| pair[1].to_owned())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    #[test]
    fn the_known_operations_are_exactly_the_frontends() {
        let mut known: Vec<String> = FRONTEND_OPERATIONS
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        known.sort();
        assert_eq!(
            known,
            frontend_operation_names(),
            "update FRONTEND_OPERATIONS in api/src/metrics.rs to the frontend's operation names"
        );
    }

    #[test]
    fn other_names_are_folded_into_one_label() {
        assert_eq!(Metrics::operation_label(Some("Generations")), "Generations");
        assert_eq!(Metrics::operation_label(Some("ListModels")), "other");
        assert_eq!(
            Metrics::operation_label(Some("x".repeat(5000).as_str())),
            "other"
        );
        assert_eq!(Metrics::operation_label(None), "anonymous");
    }
}
