//! Global ids and page cursors come straight from clients: decoding any string must give a
//! value or a BAD_USER_INPUT, never a panic, and what decodes must encode back to the same.
#![no_main]

use api::graphql::relay::{decode_global_id, encode_cursor, global_id, page_request};
use async_graphql::ID;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, i32)| {
    let (text, first) = input;
    if let Ok((node_type, key)) = decode_global_id(&ID(text.to_owned()), "id") {
        let again = global_id(node_type, key);
        assert_eq!(decode_global_id(&again, "id").ok(), Some((node_type, key)));
    }
    if let Ok(page) = page_request(Some(first), Some(text)) {
        assert!((1..=100).contains(&page.first));
        if let Some(after) = page.after {
            let cursor = encode_cursor(after.created_at, after.id);
            let again = page_request(Some(first), Some(&cursor)).ok().and_then(|p| p.after);
            assert_eq!(again, Some(after));
        }
    }
});
