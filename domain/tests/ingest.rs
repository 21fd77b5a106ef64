//! Ingest over the real corpus, and over hostile archives made here.

use domain::catalog::Format;
use domain::ingest::{inspect, IngestError, Limits};
use std::io::Write;
use std::path::PathBuf;

fn corpus(kind: &str) -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus").join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus missing at {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    files
}

#[test]
fn every_corpus_epub_yields_its_metadata() {
    let files = corpus("epub");
    assert_eq!(files.len(), 17);
    let mut with_cover = 0;
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let m = inspect(&bytes, Some("epub"), &Limits::default()).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let name = f.file_name().unwrap().to_string_lossy();
        assert_eq!(m.format, Some(Format::Epub));
        assert!(!m.title.is_empty(), "{name}: no title");
        assert!(m.spine_length.unwrap_or(0) > 0, "{name}: empty spine");
        assert!(!m.language.is_empty(), "{name}: no language");
        if let Some((img, mime)) = &m.cover {
            assert!(mime.starts_with("image/") && img.len() > 100, "{name}: cover");
            with_cover += 1;
        }
    }
    assert!(with_cover >= 8, "covers found in {with_cover} books");
    let moby =
        inspect(&std::fs::read(files.iter().find(|f| f.ends_with("moby-dick.epub")).unwrap()).unwrap(), None, &Limits::default()).unwrap();
    assert_eq!(moby.title, "Moby-Dick");
    assert_eq!(moby.creators[0].name, "Herman Melville");
    assert_eq!(moby.creators[0].role, "aut");
    assert_eq!(moby.language, "en-US");
    assert!(moby.cover.is_some());
    let arabic = inspect(
        &std::fs::read(files.iter().find(|f| f.ends_with("regime-anticancer-arabic.epub")).unwrap()).unwrap(),
        None,
        &Limits::default(),
    )
    .unwrap();
    assert!(arabic.language.starts_with("ar"));
}

#[test]
fn every_corpus_pdf_is_accepted_without_panic() {
    let files = corpus("pdf");
    assert_eq!(files.len(), 12);
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let m = inspect(&bytes, Some("pdf"), &Limits::default()).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert_eq!(m.format, Some(Format::Pdf));
        assert!(m.page_count.is_some_and(|n| n >= 1), "{}: pages counted (object streams too)", f.display());
        // The cover is page 1, drawn: a real JPEG of the width pages ask for.
        let (cover, mime) = m.cover.unwrap_or_else(|| panic!("{}: a cover from page 1", f.display()));
        assert_eq!(mime, "image/jpeg");
        let (w, h) = domain::covers::dimensions(&cover).unwrap();
        assert!((639..=641).contains(&w) && h > 100, "{}: {w}×{h}", f.display());
    }
    let pages = |name: &str| {
        inspect(&std::fs::read(files.iter().find(|f| f.ends_with(name)).unwrap()).unwrap(), Some("pdf"), &Limits::default()).unwrap()
    };
    assert_eq!(pages("tracemonkey.pdf").page_count, Some(14));
    assert_eq!(pages("freeculture.pdf").page_count, Some(352));
}

/// A zip with the given (name, contents) entries, deflated.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap();
    }
    buf.into_inner()
}

const CONTAINER: &[u8] = br#"<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"#;
const OPF: &[u8] = br#"<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:isbn:9782070368228</dc:identifier><dc:title>Une vie</dc:title><dc:language>fr</dc:language><dc:creator>Guy de Maupassant</dc:creator></metadata><manifest><item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/></manifest><spine><itemref idref="c1"/></spine></package>"#;

#[test]
fn a_minimal_epub_is_read() {
    let epub = zip_of(&[
        ("mimetype", b"application/epub+zip"),
        ("META-INF/container.xml", CONTAINER),
        ("content.opf", OPF),
        ("c1.xhtml", b"<html/>"),
    ]);
    let m = inspect(&epub, Some("epub"), &Limits::default()).unwrap();
    assert_eq!(m.title, "Une vie");
    assert_eq!(m.isbn.as_deref(), Some("9782070368228"));
    assert_eq!(m.spine_length, Some(1));
}

#[test]
fn hostile_and_broken_archives_are_refused() {
    let l = Limits::default();
    let traversal = zip_of(&[("META-INF/container.xml", CONTAINER), ("../../etc/evil", b"x")]);
    assert!(matches!(inspect(&traversal, Some("epub"), &l), Err(IngestError::PathTraversal(_))));

    let zeros = vec![0u8; 20 * 1024 * 1024];
    let bomb = zip_of(&[("META-INF/container.xml", CONTAINER), ("bomb.xhtml", &zeros)]);
    assert!(bomb.len() < 100_000, "a real bomb: {} bytes packed", bomb.len());
    assert_eq!(inspect(&bomb, Some("epub"), &l).unwrap_err(), IngestError::ZipBomb);
    let small_limit = Limits { max_unpacked_bytes: 1024, ..l };
    let big = zip_of(&[("META-INF/container.xml", CONTAINER), ("a.txt", &[b'a'; 4096])]);
    assert_eq!(inspect(&big, Some("epub"), &small_limit).unwrap_err(), IngestError::ZipBomb);

    let no_container = zip_of(&[("mimetype", b"application/epub+zip"), ("content.opf", OPF)]);
    assert_eq!(inspect(&no_container, Some("epub"), &l).unwrap_err(), IngestError::MissingContainer);

    let broken = zip_of(&[("META-INF/container.xml", CONTAINER), ("content.opf", b"<package><metadata><unclosed")]);
    let err = inspect(&broken, Some("epub"), &l).unwrap_err();
    assert!(matches!(err, IngestError::MalformedXml(_) | IngestError::MissingPackage(_)), "{err:?}");

    let no_opf = zip_of(&[("META-INF/container.xml", CONTAINER)]);
    assert!(matches!(inspect(&no_opf, Some("epub"), &l).unwrap_err(), IngestError::MissingPackage(_) | IngestError::MalformedXml(_)));

    assert_eq!(inspect(b"not a zip at all", Some("epub"), &l).unwrap_err(), IngestError::NotAZip);
    let pdf_named_epub = std::fs::read(corpus("pdf")[0].clone()).unwrap();
    assert!(matches!(inspect(&pdf_named_epub, Some("epub"), &l).unwrap_err(), IngestError::WrongType { .. }));
    let encrypted = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R/Encrypt 2 0 R>>\n%%EOF";
    assert_eq!(inspect(encrypted, Some("pdf"), &l).unwrap_err(), IngestError::Encrypted);
    // A PDF header on garbage, or a file cut in half: refused with a reason, no panic.
    assert_eq!(inspect(b"%PDF-1.7\nnothing else here at all", Some("pdf"), &l).unwrap_err(), IngestError::UnreadablePdf);
    let whole = std::fs::read(corpus("pdf").into_iter().find(|f| f.ends_with("tracemonkey.pdf")).unwrap()).unwrap();
    let half = &whole[..whole.len() / 2];
    match inspect(half, Some("pdf"), &l) {
        Err(e) => assert_eq!(e, IngestError::UnreadablePdf),
        // The engine may recover the pages it finds (it rebuilds a broken cross-reference table).
        Ok(m) => assert!(m.page_count.is_some_and(|n| n >= 1)),
    }
}
