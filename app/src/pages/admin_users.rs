//! Admins list users (search, pages) and change their roles.

use crate::components::form::ErrorSummary;
use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::{fill, role_label, texts};
use domain::account::{Role, UserPage};
use leptos::prelude::*;

fn page_href(search: &str, page: u32) -> String {
    let q: String = search
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("/admin/utilisateurs?q={q}&page={page}")
}

#[component]
pub fn AdminUsersPage(page: UserPage, search: String) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let form = ctx.form_for("role").cloned();
    let pages = page.total_pages().max(1);
    let rows = page
        .users
        .iter()
        .map(|u| {
            let options = Role::ALL
                .into_iter()
                .map(|r| view! { <option value=r.as_str() selected=r == u.role>{role_label(t, r)}</option> })
                .collect_view();
            let select_id = format!("role-{}", u.id);
            view! {
                <tr class="border-t border-slate-200 align-top dark:border-slate-700" data-testid="user-row">
                    <td class="py-3 pe-3">
                        <span class="font-medium text-slate-950 dark:text-white">{u.name.clone()}</span>
                        <span class="block break-all text-sm text-slate-700 sm:hidden dark:text-slate-300">{u.email.clone()}</span>
                    </td>
                    <td class="hidden break-all py-3 pe-3 sm:table-cell">{u.email.clone()}</td>
                    <td class="hidden py-3 pe-3 md:table-cell">{u.country.clone()}</td>
                    <td class="hidden py-3 pe-3 md:table-cell">{u.created_at.format("%Y-%m-%d").to_string()}</td>
                    <td class="py-3">
                        <form method="post" action=format!("/admin/utilisateurs/{}/role", u.id) class="flex flex-wrap gap-2">
                            <input type="hidden" name="back" value=page_href(&search, page.page)/>
                            <label for=select_id.clone() class="sr-only">{format!("{} — {}", t.col_role, u.name)}</label>
                            <select id=select_id name="role" class="rounded-lg border border-slate-400 bg-white px-2 py-1.5 dark:border-slate-500 dark:bg-slate-900">{options}</select>
                            <button type="submit" class="rounded-lg border border-slate-300 px-3 py-1.5 font-semibold hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-amber-500 dark:border-slate-600 dark:hover:bg-slate-800">{t.role_change_submit}</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let empty = page.users.is_empty();
    view! {
        <h1 class=styles::H1>{t.admin_users_title}</h1>
        <ErrorSummary t=t form=form/>
        <form method="get" action="/admin/utilisateurs" role="search" class="mb-5 flex flex-col gap-2 sm:flex-row sm:items-end">
            <div class="flex-1">
                <label for="q" class=styles::LABEL>{t.search_label}</label>
                <input id="q" name="q" type="search" value=search.clone() class=styles::INPUT/>
            </div>
            <button type="submit" class=styles::BUTTON>{t.search_submit}</button>
        </form>
        <p class="mb-2 text-sm text-slate-700 dark:text-slate-300" data-testid="users-total">{t.count(&t.users_total, page.total, &[])}</p>
        <div class=format!("{} overflow-x-auto !p-3 sm:!p-5", styles::CARD)>
            {if empty {
                view! { <p>{t.no_results}</p> }.into_any()
            } else {
                view! {
                    <table class="w-full text-start text-slate-900 dark:text-slate-100">
                        <thead class="text-sm text-slate-700 dark:text-slate-300">
                            <tr>
                                <th scope="col" class="pb-2 pe-3 text-start">{t.col_name}</th>
                                <th scope="col" class="hidden pb-2 pe-3 text-start sm:table-cell">{t.col_email}</th>
                                <th scope="col" class="hidden pb-2 pe-3 text-start md:table-cell">{t.col_country}</th>
                                <th scope="col" class="hidden pb-2 pe-3 text-start md:table-cell">{t.col_created}</th>
                                <th scope="col" class="pb-2 text-start">{t.col_role}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                }.into_any()
            }}
        </div>
        <nav aria-label="pagination" class="mt-4 flex items-center justify-between gap-2">
            {(page.page > 1).then(|| view! { <a class=styles::LINK rel="prev" href=page_href(&search, page.page - 1)>{t.prev_page}</a> })}
            <span class="text-sm">{fill(t.page_x_of_y, &[("page", &page.page.to_string()), ("pages", &pages.to_string())])}</span>
            {(page.page < pages).then(|| view! { <a class=styles::LINK rel="next" href=page_href(&search, page.page + 1)>{t.next_page}</a> })}
        </nav>
    }
}
