//! Editors' pages for the catalogue's authors, publishers and categories: `/admin/auteurs`,
//! `/admin/editeurs` (found by name, a page at a time), `/admin/categories` (the whole tree, and
//! a form to add one), and the page that edits one of them.

use crate::components::book_card::cover_url;
use crate::components::danger::DangerZone;
use crate::components::form::{described_by, ErrorSummary, Field, FieldHelp, Select};
use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::{fill, texts, Texts};
use domain::account::Role;
use domain::catalog::{category_outline, indented, Listed, Listing};
use leptos::prelude::*;

/// Each kind's address under `/admin`.
pub fn admin_base(kind: Listing) -> &'static str {
    match kind {
        Listing::Authors => "/admin/auteurs",
        Listing::Publishers => "/admin/editeurs",
        Listing::Categories => "/admin/categories",
    }
}

fn kind_title(t: &'static Texts, kind: Listing) -> &'static str {
    match kind {
        Listing::Authors => t.admin_tab_authors,
        Listing::Publishers => t.admin_tab_publishers,
        Listing::Categories => t.admin_tab_categories,
    }
}

/// The editors' tabs: books, authors, publishers, categories (and the log for admins).
#[component]
pub fn AdminTabs(current: &'static str) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let admin = ctx.viewer.as_ref().is_some_and(|u| u.role == Role::Admin);
    let mut tabs = vec![
        ("/admin/livres", t.nav_admin_books),
        ("/admin/auteurs", t.admin_tab_authors),
        ("/admin/editeurs", t.admin_tab_publishers),
        ("/admin/categories", t.admin_tab_categories),
    ];
    if admin {
        tabs.push(("/admin/journal", t.audit_title));
        tabs.push(("/admin/taches", t.jobs_title));
        tabs.push(("/admin/paiements", t.admin_tab_payments));
        tabs.push(("/admin/revenus", t.revenue_title));
        tabs.push(("/admin/formules", t.admin_tab_plans));
    }
    let links = tabs
        .into_iter()
        .map(|(href, label)| {
            let here = href == current;
            let class = if here {
                "whitespace-nowrap rounded-full bg-teal-700 px-3 py-1.5 text-sm font-semibold text-white dark:bg-teal-500 dark:text-slate-950"
            } else {
                "whitespace-nowrap rounded-full border border-slate-300 bg-white px-3 py-1.5 text-sm font-semibold text-slate-900 hover:bg-slate-50 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100"
            };
            view! { <li><a href=href class=class aria-current=here.then_some("page")>{label}</a></li> }
        })
        .collect_view();
    view! {
        <nav aria-label=t.admin_nav_label class="-mx-1 mb-5 overflow-x-auto px-1 pb-1">
            <ul class="flex gap-2">{links}</ul>
        </nav>
    }
}

#[component]
pub fn AdminEntriesPage(kind: Listing, entries: Vec<Listed>, total: u64, page: u32, name: String) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let base = admin_base(kind);
    let body = if kind == Listing::Categories {
        view! { <CategoryTree entries=entries/> }.into_any()
    } else {
        let query = |p: u32| {
            let mut q = format!("{base}?page={p}");
            if !name.is_empty() {
                q.push_str(&format!("&nom={}", super::search::encode(&name)));
            }
            q
        };
        let prev = (page > 1).then(|| query(page - 1));
        let next = (u64::from(page) * 50 < total).then(|| query(page + 1));
        let rows = entries
            .iter()
            .map(|e| {
                view! {
                    <tr class="border-t border-slate-200 dark:border-slate-700" data-testid="entry-row">
                        <td class="py-2 pe-3"><a class=styles::LINK href=format!("{base}/{}", e.id) dir="auto">{e.name.clone()}</a></td>
                        <td class="py-2 text-end tabular-nums">{e.books}</td>
                    </tr>
                }
            })
            .collect_view();
        let empty = entries.is_empty();
        view! {
            <form method="get" action=base role="search" class=format!("{} mb-4 flex flex-wrap items-end gap-3 !p-3 sm:!p-4", styles::CARD)>
                <div class="min-w-0 flex-1">
                    <label for="nom" class=styles::LABEL>{t.entries_search_label}</label>
                    <input id="nom" name="nom" type="search" value=name.clone() dir="auto" class=format!("{} !py-2", styles::INPUT)/>
                </div>
                <button type="submit" class=styles::BUTTON>{t.entries_search_submit}</button>
            </form>
            <p class="mb-2 text-sm">{fill(t.entries_count, &[("n", &total.to_string())])}</p>
            {if empty {
                view! { <p class=styles::CARD>{t.entries_none}</p> }.into_any()
            } else {
                view! {
                    <div class=format!("{} overflow-x-auto !p-3 sm:!p-5", styles::CARD)>
                        <table class="w-full text-start">
                            <thead class="text-sm text-slate-700 dark:text-slate-300">
                                <tr>
                                    <th scope="col" class="pb-2 text-start">{t.name_label}</th>
                                    <th scope="col" class="pb-2 text-end">{t.entries_books_col}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
            <nav aria-label="pagination" class="mt-4 flex justify-between">
                {prev.map(|h| view! { <a class=styles::LINK rel="prev" href=h>{t.prev_page}</a> })}
                {next.map(|h| view! { <a class=styles::LINK rel="next" href=h>{t.next_page}</a> })}
            </nav>
        }
        .into_any()
    };
    view! {
        <AdminTabs current=base/>
        <h1 class=styles::H1>{kind_title(t, kind)}</h1>
        {body}
    }
}

/// Every category, indented by depth, with its books counted; then the form that adds one.
#[component]
fn CategoryTree(entries: Vec<Listed>) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let outline = category_outline(&entries);
    let items = outline
        .iter()
        .map(|(c, depth)| {
            // Classes, not a style attribute: the page's CSP allows no inline style.
            const INDENT: [&str; 9] = ["ps-0", "ps-5", "ps-10", "ps-14", "ps-18", "ps-22", "ps-26", "ps-30", "ps-34"];
            let class = format!("{} flex items-baseline justify-between gap-3 border-t border-slate-200 py-2 first:border-t-0 dark:border-slate-700", INDENT[(*depth).min(8)]);
            view! {
                <li class=class data-depth=depth.to_string() data-testid="entry-row">
                    <a class=styles::LINK href=format!("/admin/categories/{}", c.id) dir="auto">{c.name.clone()}</a>
                    <span class="shrink-0 text-sm tabular-nums text-slate-700 dark:text-slate-300">{crate::i18n::book_count(t, c.books)}</span>
                </li>
            }
        })
        .collect_view();
    let empty = outline.is_empty();
    let parents: Vec<(String, String)> = outline.iter().map(|(c, d)| (c.id.clone(), indented(&c.name, *d))).collect();
    view! {
        {if empty {
            view! { <p class=format!("{} mb-6", styles::CARD)>{t.entries_none}</p> }.into_any()
        } else {
            view! { <ul class=format!("{} mb-6 !p-3 sm:!p-5", styles::CARD)>{items}</ul> }.into_any()
        }}
        <CategoryForm heading=t.category_new action="/admin/categories".to_owned() form_name="add" current=None parents submit=t.category_add/>
    }
}

/// Name, slug and parent of a category (adding one, or editing `current`).
#[component]
fn CategoryForm(
    heading: &'static str,
    action: String,
    form_name: &'static str,
    current: Option<Listed>,
    parents: Vec<(String, String)>,
    submit: &'static str,
) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let form = ctx.form_for(form_name).cloned();
    let val = |k: &str, stored: String| form.as_ref().and_then(|f| f.value(k)).map(str::to_owned).unwrap_or(stored);
    let err = |k: &str| form.as_ref().and_then(|f| f.field_error(k).cloned());
    let name = val("name", current.as_ref().map(|c| c.name.clone()).unwrap_or_default());
    let slug = val("slug", current.as_ref().map(|c| c.detail.clone()).unwrap_or_default());
    let parent = val("parent", current.as_ref().and_then(|c| c.parent_id.clone()).unwrap_or_default());
    let (name_err, slug_err, parent_err) = (err("name"), err("slug"), err("parent"));
    let (heading_id, labelled_by) = (format!("{form_name}-heading"), format!("{form_name}-heading"));
    view! {
        <section class=styles::CARD aria-labelledby=labelled_by>
            <h2 id=heading_id class="mb-4 text-lg font-bold text-slate-950 dark:text-white">{heading}</h2>
            <ErrorSummary t=t form=form.clone()/>
            <form method="post" action=action novalidate>
                <Field t=t name="name" label=t.name_label value=name required=true error=name_err/>
                <Field t=t name="slug" label=t.entry_slug value=slug hint=t.entry_slug_hint error=slug_err/>
                <Select t=t name="parent" label=t.entry_parent options=parents selected=parent placeholder=t.entry_parent_none error=parent_err required=false/>
                <button type="submit" class=styles::BUTTON>{submit}</button>
            </form>
        </section>
    }
}

#[component]
pub fn AdminEntryPage(kind: Listing, entry: Listed, categories: Vec<Listed>, merge: Option<(String, Vec<Listed>)>) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let base = admin_base(kind);
    let action = format!("{base}/{}", entry.id);
    let public = match kind {
        Listing::Authors => Some(format!("/auteurs/{}", entry.id)),
        Listing::Publishers => Some(format!("/editeurs/{}", entry.id)),
        Listing::Categories => Some(format!("/catalogue?categorie={}", entry.detail)),
    };
    let form_body = match kind {
        Listing::Categories => {
            // Not under itself or its own descendants.
            let outline = category_outline(&categories);
            let mut parents = Vec::new();
            let mut skip_below: Option<usize> = None;
            for (c, depth) in &outline {
                if let Some(d) = skip_below {
                    if *depth > d {
                        continue;
                    }
                    skip_below = None;
                }
                if c.id == entry.id {
                    skip_below = Some(*depth);
                    continue;
                }
                parents.push((c.id.clone(), indented(&c.name, *depth)));
            }
            view! { <CategoryForm heading=t.entry_edit action=action.clone() form_name="entry" current=Some(entry.clone()) parents submit=t.profile_save/> }.into_any()
        }
        _ => view! { <EntryForm kind entry=entry.clone() action=action.clone()/> }.into_any(),
    };
    let refused = ctx.form_for("delete").is_some().then(|| t.count(&t.delete_entry_in_use, entry.books, &[]));
    let warning = if kind == Listing::Categories { t.delete_category_warning } else { t.delete_entry_warning };
    view! {
        <AdminTabs current=base/>
        <p class="mb-3"><a href=base class=styles::LINK>{t.entry_back}</a></p>
        <p class="mb-1 text-sm font-semibold uppercase tracking-wide text-teal-800 dark:text-teal-300">{kind_title(t, kind)}</p>
        <h1 class=format!("{} !mb-1", styles::H1) dir="auto">{entry.name.clone()}</h1>
        <p class="mb-4 text-slate-800 dark:text-slate-200">
            {t.count(&t.entry_books, entry.books, &[])}
            {public.map(|href| view! { " " <a href=href class=styles::LINK>{t.entry_view_public}</a> })}
        </p>
        {(kind == Listing::Authors).then(|| view! { <PhotoForm entry=entry.clone()/> })}
        {form_body}
        <MergeForm kind entry=entry.clone() merge/>
        <DangerZone title=t.delete_entry warning confirm=t.delete_entry_confirm action=format!("{base}/{}/supprimer", entry.id) refused/>
    }
}

/// An author's name and biography, or a publisher's name.
#[component]
fn EntryForm(kind: Listing, entry: Listed, action: String) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let form = ctx.form_for("entry").cloned();
    let val = |k: &str, stored: String| form.as_ref().and_then(|f| f.value(k)).map(str::to_owned).unwrap_or(stored);
    let err = |k: &str| form.as_ref().and_then(|f| f.field_error(k).cloned());
    let name = val("name", entry.name.clone());
    let biography = val("biography", entry.detail.clone());
    let (name_err, bio_err) = (err("name"), err("biography"));
    view! {
        <section class=styles::CARD>
            <ErrorSummary t=t form=form.clone()/>
            <form method="post" action=action novalidate>
                <Field t=t name="name" label=t.name_label value=name required=true error=name_err/>
                {(kind == Listing::Authors).then(|| view! {
                    <div class="mb-4">
                        <label for="biography" class=styles::LABEL>{t.entry_biography}</label>
                        <textarea id="biography" name="biography" rows="8" class=styles::INPUT dir="auto"
                            aria-describedby=described_by("biography", false, bio_err.is_some())
                            aria-invalid=bio_err.is_some().then_some("true")>{biography}</textarea>
                        <FieldHelp t=t name="biography" hint=None error=bio_err.clone()/>
                    </div>
                })}
                <button type="submit" class=styles::BUTTON>{t.profile_save}</button>
            </form>
        </section>
    }
}

/// Merging a duplicate author, publisher or category into the entry to keep: find it by name (a plain GET
/// form, no script), then one button per entry found.
#[component]
fn MergeForm(kind: Listing, entry: Listed, merge: Option<(String, Vec<Listed>)>) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let form = ctx.form_for("merge").cloned();
    let search_err = form.as_ref().and_then(|f| f.field_error("fusion").cloned());
    let page = format!("{}/{}", admin_base(kind), entry.id);
    let (query, found) = merge.unwrap_or_default();
    let searched = !query.is_empty();
    let none = searched && found.is_empty();
    let action = format!("{page}/fusionner");
    let hint = if kind == Listing::Categories { t.entry_merge_hint_category } else { t.entry_merge_hint };
    let items = found
        .into_iter()
        .map(|c| {
            let label = fill(t.entry_merge_into, &[("name", &c.name)]);
            view! {
                <li class="flex flex-wrap items-center justify-between gap-2 py-2">
                    <span dir="auto">
                        <a class=styles::LINK href=format!("{}/{}", admin_base(kind), c.id)>{c.name.clone()}</a>
                        " · " <span class="text-sm text-slate-700 dark:text-slate-300">{crate::i18n::book_count(t, c.books)}</span>
                    </span>
                    <form method="post" action=action.clone()>
                        <input type="hidden" name="into" value=c.id.clone()/>
                        <button type="submit" class=styles::BUTTON_SECONDARY data-testid="merge-into">{label}</button>
                    </form>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class=format!("{} mt-6", styles::CARD) aria-labelledby="merge-heading">
            <h2 id="merge-heading" class="mb-2 text-lg font-bold text-slate-950 dark:text-white">{t.entry_merge}</h2>
            <p class="mb-3 text-slate-800 dark:text-slate-200">{fill(hint, &[("name", &entry.name)])}</p>
            <ErrorSummary t=t form=form/>
            <form method="get" action=page class="flex flex-wrap items-end gap-3" role="search">
                <div class="min-w-0 flex-1">
                    <Field t=t name="fusion" label=t.entry_merge_search kind="search" value=query error=search_err/>
                </div>
                <button type="submit" class=format!("{} mb-4", styles::BUTTON_SECONDARY)>{t.entry_merge_find}</button>
            </form>
            {none.then(|| view! { <p class="text-slate-800 dark:text-slate-200">{t.entry_merge_none}</p> })}
            <ul class="divide-y divide-slate-200 dark:divide-slate-700">{items}</ul>
        </section>
    }
}

/// The author's photo: shown, replaced (a multipart upload), removed.
#[component]
fn PhotoForm(entry: Listed) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let form = ctx.form_for("photo").cloned();
    let photo_err = form.as_ref().and_then(|f| f.field_error("photo").cloned());
    let alt = fill(t.entry_photo_alt, &[("name", &entry.name)]);
    let base = format!("/admin/auteurs/{}/photo", entry.id);
    view! {
        <section class=format!("{} mb-6 grid gap-4 sm:grid-cols-[8rem_1fr] sm:items-start", styles::CARD) aria-labelledby="photo-heading">
            <div class="mx-auto w-32">
                {match entry.photo.clone() {
                    Some(hash) => view! {
                        <img src=format!("{}/160", cover_url(&hash)) alt=alt width="160" height="160" data-testid="author-photo"
                            class="aspect-square w-32 rounded-full bg-slate-200 object-cover dark:bg-slate-800"/>
                    }.into_any(),
                    None => view! { <p class="flex aspect-square w-32 items-center justify-center rounded-full bg-slate-100 p-3 text-center text-sm text-slate-700 dark:bg-slate-800 dark:text-slate-300">{t.entry_no_photo}</p> }.into_any(),
                }}
            </div>
            <div>
                <h2 id="photo-heading" class="mb-2 text-lg font-bold text-slate-950 dark:text-white">{t.entry_photo}</h2>
                <ErrorSummary t=t form=form.clone()/>
                <form method="post" action=base.clone() enctype="multipart/form-data" class="mb-3">
                    <label for="photo" class="sr-only">{t.entry_photo}</label>
                    <input id="photo" name="photo" type="file" accept="image/jpeg,image/png,image/webp,image/gif" required=true
                        aria-describedby=described_by("photo", true, photo_err.is_some()) aria-invalid=photo_err.is_some().then_some("true")
                        class="block w-full rounded-lg border border-dashed border-slate-400 bg-slate-50 p-3 text-slate-900 file:me-3 file:rounded-md file:border-0 file:bg-teal-700 file:px-3 file:py-2 file:font-semibold file:text-white dark:bg-slate-900 dark:text-slate-100"/>
                    <FieldHelp t=t name="photo" hint=Some(t.entry_photo_hint) error=photo_err.clone()/>
                    <button type="submit" class=format!("{} mt-3", styles::BUTTON)>{t.entry_photo_submit}</button>
                </form>
                {entry.photo.is_some().then(|| view! {
                    <form method="post" action=format!("{base}/retirer")>
                        <button type="submit" class=styles::BUTTON_SECONDARY>{t.entry_photo_remove}</button>
                    </form>
                })}
            </div>
        </section>
    }
}
