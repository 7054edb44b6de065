//! The six comparison operators and how a condition is split around one.

/// A comparison. `==` and `!=` compare text (with `pat()`, `any()` and numbers); the
/// others compare numbers, durations and sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operator {
    Eq,
    Ne,
    Le,
    Ge,
    Gt,
    Lt,
}

/// Gatus's order of precedence: a condition holding ` == ` is an equality even if it also
/// holds ` < ` (as in `[BODY] == pat(*a < b*)`).
const PRECEDENCE: [Operator; 6] =
    [Operator::Eq, Operator::Ne, Operator::Le, Operator::Ge, Operator::Gt, Operator::Lt];

impl Operator {
    /// The operator as written, without its spaces.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Operator::Eq => "==",
            Operator::Ne => "!=",
            Operator::Le => "<=",
            Operator::Ge => ">=",
            Operator::Gt => ">",
            Operator::Lt => "<",
        }
    }

    /// Whether the operator compares numbers rather than text.
    pub(crate) fn is_numeric(self) -> bool {
        !matches!(self, Operator::Eq | Operator::Ne)
    }

    /// Finds the operator of `text` and splits around its first occurrence: the operator
    /// must have a space on each side, so `[STATUS]==200` has none. The left and right
    /// sides are returned untrimmed.
    pub(crate) fn split(text: &str) -> Option<(Operator, &str, &str)> {
        PRECEDENCE.into_iter().find_map(|op| {
            let spaced = format!(" {} ", op.symbol());
            text.find(&spaced).map(|at| (op, &text[..at], &text[at + spaced.len()..]))
        })
    }

    /// Whether `left op right` holds for two numbers.
    pub(crate) fn holds(self, ordering: Option<std::cmp::Ordering>) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match (self, ordering) {
            (_, None) => false,
            (Operator::Eq, Some(o)) => o == Equal,
            (Operator::Ne, Some(o)) => o != Equal,
            (Operator::Le, Some(o)) => o != Greater,
            (Operator::Ge, Some(o)) => o != Less,
            (Operator::Gt, Some(o)) => o == Greater,
            (Operator::Lt, Some(o)) => o == Less,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_first_occurrence() {
        assert_eq!(Operator::split("[A] == b < c"), Some((Operator::Eq, "[A]", "b < c")));
        assert_eq!(Operator::split("[A] <= 5"), Some((Operator::Le, "[A]", "5")));
        assert_eq!(Operator::split("a == b == c"), Some((Operator::Eq, "a", "b == c")));
        assert_eq!(Operator::split("[A]==5"), None);
        assert_eq!(Operator::split("[A] = = 5"), None);
    }
}
