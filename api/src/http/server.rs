//! The server loop and the per-request limits.
//!
//! `axum::serve` has no timer: a client that never finishes its request holds its connection
//! forever. Here every connection gets a deadline for its first request and HTTP/1 a
//! header-read timeout for each one, connections are capped, every request (WebSocket
//! upgrades excepted) has a deadline, and request bodies a size limit.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::config::Limits;

/// A server at its connection limit says so at most this often.
const FULL_WARNING_INTERVAL: Duration = Duration::from_secs(60);

/// Serves `router` on `listener` until `stop` is cancelled, then lets open requests finish
/// within `grace`.
///
/// At most `limits.max_connections` connections are open at once. When all are taken the
/// loop stops accepting until one closes: new clients wait in the kernel's listen backlog
/// (and are served when a slot frees, or time out on their side) rather than being accepted
/// and dropped, so a burst is absorbed and a flood costs no file descriptors or memory. A
/// WebSocket keeps its slot for as long as it is open.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    stop: CancellationToken,
    grace: Duration,
) {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    // Pings find HTTP/2 peers that went away without closing.
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(limits.header_read_timeout);
    let first_request_timeout = limits.header_read_timeout;
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut warned_full: Option<Instant> = None;
    loop {
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                if warned_full.is_none_or(|at| at.elapsed() > FULL_WARNING_INTERVAL) {
                    tracing::warn!(
                        max_connections = limits.max_connections,
                        "connection limit reached: new connections wait until one closes"
                    );
                    warned_full = Some(Instant::now());
                }
                tokio::select! {
                    () = stop.cancelled() => break,
                    slot = slots.clone().acquire_owned() => match slot {
                        Ok(slot) => slot,
                        Err(_) => break,
                    },
                }
            }
        };
        let (stream, peer) = tokio::select! {
            () = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let first_request = Arc::new(Notify::new());
        let seen = first_request.clone();
        let service = router.clone().map_request(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                seen.notify_one();
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            },
        );
        let io = TokioIo::new(SlotStream {
            stream,
            _slot: slot,
        });
        let builder = builder.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let connection = watcher.watch(
                builder.serve_connection_with_upgrades(io, TowerToHyperService::new(service)),
            );
            tokio::pin!(connection);
            // HTTP/1's header timer starts only once the protocol is known, and HTTP/2 has
            // none: a client that sends nothing, or a bare preface, is cut off here.
            tokio::select! {
                _ = &mut connection => return,
                started = tokio::time::timeout(first_request_timeout, first_request.notified()) => {
                    if started.is_err() {
                        tracing::debug!(%peer, "no request within the header-read timeout; closing");
                        return;
                    }
                }
            }
            let _ = connection.await;
        });
    }
    drop(listener);
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::info!("open connections did not finish within the shutdown grace period");
    }
}

/// A connection that holds one of the server's connection slots until it is dropped, also
/// after an upgrade to a WebSocket.
struct SlotStream {
    stream: TcpStream,
    _slot: OwnedSemaphorePermit,
}

impl AsyncRead for SlotStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for SlotStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// Adds the body limit and the request deadline to every route.
pub fn limit_requests(router: Router, limits: &Limits) -> Router {
    router
        .layer(axum::middleware::from_fn_with_state(
            RequestLimits {
                max_body_bytes: limits.max_body_bytes,
                max_upload_bytes: limits.max_upload_bytes,
                timeout: limits.request_timeout,
            },
            enforce_request_limits,
        ))
        // Bodies sent without a length are cut off while they are read.
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
}

#[derive(Clone, Copy)]
struct RequestLimits {
    max_body_bytes: usize,
    /// For the signed PUTs of uploads (`/api/files/`), which read their body themselves.
    max_upload_bytes: usize,
    timeout: Duration,
}

/// Refuses a body announced as too large before reading it, and answers 408 when a request
/// (reading its body included) takes longer than the limit. A WebSocket upgrade is
/// answered at once and the socket lives on outside this deadline; it is exempt anyway, so
/// nothing it awaits before the upgrade can cut it short.
async fn enforce_request_limits(
    State(limits): State<RequestLimits>,
    request: Request,
    next: Next,
) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let upload = request.method() == Method::PUT && request.uri().path().starts_with("/api/files/");
    let max_bytes = if upload {
        limits.max_upload_bytes
    } else {
        limits.max_body_bytes
    };
    if announced.is_some_and(|length| length > max_bytes as u64) {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "The request body is larger than this server accepts ({max_bytes} bytes); send less"
            ),
        )
            .into_response();
    }
    let websocket = request
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if websocket {
        return next.run(request).await;
    }
    match tokio::time::timeout(limits.timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => (
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "The request took longer than this server allows ({} s); send it again",
                limits.timeout.as_secs()
            ),
        )
            .into_response(),
    }
}
