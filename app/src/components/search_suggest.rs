//! The header's search input with suggestions as one types. Without WASM it is the plain input
//! of a GET form (`/recherche`); once the island hydrates, typing two letters or more asks
//! `/api/v1/catalog/suggest/` (debounced, stale answers dropped) and lists a few books under the
//! input as an ARIA combobox: arrows move, Enter opens the book, Escape closes, and the last
//! option runs the full search.

use crate::pages::search::encode;
use leptos::prelude::*;

/// One suggested book, as the API sends it (defined once, in `reader::wire`).
pub use domain::wire::Suggestion;

#[cfg(feature = "hydrate")]
async fn fetch_suggestions(query: &str) -> Option<Vec<Suggestion>> {
    use wasm_bindgen::JsCast;
    let window = web_sys::window()?;
    let url = format!("/api/v1/catalog/suggest/?q={}", encode(query));
    let res: web_sys::Response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(&url)).await.ok()?.dyn_into().ok()?;
    if !res.ok() {
        return None;
    }
    let text = wasm_bindgen_futures::JsFuture::from(res.text().ok()?).await.ok()?.as_string()?;
    serde_json::from_str::<domain::wire::Suggestions>(&text).ok().map(|a| a.suggestions)
}

#[cfg(not(feature = "hydrate"))]
async fn fetch_suggestions(_query: &str) -> Option<Vec<Suggestion>> {
    None
}

/// The input and its suggestion list. `all_label` reads "… « {q} »": the full search.
#[island]
pub fn SearchSuggest(value: String, placeholder: String, list_label: String, all_label: String) -> impl IntoView {
    let (query, set_query) = signal(value.clone());
    let (found, set_found) = signal(Vec::<Suggestion>::new());
    let (open, set_open) = signal(false);
    let (active, set_active) = signal(None::<usize>);
    // Each keystroke gets a number; only the newest one's answer is shown.
    let asked = StoredValue::new(0u64);
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));

    let ask = move |text: String| {
        set_query.set(text.clone());
        set_active.set(None);
        let n = asked.get_value() + 1;
        asked.set_value(n);
        if text.trim().chars().count() < 2 {
            set_found.set(Vec::new());
            set_open.set(false);
            return;
        }
        set_timeout(
            move || {
                if asked.get_value() != n {
                    return;
                }
                leptos::task::spawn_local(async move {
                    let list = fetch_suggestions(text.trim()).await;
                    if asked.get_value() != n {
                        return;
                    }
                    if let Some(list) = list {
                        set_open.set(true);
                        set_found.set(list);
                    }
                });
            },
            std::time::Duration::from_millis(180),
        );
    };
    // Options: the books, then "every result".
    let count = move || found.with(|f| f.len()) + 1;
    let href_at = move |i: usize| {
        found.with(|f| f.get(i).map(|s| s.href.clone())).unwrap_or_else(|| format!("/recherche?q={}", encode(query.get_untracked().trim())))
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let n = count();
        match ev.key().as_str() {
            "ArrowDown" if open.get_untracked() => {
                ev.prevent_default();
                set_active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % n)));
            }
            "ArrowUp" if open.get_untracked() => {
                ev.prevent_default();
                set_active.update(|a| *a = Some(a.map_or(n - 1, |i| (i + n - 1) % n)));
            }
            // Open: Escape closes the list and keeps the text (a second one clears it).
            "Escape" if open.get_untracked() => {
                ev.prevent_default();
                set_open.set(false);
                set_active.set(None);
            }
            "Enter" => {
                if let (true, Some(i)) = (open.get_untracked(), active.get_untracked()) {
                    ev.prevent_default();
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().set_href(&href_at(i));
                    }
                }
            }
            _ => {}
        }
    };
    let option_id = |i: usize| format!("site-search-option-{i}");
    let expanded = move || if open.get() { "true" } else { "false" };
    let all_text = move || all_label.replace("{q}", query.get().trim());
    view! {
        <div class="relative min-w-0 flex-1">
            <input id="site-search" name="q" type="search" value=value placeholder=placeholder enterkeyhint="search" autocomplete="off"
                data-ready=move || hydrated.get().then_some("true")
                role="combobox" aria-autocomplete="list" aria-controls="site-search-list" aria-expanded=expanded
                aria-activedescendant=move || active.get().map(option_id)
                on:input=move |ev| ask(event_target_value(&ev))
                on:keydown=on_key
                on:blur=move |_| set_timeout(move || set_open.set(false), std::time::Duration::from_millis(200))
                on:focus=move |_| if !found.with(|f| f.is_empty()) { set_open.set(true) }
                class="w-full rounded-lg border border-slate-400 bg-white px-3 py-2 text-base text-slate-900 placeholder:text-slate-600 focus:outline focus:outline-2 focus:outline-teal-700 dark:border-slate-500 dark:bg-slate-900 dark:text-slate-100 dark:placeholder:text-slate-400"/>
            <ul id="site-search-list" role="listbox" aria-label=list_label hidden=move || !open.get() data-testid="search-suggestions"
                class="absolute inset-x-0 top-full z-30 mt-1 max-h-[70vh] overflow-y-auto rounded-lg border border-slate-300 bg-white py-1 shadow-lg dark:border-slate-600 dark:bg-slate-900 md:w-96">
                {move || found.get().into_iter().enumerate().map(|(i, s)| view! {
                    <li id=option_id(i) role="option" aria-selected=move || if active.get() == Some(i) { "true" } else { "false" }
                        class="aria-selected:bg-teal-50 dark:aria-selected:bg-slate-800">
                        <a href=s.href tabindex="-1" class="block px-3 py-2 text-slate-900 hover:bg-slate-100 dark:text-slate-100 dark:hover:bg-slate-800">
                            <span class="block truncate font-semibold" dir="auto">{s.title}</span>
                            <span class="block truncate text-sm text-slate-700 dark:text-slate-300" dir="auto">{s.authors}</span>
                        </a>
                    </li>
                }).collect_view()}
                <li id=move || option_id(found.with(|f| f.len())) role="option" aria-selected=move || if active.get() == Some(found.with(|f| f.len())) { "true" } else { "false" }
                    class="border-t border-slate-200 aria-selected:bg-teal-50 dark:border-slate-700 dark:aria-selected:bg-slate-800">
                    <a href=move || format!("/recherche?q={}", encode(query.get().trim())) tabindex="-1" class="block px-3 py-2 font-medium text-teal-800 hover:bg-slate-100 dark:text-teal-300 dark:hover:bg-slate-800">{all_text}</a>
                </li>
            </ul>
        </div>
    }
}
