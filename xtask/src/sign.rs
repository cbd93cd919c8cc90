//! The detached GPG signature the Registry requires next to `SHA256SUMS`: binary (not
//! armored), made by `gpg --detach-sign` with the key the caller names.
//!
//! Must not depend on the provider crate: it only runs `gpg`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Who signs, and with which keyring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// The key: a fingerprint, key id or user id, as `gpg --local-user` takes it.
    pub key: String,
    /// The GnuPG home holding the key; `None` for gpg's default (or `GNUPGHOME`).
    pub home: Option<PathBuf>,
}

impl Signer {
    /// A signer using `key` from the default keyring.
    pub fn new(key: impl Into<String>) -> Self {
        Self { key: key.into(), home: None }
    }

    /// Writes `FILE.sig`, a detached binary signature of `file`, and returns its path.
    pub fn sign(&self, file: &Path) -> Result<PathBuf, String> {
        let mut signature = file.as_os_str().to_owned();
        signature.push(".sig");
        let signature = PathBuf::from(signature);
        let mut gpg = Command::new("gpg");
        if let Some(home) = &self.home {
            gpg.env("GNUPGHOME", home);
        }
        let output = gpg
            .args(["--batch", "--yes", "--local-user", &self.key, "--output"])
            .arg(&signature)
            .arg("--detach-sign")
            .arg(file)
            .output()
            .map_err(|e| format!("could not run gpg (install GnuPG to sign releases): {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "gpg could not sign {} with key {:?} ({}): {}",
                file.display(),
                self.key,
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        Ok(signature)
    }
}
