use sea_orm::entity::prelude::*;

/// A picture a user sends through a signed PUT (`createUpload`), to edit. The first job that
/// uses it turns it into one of the owner's images (`image_id`); an upload never used is
/// deleted a day after it was made.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "uploads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub owner_id: Uuid,
    /// What the client said it sends; the bytes themselves are checked when used.
    pub content_type: String,
    /// The exact size the client said it sends; the PUT must match it.
    pub byte_size: i64,
    pub storage_key: String,
    /// The image it became when first used.
    pub image_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    /// When its PUT URL stops working.
    pub expires_at: DateTimeUtc,
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
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Owner.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
