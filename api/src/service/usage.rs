//! Usage accounting and the monthly image quota.
//!
//! An image counts when its job is asked for: a job that succeeded counts every image it was
//! asked to make (the provider bills a filtered image as well), a queued or running job
//! counts as pending, a failed or cancelled one not at all. Deleting images does not give
//! the quota back. Months are calendar months in UTC.

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

/// The owner's usage in the month around `now`.
pub async fn monthly(
    db: &impl ConnectionTrait,
    owner: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Usage> {
    let (start, end) = month_of(now);
    let rows: Vec<(String, serde_json::Value, Status, i32)> = generation::Entity::find()
        .select_only()
        .column(generation::Column::Model)
        .column(generation::Column::Params)
        .column(generation::Column::Status)
        .column(generation::Column::EngineCalls)
        .filter(generation::Column::OwnerId.eq(owner))
        .filter(generation::Column::CreatedAt.gte(start))
        .filter(generation::Column::CreatedAt.lt(end))
        .into_tuple()
        .all(db)
        .await?;
    let mut by_model: BTreeMap<String, ModelUsage> = BTreeMap::new();
    for (model, params, status, calls) in rows {
        let count = params
            .get("count")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(1) as u32;
        let entry = by_model.entry(model.clone()).or_insert_with(|| ModelUsage {
            model,
            ..ModelUsage::default()
        });
        entry.generations += 1;
        entry.engine_calls += calls.max(0) as u32;
        if status == Status::Succeeded {
            entry.images += count;
        } else if status.is_active() {
            entry.pending_images += count;
        }
    }
    Ok(Usage {
        period_start: start,
        period_end: end,
        models: by_model.into_values().collect(),
    })
}

impl Usage {
    /// Images made and pending with models that are not free (not offline).
    pub fn quota_images(&self, engines: &EngineRegistry) -> u32 {
        self.models
            .iter()
            .filter(|m| !engines.get(&m.model).is_some_and(|(info, _)| info.offline))
            .map(|m| m.images + m.pending_images)
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
            "This would go over your monthly quota of {quota} AI images: {used} are made or queued this month, so {left} remain. Ask for fewer images, use the offline model, or wait until {}",
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
