//! The benchmark's dataset (`rendermart bench-data`): users, prompts, one succeeded generation
//! of two images per prompt, every other image public. Deterministic: the same sizes give the
//! same ids, texts and timestamps, so runs on different days compare.

use chrono::{DateTime, TimeDelta, Utc};
use entity::generation::{Status, Task};
use entity::image::Origin;
use entity::{generation, image, prompt, user};
use sea_orm::{DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait};
use uuid::Uuid;

use crate::auth::hash_password;

/// How much to load.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub users: u32,
    pub prompts: u32,
}

/// Rows per INSERT.
const CHUNK: usize = 500;
const WORDS: [&str; 12] = [
    "red", "blue", "green", "circle", "square", "mountain", "river", "fox", "moon", "city",
    "forest", "storm",
];

fn id(kind: u128, n: u32) -> Uuid {
    Uuid::from_u128((kind << 64) | u128::from(n))
}

fn at(n: u32) -> DateTime<Utc> {
    DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default() + TimeDelta::seconds(n.into())
}

/// Inserts `rows`, `CHUNK` to a statement.
async fn insert_in_chunks<E>(db: &DatabaseConnection, rows: &[E::Model]) -> anyhow::Result<()>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel> + Clone,
{
    for chunk in rows.chunks(CHUNK) {
        E::insert_many(
            chunk
                .iter()
                .cloned()
                .map(IntoActiveModel::into_active_model),
        )
        .exec(db)
        .await?;
    }
    Ok(())
}

/// Loads the dataset into an empty database; refuses one that has users already.
pub async fn load(db: &DatabaseConnection, sizes: Sizes) -> anyhow::Result<()> {
    if user::Entity::find().count(db).await? > 0 {
        anyhow::bail!("the database has users already; load the benchmark data into an empty one");
    }
    let password_hash = hash_password("benchmark password".into())
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message()))?;
    let users: Vec<user::Model> = (0..sizes.users)
        .map(|n| user::Model {
            id: id(1, n),
            email: format!("user{n}@bench.example"),
            display_name: format!("Bench User {n}"),
            password_hash: password_hash.clone(),
            preferences: serde_json::json!({}),
            monthly_image_quota: None,
            created_at: at(n),
            token_version: 0,
            last_served_at: None,
        })
        .collect();
    insert_in_chunks::<user::Entity>(db, &users).await?;
    let owner = |n: u32| id(1, n % sizes.users.max(1));
    let prompts: Vec<prompt::Model> = (0..sizes.prompts)
        .map(|n| prompt::Model {
            id: id(2, n),
            owner_id: owner(n),
            text: format!(
                "a {} {} by the {}, number {n}",
                WORDS[n as usize % 12],
                WORDS[(n as usize / 12) % 12],
                WORDS[(n as usize / 144) % 12]
            ),
            negative_text: None,
            created_at: at(n),
        })
        .collect();
    insert_in_chunks::<prompt::Entity>(db, &prompts).await?;
    let jobs: Vec<generation::Model> = prompts
        .iter()
        .enumerate()
        .map(|(n, p)| generation::Model {
            id: id(3, n as u32),
            owner_id: p.owner_id,
            prompt_id: p.id,
            model: "offline".into(),
            params: serde_json::json!({ "width": 512, "height": 512, "count": 2, "seed": n }),
            status: Status::Succeeded,
            progress: 1.0,
            stage: Some("done".into()),
            preview: None,
            attempts: 1,
            lease_owner: None,
            lease_expires_at: None,
            error_code: None,
            error_message: None,
            idempotency_key: None,
            engine_calls: 1,
            batch_id: None,
            task: Task::TextToImage,
            source_image_id: None,
            mask_image_id: None,
            created_at: p.created_at,
            started_at: Some(p.created_at),
            finished_at: Some(p.created_at),
        })
        .collect();
    insert_in_chunks::<generation::Entity>(db, &jobs).await?;
    let images: Vec<image::Model> = jobs
        .iter()
        .flat_map(|job| (0..2).map(move |position| (job, position)))
        .enumerate()
        .map(|(n, (job, position))| image::Model {
            id: id(4, n as u32),
            generation_id: job.id,
            prompt_id: job.prompt_id,
            owner_id: job.owner_id,
            position,
            storage_key: format!("{}/{}.png", job.owner_id, id(4, n as u32)),
            thumbnail_key: format!("{}/{}-thumb.png", job.owner_id, id(4, n as u32)),
            content_type: "image/png".into(),
            byte_size: 100_000,
            width: 512,
            height: 512,
            seed: n as i64,
            visibility: if n % 2 == 0 { "PUBLIC" } else { "PRIVATE" }.into(),
            favorite: false,
            created_at: job.created_at + TimeDelta::milliseconds(position.into()),
            source_image_id: None,
            origin: Origin::Generated,
        })
        .collect();
    insert_in_chunks::<image::Entity>(db, &images).await?;
    println!(
        "rendermart: loaded {} users, {} prompts, {} generations, {} images ({} public)",
        users.len(),
        prompts.len(),
        jobs.len(),
        images.len(),
        images.len().div_ceil(2)
    );
    Ok(())
}
