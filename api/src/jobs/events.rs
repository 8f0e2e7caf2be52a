//! The event bus: every change of a generation is published here and reaches subscribers.
//! In one process it is a broadcast channel; on PostgreSQL, LISTEN/NOTIFY carries each change
//! to the other replicas, which reload the row and broadcast it locally.

use std::sync::Arc;
use std::time::Duration;

use entity::generation::{self, Status};
use sea_orm::{DatabaseBackend, DatabaseConnection, EntityTrait};
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, broadcast};
use uuid::Uuid;

/// Channel name used with NOTIFY.
const CHANNEL: &str = "rendermart_generations";

/// A snapshot of a generation after a change.
pub type GenerationEvent = Arc<generation::Model>;

#[derive(Clone)]
pub struct EventBus {
    inner: Arc<Inner>,
}

struct Inner {
    sender: broadcast::Sender<GenerationEvent>,
    /// Identifies this process, so it ignores its own notifications.
    replica_id: Uuid,
    db: DatabaseConnection,
    /// Wakes idle workers when a job is queued in this process.
    job_queued: Notify,
}

/// What crosses between replicas: just enough to reload the row.
#[derive(Serialize, Deserialize)]
struct Notification {
    replica: Uuid,
    id: Uuid,
    queued: bool,
}

impl EventBus {
    pub fn new(db: DatabaseConnection) -> EventBus {
        let (sender, _) = broadcast::channel(1024);
        EventBus {
            inner: Arc::new(Inner {
                sender,
                replica_id: Uuid::new_v4(),
                db,
                job_queued: Notify::new(),
            }),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<GenerationEvent> {
        self.inner.sender.subscribe()
    }

    /// Publishes a change here and, on PostgreSQL, to the other replicas.
    pub async fn publish(&self, generation: generation::Model) {
        let queued = generation.status == Status::Queued;
        let id = generation.id;
        // No receivers is normal: nobody is watching.
        let _ = self.inner.sender.send(Arc::new(generation));
        if queued {
            self.inner.job_queued.notify_waiters();
        }
        if self.inner.db.get_database_backend() == DatabaseBackend::Postgres {
            let payload = serde_json::json!(Notification {
                replica: self.inner.replica_id,
                id,
                queued
            })
            .to_string();
            let pool = self.inner.db.get_postgres_connection_pool();
            if let Err(error) = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(payload)
                .execute(pool)
                .await
            {
                tracing::warn!(%error, "could not notify other replicas of a generation change");
            }
        }
    }

    /// Completes when a job is queued (here or, on PostgreSQL, on another replica).
    pub async fn job_queued(&self) {
        self.inner.job_queued.notified().await;
    }

    /// On PostgreSQL, listens for other replicas' changes until the process ends. Reconnects
    /// after a lost connection.
    pub fn start_listening(&self) {
        if self.inner.db.get_database_backend() != DatabaseBackend::Postgres {
            return;
        }
        let bus = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(error) = bus.listen().await {
                    tracing::warn!(error = %error, "replica event listener failed; reconnecting");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    async fn listen(&self) -> anyhow::Result<()> {
        let pool = self.inner.db.get_postgres_connection_pool();
        let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        loop {
            let notification = listener.recv().await?;
            let Ok(note) = serde_json::from_str::<Notification>(notification.payload()) else {
                continue;
            };
            if note.replica == self.inner.replica_id {
                continue;
            }
            if note.queued {
                self.inner.job_queued.notify_waiters();
            }
            if let Some(row) = generation::Entity::find_by_id(note.id)
                .one(&self.inner.db)
                .await?
            {
                let _ = self.inner.sender.send(Arc::new(row));
            }
        }
    }
}
