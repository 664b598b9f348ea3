//! Small readers over `serde_json::Value` shared by the JSON parsers: numbers that vendors
//! write as numbers or strings, Google's durations, and descriptions for messages.

use serde_json::{Map, Value};

/// A number written as a JSON number or a numeric string (`"1.25"`, AWS). Not-finite → none.
pub(crate) fn num(v: Option<&Value>) -> Option<f64> {
    let x = match v? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    x.is_finite().then_some(x)
}

/// `obj[key]` as a number (see [`num`]).
pub(crate) fn num_at(v: &Value, key: &str) -> Option<f64> {
    num(v.get(key))
}

/// `obj[key]` as a string.
pub(crate) fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// `obj[key]` as an array, or an empty slice.
pub(crate) fn array_at<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

/// The first alternative of a result/channel (`alternatives[0]`), if any.
pub(crate) fn first_alternative(v: &Value) -> Option<&Value> {
    array_at(v, "alternatives").first()
}

/// A protobuf duration as Google writes it: `"1.300s"`, a number of seconds, or
/// `{"seconds": "1", "nanos": 300000000}` (either part may be missing, `seconds` may be a
/// string).
pub(crate) fn duration_s(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::String(s) => {
            let s = s.trim();
            let s = s.strip_suffix('s').unwrap_or(s);
            let x = s.parse::<f64>().ok()?;
            x.is_finite().then_some(x)
        }
        Value::Number(_) => num(v),
        Value::Object(o) => {
            if !o.contains_key("seconds") && !o.contains_key("nanos") {
                return None;
            }
            let secs = o.get("seconds").map_or(Some(0.0), |s| num(Some(s)))?;
            let nanos = o.get("nanos").map_or(Some(0.0), |n| num(Some(n)))?;
            let x = secs + nanos / 1e9;
            x.is_finite().then_some(x)
        }
        _ => None,
    }
}

/// An integer label (`speakerTag`, `channelTag`, Deepgram `speaker`) as u64.
pub(crate) fn uint_at(v: &Value, key: &str) -> Option<u64> {
    match v.get(key)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// What a JSON value is, for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The first keys of an object, quoted, for messages.
pub(crate) fn key_list(obj: &Map<String, Value>) -> String {
    if obj.is_empty() {
        return "none".into();
    }
    let mut keys: Vec<String> =
        obj.keys().take(8).map(|k| format!("{:?}", k.chars().take(40).collect::<String>())).collect();
    if obj.len() > 8 {
        keys.push("…".into());
    }
    keys.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn durations_in_every_spelling() {
        assert_eq!(duration_s(Some(&json!("1.300s"))), Some(1.3));
        assert_eq!(duration_s(Some(&json!(2.5))), Some(2.5));
        assert_eq!(duration_s(Some(&json!({"seconds": "1", "nanos": 500000000}))), Some(1.5));
        assert_eq!(duration_s(Some(&json!({"nanos": 100000000}))), Some(0.1));
        assert_eq!(duration_s(Some(&json!("NaNs"))), None);
        assert_eq!(duration_s(Some(&json!({}))), None);
    }

    #[test]
    fn numbers_as_strings() {
        assert_eq!(num(Some(&json!("0.25"))), Some(0.25));
        assert_eq!(num(Some(&json!("inf"))), None);
        assert_eq!(num(Some(&json!(null))), None);
    }
}
