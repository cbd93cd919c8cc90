//! The TLS side of the HTTPS client: which roots it trusts and what it offers.
//!
//! Roots come from the system's trust store (`SSL_CERT_FILE` and `SSL_CERT_DIR` name another
//! one, e.g. a company CA bundle); a system with none (a distroless or scratch container) falls
//! back to Mozilla's roots, built into the binary. The client speaks TLS 1.2 and 1.3 only,
//! offers HTTP/2 and HTTP/1.1 by ALPN, and uses the aws-lc-rs crypto provider explicitly (the
//! protocol notes explain why two providers must never meet).
//!
//! Must not depend on Terraform types, nor on anything of an action.

use std::sync::Arc;

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;

/// Where the client's roots came from, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootSource {
    /// The system's trust store (or the file named by `SSL_CERT_FILE`): this many usable roots.
    System(usize),
    /// No usable root on the system: Mozilla's roots built into the binary, this many.
    Bundled(usize),
}

impl std::fmt::Display for RootSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RootSource::System(n) => write!(f, "{n} root certificate(s) from the system"),
            RootSource::Bundled(n) => write!(
                f,
                "no usable root certificate on the system, so the {n} Mozilla roots built into \
                 the provider"
            ),
        }
    }
}

/// The TLS configuration of the HTTPS client: the system's roots (else Mozilla's), TLS 1.2
/// and 1.3, ALPN `h2` then `http/1.1`.
pub fn client_config() -> Result<(rustls::ClientConfig, RootSource), rustls::Error> {
    let (roots, source) = choose_roots(system_roots());
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok((config, source))
}

/// The certificates of the system's trust store; problems reading it are logged, not fatal
/// (the bundled roots stand in).
fn system_roots() -> Vec<CertificateDer<'static>> {
    let loaded = rustls_native_certs::load_native_certs();
    for error in &loaded.errors {
        log::warn!("reading the system's trust store: {error}");
    }
    loaded.certs
}

/// A root store of the `system` certificates that parse as roots; Mozilla's roots when none do.
pub fn choose_roots(system: Vec<CertificateDer<'static>>) -> (RootCertStore, RootSource) {
    let mut roots = RootCertStore::empty();
    let (added, ignored) = roots.add_parsable_certificates(system);
    if ignored > 0 {
        log::debug!("{ignored} certificate(s) of the system's trust store are not usable roots");
    }
    if added > 0 {
        return (roots, RootSource::System(added));
    }
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let count = roots.len();
    (roots, RootSource::Bundled(count))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn self_signed() -> CertificateDer<'static> {
        let key = rcgen::KeyPair::generate().expect("a key");
        let mut params = rcgen::CertificateParams::new(vec!["ca.example".into()]).expect("params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.self_signed(&key).expect("a certificate").der().clone()
    }

    #[test]
    fn an_empty_system_store_falls_back_to_the_bundled_roots() {
        let (roots, source) = choose_roots(Vec::new());
        assert_eq!(source, RootSource::Bundled(webpki_roots::TLS_SERVER_ROOTS.len()));
        assert!(roots.len() > 100, "Mozilla ships well over a hundred roots: {}", roots.len());
        let (_, source) = choose_roots(vec![CertificateDer::from(b"not a certificate".to_vec())]);
        assert!(matches!(source, RootSource::Bundled(_)), "garbage is no root: {source:?}");
    }

    #[test]
    fn system_roots_are_used_alone_when_there_are_some() {
        let (roots, source) = choose_roots(vec![self_signed(), self_signed()]);
        assert_eq!(source, RootSource::System(2));
        assert_eq!(roots.len(), 2, "no bundled root is added to a system store");
    }

    #[test]
    fn the_client_offers_h2_then_http1() {
        let (config, _) = client_config().expect("a TLS configuration");
        assert_eq!(config.alpn_protocols, [b"h2".to_vec(), b"http/1.1".to_vec()]);
        assert!(config.enable_sni, "the server learns which host is asked for");
    }
}
