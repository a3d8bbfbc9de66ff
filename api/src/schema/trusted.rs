//! Trusted documents (CONTRACT §6 rev. 2, *Persisted operations*): with
//! `API_TRUSTED_DOCUMENTS=DIR`, a landing token may run only the operations of the
//! `.graphql` files in DIR; analysts are not restricted.
//!
//! The unit is the file: a request is trusted when its query text equals one file's
//! text once both are normalised ([`tokens::normalise`]: layout, commas and comments do
//! not count), and a file with several operations is run by `operationName` like any
//! document. A file's operations are also registered as persisted queries under the
//! SHA-256 of the file's exact text, so a client built from the same files can send the
//! hash alone from its first request.
//!
//! [`tokens::normalise`]: super::limits::tokens::normalise

use std::{
    collections::{HashMap, HashSet},
    path::{Path, PathBuf},
    sync::Arc,
};

use anyhow::{bail, Context};
use async_graphql::parser::types::DocumentOperations;

use super::{
    limits::{parse_within_limits, tokens::normalise},
    persisted::sha256_hex,
};

/// The operations landing tokens may run, read once at start-up.
#[derive(Debug, Default)]
pub struct TrustedDocuments {
    /// Normalised text of every file.
    normalised: HashSet<String>,
    /// Each file's exact text by its SHA-256 (lower-case hex).
    by_hash: HashMap<String, Arc<str>>,
}

impl TrustedDocuments {
    /// Reads every `.graphql` file in `dir` (not its sub-folders).
    ///
    /// # Errors
    /// When `dir` cannot be read or holds no `.graphql` file, or a file cannot be read,
    /// does not parse within the query limits, or holds no operation; the message names
    /// the file.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let entries = std::fs::read_dir(dir)
            .with_context(|| format!("API_TRUSTED_DOCUMENTS: reading {}", dir.display()))?;
        let mut files: Vec<PathBuf> = Vec::new();
        for entry in entries {
            let path = entry
                .with_context(|| format!("API_TRUSTED_DOCUMENTS: reading {}", dir.display()))?
                .path();
            if path.is_file() && path.extension().is_some_and(|ext| ext == "graphql") {
                files.push(path);
            }
        }
        files.sort();
        if files.is_empty() {
            bail!(
                "API_TRUSTED_DOCUMENTS: {} holds no .graphql file, so landing tokens could \
                 run nothing",
                dir.display()
            );
        }
        let mut trusted = Self::default();
        for path in files {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("API_TRUSTED_DOCUMENTS: reading {}", path.display()))?;
            trusted
                .add(&text)
                .with_context(|| format!("API_TRUSTED_DOCUMENTS: {}", path.display()))?;
        }
        Ok(trusted)
    }

    /// Adds one document's text.
    ///
    /// # Errors
    /// When it does not parse within the query limits or holds no operation.
    pub fn add(&mut self, text: &str) -> anyhow::Result<()> {
        let document = parse_within_limits(text)
            .map_err(|error| anyhow::anyhow!("not a GraphQL document: {}", error.message))?;
        let operations = match &document.operations {
            DocumentOperations::Single(_) => 1,
            DocumentOperations::Multiple(operations) => operations.len(),
        };
        if operations == 0 {
            bail!("holds no operation (only fragments)");
        }
        self.normalised.insert(normalise(text));
        self.by_hash.insert(sha256_hex(text), Arc::from(text));
        Ok(())
    }

    /// Whether `query` is one of the trusted documents (layout aside).
    pub fn allows(&self, query: &str) -> bool {
        self.normalised.contains(&normalise(query))
    }

    /// The trusted document whose exact text has this SHA-256.
    pub fn by_hash(&self, hash: &str) -> Option<Arc<str>> {
        self.by_hash.get(hash).cloned()
    }

    /// How many documents are trusted.
    pub fn len(&self) -> usize {
        self.normalised.len()
    }

    pub fn is_empty(&self) -> bool {
        self.normalised.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_match_whatever_their_layout_and_by_the_hash_of_their_text() {
        let text = "query Trip($id: ID!) {\n  booking(id: $id) { status }\n}\n";
        let mut trusted = TrustedDocuments::default();
        trusted.add(text).unwrap();
        assert!(trusted.allows("query Trip($id:ID!){booking(id:$id){status}} # same"));
        assert!(!trusted.allows("query Trip($id: ID!) { booking(id: $id) { reference } }"));
        assert_eq!(trusted.by_hash(&sha256_hex(text)).as_deref(), Some(text));
    }

    #[test]
    fn a_file_without_an_operation_or_that_does_not_parse_is_refused() {
        let mut trusted = TrustedDocuments::default();
        assert!(trusted.add("fragment F on Booking { id }").is_err());
        assert!(trusted.add("query { booking(").is_err());
        assert!(trusted.is_empty());
    }
}
