//! Usage accounting and the monthly image quota.
//!
//! The quota counts what the provider may bill, by the images each job asked for:
//! - a job that succeeded counts every image it asked for (the provider bills a filtered
//!   image as well);
//! - a queued or running job counts as pending;
//! - a failed or cancelled job counts in full once the provider may have been called for it:
//!   it recorded engine calls (`engine_calls > 0`), or a worker had started it
//!   (`started_at` set). Calls are billed per image and a call can make several images
//!   (Titan up to five), so which of a failed job's images were billed is unknown; and a job
//!   cancelled mid-run, or whose worker died, never records the calls it made. The quota
//!   errs on the side of the bill. Only a job that never left the queue (cancelled while
//!   queued) gives its images back.
//!
//! Deleting images does not give the quota back. Months are calendar months in UTC, by the
//! job's creation time.
//!
//! `check_quota` must run in the transaction that inserts the job, after the owner's lock is
//! taken (see `generations::begin_for_owner`), so concurrent submits cannot all pass it.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, TimeZone, Utc};
use entity::generation::{self, Status};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::engines::EngineRegistry;
use crate::error::{AppError, AppResult};

/// One model's share of a month.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelUsage {
    pub model: String,
    /// Images of succeeded jobs.
    pub images: u32,
    /// Images of jobs still queued or running.
    pub pending_images: u32,
    /// Images of failed or cancelled jobs that count all the same (see the module doc).
    pub billed_failed_images: u32,
    /// Jobs asked for this month, whatever their outcome.
    pub generations: u32,
    /// Calls made to the provider (each may be billed).
    pub engine_calls: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Usage {
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    /// Per model, by model id.
    pub models: Vec<ModelUsage>,
}

/// The calendar month (UTC) around `now`: its first instant and the next month's.
pub fn month_of(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = Utc
        .with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
        .single()
        .unwrap_or(now);
    let (year, month) = if now.month() == 12 {
        (now.year() + 1, 1)
    } else {
        (now.year(), now.month() + 1)
    };
    let end = Utc
        .with_ymd_and_hms(year, month, 1, 0, 0, 0)
        .single()
        .unwrap_or(now);
    (start, end)
}

/// What usage reads of a job: model, params, status, engine calls and start time.
type UsageRow = (
    String,
    serde_json::Value,
    Status,
    i32,
    Option<DateTime<Utc>>,
);

/// The owner's usage in the month around `now`.
pub async fn monthly(
    db: &impl ConnectionTrait,
    owner: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Usage> {
    let (start, end) = month_of(now);
    let rows: Vec<UsageRow> = generation::Entity::find()
        .select_only()
        .column(generation::Column::Model)
        .column(generation::Column::Params)
        .column(generation::Column::Status)
        .column(generation::Column::EngineCalls)
        .column(generation::Column::StartedAt)
        .filter(generation::Column::OwnerId.eq(owner))
        .filter(generation::Column::CreatedAt.gte(start))
        .filter(generation::Column::CreatedAt.lt(end))
        .into_tuple()
        .all(db)
        .await?;
    let mut by_model: BTreeMap<String, ModelUsage> = BTreeMap::new();
    for (model, params, status, calls, started_at) in rows {
        let count = images_asked_for(&params);
        let entry = by_model.entry(model.clone()).or_insert_with(|| ModelUsage {
            model,
            ..ModelUsage::default()
        });
        entry.generations += 1;
        entry.engine_calls += calls.max(0) as u32;
        match status {
            Status::Succeeded => entry.images += count,
            Status::Queued | Status::Running => entry.pending_images += count,
            Status::Failed | Status::Cancelled => {
                if calls > 0 || started_at.is_some() {
                    entry.billed_failed_images += count;
                }
            }
        }
    }
    Ok(Usage {
        period_start: start,
        period_end: end,
        models: by_model.into_values().collect(),
    })
}

/// The images a job asks for, from its stored parameters.
pub fn images_asked_for(params: &serde_json::Value) -> u32 {
    params
        .get("count")
        .and_then(serde_json::Value::as_u64)
        .map_or(1, |n| u32::try_from(n).unwrap_or(u32::MAX))
}

impl Usage {
    /// Images made, pending and billed with models that are not free (not offline).
    pub fn quota_images(&self, engines: &EngineRegistry) -> u32 {
        self.models
            .iter()
            .filter(|m| {
                !engines
                    .engine(&m.model)
                    .is_some_and(|(info, _)| info.offline)
            })
            .map(|m| m.images + m.pending_images + m.billed_failed_images)
            .sum()
    }
}

/// The quota that applies to a user: their own, else the server's.
pub fn quota_for(user: &entity::user::Model, server_default: Option<u32>) -> Option<u32> {
    match user.monthly_image_quota {
        Some(own) => Some(own.max(0) as u32),
        None => server_default,
    }
}

/// Refuses `count` more images of a paid model when they would go over the user's quota.
/// Exact only inside the owner's locked transaction (see the module doc).
pub async fn check_quota(
    db: &impl ConnectionTrait,
    engines: &EngineRegistry,
    user: &entity::user::Model,
    server_default: Option<u32>,
    count: u32,
) -> AppResult<()> {
    let Some(quota) = quota_for(user, server_default) else {
        return Ok(());
    };
    let usage = monthly(db, user.id, Utc::now()).await?;
    let used = usage.quota_images(engines);
    if used + count > quota {
        let left = quota.saturating_sub(used);
        return Err(AppError::quota_exceeded(format!(
            "This would go over your monthly quota of {quota} AI images: {used} are made, queued or billed this month, so {left} remain. Ask for fewer images, use the offline model, or wait until {}",
            usage.period_end.format("%B %-d (UTC)")
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_calendar_months_in_utc() {
        let now = Utc.with_ymd_and_hms(2026, 12, 31, 23, 59, 59).unwrap();
        let (start, end) = month_of(now);
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap());
        assert_eq!(end, Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap());
        let (start, end) = month_of(Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap());
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap());
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap());
    }
}
