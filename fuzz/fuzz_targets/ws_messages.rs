//! Every text frame a WebSocket client sends goes through `Protocol::parse` before the session
//! acts on it: any text must become a message or a refusal, never a panic, and an operation
//! that is accepted always has an id to answer under.
#![no_main]

use api::http::websocket::messages::{ClientMessage, Protocol};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &str| {
    for protocol in [Protocol::Transport, Protocol::Legacy] {
        if let Ok(ClientMessage::Start { id, .. }) = protocol.parse(body) {
            assert!(!id.is_empty(), "{protocol:?} accepted an operation without an id");
        }
    }
});
