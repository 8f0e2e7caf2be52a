//! The event bus: every change of a generation is published here and reaches subscribers.
//! In one process each owner has a broadcast channel, so an event wakes only the
//! subscriptions of the job's owner; on PostgreSQL, LISTEN/NOTIFY carries each change to the
//! other replicas, which reload the row and broadcast it locally.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::generation::{self, Status};
use sea_orm::{
    ColumnTrait, Condition, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{Notify, broadcast};
use uuid::Uuid;

use crate::error::AppResult;

/// Channel name used with NOTIFY.
const CHANNEL: &str = "rendermart_generations";

/// Events of one owner buffered for a slow subscriber before it misses some (and reloads
/// from the database). A channel's slots are allocated up front, once per owner followed.
const CAPACITY: usize = 128;

/// How much earlier than "caught up" a subscriber that missed events looks for jobs that
/// ended: a row is written before its event is published, and another replica's event comes
/// later still and by another clock.
const MISSED_MARGIN: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// A snapshot of a generation after a change.
pub type GenerationEvent = Arc<generation::Model>;

#[derive(Clone)]
pub struct EventBus {
    inner: Arc<Inner>,
}

struct Inner {
    /// One channel per owner with subscribers; dropped once its last subscriber is gone.
    owners: Mutex<HashMap<Uuid, broadcast::Sender<GenerationEvent>>>,
    /// Identifies this process, so it ignores its own notifications.
    replica_id: Uuid,
    db: DatabaseConnection,
    /// Wakes idle workers when a job is queued in this process.
    job_queued: Notify,
    /// Wakes the webhook sender when deliveries were written in this process.
    deliveries_written: Notify,
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
        EventBus {
            inner: Arc::new(Inner {
                owners: Mutex::default(),
                replica_id: Uuid::new_v4(),
                db,
                job_queued: Notify::new(),
                deliveries_written: Notify::new(),
            }),
        }
    }

    /// Every change of `owner`'s generations from now on.
    pub fn subscribe(&self, owner: Uuid) -> broadcast::Receiver<GenerationEvent> {
        let mut owners = self
            .inner
            .owners
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(sender) = owners.get(&owner) {
            return sender.subscribe();
        }
        // Owners whose subscribers left without another event since are forgotten here.
        owners.retain(|_, sender| sender.receiver_count() > 0);
        let (sender, receiver) = broadcast::channel(CAPACITY);
        owners.insert(owner, sender);
        receiver
    }

    /// A subscriber to every change of `owner`'s generations that, when it falls behind, says
    /// since when to reload.
    pub fn follow(&self, owner: Uuid) -> Follower<GenerationEvent> {
        Follower::new(self.subscribe(owner))
    }

    /// Hands the event to its owner's subscribers, if any, and forgets an owner whose last
    /// subscriber has gone.
    fn broadcast(&self, event: GenerationEvent) {
        let owner = event.owner_id;
        let mut owners = self
            .inner
            .owners
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(sender) = owners.get(&owner)
            && sender.send(event).is_err()
        {
            owners.remove(&owner);
        }
    }

    /// One owner's jobs that a subscriber behind since `since` may have missed: those still
    /// queued or running, and those that ended since then.
    pub async fn missed(
        &self,
        owner: Uuid,
        since: DateTime<Utc>,
    ) -> AppResult<Vec<generation::Model>> {
        Ok(generation::Entity::find()
            .filter(generation::Column::OwnerId.eq(owner))
            .filter(
                Condition::any()
                    .add(generation::Column::Status.is_in([Status::Queued, Status::Running]))
                    .add(generation::Column::FinishedAt.gte(since)),
            )
            .order_by_asc(generation::Column::CreatedAt)
            .all(&self.inner.db)
            .await?)
    }

    /// Hands a change to this process's subscribers only: other replicas learn of the job's
    /// next change that is written and published.
    pub fn publish_local(&self, generation: generation::Model) {
        self.broadcast(Arc::new(generation));
    }

    /// Publishes a change here and, on PostgreSQL, to the other replicas.
    pub async fn publish(&self, generation: generation::Model) {
        let queued = generation.status == Status::Queued;
        let id = generation.id;
        // No receivers is normal: nobody is watching.
        self.broadcast(Arc::new(generation));
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

    /// Tells the webhook sender that deliveries are due (after their transaction committed).
    pub fn deliveries_written(&self) {
        self.inner.deliveries_written.notify_one();
    }

    /// Completes when deliveries were written in this process.
    pub async fn deliveries_due(&self) {
        self.inner.deliveries_written.notified().await;
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
                self.broadcast(Arc::new(row));
            }
        }
    }
}

/// What a `Follower` received.
#[derive(Debug)]
pub enum Followed<T> {
    Event(T),
    /// Events were lost; every change since `since` has to be read from the database.
    Missed {
        since: DateTime<Utc>,
    },
    /// The bus is gone (the process is stopping).
    Closed,
}

/// A broadcast receiver that remembers when it last had nothing left to read: everything
/// published before then reached it, so after a lag only later changes need reloading.
pub struct Follower<T> {
    receiver: broadcast::Receiver<T>,
    caught_up_at: DateTime<Utc>,
}

impl<T: Clone> Follower<T> {
    fn new(receiver: broadcast::Receiver<T>) -> Follower<T> {
        Follower {
            receiver,
            caught_up_at: Utc::now(),
        }
    }

    pub async fn recv(&mut self) -> Followed<T> {
        // Taken before the check: an empty channel then means nothing published before this
        // instant is still waiting.
        let now = Utc::now();
        if self.receiver.is_empty() {
            self.caught_up_at = now;
        }
        match self.receiver.recv().await {
            Ok(event) => Followed::Event(event),
            Err(RecvError::Lagged(_)) => {
                let since = self.caught_up_at - MISSED_MARGIN;
                // The caller reloads after this; what it reads covers everything until now.
                self.caught_up_at = Utc::now();
                Followed::Missed { since }
            }
            Err(RecvError::Closed) => Followed::Closed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_lagging_follower_is_told_since_when_it_missed_events() {
        let (sender, receiver) = broadcast::channel(2);
        let mut follower = Follower::new(receiver);
        let created = Utc::now();
        sender.send(1).unwrap();
        assert!(matches!(follower.recv().await, Followed::Event(1)));
        for n in 2..6 {
            sender.send(n).unwrap();
        }
        match follower.recv().await {
            // Nothing was read with the channel empty since the follower began.
            Followed::Missed { since } => {
                assert!(since <= created - MISSED_MARGIN + chrono::TimeDelta::seconds(1))
            }
            other => panic!("expected a lag, got {other:?}"),
        }
        // After the lag come the oldest events still buffered, then the bus closing.
        assert!(matches!(follower.recv().await, Followed::Event(4)));
        assert!(matches!(follower.recv().await, Followed::Event(5)));
        drop(sender);
        assert!(matches!(follower.recv().await, Followed::Closed));
    }

    #[tokio::test]
    async fn a_follower_that_read_everything_is_caught_up_from_then() {
        let (sender, receiver) = broadcast::channel(2);
        let mut follower = Follower::new(receiver);
        let created = Utc::now();
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let reader = tokio::spawn(async move {
            // Waits on an empty channel: caught up as of this call.
            let first = follower.recv().await;
            (first, follower)
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let waiting_since = Utc::now();
        sender.send(1).unwrap();
        let (first, mut follower) = reader.await.unwrap();
        assert!(matches!(first, Followed::Event(1)));
        for n in 2..6 {
            sender.send(n).unwrap();
        }
        match follower.recv().await {
            Followed::Missed { since } => {
                let caught_up = since + MISSED_MARGIN;
                assert!(caught_up > created + chrono::TimeDelta::seconds(1));
                assert!(caught_up <= waiting_since);
            }
            other => panic!("expected a lag, got {other:?}"),
        }
    }
}
