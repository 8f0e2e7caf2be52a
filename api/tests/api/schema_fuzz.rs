//! Property: whatever operation a client builds from the live schema (random fields, random
//! arguments of the right and the wrong type, huge numbers, odd strings, real and forged ids
//! and cursors), the server answers it without a 5xx, a panic or an INTERNAL error.
//!
//! The schema comes from introspecting a real server; operations are built from a tape of
//! random numbers, so proptest can shrink a failure to a short tape. The run is bounded by
//! RENDERMART_FUZZ_SECONDS (default 20) and RENDERMART_FUZZ_CASES (default 3000).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

const INTROSPECTION: &str = r#"
{ __schema {
    queryType { name } mutationType { name }
    types { name kind
      fields { name args { name type { ...T } } type { ...T } }
      inputFields { name type { ...T } }
      enumValues { name }
      possibleTypes { name } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
"#;

#[derive(Debug, Clone)]
enum TypeRef {
    Named(String),
    List(Box<TypeRef>),
    NonNull(Box<TypeRef>),
}

impl TypeRef {
    fn from_json(value: &Value) -> TypeRef {
        match value["kind"].as_str() {
            Some("NON_NULL") => TypeRef::NonNull(Box::new(TypeRef::from_json(&value["ofType"]))),
            Some("LIST") => TypeRef::List(Box::new(TypeRef::from_json(&value["ofType"]))),
            _ => TypeRef::Named(value["name"].as_str().unwrap_or_default().to_owned()),
        }
    }

    fn base(&self) -> &str {
        match self {
            TypeRef::Named(name) => name,
            TypeRef::List(inner) | TypeRef::NonNull(inner) => inner.base(),
        }
    }

    /// As written in a variable definition.
    fn written(&self) -> String {
        match self {
            TypeRef::Named(name) => name.clone(),
            TypeRef::List(inner) => format!("[{}]", inner.written()),
            TypeRef::NonNull(inner) => format!("{}!", inner.written()),
        }
    }
}

#[derive(Debug)]
struct FieldDef {
    name: String,
    args: Vec<(String, TypeRef)>,
    ty: TypeRef,
}

#[derive(Debug, Default)]
struct TypeDef {
    kind: String,
    fields: Vec<FieldDef>,
    input_fields: Vec<(String, TypeRef)>,
    enum_values: Vec<String>,
    possible_types: Vec<String>,
}

struct SchemaModel {
    types: HashMap<String, TypeDef>,
    query: String,
    mutation: Option<String>,
}

impl SchemaModel {
    fn from_introspection(schema: &Value) -> SchemaModel {
        let args = |list: &Value| -> Vec<(String, TypeRef)> {
            list.as_array()
                .into_iter()
                .flatten()
                .map(|a| {
                    (
                        a["name"].as_str().unwrap().to_owned(),
                        TypeRef::from_json(&a["type"]),
                    )
                })
                .collect()
        };
        let mut types = HashMap::new();
        for ty in schema["types"].as_array().unwrap() {
            let name = ty["name"].as_str().unwrap().to_owned();
            let def = TypeDef {
                kind: ty["kind"].as_str().unwrap().to_owned(),
                fields: ty["fields"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|f| FieldDef {
                        name: f["name"].as_str().unwrap().to_owned(),
                        args: args(&f["args"]),
                        ty: TypeRef::from_json(&f["type"]),
                    })
                    .collect(),
                input_fields: args(&ty["inputFields"]),
                enum_values: ty["enumValues"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|v| v["name"].as_str().unwrap().to_owned())
                    .collect(),
                possible_types: ty["possibleTypes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|v| v["name"].as_str().unwrap().to_owned())
                    .collect(),
            };
            types.insert(name, def);
        }
        SchemaModel {
            types,
            query: schema["queryType"]["name"].as_str().unwrap().to_owned(),
            mutation: schema["mutationType"]["name"].as_str().map(str::to_owned),
        }
    }
}

/// Random choices, read in order; past its end it wraps around.
struct Tape<'a> {
    numbers: &'a [u32],
    position: usize,
}

impl Tape<'_> {
    fn next(&mut self) -> u32 {
        let n = self.numbers[self.position % self.numbers.len()];
        self.position += 1;
        n
    }

    fn pick(&mut self, n: usize) -> usize {
        self.next() as usize % n.max(1)
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.next() % 100 < percent
    }

    fn choose<'v, T>(&mut self, values: &'v [T]) -> &'v T {
        &values[self.pick(values.len())]
    }
}

/// An argument value, written inline or sent as a variable.
#[derive(Debug, Clone)]
enum Lit {
    Json(Value),
    /// A number JSON cannot carry exactly, written as is.
    Raw(String),
    Enum(String),
    Object(Vec<(String, Lit)>),
    List(Vec<Lit>),
}

impl Lit {
    fn inline(&self) -> String {
        match self {
            Lit::Json(value) => value.to_string(),
            Lit::Raw(text) | Lit::Enum(text) => text.clone(),
            Lit::Object(fields) => format!(
                "{{{}}}",
                fields
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.inline()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Lit::List(items) => format!(
                "[{}]",
                items.iter().map(Lit::inline).collect::<Vec<_>>().join(", ")
            ),
        }
    }

    fn json(&self) -> Value {
        match self {
            Lit::Json(value) => value.clone(),
            Lit::Raw(text) => serde_json::from_str(text).unwrap_or(Value::Null),
            Lit::Enum(name) => Value::String(name.clone()),
            Lit::Object(fields) => {
                Value::Object(fields.iter().map(|(k, v)| (k.clone(), v.json())).collect())
            }
            Lit::List(items) => Value::Array(items.iter().map(Lit::json).collect()),
        }
    }
}

/// Real values the server handed out, so some arguments reach past the id parsers.
struct Known {
    ids: Vec<String>,
    cursors: Vec<String>,
}

struct Generator<'a> {
    schema: &'a SchemaModel,
    known: &'a Known,
}

/// An operation being built: its variable definitions and values.
#[derive(Default)]
struct Operation {
    definitions: Vec<String>,
    variables: serde_json::Map<String, Value>,
}

const ODD_STRINGS: [&str; 12] = [
    "",
    " ",
    "x",
    "💥🖼️",
    "\u{0}\u{1}\u{7f}",
    "'; DROP TABLE users; --",
    "%00%ff",
    "\\",
    "\"quoted\"",
    "<script>alert(1)</script>",
    "a@b",
    "null",
];

const INTS: [&str; 14] = [
    "0",
    "1",
    "-1",
    "4",
    "20",
    "100",
    "101",
    "512",
    "2147483647",
    "-2147483648",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "18446744073709551615",
];

impl Generator<'_> {
    fn operation(&self, tape: &mut Tape<'_>) -> (String, Value) {
        let mutation = tape.chance(30) && self.schema.mutation.is_some();
        let root = if mutation {
            self.schema.mutation.as_deref().unwrap_or_default()
        } else {
            self.schema.query.as_str()
        };
        let mut operation = Operation::default();
        let count = 1 + tape.pick(3);
        let selections: Vec<String> = (0..count)
            .map(|i| self.field(tape, root, 0, i, &mut operation))
            .collect();
        let definitions = if operation.definitions.is_empty() {
            String::new()
        } else {
            format!("({})", operation.definitions.join(", "))
        };
        let keyword = if mutation { "mutation" } else { "query" };
        (
            format!("{keyword} Fuzz{definitions} {{ {} }}", selections.join(" ")),
            Value::Object(operation.variables),
        )
    }

    fn field(
        &self,
        tape: &mut Tape<'_>,
        parent: &str,
        depth: usize,
        index: usize,
        operation: &mut Operation,
    ) -> String {
        let Some(ty) = self.schema.types.get(parent) else {
            return "__typename".into();
        };
        if ty.fields.is_empty() {
            return "__typename".into();
        }
        let field = tape.choose(&ty.fields);
        let mut text = format!("f{depth}_{index}: {}", field.name);
        let mut arguments = Vec::new();
        for (name, arg_type) in &field.args {
            let required = matches!(arg_type, TypeRef::NonNull(_));
            if !required && !tape.chance(60) {
                continue;
            }
            let value = self.value(tape, arg_type, name, 0);
            if tape.chance(30) {
                let variable = format!("v{}", operation.definitions.len());
                operation
                    .definitions
                    .push(format!("${variable}: {}", arg_type.written()));
                operation.variables.insert(variable.clone(), value.json());
                arguments.push(format!("{name}: ${variable}"));
            } else {
                arguments.push(format!("{name}: {}", value.inline()));
            }
        }
        if !arguments.is_empty() {
            text.push_str(&format!("({})", arguments.join(", ")));
        }
        text.push_str(&self.selection(tape, field.ty.base(), depth + 1, operation));
        text
    }

    fn selection(
        &self,
        tape: &mut Tape<'_>,
        type_name: &str,
        depth: usize,
        operation: &mut Operation,
    ) -> String {
        let Some(ty) = self.schema.types.get(type_name) else {
            return String::new();
        };
        match ty.kind.as_str() {
            "OBJECT" | "INTERFACE" | "UNION" => {
                let mut items = vec!["__typename".to_owned()];
                if depth < 5 {
                    if !ty.fields.is_empty() {
                        for i in 0..1 + tape.pick(3) {
                            items.push(self.field(tape, type_name, depth, i, operation));
                        }
                    }
                    if !ty.possible_types.is_empty() && tape.chance(50) {
                        let concrete = tape.choose(&ty.possible_types).clone();
                        let inner = self.field(tape, &concrete, depth, 9, operation);
                        items.push(format!("... on {concrete} {{ {inner} }}"));
                    }
                }
                format!(" {{ {} }}", items.join(" "))
            }
            _ => String::new(),
        }
    }

    fn value(&self, tape: &mut Tape<'_>, ty: &TypeRef, name: &str, depth: usize) -> Lit {
        if tape.chance(15) {
            return self.wrong_value(tape);
        }
        match ty {
            TypeRef::NonNull(inner) => self.value(tape, inner, name, depth),
            TypeRef::List(inner) => {
                if tape.chance(20) {
                    return self.value(tape, inner, name, depth + 1);
                }
                let items = if depth > 2 { 0 } else { tape.pick(4) };
                Lit::List(
                    (0..items)
                        .map(|_| self.value(tape, inner, name, depth + 1))
                        .collect(),
                )
            }
            TypeRef::Named(type_name) => self.named_value(tape, type_name, name, depth),
        }
    }

    fn named_value(&self, tape: &mut Tape<'_>, type_name: &str, name: &str, depth: usize) -> Lit {
        match type_name {
            "Int" => Lit::Raw((*tape.choose(&INTS)).to_owned()),
            "Float" => Lit::Raw(
                (*tape.choose(&["0", "-1.5", "7.5", "1e300", "-1e-300", "30", "3000000000"]))
                    .to_owned(),
            ),
            "Boolean" => Lit::Json(json!(tape.chance(50))),
            "String" if name == "after" && !self.known.cursors.is_empty() && tape.chance(50) => {
                Lit::Json(json!(tape.choose(&self.known.cursors)))
            }
            "ID" if tape.chance(60) && !self.known.ids.is_empty() => {
                Lit::Json(json!(tape.choose(&self.known.ids)))
            }
            "String" | "ID" => Lit::Json(json!(self.odd_string(tape))),
            _ => match self.schema.types.get(type_name) {
                Some(def) if def.kind == "ENUM" => {
                    if tape.chance(15) || def.enum_values.is_empty() {
                        Lit::Enum("NOT_A_VALUE".into())
                    } else {
                        Lit::Enum(tape.choose(&def.enum_values).clone())
                    }
                }
                Some(def) if def.kind == "INPUT_OBJECT" && depth < 4 => {
                    let mut fields = Vec::new();
                    for (field, field_type) in &def.input_fields {
                        if matches!(field_type, TypeRef::NonNull(_)) || tape.chance(50) {
                            fields.push((
                                field.clone(),
                                self.value(tape, field_type, field, depth + 1),
                            ));
                        }
                    }
                    if tape.chance(5) {
                        fields.push(("notAField".into(), Lit::Json(json!(1))));
                    }
                    Lit::Object(fields)
                }
                // Custom scalars (DateTime, JSON, …) get strings and numbers.
                _ => Lit::Json(json!(self.odd_string(tape))),
            },
        }
    }

    fn odd_string(&self, tape: &mut Tape<'_>) -> String {
        match tape.pick(6) {
            0 => "x".repeat(1 + tape.pick(5000)),
            // Base64 of typed-looking but broken ids and cursors.
            1 => {
                use base64::Engine as _;
                let inner = *tape.choose(&[
                    "Image:not-a-uuid",
                    "User:00000000-0000-0000-0000-000000000000",
                    "Generation:",
                    "9999999999999999999|00000000-0000-0000-0000-000000000000",
                    "-9223372036854775808|0",
                    "1|",
                    "Nope:0",
                ]);
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(inner)
            }
            _ => (*tape.choose(&ODD_STRINGS)).to_owned(),
        }
    }

    fn wrong_value(&self, tape: &mut Tape<'_>) -> Lit {
        match tape.pick(8) {
            0 => Lit::Json(json!("a string")),
            1 => Lit::Raw((*tape.choose(&INTS)).to_owned()),
            2 => Lit::Raw("1.5".into()),
            3 => Lit::Json(json!(true)),
            4 => Lit::Json(Value::Null),
            5 => Lit::Enum("SOME_ENUM".into()),
            6 => Lit::Object(vec![("a".into(), Lit::Json(json!(1)))]),
            _ => Lit::List(vec![Lit::Json(json!(1)), Lit::Json(json!("two"))]),
        }
    }
}

async fn post(app: &TestApp, query: &str, variables: &Value, token: Option<&str>) -> (u16, String) {
    let mut request = app
        .client
        .post(format!("{}/api/graphql", app.url))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request
        .send()
        .await
        .expect("the server closed the connection");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// Why a response breaks the property, if it does.
fn violation(status: u16, body: &str) -> Option<String> {
    if status >= 500 {
        return Some(format!("status {status}"));
    }
    let Ok(body) = serde_json::from_str::<Value>(body) else {
        return Some("the body is not JSON".into());
    };
    for error in body["errors"].as_array().into_iter().flatten() {
        match error["extensions"]["code"].as_str() {
            None => return Some(format!("an error without a code: {error}")),
            Some("INTERNAL") => return Some(format!("an INTERNAL error: {error}")),
            Some(_) => {}
        }
    }
    None
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_operations_from_the_live_schema_never_fail_inside_the_server() {
    let app = spawn_app().await;
    let token = app.sign_up("fuzz@example.com").await;
    let generation = app
        .generate(&token, json!({ "prompt": "a lighthouse" }))
        .await;
    let finished = app.finished(&token, &generation).await;
    let listed = app
        .gql(
            "{ viewer { id apiKeys { id } } generations(first: 1) { edges { cursor } } }",
            json!({}),
            Some(&token),
        )
        .await;
    let mut ids = vec![
        generation,
        listed.data()["viewer"]["id"].as_str().unwrap().to_owned(),
    ];
    ids.extend(
        finished["images"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i["id"].as_str().map(str::to_owned)),
    );
    let known = Known {
        ids,
        cursors: vec![
            listed.data()["generations"]["edges"][0]["cursor"]
                .as_str()
                .unwrap()
                .to_owned(),
        ],
    };
    let introspection = app.gql(INTROSPECTION, json!({}), None).await;
    let schema = SchemaModel::from_introspection(&introspection.data()["__schema"]);
    let generator = Generator {
        schema: &schema,
        known: &known,
    };

    let budget = Duration::from_secs(env_number("RENDERMART_FUZZ_SECONDS", 20));
    let cases = env_number("RENDERMART_FUZZ_CASES", 3000) as u32;
    let deadline = Instant::now() + budget;
    let runtime = tokio::runtime::Handle::current();
    let ran = AtomicU32::new(0);
    let result = tokio::task::block_in_place(|| {
        let mut runner = TestRunner::new(Config {
            cases,
            max_shrink_iters: 500,
            max_shrink_time: 20_000,
            failure_persistence: None,
            ..Config::default()
        });
        runner.run(&vec(any::<u32>(), 16..128), |numbers| {
            if Instant::now() > deadline {
                return Ok(());
            }
            ran.fetch_add(1, Ordering::Relaxed);
            let mut tape = Tape {
                numbers: &numbers,
                position: 0,
            };
            let anonymous = tape.chance(20);
            let (query, variables) = generator.operation(&mut tape);
            let token = (!anonymous).then_some(token.as_str());
            let (status, body) = runtime.block_on(post(&app, &query, &variables, token));
            match violation(status, &body) {
                None => Ok(()),
                Some(why) => Err(TestCaseError::fail(format!(
                    "{why}\nquery: {query}\nvariables: {variables}\nresponse: {status} {body}"
                ))),
            }
        })
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    let ran = ran.into_inner();
    assert!(ran > 20, "only {ran} operations ran in {budget:?}");
    // Still serving after all that.
    assert_eq!(app.get("/api/healthz").await.status(), 200);
}
