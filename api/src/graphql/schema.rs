use async_graphql::{MergedObject, MergedSubscription, Schema};

use super::account::{AccountMutation, AccountQuery};
use super::generation::{GenerationMutation, GenerationQuery, GenerationSubscription};
use super::loaders::db_loader;
use super::models::ModelsQuery;
use super::node::NodeQuery;
use crate::state::AppState;

#[derive(MergedObject, Default)]
pub struct Query(AccountQuery, ModelsQuery, GenerationQuery, NodeQuery);

#[derive(MergedObject, Default)]
pub struct Mutation(AccountMutation, GenerationMutation);

#[derive(MergedSubscription, Default)]
pub struct Subscription(GenerationSubscription);

pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// Deepest nesting a query may have; deep enough for GraphiQL's introspection query.
const MAX_DEPTH: usize = 16;
const MAX_COMPLEXITY: usize = 10_000;

fn builder() -> async_graphql::SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
}

/// The one constructor of the executable schema.
pub fn build_schema(state: AppState) -> AppSchema {
    builder()
        .data(db_loader(state.db.clone()))
        .data(state)
        .finish()
}

/// The SDL that `schema.graphql` must equal.
pub fn sdl() -> String {
    builder().finish().sdl()
}
