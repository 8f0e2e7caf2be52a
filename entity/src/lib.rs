//! SeaORM entities: the database rows of RenderMart. They never derive GraphQL traits; the
//! `api` crate wraps them in its own GraphQL types.

pub mod api_key;
pub mod batch;
pub mod generation;
pub mod image;
pub mod prompt;
pub mod upload;
pub mod user;
pub mod webhook;
pub mod webhook_delivery;
