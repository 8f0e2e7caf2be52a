//! Amazon Titan Image Generator G1 (v1, v2) and Amazon Nova Canvas: a `taskType` with its
//! params object and `imageGenerationConfig`, answered with
//! `{"images": [base64...], "error": "..."}`. Tasks: `TEXT_IMAGE`, `INPAINTING` (also
//! ERASE: inpainting without text fills the mask with background), `OUTPAINTING`,
//! `IMAGE_VARIATION`, and `BACKGROUND_REMOVAL` on Titan v2 and Nova.
//!
//! Edit inputs: masks are black where the picture changes (RenderMart's are white), so they
//! are inverted, and made pure black and white. Outpainting extends "the region defined by
//! the mask" and keeps the output the input's size, so the source is placed on a canvas of
//! the new size and the mask covers the source (kept, `PRECISE`) while the margins are
//! painted. Variation's `similarityStrength` (0.2–1, closeness) is `1 − strength`.
//! Edit sources: Titan's longer side ≤ 1,408 (documented); Nova's sides 320–4,096 and fewer
//! than 4,194,304 pixels, as for its outputs. Titan's shortest side (256) is not documented.
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

use entity::generation::Task;

use super::{
    CatalogEntry, EditPictures, FilterSource, MAX_SEED, Session, Slice, binary_mask, decode_image,
    filtered_message, mentions_content_filter, opaque_source,
};
use crate::engines::{
    Capabilities, EngineError, EngineImage, EngineJob, EngineOutput, FloatRange, InputRule,
    ModelDefaults, ModelInfo, SizeRule, SourceLimits, TaskLimits,
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

const TITAN_EDIT_SOURCE: SourceLimits = SourceLimits {
    min_side: 256,
    max_side: 1408,
    max_pixels: 1408 * 1408,
    max_output_side: 1408,
};

const NOVA_EDIT_SOURCE: SourceLimits = SourceLimits {
    min_side: 320,
    max_side: 4096,
    max_pixels: 4_194_303,
    max_output_side: 4096,
};

/// What a Titan or Nova model does, and the provider's names for it.
fn tasks(model: AmazonModel) -> (Vec<&'static str>, Vec<TaskLimits>) {
    use InputRule::{None as No, Optional, Required};
    let source = if model == AmazonModel::NovaCanvas {
        NOVA_EDIT_SOURCE
    } else {
        TITAN_EDIT_SOURCE
    };
    let mut names = vec!["TEXT_IMAGE", "INPAINTING", "OUTPAINTING", "IMAGE_VARIATION"];
    let mut limits = vec![
        TaskLimits::text_to_image(),
        // A painted mask or words naming what to change (`maskPrompt`), not both.
        source.task(Task::Inpaint, Required, Required, Optional),
        source.task(Task::Erase, No, Required, Optional),
        TaskLimits {
            max_outpaint: Some(source.max_side),
            ..source.task(Task::Outpaint, Required, No, No)
        },
        TaskLimits {
            // similarityStrength 0.2–1 is 1 − strength.
            strength: Some(FloatRange {
                min: 0.0,
                max: 0.8,
                default: 0.3,
            }),
            ..source.task(Task::Variation, Optional, No, No)
        },
    ];
    if model != AmazonModel::TitanV1 {
        names.push("BACKGROUND_REMOVAL");
        limits.push(TaskLimits {
            max_images: Some(1),
            ..source.task(Task::RemoveBackground, No, No, No)
        });
    }
    (names, limits)
}

pub(crate) fn catalog(model_id: &str) -> Option<CatalogEntry> {
    let titan_caps = |model| Capabilities {
        task_types: tasks(model).0,
        tasks: tasks(model).1,
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
            titan_caps(AmazonModel::TitanV1),
            Duration::from_secs(8),
        ),
        "amazon.titan-image-generator-v2:0" => (
            AmazonModel::TitanV2,
            "Amazon Titan Image Generator G1 v2",
            "Amazon's Titan image model, version 2, on Amazon Bedrock: prompts of up to 512 characters, 25 fixed sizes, standard or premium quality.",
            titan_caps(AmazonModel::TitanV2),
            Duration::from_secs(8),
        ),
        "amazon.nova-canvas-v1:0" => (
            AmazonModel::NovaCanvas,
            "Amazon Nova Canvas",
            "Amazon Nova Canvas on Amazon Bedrock: prompts of up to 1024 characters, free sizes in steps of 16 up to about 4 megapixels, eight named styles.",
            Capabilities {
                task_types: tasks(AmazonModel::NovaCanvas).0,
                tasks: tasks(AmazonModel::NovaCanvas).1,
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

/// The `InvokeModel` body for `number_of_images` images starting at `seed`; an edit sends
/// `pictures` (see [`edit_pictures`]).
pub fn request_body(
    model: AmazonModel,
    job: &EngineJob,
    pictures: Option<&EditPictures>,
    number_of_images: u32,
    seed: i64,
) -> Value {
    let Some(pictures) = pictures else {
        let mut text = texts(job);
        if model == AmazonModel::NovaCanvas
            && let Some(style) = &job.params.style_preset
        {
            text["style"] = json!(style);
        }
        let size = (job.params.width, job.params.height);
        return json!({
            "taskType": "TEXT_IMAGE",
            "textToImageParams": text,
            "imageGenerationConfig": generation_config(job, number_of_images, seed, Some(size)),
        });
    };
    match job.task {
        Task::RemoveBackground => {
            return json!({
                "taskType": "BACKGROUND_REMOVAL",
                "backgroundRemovalParams": { "image": pictures.image },
            });
        }
        Task::Variation => {
            let size = variation_size(model, (job.params.width, job.params.height));
            let mut params = texts(job);
            params["images"] = json!([pictures.image]);
            let strength = job.params.edit.strength.unwrap_or(0.3);
            params["similarityStrength"] = json!(((1.0 - strength) * 100.0).round() / 100.0);
            return json!({
                "taskType": "IMAGE_VARIATION",
                "imageVariationParams": params,
                "imageGenerationConfig": generation_config(job, number_of_images, seed, Some(size)),
            });
        }
        _ => {}
    }
    let mut params = texts(job);
    params["image"] = json!(pictures.image);
    match (&pictures.mask, &job.params.edit.mask_prompt) {
        (Some(mask), _) => params["maskImage"] = json!(mask),
        (None, Some(words)) => params["maskPrompt"] = json!(words),
        (None, None) => {}
    }
    let (task_type, params_field) = if job.task == Task::Outpaint {
        params["outPaintingMode"] = json!("PRECISE");
        ("OUTPAINTING", "outPaintingParams")
    } else {
        ("INPAINTING", "inPaintingParams")
    };
    json!({
        "taskType": task_type,
        params_field: params,
        "imageGenerationConfig": generation_config(job, number_of_images, seed, None),
    })
}

/// `text` and `negativeText`, each when there is one.
fn texts(job: &EngineJob) -> Value {
    let mut text = json!({});
    if !job.prompt.trim().is_empty() {
        text["text"] = json!(job.prompt);
    }
    if let Some(negative) = job.negative_prompt.as_deref().filter(|n| !n.is_empty()) {
        text["negativeText"] = json!(negative);
    }
    text
}

/// `imageGenerationConfig`; an inpainting or outpainting result has its input's size, so
/// those send none.
fn generation_config(
    job: &EngineJob,
    number_of_images: u32,
    seed: i64,
    size: Option<(u32, u32)>,
) -> Value {
    let mut config = json!({ "numberOfImages": number_of_images, "seed": seed });
    if let Some((width, height)) = size {
        config["width"] = json!(width);
        config["height"] = json!(height);
    }
    if let Some(cfg) = job.params.cfg_scale {
        config["cfgScale"] = json!(cfg);
    }
    if let Some(quality) = &job.params.quality {
        config["quality"] = json!(quality);
    }
    config
}

/// The size a variation of a `source`-sized picture is made at: Titan's documented size of
/// the nearest shape (the larger of two alike), Nova's the source rounded down to steps of 16.
fn variation_size(model: AmazonModel, (width, height): (u32, u32)) -> (u32, u32) {
    if model == AmazonModel::NovaCanvas {
        let side = |s: u32| (s / 16 * 16).clamp(320, 4096);
        return (side(width), side(height));
    }
    let wanted = (f64::from(width.max(1)) / f64::from(height.max(1))).ln();
    let distance = |&(w, h): &(u32, u32)| ((f64::from(w) / f64::from(h)).ln() - wanted).abs();
    TITAN_SIZES
        .iter()
        .copied()
        .min_by(|a, b| {
            distance(a)
                .total_cmp(&distance(b))
                .then((b.0 * b.1).cmp(&(a.0 * a.1)))
        })
        .unwrap_or((1024, 1024))
}

/// The base64 pictures an edit sends: the source without transparency, and the mask black
/// where the picture changes. An outpaint sends the source on the larger canvas, with a mask
/// over the source (the region kept).
pub async fn edit_pictures(job: &EngineJob) -> Result<Option<EditPictures>, EngineError> {
    if job.task == Task::TextToImage {
        return Ok(None);
    }
    let source = opaque_source(job)?;
    let (image, mask) = match (job.task, job.params.edit.outpaint) {
        (Task::Outpaint, Some(margins)) => {
            let (w, h) = (
                source.width() + margins.left + margins.right,
                source.height() + margins.top + margins.bottom,
            );
            let mut canvas = image::RgbImage::from_pixel(w, h, image::Rgb([128, 128, 128]));
            image::imageops::replace(
                &mut canvas,
                &source,
                i64::from(margins.left),
                i64::from(margins.top),
            );
            let inside = |x: u32, y: u32| {
                (margins.left..margins.left + source.width()).contains(&x)
                    && (margins.top..margins.top + source.height()).contains(&y)
            };
            let keep = image::GrayImage::from_fn(w, h, |x, y| {
                image::Luma([if inside(x, y) { 0 } else { 255 }])
            });
            (canvas, Some(keep))
        }
        _ => (source, job.mask.as_deref().map(|m| binary_mask(m, 0))),
    };
    Ok(Some(EditPictures::encode(image, mask).await?))
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
    let pictures = edit_pictures(job).await?;
    let chunks: Vec<&[u32]> = job.positions.chunks(MAX_IMAGES as usize).collect();
    let total = job.positions.len().max(1) as f64;
    let mut done = 0usize;
    for positions in chunks {
        let count = positions.len() as u32;
        let first = positions.first().copied().unwrap_or(0);
        let seed = super::seed_for(job.params.seed, first, max_seed);
        let body = request_body(model, job, pictures.as_ref(), count, seed);
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

    fn job(model: &str, width: u32, height: u32) -> EngineJob {
        let mut job = EngineJob::for_test(model, "a lighthouse at dawn", width, height);
        job.negative_prompt = Some("fog".to_owned());
        job.params.count = 2;
        job.params.seed = 42;
        job.params.cfg_scale = Some(8.0);
        job.params.quality = Some("premium".to_owned());
        job.positions = vec![0, 1];
        job
    }

    #[test]
    fn titan_request_body_is_the_documented_text_image_shape() {
        let body = request_body(
            AmazonModel::TitanV2,
            &job("amazon.titan-image-generator-v2:0", 1152, 768),
            None,
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
        let body = request_body(AmazonModel::NovaCanvas, &j, None, 1, 7);
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
        let titan = request_body(AmazonModel::TitanV1, &j, None, 1, 7);
        assert!(titan["textToImageParams"].get("style").is_none());
    }

    /// An edit job on a 4×2 source whose left half the mask marks for change.
    fn edit_job(task: Task) -> EngineJob {
        let mut j = job("amazon.titan-image-generator-v2:0", 4, 2);
        j.params.count = 1;
        j.params.cfg_scale = None;
        j.params.quality = None;
        j.task = task;
        j.source = Some(std::sync::Arc::new(image::RgbaImage::from_pixel(
            4,
            2,
            image::Rgba([10, 20, 30, 0]),
        )));
        j.mask = Some(std::sync::Arc::new(image::GrayImage::from_fn(
            4,
            2,
            |x, _| image::Luma([if x < 2 { 255 } else { 0 }]),
        )));
        j
    }

    fn decode(b64: &Value) -> image::DynamicImage {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap())
            .unwrap();
        image::load_from_memory(&bytes).unwrap()
    }

    #[tokio::test]
    async fn inpainting_sends_the_opaque_source_and_the_mask_black_where_it_changes() {
        let j = edit_job(Task::Inpaint);
        let pictures = edit_pictures(&j).await.unwrap().unwrap();
        let body = request_body(AmazonModel::TitanV2, &j, Some(&pictures), 1, 9);
        assert_eq!(body["taskType"], "INPAINTING");
        let params = &body["inPaintingParams"];
        assert_eq!(params["text"], "a lighthouse at dawn");
        assert_eq!(params["negativeText"], "fog");
        assert!(params.get("maskPrompt").is_none());
        assert_eq!(
            body["imageGenerationConfig"],
            json!({ "numberOfImages": 1, "seed": 9 }),
            "the result has the source's size: no width or height"
        );
        let source = decode(&params["image"]).to_rgba8();
        assert_eq!(source.get_pixel(0, 0).0, [10, 20, 30, 255], "alpha dropped");
        let mask = decode(&params["maskImage"]).to_luma8();
        assert_eq!((mask.get_pixel(0, 0)[0], mask.get_pixel(3, 1)[0]), (0, 255));
    }

    #[tokio::test]
    async fn erasing_is_inpainting_without_text_and_words_can_stand_for_the_mask() {
        let mut j = edit_job(Task::Erase);
        j.prompt = String::new();
        j.negative_prompt = None;
        j.mask = None;
        j.params.edit.mask_prompt = Some("the red car".into());
        let pictures = edit_pictures(&j).await.unwrap().unwrap();
        let body = request_body(AmazonModel::NovaCanvas, &j, Some(&pictures), 1, 9);
        let params = body["inPaintingParams"].as_object().unwrap();
        let mut keys: Vec<&str> = params.keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["image", "maskPrompt"]);
        assert_eq!(params["maskPrompt"], "the red car");
    }

    #[tokio::test]
    async fn outpainting_sends_the_source_on_the_new_canvas_with_a_mask_keeping_it() {
        let mut j = edit_job(Task::Outpaint);
        j.mask = None;
        j.params.edit.outpaint = Some(crate::engines::Outpaint {
            left: 3,
            right: 1,
            top: 0,
            bottom: 2,
        });
        let pictures = edit_pictures(&j).await.unwrap().unwrap();
        let body = request_body(AmazonModel::TitanV1, &j, Some(&pictures), 2, 9);
        assert_eq!(body["taskType"], "OUTPAINTING");
        let params = &body["outPaintingParams"];
        assert_eq!(params["outPaintingMode"], "PRECISE");
        let canvas = decode(&params["image"]).to_rgb8();
        assert_eq!(canvas.dimensions(), (8, 4));
        assert_eq!(canvas.get_pixel(3, 0).0, [10, 20, 30]);
        let mask = decode(&params["maskImage"]).to_luma8();
        assert_eq!(mask.dimensions(), (8, 4));
        assert_eq!(mask.get_pixel(3, 0)[0], 0, "the source is kept");
        assert_eq!(mask.get_pixel(0, 0)[0], 255, "the margin is painted");
        assert_eq!(mask.get_pixel(3, 2)[0], 255);
    }

    #[tokio::test]
    async fn variation_turns_strength_into_similarity_at_a_size_the_model_makes() {
        let mut j = edit_job(Task::Variation);
        j.mask = None;
        j.params.width = 1200;
        j.params.height = 800;
        j.params.edit.strength = Some(0.25);
        let pictures = edit_pictures(&j).await.unwrap().unwrap();
        let body = request_body(AmazonModel::TitanV2, &j, Some(&pictures), 3, 9);
        assert_eq!(body["taskType"], "IMAGE_VARIATION");
        let params = &body["imageVariationParams"];
        assert_eq!(params["similarityStrength"], 0.75);
        assert_eq!(params["images"].as_array().unwrap().len(), 1);
        assert_eq!(
            body["imageGenerationConfig"],
            json!({ "numberOfImages": 3, "seed": 9, "width": 1152, "height": 768 })
        );
        let nova = request_body(AmazonModel::NovaCanvas, &j, Some(&pictures), 1, 9);
        assert_eq!(nova["imageGenerationConfig"]["width"], 1200);
        assert_eq!(
            variation_size(AmazonModel::NovaCanvas, (1000, 330)),
            (992, 320)
        );
    }

    #[tokio::test]
    async fn background_removal_sends_the_image_alone() {
        let mut j = edit_job(Task::RemoveBackground);
        j.prompt = String::new();
        j.mask = None;
        let pictures = edit_pictures(&j).await.unwrap().unwrap();
        let body = request_body(AmazonModel::TitanV2, &j, Some(&pictures), 1, 9);
        assert_eq!(
            body,
            json!({
                "taskType": "BACKGROUND_REMOVAL",
                "backgroundRemovalParams": { "image": pictures.image }
            })
        );
    }

    #[test]
    fn titan_v1_cannot_remove_backgrounds_and_titan_sources_stop_at_1408() {
        let v1 = catalog("amazon.titan-image-generator-v1").unwrap().info;
        assert!(v1.capabilities.task(Task::RemoveBackground).is_err());
        let v2 = catalog("amazon.titan-image-generator-v2:0").unwrap().info;
        let inpaint = v2.capabilities.task(Task::Inpaint).unwrap();
        assert_eq!(inpaint.max_source_side, 1408);
        assert_eq!(
            v2.capabilities.task_types.last(),
            Some(&"BACKGROUND_REMOVAL")
        );
        let nova = catalog("amazon.nova-canvas-v1:0").unwrap().info;
        assert_eq!(
            nova.capabilities
                .task(Task::Outpaint)
                .unwrap()
                .max_output_side,
            4096
        );
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
