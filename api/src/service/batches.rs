//! Batches: generations queued together (see `generations::submit_batch`) and followed as
//! one unit; a batch is complete when all its jobs are terminal.

use std::collections::HashMap;

use chrono::Utc;
use entity::batch;
use entity::generation::{self, Status};
use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::pagination::{PageRequest, keyset_page, keyset_page_oldest_first};
use crate::error::{AppError, AppResult};

/// The most jobs one batch may queue.
pub const MAX_BATCH_JOBS: usize = 50;

/// Where a batch's jobs are: each job's status and progress.
#[derive(Debug, Clone, Default)]
pub struct BatchJobs(pub Vec<(Status, f64)>);

impl BatchJobs {
    pub fn count(&self, status: Status) -> usize {
        self.0.iter().filter(|(s, _)| *s == status).count()
    }

    pub fn all_terminal(&self) -> bool {
        self.0.iter().all(|(s, _)| s.is_terminal())
    }

    pub fn any_started(&self) -> bool {
        self.0.iter().any(|(s, _)| *s != Status::Queued)
    }

    /// The mean progress; a terminal job counts as done.
    pub fn progress(&self) -> f64 {
        if self.0.is_empty() {
            return 1.0;
        }
        let sum: f64 = self
            .0
            .iter()
            .map(|(s, p)| if s.is_terminal() { 1.0 } else { *p })
            .sum();
        sum / self.0.len() as f64
    }
}

pub async fn owned(db: &impl ConnectionTrait, owner: Uuid, id: Uuid) -> AppResult<batch::Model> {
    batch::Entity::find_by_id(id)
        .filter(batch::Column::OwnerId.eq(owner))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("batch"))
}

/// The owner's batches, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    owner: Uuid,
    page: PageRequest,
) -> AppResult<Vec<batch::Model>> {
    Ok(keyset_page(
        batch::Entity::find().filter(batch::Column::OwnerId.eq(owner)),
        batch::Column::CreatedAt,
        batch::Column::Id,
        page,
    )
    .all(db)
    .await?)
}

/// The jobs of several batches, in one statement.
pub async fn jobs_of(
    db: &impl ConnectionTrait,
    batches: &[Uuid],
) -> AppResult<HashMap<Uuid, BatchJobs>> {
    let rows: Vec<(Option<Uuid>, Status, f64)> = generation::Entity::find()
        .select_only()
        .column(generation::Column::BatchId)
        .column(generation::Column::Status)
        .column(generation::Column::Progress)
        .filter(generation::Column::BatchId.is_in(batches.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    let mut jobs: HashMap<Uuid, BatchJobs> = HashMap::new();
    for (batch, status, progress) in rows {
        if let Some(batch) = batch {
            jobs.entry(batch).or_default().0.push((status, progress));
        }
    }
    Ok(jobs)
}

/// A batch's generations in the order they were queued.
pub async fn generations(
    db: &impl ConnectionTrait,
    batch: Uuid,
    page: PageRequest,
) -> AppResult<Vec<generation::Model>> {
    Ok(keyset_page_oldest_first(
        generation::Entity::find().filter(generation::Column::BatchId.eq(batch)),
        generation::Column::CreatedAt,
        generation::Column::Id,
        page,
    )
    .all(db)
    .await?)
}

/// Marks the batch finished when none of its jobs is queued or running any more, and then
/// returns it with its jobs; `None` when it is not finished, or was already. Called in the
/// transaction that ended one of its jobs: the batch's row is locked first (PostgreSQL), so
/// of two jobs ending together the second waits for the first to commit and then sees it
/// ended, and exactly one of them finishes the batch.
pub async fn finish_if_done(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> AppResult<Option<(batch::Model, Vec<generation::Model>)>> {
    let Some(batch) = batch::Entity::find_by_id(id)
        .lock(LockType::Update)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if batch.finished_at.is_some() {
        return Ok(None);
    }
    let jobs = generation::Entity::find()
        .filter(generation::Column::BatchId.eq(id))
        .all(db)
        .await?;
    if jobs.iter().any(|job| !job.status.is_terminal()) {
        return Ok(None);
    }
    let mut row = batch.into_active_model();
    row.finished_at = Set(Some(Utc::now()));
    Ok(Some((row.update(db).await?, jobs)))
}
