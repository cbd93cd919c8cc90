//! `result_output_file` through the real `terraform`: an unwritable path is an error at that
//! argument in main.tf, and a write cut off (the provider killed half-way through it) leaves
//! the previous file whole.

mod common;

use common::terraform::Run;
use common::{SandboxEnv, Terraform};

use common::terraform::HEADER;

/// `main.tf` with one data source writing to `path`.
fn main_tf(path: &str) -> String {
    format!(
        "{HEADER}\ndata \"qcloud_images\" \"all\" {{\n  image_type = \"public\"\n  \
         result_output_file = {path:?}\n}}\n"
    )
}

/// The number of the line of `config` that sets `result_output_file`.
fn output_line(config: &str) -> usize {
    let index = config.lines().position(|line| line.contains("result_output_file ="));
    index.expect("the configuration sets result_output_file") + 1
}

fn plan(terraform: &Terraform, sandbox: &SandboxEnv) -> Run {
    sandbox.run(terraform, &["plan", "-input=false", "-no-color"])
}

#[test]
fn an_unwritable_result_output_file_is_an_error_at_that_argument() {
    let Some(terraform) = Terraform::new_or_skip("unwritable_output") else { return };
    let sandbox = SandboxEnv::start();
    let file = terraform.dir().join("not-a-directory");
    std::fs::write(&file, "a regular file").expect("writing works");
    let directory = terraform.dir().join("a-directory");
    std::fs::create_dir(&directory).expect("making a directory works");
    // Below a regular file, and a path that is a directory: unwritable even for root.
    for path in [file.join("images.json"), directory] {
        let path = path.to_str().expect("a UTF-8 path").to_string();
        let config = main_tf(&path);
        terraform.write("main.tf", &config);
        let run = plan(&terraform, &sandbox);
        assert!(!run.output.status.success(), "the plan should fail:\n{}", run.stdout());
        let stderr = run.stderr();
        assert!(stderr.contains("Cannot write result_output_file"), "{stderr}");
        let at = format!("on main.tf line {}", output_line(&config));
        assert!(stderr.contains(&at), "{at:?} is not in:\n{stderr}");
        assert!(stderr.contains(&format!("could not write {path}")), "{stderr}");
    }
    assert_eq!(std::fs::read_to_string(&file).expect("still there"), "a regular file");
}

#[test]
fn a_write_cut_off_half_way_leaves_the_previous_file_whole() {
    let Some(terraform) = Terraform::new_or_skip("interrupted_output") else { return };
    let sandbox = SandboxEnv::start();
    let path = terraform.dir().join("out/images.json");
    let text = path.to_str().expect("a UTF-8 path").to_string();
    terraform.write("main.tf", &main_tf(&text));
    plan(&terraform, &sandbox).assert_success("the first plan");
    let previous = std::fs::read(&path).expect("the first plan wrote the file");
    assert!(previous.len() > 4096, "the listing is longer than the size limit below");

    // The next write stops at 2 KiB: the kernel refuses to grow files further and kills the
    // process that tries (SIGXFSZ), as a crash or a full disk would cut it off.
    let command = sandbox.command(&terraform, &["plan", "-input=false", "-no-color"]);
    let program = command.get_program().to_owned();
    let args: Vec<_> = command.get_args().map(|a| a.to_owned()).collect();
    let mut limited = std::process::Command::new("sh");
    limited.arg("-c").arg("ulimit -f 4 && exec \"$0\" \"$@\"").arg(program).args(args);
    limited.current_dir(terraform.dir());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => limited.env(key, value),
            None => limited.env_remove(key),
        };
    }
    let run = Terraform::run_command(limited);
    assert!(
        !run.output.status.success(),
        "the cut-off write must fail the plan:\n{}",
        run.stdout()
    );
    // The provider died in the read, where it writes the file. Terraform words this one of two
    // ways, depending on whether it first sees the connection close or the process exit.
    let stderr = run.stderr();
    let died =
        stderr.contains("Plugin did not respond") || stderr.contains("request was cancelled");
    assert!(died && stderr.contains("ReadDataSource"), "{stderr}");
    assert_eq!(
        std::fs::read(&path).expect("the file is still there"),
        previous,
        "whole, unchanged"
    );
    let stray: Vec<_> = std::fs::read_dir(path.parent().expect("a parent"))
        .expect("readable")
        .map(|entry| entry.expect("an entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name != "images.json")
        .collect();
    // A killed process cannot clean up: its temporary file may stay, hidden, never the target.
    assert!(stray.len() <= 1, "{stray:?}");
    assert!(stray.iter().all(|name| name.starts_with(".qcloud-images-")), "{stray:?}");
}
