//! Webhook endpoints and their deliveries: the owner's operations, the outbox written in the
//! transaction of each job change, and the sender's claim and record.

use chrono::{DateTime, TimeDelta, Utc};
use entity::webhook;
use entity::webhook_delivery::{self, DeliveryStatus};
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use uuid::Uuid;

use super::pagination::{PageRequest, keyset_page};
use crate::error::{AppError, AppResult};
use crate::jobs::queue::{skip_locked, statement};
use crate::webhooks::signing;

/// Endpoints one user may have.
pub const MAX_WEBHOOKS_PER_USER: u64 = 10;
/// How long a rotated secret keeps signing beside the new one.
pub const ROTATION_OVERLAP: TimeDelta = TimeDelta::hours(24);
/// An endpoint whose deliveries all failed for this long is disabled.
pub const FAILING_LIMIT: TimeDelta = TimeDelta::days(5);
/// How much of a receiver's answer is kept.
pub const RESPONSE_BODY_BYTES: usize = 1024;

/// What an endpoint can subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WebhookEvent {
    GenerationStarted,
    GenerationSucceeded,
    GenerationFailed,
    GenerationCancelled,
    BatchCompleted,
}

impl WebhookEvent {
    /// The body's `type`.
    pub fn type_name(self) -> &'static str {
        match self {
            WebhookEvent::GenerationStarted => "generation.started",
            WebhookEvent::GenerationSucceeded => "generation.succeeded",
            WebhookEvent::GenerationFailed => "generation.failed",
            WebhookEvent::GenerationCancelled => "generation.cancelled",
            WebhookEvent::BatchCompleted => "batch.completed",
        }
    }
}

/// The events an endpoint row subscribes to.
pub fn events_of(hook: &webhook::Model) -> Vec<WebhookEvent> {
    serde_json::from_value(hook.events.clone()).unwrap_or_default()
}

fn events_json(events: &[WebhookEvent]) -> AppResult<serde_json::Value> {
    if events.is_empty() {
        return Err(AppError::bad_input(
            "events",
            "Choose at least one event to receive",
        ));
    }
    let mut unique: Vec<WebhookEvent> = Vec::with_capacity(events.len());
    for event in events {
        if !unique.contains(event) {
            unique.push(*event);
        }
    }
    serde_json::to_value(unique).map_err(AppError::internal)
}

fn description(text: Option<String>) -> AppResult<Option<String>> {
    let text = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    if text.as_ref().is_some_and(|t| t.chars().count() > 200) {
        return Err(AppError::bad_input(
            "description",
            "Use a description of at most 200 characters",
        ));
    }
    Ok(text)
}

pub async fn list(db: &impl ConnectionTrait, owner: Uuid) -> AppResult<Vec<webhook::Model>> {
    Ok(webhook::Entity::find()
        .filter(webhook::Column::OwnerId.eq(owner))
        .order_by_asc(webhook::Column::CreatedAt)
        .all(db)
        .await?)
}

/// One of the owner's endpoints; anyone else's is NOT_FOUND.
pub async fn owned(db: &impl ConnectionTrait, owner: Uuid, id: Uuid) -> AppResult<webhook::Model> {
    webhook::Entity::find_by_id(id)
        .filter(webhook::Column::OwnerId.eq(owner))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("webhook"))
}

/// Creates an endpoint with a new secret, which the caller shows once. `url` was checked by
/// the caller (`webhooks::target`).
pub async fn create(
    db: &impl ConnectionTrait,
    owner: Uuid,
    url: String,
    events: &[WebhookEvent],
    text: Option<String>,
) -> AppResult<webhook::Model> {
    let existing = webhook::Entity::find()
        .filter(webhook::Column::OwnerId.eq(owner))
        .count(db)
        .await?;
    if existing >= MAX_WEBHOOKS_PER_USER {
        return Err(AppError::conflict(format!(
            "You have {existing} webhooks, the most one account may have; delete one first"
        )));
    }
    Ok(webhook::ActiveModel {
        id: Set(Uuid::now_v7()),
        owner_id: Set(owner),
        url: Set(url),
        description: Set(description(text)?),
        events: Set(events_json(events)?),
        secret: Set(signing::new_secret()),
        previous_secret: Set(None),
        previous_secret_expires_at: Set(None),
        enabled: Set(true),
        disabled_reason: Set(None),
        failing_since: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?)
}

/// What `updateWebhook` may change; `None` leaves a field as it is.
#[derive(Default)]
pub struct WebhookChanges {
    pub url: Option<String>,
    pub events: Option<Vec<WebhookEvent>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

pub async fn update(
    db: &impl ConnectionTrait,
    owner: Uuid,
    id: Uuid,
    changes: WebhookChanges,
) -> AppResult<webhook::Model> {
    let hook = owned(db, owner, id).await?;
    let mut row = hook.into_active_model();
    if let Some(url) = changes.url {
        row.url = Set(url);
    }
    if let Some(events) = changes.events {
        row.events = Set(events_json(&events)?);
    }
    if let Some(text) = changes.description {
        row.description = Set(description(Some(text))?);
    }
    if let Some(enabled) = changes.enabled {
        row.enabled = Set(enabled);
        if enabled {
            // Turned back on by its owner: a fresh start.
            row.disabled_reason = Set(None);
            row.failing_since = Set(None);
        }
    }
    Ok(row.update(db).await?)
}

pub async fn delete(db: &impl ConnectionTrait, owner: Uuid, id: Uuid) -> AppResult<()> {
    let hook = owned(db, owner, id).await?;
    webhook::Entity::delete_by_id(hook.id).exec(db).await?;
    Ok(())
}

/// A new secret; the old one keeps signing for `ROTATION_OVERLAP`, so receivers can switch
/// without missing a delivery.
pub async fn rotate_secret(
    db: &impl ConnectionTrait,
    owner: Uuid,
    id: Uuid,
) -> AppResult<webhook::Model> {
    let hook = owned(db, owner, id).await?;
    let old = hook.secret.clone();
    let mut row = hook.into_active_model();
    row.secret = Set(signing::new_secret());
    row.previous_secret = Set(Some(old));
    row.previous_secret_expires_at = Set(Some(Utc::now() + ROTATION_OVERLAP));
    Ok(row.update(db).await?)
}

/// The secrets that sign a delivery now: the current one, and the previous one until it
/// expires.
pub fn signing_secrets(hook: &webhook::Model, now: DateTime<Utc>) -> Vec<&str> {
    let mut secrets = vec![hook.secret.as_str()];
    if let (Some(previous), Some(until)) = (&hook.previous_secret, hook.previous_secret_expires_at)
        && until > now
    {
        secrets.push(previous);
    }
    secrets
}

/// The owner's enabled endpoints that subscribe to `event`.
pub async fn endpoints_for(
    db: &impl ConnectionTrait,
    owner: Uuid,
    event: WebhookEvent,
) -> AppResult<Vec<webhook::Model>> {
    let hooks = webhook::Entity::find()
        .filter(webhook::Column::OwnerId.eq(owner))
        .filter(webhook::Column::Enabled.eq(true))
        .all(db)
        .await?;
    Ok(hooks
        .into_iter()
        .filter(|hook| events_of(hook).contains(&event))
        .collect())
}

/// Writes one delivery of `payload` per endpoint, due now. Called in the transaction of the
/// change it reports, so the change and its deliveries are written together or not at all.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    endpoints: &[webhook::Model],
    event_type: &str,
    payload: &str,
) -> AppResult<Vec<webhook_delivery::Model>> {
    let now = Utc::now();
    let mut written = Vec::with_capacity(endpoints.len());
    for hook in endpoints {
        written.push(
            webhook_delivery::ActiveModel {
                id: Set(Uuid::now_v7()),
                webhook_id: Set(hook.id),
                event: Set(event_type.to_owned()),
                payload: Set(payload.to_owned()),
                status: Set(DeliveryStatus::Pending),
                attempts: Set(0),
                next_attempt_at: Set(Some(now)),
                lease_expires_at: Set(None),
                response_status: Set(None),
                response_body: Set(None),
                last_error: Set(None),
                created_at: Set(now),
                delivered_at: Set(None),
            }
            .insert(db)
            .await?,
        );
    }
    Ok(written)
}

/// An endpoint's deliveries, newest first.
pub async fn deliveries(
    db: &impl ConnectionTrait,
    webhook: Uuid,
    page: PageRequest,
) -> AppResult<Vec<webhook_delivery::Model>> {
    Ok(keyset_page(
        webhook_delivery::Entity::find().filter(webhook_delivery::Column::WebhookId.eq(webhook)),
        webhook_delivery::Column::CreatedAt,
        webhook_delivery::Column::Id,
        page,
    )
    .all(db)
    .await?)
}

/// One of the owner's deliveries, or `None`.
pub async fn owned_delivery(
    db: &impl ConnectionTrait,
    owner: Uuid,
    id: Uuid,
) -> AppResult<Option<webhook_delivery::Model>> {
    let Some(row) = webhook_delivery::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    Ok(owned(db, owner, row.webhook_id).await.ok().map(|_| row))
}

/// Makes a delivery due again now, under the same id: a receiver that deduplicates by
/// `webhook-id` sees the same message.
pub async fn redeliver(
    db: &impl ConnectionTrait,
    owner: Uuid,
    delivery: Uuid,
) -> AppResult<webhook_delivery::Model> {
    let row = owned_delivery(db, owner, delivery)
        .await?
        .ok_or_else(|| AppError::not_found("webhook delivery"))?;
    let hook = owned(db, owner, row.webhook_id).await?;
    if !hook.enabled {
        return Err(AppError::conflict(
            "This webhook is disabled; enable it with updateWebhook first",
        ));
    }
    let mut row = row.into_active_model();
    row.status = Set(DeliveryStatus::Pending);
    row.next_attempt_at = Set(Some(Utc::now()));
    row.lease_expires_at = Set(None);
    Ok(row.update(db).await?)
}

/// Takes up to `limit` due deliveries for `lease`, counting the attempt. A sender that dies
/// mid-delivery leaves the lease to run out, and the delivery is taken again.
pub async fn claim_due(
    db: &impl ConnectionTrait,
    lease: Duration,
    limit: u32,
) -> AppResult<Vec<webhook_delivery::Model>> {
    let backend = db.get_database_backend();
    let now = Utc::now();
    let lock = skip_locked(backend);
    let sql = format!(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, lease_expires_at = $1 \
         WHERE id IN ( \
             SELECT id FROM webhook_deliveries \
             WHERE status = 'PENDING' AND next_attempt_at <= $2 \
               AND (lease_expires_at IS NULL OR lease_expires_at < $3) \
             ORDER BY next_attempt_at LIMIT $4 {lock}) \
         RETURNING *"
    );
    let until = now + TimeDelta::from_std(lease).unwrap_or(TimeDelta::seconds(30));
    Ok(webhook_delivery::Entity::find()
        .from_raw_sql(statement(
            backend,
            &sql,
            vec![
                until.into(),
                now.into(),
                now.into(),
                i64::from(limit).into(),
            ],
        ))
        .all(db)
        .await?)
}

pub async fn endpoint(db: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<webhook::Model>> {
    Ok(webhook::Entity::find_by_id(id).one(db).await?)
}

/// What one attempt came to.
pub enum Attempt {
    /// A 2xx answer.
    Delivered { status: u16, body: String },
    /// 410 Gone: the receiver asks never to be called again.
    Gone { body: String },
    /// Any other answer, a timeout or a connection error.
    Failed {
        status: Option<u16>,
        body: Option<String>,
        error: String,
    },
    /// The endpoint cannot be delivered to at all (disabled, or its URL is refused now).
    Refused { error: String },
}

/// Records an attempt on the delivery and the endpoint: the next attempt after a failure
/// (`retry_delays[attempts - 1]`, give or take a tenth), none when they are used up; a
/// success clears the endpoint's failing streak; 410, or failing for `FAILING_LIMIT`,
/// disables it. Both rows are written in one transaction.
pub async fn record_attempt(
    db: &DatabaseConnection,
    delivery: &webhook_delivery::Model,
    hook: &webhook::Model,
    attempt: Attempt,
    retry_delays: &[Duration],
) -> AppResult<()> {
    let now = Utc::now();
    let mut row = delivery.clone().into_active_model();
    row.lease_expires_at = Set(None);
    let mut endpoint = hook.clone().into_active_model();
    match attempt {
        Attempt::Delivered { status, body } => {
            row.status = Set(DeliveryStatus::Delivered);
            row.response_status = Set(Some(i32::from(status)));
            row.response_body = Set(Some(body));
            row.last_error = Set(None);
            row.delivered_at = Set(Some(now));
            row.next_attempt_at = Set(None);
            endpoint.failing_since = Set(None);
        }
        Attempt::Gone { body } => {
            row.status = Set(DeliveryStatus::Failed);
            row.response_status = Set(Some(410));
            row.response_body = Set(Some(body));
            row.last_error = Set(Some("The endpoint answered 410 Gone".into()));
            row.next_attempt_at = Set(None);
            endpoint.enabled = Set(false);
            endpoint.disabled_reason = Set(Some(format!(
                "The endpoint answered 410 Gone on {}; update the URL and enable it again",
                now.format("%Y-%m-%d %H:%M UTC")
            )));
        }
        Attempt::Refused { error } => {
            row.status = Set(DeliveryStatus::Failed);
            row.last_error = Set(Some(error));
            row.next_attempt_at = Set(None);
        }
        Attempt::Failed {
            status,
            body,
            error,
        } => {
            row.response_status = Set(status.map(i32::from));
            row.response_body = Set(body);
            row.last_error = Set(Some(error));
            let since = hook.failing_since.unwrap_or(now);
            endpoint.failing_since = Set(Some(since));
            let give_up = now - since >= FAILING_LIMIT;
            if give_up {
                endpoint.enabled = Set(false);
                endpoint.disabled_reason = Set(Some(format!(
                    "Every delivery failed from {} to {}; fix the endpoint and enable it again",
                    since.format("%Y-%m-%d %H:%M UTC"),
                    now.format("%Y-%m-%d %H:%M UTC")
                )));
            }
            let next = usize::try_from(delivery.attempts - 1)
                .ok()
                .and_then(|n| retry_delays.get(n))
                .filter(|_| !give_up);
            match next {
                Some(wait) => {
                    row.status = Set(DeliveryStatus::Pending);
                    row.next_attempt_at = Set(Some(now + jittered(*wait)));
                }
                None => {
                    row.status = Set(DeliveryStatus::Failed);
                    row.next_attempt_at = Set(None);
                }
            }
        }
    }
    let txn = db.begin().await?;
    row.update(&txn).await?;
    if endpoint.is_changed() {
        endpoint.update(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Spreads retries of many deliveries that failed together.
fn jittered(wait: Duration) -> TimeDelta {
    let factor = rand::rng().random_range(0.9..=1.1);
    TimeDelta::from_std(wait.mul_f64(factor)).unwrap_or(TimeDelta::hours(1))
}
