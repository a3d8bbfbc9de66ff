//! The registry every end-to-end test runs with, and the credentials to match.

use crate::Auth;

pub const HAHN_TOKEN: &str = "hahn-test-token";
pub const AGW_USER: &str = "agw";
pub const AGW_PASSWORD: &str = "agw-test-password";
pub const SPOTNANA_CLIENT: &str = "spotnana-client";
pub const SPOTNANA_SECRET: &str = "spotnana-test-secret";
pub const TRAXO_USER: &str = "traxo";
pub const TRAXO_PASSWORD: &str = "traxo-test-password";
/// The Standard Webhooks secret from CONTRACT §2.
pub const TRANSFERS_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

pub const REGISTRY: &str = r#"
[[partner]]
name = "hahn-air"
adapter = "hahn_air"
auth = "token"
token = "hahn-test-token"

[[partner]]
name = "airgateway"
adapter = "airgateway"
auth = "basic"
username = "agw"
password = "agw-test-password"

[[partner]]
name = "spotnana"
adapter = "spotnana"
auth = "oauth2"
client_id = "spotnana-client"
client_secret = "spotnana-test-secret"
token_ttl_s = 3600

[[partner]]
name = "spotnana-eu"
adapter = "spotnana"
auth = "oauth2"
client_id = "spotnana-eu-client"
client_secret = "spotnana-eu-secret"

[[partner]]
name = "traxo"
adapter = "traxo"
auth = "basic"
username = "traxo"
password = "traxo-test-password"

[[partner]]
name = "transfers"
adapter = "ground_transfer"
auth = "hmac"
secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

[[partner]]
name = "open-air"
adapter = "hahn_air"
auth = "none"
"#;

pub fn hahn() -> Auth {
    Auth::TokenHeader(HAHN_TOKEN.into())
}

pub fn agw() -> Auth {
    Auth::Basic(AGW_USER.into(), AGW_PASSWORD.into())
}

pub fn spotnana() -> Auth {
    Auth::OAuth(SPOTNANA_CLIENT.into(), SPOTNANA_SECRET.into())
}

pub fn traxo() -> Auth {
    Auth::Basic(TRAXO_USER.into(), TRAXO_PASSWORD.into())
}

/// A fresh Standard Webhooks signature (unique message id).
pub fn transfers() -> Auth {
    Auth::Hmac {
        secret: TRANSFERS_SECRET.into(),
        id: format!("msg_{}", uuid::Uuid::new_v4().simple()),
        skew_s: 0,
    }
}
