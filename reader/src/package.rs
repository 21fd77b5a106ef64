//! A publication as the reader needs it: reading order, table of contents, layout, direction.
//! Parsed from `META-INF/container.xml`, the OPF package document, and the EPUB 3 navigation
//! document (or the EPUB 2 NCX when there is none).

use crate::href::{resolve, split_fragment};
use crate::EngineError;
use roxmltree::{Document, Node};
use serde::{Deserialize, Serialize};

/// How pages are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// Text flows into as many pages as the screen needs.
    Reflowable,
    /// Each spine item is one page of fixed size (comics, picture books).
    PrePaginated,
}

/// Page progression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ltr,
    Rtl,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpineItem {
    /// Archive path of the content document.
    pub href: String,
    pub media_type: String,
    /// `linear="no"` items (pop-ups, answers) are reached by links, not by turning pages.
    pub linear: bool,
    /// This item's own layout (`rendition:layout-…` on the itemref) or the book's.
    pub layout: Layout,
    /// `page-spread-left`, `page-spread-right` or `page-spread-center`, when given.
    pub spread: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TocEntry {
    pub label: String,
    /// Archive path with its fragment, if any (`OEBPS/ch2.xhtml#s3`).
    pub href: String,
    /// The spine item it opens, when it opens one.
    pub spine: Option<u32>,
    pub children: Vec<TocEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    pub href: String,
    pub media_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    pub title: String,
    pub language: String,
    /// Where the package document is (`OEBPS/content.opf`).
    pub package_path: String,
    pub layout: Layout,
    pub direction: Direction,
    pub spine: Vec<SpineItem>,
    pub toc: Vec<TocEntry>,
    /// Every manifest item, for offline download.
    pub resources: Vec<Resource>,
}

const CONTENT_TYPES: [&str; 3] = ["application/xhtml+xml", "image/svg+xml", "text/html"];

fn parse_xml<'a>(file: &str, text: &'a str) -> Result<Document<'a>, EngineError> {
    crate::xml::parse(file, text)
}

fn text_of(bytes: Vec<u8>) -> String {
    let s = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    s.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(s)
}

fn children<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> Option<Node<'a, 'i>> {
    children(node, name).next()
}

/// All the text under a node, whitespace collapsed.
fn flat_text(node: Node) -> String {
    let raw: String = node.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect();
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Publication {
    /// Reads a publication through `read`, which returns an archive entry's bytes by path.
    pub fn parse(mut read: impl FnMut(&str) -> Option<Vec<u8>>) -> Result<Self, EngineError> {
        let container = read("META-INF/container.xml").ok_or_else(|| EngineError::Missing("META-INF/container.xml".into()))?;
        let container = text_of(container);
        let doc = parse_xml("META-INF/container.xml", &container)?;
        let package_path = doc
            .descendants()
            .filter(|n| n.has_tag_name("rootfile") || n.tag_name().name() == "rootfile")
            .find(|n| n.attribute("media-type").is_none_or(|m| m == "application/oebps-package+xml"))
            .and_then(|n| n.attribute("full-path"))
            .and_then(|p| resolve("", p))
            .ok_or_else(|| EngineError::Missing("rootfile".into()))?;
        let opf = read(&package_path).ok_or_else(|| EngineError::Missing(package_path.clone()))?;
        let opf = text_of(opf);
        let doc = parse_xml(&package_path, &opf)?;
        let package = doc.root_element();

        let metadata = child(package, "metadata");
        let dc = |name: &'static str| metadata.and_then(|m| child(m, name)).map(flat_text).unwrap_or_default();
        let meta_property =
            |prop: &str| metadata.and_then(|m| children(m, "meta").find(|n| n.attribute("property") == Some(prop)).map(flat_text));
        let layout = match meta_property("rendition:layout").as_deref() {
            Some("pre-paginated") => Layout::PrePaginated,
            _ => Layout::Reflowable,
        };

        struct Item {
            id: String,
            href: String,
            media_type: String,
            properties: String,
            fallback: Option<String>,
        }
        let manifest: Vec<Item> = child(package, "manifest")
            .map(|m| {
                children(m, "item")
                    .filter_map(|n| {
                        Some(Item {
                            id: n.attribute("id")?.to_owned(),
                            href: resolve(&package_path, n.attribute("href")?)?,
                            media_type: n.attribute("media-type").unwrap_or("").trim().to_ascii_lowercase(),
                            properties: n.attribute("properties").unwrap_or("").to_owned(),
                            fallback: n.attribute("fallback").map(str::to_owned),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let by_id = |id: &str| manifest.iter().find(|i| i.id == id);

        let spine_node = child(package, "spine").ok_or_else(|| EngineError::Missing("spine".into()))?;
        let direction = match spine_node.attribute("page-progression-direction") {
            Some("rtl") => Direction::Rtl,
            _ => Direction::Ltr,
        };
        let mut spine = Vec::new();
        for itemref in children(spine_node, "itemref") {
            let Some(mut item) = itemref.attribute("idref").and_then(by_id) else { continue };
            // Follow the fallback chain to something a browser can show as a page.
            let mut hops = 0;
            while !CONTENT_TYPES.contains(&item.media_type.as_str()) && hops < 8 {
                match item.fallback.as_deref().and_then(by_id) {
                    Some(next) => item = next,
                    None => break,
                }
                hops += 1;
            }
            let props: Vec<&str> = itemref.attribute("properties").unwrap_or("").split_whitespace().collect();
            let item_layout = if props.contains(&"rendition:layout-pre-paginated") {
                Layout::PrePaginated
            } else if props.contains(&"rendition:layout-reflowable") {
                Layout::Reflowable
            } else {
                layout
            };
            let spread =
                props.iter().find_map(|p| p.strip_prefix("rendition:").unwrap_or(p).strip_prefix("page-spread-")).map(str::to_owned);
            spine.push(SpineItem {
                href: item.href.clone(),
                media_type: item.media_type.clone(),
                linear: itemref.attribute("linear") != Some("no"),
                layout: item_layout,
                spread,
            });
        }
        if spine.is_empty() {
            return Err(EngineError::EmptySpine);
        }

        let nav = manifest.iter().find(|i| i.properties.split_whitespace().any(|p| p == "nav"));
        let ncx =
            spine_node.attribute("toc").and_then(by_id).or_else(|| manifest.iter().find(|i| i.media_type == "application/x-dtbncx+xml"));
        let mut toc = Vec::new();
        if let Some(nav) = nav {
            if let Some(bytes) = read(&nav.href) {
                let text = text_of(bytes);
                toc = nav_toc(&nav.href, &text)?;
            }
        }
        if toc.is_empty() {
            if let Some(ncx) = ncx {
                if let Some(bytes) = read(&ncx.href) {
                    let text = text_of(bytes);
                    toc = ncx_toc(&ncx.href, &text)?;
                }
            }
        }
        link_spine(&mut toc, &spine);

        let resources = manifest.iter().map(|i| Resource { href: i.href.clone(), media_type: i.media_type.clone() }).collect();
        Ok(Publication { title: dc("title"), language: dc("language"), package_path, layout, direction, spine, toc, resources })
    }

    /// The spine item of an archive path (fragment ignored).
    pub fn spine_index_of(&self, href: &str) -> Option<u32> {
        let (file, _) = split_fragment(href);
        self.spine.iter().position(|s| s.href == file).map(|i| i as u32)
    }

    /// Whether `path` is one of the book's own files (the only ones ever served).
    pub fn has_resource(&self, path: &str) -> bool {
        self.resources.iter().any(|r| r.href == path)
    }

    /// A manifest item's media type.
    pub fn media_type_of(&self, path: &str) -> Option<&str> {
        self.resources.iter().find(|r| r.href == path).map(|r| r.media_type.as_str())
    }

    /// Spine items read in order (non-linear ones left out).
    pub fn reading_order(&self) -> impl Iterator<Item = (u32, &SpineItem)> {
        self.spine.iter().enumerate().filter(|(_, s)| s.linear).map(|(i, s)| (i as u32, s))
    }
}

fn link_spine(entries: &mut [TocEntry], spine: &[SpineItem]) {
    for e in entries {
        let (file, _) = split_fragment(&e.href);
        e.spine = spine.iter().position(|s| s.href == file).map(|i| i as u32);
        link_spine(&mut e.children, spine);
    }
}

fn join_fragment(base: &str, raw: &str) -> Option<String> {
    let path = resolve(base, raw)?;
    Some(match split_fragment(raw.trim()).1 {
        Some(frag) if !frag.is_empty() => format!("{path}#{frag}"),
        _ => path,
    })
}

/// EPUB 3: the `<nav epub:type="toc">` list of the navigation document.
fn nav_toc(path: &str, text: &str) -> Result<Vec<TocEntry>, EngineError> {
    let doc = parse_xml(path, text)?;
    let is_toc_nav = |n: &Node| {
        n.tag_name().name() == "nav" && n.attributes().any(|a| a.name() == "type" && a.value().split_whitespace().any(|v| v == "toc"))
    };
    let nav = doc.descendants().find(is_toc_nav).or_else(|| doc.descendants().find(|n| n.tag_name().name() == "nav"));
    let Some(list) = nav.and_then(|n| child(n, "ol")) else { return Ok(Vec::new()) };
    fn walk(path: &str, ol: Node, depth: usize) -> Vec<TocEntry> {
        if depth > 16 {
            return Vec::new();
        }
        children(ol, "li")
            .filter_map(|li| {
                let head = li.children().find(|c| c.is_element() && matches!(c.tag_name().name(), "a" | "span"))?;
                let label = flat_text(head);
                let href = head.attribute("href").and_then(|h| join_fragment(path, h)).unwrap_or_default();
                let children = child(li, "ol").map(|ol| walk(path, ol, depth + 1)).unwrap_or_default();
                if label.is_empty() && children.is_empty() {
                    return None;
                }
                Some(TocEntry { label, href, spine: None, children })
            })
            .collect()
    }
    Ok(walk(path, list, 0))
}

/// EPUB 2: the NCX `navMap`.
fn ncx_toc(path: &str, text: &str) -> Result<Vec<TocEntry>, EngineError> {
    let doc = parse_xml(path, text)?;
    let Some(map) = doc.descendants().find(|n| n.tag_name().name() == "navMap") else { return Ok(Vec::new()) };
    fn walk(path: &str, parent: Node, depth: usize) -> Vec<TocEntry> {
        if depth > 16 {
            return Vec::new();
        }
        children(parent, "navPoint")
            .map(|p| TocEntry {
                label: child(p, "navLabel").map(flat_text).unwrap_or_default(),
                href: child(p, "content").and_then(|c| c.attribute("src")).and_then(|h| join_fragment(path, h)).unwrap_or_default(),
                spine: None,
                children: walk(path, p, depth + 1),
            })
            .collect()
    }
    Ok(walk(path, map, 0))
}
