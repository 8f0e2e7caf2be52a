//! What a field costs, for async-graphql's complexity: a list costs the number of items it
//! can return times what is selected in each item, so cost grows with the objects a query
//! can build, not with the number of fields in its text.
//!
//! With these rules (counted by hand): the frontend's `GenerationFields` cost 98 per job
//! (its images 76 of them), so its largest operation, `Generations` with `first: 20`, costs
//! 2,081 and the same with `first: 100` 10,401; GraphiQL's introspection query costs about
//! 250, as no introspection list is paged. The default `max_query_complexity` is 25,000: all
//! of those pass with room to spare, while the bomb (`generations(first: 100)` with 15
//! aliases of `images { generation { images } }`) costs millions.

use super::relay::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// Most images one generation can have: the largest `max_images` of any model this build
/// supports (checked by a test against every model).
pub const MAX_IMAGES_PER_GENERATION: usize = 5;

/// Items a list without paging is counted as (a user's API keys).
pub const UNPAGED_LIST_ITEMS: usize = DEFAULT_PAGE_SIZE as usize;

/// Where cost stops growing. The sum async-graphql makes of these cannot overflow: a document
/// has fewer fields than bytes, and max_query_bytes × this stays far below `usize::MAX`.
const CEILING: usize = u32::MAX as usize;

/// A list of `items` items, each costing `each`.
pub fn list(items: usize, each: usize) -> usize {
    items.saturating_mul(each).saturating_add(1).min(CEILING)
}

/// A connection asked for `first` items (default page when absent). Sizes outside 1..=100
/// are refused by the resolver; here they count as the nearest allowed size.
pub fn page(first: Option<i32>, each: usize) -> usize {
    let items = first
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE)
        .unsigned_abs() as usize;
    list(items, each)
}

/// A field that runs its own database query for each object it appears on.
pub fn per_object_query(each: usize) -> usize {
    each.saturating_add(5).min(CEILING)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::BEDROCK_MODELS;
    use crate::engines::{bedrock, offline};

    #[test]
    fn no_model_makes_more_images_than_the_cost_assumes() {
        let mut max_images = vec![offline::model_info().capabilities.max_images];
        for id in BEDROCK_MODELS {
            let entry = bedrock::catalog(id).unwrap();
            max_images.push(entry.info.capabilities.max_images);
        }
        assert_eq!(
            max_images.into_iter().max().unwrap() as usize,
            MAX_IMAGES_PER_GENERATION
        );
    }

    #[test]
    fn pages_cost_their_size_and_never_overflow() {
        assert_eq!(page(Some(10), 3), 31);
        assert_eq!(page(None, 3), 61);
        assert_eq!(page(Some(i32::MAX), 1), 101);
        assert_eq!(page(Some(i32::MIN), 1), 2);
        assert_eq!(page(Some(100), usize::MAX), CEILING);
        assert_eq!(list(usize::MAX, usize::MAX), CEILING);
    }
}
