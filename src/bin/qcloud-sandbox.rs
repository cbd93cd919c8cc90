//! `qcloud-sandbox`: a local server that behaves like the image API 2.0 `DescribeImages`.
//! Everything but the process exit lives in `qcloud_provider::sandbox::cli`.

fn main() {
    std::process::exit(qcloud_provider::sandbox::cli::main(std::env::args_os().skip(1)));
}
