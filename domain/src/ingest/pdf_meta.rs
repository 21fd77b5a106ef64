//! PDF: read with the reader's own engine (`reader::pdf`, the one that draws pages in the
//! browser), so whatever ingest accepts, the reader can show. Encrypted files are refused; the
//! title and author come from the document's Info, the page count from its page tree (object
//! streams included), and the cover is page 1 drawn to a JPEG.

use super::{Creator, Extracted, IngestError};
use reader::pdf::{PageDrawer, PdfBook};

/// Width of the cover drawn from page 1, in pixels (the largest width pages ask for).
const COVER_WIDTH: f32 = 640.0;

pub fn extract(bytes: &[u8]) -> Result<Extracted, IngestError> {
    let tail = &bytes[bytes.len().saturating_sub(64 * 1024)..];
    if tail.windows(8).any(|w| w == b"/Encrypt") {
        return Err(IngestError::Encrypted);
    }
    // The file is hostile until proven otherwise: a panic deep in the parser is a refusal, not a
    // crash of the import.
    let owned = bytes.to_vec();
    std::panic::catch_unwind(move || read(owned)).unwrap_or(Err(IngestError::UnreadablePdf))
}

fn read(bytes: Vec<u8>) -> Result<Extracted, IngestError> {
    let book = PdfBook::open(bytes).map_err(|e| match e {
        reader::EngineError::Encrypted => IngestError::Encrypted,
        _ => IngestError::UnreadablePdf,
    })?;
    let info = book.info();
    let cover = cover(&book);
    Ok(Extracted {
        title: info.title.unwrap_or_default(),
        creators: info.author.map(|name| vec![Creator { name, role: "aut".into() }]).unwrap_or_default(),
        description: info.subject.unwrap_or_default(),
        page_count: Some(book.page_count()),
        cover,
        ..Default::default()
    })
}

/// Page 1 at [`COVER_WIDTH`] pixels wide, as JPEG.
fn cover(book: &PdfBook) -> Option<(Vec<u8>, String)> {
    let (w, _) = book.page_size(0)?;
    let page = PageDrawer::new(book).draw(0, COVER_WIDTH / w.max(1.0))?;
    let rgb: Vec<u8> = page.rgba.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    let img = image::RgbImage::from_raw(page.width, page.height, rgb)?;
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82);
    img.write_with_encoder(encoder).ok()?;
    Some((out, "image/jpeg".into()))
}
