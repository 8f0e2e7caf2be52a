//! `users.last_served_at`: when a worker last claimed one of the user's jobs. The claim's
//! round-robin orders the queue by it instead of computing each owner's latest start for every
//! queued row (424 ms a claim with 1,200 queued jobs of 20 users).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    LastServedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(ColumnDef::new(Users::LastServedAt).timestamp_with_time_zone())
                    .to_owned(),
            )
            .await?;
        // Jobs claimed before this migration still count for the order.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE users SET last_served_at = \
                 (SELECT MAX(g.started_at) FROM generations g WHERE g.owner_id = users.id)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::LastServedAt)
                    .to_owned(),
            )
            .await
    }
}
