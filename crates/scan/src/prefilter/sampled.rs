//! Long literals found by looking at one 8-byte window in every `stride`.
//!
//! When every literal is at least `stride + 7` bytes long, each occurrence holds a whole
//! 8-byte window that starts at a multiple of `stride` (of the haystack); in any stretch of
//! `stride + 7` bytes of it, exactly one. So it is enough to hash the 8 bytes at
//! positions 0, `stride`, `2 * stride`, ... and test one bit of a table that has the bits of
//! the `stride` windows of one stretch of `stride + 7` bytes of every literal set (the
//! stretch whose windows the fewest other literals share). A set bit is confirmed by a
//! second bit table under an independent hash, then the exact window value (a hash map to
//! `(literal, offset)`), the literal's last 8 bytes, then the whole literal compared byte
//! for byte. With `stride` 8 to 32 that is one load, one
//! multiply and one bit test per 8 to 32 bytes of log whatever the number of literals, the
//! speed of Wu-Manber's block shifts without its dependence on the shortest pattern for
//! every position. The bit table has about 64 bits per window (at most 1 MiB), so a false
//! candidate comes about once in 64 samples of log where that much fits; but log windows
//! repeat, so one frequent window that collides would come up in every line, which the
//! second table stops (on the benchmark log it cut the map lookups from about 2,300 per MB
//! to the 115 to 800 of windows really sought).

#![allow(unsafe_code)]

use rustc_hash::FxHashMap;

/// Bytes hashed per sample.
pub(crate) const WINDOW: usize = 8;

/// Longest step between samples.
pub(crate) const MAX_STRIDE: usize = 32;

/// Shortest literal this searcher takes: stride 8.
pub(crate) const MIN_LEN: usize = 8 + WINDOW - 1;

const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;

/// The multiplier of the second table, independent of the first.
const MULTIPLIER_2: u64 = 0xc2b2_ae3d_27d4_eb4f;

/// The slot of window `w` in a table of `2^(64 - shift)` bits: the top bits of its product
/// with an odd constant (Fibonacci hashing), which depend on all 8 bytes; lower bits of the
/// product do not depend on the last bytes, so windows differing only there would collide.
#[inline(always)]
fn slot(w: u64, shift: u32) -> usize {
    (w.wrapping_mul(MULTIPLIER) >> shift) as usize
}

/// The slot of `w` in the second table.
#[inline(always)]
fn slot_2(w: u64, shift: u32) -> usize {
    (w.wrapping_mul(MULTIPLIER_2) >> shift) as usize
}

fn has(bits: &[u64], k: usize) -> bool {
    bits[k >> 6] >> (k & 63) & 1 != 0
}

/// A literal having a window.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Index in `literals`.
    literal: u32,
    /// Where the window is in the literal.
    offset: u32,
    /// The literal's last 8 bytes, compared before the whole of it.
    tail: u64,
}

/// The searcher.
#[derive(Debug, Clone)]
pub(crate) struct Sampled {
    stride: usize,
    /// `2^n` bits, `n` at most 23: bit `slot(w, 64 - n)` is set for
    /// every window `w` looked for.
    bits: Vec<u64>,
    /// `64 - n`, for [`slot`].
    shift: u32,
    /// The same with [`slot_2`]: a window whose bit is set in `bits` is looked up in
    /// `windows` only if its bit here is set too. The windows of a log repeat, and one
    /// frequent window whose slot collides with a sought one's would cost a lookup every
    /// time it is sampled; two independent collisions are rare.
    bits_2: Vec<u64>,
    /// Exact window → the literals that have it where a sample may fall.
    windows: FxHashMap<u64, Vec<Entry>>,
    /// `(id, bytes)` of each literal.
    literals: Vec<(u32, Vec<u8>)>,
    /// Farthest a sample may be after the start of the occurrence it finds.
    reach: usize,
    /// Whether the CPU has BMI2 (`find_in_bmi2`).
    bmi2: bool,
}

#[inline]
fn word(bytes: &[u8]) -> u64 {
    let mut w = [0u8; WINDOW];
    w.copy_from_slice(bytes);
    u64::from_le_bytes(w)
}

impl Sampled {
    /// A searcher for `literals` (`(id, bytes)`, each at least [`MIN_LEN`] bytes); `None`
    /// when there are none or one is too short.
    pub fn new(literals: &[(u32, Vec<u8>)]) -> Option<Self> {
        let shortest = literals.iter().map(|(_, l)| l.len()).min()?;
        if shortest < MIN_LEN {
            return None;
        }
        let stride = (shortest + 1 - WINDOW).min(MAX_STRIDE);
        // How many literals hold each window: a window many share is likely common in
        // logs too, and costs a confirmation per literal when it is seen.
        let mut shared: FxHashMap<u64, u32> = FxHashMap::default();
        for (_, lit) in literals {
            let mut mine: Vec<u64> =
                (0..=lit.len() - WINDOW).map(|o| word(&lit[o..o + WINDOW])).collect();
            mine.sort_unstable();
            mine.dedup();
            for w in mine {
                *shared.entry(w).or_default() += 1;
            }
        }
        let count = literals.len() * stride;
        // At least 64 words; at most 2^23 bits, within the hash's 24.
        let log2 = (count * 64).next_power_of_two().trailing_zeros().clamp(12, 23);
        let mut bits = vec![0u64; 1 << (log2 - 6)];
        let mut bits_2 = bits.clone();
        let mut windows: FxHashMap<u64, Vec<Entry>> = FxHashMap::default();
        let mut reach = 0;
        for (i, (_, lit)) in literals.iter().enumerate() {
            // The stretch of stride + 7 bytes whose windows are shared least (the later one
            // on a tie: the start of a message is often a component name).
            let cost = |r: usize| -> u64 {
                (r..r + stride).map(|o| u64::from(shared[&word(&lit[o..o + WINDOW])])).sum()
            };
            let region = (0..=lit.len() - (stride + WINDOW - 1))
                .min_by_key(|&r| (cost(r), usize::MAX - r))
                .unwrap_or(0);
            let tail = word(&lit[lit.len() - WINDOW..]);
            reach = reach.max(region + stride - 1);
            for o in region..region + stride {
                let w = word(&lit[o..o + WINDOW]);
                let k = slot(w, 64 - log2);
                bits[k >> 6] |= 1 << (k & 63);
                let k = slot_2(w, 64 - log2);
                bits_2[k >> 6] |= 1 << (k & 63);
                windows.entry(w).or_default().push(Entry {
                    literal: i as u32,
                    offset: o as u32,
                    tail,
                });
            }
        }
        #[cfg(target_arch = "x86_64")]
        let bmi2 = std::is_x86_feature_detected!("bmi2");
        #[cfg(not(target_arch = "x86_64"))]
        let bmi2 = false;
        let shift = 64 - log2;
        Some(Sampled {
            stride,
            bits,
            shift,
            bits_2,
            windows,
            literals: literals.to_vec(),
            reach,
            bmi2,
        })
    }

    /// Bytes between samples.
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// Appends `(position, literal id)` of every occurrence of every literal in `h`,
    /// roughly by position (within a stride).
    #[cfg(test)]
    pub fn find_all(&self, h: &[u8], out: &mut Vec<(usize, u32)>) {
        self.find_in(h, 0, h.len(), out);
    }

    /// Appends the occurrences starting in `from..to`, `from` being a multiple of the
    /// stride (the samples are at multiples of it).
    pub fn find_in(&self, h: &[u8], from: usize, to: usize, out: &mut Vec<(usize, u32)>) {
        debug_assert_eq!(from % self.stride, 0);
        #[cfg(target_arch = "x86_64")]
        if self.bmi2 {
            // SAFETY: `bmi2` is set only when the CPU has BMI2.
            unsafe { self.find_in_bmi2(h, from, to, out) };
            return;
        }
        self.find_in_generic(h, from, to, out);
    }

    /// [`Sampled::find_in`] compiled with BMI2, whose shifts by a count in a register
    /// (`shrx`) take one micro-operation instead of three.
    ///
    /// # Safety
    /// The CPU must have BMI2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "bmi2")]
    unsafe fn find_in_bmi2(&self, h: &[u8], from: usize, to: usize, out: &mut Vec<(usize, u32)>) {
        self.find_in_generic(h, from, to, out);
    }

    #[inline(always)]
    fn find_in_generic(&self, h: &[u8], from: usize, to: usize, out: &mut Vec<(usize, u32)>) {
        let mut cursor = self.cursor(h, from, to);
        // Four samples a step, one branch for them; the rare hits are sorted out apart.
        while cursor.step::<4>(out) {}
        cursor.finish(out);
    }

    /// The search of `from..to` (`from` a multiple of the stride) as a [`Cursor`], to be
    /// taken a few samples at a time.
    pub fn cursor<'a>(&'a self, h: &'a [u8], from: usize, to: usize) -> Cursor<'a> {
        debug_assert_eq!(from % self.stride, 0);
        // The sample of an occurrence at x is in x + region..x + region + s.
        let last = if h.len() < WINDOW || from >= to {
            None
        } else {
            Some((h.len() - WINDOW).min(to - 1 + self.reach))
        };
        Cursor { searcher: self, h, from, to, next: from, last }
    }

    #[inline(never)]
    fn confirm(&self, h: &[u8], p: usize, from: usize, to: usize, out: &mut Vec<(usize, u32)>) {
        let w = word(&h[p..p + WINDOW]);
        if !has(&self.bits_2, slot_2(w, self.shift)) {
            return;
        }
        let Some(found) = self.windows.get(&w) else { return };
        for e in found {
            let Some(start) = p.checked_sub(e.offset as usize) else { continue };
            if !(from..to).contains(&start) {
                continue;
            }
            let (id, lit) = &self.literals[e.literal as usize];
            let end = start + lit.len();
            if end <= h.len() && word(&h[end - WINDOW..end]) == e.tail && h[start..end] == lit[..] {
                out.push((start, *id));
            }
        }
    }
}

/// A sampled search of part of a haystack, taken a few samples at a time
/// ([`Cursor::step`]) so that another search can run in between: the AVX-512 VBMI Teddy
/// loop takes a step per block of 64 bytes, and this scalar work overlaps its vector work.
/// [`Cursor::finish`] takes the samples left, so the result never depends on how many
/// steps were taken.
pub(crate) struct Cursor<'a> {
    searcher: &'a Sampled,
    h: &'a [u8],
    from: usize,
    to: usize,
    /// The next sample.
    next: usize,
    /// The last sample, if any.
    last: Option<usize>,
}

impl Cursor<'_> {
    /// Whether the window at `p` (at most `last`) may be one looked for.
    #[inline(always)]
    fn bit(&self, p: usize) -> bool {
        let bits = self.searcher.bits.as_slice();
        // SAFETY: every caller has p <= last <= h.len() - WINDOW, so the 8 bytes read
        // (unaligned) are in `h`.
        let w = u64::from_le(unsafe { self.h.as_ptr().add(p).cast::<u64>().read_unaligned() });
        let k = slot(w, self.searcher.shift);
        // SAFETY: k < 2^(64 - shift) = bits.len() * 64, so k / 64 is in `bits`.
        let word = unsafe { *bits.get_unchecked(k >> 6) };
        (word >> (k & 63)) & 1 != 0
    }

    /// Takes the next `K` samples with one branch for them, if they are all left; returns
    /// whether it did.
    #[inline(always)]
    pub fn step<const K: usize>(&mut self, out: &mut Vec<(usize, u32)>) -> bool {
        let s = self.searcher.stride;
        let p = self.next;
        if self.last.is_none_or(|last| p + (K - 1) * s > last) {
            return false;
        }
        // The samples of the steps ahead, a cache line at a time (a step may span two).
        super::teddy::prefetch(self.h, p);
        if K * s > 64 {
            super::teddy::prefetch(self.h, p + 64);
        }
        let set: [bool; K] = std::array::from_fn(|k| self.bit(p + k * s));
        if set.contains(&true) {
            for (k, _) in set.iter().enumerate().filter(|(_, set)| **set) {
                self.searcher.confirm(self.h, p + k * s, self.from, self.to, out);
            }
        }
        self.next = p + K * s;
        true
    }

    /// Takes every sample left.
    pub fn finish(&mut self, out: &mut Vec<(usize, u32)>) {
        let Some(last) = self.last else { return };
        while self.next <= last {
            if self.bit(self.next) {
                self.searcher.confirm(self.h, self.next, self.from, self.to, out);
            }
            self.next += self.searcher.stride;
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn naive(lits: &[(u32, Vec<u8>)], h: &[u8]) -> Vec<(usize, u32)> {
        let mut out: Vec<(usize, u32)> = (0..h.len())
            .flat_map(|i| {
                lits.iter().filter(move |(_, l)| h[i..].starts_with(l)).map(move |(id, _)| (i, *id))
            })
            .collect();
        out.sort_unstable();
        out
    }

    fn found(s: &Sampled, h: &[u8]) -> Vec<(usize, u32)> {
        let mut out = Vec::new();
        s.find_all(h, &mut out);
        out.sort_unstable();
        out
    }

    #[test]
    fn finds_every_occurrence_whatever_its_phase() {
        let lits = vec![
            (0, b"bind: address already in use".to_vec()),
            (1, b"too many clients already".to_vec()),
            (2, b"connection refused!".to_vec()),
        ];
        let s = Sampled::new(&lits).unwrap();
        assert_eq!(s.stride(), 12);
        for shift in 0..40 {
            let mut h = vec![b'x'; shift];
            h.extend_from_slice(
                b"listen tcp :80: bind: address already in use; connection refused!",
            );
            h.extend_from_slice(b" too many clients already");
            let want = naive(&lits, &h);
            assert_eq!(want.len(), 3);
            assert_eq!(found(&s, &h), want, "shift {shift}");
        }
    }

    #[test]
    fn a_wrong_stride_is_caught() {
        // The tests must be able to fail: sampling too sparsely misses occurrences.
        let lits = vec![(0, b"connection refused!".to_vec())];
        let mut s = Sampled::new(&lits).unwrap();
        s.stride += 4;
        let missed = (0..30).any(|shift| {
            let mut h = vec![b'x'; shift];
            h.extend_from_slice(b"connection refused!");
            found(&s, &h) != naive(&lits, &h)
        });
        assert!(missed);
    }

    #[test]
    fn short_literals_are_refused() {
        assert!(Sampled::new(&[(0, b"too short".to_vec())]).is_none());
        assert!(Sampled::new(&[]).is_none());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn agrees_with_a_naive_search(
            words in prop::collection::vec(prop::collection::vec(prop::sample::select(b"ab c".to_vec()), MIN_LEN..30), 1..30),
            h in prop::collection::vec(prop::sample::select(b"ab c\n".to_vec()), 0..600),
            plant in prop::collection::vec((0usize..600, 0usize..30), 0..8),
        ) {
            let l: Vec<(u32, Vec<u8>)> = words.into_iter().enumerate().map(|(i, w)| (i as u32, w)).collect();
            let mut h = h;
            for (at, which) in plant {
                let w = &l[which % l.len()].1;
                if at + w.len() <= h.len() {
                    h[at..at + w.len()].copy_from_slice(w);
                }
            }
            let s = Sampled::new(&l).unwrap();
            prop_assert_eq!(found(&s, &h), naive(&l, &h));
        }
    }
}
