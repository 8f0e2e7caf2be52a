//! Generation jobs and their images: the types, the queries, the mutations and the two
//! subscriptions.

use std::collections::HashMap;

use async_graphql::connection::Connection;
use async_graphql::dataloader::DataLoader;
use async_graphql::{
    Context, Enum, ID, InputObject, Json, Object, Result, SimpleObject, Subscription,
};
use chrono::{DateTime, Utc};
use entity::image::Origin;
use entity::{generation, image, prompt, user};
use futures::Stream;
use tokio::sync::broadcast::error::RecvError;

use super::account::User;
use super::cost;
use super::loaders::{DbLoader, GenerationId, ImageId, ImagesOf, PromptId, UserId};
use super::relay::{NodeType, connection, expect_global_id, global_id, page_request};
use super::uploads::{ImageSourceInput, OutpaintInput};
use super::{app_state, require_viewer};
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::jobs::events::Followed;
use crate::service::generations::{self, GenerateRequest};
use crate::service::{images, prompts};

fn loader<'a>(ctx: &Context<'a>) -> &'a DataLoader<DbLoader> {
    ctx.data_unchecked::<DataLoader<DbLoader>>()
}

/// Whether the connection being resolved selects `field` on its nodes, through
/// `edges { node { … } }` or `nodes { … }`.
fn nodes_select(ctx: &Context<'_>, field: &str) -> bool {
    let selection = ctx.look_ahead();
    selection.field("edges").field("node").field(field).exists()
        || selection.field("nodes").field(field).exists()
}

/// A page of images with the prompts and owners it selects, each loaded for the whole page in
/// one statement up front: left to each image's own resolver, a page of 100 is often split
/// into two loader batches, and a request into more statements than it needs.
async fn image_page(ctx: &Context<'_>, rows: Vec<image::Model>) -> Result<Vec<Image>> {
    let loader = loader(ctx);
    let prompts = if nodes_select(ctx, "prompt") {
        loader
            .load_many(rows.iter().map(|r| PromptId(r.prompt_id)))
            .await?
    } else {
        HashMap::new()
    };
    let owners = if nodes_select(ctx, "owner") {
        loader
            .load_many(rows.iter().map(|r| UserId(r.owner_id)))
            .await?
    } else {
        HashMap::new()
    };
    Ok(rows
        .into_iter()
        .map(|row| Image {
            prompt: prompts.get(&PromptId(row.prompt_id)).cloned(),
            owner: owners.get(&UserId(row.owner_id)).cloned(),
            row,
        })
        .collect())
}

/// A page of generations with their places in the queue computed in one statement when the
/// page selects them, instead of one COUNT per queued job.
pub async fn generation_page(
    ctx: &Context<'_>,
    rows: Vec<generation::Model>,
) -> Result<Vec<Generation>> {
    if !nodes_select(ctx, "queuePosition") {
        return Ok(rows.into_iter().map(Generation::new).collect());
    }
    let positions = generations::queue_positions(&app_state(ctx).db, &rows).await?;
    Ok(rows
        .into_iter()
        .map(|row| Generation {
            queue_position: Some(positions.get(&row.id).copied()),
            row,
        })
        .collect())
}

fn viewer_id(ctx: &Context<'_>) -> Option<uuid::Uuid> {
    ctx.data_opt::<Viewer>().map(|v| v.user_id)
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::generation::Status")]
pub enum GenerationStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// Why a job failed (or, on a succeeded job, why some images are missing).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::generation::ErrorCode")]
pub enum GenerationErrorCode {
    ContentFiltered,
    ModelUnavailable,
    Throttled,
    Timeout,
    StorageFailed,
    Internal,
}

/// What a job does with its inputs.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
#[graphql(remote = "entity::generation::Task")]
pub enum GenerationTask {
    /// Draw from the prompt alone.
    #[default]
    TextToImage,
    /// Redraw the source towards the prompt; `strength` says how far.
    ImageToImage,
    /// Another take on the source.
    Variation,
    /// Repaint where the mask is white (or what `maskPrompt` names) from the prompt.
    Inpaint,
    /// Extend the canvas by `outpaint` pixels on each side.
    Outpaint,
    /// Remove what the mask covers, filling it from its surroundings.
    Erase,
    /// Make the background transparent.
    RemoveBackground,
    /// Enlarge by `upscaleFactor`.
    Upscale,
    /// Replace what `maskPrompt` names with what the prompt says.
    SearchReplace,
    /// Recolour what `maskPrompt` names to the colour the prompt says.
    SearchRecolor,
    /// The record of a picture its owner uploaded; no model does this.
    Upload,
}

#[derive(SimpleObject)]
pub struct GenerationError {
    code: GenerationErrorCode,
    /// What happened and what to do about it.
    message: String,
}

/// A generation job.
pub struct Generation {
    pub row: generation::Model,
    /// Its place in the queue, when the list it came from computed it for the whole page.
    queue_position: Option<Option<i32>>,
}

impl Generation {
    pub fn new(row: generation::Model) -> Generation {
        Generation {
            row,
            queue_position: None,
        }
    }
}

#[Object]
impl Generation {
    pub async fn id(&self) -> ID {
        global_id(NodeType::Generation, self.row.id)
    }

    async fn status(&self) -> GenerationStatus {
        self.row.status.into()
    }

    /// 0 to 1; never goes backwards.
    async fn progress(&self) -> f64 {
        self.row.progress
    }

    /// What the engine is doing, in words.
    async fn stage(&self) -> Option<&str> {
        self.row.stage.as_deref()
    }

    /// A small PNG data URL of the picture so far, when the engine has one.
    async fn preview(&self) -> Option<&str> {
        self.row.preview.as_deref()
    }

    /// Place in the queue (1 = next) while queued.
    #[graphql(complexity = "cost::per_object_query(child_complexity)")]
    async fn queue_position(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        if let Some(position) = self.queue_position {
            return Ok(position);
        }
        Ok(generations::queue_position(&app_state(ctx).db, &self.row).await?)
    }

    async fn error(&self) -> Option<GenerationError> {
        self.row.error_code.map(|code| GenerationError {
            code: code.into(),
            message: self.row.error_message.clone().unwrap_or_default(),
        })
    }

    async fn prompt(&self, ctx: &Context<'_>) -> Result<Option<Prompt>> {
        Ok(loader(ctx)
            .load_one(PromptId(self.row.prompt_id))
            .await?
            .map(Prompt))
    }

    #[graphql(complexity = "cost::list(cost::MAX_IMAGES_PER_GENERATION, child_complexity)")]
    async fn images(&self, ctx: &Context<'_>) -> Result<Vec<Image>> {
        let rows = loader(ctx)
            .load_one(ImagesOf(self.row.id))
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Image::new).collect())
    }

    /// The model id (`upload` for the record of an uploaded picture).
    async fn model(&self) -> &str {
        &self.row.model
    }

    async fn task(&self) -> GenerationTask {
        self.row.task.into()
    }

    /// The picture an edit starts from.
    async fn source(&self, ctx: &Context<'_>) -> Result<Option<Image>> {
        visible_image(ctx, self.row.source_image_id).await
    }

    /// The mask an edit used: white where it changed the source.
    async fn mask(&self, ctx: &Context<'_>) -> Result<Option<Image>> {
        visible_image(ctx, self.row.mask_image_id).await
    }

    /// The parameters the job runs with, after defaults: width, height, count, seed, …
    async fn params(&self) -> Json<serde_json::Value> {
        Json(self.row.params.clone())
    }

    async fn attempts(&self) -> i32 {
        self.row.attempts
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }

    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.row.started_at
    }

    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.row.finished_at
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum Visibility {
    Public,
    Private,
}

pub struct Image {
    row: image::Model,
    /// Its prompt and owner, when the list it came from loaded them for the whole page.
    prompt: Option<prompt::Model>,
    owner: Option<user::Model>,
}

impl Image {
    pub fn new(row: image::Model) -> Image {
        Image {
            row,
            prompt: None,
            owner: None,
        }
    }
}

#[Object]
impl Image {
    pub async fn id(&self) -> ID {
        global_id(NodeType::Image, self.row.id)
    }

    /// The full image; the URL expires.
    async fn url(&self, ctx: &Context<'_>) -> Result<String> {
        let state = app_state(ctx);
        Ok(state
            .storage
            .url(
                &self.row.storage_key,
                state.config.url_ttl,
                state.config.public_url.as_deref(),
            )
            .await
            .map_err(AppError::internal)?)
    }

    /// A copy at most 256 pixels on a side; the URL expires.
    async fn thumbnail_url(&self, ctx: &Context<'_>) -> Result<String> {
        let state = app_state(ctx);
        Ok(state
            .storage
            .url(
                &self.row.thumbnail_key,
                state.config.url_ttl,
                state.config.public_url.as_deref(),
            )
            .await
            .map_err(AppError::internal)?)
    }

    async fn width(&self) -> i32 {
        self.row.width
    }

    async fn height(&self) -> i32 {
        self.row.height
    }

    /// The seed this image was made with: reuse it to make it again.
    async fn seed(&self) -> i64 {
        self.row.seed
    }

    async fn content_type(&self) -> &str {
        &self.row.content_type
    }

    async fn byte_size(&self) -> i64 {
        self.row.byte_size
    }

    async fn visibility(&self) -> Visibility {
        if self.row.visibility == images::PUBLIC {
            Visibility::Public
        } else {
            Visibility::Private
        }
    }

    async fn favorite(&self) -> bool {
        self.row.favorite
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }

    async fn prompt(&self, ctx: &Context<'_>) -> Result<Option<Prompt>> {
        if let Some(prompt) = &self.prompt {
            return Ok(Some(Prompt(prompt.clone())));
        }
        Ok(loader(ctx)
            .load_one(PromptId(self.row.prompt_id))
            .await?
            .map(Prompt))
    }

    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        if let Some(owner) = &self.owner {
            return Ok(Some(User::new(owner.clone())));
        }
        Ok(loader(ctx)
            .load_one(UserId(self.row.owner_id))
            .await?
            .map(User::new))
    }

    /// The image it was made from, when it was an edit (and that image is still there and
    /// visible to you): follow `source` to walk a picture's edit history.
    async fn source(&self, ctx: &Context<'_>) -> Result<Option<Image>> {
        visible_image(ctx, self.row.source_image_id).await
    }

    /// True for a picture its owner uploaded (or a mask they painted), not made by a model.
    async fn uploaded(&self) -> bool {
        self.row.origin != Origin::Generated
    }

    /// The job that made it; only for its owner.
    async fn generation(&self, ctx: &Context<'_>) -> Result<Option<Generation>> {
        if viewer_id(ctx) != Some(self.row.owner_id) {
            return Ok(None);
        }
        Ok(loader(ctx)
            .load_one(GenerationId(self.row.generation_id))
            .await?
            .map(Generation::new))
    }
}

/// An image by id, when it still exists and the viewer may see it.
async fn visible_image(ctx: &Context<'_>, id: Option<uuid::Uuid>) -> Result<Option<Image>> {
    let Some(id) = id else { return Ok(None) };
    let row = loader(ctx).load_one(ImageId(id)).await?;
    Ok(row
        .filter(|i| i.visibility == images::PUBLIC || viewer_id(ctx) == Some(i.owner_id))
        .map(Image::new))
}

pub struct Prompt(pub prompt::Model);

#[Object]
impl Prompt {
    pub async fn id(&self) -> ID {
        global_id(NodeType::Prompt, self.0.id)
    }

    async fn text(&self) -> &str {
        &self.0.text
    }

    async fn negative_text(&self) -> Option<&str> {
        self.0.negative_text.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(loader(ctx)
            .load_one(UserId(self.0.owner_id))
            .await?
            .map(User::new))
    }
}

#[derive(InputObject, Default)]
pub struct GenerateImagesInput {
    /// What to draw; for an edit, what to paint (send "" for tasks that take no prompt).
    pub prompt: String,
    /// What to leave out.
    pub negative_prompt: Option<String>,
    /// A model id from `models`; default: your preference, then the server's first model.
    pub model: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// How many images.
    pub count: Option<i32>,
    /// Leave out for a random seed; the job's `params` show the seed used.
    pub seed: Option<i64>,
    pub cfg_scale: Option<f64>,
    pub style_preset: Option<String>,
    pub quality: Option<String>,
    /// Resending with the same key returns the same job instead of queuing another.
    pub idempotency_key: Option<String>,
    /// What to do; every task but TEXT_TO_IMAGE edits `source`, and its result's size
    /// follows the source (leave width and height out).
    #[graphql(default_with = "GenerationTask::TextToImage")]
    pub task: GenerationTask,
    /// The picture an edit starts from.
    pub source: Option<ImageSourceInput>,
    /// White where the edit changes the source; the source's size.
    pub mask: Option<ImageSourceInput>,
    /// Words naming what to change, for models that find it themselves.
    pub mask_prompt: Option<String>,
    /// How far from the source (0..1), for tasks that take it.
    pub strength: Option<f64>,
    /// Pixels to add on each side, for OUTPAINT.
    pub outpaint: Option<OutpaintInput>,
    /// How much larger, for UPSCALE.
    pub upscale_factor: Option<f64>,
}

impl GenerateImagesInput {
    /// The request the service takes; ids that are not of the right kind are refused.
    pub fn into_request(self) -> AppResult<GenerateRequest> {
        Ok(GenerateRequest {
            task: self.task.into(),
            source: self.source.map(|s| s.reference("source")).transpose()?,
            mask: self.mask.map(|m| m.reference("mask")).transpose()?,
            mask_prompt: self.mask_prompt,
            strength: self.strength,
            outpaint: self.outpaint.map(OutpaintInput::margins).transpose()?,
            upscale_factor: self.upscale_factor,
            prompt: self.prompt,
            negative_prompt: self.negative_prompt,
            model: self.model,
            width: self.width,
            height: self.height,
            count: self.count,
            seed: self.seed,
            cfg_scale: self.cfg_scale,
            style_preset: self.style_preset,
            quality: self.quality,
            idempotency_key: self.idempotency_key,
        })
    }
}

#[derive(InputObject, Default)]
pub struct ImageFilter {
    /// Only favourites.
    favorite: Option<bool>,
}

#[derive(Default)]
pub struct GenerationQuery;

#[Object]
impl GenerationQuery {
    /// One of your generations.
    async fn generation(&self, ctx: &Context<'_>, id: ID) -> Result<Generation> {
        let viewer = require_viewer(ctx)?;
        let key = expect_global_id(&id, NodeType::Generation, "id")?;
        Ok(Generation::new(
            generations::owned(&app_state(ctx).db, viewer.user_id, key).await?,
        ))
    }

    /// Your generations, newest first.
    #[graphql(complexity = "cost::page(first, child_complexity)")]
    async fn generations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<GenerationStatus>,
    ) -> Result<Connection<String, Generation>> {
        let viewer = require_viewer(ctx)?;
        let page = page_request(first, after.as_deref())?;
        let rows = generations::list(
            &app_state(ctx).db,
            viewer.user_id,
            status.map(Into::into),
            page,
        )
        .await?;
        let nodes = generation_page(ctx, rows).await?;
        Ok(connection(
            nodes,
            page,
            |g| (g.row.created_at, g.row.id),
            |g| g,
        ))
    }

    /// Your gallery, newest first.
    #[graphql(complexity = "cost::page(first, child_complexity)")]
    async fn images(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ImageFilter>,
    ) -> Result<Connection<String, Image>> {
        let viewer = require_viewer(ctx)?;
        let page = page_request(first, after.as_deref())?;
        let favorites = filter.and_then(|f| f.favorite).unwrap_or(false);
        let rows = images::gallery(&app_state(ctx).db, viewer.user_id, favorites, page).await?;
        let nodes = image_page(ctx, rows).await?;
        Ok(connection(
            nodes,
            page,
            |i| (i.row.created_at, i.row.id),
            |i| i,
        ))
    }

    /// Everyone's published images, newest first. No login needed.
    #[graphql(complexity = "cost::page(first, child_complexity)")]
    async fn public_images(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Image>> {
        let page = page_request(first, after.as_deref())?;
        let rows = images::public_feed(&app_state(ctx).db, page).await?;
        let nodes = image_page(ctx, rows).await?;
        Ok(connection(
            nodes,
            page,
            |i| (i.row.created_at, i.row.id),
            |i| i,
        ))
    }

    /// Your prompts, newest first, optionally only those containing `search`.
    #[graphql(complexity = "cost::page(first, child_complexity)")]
    async fn prompts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        search: Option<String>,
    ) -> Result<Connection<String, Prompt>> {
        let viewer = require_viewer(ctx)?;
        let page = page_request(first, after.as_deref())?;
        let rows =
            prompts::list(&app_state(ctx).db, viewer.user_id, search.as_deref(), page).await?;
        Ok(connection(rows, page, |p| (p.created_at, p.id), Prompt))
    }
}

#[derive(Default)]
pub struct GenerationMutation;

#[Object]
impl GenerationMutation {
    /// Queues a generation and returns at once; follow it with `generationUpdates`.
    async fn generate_images(
        &self,
        ctx: &Context<'_>,
        input: GenerateImagesInput,
    ) -> Result<Generation> {
        let viewer = require_viewer(ctx)?;
        Ok(Generation::new(
            generations::submit(app_state(ctx), viewer.user_id, input.into_request()?).await?,
        ))
    }

    /// Cancels a queued or running generation.
    async fn cancel_generation(&self, ctx: &Context<'_>, id: ID) -> Result<Generation> {
        let viewer = require_viewer(ctx)?;
        let key = expect_global_id(&id, NodeType::Generation, "id")?;
        Ok(Generation::new(
            generations::cancel(app_state(ctx), viewer.user_id, key).await?,
        ))
    }

    /// Runs a failed or cancelled generation again, as a new generation.
    async fn retry_generation(&self, ctx: &Context<'_>, id: ID) -> Result<Generation> {
        let viewer = require_viewer(ctx)?;
        let key = expect_global_id(&id, NodeType::Generation, "id")?;
        Ok(Generation::new(
            generations::retry(app_state(ctx), viewer.user_id, key).await?,
        ))
    }

    /// Deletes one of your images and its files; returns its id.
    async fn delete_image(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let viewer = require_viewer(ctx)?;
        let key = expect_global_id(&id, NodeType::Image, "id")?;
        let state = app_state(ctx);
        let deleted = images::delete(&state.db, viewer.user_id, key).await?;
        for file in [&deleted.storage_key, &deleted.thumbnail_key] {
            // The row is gone, so the file is unreachable; a leftover is only wasted space.
            if let Err(error) = state.storage.delete(file).await {
                tracing::warn!(%error, key = %file, "could not delete an image file");
            }
        }
        Ok(id)
    }

    async fn set_image_visibility(
        &self,
        ctx: &Context<'_>,
        id: ID,
        visibility: Visibility,
    ) -> Result<Image> {
        let viewer = require_viewer(ctx)?;
        let key = expect_global_id(&id, NodeType::Image, "id")?;
        let public = visibility == Visibility::Public;
        Ok(Image::new(
            images::set_visibility(&app_state(ctx).db, viewer.user_id, key, public).await?,
        ))
    }

    async fn set_image_favorite(&self, ctx: &Context<'_>, id: ID, favorite: bool) -> Result<Image> {
        let viewer = require_viewer(ctx)?;
        let key = expect_global_id(&id, NodeType::Image, "id")?;
        Ok(Image::new(
            images::set_favorite(&app_state(ctx).db, viewer.user_id, key, favorite).await?,
        ))
    }
}

#[derive(Default)]
pub struct GenerationSubscription;

/// Keeps progress from going backwards between two snapshots of the same job.
fn monotonic(mut next: generation::Model, last_progress: &mut f64) -> generation::Model {
    next.progress = next.progress.max(*last_progress);
    *last_progress = next.progress;
    next
}

#[Subscription]
impl GenerationSubscription {
    /// Every change of one of your generations: first its current state, then each change,
    /// ending after it succeeds, fails or is cancelled.
    async fn generation_updates(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<impl Stream<Item = Generation> + use<>> {
        let viewer = require_viewer(ctx)?;
        let key = expect_global_id(&id, NodeType::Generation, "id")?;
        let state = app_state(ctx).clone();
        // Subscribe before reading the current state, so no change falls in between.
        let mut events = state.events.subscribe(viewer.user_id);
        let current = generations::owned(&state.db, viewer.user_id, key).await?;
        Ok(async_stream::stream! {
            let mut last_progress = current.progress;
            let mut done = current.status.is_terminal();
            yield Generation::new(current);
            while !done {
                let next = match events.recv().await {
                    Ok(event) if event.id == key => (*event).clone(),
                    Ok(_) => continue,
                    // Fell behind: the database has the latest state.
                    Err(RecvError::Lagged(_)) => match generations::owned(&state.db, viewer.user_id, key).await {
                        Ok(row) => row,
                        Err(_) => break,
                    },
                    Err(RecvError::Closed) => break,
                };
                done = next.status.is_terminal();
                yield Generation::new(monotonic(next, &mut last_progress));
            }
        })
    }

    /// Every change of any of your generations, starting with the current state of those
    /// still queued or running. A subscriber that falls behind gets the current state of the
    /// jobs it may have missed changes of, so no final state is lost.
    async fn my_generation_updates(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = Generation> + use<>> {
        let viewer = require_viewer(ctx)?;
        let state = app_state(ctx).clone();
        let mut events = state.events.follow(viewer.user_id);
        let active = generations::active(&state.db, viewer.user_id).await?;
        Ok(async_stream::stream! {
            let mut last_progress = std::collections::HashMap::new();
            for job in active {
                let last = last_progress.entry(job.id).or_insert(0.0);
                yield Generation::new(monotonic(job, last));
            }
            loop {
                let changed = match events.recv().await {
                    Followed::Event(event) => vec![(*event).clone()],
                    // Fell behind: the database has the latest state of what was missed.
                    Followed::Missed { since } => match state.events.missed(viewer.user_id, since).await {
                        Ok(jobs) => jobs,
                        Err(error) => {
                            tracing::warn!(?error, "could not reload the jobs a subscriber missed");
                            break;
                        }
                    },
                    Followed::Closed => break,
                };
                for job in changed {
                    let last = last_progress.entry(job.id).or_insert(0.0);
                    let job = monotonic(job, last);
                    if job.status.is_terminal() {
                        // It never changes again, so its progress need not be remembered.
                        last_progress.remove(&job.id);
                    }
                    yield Generation::new(job);
                }
            }
        })
    }
}
