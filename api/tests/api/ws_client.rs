//! A small WebSocket client for both GraphQL sub-protocols, for tests that look at the
//! protocol itself. (The npm graphql-ws and subscriptions-transport-ws clients are exercised
//! by scripts/ws-clients.)

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::{Request, Response as Refusal};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const TRANSPORT: &str = "graphql-transport-ws";
pub const LEGACY: &str = "graphql-ws";

#[derive(Debug)]
pub enum Incoming {
    Json(Value),
    Closed(u16, String),
}

pub struct WsClient {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl WsClient {
    pub async fn connect(base_url: &str, protocol: &str) -> WsClient {
        match WsClient::try_connect(base_url, protocol).await {
            Ok(client) => client,
            Err(refusal) => panic!("the upgrade was refused with HTTP {}", refusal.status()),
        }
    }

    fn upgrade_request(base_url: &str, protocol: &str) -> Request {
        let url = format!("{}/api/graphql", base_url.replace("http://", "ws://"));
        let mut request = url.into_client_request().unwrap();
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", protocol.parse().unwrap());
        request
    }

    /// Connects, or returns the HTTP response that refused the upgrade.
    pub async fn try_connect(base_url: &str, protocol: &str) -> Result<WsClient, Refusal> {
        let request = WsClient::upgrade_request(base_url, protocol);
        match tokio_tungstenite::connect_async(request).await {
            Ok((socket, response)) => {
                assert_eq!(response.headers()["sec-websocket-protocol"], protocol);
                Ok(WsClient { socket })
            }
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(*response),
            Err(error) => panic!("cannot connect: {error}"),
        }
    }

    /// Connects over a TCP socket with a tiny receive buffer, so that once this client stops
    /// reading, what the server sends backs up to the server quickly.
    pub async fn connect_with_small_window(base_url: &str, protocol: &str) -> WsClient {
        let address: std::net::SocketAddr = base_url.trim_start_matches("http://").parse().unwrap();
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let stream = socket.connect(address).await.unwrap();
        let request = WsClient::upgrade_request(base_url, protocol);
        let (socket, _) = tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(stream))
            .await
            .unwrap();
        WsClient { socket }
    }

    /// Sends `connection_init` with the token and waits for the acknowledgement.
    pub async fn init(&mut self, token: Option<&str>) {
        let payload = token.map_or(
            json!({}),
            |t| json!({ "Authorization": format!("Bearer {t}") }),
        );
        self.send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        assert_eq!(self.next_json().await["type"], "connection_ack");
    }

    /// Connects, initialises with the token and waits for the acknowledgement.
    pub async fn connected(base_url: &str, protocol: &str, token: Option<&str>) -> WsClient {
        let mut client = WsClient::connect(base_url, protocol).await;
        client.init(token).await;
        client
    }

    /// Starts the closing handshake from the client's side.
    pub async fn close(&mut self) {
        use tokio_tungstenite::tungstenite::protocol::CloseFrame;
        use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
        let frame = CloseFrame {
            code: CloseCode::Normal,
            reason: "bye".into(),
        };
        self.socket.close(Some(frame)).await.unwrap();
    }

    pub async fn send(&mut self, message: Value) {
        self.send_text(&message.to_string()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.socket.send(Message::Text(text.into())).await.unwrap();
    }

    /// The next message, skipping the legacy protocol's keep-alives. Fails after 30 s.
    pub async fn next(&mut self) -> Incoming {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(30), self.socket.next())
                .await
                .expect("no WebSocket message within 30 s");
            match message {
                Some(Ok(Message::Text(text))) => {
                    let value: Value = serde_json::from_str(&text).unwrap();
                    if value["type"] != "ka" {
                        return Incoming::Json(value);
                    }
                }
                Some(Ok(Message::Close(Some(frame)))) => {
                    return Incoming::Closed(frame.code.into(), frame.reason.to_string());
                }
                Some(Ok(Message::Close(None))) | None => {
                    return Incoming::Closed(1005, String::new());
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => panic!("WebSocket error: {e}"),
            }
        }
    }

    pub async fn next_json(&mut self) -> Value {
        match self.next().await {
            Incoming::Json(value) => value,
            Incoming::Closed(code, reason) => panic!("closed with {code} {reason}"),
        }
    }

    pub async fn expect_close(&mut self) -> (u16, String) {
        match self.next().await {
            Incoming::Closed(code, reason) => (code, reason),
            Incoming::Json(value) => panic!("expected the server to close, got {value}"),
        }
    }

    /// For a client that has not read anything: the close frame the server sent, read from
    /// the raw connection so that nothing answers the pings queued before it (tungstenite
    /// would, and its pong would hit the closed connection first). Fails after 30 s.
    pub async fn raw_close(mut self) -> (u16, String) {
        use tokio::io::AsyncReadExt;
        let MaybeTlsStream::Plain(tcp) = self.socket.get_mut() else {
            panic!("raw_close needs a plain TCP connection");
        };
        let mut bytes = Vec::new();
        tokio::time::timeout(Duration::from_secs(30), tcp.read_to_end(&mut bytes))
            .await
            .expect("the server did not close within 30 s")
            .ok();
        // Server frames are unmasked: 0x88 is a final close frame, then a short length.
        let mut at = 0;
        while at + 2 <= bytes.len() {
            let (opcode, len) = (bytes[at] & 0x0f, usize::from(bytes[at + 1] & 0x7f));
            let body = &bytes[at + 2..(at + 2 + len).min(bytes.len())];
            if opcode == 0x8 && body.len() >= 2 {
                let code = u16::from_be_bytes([body[0], body[1]]);
                return (code, String::from_utf8_lossy(&body[2..]).into_owned());
            }
            at += 2 + len;
        }
        panic!("no close frame in {} bytes", bytes.len());
    }

    /// Reads for `duration` (tungstenite answers the server's pings meanwhile) and returns
    /// how many pings came. Fails if anything else arrives.
    pub async fn pings_during(&mut self, duration: Duration) -> usize {
        let mut pings = 0;
        let deadline = tokio::time::Instant::now() + duration;
        while let Ok(message) = tokio::time::timeout_at(deadline, self.socket.next()).await {
            match message {
                Some(Ok(Message::Ping(_))) => pings += 1,
                other => panic!("expected only pings, got {other:?}"),
            }
        }
        pings
    }

    /// Reads until the connection ends, within `within`: how many text messages came first,
    /// and the close code when the server managed to send one (a dropped connection has
    /// none). Fails if the connection is still open after `within`.
    pub async fn read_until_closed(&mut self, within: Duration) -> (usize, Option<u16>) {
        let mut texts = 0;
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let message = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .unwrap_or_else(|_| panic!("still open after {within:?}, {texts} messages read"));
            match message {
                Some(Ok(Message::Text(_))) => texts += 1,
                Some(Ok(Message::Close(frame))) => return (texts, frame.map(|f| f.code.into())),
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return (texts, None),
            }
        }
    }

    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({ "type": "subscribe", "id": id, "payload": { "query": query, "variables": variables } }))
            .await;
    }

    /// Payloads of `next` messages for `id` until its `complete`.
    pub async fn collect_until_complete(&mut self, id: &str) -> Vec<Value> {
        let mut payloads = Vec::new();
        loop {
            let message = self.next_json().await;
            if message["id"] != id {
                continue;
            }
            match message["type"].as_str() {
                Some("next") | Some("data") => payloads.push(message["payload"].clone()),
                Some("complete") => return payloads,
                _ => panic!("unexpected message {message}"),
            }
        }
    }
}
