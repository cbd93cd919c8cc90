//! Transport security beyond the launch tests: plaintext only when Terraform asked for it, an
//! owner-only socket whatever the umask, and a fresh certificate and key in every process,
//! kept in memory only.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use common::plugin::STEP_TIMEOUT;
use common::{LaunchOptions, Plugin, Target, connect};
use qcloud_provider::tfplugin::proto::get_provider_schema;
use qcloud_provider::tfplugin::proto::provider_client::ProviderClient;

/// Whether a GetProviderSchema call over a channel to `target` (no client certificate, TLS
/// only if `target` names a server certificate) gets an answer.
async fn answers(target: &Target) -> bool {
    let Ok(channel) = connect(target, None).await else { return false };
    let mut client = ProviderClient::new(channel);
    let call = client.get_provider_schema(get_provider_schema::Request {});
    matches!(tokio::time::timeout(STEP_TIMEOUT, call).await, Ok(Ok(_)))
}

#[tokio::test]
async fn a_plaintext_client_is_refused_unless_terraform_turned_tls_off() {
    let empty_flag = LaunchOptions {
        env: vec![("TF_DISABLE_PLUGIN_TLS".into(), String::new())],
        ..LaunchOptions::default()
    };
    for options in [LaunchOptions::default(), empty_flag] {
        let plugin = Plugin::launch(options).await;
        assert!(plugin.handshake.certificate.is_some(), "a client certificate means TLS");
        let plaintext =
            Target { socket: plugin.handshake.address.clone(), server_certificate: None };
        assert!(!answers(&plaintext).await, "a plaintext client got an answer");
        // Terraform, over mutual TLS, is still served.
        let reply =
            plugin.provider().await.get_provider_schema(get_provider_schema::Request {}).await;
        assert!(reply.is_ok(), "{reply:?}");
    }
    // With the flag set, Terraform sends no certificate and expects plaintext.
    let plugin = Plugin::launch(LaunchOptions {
        env: vec![("TF_DISABLE_PLUGIN_TLS".into(), "1".into())],
        ..LaunchOptions::default()
    })
    .await;
    assert_eq!(
        plugin.handshake.certificate, None,
        "TF_DISABLE_PLUGIN_TLS wins over the certificate"
    );
    assert!(answers(&plugin.target()).await);
}

/// Sets the process umask, returning the previous one.
fn umask(mask: libc::mode_t) -> libc::mode_t {
    // SAFETY: umask(2) cannot fail and touches no memory.
    unsafe { libc::umask(mask) }
}

#[tokio::test]
async fn socket_and_its_directory_are_owner_only_even_with_an_open_umask() {
    let previous = umask(0);
    let plugin = Plugin::start().await;
    umask(previous);
    let socket = &plugin.handshake.address;
    let dir = socket.parent().expect("the socket has a directory");
    // SAFETY: getuid(2) cannot fail.
    let me = unsafe { libc::getuid() };
    for (path, mode) in [(socket.as_path(), 0o600), (dir, 0o700)] {
        let metadata = std::fs::symlink_metadata(path).expect("it exists");
        assert_eq!(metadata.permissions().mode() & 0o777, mode, "{}", path.display());
        assert_eq!(metadata.uid(), me, "{} belongs to the user", path.display());
    }
}

/// The contents of a DER TLV at the start of `data`: (tag, contents, rest).
fn tlv(data: &[u8]) -> (u8, &[u8], &[u8]) {
    let (tag, first) = (data[0], data[1]);
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let count = usize::from(first & 0x7f);
        let len = data[2..2 + count].iter().fold(0usize, |len, b| (len << 8) | usize::from(*b));
        (len, 2 + count)
    };
    (tag, &data[header..header + len], &data[header + len..])
}

/// The SubjectPublicKeyInfo of a certificate: the seventh field of its TBSCertificate
/// (the sixth when the version is left out).
fn public_key(certificate: &[u8]) -> Vec<u8> {
    let (_, certificate, _) = tlv(certificate);
    let (_, mut tbs, _) = tlv(certificate);
    let mut fields = Vec::new();
    while !tbs.is_empty() {
        let before = tbs;
        let (tag, _, rest) = tlv(tbs);
        fields.push((tag, &before[..before.len() - rest.len()]));
        tbs = rest;
    }
    let skip = if fields[0].0 == 0xa0 { 6 } else { 5 };
    fields[skip].1.to_vec()
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[tokio::test]
async fn every_process_has_its_own_certificate_and_key_and_writes_neither() {
    const LAUNCHES: usize = 4;
    let mut certificates = Vec::new();
    let mut keys = Vec::new();
    for _ in 0..LAUNCHES {
        let plugin = Plugin::start().await;
        let certificate = plugin.handshake.certificate.clone().expect("TLS is on");
        keys.push(public_key(&certificate));
        certificates.push(certificate);
        // Only the socket is on disk: no certificate or key file.
        let files = files_under(plugin.temp_dir());
        assert_eq!(files, std::slice::from_ref(&plugin.handshake.address), "files under TMPDIR");
        assert!(plugin.shutdown().await.status.success());
    }
    for i in 0..LAUNCHES {
        assert!(keys[i].len() > 60, "a public key: {:02x?}", keys[i]);
        for j in i + 1..LAUNCHES {
            assert_ne!(
                certificates[i], certificates[j],
                "launches {i} and {j} share a certificate"
            );
            assert_ne!(keys[i], keys[j], "launches {i} and {j} share a key");
        }
    }
}
