//! End to end: the provider's log lines as the real `terraform` shows them, and secrets kept
//! out of every log, output and file, even at trace level.
//!
//! Terraform (go-plugin) reads the provider's stderr line by line and re-logs each hclog JSON
//! line at its own level as `[LEVEL] provider.terraform-provider-qcloud: MESSAGE: @module=...
//! timestamp=...`. A line it cannot parse is shown raw at debug, so the level check also
//! pins the line format.
//!
//! The secret checks cover everything: Terraform's own stdout and the whole of its stderr
//! (core and plugin lines, `TF_LOG=trace`), the `result_output_file` and the state file. With
//! Terraform 1.11 core does not print the provider configuration's values at trace, so no
//! narrowing to the plugin's lines is needed; should a later Terraform print them, the failure
//! message says which line it was.

mod common;

use std::process::Command;

use common::terraform::Run;
use common::{SandboxEnv, Terraform};
use qcloud_sandbox::{FaultKind, FaultRule, SANDBOX_REGION, SandboxConfig, SandboxCredential};

/// The prefix Terraform gives every line the provider logs.
const PLUGIN: &str = "provider.terraform-provider-qcloud:";
const SECRET_ID: &str = "AKIDlogsTEST0000000000000000000000";
/// Distinctive, so any leak (also of a wrong key that contains it) is found.
const SECRET_KEY: &str = "LeakCanaryKey7Qx9Zr2Wm5Tb8";
const TOKEN: &str = "LeakCanaryToken3Hv6Nd1Ks4";

const HEADER: &str = r#"
terraform {
  required_providers {
    qcloud = { source = "qcloud/qcloud" }
  }
}
"#;

/// `terraform <args>` against the sandbox, logging at `level` through `TF_LOG` (everything) or
/// `TF_LOG_PROVIDER` (the provider's lines only), with no other log setting inherited.
fn logged(
    sandbox: &SandboxEnv,
    terraform: &Terraform,
    args: &[&str],
    variable: &str,
    level: &str,
) -> Command {
    let mut command = sandbox.command(terraform, args);
    for name in ["TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_CORE", "TF_LOG_PATH"] {
        command.env_remove(name);
    }
    command.env(variable, level);
    command
}

/// The lines Terraform relayed from the provider.
fn plugin_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|line| line.contains(PLUGIN)).collect()
}

/// The relayed line at `level` whose message starts with `message` and whose module is `module`.
fn find_line<'a>(lines: &[&'a str], level: &str, message: &str, module: &str) -> Option<&'a str> {
    let prefix = format!("[{level}] {PLUGIN} {message}");
    lines.iter().copied().find(|line| {
        let Some(at) = line.find(&format!("[{level}]")) else { return false };
        line[at..].replace("]  ", "] ").starts_with(&prefix)
            && line.contains(&format!(": @module={module} "))
    })
}

#[test]
fn provider_lines_appear_at_their_levels_under_tf_log_provider_debug() {
    let Some(terraform) = Terraform::new_or_skip("provider_lines_appear_at_their_levels") else {
        return;
    };
    let faults = vec![FaultRule::on_request(1, FaultKind::HttpStatus(503)).times(1)];
    let sandbox = SandboxEnv::with_config(SandboxConfig { faults, ..SandboxConfig::default() });
    terraform.write(
        "main.tf",
        &format!(
            "{HEADER}\nprovider \"qcloud\" {{}}\n\ndata \"qcloud_images\" \"all\" {{\n  \
             image_type = \"public\"\n}}\n"
        ),
    );
    let plan = ["plan", "-input=false", "-no-color"];
    let run =
        Terraform::run_command(logged(&sandbox, &terraform, &plan, "TF_LOG_PROVIDER", "debug"));
    run.assert_success("terraform plan");
    let stderr = run.stderr();
    let lines = plugin_lines(&stderr);
    let expected = [
        ("DEBUG", "GetProviderSchema received", "qcloud.service"),
        ("DEBUG", "ConfigureProvider received", "qcloud.service"),
        ("DEBUG", "ReadDataSource received for qcloud_images", "qcloud.service"),
        (
            "DEBUG",
            &format!("configuring: region {SANDBOX_REGION}, endpoint host 127.0.0.1"),
            "qcloud.qcloud",
        ),
        (
            "DEBUG",
            "DescribeImages request (offset 0, limit 100, every id), attempt 1",
            "qcloud.transport",
        ),
        (
            "WARN",
            "DescribeImages (offset 0, limit 100, every id) attempt 1 failed: the Tencent Cloud \
             image API answered HTTP 503",
            "qcloud.transport",
        ),
        ("DEBUG", "listing done: 60 image(s), 1 page request(s)", "qcloud.listing"),
        ("DEBUG", "read of qcloud_images done in", "qcloud.qcloud"),
    ];
    for (level, message, module) in expected {
        assert!(
            find_line(&lines, level, message, module).is_some(),
            "no [{level}] line {message:?} from {module} in:\n{}",
            lines.join("\n")
        );
    }
    let warn = find_line(&lines, "WARN", "DescribeImages (offset 0, limit 100", "qcloud.transport");
    assert!(warn.is_some_and(|l| l.contains("retry 1 of 5 in")), "{warn:?}");
    assert!(!stderr.contains("\"@level\""), "a line was not parsed as hclog JSON:\n{stderr}");
    assert!(!stderr.contains(&format!("[TRACE] {PLUGIN}")), "trace lines at debug:\n{stderr}");
    assert_eq!(sandbox.handle.request_count(), 2, "one failed attempt and its retry");
}

/// One trace-level run against a sandbox that knows [`SECRET_KEY`] and [`TOKEN`].
struct TraceRun {
    terraform: Terraform,
    sandbox: SandboxEnv,
}

impl TraceRun {
    /// A working directory whose `main.tf` has a provider block with `provider` inside.
    fn new(test: &str, faults: Vec<FaultRule>, provider: &str, body: &str) -> Option<Self> {
        let terraform = Terraform::new_or_skip(test)?;
        let credential = SandboxCredential::new(SECRET_ID, SECRET_KEY).with_token(TOKEN);
        let config = SandboxConfig { credentials: vec![credential], faults, ..Default::default() };
        let sandbox = SandboxEnv::with_config(config);
        terraform
            .write("main.tf", &format!("{HEADER}\nprovider \"qcloud\" {{\n{provider}}}\n\n{body}"));
        Some(Self { terraform, sandbox })
    }

    fn run(&self, args: &[&str]) -> Run {
        Terraform::run_command(logged(&self.sandbox, &self.terraform, args, "TF_LOG", "trace"))
    }

    fn apply(&self) -> Run {
        self.run(&["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    fn plan(&self) -> Run {
        self.run(&["plan", "-input=false", "-no-color"])
    }
}

/// The provider block that sets the secrets directly (the environment holds other ones).
fn with_secrets(key: &str) -> String {
    format!(
        "  secret_id      = \"{SECRET_ID}\"\n  secret_key     = \"{key}\"\n  \
         security_token = \"{TOKEN}\"\n"
    )
}

/// Panics naming the place and the line when either secret appears in `text`.
fn assert_no_secret(place: &str, text: &str) {
    for secret in [SECRET_KEY, TOKEN] {
        if let Some(line) = text.lines().find(|line| line.contains(secret)) {
            panic!("a secret appears in {place}: {line}");
        }
    }
}

/// Checks both streams of `run`, and that the trace really holds the provider's trace lines.
fn assert_run_keeps_secrets(what: &str, run: &Run) {
    assert_no_secret(&format!("{what} stdout"), &run.stdout());
    let stderr = run.stderr();
    assert_no_secret(&format!("{what} stderr"), &stderr);
    let lines = plugin_lines(&stderr);
    assert!(
        lines.iter().any(|l| l.contains(&format!("[TRACE] {PLUGIN}"))),
        "{what}: no provider trace line, so nothing was checked:\n{stderr}"
    );
    // The signed URL never shows: no signature, and a token only as the API's redacted echo
    // of the string to sign (error 4100 quotes it).
    for line in lines {
        assert!(!line.contains("Signature="), "{what}: a signature in {line}");
        let tokens = line.matches("Token=").count();
        assert_eq!(tokens, line.matches("Token=<redacted>").count(), "{what}: a token in {line}");
    }
}

#[test]
fn secrets_stay_out_of_a_trace_with_a_retry_and_an_output_file() {
    let out = "out/images.json";
    let body = format!(
        "data \"qcloud_images\" \"centos\" {{\n  image_type  = \"public\"\n  name_regex  = \
         \"^CentOS\"\n  most_recent = true\n  result_output_file = \"{out}\"\n}}\n\
         output \"id\" {{ value = data.qcloud_images.centos.image_id }}\n"
    );
    let faults = vec![FaultRule::on_request(1, FaultKind::ApiError { code: 6200, message: None })];
    let Some(t) =
        TraceRun::new("secrets_retry_output_file", faults, &with_secrets(SECRET_KEY), &body)
    else {
        return;
    };
    let run = t.apply();
    run.assert_success("terraform apply");
    assert_run_keeps_secrets("apply", &run);
    let stderr = run.stderr();
    assert!(
        stderr.contains(
            "[WARN]  provider.terraform-provider-qcloud: DescribeImages (offset 0, limit 100, \
             every id) attempt 1 failed"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("security token set"), "{stderr}");
    let written = std::fs::read_to_string(t.terraform.dir().join(out)).expect("the output file");
    assert!(written.contains("img-"), "{written}");
    assert_no_secret("the result_output_file", &written);
    let state = std::fs::read_to_string(t.terraform.dir().join("terraform.tfstate"))
        .expect("apply wrote the state");
    assert!(state.contains("qcloud_images"), "{state}");
    assert_no_secret("the state file", &state);
    let output = t.run(&["output", "-json"]);
    output.assert_success("terraform output");
    assert_no_secret("terraform output", &output.stdout());
}

#[test]
fn secrets_stay_out_of_a_trace_when_the_key_is_wrong() {
    // The wrong key contains the right one, so a leak of either is caught.
    let wrong = format!("{SECRET_KEY}Wrong");
    let body = "data \"qcloud_images\" \"all\" {\n  image_type = \"public\"\n}\n";
    let Some(t) = TraceRun::new("secrets_wrong_key", Vec::new(), &with_secrets(&wrong), body)
    else {
        return;
    };
    let run = t.plan();
    assert!(!run.output.status.success(), "a wrong key must fail:\n{}", run.stdout());
    assert!(run.stderr().contains("4100"), "{}", run.stderr());
    assert_run_keeps_secrets("plan with a wrong key", &run);
}

#[test]
fn secrets_stay_out_of_a_trace_when_validation_fails() {
    let body =
        "data \"qcloud_images\" \"bad\" {\n  image_type = \"public\"\n  name_regex = \"(\"\n}\n";
    let Some(t) = TraceRun::new("secrets_bad_regex", Vec::new(), &with_secrets(SECRET_KEY), body)
    else {
        return;
    };
    let run = t.plan();
    assert!(!run.output.status.success(), "a bad regex must fail:\n{}", run.stdout());
    assert!(run.stderr().contains("name_regex"), "{}", run.stderr());
    assert_run_keeps_secrets("plan with a bad regex", &run);
    assert_eq!(t.sandbox.handle.request_count(), 0);
}

#[test]
fn secrets_stay_out_of_a_trace_when_credentials_are_missing() {
    // Only the token is given: the key pair is missing from the block and the environment.
    let provider = format!("  security_token = \"{TOKEN}\"\n");
    let body = "data \"qcloud_images\" \"all\" {\n  image_type = \"public\"\n}\n";
    let Some(t) = TraceRun::new("secrets_missing_credentials", Vec::new(), &provider, body) else {
        return;
    };
    let mut command =
        logged(&t.sandbox, &t.terraform, &["plan", "-input=false", "-no-color"], "TF_LOG", "trace");
    for name in [
        "QCLOUD_SECRET_ID",
        "QCLOUD_SECRET_KEY",
        "TENCENTCLOUD_SECRET_ID",
        "TENCENTCLOUD_SECRET_KEY",
    ] {
        command.env_remove(name);
    }
    let run = Terraform::run_command(command);
    assert!(!run.output.status.success(), "missing credentials must fail:\n{}", run.stdout());
    let stderr = run.stderr();
    assert!(stderr.contains("secret_id") && stderr.contains("QCLOUD_SECRET_ID"), "{stderr}");
    assert_run_keeps_secrets("plan without credentials", &run);
    assert_eq!(t.sandbox.handle.request_count(), 0);
}
