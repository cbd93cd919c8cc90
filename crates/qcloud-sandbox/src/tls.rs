//! HTTPS for the sandbox: a fresh certificate authority, a server certificate it signs for
//! `localhost`, `127.0.0.1` and `::1` (and any other names asked for), and the TLS settings the
//! server accepts connections with (TLS 1.2 and 1.3; ALPN `h2` and `http/1.1`, both served).
//!
//! A client trusts the sandbox by trusting the CA, e.g. `SSL_CERT_FILE=ca.pem`; a client that
//! does not trust it sees an unknown issuer, as with any server whose CA it does not know.
//!
//! Must not depend on the server or on anything of the API.

use std::path::Path;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The names every sandbox certificate holds.
pub const DEFAULT_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Making a key or certificate failed.
    #[error("cannot make the sandbox's certificates: {0}")]
    Certificate(#[from] rcgen::Error),
    /// rustls refused the settings.
    #[error("cannot set up TLS: {0}")]
    Rustls(#[from] rustls::Error),
    /// The listener could not be used.
    #[error("cannot serve HTTPS: {0}")]
    Listener(#[from] std::io::Error),
    /// Writing the CA certificate failed.
    #[error("cannot write the CA certificate to {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// A CA and the server certificate it signed: what a TLS sandbox serves.
pub struct SandboxTls {
    ca_pem: String,
    ca_der: CertificateDer<'static>,
    chain: Vec<CertificateDer<'static>>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl SandboxTls {
    /// A fresh CA and a server certificate for [`DEFAULT_NAMES`] and `extra_names` (DNS names
    /// or IP addresses).
    pub fn generate(extra_names: &[String]) -> Result<Self, TlsError> {
        let ca_key = KeyPair::generate()?;
        let mut ca = CertificateParams::new(Vec::<String>::new())?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name.push(DnType::CommonName, "qcloud-sandbox test CA");
        let ca_cert = ca.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca, ca_key);

        let names: Vec<String> = DEFAULT_NAMES
            .iter()
            .map(|n| (*n).to_owned())
            .chain(extra_names.iter().cloned())
            .collect();
        let mut leaf = CertificateParams::new(Vec::<String>::new())?;
        leaf.subject_alt_names = names.iter().map(|name| san(name)).collect::<Result<_, _>>()?;
        leaf.distinguished_name.push(DnType::CommonName, "qcloud-sandbox");
        let leaf_key = KeyPair::generate()?;
        let leaf_cert = leaf.signed_by(&leaf_key, &issuer)?;

        Ok(Self {
            ca_pem: ca_cert.pem(),
            ca_der: ca_cert.der().clone(),
            chain: vec![leaf_cert.der().clone(), ca_cert.der().clone()],
            key: PrivatePkcs8KeyDer::from(leaf_key.serialize_der()),
        })
    }

    /// The CA certificate (PEM), for clients to trust.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The CA certificate (DER).
    pub fn ca_der(&self) -> &CertificateDer<'static> {
        &self.ca_der
    }

    /// Writes the CA certificate (PEM) to `path`.
    pub fn write_ca(&self, path: &Path) -> Result<(), TlsError> {
        std::fs::write(path, &self.ca_pem)
            .map_err(|source| TlsError::Write { path: path.display().to_string(), source })
    }

    /// The server's TLS settings: this certificate, TLS 1.2 and 1.3, ALPN `h2` and `http/1.1`.
    pub fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), PrivateKeyDer::Pkcs8(self.key.clone_key()))?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

impl std::fmt::Debug for SandboxTls {
    /// The private key stays out of debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxTls").field("chain", &self.chain.len()).finish_non_exhaustive()
    }
}

/// A subject alternative name: an IP address when the name parses as one, else a DNS name.
fn san(name: &str) -> Result<SanType, rcgen::Error> {
    match name.parse::<std::net::IpAddr>() {
        Ok(ip) => Ok(SanType::IpAddress(ip)),
        Err(_) => Ok(SanType::DnsName(name.try_into()?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_offers_h2_and_http1_and_writes_its_ca() {
        let tls = SandboxTls::generate(&["sandbox.test".into()]).expect("certificates");
        let config = tls.server_config().expect("a server config");
        assert_eq!(config.alpn_protocols, [b"h2".to_vec(), b"http/1.1".to_vec()]);
        assert!(tls.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
        let file = tempfile::NamedTempFile::new().expect("a temp file");
        tls.write_ca(file.path()).expect("written");
        assert_eq!(std::fs::read_to_string(file.path()).unwrap(), tls.ca_pem());
        let debug = format!("{tls:?}");
        assert!(!debug.contains("key:"), "{debug}");
    }

    #[test]
    fn a_name_that_is_not_ascii_is_refused() {
        let error = SandboxTls::generate(&["b\u{fc}cher.example".into()]).expect_err("not IA5");
        assert!(error.to_string().contains("certificates"), "{error}");
    }
}
