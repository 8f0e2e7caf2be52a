//! Workers: claim a job, run its engine while renewing the lease and reporting progress,
//! store the images, finish the job.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use chrono::Utc;
use entity::generation::{self, ErrorCode};
use entity::image::Origin;
use entity::prompt;
use image::{GrayImage, RgbaImage};
use sea_orm::{EntityTrait, TransactionTrait};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::queue::{self, Outcome};
use crate::engines::{
    EngineError, EngineFailure, EngineJob, EngineOutput, GenerationParams, Progress,
};
use crate::error::{AppError, AppResult};
use crate::imaging::{self, ImageMetadata};
use crate::service::images;
use crate::state::AppState;
use crate::storage::image_keys;
use crate::webhooks::outbox;

/// How often an idle worker looks for jobs queued by other processes.
const IDLE_POLL: Duration = Duration::from_secs(1);

/// Starts `count` workers. They stop claiming when `shutdown` is cancelled; each finishes its
/// running job within `grace` or gives it back to the queue.
pub fn spawn_workers(
    state: &AppState,
    count: usize,
    shutdown: CancellationToken,
    grace: Duration,
) -> Vec<JoinHandle<()>> {
    let process = uuid::Uuid::new_v4().simple().to_string();
    (0..count)
        .map(|n| {
            let state = state.clone();
            let name = format!("{}-{n}", &process[..12]);
            let shutdown = shutdown.clone();
            tokio::spawn(async move { run(state, name, shutdown, grace).await })
        })
        .collect()
}

async fn run(state: AppState, name: String, shutdown: CancellationToken, grace: Duration) {
    while !shutdown.is_cancelled() {
        match try_run_one(&state, &name, &shutdown, grace).await {
            Ok(true) => {}
            Ok(false) => {
                tokio::select! {
                    _ = shutdown.cancelled() => {}
                    _ = state.events.job_queued() => {}
                    _ = tokio::time::sleep(IDLE_POLL) => {}
                }
            }
            Err(error) => {
                tracing::error!(?error, worker = %name, "worker step failed");
                tokio::time::sleep(IDLE_POLL).await;
            }
        }
    }
}

/// Claims and runs one job; false when there was none. Tests call this directly, so none of
/// them waits for a background worker.
pub async fn try_run_one(
    state: &AppState,
    worker: &str,
    shutdown: &CancellationToken,
    grace: Duration,
) -> AppResult<bool> {
    let txn = state.db.begin().await?;
    let exhausted = queue::fail_exhausted(&txn, state.config.max_attempts).await?;
    let mut wake = false;
    for failed in &exhausted {
        wake |= outbox::job_changed(state, &txn, failed).await?;
    }
    txn.commit().await?;
    announce(state, exhausted, wake).await;

    let txn = state.db.begin().await?;
    let claimed = queue::claim(&txn, worker, state.config.lease, state.config.max_attempts).await?;
    let Some(job) = claimed else {
        txn.rollback().await?;
        return Ok(false);
    };
    let wake = outbox::job_changed(state, &txn, &job).await?;
    txn.commit().await?;
    tracing::info!(generation = %job.id, attempt = job.attempts, worker, "job claimed");
    announce(state, vec![job.clone()], wake).await;
    let id = job.id;
    let lease = LeaseKeeper::start(state, id, worker);
    if let Err(error) = run_job(state, worker, job, shutdown, grace, &lease.lost).await {
        fail_job(state, id, worker, &error, 0).await?;
    }
    drop(lease);
    if let Some(row) = generation::Entity::find_by_id(id).one(&state.db).await? {
        state.events.publish(row).await;
    }
    Ok(true)
}

/// Publishes committed changes, and wakes the webhook sender when they wrote deliveries.
async fn announce(state: &AppState, jobs: Vec<generation::Model>, deliveries_written: bool) {
    if deliveries_written {
        state.events.deliveries_written();
    }
    for job in jobs {
        if job.status == generation::Status::Failed {
            tracing::warn!(generation = %job.id, "job failed after its workers died on every attempt");
        }
        state.events.publish(job).await;
    }
}

/// Ends the job if the worker still holds it (false otherwise), writing its webhooks and
/// finishing its batch in the same transaction.
async fn end_job(
    state: &AppState,
    id: uuid::Uuid,
    worker: &str,
    outcome: Outcome,
) -> AppResult<bool> {
    let txn = state.db.begin().await?;
    if !queue::finish(&txn, id, worker, outcome).await? {
        txn.rollback().await?;
        return Ok(false);
    }
    let job = generation::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("generation {id} vanished")))?;
    let wake = outbox::job_changed(state, &txn, &job).await?;
    txn.commit().await?;
    if wake {
        state.events.deliveries_written();
    }
    Ok(true)
}

/// Ends a job on an error of our own (database, storage) rather than leave it running.
async fn fail_job(
    state: &AppState,
    id: uuid::Uuid,
    worker: &str,
    error: &JobError,
    engine_calls: u32,
) -> AppResult<()> {
    let (code, message) = match error {
        JobError::Storage(inner) => {
            tracing::error!(generation = %id, error = ?inner, "storing images failed");
            (
                ErrorCode::StorageFailed,
                "The images could not be stored; retry the generation".to_owned(),
            )
        }
        JobError::Internal(inner) => {
            tracing::error!(generation = %id, error = ?inner, "job failed");
            (
                ErrorCode::Internal,
                "The job failed unexpectedly; retry the generation".to_owned(),
            )
        }
    };
    end_job(
        state,
        id,
        worker,
        Outcome::Failed {
            code,
            message,
            engine_calls: engine_calls as i32,
        },
    )
    .await?;
    Ok(())
}

/// Renews a job's lease every third of the lease for as long as the worker holds the job,
/// whatever it is doing: running the engine, encoding, uploading, recording. So a slow
/// upload never lets the lease run out and another worker run (and bill) the job again.
/// `lost` is cancelled when the worker no longer holds the job (cancelled or taken over).
struct LeaseKeeper {
    lost: CancellationToken,
    stop: CancellationToken,
}

impl LeaseKeeper {
    fn start(state: &AppState, job: uuid::Uuid, worker: &str) -> LeaseKeeper {
        let (lost, stop) = (CancellationToken::new(), CancellationToken::new());
        let (db, lease, worker) = (state.db.clone(), state.config.lease, worker.to_owned());
        let (lost_job, stopped) = (lost.clone(), stop.clone());
        tokio::spawn(async move {
            let mut every = tokio::time::interval(lease / 3);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            every.tick().await;
            loop {
                tokio::select! {
                    () = stopped.cancelled() => return,
                    _ = every.tick() => {}
                }
                match queue::renew(&db, job, &worker, lease).await {
                    Ok(true) => {}
                    Ok(false) => {
                        lost_job.cancel();
                        return;
                    }
                    // Two more tries fit in the lease before it runs out.
                    Err(error) => {
                        tracing::warn!(generation = %job, ?error, "could not renew the lease; retrying");
                    }
                }
            }
        });
        LeaseKeeper { lost, stop }
    }
}

impl Drop for LeaseKeeper {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

#[derive(Debug)]
enum JobError {
    Storage(anyhow::Error),
    Internal(AppError),
}

impl From<AppError> for JobError {
    fn from(error: AppError) -> JobError {
        JobError::Internal(error)
    }
}

impl From<sea_orm::DbErr> for JobError {
    fn from(error: sea_orm::DbErr) -> JobError {
        JobError::Internal(error.into())
    }
}

fn preview_data_url(png: &[u8]) -> String {
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

/// What happened while the engine ran.
enum EngineRun {
    Finished(Result<EngineOutput, EngineFailure>),
    /// The job was cancelled or its lease taken over: stop without writing anything.
    Lost,
    /// Shutdown's grace period ran out: give the job back.
    Interrupted,
}

async fn run_job(
    state: &AppState,
    worker: &str,
    mut job: generation::Model,
    shutdown: &CancellationToken,
    grace: Duration,
    lost: &CancellationToken,
) -> Result<(), JobError> {
    let prompt = prompt::Entity::find_by_id(job.prompt_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("generation {} has no prompt", job.id))
        })?;
    let params: GenerationParams =
        serde_json::from_value(job.params.clone()).map_err(AppError::internal)?;
    let Some((_, engine)) = state.engines.engine(&job.model) else {
        let message = format!(
            "The model `{}` is not available on this server any more; choose another model",
            job.model
        );
        end_job(
            state,
            job.id,
            worker,
            Outcome::Failed {
                code: ErrorCode::ModelUnavailable,
                message,
                engine_calls: 0,
            },
        )
        .await?;
        return Ok(());
    };

    // A resumed job makes only the images its earlier attempts did not record.
    let recorded = images::positions_of(&state.db, job.id).await?;
    let positions: Vec<u32> = (0..params.count)
        .filter(|p| !recorded.contains(p))
        .collect();
    let (source, mask) = match edit_inputs(state, &job).await? {
        Ok(inputs) => inputs,
        Err(message) => {
            let failed = Outcome::Failed {
                code: ErrorCode::Internal,
                message,
                engine_calls: 0,
            };
            end_job(state, job.id, worker, failed).await?;
            return Ok(());
        }
    };
    let engine_job = EngineJob {
        model: job.model.clone(),
        prompt: if params.edit.prompt_is_label {
            String::new()
        } else {
            prompt.text.clone()
        },
        negative_prompt: prompt.negative_text.clone(),
        params: params.clone(),
        task: job.task,
        source,
        mask,
        positions,
    };

    let (progress_tx, mut progress_rx) = tokio::sync::mpsc::unbounded_channel();
    let generate = engine.generate(&engine_job, &progress_tx);
    tokio::pin!(generate);
    let deadline = async {
        shutdown.cancelled().await;
        tokio::time::sleep(grace).await;
    };
    tokio::pin!(deadline);

    let mut reporter = ProgressReporter::default();
    let run = loop {
        tokio::select! {
            biased;
            Some(progress) = progress_rx.recv() => {
                if !reporter.apply(state, worker, &mut job, progress).await? {
                    break EngineRun::Lost;
                }
            }
            result = &mut generate => {
                // Progress sent in the engine's last poll is still queued: report it first.
                let mut lost = false;
                while let Ok(progress) = progress_rx.try_recv() {
                    if !reporter.apply(state, worker, &mut job, progress).await? {
                        lost = true;
                        break;
                    }
                }
                break if lost { EngineRun::Lost } else { EngineRun::Finished(result) };
            }
            () = lost.cancelled() => break EngineRun::Lost,
            () = &mut deadline => break EngineRun::Interrupted,
        }
    };

    let output = match run {
        EngineRun::Lost => {
            tracing::info!(generation = %job.id, "job cancelled or taken over; stopping");
            return Ok(());
        }
        EngineRun::Interrupted => {
            queue::release(&state.db, job.id, worker).await?;
            tracing::info!(generation = %job.id, "shutting down: job given back to the queue");
            return Ok(());
        }
        EngineRun::Finished(Err(EngineFailure { error, calls })) => {
            if let EngineError::Internal(inner) = &error {
                tracing::error!(generation = %job.id, error = ?inner, "engine failed");
            }
            let (code, message) = error.code_and_message();
            end_job(
                state,
                job.id,
                worker,
                Outcome::Failed {
                    code,
                    message,
                    engine_calls: calls as i32,
                },
            )
            .await?;
            return Ok(());
        }
        EngineRun::Finished(Ok(output)) => output,
    };

    let stored = match store_images(state, worker, &job, &prompt, &output, lost).await {
        Ok(stored) => stored,
        Err(error) => {
            // The engine's calls were made (and maybe billed) whatever happened after them.
            fail_job(state, job.id, worker, &error, output.calls).await?;
            return Ok(());
        }
    };
    if !stored {
        return Ok(());
    }
    let engine_calls = output.calls as i32;
    let outcome = if output.images.is_empty() && output.filtered > 0 {
        Outcome::Failed {
            code: ErrorCode::ContentFiltered,
            message: "The model's content filter blocked this prompt or its images; rephrase the prompt and try again".to_owned(),
            engine_calls,
        }
    } else {
        Outcome::Succeeded {
            engine_calls,
            filtered: output.filtered,
        }
    };
    end_job(state, job.id, worker, outcome).await?;
    Ok(())
}

type EditInputs = (Option<Arc<RgbaImage>>, Option<Arc<GrayImage>>);

/// An edit's source and mask, decoded; the inner error says why the job cannot run (its
/// source was deleted meanwhile).
async fn edit_inputs(
    state: &AppState,
    job: &generation::Model,
) -> AppResult<Result<EditInputs, String>> {
    let mut pictures = Vec::new();
    for id in [job.source_image_id, job.mask_image_id] {
        let Some(id) = id else {
            pictures.push(None);
            continue;
        };
        let stored = match entity::image::Entity::find_by_id(id).one(&state.db).await? {
            Some(image) => state
                .storage
                .get(&image.storage_key)
                .await
                .map_err(AppError::internal)?,
            None => None,
        };
        let Some(bytes) = stored else {
            return Ok(Err(
                "The picture this edit starts from was deleted; start it again from another"
                    .to_owned(),
            ));
        };
        let decoded = tokio::task::spawn_blocking(move || image::load_from_memory(&bytes))
            .await
            .map_err(AppError::internal)?
            .map_err(AppError::internal)?;
        pictures.push(Some(decoded));
    }
    let mask = pictures.pop().flatten().map(|m| Arc::new(m.to_luma8()));
    let source = pictures.pop().flatten().map(|s| Arc::new(s.to_rgba8()));
    Ok(Ok((source, mask)))
}

/// How often a running job's progress is written to its row (and so reaches other replicas
/// and late subscribers). Reports in between go to this process's subscribers only: a small
/// job reports a few steps in a few milliseconds, and a write each cost more than the job.
const PROGRESS_WRITE_INTERVAL: Duration = Duration::from_millis(250);

/// Hands an engine's progress reports to subscribers, writing the row at most every
/// `PROGRESS_WRITE_INTERVAL`.
#[derive(Default)]
struct ProgressReporter {
    last_written: Option<Instant>,
}

impl ProgressReporter {
    /// Records and announces one report; false when the worker lost the job.
    async fn apply(
        &mut self,
        state: &AppState,
        worker: &str,
        job: &mut generation::Model,
        progress: Progress,
    ) -> AppResult<bool> {
        if let Some(png) = progress.preview_png.as_deref() {
            job.preview = Some(preview_data_url(png));
        }
        // The last 5% are for storing the images.
        job.progress = job.progress.max(progress.fraction.clamp(0.0, 1.0) * 0.95);
        job.stage = Some(progress.stage);
        if self
            .last_written
            .is_some_and(|at| at.elapsed() < PROGRESS_WRITE_INTERVAL)
        {
            state.events.publish_local(job.clone());
            return Ok(true);
        }
        if !queue::report_progress(
            &state.db,
            job.id,
            worker,
            job.progress,
            job.stage.as_deref().unwrap_or_default(),
            job.preview.clone(),
        )
        .await?
        {
            return Ok(false);
        }
        self.last_written = Some(Instant::now());
        state.events.publish(job.clone()).await;
        Ok(true)
    }
}

/// Encodes, stores and records each image; false when the job was lost on the way. When an
/// image is not recorded (lost job, failed write or insert) its files are removed again.
async fn store_images(
    state: &AppState,
    worker: &str,
    job: &generation::Model,
    prompt: &prompt::Model,
    output: &EngineOutput,
    lost: &CancellationToken,
) -> Result<bool, JobError> {
    let total = output.images.len().max(1) as f64;
    for (n, made) in output.images.iter().enumerate() {
        if lost.is_cancelled() {
            return Ok(false);
        }
        let image_id = uuid::Uuid::now_v7();
        let (key, thumb_key) = image_keys(job.owner_id, image_id);
        let metadata = ImageMetadata {
            prompt: prompt.text.clone(),
            negative_prompt: prompt.negative_text.clone(),
            model: job.model.clone(),
            seed: made.seed,
            created_at: Utc::now(),
        };
        let pixels = made.pixels.clone();
        // PNG encoding is CPU work: keep it off the async threads.
        let (png, thumb) =
            tokio::task::spawn_blocking(move || -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
                let full = imaging::encode_png(&pixels, Some(&metadata))?;
                let small = if imaging::fits_thumbnail(&pixels) {
                    full.clone()
                } else {
                    imaging::encode_png(&imaging::thumbnail(&pixels), None)?
                };
                Ok((full, small))
            })
            .await
            .map_err(|e| JobError::Internal(AppError::internal(e)))?
            .map_err(|e| JobError::Internal(AppError::internal(e)))?;
        let row = entity::image::Model {
            id: image_id,
            generation_id: job.id,
            prompt_id: job.prompt_id,
            owner_id: job.owner_id,
            position: made.position as i32,
            storage_key: key.clone(),
            thumbnail_key: thumb_key.clone(),
            content_type: "image/png".to_owned(),
            byte_size: png.len() as i64,
            width: made.pixels.width() as i32,
            height: made.pixels.height() as i32,
            seed: made.seed,
            visibility: "PRIVATE".to_owned(),
            favorite: false,
            created_at: Utc::now(),
            source_image_id: job.source_image_id,
            origin: Origin::Generated,
        };
        let recorded = async {
            let storage = &state.storage;
            storage
                .put(&key, png, "image/png")
                .await
                .map_err(JobError::Storage)?;
            storage
                .put(&thumb_key, thumb, "image/png")
                .await
                .map_err(JobError::Storage)?;
            Ok(images::record(&state.db, worker, state.config.lease, row).await?)
        }
        .await;
        if !matches!(recorded, Ok(true)) {
            // Both keys, whatever failed: a write that timed out may still have landed.
            for k in [&key, &thumb_key] {
                if let Err(error) = state.storage.delete(k).await {
                    tracing::warn!(%error, key = %k, "could not remove an unrecorded image; the sweeper will");
                }
            }
            return recorded;
        }
        let fraction = 0.95 + 0.05 * (n + 1) as f64 / total;
        queue::report_progress(
            &state.db,
            job.id,
            worker,
            fraction.min(0.99),
            "storing",
            None,
        )
        .await?;
    }
    Ok(true)
}
