//! The offline engine's edits: deterministic pixel operations, no AI. Each takes the source
//! (and mask, white = change) and the picture the prompt paints at the output size, and
//! guarantees what a test can check: pixels outside a mask stay the source's, an outpainted
//! source sits unchanged in the middle, a removed background is transparent.

use entity::generation::Task;
use image::imageops::{self, FilterType};
use image::{DynamicImage, GrayImage, Rgba, RgbaImage};

use super::NAMED_COLOURS;
use crate::engines::{EditParams, Outpaint};

/// Whether `task` draws the prompt's scene to work with.
pub fn paints(task: Task) -> bool {
    matches!(
        task,
        Task::ImageToImage | Task::Variation | Task::Inpaint | Task::Outpaint | Task::SearchReplace
    )
}

/// Does `task` to `source`; `painted` is the prompt's scene at `size` when `paints(task)`.
/// Checks before the job was queued guarantee the inputs each task needs.
pub fn apply(
    task: Task,
    source: &RgbaImage,
    mask: Option<&GrayImage>,
    painted: Option<&RgbaImage>,
    edit: &EditParams,
    prompt: &str,
    size: (u32, u32),
) -> DynamicImage {
    let blank;
    let painted = match painted {
        Some(painted) => painted,
        None => {
            blank = RgbaImage::new(size.0, size.1);
            &blank
        }
    };
    let search = edit.mask_prompt.as_deref().unwrap_or_default();
    let strength = edit.strength.unwrap_or(0.5) as f32;
    let out = match task {
        Task::Inpaint => mask.map_or_else(|| source.clone(), |m| inpaint(source, m, painted)),
        Task::Erase => mask.map_or_else(|| source.clone(), |m| erase(source, m)),
        Task::Outpaint => outpaint(source, edit.outpaint.unwrap_or_default(), painted),
        Task::RemoveBackground => return DynamicImage::ImageRgba8(remove_background(source)),
        Task::Upscale => upscale(source, size.0, size.1),
        Task::SearchReplace => inpaint(source, &colour_region(source, search), painted),
        Task::SearchRecolor => {
            let colour = colour_named_in(prompt).unwrap_or([128, 128, 128]);
            recolour(source, &colour_region(source, search), colour)
        }
        Task::ImageToImage | Task::Variation => blend_towards(source, painted, strength),
        Task::TextToImage | Task::Upload => source.clone(),
    };
    // Sources with transparency keep it; opaque ones are stored as RGB.
    if out.pixels().all(|p| p.0[3] == u8::MAX) {
        DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(out).to_rgb8())
    } else {
        DynamicImage::ImageRgba8(out)
    }
}

/// A mask pixel at or above this is "change".
const MASKED: u8 = 128;

/// How far (in RGB units) a pixel may be from a colour to count as that colour.
const COLOUR_TOLERANCE: f32 = 90.0;

/// How far a background pixel may be from its neighbour for the flood to go on through it.
const BACKGROUND_STEP: f32 = 28.0;

fn masked(mask: &GrayImage, x: u32, y: u32) -> bool {
    mask.get_pixel(x, y).0[0] >= MASKED
}

fn distance(a: [u8; 3], b: [u8; 3]) -> f32 {
    let d = |i: usize| f32::from(a[i]) - f32::from(b[i]);
    (d(0) * d(0) + d(1) * d(1) + d(2) * d(2)).sqrt()
}

fn rgb(pixel: &Rgba<u8>) -> [u8; 3] {
    [pixel.0[0], pixel.0[1], pixel.0[2]]
}

/// The masked area takes the painted picture; everything else stays the source's.
pub fn inpaint(source: &RgbaImage, mask: &GrayImage, painted: &RgbaImage) -> RgbaImage {
    let mut out = source.clone();
    for (x, y, pixel) in out.enumerate_pixels_mut() {
        if masked(mask, x, y) {
            *pixel = *painted.get_pixel(x, y);
        }
    }
    out
}

/// The masked area is filled from its surroundings: along each row, a blend of the nearest
/// unmasked pixels to the left and right (or the one side there is). Rows masked from edge to
/// edge take the nearest unmasked row above or below.
pub fn erase(source: &RgbaImage, mask: &GrayImage) -> RgbaImage {
    let (w, h) = source.dimensions();
    let mut out = source.clone();
    let mut filled_rows = vec![false; h as usize];
    for y in 0..h {
        let mut x = 0;
        let mut any_unmasked = false;
        while x < w {
            if !masked(mask, x, y) {
                any_unmasked = true;
                x += 1;
                continue;
            }
            let start = x;
            while x < w && masked(mask, x, y) {
                x += 1;
            }
            let left = (start > 0).then(|| *source.get_pixel(start - 1, y));
            let right = (x < w).then(|| *source.get_pixel(x, y));
            for fill in start..x {
                let t = (fill - start + 1) as f32 / (x - start + 1) as f32;
                let colour = match (left, right) {
                    (Some(l), Some(r)) => blend(&l, &r, t),
                    (Some(only), None) | (None, Some(only)) => only,
                    (None, None) => continue,
                };
                out.put_pixel(fill, y, colour);
            }
        }
        filled_rows[y as usize] = any_unmasked;
    }
    for y in 0..h {
        if filled_rows[y as usize] {
            continue;
        }
        let nearest = (1..h).find_map(|d| {
            [y.checked_sub(d), y.checked_add(d).filter(|&v| v < h)]
                .into_iter()
                .flatten()
                .find(|&v| filled_rows[v as usize])
        });
        if let Some(from) = nearest {
            for x in 0..w {
                let pixel = *out.get_pixel(x, from);
                out.put_pixel(x, y, pixel);
            }
        }
    }
    out
}

fn blend(a: &Rgba<u8>, b: &Rgba<u8>, t: f32) -> Rgba<u8> {
    Rgba(std::array::from_fn(|i| {
        (f32::from(a.0[i]) * (1.0 - t) + f32::from(b.0[i]) * t).round() as u8
    }))
}

/// A larger canvas: the source unchanged at (`left`, `top`), the new margins a blend of the
/// source's nearest edge and the painted picture.
pub fn outpaint(source: &RgbaImage, margins: Outpaint, painted: &RgbaImage) -> RgbaImage {
    let (w, h) = source.dimensions();
    let mut out = painted.clone();
    for (x, y, pixel) in out.enumerate_pixels_mut() {
        let sx = x as i64 - i64::from(margins.left);
        let sy = y as i64 - i64::from(margins.top);
        let inside = (0..i64::from(w)).contains(&sx) && (0..i64::from(h)).contains(&sy);
        if inside {
            *pixel = *source.get_pixel(sx as u32, sy as u32);
        } else {
            let edge = source.get_pixel(
                sx.clamp(0, i64::from(w) - 1) as u32,
                sy.clamp(0, i64::from(h) - 1) as u32,
            );
            // Far from the source the painted picture takes over.
            let away = (sx.clamp(0, i64::from(w) - 1) - sx).abs()
                + (sy.clamp(0, i64::from(h) - 1) - sy).abs();
            let t = (away as f32 / 64.0).min(1.0) * 0.8;
            *pixel = blend(edge, pixel, t);
        }
    }
    out
}

/// The background made transparent: a flood from every border pixel through neighbours that
/// differ little from the pixel they were reached from, starting only at border pixels close
/// to the border's commonest colour.
pub fn remove_background(source: &RgbaImage) -> RgbaImage {
    let (w, h) = source.dimensions();
    let border: Vec<(u32, u32)> = (0..w)
        .flat_map(|x| [(x, 0), (x, h - 1)])
        .chain((0..h).flat_map(|y| [(0, y), (w - 1, y)]))
        .collect();
    let background = commonest_colour(border.iter().map(|&(x, y)| rgb(source.get_pixel(x, y))));
    let mut out = source.clone();
    let mut seen = vec![false; (w * h) as usize];
    let mut stack: Vec<(u32, u32)> = border
        .into_iter()
        .filter(|&(x, y)| distance(rgb(source.get_pixel(x, y)), background) <= COLOUR_TOLERANCE)
        .collect();
    for &(x, y) in &stack {
        seen[(y * w + x) as usize] = true;
    }
    while let Some((x, y)) = stack.pop() {
        out.get_pixel_mut(x, y).0[3] = 0;
        let here = rgb(source.get_pixel(x, y));
        let neighbours = [
            (x.wrapping_sub(1), y),
            (x + 1, y),
            (x, y.wrapping_sub(1)),
            (x, y + 1),
        ];
        for (nx, ny) in neighbours {
            if nx >= w || ny >= h || seen[(ny * w + nx) as usize] {
                continue;
            }
            let there = rgb(source.get_pixel(nx, ny));
            if distance(here, there) <= BACKGROUND_STEP
                && distance(there, background) <= COLOUR_TOLERANCE
            {
                seen[(ny * w + nx) as usize] = true;
                stack.push((nx, ny));
            }
        }
    }
    out
}

/// The commonest colour, counted in coarse bins so noise does not split it.
fn commonest_colour(colours: impl Iterator<Item = [u8; 3]>) -> [u8; 3] {
    let mut bins: std::collections::HashMap<[u8; 3], (u32, [u64; 3])> = Default::default();
    for colour in colours {
        let entry = bins.entry(colour.map(|v| v / 32)).or_default();
        entry.0 += 1;
        for (sum, value) in entry.1.iter_mut().zip(colour) {
            *sum += u64::from(value);
        }
    }
    bins.into_values()
        .max_by_key(|(count, _)| *count)
        .map(|(count, sum)| sum.map(|s| (s / u64::from(count)) as u8))
        .unwrap_or([0, 0, 0])
}

/// Resampled to `width` × `height` with a Lanczos filter.
pub fn upscale(source: &RgbaImage, width: u32, height: u32) -> RgbaImage {
    imageops::resize(source, width, height, FilterType::Lanczos3)
}

/// The painted picture laid over the source by `strength` (0 keeps the source, 1 is the
/// painted picture alone).
pub fn blend_towards(source: &RgbaImage, painted: &RgbaImage, strength: f32) -> RgbaImage {
    let mut out = source.clone();
    for (x, y, pixel) in out.enumerate_pixels_mut() {
        let over = painted.get_pixel(x, y);
        let alpha = pixel.0[3];
        *pixel = blend(pixel, over, strength.clamp(0.0, 1.0));
        pixel.0[3] = alpha;
    }
    out
}

/// The first colour word of `text`, if it names one the offline engine knows.
pub fn colour_named_in(text: &str) -> Option<[u8; 3]> {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .find_map(|word| {
            NAMED_COLOURS
                .iter()
                .find(|(name, _)| *name == word)
                .map(|(_, colour)| *colour)
        })
}

/// The region to work on for search-and-replace and recolour: pixels close to the colour
/// named in `search`, or, when it names none, to the colour at the centre.
pub fn colour_region(source: &RgbaImage, search: &str) -> GrayImage {
    let (w, h) = source.dimensions();
    let target = colour_named_in(search).unwrap_or_else(|| rgb(source.get_pixel(w / 2, h / 2)));
    GrayImage::from_fn(w, h, |x, y| {
        let close = distance(rgb(source.get_pixel(x, y)), target) <= COLOUR_TOLERANCE;
        image::Luma([if close { 255 } else { 0 }])
    })
}

/// The masked region recoloured to `colour`, keeping each pixel's light and shade.
pub fn recolour(source: &RgbaImage, mask: &GrayImage, colour: [u8; 3]) -> RgbaImage {
    let luma =
        |c: [u8; 3]| 0.299 * f32::from(c[0]) + 0.587 * f32::from(c[1]) + 0.114 * f32::from(c[2]);
    let target_luma = luma(colour).max(1.0);
    let mut out = source.clone();
    for (x, y, pixel) in out.enumerate_pixels_mut() {
        if masked(mask, x, y) {
            let scale = luma(rgb(pixel)) / target_luma;
            for (channel, value) in pixel.0.iter_mut().zip(colour) {
                *channel = (f32::from(value) * scale).round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    fn checker(w: u32, h: u32) -> RgbaImage {
        RgbaImage::from_fn(w, h, |x, y| {
            Rgba([
                (x * 7 % 256) as u8,
                (y * 11 % 256) as u8,
                ((x + y) % 256) as u8,
                255,
            ])
        })
    }

    fn square_mask(w: u32, h: u32) -> GrayImage {
        GrayImage::from_fn(w, h, |x, y| {
            Luma([if (10..20).contains(&x) && (5..15).contains(&y) {
                255
            } else {
                0
            }])
        })
    }

    #[test]
    fn inpaint_and_erase_change_only_the_masked_pixels() {
        let source = checker(32, 24);
        let mask = square_mask(32, 24);
        let painted = RgbaImage::from_pixel(32, 24, Rgba([1, 2, 3, 255]));
        for out in [inpaint(&source, &mask, &painted), erase(&source, &mask)] {
            for (x, y, pixel) in out.enumerate_pixels() {
                if !masked(&mask, x, y) {
                    assert_eq!(pixel, source.get_pixel(x, y), "({x}, {y})");
                }
            }
        }
        assert_eq!(
            inpaint(&source, &mask, &painted).get_pixel(12, 8),
            &Rgba([1, 2, 3, 255])
        );
    }

    #[test]
    fn erase_fills_a_row_between_its_neighbours() {
        let mut source = RgbaImage::from_pixel(30, 1, Rgba([0, 0, 0, 255]));
        for x in 20..30 {
            source.put_pixel(x, 0, Rgba([200, 200, 200, 255]));
        }
        let mask = GrayImage::from_fn(30, 1, |x, _| {
            Luma([if (10..20).contains(&x) { 255 } else { 0 }])
        });
        let out = erase(&source, &mask);
        let middle = out.get_pixel(15, 0).0[0];
        assert!((80..=130).contains(&middle), "{middle}");
    }

    #[test]
    fn outpaint_keeps_the_source_in_the_middle() {
        let source = checker(16, 8);
        let margins = Outpaint {
            left: 4,
            right: 2,
            top: 3,
            bottom: 1,
        };
        let painted = RgbaImage::from_pixel(22, 12, Rgba([9, 9, 9, 255]));
        let out = outpaint(&source, margins, &painted);
        assert_eq!(out.dimensions(), (22, 12));
        for (x, y, pixel) in source.enumerate_pixels() {
            assert_eq!(out.get_pixel(x + 4, y + 3), pixel);
        }
    }

    #[test]
    fn a_plain_background_becomes_transparent_and_the_subject_stays() {
        let mut source = RgbaImage::from_pixel(40, 40, Rgba([240, 240, 240, 255]));
        for y in 10..30 {
            for x in 10..30 {
                source.put_pixel(x, y, Rgba([200, 30, 30, 255]));
            }
        }
        let out = remove_background(&source);
        for (x, y) in [(0, 0), (39, 0), (0, 39), (39, 39), (5, 20)] {
            assert_eq!(out.get_pixel(x, y).0[3], 0, "({x}, {y})");
        }
        assert_eq!(out.get_pixel(20, 20), &Rgba([200, 30, 30, 255]));
    }

    #[test]
    fn upscale_gives_the_exact_size() {
        assert_eq!(upscale(&checker(30, 20), 75, 50).dimensions(), (75, 50));
    }

    #[test]
    fn colour_words_pick_the_region_and_the_new_colour() {
        let mut source = RgbaImage::from_pixel(10, 10, Rgba([240, 240, 240, 255]));
        source.put_pixel(2, 2, Rgba([214, 40, 40, 255]));
        let region = colour_region(&source, "the red ball");
        assert_eq!(region.get_pixel(2, 2).0[0], 255);
        assert_eq!(region.get_pixel(5, 5).0[0], 0);
        let out = recolour(&source, &region, colour_named_in("make it blue").unwrap());
        let p = out.get_pixel(2, 2).0;
        assert!(p[2] > p[0], "{p:?}");
        assert_eq!(out.get_pixel(5, 5), source.get_pixel(5, 5));
    }
}
