//! Business operations, shared by GraphQL resolvers and workers. Functions take any
//! connection or transaction (`&impl ConnectionTrait`), so callers choose the transaction.

pub mod accounts;
pub mod api_keys;
pub mod batches;
pub mod generations;
pub mod images;
pub mod pagination;
pub mod prompts;
pub mod sources;
pub mod usage;
pub mod webhooks;
