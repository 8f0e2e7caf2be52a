//! Amazon Bedrock engines: one engine per model, each calling `InvokeModel` with its family's
//! JSON body ([`titan_nova`] for Amazon Titan and Nova Canvas, [`stability`] for the Stability
//! v3 models, [`image_services`] for Stability AI Image Services).
//!
//! The SDK's own retries are switched off and this module owns the policy: bounded
//! exponential backoff with jitter for throttling, unavailability and timeouts, reported as
//! the job's "retrying" stage, and never a retry for a content-filter refusal (it costs money
//! and fails again). Bedrock does not stream progress, so while a call runs the engine
//! reports progress estimated from the model's typical latency.

pub mod availability;
pub mod image_services;
pub mod stability;
pub mod titan_nova;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockruntime::operation::invoke_model::InvokeModelError;
use aws_sdk_bedrockruntime::primitives::Blob;
use base64::Engine as _;
use rand::Rng;
use tokio::sync::mpsc::UnboundedSender;

use super::{
    Engine, EngineError, EngineFailure, EngineJob, EngineOutput, EngineRegistry, ModelInfo,
    Progress,
};

/// Largest seed RenderMart hands out on any model: the GraphQL `seed` is a 32-bit signed
/// integer, and Titan's documented maximum is this one.
pub const MAX_SEED: i64 = 2_147_483_646;

/// The wire format a model speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Amazon(titan_nova::AmazonModel),
    Stability(stability::StabilityModel),
}

/// A supported model: what `models` shows, its wire format and how long a call usually takes
/// (for estimated progress).
pub struct CatalogEntry {
    pub info: ModelInfo,
    pub family: Family,
    /// Typical time for one call making one image.
    pub typical_latency: Duration,
}

/// The catalog entry for a supported model id.
pub fn catalog(model_id: &str) -> Option<CatalogEntry> {
    titan_nova::catalog(model_id).or_else(|| stability::catalog(model_id))
}

/// How failed calls are retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Calls per request, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1-based): `base × 2^(retry-1)`, capped, with
    /// "equal jitter" (half fixed, half random) so that workers throttled together do not
    /// come back together.
    pub fn delay(&self, retry: u32) -> Duration {
        let exponential = self
            .base_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(16));
        let capped = exponential.min(self.max_delay);
        let half = capped / 2;
        half + half.mul_f64(rand::rng().random_range(0.0..=1.0))
    }
}

/// Settings shared by every Bedrock engine.
#[derive(Debug, Clone)]
pub struct BedrockSettings {
    pub retry: RetryPolicy,
    /// The region calls go to, for messages.
    pub region: String,
}

/// Registers an engine for each of `model_ids`, sharing one client.
pub fn register(
    registry: &mut EngineRegistry,
    client: &aws_sdk_bedrockruntime::Client,
    settings: &BedrockSettings,
    model_ids: &[String],
) {
    for id in model_ids {
        let Some(entry) = catalog(id) else {
            tracing::warn!(model = %id, "not a supported Bedrock model; skipped");
            continue;
        };
        let engine = BedrockEngine {
            client: client.clone(),
            model_id: entry.info.id.clone(),
            family: entry.family,
            typical_latency: entry.typical_latency,
            settings: settings.clone(),
        };
        registry.register(entry.info, Arc::new(engine));
    }
}

pub struct BedrockEngine {
    client: aws_sdk_bedrockruntime::Client,
    model_id: String,
    family: Family,
    typical_latency: Duration,
    settings: BedrockSettings,
}

#[async_trait::async_trait]
impl Engine for BedrockEngine {
    async fn generate(
        &self,
        job: &EngineJob,
        progress: &UnboundedSender<Progress>,
    ) -> Result<EngineOutput, EngineFailure> {
        let mut session = Session {
            engine: self,
            progress,
            calls: 0,
            reported: AtomicU64::new(0f64.to_bits()),
        };
        let result = match self.family {
            Family::Amazon(model) => titan_nova::generate(&mut session, model, job).await,
            Family::Stability(model) => stability::generate(&mut session, model, job).await,
        };
        result.map_err(|error| EngineFailure {
            error,
            calls: session.calls,
        })
    }
}

/// One job's conversation with Bedrock: counts calls and reports progress.
pub(crate) struct Session<'a> {
    engine: &'a BedrockEngine,
    progress: &'a UnboundedSender<Progress>,
    /// `InvokeModel` calls made, retries included: each may be billed.
    pub(crate) calls: u32,
    /// The highest fraction reported (as f64 bits): progress never goes back, even when a
    /// call is retried after its estimate had advanced.
    reported: AtomicU64,
}

/// The part of the job one call makes: progress runs from `start` to `start + share`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slice {
    pub start: f64,
    pub share: f64,
    /// Images the call makes, to scale the latency estimate.
    pub images: u32,
}

impl Session<'_> {
    pub(crate) fn report(&self, fraction: f64, stage: &str) {
        let highest = f64::from_bits(self.reported.load(Ordering::Relaxed));
        let fraction = fraction.clamp(0.0, 1.0).max(highest);
        self.reported.store(fraction.to_bits(), Ordering::Relaxed);
        // A closed channel means the worker stopped listening; it drops this future soon.
        let _ = self.progress.send(Progress {
            fraction,
            stage: stage.to_owned(),
            preview_png: None,
        });
    }

    pub(crate) fn model_id(&self) -> &str {
        &self.engine.model_id
    }

    /// One `InvokeModel` call with the retry policy; the response body on success.
    pub(crate) async fn invoke(
        &mut self,
        body: &serde_json::Value,
        slice: Slice,
    ) -> Result<Vec<u8>, CallError> {
        let bytes = serde_json::to_vec(body).map_err(|e| CallError::Fatal(e.into()))?;
        let policy = self.engine.settings.retry;
        let mut attempt = 1;
        loop {
            self.report(slice.start, "submitting");
            self.calls += 1;
            let result = self.send_with_estimate(&bytes, slice).await;
            let failure = match result {
                Ok(body) => return Ok(body),
                Err(error) => classify_sdk_error(&error),
            };
            match failure {
                Failure::Retryable(kind, detail) if attempt < policy.max_attempts => {
                    let delay = policy.delay(attempt);
                    tracing::warn!(
                        model = %self.engine.model_id, attempt, ?kind, %detail, ?delay,
                        "Bedrock call failed; retrying"
                    );
                    self.report(slice.start, "retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                Failure::Retryable(kind, detail) => {
                    tracing::warn!(model = %self.engine.model_id, attempt, ?kind, %detail, "Bedrock call failed; giving up");
                    return Err(CallError::Engine(self.exhausted(kind, attempt)));
                }
                Failure::Filtered(message) => {
                    return Err(CallError::Engine(EngineError::ContentFiltered(
                        filtered_message(FilterSource::Input, &message),
                    )));
                }
                Failure::NoAccess { not_found, detail } => {
                    tracing::warn!(model = %self.engine.model_id, %detail, "Bedrock refused the model");
                    return Err(CallError::Engine(EngineError::ModelUnavailable(
                        self.no_access_message(not_found),
                    )));
                }
                Failure::Quota(detail) => {
                    tracing::warn!(model = %self.engine.model_id, %detail, "Bedrock service quota exceeded");
                    return Err(CallError::Engine(EngineError::Throttled(
                        "The AWS account's Amazon Bedrock quota for this model is used up; try again later or ask the operator to raise the quota".to_owned(),
                    )));
                }
                Failure::Fatal(error) => return Err(CallError::Fatal(error)),
            }
        }
    }

    /// Sends one call, reporting estimated progress while it runs.
    async fn send_with_estimate(
        &self,
        body: &[u8],
        slice: Slice,
    ) -> Result<Vec<u8>, SdkError<InvokeModelError>> {
        let send = self
            .engine
            .client
            .invoke_model()
            .model_id(&self.engine.model_id)
            .content_type("application/json")
            .accept("application/json")
            .body(Blob::new(body.to_vec()))
            .send();
        tokio::pin!(send);
        let expected = self
            .engine
            .typical_latency
            .mul_f64(f64::from(slice.images.max(1)));
        let tick = (expected / 20).clamp(Duration::from_millis(100), Duration::from_secs(1));
        let mut ticker = tokio::time::interval(tick);
        let started = Instant::now();
        loop {
            tokio::select! {
                result = &mut send => return result.map(|out| out.body.into_inner()),
                _ = ticker.tick() => {
                    // Approaches but never reaches the end of the slice: the estimate is a
                    // guess, the response is the truth.
                    let elapsed = started.elapsed().as_secs_f64() / expected.as_secs_f64().max(0.001);
                    let done = 1.0 - (-elapsed).exp();
                    self.report(slice.start + slice.share * done.min(0.95), "generating");
                }
            }
        }
    }

    fn exhausted(&self, kind: RetryKind, attempts: u32) -> EngineError {
        let model = &self.engine.model_id;
        match kind {
            RetryKind::Throttled => EngineError::Throttled(format!(
                "Amazon Bedrock kept throttling {model} ({attempts} attempts); try again in a few minutes"
            )),
            RetryKind::Timeout => EngineError::Timeout(format!(
                "{model} on Amazon Bedrock did not answer in time ({attempts} attempts); try again, or ask for fewer images"
            )),
            RetryKind::Unavailable => EngineError::ModelUnavailable(format!(
                "Amazon Bedrock is not serving {model} right now ({attempts} attempts); try again later or choose another model"
            )),
        }
    }

    fn no_access_message(&self, not_found: bool) -> String {
        let model = &self.engine.model_id;
        let region = &self.engine.settings.region;
        if not_found {
            format!(
                "{model} is not available in the AWS region {region} (it may be offered only in other regions, or retired); the operator can enable model access in the Amazon Bedrock console or choose another region. Meanwhile choose another model"
            )
        } else {
            format!(
                "RenderMart's AWS account may not use {model} in {region}: the operator needs to enable model access for it in the Amazon Bedrock console (and allow bedrock:InvokeModel on it). Meanwhile choose another model"
            )
        }
    }
}

/// Why a call did not return a body.
#[derive(Debug)]
pub(crate) enum CallError {
    /// Ends the job with this error.
    Engine(EngineError),
    /// Something unexpected: a bad request body, an unreadable response.
    Fatal(anyhow::Error),
}

impl From<CallError> for EngineError {
    fn from(error: CallError) -> EngineError {
        match error {
            CallError::Engine(e) => e,
            CallError::Fatal(e) => EngineError::Internal(e),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryKind {
    Throttled,
    Unavailable,
    Timeout,
}

/// What an error from Bedrock means for the job.
#[derive(Debug)]
pub(crate) enum Failure {
    Retryable(RetryKind, String),
    /// A content-filter refusal of the input.
    Filtered(String),
    NoAccess {
        not_found: bool,
        detail: String,
    },
    Quota(String),
    Fatal(anyhow::Error),
}

fn classify_sdk_error(error: &SdkError<InvokeModelError>) -> Failure {
    match error {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let err = service.err();
            classify(err.code(), err.message().unwrap_or_default(), Some(status))
        }
        SdkError::TimeoutError(_) => Failure::Retryable(
            RetryKind::Timeout,
            "the call took longer than RENDERMART_BEDROCK_TIMEOUT_SECONDS".to_owned(),
        ),
        SdkError::DispatchFailure(failure) => Failure::Retryable(
            if failure.is_timeout() {
                RetryKind::Timeout
            } else {
                RetryKind::Unavailable
            },
            format!("could not reach Bedrock: {failure:?}"),
        ),
        SdkError::ResponseError(_) => Failure::Retryable(
            RetryKind::Unavailable,
            format!(
                "unreadable response: {}",
                aws_sdk_bedrockruntime::error::DisplayErrorContext(error)
            ),
        ),
        other => Failure::Fatal(anyhow::anyhow!(
            "Bedrock call could not be made: {}",
            aws_sdk_bedrockruntime::error::DisplayErrorContext(other)
        )),
    }
}

/// Maps Bedrock's error code (the `x-amzn-ErrorType` header), message and HTTP status to what
/// the engine does about it.
pub(crate) fn classify(code: Option<&str>, message: &str, status: Option<u16>) -> Failure {
    let detail = format!("{}: {message}", code.unwrap_or("no error code"));
    match code {
        Some("ValidationException") if mentions_content_filter(message) => {
            Failure::Filtered(message.to_owned())
        }
        Some("ThrottlingException") => Failure::Retryable(RetryKind::Throttled, detail),
        Some("ServiceUnavailableException")
        | Some("InternalServerException")
        | Some("ModelNotReadyException") => Failure::Retryable(RetryKind::Unavailable, detail),
        Some("ModelTimeoutException") => Failure::Retryable(RetryKind::Timeout, detail),
        Some("AccessDeniedException") => Failure::NoAccess {
            not_found: false,
            detail,
        },
        Some("ResourceNotFoundException") => Failure::NoAccess {
            not_found: true,
            detail,
        },
        Some("ServiceQuotaExceededException") => Failure::Quota(detail),
        _ => match status {
            Some(429) => Failure::Retryable(RetryKind::Throttled, detail),
            Some(s) if s >= 500 => Failure::Retryable(RetryKind::Unavailable, detail),
            _ => Failure::Fatal(anyhow::anyhow!("Bedrock refused the request: {detail}")),
        },
    }
}

/// Bedrock's refusals say "blocked by our content filters".
pub(crate) fn mentions_content_filter(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("content filter") || lower.contains("content moderation")
}

/// Which side of the model the filter objected to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FilterSource {
    /// The prompt (or an input image).
    Input,
    /// The generated images.
    Output,
}

/// A message that tells a person what to change.
pub(crate) fn filtered_message(source: FilterSource, detail: &str) -> String {
    let what = match source {
        FilterSource::Input => "Amazon Bedrock's content filter blocked this prompt",
        FilterSource::Output => "Amazon Bedrock's content filter blocked the generated images",
    };
    let mut message = format!(
        "{what}. Rephrase the prompt (leave out violent, sexual or hateful content and real people's names) and try again"
    );
    if source == FilterSource::Output {
        message.push_str(", or try another seed");
    }
    if !detail.trim().is_empty() {
        message.push_str(&format!(" (Bedrock said: {})", detail.trim()));
    }
    message
}

/// The seed for image `position` of a job: consecutive seeds, wrapping within
/// `0..=max_seed`.
pub(crate) fn seed_for(seed: i64, position: u32, max_seed: i64) -> i64 {
    (seed + i64::from(position)).rem_euclid(max_seed + 1)
}

/// The pictures an edit sends, base64 PNGs encoded once for all of a job's calls.
#[derive(Debug, Clone)]
pub struct EditPictures {
    pub image: String,
    pub mask: Option<String>,
}

impl EditPictures {
    /// Encodes an edit's picture and its mask, as each family made them.
    pub(crate) async fn encode(
        image: image::RgbImage,
        mask: Option<image::GrayImage>,
    ) -> Result<EditPictures, EngineError> {
        let image = png_b64(image::DynamicImage::ImageRgb8(image)).await?;
        let mask = match mask {
            Some(mask) => Some(png_b64(image::DynamicImage::ImageLuma8(mask)).await?),
            None => None,
        };
        Ok(EditPictures { image, mask })
    }
}

/// A picture as Bedrock takes it: a base64 PNG, encoded off the async threads.
async fn png_b64(pixels: image::DynamicImage) -> Result<String, EngineError> {
    let bytes = tokio::task::spawn_blocking(move || crate::imaging::encode_png(&pixels, None))
        .await
        .map_err(|e| EngineError::Internal(e.into()))?
        .map_err(EngineError::Internal)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// The edit's source without transparency: the models read colour only.
pub(crate) fn opaque_source(job: &EngineJob) -> Result<image::RgbImage, EngineError> {
    let source = job.source.as_deref().ok_or_else(|| {
        EngineError::Internal(anyhow::anyhow!(
            "an edit job reached Bedrock without its source"
        ))
    })?;
    Ok(image::DynamicImage::ImageRgba8(source.clone()).to_rgb8())
}

/// A mask as pure black and white (Nova refuses grey), `change` where the picture changes.
pub(crate) fn binary_mask(mask: &image::GrayImage, change: u8) -> image::GrayImage {
    image::GrayImage::from_fn(mask.width(), mask.height(), |x, y| {
        let changes = mask.get_pixel(x, y)[0] >= 128;
        image::Luma([if changes { change } else { 255 - change }])
    })
}

/// Decodes a base64 PNG or JPEG from a response into pixels, off the async threads.
pub(crate) async fn decode_image(b64: String) -> Result<image::DynamicImage, EngineError> {
    tokio::task::spawn_blocking(move || -> anyhow::Result<image::DynamicImage> {
        let bytes = base64::engine::general_purpose::STANDARD.decode(b64.trim())?;
        Ok(crate::imaging::eight_bit(image::load_from_memory(&bytes)?))
    })
    .await
    .map_err(|e| EngineError::Internal(e.into()))?
    .map_err(|e| {
        EngineError::Internal(e.context("Bedrock returned an image that cannot be decoded"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_retried_refused_or_explained_by_their_code() {
        let filtered = classify(
            Some("ValidationException"),
            "This request has been blocked by our content filters. Please adjust your text prompt to submit a new request.",
            Some(400),
        );
        assert!(matches!(filtered, Failure::Filtered(_)));
        assert!(matches!(
            classify(
                Some("ValidationException"),
                "width must be a multiple of 16",
                Some(400)
            ),
            Failure::Fatal(_)
        ));
        for (code, kind) in [
            ("ThrottlingException", RetryKind::Throttled),
            ("ServiceUnavailableException", RetryKind::Unavailable),
            ("InternalServerException", RetryKind::Unavailable),
            ("ModelNotReadyException", RetryKind::Unavailable),
            ("ModelTimeoutException", RetryKind::Timeout),
        ] {
            match classify(Some(code), "x", None) {
                Failure::Retryable(k, _) => assert_eq!(k, kind, "{code}"),
                other => panic!("{code} gave {other:?}"),
            }
        }
        assert!(matches!(
            classify(
                Some("AccessDeniedException"),
                "You don't have access to the model with the specified model ID.",
                Some(403)
            ),
            Failure::NoAccess {
                not_found: false,
                ..
            }
        ));
        assert!(matches!(
            classify(
                Some("ResourceNotFoundException"),
                "Model not found",
                Some(404)
            ),
            Failure::NoAccess {
                not_found: true,
                ..
            }
        ));
        assert!(matches!(
            classify(Some("ServiceQuotaExceededException"), "quota", Some(400)),
            Failure::Quota(_)
        ));
        // Unknown codes fall back on the status.
        assert!(matches!(
            classify(None, "bad gateway", Some(502)),
            Failure::Retryable(RetryKind::Unavailable, _)
        ));
        assert!(matches!(
            classify(Some("SomethingNew"), "slow down", Some(429)),
            Failure::Retryable(RetryKind::Throttled, _)
        ));
        assert!(matches!(classify(None, "?", Some(400)), Failure::Fatal(_)));
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let policy = RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        for _ in 0..50 {
            let first = policy.delay(1);
            assert!((Duration::from_millis(50)..=Duration::from_millis(100)).contains(&first));
            let third = policy.delay(3);
            assert!((Duration::from_millis(200)..=Duration::from_millis(400)).contains(&third));
            let late = policy.delay(30);
            assert!((Duration::from_millis(500)..=Duration::from_secs(1)).contains(&late));
        }
    }

    #[test]
    fn seeds_of_later_images_wrap_within_the_model_range() {
        assert_eq!(seed_for(10, 2, MAX_SEED), 12);
        assert_eq!(seed_for(MAX_SEED, 1, MAX_SEED), 0);
        assert_eq!(seed_for(858_993_459, 2, 858_993_459), 1);
    }

    #[test]
    fn filter_messages_say_what_to_change() {
        let m = filtered_message(FilterSource::Input, "blocked by our content filters");
        assert!(m.contains("Rephrase the prompt"), "{m}");
        assert!(m.contains("blocked by our content filters"), "{m}");
        assert!(filtered_message(FilterSource::Output, "").contains("another seed"));
    }

    #[test]
    fn masks_become_pure_black_and_white_either_way_round() {
        let grey =
            image::GrayImage::from_fn(4, 1, |x, _| image::Luma([[0, 100, 200, 255][x as usize]]));
        let white_changes = binary_mask(&grey, 255);
        assert_eq!(white_changes.as_raw(), &vec![0, 0, 255, 255]);
        let black_changes = binary_mask(&grey, 0);
        assert_eq!(black_changes.as_raw(), &vec![255, 255, 0, 0]);
    }

    #[tokio::test]
    async fn png_and_jpeg_responses_decode_to_pixels() {
        let img = image::RgbImage::from_pixel(4, 3, image::Rgb([200, 10, 10]));
        for format in [image::ImageFormat::Png, image::ImageFormat::Jpeg] {
            let mut bytes = Vec::new();
            img.write_to(&mut std::io::Cursor::new(&mut bytes), format)
                .unwrap();
            let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
            let decoded = decode_image(b64).await.unwrap();
            assert_eq!((decoded.width(), decoded.height()), (4, 3));
        }
        assert!(matches!(
            decode_image("bm90IGFuIGltYWdl".into()).await,
            Err(EngineError::Internal(_))
        ));
    }
}
