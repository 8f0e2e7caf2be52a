//! Where image files live: a local folder (embedded mode) or S3 (production). Both hand out
//! URLs that expire.

pub mod local;
pub mod s3;
pub mod sweeper;

use std::time::{Duration, SystemTime};

use futures::StreamExt;
use futures::stream::BoxStream;

use uuid::Uuid;

pub use local::LocalStorage;
pub use s3::S3Storage;

pub enum Storage {
    Local(LocalStorage),
    S3(S3Storage),
}

/// An object found in storage, for the sweeper.
#[derive(Debug, Clone)]
pub struct StoredObject {
    pub key: String,
    pub modified: SystemTime,
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

    /// Every stored object, a page at a time.
    pub fn objects(&self) -> BoxStream<'_, anyhow::Result<Vec<StoredObject>>> {
        match self {
            Storage::Local(local) => local.objects().boxed(),
            Storage::S3(s3) => s3.objects().boxed(),
        }
    }

    /// A URL that serves the object until `ttl` from now. Local files are served by this
    /// server under a relative path, made absolute under `base` when one is given.
    pub async fn url(
        &self,
        key: &str,
        ttl: Duration,
        base: Option<&str>,
    ) -> anyhow::Result<String> {
        match self {
            Storage::Local(local) => {
                let path = local.signed_url(key, ttl);
                Ok(base.map_or_else(|| path.clone(), |base| format!("{base}{path}")))
            }
            Storage::S3(s3) => s3.presigned_url(key, ttl).await,
        }
    }
}
