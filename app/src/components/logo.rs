use leptos::prelude::*;

/// Coko's mark: an open book under a rising sun.
#[component]
pub fn Logo(#[prop(default = 32)] size: u32) -> impl IntoView {
    view! {
        <svg width=size height=size viewBox="0 0 48 48" aria-hidden="true" focusable="false" class="shrink-0">
            <circle cx="24" cy="17" r="9" fill="#f59e0b"/>
            <path d="M4 16c7-2 14-1 20 4 6-5 13-6 20-4v24c-7-2-14-1-20 4-6-5-13-6-20-4z" fill="#0f766e"/>
            <path d="M24 20v24" stroke="#ccfbf1" stroke-width="2"/>
            <path d="M9 22c4-.6 8 0 11 2M9 28c4-.6 8 0 11 2M28 24c3-2 7-2.6 11-2M28 30c3-2 7-2.6 11-2" stroke="#ccfbf1" stroke-width="1.6" fill="none" stroke-linecap="round"/>
        </svg>
    }
}
