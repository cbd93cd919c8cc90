//! Typed errors of the image API client.

/// Why a listing failed. (Skeleton: the API client work owns the variants.)
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No credentials were configured.
    #[error(
        "no Tencent Cloud credentials: set secret_id and secret_key in the provider block, \
         or QCLOUD_SECRET_ID and QCLOUD_SECRET_KEY in the environment"
    )]
    MissingCredentials,
    /// The listing was cancelled (Terraform sent StopProvider).
    #[error("cancelled: Terraform asked the provider to stop")]
    Cancelled,
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// True when the listing ended because it was cancelled.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Error::Cancelled)
    }
}
