//! The SMS channel: a queued delivery becomes a short text to the reader's verified number,
//! through the configured [`SmsSender`] (Africa's Talking: [`super::africastalking`]).
//!
//! - A number receives messages only once its reader typed back the code sent to it (a
//!   mistyped number would otherwise pay for a stranger's messages). The code is made when its
//!   SMS is sent and only its digest is kept, for ten minutes and five tries.
//! - Texts are the notification's title (and its first words when they still fit one part),
//!   transliterated to the GSM alphabet ([`super::gsm`]) so that a French accent does not
//!   triple the price; Arabic stays UCS-2 and is counted so.
//! - Sent at most once per acknowledgement, as mails are: `sending` before the provider is
//!   asked, `sent` with its message id as soon as it answers; a retry finds `sent` and stops.
//!   The provider has no idempotency key, so a crash between its answer and that mark is the one
//!   window in which a text can go twice. A refusal the provider calls final (an invalid number,
//!   a blacklisted reader) fails the delivery at once; anything else is retried by the queue.
//! - Delivery reports (the provider's callback) move a sent delivery to `delivered` or `failed`;
//!   they are unsigned, so a report is trusted only for a message id Coko was given and the
//!   number it sent that message to. A report may come before the send's answer is written
//!   down: it is kept (a day at most) and claimed once the message id is.

use super::gsm::{cost, transliterate};
use super::templates::render;
use super::{Channel, DeliveryState, Kind, NotificationService};
use crate::account::AccountStore;
use crate::jobs::{Handler, Job};
use crate::validation::Language;
use async_trait::async_trait;
use std::sync::Arc;

pub const SMS_QUEUE: &str = "notify.sms";
/// How long a phone code is good for.
pub const CODE_TTL_MS: i64 = 10 * 60 * 1000;
/// Wrong codes before a new one must be asked for.
pub const CODE_TRIES: u32 = 5;

/// What the provider answered for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsAck {
    pub message_id: String,
    /// The provider's words (`101 Success`).
    pub status: String,
    pub cost: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsError {
    /// Sending it again would fail the same way (an invalid number, a reader who blocked us).
    pub permanent: bool,
    pub message: String,
}

/// A provider that sends texts.
#[async_trait]
pub trait SmsSender: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    async fn send(&self, to: &str, text: &str) -> Result<SmsAck, SmsError>;
}

/// A provider's word on a message it was given (unsigned: see the module's notes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    pub message_id: String,
    pub status: String,
    pub phone: String,
    pub failure_reason: Option<String>,
}

/// What a report means for its delivery: `None` when it is on its way still.
pub fn report_state(status: &str) -> Option<DeliveryState> {
    match status {
        "Success" => Some(DeliveryState::Delivered),
        "Failed" | "Rejected" => Some(DeliveryState::Failed),
        _ => None,
    }
}

/// The text of a notification as an SMS: `Coko: <title>`, then its first words when they still
/// fit one part, then its link; transliterated to the GSM alphabet.
pub fn sms_text(kind: Kind, params: &serde_json::Map<String, serde_json::Value>, lang: Language, link: Option<&str>) -> String {
    let r = render(kind, params, lang);
    let link = link.map(|l| format!(" {l}")).unwrap_or_default();
    let short = transliterate(&format!("Coko: {}.{link}", r.title.trim_end_matches('.')));
    let sentence = r.body.split_inclusive(['.', '!', '?']).next().unwrap_or("").trim();
    if sentence.is_empty() {
        return short;
    }
    let long = transliterate(&format!("Coko: {}. {sentence}{link}", r.title.trim_end_matches('.')));
    if cost(&long).parts == 1 {
        long
    } else {
        short
    }
}

/// Every reader-facing kind in every language, with sample parameters, as it would leave
/// (`base_url` for its links).
pub fn previews(base_url: &str) -> Vec<super::TemplatePreview> {
    use serde_json::json;
    let until = crate::clock::now_ms() + 3 * 86_400_000;
    let book = json!({"item": "book", "title": "La Route de Kankan", "amount": 1500, "currency": "XOF", "provider": "Wave"});
    let samples = [
        (Kind::PaymentReceipt, book.clone(), Some("/achats")),
        (
            Kind::PaymentRefund,
            json!({"item": "plan", "plan": "monthly", "amount": 2000, "currency": "XOF", "provider": "Orange Money", "until_ms": until}),
            Some("/achats"),
        ),
        (
            Kind::PaymentFailed,
            json!({"item": "book", "title": "La Route de Kankan", "amount": 1500, "currency": "XOF", "provider": "Wave", "failure": "insufficient-funds"}),
            Some("/catalogue"),
        ),
        (Kind::RenewalReminder, json!({"plan": "monthly", "until_ms": until, "days": 3}), Some("/premium/monthly")),
        (
            Kind::NewBook,
            json!({"title": "La Route de Kankan", "authors": "Aminata Diallo", "via": "author", "via_name": "Aminata Diallo"}),
            Some("/livres/0193a5c2"),
        ),
        (Kind::Test, json!({}), Some("/notifications")),
    ];
    let mut out = Vec::new();
    for (kind, p, link) in samples {
        let p = p.as_object().cloned().unwrap_or_default();
        for lang in Language::ALL {
            let r = render(kind, &p, lang);
            let link = link.map(|l| format!("{base_url}{l}"));
            let sms = sms_text(kind, &p, lang, link.as_deref());
            let c = cost(&sms);
            out.push(super::TemplatePreview {
                kind,
                language: lang,
                title: r.title,
                body: r.body,
                sms_encoding: c.encoding.as_str().to_owned(),
                sms_parts: c.parts as u32,
                offending: super::gsm::offending(&sms).into_iter().take(12).collect(),
                sms,
            });
        }
    }
    out
}

/// The code's text, in the reader's language.
pub fn code_text(code: &str, lang: Language) -> String {
    match lang {
        Language::Fr => format!("Coko: votre code de vérification est {code}. Il expire dans 10 minutes."),
        Language::En => format!("Coko: your verification code is {code}. It expires in 10 minutes."),
        Language::Ar => format!("كوكو: رمز التحقق الخاص بك هو {code}. تنتهي صلاحيته بعد 10 دقائق."),
    }
}

/// The digest kept of a code (with its reader: the same code for two readers differs).
pub fn code_digest(user_id: &str, code: &str) -> String {
    crate::account::tokens::digest(&format!("{user_id}:{code}"))
}

/// Six digits.
fn new_code() -> String {
    use rand::Rng;
    format!("{:06}", rand::thread_rng().gen_range(0..1_000_000u32))
}

pub struct SmsDeliveries {
    pub service: NotificationService,
    pub accounts: Arc<dyn AccountStore>,
    pub sender: Arc<dyn SmsSender>,
    pub base_url: String,
}

#[async_trait]
impl Handler for SmsDeliveries {
    fn queue(&self) -> &'static str {
        SMS_QUEUE
    }

    fn lease(&self) -> std::time::Duration {
        std::time::Duration::from_secs(60)
    }

    async fn run(&self, job: &Job) -> Result<(), String> {
        let err = |e: crate::store::StoreError| e.to_string();
        let Some(open) = self.service.open_delivery(self.accounts.as_ref(), job).await? else { return Ok(()) };
        let (key, d, user) = (open.key.as_str(), &open.d, &open.user);
        let store = self.service.store();
        let now = crate::clock::now_ms;
        let skip = |why: &'static str| self.service.settle_delivery(key, DeliveryState::Skipped, why);
        let phone = store.phone(&user.id).await.map_err(err)?;
        let (to, text) = if d.delivery.kind == Kind::PhoneCode {
            let asked = d.params.get("number").and_then(|v| v.as_str()).unwrap_or_default();
            let Some(p) = phone.filter(|p| p.number == asked && p.verified_at_ms.is_none()) else {
                return skip("the number changed or was verified since").await;
            };
            let code = new_code();
            if !store.set_phone_code(&user.id, &p.number, &code_digest(&user.id, &code), now() + CODE_TTL_MS).await.map_err(err)? {
                return skip("the number changed or was verified since").await;
            }
            (p.number, transliterate(&code_text(&code, user.language)))
        } else {
            let Some(p) = phone.filter(|p| p.verified_at_ms.is_some()) else {
                return skip("no verified phone number").await;
            };
            let prefs = self.service.preferences(user).await.map_err(err)?;
            if !prefs.allows(d.delivery.category, Channel::Sms) {
                return skip("turned off by the reader").await;
            }
            let link = d.link.as_deref().map(|l| format!("{}{l}", self.base_url));
            (p.number, sms_text(d.delivery.kind, &d.params, user.language, link.as_deref()))
        };
        store.set_delivery_address(key, &to).await.map_err(err)?;
        store.set_delivery(key, DeliveryState::Sending, None, true, now()).await.map_err(err)?;
        match self.sender.send(&to, &text).await {
            Ok(ack) => {
                let c = cost(&text);
                let answer = format!(
                    "{} {} ({} part(s), {}){}",
                    self.sender.name(),
                    ack.status,
                    c.parts,
                    c.encoding.as_str(),
                    ack.cost.map(|c| format!(", {c}")).unwrap_or_default()
                );
                // Sent first, then the id its reports name: a report found by that id always
                // finds the text sent, never overwritten by this mark.
                self.service.settle_delivery(key, DeliveryState::Sent, &answer).await?;
                store.set_delivery_ref(key, &ack.message_id).await.map_err(err)?;
                self.service.claim_early_report(key, &ack.message_id).await.map_err(err)
            }
            Err(e) if e.permanent => self.service.settle_delivery(key, DeliveryState::Failed, &e.message).await,
            Err(e) => self.service.retry_later(key, job, e.message).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notification::gsm::Encoding;
    use serde_json::json;

    fn params(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn every_french_and_english_text_is_gsm7_in_one_or_two_parts() {
        let until = 1_799_000_000_000i64;
        let samples = [
            (
                Kind::PaymentReceipt,
                json!({"item": "book", "title": "La Route de Kankan", "amount": 1500, "currency": "XOF", "provider": "Wave"}),
            ),
            (
                Kind::PaymentReceipt,
                json!({"item": "plan", "plan": "yearly", "amount": 20000, "currency": "XOF", "provider": "Orange Money", "until_ms": until}),
            ),
            (
                Kind::PaymentRefund,
                json!({"item": "plan", "plan": "monthly", "amount": 2000, "currency": "XOF", "provider": "Wave", "until_ms": until}),
            ),
            (
                Kind::PaymentFailed,
                json!({"item": "book", "title": "Forêt", "amount": 1500, "currency": "XOF", "provider": "Wave", "failure": "insufficient-funds"}),
            ),
            (Kind::RenewalReminder, json!({"plan": "monthly", "until_ms": until, "days": 3})),
            (Kind::Test, json!({})),
        ];
        for (kind, p) in samples {
            for lang in [Language::Fr, Language::En] {
                let text =
                    sms_text(kind, &params(p.clone()), lang, Some("https://coko.example/achats/0190a7c2-6a3b-7c55-9a3e-6f1d2b3c4d5e"));
                let c = cost(&text);
                assert_eq!(c.encoding, Encoding::Gsm7, "{kind:?} {lang:?}: {text} {:?}", crate::notification::gsm::offending(&text));
                assert!(c.parts <= 2, "{kind:?} {lang:?}: {} parts: {text}", c.parts);
                assert!(text.starts_with("Coko: "), "{text}");
            }
        }
        let code = code_text("123456", Language::Fr);
        assert_eq!(cost(&transliterate(&code)).encoding, Encoding::Gsm7);
        assert_eq!(cost(&code_text("123456", Language::Ar)).encoding, Encoding::Ucs2);
    }

    #[test]
    fn a_short_notice_keeps_its_first_sentence() {
        let text = sms_text(Kind::Test, &serde_json::Map::new(), Language::Fr, None);
        assert_eq!(text, "Coko: Message d'essai. Ce message vérifie que les notifications vous parviennent.");
    }

    #[test]
    fn reports_settle_only_on_final_statuses() {
        assert_eq!(report_state("Success"), Some(DeliveryState::Delivered));
        assert_eq!(report_state("Failed"), Some(DeliveryState::Failed));
        assert_eq!(report_state("Rejected"), Some(DeliveryState::Failed));
        assert_eq!(report_state("Buffered"), None);
        assert_eq!(report_state("Sent"), None);
    }
}
