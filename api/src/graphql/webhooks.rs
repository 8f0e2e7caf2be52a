//! Webhook endpoints and their deliveries.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::webhook;
use entity::webhook_delivery::{self, DeliveryStatus};

use super::cost;
use super::relay::{NodeType, connection, expect_global_id, global_id, page_request};
use super::{app_state, require_viewer};
use crate::error::AppError;
use crate::service::webhooks::{self, WebhookChanges};
use crate::state::AppState;
use crate::webhooks::{payload, target};

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::service::webhooks::WebhookEvent")]
pub enum WebhookEvent {
    GenerationStarted,
    GenerationSucceeded,
    GenerationFailed,
    GenerationCancelled,
    BatchCompleted,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::webhook_delivery::DeliveryStatus")]
pub enum WebhookDeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

/// An endpoint that receives signed HTTP callbacks (Standard Webhooks).
pub struct Webhook(pub webhook::Model);

#[Object]
impl Webhook {
    pub async fn id(&self) -> ID {
        global_id(NodeType::Webhook, self.0.id)
    }

    async fn url(&self) -> &str {
        &self.0.url
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    async fn events(&self) -> Vec<WebhookEvent> {
        webhooks::events_of(&self.0)
            .into_iter()
            .map(Into::into)
            .collect()
    }

    /// False when disabled by its owner, by a 410 Gone answer, or after failing for 5 days;
    /// `disabledReason` says which.
    async fn enabled(&self) -> bool {
        self.0.enabled
    }

    async fn disabled_reason(&self) -> Option<&str> {
        self.0.disabled_reason.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Newest first.
    #[graphql(complexity = "cost::page(first, child_complexity)")]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, WebhookDelivery>> {
        let page = page_request(first, after.as_deref())?;
        let rows = webhooks::deliveries(&app_state(ctx).db, self.0.id, page).await?;
        Ok(connection(
            rows,
            page,
            |d| (d.created_at, d.id),
            WebhookDelivery,
        ))
    }
}

/// One event sent (or being sent) to one endpoint.
pub struct WebhookDelivery(pub webhook_delivery::Model);

#[Object]
impl WebhookDelivery {
    pub async fn id(&self) -> ID {
        global_id(NodeType::WebhookDelivery, self.0.id)
    }

    /// The body's `type`: generation.started, generation.succeeded, generation.failed,
    /// generation.cancelled, batch.completed, webhook.test.
    async fn event(&self) -> &str {
        &self.0.event
    }

    async fn status(&self) -> WebhookDeliveryStatus {
        self.0.status.into()
    }

    async fn attempts(&self) -> i32 {
        self.0.attempts
    }

    /// The receiver's last HTTP status, if it answered.
    async fn response_status(&self) -> Option<i32> {
        self.0.response_status
    }

    /// The start of the receiver's last answer (at most 1 KiB).
    async fn response_body(&self) -> Option<&str> {
        self.0.response_body.as_deref()
    }

    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.status == DeliveryStatus::Pending)
            .then_some(self.0.next_attempt_at)
            .flatten()
    }

    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }
}

#[derive(InputObject)]
pub struct CreateWebhookInput {
    url: String,
    events: Vec<WebhookEvent>,
    description: Option<String>,
}

#[derive(SimpleObject)]
pub struct CreateWebhookPayload {
    webhook: Webhook,
    /// Shown only here: `whsec_` + base64. Verify each delivery's `webhook-signature` with it.
    secret: String,
}

/// Fields left out are unchanged.
#[derive(InputObject)]
pub struct UpdateWebhookInput {
    id: ID,
    url: Option<String>,
    events: Option<Vec<WebhookEvent>>,
    description: Option<String>,
    enabled: Option<bool>,
}

#[derive(SimpleObject)]
pub struct RotateWebhookSecretPayload {
    webhook: Webhook,
    secret: String,
    /// Until then the old secret signs too.
    previous_secret_expires_at: DateTime<Utc>,
}

/// Checks an endpoint URL as `createWebhook` and `updateWebhook` take it.
async fn checked_url(state: &AppState, url: &str) -> Result<String, AppError> {
    let config = &state.config.webhooks;
    let parsed = target::parse(url, config).map_err(|m| AppError::bad_input("url", m))?;
    target::check_addresses(&parsed, config)
        .await
        .map_err(|m| AppError::bad_input("url", m))?;
    Ok(parsed.to_string())
}

fn events(list: Vec<WebhookEvent>) -> Vec<webhooks::WebhookEvent> {
    list.into_iter().map(Into::into).collect()
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Adds an endpoint (at most 10 an account). Its signing secret is in this response only.
    async fn create_webhook(
        &self,
        ctx: &Context<'_>,
        input: CreateWebhookInput,
    ) -> Result<CreateWebhookPayload> {
        let viewer = require_viewer(ctx)?;
        let state = app_state(ctx);
        let url = checked_url(state, &input.url).await?;
        let hook = webhooks::create(
            &state.db,
            viewer.user_id,
            url,
            &events(input.events),
            input.description,
        )
        .await?;
        Ok(CreateWebhookPayload {
            secret: hook.secret.clone(),
            webhook: Webhook(hook),
        })
    }

    async fn update_webhook(
        &self,
        ctx: &Context<'_>,
        input: UpdateWebhookInput,
    ) -> Result<Webhook> {
        let viewer = require_viewer(ctx)?;
        let state = app_state(ctx);
        let key = expect_global_id(&input.id, NodeType::Webhook, "id")?;
        let url = match input.url {
            Some(url) => Some(checked_url(state, &url).await?),
            None => None,
        };
        let changes = WebhookChanges {
            url,
            events: input.events.map(events),
            description: input.description,
            enabled: input.enabled,
        };
        Ok(Webhook(
            webhooks::update(&state.db, viewer.user_id, key, changes).await?,
        ))
    }

    /// Returns the deleted webhook's id.
    async fn delete_webhook(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let viewer = require_viewer(ctx)?;
        let key = expect_global_id(&id, NodeType::Webhook, "id")?;
        webhooks::delete(&app_state(ctx).db, viewer.user_id, key).await?;
        Ok(id)
    }

    /// A new signing secret, in this response only; the old one keeps signing beside it for
    /// 24 hours, so receivers can switch over without missing a delivery.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<RotateWebhookSecretPayload> {
        let viewer = require_viewer(ctx)?;
        let key = expect_global_id(&id, NodeType::Webhook, "id")?;
        let hook = webhooks::rotate_secret(&app_state(ctx).db, viewer.user_id, key).await?;
        Ok(RotateWebhookSecretPayload {
            secret: hook.secret.clone(),
            previous_secret_expires_at: hook.previous_secret_expires_at.unwrap_or_else(Utc::now),
            webhook: Webhook(hook),
        })
    }

    /// Queues a `webhook.test` delivery to the endpoint.
    async fn send_test_webhook(&self, ctx: &Context<'_>, id: ID) -> Result<WebhookDelivery> {
        let viewer = require_viewer(ctx)?;
        let key = expect_global_id(&id, NodeType::Webhook, "id")?;
        let state = app_state(ctx);
        let hook = webhooks::owned(&state.db, viewer.user_id, key).await?;
        let body = payload::test(&hook);
        let mut written = webhooks::enqueue(
            &state.db,
            std::slice::from_ref(&hook),
            payload::TEST_EVENT,
            &body,
        )
        .await?;
        state.events.deliveries_written();
        Ok(WebhookDelivery(written.remove(0)))
    }

    /// Sends a delivery again (same webhook-id), now.
    async fn redeliver_webhook(
        &self,
        ctx: &Context<'_>,
        delivery_id: ID,
    ) -> Result<WebhookDelivery> {
        let viewer = require_viewer(ctx)?;
        let key = expect_global_id(&delivery_id, NodeType::WebhookDelivery, "deliveryId")?;
        let state = app_state(ctx);
        let delivery = webhooks::redeliver(&state.db, viewer.user_id, key).await?;
        state.events.deliveries_written();
        Ok(WebhookDelivery(delivery))
    }
}
