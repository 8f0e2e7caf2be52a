//! Image editing: uploads, and what a job works from.
//!
//! `uploads` are pictures a user sent (or is about to send) through a signed PUT. A job names
//! its task and the images it starts from in `generations.task`, `source_image_id` and
//! `mask_image_id`; each image it makes names its source in `images.source_image_id`, so a
//! picture's edits can be walked back. `images.origin` tells a model's image from an uploaded
//! picture or mask. The new image columns have no foreign keys because SQLite cannot add one to
//! an existing table; an image's source may be deleted, and readers treat a missing source as
//! none.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Generations {
    Table,
    Task,
    SourceImageId,
    MaskImageId,
}

#[derive(DeriveIden)]
enum Images {
    Table,
    SourceImageId,
    Origin,
}

#[derive(DeriveIden)]
enum Uploads {
    Table,
    Id,
    OwnerId,
    ContentType,
    ByteSize,
    StorageKey,
    ImageId,
    CreatedAt,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Uploads::Table)
                    .col(ColumnDef::new(Uploads::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Uploads::OwnerId).uuid().not_null())
                    .col(ColumnDef::new(Uploads::ContentType).string().not_null())
                    .col(ColumnDef::new(Uploads::ByteSize).big_integer().not_null())
                    .col(ColumnDef::new(Uploads::StorageKey).string().not_null())
                    .col(ColumnDef::new(Uploads::ImageId).uuid())
                    .col(
                        ColumnDef::new(Uploads::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Uploads::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Uploads::Table, Uploads::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uploads_created")
                    .table(Uploads::Table)
                    .col(Uploads::CreatedAt)
                    .to_owned(),
            )
            .await?;
        for column in [
            ColumnDef::new(Generations::Task)
                .string()
                .not_null()
                .default("TEXT_TO_IMAGE")
                .take(),
            ColumnDef::new(Generations::SourceImageId).uuid().take(),
            ColumnDef::new(Generations::MaskImageId).uuid().take(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Generations::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            ColumnDef::new(Images::SourceImageId).uuid().take(),
            ColumnDef::new(Images::Origin)
                .string()
                .not_null()
                .default("GENERATED")
                .take(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Images::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Images::SourceImageId, Images::Origin] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Images::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            Generations::Task,
            Generations::SourceImageId,
            Generations::MaskImageId,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Generations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(Uploads::Table).to_owned())
            .await
    }
}
