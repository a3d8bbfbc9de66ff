//! The sample deliveries the README's start command loads go through the real
//! endpoints, authenticated as each partner would, and all of them are accepted.

use tests::{partners, spawn_app};

#[tokio::test]
async fn every_sample_delivery_is_accepted_and_makes_bookings_for_every_partner() {
    let app = spawn_app().await;
    let registry =
        std::env::temp_dir().join(format!("tripgraph-samples-{}.toml", uuid::Uuid::new_v4()));
    std::fs::write(&registry, partners::REGISTRY).unwrap();
    let config = ingest::config::Config {
        database_url: app.database_url.clone(),
        addr: "127.0.0.1:0".parse().unwrap(),
        partners_config: registry.clone(),
        token_secret: None,
        body_limit: ingest::http::DEFAULT_BODY_LIMIT,
        db_connections: 1,
        archive_retention_days: None,
    };
    ingest::samples::load(&config, &app.ingest)
        .await
        .expect("every sample accepted");
    std::fs::remove_file(registry).ok();

    for (partner, reference) in [
        ("hahn-air", "HA7Q2K9"),
        ("hahn-air", "1234"),
        ("airgateway", "AGW-5F3K8M2Q"),
        ("spotnana", "6926658168"),
        ("traxo", "211111111111111111"),
        ("transfers", "44225562"),
    ] {
        assert!(
            app.booking(partner, reference).await.is_some(),
            "{partner}/{reference}"
        );
    }
    let traxo = app.booking("traxo", "211111111111111111").await.unwrap();
    assert_eq!(
        app.segments(traxo.id).await.len(),
        1,
        "the Traxo flight joins its trip"
    );
    let three_legs = app.booking("hahn-air", "1234").await.unwrap();
    assert_eq!(app.segments(three_legs.id).await.len(), 3);
    assert_eq!(
        app.booking("hahn-air", "HA5M1N0").await.unwrap().status,
        entity::BookingStatus::Cancelled
    );
    assert_eq!(
        app.booking("spotnana", "6926658168").await.unwrap().status,
        entity::BookingStatus::Ticketed
    );
}
