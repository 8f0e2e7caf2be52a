//! The `models` query: what each model can do, so clients can build their forms from it.

use async_graphql::{Context, Object, SimpleObject};

use async_graphql::Enum;

use super::app_state;
use super::generation::GenerationTask;
use crate::engines::{self, Capabilities, ModelInfo, SizeRule, TaskLimits};

#[derive(SimpleObject)]
pub struct ImageSize {
    width: i32,
    height: i32,
}

#[derive(SimpleObject)]
pub struct FloatRange {
    min: f64,
    max: f64,
    default: f64,
}

/// Whether a task takes an input.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::engines::InputRule")]
pub enum InputRule {
    None,
    Optional,
    Required,
}

/// One task a model can do, with its limits.
#[derive(SimpleObject)]
pub struct TaskCapability {
    task: GenerationTask,
    /// The prompt (what to draw, or what to put where the picture changes).
    prompt: InputRule,
    /// Whether the task needs `source` (every task but TEXT_TO_IMAGE does).
    needs_source: bool,
    /// A painted mask (`mask`, white = change).
    mask: InputRule,
    /// `maskPrompt`: words naming what to change, found by the model itself.
    mask_prompt: InputRule,
    /// `strength`'s range and default, when the task takes one.
    strength: Option<FloatRange>,
    /// Largest `outpaint` margin per side, in pixels, for OUTPAINT.
    max_outpaint: Option<i32>,
    /// `upscaleFactor`'s range and default, for UPSCALE.
    upscale_factor: Option<FloatRange>,
    /// Most images one job of this task makes with this model.
    max_images: i32,
    /// Source limits: smallest and largest side, most pixels (0 when there is no source).
    min_source_side: i32,
    max_source_side: i32,
    max_source_pixels: i64,
}

impl TaskCapability {
    fn new(t: &TaskLimits, caps: &Capabilities) -> TaskCapability {
        TaskCapability {
            max_images: caps.max_images_for(t) as i32,
            task: t.task.into(),
            prompt: t.prompt.into(),
            needs_source: t.needs_source(),
            mask: t.mask.into(),
            mask_prompt: t.mask_prompt.into(),
            strength: t.strength.map(FloatRange::from),
            max_outpaint: t.max_outpaint.map(|m| m as i32),
            upscale_factor: t.upscale_factor.map(FloatRange::from),
            min_source_side: t.min_source_side as i32,
            max_source_side: t.max_source_side as i32,
            max_source_pixels: t.max_source_pixels as i64,
        }
    }
}

impl From<engines::FloatRange> for FloatRange {
    fn from(r: engines::FloatRange) -> FloatRange {
        FloatRange {
            min: r.min,
            max: r.max,
            default: r.default,
        }
    }
}

#[derive(SimpleObject)]
pub struct ModelCapabilities {
    /// The provider's own names for what the model does (Bedrock's `taskType`s).
    task_types: Vec<String>,
    /// What you can ask of it (`generateImages`'s `task`).
    tasks: Vec<GenerationTask>,
    /// Each of `tasks` with its limits.
    task_limits: Vec<TaskCapability>,
    /// True when only the listed `sizes` are accepted.
    fixed_sizes: bool,
    /// The accepted sizes when `fixedSizes`; otherwise a few suggestions.
    sizes: Vec<ImageSize>,
    min_side: i32,
    max_side: i32,
    /// Width and height must be multiples of this.
    side_step: i32,
    max_pixels: Option<i32>,
    /// For models that take an aspect ratio (e.g. "16:9"): the requested size is mapped to
    /// the nearest of these.
    aspect_ratios: Vec<String>,
    max_images: i32,
    max_prompt_length: i32,
    negative_prompt: bool,
    seed: bool,
    max_seed: Option<i32>,
    cfg_scale: Option<FloatRange>,
    style_presets: Vec<String>,
    qualities: Vec<String>,
}

#[derive(SimpleObject)]
pub struct ModelDefaults {
    width: i32,
    height: i32,
    count: i32,
}

pub struct ImageModel(ModelInfo, Option<String>);

fn size(width: u32, height: u32) -> ImageSize {
    ImageSize {
        width: width as i32,
        height: height as i32,
    }
}

#[Object]
impl ImageModel {
    /// Pass as `model` to generateImages.
    async fn id(&self) -> &str {
        &self.0.id
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn provider(&self) -> &str {
        &self.0.provider
    }

    /// True for the offline renderer: no AI, no network.
    async fn offline(&self) -> bool {
        self.0.offline
    }

    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Whether `generateImages` takes this model now.
    async fn available(&self) -> bool {
        self.1.is_none()
    }

    /// Why the model is not offered now (listed with `models(includeUnavailable: true)`),
    /// e.g. Amazon Bedrock marks it Legacy in this region; null when it is.
    async fn unavailable_reason(&self) -> Option<&str> {
        self.1.as_deref()
    }

    async fn capabilities(&self) -> ModelCapabilities {
        let caps = &self.0.capabilities;
        let strings = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let (fixed_sizes, sizes, min, max, step, max_pixels, aspect_ratios) = match &caps.sizes {
            SizeRule::Range {
                min,
                max,
                step,
                max_pixels,
                ..
            } => {
                let suggestions = [
                    (512, 512),
                    (768, 768),
                    (1024, 1024),
                    (1024, 768),
                    (768, 1024),
                    (1280, 720),
                ]
                .into_iter()
                .filter(|&(w, h)| caps.accepts_size(w, h))
                .map(|(w, h)| size(w, h))
                .collect();
                (
                    false,
                    suggestions,
                    *min,
                    *max,
                    *step,
                    *max_pixels,
                    Vec::new(),
                )
            }
            SizeRule::Fixed(list) => {
                let min = list.iter().map(|(w, h)| (*w).min(*h)).min().unwrap_or(0);
                let max = list.iter().map(|(w, h)| (*w).max(*h)).max().unwrap_or(0);
                (
                    true,
                    list.iter().map(|&(w, h)| size(w, h)).collect(),
                    min,
                    max,
                    1,
                    None,
                    Vec::new(),
                )
            }
            SizeRule::AspectRatios { ratios, min, max } => (
                false,
                Vec::new(),
                *min,
                *max,
                1,
                None,
                ratios.iter().map(|(w, h)| format!("{w}:{h}")).collect(),
            ),
        };
        ModelCapabilities {
            task_types: strings(&caps.task_types),
            tasks: caps.tasks.iter().map(|t| t.task.into()).collect(),
            task_limits: caps
                .tasks
                .iter()
                .map(|t| TaskCapability::new(t, caps))
                .collect(),
            fixed_sizes,
            sizes,
            min_side: min as i32,
            max_side: max as i32,
            side_step: step as i32,
            max_pixels: max_pixels.map(|p| p.min(i32::MAX as u64) as i32),
            aspect_ratios,
            max_images: caps.max_images as i32,
            max_prompt_length: caps.max_prompt_chars as i32,
            negative_prompt: caps.negative_prompt,
            seed: caps.max_seed.is_some(),
            max_seed: caps.max_seed.map(|s| s.min(i64::from(i32::MAX)) as i32),
            cfg_scale: caps.cfg_scale.map(FloatRange::from),
            style_presets: strings(&caps.style_presets),
            qualities: strings(&caps.qualities),
        }
    }

    async fn defaults(&self) -> ModelDefaults {
        let d = self.0.defaults;
        ModelDefaults {
            width: d.width as i32,
            height: d.height as i32,
            count: d.count as i32,
        }
    }
}

#[derive(Default)]
pub struct ModelsQuery;

#[Object]
impl ModelsQuery {
    /// The models this server can run, with their capabilities. The offline renderer is
    /// always there; Bedrock models appear when AWS credentials and a region are configured,
    /// each while the Bedrock control plane lists it ACTIVE for this account and region.
    /// `includeUnavailable` adds the known models not offered now, each saying why.
    async fn models(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] include_unavailable: bool,
    ) -> Vec<ImageModel> {
        let engines = &app_state(ctx).engines;
        let mut models: Vec<ImageModel> = engines
            .models()
            .into_iter()
            .map(|info| ImageModel(info.clone(), None))
            .collect();
        if include_unavailable {
            models.extend(
                engines
                    .withheld()
                    .into_iter()
                    .map(|(info, why)| ImageModel(info.clone(), Some(why))),
            );
        }
        models
    }
}
