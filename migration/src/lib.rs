//! Database migrations, run at `rendermart serve` start and by `rendermart migrate`.

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_initial;
mod m20261129_000002_user_token_version;
mod m20261129_000003_webhooks_batches;
mod m20261129_000004_claim_order;
mod m20261129_000005_image_editing;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_initial::Migration),
            Box::new(m20261129_000002_user_token_version::Migration),
            Box::new(m20261129_000003_webhooks_batches::Migration),
            Box::new(m20261129_000004_claim_order::Migration),
            Box::new(m20261129_000005_image_editing::Migration),
        ]
    }
}
