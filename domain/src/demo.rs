//! Demo catalogue made by Coko itself (no network, no copied files): real EPUB 3 files with
//! chapters, a navigation document and a PNG cover, in French and English.

use std::io::Write;

/// A demo book and how it is sold.
pub struct DemoBook {
    /// Where editors filed it (`Parent > Child`, `;` between categories).
    pub categories: &'static str,
    pub title: &'static str,
    pub author: &'static str,
    pub language: &'static str,
    pub description: &'static str,
    pub price_xof: i64,
    pub featured: bool,
    /// Opened by Premium too.
    pub premium: bool,
    /// Cover colours: background and accent (RGB).
    pub colors: ([u8; 3], [u8; 3]),
}

pub const DEMO_BOOKS: &[DemoBook] = &[
    DemoBook { categories: "Fiction > Romans", title: "Le Baobab de Ndiaye", author: "Aminata Sow", language: "fr", description: "Un village du Sine, un arbre millénaire et trois générations qui se disputent son ombre.", price_xof: 0, featured: true, premium: false, colors: ([15, 118, 110], [245, 158, 11]) },
    DemoBook { categories: "Fiction > Romans", title: "Les Pêcheurs de Joal", author: "Mamadou Diallo", language: "fr", description: "Chaque aube, les pirogues partent ; un matin, l'une d'elles ne revient pas.", price_xof: 1500, featured: true, premium: false, colors: ([30, 64, 175], [250, 204, 21]) },
    DemoBook { categories: "Fiction > Contes", title: "Contes du soir à Bamako", author: "Fatoumata Keïta", language: "fr", description: "Douze contes racontés sous la véranda, entre rires et frissons.", price_xof: 0, featured: false, premium: false, colors: ([154, 52, 18], [253, 230, 138]) },
    DemoBook { categories: "Fiction > Romans", title: "La Route de Kankan", author: "Ibrahima Camara", language: "fr", description: "Un camion, deux frères et mille kilomètres de latérite.", price_xof: 2500, featured: false, premium: false, colors: ([120, 53, 15], [252, 211, 77]) },
    DemoBook { categories: "Savoirs > Sciences", title: "Mathématiques pour tous", author: "Ousmane Ba", language: "fr", description: "Les nombres, les fractions et la géométrie expliqués avec des exemples du marché.", price_xof: 1000, featured: false, premium: true, colors: ([55, 48, 163], [165, 243, 252]) },
    DemoBook { categories: "Fiction > Romans; Jeunesse", title: "L'Élève de Saint-Louis", author: "Mariama Diop", language: "fr", description: "Une jeune fille obtient une bourse pour le lycée ; tout le quartier retient son souffle.", price_xof: 500, featured: true, premium: false, colors: ([157, 23, 77], [254, 205, 211]) },
    DemoBook { categories: "Fiction > Romans", title: "The Griot's Daughter", author: "Kwame Mensah", language: "en", description: "She was not supposed to sing. The kora had other plans.", price_xof: 0, featured: true, premium: false, colors: ([88, 28, 135], [253, 224, 71]) },
    DemoBook { categories: "Fiction > Romans", title: "Rain over Lagos", author: "Chioma Okafor", language: "en", description: "A city of twenty million, one flooded street and a stranger's umbrella.", price_xof: 2000, featured: false, premium: true, colors: ([22, 101, 52], [187, 247, 208]) },
    DemoBook { categories: "Fiction > Contes; Jeunesse", title: "Stories from the Savannah", author: "Amina Wanjiru", language: "en", description: "Folk tales from East Africa, retold for young readers.", price_xof: 0, featured: false, premium: false, colors: ([161, 98, 7], [254, 243, 199]) },
    DemoBook { categories: "Savoirs > Histoire", title: "A Short History of the Sahel", author: "Boubacar Traoré", language: "en", description: "Empires, caravans and cities of the Sahel from Ghana to Songhai.", price_xof: 3000, featured: false, premium: false, colors: ([68, 64, 60], [251, 146, 60]) },
    DemoBook { categories: "Savoirs > Sciences", title: "Learning to Code on a Phone", author: "Esi Boateng", language: "en", description: "Your first programs, written and run on the phone in your pocket.", price_xof: 1500, featured: false, premium: true, colors: ([15, 23, 42], [56, 189, 248]) },
    DemoBook { categories: "Fiction > Romans", title: "草枕", author: "夏目漱石", language: "ja", description: "Un peintre gravit un chemin de montagne et médite sur l'art : l'ouverture du roman de Natsume Sōseki (1906), en japonais, composée verticalement.", price_xof: 0, featured: false, premium: false, colors: ([30, 41, 59], [226, 232, 240]) },
    DemoBook { categories: "Vie pratique > Cuisine", title: "Recettes de ma grand-mère", author: "Awa Ndiaye", language: "fr", description: "Thieboudienne, mafé, yassa : les recettes et leurs histoires.", price_xof: 0, featured: false, premium: false, colors: ([185, 28, 28], [254, 215, 170]) },
];

const FR_CHAPTERS: &[(&str, &str)] = &[
    ("Le commencement", "Le soleil se levait à peine sur les toits de tôle quand tout commença. Les marchandes installaient déjà leurs étals, et l'odeur du café Touba se mêlait à celle de la poussière. Personne ne se doutait que ce jour-là changerait le cours de tant de vies."),
    ("Le voyage", "Il fallut partir avant la chaleur. La route était longue, bordée d'acacias et de villages dont on ne connaissait que le nom. À chaque halte, quelqu'un racontait une histoire, et chaque histoire en appelait une autre."),
    ("Le retour", "Au retour, rien n'était tout à fait pareil. Les enfants avaient grandi, les anciens parlaient plus bas, et le vieil arbre, au centre de la place, semblait attendre qu'on lui raconte enfin ce qui s'était passé."),
];

const EN_CHAPTERS: &[(&str, &str)] = &[
    ("Beginnings", "The sun had barely touched the tin roofs when it all began. Market women were already setting out their stalls, and the smell of roasted groundnuts drifted over the dusty road. Nobody guessed that this day would change so many lives."),
    ("The Journey", "They had to leave before the heat. The road was long, lined with acacias and villages known only by name. At every stop someone told a story, and every story called for another."),
    ("Coming Home", "When they came back, nothing was quite the same. The children had grown, the elders spoke more softly, and the old tree in the square seemed to be waiting to hear what had happened."),
];

/// The opening of Natsume Sōseki's *Kusamakura* (1906, public domain), in three parts: a book
/// written top to bottom, lines running right to left.
const JA_CHAPTERS: &[(&str, &str)] = &[
    ("その一", "山路を登りながら、こう考えた。智に働けば角が立つ。情に棹させば流される。意地を通せば窮屈だ。とかくに人の世は住みにくい。住みにくさが高じると、安い所へ引き越したくなる。どこへ越しても住みにくいと悟った時、詩が生れて、画が出来る。"),
    ("その二", "人の世を作ったものは神でもなければ鬼でもない。やはり向う三軒両隣りにちらちらするただの人である。ただの人が作った人の世が住みにくいからとて、越す国はあるまい。あれば人でなしの国へ行くばかりだ。人でなしの国は人の世よりもなお住みにくかろう。"),
    ("その三", "越す事のならぬ世が住みにくければ、住みにくい所をどれほどか、寛容て、束の間の命を、束の間でも住みよくせねばならぬ。ここに詩人という天職が出来て、ここに画家という使命が降る。あらゆる芸術の士は人の世を長閑にし、人の心を豊かにするが故に尊とい。"),
];

/// The style sheet of the vertical (Japanese) demo book.
const VERTICAL_CSS: &str = "html { writing-mode: vertical-rl; -epub-writing-mode: vertical-rl; -webkit-writing-mode: vertical-rl; }\nbody { font-family: serif; line-height: 1.75; }\nh1 { font-size: 1.4em; margin: 0 0 0 1em; }\np { text-indent: 1em; margin: 0; }\n";

use crate::markup::escape as esc;

/// A small PNG cover: a coloured page with a band and a sun.
pub fn cover_png(bg: [u8; 3], accent: [u8; 3]) -> Vec<u8> {
    let (w, h) = (300u32, 450u32);
    let mut raw = Vec::with_capacity(((w + 1) * h) as usize);
    for y in 0..h {
        raw.push(0); // no filter
        for x in 0..w {
            let (dx, dy) = (x as i32 - 150, y as i32 - 150);
            let sun = dx * dx + dy * dy < 60 * 60;
            let band = (300..330).contains(&y);
            raw.push(if sun || band { 1 } else { 0 });
        }
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&raw).expect("in-memory write");
    let idat = z.finish().expect("in-memory write");
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(data);
        png.extend_from_slice(kind);
        png.extend_from_slice(data);
        png.extend_from_slice(&crc.finalize().to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 3, 0, 0, 0]); // 8-bit, palette
    chunk(b"IHDR", &ihdr);
    chunk(b"PLTE", &[bg, accent].concat());
    chunk(b"IDAT", &idat);
    chunk(b"IEND", &[]);
    png
}

/// A complete EPUB 3 for a demo book.
pub fn epub(book: &DemoBook) -> Vec<u8> {
    let vertical = book.language == "ja";
    let chapters = match book.language {
        "fr" => FR_CHAPTERS,
        "ja" => JA_CHAPTERS,
        _ => EN_CHAPTERS,
    };
    let id = format!("urn:uuid:{}", uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, book.title.as_bytes()));
    let mut manifest = String::from(
        r#"<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/><item id="cover" href="cover.png" media-type="image/png" properties="cover-image"/>"#,
    );
    if vertical {
        manifest.push_str(r#"<item id="css" href="vertical.css" media-type="text/css"/>"#);
    }
    let mut spine = String::new();
    let mut nav = String::new();
    for (i, (title, _)) in chapters.iter().enumerate() {
        manifest.push_str(&format!(r#"<item id="c{i}" href="c{i}.xhtml" media-type="application/xhtml+xml"/>"#));
        spine.push_str(&format!(r#"<itemref idref="c{i}"/>"#));
        nav.push_str(&format!(r#"<li><a href="c{i}.xhtml">{}</a></li>"#, esc(title)));
    }
    let opf = format!(
        r##"<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id" xml:lang="{lang}">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="id">{id}</dc:identifier><dc:title>{title}</dc:title><dc:language>{lang}</dc:language>
<dc:creator id="a1">{author}</dc:creator><meta refines="#a1" property="role" scheme="marc:relators">aut</meta>
<dc:publisher>Éditions Coko</dc:publisher><dc:description>{desc}</dc:description><dc:date>2026-01-15</dc:date>
<meta property="dcterms:modified">2026-01-15T00:00:00Z</meta>
</metadata><manifest>{manifest}</manifest><spine{progression}>{spine}</spine></package>"##,
        progression = if vertical { r#" page-progression-direction="rtl""# } else { "" },
        lang = book.language,
        title = esc(book.title),
        author = esc(book.author),
        desc = esc(book.description),
    );
    let page = |title: &str, body: &str, style: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="{l}" xml:lang="{l}"><head><title>{t}</title>{style}</head><body>{body}</body></html>"#,
            l = book.language,
            t = esc(title),
        )
    };
    let style = if vertical { r#"<link rel="stylesheet" type="text/css" href="vertical.css"/>"# } else { "" };
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let mut put = |name: &str, data: &[u8], opts| {
            z.start_file(name, opts).expect("in-memory zip");
            z.write_all(data).expect("in-memory zip");
        };
        put("mimetype", b"application/epub+zip", stored);
        put(
            "META-INF/container.xml",
            br#"<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"#,
            deflated,
        );
        put("OEBPS/content.opf", opf.as_bytes(), deflated);
        let nav_doc = page(book.title, &format!(r#"<nav epub:type="toc"><h1>{}</h1><ol>{nav}</ol></nav>"#, esc(book.title)), "");
        put("OEBPS/nav.xhtml", nav_doc.as_bytes(), deflated);
        put("OEBPS/cover.png", &cover_png(book.colors.0, book.colors.1), stored);
        if vertical {
            put("OEBPS/vertical.css", VERTICAL_CSS.as_bytes(), deflated);
        }
        // Short passages: repeated so that each chapter runs over several pages on a phone.
        let repeat = if vertical { 10 } else { 6 };
        for (i, (title, text)) in chapters.iter().enumerate() {
            let body = format!("<section><h1>{}</h1>{}</section>", esc(title), format!("<p>{}</p>", esc(text)).repeat(repeat));
            put(&format!("OEBPS/c{i}.xhtml"), page(title, &body, style).as_bytes(), deflated);
        }
        z.finish().expect("in-memory zip");
    }
    buf.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{inspect, Limits};

    #[test]
    fn demo_epubs_pass_ingest_with_their_metadata_and_cover() {
        for b in DEMO_BOOKS {
            let bytes = epub(b);
            let m = inspect(&bytes, Some("epub"), &Limits::default()).unwrap();
            assert_eq!(m.title, b.title);
            assert_eq!(m.creators[0].name, b.author);
            assert_eq!(m.language, b.language);
            assert_eq!(m.spine_length, Some(3));
            let (png, mime) = m.cover.expect("cover");
            assert_eq!(mime, "image/png");
            assert!(png.starts_with(b"\x89PNG") && png.len() < 5_000, "{} bytes", png.len());
        }
    }
}
