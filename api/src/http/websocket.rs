//! GraphQL over WebSocket on `/api/graphql`, in both sub-protocols:
//! - `graphql-transport-ws` (the graphql-ws library), following its PROTOCOL.md to the letter:
//!   4400 invalid message, 4401 subscribe before ack, 4403 forbidden init, 4408 init timeout,
//!   4409 duplicate id, 4429 second init; `error` (not `next` + `complete`) for operations that
//!   cannot execute; ping/pong.
//! - the legacy `graphql-ws` (subscriptions-transport-ws): init/ack, `ka` keep-alives,
//!   start/data/error/complete/stop.
//!
//! Authentication comes from the `connection_init` payload's `Authorization` and goes through
//! the same `authenticate` as HTTP.

use std::collections::HashMap;
use std::time::Duration;

use async_graphql::{Request, Variables};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::HttpContext;
use crate::auth::{Viewer, authenticate};
use crate::graphql::is_request_error;

pub const TRANSPORT_WS: &str = "graphql-transport-ws";
pub const LEGACY_WS: &str = "graphql-ws";

/// How long a client has to send `connection_init` (graphql-ws's server default).
const INIT_TIMEOUT: Duration = Duration::from_secs(3);
/// Legacy clients expect `ka` messages to know the server is alive.
const KEEP_ALIVE: Duration = Duration::from_secs(12);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    Transport,
    Legacy,
}

/// Accepts the upgrade. A client that asked only for sub-protocols we do not speak is closed
/// with 4406, as graphql-ws servers do; one that asked for none gets `graphql-transport-ws`.
pub fn upgrade(ctx: HttpContext, upgrade: WebSocketUpgrade, requested: Option<String>) -> Response {
    upgrade
        .protocols([TRANSPORT_WS, LEGACY_WS])
        .on_upgrade(move |socket| async move {
            let protocol = match socket.protocol().and_then(|p| p.to_str().ok()) {
                Some(LEGACY_WS) => Some(Protocol::Legacy),
                Some(_) => Some(Protocol::Transport),
                None if requested.is_none() => Some(Protocol::Transport),
                None => None,
            };
            match protocol {
                Some(protocol) => Session::new(ctx, protocol).run(socket).await,
                None => {
                    let mut socket = socket;
                    let _ = socket.send(close(4406, "Subprotocol not acceptable")).await;
                }
            }
        })
}

fn close(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

fn text(value: Value) -> Message {
    Message::Text(value.to_string().into())
}

/// What a session task reports back: an operation finished, so its id is free again.
struct Finished(String);

struct Session {
    ctx: HttpContext,
    protocol: Protocol,
    init_received: bool,
    acknowledged: bool,
    viewer: Option<Viewer>,
    operations: HashMap<String, AbortHandle>,
    outgoing: mpsc::UnboundedSender<Message>,
    outgoing_rx: Option<mpsc::UnboundedReceiver<Message>>,
    finished_tx: mpsc::UnboundedSender<Finished>,
    finished_rx: Option<mpsc::UnboundedReceiver<Finished>>,
}

/// A message that ends the connection with this close code and reason.
struct Fatal(u16, String);

impl Session {
    fn new(ctx: HttpContext, protocol: Protocol) -> Session {
        let (outgoing, outgoing_rx) = mpsc::unbounded_channel();
        let (finished_tx, finished_rx) = mpsc::unbounded_channel();
        Session {
            ctx,
            protocol,
            init_received: false,
            acknowledged: false,
            viewer: None,
            operations: HashMap::new(),
            outgoing,
            outgoing_rx: Some(outgoing_rx),
            finished_tx,
            finished_rx: Some(finished_rx),
        }
    }

    fn send(&self, value: Value) {
        let _ = self.outgoing.send(text(value));
    }

    async fn run(mut self, socket: WebSocket) {
        let (mut sink, mut incoming) = socket.split();
        let (Some(mut outgoing_rx), Some(mut finished_rx)) =
            (self.outgoing_rx.take(), self.finished_rx.take())
        else {
            return;
        };
        // One writer, so messages from concurrent operations never interleave mid-frame.
        let writer = tokio::spawn(async move {
            while let Some(message) = outgoing_rx.recv().await {
                let closing = matches!(message, Message::Close(_));
                if sink.send(message).await.is_err() || closing {
                    break;
                }
            }
            // Flushes a close frame still queued, such as the reply to the client's close.
            let _ = sink.close().await;
        });

        let init_deadline = tokio::time::sleep(INIT_TIMEOUT);
        tokio::pin!(init_deadline);
        let mut keep_alive = tokio::time::interval(KEEP_ALIVE);
        keep_alive.tick().await;

        loop {
            tokio::select! {
                message = incoming.next() => {
                    let result = match message {
                        Some(Ok(Message::Text(body))) => self.handle(body.as_str()).await,
                        Some(Ok(Message::Binary(_))) => Err(Fatal(4400, "Binary messages are not supported".into())),
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(()),
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    };
                    if let Err(Fatal(code, reason)) = result {
                        let _ = self.outgoing.send(close(code, &reason));
                        break;
                    }
                }
                Some(Finished(id)) = finished_rx.recv() => {
                    self.operations.remove(&id);
                }
                () = &mut init_deadline, if !self.init_received && self.protocol == Protocol::Transport => {
                    let _ = self.outgoing.send(close(4408, "Connection initialisation timeout"));
                    break;
                }
                _ = keep_alive.tick(), if self.acknowledged && self.protocol == Protocol::Legacy => {
                    self.send(json!({ "type": "ka" }));
                }
            }
        }
        for (_, operation) in self.operations.drain() {
            operation.abort();
        }
        drop(self.outgoing);
        let _ = writer.await;
    }

    async fn handle(&mut self, body: &str) -> Result<(), Fatal> {
        let invalid = || Fatal(4400, "Invalid message received".into());
        let Ok(Value::Object(mut message)) = serde_json::from_str::<Value>(body) else {
            return match self.protocol {
                Protocol::Transport => Err(invalid()),
                Protocol::Legacy => {
                    self.send(json!({ "type": "error", "payload": { "message": "Message must be a JSON object" } }));
                    Ok(())
                }
            };
        };
        let Some(Value::String(kind)) = message.remove("type") else {
            return Err(invalid());
        };
        match (self.protocol, kind.as_str()) {
            (_, "connection_init") => self.init(message.remove("payload")).await,
            (Protocol::Transport, "ping") => {
                self.send(json!({ "type": "pong" }));
                Ok(())
            }
            (Protocol::Transport, "pong") => Ok(()),
            (Protocol::Transport, "subscribe") | (Protocol::Legacy, "start") => self.start(message),
            (Protocol::Transport, "complete") | (Protocol::Legacy, "stop") => {
                if let Some(Value::String(id)) = message.get("id") {
                    if let Some(operation) = self.operations.remove(id) {
                        operation.abort();
                    }
                    Ok(())
                } else {
                    Err(invalid())
                }
            }
            (Protocol::Legacy, "connection_terminate") => Err(Fatal(1000, "Normal closure".into())),
            (Protocol::Transport, _) => Err(invalid()),
            (Protocol::Legacy, _) => {
                self.send(json!({ "type": "error", "payload": { "message": format!("Unknown message type `{kind}`") } }));
                Ok(())
            }
        }
    }

    async fn init(&mut self, payload: Option<Value>) -> Result<(), Fatal> {
        if self.init_received {
            return Err(Fatal(4429, "Too many initialisation requests".into()));
        }
        self.init_received = true;
        let payload = match payload {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(map)) => map,
            Some(_) if self.protocol == Protocol::Transport => {
                return Err(Fatal(4400, "Invalid message received".into()));
            }
            Some(_) => Map::new(),
        };
        let authorization = payload
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case("authorization"))
            .and_then(|(_, value)| value.as_str());
        match authenticate(&self.ctx.state, authorization).await {
            Ok(viewer) => {
                self.viewer = viewer;
                self.acknowledged = true;
                self.send(json!({ "type": "connection_ack" }));
                if self.protocol == Protocol::Legacy {
                    self.send(json!({ "type": "ka" }));
                }
                Ok(())
            }
            Err(error) => match self.protocol {
                Protocol::Transport => Err(Fatal(4403, "Forbidden".into())),
                Protocol::Legacy => {
                    self.send(json!({ "type": "connection_error", "payload": { "message": error.message() } }));
                    Err(Fatal(1011, "Forbidden".into()))
                }
            },
        }
    }

    fn start(&mut self, mut message: Map<String, Value>) -> Result<(), Fatal> {
        let invalid = || Fatal(4400, "Invalid message received".into());
        let id = match message.remove("id") {
            Some(Value::String(id)) if !id.is_empty() => id,
            _ => return Err(invalid()),
        };
        if !self.acknowledged {
            return match self.protocol {
                Protocol::Transport => Err(Fatal(4401, "Unauthorized".into())),
                Protocol::Legacy => {
                    self.send(json!({ "type": "error", "id": id, "payload": [{ "message": "Send connection_init first" }] }));
                    Ok(())
                }
            };
        }
        let Some(Value::Object(mut payload)) = message.remove("payload") else {
            return Err(invalid());
        };
        let Some(Value::String(query)) = payload.remove("query") else {
            return Err(invalid());
        };
        if self.operations.contains_key(&id) {
            return match self.protocol {
                Protocol::Transport => {
                    Err(Fatal(4409, format!("Subscriber for {id} already exists")))
                }
                // The legacy protocol replaces an operation started again under the same id.
                Protocol::Legacy => {
                    if let Some(old) = self.operations.remove(&id) {
                        old.abort();
                    }
                    self.start_operation(id, query, payload);
                    Ok(())
                }
            };
        }
        self.start_operation(id, query, payload);
        Ok(())
    }

    fn start_operation(&mut self, id: String, query: String, mut payload: Map<String, Value>) {
        let mut request = Request::new(query);
        if let Some(Value::Object(variables)) = payload.remove("variables") {
            request = request.variables(Variables::from_json(Value::Object(variables)));
        }
        if let Some(Value::String(name)) = payload.remove("operationName") {
            request = request.operation_name(name);
        }
        if let Some(viewer) = self.viewer {
            request = request.data(viewer);
        }
        let schema = self.ctx.schema.clone();
        let outgoing = self.outgoing.clone();
        let finished = self.finished_tx.clone();
        let protocol = self.protocol;
        let task_id = id.clone();
        let task = tokio::spawn(async move {
            let data_type = if protocol == Protocol::Transport {
                "next"
            } else {
                "data"
            };
            let mut responses = schema.execute_stream(request);
            let mut first = true;
            while let Some(response) = responses.next().await {
                if first && is_request_error(&response) {
                    let errors =
                        serde_json::to_value(&response.errors).unwrap_or(Value::Array(Vec::new()));
                    let _ = outgoing.send(text(
                        json!({ "type": "error", "id": task_id, "payload": errors }),
                    ));
                    let _ = finished.send(Finished(task_id));
                    return;
                }
                first = false;
                let payload = serde_json::to_value(&response).unwrap_or(Value::Null);
                let _ = outgoing.send(text(
                    json!({ "type": data_type, "id": task_id, "payload": payload }),
                ));
            }
            let _ = outgoing.send(text(json!({ "type": "complete", "id": task_id })));
            let _ = finished.send(Finished(task_id));
        });
        self.operations.insert(id, task.abort_handle());
    }
}
