//! `cargo xtask`: the provider's release tooling. Each command's arguments are parsed here and
//! its work is done by the `xtask` library; a new command is one more [`Task`] variant and one
//! more arm in [`Task::run`].

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use xtask::{Build, Platform, Release, Signer};

/// Release tooling for terraform-provider-qcloud.
#[derive(Debug, Parser)]
#[command(name = "xtask", bin_name = "cargo xtask", version = xtask::VERSION)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Builds the provider (fully static on Linux) and lays it out as a filesystem mirror and a
    /// Registry release (zip, manifest, SHA256SUMS, and SHA256SUMS.sig with --gpg-key).
    Package(PackageArgs),
    /// Rebuilds data/public-images.tsv from an API 3.0 listing of public images, keeping
    /// every name the catalog already pins. Only Tencent Cloud's endpoint may write that file;
    /// rebuilds from other endpoints (a sandbox) need --out.
    Catalog(xtask::catalog::CatalogArgs),
}

#[derive(Debug, Args, PartialEq, Eq)]
struct PackageArgs {
    /// Package this binary instead of building one (it must be built for --target).
    #[arg(long, value_name = "PATH")]
    binary: Option<PathBuf>,
    /// The Rust target to build and name the package for [default: this machine's].
    #[arg(long, value_name = "TRIPLE")]
    target: Option<String>,
    /// Where to write `mirror/` and `release/`.
    #[arg(long, value_name = "DIR", default_value = "dist")]
    out: PathBuf,
    /// Sign SHA256SUMS with this GPG key (fingerprint, key id or user id), as the Registry
    /// requires.
    #[arg(long, value_name = "KEY")]
    gpg_key: Option<String>,
}

impl Task {
    /// Runs the command; the lines it prints say what it wrote.
    fn run(self) -> Result<Vec<String>, String> {
        match self {
            Task::Package(args) => package(args),
            Task::Catalog(args) => catalog(&args),
        }
    }

    /// The command's name, which starts its error messages.
    fn name(&self) -> &'static str {
        match self {
            Task::Package(_) => "package",
            Task::Catalog(_) => "catalog",
        }
    }
}

/// Rebuilds the catalog; its account of what it kept, added and left out goes to stderr.
fn catalog(args: &xtask::catalog::CatalogArgs) -> Result<Vec<String>, String> {
    let outcome = xtask::catalog::run(args)?;
    eprint!("{outcome}");
    Ok(Vec::new())
}

fn package(args: PackageArgs) -> Result<Vec<String>, String> {
    let target = match args.target {
        Some(target) => target,
        None => xtask::compile::host_target()?,
    };
    // Refuse an unnamed platform before spending minutes on a build.
    let platform = Platform::from_target(&target)?;
    let binary = match args.binary {
        Some(binary) => binary,
        None => Build::release(&target).run()?,
    };
    let release = Release {
        version: xtask::VERSION.to_owned(),
        platform,
        signer: args.gpg_key.map(Signer::new),
    };
    let packaged = xtask::package(&binary, &args.out, &release)?;
    let mut written = vec![packaged.mirror_executable, packaged.release_zip, packaged.sums];
    written.extend(packaged.signature);
    Ok(written.iter().map(|path| path.display().to_string()).collect())
}

fn main() -> ExitCode {
    let task = Cli::parse().task;
    let name = task.name();
    match task.run() {
        Ok(lines) => {
            for line in lines {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("cargo xtask {name}: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    fn package_args(args: &[&str]) -> PackageArgs {
        let argv = ["cargo xtask", "package"].iter().chain(args);
        match Cli::try_parse_from(argv).expect("valid arguments").task {
            Task::Package(args) => args,
            Task::Catalog(_) => panic!("not package"),
        }
    }

    #[test]
    fn package_defaults_to_a_release_build_for_this_machine_into_dist() {
        let defaults =
            PackageArgs { binary: None, target: None, out: "dist".into(), gpg_key: None };
        assert_eq!(package_args(&[]), defaults);
        let all = package_args(&[
            "--binary",
            "b",
            "--out",
            "o",
            "--target",
            "aarch64-apple-darwin",
            "--gpg-key",
            "ABCD",
        ]);
        assert_eq!(
            all,
            PackageArgs {
                binary: Some("b".into()),
                target: Some("aarch64-apple-darwin".into()),
                out: "o".into(),
                gpg_key: Some("ABCD".into()),
            }
        );
        assert!(Cli::try_parse_from(["cargo xtask", "package", "--bogus"]).is_err());
    }

    #[test]
    fn an_unnamed_platform_is_refused_before_any_build() {
        let args = PackageArgs {
            binary: None,
            target: Some("riscv64gc-unknown-linux-gnu".into()),
            out: "never-written".into(),
            gpg_key: None,
        };
        let error = package(args).expect_err("no Registry name");
        assert!(error.contains("riscv64gc"), "{error}");
        assert!(!std::path::Path::new("never-written").exists());
    }
}
