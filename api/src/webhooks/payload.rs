//! Webhook bodies: `{ type, timestamp, data }`, with global ids as in GraphQL and absolute
//! image URLs (a receiver has no page to resolve a relative one against). A body is built
//! once, when the event happens, and sent unchanged on every attempt; its image URLs last as
//! long as storage allows (7 days), longer than the retries.

use chrono::{DateTime, Utc};
use entity::{batch, generation, image, prompt, webhook};
use sea_orm::ActiveEnum;
use serde_json::{Value, json};

use crate::config::MAX_PRESIGNED_TTL;
use crate::error::{AppError, AppResult};
use crate::graphql::relay::{NodeType, global_id};
use crate::state::AppState;

fn envelope(event_type: &str, at: DateTime<Utc>, data: Value) -> String {
    json!({
        "type": event_type,
        "timestamp": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": data,
    })
    .to_string()
}

/// A job's event, with its prompt and (once it succeeded) its images.
pub async fn generation(
    state: &AppState,
    event_type: &str,
    job: &generation::Model,
    prompt: Option<&prompt::Model>,
    images: &[image::Model],
) -> AppResult<String> {
    let mut pictures = Vec::with_capacity(images.len());
    for image in images {
        let url = state
            .storage
            .url(
                &image.storage_key,
                MAX_PRESIGNED_TTL,
                Some(&state.config.webhooks.base_url),
            )
            .await
            .map_err(AppError::internal)?;
        pictures.push(json!({
            "id": global_id(NodeType::Image, image.id).0,
            "url": url,
            "width": image.width,
            "height": image.height,
            "seed": image.seed,
        }));
    }
    let error = job.error_code.map(|code| {
        json!({ "code": code.to_value(), "message": job.error_message.clone().unwrap_or_default() })
    });
    let data = json!({
        "generation": {
            "id": global_id(NodeType::Generation, job.id).0,
            "status": job.status.to_value(),
            "task": job.task.to_value(),
            "sourceImageId": job.source_image_id.map(|id| global_id(NodeType::Image, id).0),
            "model": job.model,
            "prompt": prompt.map(|p| p.text.as_str()),
            "negativePrompt": prompt.and_then(|p| p.negative_text.as_deref()),
            "params": job.params,
            "images": pictures,
            "error": error,
            "batchId": job.batch_id.map(|id| global_id(NodeType::Batch, id).0),
            "createdAt": job.created_at,
            "startedAt": job.started_at,
            "finishedAt": job.finished_at,
        }
    });
    Ok(envelope(event_type, Utc::now(), data))
}

/// How a batch's jobs ended.
pub struct BatchSummary<'a> {
    pub batch: &'a batch::Model,
    pub jobs: &'a [generation::Model],
}

pub fn batch_completed(summary: &BatchSummary<'_>) -> String {
    let count = |status| summary.jobs.iter().filter(|j| j.status == status).count();
    let data = json!({
        "batch": {
            "id": global_id(NodeType::Batch, summary.batch.id).0,
            "status": "COMPLETED",
            "total": summary.batch.total,
            "succeeded": count(generation::Status::Succeeded),
            "failed": count(generation::Status::Failed),
            "cancelled": count(generation::Status::Cancelled),
            "generations": summary.jobs.iter().map(|job| json!({
                "id": global_id(NodeType::Generation, job.id).0,
                "status": job.status.to_value(),
            })).collect::<Vec<_>>(),
            "createdAt": summary.batch.created_at,
            "finishedAt": summary.batch.finished_at,
        }
    });
    envelope("batch.completed", Utc::now(), data)
}

/// What `sendTestWebhook` sends.
pub fn test(hook: &webhook::Model) -> String {
    let data = json!({
        "webhook": { "id": global_id(NodeType::Webhook, hook.id).0 },
        "message": "A test delivery from RenderMart; answer with a 2xx status.",
    });
    envelope(TEST_EVENT, Utc::now(), data)
}

/// The `type` of a test delivery.
pub const TEST_EVENT: &str = "webhook.test";
