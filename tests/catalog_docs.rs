//! The function pages give the date of the catalog the provider ships, so a rebuilt catalog
//! (`cargo xtask catalog`) cannot ship with pages that name an older one, and they say where
//! the catalog stops and how to find newer images.

mod common;

use common::repo;

const PAGES: [&str; 2] = ["docs/functions/public_image_id.md", "docs/functions/public_images.md"];

/// A page with its line wrapping undone.
fn one_line(page: &str) -> String {
    repo::read(page).split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn both_function_pages_give_the_shipped_catalogs_date() {
    let taken = format!("was taken {}.", qcloud_provider::functions::catalog_taken());
    for page in PAGES {
        assert!(one_line(page).contains(&taken), "{page} must say the catalog {taken}");
    }
}

#[test]
fn both_pages_say_the_catalog_stops_at_its_listing_and_how_to_find_newer_images() {
    for page in PAGES {
        let text = one_line(page);
        for words in [
            "holds only the public images of that listing",
            "`qcloud_images`",
            "`most_recent = true`",
            "`name_regex`",
            "`pin-vs-float`",
        ] {
            assert!(text.contains(words), "{page} must say {words:?}");
        }
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
