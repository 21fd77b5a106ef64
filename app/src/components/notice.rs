use leptos::prelude::*;

/// The tone of a notice.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Success,
    Info,
    Error,
}

/// A message box. Errors are announced at once (`role="alert"`), others politely.
#[component]
pub fn Notice(tone: Tone, children: Children) -> impl IntoView {
    let (role, class) = match tone {
        Tone::Success => (
            "status",
            "border-emerald-700 bg-emerald-50 text-emerald-950 dark:border-emerald-400 dark:bg-emerald-950 dark:text-emerald-100",
        ),
        Tone::Info => ("status", "border-sky-700 bg-sky-50 text-sky-950 dark:border-sky-400 dark:bg-sky-950 dark:text-sky-100"),
        Tone::Error => ("alert", "border-red-700 bg-red-50 text-red-950 dark:border-red-400 dark:bg-red-950 dark:text-red-100"),
    };
    view! {
        <div role=role class=format!("mb-5 rounded-lg border-s-4 px-4 py-3 {class}")>
            {children()}
        </div>
    }
}
