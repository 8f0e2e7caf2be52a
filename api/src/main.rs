use clap::Parser;

use api::config::{Cli, Command, Config};
use api::startup::{self, Application};

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into()),
        )
        .init();
    if let Err(error) = run(Cli::parse()).await {
        eprintln!("rendermart: {error:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::ExportSchema = command {
        print!("{}", api::graphql::sdl());
        return Ok(());
    }
    let config = Config::load(cli.settings)?;
    match command {
        Command::BenchData { users, prompts } => {
            let db = startup::connect_database(&config.database_url).await?;
            startup::migrate(&db).await?;
            api::bench_data::load(&db, api::bench_data::Sizes { users, prompts }).await?;
        }
        Command::Migrate => {
            let db = startup::connect_database(&config.database_url).await?;
            startup::migrate(&db).await?;
            println!("rendermart: migrations applied");
        }
        Command::Worker => {
            let state = startup::build_state(config).await?;
            println!("rendermart: {} workers running", state.config.workers);
            let stop = tokio_util::sync::CancellationToken::new();
            let signal_stop = stop.clone();
            tokio::spawn(async move {
                shutdown_signal().await;
                signal_stop.cancel();
            });
            startup::run_workers(&state, stop).await;
        }
        Command::Serve | Command::ExportSchema => {
            let app = Application::build(config).await?;
            println!("rendermart: listening on {}", app.url());
            if let Some(url) = app.metrics_url() {
                println!("rendermart: metrics on {url}");
            }
            app.run_until(shutdown_signal()).await?;
        }
    }
    Ok(())
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(_) => return ctrl_c.await.unwrap_or(()),
    };
    tokio::select! {
        _ = ctrl_c => {}
        _ = term.recv() => {}
    }
}
