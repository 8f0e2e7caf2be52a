//! Images in a private S3 bucket (or an S3-compatible server), handed out through presigned
//! GET URLs that expire.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;

use futures::Stream;

use super::StoredObject;
use crate::config::MAX_PRESIGNED_TTL;

/// Objects are written once under a unique key and never changed, so caches may keep them.
pub const CACHE_CONTROL: &str = "private, max-age=31536000, immutable";

pub struct S3Storage {
    client: aws_sdk_s3::Client,
    /// Signs URLs for the endpoint browsers reach, which inside a cluster may differ from
    /// the one the server uses.
    presigner: aws_sdk_s3::Client,
    bucket: String,
    prefix: String,
}

/// Where the bucket is reached.
#[derive(Debug, Clone, Default)]
pub struct S3Endpoints {
    /// An S3-compatible server instead of AWS S3; uses path-style addressing.
    pub endpoint_url: Option<String>,
    /// The endpoint in presigned URLs [default: `endpoint_url`].
    pub public_endpoint_url: Option<String>,
}

/// Bounds every S3 call: a stalled endpoint must fail a write, never hang the worker that
/// holds the job. One slow attempt may take half the budget, so a retry still fits.
fn timeouts(call: Duration) -> TimeoutConfig {
    TimeoutConfig::builder()
        .operation_timeout(call)
        .operation_attempt_timeout((call / 2).max(Duration::from_secs(1)).min(call))
        .connect_timeout(call.min(CONNECT_TIMEOUT))
        .build()
}

/// S3 answers a connection attempt in milliseconds; longer means unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

fn client(
    sdk: &aws_config::SdkConfig,
    endpoint: Option<&str>,
    call_timeout: Duration,
) -> aws_sdk_s3::Client {
    let mut builder = aws_sdk_s3::config::Builder::from(sdk).timeout_config(timeouts(call_timeout));
    if let Some(url) = endpoint {
        // S3-compatible servers rarely resolve bucket subdomains.
        builder = builder.endpoint_url(url).force_path_style(true);
    }
    aws_sdk_s3::Client::from_conf(builder.build())
}

impl S3Storage {
    pub fn new(
        sdk: &aws_config::SdkConfig,
        bucket: String,
        prefix: String,
        endpoints: &S3Endpoints,
        call_timeout: Duration,
    ) -> S3Storage {
        let endpoint = endpoints.endpoint_url.as_deref();
        let public = endpoints.public_endpoint_url.as_deref().or(endpoint);
        S3Storage {
            client: client(sdk, endpoint, call_timeout),
            presigner: client(sdk, public, call_timeout),
            bucket,
            prefix: prefix.trim_matches('/').to_owned(),
        }
    }

    /// The object key: the storage key under the configured prefix.
    pub fn object_key(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{}/{key}", self.prefix)
        }
    }

    /// Stores a new object. `If-None-Match: *` makes S3 refuse to replace an existing
    /// object, so an image, once stored, is never overwritten.
    pub async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> anyhow::Result<()> {
        let object = self.object_key(key);
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(&object)
            .body(ByteStream::from(bytes))
            .content_type(content_type)
            .cache_control(CACHE_CONTROL)
            .if_none_match("*")
            .send()
            .await
            .map_err(|e| {
                if e.code() == Some("PreconditionFailed") {
                    anyhow::anyhow!(
                        "s3://{}/{object} exists already; refusing to overwrite it",
                        self.bucket
                    )
                } else {
                    anyhow::anyhow!(
                        "cannot store s3://{}/{object}: {}",
                        self.bucket,
                        DisplayErrorContext(e)
                    )
                }
            })?;
        Ok(())
    }

    /// The object's bytes; `None` when there is no such object.
    pub async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let object = self.object_key(key);
        let response = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(&object)
            .send()
            .await
        {
            Ok(response) => response,
            Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_key()) => return Ok(None),
            Err(e) => anyhow::bail!(
                "cannot read s3://{}/{object}: {}",
                self.bucket,
                DisplayErrorContext(e)
            ),
        };
        let bytes = response
            .body
            .collect()
            .await
            .with_context(|| format!("cannot read s3://{}/{object}", self.bucket))?;
        Ok(Some(bytes.to_vec()))
    }

    /// A presigned PUT a client sends exactly `byte_size` bytes of `content_type` to, until
    /// `ttl` from now. The bytes go to S3 directly, never through the API.
    pub async fn presigned_put(
        &self,
        key: &str,
        content_type: &str,
        byte_size: u64,
        ttl: Duration,
    ) -> anyhow::Result<super::PutTarget> {
        let config = PresigningConfig::expires_in(ttl).context("invalid presigning settings")?;
        let request = self
            .presigner
            .put_object()
            .bucket(&self.bucket)
            .key(self.object_key(key))
            .content_type(content_type)
            .content_length(byte_size as i64)
            .presigned(config)
            .await
            .map_err(|e| anyhow::anyhow!("cannot presign an upload: {}", DisplayErrorContext(e)))?;
        Ok(super::PutTarget {
            url: request.uri().to_owned(),
            // What the signature covers and a browser may not set by itself.
            headers: request
                .headers()
                .filter(|(name, _)| !name.eq_ignore_ascii_case("content-length"))
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect(),
        })
    }

    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let object = self.object_key(key);
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(&object)
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot delete s3://{}/{object}: {}",
                    self.bucket,
                    DisplayErrorContext(e)
                )
            })?;
        Ok(())
    }

    /// The objects under the prefix, a page (up to 1,000) at a time, with their storage keys.
    pub fn objects(&self) -> impl Stream<Item = anyhow::Result<Vec<StoredObject>>> + Send + '_ {
        let prefix = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        async_stream::try_stream! {
            let mut pages = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(&prefix)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| {
                    anyhow::anyhow!(
                        "cannot list s3://{}/{prefix}: {}",
                        self.bucket,
                        DisplayErrorContext(e)
                    )
                })?;
                yield page
                    .contents()
                    .iter()
                    .filter_map(|object| {
                        let key = object.key()?.strip_prefix(&prefix)?.to_owned();
                        let modified = SystemTime::try_from(*object.last_modified()?).ok()?;
                        Some(StoredObject { key, modified })
                    })
                    .collect::<Vec<_>>();
            }
        }
    }

    /// A presigned GET URL valid for at least `ttl`. The signing time is rounded down to a
    /// window, so a page that lists the same images twice gets the same URLs and the browser
    /// cache works; the expiry is stretched by the rounding, within S3's 7-day limit.
    pub async fn presigned_url(&self, key: &str, ttl: Duration) -> anyhow::Result<String> {
        let window = (ttl / 4)
            .min(Duration::from_secs(900))
            .max(Duration::from_secs(1));
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .context("the system clock is before 1970")?;
        let start = Duration::from_secs(now.as_secs() - now.as_secs() % window.as_secs());
        let expires_in = (ttl + (now - start)).min(MAX_PRESIGNED_TTL);
        let config = PresigningConfig::builder()
            .start_time(UNIX_EPOCH + start)
            .expires_in(expires_in)
            .build()
            .context("invalid presigning settings")?;
        let request = self
            .presigner
            .get_object()
            .bucket(&self.bucket)
            .key(self.object_key(key))
            .presigned(config)
            .await
            .map_err(|e| anyhow::anyhow!("cannot presign a URL: {}", DisplayErrorContext(e)))?;
        Ok(request.uri().to_owned())
    }
}
