use regex::Regex;

use super::*;
use crate::data_sources::images::test_support::image;
use crate::qcloud::{ImageFilter, ImageType};

fn query() -> Lookup {
    Lookup {
        filter: ImageFilter::of_type(ImageType::Public),
        name_regex: None,
        os_name: None,
        most_recent: false,
        sort_ascending: false,
        max_results: None,
        result_output_file: None,
        read_timeout: None,
    }
}

/// b and c share a create time; d has none; e's cannot be read; e has no name; f no OS.
fn listing() -> Vec<Image> {
    vec![
        image("img-aaaaaaaa", "web-1", "CentOS 7.2 64bit", "2020-01-01 00:00:00"),
        image("img-bbbbbbbb", "web-2", "CentOS 7.2 64bit", "2021-06-01 12:00:00"),
        image("img-cccccccc", "db-1", "Ubuntu Server 14.04", "2021-06-01 12:00:00"),
        image("img-dddddddd", "web-3", "centos 6.5", ""),
        image("img-eeeeeeee", "", "CentOS 7.1", "last tuesday"),
        image("img-ffffffff", "web-4", "", "2019-05-05 05:05:05"),
    ]
}

fn ids<'a>(images: &[&'a Image]) -> Vec<&'a str> {
    images.iter().map(|i| &i.image_id[4..5]).collect()
}

struct Case {
    name: &'static str,
    regex: Option<&'static str>,
    os: Option<&'static str>,
    ascending: bool,
    max: Option<usize>,
    want: &'static [&'static str],
    total: usize,
}

const CASES: &[Case] = &[
    Case {
        name: "newest first by default",
        regex: None,
        os: None,
        ascending: false,
        max: None,
        want: &["b", "c", "a", "f", "d", "e"],
        total: 6,
    },
    Case {
        name: "oldest first, missing times oldest",
        regex: None,
        os: None,
        ascending: true,
        max: None,
        want: &["d", "e", "f", "a", "b", "c"],
        total: 6,
    },
    Case {
        name: "max_results after sorting",
        regex: None,
        os: None,
        ascending: false,
        max: Some(2),
        want: &["b", "c"],
        total: 6,
    },
    Case {
        name: "max_results ascending",
        regex: None,
        os: None,
        ascending: true,
        max: Some(3),
        want: &["d", "e", "f"],
        total: 6,
    },
    Case {
        name: "max_results above the count",
        regex: None,
        os: None,
        ascending: false,
        max: Some(100),
        want: &["b", "c", "a", "f", "d", "e"],
        total: 6,
    },
    Case {
        name: "regex anchored; no name never matches",
        regex: Some("^web-"),
        os: None,
        ascending: false,
        max: None,
        want: &["b", "a", "f", "d"],
        total: 4,
    },
    Case {
        name: "regex unanchored",
        regex: Some("eb-[12]"),
        os: None,
        ascending: false,
        max: None,
        want: &["b", "a"],
        total: 2,
    },
    Case {
        name: "regex that matches nothing",
        regex: Some("^windows"),
        os: None,
        ascending: false,
        max: None,
        want: &[],
        total: 0,
    },
    Case {
        name: "os substring ignores case; no OS never matches",
        regex: None,
        os: Some("CENTOS"),
        ascending: false,
        max: None,
        want: &["b", "a", "d", "e"],
        total: 4,
    },
    Case {
        name: "os in the middle",
        regex: None,
        os: Some("server 14"),
        ascending: false,
        max: None,
        want: &["c"],
        total: 1,
    },
    Case {
        name: "both filters",
        regex: Some("^web"),
        os: Some("7.2"),
        ascending: true,
        max: None,
        want: &["a", "b"],
        total: 2,
    },
    Case {
        name: "both filters with max",
        regex: Some("^web"),
        os: Some("centos"),
        ascending: false,
        max: Some(1),
        want: &["b"],
        total: 3,
    },
];

fn case_query(case: &Case) -> Lookup {
    Lookup {
        name_regex: case.regex.map(|r| Regex::new(r).expect("test regex")),
        os_name: case.os.map(str::to_string),
        sort_ascending: case.ascending,
        max_results: case.max,
        most_recent: true,
        ..query()
    }
}

#[test]
fn selection_table() {
    let listed = listing();
    for case in CASES {
        let selection = select(&listed, &case_query(case));
        assert_eq!(ids(&selection.images), case.want, "{}", case.name);
        assert_eq!(selection.total_count, case.total, "{}", case.name);
    }
}

#[test]
fn most_recent_is_the_newest_match_whatever_the_direction_and_limit() {
    let listed = listing();
    for case in CASES {
        let selection = select(&listed, &case_query(case));
        let descending = select(
            &listed,
            &Lookup { sort_ascending: false, max_results: None, ..case_query(case) },
        );
        let newest = descending.images.first().map(|i| i.image_id.clone());
        assert_eq!(selection.most_recent.map(|i| i.image_id.clone()), newest, "{}", case.name);
    }
    let oldest_only =
        Lookup { most_recent: true, sort_ascending: true, max_results: Some(1), ..query() };
    let selection = select(&listed, &oldest_only);
    assert_eq!(ids(&selection.images), ["d"]);
    assert_eq!(selection.most_recent.map(|i| i.image_id.as_str()), Some("img-bbbbbbbb"));
}

#[test]
fn most_recent_breaks_equal_times_by_smallest_id() {
    let tied = vec![
        image("img-zzzzzzzz", "x", "", "2021-06-01 12:00:00"),
        image("img-mmmmmmmm", "x", "", "2021-06-01 12:00:00"),
    ];
    let q = Lookup { most_recent: true, ..query() };
    assert_eq!(select(&tied, &q).most_recent.map(|i| i.image_id.as_str()), Some("img-mmmmmmmm"));
    let undated = vec![image("img-zzzzzzzz", "x", "", ""), image("img-mmmmmmmm", "x", "", "?")];
    assert_eq!(select(&undated, &q).most_recent.map(|i| i.image_id.as_str()), Some("img-mmmmmmmm"));
}

#[test]
fn most_recent_is_none_unless_asked_or_when_nothing_matches() {
    assert_eq!(select(&listing(), &query()).most_recent, None);
    let q = Lookup { most_recent: true, ..query() };
    let empty = select(&[], &q);
    assert_eq!((empty.total_count, empty.images.len(), empty.most_recent), (0, 0, None));
}

/// Every permutation of the listing (6! = 720) gives the very same selection.
#[test]
fn any_api_order_gives_the_same_selection() {
    let base = listing();
    for case in CASES {
        let q = case_query(case);
        let expected = select(&base, &q);
        let mut order: Vec<usize> = (0..base.len()).collect();
        for_each_permutation(&mut order, 0, &mut |order| {
            let shuffled: Vec<Image> = order.iter().map(|&i| base[i].clone()).collect();
            assert_eq!(select(&shuffled, &q), expected, "{} with order {order:?}", case.name);
        });
    }
}

fn for_each_permutation(items: &mut Vec<usize>, start: usize, visit: &mut dyn FnMut(&[usize])) {
    if start == items.len() {
        visit(items);
        return;
    }
    for i in start..items.len() {
        items.swap(start, i);
        for_each_permutation(items, start + 1, visit);
        items.swap(start, i);
    }
}

#[test]
fn a_repeated_id_counts_once_and_the_same_copy_wins_in_any_order() {
    let older = image("img-aaaaaaaa", "web-1", "CentOS", "2020-01-01 00:00:00");
    let newer = image("img-aaaaaaaa", "web-1", "CentOS", "2021-01-01 00:00:00");
    let q = Lookup { most_recent: true, ..query() };
    let (first, second) = ([older.clone(), newer.clone()], [newer.clone(), older]);
    let (one, two) = (select(&first, &q), select(&second, &q));
    assert_eq!(one, two);
    assert_eq!(one.total_count, 1);
    assert_eq!(one.images, [&newer]);
}

fn with_status(mut image: Image, status: Option<i64>) -> Image {
    image.status = status;
    image
}

/// Regression: `most_recent` picked an image still syncing, which no instance can boot.
#[test]
fn regression_most_recent_passes_over_images_that_cannot_be_launched() {
    let listed = vec![
        with_status(image("img-aaaaaaaa", "web-1", "", "2024-01-01 00:00:00"), Some(2)),
        with_status(image("img-bbbbbbbb", "web-2", "", "2024-02-01 00:00:00"), Some(3)),
        with_status(image("img-cccccccc", "web-3", "", "2024-03-01 00:00:00"), Some(4)),
        with_status(image("img-dddddddd", "web-4", "", "2024-04-01 00:00:00"), Some(1)),
        with_status(image("img-eeeeeeee", "web-5", "", "2024-05-01 00:00:00"), Some(5)),
        with_status(image("img-ffffffff", "web-6", "", "2024-06-01 00:00:00"), None),
    ];
    let q = Lookup { most_recent: true, ..query() };
    let selection = select(&listed, &q);
    assert_eq!(selection.most_recent.map(|i| i.image_id.as_str()), Some("img-bbbbbbbb"));
    assert_eq!(selection.unusable, 4, "syncing, creating, copying and a failed state");
    assert_eq!(selection.total_count, 6, "unusable images are still listed");
    // A status asked for explicitly is honoured: any image of that status may be picked.
    let syncing = Lookup {
        filter: ImageFilter { status: Some(ImageStatus::Syncing), ..q.filter.clone() },
        ..q.clone()
    };
    let selection = select(&listed, &syncing);
    assert_eq!(selection.most_recent.map(|i| i.image_id.as_str()), Some("img-ffffffff"));
    assert_eq!(selection.unusable, 0);
    let only_unusable = [listed[2].clone(), listed[4].clone()];
    let selection = select(&only_unusable, &q);
    assert_eq!((selection.most_recent, selection.unusable), (None, 2));
}

#[test]
fn usable_means_normal_or_in_use() {
    let cases = [
        (Some(1), false),
        (Some(2), true),
        (Some(3), true),
        (Some(4), false),
        (Some(5), false),
        (Some(9), false),
        (None, false),
    ];
    for (status, usable) in cases {
        assert_eq!(
            is_usable(&with_status(image("img-aaaaaaaa", "", "", ""), status)),
            usable,
            "{status:?}"
        );
    }
}
