use sea_orm::entity::prelude::*;

/// One event for one endpoint: the outbox row, written in the transaction of the change it
/// reports, and its delivery record. Its id is the `webhook-id` of every attempt.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub webhook_id: Uuid,
    /// The body's `type`: `generation.succeeded`, `batch.completed`, `webhook.test`, …
    pub event: String,
    /// The JSON body, the same bytes on every attempt.
    pub payload: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// When a pending delivery is due.
    pub next_attempt_at: Option<DateTimeUtc>,
    /// While a sender is delivering it; another sender takes it over after this.
    pub lease_expires_at: Option<DateTimeUtc>,
    pub response_status: Option<i32>,
    /// The start of the receiver's last answer.
    pub response_body: Option<String>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum DeliveryStatus {
    /// Not delivered yet; attempted again at `next_attempt_at`.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "DELIVERED")]
    Delivered,
    /// Given up on: out of attempts, or the endpoint is gone or disabled.
    #[sea_orm(string_value = "FAILED")]
    Failed,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::webhook::Entity",
        from = "Column::WebhookId",
        to = "super::webhook::Column::Id",
        on_delete = "Cascade"
    )]
    Webhook,
}

impl Related<super::webhook::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Webhook.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
