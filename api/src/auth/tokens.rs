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

    pub fn issue(&self, user_id: Uuid) -> AppResult<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id,
            iat: now,
            exp: now + self.ttl.as_secs() as i64,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(AppError::internal)
    }

    pub fn verify(&self, token: &str) -> AppResult<Uuid> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        match jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation) {
            Ok(data) => Ok(data.claims.sub),
            Err(e) if matches!(e.kind(), jsonwebtoken::errors::ErrorKind::ExpiredSignature) => Err(
                AppError::unauthenticated("Your session has expired; log in again"),
            ),
            Err(_) => Err(AppError::unauthenticated(
                "The bearer token is not valid; log in again or use a current API key",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_from_another_secret_is_refused() {
        let ours = TokenKeys::new(&SecretString::from("a".repeat(32)), Duration::from_secs(60));
        let theirs = TokenKeys::new(&SecretString::from("b".repeat(32)), Duration::from_secs(60));
        let id = Uuid::now_v7();
        assert_eq!(ours.verify(&ours.issue(id).unwrap()).unwrap(), id);
        assert!(ours.verify(&theirs.issue(id).unwrap()).is_err());
    }

    #[test]
    fn an_expired_token_says_so() {
        let keys = TokenKeys::new(&SecretString::from("a".repeat(32)), Duration::from_secs(0));
        let token = keys.issue(Uuid::now_v7()).unwrap();
        std::thread::sleep(Duration::from_millis(1100));
        let err = keys.verify(&token).unwrap_err();
        assert!(err.message().contains("expired"));
    }
}
