//! Encoding images for storage: PNG with the generation's metadata in text chunks (as
//! AUTOMATIC1111 and ComfyUI do, so a downloaded file remembers how it was made) and
//! thumbnails.

use chrono::{DateTime, Utc};
use image::DynamicImage;

/// Largest side of a thumbnail.
pub const THUMBNAIL_SIDE: u32 = 256;

/// How an image was made, written into its PNG.
#[derive(Debug, Clone)]
pub struct ImageMetadata {
    pub prompt: String,
    pub negative_prompt: Option<String>,
    pub model: String,
    pub seed: i64,
    pub created_at: DateTime<Utc>,
}

/// Encodes a PNG, with metadata chunks when given. UTF-8 text goes in iTXt chunks; the
/// `parameters` chunk uses AUTOMATIC1111's layout so existing tools can read it.
pub fn encode_png(
    pixels: &DynamicImage,
    metadata: Option<&ImageMetadata>,
) -> anyhow::Result<Vec<u8>> {
    let converted;
    let pixels = match pixels {
        DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => pixels,
        other => {
            converted = eight_bit(other.clone());
            &converted
        }
    };
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, pixels.width(), pixels.height());
        encoder.set_color(if pixels.color().has_alpha() {
            png::ColorType::Rgba
        } else {
            png::ColorType::Rgb
        });
        encoder.set_depth(png::BitDepth::Eight);
        // Deflate at its default level was 44% of a small job's CPU; the fast level makes
        // files a little larger and encoding several times quicker.
        encoder.set_compression(png::Compression::Fast);
        if let Some(meta) = metadata {
            let size = format!("{}x{}", pixels.width(), pixels.height());
            let mut parameters = meta.prompt.clone();
            if let Some(negative) = &meta.negative_prompt {
                parameters.push_str(&format!("\nNegative prompt: {negative}"));
            }
            parameters.push_str(&format!(
                "\nSeed: {}, Size: {size}, Model: {}",
                meta.seed, meta.model
            ));
            let chunks = [
                ("parameters", parameters),
                ("prompt", meta.prompt.clone()),
                (
                    "negative_prompt",
                    meta.negative_prompt.clone().unwrap_or_default(),
                ),
                ("model", meta.model.clone()),
                ("seed", meta.seed.to_string()),
                ("size", size),
                ("created_at", meta.created_at.to_rfc3339()),
                ("Software", "RenderMart".to_owned()),
            ];
            for (keyword, text) in chunks {
                encoder.add_itxt_chunk(keyword.to_owned(), text)?;
            }
        }
        let mut writer = encoder.write_header()?;
        writer.write_image_data(pixels.as_bytes())?;
        writer.finish()?;
    }
    Ok(bytes)
}

/// 8-bit RGB, or RGBA when the picture has transparency: what RenderMart stores.
pub fn eight_bit(pixels: DynamicImage) -> DynamicImage {
    match pixels {
        DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => pixels,
        other if other.color().has_alpha() => DynamicImage::ImageRgba8(other.to_rgba8()),
        other => DynamicImage::ImageRgb8(other.to_rgb8()),
    }
}

/// Whether a picture is small enough to be its own thumbnail.
pub fn fits_thumbnail(pixels: &DynamicImage) -> bool {
    pixels.width().max(pixels.height()) <= THUMBNAIL_SIDE
}

/// A copy no larger than `THUMBNAIL_SIDE` on either side, keeping the aspect ratio.
pub fn thumbnail(pixels: &DynamicImage) -> DynamicImage {
    let (w, h) = (pixels.width(), pixels.height());
    let scale = (THUMBNAIL_SIDE as f64 / w.max(h) as f64).min(1.0);
    let tw = ((w as f64 * scale).round() as u32).max(1);
    let th = ((h as f64 * scale).round() as u32).max(1);
    pixels.thumbnail_exact(tw, th)
}

/// Reads the text chunks of a PNG (used by tests and by anyone checking a download).
pub fn read_text_chunks(png_bytes: &[u8]) -> anyhow::Result<Vec<(String, String)>> {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let reader = decoder.read_info()?;
    let info = reader.info();
    let mut chunks: Vec<(String, String)> = info
        .uncompressed_latin1_text
        .iter()
        .map(|c| (c.keyword.clone(), c.text.clone()))
        .collect();
    for chunk in &info.utf8_text {
        chunks.push((chunk.keyword.clone(), chunk.get_text()?));
    }
    Ok(chunks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_survives_a_round_trip() {
        let pixels =
            DynamicImage::ImageRgb8(image::RgbImage::from_pixel(16, 8, image::Rgb([10, 20, 30])));
        let meta = ImageMetadata {
            prompt: "a café at dusk".into(),
            negative_prompt: Some("people".into()),
            model: "offline".into(),
            seed: 42,
            created_at: Utc::now(),
        };
        let bytes = encode_png(&pixels, Some(&meta)).unwrap();
        let chunks = read_text_chunks(&bytes).unwrap();
        let get = |k: &str| {
            chunks
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("prompt"), Some("a café at dusk"));
        assert_eq!(get("seed"), Some("42"));
        assert_eq!(get("size"), Some("16x8"));
        assert!(
            get("parameters")
                .unwrap()
                .contains("Negative prompt: people")
        );
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (16, 8));
    }

    #[test]
    fn thumbnails_fit_and_keep_their_shape() {
        let size = |image: DynamicImage| (image.width(), image.height());
        let wide = DynamicImage::new_rgb8(1024, 512);
        assert_eq!(size(thumbnail(&wide)), (256, 128));
        let small = DynamicImage::new_rgba8(100, 64);
        assert_eq!(size(thumbnail(&small)), (100, 64));
    }
}
