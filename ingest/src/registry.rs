//! The partner registry (`PARTNERS_CONFIG`, CONTRACT §2): who may post to which URL,
//! through which adapter, and how they authenticate.
//!
//! Loaded once at start-up. Any mistake stops the process with a message naming the
//! partner and the field; secrets are resolved (`env:VAR`) here so that a missing
//! variable is found before the first delivery, not during it.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::path::Path;
use std::sync::{Arc, RwLock};

use common::Secret;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde::Deserialize;

use crate::adapters::mapping::Mapping;
use crate::adapters::SharedAdapter;

/// How a partner proves who it is. Every secret is a list, newest first: during a
/// rotation the old and the new value both authenticate (CONTRACT §2 rev. 2).
#[derive(Debug, Clone)]
pub enum Auth {
    None,
    /// Query parameter `token` or header `X-Webhook-Token`.
    Token(Secrets),
    Basic {
        username: String,
        password: Secrets,
    },
    /// Client credentials exchanged at `/oauth/token` for a bearer JWT.
    OAuth2 {
        client_id: String,
        client_secret: Secrets,
        token_ttl_s: u64,
    },
    /// Standard Webhooks signatures (HMAC `v1` and/or ed25519 `v1a`).
    Hmac(Signing),
}

impl Auth {
    /// The registry word for this scheme.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Token(_) => "token",
            Self::Basic { .. } => "basic",
            Self::OAuth2 { .. } => "oauth2",
            Self::Hmac(_) => "hmac",
        }
    }
}

/// The values of one secret field, newest first; never empty.
#[derive(Debug, Clone)]
pub struct Secrets(Vec<Secret>);

impl Secrets {
    /// # Panics
    /// When `values` is empty (the registry never builds an empty list).
    pub fn new(values: Vec<Secret>) -> Self {
        assert!(!values.is_empty(), "a secret field has at least one value");
        Self(values)
    }

    /// The newest value (the one to use when *we* must present the secret).
    pub fn newest(&self) -> &Secret {
        &self.0[0]
    }

    pub fn iter(&self) -> impl Iterator<Item = &Secret> {
        self.0.iter()
    }
}

impl From<Secret> for Secrets {
    fn from(secret: Secret) -> Self {
        Self(vec![secret])
    }
}

/// How an `hmac` partner signs: the Standard Webhooks scheme with the partner's header
/// names, clock tolerance, HMAC keys (`secret`) and ed25519 public keys (`public_key`).
#[derive(Debug, Clone)]
pub struct Signing {
    /// `webhook` reads `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    pub header_prefix: String,
    pub tolerance_s: u64,
    /// Decoded `whsec_…` keys, newest first.
    pub keys: Vec<SecretBytes>,
    /// Decoded `whpk_…` keys, newest first.
    pub public_keys: Vec<ed25519_dalek::VerifyingKey>,
}

impl Signing {
    /// The three header names, e.g. `svix-id`, `svix-timestamp`, `svix-signature`.
    pub fn header_names(&self) -> [String; 3] {
        ["id", "timestamp", "signature"].map(|part| format!("{}-{part}", self.header_prefix))
    }
}

/// Bytes of a signing key, never shown by `Debug`.
#[derive(Clone)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The key itself, for signing or verifying only.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBytes(***)")
    }
}

/// One registered partner.
#[derive(Debug, Clone)]
pub struct Partner {
    /// The URL segment: `/webhooks/{name}/…`.
    pub name: String,
    pub adapter: SharedAdapter,
    pub auth: Auth,
    /// Deliveries per second, with bursts of the same size (`rate_limit`).
    pub rate_limit: Option<RateLimit>,
}

/// A partner's `rate_limit`: the number, and the limiter that enforces it across every
/// connection (shared by the clones of a registry, and kept across a reload that does
/// not change the number).
#[derive(Clone)]
pub struct RateLimit {
    pub per_second: NonZeroU32,
    pub limiter: Arc<DefaultDirectRateLimiter>,
}

impl RateLimit {
    pub fn new(per_second: NonZeroU32) -> Self {
        Self {
            per_second,
            limiter: Arc::new(RateLimiter::direct(Quota::per_second(per_second))),
        }
    }
}

impl std::fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RateLimit({}/s)", self.per_second)
    }
}

/// All partners, by name.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    partners: HashMap<String, Partner>,
}

/// A registry that cannot be used; the message names the partner and the field.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("cannot read the partner registry {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the partner registry is not valid TOML: {0}")]
    Syntax(String),
    #[error("partner {partner:?}: field `{field}` {problem}")]
    Field {
        partner: String,
        field: &'static str,
        problem: String,
    },
    #[error("partner #{index}: field `name` is missing")]
    Unnamed { index: usize },
}

/// Default lifetime of issued access tokens.
const DEFAULT_TOKEN_TTL_S: u64 = 3600;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    partner: Vec<RawPartner>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPartner {
    name: Option<String>,
    adapter: Option<String>,
    auth: Option<String>,
    token: Option<OneOrMany>,
    username: Option<String>,
    password: Option<OneOrMany>,
    client_id: Option<String>,
    client_secret: Option<OneOrMany>,
    token_ttl_s: Option<u64>,
    secret: Option<OneOrMany>,
    public_key: Option<OneOrMany>,
    header_prefix: Option<String>,
    tolerance_s: Option<u64>,
    rate_limit: Option<i64>,
    /// `adapter = "mapping"`: the mapping file, relative to the registry file.
    mapping: Option<String>,
}

/// A secret field: one value, or a list of them newest first.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            Self::One(value) => vec![value],
            Self::Many(values) => values,
        }
    }
}

/// Default Standard Webhooks header prefix and clock tolerance.
const DEFAULT_HEADER_PREFIX: &str = "webhook";
const DEFAULT_TOLERANCE_S: u64 = 5 * 60;

impl Registry {
    /// Reads and validates the registry file, resolving `env:VAR` secrets from the
    /// process environment.
    ///
    /// # Errors
    /// A [`RegistryError`] naming the partner and the field at fault.
    pub fn load(path: &Path) -> Result<Self, RegistryError> {
        let text = std::fs::read_to_string(path).map_err(|source| RegistryError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        Self::parse_at(&text, &|var| std::env::var(var).ok(), base)
    }

    /// Parses registry text; `env` resolves `env:VAR` references.
    ///
    /// # Errors
    /// As [`Registry::load`].
    pub fn parse(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, RegistryError> {
        Self::parse_at(text, env, Path::new(""))
    }

    /// Parses registry text whose `mapping` paths are relative to `base` (the registry
    /// file's folder). Every mapping file is read and checked here, so that start-up and
    /// a `SIGHUP` reload both refuse a bad one (CONTRACT §4.6).
    ///
    /// # Errors
    /// As [`Registry::load`]; a bad mapping names the partner, then the mapping's file,
    /// line and key.
    pub fn parse_at(
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
        base: &Path,
    ) -> Result<Self, RegistryError> {
        let file: File = toml::from_str(text).map_err(|e| RegistryError::Syntax(e.to_string()))?;
        let mut partners = HashMap::new();
        for (index, raw) in file.partner.into_iter().enumerate() {
            let partner = raw.resolve(index, env, base)?;
            if partners.contains_key(&partner.name) {
                return Err(field_error(
                    &partner.name,
                    "name",
                    "is used by another partner: names must be unique",
                ));
            }
            partners.insert(partner.name.clone(), partner);
        }
        Ok(Self { partners })
    }

    /// A registry of the given partners (tests, samples).
    pub fn from_partners(list: impl IntoIterator<Item = Partner>) -> Self {
        Self {
            partners: list.into_iter().map(|p| (p.name.clone(), p)).collect(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Partner> {
        self.partners.get(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Partner> {
        self.partners.values()
    }

    /// Whether any partner authenticates with OAuth 2.0 (then a signing key is required).
    pub fn needs_token_secret(&self) -> bool {
        self.iter().any(|p| matches!(p.auth, Auth::OAuth2 { .. }))
    }

    /// The OAuth partner with this client id.
    pub fn by_client_id(&self, client_id: &str) -> Option<&Partner> {
        self.iter()
            .find(|p| matches!(&p.auth, Auth::OAuth2 { client_id: id, .. } if id == client_id))
    }
}

/// The registry in force, replaceable while the ingest runs (`SIGHUP`): each request
/// takes a snapshot, so requests in flight finish with the registry they started with.
#[derive(Debug, Clone)]
pub struct SharedRegistry(Arc<RwLock<Arc<Registry>>>);

impl SharedRegistry {
    pub fn new(registry: Registry) -> Self {
        Self(Arc::new(RwLock::new(Arc::new(registry))))
    }

    /// The registry in force now.
    pub fn current(&self) -> Arc<Registry> {
        Arc::clone(
            &self
                .0
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Puts `next` in force. A partner whose `rate_limit` is unchanged keeps its
    /// limiter, so a reload is no way around a limit.
    pub fn replace(&self, mut next: Registry) {
        let mut guard = self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for partner in next.partners.values_mut() {
            let old = guard.get(&partner.name).and_then(|p| p.rate_limit.as_ref());
            if let (Some(new), Some(old)) = (partner.rate_limit.as_mut(), old) {
                if new.per_second == old.per_second {
                    new.limiter = Arc::clone(&old.limiter);
                }
            }
        }
        *guard = Arc::new(next);
    }
}

impl RawPartner {
    fn resolve(
        self,
        index: usize,
        env: &dyn Fn(&str) -> Option<String>,
        base: &Path,
    ) -> Result<Partner, RegistryError> {
        let name = self
            .name
            .filter(|n| !n.trim().is_empty())
            .ok_or(RegistryError::Unnamed { index })?;
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(field_error(
                &name,
                "name",
                "must be a URL segment: letters, digits, '-' and '_' only",
            ));
        }
        let adapter_name = self
            .adapter
            .ok_or_else(|| field_error(&name, "adapter", "is missing"))?;
        let adapter = match (adapter_name.as_str(), &self.mapping) {
            ("mapping", Some(file)) => {
                let mapping = Mapping::load_shared(&base.join(file))
                    .map_err(|e| field_error(&name, "mapping", format!("{file:?}: {e}")))?;
                std::sync::Arc::new(mapping) as SharedAdapter
            }
            ("mapping", None) => {
                return Err(field_error(
                    &name,
                    "mapping",
                    "is missing: adapter = \"mapping\" needs mapping = \"mappings/<name>.toml\" (relative to the registry file)",
                ))
            }
            (_, Some(_)) => {
                return Err(field_error(
                    &name,
                    "mapping",
                    format!("is only read with adapter = \"mapping\" (this partner has adapter = {adapter_name:?})"),
                ))
            }
            (_, None) => adapters::built_in(&adapter_name).ok_or_else(|| {
                field_error(&name, "adapter", adapters::unknown_adapter(&adapter_name))
            })?,
        };
        let secrets =
            |field: &'static str, value: Option<OneOrMany>| -> Result<Vec<Secret>, RegistryError> {
                let values = value
                    .ok_or_else(|| field_error(&name, field, "is missing"))?
                    .into_vec();
                if values.is_empty() {
                    return Err(field_error(&name, field, "is an empty list"));
                }
                values
                    .iter()
                    .map(|value| resolve_secret(&name, field, value, env))
                    .collect()
            };
        let secret =
            |field: &'static str, value: Option<OneOrMany>| secrets(field, value).map(Secrets::new);
        let plain = |field: &'static str, value: Option<String>| -> Result<String, RegistryError> {
            value
                .filter(|v| !v.is_empty())
                .ok_or_else(|| field_error(&name, field, "is missing"))
        };
        let auth_kind = self
            .auth
            .ok_or_else(|| field_error(&name, "auth", "is missing"))?;
        let auth = match auth_kind.as_str() {
            "none" => Auth::None,
            "token" => Auth::Token(secret("token", self.token)?),
            "basic" => Auth::Basic {
                username: plain("username", self.username)?,
                password: secret("password", self.password)?,
            },
            "oauth2" => {
                let ttl = self.token_ttl_s.unwrap_or(DEFAULT_TOKEN_TTL_S);
                if ttl == 0 {
                    return Err(field_error(
                        &name,
                        "token_ttl_s",
                        "must be at least 1 second",
                    ));
                }
                Auth::OAuth2 {
                    client_id: plain("client_id", self.client_id)?,
                    client_secret: secret("client_secret", self.client_secret)?,
                    token_ttl_s: ttl,
                }
            }
            "hmac" => {
                if self.secret.is_none() && self.public_key.is_none() {
                    return Err(field_error(
                        &name,
                        "secret",
                        "is missing: an hmac partner needs `secret` (whsec_…), `public_key` (whpk_…) or both",
                    ));
                }
                let keys = match self.secret {
                    Some(value) => secrets("secret", Some(value))?
                        .iter()
                        .map(|s| decode_whsec(&name, s.expose()))
                        .collect::<Result<_, _>>()?,
                    None => Vec::new(),
                };
                let public_keys = match self.public_key {
                    Some(value) => secrets("public_key", Some(value))?
                        .iter()
                        .map(|s| decode_whpk(&name, s.expose()))
                        .collect::<Result<_, _>>()?,
                    None => Vec::new(),
                };
                let header_prefix = self
                    .header_prefix
                    .unwrap_or_else(|| DEFAULT_HEADER_PREFIX.to_owned());
                if header_prefix.is_empty()
                    || !header_prefix
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    return Err(field_error(
                        &name,
                        "header_prefix",
                        "must be a header-name prefix: letters, digits, '-' and '_', e.g. \"x-spotnana-webhook\"",
                    ));
                }
                Auth::Hmac(Signing {
                    header_prefix: header_prefix.to_ascii_lowercase(),
                    tolerance_s: self.tolerance_s.unwrap_or(DEFAULT_TOLERANCE_S),
                    keys,
                    public_keys,
                })
            }
            other => {
                return Err(field_error(
                    &name,
                    "auth",
                    format!("is {other:?}; expected one of none, token, basic, oauth2, hmac"),
                ))
            }
        };
        let rate_limit = match self.rate_limit {
            None => None,
            Some(n) => Some(RateLimit::new(
                u32::try_from(n)
                    .ok()
                    .and_then(NonZeroU32::new)
                    .ok_or_else(|| {
                        field_error(
                            &name,
                            "rate_limit",
                            format!("is {n}; expected deliveries per second, at least 1"),
                        )
                    })?,
            )),
        };
        Ok(Partner {
            name,
            adapter,
            auth,
            rate_limit,
        })
    }
}

fn resolve_secret(
    partner: &str,
    field: &'static str,
    value: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Secret, RegistryError> {
    let resolved = match value.strip_prefix("env:") {
        Some(var) => env(var).filter(|v| !v.is_empty()).ok_or_else(|| {
            field_error(
                partner,
                field,
                format!("refers to environment variable {var}, which is not set"),
            )
        })?,
        None => value.to_owned(),
    };
    if resolved.is_empty() {
        return Err(field_error(partner, field, "is empty"));
    }
    Ok(Secret::new(resolved))
}

/// The key of a Standard Webhooks public key: 32 bytes of base64 after `whpk_`.
fn decode_whpk(partner: &str, key: &str) -> Result<ed25519_dalek::VerifyingKey, RegistryError> {
    use base64::Engine;
    let encoded = key.strip_prefix("whpk_").unwrap_or(key);
    base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .and_then(|bytes| ed25519_dalek::VerifyingKey::from_bytes(&bytes).ok())
        .ok_or_else(|| {
            field_error(
                partner,
                "public_key",
                "must be a Standard Webhooks public key: whpk_ followed by the base64 of 32 bytes (an ed25519 key)",
            )
        })
}

/// The key of a Standard Webhooks secret: the base64 after `whsec_` (the prefix is optional).
fn decode_whsec(partner: &str, secret: &str) -> Result<SecretBytes, RegistryError> {
    use base64::Engine;
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()
        .filter(|key| !key.is_empty())
        .map(SecretBytes::new)
        .ok_or_else(|| {
            field_error(
                partner,
                "secret",
                "must be a Standard Webhooks secret: whsec_ followed by base64",
            )
        })
}

fn field_error(partner: &str, field: &'static str, problem: impl Into<String>) -> RegistryError {
    RegistryError::Field {
        partner: partner.to_owned(),
        field,
        problem: problem.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(var: &str) -> Option<String> {
        (var == "SET").then(|| "value".to_owned())
    }

    fn message(text: &str) -> String {
        Registry::parse(text, &env).unwrap_err().to_string()
    }

    /// A registry file beside a mapping file, in a fresh folder.
    fn folder_with(mapping: &str) -> tempdir::Folder {
        let folder = tempdir::Folder::new();
        std::fs::create_dir_all(folder.path().join("mappings")).unwrap();
        std::fs::write(folder.path().join("mappings/acme.toml"), mapping).unwrap();
        std::fs::write(
            folder.path().join("partners.toml"),
            "[[partner]]\nname='acme'\nadapter='mapping'\nmapping='mappings/acme.toml'\nauth='none'\n",
        )
        .unwrap();
        folder
    }

    mod tempdir {
        /// A folder under the system temp dir, removed when dropped.
        pub struct Folder(std::path::PathBuf);
        impl Folder {
            pub fn new() -> Self {
                static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
                let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let path =
                    std::env::temp_dir().join(format!("registry-test-{}-{n}", std::process::id()));
                std::fs::create_dir_all(&path).unwrap();
                Self(path)
            }
            pub fn path(&self) -> &std::path::Path {
                &self.0
            }
        }
        impl Drop for Folder {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    const ACME: &str = "[events.created]\nchange = 'create'\n[booking]\nreference = '/id'\n";

    #[test]
    fn a_mapping_partner_loads_its_file_relative_to_the_registry() {
        let folder = folder_with(ACME);
        let registry = Registry::load(&folder.path().join("partners.toml")).unwrap();
        let partner = registry.get("acme").unwrap();
        assert_eq!(partner.adapter.name(), "mapping");
    }

    #[test]
    fn a_bad_mapping_stops_the_load_naming_partner_file_line_and_key() {
        let folder = folder_with(&ACME.replace("reference", "referenc"));
        let m = Registry::load(&folder.path().join("partners.toml"))
            .unwrap_err()
            .to_string();
        assert!(m.contains("\"acme\"") && m.contains("`mapping`"), "{m}");
        assert!(m.contains("acme.toml:4: key `booking.referenc`"), "{m}");
    }

    #[test]
    fn a_mapping_partner_needs_its_file_and_only_it_takes_one() {
        let m = message("[[partner]]\nname='x'\nadapter='mapping'\nauth='none'");
        assert!(m.contains("`mapping`") && m.contains("is missing"), "{m}");
        let m = message("[[partner]]\nname='x'\nadapter='traxo'\nmapping='m.toml'\nauth='none'");
        assert!(m.contains("`mapping`") && m.contains("only read"), "{m}");
        let m = message(
            "[[partner]]\nname='x'\nadapter='mapping'\nmapping='nowhere.toml'\nauth='none'",
        );
        assert!(
            m.contains("nowhere.toml") && m.contains("cannot be read"),
            "{m}"
        );
    }

    #[test]
    fn the_contract_example_loads() {
        let text = include_str!("../../partners.toml");
        let env = |var: &str| {
            Some(match var {
                "TRANSFERS_WEBHOOK_SECRET" => "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
                _ => "x".into(),
            })
        };
        let registry = Registry::parse(text, &env).expect("valid registry");
        assert_eq!(
            registry.get("spotnana").map(|p| p.adapter.name()),
            Some("spotnana")
        );
        assert!(registry.needs_token_secret());
        assert!(
            matches!(registry.get("transfers").map(|p| &p.auth), Some(Auth::Hmac(signing)) if signing.keys.len() == 1)
        );
    }

    #[test]
    fn an_unknown_adapter_names_partner_and_field() {
        let m = message("[[partner]]\nname='x'\nadapter='sabre'\nauth='none'");
        assert!(
            m.contains("\"x\"") && m.contains("`adapter`") && m.contains("sabre"),
            "{m}"
        );
    }

    #[test]
    fn an_unknown_auth_kind_names_partner_and_field() {
        let m = message("[[partner]]\nname='x'\nadapter='traxo'\nauth='digest'");
        assert!(
            m.contains("\"x\"") && m.contains("`auth`") && m.contains("digest"),
            "{m}"
        );
    }

    #[test]
    fn a_missing_secret_names_partner_and_field() {
        let m = message("[[partner]]\nname='x'\nadapter='traxo'\nauth='basic'\nusername='u'");
        assert!(
            m.contains("\"x\"") && m.contains("`password`") && m.contains("missing"),
            "{m}"
        );
        let m = message("[[partner]]\nname='y'\nadapter='hahn_air'\nauth='token'");
        assert!(m.contains("\"y\"") && m.contains("`token`"), "{m}");
    }

    #[test]
    fn an_unset_env_variable_names_partner_field_and_variable() {
        let m =
            message("[[partner]]\nname='x'\nadapter='hahn_air'\nauth='token'\ntoken='env:NOT_SET'");
        assert!(
            m.contains("\"x\"") && m.contains("`token`") && m.contains("NOT_SET"),
            "{m}"
        );
        assert!(Registry::parse(
            "[[partner]]\nname='x'\nadapter='hahn_air'\nauth='token'\ntoken='env:SET'",
            &env
        )
        .is_ok());
    }

    #[test]
    fn a_duplicate_name_is_refused() {
        let one = "[[partner]]\nname='x'\nadapter='traxo'\nauth='none'\n";
        let m = message(&format!("{one}{one}"));
        assert!(
            m.contains("\"x\"") && m.contains("`name`") && m.contains("unique"),
            "{m}"
        );
    }

    #[test]
    fn a_bad_hmac_secret_is_refused() {
        let m = message(
            "[[partner]]\nname='x'\nadapter='ground_transfer'\nauth='hmac'\nsecret='whsec_***'",
        );
        assert!(m.contains("`secret`"), "{m}");
    }

    #[test]
    fn rotation_lists_signature_variants_and_rate_limits_are_read() {
        let text = r#"
[[partner]]
name = "t"
adapter = "hahn_air"
auth = "token"
token = ["new", "env:SET"]
rate_limit = 200

[[partner]]
name = "h"
adapter = "spotnana"
auth = "hmac"
header_prefix = "X-Spotnana-Webhook"
tolerance_s = 60
public_key = "whpk_11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
"#;
        let registry = Registry::parse(text, &env).unwrap();
        let t = registry.get("t").unwrap();
        let Auth::Token(tokens) = &t.auth else {
            panic!()
        };
        let values: Vec<_> = tokens.iter().map(Secret::expose).collect();
        assert_eq!(values, ["new", "value"]);
        assert_eq!(t.rate_limit.as_ref().map(|r| r.per_second.get()), Some(200));
        let Auth::Hmac(signing) = &registry.get("h").unwrap().auth else {
            panic!()
        };
        assert_eq!(signing.header_names()[2], "x-spotnana-webhook-signature");
        assert_eq!(
            (
                signing.tolerance_s,
                signing.keys.len(),
                signing.public_keys.len()
            ),
            (60, 0, 1)
        );
    }

    #[test]
    fn bad_rotation_signature_and_rate_limit_fields_name_partner_and_field() {
        let base = "[[partner]]\nname='x'\nadapter='ground_transfer'\nauth='hmac'\n";
        for (extra, field) in [
            ("", "`secret`"),
            ("secret=[]", "`secret`"),
            ("public_key='whpk_AAAA'", "`public_key`"),
            (
                "secret='whsec_AAAA'\nheader_prefix='bad prefix'",
                "`header_prefix`",
            ),
            ("secret='whsec_AAAA'\nrate_limit=0", "`rate_limit`"),
            ("secret='whsec_AAAA'\nrate_limit=-5", "`rate_limit`"),
            ("secret=['whsec_AAAA', 'env:NOT_SET']", "NOT_SET"),
        ] {
            let m = message(&format!("{base}{extra}"));
            assert!(m.contains("\"x\"") && m.contains(field), "{extra}: {m}");
        }
    }

    #[test]
    fn a_reload_keeps_the_limiter_of_an_unchanged_rate_limit() {
        let text = |rate: u32| {
            format!("[[partner]]\nname='x'\nadapter='traxo'\nauth='none'\nrate_limit={rate}")
        };
        let shared = SharedRegistry::new(Registry::parse(&text(1), &env).unwrap());
        let limiter = |r: &SharedRegistry| {
            Arc::clone(
                &r.current()
                    .get("x")
                    .unwrap()
                    .rate_limit
                    .as_ref()
                    .unwrap()
                    .limiter,
            )
        };
        assert!(limiter(&shared).check().is_ok());
        assert!(limiter(&shared).check().is_err(), "the burst of 1 is spent");
        shared.replace(Registry::parse(&text(1), &env).unwrap());
        assert!(
            limiter(&shared).check().is_err(),
            "a reload is no way around a limit"
        );
        shared.replace(Registry::parse(&text(2), &env).unwrap());
        assert!(
            limiter(&shared).check().is_ok(),
            "a new limit starts afresh"
        );
    }

    #[test]
    fn secrets_do_not_print() {
        let registry = Registry::parse(
            "[[partner]]\nname='x'\nadapter='hahn_air'\nauth='token'\ntoken='hunter2'",
            &env,
        )
        .unwrap();
        assert!(!format!("{registry:?}").contains("hunter2"));
    }
}
