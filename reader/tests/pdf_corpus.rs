//! The PDF engine over every PDF in the shared corpus: opened, pages counted and measured,
//! page 1 drawn (and not blank), the outline read, text found where the file has it.

use reader::pdf::{PageDrawer, PdfBook};
use std::path::PathBuf;

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/pdf");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the corpus has its PDFs");
    files.into_iter().map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())).collect()
}

#[test]
fn every_corpus_pdf_opens_and_draws_its_first_page() {
    for (name, bytes) in corpus() {
        let book = PdfBook::open(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(book.page_count() >= 1, "{name}");
        for i in 0..book.page_count() {
            let (w, h) = book.page_size(i).unwrap();
            assert!(w > 10.0 && h > 10.0, "{name} page {i}: {w}×{h}");
        }
        let drawer = PageDrawer::new(&book);
        let page = drawer.draw(0, 1.0).unwrap_or_else(|| panic!("{name}: page 1 drawn"));
        assert_eq!(page.rgba.len(), (page.width * page.height * 4) as usize, "{name}");
        let (w, _) = book.page_size(0).unwrap();
        assert!((page.width as f32 - w).abs() <= 1.0, "{name}: drawn at the scale asked");
        let inked = page.rgba.chunks_exact(4).filter(|p| p[0] < 200 || p[1] < 200 || p[2] < 200).count();
        assert!(inked > 50, "{name}: page 1 has something drawn on it ({inked} dark pixels)");
        assert!(page.rgba.chunks_exact(4).all(|p| p[3] == 255), "{name}: opaque");
        println!("{name}: {} pages, page 1 {}×{} px, {} outline entries", book.page_count(), page.width, page.height, book.outline().len());
    }
}

#[test]
fn page_counts_match_the_files() {
    let count = |n: &str| corpus().into_iter().find(|(f, _)| f == n).map(|(_, b)| PdfBook::open(b).unwrap().page_count()).unwrap();
    assert_eq!(count("tracemonkey.pdf"), 14);
    assert_eq!(count("two_paragraphs.pdf"), 1);
}

#[test]
fn outline_entries_point_at_pages() {
    let (_, bytes) = corpus().into_iter().find(|(f, _)| f == "freeculture.pdf").unwrap();
    let book = PdfBook::open(bytes).unwrap();
    let outline = book.outline();
    println!("{outline:#?}");
    assert!(outline.len() >= 10, "freeculture.pdf has an outline");
    // Its last five entries are web links (URI actions): no page, kept as titles.
    let (pages, links): (Vec<_>, Vec<_>) = outline.iter().partition(|e| e.page.is_some());
    assert!(pages.iter().all(|e| e.page.is_some_and(|p| p >= 1 && p <= book.page_count())));
    assert_eq!(pages.len(), 53, "chapters resolved to pages");
    assert!(links.iter().all(|e| e.title.starts_with('*')), "{links:?}");
    assert!(pages.windows(2).all(|w| w[0].page <= w[1].page), "in reading order");
    assert_eq!(pages.iter().find(|e| e.title == "Chapter 1: Creators").and_then(|e| e.page), Some(35));
    // Structure-element destinations (`/SE`, no `/Dest`): titles kept, nested, no page to go to.
    let (_, bytes) = corpus().into_iter().find(|(f, _)| f == "outlines_se.pdf").unwrap();
    let outline = PdfBook::open(bytes).unwrap().outline();
    let titles: Vec<_> = outline.iter().map(|e| (e.title.as_str(), e.depth)).collect();
    assert_eq!(titles, [("P tags", 0), ("Hello", 1), ("World", 1)]);
}

#[test]
fn text_is_extracted_where_the_file_has_it() {
    let (_, bytes) = corpus().into_iter().find(|(f, _)| f == "tracemonkey.pdf").unwrap();
    let book = PdfBook::open(bytes).unwrap();
    let text = book.page_text(0);
    assert!(text.contains("Trace-based Just-in-Time"), "{}", &text[..text.len().min(400)]);
    assert!(text.contains("Andreas Gal"), "words keep their spaces: {text}");
    for (name, bytes) in corpus() {
        let book = PdfBook::open(bytes).unwrap();
        let text = book.page_text(0);
        println!("{name}: {:?}", text.chars().take(120).collect::<String>());
    }
}

#[test]
fn huge_scales_are_clamped() {
    let (_, bytes) = corpus().into_iter().find(|(f, _)| f == "two_paragraphs.pdf").unwrap();
    let book = PdfBook::open(bytes).unwrap();
    let drawer = PageDrawer::new(&book);
    let s = drawer.safe_scale(0, 1000.0);
    let (w, h) = book.page_size(0).unwrap();
    assert!(w * s <= reader::pdf::MAX_SIDE + 1.0 && w * s * h * s <= reader::pdf::MAX_PIXELS * 1.01);
}

#[test]
fn garbage_is_refused() {
    assert!(PdfBook::open(b"%PDF-1.4\nnot really".to_vec()).is_err());
    assert!(PdfBook::open(Vec::new()).is_err());
}

#[test]
fn text_layer_runs_hold_the_page_text_where_it_is_drawn() {
    for (name, bytes) in corpus() {
        let book = PdfBook::open(bytes).unwrap();
        for i in 0..book.page_count().min(3) {
            let layer = book.text_layer(i);
            let (w, h) = book.page_size(i).unwrap();
            let chars: Vec<char> = layer.text.chars().collect();
            let mut next = 0;
            for run in &layer.runs {
                let at = run.offset as usize;
                assert!(at >= next, "{name} p{i}: runs in text order");
                let len = run.text.chars().count();
                let held: String = chars[at..at + len].iter().collect();
                assert_eq!(held, run.text, "{name} p{i}: the run is the text at its offset");
                next = at + len;
                assert!(run.size > 0.0 && run.width >= 0.0, "{name} p{i}: {run:?}");
                // Boxes on the page (a little slack for glyphs drawn over the edge).
                assert!(run.x > -w * 0.1 && run.x < w * 1.1 && run.y > -h * 0.1 && run.y < h * 1.1, "{name} p{i}: {run:?} on {w}×{h}");
            }
            // Every letter of the text is in some run: only the guessed spaces and breaks are not.
            let in_runs: usize = layer.runs.iter().map(|r| r.text.chars().filter(|c| !c.is_whitespace()).count()).sum();
            assert_eq!(in_runs, chars.iter().filter(|c| !c.is_whitespace()).count(), "{name} p{i}");
        }
    }
    // What the reader pays per page for the text layer (printed, not timed): freeculture.pdf.
    let (_, bytes) = corpus().into_iter().find(|(f, _)| f == "freeculture.pdf").unwrap();
    let book = PdfBook::open(bytes).unwrap();
    let mut times = Vec::new();
    let mut runs = 0;
    for i in 0..book.page_count().min(60) {
        let t = std::time::Instant::now();
        runs += book.text_layer(i).runs.len();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "freeculture.pdf text layer, first {} pages: {runs} runs, median {:.1} ms per page, slowest {:.1} ms (this build's profile)",
        times.len(),
        times[times.len() / 2],
        times[times.len() - 1]
    );
    // tracemonkey's title: one line, near the top, left of the middle to right of it, in big type.
    let (_, bytes) = corpus().into_iter().find(|(f, _)| f == "tracemonkey.pdf").unwrap();
    let layer = PdfBook::open(bytes).unwrap().text_layer(0);
    let title = layer.runs.iter().find(|r| r.text.contains("Trace-based")).expect("the title is a run");
    println!("{title:?}");
    assert!(title.y < 120.0 && title.size > 12.0, "{title:?}");
    assert!(title.x < 306.0 && title.x + title.width > 306.0, "centred on the page: {title:?}");
}
