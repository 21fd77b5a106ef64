//! Sharing: the Open Graph and Twitter card tags a link preview is made from (WhatsApp,
//! Facebook, X and Telegram read them), and a WhatsApp link — how most of our readers share. A
//! plain `wa.me` link with the text in its query: no script, no tracker, works without WASM.

use crate::i18n::Texts;
use crate::pages::search::encode;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

/// A page's preview: title, description (trimmed), absolute URL and image when there is one.
#[component]
pub fn SharePreview(title: String, description: String, url: String, #[prop(default = None)] image: Option<String>) -> impl IntoView {
    let description: String = {
        let d = description.split_whitespace().collect::<Vec<_>>().join(" ");
        if d.chars().count() > 200 {
            format!("{}…", d.chars().take(199).collect::<String>().trim_end())
        } else {
            d
        }
    };
    let card = if image.is_some() { "summary_large_image" } else { "summary" };
    view! {
        <Title text=format!("{title} — Coko")/>
        <Meta property="og:site_name" content="Coko"/>
        <Meta property="og:type" content="website"/>
        <Meta property="og:title" content=title.clone()/>
        <Meta property="og:description" content=description.clone()/>
        <Meta property="og:url" content=url/>
        {image.map(|i| view! { <Meta property="og:image" content=i.clone()/><Meta name="twitter:image" content=i/> })}
        <Meta name="twitter:card" content=card/>
        <Meta name="twitter:title" content=title/>
        <Meta name="twitter:description" content=description/>
    }
}

/// `https://wa.me/?text=…`: WhatsApp opens with the text (and its link) ready to send.
pub fn whatsapp_href(text: &str) -> String {
    format!("https://wa.me/?text={}", encode(text).replace('+', "%20"))
}

/// "Partager sur WhatsApp" with `text`.
#[component]
pub fn WhatsAppLink(t: &'static Texts, text: String, #[prop(default = "")] class: &'static str) -> impl IntoView {
    view! {
        <a href=whatsapp_href(&text) target="_blank" rel="noopener noreferrer" data-testid="share-whatsapp"
            class=format!("inline-flex items-center gap-1 font-medium text-emerald-800 underline decoration-2 underline-offset-2 hover:text-emerald-950 dark:text-emerald-300 {class}")>
            <svg aria-hidden="true" viewBox="0 0 24 24" class="h-4 w-4 fill-current"><path d="M12 2a10 10 0 0 0-8.6 15.1L2 22l5-1.3A10 10 0 1 0 12 2zm0 18.2a8.2 8.2 0 0 1-4.2-1.1l-.3-.2-3 .8.8-2.9-.2-.3A8.2 8.2 0 1 1 12 20.2zm4.5-6.1c-.2-.1-1.5-.7-1.7-.8-.2-.1-.4-.1-.6.1l-.8 1c-.1.2-.3.2-.5.1a6.7 6.7 0 0 1-3.3-2.9c-.2-.4.2-.4.7-1.3.1-.2 0-.3 0-.4l-.8-1.8c-.2-.5-.4-.4-.6-.4h-.5a1 1 0 0 0-.7.3 3 3 0 0 0-.9 2.2 5.2 5.2 0 0 0 1.1 2.7 11.8 11.8 0 0 0 4.5 4c1.7.7 2.3.8 3.2.6a2.7 2.7 0 0 0 1.8-1.3 2.2 2.2 0 0 0 .2-1.3c-.1-.1-.3-.2-.5-.3z"/></svg>
            {t.share_whatsapp}
        </a>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_text_travels_in_the_query() {
        assert_eq!(
            super::whatsapp_href("« Moby » : https://coko.sn/livres/1"),
            "https://wa.me/?text=%C2%AB%20Moby%20%C2%BB%20%3A%20https%3A%2F%2Fcoko.sn%2Flivres%2F1"
        );
    }
}
