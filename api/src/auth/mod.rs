//! Who is calling: passwords, login tokens and API keys. `authenticate` is the one entry point,
//! used by HTTP requests and WebSocket `connection_init` alike.

mod password;
mod tokens;

pub use password::{hash_password, verify_password};
pub use tokens::TokenKeys;

use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::service;
use crate::state::AppState;

/// The authenticated caller of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: Uuid,
}

/// API key secrets start with this, so a bearer value tells which kind it is.
pub const API_KEY_PREFIX: &str = "rmk_";

/// Resolves an `Authorization` header value (or the same value from a WebSocket
/// `connection_init` payload) to a viewer. No header is an anonymous caller; a header that
/// does not verify is an error, so a client with a stale token learns it instead of silently
/// seeing an anonymous view.
pub async fn authenticate(
    state: &AppState,
    authorization: Option<&str>,
) -> AppResult<Option<Viewer>> {
    let Some(value) = authorization.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let Some(token) = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
    else {
        return Err(AppError::unauthenticated(
            "The Authorization header must be `Bearer <token>`",
        ));
    };
    let user_id = if token.starts_with(API_KEY_PREFIX) {
        service::api_keys::authenticate(&state.db, token).await?
    } else {
        state.tokens.verify(token)?
    };
    Ok(Some(Viewer { user_id }))
}
