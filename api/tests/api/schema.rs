/// `schema.graphql` at the repository root is the exported SDL; clients and the frontend
/// generate code from it, so it must never drift from the server.
#[test]
fn schema_graphql_matches_the_server() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let exported = api::graphql::sdl();
    assert!(
        committed == exported,
        "schema.graphql is out of date; regenerate it with `cargo run -q -p api -- export-schema > schema.graphql`"
    );
}
