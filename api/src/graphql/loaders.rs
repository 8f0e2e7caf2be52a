//! DataLoaders for relations: one query per relation per request, whatever the page size.
//! The loader is shared by all requests and has no cache (async-graphql's default), so it
//! only batches and never serves stale rows to a long-lived subscription.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{generation, image, prompt, user};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::AppError;
use crate::service;

pub struct DbLoader {
    db: DatabaseConnection,
}

pub fn db_loader(db: DatabaseConnection) -> DataLoader<DbLoader> {
    DataLoader::new(DbLoader { db }, tokio::spawn)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UserId(pub Uuid);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PromptId(pub Uuid);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GenerationId(pub Uuid);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ImageId(pub Uuid);
/// The images of a generation, in position order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ImagesOf(pub Uuid);

type LoadResult<K, V> = Result<HashMap<K, V>, async_graphql::Error>;

fn gql(error: AppError) -> async_graphql::Error {
    error.into()
}

impl Loader<UserId> for DbLoader {
    type Value = user::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[UserId]) -> LoadResult<UserId, user::Model> {
        let rows = user::Entity::find()
            .filter(user::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(&self.db)
            .await
            .map_err(|e| gql(e.into()))?;
        Ok(rows.into_iter().map(|u| (UserId(u.id), u)).collect())
    }
}

impl Loader<PromptId> for DbLoader {
    type Value = prompt::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[PromptId]) -> LoadResult<PromptId, prompt::Model> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let rows = service::prompts::by_ids(&self.db, &ids)
            .await
            .map_err(gql)?;
        Ok(rows.into_iter().map(|p| (PromptId(p.id), p)).collect())
    }
}

impl Loader<GenerationId> for DbLoader {
    type Value = generation::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[GenerationId]) -> LoadResult<GenerationId, generation::Model> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let rows = service::generations::by_ids(&self.db, &ids)
            .await
            .map_err(gql)?;
        Ok(rows.into_iter().map(|g| (GenerationId(g.id), g)).collect())
    }
}

impl Loader<ImageId> for DbLoader {
    type Value = image::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ImageId]) -> LoadResult<ImageId, image::Model> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let rows = service::images::by_ids(&self.db, &ids).await.map_err(gql)?;
        Ok(rows.into_iter().map(|i| (ImageId(i.id), i)).collect())
    }
}

impl Loader<ImagesOf> for DbLoader {
    type Value = Vec<image::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ImagesOf]) -> LoadResult<ImagesOf, Vec<image::Model>> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let mut grouped: HashMap<ImagesOf, Vec<image::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in service::images::of_generations(&self.db, &ids)
            .await
            .map_err(gql)?
        {
            grouped
                .entry(ImagesOf(row.generation_id))
                .or_default()
                .push(row);
        }
        for images in grouped.values_mut() {
            images.sort_by_key(|i| i.position);
        }
        Ok(grouped)
    }
}
