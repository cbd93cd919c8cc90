//! The provider binary. Terraform starts it; everything happens in [`plugin::run`].

use std::sync::Arc;
use std::time::Duration;

use qcloud_provider::plugin::{self, Launch};
use qcloud_provider::provider::QcloudProvider;

fn main() {
    qcloud_provider::logging::init();
    let code = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => {
            let provider = Arc::new(QcloudProvider::new());
            let code = runtime.block_on(plugin::run(provider, Launch::from_process()));
            // Tasks still draining connections must not keep the process alive.
            runtime.shutdown_timeout(Duration::from_millis(100));
            code
        }
        Err(error) => {
            eprintln!("terraform-provider-qcloud: cannot start the async runtime: {error}");
            1
        }
    };
    std::process::exit(code);
}
