//! `qcloud-sandbox`: a local server that behaves like the image API's `DescribeImages`.
//! Everything but the process exit lives in `qcloud_sandbox::cli`.

fn main() {
    std::process::exit(qcloud_sandbox::cli::main(std::env::args_os().skip(1)));
}
