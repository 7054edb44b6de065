//! A parsed condition and its evaluation against an observation.

use triage_core::{Observation, Value};

use crate::Error;
use crate::number::{self, Reading};
use crate::operand::{Operand, function};
use crate::operator::Operator;
use crate::pattern;
use crate::render::{Evaluation, Render, Shown, prettify};
use crate::resolve::{Resolved, resolve};

/// One condition of a check's `expect:` list, in Gatus syntax: `[STATUS] == 200`.
///
/// ```
/// use triage_condition::{Condition, Render};
/// use triage_core::Observation;
///
/// let condition = Condition::parse("[STATUS] < 400").unwrap();
/// let mut seen = Observation::default();
/// seen.set("STATUS", 503i64);
/// let verdict = condition.evaluate(&seen, Render::default());
/// assert!(!verdict.success);
/// assert_eq!(verdict.rendered, "[STATUS] (503) < 400");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    text: String,
    operator: Operator,
    left: Side,
    right: Side,
}

/// One side of the operator: its trimmed text and what it is.
#[derive(Clone, Debug, PartialEq)]
struct Side {
    written: String,
    operand: Operand,
}

impl Side {
    fn new(text: &str) -> Side {
        let written = text.trim().to_owned();
        let operand = Operand::parse(&written);
        Side { written, operand }
    }
}

impl Condition {
    /// Parses `text`. The only syntax required is an operator with a space on each side;
    /// whatever is not a placeholder or a function is text, as in Gatus.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] when no operator is found (`invalid condition: [STATUS]==201`),
    /// [`Error::Unsupported`] for Gatus's `age()` and `[*]`, which triage does not have.
    pub fn parse(text: &str) -> Result<Condition, Error> {
        let Some((operator, left, right)) = Operator::split(text) else {
            return Err(Error::Invalid { condition: text.to_owned() });
        };
        let condition = Condition {
            text: text.to_owned(),
            operator,
            left: Side::new(left),
            right: Side::new(right),
        };
        for side in [&condition.left, &condition.right] {
            let unsupported = if function("age(", &side.written).is_some() {
                Some("age()")
            } else if side
                .operand
                .placeholder()
                .and_then(|p| p.path.as_deref())
                .is_some_and(|p| p.contains("[*]"))
            {
                Some("the [*] wildcard")
            } else {
                None
            };
            if let Some(feature) = unsupported {
                return Err(Error::Unsupported { condition: text.to_owned(), feature });
            }
        }
        Ok(condition)
    }

    /// The condition as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The placeholder names the condition reads, upper-case, without brackets or path,
    /// each once, left first: `[BODY].a.b == [EXPECTED]` gives `["BODY", "EXPECTED"]`.
    pub fn placeholders(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for side in [&self.left, &self.right] {
            if let Some(p) = side.operand.placeholder()
                && !names.contains(&p.name.as_str())
            {
                names.push(&p.name);
            }
        }
        names
    }

    /// Evaluates the condition against what a probe saw, rendering it as `render` asks.
    ///
    /// A placeholder `seen` does not bind fails the condition whatever the operator
    /// (only `has()` of it is simply `false`), and renders as `[NAME] (UNBOUND)`.
    pub fn evaluate(&self, seen: &Observation, render: Render) -> Evaluation {
        let left = resolve(&self.left.operand, seen);
        let right = resolve(&self.right.operand, seen);
        let bound = !matches!(left, Resolved::Unbound) && !matches!(right, Resolved::Unbound);
        let (success, left_shown, right_shown) = if self.operator.is_numeric() {
            let ordering =
                left.number(&self.left.written).compare(right.number(&self.right.written));
            let held = bound && self.operator.holds(ordering);
            (held, numeric_shown(&self.left, &left), numeric_shown(&self.right, &right))
        } else {
            let left_text = left.text(&self.left.written);
            let right_text = right.text(&self.right.written);
            let equal = is_equal(
                &self.left.operand, &left_text, &left, &self.right.operand, &right_text, &right,
            );
            let held = bound && equal == (self.operator == Operator::Eq);
            (held, left_text, right_text)
        };
        let rendered = if render.resolves(success) {
            prettify(
                shown(&self.left, &left, left_shown, self.operator.is_numeric()),
                self.operator.symbol(),
                shown(&self.right, &right, right_shown, self.operator.is_numeric()),
            )
        } else {
            self.text.clone()
        };
        Evaluation { success, rendered }
    }
}

/// A side ready for [`prettify`]. An invalid side keeps its marker only where it is
/// compared as text (`==`, `!=`); in a numeric comparison Gatus shows the 0 it stood for.
fn shown<'a>(side: &'a Side, resolved: &Resolved<'_>, text: String, numeric: bool) -> Shown<'a> {
    let marked = match resolved {
        Resolved::Unbound => true,
        Resolved::Invalid => !numeric,
        _ => false,
    };
    Shown {
        written: &side.written,
        resolved: text,
        marked,
        is_pattern: matches!(side.operand, Operand::Pattern(_)),
    }
}

/// What a side of `<`, `<=`, `>`, `>=` shows: the number it stood for, except that a
/// duration or size written with a unit stays as written, and a `*_EXPIRATION` duration
/// shows in hours, minutes and seconds (`336h`), as Gatus shows its expirations.
fn numeric_shown(side: &Side, resolved: &Resolved<'_>) -> String {
    match resolved {
        Resolved::Unbound => resolved.text(&side.written),
        Resolved::Written => match number::read_literal(&side.written) {
            Reading::Duration(_) | Reading::Size(_) => side.written.clone(),
            reading => reading.number().render(),
        },
        Resolved::Value { typed: Some(Value::Duration(d)), .. }
            if side.operand.placeholder().is_some_and(|p| p.name.ends_with("_EXPIRATION")) =>
        {
            number::format_duration(number::millis(*d))
        }
        _ => resolved.number(&side.written).render(),
    }
}

/// Gatus's `isEqual`: a `pat()` on one side matches the other, an `any()` lists the
/// accepted values, two integers (in any of Go's notations) compare as numbers, anything
/// else as text. Beyond Gatus, a number the probe bound also equals a float literal
/// (`[FREE_PERCENT] == 12.50`).
fn is_equal(
    left: &Operand,
    left_text: &str,
    left_resolved: &Resolved<'_>,
    right: &Operand,
    right_text: &str,
    right_resolved: &Resolved<'_>,
) -> bool {
    match (left, right) {
        (Operand::Pattern(glob), other) | (other, Operand::Pattern(glob))
            if !matches!(other, Operand::Pattern(_)) =>
        {
            let text = if matches!(left, Operand::Pattern(_)) { right_text } else { left_text };
            pattern::matches(glob, text)
        }
        (Operand::Any(options), other) | (other, Operand::Any(options))
            if !matches!(other, Operand::Any(_)) =>
        {
            let text = if matches!(left, Operand::Any(_)) { right_text } else { left_text };
            options.iter().any(|o| o == text)
        }
        _ => {
            if let (Some(a), Some(b)) =
                (number::parse_go_int(left_text), number::parse_go_int(right_text))
            {
                return a == b;
            }
            if left_resolved.is_typed_number() || right_resolved.is_typed_number() {
                let (a, b) = (left_resolved.number(left_text), right_resolved.number(right_text));
                if let (Reading::Plain(_), Reading::Plain(_)) =
                    (number::read_text(left_text), number::read_text(right_text))
                {
                    return a.compare(b) == Some(std::cmp::Ordering::Equal);
                }
            }
            left_text == right_text
        }
    }
}
