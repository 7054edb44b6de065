//! Every row of Runme's attribute test data (tests/data/runme-attributes.json), reported
//! all at once.

use serde_json::Value;
use triage_guide::{
    AttributeFormat, AttributeParser, Attributes, InfoString, block_tags, is_ignored,
    parse_attributes, write_attributes,
};

fn rows() -> Value {
    let text = include_str!("../data/runme-attributes.json");
    serde_json::from_str(text).expect("runme-attributes.json is JSON")
}

fn map(value: &Value) -> Attributes {
    value
        .as_object()
        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned())).collect())
        .unwrap_or_default()
}

fn format(value: &Value) -> AttributeFormat {
    match value.as_str() {
        Some("html") => AttributeFormat::Html,
        _ => AttributeFormat::Json,
    }
}

fn text(row: &Value, key: &str) -> String {
    row[key].as_str().unwrap_or("").to_owned()
}

#[test]
fn every_runme_row_passes() {
    let data = rows();
    let mut failures = Vec::new();
    let mut count = 0;
    let mut fail = |section: &str, row: &Value, what: String| {
        let name = row["name"].as_str().or(row["info"].as_str()).unwrap_or("?");
        failures.push(format!("{section}[{name}] ({}): {what}", text(row, "source")));
    };

    for row in data["parse"].as_array().unwrap() {
        count += 1;
        let parser = match row["parser"].as_str() {
            Some("key-value") => AttributeParser::KeyValue,
            Some("json") => AttributeParser::Json,
            _ => AttributeParser::Auto,
        };
        match parse_attributes(&text(row, "input"), parser) {
            Ok((attributes, got)) => {
                if attributes != map(&row["attributes"]) || got != format(&row["format"]) {
                    fail("parse", row, format!("got {attributes:?} as {got:?}"));
                }
                if let Some(written) = row["written"].as_str() {
                    let out = write_attributes(&attributes, got);
                    if out != written {
                        fail("parse", row, format!("wrote {out:?}, want {written:?}"));
                    }
                }
            }
            Err(error) => fail("parse", row, format!("failed: {error}")),
        }
    }

    for row in data["fallback"].as_array().unwrap() {
        count += 1;
        let input = text(row, "input");
        if row["json_rejects"].as_bool() == Some(true)
            && parse_attributes(&input, AttributeParser::Json).is_ok()
        {
            fail("fallback", row, "the JSON parser accepted it".into());
        }
        match parse_attributes(&input, AttributeParser::Auto) {
            Ok((attributes, got)) => {
                if got != format(&row["format"]) {
                    fail("fallback", row, format!("format {got:?}"));
                }
                if write_attributes(&attributes, got).is_empty() {
                    fail("fallback", row, "empty rewrite".into());
                }
            }
            Err(error) => fail("fallback", row, format!("failed: {error}")),
        }
    }

    for row in data["write"].as_array().unwrap() {
        count += 1;
        let out = write_attributes(&map(&row["attributes"]), format(&row["format"]));
        if out != text(row, "written") {
            fail("write", row, format!("wrote {out:?}"));
        }
    }

    for row in data["info"].as_array().unwrap() {
        count += 1;
        let info = text(row, "info");
        let parsed = InfoString::parse(&info);
        if parsed.language != text(row, "language")
            || parsed.attributes != map(&row["attributes"])
            || parsed.format != format(&row["format"])
        {
            fail("info", row, format!("got {parsed:?}"));
        }
        let asserted: Vec<&str> =
            row["asserted"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        if asserted.contains(&"round trip") {
            // Writing back must give the same block; the JSON writer is canonical, so its
            // bytes must match too (Runme's key=value writer normalizes spacing).
            let written = parsed.write();
            if InfoString::parse(&written) != parsed {
                fail("info", row, format!("round trip changed it: {written:?}"));
            }
            if parsed.format == AttributeFormat::Json && written != info {
                fail("info", row, format!("wrote {written:?}"));
            }
        }
        if let Some(want) = row["written"].as_str()
            && parsed.write() != want
        {
            fail("info", row, format!("wrote {:?}, want {want:?}", parsed.write()));
        }
    }

    for row in data["ignored"].as_array().unwrap() {
        count += 1;
        let got = is_ignored(&text(row, "language"), &map(&row["attributes"]));
        if Some(got) != row["ignored"].as_bool() {
            fail("ignored", row, format!("ignored = {got}"));
        }
    }

    for row in data["tags"].as_array().unwrap() {
        count += 1;
        let want: Vec<&str> =
            row["tags"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        let got = block_tags(&map(&row["attributes"]));
        if got != want {
            fail("tags", row, format!("tags {got:?}"));
        }
    }

    assert_eq!(count, 40, "the data file has 40 rows");
    assert!(
        failures.is_empty(),
        "{} of {count} rows fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn code_blocks_in_a_guide_read_attributes_like_runme() {
    let parsed = crate::parse_str(
        "```sh {\"name\":\"restart\",\"confirm\":true}\nsystemctl restart x\n```\n\n```mermaid\ngraph\n```\n",
    );
    let blocks = &parsed.guide.sections()[0].blocks;
    assert_eq!(blocks[0].attributes["name"], "restart");
    assert_eq!(blocks[0].attributes["confirm"], "true");
    assert_eq!(blocks[0].format, AttributeFormat::Json);
    assert!(blocks[1].ignored);
}
