//! A password input with a show/hide button. The input works without WASM; the button is an
//! island that appears once WASM has arrived.

use super::form::{described_by, FieldHelp};
use super::styles;
use crate::i18n::Texts;
use domain::error::FieldError;
use leptos::prelude::*;

/// The island: the input itself plus the toggle, hidden until hydrated.
#[island]
pub fn PasswordInput(
    name: String,
    autocomplete: String,
    described_by: String,
    invalid: bool,
    show_label: String,
    hide_label: String,
) -> impl IntoView {
    let (visible, set_visible) = signal(false);
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    view! {
        <div class="relative">
            <input
                id=name.clone()
                name=name.clone()
                type=move || if visible.get() { "text" } else { "password" }
                autocomplete=autocomplete
                required=true
                aria-invalid=invalid.then_some("true")
                aria-describedby=(!described_by.is_empty()).then_some(described_by)
                class=format!("{} pe-24", styles::INPUT)
            />
            <button
                type="button"
                class="absolute inset-y-1 end-1 rounded-md px-3 text-sm font-semibold text-teal-800 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-amber-500 dark:text-teal-300 dark:hover:bg-slate-800"
                hidden=move || !hydrated.get()
                aria-pressed=move || if visible.get() { "true" } else { "false" }
                on:click=move |_| set_visible.update(|v| *v = !*v)
                data-testid="password-toggle"
            >
                {move || if visible.get() { hide_label.clone() } else { show_label.clone() }}
            </button>
        </div>
    }
}

/// A labelled password field with hint and error.
#[component]
pub fn PasswordField(
    t: &'static Texts,
    name: &'static str,
    label: &'static str,
    autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = None)] error: Option<FieldError>,
) -> impl IntoView {
    let described = described_by(name, hint.is_some(), error.is_some()).unwrap_or_default();
    view! {
        <div class="mb-4">
            <label for=name class=styles::LABEL>{label}</label>
            <PasswordInput
                name=name.to_owned()
                autocomplete=autocomplete.to_owned()
                described_by=described
                invalid=error.is_some()
                show_label=t.show_password.to_owned()
                hide_label=t.hide_password.to_owned()
            />
            <FieldHelp t=t name=name hint=hint error=error/>
        </div>
    }
}
