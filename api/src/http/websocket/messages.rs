//! The messages a WebSocket client sends, read from one text frame into a typed value before
//! the session acts on it. Kept apart from the session, with no I/O, so any frame can be fed
//! to it in tests and by the fuzzer.

use serde_json::{Map, Value};

/// The two GraphQL-over-WebSocket sub-protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `graphql-transport-ws`, the graphql-ws library.
    Transport,
    /// The legacy `graphql-ws` of subscriptions-transport-ws.
    Legacy,
}

/// One message from the client.
#[derive(Debug, PartialEq)]
pub enum ClientMessage {
    /// `connection_init`; its payload, where `Authorization` may be.
    Init(Map<String, Value>),
    Ping,
    Pong,
    /// `subscribe` (or the legacy `start`): run an operation under `id`.
    Start {
        id: String,
        operation: Operation,
    },
    /// `complete` (or the legacy `stop`): end the operation under `id`.
    Stop {
        id: String,
    },
    /// The legacy `connection_terminate`.
    Terminate,
}

/// A GraphQL operation as a client sends it in a `subscribe` payload.
#[derive(Debug, PartialEq)]
pub struct Operation {
    pub query: String,
    pub variables: Option<Map<String, Value>>,
    pub operation_name: Option<String>,
}

/// A frame that is not a message of the protocol.
#[derive(Debug, PartialEq)]
pub enum Malformed {
    /// Ends the connection with 4400, as graphql-ws's PROTOCOL.md says.
    Invalid,
    /// The legacy protocol answers with an `error` message and keeps the connection.
    Reply(String),
}

impl Protocol {
    pub fn parse(self, body: &str) -> Result<ClientMessage, Malformed> {
        let Ok(Value::Object(mut message)) = serde_json::from_str::<Value>(body) else {
            return Err(match self {
                Protocol::Transport => Malformed::Invalid,
                Protocol::Legacy => Malformed::Reply("Message must be a JSON object".into()),
            });
        };
        let Some(Value::String(kind)) = message.remove("type") else {
            return Err(Malformed::Invalid);
        };
        match (self, kind.as_str()) {
            (_, "connection_init") => match message.remove("payload") {
                None | Some(Value::Null) => Ok(ClientMessage::Init(Map::new())),
                Some(Value::Object(payload)) => Ok(ClientMessage::Init(payload)),
                Some(_) if self == Protocol::Transport => Err(Malformed::Invalid),
                // subscriptions-transport-ws servers ignore a payload that is not an object.
                Some(_) => Ok(ClientMessage::Init(Map::new())),
            },
            (Protocol::Transport, "ping") => Ok(ClientMessage::Ping),
            (Protocol::Transport, "pong") => Ok(ClientMessage::Pong),
            (Protocol::Transport, "subscribe") | (Protocol::Legacy, "start") => {
                let id = match message.remove("id") {
                    Some(Value::String(id)) if !id.is_empty() => id,
                    _ => return Err(Malformed::Invalid),
                };
                let Some(Value::Object(payload)) = message.remove("payload") else {
                    return Err(Malformed::Invalid);
                };
                Ok(ClientMessage::Start {
                    id,
                    operation: Operation::read(payload)?,
                })
            }
            (Protocol::Transport, "complete") | (Protocol::Legacy, "stop") => {
                match message.remove("id") {
                    Some(Value::String(id)) => Ok(ClientMessage::Stop { id }),
                    _ => Err(Malformed::Invalid),
                }
            }
            (Protocol::Legacy, "connection_terminate") => Ok(ClientMessage::Terminate),
            (Protocol::Transport, _) => Err(Malformed::Invalid),
            (Protocol::Legacy, _) => {
                Err(Malformed::Reply(format!("Unknown message type `{kind}`")))
            }
        }
    }
}

impl Operation {
    /// Variables other than an object, and an operation name other than a string, are left
    /// out, as graphql-ws clients send `null` for both.
    fn read(mut payload: Map<String, Value>) -> Result<Operation, Malformed> {
        let Some(Value::String(query)) = payload.remove("query") else {
            return Err(Malformed::Invalid);
        };
        let variables = match payload.remove("variables") {
            Some(Value::Object(variables)) => Some(variables),
            _ => None,
        };
        let operation_name = match payload.remove("operationName") {
            Some(Value::String(name)) => Some(name),
            _ => None,
        };
        Ok(Operation {
            query,
            variables,
            operation_name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_subscribe_carries_its_operation() {
        let body = json!({
            "type": "subscribe", "id": "1",
            "payload": { "query": "subscription { x }", "variables": { "a": 1 }, "operationName": null }
        });
        let message = Protocol::Transport.parse(&body.to_string()).unwrap();
        let ClientMessage::Start { id, operation } = message else {
            panic!("not a start: {message:?}");
        };
        assert_eq!(id, "1");
        assert_eq!(operation.query, "subscription { x }");
        assert_eq!(operation.variables, json!({ "a": 1 }).as_object().cloned());
        assert_eq!(operation.operation_name, None);
    }

    #[test]
    fn each_protocol_refuses_in_its_own_way() {
        assert_eq!(Protocol::Transport.parse("[]"), Err(Malformed::Invalid));
        assert!(matches!(
            Protocol::Legacy.parse("[]"),
            Err(Malformed::Reply(_))
        ));
        assert_eq!(
            Protocol::Transport.parse(r#"{"type":"start","id":"1","payload":{"query":""}}"#),
            Err(Malformed::Invalid),
            "`start` is the legacy protocol's word"
        );
        assert_eq!(
            Protocol::Legacy.parse(r#"{"type":"connection_init","payload":7}"#),
            Ok(ClientMessage::Init(Map::new()))
        );
        assert_eq!(
            Protocol::Transport.parse(r#"{"type":"connection_init","payload":7}"#),
            Err(Malformed::Invalid)
        );
        assert_eq!(
            Protocol::Transport.parse(r#"{"type":"subscribe","id":"","payload":{"query":""}}"#),
            Err(Malformed::Invalid),
            "an operation needs an id"
        );
    }
}
