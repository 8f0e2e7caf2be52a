//! Relay plumbing: opaque global IDs, cursors and connections.

use async_graphql::ID;
use async_graphql::connection::{Connection, Edge};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::service::pagination::{Keyset, PageRequest};

/// Largest page any list returns.
pub const MAX_PAGE_SIZE: i32 = 100;
pub const DEFAULT_PAGE_SIZE: i32 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeType {
    User,
    ApiKey,
    Prompt,
    Generation,
    Image,
    Batch,
    Webhook,
    WebhookDelivery,
    Upload,
}

impl NodeType {
    fn name(self) -> &'static str {
        match self {
            NodeType::User => "User",
            NodeType::ApiKey => "ApiKey",
            NodeType::Prompt => "Prompt",
            NodeType::Generation => "Generation",
            NodeType::Image => "Image",
            NodeType::Batch => "Batch",
            NodeType::Webhook => "Webhook",
            NodeType::WebhookDelivery => "WebhookDelivery",
            NodeType::Upload => "Upload",
        }
    }

    fn parse(name: &str) -> Option<NodeType> {
        [
            NodeType::User,
            NodeType::ApiKey,
            NodeType::Prompt,
            NodeType::Generation,
            NodeType::Image,
            NodeType::Batch,
            NodeType::Webhook,
            NodeType::WebhookDelivery,
            NodeType::Upload,
        ]
        .into_iter()
        .find(|t| t.name() == name)
    }
}

pub fn global_id(node_type: NodeType, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", node_type.name())))
}

/// Decodes any global ID into its type and key.
pub fn decode_global_id(id: &ID, field: &'static str) -> AppResult<(NodeType, Uuid)> {
    let invalid = || {
        AppError::bad_input(
            field,
            format!(
                "`{}` is not a RenderMart id; use an `id` the API returned",
                id.as_str()
            ),
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(id.as_str()).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (name, key) = text.split_once(':').ok_or_else(invalid)?;
    let node_type = NodeType::parse(name).ok_or_else(invalid)?;
    let key = Uuid::parse_str(key).map_err(|_| invalid())?;
    Ok((node_type, key))
}

/// Decodes a global ID that must be of `expected` type. An id of another type names nothing
/// of the expected kind, so it is NOT_FOUND rather than malformed.
pub fn expect_global_id(id: &ID, expected: NodeType, field: &'static str) -> AppResult<Uuid> {
    match decode_global_id(id, field)? {
        (node_type, key) if node_type == expected => Ok(key),
        _ => Err(AppError::not_found(expected.name())),
    }
}

pub fn encode_cursor(created_at: DateTime<Utc>, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{id}", created_at.timestamp_micros()))
}

fn decode_cursor(cursor: &str) -> AppResult<Keyset> {
    let invalid = || {
        AppError::bad_input(
            "after",
            "This cursor is not valid; pass an `endCursor` from a previous page",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (micros, id) = text.split_once('|').ok_or_else(invalid)?;
    let created_at = micros
        .parse::<i64>()
        .ok()
        .and_then(DateTime::from_timestamp_micros)
        .ok_or_else(invalid)?;
    let id = Uuid::parse_str(id).map_err(|_| invalid())?;
    Ok(Keyset { created_at, id })
}

/// Validates `first` and `after`.
pub fn page_request(first: Option<i32>, after: Option<&str>) -> AppResult<PageRequest> {
    let first = first.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&first) {
        return Err(AppError::bad_input(
            "first",
            format!("Ask for 1 to {MAX_PAGE_SIZE} items per page"),
        ));
    }
    Ok(PageRequest {
        first: first as u64,
        after: after.map(decode_cursor).transpose()?,
    })
}

/// Builds a connection from rows fetched with `keyset_page` (which fetched one extra row).
pub fn connection<R, N: async_graphql::OutputType>(
    mut rows: Vec<R>,
    page: PageRequest,
    key: impl Fn(&R) -> (DateTime<Utc>, Uuid),
    node: impl Fn(R) -> N,
) -> Connection<String, N> {
    let has_next = rows.len() as u64 > page.first;
    rows.truncate(page.first as usize);
    let mut connection = Connection::new(page.after.is_some(), has_next);
    connection.edges.extend(rows.into_iter().map(|row| {
        let (created_at, id) = key(&row);
        Edge::new(encode_cursor(created_at, id), node(row))
    }));
    connection
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_round_trip_and_keep_their_type() {
        let key = Uuid::now_v7();
        let id = global_id(NodeType::Image, key);
        assert_eq!(decode_global_id(&id, "id").unwrap(), (NodeType::Image, key));
        assert!(expect_global_id(&id, NodeType::Image, "id").is_ok());
        let err = expect_global_id(&id, NodeType::User, "id").unwrap_err();
        assert_eq!(err.code(), crate::error::ErrorCode::NotFound);
        assert!(decode_global_id(&ID("nonsense!".into()), "id").is_err());
    }

    #[test]
    fn cursors_round_trip_to_the_microsecond() {
        let at = DateTime::from_timestamp_micros(1_790_000_000_123_456).unwrap();
        let id = Uuid::now_v7();
        let page = page_request(Some(5), Some(&encode_cursor(at, id))).unwrap();
        assert_eq!(page.after, Some(Keyset { created_at: at, id }));
    }

    #[test]
    fn page_sizes_are_bounded() {
        assert!(page_request(Some(0), None).is_err());
        assert!(page_request(Some(MAX_PAGE_SIZE + 1), None).is_err());
        assert!(page_request(None, Some("garbage")).is_err());
    }

    proptest::proptest! {
        /// The parsers take any text a client sends: they answer or refuse, never panic.
        #[test]
        fn any_text_is_a_valid_or_refused_cursor_or_id(text in ".*", first in proptest::num::i32::ANY) {
            let _ = page_request(Some(first), Some(&text));
            let _ = decode_global_id(&ID(text.clone()), "id");
            let encoded = URL_SAFE_NO_PAD.encode(&text);
            let _ = page_request(None, Some(&encoded));
            let _ = expect_global_id(&ID(encoded), NodeType::Image, "id");
        }

        /// Text shaped like a cursor or an id, with any parts, gets the same treatment.
        #[test]
        fn near_miss_cursors_and_ids_are_refused_not_panicked_on(
            micros in proptest::num::i64::ANY,
            separator in "[|:]",
            name in "(User|Image|Generation|Nope|)",
            key in ".{0,40}",
        ) {
            let cursor = URL_SAFE_NO_PAD.encode(format!("{micros}{separator}{key}"));
            let _ = page_request(Some(1), Some(&cursor));
            let id = URL_SAFE_NO_PAD.encode(format!("{name}{separator}{key}"));
            let _ = decode_global_id(&ID(id), "id");
        }

        #[test]
        fn every_representable_cursor_round_trips(micros in proptest::num::i64::ANY, key in proptest::num::u128::ANY) {
            if let Some(at) = DateTime::from_timestamp_micros(micros) {
                let id = Uuid::from_u128(key);
                let page = page_request(Some(1), Some(&encode_cursor(at, id))).unwrap();
                proptest::prop_assert_eq!(page.after, Some(Keyset { created_at: at, id }));
            }
        }
    }
}
