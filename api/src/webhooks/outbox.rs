//! The outbox: deliveries are written in the transaction that changes a job, so a change is
//! never recorded without its webhooks nor the other way round, and a process killed after
//! the commit still delivers them after a restart (any replica's sender sends them).

use entity::generation::{self, Status};
use sea_orm::ConnectionTrait;

use super::payload::{self, BatchSummary};
use crate::error::AppResult;
use crate::service::webhooks::{self as endpoints, WebhookEvent};
use crate::service::{batches, images, prompts};
use crate::state::AppState;

/// The event a job's new state is, if any: a first start, or an end.
fn event_of(job: &generation::Model) -> Option<WebhookEvent> {
    match job.status {
        // A job taken over after its worker died starts again; that is not news.
        Status::Running if job.attempts == 1 => Some(WebhookEvent::GenerationStarted),
        Status::Succeeded => Some(WebhookEvent::GenerationSucceeded),
        Status::Failed => Some(WebhookEvent::GenerationFailed),
        Status::Cancelled => Some(WebhookEvent::GenerationCancelled),
        Status::Queued | Status::Running => None,
    }
}

/// Writes the deliveries that `job`'s change of status calls for, and finishes its batch
/// when this was the batch's last job. `job` is the row as this transaction wrote it. True
/// when deliveries were written: the caller wakes the sender after committing.
pub async fn job_changed(
    state: &AppState,
    txn: &impl ConnectionTrait,
    job: &generation::Model,
) -> AppResult<bool> {
    let mut written = false;
    if let Some(event) = event_of(job) {
        let targets = endpoints::endpoints_for(txn, job.owner_id, event).await?;
        if !targets.is_empty() {
            let prompt = prompts::by_ids(txn, &[job.prompt_id]).await?.pop();
            let mut images = if job.status == Status::Succeeded {
                images::of_generations(txn, &[job.id]).await?
            } else {
                Vec::new()
            };
            images.sort_by_key(|image| image.position);
            let body = payload::generation(state, event.type_name(), job, prompt.as_ref(), &images)
                .await?;
            endpoints::enqueue(txn, &targets, event.type_name(), &body).await?;
            written = true;
        }
    }
    if job.status.is_terminal()
        && let Some(batch) = job.batch_id
        && let Some((batch, jobs)) = batches::finish_if_done(txn, batch).await?
    {
        let event = WebhookEvent::BatchCompleted;
        let targets = endpoints::endpoints_for(txn, job.owner_id, event).await?;
        if !targets.is_empty() {
            let body = payload::batch_completed(&BatchSummary {
                batch: &batch,
                jobs: &jobs,
            });
            endpoints::enqueue(txn, &targets, event.type_name(), &body).await?;
            written = true;
        }
    }
    Ok(written)
}
