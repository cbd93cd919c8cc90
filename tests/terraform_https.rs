//! End to end over HTTPS, the way real users reach the API: the real `terraform` runs the built
//! provider against a sandbox serving TLS with a certificate from a fresh CA. The provider
//! trusts it only through `SSL_CERT_FILE` (as with a company CA); without it the read fails
//! naming the host and the fix; through `HTTPS_PROXY` every request goes through a CONNECT
//! proxy, and `NO_PROXY` bypasses it.

mod common;

use common::proxy::ConnectProxy;
use common::terraform::{PINNED_CENTOS_READ, Run};
use common::{SandboxEnv, Terraform};

fn setup(test: &str) -> Option<(Terraform, SandboxEnv)> {
    let terraform = Terraform::new_or_skip(test)?;
    terraform.write("main.tf", PINNED_CENTOS_READ);
    Some((terraform, SandboxEnv::start_tls()))
}

/// `terraform plan` against the sandbox with `env` added.
fn plan(terraform: &Terraform, sandbox: &SandboxEnv, env: &[(&str, &str)]) -> Run {
    let mut command = sandbox.command(terraform, &["plan", "-input=false", "-no-color"]);
    command.envs(env.iter().copied());
    Terraform::run_command(command)
}

fn assert_planned_the_pinned_image(run: &Run) {
    run.assert_success("terraform plan");
    assert!(run.stdout().contains("id = \"img-31tjrtph\""), "{}", run.stdout());
}

#[test]
fn the_provider_trusts_the_sandbox_ca_from_ssl_cert_file_and_speaks_http2() {
    let Some((terraform, sandbox)) = setup("trusts_ssl_cert_file") else { return };
    assert!(sandbox.handle.url().starts_with("https://127.0.0.1:"), "{}", sandbox.handle.url());
    let ca = sandbox.ca_file().to_str().expect("a UTF-8 path").to_owned();
    let run = plan(&terraform, &sandbox, &[("SSL_CERT_FILE", &ca)]);
    assert_planned_the_pinned_image(&run);
    let connections = sandbox.handle.connections();
    assert!(connections.tls_handshakes() >= 1, "no TLS handshake: {connections:?}");
    assert_eq!(
        connections.http2(),
        connections.tls_handshakes(),
        "the provider offers h2 and the sandbox takes it on every connection"
    );
    assert!(sandbox.handle.request_count() >= 1);
}

#[test]
fn an_untrusted_certificate_fails_naming_the_host_and_the_fix() {
    let Some((terraform, sandbox)) = setup("untrusted_certificate") else { return };
    // No SSL_CERT_FILE: the system's trust store does not hold the sandbox's fresh CA.
    let run = plan(&terraform, &sandbox, &[]);
    assert!(!run.output.status.success(), "plan should fail:\n{}", run.stdout());
    let stderr = run.stderr().split_whitespace().collect::<Vec<_>>().join(" ");
    let host = sandbox.handle.local_addr().to_string();
    for words in [
        format!("could not reach the Tencent Cloud image API at {host}"),
        "invalid peer certificate".to_owned(),
        format!("this machine does not trust the certificate {host} presented"),
        "set SSL_CERT_FILE to a PEM file holding that CA's certificate".to_owned(),
    ] {
        assert!(stderr.contains(&words), "missing {words:?} in:\n{stderr}");
    }
    assert_eq!(sandbox.handle.connections().tls_handshakes(), 0);
    assert_eq!(sandbox.handle.request_count(), 0, "no request crosses an untrusted connection");
}

#[test]
fn requests_go_through_the_https_proxy_and_no_proxy_bypasses_it() {
    let Some((terraform, sandbox)) = setup("https_proxy") else { return };
    let proxy = ConnectProxy::start();
    let ca = sandbox.ca_file().to_str().expect("a UTF-8 path").to_owned();
    let host = sandbox.handle.local_addr().to_string();

    let through =
        plan(&terraform, &sandbox, &[("SSL_CERT_FILE", &ca), ("HTTPS_PROXY", &proxy.url())]);
    assert_planned_the_pinned_image(&through);
    let tunnels = proxy.tunnels();
    assert!(!tunnels.is_empty(), "the requests did not go through the proxy");
    assert!(tunnels.iter().all(|target| *target == host), "{tunnels:?}");
    let handshakes = sandbox.handle.connections().tls_handshakes();
    assert_eq!(handshakes, tunnels.len() as u64, "every TLS connection came through a tunnel");

    let requests = sandbox.handle.request_count();
    let bypass = plan(
        &terraform,
        &sandbox,
        &[("SSL_CERT_FILE", &ca), ("HTTPS_PROXY", &proxy.url()), ("NO_PROXY", "127.0.0.1")],
    );
    assert_planned_the_pinned_image(&bypass);
    assert!(sandbox.handle.request_count() > requests, "the sandbox answered the second plan");
    assert_eq!(proxy.tunnels(), tunnels, "NO_PROXY=127.0.0.1 bypasses the proxy");
    assert!(sandbox.handle.connections().tls_handshakes() > handshakes);
}
