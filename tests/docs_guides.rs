//! The Registry guides under `docs/guides/`: each exists with the front matter the Registry
//! reads, shows its example files in full, and those files are what `terraform test` runs here:
//! the mocked tests with no API at all, and every test against the sandbox.

mod common;

use std::path::Path;

use common::{SandboxEnv, Terraform, repo};

/// Each guide, the example directory it shows, and the files of that directory it shows.
const GUIDES: &[(&str, &str, &[&str])] = &[(
    "docs/guides/testing.md",
    "examples/guides/testing",
    &["main.tf", "tests/mock.tftest.hcl", "tests/sandbox.tftest.hcl"],
)];

/// The fenced code blocks of a Markdown page, without their fences.
fn code_blocks(page: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in page.lines() {
        match (&mut current, line.starts_with("```")) {
            (None, true) => current = Some(Vec::new()),
            (Some(lines), true) => {
                blocks.push(lines.join("\n"));
                current = None;
            }
            (Some(lines), false) => lines.push(line),
            (None, false) => {}
        }
    }
    blocks
}

#[test]
fn every_guide_has_front_matter_and_shows_its_example_files_in_full() {
    for (guide, dir, files) in GUIDES {
        let page = repo::read(guide);
        let front = page.strip_prefix("---\n").and_then(|rest| rest.split_once("\n---\n"));
        let (front, _) = front.unwrap_or_else(|| panic!("{guide}: no front matter"));
        for key in ["page_title: \"", "subcategory: ", "description: "] {
            assert!(front.contains(key), "{guide}: front matter lacks {key:?}");
        }
        let blocks = code_blocks(&page);
        for file in *files {
            let text = repo::read(&format!("{dir}/{file}"));
            assert!(
                blocks.iter().any(|block| block.trim_end() == text.trim_end()),
                "{guide} does not show {dir}/{file} as it is"
            );
            assert!(page.contains(&format!("`{file}`")), "{guide} does not name {file}");
        }
    }
}

#[test]
fn the_guides_list_every_example_file() {
    for (_, dir, files) in GUIDES {
        let mut found = Vec::new();
        walk(&repo::root().join(dir), Path::new(""), &mut found);
        found.sort();
        let mut listed: Vec<String> = files.iter().map(ToString::to_string).collect();
        listed.sort();
        assert_eq!(found, listed, "{dir} holds files its guide does not show");
    }
}

fn walk(dir: &Path, relative: &Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("a readable directory") {
        let path = entry.expect("an entry").path();
        let name = relative.join(path.file_name().expect("a name"));
        if path.is_dir() {
            walk(&path, &name, found);
        } else {
            found.push(name.to_string_lossy().into_owned());
        }
    }
}

/// A working directory holding a copy of the testing guide's example (with its `tests/`).
fn testing_example(test: &str) -> Option<Terraform> {
    let terraform = Terraform::new_or_skip(test)?;
    let example = repo::root().join("examples/guides/testing");
    terraform.copy_files_from(&example);
    std::fs::create_dir(terraform.dir().join("tests")).expect("a tests directory");
    for entry in std::fs::read_dir(example.join("tests")).expect("the example's tests") {
        let path = entry.expect("an entry").path();
        let copy = terraform.dir().join("tests").join(path.file_name().expect("a name"));
        std::fs::copy(&path, copy).expect("copying a test file");
    }
    Some(terraform)
}

/// Terraform's summary line, e.g. `Success! 2 passed, 0 failed.`
fn summary(stdout: &str) -> &str {
    stdout.lines().rev().find(|line| line.contains(" passed, ")).unwrap_or("")
}

#[test]
fn the_mocked_tests_pass_with_no_api_and_no_credentials() {
    let Some(terraform) = testing_example("mocked_tests_pass") else { return };
    let mut command = terraform.command(&["test", "-no-color", "-filter=tests/mock.tftest.hcl"]);
    // Nothing listens on port 9 of loopback, and no credentials: a real read would fail.
    command.env("QCLOUD_ENDPOINT", "http://127.0.0.1:9/v2/index.php");
    for name in ["QCLOUD_SECRET_ID", "QCLOUD_SECRET_KEY", "TENCENTCLOUD_SECRET_ID"] {
        command.env_remove(name);
    }
    let run = Terraform::run_command(command);
    run.assert_success("terraform test (mocked)");
    let stdout = run.stdout();
    assert_eq!(summary(&stdout), "Success! 2 passed, 0 failed.", "{stdout}");
}

#[test]
fn every_test_of_the_guide_passes_against_the_sandbox() {
    let Some(terraform) = testing_example("guide_tests_pass_against_the_sandbox") else { return };
    let sandbox = SandboxEnv::start();
    let run = sandbox.run(&terraform, &["test", "-no-color"]);
    run.assert_success("terraform test");
    let stdout = run.stdout();
    assert_eq!(summary(&stdout), "Success! 4 passed, 0 failed.", "{stdout}");
    assert!(stdout.contains("tests/sandbox.tftest.hcl... pass"), "{stdout}");
    assert!(stdout.contains("tests/mock.tftest.hcl... pass"), "{stdout}");
    assert!(sandbox.handle.request_count() >= 2, "the sandbox tests read through the API");
}
