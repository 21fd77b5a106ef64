//! Coko's domain layer. Everything here compiles for the browser; the services, ports and
//! adapters that need a server (SQL, hashing, mail) sit behind the `ssr` feature.

pub mod account;
pub mod audit;
pub mod catalog;
pub mod community;
pub mod error;
pub mod jobs;
pub mod markup;
pub mod notification;
pub mod payment;
pub mod pdf;
pub mod reading;
pub mod search;
pub mod validation;

#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod covers;
#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod events;
#[cfg(feature = "ssr")]
pub mod files;
#[cfg(feature = "ssr")]
pub mod ingest;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod store;

pub use error::{ErrorCode, FieldError, Reason};
/// The JSON shared with Coko's code in the browser (see `reader::wire`).
pub use reader::wire;
