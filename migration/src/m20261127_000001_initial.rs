use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    DisplayName,
    PasswordHash,
    Preferences,
    MonthlyImageQuota,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    UserId,
    Name,
    Prefix,
    SecretHash,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Prompts {
    Table,
    Id,
    OwnerId,
    Text,
    NegativeText,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Generations {
    Table,
    Id,
    OwnerId,
    PromptId,
    Model,
    Params,
    Status,
    Progress,
    Stage,
    Preview,
    Attempts,
    LeaseOwner,
    LeaseExpiresAt,
    ErrorCode,
    ErrorMessage,
    IdempotencyKey,
    EngineCalls,
    CreatedAt,
    StartedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum Images {
    Table,
    Id,
    GenerationId,
    PromptId,
    OwnerId,
    Position,
    StorageKey,
    ThumbnailKey,
    ContentType,
    ByteSize,
    Width,
    Height,
    Seed,
    Visibility,
    Favorite,
    CreatedAt,
}

fn created_at<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .take()
}

fn owner_fk<T: IntoIden + 'static, C: IntoIden + 'static>(
    table: T,
    col: C,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Users::Table, Users::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(ColumnDef::new(Users::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Users::Email).string().not_null())
                    .col(ColumnDef::new(Users::DisplayName).string().not_null())
                    .col(ColumnDef::new(Users::PasswordHash).string().not_null())
                    .col(ColumnDef::new(Users::Preferences).json().not_null())
                    .col(ColumnDef::new(Users::MonthlyImageQuota).integer())
                    .col(created_at(Users::CreatedAt))
                    .index(
                        Index::create()
                            .name("users_email_key")
                            .col(Users::Email)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .col(ColumnDef::new(ApiKeys::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ApiKeys::UserId).uuid().not_null())
                    .col(ColumnDef::new(ApiKeys::Name).string().not_null())
                    .col(ColumnDef::new(ApiKeys::Prefix).string().not_null())
                    .col(ColumnDef::new(ApiKeys::SecretHash).string().not_null())
                    .col(created_at(ApiKeys::CreatedAt))
                    .col(ColumnDef::new(ApiKeys::LastUsedAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(ApiKeys::RevokedAt).timestamp_with_time_zone())
                    .foreign_key(&mut owner_fk(ApiKeys::Table, ApiKeys::UserId))
                    .index(
                        Index::create()
                            .name("api_keys_secret_hash_key")
                            .col(ApiKeys::SecretHash)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("api_keys_user_created")
                    .table(ApiKeys::Table)
                    .col(ApiKeys::UserId)
                    .col(ApiKeys::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Prompts::Table)
                    .col(ColumnDef::new(Prompts::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Prompts::OwnerId).uuid().not_null())
                    .col(ColumnDef::new(Prompts::Text).text().not_null())
                    .col(ColumnDef::new(Prompts::NegativeText).text())
                    .col(created_at(Prompts::CreatedAt))
                    .foreign_key(&mut owner_fk(Prompts::Table, Prompts::OwnerId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("prompts_owner_keyset")
                    .table(Prompts::Table)
                    .col(Prompts::OwnerId)
                    .col((Prompts::CreatedAt, IndexOrder::Desc))
                    .col((Prompts::Id, IndexOrder::Desc))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Generations::Table)
                    .col(
                        ColumnDef::new(Generations::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Generations::OwnerId).uuid().not_null())
                    .col(ColumnDef::new(Generations::PromptId).uuid().not_null())
                    .col(ColumnDef::new(Generations::Model).string().not_null())
                    .col(ColumnDef::new(Generations::Params).json().not_null())
                    .col(ColumnDef::new(Generations::Status).string().not_null())
                    .col(
                        ColumnDef::new(Generations::Progress)
                            .double()
                            .not_null()
                            .default(0.0),
                    )
                    .col(ColumnDef::new(Generations::Stage).string())
                    .col(ColumnDef::new(Generations::Preview).text())
                    .col(
                        ColumnDef::new(Generations::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(Generations::LeaseOwner).string())
                    .col(ColumnDef::new(Generations::LeaseExpiresAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(Generations::ErrorCode).string())
                    .col(ColumnDef::new(Generations::ErrorMessage).text())
                    .col(ColumnDef::new(Generations::IdempotencyKey).string())
                    .col(
                        ColumnDef::new(Generations::EngineCalls)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(created_at(Generations::CreatedAt))
                    .col(ColumnDef::new(Generations::StartedAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(Generations::FinishedAt).timestamp_with_time_zone())
                    .foreign_key(&mut owner_fk(Generations::Table, Generations::OwnerId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Generations::Table, Generations::PromptId)
                            .to(Prompts::Table, Prompts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for index in [
            Index::create()
                .name("generations_owner_keyset")
                .table(Generations::Table)
                .col(Generations::OwnerId)
                .col((Generations::CreatedAt, IndexOrder::Desc))
                .col((Generations::Id, IndexOrder::Desc))
                .to_owned(),
            // The queue scan: QUEUED rows oldest first, RUNNING rows by lease expiry.
            Index::create()
                .name("generations_queue")
                .table(Generations::Table)
                .col(Generations::Status)
                .col(Generations::CreatedAt)
                .to_owned(),
            // NULL keys never collide, so jobs without a key are unaffected.
            Index::create()
                .name("generations_owner_idempotency_key")
                .table(Generations::Table)
                .col(Generations::OwnerId)
                .col(Generations::IdempotencyKey)
                .unique()
                .to_owned(),
        ] {
            manager.create_index(index).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Images::Table)
                    .col(ColumnDef::new(Images::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Images::GenerationId).uuid().not_null())
                    .col(ColumnDef::new(Images::PromptId).uuid().not_null())
                    .col(ColumnDef::new(Images::OwnerId).uuid().not_null())
                    .col(ColumnDef::new(Images::Position).integer().not_null())
                    .col(ColumnDef::new(Images::StorageKey).string().not_null())
                    .col(ColumnDef::new(Images::ThumbnailKey).string().not_null())
                    .col(ColumnDef::new(Images::ContentType).string().not_null())
                    .col(ColumnDef::new(Images::ByteSize).big_integer().not_null())
                    .col(ColumnDef::new(Images::Width).integer().not_null())
                    .col(ColumnDef::new(Images::Height).integer().not_null())
                    .col(ColumnDef::new(Images::Seed).big_integer().not_null())
                    .col(ColumnDef::new(Images::Visibility).string().not_null())
                    .col(
                        ColumnDef::new(Images::Favorite)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(created_at(Images::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Images::Table, Images::GenerationId)
                            .to(Generations::Table, Generations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Images::Table, Images::PromptId)
                            .to(Prompts::Table, Prompts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut owner_fk(Images::Table, Images::OwnerId))
                    .to_owned(),
            )
            .await?;
        for index in [
            Index::create()
                .name("images_generation_position_key")
                .table(Images::Table)
                .col(Images::GenerationId)
                .col(Images::Position)
                .unique()
                .to_owned(),
            Index::create()
                .name("images_owner_keyset")
                .table(Images::Table)
                .col(Images::OwnerId)
                .col((Images::CreatedAt, IndexOrder::Desc))
                .col((Images::Id, IndexOrder::Desc))
                .to_owned(),
            Index::create()
                .name("images_visibility_keyset")
                .table(Images::Table)
                .col(Images::Visibility)
                .col((Images::CreatedAt, IndexOrder::Desc))
                .col((Images::Id, IndexOrder::Desc))
                .to_owned(),
        ] {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Images::Table.into_iden(),
            Generations::Table.into_iden(),
            Prompts::Table.into_iden(),
            ApiKeys::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
