//! The WASM entry: hydrates the islands of a server-rendered page. Nothing else lives here.

// Linking the crate that defines the islands keeps their exports in the WASM.
extern crate app as _;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
