//! Where image files live: a local folder (embedded mode) or S3 (production). Both hand out
//! URLs that expire.

pub mod local;
pub mod s3;

use std::time::Duration;

use uuid::Uuid;

pub use local::LocalStorage;
pub use s3::S3Storage;

pub enum Storage {
    Local(LocalStorage),
    S3(S3Storage),
}

/// Storage keys are unique per image and never reused, so an object is never overwritten.
pub fn image_keys(owner: Uuid, image: Uuid) -> (String, String) {
    (
        format!("{owner}/{image}.png"),
        format!("{owner}/{image}.thumb.png"),
    )
}

impl Storage {
    pub async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> anyhow::Result<()> {
        match self {
            Storage::Local(local) => local.put(key, bytes, content_type).await,
            Storage::S3(s3) => s3.put(key, bytes, content_type).await,
        }
    }

    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self {
            Storage::Local(local) => local.delete(key).await,
            Storage::S3(s3) => s3.delete(key).await,
        }
    }

    /// A URL that serves the object until `ttl` from now.
    pub async fn url(&self, key: &str, ttl: Duration) -> anyhow::Result<String> {
        match self {
            Storage::Local(local) => Ok(local.signed_url(key, ttl)),
            Storage::S3(s3) => s3.presigned_url(key, ttl).await,
        }
    }
}
