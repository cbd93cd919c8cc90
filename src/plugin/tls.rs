//! go-plugin's automatic mutual TLS: a fresh self-signed server certificate per process, and
//! a client certificate check that accepts exactly the certificate Terraform passed in
//! `PLUGIN_CLIENT_CERT`.
//!
//! Terraform's client certificate is a self-signed CA (ECDSA P-521). Standard WebPKI client
//! verification rejects a CA used as an end entity, so [`ExactClientCertificate`] compares
//! the DER and checks the handshake signature itself. The aws-lc-rs crypto provider is passed
//! explicitly everywhere: it verifies P-521, and no process-wide default is consulted.
//! Must not depend on gRPC or on the provider.

use std::sync::Arc;

use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms, aws_lc_rs};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName as Subject, SignatureScheme,
};
use time::{Duration, OffsetDateTime};
use tokio_rustls::TlsAcceptor;

/// Why mutual TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// `PLUGIN_CLIENT_CERT` holds no PEM certificate.
    #[error(
        "PLUGIN_CLIENT_CERT does not hold a PEM certificate ({0}); Terraform sets it when it \
         starts the provider, so leave it unset when running the provider by hand"
    )]
    ClientCertificate(String),
    /// The server certificate could not be generated.
    #[error("cannot generate the server certificate: {0}")]
    ServerCertificate(#[from] rcgen::Error),
    /// rustls refused the configuration.
    #[error("cannot configure TLS: {0}")]
    Config(#[from] rustls::Error),
}

/// The server side of one process's mutual TLS.
pub struct ServerTls {
    certificate: CertificateDer<'static>,
    acceptor: TlsAcceptor,
}

impl ServerTls {
    /// Generates a server certificate and accepts only the client certificate in
    /// `client_certificate_pem`.
    pub fn new(client_certificate_pem: &str) -> Result<Self, TlsError> {
        let client = CertificateDer::from_pem_slice(client_certificate_pem.as_bytes())
            .map_err(|error| TlsError::ClientCertificate(error.to_string()))?;
        let (certificate, key) = server_certificate()?;
        let provider = Arc::new(aws_lc_rs::default_provider());
        let verifier = ExactClientCertificate::new(client, &provider);
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_client_cert_verifier(Arc::new(verifier))
            .with_single_cert(vec![certificate.clone()], key)?;
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(Self { certificate, acceptor: TlsAcceptor::from(Arc::new(config)) })
    }

    /// The server certificate (DER), for the handshake line.
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate
    }

    /// Performs the TLS handshake on accepted connections.
    pub fn acceptor(&self) -> TlsAcceptor {
        self.acceptor.clone()
    }
}

/// A fresh self-signed ECDSA P-256 leaf for `localhost`, valid from a minute ago: the name
/// and shape go-plugin's client verifies against the certificate in the handshake line.
fn server_certificate() -> Result<(CertificateDer<'static>, PrivateKeyDer<'static>), rcgen::Error> {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut params = CertificateParams::new(vec!["localhost".to_string()])?;
    let mut subject = DistinguishedName::new();
    subject.push(DnType::CommonName, "localhost");
    params.distinguished_name = subject;
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::minutes(1);
    params.not_after = now + Duration::days(365);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let certificate = params.self_signed(&key)?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    Ok((certificate.der().clone(), key))
}

/// Requires a client certificate and accepts only one, byte for byte.
#[derive(Debug)]
pub struct ExactClientCertificate {
    expected: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ExactClientCertificate {
    /// Accepts only `expected`, checking handshake signatures with `provider`'s algorithms.
    pub fn new(expected: CertificateDer<'static>, provider: &CryptoProvider) -> Self {
        Self { expected, algorithms: provider.signature_verification_algorithms }
    }
}

impl ClientCertVerifier for ExactClientCertificate {
    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[Subject] {
        // No hints: the client then offers the one certificate it has.
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifier() -> ExactClientCertificate {
        let (certificate, _) = server_certificate().expect("generation works offline");
        ExactClientCertificate::new(certificate, &aws_lc_rs::default_provider())
    }

    #[test]
    fn verifier_accepts_only_the_exact_certificate() {
        let verifier = verifier();
        let now = UnixTime::now();
        let expected = verifier.expected.clone();
        assert!(verifier.verify_client_cert(&expected, &[], now).is_ok());
        let (other, _) = server_certificate().expect("generation works offline");
        assert!(verifier.verify_client_cert(&other, &[], now).is_err());
        let mut tampered = expected.to_vec();
        if let Some(last) = tampered.last_mut() {
            *last ^= 1;
        }
        assert!(verifier.verify_client_cert(&CertificateDer::from(tampered), &[], now).is_err());
    }

    #[test]
    fn verifier_requires_a_certificate_and_verifies_p521() {
        let verifier = verifier();
        assert!(verifier.offer_client_auth() && verifier.client_auth_mandatory());
        let schemes = verifier.supported_verify_schemes();
        assert!(schemes.contains(&SignatureScheme::ECDSA_NISTP521_SHA512), "{schemes:?}");
    }

    #[test]
    fn client_certificate_must_be_pem() {
        for pem in ["", "not a certificate", "-----BEGIN CERTIFICATE-----\n"] {
            let error = ServerTls::new(pem).err().expect("no certificate in the input");
            assert!(matches!(error, TlsError::ClientCertificate(_)), "{error}");
            assert!(error.to_string().contains("PLUGIN_CLIENT_CERT"));
        }
    }

    #[test]
    fn each_process_gets_a_fresh_server_certificate() {
        let (client, _) = server_certificate().expect("generation works offline");
        let pem = rustls_pem(&client);
        let first = ServerTls::new(&pem).expect("a PEM certificate is accepted");
        let second = ServerTls::new(&pem).expect("a PEM certificate is accepted");
        assert_ne!(first.certificate_der(), second.certificate_der());
    }

    fn rustls_pem(der: &CertificateDer<'_>) -> String {
        use base64::Engine as _;
        let body = base64::engine::general_purpose::STANDARD.encode(der);
        format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n")
    }
}
