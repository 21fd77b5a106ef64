//! Coko's small design system: layout, form fields, notices, the logo.

pub mod book_card;
pub mod danger;
pub mod follow;
pub mod form;
pub mod layout;
pub mod logo;
pub mod notice;
pub mod offline;
pub mod password_input;
pub mod search_suggest;
pub mod share;

/// Tailwind classes shared by buttons and inputs, so every form looks the same.
pub mod styles {
    pub const BUTTON: &str = "inline-flex items-center justify-center gap-2 rounded-lg bg-teal-700 px-4 py-2.5 font-semibold text-white shadow-sm hover:bg-teal-800 focus-visible:outline focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-amber-500 dark:bg-teal-500 dark:text-slate-950 dark:hover:bg-teal-400";
    pub const BUTTON_SECONDARY: &str = "inline-flex items-center justify-center gap-2 rounded-lg border border-slate-300 bg-white px-4 py-2.5 font-semibold text-slate-900 hover:bg-slate-50 focus-visible:outline focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-amber-500 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:hover:bg-slate-700";
    pub const INPUT: &str = "block w-full rounded-lg border border-slate-400 bg-white px-3 py-2.5 text-base text-slate-900 placeholder:text-slate-500 focus:border-teal-700 focus:outline focus:outline-2 focus:outline-teal-700 aria-[invalid=true]:border-red-700 dark:border-slate-500 dark:bg-slate-900 dark:text-slate-100";
    pub const LABEL: &str = "mb-1 block font-medium text-slate-900 dark:text-slate-100";
    pub const LINK: &str = "font-medium text-teal-800 underline decoration-2 underline-offset-2 hover:text-teal-950 dark:text-teal-300 dark:hover:text-teal-200";
    pub const CARD: &str = "rounded-2xl border border-slate-200 bg-white p-5 shadow-sm sm:p-8 dark:border-slate-700 dark:bg-slate-900";
    pub const H1: &str = "mb-6 text-2xl font-bold tracking-tight text-slate-950 sm:text-3xl dark:text-white";
}
