//! Amazon Titan Image Generator G1 (v1, v2) and Amazon Nova Canvas: `TEXT_IMAGE` requests
//! with `textToImageParams` and `imageGenerationConfig`, answered with
//! `{"images": [base64...], "error": "..."}`.
//!
//! Limits, from the Amazon Bedrock user guide (model-parameters-titan-image) and the Amazon
//! Nova user guide (image-gen-req-resp-structure, image-gen-errors):
//! - Titan: text and negativeText ≤ 512 characters; numberOfImages 1–5; one of the documented
//!   width × height pairs; cfgScale 1.1–10 (default 8); seed 0–2,147,483,646; quality
//!   standard or premium.
//! - Nova Canvas: text and negativeText ≤ 1024 characters; width and height multiples of 16
//!   in 320–4096, fewer than 4,194,304 pixels, aspect ratio within 1:4..4:1; numberOfImages
//!   1–5; cfgScale 1.1–10 (default 6.5); seed 0–858,993,459; eight named styles.
//! - A 200 response may carry `error` when the content filter blocked some or all images;
//!   the blocked ones are left out of `images`.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    CatalogEntry, FilterSource, MAX_SEED, Session, Slice, decode_image, filtered_message,
    mentions_content_filter,
};
use crate::engines::{
    Capabilities, EngineError, EngineImage, EngineJob, EngineOutput, FloatRange, ModelDefaults,
    ModelInfo, SizeRule, TaskLimits,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmazonModel {
    TitanV1,
    TitanV2,
    NovaCanvas,
}

/// Titan's documented width × height pairs.
pub const TITAN_SIZES: [(u32, u32); 25] = [
    (1024, 1024),
    (768, 768),
    (512, 512),
    (768, 1152),
    (384, 576),
    (1152, 768),
    (576, 384),
    (768, 1280),
    (384, 640),
    (1280, 768),
    (640, 384),
    (896, 1152),
    (448, 576),
    (1152, 896),
    (576, 448),
    (768, 1408),
    (384, 704),
    (1408, 768),
    (704, 384),
    (640, 1408),
    (320, 704),
    (1408, 640),
    (704, 320),
    (1152, 640),
    (1173, 640),
];

pub const NOVA_STYLES: [&str; 8] = [
    "3D_ANIMATED_FAMILY_FILM",
    "DESIGN_SKETCH",
    "FLAT_VECTOR_ILLUSTRATION",
    "GRAPHIC_NOVEL_ILLUSTRATION",
    "MAXIMALISM",
    "MIDCENTURY_RETRO",
    "PHOTOREALISM",
    "SOFT_DIGITAL_PAINTING",
];

pub const NOVA_MAX_SEED: i64 = 858_993_459;

/// Images per call (and so per job): `numberOfImages` is 1–5.
const MAX_IMAGES: u32 = 5;

pub(crate) fn catalog(model_id: &str) -> Option<CatalogEntry> {
    let titan_caps = || Capabilities {
        task_types: vec!["TEXT_IMAGE"],
        tasks: vec![TaskLimits::text_to_image()],
        sizes: SizeRule::Fixed(TITAN_SIZES.to_vec()),
        max_images: MAX_IMAGES,
        max_prompt_chars: 512,
        negative_prompt: true,
        max_seed: Some(MAX_SEED),
        cfg_scale: Some(FloatRange {
            min: 1.1,
            max: 10.0,
            default: 8.0,
        }),
        style_presets: Vec::new(),
        qualities: vec!["standard", "premium"],
    };
    let defaults = ModelDefaults {
        width: 1024,
        height: 1024,
        count: 1,
    };
    let (model, name, description, capabilities, latency) = match model_id {
        "amazon.titan-image-generator-v1" => (
            AmazonModel::TitanV1,
            "Amazon Titan Image Generator G1",
            "Amazon's first Titan image model on Amazon Bedrock: photorealistic images from prompts of up to 512 characters, in 25 fixed sizes.",
            titan_caps(),
            Duration::from_secs(8),
        ),
        "amazon.titan-image-generator-v2:0" => (
            AmazonModel::TitanV2,
            "Amazon Titan Image Generator G1 v2",
            "Amazon's Titan image model, version 2, on Amazon Bedrock: prompts of up to 512 characters, 25 fixed sizes, standard or premium quality.",
            titan_caps(),
            Duration::from_secs(8),
        ),
        "amazon.nova-canvas-v1:0" => (
            AmazonModel::NovaCanvas,
            "Amazon Nova Canvas",
            "Amazon Nova Canvas on Amazon Bedrock: prompts of up to 1024 characters, free sizes in steps of 16 up to about 4 megapixels, eight named styles.",
            Capabilities {
                task_types: vec!["TEXT_IMAGE"],
                tasks: vec![TaskLimits::text_to_image()],
                sizes: SizeRule::Range {
                    min: 320,
                    max: 4096,
                    step: 16,
                    // "fewer than 4,194,304 pixels": SizeRule's limit is inclusive.
                    max_pixels: Some(4_194_303),
                    max_aspect: Some(4.0),
                },
                max_images: MAX_IMAGES,
                max_prompt_chars: 1024,
                negative_prompt: true,
                max_seed: Some(NOVA_MAX_SEED),
                cfg_scale: Some(FloatRange {
                    min: 1.1,
                    max: 10.0,
                    default: 6.5,
                }),
                style_presets: NOVA_STYLES.to_vec(),
                qualities: vec!["standard", "premium"],
            },
            Duration::from_secs(10),
        ),
        _ => return None,
    };
    Some(CatalogEntry {
        info: ModelInfo {
            id: model_id.to_owned(),
            name: name.to_owned(),
            provider: "Amazon".to_owned(),
            offline: false,
            description: description.to_owned(),
            capabilities,
            defaults,
        },
        family: super::Family::Amazon(model),
        typical_latency: latency,
    })
}

/// The `InvokeModel` body for `number_of_images` images starting at `seed`.
pub fn request_body(
    model: AmazonModel,
    job: &EngineJob,
    number_of_images: u32,
    seed: i64,
) -> Value {
    let mut text = json!({ "text": job.prompt });
    if let Some(negative) = job.negative_prompt.as_deref().filter(|n| !n.is_empty()) {
        text["negativeText"] = json!(negative);
    }
    if model == AmazonModel::NovaCanvas
        && let Some(style) = &job.params.style_preset
    {
        text["style"] = json!(style);
    }
    let mut config = json!({
        "numberOfImages": number_of_images,
        "width": job.params.width,
        "height": job.params.height,
        "seed": seed,
    });
    if let Some(cfg) = job.params.cfg_scale {
        config["cfgScale"] = json!(cfg);
    }
    if let Some(quality) = &job.params.quality {
        config["quality"] = json!(quality);
    }
    json!({
        "taskType": "TEXT_IMAGE",
        "textToImageParams": text,
        "imageGenerationConfig": config,
    })
}

#[derive(Debug, Deserialize)]
struct RawResponse {
    #[serde(default)]
    images: Option<Vec<String>>,
    #[serde(default)]
    error: Option<String>,
}

/// A parsed 200 response.
#[derive(Debug, PartialEq)]
pub struct AmazonResponse {
    /// Base64 images, in order.
    pub images: Vec<String>,
    /// Images asked for but withheld by the content filter.
    pub filtered: u32,
    /// Bedrock's `error`, when set.
    pub error: Option<String>,
}

/// Reads a response to a request for `requested` images. An `error` that is not about the
/// content filter fails the call, even with images present: AWS's own examples treat a set
/// `error` as failure.
pub fn parse_response(body: &[u8], requested: u32) -> Result<AmazonResponse, EngineError> {
    let raw: RawResponse = serde_json::from_slice(body).map_err(|e| {
        EngineError::Internal(
            anyhow::Error::new(e).context("Bedrock's response is not the Titan/Nova JSON"),
        )
    })?;
    let images = raw.images.unwrap_or_default();
    let error = raw.error.filter(|e| !e.trim().is_empty());
    match &error {
        Some(message) if !mentions_content_filter(message) => {
            return Err(EngineError::Internal(anyhow::anyhow!(
                "Bedrock returned an error with status 200: {message}"
            )));
        }
        _ => {}
    }
    let missing = requested.saturating_sub(images.len() as u32);
    if error.is_none() && missing > 0 {
        return Err(EngineError::Internal(anyhow::anyhow!(
            "Bedrock returned {} of {requested} images without saying why",
            images.len()
        )));
    }
    Ok(AmazonResponse {
        images,
        filtered: missing,
        error,
    })
}

pub(crate) async fn generate(
    session: &mut Session<'_>,
    model: AmazonModel,
    job: &EngineJob,
) -> Result<EngineOutput, EngineError> {
    let mut output = EngineOutput::default();
    let max_seed = if model == AmazonModel::NovaCanvas {
        NOVA_MAX_SEED
    } else {
        MAX_SEED
    };
    // One call makes up to five images; a job never asks for more, but a resumed job may ask
    // for fewer (only the positions still missing).
    let chunks: Vec<&[u32]> = job.positions.chunks(MAX_IMAGES as usize).collect();
    let total = job.positions.len().max(1) as f64;
    let mut done = 0usize;
    for positions in chunks {
        let count = positions.len() as u32;
        let first = positions.first().copied().unwrap_or(0);
        let seed = super::seed_for(job.params.seed, first, max_seed);
        let body = request_body(model, job, count, seed);
        let slice = Slice {
            start: done as f64 / total,
            share: count as f64 / total,
            images: count,
        };
        let bytes = match session.invoke(&body, slice).await {
            Ok(bytes) => bytes,
            Err(error) => {
                output.calls = session.calls;
                return finish_early(output, error.into(), job.positions.len() - done);
            }
        };
        let response = parse_response(&bytes, count)?;
        if response.images.is_empty() {
            output.calls = session.calls;
            let error = EngineError::ContentFiltered(filtered_message(
                FilterSource::Output,
                response.error.as_deref().unwrap_or_default(),
            ));
            return finish_early(output, error, job.positions.len() - done);
        }
        output.filtered += response.filtered;
        // The model returns the images it kept in order; the filtered ones leave the last
        // positions of this call empty.
        for (position, b64) in positions.iter().zip(response.images) {
            output.images.push(EngineImage {
                position: *position,
                // One call, one seed: each image of the call was made from it.
                seed,
                pixels: decode_image(b64).await?,
            });
        }
        done += positions.len();
    }
    output.calls = session.calls;
    Ok(output)
}

/// An error after some images were made keeps them: the rest count as filtered when the
/// filter stopped them, otherwise the error ends the job.
fn finish_early(
    mut output: EngineOutput,
    error: EngineError,
    remaining: usize,
) -> Result<EngineOutput, EngineError> {
    match error {
        EngineError::ContentFiltered(_) if !output.images.is_empty() => {
            output.filtered += remaining as u32;
            Ok(output)
        }
        error => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::GenerationParams;

    fn job(model: &str, width: u32, height: u32) -> EngineJob {
        EngineJob {
            model: model.to_owned(),
            prompt: "a lighthouse at dawn".to_owned(),
            negative_prompt: Some("fog".to_owned()),
            params: GenerationParams {
                width,
                height,
                count: 2,
                seed: 42,
                cfg_scale: Some(8.0),
                style_preset: None,
                quality: Some("premium".to_owned()),
                aspect_ratio: None,
                edit: Default::default(),
            },
            task: entity::generation::Task::TextToImage,
            source: None,
            mask: None,
            positions: vec![0, 1],
        }
    }

    #[test]
    fn titan_request_body_is_the_documented_text_image_shape() {
        let body = request_body(
            AmazonModel::TitanV2,
            &job("amazon.titan-image-generator-v2:0", 1152, 768),
            2,
            42,
        );
        assert_eq!(
            body,
            json!({
                "taskType": "TEXT_IMAGE",
                "textToImageParams": { "text": "a lighthouse at dawn", "negativeText": "fog" },
                "imageGenerationConfig": {
                    "numberOfImages": 2,
                    "width": 1152,
                    "height": 768,
                    "cfgScale": 8.0,
                    "seed": 42,
                    "quality": "premium"
                }
            })
        );
    }

    #[test]
    fn nova_request_body_carries_its_style_and_leaves_out_what_was_not_asked() {
        let mut j = job("amazon.nova-canvas-v1:0", 1280, 720);
        j.negative_prompt = None;
        j.params.cfg_scale = Some(6.5);
        j.params.quality = None;
        j.params.style_preset = Some("PHOTOREALISM".to_owned());
        let body = request_body(AmazonModel::NovaCanvas, &j, 1, 7);
        assert_eq!(
            body,
            json!({
                "taskType": "TEXT_IMAGE",
                "textToImageParams": { "text": "a lighthouse at dawn", "style": "PHOTOREALISM" },
                "imageGenerationConfig": {
                    "numberOfImages": 1,
                    "width": 1280,
                    "height": 720,
                    "cfgScale": 6.5,
                    "seed": 7
                }
            })
        );
        // Titan has no styles: a style never reaches its body.
        let titan = request_body(AmazonModel::TitanV1, &j, 1, 7);
        assert!(titan["textToImageParams"].get("style").is_none());
    }

    #[test]
    fn a_full_response_gives_every_image() {
        let body = br#"{"images":["aGVsbG8=","d29ybGQ="],"error":null}"#;
        assert_eq!(
            parse_response(body, 2).unwrap(),
            AmazonResponse {
                images: vec!["aGVsbG8=".into(), "d29ybGQ=".into()],
                filtered: 0,
                error: None
            }
        );
    }

    #[test]
    fn a_partly_filtered_response_keeps_the_rest_and_counts_the_missing() {
        let body = br#"{"images":["aGVsbG8="],"error":"Some of the generated images were blocked by our content filters."}"#;
        let parsed = parse_response(body, 3).unwrap();
        assert_eq!(parsed.images.len(), 1);
        assert_eq!(parsed.filtered, 2);
        assert!(parsed.error.unwrap().contains("content filters"));
    }

    #[test]
    fn a_wholly_filtered_response_has_no_images_and_says_why() {
        let body = br#"{"images":[],"error":"All of the generated images have been blocked by our content filters."}"#;
        let parsed = parse_response(body, 2).unwrap();
        assert!(parsed.images.is_empty());
        assert_eq!(parsed.filtered, 2);
    }

    #[test]
    fn other_errors_and_malformed_bodies_fail_the_call() {
        assert!(matches!(
            parse_response(
                br#"{"images":["aGVsbG8="],"error":"Internal model failure"}"#,
                1
            ),
            Err(EngineError::Internal(_))
        ));
        assert!(matches!(
            parse_response(b"<html>", 1),
            Err(EngineError::Internal(_))
        ));
        assert!(matches!(
            parse_response(br#"{"images":["aGVsbG8="]}"#, 2),
            Err(EngineError::Internal(_))
        ));
    }

    #[test]
    fn capabilities_follow_the_documented_limits() {
        let titan = catalog("amazon.titan-image-generator-v2:0").unwrap().info;
        let caps = &titan.capabilities;
        assert!(caps.accepts_size(1173, 640));
        assert!(!caps.accepts_size(1000, 1000));
        assert_eq!(caps.max_prompt_chars, 512);
        assert_eq!(caps.max_images, 5);
        assert!(caps.accepts_size(titan.defaults.width, titan.defaults.height));

        let nova = catalog("amazon.nova-canvas-v1:0").unwrap().info;
        let caps = &nova.capabilities;
        assert!(caps.accepts_size(2048, 2032));
        assert!(
            !caps.accepts_size(2048, 2048),
            "4,194,304 pixels is one too many"
        );
        assert!(!caps.accepts_size(1000, 1024), "not a multiple of 16");
        assert!(!caps.accepts_size(320, 1600), "more elongated than 1:4");
        assert!(caps.accepts_size(320, 1280));
        assert_eq!(caps.max_seed, Some(858_993_459));
        assert_eq!(caps.style_presets.len(), 8);
        assert!(catalog("amazon.titan-image-generator-v3").is_none());
    }
}
