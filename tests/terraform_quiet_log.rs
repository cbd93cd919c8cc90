//! End to end: a quiet, useful log. With the real `terraform`:
//! - a normal plan at `TF_LOG=trace` shows no `provider.stdio` error (the provider serves
//!   `plugin.GRPCStdio`, whose stream ends cleanly on Shutdown);
//! - the provider's own lines are plain words: no Rust debug forms (`Some(..)`, `None`);
//! - the transport crates' own log events reach the provider log: their chatter (h2 frames,
//!   hyper-util's connection pool, rustls's handshake) only at trace, and nothing of theirs at
//!   debug in a plan that went well. (Their rare warnings and errors are written at debug; the
//!   level mapping is unit-tested in `logging`, since no plan here makes them warn.)

mod common;

use std::process::Command;

use common::terraform::{PINNED_CENTOS_READ, Run};
use common::{SandboxEnv, Terraform};

/// The prefix Terraform gives every line the provider logs.
const PLUGIN: &str = "provider.terraform-provider-qcloud:";

/// The crates whose lines the provider relays: anything whose `@module` is not `qcloud.*`.
const TRANSPORT_CRATES: &[&str] =
    &["h2", "hyper", "hyper_util", "reqwest", "rustls", "tonic", "tower"];

/// `terraform plan` against `sandbox` with only `variable=level` for logging, and `env`.
fn plan_logged(
    terraform: &Terraform,
    sandbox: &SandboxEnv,
    variable: &str,
    level: &str,
    env: &[(&str, &str)],
) -> Run {
    let mut command: Command = sandbox.command(terraform, &["plan", "-input=false", "-no-color"]);
    for name in ["TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_CORE", "TF_LOG_PATH"] {
        command.env_remove(name);
    }
    command.env(variable, level).envs(env.iter().copied());
    Terraform::run_command(command)
}

/// The `@module` of a relayed provider line.
fn module_of(line: &str) -> Option<&str> {
    let rest = &line[line.find("@module=")? + "@module=".len()..];
    rest.split_whitespace().next()
}

/// The relayed lines whose module is one of the transport crates, with their level.
fn transport_lines(stderr: &str) -> Vec<(&str, &str)> {
    stderr
        .lines()
        .filter(|line| line.contains(PLUGIN))
        .filter_map(|line| {
            let module = module_of(line)?;
            let level = line.split_once('[')?.1.split_once(']')?.0;
            TRANSPORT_CRATES.contains(&module).then_some((level, line))
        })
        .collect()
}

fn setup(test: &str, tls: bool) -> Option<(Terraform, SandboxEnv)> {
    let terraform = Terraform::new_or_skip(test)?;
    terraform.write("main.tf", PINNED_CENTOS_READ);
    let sandbox = if tls { SandboxEnv::start_tls() } else { SandboxEnv::start() };
    Some((terraform, sandbox))
}

#[test]
fn a_plan_at_trace_has_no_stdio_error_and_the_provider_speaks_plain_words() {
    let Some((terraform, sandbox)) = setup("no_stdio_error_at_trace", false) else { return };
    let run = plan_logged(&terraform, &sandbox, "TF_LOG", "trace", &[]);
    run.assert_success("terraform plan");
    let stderr = run.stderr();
    let stdio: Vec<&str> = stderr.lines().filter(|l| l.contains("provider.stdio")).collect();
    assert!(!stdio.is_empty(), "Terraform opened the stdio stream:\n{stderr}");
    // go-plugin logs the normal end of the stream as `err=EOF`; anything else is an error.
    let errors: Vec<&&str> = stdio
        .iter()
        .filter(|line| {
            line.contains("Unimplemented")
                || line.contains("rpc error")
                || line.contains("[ERROR]")
                || line.split_once("err=").is_some_and(|(_, err)| err.trim() != "EOF")
        })
        .collect();
    assert!(errors.is_empty(), "stdio errors: {errors:#?}");
    let relayed: Vec<&str> = stderr.lines().filter(|line| line.contains(PLUGIN)).collect();
    let own =
        relayed.iter().filter(|line| module_of(line).is_some_and(|m| m.starts_with("qcloud.")));
    assert!(own.count() >= 5, "the provider logged at trace: {relayed:#?}");
    for line in relayed {
        let message = line.split(PLUGIN).nth(1).unwrap_or(line);
        for debug_form in ["Some(", "None"] {
            assert!(!message.contains(debug_form), "{debug_form:?} in: {line}");
        }
        if module_of(line).is_some_and(|m| m.starts_with("qcloud.")) {
            for debug_form in ["Ok(", "Err(", "\\\""] {
                assert!(!message.contains(debug_form), "{debug_form:?} in: {line}");
            }
        }
    }
}

#[test]
fn transport_chatter_shows_only_at_trace() {
    let Some((terraform, sandbox)) = setup("transport_chatter_at_trace", true) else { return };
    let ca = sandbox.ca_file().to_str().expect("a UTF-8 path").to_owned();
    let env = [("SSL_CERT_FILE", ca.as_str())];

    let trace = plan_logged(&terraform, &sandbox, "TF_LOG_PROVIDER", "trace", &env);
    trace.assert_success("terraform plan at trace");
    let stderr = trace.stderr();
    let lines = transport_lines(&stderr);
    for module in ["h2", "hyper_util", "rustls", "tonic"] {
        let tagged = format!("@module={module} ");
        assert!(
            lines.iter().any(|(level, line)| *level == "TRACE" && line.contains(&tagged)),
            "no {module} line at trace"
        );
    }

    let debug = plan_logged(&terraform, &sandbox, "TF_LOG_PROVIDER", "debug", &env);
    debug.assert_success("terraform plan at debug");
    let stderr = debug.stderr();
    assert_eq!(
        transport_lines(&stderr),
        [],
        "a plan that went well has no transport line at debug"
    );
}
