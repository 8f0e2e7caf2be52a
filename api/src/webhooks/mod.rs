//! Webhooks: signed HTTP callbacks to integrators when their jobs and batches change, as the
//! Standard Webhooks specification describes (`signing`). Where they may point (`target`),
//! what they carry (`payload`), how they are written with the change they report (`outbox`)
//! and how they are sent and retried (`sender`). The endpoints' rows are in
//! `service::webhooks`.

pub mod outbox;
pub mod payload;
pub mod sender;
pub mod signing;
pub mod target;
