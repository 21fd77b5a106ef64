//! The provider sandboxes' process (`coko payment-sandbox`: Wave, Orange Money, Stripe, PayPal,
//! Africa's Talking), started on port 0 and stopped when the test ends.

use super::client;
use reqwest::StatusCode;
use serde_json::Value;
use std::io::BufRead;
use std::time::Duration;

/// The sandbox process, stopped when the test ends.
pub struct Sandbox {
    child: std::process::Child,
    pub base: String,
}

impl Sandbox {
    pub fn start() -> Sandbox {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_coko"))
            .arg("payment-sandbox")
            .env("COKO_SANDBOX_ADDR", "127.0.0.1:0")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the coko binary");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let base = line.trim().strip_prefix("payment sandbox listening on ").expect("the sandbox says where it listens").to_owned();
        Sandbox { child, base }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn put(&self, path: &str, body: Value) {
        let res = client().put(self.url(path)).json(&body).send().await.unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
    }

    pub async fn post(&self, path: &str, body: Value) {
        let res = client().post(self.url(path)).json(&body).send().await.unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
    }

    pub async fn deliveries_of(&self, provider: &str) -> Vec<Value> {
        let v: Value = client().get(self.url(&format!("/_sandbox/{provider}/deliveries"))).send().await.unwrap().json().await.unwrap();
        v["deliveries"].as_array().unwrap().clone()
    }

    /// Waits until the sandbox has delivered `n` of `provider`'s webhooks (answered 2xx).
    pub async fn delivered_of(&self, provider: &str, n: usize) {
        for _ in 0..200 {
            if self.deliveries_of(provider).await.iter().filter(|d| d["delivered"] == true).count() >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("fewer than {n} webhooks delivered: {:?}", self.deliveries_of(provider).await);
    }

    pub async fn delivered(&self, n: usize) {
        self.delivered_of("wave", n).await
    }

    /// The payer's answer on the hosted page at `launch` (`pay`, `insufficient-funds`…): where
    /// the page sends them back.
    pub async fn answer(&self, launch: &str, outcome: &str, phone: &str) -> String {
        let res = client().post(launch).form(&[("outcome", outcome), ("phone", phone)]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{launch}");
        res.headers()["location"].to_str().unwrap().to_owned()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
