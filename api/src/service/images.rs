//! Images: recording what workers made, the gallery and the public feed, and the owner's
//! changes (favourite, visibility, delete).

use std::collections::HashSet;
use std::time::Duration;

use entity::image;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, Set, TransactionTrait,
};
use uuid::Uuid;

use super::pagination::{PageRequest, keyset_page};
use crate::error::{AppError, AppResult};
use crate::jobs::queue;

pub const PUBLIC: &str = "PUBLIC";
pub const PRIVATE: &str = "PRIVATE";

/// Positions of a generation's images already recorded.
pub async fn positions_of(
    db: &impl ConnectionTrait,
    generation_id: Uuid,
) -> AppResult<HashSet<u32>> {
    Ok(image::Entity::find()
        .filter(image::Column::GenerationId.eq(generation_id))
        .all(db)
        .await?
        .into_iter()
        .map(|i| i.position as u32)
        .collect())
}

/// Records an image if `worker` still holds its job. The lease renewal and the insert share
/// a transaction, and (generation, position) is unique, so an image is recorded exactly once
/// even when a second worker took over a job whose first worker was only slow.
pub async fn record(
    db: &DatabaseConnection,
    worker: &str,
    lease: Duration,
    row: image::Model,
) -> AppResult<bool> {
    let txn = db.begin().await?;
    if !queue::renew(&txn, row.generation_id, worker, lease).await? {
        return Ok(false);
    }
    match row.into_active_model().insert(&txn).await {
        Ok(_) => {}
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            return Ok(false);
        }
        Err(e) => return Err(e.into()),
    }
    txn.commit().await?;
    Ok(true)
}

/// The viewer's images, newest first.
pub async fn gallery(
    db: &impl ConnectionTrait,
    owner: Uuid,
    favorites_only: bool,
    page: PageRequest,
) -> AppResult<Vec<image::Model>> {
    // Masks painted for edits are reached through their edit, never listed.
    let mut select = image::Entity::find()
        .filter(image::Column::OwnerId.eq(owner))
        .filter(image::Column::Origin.ne(image::Origin::Mask));
    if favorites_only {
        select = select.filter(image::Column::Favorite.eq(true));
    }
    Ok(
        keyset_page(select, image::Column::CreatedAt, image::Column::Id, page)
            .all(db)
            .await?,
    )
}

/// Everyone's published images, newest first.
pub async fn public_feed(
    db: &impl ConnectionTrait,
    page: PageRequest,
) -> AppResult<Vec<image::Model>> {
    let select = image::Entity::find()
        .filter(image::Column::Visibility.eq(PUBLIC))
        .filter(image::Column::Origin.ne(image::Origin::Mask));
    Ok(
        keyset_page(select, image::Column::CreatedAt, image::Column::Id, page)
            .all(db)
            .await?,
    )
}

/// An image the viewer may see: their own, or a published one.
pub async fn visible(
    db: &impl ConnectionTrait,
    viewer: Option<Uuid>,
    id: Uuid,
) -> AppResult<Option<image::Model>> {
    let found = image::Entity::find_by_id(id).one(db).await?;
    Ok(found.filter(|i| i.visibility == PUBLIC || Some(i.owner_id) == viewer))
}

/// Images by id, whoever owns them: callers decide what the viewer may see.
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<Vec<image::Model>> {
    Ok(image::Entity::find()
        .filter(image::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// One of the viewer's own images; anyone else's is NOT_FOUND, so ids reveal nothing.
pub async fn owned(db: &impl ConnectionTrait, owner: Uuid, id: Uuid) -> AppResult<image::Model> {
    image::Entity::find_by_id(id)
        .filter(image::Column::OwnerId.eq(owner))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("image"))
}

pub async fn set_favorite(
    db: &impl ConnectionTrait,
    owner: Uuid,
    id: Uuid,
    favorite: bool,
) -> AppResult<image::Model> {
    let mut active = owned(db, owner, id).await?.into_active_model();
    active.favorite = Set(favorite);
    Ok(active.update(db).await?)
}

pub async fn set_visibility(
    db: &impl ConnectionTrait,
    owner: Uuid,
    id: Uuid,
    public: bool,
) -> AppResult<image::Model> {
    let mut active = owned(db, owner, id).await?.into_active_model();
    active.visibility = Set(if public { PUBLIC } else { PRIVATE }.to_owned());
    Ok(active.update(db).await?)
}

/// Deletes the row and returns it, so the caller can remove the stored files.
pub async fn delete(db: &impl ConnectionTrait, owner: Uuid, id: Uuid) -> AppResult<image::Model> {
    let image = owned(db, owner, id).await?;
    image::Entity::delete_by_id(image.id).exec(db).await?;
    Ok(image)
}

/// Images of these generations, for the `Generation.images` loader.
pub async fn of_generations(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<Vec<image::Model>> {
    Ok(image::Entity::find()
        .filter(image::Column::GenerationId.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}
