//! `ingest load-samples`: sends a realistic set of deliveries (one trip or more per
//! partner, a three-leg Hahn Air trip, a Spotnana pair out of order, a cancellation)
//! through the real HTTP endpoints of a running ingest, authenticating each exactly as
//! the partner would, so that a newcomer sees bookings at once.

use anyhow::Context;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;

use crate::config::Config;
use crate::registry::{Auth, Partner, Registry};

/// The bundled deliveries, in the order they are sent.
const DELIVERIES: &str = include_str!("../samples/deliveries.json");

#[derive(Debug, Deserialize)]
struct Sample {
    partner: String,
    topic: Option<String>,
    about: String,
    body: Value,
}

/// Sends every sample delivery to the ingest at `url`.
///
/// # Errors
/// When the registry cannot be loaded, a sample names a partner it lacks, the ingest
/// cannot be reached, or any delivery is answered with something other than 2xx.
pub async fn load(config: &Config, url: &str) -> anyhow::Result<()> {
    let registry = Registry::load(&config.partners_config).with_context(|| {
        format!(
            "loading the partner registry {}",
            config.partners_config.display()
        )
    })?;
    let samples: Vec<Sample> =
        serde_json::from_str(DELIVERIES).context("reading the bundled samples")?;
    let client = reqwest::Client::new();
    let url = url.trim_end_matches('/');
    let mut refused = 0;
    for (n, sample) in samples.iter().enumerate() {
        let partner = registry.get(&sample.partner).with_context(|| {
            format!(
                "the registry has no partner {:?}, which the samples use",
                sample.partner
            )
        })?;
        let path = match &sample.topic {
            Some(topic) => format!("{url}/webhooks/{}/{topic}", partner.name),
            None => format!("{url}/webhooks/{}", partner.name),
        };
        let body = sample.body.to_string();
        let request = client
            .post(&path)
            .header("content-type", "application/json")
            .body(body.clone());
        let request = authenticate(&client, url, partner, request, &body, n).await?;
        let response = request
            .send()
            .await
            .with_context(|| format!("sending to {path}"))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let outcome = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v["status"].as_str().map(str::to_owned))
            .unwrap_or_else(|| {
                if text.is_empty() {
                    "no content".into()
                } else {
                    text.clone()
                }
            });
        println!(
            "{:>3} {:<10} {} — {} → {} {}",
            n + 1,
            partner.name,
            sample.topic.as_deref().unwrap_or("-"),
            sample.about,
            status.as_u16(),
            outcome
        );
        refused += usize::from(!status.is_success());
    }
    if refused > 0 {
        anyhow::bail!(
            "{refused} of {} sample deliveries were refused",
            samples.len()
        );
    }
    Ok(())
}

async fn authenticate(
    client: &reqwest::Client,
    url: &str,
    partner: &Partner,
    request: reqwest::RequestBuilder,
    body: &str,
    n: usize,
) -> anyhow::Result<reqwest::RequestBuilder> {
    Ok(match &partner.auth {
        Auth::None => request,
        Auth::Token(token) => request.header("x-webhook-token", token.newest().expose()),
        Auth::Basic { username, password } => {
            request.basic_auth(username, Some(password.newest().expose()))
        }
        Auth::OAuth2 {
            client_id,
            client_secret,
            ..
        } => {
            let form = format!(
                "grant_type=client_credentials&client_id={client_id}&client_secret={}",
                form_encode(client_secret.newest().expose())
            );
            let reply: Value = client
                .post(format!("{url}/oauth/token"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form)
                .send()
                .await
                .context("requesting an access token")?
                .json()
                .await
                .context("reading the access token")?;
            let token = reply["access_token"]
                .as_str()
                .context("the token endpoint returned no access_token")?;
            request.bearer_auth(token)
        }
        Auth::Hmac(signing) => {
            let id = format!("msg_sample_{n}_{}", uuid::Uuid::new_v4().simple());
            let timestamp = chrono::Utc::now().timestamp().to_string();
            let key = signing
                .keys
                .first()
                .context("samples are signed with a secret; this partner has only a public key")?;
            let mut mac = Hmac::<Sha256>::new_from_slice(key.expose()).context("signing key")?;
            mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
            let signature =
                base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
            let [id_header, timestamp_header, signature_header] = signing.header_names();
            request
                .header(id_header, id)
                .header(timestamp_header, timestamp)
                .header(signature_header, format!("v1,{signature}"))
        }
    })
}

fn form_encode(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)])
        .map(|s| s.trim_start_matches("v=").to_owned())
        .unwrap_or_default()
}
