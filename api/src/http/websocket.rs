//! GraphQL over WebSocket on `/api/graphql`, in both sub-protocols:
//! - `graphql-transport-ws` (the graphql-ws library), following its PROTOCOL.md to the letter:
//!   4400 invalid message, 4401 subscribe before ack, 4403 forbidden init, 4408 init timeout,
//!   4409 duplicate id, 4429 second init; `error` (not `next` + `complete`) for operations that
//!   cannot execute; ping/pong.
//! - the legacy `graphql-ws` (subscriptions-transport-ws): init/ack, `ka` keep-alives,
//!   start/data/error/complete/stop.
//!
//! Authentication comes from the `connection_init` payload's `Authorization` and goes through
//! the same `authenticate` as HTTP. The credential is checked again every few seconds while
//! the socket is open: an expired login token closes it with 4401, a revoked API key or a
//! login ended by a password change with 4403.
//!
//! What one client can hold (`config.limits`): incoming messages up to `ws_max_message_bytes`
//! (1009 beyond); `ws_outgoing_queue` messages waiting for a client that does not read (1008
//! beyond, and the connection is dropped); both protocols close a socket without
//! `connection_init` after 3 s (4408); WebSocket pings every `ws_ping_interval`, and nothing
//! at all received for `ws_idle_timeout` closes the socket (1001). While rate limits are on:
//! `ws_connections_per_ip` open sockets per client IP (HTTP 429 before the upgrade),
//! `ws_connections_per_user` per user (4429 at `connection_init`) and
//! `subscriptions_per_socket` operations at once (an `error` with RATE_LIMITED; the socket
//! stays open).

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_graphql::{Pos, Request, Variables};
use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::stream::SplitSink;
use futures::{SinkExt, StreamExt};
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;
use tokio::task::AbortHandle;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

pub mod messages;

use super::HttpContext;
use super::client_ip::{self, ClientIp};
use crate::auth::{Credential, Standing, Viewer, authenticate, check_again};
use crate::error::{AppError, ErrorCode, retry_after_seconds};
use crate::graphql::is_request_error;
use messages::{ClientMessage, Malformed, Operation, Protocol};

pub const TRANSPORT_WS: &str = "graphql-transport-ws";
pub const LEGACY_WS: &str = "graphql-ws";

/// How long a client has to send `connection_init` (graphql-ws's server default).
const INIT_TIMEOUT: Duration = Duration::from_secs(3);
/// Legacy clients expect `ka` messages to know the server is alive.
const KEEP_ALIVE: Duration = Duration::from_secs(12);
/// How often an open socket checks that its credential still holds: one read by primary key.
const CREDENTIAL_CHECK: Duration = Duration::from_secs(5);
/// How long the last close frame may take to reach the client before the connection is
/// dropped without it.
const CLOSE_GRACE: Duration = Duration::from_secs(1);
/// tungstenite allocates its read buffer per socket up front (128 KiB by default); GraphQL
/// messages are small, and a larger message still arrives, read in several chunks.
const READ_BUFFER_BYTES: usize = 4 * 1024;
/// What a client refused for too many open sockets is told to wait.
const CONNECTIONS_RETRY_AFTER: Duration = Duration::from_secs(10);
/// What a client refused for too many operations on one socket is told to wait.
const OPERATIONS_RETRY_AFTER: Duration = Duration::from_secs(1);

/// The open WebSockets of this process, counted per client IP and per user for the caps.
#[derive(Clone, Default)]
pub struct OpenSockets {
    per_ip: Arc<Counts<IpAddr>>,
    per_user: Arc<Counts<Uuid>>,
}

struct Counts<K> {
    open: Mutex<HashMap<K, u32>>,
}

impl<K> Default for Counts<K> {
    fn default() -> Self {
        Counts {
            open: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Hash + Eq + Copy> Counts<K> {
    /// One of the `cap` places of `key`, or `None` when all are taken.
    fn acquire(self: &Arc<Self>, key: K, cap: u32) -> Option<Slot<K>> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.get(&key).copied().unwrap_or(0);
        if count >= cap {
            return None;
        }
        open.insert(key, count + 1);
        Some(Slot {
            counts: Arc::clone(self),
            key,
        })
    }
}

/// A counted socket's place; dropping it when the socket ends frees the place.
struct Slot<K: Hash + Eq + Copy> {
    counts: Arc<Counts<K>>,
    key: K,
}

impl<K: Hash + Eq + Copy> Drop for Slot<K> {
    fn drop(&mut self) {
        let mut open = self
            .counts
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match open.get_mut(&self.key) {
            Some(count) if *count > 1 => *count -= 1,
            _ => {
                open.remove(&self.key);
            }
        }
    }
}

/// Accepts the upgrade. A client that asked only for sub-protocols we do not speak is closed
/// with 4406, as graphql-ws servers do; one that asked for none gets `graphql-transport-ws`.
pub async fn upgrade(ctx: HttpContext, mut parts: Parts) -> Response {
    let requested = parts
        .headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let limits = &ctx.state.config.limits;
    let client_ip =
        client_ip::of_request(&parts.extensions, &parts.headers, &limits.trusted_proxies);
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &ctx).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let ip_slot = if limits.rate_limits_on {
        match ctx
            .sockets
            .per_ip
            .acquire(client_ip, limits.ws_connections_per_ip)
        {
            Some(slot) => Some(slot),
            None => return too_many_sockets(limits.ws_connections_per_ip),
        }
    } else {
        None
    };
    upgrade
        .protocols([TRANSPORT_WS, LEGACY_WS])
        .max_message_size(limits.ws_max_message_bytes)
        .max_frame_size(limits.ws_max_message_bytes)
        .read_buffer_size(READ_BUFFER_BYTES)
        // Each message is written out at once instead of collecting in a second buffer.
        .write_buffer_size(0)
        .on_upgrade(move |socket| async move {
            // Held until the socket ends (also when the upgrade fails and this never runs).
            let _ip_slot = ip_slot;
            let protocol = match socket.protocol().and_then(|p| p.to_str().ok()) {
                Some(LEGACY_WS) => Some(Protocol::Legacy),
                Some(_) => Some(Protocol::Transport),
                None if requested.is_none() => Some(Protocol::Transport),
                None => None,
            };
            match protocol {
                Some(protocol) => Session::run(ctx, protocol, client_ip, socket).await,
                None => {
                    let mut socket = socket;
                    let _ = socket.send(close(4406, "Subprotocol not acceptable")).await;
                }
            }
            crate::memory::released();
        })
}

/// HTTP 429 for an upgrade over the per-IP cap, before any WebSocket exists.
fn too_many_sockets(cap: u32) -> Response {
    let seconds = retry_after_seconds(CONNECTIONS_RETRY_AFTER);
    let body = json!({ "errors": [{
        "message": format!("This address has {cap} WebSockets open already; close one and try again"),
        "extensions": { "code": ErrorCode::RateLimited.as_str(), "retryAfter": seconds },
    }] });
    let mut response = (StatusCode::TOO_MANY_REQUESTS, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
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

/// An error message's payload: the error as a GraphQL error list.
fn errors_payload(error: AppError) -> Value {
    let error: async_graphql::Error = error.into();
    serde_json::to_value([error.into_server_error(Pos::default())])
        .unwrap_or(Value::Array(Vec::new()))
}

/// True for the error tungstenite reports when a message or frame exceeds the size limit.
fn is_too_long(error: &axum::Error) -> bool {
    std::error::Error::source(error)
        .and_then(|source| source.downcast_ref::<tungstenite::Error>())
        .is_some_and(|error| {
            matches!(
                error,
                tungstenite::Error::Capacity(
                    tungstenite::error::CapacityError::MessageTooLong { .. }
                )
            )
        })
}

/// The messages waiting for the client, shared by the session and its operations. Bounded:
/// a client that stops reading fills it, and is then disconnected instead of buffered for.
#[derive(Clone)]
struct Outgoing {
    queue: mpsc::Sender<Message>,
    /// Cancelled when the queue was found full.
    not_reading: CancellationToken,
}

impl Outgoing {
    /// Queues a message without waiting; false when it cannot be, because the socket is
    /// closing or because the queue is full, which ends the connection.
    fn push(&self, message: Message) -> bool {
        match self.queue.try_send(message) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                self.not_reading.cancel();
                false
            }
            Err(TrySendError::Closed(_)) => false,
        }
    }
}

/// Writes queued messages to the socket, one at a time so messages from concurrent
/// operations never interleave. Stops after a close frame, when every sender is gone, or at
/// once when the client is found not reading.
async fn write(
    mut sink: SplitSink<WebSocket, Message>,
    mut queue: mpsc::Receiver<Message>,
    not_reading: CancellationToken,
) {
    loop {
        let message = tokio::select! {
            biased;
            () = not_reading.cancelled() => break,
            message = queue.recv() => message,
        };
        let Some(message) = message else { break };
        let closing = matches!(message, Message::Close(_));
        let sent = tokio::select! {
            biased;
            () = not_reading.cancelled() => break,
            sent = sink.send(message) => sent.is_ok(),
        };
        if !sent {
            return;
        }
        if closing {
            break;
        }
    }
    let finish = async {
        if not_reading.is_cancelled() {
            let _ = sink
                .send(close(
                    1008,
                    "Too many unread messages; the client must read faster",
                ))
                .await;
        }
        // Flushes a close frame still queued, such as the reply to the client's close.
        let _ = sink.close().await;
    };
    let _ = tokio::time::timeout(CLOSE_GRACE, finish).await;
}

/// What an operation task reports back: it finished, so its id is free again. The serial
/// tells it from a later operation under the same id.
struct Finished {
    id: String,
    serial: u64,
}

struct Running {
    serial: u64,
    task: AbortHandle,
}

struct Session {
    ctx: HttpContext,
    protocol: Protocol,
    client_ip: IpAddr,
    init_received: bool,
    acknowledged: bool,
    viewer: Option<Viewer>,
    /// This socket's place among its user's open sockets, while the caps apply.
    user_slot: Option<Slot<Uuid>>,
    operations: HashMap<String, Running>,
    next_serial: u64,
    outgoing: Outgoing,
    finished_tx: mpsc::UnboundedSender<Finished>,
}

/// A message that ends the connection with this close code and reason.
struct Fatal(u16, String);

impl Session {
    async fn run(ctx: HttpContext, protocol: Protocol, client_ip: IpAddr, socket: WebSocket) {
        let limits = &ctx.state.config.limits;
        let (ping_interval, idle_timeout) = (limits.ws_ping_interval, limits.ws_idle_timeout);
        let (queue, queue_rx) = mpsc::channel(limits.ws_outgoing_queue);
        let (finished_tx, mut finished_rx) = mpsc::unbounded_channel();
        let not_reading = CancellationToken::new();
        let mut session = Session {
            ctx,
            protocol,
            client_ip,
            init_received: false,
            acknowledged: false,
            viewer: None,
            user_slot: None,
            operations: HashMap::new(),
            next_serial: 0,
            outgoing: Outgoing {
                queue,
                not_reading: not_reading.clone(),
            },
            finished_tx,
        };
        let (sink, mut incoming) = socket.split();
        let mut writer = tokio::spawn(write(sink, queue_rx, not_reading.clone()));

        let init_deadline = tokio::time::sleep(INIT_TIMEOUT);
        tokio::pin!(init_deadline);
        let idle_deadline = tokio::time::sleep(idle_timeout);
        tokio::pin!(idle_deadline);
        let every = |period: Duration| {
            let mut interval = tokio::time::interval_at(Instant::now() + period, period);
            interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
            interval
        };
        let mut keep_alive = every(KEEP_ALIVE);
        let mut ping = every(ping_interval);
        let mut credential_check = every(CREDENTIAL_CHECK);

        let closing = loop {
            tokio::select! {
                message = incoming.next() => {
                    idle_deadline.as_mut().reset(Instant::now() + idle_timeout);
                    let result = match message {
                        Some(Ok(Message::Text(body))) => session.handle(body.as_str()).await,
                        Some(Ok(Message::Binary(_))) => Err(Fatal(4400, "Binary messages are not supported".into())),
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(()),
                        Some(Err(error)) if is_too_long(&error) => Err(Fatal(
                            1009,
                            format!("Messages are limited to {} bytes", session.ctx.state.config.limits.ws_max_message_bytes),
                        )),
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break None,
                    };
                    if let Err(fatal) = result {
                        break Some(fatal);
                    }
                }
                Some(Finished { id, serial }) = finished_rx.recv() => {
                    if session.operations.get(&id).is_some_and(|op| op.serial == serial) {
                        session.operations.remove(&id);
                    }
                }
                () = &mut init_deadline, if !session.init_received => {
                    break Some(Fatal(4408, "Connection initialisation timeout".into()));
                }
                () = &mut idle_deadline => {
                    break Some(Fatal(1001, format!("Nothing received for {} s", idle_timeout.as_secs())));
                }
                () = not_reading.cancelled() => break None,
                _ = ping.tick() => {
                    session.outgoing.push(Message::Ping(Bytes::new()));
                }
                _ = keep_alive.tick(), if session.acknowledged && session.protocol == Protocol::Legacy => {
                    session.send(json!({ "type": "ka" }));
                }
                _ = credential_check.tick(), if session.viewer.is_some() => {
                    if let Err(fatal) = session.check_credential().await {
                        break Some(fatal);
                    }
                }
            }
        };
        for (_, operation) in session.operations.drain() {
            operation.task.abort();
        }
        if let Some(Fatal(code, reason)) = closing {
            session.outgoing.push(close(code, &reason));
        }
        drop(session);
        // A writer still stuck on a client that does not read is given up on.
        if tokio::time::timeout(CLOSE_GRACE * 2, &mut writer)
            .await
            .is_err()
        {
            writer.abort();
        }
    }

    fn send(&self, value: Value) {
        self.outgoing.push(text(value));
    }

    async fn handle(&mut self, body: &str) -> Result<(), Fatal> {
        match self.protocol.parse(body) {
            Ok(ClientMessage::Init(payload)) => self.init(payload).await,
            Ok(ClientMessage::Ping) => {
                self.send(json!({ "type": "pong" }));
                Ok(())
            }
            Ok(ClientMessage::Pong) => Ok(()),
            Ok(ClientMessage::Start { id, operation }) => self.start(id, operation),
            Ok(ClientMessage::Stop { id }) => {
                if let Some(operation) = self.operations.remove(&id) {
                    operation.task.abort();
                }
                Ok(())
            }
            Ok(ClientMessage::Terminate) => Err(Fatal(1000, "Normal closure".into())),
            Err(Malformed::Invalid) => Err(Fatal(4400, "Invalid message received".into())),
            Err(Malformed::Reply(message)) => {
                self.send(json!({ "type": "error", "payload": { "message": message } }));
                Ok(())
            }
        }
    }

    async fn init(&mut self, payload: Map<String, Value>) -> Result<(), Fatal> {
        if self.init_received {
            return Err(Fatal(4429, "Too many initialisation requests".into()));
        }
        self.init_received = true;
        let authorization = payload
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case("authorization"))
            .and_then(|(_, value)| value.as_str());
        let viewer = match authenticate(&self.ctx.state, authorization).await {
            Ok(viewer) => viewer,
            Err(error) => {
                return match self.protocol {
                    Protocol::Transport => Err(Fatal(4403, "Forbidden".into())),
                    Protocol::Legacy => {
                        self.send(json!({ "type": "connection_error", "payload": { "message": error.message() } }));
                        Err(Fatal(1011, "Forbidden".into()))
                    }
                };
            }
        };
        let limits = &self.ctx.state.config.limits;
        if let Some(viewer) = viewer
            && limits.rate_limits_on
        {
            let cap = limits.ws_connections_per_user;
            match self.ctx.sockets.per_user.acquire(viewer.user_id, cap) {
                Some(slot) => self.user_slot = Some(slot),
                None => {
                    let reason = format!(
                        "This account has {cap} WebSockets open already; close one and try again"
                    );
                    if self.protocol == Protocol::Legacy {
                        self.send(
                            json!({ "type": "connection_error", "payload": { "message": reason } }),
                        );
                    }
                    return Err(Fatal(4429, reason));
                }
            }
        }
        self.viewer = viewer;
        self.acknowledged = true;
        self.send(json!({ "type": "connection_ack" }));
        if self.protocol == Protocol::Legacy {
            self.send(json!({ "type": "ka" }));
        }
        Ok(())
    }

    /// Closes the socket when the credential it authenticated with no longer holds. A
    /// database that cannot answer keeps the socket open: the next check tries again.
    async fn check_credential(&self) -> Result<(), Fatal> {
        let Some(viewer) = &self.viewer else {
            return Ok(());
        };
        match check_again(&self.ctx.state, viewer).await {
            Ok(Standing::Valid) => Ok(()),
            Ok(Standing::Expired) => {
                Err(Fatal(4401, "Your session has expired; log in again".into()))
            }
            Ok(Standing::Revoked) => Err(Fatal(
                4403,
                match viewer.credential {
                    Credential::ApiKey { .. } => "This API key has been revoked",
                    Credential::LoginToken { .. } => {
                        "This login has ended (the password was changed); log in again"
                    }
                }
                .into(),
            )),
            Err(error) => {
                tracing::warn!(?error, "could not check a WebSocket's credential again");
                Ok(())
            }
        }
    }

    fn start(&mut self, id: String, operation: Operation) -> Result<(), Fatal> {
        if !self.acknowledged {
            return match self.protocol {
                Protocol::Transport => Err(Fatal(4401, "Unauthorized".into())),
                Protocol::Legacy => {
                    self.send(json!({ "type": "error", "id": id, "payload": [{ "message": "Send connection_init first" }] }));
                    Ok(())
                }
            };
        }
        if let Some(old) = self.operations.get(&id) {
            match self.protocol {
                Protocol::Transport => {
                    return Err(Fatal(4409, format!("Subscriber for {id} already exists")));
                }
                // The legacy protocol replaces an operation started again under the same id.
                Protocol::Legacy => {
                    old.task.abort();
                    self.operations.remove(&id);
                }
            }
        }
        let limits = &self.ctx.state.config.limits;
        let cap = limits.subscriptions_per_socket;
        if limits.rate_limits_on && self.operations.len() >= cap as usize {
            let refusal = AppError::rate_limited(
                OPERATIONS_RETRY_AFTER,
                format!("A WebSocket runs at most {cap} operations at once; complete one first"),
            );
            self.send(json!({ "type": "error", "id": id, "payload": errors_payload(refusal) }));
            return Ok(());
        }
        self.start_operation(id, operation);
        Ok(())
    }

    fn start_operation(&mut self, id: String, operation: Operation) {
        let mut request = Request::new(operation.query).data(ClientIp(self.client_ip));
        if let Some(variables) = operation.variables {
            request = request.variables(Variables::from_json(Value::Object(variables)));
        }
        if let Some(name) = operation.operation_name {
            request = request.operation_name(name);
        }
        if let Some(viewer) = self.viewer {
            request = request.data(viewer);
        }
        let schema = self.ctx.schema.clone();
        let outgoing = self.outgoing.clone();
        let finished = self.finished_tx.clone();
        let protocol = self.protocol;
        let serial = self.next_serial;
        self.next_serial += 1;
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
                    outgoing.push(text(
                        json!({ "type": "error", "id": task_id, "payload": errors }),
                    ));
                    let _ = finished.send(Finished {
                        id: task_id,
                        serial,
                    });
                    return;
                }
                first = false;
                let payload = serde_json::to_value(&response).unwrap_or(Value::Null);
                // A full queue ends the connection, and with it this operation.
                if !outgoing.push(text(
                    json!({ "type": data_type, "id": task_id, "payload": payload }),
                )) {
                    return;
                }
            }
            outgoing.push(text(json!({ "type": "complete", "id": task_id })));
            let _ = finished.send(Finished {
                id: task_id,
                serial,
            });
        });
        self.operations.insert(
            id,
            Running {
                serial,
                task: task.abort_handle(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_counts_stop_at_the_cap_and_free_places_when_sockets_end() {
        let counts: Arc<Counts<u8>> = Arc::default();
        let first = counts.acquire(1, 2).unwrap();
        let second = counts.acquire(1, 2).unwrap();
        assert!(counts.acquire(1, 2).is_none());
        assert!(
            counts.acquire(2, 2).is_some(),
            "another key has its own places"
        );
        drop(first);
        let third = counts.acquire(1, 2).unwrap();
        drop((second, third));
        assert!(
            counts.open.lock().unwrap().is_empty(),
            "no entry is left for keys without sockets"
        );
        assert!(counts.acquire(1, 0).is_none());
        assert!(counts.open.lock().unwrap().is_empty());
    }
}
