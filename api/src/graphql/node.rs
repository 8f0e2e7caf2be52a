//! Relay's `node(id)`: refetch any object by its global ID.

use async_graphql::{Context, ID, Interface, Object, Result};

use super::account::{ApiKey, User};
use super::app_state;
use super::batches::Batch;
use super::generation::{Generation, Image, Prompt};
use super::relay::{NodeType, decode_global_id};
use super::webhooks::{Webhook, WebhookDelivery};
use crate::auth::Viewer;
use crate::service::{accounts, api_keys, batches, generations, images, prompts, webhooks};

#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    User(User),
    ApiKey(ApiKey),
    Prompt(Prompt),
    Generation(Generation),
    Image(Image),
    Batch(Batch),
    Webhook(Webhook),
    WebhookDelivery(WebhookDelivery),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global ID, or null when it does not exist or is not yours to see.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let (node_type, key) = decode_global_id(&id, "id")?;
        let state = app_state(ctx);
        let db = &state.db;
        let viewer = ctx.data_opt::<Viewer>().map(|v| v.user_id);
        if node_type == NodeType::User {
            return Ok(accounts::get(db, key)
                .await?
                .map(|u| Node::User(User::new(u))));
        }
        if node_type == NodeType::Image {
            return Ok(images::visible(db, viewer, key)
                .await?
                .map(|i| Node::Image(Image::new(i))));
        }
        // Everything else is private to its owner.
        let Some(owner) = viewer else {
            return Ok(None);
        };
        Ok(match node_type {
            NodeType::ApiKey => api_keys::list(db, owner)
                .await?
                .into_iter()
                .find(|k| k.id == key)
                .map(|k| Node::ApiKey(ApiKey(k))),
            NodeType::Generation => generations::find_owned(db, owner, key)
                .await?
                .map(|g| Node::Generation(Generation::new(g))),
            NodeType::Prompt => prompts::find_owned(db, owner, key)
                .await?
                .map(|p| Node::Prompt(Prompt(p))),
            NodeType::Batch => match batches::owned(db, owner, key).await {
                Ok(batch) => Some(Node::Batch(
                    Batch::load(state, vec![batch]).await?.remove(0),
                )),
                Err(_) => None,
            },
            NodeType::Webhook => webhooks::owned(db, owner, key)
                .await
                .ok()
                .map(|w| Node::Webhook(Webhook(w))),
            NodeType::WebhookDelivery => webhooks::owned_delivery(db, owner, key)
                .await?
                .map(|d| Node::WebhookDelivery(WebhookDelivery(d))),
            NodeType::User | NodeType::Image | NodeType::Upload => None,
        })
    }
}
