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

/// Where and how a client sends an upload's bytes.
#[derive(Debug, Clone)]
pub struct PutTarget {
    /// Absolute for S3; a path under this server for local storage.
    pub url: String,
    /// Headers the request must carry exactly.
    pub headers: Vec<(String, String)>,
}

/// The key an upload's bytes are stored under until it is used or swept.
pub fn upload_key(owner: Uuid, upload: Uuid) -> String {
    format!("{owner}/{upload}.upload")
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

    /// The object's bytes; `None` when there is no such object.
    pub async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        match self {
            Storage::Local(local) => match local.read(key).await {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e.into()),
            },
            Storage::S3(s3) => s3.get(key).await,
        }
    }

    /// Where a client sends exactly `byte_size` bytes of `content_type` for `key`, until
    /// `ttl` from now: a presigned S3 PUT, or a signed PUT to this server (under `base`).
    pub async fn put_target(
        &self,
        key: &str,
        content_type: &str,
        byte_size: u64,
        ttl: Duration,
        base: Option<&str>,
    ) -> anyhow::Result<PutTarget> {
        match self {
            Storage::Local(local) => {
                let path = local.signed_put_url(key, content_type, byte_size, ttl);
                Ok(PutTarget {
                    url: base.map_or_else(|| path.clone(), |base| format!("{base}{path}")),
                    headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
                })
            }
            Storage::S3(s3) => s3.presigned_put(key, content_type, byte_size, ttl).await,
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
