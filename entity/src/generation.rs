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
    pub status: Status,
    /// 0..1, never decreasing.
    pub progress: f64,
    pub stage: Option<String>,
    /// A small PNG data URL of the job's latest preview.
    pub preview: Option<String>,
    pub attempts: i32,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTimeUtc>,
    pub error_code: Option<ErrorCode>,
    pub error_message: Option<String>,
    /// Client-chosen key; the same key from the same owner yields the same job.
    pub idempotency_key: Option<String>,
    /// Engine calls made for this job (usage accounting).
    pub engine_calls: i32,
    /// The batch it was queued in, if any.
    pub batch_id: Option<Uuid>,
    pub task: Task,
    /// The image an edit starts from.
    pub source_image_id: Option<Uuid>,
    /// The image whose white pixels mark what an edit changes.
    pub mask_image_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
}

/// Where a job is in its life; stored as its upper-case name.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Status {
    #[sea_orm(string_value = "QUEUED")]
    Queued,
    #[sea_orm(string_value = "RUNNING")]
    Running,
    #[sea_orm(string_value = "SUCCEEDED")]
    Succeeded,
    #[sea_orm(string_value = "FAILED")]
    Failed,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

impl Status {
    /// A job in a terminal status never changes again.
    pub fn is_terminal(self) -> bool {
        matches!(self, Status::Succeeded | Status::Failed | Status::Cancelled)
    }

    /// Queued or running: the job still holds a place in its owner's queue and quota.
    pub fn is_active(self) -> bool {
        matches!(self, Status::Queued | Status::Running)
    }
}

/// What a job does; stored as its upper-case name.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Task {
    #[default]
    #[sea_orm(string_value = "TEXT_TO_IMAGE")]
    TextToImage,
    #[sea_orm(string_value = "IMAGE_TO_IMAGE")]
    ImageToImage,
    #[sea_orm(string_value = "VARIATION")]
    Variation,
    #[sea_orm(string_value = "INPAINT")]
    Inpaint,
    #[sea_orm(string_value = "OUTPAINT")]
    Outpaint,
    #[sea_orm(string_value = "ERASE")]
    Erase,
    #[sea_orm(string_value = "REMOVE_BACKGROUND")]
    RemoveBackground,
    #[sea_orm(string_value = "UPSCALE")]
    Upscale,
    #[sea_orm(string_value = "SEARCH_REPLACE")]
    SearchReplace,
    #[sea_orm(string_value = "SEARCH_RECOLOR")]
    SearchRecolor,
    /// Not a model's task: the record of a picture the owner uploaded, which made the image.
    #[sea_orm(string_value = "UPLOAD")]
    Upload,
}

/// Why a job failed (or, on a succeeded job, why some of its images are missing).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ErrorCode {
    #[sea_orm(string_value = "CONTENT_FILTERED")]
    ContentFiltered,
    #[sea_orm(string_value = "MODEL_UNAVAILABLE")]
    ModelUnavailable,
    #[sea_orm(string_value = "THROTTLED")]
    Throttled,
    #[sea_orm(string_value = "TIMEOUT")]
    Timeout,
    #[sea_orm(string_value = "STORAGE_FAILED")]
    StorageFailed,
    #[sea_orm(string_value = "INTERNAL")]
    Internal,
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
