//! Conversions between the crate's schema, diagnostics, attribute paths and values and their
//! tfplugin6 protobuf messages: one small `From` impl or function per message.
//!
//! Pure: no I/O, no gRPC services, no provider calls.

use crate::cty::{self, AttributePath, CodecError, PathStep, Type, Value};
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::provider::FunctionError;
use crate::schema::{
    Attribute, AttributeType, Block, Function, NestedAttributes, NestedBlock, Nesting, Parameter,
    Presence, Schema,
};

use super::proto;
use super::proto::attribute_path::step::Selector;
use super::proto::schema::{nested_block, object};

/// Every description in the schema model is Markdown.
const MARKDOWN: i32 = proto::StringKind::Markdown as i32;

impl From<&Schema> for proto::Schema {
    fn from(schema: &Schema) -> Self {
        let mut block = proto::schema::Block::from(&schema.block);
        block.version = schema.version;
        Self { version: schema.version, block: Some(block) }
    }
}

impl From<&Block> for proto::schema::Block {
    fn from(block: &Block) -> Self {
        Self {
            version: 0,
            attributes: block.attributes.iter().map(Into::into).collect(),
            block_types: block.block_types.iter().map(Into::into).collect(),
            description: block.description.clone(),
            description_kind: MARKDOWN,
            deprecated: block.deprecated,
        }
    }
}

impl From<&Attribute> for proto::schema::Attribute {
    fn from(attribute: &Attribute) -> Self {
        let (required, optional, computed) = presence_flags(attribute.presence);
        let (r#type, nested_type) = match &attribute.ty {
            AttributeType::Cty(ty) => (type_json(ty), None),
            AttributeType::Nested(nested) => (Vec::new(), Some(nested.into())),
        };
        Self {
            name: attribute.name.clone(),
            r#type,
            nested_type,
            description: attribute.description.clone(),
            required,
            optional,
            computed,
            sensitive: attribute.sensitive,
            description_kind: MARKDOWN,
            deprecated: attribute.deprecated,
            write_only: false,
        }
    }
}

/// `(required, optional, computed)`: Terraform accepts exactly one of the three, or
/// optional together with computed.
fn presence_flags(presence: Presence) -> (bool, bool, bool) {
    match presence {
        Presence::Required => (true, false, false),
        Presence::Optional => (false, true, false),
        Presence::Computed => (false, false, true),
        Presence::OptionalComputed => (false, true, true),
    }
}

impl From<&NestedAttributes> for proto::schema::Object {
    fn from(nested: &NestedAttributes) -> Self {
        let nesting = match nested.nesting {
            Nesting::Single => object::NestingMode::Single,
            Nesting::List => object::NestingMode::List,
            Nesting::Set => object::NestingMode::Set,
            Nesting::Map => object::NestingMode::Map,
        };
        Self {
            attributes: nested.attributes.iter().map(Into::into).collect(),
            nesting: nesting as i32,
            ..Default::default()
        }
    }
}

impl From<&NestedBlock> for proto::schema::NestedBlock {
    fn from(nested: &NestedBlock) -> Self {
        let nesting = match nested.nesting {
            Nesting::Single => nested_block::NestingMode::Single,
            Nesting::List => nested_block::NestingMode::List,
            Nesting::Set => nested_block::NestingMode::Set,
            Nesting::Map => nested_block::NestingMode::Map,
        };
        Self {
            type_name: nested.type_name.clone(),
            block: Some((&nested.block).into()),
            nesting: nesting as i32,
            min_items: nested.min_items,
            max_items: nested.max_items,
        }
    }
}

impl From<&Function> for proto::Function {
    fn from(function: &Function) -> Self {
        Self {
            parameters: function.parameters.iter().map(Into::into).collect(),
            variadic_parameter: function.variadic.as_ref().map(Into::into),
            r#return: Some(proto::function::Return { r#type: type_json(&function.return_type) }),
            summary: function.summary.clone(),
            description: function.description.clone(),
            description_kind: MARKDOWN,
            deprecation_message: function.deprecation_message.clone(),
        }
    }
}

impl From<&Parameter> for proto::function::Parameter {
    fn from(parameter: &Parameter) -> Self {
        Self {
            name: parameter.name.clone(),
            r#type: type_json(&parameter.ty),
            allow_null_value: parameter.allow_null,
            allow_unknown_values: parameter.allow_unknown,
            description: parameter.description.clone(),
            description_kind: MARKDOWN,
        }
    }
}

/// The compact JSON of a cty type, as the bytes `Attribute.type` and friends carry.
fn type_json(ty: &Type) -> Vec<u8> {
    ty.to_json().into_bytes()
}

impl From<&Diagnostic> for proto::Diagnostic {
    fn from(diagnostic: &Diagnostic) -> Self {
        let severity = match diagnostic.severity {
            Severity::Error => proto::diagnostic::Severity::Error,
            Severity::Warning => proto::diagnostic::Severity::Warning,
        };
        Self {
            severity: severity as i32,
            summary: diagnostic.summary.clone(),
            detail: diagnostic.detail.clone(),
            attribute: diagnostic.attribute.as_ref().map(Into::into),
        }
    }
}

/// The protobuf form of every diagnostic, in order.
pub fn diagnostics(diagnostics: &Diagnostics) -> Vec<proto::Diagnostic> {
    diagnostics.0.iter().map(Into::into).collect()
}

impl From<&AttributePath> for proto::AttributePath {
    fn from(path: &AttributePath) -> Self {
        let steps = path.0.iter().map(|step| proto::attribute_path::Step {
            selector: Some(match step {
                PathStep::Attribute(name) => Selector::AttributeName(name.clone()),
                PathStep::ElementKeyString(key) => Selector::ElementKeyString(key.clone()),
                PathStep::ElementKeyInt(index) => Selector::ElementKeyInt(*index),
            }),
        });
        Self { steps: steps.collect() }
    }
}

/// An attribute path step that selects nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("step {index} of the attribute path selects nothing")]
pub struct EmptyPathStep {
    /// 0-based position of the empty step.
    pub index: usize,
}

impl TryFrom<&proto::AttributePath> for AttributePath {
    type Error = EmptyPathStep;

    fn try_from(path: &proto::AttributePath) -> Result<Self, Self::Error> {
        let steps = path.steps.iter().enumerate().map(|(index, step)| {
            match step.selector.as_ref().ok_or(EmptyPathStep { index })? {
                Selector::AttributeName(name) => Ok(PathStep::Attribute(name.clone())),
                Selector::ElementKeyString(key) => Ok(PathStep::ElementKeyString(key.clone())),
                Selector::ElementKeyInt(index) => Ok(PathStep::ElementKeyInt(*index)),
            }
        });
        Ok(AttributePath(steps.collect::<Result<_, _>>()?))
    }
}

impl From<&FunctionError> for proto::FunctionError {
    fn from(error: &FunctionError) -> Self {
        Self { text: error.text.clone(), function_argument: error.argument }
    }
}

/// Decodes a `DynamicValue` Terraform sent as a value of type `ty`: msgpack when present,
/// else JSON. `what` names the value for the user, e.g. "provider configuration".
pub fn decode_dynamic(
    value: Option<&proto::DynamicValue>,
    ty: &Type,
    what: &str,
) -> Result<Value, Diagnostic> {
    let decoded = match value {
        Some(value) if !value.msgpack.is_empty() => cty::decode_msgpack(&value.msgpack, ty),
        Some(value) if !value.json.is_empty() => cty::decode_json(&value.json, ty),
        _ => Err(CodecError::new("no value was sent (neither msgpack nor JSON)")),
    };
    decoded.map_err(|error| {
        let path = error.path.clone();
        let diagnostic = Diagnostic::error(
            format!("Invalid {what}"),
            format!(
                "The provider could not decode the {what} Terraform sent: {error}. This is a \
                 bug in Terraform or in the provider; please report it together with the \
                 Terraform version."
            ),
        );
        if path.is_empty() { diagnostic } else { diagnostic.at(path) }
    })
}

/// Encodes `value` (of type `ty`) as a msgpack `DynamicValue`, the encoding replies use.
pub fn encode_dynamic(
    value: &Value,
    ty: &Type,
    what: &str,
) -> Result<proto::DynamicValue, Diagnostic> {
    match cty::encode_msgpack(value, ty) {
        Ok(msgpack) => Ok(proto::DynamicValue { msgpack, json: Vec::new() }),
        Err(error) => Err(Diagnostic::error(
            format!("Invalid {what}"),
            format!(
                "The provider produced a {what} it could not encode: {error}. This is a bug in \
                 the provider; please report it."
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attribute(name: &str, presence: Presence) -> Attribute {
        Attribute::new(name, Type::String, presence, "some *markdown*")
    }

    #[test]
    fn each_presence_sets_the_flags_terraform_accepts() {
        let cases = [
            (Presence::Required, (true, false, false)),
            (Presence::Optional, (false, true, false)),
            (Presence::Computed, (false, false, true)),
            (Presence::OptionalComputed, (false, true, true)),
        ];
        for (presence, expected) in cases {
            let converted = proto::schema::Attribute::from(&attribute("a", presence));
            let flags = (converted.required, converted.optional, converted.computed);
            assert_eq!(flags, expected, "{presence:?}");
        }
    }

    #[test]
    fn attribute_carries_name_description_and_flags() {
        let source = attribute("secret_key", Presence::Optional).sensitive();
        let converted = proto::schema::Attribute::from(&source);
        assert_eq!(converted.name, "secret_key");
        assert_eq!(converted.description, "some *markdown*");
        assert_eq!(converted.description_kind, MARKDOWN);
        assert!(converted.sensitive);
        assert!(!converted.deprecated && !converted.write_only);
        assert!(converted.nested_type.is_none());
        assert_eq!(converted.r#type, Type::String.to_json().into_bytes());
    }

    #[test]
    fn attribute_type_is_the_compact_type_json() {
        let cases = [
            (Type::String, r#""string""#),
            (Type::list(Type::String), r#"["list","string"]"#),
            (Type::object([("a", Type::Number)]), r#"["object",{"a":"number"}]"#),
        ];
        for (ty, json) in cases {
            let converted =
                proto::schema::Attribute::from(&Attribute::new("a", ty, Presence::Required, ""));
            assert_eq!(String::from_utf8_lossy(&converted.r#type), json);
        }
    }

    #[test]
    fn nested_attributes_go_in_nested_type_with_an_empty_type() {
        let nested = Attribute {
            ty: AttributeType::Nested(NestedAttributes {
                nesting: Nesting::List,
                attributes: vec![attribute("inner", Presence::Computed)],
            }),
            ..attribute("outer", Presence::Computed)
        };
        let converted = proto::schema::Attribute::from(&nested);
        assert!(converted.r#type.is_empty());
        let object = converted.nested_type.expect("nested attributes become an Object");
        assert_eq!(object.nesting, object::NestingMode::List as i32);
        assert_eq!(object.attributes.len(), 1);
        assert_eq!(object.attributes[0].name, "inner");
        assert!(object.attributes[0].computed);
    }

    #[test]
    fn nested_blocks_keep_nesting_limits_and_contents() {
        let cases = [
            (Nesting::Single, nested_block::NestingMode::Single),
            (Nesting::List, nested_block::NestingMode::List),
            (Nesting::Set, nested_block::NestingMode::Set),
            (Nesting::Map, nested_block::NestingMode::Map),
        ];
        for (nesting, expected) in cases {
            let block = Block {
                block_types: vec![NestedBlock {
                    type_name: "filter".into(),
                    nesting,
                    block: Block {
                        attributes: vec![attribute("name", Presence::Required)],
                        ..Block::default()
                    },
                    min_items: 1,
                    max_items: 3,
                }],
                ..Block::default()
            };
            let converted = proto::schema::Block::from(&block);
            let nested = &converted.block_types[0];
            assert_eq!(nested.type_name, "filter");
            assert_eq!(nested.nesting, expected as i32);
            assert_eq!((nested.min_items, nested.max_items), (1, 3));
            let inner = nested.block.as_ref().expect("a nested block always has a block");
            assert_eq!(inner.attributes[0].name, "name");
        }
    }

    #[test]
    fn schema_always_has_a_block_carrying_the_version() {
        let schema = Schema { version: 2, block: Block::default() };
        let converted = proto::Schema::from(&schema);
        assert_eq!(converted.version, 2);
        let block = converted.block.expect("Terraform panics on a schema without a block");
        assert_eq!(block.version, 2);
        assert!(block.attributes.is_empty());
    }

    #[test]
    fn function_signature_converts_parameters_variadic_and_return() {
        let parameter = |name: &str| Parameter {
            name: name.into(),
            ty: Type::String,
            allow_null: true,
            allow_unknown: false,
            description: "the region".into(),
        };
        let function = Function {
            parameters: vec![parameter("region")],
            variadic: Some(parameter("more")),
            return_type: Type::String,
            summary: "Image ID".into(),
            description: "Returns an image ID.".into(),
            deprecation_message: String::new(),
        };
        let converted = proto::Function::from(&function);
        assert_eq!(converted.parameters.len(), 1);
        let first = &converted.parameters[0];
        assert_eq!(first.name, "region");
        assert!(first.allow_null_value && !first.allow_unknown_values);
        assert_eq!(first.r#type, Type::String.to_json().into_bytes());
        assert_eq!(converted.variadic_parameter.map(|p| p.name), Some("more".to_string()));
        let returns = converted.r#return.expect("a function always has a return type");
        assert_eq!(returns.r#type, Type::String.to_json().into_bytes());
        assert_eq!(
            (converted.summary.as_str(), converted.description_kind),
            ("Image ID", MARKDOWN)
        );
    }

    #[test]
    fn diagnostics_keep_severity_text_and_path() {
        let path = AttributePath::attr("filter").index(2).key("name");
        let source = Diagnostics(vec![
            Diagnostic::error("Bad", "really bad").at(path.clone()),
            Diagnostic::warning("Hmm", "maybe"),
        ]);
        let converted = diagnostics(&source);
        assert_eq!(converted.len(), 2);
        assert_eq!(converted[0].severity, proto::diagnostic::Severity::Error as i32);
        assert_eq!(converted[1].severity, proto::diagnostic::Severity::Warning as i32);
        assert!(converted.iter().all(|d| d.severity != 0), "Terraform ignores severity 0");
        assert_eq!(
            (converted[0].summary.as_str(), converted[0].detail.as_str()),
            ("Bad", "really bad")
        );
        let steps: Vec<_> = converted[0]
            .attribute
            .as_ref()
            .expect("the path is kept")
            .steps
            .iter()
            .map(|s| s.selector.clone())
            .collect();
        assert_eq!(
            steps,
            [
                Some(Selector::AttributeName("filter".into())),
                Some(Selector::ElementKeyInt(2)),
                Some(Selector::ElementKeyString("name".into())),
            ]
        );
        assert!(converted[1].attribute.is_none());
    }

    #[test]
    fn attribute_paths_round_trip_and_reject_empty_steps() {
        let path = AttributePath::attr("a").key("k").index(-1).attribute("b");
        let converted = proto::AttributePath::from(&path);
        assert_eq!(AttributePath::try_from(&converted), Ok(path));

        let mut broken = converted;
        broken.steps[1].selector = None;
        assert_eq!(AttributePath::try_from(&broken), Err(EmptyPathStep { index: 1 }));
    }

    #[test]
    fn function_error_keeps_text_and_argument() {
        let error = FunctionError { text: "no such image".into(), argument: Some(1) };
        let converted = proto::FunctionError::from(&error);
        assert_eq!(converted.text, "no such image");
        assert_eq!(converted.function_argument, Some(1));
    }

    #[test]
    fn undecodable_or_missing_values_are_error_diagnostics() {
        let ty = Type::object([("region", Type::String)]);
        let garbage = proto::DynamicValue { msgpack: vec![0xc1], json: Vec::new() };
        let bad_json = proto::DynamicValue { msgpack: Vec::new(), json: b"{".to_vec() };
        let empty = proto::DynamicValue::default();
        for value in [Some(&garbage), Some(&bad_json), Some(&empty), None] {
            let diagnostic = decode_dynamic(value, &ty, "provider configuration")
                .expect_err("nothing decodable was sent");
            assert_eq!(diagnostic.severity, Severity::Error);
            assert_eq!(diagnostic.summary, "Invalid provider configuration");
            assert!(diagnostic.detail.contains("could not decode"), "{}", diagnostic.detail);
        }
    }

    #[test]
    fn values_decode_from_msgpack_or_json_and_encode_as_msgpack() {
        let ty = Type::object([("region", Type::String)]);
        let msgpack = proto::DynamicValue {
            // {"region": "ap-guangzhou"}
            msgpack: [&[0x81, 0xa6][..], b"region", &[0xac], b"ap-guangzhou"].concat(),
            json: Vec::new(),
        };
        let json = proto::DynamicValue {
            msgpack: Vec::new(),
            json: br#"{"region":"ap-guangzhou"}"#.to_vec(),
        };
        let expected = Value::object([("region", Value::from("ap-guangzhou"))]);
        for value in [&msgpack, &json] {
            assert_eq!(decode_dynamic(Some(value), &ty, "configuration"), Ok(expected.clone()));
        }
        let encoded = encode_dynamic(&expected, &ty, "state").expect("a conforming value encodes");
        assert_eq!(encoded, msgpack);
    }
}
