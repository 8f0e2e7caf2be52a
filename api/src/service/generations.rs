//! Generation jobs from the user's side: submit (checked against the model before anything is
//! written), cancel, retry, read.
//!
//! A new job, submitted or retried, is admitted in the transaction that inserts it, under a
//! per-owner lock (`begin_for_owner`): the owner's queue cap and monthly quota are counted
//! with every earlier job of that owner already in the table, so concurrent requests cannot
//! overshoot either.

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use entity::generation::{self, Status, Task};
use entity::{batch, prompt, user};
use rand::Rng;
use sea_orm::sea_query::{Expr, LockType};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use uuid::Uuid;

use super::accounts::{self, Preferences};
use super::batches::MAX_BATCH_JOBS;
use super::pagination::{PageRequest, keyset_page};
use super::sources::{EditSources, SourceRef};
use super::usage;
use crate::engines::capabilities::task_name;
use crate::engines::{
    EditParams, EngineRegistry, GenerationParams, ModelInfo, Outpaint, SourceShape,
};
use crate::error::{AppError, AppResult};
use crate::jobs::queue;
use crate::limits::wait_words;
use crate::state::AppState;
use crate::webhooks::outbox;

/// What a client asks for; anything left out comes from preferences, then the model.
#[derive(Debug, Default, Clone)]
pub struct GenerateRequest {
    pub task: Task,
    pub prompt: String,
    pub negative_prompt: Option<String>,
    pub model: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub count: Option<i32>,
    pub seed: Option<i64>,
    pub cfg_scale: Option<f64>,
    pub style_preset: Option<String>,
    pub quality: Option<String>,
    pub idempotency_key: Option<String>,
    /// What an edit starts from, and where it changes it.
    pub source: Option<SourceRef>,
    pub mask: Option<SourceRef>,
    pub mask_prompt: Option<String>,
    pub strength: Option<f64>,
    pub outpaint: Option<Outpaint>,
    pub upscale_factor: Option<f64>,
}

fn non_negative(field: &'static str, value: Option<i32>) -> AppResult<Option<u32>> {
    match value {
        Some(v) if v < 1 => Err(AppError::bad_input(
            field,
            format!("`{field}` must be a positive number"),
        )),
        v => Ok(v.map(|v| v as u32)),
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Chooses the model and fills in every parameter. Preferences apply only where the chosen
/// model accepts them, so a saved size for one model never breaks another.
fn resolve<'r>(
    engines: &'r EngineRegistry,
    prefs: &Preferences,
    request: &GenerateRequest,
    source: Option<SourceShape>,
) -> AppResult<(&'r ModelInfo, Option<String>, GenerationParams)> {
    let model_id = non_empty(request.model.clone())
        .or_else(|| {
            prefs
                .default_model
                .clone()
                .filter(|m| engines.get(m).is_some())
        })
        .or_else(|| engines.default_model(request.task).map(|m| m.id.clone()))
        .ok_or_else(|| {
            AppError::bad_input("model", "No image model is configured on this server")
        })?;
    let (model, _) = engines
        .get(&model_id)
        .ok_or_else(|| AppError::bad_input("model", engines.unavailable_reason(&model_id)))?;
    let caps = &model.capabilities;
    let task = caps.task(request.task)?;
    let edit = EditParams {
        strength: request.strength.or(task.strength.map(|r| r.default)),
        mask_prompt: non_empty(request.mask_prompt.clone()),
        outpaint: request.outpaint,
        upscale_factor: request
            .upscale_factor
            .or(task.upscale_factor.map(|r| r.default)),
        prompt_is_label: request.prompt.trim().is_empty(),
    };

    let (width, height) = if task.needs_source() {
        if request.width.is_some() || request.height.is_some() {
            return Err(AppError::bad_input(
                "width",
                "An edit's size follows its source; leave width and height out",
            ));
        }
        let source = source.ok_or_else(|| {
            AppError::bad_input(
                "source",
                format!(
                    "{} needs a picture to start from: give `source` an uploadId or imageId",
                    task_name(task.task)
                ),
            )
        })?;
        task.check_edit(&edit, source)?
    } else {
        let given = [
            ("source", request.source.is_some() || source.is_some()),
            ("mask", request.mask.is_some()),
            ("maskPrompt", edit.mask_prompt.is_some()),
            ("strength", request.strength.is_some()),
            ("outpaint", request.outpaint.is_some()),
            ("upscaleFactor", request.upscale_factor.is_some()),
        ];
        if let Some((field, _)) = given.iter().find(|(_, given)| *given) {
            return Err(AppError::bad_input(
                field,
                format!("`{field}` is for editing a picture: set `task` to the edit you want"),
            ));
        }
        match (
            non_negative("width", request.width)?,
            non_negative("height", request.height)?,
        ) {
            (Some(w), Some(h)) => (w, h),
            (w, h) => {
                let preferred = prefs
                    .width
                    .zip(prefs.height)
                    .filter(|&(pw, ph)| caps.accepts_size(pw, ph));
                let (dw, dh) = preferred.unwrap_or((model.defaults.width, model.defaults.height));
                (w.unwrap_or(dw), h.unwrap_or(dh))
            }
        }
    };
    let count = non_negative("count", request.count)?
        .or(prefs.count.filter(|&c| c <= caps.max_images))
        .unwrap_or(model.defaults.count);
    let seed = match (request.seed, caps.max_seed) {
        (Some(seed), _) => seed,
        (None, Some(max)) => rand::rng().random_range(0..=max),
        (None, None) => 0,
    };
    let style_preset = non_empty(request.style_preset.clone()).or_else(|| {
        prefs
            .style_preset
            .clone()
            .filter(|s| caps.style_presets.contains(&s.as_str()))
    });
    let negative = non_empty(request.negative_prompt.clone()).or_else(|| {
        prefs
            .negative_prompt
            .clone()
            .filter(|_| caps.negative_prompt)
    });
    let aspect_ratio = caps
        .nearest_aspect_ratio(width, height)
        .map(|(w, h)| format!("{w}:{h}"));
    let params = GenerationParams {
        width,
        height,
        count,
        seed,
        cfg_scale: request.cfg_scale.or(caps.cfg_scale.map(|r| r.default)),
        style_preset,
        quality: non_empty(request.quality.clone()),
        aspect_ratio,
        edit,
    };
    caps.check(task, &request.prompt, negative.as_deref(), &params)?;
    Ok((model, negative, params))
}

async fn find_by_idempotency_key(
    db: &impl ConnectionTrait,
    owner: Uuid,
    key: &str,
) -> AppResult<Option<generation::Model>> {
    Ok(generation::Entity::find()
        .filter(generation::Column::OwnerId.eq(owner))
        .filter(generation::Column::IdempotencyKey.eq(key))
        .one(db)
        .await?)
}

/// Opens the transaction in which one owner's new job is admitted and inserted, holding the
/// owner's lock until it ends, and returns the owner as of now.
///
/// PostgreSQL locks the owner's row (`FOR NO KEY UPDATE`: it excludes the same lock, so one
/// owner's submits take turns, but not the foreign-key checks of rows that reference the
/// owner, so workers are never held up). SQLite begins the transaction IMMEDIATE, taking the
/// database's write lock at once: every writer takes turns, and the busy timeout covers the
/// wait. A deferred transaction would read first and then fail to upgrade to a write when
/// another connection had written meanwhile (SQLITE_BUSY, which no busy timeout retries).
async fn begin_for_owner(
    db: &DatabaseConnection,
    owner: Uuid,
) -> AppResult<(DatabaseTransaction, user::Model)> {
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await?;
    let user = user::Entity::find_by_id(owner)
        .lock(LockType::NoKeyUpdate)
        .one(&txn)
        .await?
        .ok_or_else(AppError::login_required)?;
    Ok((txn, user))
}

/// What a submission adds to its owner's queue and quota.
struct Admission {
    jobs: u32,
    /// Images asked of paid models (the offline renderer is free).
    paid_images: u32,
}

impl Admission {
    fn of(model: &ModelInfo, count: u32) -> Admission {
        Admission {
            jobs: 1,
            paid_images: if model.offline { 0 } else { count },
        }
    }
}

/// Refuses new jobs when the owner's queue would be over its cap or, for paid models, when
/// they would go over the monthly quota. Runs under the owner's lock (`begin_for_owner`).
async fn admit(
    txn: &DatabaseTransaction,
    state: &AppState,
    owner: &user::Model,
    admission: Admission,
) -> AppResult<()> {
    if let Some(cap) = state.limiter.max_queued_jobs_per_user() {
        let queued = generation::Entity::find()
            .filter(generation::Column::OwnerId.eq(owner.id))
            .filter(generation::Column::Status.eq(Status::Queued))
            .count(txn)
            .await?;
        if queued + u64::from(admission.jobs) > u64::from(cap) {
            // RATE_LIMITED, not CONFLICT: the refusal ends by itself as workers take the
            // queued jobs, which is what RATE_LIMITED with retryAfter tells a client (the
            // same request will succeed later; back off and resend it). CONFLICT would mean
            // the request clashes with some resource's state and must change.
            let wait = typical_run_time(txn, owner.id).await?;
            return Err(AppError::rate_limited(
                wait,
                format!(
                    "You have {queued} generations waiting in the queue, the most one account may have; try again in about {} when some have started, or cancel some",
                    wait_words(wait)
                ),
            ));
        }
    }
    if admission.paid_images > 0 {
        usage::check_quota(
            txn,
            &state.engines,
            owner,
            state.config.monthly_image_quota,
            admission.paid_images,
        )
        .await?;
    }
    Ok(())
}

/// A job's start and end times, as selected for run-time estimates.
type RunTimes = (Option<chrono::DateTime<Utc>>, Option<chrono::DateTime<Utc>>);

/// When one of the owner's queued jobs is likely to have started: the mean run time of their
/// last finished jobs (10 seconds when there are none yet), at least a second.
async fn typical_run_time(db: &impl ConnectionTrait, owner: Uuid) -> AppResult<Duration> {
    let recent: Vec<RunTimes> = generation::Entity::find()
        .select_only()
        .column(generation::Column::StartedAt)
        .column(generation::Column::FinishedAt)
        .filter(generation::Column::OwnerId.eq(owner))
        .filter(generation::Column::FinishedAt.is_not_null())
        .order_by_desc(generation::Column::FinishedAt)
        .limit(10)
        .into_tuple()
        .all(db)
        .await?;
    let runs: Vec<Duration> = recent
        .into_iter()
        .filter_map(|(started, finished)| (finished? - started?).to_std().ok())
        .collect();
    let mean = match u32::try_from(runs.len()) {
        Ok(n) if n > 0 => runs.iter().sum::<Duration>() / n,
        _ => Duration::from_secs(10),
    };
    Ok(mean.max(Duration::from_secs(1)))
}

/// Queues a job and announces it. With an idempotency key already used by this owner, it
/// returns that job instead, so a client can safely resend after a lost response.
pub async fn submit(
    state: &AppState,
    owner: Uuid,
    request: GenerateRequest,
) -> AppResult<generation::Model> {
    state.limiter.generation(owner)?;
    let key = non_empty(request.idempotency_key.clone());
    if let Some(key) = &key {
        if key.len() > 128 {
            return Err(AppError::bad_input(
                "idempotencyKey",
                "Use an idempotency key of at most 128 characters",
            ));
        }
        if let Some(existing) = find_by_idempotency_key(&state.db, owner, key).await? {
            return Ok(existing);
        }
    }
    let user = accounts::find(&state.db, owner).await?;
    let mut sources = EditSources::load(state, owner, request.source, request.mask).await?;
    let (model, negative, params) = resolve(
        &state.engines,
        &Preferences::of(&user),
        &request,
        sources.shape(),
    )?;
    let params_json = serde_json::to_value(&params).map_err(AppError::internal)?;
    sources.store_files(state).await?;

    let (txn, user) = begin_for_owner(&state.db, owner).await?;
    // A resend with the same key that waited for the lock finds the job its twin just made.
    if let Some(key) = &key
        && let Some(existing) = find_by_idempotency_key(&txn, owner, key).await?
    {
        txn.rollback().await?;
        return Ok(existing);
    }
    admit(&txn, state, &user, Admission::of(model, params.count)).await?;
    let (source_id, mask_id) = sources.record(&txn).await?;
    let now = Utc::now();
    let text = prompt_text(&request, &params);
    let prompt = new_prompt(owner, &text, negative, now).insert(&txn).await?;
    let mut job = new_job(owner, prompt.id, &model.id, params_json, key, now);
    job.task = Set(request.task);
    job.source_image_id = Set(source_id);
    job.mask_image_id = Set(mask_id);
    let job = job.insert(&txn).await?;
    txn.commit().await?;
    state.events.publish(job.clone()).await;
    Ok(job)
}

/// Queues several jobs as one batch, all or nothing: every request is checked first (an
/// error names the request's index), then all are admitted together against the queue cap
/// and the quota, and inserted in one transaction. Counts as one call for the rate limit.
pub async fn submit_batch(
    state: &AppState,
    owner: Uuid,
    requests: Vec<GenerateRequest>,
) -> AppResult<batch::Model> {
    if requests.is_empty() || requests.len() > MAX_BATCH_JOBS {
        return Err(AppError::bad_input(
            "requests",
            format!(
                "A batch queues 1 to {MAX_BATCH_JOBS} generations; this one asks for {}",
                requests.len()
            ),
        ));
    }
    state.limiter.generation(owner)?;
    let user = accounts::find(&state.db, owner).await?;
    let prefs = Preferences::of(&user);
    let mut resolved = Vec::with_capacity(requests.len());
    let mut admission = Admission {
        jobs: 0,
        paid_images: 0,
    };
    for (index, request) in requests.iter().enumerate() {
        let item = |error: AppError| error.in_list_item("requests", index);
        if request.idempotency_key.is_some() {
            return Err(item(AppError::bad_input(
                "idempotencyKey",
                "Leave idempotencyKey out of a batch's requests",
            )));
        }
        if request.task != Task::TextToImage {
            return Err(item(AppError::bad_input(
                "task",
                "A batch queues pictures drawn from text; queue each edit with generateImages",
            )));
        }
        let (model, negative, params) =
            resolve(&state.engines, &prefs, request, None).map_err(item)?;
        let one = Admission::of(model, params.count);
        admission.jobs += one.jobs;
        admission.paid_images += one.paid_images;
        let params_json = serde_json::to_value(&params).map_err(AppError::internal)?;
        resolved.push((request, model, negative, params_json));
    }

    let (txn, user) = begin_for_owner(&state.db, owner).await?;
    admit(&txn, state, &user, admission).await?;
    let now = Utc::now();
    let batch = batch::ActiveModel {
        id: Set(Uuid::now_v7()),
        owner_id: Set(owner),
        total: Set(resolved.len() as i32),
        created_at: Set(now),
        finished_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let mut jobs = Vec::with_capacity(resolved.len());
    for (request, model, negative, params_json) in resolved {
        let prompt = new_prompt(owner, &request.prompt, negative, now)
            .insert(&txn)
            .await?;
        let mut job = new_job(owner, prompt.id, &model.id, params_json, None, now);
        job.batch_id = Set(Some(batch.id));
        jobs.push(job.insert(&txn).await?);
    }
    txn.commit().await?;
    for job in jobs {
        state.events.publish(job).await;
    }
    Ok(batch)
}

/// The prompt a job is listed under: what the user typed, or, for an edit without one, what
/// the edit does.
fn prompt_text(request: &GenerateRequest, params: &GenerationParams) -> String {
    let typed = request.prompt.trim();
    if !typed.is_empty() {
        return typed.to_owned();
    }
    match request.task {
        Task::RemoveBackground => "Background removed".to_owned(),
        Task::Erase => "Erased".to_owned(),
        Task::Upscale => format!("Upscaled ×{}", params.edit.upscale_factor.unwrap_or(1.0)),
        Task::Outpaint => "Extended".to_owned(),
        Task::Variation => "Variation".to_owned(),
        other => task_name(other),
    }
}

pub(super) fn new_prompt(
    owner: Uuid,
    text: &str,
    negative: Option<String>,
    now: chrono::DateTime<Utc>,
) -> prompt::ActiveModel {
    prompt::ActiveModel {
        id: Set(Uuid::now_v7()),
        owner_id: Set(owner),
        text: Set(text.trim().to_owned()),
        negative_text: Set(negative),
        created_at: Set(now),
    }
}

pub(super) fn new_job(
    owner: Uuid,
    prompt_id: Uuid,
    model: &str,
    params: serde_json::Value,
    idempotency_key: Option<String>,
    now: chrono::DateTime<Utc>,
) -> generation::ActiveModel {
    generation::ActiveModel {
        id: Set(Uuid::now_v7()),
        owner_id: Set(owner),
        prompt_id: Set(prompt_id),
        model: Set(model.to_owned()),
        params: Set(params),
        status: Set(Status::Queued),
        progress: Set(0.0),
        stage: Set(Some("queued".to_owned())),
        preview: Set(None),
        attempts: Set(0),
        lease_owner: Set(None),
        lease_expires_at: Set(None),
        error_code: Set(None),
        error_message: Set(None),
        idempotency_key: Set(idempotency_key),
        engine_calls: Set(0),
        batch_id: Set(None),
        task: Set(Task::TextToImage),
        source_image_id: Set(None),
        mask_image_id: Set(None),
        created_at: Set(now),
        started_at: Set(None),
        finished_at: Set(None),
    }
}

pub async fn find_owned(
    db: &impl ConnectionTrait,
    owner: Uuid,
    id: Uuid,
) -> AppResult<Option<generation::Model>> {
    Ok(generation::Entity::find_by_id(id)
        .filter(generation::Column::OwnerId.eq(owner))
        .one(db)
        .await?)
}

/// One of the owner's jobs; anyone else's is NOT_FOUND, so ids reveal nothing.
pub async fn owned(
    db: &impl ConnectionTrait,
    owner: Uuid,
    id: Uuid,
) -> AppResult<generation::Model> {
    find_owned(db, owner, id)
        .await?
        .ok_or_else(|| AppError::not_found("generation"))
}

/// Cancels a queued or running job. A running job's worker notices at its next write and
/// stops; what it had not recorded is discarded.
pub async fn cancel(state: &AppState, owner: Uuid, id: Uuid) -> AppResult<generation::Model> {
    let job = owned(&state.db, owner, id).await?;
    let txn = state.db.begin().await?;
    let result = queue::without_lease(generation::Entity::update_many())
        .col_expr(generation::Column::Status, Expr::value(Status::Cancelled))
        .col_expr(generation::Column::Stage, Expr::value("cancelled"))
        .col_expr(generation::Column::FinishedAt, Expr::value(Utc::now()))
        .filter(generation::Column::Id.eq(job.id))
        .filter(generation::Column::Status.is_in([Status::Queued, Status::Running]))
        .exec(&txn)
        .await?;
    let job = owned(&txn, owner, id).await?;
    if result.rows_affected == 0 {
        txn.rollback().await?;
        return Err(AppError::conflict(format!(
            "This generation has already ended ({}); only queued or running ones can be cancelled",
            job.status.to_value()
        )));
    }
    let wake = outbox::job_changed(state, &txn, &job).await?;
    txn.commit().await?;
    if wake {
        state.events.deliveries_written();
    }
    state.events.publish(job.clone()).await;
    Ok(job)
}

/// Queues a failed or cancelled job again, as a new job with the same prompt and parameters.
/// It is admitted like a new submission: rate limit, queue cap and quota.
pub async fn retry(state: &AppState, owner: Uuid, id: Uuid) -> AppResult<generation::Model> {
    state.limiter.generation(owner)?;
    let old = owned(&state.db, owner, id).await?;
    if !matches!(old.status, Status::Failed | Status::Cancelled) {
        return Err(AppError::conflict(format!(
            "This generation is {}; only failed or cancelled ones can be retried",
            old.status.to_value()
        )));
    }
    let Some((model, _)) = state.engines.get(&old.model) else {
        return Err(AppError::bad_input(
            "id",
            format!(
                "This generation's model cannot be used now: {}",
                state.engines.unavailable_reason(&old.model)
            ),
        ));
    };
    let (txn, user) = begin_for_owner(&state.db, owner).await?;
    admit(
        &txn,
        state,
        &user,
        Admission::of(model, usage::images_asked_for(&old.params)),
    )
    .await?;
    let mut job = new_job(
        owner,
        old.prompt_id,
        &old.model,
        old.params,
        None,
        Utc::now(),
    );
    job.task = Set(old.task);
    job.source_image_id = Set(old.source_image_id);
    job.mask_image_id = Set(old.mask_image_id);
    let job = job.insert(&txn).await?;
    txn.commit().await?;
    state.events.publish(job.clone()).await;
    Ok(job)
}

pub async fn list(
    db: &impl ConnectionTrait,
    owner: Uuid,
    status: Option<Status>,
    page: PageRequest,
) -> AppResult<Vec<generation::Model>> {
    // An upload's record is not a job anyone ran.
    let mut select = generation::Entity::find()
        .filter(generation::Column::OwnerId.eq(owner))
        .filter(generation::Column::Task.ne(Task::Upload));
    if let Some(status) = status {
        select = select.filter(generation::Column::Status.eq(status));
    }
    Ok(keyset_page(
        select,
        generation::Column::CreatedAt,
        generation::Column::Id,
        page,
    )
    .all(db)
    .await?)
}

/// 1-based place in the queue of a queued job: queued jobs created before it, plus one.
pub async fn queue_position(
    db: &impl ConnectionTrait,
    job: &generation::Model,
) -> AppResult<Option<i32>> {
    if job.status != Status::Queued {
        return Ok(None);
    }
    let ahead = generation::Entity::find()
        .filter(generation::Column::Status.eq(Status::Queued))
        .filter(
            Condition::any()
                .add(generation::Column::CreatedAt.lt(job.created_at))
                .add(
                    Condition::all()
                        .add(generation::Column::CreatedAt.eq(job.created_at))
                        .add(generation::Column::Id.lt(job.id)),
                ),
        )
        .count(db)
        .await?;
    Ok(Some(ahead as i32 + 1))
}

/// The places in the queue of the queued jobs among `jobs`, in one statement (none when no
/// job is queued).
pub async fn queue_positions(
    db: &impl ConnectionTrait,
    jobs: &[generation::Model],
) -> AppResult<HashMap<Uuid, i32>> {
    let queued: Vec<Uuid> = jobs
        .iter()
        .filter(|job| job.status == Status::Queued)
        .map(|job| job.id)
        .collect();
    if queued.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders: Vec<String> = (1..=queued.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT id, position FROM ( \
             SELECT id, CAST(ROW_NUMBER() OVER (ORDER BY created_at, id) AS INTEGER) AS position \
             FROM generations WHERE status = 'QUEUED') queue \
         WHERE id IN ({})",
        placeholders.join(", ")
    );
    let backend = db.get_database_backend();
    let values = queued.into_iter().map(Into::into).collect();
    let rows = db
        .query_all_raw(queue::statement(backend, &sql, values))
        .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get::<Uuid>("", "id")?,
                row.try_get::<i32>("", "position")?,
            ))
        })
        .collect::<Result<_, sea_orm::DbErr>>()
        .map_err(Into::into)
}

/// The owner's queued and running jobs, oldest first.
pub async fn active(db: &impl ConnectionTrait, owner: Uuid) -> AppResult<Vec<generation::Model>> {
    Ok(generation::Entity::find()
        .filter(generation::Column::OwnerId.eq(owner))
        .filter(generation::Column::Status.is_in([Status::Queued, Status::Running]))
        .order_by_asc(generation::Column::CreatedAt)
        .all(db)
        .await?)
}

pub async fn by_ids(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<Vec<generation::Model>> {
    Ok(generation::Entity::find()
        .filter(generation::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::offline;
    use std::sync::Arc;
    use std::time::Duration;

    fn registry() -> EngineRegistry {
        let mut r = EngineRegistry::default();
        r.register(
            offline::model_info(),
            Arc::new(offline::OfflineEngine::new(Duration::ZERO)),
        );
        r
    }

    fn request(prompt: &str) -> GenerateRequest {
        GenerateRequest {
            prompt: prompt.into(),
            ..GenerateRequest::default()
        }
    }

    #[test]
    fn left_out_fields_come_from_preferences_then_the_model() {
        let engines = registry();
        let prefs = Preferences {
            width: Some(640),
            height: Some(384),
            count: Some(2),
            ..Preferences::default()
        };
        let (_, _, params) = resolve(&engines, &prefs, &request("a cat"), None).unwrap();
        assert_eq!((params.width, params.height, params.count), (640, 384, 2));
        let (model, _, params) =
            resolve(&engines, &Preferences::default(), &request("a cat"), None).unwrap();
        assert_eq!(
            (params.width, params.height, params.count),
            (model.defaults.width, model.defaults.height, 1)
        );
    }

    #[test]
    fn preferences_the_model_cannot_use_are_ignored() {
        let engines = registry();
        let prefs = Preferences {
            width: Some(4096),
            height: Some(4096),
            style_preset: Some("anime".into()),
            ..Preferences::default()
        };
        let (_, _, params) = resolve(&engines, &prefs, &request("a cat"), None).unwrap();
        assert_eq!(params.width, 512);
        assert_eq!(params.style_preset, None);
    }

    #[test]
    fn a_random_seed_is_chosen_and_kept_in_range() {
        let engines = registry();
        let (model, _, params) =
            resolve(&engines, &Preferences::default(), &request("a cat"), None).unwrap();
        assert!((0..=model.capabilities.max_seed.unwrap()).contains(&params.seed));
    }

    #[test]
    fn negative_sizes_are_refused_on_their_field() {
        let engines = registry();
        let mut req = request("a cat");
        req.width = Some(-8);
        let err = resolve(&engines, &Preferences::default(), &req, None).unwrap_err();
        assert!(matches!(
            err,
            AppError::Client {
                field: Some("width"),
                ..
            }
        ));
    }
}
