//! The sender: takes due deliveries from the outbox and POSTs them, signed, to their
//! endpoints; records each attempt and schedules the next. Runs beside the workers in every
//! process that runs workers; deliveries are claimed with a lease, so replicas share them
//! and one that dies mid-delivery leaves them to another.

use std::time::Duration;

use chrono::Utc;
use entity::{webhook, webhook_delivery};
use reqwest::{Client, StatusCode, redirect};
use tokio::task::{JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;

use super::{signing, target};
use crate::error::AppResult;
use crate::service::webhooks::{self as store, Attempt, RESPONSE_BODY_BYTES};
use crate::state::AppState;

/// Deliveries sent at once by one process.
const BATCH: u32 = 16;
/// How often an idle sender looks for deliveries written by other processes, or due again.
const IDLE_POLL: Duration = Duration::from_secs(1);

pub fn spawn_sender(
    state: AppState,
    shutdown: CancellationToken,
) -> anyhow::Result<JoinHandle<()>> {
    let config = &state.config.webhooks;
    let client = Client::builder()
        .redirect(redirect::Policy::none())
        .timeout(config.timeout)
        .connect_timeout(config.timeout)
        .dns_resolver(target::CheckingResolver::shared(config))
        .user_agent(concat!("RenderMart-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()?;
    Ok(tokio::spawn(async move {
        while !shutdown.is_cancelled() {
            match send_due(&state, &client).await {
                Ok(sent) if sent > 0 => continue,
                Ok(_) => {}
                Err(error) => tracing::error!(?error, "webhook sender step failed"),
            }
            tokio::select! {
                () = shutdown.cancelled() => {}
                () = state.events.deliveries_due() => {}
                () = tokio::time::sleep(IDLE_POLL) => {}
            }
        }
    }))
}

/// Sends what is due now; returns how many were taken.
async fn send_due(state: &AppState, client: &Client) -> AppResult<usize> {
    // Longer than an attempt can take, so a live sender never loses its delivery.
    let lease = state.config.webhooks.timeout * 2 + Duration::from_secs(5);
    let due = store::claim_due(&state.db, lease, BATCH).await?;
    let taken = due.len();
    let mut sending = JoinSet::new();
    for delivery in due {
        let (state, client) = (state.clone(), client.clone());
        sending.spawn(async move {
            if let Err(error) = deliver(&state, &client, &delivery).await {
                tracing::error!(?error, delivery = %delivery.id, "could not record a webhook delivery");
            }
        });
    }
    while sending.join_next().await.is_some() {}
    Ok(taken)
}

async fn deliver(
    state: &AppState,
    client: &Client,
    delivery: &webhook_delivery::Model,
) -> AppResult<()> {
    let Some(hook) = store::endpoint(&state.db, delivery.webhook_id).await? else {
        // Deleted meanwhile; its deliveries went with it.
        return Ok(());
    };
    let attempt = attempt(state, client, &hook, delivery).await;
    if let Attempt::Delivered { status, .. } = &attempt {
        tracing::info!(delivery = %delivery.id, status, "webhook delivered");
    }
    store::record_attempt(
        &state.db,
        delivery,
        &hook,
        attempt,
        &state.config.webhooks.retry_delays,
    )
    .await
}

async fn attempt(
    state: &AppState,
    client: &Client,
    hook: &webhook::Model,
    delivery: &webhook_delivery::Model,
) -> Attempt {
    if !hook.enabled {
        return Attempt::Refused {
            error: "The webhook is disabled".into(),
        };
    }
    let config = &state.config.webhooks;
    let url = match target::parse(&hook.url, config) {
        Ok(url) => url,
        Err(error) => return Attempt::Refused { error },
    };
    // The resolver checks names; an address written in the URL never reaches it.
    if !config.allow_private
        && let Some(ip) = url
            .host_str()
            .and_then(|h| h.trim_start_matches('[').trim_end_matches(']').parse().ok())
        && !target::is_public(ip)
    {
        return Attempt::Refused {
            error: format!("{ip} is not a public address; webhooks go to public addresses only"),
        };
    }
    let id = format!("msg_{}", delivery.id.simple());
    let now = Utc::now();
    let timestamp = now.timestamp();
    let body = delivery.payload.clone().into_bytes();
    let signature =
        signing::signature_header(store::signing_secrets(hook, now), &id, timestamp, &body);
    let sent = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await;
    let mut response = match sent {
        Ok(response) => response,
        Err(error) => {
            return Attempt::Failed {
                status: None,
                body: None,
                error: describe(&error),
            };
        }
    };
    let status = response.status();
    let body = read_capped(&mut response).await;
    if status.is_success() {
        Attempt::Delivered {
            status: status.as_u16(),
            body,
        }
    } else if status == StatusCode::GONE {
        Attempt::Gone { body }
    } else {
        Attempt::Failed {
            status: Some(status.as_u16()),
            body: Some(body),
            error: format!("The endpoint answered {status}"),
        }
    }
}

/// The start of a response body, without reading more than that.
async fn read_capped(response: &mut reqwest::Response) -> String {
    let mut kept = Vec::new();
    while kept.len() < RESPONSE_BODY_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    kept.truncate(RESPONSE_BODY_BYTES);
    String::from_utf8_lossy(&kept).into_owned()
}

/// What went wrong, in words a person can act on; never the internals of the client.
fn describe(error: &reqwest::Error) -> String {
    use std::error::Error as _;
    if error.is_timeout() {
        return "The endpoint did not answer in time".into();
    }
    // The resolver's refusal says why the address was not used.
    let mut source = error.source();
    while let Some(inner) = source {
        let text = inner.to_string();
        if text.contains("public addresses only") || text.contains("could not be found") {
            return text;
        }
        source = inner.source();
    }
    if error.is_connect() {
        "Could not connect to the endpoint".into()
    } else {
        "The request to the endpoint failed".into()
    }
}
