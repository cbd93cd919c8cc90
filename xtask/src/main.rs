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
}

fn main() -> ExitCode {
    let Cli { task: Task::Package { binary, out } } = Cli::parse();
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

    #[test]
    fn package_defaults_to_a_release_build_into_dist() {
        let Cli { task: Task::Package { binary, out } } =
            Cli::try_parse_from(["cargo xtask", "package"]).expect("valid arguments");
        assert_eq!((binary, out), (None, PathBuf::from("dist")));
        let Cli { task: Task::Package { binary, out } } =
            Cli::try_parse_from(["cargo xtask", "package", "--binary", "b", "--out", "o"])
                .expect("valid arguments");
        assert_eq!((binary, out), (Some(PathBuf::from("b")), PathBuf::from("o")));
        assert!(Cli::try_parse_from(["cargo xtask", "package", "--bogus"]).is_err());
    }
}
