use super::*;
use crate::cty::encode_msgpack;

fn item(id: &str, size: i64) -> Value {
    Value::object([("id", id.into()), ("size", size.into())])
}

fn object_type() -> Type {
    let item = Type::object([("id", Type::String), ("size", Type::Number)]);
    Type::object([
        ("count", Type::Number),
        ("ids", Type::list(Type::String)),
        ("items", Type::list(item.clone())),
        ("name", Type::String),
        ("tags", Type::set(Type::String)),
    ])
}

fn items() -> Vec<Value> {
    vec![item("a", 1), item("b", 2), item("c", 3)]
}

/// A list of elements that says it holds `claimed` of them.
struct Claiming {
    items: std::vec::IntoIter<Value>,
    claimed: usize,
}

impl Iterator for Claiming {
    type Item = Value;
    fn next(&mut self) -> Option<Value> {
        self.items.next()
    }
}

impl ExactSizeIterator for Claiming {
    fn len(&self) -> usize {
        self.claimed
    }
}

#[test]
fn parts_encode_to_the_same_bytes_as_the_whole_value() {
    let ty = object_type();
    let whole = Value::object([
        ("count", 3.into()),
        ("ids", Value::List(vec!["a".into(), "b".into(), "c".into()])),
        ("items", Value::List(items())),
        ("name", Value::Null),
        ("tags", Value::Set(vec!["x".into()])),
    ]);
    let parts = vec![
        ("tags", Part::Elements(Box::new(vec![Value::from("x")].into_iter()))),
        ("items", Part::Elements(Box::new(items().into_iter()))),
        ("count", Part::Value(3.into())),
        ("ids", Part::Value(Value::List(vec!["a".into(), "b".into(), "c".into()]))),
    ];
    assert_eq!(encode_object_parts(parts, &ty), encode_msgpack(&whole, &ty));
    let empty = Value::object([("items", Value::List(Vec::new()))]);
    let parts = [("items", Part::Elements(Box::new(std::iter::empty())))];
    assert_eq!(encode_object_parts(parts, &ty), encode_msgpack(&empty, &ty));
}

#[test]
fn parts_that_do_not_fit_the_type_are_refused() {
    let ty = object_type();
    let message = |parts: Vec<(&'static str, Part<'static>)>| {
        encode_object_parts(parts, &ty).map(|_| ()).map_err(|e| e.to_string())
    };
    let cases: Vec<(Vec<(&'static str, Part<'static>)>, &str)> = vec![
        (vec![("colour", Part::Value(Value::Null))], "attribute \"colour\" that its type"),
        (
            vec![("count", Part::Value(1.into())), ("count", Part::Value(2.into()))],
            "\"count\" is given twice",
        ),
        (
            vec![("name", Part::Elements(Box::new(vec![Value::from("x")].into_iter())))],
            "expected a string, found a list (at name)",
        ),
        (
            vec![("items", Part::Elements(Box::new(vec![Value::from("x")].into_iter())))],
            "(at items[0])",
        ),
        (
            vec![(
                "items",
                Part::Elements(Box::new(Claiming { items: items().into_iter(), claimed: 5 })),
            )],
            "promised 5 items but had only 3 (at items)",
        ),
        (
            vec![(
                "items",
                Part::Elements(Box::new(Claiming { items: items().into_iter(), claimed: 2 })),
            )],
            "promised 2 items but had more (at items)",
        ),
    ];
    for (parts, expected) in cases {
        let result = message(parts);
        assert!(
            result.as_ref().is_err_and(|text| text.contains(expected)),
            "{result:?} vs {expected}"
        );
    }
    let not_an_object = encode_object_parts([], &Type::String).map_err(|e| e.to_string());
    assert_eq!(not_an_object, Err("expected a string, found an object".into()));
}

fn fields(id: &'static str, size: i64) -> Fields<'static> {
    vec![("id", id.into()), ("size", size.into())]
}

#[test]
fn objects_given_as_fields_encode_like_object_values() {
    let ty = object_type();
    let whole = Value::object([
        ("items", Value::List(vec![item("a", 1), Value::object([("id", "b".into())])])),
        ("name", "n".into()),
    ]);
    let parts = vec![
        ("name", Part::Value("n".into())),
        (
            "items",
            Part::Objects(Box::new(vec![fields("a", 1), vec![("id", "b".into())]].into_iter())),
        ),
    ];
    assert_eq!(encode_object_parts(parts, &ty), encode_msgpack(&whole, &ty));
}

#[test]
fn fields_out_of_order_or_undeclared_are_refused() {
    let ty = object_type();
    let cases: Vec<(Fields<'static>, &str)> = vec![
        (vec![("size", 1.into()), ("id", "a".into())], "\"id\" is out of order or given twice"),
        (vec![("id", "a".into()), ("id", "b".into())], "\"id\" is out of order or given twice"),
        (vec![("colour", "red".into())], "attribute \"colour\" that its type does not declare"),
        (vec![("zone", "z".into())], "attribute \"zone\" that its type does not declare"),
        (vec![("id", 7.into())], "expected a string, found a number (at items[0].id)"),
    ];
    for (bad, expected) in cases {
        let parts = [("items", Part::Objects(Box::new(vec![bad].into_iter())))];
        let result = encode_object_parts(parts, &ty).map_err(|e| e.to_string());
        assert!(
            result.as_ref().is_err_and(|text| text.contains(expected)),
            "{result:?} vs {expected}"
        );
    }
    let parts = [("ids", Part::Objects(Box::new(vec![fields("a", 1)].into_iter())))];
    let result = encode_object_parts(parts, &ty).map_err(|e| e.to_string());
    assert_eq!(result, Err("expected a string, found an object (at ids[0])".into()));
}
