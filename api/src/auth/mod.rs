//! Who is calling: passwords, login tokens and API keys. `authenticate` is the one entry point,
//! used by HTTP requests and WebSocket `connection_init` alike; `check_again` is how a
//! long-lived WebSocket learns that the credential it opened with has ended.

mod password;
mod tokens;

pub use password::{hash_password, verify_password};
pub use tokens::{LoginToken, TokenKeys};

use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::service;
use crate::state::AppState;

/// The authenticated caller of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: Uuid,
    /// What the caller proved who they are with.
    pub credential: Credential,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// A login token from signUp, logIn or changePassword.
    LoginToken {
        version: i32,
        expires_at: i64,
    },
    ApiKey {
        key_id: Uuid,
    },
}

impl Viewer {
    pub fn is_api_key(&self) -> bool {
        matches!(self.credential, Credential::ApiKey { .. })
    }
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
    if token.starts_with(API_KEY_PREFIX) {
        let key = service::api_keys::authenticate(&state.db, token).await?;
        return Ok(Some(Viewer {
            user_id: key.user_id,
            credential: Credential::ApiKey { key_id: key.id },
        }));
    }
    let login = state.tokens.verify(token)?;
    match service::accounts::token_version(&state.db, login.user_id).await? {
        Some(current) if current == login.version => Ok(Some(Viewer {
            user_id: login.user_id,
            credential: Credential::LoginToken {
                version: login.version,
                expires_at: login.expires_at,
            },
        })),
        Some(_) => Err(password_changed()),
        None => Err(AppError::unauthenticated("Your account no longer exists")),
    }
}

fn password_changed() -> AppError {
    AppError::unauthenticated(
        "This login ended when the account's password was changed; log in again",
    )
}

/// Whether a credential that authenticated once still does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Valid,
    /// A login token past its expiry.
    Expired,
    /// A revoked API key, a login token ended by a password change, or a deleted account.
    Revoked,
}

/// Checks a viewer's credential again, with at most one read by primary key: for sessions
/// that outlive the request that authenticated them.
pub async fn check_again(state: &AppState, viewer: &Viewer) -> AppResult<Standing> {
    let standing = match viewer.credential {
        Credential::LoginToken { expires_at, .. }
            if chrono::Utc::now().timestamp() >= expires_at =>
        {
            Standing::Expired
        }
        Credential::LoginToken { version, .. } => {
            let current = service::accounts::token_version(&state.db, viewer.user_id).await?;
            if current == Some(version) {
                Standing::Valid
            } else {
                Standing::Revoked
            }
        }
        Credential::ApiKey { key_id } => {
            if service::api_keys::is_live(&state.db, key_id).await? {
                Standing::Valid
            } else {
                Standing::Revoked
            }
        }
    };
    Ok(standing)
}
