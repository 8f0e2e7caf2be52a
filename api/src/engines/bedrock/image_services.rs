//! Stability AI Image Services on Bedrock: one model id per edit, each taking a flat JSON body
//! with the source as base64 (`image`) and answering like the other Stability models
//! (`{"seeds", "finish_reasons", "images"}`). Each is offered as its own model with the one
//! task it does; subscribing to one enrols the account in all.
//!
//! Bodies and limits, from the Amazon Bedrock user guide (stable-image-services) and
//! Stability's API reference, which the Bedrock services follow:
//! - inpaint: `image`, `mask` (white = change), `prompt`, `negative_prompt`, `seed`;
//! - outpaint: `image`, `left` `right` `up` `down` (0–2,000 each), `prompt` (optional), `seed`;
//! - erase object: `image`, `mask`, `seed`;
//! - search and replace: `image`, `prompt`, `search_prompt`, `negative_prompt`, `seed`;
//! - search and recolor: `image`, `prompt`, `select_prompt`, `negative_prompt`, `seed`;
//! - remove background: `image`;
//! - fast upscale: `image`, four times its size, from 32–1,536 px a side and
//!   1,024–1,048,576 pixels;
//! - conservative upscale: `image`, `prompt`, `creativity` 0.2–0.5, to about 4 megapixels;
//! - creative upscale: `image` of at most 1,048,576 pixels, `prompt`, `creativity` 0.1–0.5.
//!
//! Sources are at least 64 px a side and at most 9,437,184 pixels unless said otherwise;
//! every answer is a PNG (`output_format`). RenderMart's `strength` (distance from the
//! source) is the upscalers' `creativity`.

use std::time::Duration;

use entity::generation::Task;
use serde_json::{Value, json};

use super::EditPictures;
use super::stability::StabilityModel;
use crate::engines::{
    Capabilities, EngineJob, FloatRange, InputRule, ModelDefaults, ModelInfo, SizeRule,
    SourceLimits, TaskLimits,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageService {
    Inpaint,
    Outpaint,
    EraseObject,
    SearchReplace,
    SearchRecolor,
    RemoveBackground,
    FastUpscale,
    ConservativeUpscale,
    CreativeUpscale,
}

/// Every service: model id, name, what it does for the `models` list.
pub const SERVICES: [(&str, ImageService, &str, &str); 9] = [
    (
        "stability.stable-image-inpaint-v1:0",
        ImageService::Inpaint,
        "Stable Image Inpaint",
        "Repaints the area you mask with what the prompt describes.",
    ),
    (
        "stability.stable-outpaint-v1:0",
        ImageService::Outpaint,
        "Stable Image Outpaint",
        "Extends a picture beyond its edges, up to 2,000 pixels a side.",
    ),
    (
        "stability.stable-image-erase-object-v1:0",
        ImageService::EraseObject,
        "Stable Image Erase Object",
        "Removes what you mask and fills the area with its surroundings.",
    ),
    (
        "stability.stable-image-search-replace-v1:0",
        ImageService::SearchReplace,
        "Stable Image Search and Replace",
        "Finds what you name and replaces it with what the prompt describes, no mask needed.",
    ),
    (
        "stability.stable-image-search-recolor-v1:0",
        ImageService::SearchRecolor,
        "Stable Image Search and Recolor",
        "Finds what you name and recolours it as the prompt says, no mask needed.",
    ),
    (
        "stability.stable-image-remove-background-v1:0",
        ImageService::RemoveBackground,
        "Stable Image Remove Background",
        "Cuts out the subject onto a transparent background.",
    ),
    (
        "stability.stable-fast-upscale-v1:0",
        ImageService::FastUpscale,
        "Stable Image Fast Upscale",
        "Makes a picture of up to 1,536 pixels a side four times larger, in about a second.",
    ),
    (
        "stability.stable-conservative-upscale-v1:0",
        ImageService::ConservativeUpscale,
        "Stable Image Conservative Upscale",
        "Upscales to about 4 megapixels keeping the picture's details, guided by a prompt.",
    ),
    (
        "stability.stable-creative-upscale-v1:0",
        ImageService::CreativeUpscale,
        "Stable Image Creative Upscale",
        "Upscales small or degraded pictures to about 4 megapixels, reimagining details from a prompt.",
    ),
];

const SOURCE: SourceLimits = SourceLimits {
    min_side: 64,
    max_side: 4096,
    max_pixels: 9_437_184,
    max_output_side: 4096,
};

/// The one task a service does, with its limits.
fn task(service: ImageService) -> TaskLimits {
    use InputRule::{None as No, Optional, Required};
    let creativity = |min, default| {
        Some(FloatRange {
            min,
            max: 0.5,
            default,
        })
    };
    match service {
        ImageService::Inpaint => SOURCE.task(Task::Inpaint, Required, Required, No),
        ImageService::Outpaint => TaskLimits {
            max_outpaint: Some(2000),
            max_output_side: 8096,
            ..SOURCE.task(Task::Outpaint, Optional, No, No)
        },
        ImageService::EraseObject => SOURCE.task(Task::Erase, No, Required, No),
        ImageService::SearchReplace => SOURCE.task(Task::SearchReplace, Required, No, Required),
        ImageService::SearchRecolor => SOURCE.task(Task::SearchRecolor, Required, No, Required),
        ImageService::RemoveBackground => TaskLimits {
            max_images: Some(1),
            ..SOURCE.task(Task::RemoveBackground, No, No, No)
        },
        ImageService::FastUpscale => TaskLimits {
            upscale_factor: Some(FloatRange {
                min: 4.0,
                max: 4.0,
                default: 4.0,
            }),
            min_source_side: 32,
            max_source_side: 1536,
            max_source_pixels: 1_048_576,
            max_output_side: 6144,
            max_images: Some(1),
            ..SOURCE.task(Task::Upscale, No, No, No)
        },
        // The result is about 4 megapixels whatever the source: no factor to choose.
        ImageService::ConservativeUpscale => TaskLimits {
            strength: creativity(0.2, 0.35),
            ..SOURCE.task(Task::Upscale, Required, No, No)
        },
        ImageService::CreativeUpscale => TaskLimits {
            strength: creativity(0.1, 0.3),
            max_source_pixels: 1_048_576,
            ..SOURCE.task(Task::Upscale, Required, No, No)
        },
    }
}

pub(crate) fn catalog(model_id: &str) -> Option<super::CatalogEntry> {
    let &(id, service, name, description) = SERVICES.iter().find(|s| s.0 == model_id)?;
    let limits = task(service);
    Some(super::CatalogEntry {
        info: ModelInfo {
            id: id.to_owned(),
            name: name.to_owned(),
            provider: "Stability AI".to_owned(),
            offline: false,
            description: format!("Stability AI Image Services on Amazon Bedrock. {description}"),
            capabilities: Capabilities {
                task_types: vec![],
                tasks: vec![limits],
                // Sizes follow the source: the text-to-image rules do not apply.
                sizes: SizeRule::Range {
                    min: SOURCE.min_side,
                    max: SOURCE.max_side,
                    step: 1,
                    max_pixels: Some(SOURCE.max_pixels),
                    max_aspect: None,
                },
                max_images: 4,
                max_prompt_chars: 10_000,
                negative_prompt: matches!(
                    service,
                    ImageService::Inpaint
                        | ImageService::SearchReplace
                        | ImageService::SearchRecolor
                        | ImageService::ConservativeUpscale
                        | ImageService::CreativeUpscale
                ),
                max_seed: Some(super::MAX_SEED),
                cfg_scale: None,
                style_presets: Vec::new(),
                qualities: Vec::new(),
            },
            defaults: ModelDefaults {
                width: 1024,
                height: 1024,
                count: 1,
            },
        },
        family: super::Family::Stability(StabilityModel::Service(service)),
        typical_latency: match service {
            ImageService::RemoveBackground | ImageService::FastUpscale => Duration::from_secs(3),
            ImageService::CreativeUpscale => Duration::from_secs(30),
            _ => Duration::from_secs(10),
        },
    })
}

/// Whether the service reads a seed (the deterministic ones take none).
fn takes_seed(service: ImageService) -> bool {
    !matches!(
        service,
        ImageService::RemoveBackground | ImageService::FastUpscale
    )
}

/// The `InvokeModel` body of one call of `service` made from `seed`.
pub fn request_body(
    service: ImageService,
    job: &EngineJob,
    pictures: &EditPictures,
    seed: i64,
) -> Value {
    let mut body = json!({ "image": pictures.image, "output_format": "png" });
    if takes_seed(service) {
        body["seed"] = json!(seed);
    }
    if !job.prompt.trim().is_empty() {
        body["prompt"] = json!(job.prompt);
    }
    if let Some(negative) = job.negative_prompt.as_deref().filter(|n| !n.is_empty()) {
        body["negative_prompt"] = json!(negative);
    }
    if let Some(mask) = &pictures.mask {
        body["mask"] = json!(mask);
    }
    let edit = &job.params.edit;
    match service {
        ImageService::Outpaint => {
            let margins = edit.outpaint.unwrap_or_default();
            body["left"] = json!(margins.left);
            body["right"] = json!(margins.right);
            body["up"] = json!(margins.top);
            body["down"] = json!(margins.bottom);
        }
        ImageService::SearchReplace => body["search_prompt"] = json!(edit.mask_prompt),
        ImageService::SearchRecolor => body["select_prompt"] = json!(edit.mask_prompt),
        ImageService::ConservativeUpscale | ImageService::CreativeUpscale => {
            if let Some(creativity) = edit.strength {
                body["creativity"] = json!(creativity);
            }
        }
        ImageService::Inpaint
        | ImageService::EraseObject
        | ImageService::RemoveBackground
        | ImageService::FastUpscale => {}
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::{EditParams, Outpaint};

    fn job(task: Task, prompt: &str, edit: EditParams) -> EngineJob {
        let mut job = EngineJob::for_test("", prompt, 512, 512);
        job.task = task;
        job.params.seed = 5;
        job.params.edit = edit;
        job
    }

    fn pictures(mask: bool) -> EditPictures {
        EditPictures {
            image: "SOURCE".into(),
            mask: mask.then(|| "MASK".into()),
        }
    }

    #[test]
    fn each_service_sends_its_documented_fields() {
        let inpaint = request_body(
            ImageService::Inpaint,
            &job(Task::Inpaint, "a red door", EditParams::default()),
            &pictures(true),
            5,
        );
        assert_eq!(
            inpaint,
            json!({ "image": "SOURCE", "mask": "MASK", "prompt": "a red door", "seed": 5, "output_format": "png" })
        );

        let outpaint = request_body(
            ImageService::Outpaint,
            &job(
                Task::Outpaint,
                "",
                EditParams {
                    outpaint: Some(Outpaint {
                        left: 10,
                        right: 0,
                        top: 20,
                        bottom: 30,
                    }),
                    ..EditParams::default()
                },
            ),
            &pictures(false),
            5,
        );
        assert_eq!(
            outpaint,
            json!({ "image": "SOURCE", "left": 10, "right": 0, "up": 20, "down": 30, "seed": 5, "output_format": "png" })
        );

        let words = EditParams {
            mask_prompt: Some("the sky".into()),
            ..EditParams::default()
        };
        let replace = request_body(
            ImageService::SearchReplace,
            &job(Task::SearchReplace, "a starry night", words.clone()),
            &pictures(false),
            5,
        );
        assert_eq!(replace["search_prompt"], "the sky");
        assert_eq!(replace["prompt"], "a starry night");
        let recolor = request_body(
            ImageService::SearchRecolor,
            &job(Task::SearchRecolor, "pink", words),
            &pictures(false),
            5,
        );
        assert_eq!(recolor["select_prompt"], "the sky");

        let plain = job(Task::RemoveBackground, "", EditParams::default());
        for service in [ImageService::RemoveBackground, ImageService::FastUpscale] {
            assert_eq!(
                request_body(service, &plain, &pictures(false), 5),
                json!({ "image": "SOURCE", "output_format": "png" })
            );
        }

        let creative = request_body(
            ImageService::CreativeUpscale,
            &job(
                Task::Upscale,
                "a sharp photo",
                EditParams {
                    strength: Some(0.3),
                    ..EditParams::default()
                },
            ),
            &pictures(false),
            5,
        );
        assert_eq!(creative["creativity"], 0.3);
    }

    #[test]
    fn every_service_is_a_model_with_its_one_task() {
        for (id, service, _, _) in SERVICES {
            let info = catalog(id).unwrap().info;
            assert_eq!(info.capabilities.tasks.len(), 1, "{id}");
            assert_eq!(info.capabilities.tasks[0], task(service));
            assert!(info.capabilities.task(Task::TextToImage).is_err());
        }
        let fast = task(ImageService::FastUpscale);
        assert_eq!(fast.max_source_side, 1536);
        assert_eq!(fast.upscale_factor.unwrap().default, 4.0);
        assert!(catalog("stability.stable-image-core-v1:1").is_none());
    }
}
