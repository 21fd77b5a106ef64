//! The pieces of the offline mode that pages carry: the status bar (offline badge, changes
//! waiting to sync, install button, new-version toast) and the "download for offline" box.
//! They are rendered hidden with their texts; `public/pwa.js` shows them where the browser can
//! work offline.

use super::styles;
use crate::i18n::{fill, Texts};
use leptos::prelude::*;

/// The offline badge, the count of changes waiting, the install button and the update toast.
#[component]
pub fn PwaBar(t: &'static Texts) -> impl IntoView {
    view! {
        <div id="pwa-bar" hidden=true role="status" data-t-pending=t.pending_changes.to_json()
            class="flex flex-wrap items-center justify-center gap-2 bg-slate-900 px-3 py-1.5 text-sm font-medium text-white dark:bg-slate-800">
            <span data-offline hidden=true class="inline-flex items-center gap-1.5 rounded-full bg-amber-400 px-2.5 py-0.5 font-semibold text-slate-950">
                <svg aria-hidden="true" viewBox="0 0 24 24" class="h-4 w-4 fill-none stroke-current stroke-2"><path d="M2 8.8a15 15 0 0 1 20 0M5 12.5a10 10 0 0 1 14 0M8.5 16a5 5 0 0 1 7 0M12 20h.01M3 3l18 18"/></svg>
                {t.offline_badge}
            </span>
            <span data-pending hidden=true data-testid="pending-changes"></span>
        </div>
        <div id="pwa-update" hidden=true role="alert" class="fixed inset-x-2 bottom-3 z-50 mx-auto flex max-w-sm justify-center">
            <button type="button" class=format!("{} shadow-lg", styles::BUTTON)>{t.update_ready}</button>
        </div>
    }
}

/// "Télécharger pour lire hors ligne", with the size before and the progress during.
#[component]
pub fn DownloadBox(t: &'static Texts, book_id: String, size: String, #[prop(optional)] extra: &'static str) -> impl IntoView {
    view! {
        <div hidden=true data-download=book_id data-testid="download-box" class=format!("mt-3 space-y-2 {extra}")
            data-t-progress=t.download_progress data-t-done=t.download_done data-t-failed=t.download_failed
            data-t-removed=t.download_removed data-t-wifi-only=t.download_wifi_only>
            <div class="flex flex-wrap items-center gap-x-3 gap-y-1">
                <button type="button" data-download-start class=styles::BUTTON_SECONDARY>
                    <svg aria-hidden="true" viewBox="0 0 24 24" class="h-5 w-5 fill-none stroke-current stroke-2"><path d="M12 4v11m0 0-4-4m4 4 4-4M5 19h14"/></svg>
                    {t.download_offline}
                </button>
                <span data-download-size class="text-sm text-slate-700 dark:text-slate-300">{fill(t.download_size, &[("size", &size)])}</span>
                <button type="button" data-download-remove hidden=true class=format!("{} !py-1.5 text-sm", styles::BUTTON_SECONDARY)>{t.download_remove}</button>
            </div>
            <progress hidden=true max="100" value="0" class="h-2 w-full max-w-xs accent-teal-700" aria-label=t.download_offline></progress>
            <p data-download-status role="status" aria-live="polite" class="text-sm font-medium text-teal-900 dark:text-teal-200"></p>
        </div>
    }
}
