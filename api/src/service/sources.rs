//! The pictures an edit starts from: uploads (made by `createUpload`, checked by their bytes
//! and turned into one of the owner's images on first use) and existing images.

use std::io::Cursor;
use std::time::Duration;

use chrono::Utc;
use entity::generation::{Status, Task};
use entity::image::Origin;
use entity::upload;
use image::{DynamicImage, ImageFormat};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, Set,
};
use uuid::Uuid;

use super::generations::{new_job, new_prompt};
use crate::engines::SourceShape;
use crate::error::{AppError, AppResult};
use crate::imaging;
use crate::state::AppState;
use crate::storage::{PutTarget, Storage, image_keys, upload_key};

/// How long an upload's PUT URL works.
pub const UPLOAD_URL_TTL: Duration = Duration::from_secs(3600);

/// An upload no job used within this long is deleted.
pub const UNUSED_UPLOAD_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// Largest side of an uploaded picture.
pub const MAX_UPLOAD_SIDE: u32 = 4096;

const ACCEPTED_TYPES: [(&str, ImageFormat); 3] = [
    ("image/png", ImageFormat::Png),
    ("image/jpeg", ImageFormat::Jpeg),
    ("image/webp", ImageFormat::WebP),
];

/// Records an upload and says where its bytes go.
pub async fn create(
    state: &AppState,
    owner: Uuid,
    content_type: &str,
    byte_size: i64,
) -> AppResult<(upload::Model, PutTarget)> {
    let content_type = content_type.trim().to_ascii_lowercase();
    if !ACCEPTED_TYPES.iter().any(|(name, _)| *name == content_type) {
        return Err(AppError::bad_input(
            "contentType",
            format!(
                "`{content_type}` cannot be edited; upload image/png, image/jpeg or image/webp"
            ),
        ));
    }
    let max = state.config.limits.max_upload_bytes as i64;
    if !(1..=max).contains(&byte_size) {
        return Err(AppError::bad_input(
            "byteSize",
            format!("Upload 1 to {max} bytes; this picture is {byte_size}"),
        ));
    }
    state.limiter.upload(owner)?;
    let id = Uuid::now_v7();
    let key = upload_key(owner, id);
    let target = state
        .storage
        .put_target(
            &key,
            &content_type,
            byte_size as u64,
            UPLOAD_URL_TTL,
            state.config.public_url.as_deref(),
        )
        .await
        .map_err(AppError::internal)?;
    let now = Utc::now();
    let row = upload::ActiveModel {
        id: Set(id),
        owner_id: Set(owner),
        content_type: Set(content_type),
        byte_size: Set(byte_size),
        storage_key: Set(key),
        image_id: Set(None),
        created_at: Set(now),
        expires_at: Set(now + UPLOAD_URL_TTL),
    }
    .insert(&state.db)
    .await?;
    Ok((row, target))
}

/// Which picture a request names: one of the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceRef {
    Upload(Uuid),
    Image(Uuid),
}

/// A picture an edit starts from, ready to be recorded with the job.
#[derive(Debug)]
pub enum Source {
    /// One of the owner's images, or a public one.
    Existing(entity::image::Model),
    /// An upload used for the first time: checked, decoded and encoded for storage.
    FirstUse(FirstUse),
}

#[derive(Debug)]
pub struct FirstUse {
    upload: upload::Model,
    image_id: Uuid,
    origin: Origin,
    width: u32,
    height: u32,
    byte_size: i64,
    /// The files, until `store_files` hands them to storage.
    png: Vec<u8>,
    thumbnail: Vec<u8>,
}

impl Source {
    pub fn size(&self) -> (u32, u32) {
        match self {
            Source::Existing(image) => (image.width as u32, image.height as u32),
            Source::FirstUse(first) => (first.width, first.height),
        }
    }
}

/// The source and mask of an edit.
#[derive(Debug, Default)]
pub struct EditSources {
    pub source: Option<Source>,
    pub mask: Option<Source>,
}

impl EditSources {
    /// Loads what a request names; an upload or image the viewer may not use is NOT_FOUND.
    pub async fn load(
        state: &AppState,
        owner: Uuid,
        source: Option<SourceRef>,
        mask: Option<SourceRef>,
    ) -> AppResult<EditSources> {
        let mut sources = EditSources::default();
        if let Some(source) = source {
            sources.source = Some(load(state, owner, source, "source", Origin::Uploaded).await?);
        }
        if let Some(mask) = mask {
            sources.mask = Some(load(state, owner, mask, "mask", Origin::Mask).await?);
        }
        Ok(sources)
    }

    /// What the model's limits are checked against; `None` without a source.
    pub fn shape(&self) -> Option<SourceShape> {
        self.source.as_ref().map(|source| {
            let (width, height) = source.size();
            SourceShape {
                width,
                height,
                mask: self.mask.as_ref().map(Source::size),
            }
        })
    }

    /// Stores the files of uploads used for the first time. Before the job's transaction: a
    /// file whose row never comes is swept as an orphan.
    pub async fn store_files(&mut self, state: &AppState) -> AppResult<()> {
        for source in [&mut self.source, &mut self.mask] {
            let Some(Source::FirstUse(first)) = source else {
                continue;
            };
            let (key, thumb_key) = image_keys(first.upload.owner_id, first.image_id);
            let (png, thumbnail) = (
                std::mem::take(&mut first.png),
                std::mem::take(&mut first.thumbnail),
            );
            let put = async {
                state.storage.put(&key, png, "image/png").await?;
                state.storage.put(&thumb_key, thumbnail, "image/png").await
            };
            put.await.map_err(AppError::internal)?;
        }
        Ok(())
    }

    /// Records uploads used for the first time as the owner's images (each with the finished
    /// UPLOAD generation that made it), in the job's transaction; returns the source and mask
    /// image ids.
    pub async fn record(
        &self,
        txn: &impl ConnectionTrait,
    ) -> AppResult<(Option<Uuid>, Option<Uuid>)> {
        for first in self.first_uses() {
            record_first_use(txn, first).await?;
        }
        let id = |source: &Option<Source>| {
            source.as_ref().map(|s| match s {
                Source::Existing(image) => image.id,
                Source::FirstUse(first) => first.image_id,
            })
        };
        Ok((id(&self.source), id(&self.mask)))
    }

    fn first_uses(&self) -> impl Iterator<Item = &FirstUse> {
        [&self.source, &self.mask]
            .into_iter()
            .filter_map(|source| match source {
                Some(Source::FirstUse(first)) => Some(first),
                _ => None,
            })
    }
}

async fn load(
    state: &AppState,
    owner: Uuid,
    reference: SourceRef,
    field: &'static str,
    origin: Origin,
) -> AppResult<Source> {
    match reference {
        SourceRef::Image(id) => {
            let image = entity::image::Entity::find_by_id(id).one(&state.db).await?;
            match image {
                Some(image) if image.owner_id == owner || image.visibility == "PUBLIC" => {
                    Ok(Source::Existing(image))
                }
                _ => Err(AppError::not_found("image")),
            }
        }
        SourceRef::Upload(id) => {
            let upload = upload::Entity::find_by_id(id)
                .filter(upload::Column::OwnerId.eq(owner))
                .one(&state.db)
                .await?
                .ok_or_else(|| AppError::not_found("upload"))?;
            if let Some(image_id) = upload.image_id
                && let Some(image) = entity::image::Entity::find_by_id(image_id)
                    .one(&state.db)
                    .await?
            {
                return Ok(Source::Existing(image));
            }
            let bytes = state
                .storage
                .get(&upload.storage_key)
                .await
                .map_err(AppError::internal)?
                .ok_or_else(|| {
                    AppError::bad_input(
                        field,
                        "This upload has no picture yet: send its bytes to the URL createUpload \
                         returned, with its method and headers, then use it",
                    )
                })?;
            let max = state.config.limits.max_upload_bytes;
            let decoded = tokio::task::spawn_blocking(move || decode_upload(&bytes, max, origin))
                .await
                .map_err(AppError::internal)?
                .map_err(|message| AppError::bad_input(field, message))?;
            Ok(Source::FirstUse(FirstUse {
                upload,
                image_id: Uuid::now_v7(),
                origin,
                width: decoded.width,
                height: decoded.height,
                byte_size: decoded.png.len() as i64,
                png: decoded.png,
                thumbnail: decoded.thumbnail,
            }))
        }
    }
}

struct Decoded {
    width: u32,
    height: u32,
    png: Vec<u8>,
    thumbnail: Vec<u8>,
}

/// Checks an upload by its bytes (never by the type the client declared), decodes it within
/// the size limits, and encodes it as RenderMart stores pictures. A mask is kept as grey.
fn decode_upload(bytes: &[u8], max_bytes: usize, origin: Origin) -> Result<Decoded, String> {
    if bytes.len() > max_bytes {
        return Err(format!(
            "The picture is {} bytes; upload at most {max_bytes}",
            bytes.len()
        ));
    }
    let format = image::guess_format(bytes)
        .ok()
        .filter(|format| {
            ACCEPTED_TYPES
                .iter()
                .any(|(_, accepted)| accepted == format)
        })
        .ok_or("The upload is not a PNG, JPEG or WebP picture; upload one of those")?;
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_UPLOAD_SIDE);
    limits.max_image_height = Some(MAX_UPLOAD_SIDE);
    reader.limits(limits);
    let pixels = reader.decode().map_err(|error| match error {
        image::ImageError::Limits(_) => {
            format!("The picture is larger than {MAX_UPLOAD_SIDE} pixels a side; make it smaller")
        }
        _ => "The picture cannot be decoded; it may be damaged. Save it again and upload that"
            .to_owned(),
    })?;
    let pixels = match origin {
        Origin::Mask => {
            DynamicImage::ImageRgb8(DynamicImage::ImageLuma8(pixels.to_luma8()).to_rgb8())
        }
        _ => imaging::eight_bit(pixels),
    };
    let encode = |image: &DynamicImage| {
        imaging::encode_png(image, None).map_err(|_| "The picture could not be stored".to_owned())
    };
    Ok(Decoded {
        width: pixels.width(),
        height: pixels.height(),
        png: encode(&pixels)?,
        thumbnail: encode(&imaging::thumbnail(&pixels))?,
    })
}

async fn record_first_use(txn: &impl ConnectionTrait, first: &FirstUse) -> AppResult<()> {
    let owner = first.upload.owner_id;
    let now = Utc::now();
    let claimed = upload::Entity::update_many()
        .col_expr(upload::Column::ImageId, Expr::value(first.image_id))
        .filter(upload::Column::Id.eq(first.upload.id))
        .filter(upload::Column::ImageId.is_null())
        .exec(txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(AppError::conflict(
            "This upload is being used by another request at the same moment; send yours again",
        ));
    }
    let text = match first.origin {
        Origin::Mask => "Painted mask",
        _ => "Uploaded picture",
    };
    let prompt = new_prompt(owner, text, None, now).insert(txn).await?;
    let params = serde_json::json!({
        "width": first.width, "height": first.height, "count": 1, "seed": 0
    });
    // The record of the upload: a job that ended as it began.
    let mut made = new_job(owner, prompt.id, "upload", params, None, now);
    made.status = Set(Status::Succeeded);
    made.progress = Set(1.0);
    made.stage = Set(Some("uploaded".to_owned()));
    made.task = Set(Task::Upload);
    made.started_at = Set(Some(now));
    made.finished_at = Set(Some(now));
    let made = made.insert(txn).await?;
    let (key, thumb_key) = image_keys(owner, first.image_id);
    entity::image::Model {
        id: first.image_id,
        generation_id: made.id,
        prompt_id: prompt.id,
        owner_id: owner,
        position: 0,
        storage_key: key,
        thumbnail_key: thumb_key,
        content_type: "image/png".to_owned(),
        byte_size: first.byte_size,
        width: first.width as i32,
        height: first.height as i32,
        seed: 0,
        visibility: "PRIVATE".to_owned(),
        favorite: false,
        created_at: now,
        source_image_id: None,
        origin: first.origin,
    }
    .into_active_model()
    .insert(txn)
    .await?;
    Ok(())
}

/// Uploads older than `UNUSED_UPLOAD_LIFETIME`, with their bytes: unused ones are gone, and
/// used ones live on as the images they became. Returns how many went.
pub async fn sweep(db: &DatabaseConnection, storage: &Storage) -> AppResult<u64> {
    let stale = upload::Entity::find()
        .filter(upload::Column::CreatedAt.lt(Utc::now() - UNUSED_UPLOAD_LIFETIME))
        .all(db)
        .await?;
    let mut removed = 0;
    for upload in stale {
        if let Err(error) = storage.delete(&upload.storage_key).await {
            tracing::warn!(
                ?error,
                key = upload.storage_key,
                "could not delete an upload"
            );
            continue;
        }
        upload::Entity::delete_by_id(upload.id).exec(db).await?;
        removed += 1;
    }
    Ok(removed)
}
