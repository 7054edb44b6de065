//! A bucketed shift-or over short fingerprints, in the spirit of Hyperscan's FDR.
//!
//! Every fingerprint (1 to 8 bytes) goes into one of 8 buckets. A table maps a 12-bit view
//! of the input at each position (the byte and the low nibble of the byte before it) to a
//! 64-bit mask: byte `q` of the mask has bit `b` clear when some fingerprint of bucket `b`
//! can have this input `q` bytes before its end. OR-ing the masks of 8 consecutive
//! positions, each shifted by its distance, gives for each end position the buckets whose
//! every byte agreed: a candidate, confirmed against a hash set of the bucket's
//! fingerprints. The positions of a block are independent (no serial shift chain), so the
//! loop runs at a few cycles per 8 bytes whatever the number of fingerprints; the false
//! positive rate, not the pattern count, sets the speed.

use rustc_hash::FxHashSet;

/// Buckets: one bit each in every byte of a mask.
const BUCKETS: usize = 8;

/// Bits of input looked at per position.
const DOMAIN_BITS: u32 = 12;

/// The fingerprints of one bucket.
#[derive(Debug, Default, Clone)]
struct Bucket {
    /// Lengths present, for the confirm step.
    lengths: Vec<usize>,
    /// `(length, bytes as a little-endian u64)` of each fingerprint.
    keys: FxHashSet<(usize, u64)>,
}

/// The searcher.
#[derive(Debug, Clone)]
pub(crate) struct Fdr {
    table: Vec<u64>,
    buckets: Vec<Bucket>,
}

fn domain(cur: u8, prev: u8) -> usize {
    usize::from(cur) | (usize::from(prev & 0x0f) << 8)
}

/// `len` bytes ending at `end` (inclusive) as a little-endian u64.
fn key(h: &[u8], end: usize, len: usize) -> Option<u64> {
    let start = (end + 1).checked_sub(len)?;
    let mut buf = [0u8; 8];
    buf[..len].copy_from_slice(h.get(start..=end)?);
    Some(u64::from_le_bytes(buf))
}

impl Fdr {
    /// A searcher for `fingerprints` (each 1 to 8 bytes; longer ones are cut to their first
    /// 8 bytes, shorter ones than 1 are ignored).
    pub fn new(fingerprints: &[Vec<u8>]) -> Self {
        let mut order: Vec<&[u8]> =
            fingerprints.iter().map(|f| &f[..f.len().min(8)]).filter(|f| !f.is_empty()).collect();
        // Like lengths together, so a bucket's wildcard positions cost the others nothing.
        order.sort_by(|a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
        order.dedup();
        let mut table = vec![u64::MAX; 1 << DOMAIN_BITS];
        let mut buckets = vec![Bucket::default(); BUCKETS];
        let per_bucket = order.len().div_ceil(BUCKETS).max(1);
        for (i, fp) in order.iter().enumerate() {
            let b = i / per_bucket;
            let bucket = &mut buckets[b];
            let len = fp.len();
            if !bucket.lengths.contains(&len) {
                bucket.lengths.push(len);
            }
            let mut buf = [0u8; 8];
            buf[..len].copy_from_slice(fp);
            bucket.keys.insert((len, u64::from_le_bytes(buf)));
            for q in 0..8 {
                let bit = !(1u64 << (q * 8 + b));
                if q >= len {
                    // Before the fingerprint starts: anything goes.
                    table.iter_mut().for_each(|m| *m &= bit);
                    continue;
                }
                let j = len - 1 - q;
                if j == 0 {
                    for prev in 0..16u8 {
                        table[domain(fp[0], prev)] &= bit;
                    }
                } else {
                    table[domain(fp[j], fp[j - 1])] &= bit;
                }
            }
        }
        Fdr { table, buckets }
    }

    /// Start of the fingerprint occurrence at or after `from` that ends first.
    pub fn find(&self, h: &[u8], from: usize) -> Option<usize> {
        const MASK: u64 = (1 << DOMAIN_BITS) - 1;
        let table: &[u64; 1 << DOMAIN_BITS] = self.table.as_slice().try_into().ok()?;
        // `carry`: lanes of the next block already reached by earlier positions.
        let mut carry: u64 = 0;
        let mut base = from;
        let mut prev = if from > 0 { u64::from(h[from - 1]) } else { 0 };
        while base + 8 <= h.len() {
            let word = u64::from_le_bytes(h[base..base + 8].try_into().ok()?);
            // Byte k of `before` is the byte before position k.
            let before = (word << 8) | prev;
            let lookup = |k: u32| {
                table[(((word >> (8 * k)) & 0xff) | (((before >> (8 * k)) & 0x0f) << 8)) as usize
                    & MASK as usize]
            };
            let mut lo = carry | lookup(0);
            let mut hi = 0u64;
            for k in 1..8u32 {
                let m = lookup(k);
                lo |= m << (8 * k);
                hi |= m >> (64 - 8 * k);
            }
            if lo != u64::MAX
                && let Some(start) = self.confirm_lanes(h, from, base, lo, 8)
            {
                return Some(start);
            }
            carry = hi;
            prev = word >> 56;
            base += 8;
        }
        // The tail, shorter than a block.
        let mut lo = carry;
        let mut p = prev as u8;
        for (k, &cur) in h[base..].iter().enumerate() {
            lo |= table[domain(cur, p)] << (8 * k);
            p = cur;
        }
        self.confirm_lanes(h, from, base, lo, h.len() - base)
    }

    /// Checks the candidate lanes of a block (`lanes` of them valid); an occurrence must
    /// start at or after `from`.
    fn confirm_lanes(
        &self,
        h: &[u8],
        from: usize,
        base: usize,
        low: u64,
        lanes: usize,
    ) -> Option<usize> {
        for k in 0..lanes {
            let hits = !((low >> (8 * k)) as u8);
            if hits == 0 {
                continue;
            }
            let end = base + k;
            for b in 0..BUCKETS {
                if hits & (1 << b) == 0 {
                    continue;
                }
                let bucket = &self.buckets[b];
                for &len in &bucket.lengths {
                    if end + 1 >= from + len
                        && let Some(value) = key(h, end, len)
                        && bucket.keys.contains(&(len, value))
                    {
                        return Some(end + 1 - len);
                    }
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The end (exclusive) of the occurrence that ends first, at or after `from`.
    fn first_end(fps: &[Vec<u8>], h: &[u8], from: usize) -> Option<usize> {
        (from..h.len())
            .flat_map(|s| {
                fps.iter()
                    .filter(move |f| !f.is_empty() && h[s..].starts_with(&f[..f.len().min(8)]))
                    .map(move |f| s + f.len().min(8))
            })
            .min()
    }

    /// Checks that `found` is a real occurrence ending first.
    fn agrees(fps: &[Vec<u8>], h: &[u8], from: usize, found: Option<usize>) -> bool {
        match (found, first_end(fps, h, from)) {
            (None, None) => true,
            (Some(start), Some(end)) => {
                start >= from
                    && fps.iter().any(|f| {
                        start + f.len().min(8) == end
                            && h[start..].starts_with(&f[..f.len().min(8)])
                    })
            }
            _ => false,
        }
    }

    #[test]
    fn finds_fingerprints_of_every_length() {
        let fps: Vec<Vec<u8>> = ["ab", "bind: ad", "too many", "xyz", "q"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect();
        let fdr = Fdr::new(&fps);
        let h = b"hello world, listen tcp :80: bind: address already in use";
        assert!(agrees(&fps, h, 0, fdr.find(h, 0)));
        assert_eq!(fdr.find(b"nothing here", 0), None);
        assert_eq!(fdr.find(b"q", 0), Some(0));
        assert_eq!(fdr.find(b"ab", 1), None);
    }

    proptest! {
        #[test]
        fn agrees_with_a_naive_search(
            fps in prop::collection::vec(prop::collection::vec(b'a'..b'e', 1..9), 1..200),
            h in prop::collection::vec(b'a'..b'f', 0..300),
            from in 0usize..300,
        ) {
            let from = from.min(h.len());
            prop_assert!(agrees(&fps, &h, from, Fdr::new(&fps).find(&h, from)));
        }
    }
}
