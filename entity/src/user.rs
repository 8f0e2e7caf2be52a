use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Trimmed and lower-cased; unique.
    #[sea_orm(unique)]
    pub email: String,
    pub display_name: String,
    /// argon2id PHC string; the password itself is never stored.
    pub password_hash: String,
    /// Defaults for `generateImages`, as a JSON object.
    pub preferences: Json,
    /// Images a month; `None` means the server-wide quota applies.
    pub monthly_image_quota: Option<i32>,
    pub created_at: DateTimeUtc,
    /// Login tokens carry the version they were issued at and stop working when it moves
    /// on: changing the password increments it.
    pub token_version: i32,
    /// When a worker last claimed one of this user's jobs: the queue serves the user served
    /// least recently first.
    pub last_served_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::api_key::Entity")]
    ApiKey,
    #[sea_orm(has_many = "super::prompt::Entity")]
    Prompt,
    #[sea_orm(has_many = "super::generation::Entity")]
    Generation,
    #[sea_orm(has_many = "super::image::Entity")]
    Image,
}

impl ActiveModelBehavior for ActiveModel {}
