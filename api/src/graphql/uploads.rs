//! Uploads and the inputs that name the pictures an edit starts from.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::relay::{NodeType, decode_global_id, global_id};
use super::{app_state, require_viewer};
use crate::engines::Outpaint;
use crate::error::{AppError, AppResult};
use crate::service::sources::{self, SourceRef};

#[derive(InputObject)]
pub struct CreateUploadInput {
    /// image/png, image/jpeg or image/webp.
    content_type: String,
    /// Exact size of the bytes you will send.
    byte_size: i64,
}

#[derive(SimpleObject)]
pub struct HttpHeader {
    name: String,
    value: String,
}

/// Where to send an upload's bytes: `method` to `url` with exactly these `headers` and
/// `byteSize` bytes. Then use `id` as `source: {uploadId}` or `mask: {uploadId}`.
#[derive(SimpleObject)]
pub struct UploadTarget {
    id: ID,
    url: String,
    method: String,
    headers: Vec<HttpHeader>,
    expires_at: DateTime<Utc>,
}

/// One picture to work from: exactly one of the two.
#[derive(InputObject, Clone, Default)]
pub struct ImageSourceInput {
    /// An upload of yours, from `createUpload`.
    upload_id: Option<ID>,
    /// One of your images, or a public image.
    image_id: Option<ID>,
}

impl ImageSourceInput {
    pub fn reference(&self, field: &'static str) -> AppResult<SourceRef> {
        let parse = |id: &ID, expected: NodeType| match decode_global_id(id, field)? {
            (node_type, key) if node_type == expected => Ok(key),
            _ => Err(AppError::bad_input(
                field,
                format!("`{}` is not the id of that kind of object", id.as_str()),
            )),
        };
        match (&self.upload_id, &self.image_id) {
            (Some(upload), None) => Ok(SourceRef::Upload(parse(upload, NodeType::Upload)?)),
            (None, Some(image)) => Ok(SourceRef::Image(parse(image, NodeType::Image)?)),
            _ => Err(AppError::bad_input(
                field,
                format!("Give `{field}` exactly one of uploadId and imageId"),
            )),
        }
    }
}

/// Pixels to add on each side (OUTPAINT).
#[derive(InputObject, Clone, Copy, Default)]
pub struct OutpaintInput {
    #[graphql(default)]
    left: i32,
    #[graphql(default)]
    right: i32,
    #[graphql(default)]
    top: i32,
    #[graphql(default)]
    bottom: i32,
}

impl OutpaintInput {
    pub fn margins(self) -> AppResult<Outpaint> {
        let side = |value: i32| {
            u32::try_from(value).map_err(|_| {
                AppError::bad_input("outpaint", "Margins are pixels to add: use 0 or more")
            })
        };
        Ok(Outpaint {
            left: side(self.left)?,
            right: side(self.right)?,
            top: side(self.top)?,
            bottom: side(self.bottom)?,
        })
    }
}

#[derive(Default)]
pub struct UploadMutation;

#[Object]
impl UploadMutation {
    /// Starts an upload of a picture to edit. Send its bytes as the answer says; then use its
    /// `id` in `generateImages` within 24 hours. PNG, JPEG or WebP, checked by its bytes.
    async fn create_upload(
        &self,
        ctx: &Context<'_>,
        input: CreateUploadInput,
    ) -> Result<UploadTarget> {
        let viewer = require_viewer(ctx)?;
        let (upload, target) = sources::create(
            app_state(ctx),
            viewer.user_id,
            &input.content_type,
            input.byte_size,
        )
        .await?;
        Ok(UploadTarget {
            id: global_id(NodeType::Upload, upload.id),
            url: target.url,
            method: "PUT".to_owned(),
            headers: target
                .headers
                .into_iter()
                .map(|(name, value)| HttpHeader { name, value })
                .collect(),
            expires_at: upload.expires_at,
        })
    }
}
