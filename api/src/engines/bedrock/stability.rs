//! The Stability AI v3 models on Bedrock: Stable Diffusion 3.5 Large, Stable Image Ultra and
//! Stable Image Core. A flat request (`prompt`, `negative_prompt`, `aspect_ratio`, `seed`,
//! `output_format`, and `style_preset` on Core), one image per call, answered with
//! `{"seeds": [...], "finish_reasons": [...], "images": [base64...]}`. SD3.5 Large also
//! takes a source (`mode: "image-to-image"`, `image`, `strength` 0–1, no ratio: the result
//! follows the source's shape). Stability AI Image Services speak the same response and are
//! built in [`super::image_services`].
//!
//! Limits, from the Amazon Bedrock user guide (model-parameters-diffusion-3-5-large,
//! model-parameters-diffusion-stable-ultra-text-image-request-response,
//! model-parameters-diffusion-stable-image-core-text-image-request-response):
//! prompt and negative_prompt ≤ 10,000 characters; aspect_ratio one of 16:9, 1:1, 21:9, 2:3,
//! 3:2, 4:5, 5:4, 9:16, 9:21; seed 0–4,294,967,294 where 0 means random; output_format
//! png; a `finish_reasons` entry of null is success, "Filter reason: …" a content-filter
//! refusal, "Inference error" a failure.
//!
//! `style_preset` and its 17 values come from Stability's own API reference for Stable Image
//! Core; the Bedrock page for Core lists only aspect_ratio, mode, output_format, seed and
//! negative_prompt. Should Bedrock refuse the field, the job fails with its
//! ValidationException in the log; remove the presets from [`CORE_STYLES`] then.

use std::time::Duration;

use rand::Rng;
use serde::Deserialize;
use serde_json::{Value, json};

use entity::generation::Task;

use super::image_services::{self, ImageService};
use super::{
    CatalogEntry, EditPictures, FilterSource, MAX_SEED, Session, Slice, binary_mask, decode_image,
    filtered_message, opaque_source,
};
use crate::engines::{
    Capabilities, EngineError, EngineImage, EngineJob, EngineOutput, FloatRange, InputRule,
    ModelDefaults, ModelInfo, SizeRule, SourceLimits, TaskLimits,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StabilityModel {
    Sd35Large,
    Ultra,
    Core,
    Service(ImageService),
}

pub const ASPECT_RATIOS: [(u32, u32); 9] = [
    (16, 9),
    (1, 1),
    (21, 9),
    (2, 3),
    (3, 2),
    (4, 5),
    (5, 4),
    (9, 16),
    (9, 21),
];

/// Stable Image Core's `style_preset` values.
pub const CORE_STYLES: [&str; 17] = [
    "3d-model",
    "analog-film",
    "anime",
    "cinematic",
    "comic-book",
    "digital-art",
    "enhance",
    "fantasy-art",
    "isometric",
    "line-art",
    "low-poly",
    "modeling-compound",
    "neon-punk",
    "origami",
    "photographic",
    "pixel-art",
    "tile-texture",
];

/// Images per job; each is its own call.
const MAX_IMAGES: u32 = 4;

/// SD3.5 Large's image-to-image: a source of at least 64 px a side.
fn image_to_image() -> TaskLimits {
    TaskLimits {
        strength: Some(FloatRange {
            min: 0.0,
            max: 1.0,
            default: 0.5,
        }),
        ..SourceLimits {
            min_side: 64,
            max_side: 4096,
            max_pixels: 9_437_184,
            max_output_side: 4096,
        }
        .task(
            Task::ImageToImage,
            InputRule::Required,
            InputRule::None,
            InputRule::None,
        )
    }
}

pub(crate) fn catalog(model_id: &str) -> Option<CatalogEntry> {
    if let Some(service) = image_services::catalog(model_id) {
        return Some(service);
    }
    let (model, name, description, latency) = match model_id {
        "stability.sd3-5-large-v1:0" => (
            StabilityModel::Sd35Large,
            "Stable Diffusion 3.5 Large",
            "Stability AI's Stable Diffusion 3.5 Large on Amazon Bedrock: detailed images of about one megapixel at the aspect ratio nearest your size.",
            Duration::from_secs(10),
        ),
        "stability.stable-image-ultra-v1:1" => (
            StabilityModel::Ultra,
            "Stable Image Ultra",
            "Stability AI's Stable Image Ultra on Amazon Bedrock: its highest-quality images, at the aspect ratio nearest your size.",
            Duration::from_secs(15),
        ),
        "stability.stable-image-core-v1:1" => (
            StabilityModel::Core,
            "Stable Image Core",
            "Stability AI's Stable Image Core on Amazon Bedrock: fast images with 17 style presets, at the aspect ratio nearest your size.",
            Duration::from_secs(5),
        ),
        _ => return None,
    };
    Some(CatalogEntry {
        info: ModelInfo {
            id: model_id.to_owned(),
            name: name.to_owned(),
            provider: "Stability AI".to_owned(),
            offline: false,
            description: description.to_owned(),
            capabilities: Capabilities {
                task_types: vec!["TEXT_IMAGE"],
                tasks: if model == StabilityModel::Sd35Large {
                    vec![TaskLimits::text_to_image(), image_to_image()]
                } else {
                    vec![TaskLimits::text_to_image()]
                },
                sizes: SizeRule::AspectRatios {
                    ratios: ASPECT_RATIOS.to_vec(),
                    min: 256,
                    max: 4096,
                },
                max_images: MAX_IMAGES,
                max_prompt_chars: 10_000,
                negative_prompt: true,
                max_seed: Some(MAX_SEED),
                cfg_scale: None,
                style_presets: if model == StabilityModel::Core {
                    CORE_STYLES.to_vec()
                } else {
                    Vec::new()
                },
                qualities: Vec::new(),
            },
            defaults: ModelDefaults {
                width: 1024,
                height: 1024,
                count: 1,
            },
        },
        family: super::Family::Stability(model),
        typical_latency: latency,
    })
}

/// The ratio a job asked for: the one stored in its params, or the nearest to its size.
fn aspect_ratio(job: &EngineJob) -> String {
    if let Some(ratio) = &job.params.aspect_ratio {
        return ratio.clone();
    }
    let wanted = (job.params.width.max(1) as f64 / job.params.height.max(1) as f64).ln();
    let (w, h) = ASPECT_RATIOS
        .iter()
        .copied()
        .min_by(|a, b| {
            let da = ((a.0 as f64 / a.1 as f64).ln() - wanted).abs();
            let db = ((b.0 as f64 / b.1 as f64).ln() - wanted).abs();
            da.total_cmp(&db)
        })
        .unwrap_or((1, 1));
    format!("{w}:{h}")
}

/// The `InvokeModel` body for one image made from `seed`; an edit sends `pictures`.
pub fn request_body(
    model: StabilityModel,
    job: &EngineJob,
    pictures: Option<&EditPictures>,
    seed: i64,
) -> Value {
    if let (StabilityModel::Service(service), Some(pictures)) = (model, pictures) {
        return image_services::request_body(service, job, pictures, seed);
    }
    let mut body = json!({
        "prompt": job.prompt,
        "seed": seed,
        "output_format": "png",
    });
    match pictures {
        Some(pictures) => {
            body["mode"] = json!("image-to-image");
            body["image"] = json!(pictures.image);
            body["strength"] = json!(job.params.edit.strength.unwrap_or(0.5));
        }
        None => body["aspect_ratio"] = json!(aspect_ratio(job)),
    }
    if let Some(negative) = job.negative_prompt.as_deref().filter(|n| !n.is_empty()) {
        body["negative_prompt"] = json!(negative);
    }
    if model == StabilityModel::Core
        && let Some(style) = &job.params.style_preset
    {
        body["style_preset"] = json!(style);
    }
    body
}

/// The base64 pictures an edit sends: the source without transparency, and the mask white
/// where the picture changes, as Stability reads it.
async fn edit_pictures(job: &EngineJob) -> Result<Option<EditPictures>, EngineError> {
    if job.task == Task::TextToImage {
        return Ok(None);
    }
    let mask = job.mask.as_deref().map(|m| binary_mask(m, 255));
    Ok(Some(EditPictures::encode(opaque_source(job)?, mask).await?))
}

#[derive(Debug, Deserialize)]
struct RawResponse {
    #[serde(default)]
    seeds: Vec<i64>,
    #[serde(default)]
    finish_reasons: Vec<Option<String>>,
    #[serde(default)]
    images: Vec<String>,
}

/// What one call gave.
#[derive(Debug, PartialEq)]
pub enum StabilityResponse {
    Image {
        b64: String,
        /// The seed the model reports it used.
        seed: Option<i64>,
    },
    /// The content filter refused; `input` when it was the prompt (or an input image), so
    /// that further calls with the same prompt would be refused too.
    Filtered { reason: String, input: bool },
}

pub fn parse_response(body: &[u8]) -> Result<StabilityResponse, EngineError> {
    let raw: RawResponse = serde_json::from_slice(body).map_err(|e| {
        EngineError::Internal(
            anyhow::Error::new(e).context("Bedrock's response is not the Stability JSON"),
        )
    })?;
    if let Some(reason) = raw.finish_reasons.iter().flatten().next() {
        let lower = reason.to_ascii_lowercase();
        if lower.starts_with("filter reason") {
            return Ok(StabilityResponse::Filtered {
                reason: reason.clone(),
                input: lower.contains("prompt") || lower.contains("input"),
            });
        }
        return Err(EngineError::Internal(anyhow::anyhow!(
            "the Stability model did not finish: {reason}"
        )));
    }
    let Some(b64) = raw.images.into_iter().next() else {
        return Err(EngineError::Internal(anyhow::anyhow!(
            "Bedrock's Stability response has neither an image nor a reason"
        )));
    };
    Ok(StabilityResponse::Image {
        b64,
        seed: raw.seeds.first().copied(),
    })
}

/// The seed to send for one image. Stability reads 0 as "random" and may then use seeds
/// above what RenderMart can show, so 0 is replaced by a random seed chosen here, which is
/// recorded and can be reused.
fn request_seed(job: &EngineJob, position: u32) -> i64 {
    match super::seed_for(job.params.seed, position, MAX_SEED) {
        0 => rand::rng().random_range(1..=MAX_SEED),
        seed => seed,
    }
}

pub(crate) async fn generate(
    session: &mut Session<'_>,
    model: StabilityModel,
    job: &EngineJob,
) -> Result<EngineOutput, EngineError> {
    let mut output = EngineOutput::default();
    let total = job.positions.len().max(1) as f64;
    let mut last_filter: Option<(String, bool)> = None;
    let pictures = edit_pictures(job).await?;
    for (n, &position) in job.positions.iter().enumerate() {
        let seed = request_seed(job, position);
        let body = request_body(model, job, pictures.as_ref(), seed);
        let slice = Slice {
            start: n as f64 / total,
            share: 1.0 / total,
            images: 1,
        };
        let remaining = (job.positions.len() - n) as u32;
        let bytes = match session.invoke(&body, slice).await {
            Ok(bytes) => bytes,
            Err(error) => {
                let error = EngineError::from(error);
                output.calls = session.calls;
                return match error {
                    // The prompt itself was refused: every further call would be too.
                    EngineError::ContentFiltered(_) if !output.images.is_empty() => {
                        output.filtered += remaining;
                        Ok(output)
                    }
                    error @ EngineError::ContentFiltered(_) => Err(error),
                    error if !output.images.is_empty() => {
                        // The images already made (and paid for) are kept; the job shows
                        // fewer than asked.
                        tracing::warn!(model = %session.model_id(), ?error, made = output.images.len(), "Bedrock failed part-way; keeping the images made");
                        Ok(output)
                    }
                    error => Err(error),
                };
            }
        };
        match parse_response(&bytes)? {
            StabilityResponse::Image { b64, seed: used } => {
                output.images.push(EngineImage {
                    position,
                    // The seed Bedrock reports is the one it used; it equals ours unless a
                    // model ignores the request's seed.
                    seed: used.filter(|s| (0..=MAX_SEED).contains(s)).unwrap_or(seed),
                    pixels: decode_image(b64).await?,
                });
            }
            StabilityResponse::Filtered { reason, input } => {
                output.filtered += 1;
                if input {
                    // Retrying the same prompt costs money and is refused again.
                    output.filtered += remaining - 1;
                    last_filter = Some((reason, true));
                    break;
                }
                last_filter = Some((reason, false));
            }
        }
    }
    output.calls = session.calls;
    if output.images.is_empty()
        && let Some((reason, input)) = last_filter
    {
        let source = if input {
            FilterSource::Input
        } else {
            FilterSource::Output
        };
        return Err(EngineError::ContentFiltered(filtered_message(
            source, &reason,
        )));
    }
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(width: u32, height: u32) -> EngineJob {
        let mut job = EngineJob::for_test(
            "stability.stable-image-core-v1:1",
            "a koi pond in autumn",
            width,
            height,
        );
        job.negative_prompt = Some("people".to_owned());
        job.params.seed = 1234;
        job.params.style_preset = Some("origami".to_owned());
        job
    }

    #[test]
    fn core_request_body_is_flat_with_ratio_seed_format_and_style() {
        let body = request_body(StabilityModel::Core, &job(1920, 1080), None, 1234);
        assert_eq!(
            body,
            json!({
                "prompt": "a koi pond in autumn",
                "negative_prompt": "people",
                "aspect_ratio": "16:9",
                "seed": 1234,
                "output_format": "png",
                "style_preset": "origami"
            })
        );
    }

    #[test]
    fn only_core_takes_a_style_preset_and_the_stored_ratio_wins() {
        let mut j = job(1000, 1000);
        j.negative_prompt = None;
        j.params.aspect_ratio = Some("2:3".to_owned());
        for model in [StabilityModel::Sd35Large, StabilityModel::Ultra] {
            assert_eq!(
                request_body(model, &j, None, 5),
                json!({
                    "prompt": "a koi pond in autumn",
                    "aspect_ratio": "2:3",
                    "seed": 5,
                    "output_format": "png"
                })
            );
        }
        j.params.aspect_ratio = None;
        assert_eq!(
            request_body(StabilityModel::Ultra, &j, None, 5)["aspect_ratio"],
            "1:1"
        );
        let tall = job(600, 1400);
        assert_eq!(
            request_body(StabilityModel::Sd35Large, &tall, None, 5)["aspect_ratio"],
            "9:21"
        );
    }

    #[tokio::test]
    async fn sd35_image_to_image_sends_the_source_and_strength_instead_of_a_ratio() {
        let mut j = job(640, 480);
        j.model = "stability.sd3-5-large-v1:0".to_owned();
        j.params.style_preset = None;
        j.task = Task::ImageToImage;
        j.params.edit.strength = Some(0.7);
        j.source = Some(std::sync::Arc::new(image::RgbaImage::new(640, 480)));
        let pictures = edit_pictures(&j).await.unwrap().unwrap();
        assert!(pictures.mask.is_none());
        let body = request_body(StabilityModel::Sd35Large, &j, Some(&pictures), 77);
        assert_eq!(
            body,
            json!({
                "prompt": "a koi pond in autumn",
                "negative_prompt": "people",
                "mode": "image-to-image",
                "image": pictures.image,
                "strength": 0.7,
                "seed": 77,
                "output_format": "png"
            })
        );
        let sd35 = catalog("stability.sd3-5-large-v1:0").unwrap().info;
        assert!(sd35.capabilities.task(Task::ImageToImage).is_ok());
        let ultra = catalog("stability.stable-image-ultra-v1:1").unwrap().info;
        assert!(ultra.capabilities.task(Task::ImageToImage).is_err());
    }

    #[test]
    fn a_successful_response_gives_the_image_and_the_seed_used() {
        let body = br#"{"seeds":[2130420379],"finish_reasons":[null],"images":["aGVsbG8="]}"#;
        assert_eq!(
            parse_response(body).unwrap(),
            StabilityResponse::Image {
                b64: "aGVsbG8=".into(),
                seed: Some(2_130_420_379)
            }
        );
    }

    #[test]
    fn filter_reasons_tell_prompt_refusals_from_output_refusals() {
        let prompt = br#"{"seeds":[1],"finish_reasons":["Filter reason: prompt"]}"#;
        assert_eq!(
            parse_response(prompt).unwrap(),
            StabilityResponse::Filtered {
                reason: "Filter reason: prompt".into(),
                input: true
            }
        );
        let output =
            br#"{"seeds":[1],"finish_reasons":["Filter reason: output image"],"images":[]}"#;
        assert!(matches!(
            parse_response(output).unwrap(),
            StabilityResponse::Filtered { input: false, .. }
        ));
    }

    #[test]
    fn inference_errors_and_empty_responses_fail_the_call() {
        assert!(matches!(
            parse_response(br#"{"seeds":[1],"finish_reasons":["Inference error"],"images":[]}"#),
            Err(EngineError::Internal(_))
        ));
        assert!(matches!(
            parse_response(br#"{"seeds":[],"finish_reasons":[]}"#),
            Err(EngineError::Internal(_))
        ));
        assert!(matches!(
            parse_response(b"null"),
            Err(EngineError::Internal(_))
        ));
    }

    #[test]
    fn seed_zero_is_never_sent_because_stability_reads_it_as_random() {
        let mut j = job(1024, 1024);
        j.params.seed = 0;
        for _ in 0..20 {
            let seed = request_seed(&j, 0);
            assert!((1..=MAX_SEED).contains(&seed));
        }
        assert_eq!(request_seed(&j, 3), 3);
    }

    #[test]
    fn capabilities_follow_the_documented_limits() {
        let core = catalog("stability.stable-image-core-v1:1").unwrap().info;
        assert_eq!(core.capabilities.style_presets.len(), 17);
        assert_eq!(core.capabilities.max_prompt_chars, 10_000);
        assert_eq!(
            core.capabilities.nearest_aspect_ratio(1920, 1080),
            Some((16, 9))
        );
        let ultra = catalog("stability.stable-image-ultra-v1:1").unwrap().info;
        assert!(ultra.capabilities.style_presets.is_empty());
        assert!(ultra.capabilities.cfg_scale.is_none());
        assert!(catalog("stability.sd3-5-large-v1:0").is_some());
    }
}
