use sea_orm::entity::prelude::*;

/// A generation job. The `generations` table is also the job queue: workers claim `QUEUED`
/// rows and hold a lease (`lease_owner`, `lease_expires_at`) while they work.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "generations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub owner_id: Uuid,
    pub prompt_id: Uuid,
    pub model: String,
    /// The resolved request (size, count, seed, ...) as JSON.
    pub params: Json,
    /// `QUEUED`, `RUNNING`, `SUCCEEDED`, `FAILED` or `CANCELLED`.
    pub status: String,
    /// 0..1, never decreasing.
    pub progress: f64,
    pub stage: Option<String>,
    /// A small PNG data URL of the job's latest preview.
    pub preview: Option<String>,
    pub attempts: i32,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTimeUtc>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// Client-chosen key; the same key from the same owner yields the same job.
    pub idempotency_key: Option<String>,
    /// Engine calls made for this job (usage accounting).
    pub engine_calls: i32,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::OwnerId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    Owner,
    #[sea_orm(
        belongs_to = "super::prompt::Entity",
        from = "Column::PromptId",
        to = "super::prompt::Column::Id",
        on_delete = "Cascade"
    )]
    Prompt,
    #[sea_orm(has_many = "super::image::Entity")]
    Image,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Owner.def()
    }
}

impl Related<super::prompt::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Prompt.def()
    }
}

impl Related<super::image::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Image.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
