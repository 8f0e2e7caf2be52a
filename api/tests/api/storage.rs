//! Stored files: S3 calls that give up, the lease kept while uploading, files removed when a
//! later step fails, and the sweeper of files without a row.

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime};

use api::storage::S3Storage;
use api::storage::s3::S3Endpoints;
use api::storage::sweeper::sweep;
use entity::generation;
use sea_orm::{ConnectionTrait, DatabaseBackend, EntityTrait};

use crate::aws_fakes::{self, FakeS3};
use crate::helpers::{TestApp, generation_key, spawn_app_with};

const ONE_IMAGE: &str = r#"{"prompt": "a red sun over the sea", "width": 64, "height": 64}"#;

/// A server that keeps its images in the fake S3 under `images/`.
pub async fn s3_app(s3: &FakeS3, customise: impl FnOnce(&mut api::config::Settings)) -> TestApp {
    let url = s3.url.clone();
    spawn_app_with(move |s| {
        s.aws_static = Some(aws_fakes::credentials());
        s.storage = Some(format!("s3://{}/images", aws_fakes::BUCKET));
        s.s3_endpoint_url = Some(url);
        // The credentials are for the fake S3 only: the jobs run on the offline engine.
        s.bedrock_models = Some("none".into());
        customise(s);
    })
    .await
}

/// Runs one single-image job to its end; returns its final state and its database row.
async fn one_job(app: &TestApp, email: &str) -> (serde_json::Value, generation::Model) {
    let token = app.sign_up(email).await;
    let id = app
        .generate(&token, serde_json::from_str(ONE_IMAGE).unwrap())
        .await;
    let done = app.finished(&token, &id).await;
    let row = generation::Entity::find_by_id(generation_key(&id))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    (done, row)
}

/// Every file under `dir`, as paths relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(
                files_under(&path)
                    .into_iter()
                    .map(|f| format!("{}/{f}", path.file_name().unwrap().to_str().unwrap())),
            );
        } else {
            found.push(path.file_name().unwrap().to_str().unwrap().to_owned());
        }
    }
    found.sort();
    found
}

fn write_file(path: &Path, modified: SystemTime) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, b"left over").unwrap();
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(modified)
        .unwrap();
}

fn hours_ago(hours: u64) -> SystemTime {
    SystemTime::now() - Duration::from_secs(hours * 3600)
}

#[tokio::test]
async fn s3_calls_to_a_stalled_endpoint_fail_within_the_timeout() {
    let stalled = aws_fakes::stalled_endpoint().await;
    let sdk = aws_fakes::sdk_config().await;
    let store = S3Storage::new(
        &sdk,
        aws_fakes::BUCKET.into(),
        String::new(),
        &S3Endpoints {
            endpoint_url: Some(stalled),
            public_endpoint_url: None,
        },
        Duration::from_secs(1),
    );
    let started = Instant::now();
    let put = tokio::time::timeout(
        Duration::from_secs(10),
        store.put("u/a.png", vec![1, 2, 3], "image/png"),
    )
    .await
    .expect("a put to a stalled S3 hung");
    assert!(put.is_err());
    let deleted = tokio::time::timeout(Duration::from_secs(10), store.delete("u/a.png"))
        .await
        .expect("a delete from a stalled S3 hung");
    assert!(deleted.is_err());
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_job_whose_bucket_stalls_fails_as_a_storage_failure() {
    let stalled = aws_fakes::stalled_endpoint().await;
    let app = spawn_app_with(move |s| {
        s.aws_static = Some(aws_fakes::credentials());
        s.storage = Some(format!("s3://{}/images", aws_fakes::BUCKET));
        s.s3_endpoint_url = Some(stalled);
        s.bedrock_models = Some("none".into());
        s.limits.s3_timeout_seconds = Some(1);
    })
    .await;
    let (done, _) = one_job(&app, "stalled@example.com").await;
    assert_eq!(done["status"], "FAILED", "{done}");
    assert_eq!(done["error"]["code"], "STORAGE_FAILED", "{done}");
}

#[tokio::test]
async fn a_slow_upload_keeps_the_lease_so_no_other_worker_runs_the_job() {
    let s3 = FakeS3::start().await;
    // Each of the two writes takes longer than the whole lease.
    s3.faults.put_delay_ms.store(1500, Ordering::SeqCst);
    let app = s3_app(&s3, |s| s.lease_seconds = Some(1)).await;
    let (done, row) = one_job(&app, "slow-upload@example.com").await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert_eq!(row.attempts, 1, "a second worker claimed the job");
    assert_eq!(s3.keys().len(), 2, "{:?}", s3.keys());
}

#[tokio::test]
async fn a_failed_thumbnail_upload_removes_the_image_already_stored() {
    let s3 = FakeS3::start().await;
    s3.faults.fail_puts_from.store(2, Ordering::SeqCst);
    let app = s3_app(&s3, |_| {}).await;
    let (done, _) = one_job(&app, "thumbless@example.com").await;
    assert_eq!(done["status"], "FAILED", "{done}");
    assert_eq!(done["error"]["code"], "STORAGE_FAILED", "{done}");
    assert_eq!(s3.keys(), Vec::<String>::new());
}

#[tokio::test]
async fn a_failed_row_insert_removes_both_files() {
    let app = spawn_app_with(|_| {}).await;
    let db = &app.state.db;
    // A real failure of the insert: the database refuses new image rows.
    let refuse = match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            db.execute_unprepared(
                "CREATE FUNCTION refuse_images() RETURNS trigger AS $$ \
                 BEGIN RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql",
            )
            .await
            .unwrap();
            "CREATE TRIGGER refuse_images BEFORE INSERT ON images \
             FOR EACH ROW EXECUTE FUNCTION refuse_images()"
        }
        _ => {
            "CREATE TRIGGER refuse_images BEFORE INSERT ON images \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        }
    };
    db.execute_unprepared(refuse).await.unwrap();

    let (done, _) = one_job(&app, "rowless@example.com").await;
    assert_eq!(done["status"], "FAILED", "{done}");
    assert_eq!(
        files_under(&app.data_dir.path().join("images")),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn the_sweeper_removes_local_files_without_a_row_once_they_are_old_enough() {
    let images = tempfile::tempdir().unwrap();
    let owner = uuid::Uuid::new_v4();
    let old_orphan = images
        .path()
        .join(format!("{owner}/{}.png", uuid::Uuid::now_v7()));
    let old_partial = images
        .path()
        .join(format!("{owner}/{}.thumb.partial", uuid::Uuid::now_v7()));
    let young_orphan = images
        .path()
        .join(format!("{owner}/{}.png", uuid::Uuid::now_v7()));
    let foreign = images.path().join(format!("{owner}/notes.txt"));
    write_file(&old_orphan, hours_ago(2));
    write_file(&old_partial, hours_ago(2));
    write_file(&young_orphan, SystemTime::now());
    write_file(&foreign, hours_ago(2));

    // The workers' sweeper makes its first pass at start-up.
    let storage = format!("file://{}", images.path().display());
    let app = spawn_app_with(move |s| s.storage = Some(storage)).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while old_orphan.exists() || old_partial.exists() {
        assert!(
            Instant::now() < deadline,
            "the sweeper did not run at start-up"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        young_orphan.exists(),
        "a file in its grace period was swept"
    );
    assert!(foreign.exists(), "a file that is not an image was swept");

    // Files whose rows went with their user (a cascade, not deleteImage) are swept, while
    // another user's recorded images stay.
    let (gone, _) = one_job(&app, "leaving@example.com").await;
    let (kept, _) = one_job(&app, "staying@example.com").await;
    assert_eq!(gone["status"], "SUCCEEDED");
    assert_eq!(kept["status"], "SUCCEEDED");
    let before = files_under(images.path());
    app.state
        .db
        .execute_unprepared("DELETE FROM users WHERE email = 'leaving@example.com'")
        .await
        .unwrap();
    let deleted = sweep(&app.state.db, &app.state.storage, Duration::ZERO)
        .await
        .unwrap();
    // The young orphan, and the leaving user's image and thumbnail.
    assert_eq!(deleted, 3);
    let after = files_under(images.path());
    assert_eq!(after.len(), before.len() - 3, "{before:?} {after:?}");
    assert!(after.iter().any(|f| f.ends_with("notes.txt")));
    assert_eq!(
        after.iter().filter(|f| f.ends_with(".png")).count(),
        2,
        "{after:?}"
    );
}

#[tokio::test]
async fn the_sweeper_pages_through_the_bucket_and_keeps_what_is_not_an_orphan() {
    let s3 = FakeS3::start().await;
    let app = s3_app(&s3, |_| {}).await;
    let (done, _) = one_job(&app, "bucket@example.com").await;
    assert_eq!(done["status"], "SUCCEEDED");
    let recorded = s3.keys();
    assert_eq!(recorded.len(), 2);

    // A full first page of objects that are not images (they sort before the images).
    for n in 0..1000 {
        s3.put_file(&format!("images/0-notes/{n:04}.txt"), hours_ago(2));
    }
    let (owner, orphan) = (uuid::Uuid::new_v4(), uuid::Uuid::now_v7());
    let orphan_key = format!("images/{owner}/{orphan}.thumb.png");
    s3.put_file(&orphan_key, hours_ago(2));
    // Outside the configured prefix: another application's objects.
    let outside = format!("elsewhere/{owner}/{orphan}.png");
    s3.put_file(&outside, hours_ago(2));

    let deleted = sweep(&app.state.db, &app.state.storage, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(deleted, 1);
    let keys = s3.keys();
    assert!(!keys.contains(&orphan_key));
    assert!(keys.contains(&outside));
    assert!(recorded.iter().all(|k| keys.contains(k)), "{keys:?}");
    assert_eq!(keys.len(), 1000 + 2 + 1);
}
