//! The docs and the schema agree: every argument, attribute and function parameter the
//! provider declares is documented under its name, type and flags, and nothing documented is
//! absent from the schema. Each entry carries the schema's description verbatim (as generated
//! Registry docs do), so a changed description shows up here until the docs follow.
//!
//! Also: every Registry page has front matter and an example, each example block is the
//! matching file under `examples/` (which `terraform_examples` applies), and every data source
//! and function has a page and every page a data source or function.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::repo;
use qcloud_provider::cty::Type;
use qcloud_provider::provider::{Provider, QcloudProvider};
use qcloud_provider::schema::{Attribute, AttributeType, Presence, Schema};

/// One `- \`name\` (Type, Flags) description` entry, with its nested entries.
#[derive(Debug)]
struct Entry {
    name: String,
    ty: String,
    flags: BTreeSet<String>,
    description: String,
    children: Vec<Entry>,
}

/// The text under `## heading`, up to the next `## ` heading.
fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let marker = format!("\n## {heading}\n");
    let start =
        doc.find(&marker).unwrap_or_else(|| panic!("no `## {heading}` section")) + marker.len();
    let rest = &doc[start..];
    rest.find("\n## ").map_or(rest, |end| &rest[..end])
}

/// Parses `- `/`1. ` list entries; indented entries nest under the entry before them, and
/// indented text lines continue the description of the entry before them.
fn entries(text: &str) -> Vec<Entry> {
    let mut top: Vec<Entry> = Vec::new();
    for line in text.lines() {
        let indented = line.starts_with("  ");
        let trimmed = line.trim_start();
        match parse_item(trimmed) {
            Some(entry) if indented => {
                let parent = top.last_mut().expect("a nested entry follows a top-level one");
                parent.children.push(entry);
            }
            Some(entry) => top.push(entry),
            None if indented && !trimmed.is_empty() => {
                let last = top.last_mut().expect("continuation text follows an entry");
                let target = match last.children.last_mut() {
                    Some(child) => child,
                    None => last,
                };
                target.description = format!("{} {trimmed}", target.description);
            }
            None => {}
        }
    }
    top
}

fn parse_item(line: &str) -> Option<Entry> {
    let rest = line.strip_prefix("- ").or_else(|| {
        let (number, rest) = line.split_once(". ")?;
        number.bytes().all(|b| b.is_ascii_digit()).then_some(rest)
    })?;
    let rest = rest.strip_prefix('`')?;
    let (name, rest) = rest.split_once('`')?;
    let rest = rest.trim_start().strip_prefix('(')?;
    let (inside, description) = rest.split_once(')')?;
    let mut parts = inside.split(',').map(str::trim);
    let ty = parts.next()?.to_string();
    Some(Entry {
        name: name.to_string(),
        ty,
        flags: parts.map(str::to_string).collect(),
        description: normalize(description),
        children: Vec::new(),
    })
}

fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The type as the docs write it.
fn doc_type(ty: &Type) -> String {
    match ty {
        Type::Bool => "Boolean".into(),
        Type::Number => "Number".into(),
        Type::String => "String".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(e) => format!("List of {}", doc_type(e)),
        Type::Set(e) => format!("Set of {}", doc_type(e)),
        Type::Map(e) => format!("Map of {}", doc_type(e)),
        Type::Object(_) => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
    }
}

/// The type as a function signature writes it.
fn signature_type(ty: &Type) -> String {
    match ty {
        Type::List(e) => format!("list of {}", signature_type(e)),
        Type::Set(e) => format!("set of {}", signature_type(e)),
        Type::Map(e) => format!("map of {}", signature_type(e)),
        other => doc_type(other).to_lowercase(),
    }
}

fn cty(attribute: &Attribute) -> &Type {
    match &attribute.ty {
        AttributeType::Cty(ty) => ty,
        AttributeType::Nested(_) => {
            panic!("{}: nested attributes are not documented", attribute.name)
        }
    }
}

fn by_name(entries: &[Entry]) -> BTreeMap<&str, &Entry> {
    let mut map = BTreeMap::new();
    for entry in entries {
        assert!(
            map.insert(entry.name.as_str(), entry).is_none(),
            "{} documented twice",
            entry.name
        );
    }
    map
}

/// Fails unless `documented` names exactly `declared`.
fn same_names<'a>(
    what: &str,
    documented: impl Iterator<Item = &'a str>,
    declared: impl Iterator<Item = &'a str>,
) {
    let documented: BTreeSet<&str> = documented.collect();
    let declared: BTreeSet<&str> = declared.collect();
    let missing: Vec<_> = declared.difference(&documented).collect();
    let absent: Vec<_> = documented.difference(&declared).collect();
    assert!(
        missing.is_empty() && absent.is_empty(),
        "{what}: missing from the docs {missing:?}; documented but not in the schema {absent:?}"
    );
}

/// The flags an argument entry must carry.
fn argument_flags(attribute: &Attribute) -> BTreeSet<String> {
    let mut flags = BTreeSet::new();
    match attribute.presence {
        Presence::Required => flags.insert("Required".to_string()),
        Presence::Optional => flags.insert("Optional".to_string()),
        Presence::OptionalComputed => {
            flags.insert("Optional".to_string());
            flags.insert("Computed".to_string())
        }
        Presence::Computed => unreachable!("computed attributes are not arguments"),
    };
    if attribute.sensitive {
        flags.insert("Sensitive".to_string());
    }
    flags
}

fn is_argument(attribute: &Attribute) -> bool {
    attribute.presence != Presence::Computed
}

fn is_attribute(attribute: &Attribute) -> bool {
    matches!(attribute.presence, Presence::Computed | Presence::OptionalComputed)
}

/// Checks an argument list against the schema's arguments and nested blocks.
fn check_arguments(page: &str, documented: &[Entry], schema: &Schema) {
    let arguments: Vec<&Attribute> =
        schema.block.attributes.iter().filter(|a| is_argument(a)).collect();
    let blocks = schema.block.block_types.iter().map(|b| b.type_name.as_str());
    same_names(
        page,
        documented.iter().map(|e| e.name.as_str()),
        arguments.iter().map(|a| a.name.as_str()).chain(blocks),
    );
    let documented = by_name(documented);
    for attribute in arguments {
        check_argument(page, documented[attribute.name.as_str()], attribute);
    }
    for block in &schema.block.block_types {
        let entry = documented[block.type_name.as_str()];
        let what = format!("{page}: block {}", block.type_name);
        assert_eq!(entry.ty, "Block", "{what}: type");
        let flag = if block.min_items > 0 { "Required" } else { "Optional" };
        assert_eq!(entry.flags, BTreeSet::from([flag.to_string()]), "{what}: flags");
        assert_eq!(entry.description, normalize(&block.block.description), "{what}: description");
        same_names(
            &what,
            entry.children.iter().map(|e| e.name.as_str()),
            block.block.attributes.iter().map(|a| a.name.as_str()),
        );
        let children = by_name(&entry.children);
        for attribute in &block.block.attributes {
            check_argument(&what, children[attribute.name.as_str()], attribute);
        }
    }
}

/// One argument's type, flags and description.
fn check_argument(page: &str, entry: &Entry, attribute: &Attribute) {
    let what = format!("{page}: argument {}", attribute.name);
    assert_eq!(entry.ty, doc_type(cty(attribute)), "{what}: type");
    assert_eq!(entry.flags, argument_flags(attribute), "{what}: flags");
    assert_eq!(entry.description, normalize(&attribute.description), "{what}: description");
}

/// The docs page of a data source: `qcloud_images` is `docs/data-sources/images.md`.
fn data_source_page(type_name: &str) -> String {
    format!("docs/data-sources/{}.md", type_name.trim_start_matches("qcloud_"))
}

fn provider() -> QcloudProvider {
    QcloudProvider::new()
}

#[test]
fn provider_arguments_match_the_provider_block() {
    let doc = repo::read("docs/index.md");
    let documented = entries(section(&doc, "Argument Reference"));
    check_arguments("docs/index.md", &documented, &provider().schema().provider);
}

#[test]
fn data_source_arguments_match_their_schemas() {
    let provider = provider();
    for (type_name, schema) in &provider.schema().data_sources {
        let page = data_source_page(type_name);
        let doc = repo::read(&page);
        let documented = entries(section(&doc, "Argument Reference"));
        check_arguments(&page, &documented, schema);
    }
}

#[test]
fn data_source_attributes_match_their_schemas() {
    let provider = provider();
    for (type_name, schema) in &provider.schema().data_sources {
        let page = data_source_page(type_name);
        let doc = repo::read(&page);
        let documented = entries(section(&doc, "Attribute Reference"));
        let attributes: Vec<&Attribute> =
            schema.block.attributes.iter().filter(|a| is_attribute(a)).collect();
        same_names(
            &page,
            documented.iter().map(|e| e.name.as_str()),
            attributes.iter().map(|a| a.name.as_str()),
        );
        let documented = by_name(&documented);
        for attribute in attributes {
            let entry = documented[attribute.name.as_str()];
            let what = format!("{page}: attribute {}", attribute.name);
            assert_eq!(entry.ty, doc_type(cty(attribute)), "{what}: type");
            assert!(entry.flags.is_empty(), "{what}: attributes carry no flags: {:?}", entry.flags);
            assert!(!entry.description.is_empty(), "{what}: no description");
            // An optional+computed attribute is described with the arguments; here it says
            // what it holds when computed.
            if attribute.presence == Presence::Computed {
                let expected = normalize(&attribute.description);
                assert_eq!(entry.description, expected, "{what}: description");
            }
        }
    }
}

/// The fields of an object (or of the objects of a list), if the type has them.
fn object_fields(ty: &Type) -> Option<&BTreeMap<String, Type>> {
    match ty {
        Type::Object(fields) => Some(fields),
        Type::List(element) => object_fields(element),
        _ => None,
    }
}

/// Every attribute holding objects lists their fields with types and descriptions, unless it
/// says it has the same fields as another attribute that lists them.
#[test]
fn object_attributes_document_their_fields() {
    const SAME_AS: &str = "same attributes as an element of";
    let provider = provider();
    for (type_name, schema) in &provider.schema().data_sources {
        let page = data_source_page(type_name);
        let doc = repo::read(&page);
        let documented = entries(section(&doc, "Attribute Reference"));
        let documented = by_name(&documented);
        for attribute in &schema.block.attributes {
            let Some(fields) = object_fields(cty(attribute)) else { continue };
            let entry = documented[attribute.name.as_str()];
            let what = format!("{page}: {}[*]", attribute.name);
            if entry.children.is_empty() && entry.description.contains(SAME_AS) {
                continue;
            }
            same_names(
                &what,
                entry.children.iter().map(|e| e.name.as_str()),
                fields.keys().map(String::as_str),
            );
            for child in &entry.children {
                assert_eq!(child.ty, doc_type(&fields[&child.name]), "{what}.{}: type", child.name);
                assert!(!child.description.is_empty(), "{what}.{}: no description", child.name);
            }
        }
    }
}

#[test]
fn every_function_has_a_page_and_every_page_a_function() {
    let provider = provider();
    let pages = markdown_stems("docs/functions");
    same_names(
        "docs/functions",
        pages.iter().map(String::as_str),
        provider.schema().functions.keys().map(String::as_str),
    );
}

#[test]
fn every_data_source_has_a_page_and_every_page_a_data_source() {
    let provider = provider();
    let pages: Vec<String> =
        markdown_stems("docs/data-sources").iter().map(|s| format!("qcloud_{s}")).collect();
    same_names(
        "docs/data-sources",
        pages.iter().map(String::as_str),
        provider.schema().data_sources.keys().map(String::as_str),
    );
}

#[test]
fn function_pages_match_their_signatures() {
    let provider = provider();
    for (name, function) in &provider.schema().functions {
        let page = format!("docs/functions/{name}.md");
        let doc = repo::read(&page);
        let front = front_matter(&page, &doc);
        assert_eq!(front_description(front), function.summary, "{page}: description = summary");
        assert!(function.variadic.is_none(), "{name}: document the variadic parameter");
        let arguments = section(&doc, "Arguments");
        let documented = entries(arguments);
        let names: Vec<&str> = documented.iter().map(|e| e.name.as_str()).collect();
        let declared: Vec<&str> = function.parameters.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, declared, "{page}: parameters, in order");
        if declared.is_empty() {
            assert!(arguments.contains("takes no arguments"), "{page}: say it takes none");
        }
        for (entry, parameter) in documented.iter().zip(&function.parameters) {
            assert_eq!(entry.ty, doc_type(&parameter.ty), "{page}: {} type", parameter.name);
            assert_eq!(
                entry.description,
                normalize(&parameter.description),
                "{page}: {}",
                parameter.name
            );
        }
        let parameters: Vec<String> = function
            .parameters
            .iter()
            .map(|p| format!("{} {}", p.name, signature_type(&p.ty)))
            .collect();
        let signature =
            format!("{name}({}) {}", parameters.join(", "), signature_type(&function.return_type));
        let block = fenced_block(section(&doc, "Signature"), "text").expect("a ```text block");
        assert_eq!(block.trim(), signature, "{page}: signature");
    }
}

#[test]
fn every_registry_page_has_front_matter_and_an_example_from_examples() {
    let mut pages =
        vec![("docs/index.md".to_string(), "examples/provider/provider.tf".to_string())];
    for stem in markdown_stems("docs/data-sources") {
        pages.push((
            format!("docs/data-sources/{stem}.md"),
            format!("examples/data-sources/qcloud_{stem}/data-source.tf"),
        ));
    }
    for stem in markdown_stems("docs/functions") {
        pages.push((
            format!("docs/functions/{stem}.md"),
            format!("examples/functions/{stem}/function.tf"),
        ));
    }
    for (page, example) in pages {
        let doc = repo::read(&page);
        let front = front_matter(&page, &doc);
        assert!(front.lines().any(|l| l.starts_with("page_title: ")), "{page}: page_title");
        assert!(!front_description(front).is_empty(), "{page}: description");
        let block = fenced_block(section(&doc, "Example Usage"), "terraform")
            .expect("a ```terraform block");
        assert!(block == repo::read(&example), "{page}: the example block differs from {example}");
    }
}

/// The file stems of the `.md` files in a docs directory.
fn markdown_stems(dir: &str) -> Vec<String> {
    let mut stems: Vec<String> = std::fs::read_dir(repo::root().join(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| p.file_stem().expect("a name").to_string_lossy().into_owned())
        .collect();
    stems.sort();
    stems
}

/// The YAML front matter between the opening and closing `---` lines.
fn front_matter<'a>(page: &str, doc: &'a str) -> &'a str {
    let body = doc.strip_prefix("---\n").unwrap_or_else(|| panic!("{page}: no front matter"));
    let end = body.find("\n---\n").unwrap_or_else(|| panic!("{page}: front matter not closed"));
    &body[..end]
}

/// The front matter's `description: |-` text, joined into one line.
fn front_description(front: &str) -> String {
    let mut lines = front.lines().skip_while(|l| !l.starts_with("description:"));
    let first = lines.next().unwrap_or_default().trim_start_matches("description:").trim();
    let rest: Vec<&str> = lines.take_while(|l| l.starts_with("  ")).collect();
    let text = if first == "|-" { rest.join(" ") } else { first.to_string() };
    normalize(&text)
}

/// The contents of the first fenced block of `language` in `text`.
fn fenced_block<'a>(text: &'a str, language: &str) -> Option<&'a str> {
    let open = format!("```{language}\n");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find("```")?;
    Some(&text[start..start + end])
}

#[test]
fn the_parser_reads_entries_flags_nesting_and_continuations() {
    let text = "- `a` (String, Required) First\n  line.\n- `b` (List of Object) Objects:\n  - `c` (Number) Nested.\n1. `d` (Boolean, Optional, Computed) Numbered.\n";
    let parsed = entries(text);
    let names: Vec<&str> = parsed.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "d"]);
    assert_eq!(parsed[0].description, "First line.");
    assert_eq!(parsed[0].flags, BTreeSet::from(["Required".to_string()]));
    assert_eq!(
        (parsed[1].ty.as_str(), parsed[1].children[0].name.as_str()),
        ("List of Object", "c")
    );
    assert_eq!(parsed[2].flags.len(), 2);
    assert_eq!(signature_type(&Type::map(Type::String)), "map of string");
}

#[test]
fn readme_shows_the_sandbox_help_as_it_is() {
    let readme = repo::read("README.md");
    let help = format!("```text\n{}```", qcloud_sandbox::cli::HELP);
    assert!(
        readme.contains(&help),
        "README.md must show `qcloud-sandbox --help` verbatim:\n{help}"
    );
}

#[test]
fn readme_opens_with_the_two_commands_and_ci_runs_both() {
    let readme = repo::read("README.md");
    let first = fenced_block(&readme, "sh").expect("a ```sh block");
    let commands: Vec<&str> =
        first.lines().map(|l| l.split('#').next().unwrap_or_default().trim()).collect();
    assert_eq!(commands, ["cargo run --example quickstart", "cargo test"], "{first}");
    let ci = repo::read(".ci/run");
    assert!(ci.contains("QCLOUD_REQUIRE_TERRAFORM=1 cargo test"), "{ci}");
    assert!(ci.contains("--example quickstart"), "{ci}");
}
