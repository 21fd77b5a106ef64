//! The e-mail channel: a queued delivery becomes a mail (plain text and HTML, the reader's
//! language, one-click unsubscribe for the categories a reader may turn off).
//!
//! Sent at most once per acknowledgement: the delivery is marked `sending` before the mail
//! server is asked and `sent` with its reply as soon as it answers; a retry (a failure, a
//! worker killed and its lease over) finds a `sent` delivery and sends nothing. What remains is
//! the instant between the server's reply and that mark: a crash there sends the mail again,
//! with the same `Message-ID`, so that the receiving side can drop it.

use super::templates::{mail_words, render};
use super::{Channel, DeliveryState, NotificationService};
use crate::account::AccountStore;
use crate::jobs::{Handler, Job};
use crate::mail::{Mailer, Message};
use crate::markup::escape;
use async_trait::async_trait;
use std::sync::Arc;

pub const EMAIL_QUEUE: &str = "notify.email";

pub struct EmailDeliveries {
    pub service: NotificationService,
    pub accounts: Arc<dyn AccountStore>,
    pub mailer: Arc<dyn Mailer>,
    /// Coko's public address, for the links.
    pub base_url: String,
}

#[async_trait]
impl Handler for EmailDeliveries {
    fn queue(&self) -> &'static str {
        EMAIL_QUEUE
    }

    fn lease(&self) -> std::time::Duration {
        std::time::Duration::from_secs(120)
    }

    async fn run(&self, job: &Job) -> Result<(), String> {
        let err = |e: crate::store::StoreError| e.to_string();
        let Some(open) = self.service.open_delivery(self.accounts.as_ref(), job).await? else { return Ok(()) };
        let (key, d, user) = (open.key.as_str(), &open.d, &open.user);
        let store = self.service.store();
        let now = crate::clock::now_ms;
        // Turned off since it was queued (it may have waited for the end of quiet hours).
        let prefs = self.service.preferences(user).await.map_err(err)?;
        if !prefs.allows(d.delivery.category, Channel::Email) {
            return self.service.settle_delivery(key, DeliveryState::Skipped, "turned off by the reader").await;
        }
        let r = render(d.delivery.kind, &d.params, user.language);
        let words = mail_words(user.language, &user.name);
        let link = d.link.as_deref().map(|l| format!("{}{l}", self.base_url));
        let settings = format!("{}/profil#notifications", self.base_url);
        let query = match d.delivery.category.is_critical() {
            true => None,
            false => Some(self.service.unsubscribe_query(&user.id, d.delivery.category).await.map_err(err)?),
        };
        let unsubscribe = query.as_ref().map(|q| format!("{}/notifications/desabonnement?{q}", self.base_url));
        let one_click = query.as_ref().map(|q| format!("{}/api/v1/notifications/unsubscribe/?{q}", self.base_url));
        let mut body = format!("{}\n\n{}\n", words.hello, r.body);
        if let Some(l) = &link {
            body.push_str(&format!("\n{} : {l}\n", r.action));
        }
        body.push_str(&format!("\n--\n{}\n{} : {settings}\n", words.why, words.settings));
        if let Some(u) = &unsubscribe {
            body.push_str(&format!("{} : {u}\n", words.unsubscribe));
        }
        let html = html(
            &user.language,
            &words.hello,
            &r.body,
            link.as_deref().map(|l| (r.action.as_str(), l)),
            words.why,
            (words.settings, &settings),
            unsubscribe.as_deref().map(|u| (words.unsubscribe, u)),
        );
        let mut headers = Vec::new();
        if let Some(u) = &one_click {
            headers.push(("List-Unsubscribe".to_owned(), format!("<{u}>")));
            headers.push(("List-Unsubscribe-Post".to_owned(), "List-Unsubscribe=One-Click".to_owned()));
        }
        let id = format!("{}@coko", crate::account::tokens::digest(key).get(..32).unwrap_or_default());
        let message = Message { to: user.email.clone(), subject: r.title, body, html: Some(html), headers, id: Some(id) };
        store.set_delivery(key, DeliveryState::Sending, None, true, now()).await.map_err(err)?;
        match self.mailer.send(message).await {
            Ok(reply) => self.service.settle_delivery(key, DeliveryState::Sent, &reply).await,
            Err(e) => self.service.retry_later(key, job, e.0).await,
        }
    }
}

/// The HTML alternative: one column, system fonts, the link as a button; every text escaped.
fn html(
    lang: &crate::validation::Language,
    hello: &str,
    body: &str,
    action: Option<(&str, &str)>,
    why: &str,
    settings: (&str, &str),
    unsubscribe: Option<(&str, &str)>,
) -> String {
    let dir = if lang.is_rtl() { "rtl" } else { "ltr" };
    let paragraphs: String = body.split("\n\n").map(|p| format!("<p style=\"margin:0 0 16px\">{}</p>", escape(p))).collect();
    let button = action
        .map(|(label, href)| {
            format!(
                "<p style=\"margin:24px 0\"><a href=\"{}\" style=\"background:#115e59;color:#ffffff;padding:12px 20px;border-radius:8px;text-decoration:none;font-weight:600;display:inline-block\">{}</a></p>",
                escape(href),
                escape(label)
            )
        })
        .unwrap_or_default();
    let stop = unsubscribe
        .map(|(label, href)| format!(" · <a href=\"{}\" style=\"color:#334155\">{}</a>", escape(href), escape(label)))
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html><html lang=\"{lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"></head>\
         <body style=\"margin:0;background:#f8fafc;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#0f172a\">\
         <div style=\"max-width:560px;margin:0 auto;padding:24px\"><p style=\"font-size:20px;font-weight:800;color:#115e59;margin:0 0 24px\">Coko</p>\
         <p style=\"margin:0 0 16px\">{}</p>{paragraphs}{button}\
         <p style=\"margin:32px 0 0;font-size:13px;color:#334155\">{} <a href=\"{}\" style=\"color:#334155\">{}</a>{stop}</p></div></body></html>",
        escape(hello),
        escape(why),
        escape(settings.1),
        escape(settings.0),
        lang = lang.as_str(),
    )
}
