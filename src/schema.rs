//! Schema model: what the provider block, data sources and functions accept and return.
//! Converted to the protocol by `tfplugin`; knows nothing of protobuf.

use crate::cty::Type;

/// How an attribute is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Required,
    Optional,
    Computed,
    OptionalComputed,
}

/// The type of an attribute: a plain cty type or nested attributes.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeType {
    Cty(Type),
    Nested(NestedAttributes),
}

/// How nested attributes are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
    Map,
}

/// Attributes nested inside an attribute (protocol 6 nested attribute types).
#[derive(Debug, Clone, PartialEq)]
pub struct NestedAttributes {
    pub nesting: Nesting,
    pub attributes: Vec<Attribute>,
}

/// One attribute of a block.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub ty: AttributeType,
    pub presence: Presence,
    /// Markdown description shown in docs and `terraform providers schema -json`.
    pub description: String,
    pub sensitive: bool,
    pub deprecated: bool,
}

impl Attribute {
    /// A new attribute of cty type `ty`.
    pub fn new(name: &str, ty: Type, presence: Presence, description: &str) -> Self {
        Self {
            name: name.to_string(),
            ty: AttributeType::Cty(ty),
            presence,
            description: description.to_string(),
            sensitive: false,
            deprecated: false,
        }
    }

    /// The same attribute, marked sensitive.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
}

/// A nested block type inside a block.
#[derive(Debug, Clone, PartialEq)]
pub struct NestedBlock {
    pub type_name: String,
    pub nesting: Nesting,
    pub block: Block,
    pub min_items: i64,
    pub max_items: i64,
}

/// A configuration block: attributes and nested blocks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub block_types: Vec<NestedBlock>,
    pub description: String,
    pub deprecated: bool,
}

/// A versioned schema for the provider block or one data source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

/// One parameter of a provider-defined function.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub name: String,
    pub ty: Type,
    pub allow_null: bool,
    pub allow_unknown: bool,
    pub description: String,
}

/// The signature and documentation of a provider-defined function.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    pub parameters: Vec<Parameter>,
    pub variadic: Option<Parameter>,
    pub return_type: Type,
    pub summary: String,
    pub description: String,
    pub deprecation_message: String,
}

impl Block {
    /// The cty object type of a value that conforms to this block (every attribute and block).
    pub fn value_type(&self) -> Type {
        let mut attributes: std::collections::BTreeMap<String, Type> =
            self.attributes.iter().map(|a| (a.name.clone(), a.ty.value_type())).collect();
        for nested in &self.block_types {
            attributes.insert(nested.type_name.clone(), nested.value_type());
        }
        Type::Object(attributes)
    }
}

impl AttributeType {
    /// The cty type of this attribute's value.
    pub fn value_type(&self) -> Type {
        match self {
            AttributeType::Cty(ty) => ty.clone(),
            AttributeType::Nested(nested) => {
                let object = Type::Object(
                    nested.attributes.iter().map(|a| (a.name.clone(), a.ty.value_type())).collect(),
                );
                wrap(nested.nesting, object)
            }
        }
    }
}

impl NestedBlock {
    /// The cty type of this block's value inside its parent.
    pub fn value_type(&self) -> Type {
        wrap(self.nesting, self.block.value_type())
    }
}

fn wrap(nesting: Nesting, object: Type) -> Type {
    match nesting {
        Nesting::Single => object,
        Nesting::List => Type::list(object),
        Nesting::Set => Type::set(object),
        Nesting::Map => Type::map(object),
    }
}
