//! `bootstrap`: the executable the provided.al2023 runtime starts. It builds the router once
//! per cold start, then hands it to `lambda_http`, which turns each API Gateway event into an
//! HTTP request and each response back into the gateway's format.

#[tokio::main]
async fn main() {
    // Honours AWS_LAMBDA_LOG_LEVEL and AWS_LAMBDA_LOG_FORMAT (JSON logs when configured).
    lambda_http::tracing::init_default_subscriber();
    if let Err(error) = run().await {
        // Lambda reports the failed init with whatever the process printed.
        eprintln!("rendermart-lambda: {error:#}");
        std::process::exit(1);
    }
}

async fn run() -> anyhow::Result<()> {
    let config = rendermart_lambda::lambda_config(rendermart_lambda::settings_from_env()?)?;
    let service = rendermart_lambda::build_service(config).await?;
    lambda_http::run(service)
        .await
        .map_err(|error| anyhow::anyhow!("the Lambda runtime stopped: {error}"))
}
