//! The client side of go-plugin's mutual TLS, as Terraform does it: a self-signed ECDSA P-521
//! CA certificate for `localhost`, and a gRPC channel over the plugin's unix socket that
//! trusts only the certificate from the handshake line.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hyper_util::rt::TokioIo;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tokio::net::UnixStream;
use tokio_rustls::TlsConnector;
use tokio_util::either::Either;
use tonic::transport::{Channel, Endpoint, Uri};

/// A client certificate and key shaped like the ones Terraform generates per run.
#[derive(Debug)]
pub struct ClientIdentity {
    /// The certificate in PEM, as `PLUGIN_CLIENT_CERT` carries it.
    pub pem: String,
    /// The certificate in DER.
    pub der: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl ClientIdentity {
    /// ECDSA P-521 signed with SHA-512, CA:TRUE, SAN `localhost`, as go-plugin makes them.
    pub fn terraform_like() -> Self {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("P-521 keys");
        let mut params =
            CertificateParams::new(vec!["localhost".to_string()]).expect("a valid DNS name");
        let mut subject = DistinguishedName::new();
        subject.push(DnType::CommonName, "localhost");
        subject.push(DnType::OrganizationName, "HashiCorp");
        params.distinguished_name = subject;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
            KeyUsagePurpose::KeyAgreement,
            KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages =
            vec![ExtendedKeyUsagePurpose::ClientAuth, ExtendedKeyUsagePurpose::ServerAuth];
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::seconds(30);
        params.not_after = now + time::Duration::days(1);
        let certificate = params.self_signed(&key).expect("self-signing works");
        Self {
            pem: certificate.pem(),
            der: certificate.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        }
    }
}

/// How to reach a plugin: its socket, and the TLS settings if it serves TLS.
#[derive(Debug, Clone)]
pub struct Target {
    pub socket: PathBuf,
    /// The server certificate from the handshake line; `None` for plaintext.
    pub server_certificate: Option<Vec<u8>>,
}

/// Opens a gRPC channel to `target`, presenting `client` (or no certificate) over TLS.
pub async fn connect(
    target: &Target,
    client: Option<&ClientIdentity>,
) -> Result<Channel, tonic::transport::Error> {
    let tls = target
        .server_certificate
        .as_deref()
        .map(|server| Arc::new(client_config(server, client)))
        .map(TlsConnector::from);
    let socket = target.socket.clone();
    let connector = tower::service_fn(move |_: Uri| dial(socket.clone(), tls.clone()));
    Endpoint::from_static("http://localhost").connect_with_connector(connector).await
}

async fn dial(
    socket: PathBuf,
    tls: Option<TlsConnector>,
) -> io::Result<TokioIo<Either<UnixStream, tokio_rustls::client::TlsStream<UnixStream>>>> {
    let stream = UnixStream::connect(&socket).await?;
    let stream = match tls {
        None => Either::Left(stream),
        Some(tls) => {
            let name = ServerName::try_from("localhost").expect("a valid DNS name");
            Either::Right(tls.connect(name, stream).await?)
        }
    };
    Ok(TokioIo::new(stream))
}

/// Trusts only `server` for `localhost`, offers h2, and presents `client` if given.
fn client_config(server: &[u8], client: Option<&ClientIdentity>) -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(server.to_vec())).expect("the handshake certificate parses");
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("aws-lc-rs supports the default versions")
        .with_root_certificates(roots);
    let mut config = match client {
        Some(client) => builder
            .with_client_auth_cert(
                vec![client.der.clone()],
                PrivateKeyDer::Pkcs8(client.key.clone_key()),
            )
            .expect("the client key matches its certificate"),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    config
}

/// True when `path` exists (a socket counts).
pub fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}
