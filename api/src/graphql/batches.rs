//! Batches: several generations queued as one, followed as one.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, Subscription};
use chrono::{DateTime, Utc};
use entity::batch;
use entity::generation::Status;
use futures::Stream;
use tokio::sync::broadcast::error::RecvError;

use super::cost;
use super::generation::{GenerateImagesInput, Generation, generation_page};
use super::relay::{NodeType, connection, expect_global_id, global_id, page_request};
use super::{app_state, require_viewer};
use crate::error::AppResult;
use crate::service::batches::{self, BatchJobs};
use crate::service::generations::{self, GenerateRequest};
use crate::state::AppState;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum BatchStatus {
    Queued,
    Running,
    Completed,
}

/// Generations queued together by `generateBatch`.
pub struct Batch {
    model: batch::Model,
    jobs: BatchJobs,
}

impl Batch {
    /// The batches with where their jobs are, in one query for all of them.
    pub async fn load(state: &AppState, models: Vec<batch::Model>) -> AppResult<Vec<Batch>> {
        let ids: Vec<_> = models.iter().map(|b| b.id).collect();
        let mut jobs = batches::jobs_of(&state.db, &ids).await?;
        Ok(models
            .into_iter()
            .map(|model| Batch {
                jobs: jobs.remove(&model.id).unwrap_or_default(),
                model,
            })
            .collect())
    }

    async fn load_one(state: &AppState, model: batch::Model) -> AppResult<Batch> {
        let mut loaded = Batch::load(state, vec![model]).await?;
        Ok(loaded.remove(0))
    }

    fn count(&self, status: Status) -> i32 {
        self.jobs.count(status) as i32
    }
}

#[Object]
impl Batch {
    pub async fn id(&self) -> ID {
        global_id(NodeType::Batch, self.model.id)
    }

    /// QUEUED until one of its jobs starts, COMPLETED when all are terminal.
    async fn status(&self) -> BatchStatus {
        if self.model.finished_at.is_some() || self.jobs.all_terminal() {
            BatchStatus::Completed
        } else if self.jobs.any_started() {
            BatchStatus::Running
        } else {
            BatchStatus::Queued
        }
    }

    /// 0..1: the mean progress of its jobs.
    async fn progress(&self) -> f64 {
        self.jobs.progress()
    }

    async fn total(&self) -> i32 {
        self.model.total
    }

    async fn succeeded(&self) -> i32 {
        self.count(Status::Succeeded)
    }

    async fn failed(&self) -> i32 {
        self.count(Status::Failed)
    }

    async fn cancelled(&self) -> i32 {
        self.count(Status::Cancelled)
    }

    /// Oldest first, in the order of the request.
    #[graphql(complexity = "cost::page(first, child_complexity)")]
    async fn generations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Generation>> {
        let page = page_request(first, after.as_deref())?;
        let rows = batches::generations(&app_state(ctx).db, self.model.id, page).await?;
        let nodes = generation_page(ctx, rows).await?;
        Ok(connection(
            nodes,
            page,
            |g| (g.row.created_at, g.row.id),
            |g| g,
        ))
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }

    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.model.finished_at
    }
}

/// Up to 50 jobs queued together, all or nothing. `seeds` repeats every request once per
/// seed, `models` once per model (both: every combination).
#[derive(InputObject)]
pub struct GenerateBatchInput {
    requests: Vec<GenerateImagesInput>,
    seeds: Option<Vec<i64>>,
    models: Option<Vec<String>>,
}

impl GenerateBatchInput {
    /// Every request, once per model and seed asked for.
    fn expand(self) -> AppResult<Vec<GenerateRequest>> {
        let models = self.models.filter(|m| !m.is_empty());
        let seeds = self.seeds.filter(|s| !s.is_empty());
        let mut expanded = Vec::new();
        for (index, request) in self.requests.into_iter().enumerate() {
            let request = request
                .into_request()
                .map_err(|error| error.in_list_item("requests", index))?;
            let per_model: Vec<GenerateRequest> = match &models {
                Some(models) => models
                    .iter()
                    .map(|model| GenerateRequest {
                        model: Some(model.clone()),
                        ..request.clone()
                    })
                    .collect(),
                None => vec![request],
            };
            for request in per_model {
                match &seeds {
                    Some(seeds) => expanded.extend(seeds.iter().map(|&seed| GenerateRequest {
                        seed: Some(seed),
                        ..request.clone()
                    })),
                    None => expanded.push(request),
                }
            }
        }
        Ok(expanded)
    }
}

#[derive(Default)]
pub struct BatchQuery;

#[Object]
impl BatchQuery {
    async fn batch(&self, ctx: &Context<'_>, id: ID) -> Result<Batch> {
        let viewer = require_viewer(ctx)?;
        let key = expect_global_id(&id, NodeType::Batch, "id")?;
        let state = app_state(ctx);
        let model = batches::owned(&state.db, viewer.user_id, key).await?;
        Ok(Batch::load_one(state, model).await?)
    }

    /// Newest first.
    #[graphql(complexity = "cost::page(first, child_complexity)")]
    async fn batches(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Batch>> {
        let viewer = require_viewer(ctx)?;
        let page = page_request(first, after.as_deref())?;
        let state = app_state(ctx);
        let rows = batches::list(&state.db, viewer.user_id, page).await?;
        let loaded = Batch::load(state, rows).await?;
        Ok(connection(
            loaded,
            page,
            |b| (b.model.created_at, b.model.id),
            |b| b,
        ))
    }
}

#[derive(Default)]
pub struct BatchMutation;

#[Object]
impl BatchMutation {
    /// Queues up to 50 generations as one batch, all or nothing: an invalid request refuses
    /// the whole batch, naming its index (`requests[3].width: …`).
    async fn generate_batch(&self, ctx: &Context<'_>, input: GenerateBatchInput) -> Result<Batch> {
        let viewer = require_viewer(ctx)?;
        let state = app_state(ctx);
        let model = generations::submit_batch(state, viewer.user_id, input.expand()?).await?;
        Ok(Batch::load_one(state, model).await?)
    }
}

#[derive(Default)]
pub struct BatchSubscription;

#[Subscription]
impl BatchSubscription {
    /// The batch's current state, then again whenever one of its jobs changes; ends when it
    /// is COMPLETED.
    async fn batch_updates(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<impl Stream<Item = Batch> + use<>> {
        let viewer = require_viewer(ctx)?;
        let key = expect_global_id(&id, NodeType::Batch, "id")?;
        let state = app_state(ctx).clone();
        // Subscribe before reading the current state, so no change falls in between.
        let mut events = state.events.subscribe(viewer.user_id);
        let current = Batch::load_one(
            &state,
            batches::owned(&state.db, viewer.user_id, key).await?,
        )
        .await?;
        Ok(async_stream::stream! {
            let mut done = current.jobs.all_terminal();
            yield current;
            while !done {
                match events.recv().await {
                    Ok(event) if event.batch_id == Some(key) => {}
                    Ok(_) => continue,
                    // Fell behind: reload, whatever was missed.
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => break,
                }
                let reloaded = match batches::owned(&state.db, viewer.user_id, key).await {
                    Ok(model) => Batch::load_one(&state, model).await,
                    Err(error) => Err(error),
                };
                let Ok(batch) = reloaded else { break };
                done = batch.jobs.all_terminal();
                yield batch;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(seeds: Option<Vec<i64>>, models: Option<Vec<String>>) -> GenerateBatchInput {
        GenerateBatchInput {
            requests: vec![GenerateImagesInput {
                prompt: "a cat".into(),
                ..GenerateImagesInput::default()
            }],
            seeds,
            models,
        }
    }

    #[test]
    fn seeds_and_models_multiply_the_requests() {
        let seeds = input(Some(vec![1, 2, 3]), None).expand().unwrap();
        assert_eq!(
            seeds.iter().map(|r| r.seed).collect::<Vec<_>>(),
            [Some(1), Some(2), Some(3)]
        );
        let both = input(Some(vec![1, 2]), Some(vec!["a".into(), "b".into()]))
            .expand()
            .unwrap();
        let pairs: Vec<_> = both
            .iter()
            .map(|r| (r.model.clone().unwrap(), r.seed.unwrap()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("a".into(), 1),
                ("a".into(), 2),
                ("b".into(), 1),
                ("b".into(), 2)
            ]
        );
        assert_eq!(input(Some(vec![]), None).expand().unwrap().len(), 1);
    }
}
