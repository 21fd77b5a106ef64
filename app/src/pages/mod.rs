//! One module per page.

pub mod admin_audit;
pub mod admin_books;
pub mod admin_entries;
pub mod admin_jobs;
pub mod admin_payments;
pub mod admin_revenue;
pub mod admin_users;
pub mod auth;
pub mod book;
pub mod broadcast;
pub mod catalog;
pub mod home;
pub mod library;
pub mod listed;
pub mod notifications;
pub mod offline;
pub mod payment;
pub mod premium;
pub mod profile;
pub mod reader;
pub mod reader_pdf;
pub mod reviews;
pub mod search;
pub mod stats;
pub mod status;
