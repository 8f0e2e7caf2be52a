//! The viewer's prompt history.

use entity::prompt;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::pagination::{PageRequest, keyset_page};
use crate::error::AppResult;

/// LIKE pattern for a case-insensitive substring search, with wildcards in the text escaped.
fn contains_pattern(search: &str) -> String {
    let escaped = search
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

pub async fn list(
    db: &impl ConnectionTrait,
    owner: Uuid,
    search: Option<&str>,
    page: PageRequest,
) -> AppResult<Vec<prompt::Model>> {
    let mut select = prompt::Entity::find().filter(prompt::Column::OwnerId.eq(owner));
    if let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) {
        select = select.filter(
            Expr::expr(Func::lower(Expr::col(prompt::Column::Text)))
                .like(sea_orm::sea_query::LikeExpr::new(contains_pattern(search)).escape('\\')),
        );
    }
    Ok(
        keyset_page(select, prompt::Column::CreatedAt, prompt::Column::Id, page)
            .all(db)
            .await?,
    )
}

pub async fn find_owned(
    db: &impl ConnectionTrait,
    owner: Uuid,
    id: Uuid,
) -> AppResult<Option<prompt::Model>> {
    Ok(prompt::Entity::find_by_id(id)
        .filter(prompt::Column::OwnerId.eq(owner))
        .one(db)
        .await?)
}

pub async fn by_ids(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<Vec<prompt::Model>> {
    Ok(prompt::Entity::find()
        .filter(prompt::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn wildcards_in_a_search_match_literally() {
        assert_eq!(super::contains_pattern("50%_Off"), "%50\\%\\_off%");
    }
}
