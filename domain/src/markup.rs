//! Text put into HTML or XML that Coko writes by hand (the demo books' XHTML, the payment
//! sandbox's pages): `& < > "` escaped. Pages rendered by Leptos escape on their own.

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(super::escape(r#"<a href="x">Tom & Jerry</a>"#), "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&lt;/a&gt;");
    }
}
