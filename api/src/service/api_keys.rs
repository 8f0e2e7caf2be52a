use base64::Engine as _;
use chrono::Utc;
use entity::api_key;
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::API_KEY_PREFIX;
use crate::error::{AppError, AppResult};

/// Characters of the secret kept in clear so a person can tell keys apart.
const SHOWN_PREFIX_CHARS: usize = API_KEY_PREFIX.len() + 8;

fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Creates a key and returns it with its secret, which exists in clear only in this return
/// value: the database keeps its SHA-256.
pub async fn create(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    name: &str,
) -> AppResult<(api_key::Model, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(AppError::bad_input(
            "name",
            "Name the key in 1 to 64 characters",
        ));
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!(
        "{API_KEY_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let key = api_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        name: Set(name.to_owned()),
        prefix: Set(secret[..SHOWN_PREFIX_CHARS].to_owned()),
        secret_hash: Set(hash_secret(&secret)),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok((key, secret))
}

pub async fn list(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<Vec<api_key::Model>> {
    Ok(api_key::Entity::find()
        .filter(api_key::Column::UserId.eq(user_id))
        .filter(api_key::Column::RevokedAt.is_null())
        .order_by_desc(api_key::Column::CreatedAt)
        .all(db)
        .await?)
}

/// Revokes one of the user's keys; a key of someone else is reported as not found.
pub async fn revoke(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    key_id: Uuid,
) -> AppResult<api_key::Model> {
    let key = api_key::Entity::find_by_id(key_id)
        .filter(api_key::Column::UserId.eq(user_id))
        .filter(api_key::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("API key"))?;
    let mut active: api_key::ActiveModel = key.into();
    active.revoked_at = Set(Some(Utc::now()));
    Ok(active.update(db).await?)
}

/// Finds a live key by its secret and records its use.
pub async fn authenticate(db: &impl ConnectionTrait, secret: &str) -> AppResult<api_key::Model> {
    let key = api_key::Entity::find()
        .filter(api_key::Column::SecretHash.eq(hash_secret(secret)))
        .filter(api_key::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .ok_or_else(|| AppError::unauthenticated("This API key is unknown or has been revoked"))?;
    api_key::Entity::update_many()
        .col_expr(api_key::Column::LastUsedAt, Expr::value(Utc::now()))
        .filter(api_key::Column::Id.eq(key.id))
        .exec(db)
        .await?;
    Ok(key)
}

/// Whether a key still works: it exists and is not revoked.
pub async fn is_live(db: &impl ConnectionTrait, key_id: Uuid) -> AppResult<bool> {
    let live = api_key::Entity::find_by_id(key_id)
        .filter(api_key::Column::RevokedAt.is_null())
        .count(db)
        .await?;
    Ok(live > 0)
}
