//! The application context shared by HTTP handlers, resolvers and workers.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::TokenKeys;
use crate::config::Config;
use crate::engines::EngineRegistry;
use crate::jobs::events::EventBus;
use crate::limits::RateLimiter;
use crate::metrics::Metrics;
use crate::storage::Storage;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub tokens: Arc<TokenKeys>,
    pub engines: Arc<EngineRegistry>,
    pub storage: Arc<Storage>,
    pub events: EventBus,
    pub metrics: Arc<Metrics>,
    pub limiter: Arc<RateLimiter>,
}
