//! The literal prefilter: every occurrence, in a block of log, of every literal the engine
//! looks for (signature anchors and error words), in one pass over the whole block.
//!
//! - Literals of at least [`sampled::MIN_LEN`] bytes (most signature anchors) are found by
//!   [`sampled::Sampled`]: one hashed 8-byte window every 8 to 32 bytes, whatever their
//!   number.
//! - Shorter ones (the error words, short anchors) by [`teddy::Teddy`], a bucketed SIMD
//!   shift-and over their rarest bytes, up to [`teddy::MAX_LITERALS`] of them; where it
//!   looks bytes up whole (AVX-512 VBMI) and there are few literals in all, the long ones
//!   too, so that one pass does everything. With AVX2 or AVX-512 VBMI the sampled search
//!   runs inside Teddy's loop, a few samples per block of 64 positions ([`interleaved`]),
//!   so that its scalar hashing overlaps Teddy's vector work.
//! - Short literals beyond that by an Aho-Corasick automaton (slow, but only knowledge bases
//!   with many signatures of only short words get there).
//!
//! Every reported occurrence is exact: each searcher confirms its candidates byte for byte.

pub(crate) mod sampled;
pub(crate) mod teddy;

use aho_corasick::AhoCorasick;

/// Bytes searched at a time by every searcher in turn (rounded down to a multiple of the
/// sampled search's stride): small enough to stay in the L1 or L2 cache.
const WINDOW: usize = 32 << 10;

/// Finds literal occurrences.
#[derive(Debug, Clone)]
pub(crate) struct Prefilter {
    sampled: Option<sampled::Sampled>,
    teddy: Option<teddy::Teddy>,
    /// Short literals beyond Teddy's budget, with their ids.
    automaton: Option<(AhoCorasick, Vec<u32>)>,
}

/// Long literals shorter than this (stride 16) go to Teddy when it has room.
const MOVE_UNDER: usize = 16 + sampled::WINDOW - 1;

/// Most short literals for which long ones are moved to Teddy (see `Prefilter::new`).
const TEDDY_ROOM: usize = 40;

/// A literal with its id.
type Literal = (u32, Vec<u8>);

impl Prefilter {
    /// A prefilter for `literals` (each at least 3 bytes; literal `i` has id `i`). Short
    /// literals go to Teddy in order, so the first ones (the error words) always get the
    /// fast path.
    pub fn new(literals: &[Vec<u8>]) -> Self {
        let (mut long, mut short): (Vec<Literal>, Vec<Literal>) = literals
            .iter()
            .enumerate()
            .map(|(i, l)| (i as u32, l.clone()))
            .partition(|(_, l)| l.len() >= sampled::MIN_LEN);
        // The shortest long literal sets the stride for all: while Teddy has room, the few
        // that keep it under its maximum go there instead.
        long.sort_by_key(|(_, l)| l.len());
        if teddy::whole_bytes() && short.len() + long.len() <= TEDDY_ROOM {
            // Looking bytes up whole, Teddy filters a few long literals well enough on
            // each one's rarest bytes, and one pass over the log is cheaper than two.
            short.append(&mut long);
        } else {
            let movable = long.iter().take_while(|(_, l)| l.len() < MOVE_UNDER).count();
            if movable > 0 && movable < long.len() && short.len() + movable <= TEDDY_ROOM {
                short.extend(long.drain(..movable));
            }
        }
        let sampled = sampled::Sampled::new(&long);
        let in_teddy = short.len().min(teddy::MAX_LITERALS);
        let teddy = teddy::Teddy::new(&short[..in_teddy]);
        let rest = if teddy.is_some() { &short[in_teddy..] } else { &short[..] };
        let automaton = if rest.is_empty() {
            None
        } else {
            AhoCorasick::new(rest.iter().map(|(_, l)| l))
                .ok()
                .map(|ac| (ac, rest.iter().map(|(id, _)| *id).collect()))
        };
        Prefilter { sampled, teddy, automaton }
    }

    /// What runs, for `--verbose` and benchmarks: `sampled/16+teddy(avx2)` and the like.
    pub fn name(&self) -> String {
        let mut parts = Vec::new();
        match (&self.sampled, &self.teddy) {
            (Some(s), Some(t)) if interleaves(s, t) => {
                parts.push(format!("sampled/{} inside teddy({})", s.stride(), t.implementation()));
            }
            (sampled, teddy) => {
                parts.extend(sampled.iter().map(|s| format!("sampled/{}", s.stride())));
                parts.extend(teddy.iter().map(|t| format!("teddy({})", t.implementation())));
            }
        }
        if self.automaton.is_some() {
            parts.push("aho-corasick".to_owned());
        }
        if parts.is_empty() { "none".to_owned() } else { parts.join("+") }
    }

    /// Every occurrence of every literal in `h` as `(position, id)`, sorted, no duplicates;
    /// returns the number of newlines in `h`, counted on the way. The searchers take `h` a
    /// window of [`WINDOW`] bytes at a time, all of them while the window is in cache.
    pub fn find_all(&self, h: &[u8], out: &mut Vec<(usize, u32)>) -> usize {
        out.clear();
        let stride = self.sampled.as_ref().map_or(1, sampled::Sampled::stride);
        let window = WINDOW / stride * stride;
        let mut newlines = 0;
        let mut from = 0;
        while from < h.len() {
            let to = (from + window).min(h.len());
            newlines += match (&self.sampled, &self.teddy) {
                (Some(s), Some(t)) if interleaves(s, t) => interleaved(s, t, h, from, to, out),
                (sampled, teddy) => {
                    if let Some(s) = sampled {
                        s.find_in(h, from, to, out);
                    }
                    match teddy {
                        Some(t) => t.find_in(h, from, to, out),
                        None => memchr::memchr_iter(b'\n', &h[from..to]).count(),
                    }
                }
            };
            from = to;
        }
        if let Some((ac, ids)) = &self.automaton {
            for m in ac.find_overlapping_iter(h) {
                out.push((m.start(), ids[m.pattern().as_usize()]));
            }
        }
        out.sort_unstable();
        out.dedup();
        newlines
    }
}

/// `K` samples of a sampled search per block of the Teddy loop.
struct Steps<'c, 'a, const K: usize>(&'c mut sampled::Cursor<'a>);

impl<const K: usize> teddy::BlockHook for Steps<'_, '_, K> {
    #[inline(always)]
    fn block(&mut self, out: &mut Vec<(usize, u32)>) {
        self.0.step::<K>(out);
    }
}

/// Shortest stride for which the sampled search runs inside the Teddy loop: at most 4
/// samples per block of 64 bytes.
const INTERLEAVE_STRIDE: usize = 16;

/// Whether the sampled search runs inside Teddy's loop.
fn interleaves(sampled: &sampled::Sampled, teddy: &teddy::Teddy) -> bool {
    teddy.interleaves() && sampled.stride() >= INTERLEAVE_STRIDE
}

/// Both searches over `h[from..to]` in one loop: the samples that fall in each block of
/// Teddy's 64 positions are taken with it, so the scalar hashing of the one overlaps the
/// vector work of the other. Returns the newlines in `h[from..to]`.
fn interleaved(
    sampled: &sampled::Sampled,
    teddy: &teddy::Teddy,
    h: &[u8],
    from: usize,
    to: usize,
    out: &mut Vec<(usize, u32)>,
) -> usize {
    let mut cursor = sampled.cursor(h, from, to);
    let newlines = match 64usize.div_ceil(sampled.stride()) {
        ..=2 => teddy.find_in_with(h, from, to, out, &mut Steps::<2>(&mut cursor)),
        3 => teddy.find_in_with(h, from, to, out, &mut Steps::<3>(&mut cursor)),
        _ => teddy.find_in_with(h, from, to, out, &mut Steps::<4>(&mut cursor)),
    };
    cursor.finish(out);
    newlines
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn naive(lits: &[Vec<u8>], h: &[u8]) -> Vec<(usize, u32)> {
        (0..h.len())
            .flat_map(|i| {
                lits.iter()
                    .enumerate()
                    .filter(move |(_, l)| h[i..].starts_with(l))
                    .map(move |(id, _)| (i, id as u32))
            })
            .collect()
    }

    fn all(p: &Prefilter, h: &[u8]) -> Vec<(usize, u32)> {
        let mut out = Vec::new();
        p.find_all(h, &mut out);
        out
    }

    #[test]
    fn long_short_and_many_short_literals_are_all_found() {
        let mut lits: Vec<Vec<u8>> = ["error", "Error", "refused", "bind: address already in use"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect();
        let h = b"2024 Error: dial tcp: connection refused\nlisten: bind: address already in use\n";
        let p = Prefilter::new(&lits);
        if teddy::whole_bytes() {
            // Teddy takes the long literal too.
            assert_eq!(p.name(), "teddy(avx512vbmi)");
        } else {
            assert!(p.name().starts_with("sampled/"), "{}", p.name());
        }
        assert_eq!(all(&p, h), naive(&lits, h));
        lits.extend((0..200).map(|i| format!("c{i:03}").into_bytes()));
        lits.push(b"tcp".to_vec());
        let p = Prefilter::new(&lits);
        assert!(p.name().ends_with("aho-corasick"), "{}", p.name());
        assert_eq!(all(&p, h), naive(&lits, h));
        assert_eq!(Prefilter::new(&[]).name(), "none");
        assert!(all(&Prefilter::new(&[]), h).is_empty());
    }

    #[test]
    fn occurrences_across_windows_are_found_once() {
        for long in ["connection refused by peer", "bind: address already in use now!"] {
            let mut lits: Vec<Vec<u8>> =
                ["error", long].iter().map(|s| s.as_bytes().to_vec()).collect();
            // Shorter long literals than `long`, more than Teddy takes: `long` stays with
            // the sampled search, most of these go to Teddy.
            lits.extend((0..70).map(|i| format!("zq{i:03}:unseen filler").into_bytes()));
            let p = Prefilter::new(&lits);
            let stride = p.sampled.as_ref().unwrap().stride();
            let window = WINDOW / stride * stride;
            let mut h = vec![b'.'; 3 * window + 100];
            let mut lines = 0;
            for k in 1..3 {
                for (d, lit) in
                    [(40usize, 0usize), (3, 0), (30, 1), (10, 1), (1, 1), (9, 2), (5, 71)]
                {
                    let at = k * window - d;
                    h[at..at + lits[lit].len()].copy_from_slice(&lits[lit]);
                }
                h[k * window + 50] = b'\n';
                lines += 1;
            }
            let mut out = Vec::new();
            assert_eq!(p.find_all(&h, &mut out), lines);
            assert_eq!(out, naive(&lits, &h), "{long}");
        }
    }

    /// Long literals (stride 16 to 32, so the sampled search runs inside the Teddy loop
    /// where the CPU has AVX2 or AVX-512 VBMI) beside short ones, planted at every phase.
    #[test]
    fn interleaved_searches_find_what_each_finds_alone() {
        for long_len in [23usize, 30, 39, 48] {
            let mut lits: Vec<Vec<u8>> =
                ["error", "fail", "xyz", "panic"].iter().map(|s| s.as_bytes().to_vec()).collect();
            // More than Teddy takes, so the longest stay with the sampled search.
            for k in 0..70usize {
                lits.push(
                    (0..long_len + k % 3)
                        .map(|i| b'a' + ((i * 7 + k * 11 + i * k % 13) % 26) as u8)
                        .collect(),
                );
            }
            let p = Prefilter::new(&lits);
            let stride = p.sampled.as_ref().unwrap().stride();
            assert!(stride >= INTERLEAVE_STRIDE, "{stride}");
            if ["avx2", "avx512vbmi"].contains(&p.teddy.as_ref().unwrap().implementation()) {
                assert!(p.name().contains(" inside teddy"), "{}", p.name());
            }
            let mut h: Vec<u8> =
                (0..20_000u32).map(|i| b" .-\nqj"[(i * 31 % 7 % 6) as usize]).collect();
            let mut at = 0;
            let mut k = 0;
            while at + 60 < h.len() {
                let lit = &lits[k % lits.len()];
                h[at..at + lit.len()].copy_from_slice(lit);
                at += lit.len() + 1 + k % 37;
                k += 1;
            }
            let mut out = Vec::new();
            let lines = p.find_all(&h, &mut out);
            assert_eq!(lines, memchr::memchr_iter(b'\n', &h).count());
            assert_eq!(out, naive(&lits, &h), "long literals of {long_len} bytes");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100))]
        #[test]
        fn agrees_with_a_naive_search(
            words in prop::collection::vec(prop::collection::vec(prop::sample::select(b"ab c".to_vec()), 3..24), 1..90),
            h in prop::collection::vec(prop::sample::select(b"ab c\n".to_vec()), 0..500),
        ) {
            prop_assert_eq!(all(&Prefilter::new(&words), &h), naive(&words, &h));
        }
    }
}
