//! Africa's Talking's SMS API (docs.africastalking.com/sms/sending, …/sms/notifications):
//! `POST {base}/version1/messaging`, form-encoded `username`, `to`, `message` and, where a
//! sender id is registered, `from`; the key in an `apiKey` header; `Accept: application/json`.
//! The answer (201) lists each recipient:
//! `{"SMSMessageData":{"Message":"Sent to 1/1 Total Cost: …","Recipients":[{"statusCode":101,
//! "number":"+221…","status":"Success","cost":"XOF 25.0000","messageId":"ATXid_…"}]}}`.
//! Status codes 100–102 are accepted (processed, sent, queued); 402 (invalid sender id), 403
//! (invalid number), 404 (unsupported number type), 406 (reader in the blacklist), 407 (no
//! route) and 409 (do-not-disturb) are final; 401 (risk hold), 405 (balance too low) and 5xx
//! may pass later. Delivery reports come to the callback URL registered in the dashboard,
//! form-encoded (`id`, `status`, `phoneNumber`, `networkCode`, `failureReason`, `retryCount`),
//! unsigned — see [`super::sms`] for how Coko trusts them.

use super::sms::{SmsAck, SmsError, SmsSender};
use async_trait::async_trait;
use serde::Deserialize;
use std::time::Duration;

pub const OFFICIAL_BASE_URL: &str = "https://api.africastalking.com";

#[derive(Clone)]
pub struct AfricasTalkingConfig {
    pub base_url: String,
    pub username: String,
    pub api_key: String,
    /// The registered alphanumeric sender id or short code (3–11 characters), if any: without
    /// one the account's default is used.
    pub sender_id: Option<String>,
    pub timeout: Duration,
}

impl std::fmt::Debug for AfricasTalkingConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AfricasTalkingConfig")
            .field("base_url", &self.base_url)
            .field("username", &self.username)
            .field("sender_id", &self.sender_id)
            .finish_non_exhaustive()
    }
}

pub struct AfricasTalking {
    config: AfricasTalkingConfig,
    http: reqwest::Client,
}

impl AfricasTalking {
    pub fn new(config: AfricasTalkingConfig) -> Self {
        let http = reqwest::Client::builder().timeout(config.timeout).build().unwrap_or_default();
        AfricasTalking { config, http }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    #[serde(rename = "SMSMessageData")]
    data: MessageData,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MessageData {
    #[serde(default)]
    message: String,
    #[serde(default)]
    recipients: Vec<Recipient>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Recipient {
    status_code: u16,
    #[serde(default)]
    status: String,
    #[serde(default)]
    cost: Option<String>,
    #[serde(default)]
    message_id: Option<String>,
}

/// Whether a recipient's status code means the same text to the same number will never go.
fn is_final_refusal(code: u16) -> bool {
    matches!(code, 402 | 403 | 404 | 406 | 407 | 409)
}

#[async_trait]
impl SmsSender for AfricasTalking {
    fn name(&self) -> &'static str {
        "Africa's Talking"
    }

    async fn send(&self, to: &str, text: &str) -> Result<SmsAck, SmsError> {
        let transient = |message: String| SmsError { permanent: false, message };
        let mut form = vec![("username", self.config.username.as_str()), ("to", to), ("message", text)];
        if let Some(from) = &self.config.sender_id {
            form.push(("from", from.as_str()));
        }
        let url = format!("{}/version1/messaging", self.config.base_url.trim_end_matches('/'));
        let res = self
            .http
            .post(url)
            .header("apiKey", &self.config.api_key)
            .header("Accept", "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| transient(format!("Africa's Talking unreachable: {e}")))?;
        let status = res.status();
        let body = res.text().await.map_err(|e| transient(format!("Africa's Talking answer lost: {e}")))?;
        if !status.is_success() {
            // A bad key or username (401) is the operator's to fix: retried, so that nothing is
            // lost while they do; a malformed request (400) would fail every time.
            let message = format!("Africa's Talking {status}: {}", body.chars().take(200).collect::<String>());
            return Err(SmsError { permanent: status.as_u16() == 400, message });
        }
        let answer: Answer = serde_json::from_str(&body)
            .map_err(|e| transient(format!("Africa's Talking answer unreadable ({e}): {}", body.chars().take(200).collect::<String>())))?;
        let Some(r) = answer.data.recipients.into_iter().next() else {
            // No recipient at all: the number was dropped before sending ("Invalid phone number").
            return Err(SmsError { permanent: true, message: format!("Africa's Talking: {}", answer.data.message) });
        };
        match (r.status_code, r.message_id) {
            (100..=102, Some(id)) if id != "None" => {
                Ok(SmsAck { message_id: id, status: format!("{} {}", r.status_code, r.status), cost: r.cost })
            }
            (code, _) => Err(SmsError { permanent: is_final_refusal(code), message: format!("Africa's Talking {code} {}", r.status) }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_that_would_repeat_are_final() {
        for code in [402, 403, 404, 406, 407, 409] {
            assert!(is_final_refusal(code), "{code}");
        }
        for code in [401, 405, 500, 501, 502] {
            assert!(!is_final_refusal(code), "{code}");
        }
    }

    #[test]
    fn the_documented_answer_is_read() {
        let body = r#"{"SMSMessageData":{"Message":"Sent to 1/1 Total Cost: KES 0.8000","Recipients":[{"statusCode":101,"number":"+254711XXXYYY","status":"Success","cost":"KES 0.8000","messageId":"ATPid_SampleTxnId123"}]}}"#;
        let a: Answer = serde_json::from_str(body).unwrap();
        assert_eq!(a.data.recipients[0].status_code, 101);
        assert_eq!(a.data.recipients[0].message_id.as_deref(), Some("ATPid_SampleTxnId123"));
    }
}
