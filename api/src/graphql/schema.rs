use async_graphql::{MergedObject, MergedSubscription, Schema};

use super::account::{AccountMutation, AccountQuery};
use super::batches::{BatchMutation, BatchQuery, BatchSubscription};
use super::generation::{GenerationMutation, GenerationQuery, GenerationSubscription};
use super::loaders::db_loader;
use super::models::ModelsQuery;
use super::node::NodeQuery;
use super::pipeline::{DocumentLimits, RequestPipeline};
use super::uploads::UploadMutation;
use super::webhooks::WebhookMutation;
use crate::state::AppState;

#[derive(MergedObject, Default)]
pub struct Query(
    AccountQuery,
    ModelsQuery,
    GenerationQuery,
    BatchQuery,
    NodeQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    AccountMutation,
    GenerationMutation,
    BatchMutation,
    WebhookMutation,
    UploadMutation,
);

#[derive(MergedSubscription, Default)]
pub struct Subscription(GenerationSubscription, BatchSubscription);

pub type AppSchema = Schema<Query, Mutation, Subscription>;

fn builder() -> async_graphql::SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
}

/// The one constructor of the executable schema. Its depth and cost limits (and the others of
/// `config.limits` that concern a document) are checked by the request pipeline, which gives
/// both transports the same refusals, error codes and metrics.
pub fn build_schema(state: AppState) -> AppSchema {
    let pipeline = RequestPipeline::new(
        DocumentLimits::from(&state.config.limits),
        state.metrics.clone(),
    );
    builder()
        .extension(pipeline)
        .data(db_loader(state.db.clone()))
        .data(state)
        .finish()
}

/// The SDL that `schema.graphql` must equal.
pub fn sdl() -> String {
    builder().finish().sdl()
}
