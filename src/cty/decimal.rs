//! Decimal number text, as cty carries numbers that fit no machine type (`"1e400"`,
//! `"123456789012345678901234567890"`): its syntax, and whether two texts denote the same number.
//!
//! The text is only inspected, never expanded, so a huge exponent costs nothing.
//! Must not depend on the wire encodings.

/// A decimal number reduced to sign, significant digits (no leading or trailing zeros) and the
/// power of ten of the last digit. Zero has no digits, no sign and exponent 0.
#[derive(Debug, PartialEq, Eq)]
struct Canonical {
    negative: bool,
    digits: String,
    exponent: i64,
}

/// True when `text` is a decimal number: `-?digits(.digits)?([eE][+-]?digits)?`, with an
/// exponent that fits a 64-bit integer.
pub(super) fn is_decimal(text: &str) -> bool {
    canonical(text).is_some()
}

/// True when both texts are decimal numbers with the same value (`"1.50"` and `"15e-1"`).
pub(super) fn same_value(a: &str, b: &str) -> bool {
    match (canonical(a), canonical(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// True when `text` has neither a fraction nor an exponent.
pub(super) fn is_integer_literal(text: &str) -> bool {
    !text.contains(['.', 'e', 'E'])
}

fn canonical(text: &str) -> Option<Canonical> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], parse_exponent(&unsigned[at + 1..])?),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if !all_digits(whole) || (mantissa.contains('.') && !all_digits(fraction)) {
        return None;
    }
    let joined = format!("{whole}{fraction}");
    let without_leading = joined.trim_start_matches('0');
    let significant = without_leading.trim_end_matches('0');
    if significant.is_empty() {
        return Some(Canonical::zero());
    }
    let trailing_zeros = i64::try_from(without_leading.len() - significant.len()).ok()?;
    let fraction_len = i64::try_from(fraction.len()).ok()?;
    let exponent = exponent.checked_sub(fraction_len)?.checked_add(trailing_zeros)?;
    Some(Canonical { negative, digits: significant.to_owned(), exponent })
}

impl Canonical {
    fn zero() -> Self {
        Canonical { negative: false, digits: String::new(), exponent: 0 }
    }
}

fn parse_exponent(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if !all_digits(digits) {
        return None;
    }
    let magnitude: i64 = digits.parse().ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_decimal_syntax() {
        for text in ["0", "-0", "42", "-17", "0.5", "1e400", "1E-400", "2.5e+3", "007", "1.000"] {
            assert!(is_decimal(text), "{text} should be a decimal");
        }
    }

    #[test]
    fn rejects_non_decimals() {
        let texts = [
            "",
            "-",
            "+1",
            ".5",
            "5.",
            "1e",
            "1e+",
            "e5",
            "1.2.3",
            "0x10",
            "NaN",
            "Inf",
            " 1",
            "1 ",
            "1_000",
            "1e99999999999999999999",
        ];
        for text in texts {
            assert!(!is_decimal(text), "{text:?} should not be a decimal");
        }
    }

    #[test]
    fn compares_values_not_spelling() {
        assert!(same_value("1.50", "15e-1"));
        assert!(same_value("1500", "1.5e3"));
        assert!(same_value("-0", "0.000e7"));
        assert!(same_value("0.1", "1e-1"));
        assert!(!same_value("0.1", "0.10000000000000001"));
        assert!(!same_value("-1", "1"));
        assert!(!same_value("1e400", "1e401"));
        assert!(!same_value("x", "x"));
    }

    #[test]
    fn extreme_exponents_do_not_overflow() {
        assert!(is_decimal("1e9223372036854775807"));
        assert!(!is_decimal("1e9223372036854775808"));
        assert!(!same_value("0.1e-9223372036854775808", "1"));
    }
}
