//! Keyset pagination over `(created_at, id)`, newest first: stable under inserts and as fast
//! on page 1000 as on page 1, unlike OFFSET.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{ExprTrait, IntoCondition};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

/// A position in a newest-first list: the row after which a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keyset {
    pub created_at: DateTime<Utc>,
    pub id: Uuid,
}

/// A page request: at most `first` rows after `after`.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub first: u64,
    pub after: Option<Keyset>,
}

/// Orders newest first, starts after the cursor and fetches one extra row, which tells
/// whether there is a next page.
pub fn keyset_page<E: EntityTrait>(
    select: Select<E>,
    created_at: E::Column,
    id: E::Column,
    page: PageRequest,
) -> Select<E> {
    keyset(select, created_at, id, page, Order::Desc)
}

/// `keyset_page` in the other direction: oldest first, after the cursor.
pub fn keyset_page_oldest_first<E: EntityTrait>(
    select: Select<E>,
    created_at: E::Column,
    id: E::Column,
    page: PageRequest,
) -> Select<E> {
    keyset(select, created_at, id, page, Order::Asc)
}

fn keyset<E: EntityTrait>(
    select: Select<E>,
    created_at: E::Column,
    id: E::Column,
    page: PageRequest,
    order: Order,
) -> Select<E> {
    let select = match page.after {
        Some(after) => {
            // The rows past the cursor in the order of the page.
            let (past_time, past_id) = match order {
                Order::Asc => (created_at.gt(after.created_at), id.gt(after.id)),
                _ => (created_at.lt(after.created_at), id.lt(after.id)),
            };
            select.filter(
                Condition::any().add(past_time).add(
                    created_at
                        .eq(after.created_at)
                        .and(past_id)
                        .into_condition(),
                ),
            )
        }
        None => select,
    };
    select
        .order_by(created_at, order.clone())
        .order_by(id, order)
        .limit(page.first + 1)
}
