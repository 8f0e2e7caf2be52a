use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Signs and verifies login tokens (HS256 JWTs).
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl: Duration,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    iat: i64,
    exp: i64,
    /// The user's token version when the token was issued; tokens from before this claim
    /// existed read as 0, the version every account starts with.
    #[serde(default)]
    ver: i32,
}

/// What a verified login token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginToken {
    pub user_id: Uuid,
    /// Valid only while the user's token version is still this one.
    pub version: i32,
    /// Unix seconds.
    pub expires_at: i64,
}

impl TokenKeys {
    pub fn new(secret: &SecretString, ttl: Duration) -> TokenKeys {
        let bytes = secret.expose_secret().as_bytes();
        TokenKeys {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            ttl,
        }
    }

    /// A token for the user at their current token version.
    pub fn issue(&self, user_id: Uuid, version: i32) -> AppResult<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id,
            iat: now,
            exp: now + self.ttl.as_secs() as i64,
            ver: version,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(AppError::internal)
    }

    /// Checks the signature and the expiry; the version is the caller's to check.
    pub fn verify(&self, token: &str) -> AppResult<LoginToken> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        match jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation) {
            Ok(data) => Ok(LoginToken {
                user_id: data.claims.sub,
                version: data.claims.ver,
                expires_at: data.claims.exp,
            }),
            Err(e) if matches!(e.kind(), jsonwebtoken::errors::ErrorKind::ExpiredSignature) => {
                Err(session_expired())
            }
            Err(_) => Err(AppError::unauthenticated(
                "The bearer token is not valid; log in again or use a current API key",
            )),
        }
    }
}

fn session_expired() -> AppError {
    AppError::unauthenticated("Your session has expired; log in again")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_from_another_secret_is_refused() {
        let ours = TokenKeys::new(&SecretString::from("a".repeat(32)), Duration::from_secs(60));
        let theirs = TokenKeys::new(&SecretString::from("b".repeat(32)), Duration::from_secs(60));
        let id = Uuid::now_v7();
        let verified = ours.verify(&ours.issue(id, 3).unwrap()).unwrap();
        assert_eq!((verified.user_id, verified.version), (id, 3));
        assert!(ours.verify(&theirs.issue(id, 3).unwrap()).is_err());
    }

    #[test]
    fn an_expired_token_says_so() {
        let keys = TokenKeys::new(&SecretString::from("a".repeat(32)), Duration::from_secs(0));
        let token = keys.issue(Uuid::now_v7(), 0).unwrap();
        std::thread::sleep(Duration::from_millis(1100));
        let err = keys.verify(&token).unwrap_err();
        assert!(err.message().contains("expired"));
    }

    #[test]
    fn a_token_without_a_version_is_at_version_zero() {
        let secret = "a".repeat(32);
        let keys = TokenKeys::new(&SecretString::from(secret.clone()), Duration::from_secs(60));
        let id = Uuid::now_v7();
        let now = chrono::Utc::now().timestamp();
        let old = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &serde_json::json!({ "sub": id, "iat": now, "exp": now + 60 }),
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap();
        assert_eq!(keys.verify(&old).unwrap().version, 0);
    }
}
