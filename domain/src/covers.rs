//! Covers in the widths the pages ask for: decoded once (within limits: a cover is a small
//! image, not a decompression bomb), scaled down, and encoded as WebP (a third lighter for the
//! same look; every browser Coko supports reads it) or JPEG (the fallback).

use image::{ImageDecoder, ImageReader, Limits};
use std::io::Cursor;

/// The widths a cover is served in (CSS pixels × density, chosen by `srcset`).
pub const COVER_WIDTHS: [u32; 3] = [160, 320, 640];
/// JPEG quality: covers stay sharp at a third of the original's weight.
const QUALITY: u8 = 78;
/// WebP quality: as sharp as the JPEG at `QUALITY`, lighter.
const WEBP_QUALITY: f32 = 72.0;

/// The encodings a scaled cover is served in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoverFormat {
    Jpeg,
    Webp,
}

impl CoverFormat {
    pub fn mime(self) -> &'static str {
        match self {
            CoverFormat::Jpeg => "image/jpeg",
            CoverFormat::Webp => "image/webp",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            CoverFormat::Jpeg => "jpeg",
            CoverFormat::Webp => "webp",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cover cannot be resized: {0}")]
pub struct CoverError(String);

fn reader(bytes: &[u8]) -> Result<ImageReader<Cursor<&[u8]>>, CoverError> {
    let mut r = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| CoverError(e.to_string()))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(8000);
    limits.max_image_height = Some(8000);
    limits.max_alloc = Some(128 * 1024 * 1024);
    r.limits(limits);
    Ok(r)
}

/// A raster image's type from its first bytes.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [0xff, 0xd8, ..] => Some("image/jpeg"),
        [b'G', b'I', b'F', b'8', ..] => Some("image/gif"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        _ => None,
    }
}

/// An image's width and height, from its header.
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32), CoverError> {
    reader(bytes)?.into_decoder().map(|d| d.dimensions()).map_err(|e| CoverError(e.to_string()))
}

/// The cover at `width` pixels wide (never enlarged), in `format`.
pub fn resized(bytes: &[u8], width: u32, format: CoverFormat) -> Result<Vec<u8>, CoverError> {
    let img = reader(bytes)?.decode().map_err(|e| CoverError(e.to_string()))?;
    let img = if img.width() > width {
        let height = ((img.height() as u64 * width as u64) / img.width().max(1) as u64).max(1) as u32;
        img.resize_exact(width, height, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    let rgb = img.into_rgb8();
    match format {
        CoverFormat::Jpeg => {
            let mut out = Vec::new();
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, QUALITY);
            rgb.write_with_encoder(encoder).map_err(|e| CoverError(e.to_string()))?;
            Ok(out)
        }
        CoverFormat::Webp => Ok(webp::Encoder::from_rgb(rgb.as_raw(), rgb.width(), rgb.height()).encode(WEBP_QUALITY).to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Vec::new();
        image::DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
        out
    }

    #[test]
    fn scales_down_keeping_the_shape_and_never_up() {
        let big = png(600, 900);
        let small = resized(&big, 160, CoverFormat::Jpeg).unwrap();
        assert_eq!(dimensions(&small).unwrap(), (160, 240));
        assert_eq!(&small[..2], &[0xff, 0xd8], "a JPEG");
        assert_eq!(dimensions(&resized(&big, 640, CoverFormat::Jpeg).unwrap()).unwrap(), (600, 900), "never enlarged");
        assert!(resized(b"not an image", 160, CoverFormat::Jpeg).is_err());
        assert_eq!(sniff(&big), Some("image/png"));
        assert_eq!(sniff(&small), Some("image/jpeg"));
        assert_eq!(sniff(b"<svg"), None);
    }

    #[test]
    fn webp_is_smaller_than_jpeg_for_a_real_cover() {
        let cover = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../public/icons/icon-512.png")).unwrap();
        let webp = resized(&cover, 320, CoverFormat::Webp).unwrap();
        let jpeg = resized(&cover, 320, CoverFormat::Jpeg).unwrap();
        assert_eq!(sniff(&webp), Some("image/webp"));
        assert_eq!(dimensions(&webp).unwrap(), (320, 320));
        assert!(webp.len() < jpeg.len(), "webp {} B, jpeg {} B", webp.len(), jpeg.len());
        println!("icon at 320 px: webp {} B, jpeg {} B", webp.len(), jpeg.len());
    }
}
