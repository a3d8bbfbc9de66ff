//! Adapter `hahn_air` (being written).

use crate::canonical::{AdapterError, Delivery, Request};

/// Understands one delivery.
///
/// # Errors
/// Every failing field, or an unknown topic.
pub fn normalize(request: Request<'_>) -> Result<Delivery, AdapterError> {
    Err(AdapterError::UnknownTopic(request.topic.unwrap_or_default().to_owned()))
}
