//! The offline engine: no network, no AI. A deterministic renderer that turns the words of a
//! prompt into a composed picture (a sky-to-ground gradient and one shape per word, coloured
//! by colour words or by the word itself), so everything above the engine runs and can be
//! tested without a cloud account. The same (prompt, negative prompt, seed, size, style)
//! always gives the same pixels. It also does every edit task, as plain pixel operations
//! (`edit`).

mod edit;

use std::sync::Arc;
use std::time::Duration;

use entity::generation::Task;
use image::{DynamicImage, Rgb, RgbImage};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc::UnboundedSender;

use super::{
    Capabilities, Engine, EngineError, EngineFailure, EngineImage, EngineJob, EngineOutput,
    FloatRange, InputRule, ModelDefaults, ModelInfo, Progress, SizeRule, SourceLimits, TaskLimits,
};

pub const MODEL_ID: &str = "offline";

pub const STYLES: [&str; 5] = ["vivid", "pastel", "neon", "monochrome", "pixel-art"];

pub fn model_info() -> ModelInfo {
    ModelInfo {
        id: MODEL_ID.to_owned(),
        name: "Offline sketch (no AI)".to_owned(),
        provider: "RenderMart".to_owned(),
        offline: true,
        description: "Draws shapes and colours from the words of your prompt, on this server, \
                      without any AI model or network. For trying RenderMart out and for tests."
            .to_owned(),
        capabilities: Capabilities {
            task_types: vec!["TEXT_IMAGE"],
            tasks: edit_tasks(),
            sizes: SizeRule::Range {
                min: 64,
                max: 2048,
                step: 8,
                max_pixels: None,
                max_aspect: None,
            },
            max_images: 4,
            max_prompt_chars: 2000,
            negative_prompt: true,
            max_seed: Some(2_147_483_646),
            cfg_scale: None,
            style_presets: STYLES.to_vec(),
            qualities: Vec::new(),
        },
        defaults: ModelDefaults {
            width: 512,
            height: 512,
            count: 1,
        },
    }
}

/// Largest side of a source, and of what an edit makes.
const MAX_EDIT_SIDE: u32 = 4096;

/// Every edit task, as the offline engine does them.
fn edit_tasks() -> Vec<TaskLimits> {
    let source = SourceLimits {
        min_side: 16,
        max_side: MAX_EDIT_SIDE,
        max_pixels: u64::from(MAX_EDIT_SIDE) * u64::from(MAX_EDIT_SIDE),
        max_output_side: MAX_EDIT_SIDE,
    };
    use InputRule::{None as No, Optional, Required};
    vec![
        TaskLimits::text_to_image(),
        TaskLimits {
            strength: Some(FloatRange {
                min: 0.0,
                max: 1.0,
                default: 0.5,
            }),
            ..source.task(Task::ImageToImage, Required, No, No)
        },
        TaskLimits {
            strength: Some(FloatRange {
                min: 0.0,
                max: 1.0,
                default: 0.3,
            }),
            ..source.task(Task::Variation, Optional, No, No)
        },
        source.task(Task::Inpaint, Required, Required, No),
        TaskLimits {
            max_outpaint: Some(1024),
            ..source.task(Task::Outpaint, Optional, No, No)
        },
        source.task(Task::Erase, No, Required, No),
        source.task(Task::RemoveBackground, No, No, No),
        TaskLimits {
            upscale_factor: Some(FloatRange {
                min: 1.0,
                max: 4.0,
                default: 2.0,
            }),
            ..source.task(Task::Upscale, No, No, No)
        },
        source.task(Task::SearchReplace, Required, No, Required),
        source.task(Task::SearchRecolor, Required, No, Required),
    ]
}

/// Largest side of a progress preview.
const PREVIEW_SIDE: u32 = 96;

pub struct OfflineEngine {
    step_delay: Duration,
}

impl OfflineEngine {
    pub fn new(step_delay: Duration) -> OfflineEngine {
        OfflineEngine { step_delay }
    }
}

impl OfflineEngine {
    /// Paints the prompt's scene at `width` × `height` step by step, reporting progress from
    /// `done` of `total` images; `None` when the worker stopped listening (cancelled).
    async fn paint(
        &self,
        scene: Arc<Scene>,
        (width, height): (u32, u32),
        (done, total): (usize, usize),
        progress: &UnboundedSender<Progress>,
    ) -> Result<Option<RgbImage>, EngineFailure> {
        let mut canvas = RgbImage::new(width, height);
        let steps = scene.steps();
        for step in 0..steps {
            let with_preview = step % 3 == 2 || step + 1 == steps;
            let painter = scene.clone();
            // A step on a large canvas is a lot of CPU work: it runs on the blocking pool
            // so requests keep being served meanwhile.
            let (painted, preview_png) = tokio::task::spawn_blocking(move || {
                painter.paint_step(&mut canvas, step);
                let preview_png = with_preview.then(|| preview(&canvas));
                (canvas, preview_png)
            })
            .await
            .map_err(internal)?;
            canvas = painted;
            if !self.step_delay.is_zero() {
                tokio::time::sleep(self.step_delay).await;
            }
            let sent = progress.send(Progress {
                fraction: (done as f64 + (step + 1) as f64 / steps as f64) / total as f64,
                stage: format!("drawing image {} of {}", done + 1, total),
                preview_png,
            });
            if sent.is_err() {
                return Ok(None);
            }
        }
        Ok(Some(canvas))
    }
}

fn internal(error: impl Into<anyhow::Error>) -> EngineFailure {
    EngineFailure {
        error: EngineError::Internal(error.into()),
        calls: 0,
    }
}

#[async_trait::async_trait]
impl Engine for OfflineEngine {
    async fn generate(
        &self,
        job: &EngineJob,
        progress: &UnboundedSender<Progress>,
    ) -> Result<EngineOutput, EngineFailure> {
        let total = job.positions.len().max(1);
        let mut output = EngineOutput::default();
        let size = (job.params.width, job.params.height);
        for (done, &position) in job.positions.iter().enumerate() {
            let seed = job.params.seed + i64::from(position);
            let scene = Arc::new(Scene::plan(
                &job.prompt,
                job.negative_prompt.as_deref(),
                seed,
                job.params.style_preset.as_deref(),
            ));
            let pixels = if job.task == Task::TextToImage {
                let Some(canvas) = self.paint(scene, size, (done, total), progress).await? else {
                    return Ok(output);
                };
                DynamicImage::ImageRgb8(canvas)
            } else {
                let Some(source) = job.source.clone() else {
                    return Err(internal(anyhow::anyhow!("an edit came without its source")));
                };
                let painted = if edit::paints(job.task) {
                    let Some(canvas) = self.paint(scene, size, (done, total), progress).await?
                    else {
                        return Ok(output);
                    };
                    Some(DynamicImage::ImageRgb8(canvas).to_rgba8())
                } else {
                    None
                };
                let (task, mask, edit) = (job.task, job.mask.clone(), job.params.edit.clone());
                let prompt = job.prompt.clone();
                let made = tokio::task::spawn_blocking(move || {
                    edit::apply(
                        task,
                        &source,
                        mask.as_deref(),
                        painted.as_ref(),
                        &edit,
                        &prompt,
                        size,
                    )
                })
                .await
                .map_err(internal)?;
                let sent = progress.send(Progress {
                    fraction: (done + 1) as f64 / total as f64,
                    stage: format!("editing image {} of {}", done + 1, total),
                    preview_png: Some(preview(&made.to_rgb8())),
                });
                if sent.is_err() {
                    return Ok(output);
                }
                made
            };
            output.images.push(EngineImage {
                position,
                seed,
                pixels,
            });
        }
        Ok(output)
    }
}

fn preview(canvas: &RgbImage) -> Vec<u8> {
    let small = image::imageops::thumbnail(
        canvas,
        PREVIEW_SIDE.min(canvas.width()),
        PREVIEW_SIDE.min(canvas.height()),
    );
    // Encoding a 96 px RGB image into memory cannot fail.
    crate::imaging::encode_png(&DynamicImage::ImageRgb8(small), None).unwrap_or_default()
}

/// A deterministic pseudo-random stream (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..hi`.
    fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (self.next() >> 40) as f32 / (1u64 << 24) as f32 * (hi - lo)
    }
}

fn hash_words(parts: &[&[u8]]) -> u64 {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let digest = hasher.finalize();
    u64::from_le_bytes([
        digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
    ])
}

/// Colours named in prompts, so "a red fox under a blue moon" comes out red and blue.
const NAMED_COLOURS: [(&str, [u8; 3]); 24] = [
    ("red", [214, 40, 40]),
    ("orange", [247, 127, 0]),
    ("yellow", [252, 191, 73]),
    ("gold", [212, 175, 55]),
    ("green", [56, 176, 0]),
    ("forest", [34, 87, 46]),
    ("blue", [33, 118, 174]),
    ("ocean", [0, 95, 115]),
    ("sea", [10, 147, 150]),
    ("sky", [135, 190, 235]),
    ("purple", [123, 44, 191]),
    ("violet", [143, 80, 220]),
    ("pink", [255, 112, 166]),
    ("white", [240, 240, 240]),
    ("snow", [230, 238, 245]),
    ("black", [20, 20, 24]),
    ("night", [15, 20, 50]),
    ("grey", [128, 128, 128]),
    ("gray", [128, 128, 128]),
    ("brown", [121, 85, 61]),
    ("sunset", [255, 94, 77]),
    ("fire", [226, 88, 34]),
    ("desert", [237, 201, 175]),
    ("grass", [96, 170, 60]),
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum ShapeKind {
    Disc,
    Peak,
    Block,
    Ring,
}

/// Words that ask for a particular shape.
fn kind_for(word: &str, rng: &mut Rng) -> ShapeKind {
    const DISCS: [&str; 8] = [
        "sun", "moon", "planet", "ball", "eye", "flower", "apple", "bubble",
    ];
    const PEAKS: [&str; 7] = [
        "mountain", "tree", "pyramid", "tent", "peak", "volcano", "pine",
    ];
    const BLOCKS: [&str; 7] = [
        "house", "city", "tower", "building", "castle", "box", "robot",
    ];
    const RINGS: [&str; 4] = ["ring", "portal", "halo", "donut"];
    let stem = word.trim_end_matches('s');
    if DISCS.contains(&stem) {
        ShapeKind::Disc
    } else if PEAKS.contains(&stem) {
        ShapeKind::Peak
    } else if BLOCKS.contains(&stem) {
        ShapeKind::Block
    } else if RINGS.contains(&stem) {
        ShapeKind::Ring
    } else {
        [
            ShapeKind::Disc,
            ShapeKind::Peak,
            ShapeKind::Block,
            ShapeKind::Ring,
        ][(rng.next() % 4) as usize]
    }
}

#[derive(Debug, Clone)]
struct Shape {
    kind: ShapeKind,
    /// Centre and half-size, as fractions of the canvas.
    cx: f32,
    cy: f32,
    half: f32,
    colour: [f32; 3],
    opacity: f32,
}

#[derive(Debug, Clone)]
struct Scene {
    top: [f32; 3],
    bottom: [f32; 3],
    shapes: Vec<Shape>,
    style: Option<String>,
}

fn hsv(h: f32, s: f32, v: f32) -> [f32; 3] {
    let i = (h * 6.0).floor();
    let f = h * 6.0 - i;
    let (p, q, t) = (v * (1.0 - s), v * (1.0 - f * s), v * (1.0 - (1.0 - f) * s));
    match (i as i32).rem_euclid(6) {
        0 => [v, t, p],
        1 => [q, v, p],
        2 => [p, v, t],
        3 => [p, q, v],
        4 => [t, p, v],
        _ => [v, p, q],
    }
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
        .map(str::to_lowercase)
        .collect()
}

impl Scene {
    fn plan(prompt: &str, negative: Option<&str>, seed: i64, style: Option<&str>) -> Scene {
        let excluded = negative.map(words).unwrap_or_default();
        let prompt_words: Vec<String> = words(prompt)
            .into_iter()
            .filter(|w| !excluded.contains(w))
            .collect();
        let mut rng = Rng(hash_words(&[
            prompt.as_bytes(),
            negative.unwrap_or("").as_bytes(),
            &seed.to_le_bytes(),
            style.unwrap_or("").as_bytes(),
        ]));
        let to_f = |c: [u8; 3]| c.map(|v| f32::from(v) / 255.0);
        let named: Vec<[f32; 3]> = prompt_words
            .iter()
            .filter_map(|w| {
                NAMED_COLOURS
                    .iter()
                    .find(|(name, _)| name == w)
                    .map(|(_, c)| to_f(*c))
            })
            .collect();
        let base_hue = rng.range(0.0, 1.0);
        let top = named
            .first()
            .copied()
            .unwrap_or_else(|| hsv(base_hue, 0.45, 0.95));
        let bottom = named
            .get(1)
            .copied()
            .unwrap_or_else(|| hsv((base_hue + 0.45) % 1.0, 0.6, 0.45));

        let mut shapes = Vec::new();
        for word in prompt_words
            .iter()
            .filter(|w| !NAMED_COLOURS.iter().any(|(n, _)| n == *w))
            .take(16)
        {
            let mut word_rng = Rng(hash_words(&[word.as_bytes(), &seed.to_le_bytes()]));
            let kind = kind_for(word, &mut word_rng);
            let colour = if named.is_empty() {
                hsv(
                    word_rng.range(0.0, 1.0),
                    word_rng.range(0.5, 0.9),
                    word_rng.range(0.55, 1.0),
                )
            } else {
                let c = named[(word_rng.next() % named.len() as u64) as usize];
                let shade = word_rng.range(0.7, 1.15);
                c.map(|v| (v * shade).min(1.0))
            };
            shapes.push(Shape {
                kind,
                cx: word_rng.range(0.15, 0.85),
                cy: match kind {
                    ShapeKind::Peak | ShapeKind::Block => word_rng.range(0.55, 0.8),
                    _ => word_rng.range(0.15, 0.6),
                },
                half: word_rng.range(0.08, 0.22),
                colour,
                opacity: word_rng.range(0.75, 0.95),
            });
        }
        if shapes.is_empty() {
            shapes.push(Shape {
                kind: ShapeKind::Disc,
                cx: 0.5,
                cy: 0.4,
                half: 0.15,
                colour: hsv(base_hue, 0.2, 1.0),
                opacity: 0.9,
            });
        }
        Scene {
            top,
            bottom,
            shapes,
            style: style.map(str::to_owned),
        }
    }

    /// Background, then one step per shape, then the style pass.
    fn steps(&self) -> usize {
        self.shapes.len() + 2
    }

    fn paint_step(&self, canvas: &mut RgbImage, step: usize) {
        if step == 0 {
            self.paint_background(canvas);
        } else if let Some(shape) = self.shapes.get(step - 1) {
            paint_shape(canvas, shape);
        } else {
            apply_style(canvas, self.style.as_deref());
        }
    }

    fn paint_background(&self, canvas: &mut RgbImage) {
        let (w, h) = canvas.dimensions();
        for y in 0..h {
            let t = y as f32 / (h.max(2) - 1) as f32;
            // A horizon two thirds down: sky blends quickly into the ground colour there.
            let mix = (t * 1.5).clamp(0.0, 1.0).powf(1.6);
            let row = [0, 1, 2].map(|i| self.top[i] * (1.0 - mix) + self.bottom[i] * mix);
            for x in 0..w {
                // A soft vignette so the picture has depth.
                let dx = x as f32 / w as f32 - 0.5;
                let dy = t - 0.5;
                let light = 1.0 - 0.35 * (dx * dx + dy * dy);
                canvas.put_pixel(x, y, Rgb(row.map(|c| to_byte(c * light))));
            }
        }
    }
}

fn to_byte(v: f32) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0).round() as u8
}

/// Signed distance (in pixels) from a point to the shape's edge; negative inside.
fn distance(shape: &Shape, x: f32, y: f32, size: f32, cx: f32, cy: f32) -> f32 {
    let r = shape.half * size;
    let (dx, dy) = (x - cx, y - cy);
    match shape.kind {
        ShapeKind::Disc => (dx * dx + dy * dy).sqrt() - r,
        ShapeKind::Ring => ((dx * dx + dy * dy).sqrt() - r).abs() - r * 0.18,
        ShapeKind::Block => {
            let (qx, qy) = (dx.abs() - r * 0.7, dy.abs() - r);
            qx.max(qy)
        }
        ShapeKind::Peak => {
            // An isosceles triangle: apex at the top, base at cy + r.
            let base = cy + r;
            let apex = cy - r;
            if y > base {
                return y - base;
            }
            let half_width = r * (y - apex).max(0.0) / (2.0 * r) * 1.2;
            if y < apex {
                return apex - y;
            }
            dx.abs() - half_width
        }
    }
}

fn paint_shape(canvas: &mut RgbImage, shape: &Shape) {
    let (w, h) = canvas.dimensions();
    let size = w.min(h) as f32;
    let (cx, cy) = (shape.cx * w as f32, shape.cy * h as f32);
    let reach = shape.half * size * 1.3 + 2.0;
    let x0 = (cx - reach).max(0.0) as u32;
    let x1 = ((cx + reach).ceil() as u32).min(w);
    let y0 = (cy - reach).max(0.0) as u32;
    let y1 = ((cy + reach).ceil() as u32).min(h);
    for y in y0..y1 {
        for x in x0..x1 {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let d = distance(shape, px, py, size, cx, cy);
            // One pixel of anti-aliasing at the edge.
            let coverage = (0.5 - d).clamp(0.0, 1.0) * shape.opacity;
            if coverage <= 0.0 {
                continue;
            }
            // Light from the upper left.
            let shade = 1.05
                - 0.25 * ((py - cy) / (shape.half * size)).clamp(-1.0, 1.0)
                - 0.1 * ((px - cx) / (shape.half * size)).clamp(-1.0, 1.0);
            let pixel = canvas.get_pixel_mut(x, y);
            for i in 0..3 {
                let under = f32::from(pixel.0[i]) / 255.0;
                let over = (shape.colour[i] * shade).clamp(0.0, 1.0);
                pixel.0[i] = to_byte(under * (1.0 - coverage) + over * coverage);
            }
        }
    }
}

fn apply_style(canvas: &mut RgbImage, style: Option<&str>) {
    match style {
        Some("pastel") => pixels_map(canvas, |c| c.map(|v| v * 0.55 + 0.45)),
        Some("neon") => pixels_map(canvas, |c| {
            let max = c[0].max(c[1]).max(c[2]).max(1e-3);
            c.map(|v| (v / max).powf(2.2) * max.powf(0.6))
        }),
        Some("monochrome") => pixels_map(canvas, |c| {
            let l = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
            [l, l, l]
        }),
        Some("vivid") => pixels_map(canvas, |c| {
            let l = (c[0] + c[1] + c[2]) / 3.0;
            c.map(|v| l + (v - l) * 1.4)
        }),
        Some("pixel-art") => pixelate(canvas),
        _ => {}
    }
}

fn pixels_map(canvas: &mut RgbImage, f: impl Fn([f32; 3]) -> [f32; 3]) {
    for pixel in canvas.pixels_mut() {
        let c = f(pixel.0.map(|v| f32::from(v) / 255.0));
        pixel.0 = c.map(to_byte);
    }
}

fn pixelate(canvas: &mut RgbImage) {
    let (w, h) = canvas.dimensions();
    let block = (w.min(h) / 48).max(2);
    for by in (0..h).step_by(block as usize) {
        for bx in (0..w).step_by(block as usize) {
            let sample = *canvas.get_pixel(bx, by);
            for y in by..(by + block).min(h) {
                for x in bx..(bx + block).min(w) {
                    canvas.put_pixel(x, y, sample);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(prompt: &str, seed: i64, width: u32, height: u32) -> EngineJob {
        let mut job = EngineJob::for_test(MODEL_ID, prompt, width, height);
        job.params.seed = seed;
        job
    }

    async fn render(job: &EngineJob) -> (RgbImage, Vec<Progress>) {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let out = OfflineEngine::new(Duration::ZERO)
            .generate(job, &tx)
            .await
            .unwrap();
        drop(tx);
        let mut events = Vec::new();
        while let Some(p) = rx.recv().await {
            events.push(p);
        }
        (
            out.images.into_iter().next().unwrap().pixels.to_rgb8(),
            events,
        )
    }

    #[tokio::test]
    async fn the_same_input_gives_the_same_pixels_and_another_seed_does_not() {
        let (a, _) = render(&job("a red fox under a blue moon", 7, 256, 192)).await;
        let (b, _) = render(&job("a red fox under a blue moon", 7, 256, 192)).await;
        let (c, _) = render(&job("a red fox under a blue moon", 8, 256, 192)).await;
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.dimensions(), (256, 192));
    }

    #[tokio::test]
    async fn the_picture_is_varied_and_takes_its_colours_from_the_prompt() {
        let (img, _) = render(&job("red mountain", 1, 128, 128)).await;
        let distinct: std::collections::HashSet<_> = img.pixels().map(|p| p.0).collect();
        assert!(distinct.len() > 200, "only {} colours", distinct.len());
        // The top of the picture is the first named colour, red.
        let top = img.get_pixel(64, 2).0;
        assert!(top[0] > top[1] && top[0] > top[2], "{top:?}");
    }

    #[tokio::test]
    async fn progress_rises_to_one_with_small_previews() {
        let (_, events) = render(&job("a castle and a tree by the sea", 3, 512, 512)).await;
        assert!(events.len() >= 3);
        assert!(events.windows(2).all(|w| w[0].fraction <= w[1].fraction));
        assert!((events.last().unwrap().fraction - 1.0).abs() < 1e-9);
        let preview = events.iter().find_map(|e| e.preview_png.clone()).unwrap();
        let decoded = image::load_from_memory(&preview).unwrap();
        assert!(decoded.width() <= 128 && decoded.height() <= 128);
    }

    #[test]
    fn words_in_the_negative_prompt_are_left_out() {
        assert_eq!(Scene::plan("sun tower", None, 5, None).shapes.len(), 2);
        let scene = Scene::plan("sun tower", Some("tower"), 5, None);
        assert_eq!(scene.shapes.len(), 1);
        assert_eq!(scene.shapes[0].kind, ShapeKind::Disc);
    }
}
