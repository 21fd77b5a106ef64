//! Readers' Markdown, rendered to HTML that can go into a Coko page as is.
//!
//! Two crates, two layers: `pulldown-cmark` parses CommonMark (with strikethrough), and any HTML
//! the reader typed is turned into text first (they see what they wrote, nothing runs); then
//! `ammonia` (html5ever underneath, a maintained allow-list sanitiser) keeps only the safe
//! subset below, whatever the parser let through: paragraphs, emphasis, lists, quotes, code and
//! links to `http(s)` addresses, marked `nofollow ugc` and opening nothing by script. No images
//! (they would cost readers data and tell a third party who read the page), no headings (a
//! review is not a page of its own), no tables.

use pulldown_cmark::{Event, Options, Parser};
use std::collections::HashSet;
use std::sync::OnceLock;

const TAGS: [&str; 13] = ["p", "br", "em", "strong", "del", "ul", "ol", "li", "blockquote", "code", "pre", "a", "hr"];

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::empty();
        b.tags(HashSet::from(TAGS))
            .generic_attributes(HashSet::new())
            .tag_attributes(std::collections::HashMap::from([("a", HashSet::from(["href"])), ("ol", HashSet::from(["start"]))]))
            .url_schemes(HashSet::from(["http", "https"]))
            .link_rel(Some("nofollow noopener noreferrer ugc"))
            // A relative link would point into Coko itself (a form, an admin page): dropped.
            .url_relative(ammonia::UrlRelative::Deny)
            .strip_comments(true);
        b
    })
}

/// Renders a reader's Markdown to sanitised HTML.
pub fn render(source: &str) -> String {
    let parser = Parser::new_ext(source, Options::ENABLE_STRIKETHROUGH).map(|event| match event {
        // Typed HTML is shown as typed, never interpreted.
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        // Images become their description: no request leaves the reader's page for them.
        other => other,
    });
    let mut html = String::with_capacity(source.len() * 5 / 4 + 16);
    pulldown_cmark::html::push_html(&mut html, drop_images(parser));
    cleaner().clean(&html).to_string()
}

/// An image's start and end tags dropped; its alternative text (the events between) kept.
fn drop_images<'a>(events: impl Iterator<Item = Event<'a>>) -> impl Iterator<Item = Event<'a>> {
    use pulldown_cmark::{Tag, TagEnd};
    events.filter(|e| !matches!(e, Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image)))
}

/// The words of a review without markup, for previews and Open Graph descriptions.
pub fn plain(source: &str, max_chars: usize) -> String {
    let mut out = String::new();
    for event in Parser::new_ext(source, Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) if !out.ends_with(' ') => out.push(' '),
            _ => {}
        }
    }
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    if out.chars().count() > max_chars {
        let cut: String = out.chars().take(max_chars.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_safe_subset_renders() {
        let html = render("Un **beau** livre, *vraiment*.\n\n- un\n- deux\n\n> cité\n\n~~non~~ [site](https://example.org/a?b=1)");
        assert!(html.contains("<strong>beau</strong>") && html.contains("<em>vraiment</em>"), "{html}");
        assert!(html.contains("<ul>\n<li>un</li>") && html.contains("<blockquote>") && html.contains("<del>non</del>"), "{html}");
        assert!(html.contains(r#"<a href="https://example.org/a?b=1" rel="nofollow noopener noreferrer ugc">site</a>"#), "{html}");
    }

    /// Every way in that an XSS cheat sheet lists, through Markdown and through raw HTML: none
    /// leaves a tag, an attribute or a URL that could run script.
    #[test]
    fn no_script_survives() {
        let corpus = [
            "<script>alert(1)</script>",
            "<SCRIPT SRC=//xss.example/x.js></SCRIPT>",
            "<img src=x onerror=alert(1)>",
            "<svg/onload=alert(1)>",
            "<iframe src=\"javascript:alert(1)\"></iframe>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "[clic](javascript:alert(1))",
            "[clic](JaVaScRiPt:alert(1))",
            "[clic](java\tscript:alert(1))",
            "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "[clic](vbscript:msgbox(1))",
            "![x](javascript:alert(1))",
            "![x\" onerror=\"alert(1)](https://e.example/i.png)",
            "<a href=x onmouseover=alert(1)>x</a>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
            "<form action=/admin><button>x</button></form>",
            "<object data=x.swf></object><embed src=x.swf>",
            "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
            "[a](/admin/utilisateurs)",
            "<base href=\"https://evil.example/\">",
            "`<script>` and ```\n<script>alert(1)</script>\n```",
            "<<script>script>alert(1)<</script>/script>",
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "[x](https://example.org \"\\\" onmouseover=\\\"alert(1)\")",
            "<details open ontoggle=alert(1)>",
            "<a href=\"&#106;avascript:alert(1)\">x</a>",
            "[x](&#106;avascript:alert(1))",
        ];
        for input in corpus {
            let html = render(input);
            let lower = html.to_lowercase();
            for bad in [
                "<script", "<img", "<svg", "<iframe", "<form", "<object", "<embed", "<meta", "<base", "<style", "<math", "<details", "<div",
            ] {
                assert!(!lower.contains(bad), "{input:?} → {html}");
            }
            for bad in ["javascript:", "vbscript:", "data:", " on", "style=", "href=\"/"] {
                // Text shown as text is fine ("javascript:" in a code span is escaped words).
                let in_attr = lower.split('<').skip(1).any(|tag| tag.split('>').next().is_some_and(|t| t.contains(bad)));
                assert!(!in_attr, "{input:?} → {html}");
            }
        }
        assert!(render("<script>alert(1)</script>").contains("&lt;script&gt;"), "shown as typed");
    }

    #[test]
    fn images_leave_their_words_only() {
        assert_eq!(render("![une carte](https://e.example/c.png)"), "<p>une carte</p>\n");
    }

    #[test]
    fn plain_text_for_previews() {
        assert_eq!(plain("Un **beau** livre.\n\n> Cité", 100), "Un beau livre. Cité");
        assert_eq!(plain("abcdefghij", 5), "abcd…");
    }
}
