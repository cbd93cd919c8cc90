//! The function pages give the date of the catalog the provider ships, so a rebuilt catalog
//! (`cargo xtask catalog`) cannot ship with pages that name an older one.

mod common;

use common::repo;

#[test]
fn both_function_pages_give_the_shipped_catalogs_date() {
    let taken = format!("was taken on {}.", qcloud_provider::functions::catalog_date());
    for page in ["docs/functions/public_image_id.md", "docs/functions/public_images.md"] {
        let text = repo::read(page).split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains(&taken), "{page} must say the catalog {taken}");
    }
}

#[test]
fn the_pages_explain_how_pins_age_and_how_the_catalog_is_rebuilt() {
    let id_page = repo::read("docs/functions/public_image_id.md");
    for heading in ["## Names and short forms", "## How pins age"] {
        assert!(id_page.contains(heading), "public_image_id.md: {heading}");
    }
    let images_page = repo::read("docs/functions/public_images.md");
    assert!(images_page.contains("## How the catalog ages"), "public_images.md");
    assert!(images_page.contains("`cargo xtask catalog`"), "public_images.md names the command");
}
