//! Removes stored image files that no image row refers to: leftovers of a worker that died
//! between writing a file and recording it, of a cleanup that failed, and the files of rows
//! deleted by a cascade (a deleted user or generation) rather than by `deleteImage`; and
//! uploads past their lifetime, and upload files whose row went with its owner.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use entity::{image, upload};
use futures::StreamExt;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::Storage;

/// How often each worker process sweeps. Orphans are rare and cost only space, so an hourly
/// pass (a listing of the bucket) is plenty.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(3600);

/// Files younger than this are never swept: a worker writes an image's files before it
/// records the row, and that gap (two S3 calls, each bounded by the S3 timeout, and one
/// insert) must never look like an orphan.
pub const SWEEP_GRACE: Duration = Duration::from_secs(3600);

/// Rows looked up per query.
const LOOKUP_BATCH: usize = 500;

/// What a key says about the file: the image it belongs to, or a half-written leftover.
#[derive(Debug, PartialEq, Eq)]
enum KeyKind {
    Image(Uuid),
    Upload(Uuid),
    Partial,
}

/// Reads the keys `image_keys` makes (`owner/image.png`, `owner/image.thumb.png`), those
/// `upload_key` makes (`owner/upload.upload`) and the `.partial` files local storage writes
/// before renaming. Anything else is not ours to touch.
fn key_kind(key: &str) -> Option<KeyKind> {
    let (owner, file) = key.split_once('/')?;
    Uuid::parse_str(owner).ok()?;
    type Kind = fn(Uuid) -> KeyKind;
    let kinds: [(&str, Kind); 5] = [
        (".thumb.png", KeyKind::Image),
        (".png", KeyKind::Image),
        (".upload", KeyKind::Upload),
        (".thumb.partial", |_| KeyKind::Partial),
        (".partial", |_| KeyKind::Partial),
    ];
    kinds.into_iter().find_map(|(suffix, kind)| {
        let id = Uuid::parse_str(file.strip_suffix(suffix)?).ok()?;
        Some(kind(id))
    })
}

/// One pass: deletes every image file older than `grace` whose row is gone; returns how
/// many it deleted. A file that cannot be deleted is logged and left for the next pass.
pub async fn sweep(
    db: &DatabaseConnection,
    storage: &Storage,
    grace: Duration,
) -> anyhow::Result<usize> {
    let cutoff = SystemTime::now()
        .checked_sub(grace)
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let mut deleted = 0;
    let mut pages = storage.objects();
    while let Some(page) = pages.next().await {
        let candidates: Vec<(String, KeyKind)> = page?
            .into_iter()
            .filter(|object| object.modified <= cutoff)
            .filter_map(|object| key_kind(&object.key).map(|kind| (object.key, kind)))
            .collect();
        for batch in candidates.chunks(LOOKUP_BATCH) {
            let images = batch.iter().filter_map(|(_, kind)| match kind {
                KeyKind::Image(id) => Some(*id),
                _ => None,
            });
            let uploads = batch.iter().filter_map(|(_, kind)| match kind {
                KeyKind::Upload(id) => Some(*id),
                _ => None,
            });
            let mut referenced: HashSet<String> = image::Entity::find()
                .select_only()
                .column(image::Column::StorageKey)
                .column(image::Column::ThumbnailKey)
                .filter(image::Column::Id.is_in(images))
                .into_tuple::<(String, String)>()
                .all(db)
                .await?
                .into_iter()
                .flat_map(|(full, thumbnail)| [full, thumbnail])
                .collect();
            referenced.extend(
                upload::Entity::find()
                    .select_only()
                    .column(upload::Column::StorageKey)
                    .filter(upload::Column::Id.is_in(uploads))
                    .into_tuple::<String>()
                    .all(db)
                    .await?,
            );
            for (key, _) in batch.iter().filter(|(key, _)| !referenced.contains(key)) {
                match storage.delete(key).await {
                    Ok(()) => deleted += 1,
                    Err(error) => tracing::warn!(%error, %key, "could not sweep a stored file"),
                }
            }
        }
    }
    Ok(deleted)
}

/// Sweeps now and then every `SWEEP_INTERVAL` until `shutdown`.
pub fn spawn_sweeper(
    db: DatabaseConnection,
    storage: Arc<Storage>,
    shutdown: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(SWEEP_INTERVAL);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let pass = async {
                every.tick().await;
                let uploads = crate::service::sources::sweep(&db, &storage)
                    .await
                    .map_err(|e| anyhow::anyhow!("sweeping uploads: {e:?}"))?;
                if uploads > 0 {
                    tracing::info!(uploads, "removed uploads past their lifetime");
                }
                sweep(&db, &storage, SWEEP_GRACE).await
            };
            tokio::select! {
                () = shutdown.cancelled() => return,
                result = pass => match result {
                    Ok(0) => {}
                    Ok(deleted) => tracing::info!(deleted, "removed stored files without an image row"),
                    Err(error) => tracing::warn!(error = format!("{error:#}"), "sweeping stored files failed"),
                },
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::image_keys;

    #[test]
    fn only_keys_of_images_and_half_written_files_are_swept() {
        let (owner, image) = (Uuid::new_v4(), Uuid::now_v7());
        let (full, thumbnail) = image_keys(owner, image);
        assert_eq!(key_kind(&full), Some(KeyKind::Image(image)));
        assert_eq!(key_kind(&thumbnail), Some(KeyKind::Image(image)));
        assert_eq!(
            key_kind(&crate::storage::upload_key(owner, image)),
            Some(KeyKind::Upload(image))
        );
        assert_eq!(
            key_kind(&format!("{owner}/{image}.thumb.partial")),
            Some(KeyKind::Partial)
        );
        assert_eq!(
            key_kind(&format!("{owner}/{image}.partial")),
            Some(KeyKind::Partial)
        );
        for foreign in [
            "rendermart.db".to_owned(),
            format!("{owner}/notes.txt"),
            format!("backups/{image}.png"),
            format!("{owner}/{image}.jpg"),
            format!("{owner}/sub/{image}.png"),
        ] {
            assert_eq!(key_kind(&foreign), None, "{foreign}");
        }
    }
}
