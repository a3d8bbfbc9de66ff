//! `schema.graphql` at the top of the workspace is the schema the code serves.
//! To update it: `cargo run -p api -- print-schema > schema.graphql`.

use crate::support::TestDb;

#[tokio::test]
async fn schema_graphql_matches_the_schema_the_api_serves() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql");
    let database = TestDb::new().await;
    let served = api::build_schema(database.db.clone()).sdl();
    assert_eq!(
        served,
        api::schema::sdl(),
        "print-schema prints what is served"
    );
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        on_disk == served,
        "schema.graphql is out of date: run `cargo run -p api -- print-schema > schema.graphql`"
    );
}
