use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "images")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub generation_id: Uuid,
    pub prompt_id: Uuid,
    pub owner_id: Uuid,
    /// Position within the generation; unique per generation, so a job that is run again
    /// after its worker died never records the same image twice.
    pub position: i32,
    pub storage_key: String,
    pub thumbnail_key: String,
    pub content_type: String,
    pub byte_size: i64,
    pub width: i32,
    pub height: i32,
    pub seed: i64,
    /// `PUBLIC` or `PRIVATE`.
    pub visibility: String,
    pub favorite: bool,
    pub created_at: DateTimeUtc,
    /// The image it was made from, for an edit.
    pub source_image_id: Option<Uuid>,
    pub origin: Origin,
}

/// Where an image came from; stored as its upper-case name.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Origin {
    /// Made by a model.
    #[sea_orm(string_value = "GENERATED")]
    Generated,
    /// A picture its owner uploaded to edit.
    #[sea_orm(string_value = "UPLOADED")]
    Uploaded,
    /// A mask its owner painted for an edit; never listed in galleries.
    #[sea_orm(string_value = "MASK")]
    Mask,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::generation::Entity",
        from = "Column::GenerationId",
        to = "super::generation::Column::Id",
        on_delete = "Cascade"
    )]
    Generation,
    #[sea_orm(
        belongs_to = "super::prompt::Entity",
        from = "Column::PromptId",
        to = "super::prompt::Column::Id",
        on_delete = "Cascade"
    )]
    Prompt,
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::OwnerId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    Owner,
}

impl Related<super::generation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Generation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

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
