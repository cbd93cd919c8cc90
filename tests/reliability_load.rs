//! Load: one `terraform plan` with 50 `qcloud_images` data sources, a mix of identical and
//! distinct queries over more than 1,000 images, under `requests_per_second = 20`. Identical
//! queries are listed once, and no second holds more requests than the limit allows.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{SandboxEnv, Terraform};
use qcloud_provider::qcloud::images::{MAX_IDS_PER_REQUEST, PAGE_SIZE};
use qcloud_sandbox::{Catalog, ImageStatus, ImageType, SANDBOX_REGION, SandboxConfig, v2};

const REQUESTS_PER_SECOND: usize = 20;
const SYNTHETIC_IMAGES: usize = 1_200;
const DATA_SOURCES: usize = 50;

/// One distinct API query: what `DescribeImages` is asked (client-side filters aside).
#[derive(Debug, Clone)]
struct Query {
    image_type: ImageType,
    ids: Vec<String>,
    status: Option<ImageStatus>,
}

impl Query {
    fn new(image_type: ImageType, status: Option<ImageStatus>) -> Self {
        Self { image_type, ids: Vec::new(), status }
    }

    /// The arguments of a data block asking this query.
    fn arguments(&self) -> String {
        let mut text = format!("  image_type = \"{}\"\n", type_word(self.image_type));
        if let Some(status) = self.status {
            text.push_str(&format!("  status = \"{}\"\n", status_word(status)));
        }
        if !self.ids.is_empty() {
            text.push_str(&format!("  image_ids = {:?}\n", self.ids));
        }
        text
    }

    /// The requests a listing of this query makes: per batch of ids, one per page, at least one.
    fn requests(&self, catalog: &Catalog) -> u64 {
        let batches: Vec<Vec<String>> = if self.ids.is_empty() {
            vec![Vec::new()]
        } else {
            self.ids.chunks(MAX_IDS_PER_REQUEST).map(<[String]>::to_vec).collect()
        };
        batches
            .into_iter()
            .map(|image_ids| {
                let query = v2::Query {
                    region: SANDBOX_REGION.to_string(),
                    image_type: self.image_type,
                    image_ids,
                    status: self.status,
                    offset: 0,
                    limit: PAGE_SIZE as usize,
                };
                let matching = catalog.matching(&query).count() as u64;
                matching.div_ceil(u64::from(PAGE_SIZE)).max(1)
            })
            .sum()
    }
}

fn type_word(image_type: ImageType) -> &'static str {
    match image_type {
        ImageType::Private => "private",
        ImageType::Public => "public",
        ImageType::Marketplace => "marketplace",
        ImageType::Shared => "shared",
    }
}

fn status_word(status: ImageStatus) -> &'static str {
    match status {
        ImageStatus::Creating => "creating",
        ImageStatus::Normal => "normal",
        ImageStatus::InUse => "in_use",
        ImageStatus::Syncing => "syncing",
        ImageStatus::Copying => "copying",
    }
}

/// Client-side variations: the same API query whatever they say.
const FILTERS: [&str; 5] = [
    "",
    "  name_regex = \"^web-server\"\n",
    "  os_name = \"ubuntu\"\n",
    "  max_results = 7\n  sort_ascending = true\n",
    "  name_regex = \"[0-9]{6}$\"\n  max_results = 3\n",
];

fn queries(catalog: &Catalog) -> Vec<Query> {
    let private: Vec<String> = catalog
        .images()
        .iter()
        .filter(|i| i.image_type == ImageType::Private)
        .map(|i| i.image_id.clone())
        .collect();
    let with_ids =
        |ids: &[String]| Query { ids: ids.to_vec(), ..Query::new(ImageType::Private, None) };
    vec![
        Query::new(ImageType::Private, None),
        Query::new(ImageType::Private, Some(ImageStatus::Normal)),
        Query::new(ImageType::Public, None),
        Query::new(ImageType::Public, Some(ImageStatus::Normal)),
        Query::new(ImageType::Marketplace, None),
        Query::new(ImageType::Shared, None),
        with_ids(&private[100..125]),
        with_ids(&private[500..503]),
    ]
}

/// `main.tf`: the provider block and 50 data sources cycling over the queries and filters.
fn configuration(queries: &[Query]) -> String {
    let mut text = format!(
        "terraform {{\n  required_providers {{\n    qcloud = {{ source = \"qcloud/qcloud\" }}\n  \
         }}\n}}\n\nprovider \"qcloud\" {{\n  requests_per_second = {REQUESTS_PER_SECOND}\n}}\n"
    );
    for n in 0..DATA_SOURCES {
        let query = &queries[n % queries.len()];
        let filter = FILTERS[(n / queries.len()) % FILTERS.len()];
        text.push_str(&format!(
            "\ndata \"qcloud_images\" \"q{n}\" {{\n{}{filter}}}\n",
            query.arguments()
        ));
    }
    text.push_str("\noutput \"private_total\" { value = data.qcloud_images.q0.total_count }\n");
    text
}

/// The most requests received within any one second (a window starting at a request).
fn busiest_second(times: &[std::time::SystemTime]) -> usize {
    let window = Duration::from_secs(1);
    (0..times.len())
        .map(|i| {
            times[i..]
                .iter()
                .take_while(|t| t.duration_since(times[i]).is_ok_and(|d| d < window))
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn fifty_data_sources_list_each_query_once_within_the_rate_limit() {
    let Some(terraform) = Terraform::new_or_skip("load") else { return };
    let mut catalog = Catalog::builtin();
    catalog.add_synthetic(SYNTHETIC_IMAGES, 2024);
    let queries = queries(&catalog);
    terraform.write("main.tf", &configuration(&queries));
    let private = catalog.images().iter().filter(|i| i.image_type == ImageType::Private).count();
    assert!(catalog.len() > 1_000, "{} images", catalog.len());
    let pages: Vec<u64> = queries.iter().map(|q| q.requests(&catalog)).collect();
    let expected: u64 = pages.iter().sum();
    let sandbox = SandboxEnv::with_config(SandboxConfig { catalog, ..SandboxConfig::default() });

    let run = sandbox.run(&terraform, &["plan", "-input=false", "-no-color"]);
    run.assert_success("terraform plan");
    assert!(
        run.stdout().contains(&format!("private_total = {private}")),
        "the first query sees every private image:\n{}",
        run.stdout()
    );

    let requests = sandbox.handle.requests();
    // Identical queries were listed once: no page asked twice, and exactly the pages of the
    // distinct queries.
    let mut asked: BTreeMap<Vec<(String, String)>, usize> = BTreeMap::new();
    for request in &requests {
        let key = request
            .params
            .iter()
            .filter(|(name, _)| !matches!(name.as_str(), "Nonce" | "Timestamp"))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        *asked.entry(key).or_default() += 1;
    }
    let repeated: Vec<_> = asked.iter().filter(|(_, n)| **n > 1).collect();
    assert!(repeated.is_empty(), "pages asked more than once: {repeated:?}");
    assert!(requests.iter().all(|r| r.code == Some(0)), "every request succeeded");
    assert_eq!(requests.len() as u64, expected, "one request per page of each distinct query");

    let times: Vec<_> = requests.iter().map(|r| r.received_at).collect();
    let busiest = busiest_second(&times);
    assert!(busiest <= REQUESTS_PER_SECOND + 1, "{busiest} requests within one second");
    println!(
        "terraform plan with {DATA_SOURCES} data sources ({} distinct queries, pages {pages:?}) \
         over {} images: {} requests, busiest second {busiest}, plan took {:.1} s",
        queries.len(),
        sandbox.handle.catalog().len(),
        requests.len(),
        run.elapsed.as_secs_f64()
    );
}
