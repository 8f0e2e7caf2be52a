//! What a model can do, and the check that refuses a request it cannot, before anything is
//! queued.

use entity::generation::Task;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

/// The sizes a model accepts.
#[derive(Debug, Clone, PartialEq)]
pub enum SizeRule {
    /// Any width and height in `min..=max` that are multiples of `step`, optionally limited in
    /// total pixels and in aspect ratio (longer side over shorter side).
    Range {
        min: u32,
        max: u32,
        step: u32,
        max_pixels: Option<u64>,
        max_aspect: Option<f64>,
    },
    /// Exactly one of these width × height pairs.
    Fixed(Vec<(u32, u32)>),
    /// The model takes an aspect ratio, not a size: a requested size in `min..=max` is mapped
    /// to the nearest of these ratios.
    AspectRatios {
        ratios: Vec<(u32, u32)>,
        min: u32,
        max: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FloatRange {
    pub min: f64,
    pub max: f64,
    pub default: f64,
}

/// Whether a task takes an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputRule {
    None,
    Optional,
    Required,
}

/// One task a model can do, and its limits.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskLimits {
    pub task: Task,
    pub prompt: InputRule,
    /// A painted mask (white = change).
    pub mask: InputRule,
    /// Words naming what to change, found by the model itself.
    pub mask_prompt: InputRule,
    pub strength: Option<FloatRange>,
    /// Largest margin per side, for OUTPAINT.
    pub max_outpaint: Option<u32>,
    pub upscale_factor: Option<FloatRange>,
    pub min_source_side: u32,
    pub max_source_side: u32,
    pub max_source_pixels: u64,
    /// Largest side of what the task makes (outpaint and upscale grow the source).
    pub max_output_side: u32,
    /// Images per job when fewer than the model's `max_images`: a task whose answer does not
    /// vary (a removed background) makes one.
    pub max_images: Option<u32>,
}

/// The pictures an edit task takes in, and the largest it makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceLimits {
    pub min_side: u32,
    pub max_side: u32,
    pub max_pixels: u64,
    pub max_output_side: u32,
}

impl SourceLimits {
    /// An edit task within these limits taking a prompt, a painted mask and a `maskPrompt` as
    /// the rules say, with no strength, margins or factor (set those with struct update).
    pub fn task(
        self,
        task: Task,
        prompt: InputRule,
        mask: InputRule,
        mask_prompt: InputRule,
    ) -> TaskLimits {
        TaskLimits {
            task,
            prompt,
            mask,
            mask_prompt,
            strength: None,
            max_outpaint: None,
            upscale_factor: None,
            min_source_side: self.min_side,
            max_source_side: self.max_side,
            max_source_pixels: self.max_pixels,
            max_output_side: self.max_output_side,
            max_images: None,
        }
    }
}

impl TaskLimits {
    /// Drawing from text alone: none of the edit inputs apply.
    pub fn text_to_image() -> TaskLimits {
        TaskLimits {
            task: Task::TextToImage,
            prompt: InputRule::Required,
            mask: InputRule::None,
            mask_prompt: InputRule::None,
            strength: None,
            max_outpaint: None,
            upscale_factor: None,
            min_source_side: 0,
            max_source_side: 0,
            max_source_pixels: 0,
            max_output_side: 0,
            max_images: None,
        }
    }

    /// Every task but drawing from text works from a source image.
    pub fn needs_source(&self) -> bool {
        self.task != Task::TextToImage
    }
}

/// Pixels to add on each side of the source (OUTPAINT).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outpaint {
    pub left: u32,
    pub right: u32,
    pub top: u32,
    pub bottom: u32,
}

/// An edit's settings beyond the source and mask, stored in the job's `params`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EditParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strength: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mask_prompt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outpaint: Option<Outpaint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upscale_factor: Option<f64>,
    /// The job's prompt is a label RenderMart wrote ("Erased"), not words for the model.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prompt_is_label: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Capabilities {
    /// The provider's own names of what it does (Bedrock's `taskType`s).
    pub task_types: Vec<&'static str>,
    /// What it can be asked to do, each with its limits; drawing from text first.
    pub tasks: Vec<TaskLimits>,
    pub sizes: SizeRule,
    pub max_images: u32,
    pub max_prompt_chars: usize,
    pub negative_prompt: bool,
    /// Largest accepted seed; `None` when the model takes no seed.
    pub max_seed: Option<i64>,
    pub cfg_scale: Option<FloatRange>,
    pub style_presets: Vec<&'static str>,
    pub qualities: Vec<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelDefaults {
    pub width: u32,
    pub height: u32,
    pub count: u32,
}

/// A request after defaults were applied: what the engine is asked to make. Stored as the
/// generation's `params`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerationParams {
    pub width: u32,
    pub height: u32,
    pub count: u32,
    pub seed: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cfg_scale: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style_preset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quality: Option<String>,
    /// Set for models that take a ratio: the ratio the requested size was mapped to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<String>,
    #[serde(flatten)]
    pub edit: EditParams,
}

/// The name a task has in the API.
pub fn task_name(task: Task) -> String {
    use sea_orm::ActiveEnum;
    task.to_value()
}

/// What an edit starts from: the source's size, and the mask's when there is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceShape {
    pub width: u32,
    pub height: u32,
    pub mask: Option<(u32, u32)>,
}

impl TaskLimits {
    /// Refuses, naming the field, an edit this task cannot take; returns the size it makes.
    pub fn check_edit(&self, edit: &EditParams, source: SourceShape) -> AppResult<(u32, u32)> {
        let task = task_name(self.task);
        let (w, h) = (source.width, source.height);
        if w.min(h) < self.min_source_side
            || w.max(h) > self.max_source_side
            || u64::from(w) * u64::from(h) > self.max_source_pixels
        {
            return Err(AppError::bad_input(
                "source",
                format!(
                    "The source is {w}×{h}; {task} with this model takes {} to {} pixels a side and at most {} pixels in all",
                    self.min_source_side, self.max_source_side, self.max_source_pixels
                ),
            ));
        }
        match (self.mask, source.mask) {
            (InputRule::Required, None) if edit.mask_prompt.is_none() => {
                return Err(AppError::bad_input(
                    "mask",
                    format!("{task} needs a mask: paint white where the picture should change"),
                ));
            }
            (InputRule::None, Some(_)) => {
                return Err(AppError::bad_input(
                    "mask",
                    format!("{task} takes no mask; leave it out"),
                ));
            }
            (_, Some(_)) if edit.mask_prompt.is_some() => {
                return Err(AppError::bad_input(
                    "maskPrompt",
                    "Give a painted mask or a maskPrompt, not both",
                ));
            }
            (_, Some((mw, mh))) if (mw, mh) != (w, h) => {
                return Err(AppError::bad_input(
                    "mask",
                    format!("The mask is {mw}×{mh}; make it the source's size, {w}×{h}"),
                ));
            }
            _ => {}
        }
        check_rule(
            "maskPrompt",
            self.mask_prompt,
            edit.mask_prompt.as_deref(),
            &task,
        )?;
        check_range("strength", edit.strength, self.strength, &task)?;
        check_range(
            "upscaleFactor",
            edit.upscale_factor,
            self.upscale_factor,
            &task,
        )?;
        let (out_w, out_h) = match (edit.outpaint, self.max_outpaint) {
            (Some(_), None) => {
                return Err(AppError::bad_input(
                    "outpaint",
                    format!("{task} adds no margins; leave `outpaint` out"),
                ));
            }
            (Some(m), Some(max)) => {
                if [m.left, m.right, m.top, m.bottom]
                    .iter()
                    .any(|&side| side > max)
                {
                    return Err(AppError::bad_input(
                        "outpaint",
                        format!("Add at most {max} pixels on each side"),
                    ));
                }
                if m.left + m.right + m.top + m.bottom == 0 {
                    return Err(AppError::bad_input(
                        "outpaint",
                        "Say how many pixels to add on at least one side",
                    ));
                }
                (w + m.left + m.right, h + m.top + m.bottom)
            }
            (None, Some(_)) => {
                return Err(AppError::bad_input(
                    "outpaint",
                    "Say how many pixels to add on each side (`outpaint`)",
                ));
            }
            (None, None) => match (edit.upscale_factor, self.upscale_factor) {
                (factor, Some(range)) => {
                    let factor = factor.unwrap_or(range.default);
                    (
                        (f64::from(w) * factor).round() as u32,
                        (f64::from(h) * factor).round() as u32,
                    )
                }
                _ => (w, h),
            },
        };
        if out_w.max(out_h) > self.max_output_side {
            let field = if edit.outpaint.is_some() {
                "outpaint"
            } else {
                "upscaleFactor"
            };
            return Err(AppError::bad_input(
                field,
                format!(
                    "That makes a {out_w}×{out_h} picture; this model makes at most {} pixels a side",
                    self.max_output_side
                ),
            ));
        }
        Ok((out_w, out_h))
    }
}

fn check_rule(
    field: &'static str,
    rule: InputRule,
    value: Option<&str>,
    task: &str,
) -> AppResult<()> {
    match (rule, value) {
        (InputRule::Required, None) => Err(AppError::bad_input(
            field,
            format!("{task} needs `{field}`"),
        )),
        (InputRule::None, Some(_)) => Err(AppError::bad_input(
            field,
            format!("{task} takes no `{field}`; leave it out"),
        )),
        _ => Ok(()),
    }
}

fn check_range(
    field: &'static str,
    value: Option<f64>,
    range: Option<FloatRange>,
    task: &str,
) -> AppResult<()> {
    match (value, range) {
        (Some(_), None) => Err(AppError::bad_input(
            field,
            format!("{task} takes no `{field}`; leave it out"),
        )),
        (Some(v), Some(r)) if !(r.min..=r.max).contains(&v) => Err(AppError::bad_input(
            field,
            format!("Use a {field} from {} to {}", r.min, r.max),
        )),
        _ => Ok(()),
    }
}

impl Capabilities {
    /// What this model does for `task`, or an error listing what it can do.
    pub fn task(&self, task: Task) -> AppResult<&TaskLimits> {
        self.tasks.iter().find(|t| t.task == task).ok_or_else(|| {
            let offered: Vec<String> = self.tasks.iter().map(|t| task_name(t.task)).collect();
            AppError::bad_input(
                "task",
                format!(
                    "This model cannot do {}; it can do: {}",
                    task_name(task),
                    offered.join(", ")
                ),
            )
        })
    }

    /// Refuses, naming the field, anything this model cannot do for `task`. An edit's size
    /// was already checked against its source by `TaskLimits::check_edit`.
    pub fn check(
        &self,
        task: &TaskLimits,
        prompt: &str,
        negative: Option<&str>,
        params: &GenerationParams,
    ) -> AppResult<()> {
        let prompt_chars = prompt.chars().count();
        let empty = prompt.trim().is_empty();
        match task.prompt {
            InputRule::Required if empty => {
                return Err(AppError::bad_input(
                    "prompt",
                    if task.needs_source() {
                        "Describe what to paint: the prompt is empty"
                    } else {
                        "Describe the image you want: the prompt is empty"
                    },
                ));
            }
            InputRule::None if !empty => {
                return Err(AppError::bad_input(
                    "prompt",
                    format!("{} takes no prompt; leave it empty", task_name(task.task)),
                ));
            }
            _ => {}
        }
        if prompt_chars > self.max_prompt_chars {
            return Err(AppError::bad_input(
                "prompt",
                format!(
                    "This model reads at most {} characters of prompt; yours has {prompt_chars}",
                    self.max_prompt_chars
                ),
            ));
        }
        if let Some(negative) = negative {
            if !self.negative_prompt {
                return Err(AppError::bad_input(
                    "negativePrompt",
                    "This model takes no negative prompt; leave it empty",
                ));
            }
            let chars = negative.chars().count();
            if chars > self.max_prompt_chars {
                return Err(AppError::bad_input(
                    "negativePrompt",
                    format!(
                        "This model reads at most {} characters of negative prompt; yours has {chars}",
                        self.max_prompt_chars
                    ),
                ));
            }
        }
        if !task.needs_source() {
            self.check_size(params.width, params.height)?;
        }
        let max_images = self.max_images_for(task);
        if params.count < 1 || params.count > max_images {
            return Err(AppError::bad_input(
                "count",
                if max_images == 1 {
                    format!(
                        "{} makes one image; leave `count` out",
                        task_name(task.task)
                    )
                } else {
                    format!("Ask for 1 to {max_images} images with this model")
                },
            ));
        }
        match self.max_seed {
            Some(max) if !(0..=max).contains(&params.seed) => {
                return Err(AppError::bad_input(
                    "seed",
                    format!("Use a seed from 0 to {max}"),
                ));
            }
            _ => {}
        }
        if let (Some(cfg), Some(range)) = (params.cfg_scale, self.cfg_scale) {
            if !(range.min..=range.max).contains(&cfg) {
                return Err(AppError::bad_input(
                    "cfgScale",
                    format!("Use a guidance scale from {} to {}", range.min, range.max),
                ));
            }
        } else if params.cfg_scale.is_some() {
            return Err(AppError::bad_input(
                "cfgScale",
                "This model takes no guidance scale; leave it out",
            ));
        }
        check_choice(
            "stylePreset",
            params.style_preset.as_deref(),
            &self.style_presets,
            "style presets",
        )?;
        check_choice(
            "quality",
            params.quality.as_deref(),
            &self.qualities,
            "quality setting",
        )?;
        Ok(())
    }

    /// Most images one job of `task` makes with this model.
    pub fn max_images_for(&self, task: &TaskLimits) -> u32 {
        task.max_images
            .map_or(self.max_images, |m| m.min(self.max_images))
    }

    pub fn accepts_size(&self, width: u32, height: u32) -> bool {
        self.check_size(width, height).is_ok()
    }

    fn check_size(&self, width: u32, height: u32) -> AppResult<()> {
        match &self.sizes {
            SizeRule::Range {
                min,
                max,
                step,
                max_pixels,
                max_aspect,
            } => {
                for (field, side) in [("width", width), ("height", height)] {
                    if side < *min || side > *max || side % step != 0 {
                        return Err(AppError::bad_input(
                            field,
                            format!(
                                "Use a {field} from {min} to {max} in multiples of {step} (got {side})"
                            ),
                        ));
                    }
                }
                if let Some(limit) = max_pixels
                    && u64::from(width) * u64::from(height) > *limit
                {
                    return Err(AppError::bad_input(
                        "width",
                        format!(
                            "{width}×{height} is over this model's {limit} pixels; make the image smaller"
                        ),
                    ));
                }
                if let Some(limit) = max_aspect {
                    let (long, short) = (width.max(height) as f64, width.min(height) as f64);
                    if long / short > *limit {
                        return Err(AppError::bad_input(
                            "width",
                            format!(
                                "{width}×{height} is more elongated than this model's 1:{limit} limit"
                            ),
                        ));
                    }
                }
                Ok(())
            }
            SizeRule::Fixed(sizes) => {
                if sizes.contains(&(width, height)) {
                    Ok(())
                } else {
                    let list: Vec<String> = sizes.iter().map(|(w, h)| format!("{w}×{h}")).collect();
                    Err(AppError::bad_input(
                        "width",
                        format!("This model makes only these sizes: {}", list.join(", ")),
                    ))
                }
            }
            SizeRule::AspectRatios { min, max, .. } => {
                for (field, side) in [("width", width), ("height", height)] {
                    if side < *min || side > *max {
                        return Err(AppError::bad_input(
                            field,
                            format!(
                                "Use a {field} from {min} to {max}; it picks the nearest aspect ratio"
                            ),
                        ));
                    }
                }
                Ok(())
            }
        }
    }

    /// For ratio-based models, the supported ratio nearest to `width:height`.
    pub fn nearest_aspect_ratio(&self, width: u32, height: u32) -> Option<(u32, u32)> {
        let SizeRule::AspectRatios { ratios, .. } = &self.sizes else {
            return None;
        };
        let wanted = (width as f64 / height as f64).ln();
        ratios.iter().copied().min_by(|a, b| {
            let da = ((a.0 as f64 / a.1 as f64).ln() - wanted).abs();
            let db = ((b.0 as f64 / b.1 as f64).ln() - wanted).abs();
            da.total_cmp(&db)
        })
    }
}

/// Refuses a value that is not one of `allowed`, listing the choices.
fn check_choice(
    field: &'static str,
    value: Option<&str>,
    allowed: &[&str],
    what: &str,
) -> AppResult<()> {
    match value {
        Some(value) if !allowed.contains(&value) => Err(AppError::bad_input(
            field,
            if allowed.is_empty() {
                format!("This model has no {what}; leave `{field}` out")
            } else {
                format!("Choose one of: {}", allowed.join(", "))
            },
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range_caps() -> Capabilities {
        Capabilities {
            task_types: vec!["TEXT_IMAGE"],
            tasks: vec![TaskLimits::text_to_image()],
            sizes: SizeRule::Range {
                min: 320,
                max: 4096,
                step: 16,
                max_pixels: Some(4_194_303),
                max_aspect: Some(4.0),
            },
            max_images: 5,
            max_prompt_chars: 1024,
            negative_prompt: true,
            max_seed: Some(858_993_459),
            cfg_scale: Some(FloatRange {
                min: 1.1,
                max: 10.0,
                default: 6.5,
            }),
            style_presets: vec!["PHOTOREALISM"],
            qualities: vec!["standard", "premium"],
        }
    }

    fn params(width: u32, height: u32) -> GenerationParams {
        GenerationParams {
            width,
            height,
            count: 1,
            seed: 0,
            cfg_scale: None,
            style_preset: None,
            quality: None,
            aspect_ratio: None,
            edit: EditParams::default(),
        }
    }

    fn field_of(err: AppError) -> &'static str {
        match err {
            AppError::Client { field: Some(f), .. } => f,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn sizes_outside_the_rule_name_the_offending_side() {
        let caps = range_caps();
        assert!(
            caps.check(
                &TaskLimits::text_to_image(),
                "a cat",
                None,
                &params(1024, 1024)
            )
            .is_ok()
        );
        assert_eq!(
            field_of(
                caps.check(
                    &TaskLimits::text_to_image(),
                    "a cat",
                    None,
                    &params(1000, 1024)
                )
                .unwrap_err()
            ),
            "width"
        );
        assert_eq!(
            field_of(
                caps.check(
                    &TaskLimits::text_to_image(),
                    "a cat",
                    None,
                    &params(1024, 5000)
                )
                .unwrap_err()
            ),
            "height"
        );
        // 2048×2048 is over the pixel limit; 320×1600 is over 1:4.
        assert!(
            caps.check(
                &TaskLimits::text_to_image(),
                "a cat",
                None,
                &params(2048, 2048)
            )
            .is_err()
        );
        assert!(
            caps.check(
                &TaskLimits::text_to_image(),
                "a cat",
                None,
                &params(320, 1600)
            )
            .is_err()
        );
    }

    #[test]
    fn prompts_counts_seeds_and_styles_are_checked() {
        let caps = range_caps();
        assert_eq!(
            field_of(
                caps.check(&TaskLimits::text_to_image(), "  ", None, &params(512, 512))
                    .unwrap_err()
            ),
            "prompt"
        );
        assert_eq!(
            field_of(
                caps.check(
                    &TaskLimits::text_to_image(),
                    &"x".repeat(1025),
                    None,
                    &params(512, 512)
                )
                .unwrap_err()
            ),
            "prompt"
        );
        let mut p = params(512, 512);
        p.count = 6;
        assert_eq!(
            field_of(
                caps.check(&TaskLimits::text_to_image(), "cat", None, &p)
                    .unwrap_err()
            ),
            "count"
        );
        p.count = 1;
        p.seed = 858_993_460;
        assert_eq!(
            field_of(
                caps.check(&TaskLimits::text_to_image(), "cat", None, &p)
                    .unwrap_err()
            ),
            "seed"
        );
        p.seed = 1;
        p.style_preset = Some("anime".into());
        assert_eq!(
            field_of(
                caps.check(&TaskLimits::text_to_image(), "cat", None, &p)
                    .unwrap_err()
            ),
            "stylePreset"
        );
        p.style_preset = None;
        p.cfg_scale = Some(11.0);
        assert_eq!(
            field_of(
                caps.check(&TaskLimits::text_to_image(), "cat", None, &p)
                    .unwrap_err()
            ),
            "cfgScale"
        );
    }

    #[test]
    fn fixed_sizes_list_what_is_allowed() {
        let mut caps = range_caps();
        caps.sizes = SizeRule::Fixed(vec![(1024, 1024), (768, 1152)]);
        let err = caps
            .check(
                &TaskLimits::text_to_image(),
                "cat",
                None,
                &params(1000, 1000),
            )
            .unwrap_err();
        assert!(err.message().contains("768×1152"));
    }

    #[test]
    fn a_size_maps_to_the_nearest_ratio() {
        let mut caps = range_caps();
        caps.sizes = SizeRule::AspectRatios {
            ratios: vec![(1, 1), (16, 9), (9, 16), (3, 2)],
            min: 64,
            max: 4096,
        };
        assert_eq!(caps.nearest_aspect_ratio(1920, 1080), Some((16, 9)));
        assert_eq!(caps.nearest_aspect_ratio(1000, 1010), Some((1, 1)));
        assert_eq!(caps.nearest_aspect_ratio(600, 1000), Some((9, 16)));
        assert_eq!(range_caps().nearest_aspect_ratio(1, 1), None);
    }
}
