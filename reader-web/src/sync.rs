//! Saving the position: at once on this device (localStorage), and to the server a moment
//! later (debounced), again when the page is hidden. A failed send stays marked pending and is
//! sent at the next opening.

use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Request, RequestCredentials, RequestInit, Response, Window};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Saved {
    pub locator: String,
    pub percentage: f64,
    pub device: String,
    pub updated_at: String,
    #[serde(default)]
    pub pending: bool,
    /// A PDF's page and page count (the API's `current_page`, `total_pages`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<(u32, u32)>,
}

pub struct Saver {
    win: Window,
    url: String,
    key: String,
    timer: Option<i32>,
    on_fail: Box<dyn Fn(bool)>,
}

pub type SharedSaver = Rc<RefCell<Saver>>;

const DEBOUNCE_MS: i32 = 1200;

thread_local! {
    /// The signed-in account: every write names it, so a write kept offline by the service
    /// worker is never replayed as someone else (the server refuses a mismatch).
    static ACCOUNT: RefCell<String> = const { RefCell::new(String::new()) };
}

pub fn set_account(id: &str) {
    ACCOUNT.with(|a| *a.borrow_mut() = id.to_owned());
}

fn account() -> String {
    ACCOUNT.with(|a| a.borrow().clone())
}

impl Saver {
    pub fn new(win: Window, url: String, book: &str, on_fail: Box<dyn Fn(bool)>) -> SharedSaver {
        Rc::new(RefCell::new(Saver { win, url, key: format!("coko.reader.position.{}.{book}", account()), timer: None, on_fail }))
    }

    fn storage(&self) -> Option<web_sys::Storage> {
        self.win.local_storage().ok().flatten()
    }

    /// The position last kept on this device.
    pub fn local(&self) -> Option<Saved> {
        let raw = self.storage()?.get_item(&self.key).ok()??;
        serde_json::from_str(&raw).ok()
    }

    fn keep(&self, saved: &Saved) {
        if let (Some(s), Ok(json)) = (self.storage(), serde_json::to_string(saved)) {
            let _ = s.set_item(&self.key, &json);
        }
    }
}

fn device(win: &Window) -> String {
    let w = win.inner_width().ok().and_then(|v| v.as_f64()).unwrap_or(1024.0);
    if w < 768.0 { "web-mobile" } else { "web-desktop" }.into()
}

/// A same-origin JSON request with the session cookie; `keepalive` lets it outlive the page.
pub fn json_request(method: &str, url: &str, body: Option<&str>, keepalive: bool) -> Result<Request, JsValue> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    if let Some(b) = body {
        init.set_body(&JsValue::from_str(b));
    }
    if keepalive {
        js_sys::Reflect::set(&init, &"keepalive".into(), &JsValue::TRUE)?;
    }
    let req = Request::new_with_str_and_init(url, &init)?;
    req.headers().set("content-type", "application/json")?;
    req.headers().set("accept", "application/json")?;
    let who = account();
    if !who.is_empty() {
        req.headers().set("x-coko-user", &who)?;
    }
    Ok(req)
}

/// Records a new position and schedules its sending.
pub fn save(saver: &SharedSaver, locator: String, percentage: f64) {
    save_at(saver, locator, percentage, None);
}

/// Records a new position (with a PDF's page and page count) and schedules its sending.
pub fn save_at(saver: &SharedSaver, locator: String, percentage: f64, pages: Option<(u32, u32)>) {
    let mut s = saver.borrow_mut();
    let now = js_sys::Date::new_0().to_iso_string().as_string().unwrap_or_default();
    let saved = Saved { locator, percentage, device: device(&s.win), updated_at: now, pending: true, pages };
    s.keep(&saved);
    if let Some(t) = s.timer.take() {
        s.win.clear_timeout_with_handle(t);
    }
    let weak = Rc::downgrade(saver);
    let cb = Closure::once_into_js(move || {
        if let Some(saver) = weak.upgrade() {
            saver.borrow_mut().timer = None;
            flush(&saver, false);
        }
    });
    s.timer = s.win.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), DEBOUNCE_MS).ok();
}

/// Sends the pending position now (`keepalive` lets it outlive a closing page).
pub fn flush(saver: &SharedSaver, keepalive: bool) {
    let (saved, url, win) = {
        let s = saver.borrow();
        match s.local() {
            Some(saved) if saved.pending => (saved, s.url.clone(), s.win.clone()),
            _ => return,
        }
    };
    let mut body = serde_json::json!({
        "locator": saved.locator, "percentage": saved.percentage, "device": saved.device, "updated_at": saved.updated_at,
    });
    if let Some((page, total)) = saved.pages {
        body["current_page"] = page.into();
        body["total_pages"] = total.into();
    }
    let Ok(body) = serde_json::to_string(&body) else { return };
    let Ok(req) = json_request("PUT", &url, Some(&body), keepalive) else { return };
    let saver = saver.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let sent = wasm_bindgen_futures::JsFuture::from(win.fetch_with_request(&req)).await;
        let res = sent.ok().and_then(|r| r.dyn_into::<Response>().ok());
        let ok = res.as_ref().is_some_and(|r| r.ok());
        // Kept by the service worker for later (offline): still this device's newest word, so it
        // stays pending and wins at the next opening here.
        let queued = res.as_ref().is_some_and(|r| r.headers().has("coko-queued").unwrap_or(false));
        let s = saver.borrow();
        if ok && !queued {
            // Only clear the flag if no newer position arrived meanwhile.
            if let Some(mut now) = s.local().filter(|n| n.updated_at == saved.updated_at) {
                now.pending = false;
                s.keep(&now);
            }
        }
        (s.on_fail)(!ok);
    });
}

/// Sends a JSON body (fire and forget), surviving the page closing when `keepalive`.
pub fn send(win: &Window, method: &str, url: &str, body: String, keepalive: bool) {
    if let Ok(req) = json_request(method, url, Some(&body), keepalive) {
        let _ = win.fetch_with_request(&req);
    }
}

/// Time spent reading, cut into sessions: a pause of five minutes ends one.
pub struct Sessions {
    pub url: String,
    pub book: String,
    start: Option<(f64, f64)>,
    last: (f64, f64),
}

/// Pauses longer than this end a session.
const IDLE_MS: f64 = 5.0 * 60.0 * 1000.0;
/// Time counted after the last page turn of a session.
const TAIL_MS: f64 = 30.0 * 1000.0;

impl Sessions {
    pub fn new(url: String, book: String) -> Self {
        Sessions { url, book, start: None, last: (0.0, 0.0) }
    }

    /// The reader did something at `pct`.
    pub fn activity(&mut self, win: &Window, pct: f64) {
        let now = js_sys::Date::now();
        if self.start.is_some() && now - self.last.0 > IDLE_MS {
            self.flush(win, false);
        }
        if self.start.is_none() {
            self.start = Some((now, pct));
        }
        self.last = (now, pct);
    }

    /// Reports the session so far (if it lasted at least 15 s) and starts afresh.
    pub fn flush(&mut self, win: &Window, keepalive: bool) {
        let Some((started, start_pct)) = self.start.take() else { return };
        let now = js_sys::Date::now();
        let end = if now - self.last.0 > IDLE_MS { self.last.0 + TAIL_MS } else { now };
        if end - started < 15_000.0 {
            return;
        }
        let iso = |ms: f64| js_sys::Date::new(&JsValue::from_f64(ms)).to_iso_string().as_string().unwrap_or_default();
        let body = serde_json::json!({
            "id": crate::notes::new_id(win), "book_id": self.book,
            "started_at": iso(started), "ended_at": iso(end),
            "start_percentage": start_pct, "end_percentage": self.last.1, "device": device(win),
        });
        send(win, "POST", &self.url, body.to_string(), keepalive);
    }
}
