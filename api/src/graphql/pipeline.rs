//! The pipeline every GraphQL request goes through, over HTTP and WebSocket alike, as one
//! async-graphql extension registered in `build_schema`:
//! - before anything runs: the document's size, then (parsed once, here) its aliases,
//!   directives and fragment expansion, the range of every `Int` it passes and at most one
//!   password-checking mutation; after async-graphql's validation, its depth and cost;
//! - after: one classification of errors into `extensions.code` and the request metrics.
//!
//! A refusal is BAD_USER_INPUT with `extensions.limit` naming the setting that refused it; it
//! carries no path, so both transports treat it as a request error (nothing executed).

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest, NextRequest, NextSubscribe,
    NextValidation,
};
use async_graphql::parser::types::{
    ExecutableDocument, OperationDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{
    ErrorExtensionValues, Name, Positioned, Request, Response, ServerError, ServerResult,
    ValidationResult, Value, Variables,
};
use futures::StreamExt;
use futures::stream::BoxStream;

use crate::config::Limits;
use crate::error::{AppError, ErrorCode};
use crate::metrics::Metrics;

/// Root fields that check a password: one guess per request, so rate limits count guesses.
pub const PASSWORD_FIELDS: [&str; 3] = ["logIn", "signUp", "changePassword"];

/// The cost, size and shape limits of one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentLimits {
    pub max_query_bytes: usize,
    pub max_query_depth: usize,
    pub max_query_complexity: usize,
    pub max_aliases_per_field: usize,
    pub max_directives: usize,
}

impl From<&Limits> for DocumentLimits {
    fn from(limits: &Limits) -> DocumentLimits {
        DocumentLimits {
            max_query_bytes: limits.max_query_bytes,
            max_query_depth: limits.max_query_depth,
            max_query_complexity: limits.max_query_complexity,
            max_aliases_per_field: limits.max_aliases_per_field,
            max_directives: limits.max_directives,
        }
    }
}

/// A request refused by a limit: BAD_USER_INPUT, `field` `query` (or the argument at fault)
/// and `limit`, the setting that refused it.
fn refusal(limit: &'static str, field: &str, message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", ErrorCode::BadUserInput.as_str());
    extensions.set("field", field);
    extensions.set("limit", limit);
    error.extensions = Some(extensions);
    error
}

/// True for an error made by `refusal`.
pub fn is_limit_refusal(error: &ServerError) -> bool {
    error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("limit").is_some())
}

/// The refusal of a document longer than `max_bytes`, checked before it is parsed.
pub fn check_query_size(query: &str, max_bytes: usize) -> Result<(), ServerError> {
    if query.len() <= max_bytes {
        return Ok(());
    }
    Err(refusal(
        "max_query_bytes",
        "query",
        format!(
            "The query is {} bytes; at most {max_bytes} are accepted. Send a shorter document: \
             fewer fields or aliases, and variables instead of long inline values",
            query.len()
        ),
    ))
}

/// The checks of a parsed document that need no validation: aliases, directives, fragment
/// expansion, `Int` ranges and password mutations. Returns the selected operation's name.
pub fn check_document(
    registry: &Registry,
    document: &ExecutableDocument,
    variables: &Variables,
    operation_name: Option<&str>,
    limits: &DocumentLimits,
) -> Result<Option<String>, ServerError> {
    check_aliases(document, limits.max_aliases_per_field)?;
    check_directives(document, limits.max_directives)?;
    check_expansion(document, limits.max_query_complexity)?;
    let Some((name, operation)) = selected_operation(document, operation_name) else {
        // async-graphql reports the missing or ambiguous operation.
        return Ok(operation_name.map(str::to_owned));
    };
    check_required_variables(&operation.node, variables)?;
    InputRanges {
        registry,
        document,
        variables,
        operation: &operation.node,
        visited: HashSet::new(),
    }
    .check(
        root_type(registry, operation.node.ty),
        &operation.node.selection_set.node,
    )?;
    if operation.node.ty == OperationType::Mutation {
        check_password_fields(document, &operation.node)?;
    }
    Ok(name.map(|n| n.to_string()))
}

/// A non-null variable without a default must be sent: async-graphql would only notice when
/// a field uses it, after execution began.
fn check_required_variables(
    operation: &async_graphql::parser::types::OperationDefinition,
    variables: &Variables,
) -> Result<(), ServerError> {
    for definition in &operation.variable_definitions {
        let definition = &definition.node;
        let name = definition.name.node.as_str();
        let sent = variables
            .get(name)
            .is_some_and(|value| *value != async_graphql::Value::Null);
        if !definition.var_type.node.nullable && definition.default_value.is_none() && !sent {
            let mut error = ServerError::new(
                format!(
                    "Variable `${name}` of type `{}` is required: send a value for it in `variables`",
                    definition.var_type.node
                ),
                Some(definition.name.pos),
            );
            let mut extensions = ErrorExtensionValues::default();
            extensions.set("code", ErrorCode::BadUserInput.as_str());
            extensions.set("field", name);
            error.extensions = Some(extensions);
            return Err(error);
        }
    }
    Ok(())
}

fn root_type(registry: &Registry, ty: OperationType) -> &str {
    match ty {
        OperationType::Query => &registry.query_type,
        OperationType::Mutation => registry.mutation_type.as_deref().unwrap_or_default(),
        OperationType::Subscription => registry.subscription_type.as_deref().unwrap_or_default(),
    }
}

/// The operation a request runs: the one named, or the only one.
fn selected_operation<'d>(
    document: &'d ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<(Option<&'d Name>, &'d Positioned<OperationDefinition>)> {
    let mut operations = document.operations.iter();
    match operation_name {
        Some(wanted) => operations.find(|(name, _)| name.is_some_and(|n| n.as_str() == wanted)),
        None => {
            let only = operations.next()?;
            operations.next().is_none().then_some(only)
        }
    }
}

/// Every selection set of the document, operations and fragments alike.
fn selection_sets(document: &ExecutableDocument) -> Vec<&SelectionSet> {
    fn collect<'d>(set: &'d SelectionSet, into: &mut Vec<&'d SelectionSet>) {
        into.push(set);
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => collect(&field.node.selection_set.node, into),
                Selection::InlineFragment(inline) => collect(&inline.node.selection_set.node, into),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    let mut sets = Vec::new();
    for (_, operation) in document.operations.iter() {
        collect(&operation.node.selection_set.node, &mut sets);
    }
    for fragment in document.fragments.values() {
        collect(&fragment.node.selection_set.node, &mut sets);
    }
    sets
}

/// One field name may appear at most `max` times in one selection set, aliases included:
/// aliases are how one request asks for the same expensive thing many times.
fn check_aliases(document: &ExecutableDocument, max: usize) -> Result<(), ServerError> {
    for set in selection_sets(document) {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for item in &set.items {
            if let Selection::Field(field) = &item.node {
                let name = field.node.name.node.as_str();
                let count = counts.entry(name).or_default();
                *count += 1;
                if *count > max {
                    return Err(refusal(
                        "max_aliases_per_field",
                        name,
                        format!(
                            "`{name}` is selected more than {max} times in one selection set; \
                             ask for it at most {max} times per request and send the rest in \
                             other requests"
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// At most `max` directives in the whole document.
fn check_directives(document: &ExecutableDocument, max: usize) -> Result<(), ServerError> {
    let mut count = 0usize;
    for (_, operation) in document.operations.iter() {
        count += operation.node.directives.len();
        count += operation
            .node
            .variable_definitions
            .iter()
            .map(|v| v.node.directives.len())
            .sum::<usize>();
    }
    for fragment in document.fragments.values() {
        count += fragment.node.directives.len();
    }
    for set in selection_sets(document) {
        for item in &set.items {
            count += match &item.node {
                Selection::Field(field) => field.node.directives.len(),
                Selection::FragmentSpread(spread) => spread.node.directives.len(),
                Selection::InlineFragment(inline) => inline.node.directives.len(),
            };
        }
    }
    if count > max {
        return Err(refusal(
            "max_directives",
            "query",
            format!("The query has {count} directives; at most {max} are accepted"),
        ));
    }
    Ok(())
}

/// Fields the document has once its fragments are spread, counted without spreading them
/// (each fragment is counted once and reused), so fragments that spread each other twice per
/// level cannot make validation do exponential work. Every field costs at least 1, so a
/// document over the complexity limit here would be refused by the cost check anyway.
fn check_expansion(document: &ExecutableDocument, max: usize) -> Result<(), ServerError> {
    fn size<'d>(
        document: &'d ExecutableDocument,
        set: &'d SelectionSet,
        fragments: &mut HashMap<&'d str, usize>,
    ) -> usize {
        set.items.iter().fold(0usize, |total, item| {
            let item_size = match &item.node {
                Selection::Field(field) => {
                    1usize.saturating_add(size(document, &field.node.selection_set.node, fragments))
                }
                Selection::InlineFragment(inline) => {
                    size(document, &inline.node.selection_set.node, fragments)
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    match fragments.get(name).copied() {
                        Some(known) => known,
                        None => {
                            // A cycle counts as empty here; validation reports it.
                            fragments.insert(name, 0);
                            let fragment_size = document.fragments.get(name).map_or(0, |f| {
                                size(document, &f.node.selection_set.node, fragments)
                            });
                            fragments.insert(name, fragment_size);
                            fragment_size
                        }
                    }
                }
            };
            total.saturating_add(item_size)
        })
    }
    let mut fragments = HashMap::new();
    let total = document
        .operations
        .iter()
        .map(|(_, operation)| size(document, &operation.node.selection_set.node, &mut fragments))
        .fold(0usize, usize::saturating_add);
    if total > max {
        return Err(refusal(
            "max_query_complexity",
            "query",
            format!(
                "The query selects {total} fields once its fragments are spread; the limit is \
                 {max}. Select fewer fields or spread fewer fragments"
            ),
        ));
    }
    Ok(())
}

/// GraphQL's `Int` is a signed 32-bit integer; async-graphql's validation lets any 64-bit
/// number through and fails later, inside the resolver, as a field error. This walk checks
/// every argument (variables substituted, input objects and lists followed) before anything
/// runs, so an out-of-range number is a request error naming its argument.
struct InputRanges<'a> {
    registry: &'a Registry,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    operation: &'a OperationDefinition,
    visited: HashSet<&'a str>,
}

impl<'a> InputRanges<'a> {
    fn check(&mut self, parent: &str, set: &'a SelectionSet) -> Result<(), ServerError> {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let Some(meta) = self
                        .registry
                        .types
                        .get(parent)
                        .and_then(|t| t.field_by_name(field.node.name.node.as_str()))
                    else {
                        continue; // unknown fields are validation's to report
                    };
                    for (name, value) in &field.node.arguments {
                        let Some(argument) = meta.args.get(name.node.as_str()) else {
                            continue;
                        };
                        let value = value.node.clone().into_const_with(|variable| {
                            Ok::<_, Infallible>(self.variable(&variable))
                        });
                        let Ok(value) = value;
                        check_int_range(self.registry, &argument.ty, &value, name.node.as_str())?;
                        check_no_nul(&value, name.node.as_str())?;
                    }
                    let child = MetaTypeName::concrete_typename(&meta.ty).to_owned();
                    self.check(&child, &field.node.selection_set.node)?;
                }
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(parent, |c| c.node.on.node.as_str())
                        .to_owned();
                    self.check(&on, &inline.node.selection_set.node)?;
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if !self.visited.insert(name) {
                        continue;
                    }
                    if let Some(fragment) = self.document.fragments.get(name) {
                        let on = fragment.node.type_condition.node.on.node.as_str();
                        self.check(on, &fragment.node.selection_set.node)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn variable(&self, name: &Name) -> Value {
        self.variables
            .get(name)
            .cloned()
            .or_else(|| {
                self.operation
                    .variable_definitions
                    .iter()
                    .find(|d| d.node.name.node == *name)
                    .and_then(|d| d.node.default_value())
                    .cloned()
            })
            .unwrap_or(Value::Null)
    }
}

/// PostgreSQL text and JSON cannot hold U+0000, so a NUL anywhere in an argument would fail
/// deep in a write; it is refused up front instead, the same on every database.
fn check_no_nul(value: &Value, field: &str) -> Result<(), ServerError> {
    let has_nul = match value {
        Value::String(text) => text.contains('\0'),
        Value::List(items) => return items.iter().try_for_each(|v| check_no_nul(v, field)),
        Value::Object(fields) => {
            return fields
                .iter()
                .try_for_each(|(key, v)| check_no_nul(v, key.as_str()));
        }
        _ => false,
    };
    if has_nul {
        return Err(refusal(
            "text",
            field,
            format!(
                "`{field}` contains a NUL character (U+0000), which text cannot hold here; remove it"
            ),
        ));
    }
    Ok(())
}

fn check_int_range(
    registry: &Registry,
    ty: &str,
    value: &Value,
    field: &str,
) -> Result<(), ServerError> {
    match MetaTypeName::create(ty) {
        MetaTypeName::NonNull(inner) => check_int_range(registry, inner, value, field),
        MetaTypeName::List(inner) => match value {
            Value::List(items) => items
                .iter()
                .try_for_each(|item| check_int_range(registry, inner, item, field)),
            single => check_int_range(registry, inner, single, field),
        },
        MetaTypeName::Named("Int") => match value {
            Value::Number(n) if n.is_u64() || n.is_i64() => {
                let fits = n.as_i64().is_some_and(|i| i32::try_from(i).is_ok());
                if fits {
                    Ok(())
                } else {
                    Err(refusal(
                        "int_range",
                        field,
                        format!(
                            "`{field}` is {n}, but an Int is a 32-bit integer from {} to {}; \
                             pass a number in that range",
                            i32::MIN,
                            i32::MAX
                        ),
                    ))
                }
            }
            // Floats, strings and the like are validation's to report.
            _ => Ok(()),
        },
        MetaTypeName::Named(name) => match (registry.types.get(name), value) {
            (Some(MetaType::InputObject { input_fields, .. }), Value::Object(fields)) => fields
                .iter()
                .try_for_each(|(key, value)| match input_fields.get(key.as_str()) {
                    Some(input) => check_int_range(registry, &input.ty, value, key.as_str()),
                    None => Ok(()),
                }),
            _ => Ok(()),
        },
    }
}

/// At most one password-checking root field per mutation, aliases and fragments included.
fn check_password_fields(
    document: &ExecutableDocument,
    operation: &OperationDefinition,
) -> Result<(), ServerError> {
    fn collect<'d>(
        document: &'d ExecutableDocument,
        set: &'d SelectionSet,
        visited: &mut HashSet<&'d str>,
        keys: &mut HashSet<&'d str>,
    ) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    if PASSWORD_FIELDS.contains(&field.node.name.node.as_str()) {
                        keys.insert(field.node.response_key().node.as_str());
                    }
                }
                Selection::InlineFragment(inline) => {
                    collect(document, &inline.node.selection_set.node, visited, keys)
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if visited.insert(name)
                        && let Some(fragment) = document.fragments.get(name)
                    {
                        collect(document, &fragment.node.selection_set.node, visited, keys);
                    }
                }
            }
        }
    }
    let mut keys = HashSet::new();
    collect(
        document,
        &operation.selection_set.node,
        &mut HashSet::new(),
        &mut keys,
    );
    if keys.len() > 1 {
        return Err(refusal(
            "password_fields",
            "query",
            format!(
                "A request may run only one of {}; send each in a request of its own",
                PASSWORD_FIELDS.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Depth and cost, from async-graphql's validation (which multiplies list fields by their
/// page size through the `complexity` attributes).
fn check_cost(result: &ValidationResult, limits: &DocumentLimits) -> Result<(), ServerError> {
    if result.depth > limits.max_query_depth {
        return Err(refusal(
            "max_query_depth",
            "query",
            format!(
                "The query nests {} levels deep; at most {} are accepted. Fetch deeper objects \
                 in a second request, e.g. with node(id:)",
                result.depth, limits.max_query_depth
            ),
        ));
    }
    if result.complexity > limits.max_query_complexity {
        return Err(refusal(
            "max_query_complexity",
            "query",
            format!(
                "The query costs {}; at most {} is accepted. A list costs its page size \
                 (`first`, default 20) times what is selected in it: ask for smaller pages, \
                 fewer fields or fewer aliases",
                result.complexity, limits.max_query_complexity
            ),
        ));
    }
    Ok(())
}

/// An `AppError` as a response error, for errors raised outside the schema (such as a bad
/// bearer token on HTTP).
pub fn server_error(error: AppError) -> ServerError {
    let error: async_graphql::Error = error.into();
    let mut server_error = ServerError::new(error.message, None);
    server_error.extensions = error.extensions;
    server_error
}

fn error_code(error: &ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        Value::String(code) => Some(code),
        _ => None,
    }
}

/// Gives every error its `extensions.code`. Our resolvers set one on every error they
/// return (through `AppError`); what is left comes from async-graphql. Before execution that
/// is the document's or the variables' fault (parse and validation errors: BAD_USER_INPUT);
/// during execution it is ours (INTERNAL, logged, its text replaced).
pub fn classify_errors(response: &mut Response) {
    let before_execution = crate::graphql::is_request_error(response);
    for error in &mut response.errors {
        if error_code(error).is_some() {
            continue;
        }
        let code = if before_execution || is_input_coercion_error(&error.message) {
            ErrorCode::BadUserInput
        } else {
            tracing::error!(error = %error.message, path = ?error.path, "GraphQL error without a code");
            error.message = AppError::internal(anyhow::anyhow!("uncoded"))
                .message()
                .to_owned();
            ErrorCode::Internal
        };
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code.as_str());
    }
}

/// async-graphql coerces arguments and variables when a field runs, so a value of the wrong
/// shape fails there, with a path, rather than in validation. These are its messages for that
/// (`InputValueError` and an undefined variable): the client's input, not our failure.
fn is_input_coercion_error(message: &str) -> bool {
    message.starts_with("Expected input type \"")
        || message.starts_with("Failed to parse \"")
        || (message.starts_with("Variable ") && message.ends_with(" is not defined."))
}

/// Classifies a response's errors and records them, and the request, in the metrics. Used by
/// the extension for everything the schema answers and by HTTP for what it answers itself.
pub fn finish(
    metrics: &Metrics,
    operation: Option<&str>,
    started: Instant,
    response: &mut Response,
) {
    classify_errors(response);
    record_errors(metrics, response);
    record_request(metrics, operation, started);
}

fn record_errors(metrics: &Metrics, response: &Response) {
    for error in &response.errors {
        let code = error_code(error).unwrap_or(ErrorCode::Internal.as_str());
        metrics.graphql_errors.with_label_values(&[code]).inc();
    }
}

fn record_request(metrics: &Metrics, operation: Option<&str>, started: Instant) {
    let label = Metrics::operation_label(operation);
    metrics.graphql_requests.with_label_values(&[label]).inc();
    metrics
        .graphql_duration
        .with_label_values(&[label])
        .observe(started.elapsed().as_secs_f64());
}

/// The extension: one `RequestRun` per request.
pub struct RequestPipeline {
    limits: DocumentLimits,
    metrics: Arc<Metrics>,
}

impl RequestPipeline {
    pub fn new(limits: DocumentLimits, metrics: Arc<Metrics>) -> RequestPipeline {
        RequestPipeline { limits, metrics }
    }
}

impl ExtensionFactory for RequestPipeline {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestRun(Arc::new(RunState {
            limits: self.limits,
            metrics: self.metrics.clone(),
            started: Instant::now(),
            operation: Mutex::new(None),
            recorded: AtomicBool::new(false),
        })))
    }
}

struct RunState {
    limits: DocumentLimits,
    metrics: Arc<Metrics>,
    started: Instant,
    /// The operation's name: as requested, then as selected from the parsed document.
    operation: Mutex<Option<String>>,
    /// A subscription is counted once, at its first response.
    recorded: AtomicBool,
}

impl RunState {
    fn set_operation(&self, name: Option<String>) {
        if let Ok(mut operation) = self.operation.lock() {
            *operation = name;
        }
    }

    fn finish(&self, response: &mut Response) {
        classify_errors(response);
        record_errors(&self.metrics, response);
        if !self.recorded.swap(true, Ordering::Relaxed) {
            let operation = self.operation.lock().ok().and_then(|o| o.clone());
            record_request(&self.metrics, operation.as_deref(), self.started);
        }
    }
}

struct RequestRun(Arc<RunState>);

#[async_trait::async_trait]
impl Extension for RequestRun {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        self.0.finish(&mut response);
        response
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        let state = self.0.clone();
        next.run(ctx, stream)
            .map(move |mut response| {
                state.finish(&mut response);
                response
            })
            .boxed()
    }

    /// Everything about the document that needs no validation is checked here, before
    /// async-graphql's own checks: those follow fragment spreads without memory and would
    /// do exponential work on a fragment bomb.
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        self.0.set_operation(request.operation_name.clone());
        check_query_size(&request.query, self.0.limits.max_query_bytes)?;
        let document = async_graphql::parser::parse_query(&request.query)?;
        let selected = check_document(
            &ctx.schema_env.registry,
            &document,
            &request.variables,
            request.operation_name.as_deref(),
            &self.0.limits,
        )?;
        self.0.set_operation(selected);
        request.set_parsed_query(document);
        next.run(ctx, request).await
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        check_cost(&result, &self.0.limits).map_err(|e| vec![e])?;
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;
    use async_graphql::{PathSegment, Response};

    use super::*;

    fn limit_of(error: &ServerError) -> Option<String> {
        match error.extensions.as_ref()?.get("limit")? {
            Value::String(limit) => Some(limit.clone()),
            _ => None,
        }
    }

    #[test]
    fn aliases_are_counted_per_field_name_in_each_selection_set() {
        let aliases = |n: usize| {
            (0..n)
                .map(|i| format!("a{i}: viewer {{ id }}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let ok = parse_query(format!("{{ {} x: models {{ id }} }}", aliases(3))).unwrap();
        assert!(check_aliases(&ok, 3).is_ok());
        let refused = parse_query(format!("{{ {} }}", aliases(4))).unwrap();
        let error = check_aliases(&refused, 3).unwrap_err();
        assert_eq!(limit_of(&error).as_deref(), Some("max_aliases_per_field"));
        assert!(error.message.contains("`viewer`"));
        let in_fragment = parse_query(format!(
            "{{ ...F }} fragment F on Query {{ {} }}",
            aliases(4)
        ))
        .unwrap();
        assert!(check_aliases(&in_fragment, 3).is_err());
    }

    #[test]
    fn directives_are_counted_across_the_whole_document() {
        let document =
            parse_query("query Q @a { x @b ... @c { y } ...F @d } fragment F on Query @e { z @f }")
                .unwrap();
        assert!(check_directives(&document, 6).is_ok());
        assert!(check_directives(&document, 5).is_err());
    }

    #[test]
    fn fragment_expansion_is_counted_without_spreading() {
        let mut text = String::from("{ ...F0 }");
        for i in 0..60 {
            text.push_str(&format!(
                " fragment F{i} on Query {{ ...F{n} ...F{n} }}",
                n = i + 1
            ));
        }
        text.push_str(" fragment F60 on Query { a }");
        let document = parse_query(text).unwrap();
        let error = check_expansion(&document, 1_000_000).unwrap_err();
        assert_eq!(limit_of(&error).as_deref(), Some("max_query_complexity"));

        let cyclic = parse_query("{ ...A } fragment A on Q { b ...A }").unwrap();
        assert!(check_expansion(&cyclic, 10).is_ok());
    }

    #[test]
    fn documents_over_the_byte_limit_are_refused() {
        assert!(check_query_size("{ a }", 5).is_ok());
        let error = check_query_size("{ ab }", 5).unwrap_err();
        assert_eq!(limit_of(&error).as_deref(), Some("max_query_bytes"));
    }

    #[test]
    fn errors_without_a_code_are_bad_input_before_execution_and_internal_during_it() {
        let mut before = Response::from_errors(vec![ServerError::new("Unknown field", None)]);
        classify_errors(&mut before);
        assert_eq!(
            before.errors[0].extensions.as_ref().unwrap().get("code"),
            Some(&Value::from("BAD_USER_INPUT"))
        );

        let mut during = Response::new(Value::Null);
        let mut error = ServerError::new("Data `Secret` does not exist.", None);
        error.path = vec![PathSegment::Field("viewer".into())];
        during.errors.push(error);
        let coded: async_graphql::Error = AppError::not_found("image").into();
        let mut coded = coded.into_server_error(Default::default());
        coded.path = vec![PathSegment::Field("node".into())];
        during.errors.push(coded);
        classify_errors(&mut during);
        let code = |e: &ServerError| e.extensions.as_ref().unwrap().get("code").cloned();
        assert_eq!(code(&during.errors[0]), Some(Value::from("INTERNAL")));
        assert!(!during.errors[0].message.contains("Secret"));
        assert_eq!(code(&during.errors[1]), Some(Value::from("NOT_FOUND")));
    }
}
