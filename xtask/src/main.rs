//! `cargo xtask`: the provider's release tooling. Arguments are parsed here; the work is in
//! the `xtask` library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Release tooling for terraform-provider-qcloud.
#[derive(Debug, Parser)]
#[command(name = "xtask", bin_name = "cargo xtask", version = xtask::VERSION)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Lays the provider out as a filesystem mirror and a Registry release (zip, manifest,
    /// SHA256SUMS), for this machine's platform.
    Package {
        /// Package this binary instead of building one with
        /// `cargo build --release -p terraform-provider-qcloud`.
        #[arg(long, value_name = "PATH")]
        binary: Option<PathBuf>,
        /// Where to write `mirror/` and `release/`.
        #[arg(long, value_name = "DIR", default_value = "dist")]
        out: PathBuf,
    },
    /// Rebuilds data/public-images.tsv from an API 3.0 listing of public images, keeping
    /// every name the catalog already pins. Only Tencent Cloud's endpoint may write that file;
    /// rebuilds from other endpoints (a sandbox) need --out.
    Catalog(xtask::catalog::CatalogArgs),
}

fn main() -> ExitCode {
    match Cli::parse().task {
        Task::Package { binary, out } => package(binary, out),
        Task::Catalog(args) => catalog(&args),
    }
}

fn catalog(args: &xtask::catalog::CatalogArgs) -> ExitCode {
    match xtask::catalog::run(args) {
        Ok(outcome) => {
            eprint!("{outcome}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("cargo xtask catalog: {message}");
            ExitCode::FAILURE
        }
    }
}

fn package(binary: Option<PathBuf>, out: PathBuf) -> ExitCode {
    let result = binary
        .map_or_else(xtask::build_release, Ok)
        .and_then(|binary| xtask::package(&binary, &out, xtask::VERSION));
    match result {
        Ok(packaged) => {
            println!("{}", packaged.mirror_executable.display());
            println!("{}", packaged.release_zip.display());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("cargo xtask package: {message}");
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

    fn package_arguments(args: &[&str]) -> (Option<PathBuf>, PathBuf) {
        match Cli::try_parse_from(args).expect("valid arguments").task {
            Task::Package { binary, out } => (binary, out),
            Task::Catalog(_) => panic!("not package"),
        }
    }

    #[test]
    fn package_defaults_to_a_release_build_into_dist() {
        let (binary, out) = package_arguments(&["cargo xtask", "package"]);
        assert_eq!((binary, out), (None, PathBuf::from("dist")));
        let (binary, out) =
            package_arguments(&["cargo xtask", "package", "--binary", "b", "--out", "o"]);
        assert_eq!((binary, out), (Some(PathBuf::from("b")), PathBuf::from("o")));
        assert!(Cli::try_parse_from(["cargo xtask", "package", "--bogus"]).is_err());
    }
}
