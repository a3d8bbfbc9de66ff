//! The partner registry (`PARTNERS_CONFIG`, CONTRACT §2): who may post to which URL,
//! through which adapter, and how they authenticate.
//!
//! Loaded once at start-up. Any mistake stops the process with a message naming the
//! partner and the field; secrets are resolved (`env:VAR`) here so that a missing
//! variable is found before the first delivery, not during it.

use std::collections::HashMap;
use std::path::Path;

use common::Secret;
use serde::Deserialize;

use crate::adapters::AdapterKind;

/// How a partner proves who it is.
#[derive(Debug, Clone)]
pub enum Auth {
    None,
    /// Query parameter `token` or header `X-Webhook-Token`.
    Token(Secret),
    Basic {
        username: String,
        password: Secret,
    },
    /// Client credentials exchanged at `/oauth/token` for a bearer JWT.
    OAuth2 {
        client_id: String,
        client_secret: Secret,
        token_ttl_s: u64,
    },
    /// Standard Webhooks signature; the key is the decoded base64 part of `whsec_…`.
    Hmac(Vec<u8>),
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

/// One registered partner.
#[derive(Debug, Clone)]
pub struct Partner {
    /// The URL segment: `/webhooks/{name}/…`.
    pub name: String,
    pub adapter: AdapterKind,
    pub auth: Auth,
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
    token: Option<String>,
    username: Option<String>,
    password: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    token_ttl_s: Option<u64>,
    secret: Option<String>,
}

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
        Self::parse(&text, &|var| std::env::var(var).ok())
    }

    /// Parses registry text; `env` resolves `env:VAR` references.
    ///
    /// # Errors
    /// As [`Registry::load`].
    pub fn parse(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, RegistryError> {
        let file: File = toml::from_str(text).map_err(|e| RegistryError::Syntax(e.to_string()))?;
        let mut partners = HashMap::new();
        for (index, raw) in file.partner.into_iter().enumerate() {
            let partner = raw.resolve(index, env)?;
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

impl RawPartner {
    fn resolve(
        self,
        index: usize,
        env: &dyn Fn(&str) -> Option<String>,
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
        let adapter = AdapterKind::from_name(&adapter_name).ok_or_else(|| {
            field_error(&name, "adapter", format!("is {adapter_name:?}; expected one of hahn_air, airgateway, spotnana, traxo, ground_transfer"))
        })?;
        let secret =
            |field: &'static str, value: Option<String>| -> Result<Secret, RegistryError> {
                let value = value.ok_or_else(|| field_error(&name, field, "is missing"))?;
                resolve_secret(&name, field, &value, env)
            };
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
            "hmac" => Auth::Hmac(decode_whsec(
                &name,
                secret("secret", self.secret)?.expose(),
            )?),
            other => {
                return Err(field_error(
                    &name,
                    "auth",
                    format!("is {other:?}; expected one of none, token, basic, oauth2, hmac"),
                ))
            }
        };
        Ok(Partner {
            name,
            adapter,
            auth,
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

/// The key of a Standard Webhooks secret: the base64 after `whsec_` (the prefix is optional).
fn decode_whsec(partner: &str, secret: &str) -> Result<Vec<u8>, RegistryError> {
    use base64::Engine;
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()
        .filter(|key| !key.is_empty())
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

    #[test]
    fn the_contract_example_loads() {
        let text = include_str!("../../partners.toml");
        let registry = Registry::parse(text, &|_| Some("x".into())).expect("valid registry");
        assert_eq!(
            registry.get("spotnana").map(|p| p.adapter),
            Some(AdapterKind::Spotnana)
        );
        assert!(registry.needs_token_secret());
        assert!(
            matches!(registry.get("transfers").map(|p| &p.auth), Some(Auth::Hmac(key)) if !key.is_empty())
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
    fn secrets_do_not_print() {
        let registry = Registry::parse(
            "[[partner]]\nname='x'\nadapter='hahn_air'\nauth='token'\ntoken='hunter2'",
            &env,
        )
        .unwrap();
        assert!(!format!("{registry:?}").contains("hunter2"));
    }
}
