//! The `generations` table as a job queue: claim, renew, finish.
//!
//! A worker claims a job by writing its name and a lease expiry into the row in one
//! statement; on PostgreSQL the candidate row is locked with `FOR UPDATE SKIP LOCKED` so
//! concurrent workers never claim the same job and never wait on each other, on SQLite the
//! single UPDATE is atomic because SQLite serialises writers. A worker renews its lease while
//! working; a job whose lease ran out (its worker died) is claimable again. Every write after
//! the claim is conditional on still holding the lease, so a worker that lost its job (lease
//! expired and taken over, or the job was cancelled) changes nothing.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::generation::{self, ErrorCode, Status};
use entity::user;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, Statement, UpdateMany,
    Value,
};
use uuid::Uuid;

use crate::error::AppResult;

/// Writes `$n` placeholders as the backend wants them. Placeholders must appear in order.
pub fn statement(backend: DatabaseBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DatabaseBackend::Postgres {
        sql.to_owned()
    } else {
        let mut out = String::with_capacity(sql.len());
        let mut chars = sql.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
                out.push('?');
            } else {
                out.push(c);
            }
        }
        out
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// The lock clause that lets concurrent claimers pass over each other's rows: PostgreSQL's
/// `FOR UPDATE SKIP LOCKED`; SQLite serialises writers and needs none.
pub fn skip_locked(backend: DatabaseBackend) -> &'static str {
    if backend == DatabaseBackend::Postgres {
        "FOR UPDATE SKIP LOCKED"
    } else {
        ""
    }
}

fn lease_until(now: DateTime<Utc>, lease: Duration) -> DateTime<Utc> {
    now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(30))
}

/// Claims the next job: queued ones, and running ones whose lease ran out and that have
/// attempts left. Fair across users, round-robin: the job of the owner served least recently
/// (owners never served first) goes next, then the oldest job, so one user's long queue
/// cannot starve another's single job. Marks the owner as served now.
pub async fn claim(
    db: &impl ConnectionTrait,
    worker: &str,
    lease: Duration,
    max_attempts: i32,
) -> AppResult<Option<generation::Model>> {
    let backend = db.get_database_backend();
    let now = Utc::now();
    // Only the job's row is locked: a user's row stays free for the other claimers.
    let lock = if backend == DatabaseBackend::Postgres {
        "FOR UPDATE OF g SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE generations SET status = 'RUNNING', lease_owner = $1, lease_expires_at = $2, \
             attempts = attempts + 1, started_at = COALESCE(started_at, $3), stage = 'starting' \
         WHERE id = ( \
             SELECT g.id FROM generations g JOIN users u ON u.id = g.owner_id \
             WHERE (g.status = 'QUEUED' OR (g.status = 'RUNNING' AND g.lease_expires_at < $4)) \
               AND g.attempts < $5 \
             ORDER BY u.last_served_at ASC NULLS FIRST, g.created_at, g.id \
             LIMIT 1 {lock}) \
         RETURNING *"
    );
    let values = vec![
        worker.into(),
        lease_until(now, lease).into(),
        now.into(),
        now.into(),
        max_attempts.into(),
    ];
    let Some(job) = generation::Entity::find()
        .from_raw_sql(statement(backend, &sql, values))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    user::Entity::update_many()
        .col_expr(user::Column::LastServedAt, Expr::value(now))
        .filter(user::Column::Id.eq(job.owner_id))
        .exec(db)
        .await?;
    Ok(Some(job))
}

/// Fails the jobs whose workers died on every attempt, and returns them.
pub async fn fail_exhausted(
    db: &impl ConnectionTrait,
    max_attempts: i32,
) -> AppResult<Vec<generation::Model>> {
    let backend = db.get_database_backend();
    let now = Utc::now();
    let sql = "UPDATE generations SET status = 'FAILED', error_code = 'INTERNAL', \
                   error_message = 'The job was interrupted on every attempt; retry it', \
                   finished_at = $1, lease_owner = NULL, lease_expires_at = NULL \
               WHERE status = 'RUNNING' AND lease_expires_at < $2 AND attempts >= $3 \
               RETURNING *";
    Ok(generation::Entity::find()
        .from_raw_sql(statement(
            backend,
            sql,
            vec![now.into(), now.into(), max_attempts.into()],
        ))
        .all(db)
        .await?)
}

/// The condition "this worker still holds this running job".
fn held_by(id: Uuid, worker: &str) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(generation::Column::Id.eq(id))
        .add(generation::Column::LeaseOwner.eq(worker))
        .add(generation::Column::Status.eq(Status::Running))
}

/// Adds "nobody holds this job" to an update: for every way a job leaves a worker.
pub fn without_lease(update: UpdateMany<generation::Entity>) -> UpdateMany<generation::Entity> {
    update
        .col_expr(
            generation::Column::LeaseOwner,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            generation::Column::LeaseExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
}

/// Extends the lease; false when the worker no longer holds the job.
pub async fn renew(
    db: &impl ConnectionTrait,
    id: Uuid,
    worker: &str,
    lease: Duration,
) -> AppResult<bool> {
    let result = generation::Entity::update_many()
        .col_expr(
            generation::Column::LeaseExpiresAt,
            Expr::value(lease_until(Utc::now(), lease)),
        )
        .filter(held_by(id, worker))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Records progress, which the caller keeps from going backwards (while it holds the lease it
/// is the job's only writer). False when the worker lost the job.
pub async fn report_progress(
    db: &impl ConnectionTrait,
    id: Uuid,
    worker: &str,
    progress: f64,
    stage: &str,
    preview: Option<String>,
) -> AppResult<bool> {
    let mut update = generation::Entity::update_many()
        .col_expr(generation::Column::Progress, Expr::value(progress))
        .col_expr(generation::Column::Stage, Expr::value(stage));
    if let Some(preview) = preview {
        update = update.col_expr(generation::Column::Preview, Expr::value(preview));
    }
    Ok(update
        .filter(held_by(id, worker))
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

/// How a worker ends a job it holds.
pub enum Outcome {
    /// `filtered` images were blocked by the content filter while the others came through.
    Succeeded { engine_calls: i32, filtered: u32 },
    Failed {
        code: ErrorCode,
        message: String,
        engine_calls: i32,
    },
}

/// Ends the job if the worker still holds it; false otherwise (it was cancelled or taken).
pub async fn finish(
    db: &impl ConnectionTrait,
    id: Uuid,
    worker: &str,
    outcome: Outcome,
) -> AppResult<bool> {
    let update = without_lease(generation::Entity::update_many())
        .col_expr(generation::Column::FinishedAt, Expr::value(Utc::now()));
    let (update, engine_calls) = match outcome {
        Outcome::Succeeded { engine_calls, filtered } => (
            update
            .col_expr(generation::Column::Status, Expr::value(Status::Succeeded))
            .col_expr(
                generation::Column::ErrorCode,
                Expr::value((filtered > 0).then_some(ErrorCode::ContentFiltered)),
            )
            .col_expr(
                generation::Column::ErrorMessage,
                Expr::value((filtered > 0).then(|| {
                    format!("{filtered} image(s) were blocked by the model's content filter; the others are kept")
                })),
            )
            .col_expr(generation::Column::Progress, Expr::value(1.0))
            .col_expr(generation::Column::Stage, Expr::value("done")),
            engine_calls,
        ),
        Outcome::Failed { code, message, engine_calls } => (
            update
                .col_expr(generation::Column::Status, Expr::value(Status::Failed))
                .col_expr(generation::Column::Stage, Expr::value("failed"))
                .col_expr(generation::Column::ErrorCode, Expr::value(code))
                .col_expr(generation::Column::ErrorMessage, Expr::value(message)),
            engine_calls,
        ),
    };
    Ok(update
        .col_expr(
            generation::Column::EngineCalls,
            Expr::col(generation::Column::EngineCalls).add(engine_calls),
        )
        .filter(held_by(id, worker))
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

/// Gives a job back to the queue (graceful shutdown): another worker picks it up at once,
/// without waiting for the lease to run out, and this attempt does not count.
pub async fn release(db: &impl ConnectionTrait, id: Uuid, worker: &str) -> AppResult<bool> {
    let result = without_lease(generation::Entity::update_many())
        .col_expr(generation::Column::Status, Expr::value(Status::Queued))
        .col_expr(generation::Column::Stage, Expr::value("queued"))
        .col_expr(
            generation::Column::Attempts,
            Expr::col(generation::Column::Attempts).sub(1),
        )
        .filter(held_by(id, worker))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_placeholders_are_rewritten_in_order() {
        let s = statement(
            DatabaseBackend::Sqlite,
            "a = $1 AND b = $2 AND c = $10",
            vec![],
        );
        assert_eq!(s.sql, "a = ? AND b = ? AND c = ?");
        let p = statement(DatabaseBackend::Postgres, "a = $1", vec![]);
        assert_eq!(p.sql, "a = $1");
    }
}
