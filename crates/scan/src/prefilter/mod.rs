//! The literal prefilter: where, in a block of log, any fingerprint may occur.
//!
//! Up to 64 fingerprints use Teddy (the SIMD packed searcher of the `aho-corasick` crate);
//! more use [`fdr::Fdr`], a bucketed shift-or whose speed hardly depends on their number.
//! Both answer one question: the first position at or after `from` where a fingerprint
//! starts. The caller then looks at that line closely and goes on after it.

mod fdr;

use aho_corasick::packed;

/// Finds fingerprint occurrences.
#[derive(Debug, Clone)]
pub(crate) enum Prefilter {
    /// No fingerprints: nothing is ever a candidate.
    Empty,
    /// SIMD Teddy, for up to 64 fingerprints on CPUs that have it.
    Teddy(packed::Searcher),
    /// Bucketed shift-or, for any number.
    Fdr(fdr::Fdr),
}

impl Prefilter {
    /// A prefilter for `fingerprints` (non-empty, at most 8 bytes each).
    pub fn new(fingerprints: &[Vec<u8>]) -> Self {
        if fingerprints.is_empty() {
            return Prefilter::Empty;
        }
        if std::env::var_os("TRIAGE_SCAN_FORCE_FDR").is_none()
            && let Some(teddy) = packed::Config::new()
                .match_kind(packed::MatchKind::LeftmostFirst)
                .builder()
                .extend(fingerprints)
                .build()
        {
            return Prefilter::Teddy(teddy);
        }
        Prefilter::Fdr(fdr::Fdr::new(fingerprints))
    }

    /// Which searcher is in use, for benchmarks and `--verbose`.
    pub fn name(&self) -> &'static str {
        match self {
            Prefilter::Empty => "none",
            Prefilter::Teddy(_) => "teddy",
            Prefilter::Fdr(_) => "fdr",
        }
    }

    /// Start of the first fingerprint at or after `from`.
    pub fn find(&self, haystack: &[u8], from: usize) -> Option<usize> {
        match self {
            Prefilter::Empty => None,
            Prefilter::Teddy(t) => t
                .find_in(haystack, aho_corasick::Span::from(from..haystack.len()))
                .map(|m| m.start()),
            Prefilter::Fdr(f) => f.find(haystack, from),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teddy_and_fdr_agree() {
        let few: Vec<Vec<u8>> = vec![b"refused".to_vec(), b"timeout".to_vec()];
        let many: Vec<Vec<u8>> =
            (0..200).map(|i| format!("code{i:04}").into_bytes()).chain(few.clone()).collect();
        let h = b"2024 ERROR dial tcp: connection refused\n2024 INFO ok\n";
        for fps in [few, many] {
            let p = Prefilter::new(&fps);
            assert_eq!(p.find(h, 0), Some(32), "{}", p.name());
            assert_eq!(p.find(h, 33), None, "{}", p.name());
        }
        assert_eq!(Prefilter::new(&[]).find(h, 0), None);
    }
}
