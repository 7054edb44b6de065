//! A bucketed SIMD shift-and over 3 or 4 bytes of each short literal, after Teddy
//! (Hyperscan's small-set literal matcher).
//!
//! Each literal's fingerprint is `M` of its bytes (`M` being 3 or 4): where bytes are
//! looked up whole (below), its rarest run (rarity guessed from letter frequencies and the
//! symbols logs are full of, [`frequency`]), since an anchor such as `scheduler: failed to
//! bind` starts with a service name that every line of the service has; with nibble
//! tables its first bytes, which measured faster there. Each distinct fingerprint goes into
//! one of 8 buckets. For every byte offset `j < M` two 16-entry tables map the low and the high
//! nibble of an input byte to the buckets having a fingerprint whose byte `j` has that
//! nibble. At position `i` the AND over `j` of `lo[j][t[i+j] & 15] & hi[j][t[i+j] >> 4]`
//! names the buckets whose fingerprints may start there; with `pshufb` that is 2 lookups
//! and 3 logic operations per offset for 16, 32 or 64 positions at once (SSSE3, AVX2,
//! AVX-512BW, picked at run time; a scalar loop otherwise and for the tail). Where the CPU
//! has AVX-512 VBMI, `vpermi2b` looks each byte up whole (its low 7 bits) in a 128-entry
//! table per offset instead: 1 lookup per offset, and a bucket accepts exactly the bytes of
//! its fingerprints rather than every mix of their nibbles, so fewer false candidates. The
//! AVX2 and VBMI loops take blocks of 64 positions (AVX2 as two independent vectors, which
//! measured twice as fast as one vector a step) and can run another search's scalar steps
//! once per block ([`BlockHook`]), which overlap their vector work. Every candidate is confirmed against the bucket's literals,
//! byte for byte, so only true occurrences are reported, at the position where they start.
//! Buckets are filled greedily, each fingerprint into the bucket it widens least: by the
//! estimated share of positions the bucket lets through where bytes are looked up whole
//! (the product over offsets of the frequencies of the bytes it accepts), by the number of
//! byte strings it accepts with nibble tables; so alike fingerprints share one (`error`,
//! `Error` and `ERROR` cost little more than one).
#![allow(unsafe_code)]

/// Buckets: one bit each in a table entry.
const BUCKETS: usize = 8;

/// Most literals Teddy is used for; beyond that its buckets get too full to filter well.
pub(crate) const MAX_LITERALS: usize = 64;

/// How far ahead of the bytes it reads each searcher loop asks for the log's next cache
/// line ([`prefetch`]). On a log bigger than the caches the loops otherwise stall on
/// memory as if its reads did not overlap their work (in memory, one core: Teddy alone
/// 5.6 -> 7.6 GB/s, with the sampled search inside it 4.4 -> 5.5 to 6 GB/s; 2 to 16 KiB
/// all did about as well, a page ahead also gets its address translated early).
const PREFETCH_AHEAD: usize = 4096;

/// Asks the CPU to bring the cache line holding `h[at + PREFETCH_AHEAD]` into the L1
/// cache. Nothing is read: an address past the end of `h` is harmless.
#[inline(always)]
pub(crate) fn prefetch(h: &[u8], at: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: SSE is part of x86_64, and a prefetch never faults, whatever the address:
        // the pointer is computed with wrapping arithmetic and never dereferenced.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(h.as_ptr().wrapping_add(at + PREFETCH_AHEAD).cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (h, at);
}

/// The searcher.
#[derive(Debug, Clone)]
pub(crate) struct Teddy {
    /// Fingerprint length: 3 or 4.
    m: usize,
    /// `lo[j][n]`: buckets whose fingerprints have low nibble `n` at offset `j`.
    lo: [[u8; 16]; 4],
    /// `hi[j][n]`: the same for high nibbles.
    hi: [[u8; 16]; 4],
    /// `bytes[j][c]`: buckets having a fingerprint whose byte `j`, without its top bit, is
    /// `c` (the AVX-512 VBMI loop looks bytes up whole, in 128-entry tables).
    bytes: Box<[[u8; 128]; 4]>,
    /// Per bucket: the literals to confirm.
    buckets: Vec<Vec<Literal>>,
    /// Which implementation runs.
    kind: Kind,
}

/// A literal of a bucket.
#[derive(Debug, Clone)]
struct Literal {
    id: u32,
    bytes: Vec<u8>,
    /// Where its fingerprint is in it.
    offset: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Scalar,
    #[cfg(target_arch = "x86_64")]
    Ssse3,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
    #[cfg(target_arch = "x86_64")]
    Vbmi,
}

impl Teddy {
    /// A searcher for `literals` (`(id, bytes)`, each at least 3 bytes); `None` when there
    /// are none, one is shorter than 3 bytes or there are more than [`MAX_LITERALS`].
    pub fn new(literals: &[(u32, Vec<u8>)]) -> Option<Self> {
        let shortest = literals.iter().map(|(_, l)| l.len()).min()?;
        if shortest < 3 || literals.len() > MAX_LITERALS {
            return None;
        }
        let m = shortest.min(4);
        let kind = Kind::detect();
        // Looking bytes up whole, each literal's fingerprint is its rarest run of `m`
        // bytes, not always its start: an anchor such as `scheduler: failed to bind`
        // starts with a service name that every line of that service has. (With nibble
        // tables the rarer bytes mix into more false candidates: measured slower there.)
        let offsets: Vec<usize> = literals
            .iter()
            .map(|(_, l)| if kind.whole_bytes() { rarest_run(l, m) } else { 0 })
            .collect();
        let mut fingerprints: Vec<&[u8]> =
            literals.iter().zip(&offsets).map(|((_, l), &o)| &l[o..o + m]).collect();
        fingerprints.sort_unstable();
        fingerprints.dedup();
        let mut lo = [[0u8; 16]; 4];
        let mut hi = [[0u8; 16]; 4];
        let mut bytes = Box::new([[0u8; 128]; 4]);
        let mut members = [0usize; BUCKETS];
        let mut bucket_of: Vec<(&[u8], usize)> = Vec::new();
        // Case-insensitively alike fingerprints first, so they land together.
        fingerprints.sort_by_key(|f| f.to_ascii_lowercase());
        for f in fingerprints {
            // The bucket this fingerprint widens least, then the emptiest. Looking bytes
            // up whole, widening is the growth of the estimated share of log positions
            // the bucket lets through (the product over offsets of the frequencies of the
            // bytes it accepts there); with nibble tables, of the number of byte strings
            // it accepts (the product of its nibble set sizes), where opening a bucket
            // costs a little more than a case variant joining its word.
            let cost = |b: usize| {
                let mut widened = (lo, hi, bytes.clone());
                add(&mut widened.0, &mut widened.1, &mut widened.2, f, b);
                let grown = if kind.whole_bytes() {
                    passing(&widened.2, m, b) - passing(&bytes, m, b)
                } else {
                    let strings = |lo: &[[u8; 16]; 4], hi: &[[u8; 16]; 4]| -> f64 {
                        (0..m)
                            .map(|j| {
                                let count =
                                    |t: &[u8; 16]| t.iter().filter(|&&x| x & (1 << b) != 0).count();
                                (count(&lo[j]) * count(&hi[j])) as f64
                            })
                            .product()
                    };
                    strings(&widened.0, &widened.1) - strings(&lo, &hi)
                        + f64::from(u8::from(members[b] == 0))
                };
                (grown, members[b])
            };
            let b = (0..BUCKETS)
                .map(|b| (cost(b), b))
                .min_by(|((x, n), b), ((y, k), c)| x.total_cmp(y).then(n.cmp(k)).then(b.cmp(c)))
                .map_or(0, |(_, b)| b);
            add(&mut lo, &mut hi, &mut bytes, f, b);
            members[b] += 1;
            bucket_of.push((f, b));
        }
        let mut buckets = vec![Vec::new(); BUCKETS];
        for ((id, lit), &offset) in literals.iter().zip(&offsets) {
            let f = &lit[offset..offset + m];
            if let Some(&(_, b)) = bucket_of.iter().find(|(g, _)| *g == f) {
                buckets[b].push(Literal { id: *id, bytes: lit.clone(), offset });
            }
        }
        // Offsets past `m` accept anything, so the SIMD loops may always look at 4.
        for j in m..4 {
            lo[j] = [0xff; 16];
            hi[j] = [0xff; 16];
            bytes[j] = [0xff; 128];
        }
        Some(Teddy { m, lo, hi, bytes, buckets, kind })
    }

    /// Which implementation runs, for `--verbose` and benchmarks.
    pub fn implementation(&self) -> &'static str {
        match self.kind {
            Kind::Scalar => "scalar",
            #[cfg(target_arch = "x86_64")]
            Kind::Ssse3 => "ssse3",
            #[cfg(target_arch = "x86_64")]
            Kind::Avx2 => "avx2",
            #[cfg(target_arch = "x86_64")]
            Kind::Avx512 => "avx512",
            #[cfg(target_arch = "x86_64")]
            Kind::Vbmi => "avx512vbmi",
        }
    }

    /// Appends `(position, literal id)` of every occurrence of every literal in `h`, by
    /// position.
    #[cfg(test)]
    pub fn find_all(&self, h: &[u8], out: &mut Vec<(usize, u32)>) {
        let newlines = self.find_in(h, 0, h.len(), out);
        assert_eq!(newlines, memchr::memchr_iter(b'\n', h).count());
    }

    /// Appends `(position, literal id)` of every occurrence starting in `from..to` (the
    /// literal may go on past `to`), by position. Returns the number of newlines in
    /// `h[from..to]`, counted in the same pass.
    pub fn find_in(&self, h: &[u8], from: usize, to: usize, out: &mut Vec<(usize, u32)>) -> usize {
        self.find_in_with(h, from, to, out, &mut ())
    }

    /// Whether [`Teddy::find_in_with`] calls its hook once per block (the AVX2 and VBMI
    /// loops do).
    pub fn interleaves(&self) -> bool {
        self.kind.blocks()
    }

    /// [`Teddy::find_in`], calling `hook` once per block of 64 positions when it
    /// [`interleaves`](Teddy::interleaves) (and never otherwise), for a scalar search to
    /// run alongside.
    pub fn find_in_with<F: BlockHook>(
        &self,
        h: &[u8],
        from: usize,
        to: usize,
        out: &mut Vec<(usize, u32)>,
        hook: &mut F,
    ) -> usize {
        let to = to.min(h.len());
        let (done, newlines) = match self.kind {
            Kind::Scalar => (from, 0),
            // SAFETY: `kind` is only set to a SIMD variant when the CPU has the feature
            // (`Kind::detect`, or a test that checked it).
            #[cfg(target_arch = "x86_64")]
            Kind::Ssse3 => unsafe { self.find_ssse3(h, from, to, out) },
            #[cfg(target_arch = "x86_64")]
            Kind::Avx2 if self.m == 3 => unsafe { self.find_avx2::<3, F>(h, from, to, out, hook) },
            #[cfg(target_arch = "x86_64")]
            Kind::Avx2 => unsafe { self.find_avx2::<4, F>(h, from, to, out, hook) },
            #[cfg(target_arch = "x86_64")]
            Kind::Avx512 => unsafe { self.find_avx512(h, from, to, out) },
            #[cfg(target_arch = "x86_64")]
            Kind::Vbmi if self.m == 3 => unsafe { self.find_vbmi::<3, F>(h, from, to, out, hook) },
            #[cfg(target_arch = "x86_64")]
            Kind::Vbmi => unsafe { self.find_vbmi::<4, F>(h, from, to, out, hook) },
        };
        self.find_scalar(h, done, to, out);
        newlines + memchr::memchr_iter(b'\n', &h[done.min(to)..to]).count()
    }

    /// The buckets that may start at `i` (needs `i + m <= h.len()`).
    #[inline]
    fn buckets_at(&self, h: &[u8], i: usize) -> u8 {
        let mut acc = 0xff;
        for j in 0..self.m {
            let b = h[i + j];
            acc &= self.lo[j][usize::from(b & 15)] & self.hi[j][usize::from(b >> 4)];
        }
        acc
    }

    /// Positions `from..to`, one at a time.
    fn find_scalar(&self, h: &[u8], from: usize, to: usize, out: &mut Vec<(usize, u32)>) {
        let Some(last) = h.len().checked_sub(self.m) else { return };
        for i in from..to.min(last + 1) {
            let b = self.buckets_at(h, i);
            if b != 0 {
                self.confirm(h, i, b, out);
            }
        }
    }

    /// Reports the literals of buckets `bits` that really start at `i`.
    #[inline(never)]
    fn confirm(&self, h: &[u8], i: usize, mut bits: u8, out: &mut Vec<(usize, u32)>) {
        while bits != 0 {
            let b = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            for lit in &self.buckets[b] {
                // The fingerprint bytes first (no call), then the rest.
                let Some(start) = i.checked_sub(lit.offset) else { continue };
                if h[i..i + self.m] == lit.bytes[lit.offset..lit.offset + self.m]
                    && h[start..].starts_with(&lit.bytes)
                {
                    out.push((start, lit.id));
                }
            }
        }
    }

    /// Candidates of a block of 64 positions: `mask` has bit `k` set when `buckets[k]`, the
    /// buckets that may start at `base + k - back`, is not empty.
    #[inline(never)]
    fn confirm_buckets(
        &self,
        h: &[u8],
        base: usize,
        back: usize,
        mut mask: u64,
        buckets: &[u8; 64],
        out: &mut Vec<(usize, u32)>,
    ) {
        while mask != 0 {
            let k = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            self.confirm(h, base + k - back, buckets[k], out);
        }
    }

    /// Candidates of a SIMD block: `mask` has bit `k` set when position `base + k` may
    /// start a literal.
    #[inline]
    fn confirm_mask(&self, h: &[u8], base: usize, mut mask: u64, out: &mut Vec<(usize, u32)>) {
        while mask != 0 {
            let k = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            let i = base + k;
            let b = self.buckets_at(h, i);
            if b != 0 {
                self.confirm(h, i, b, out);
            }
        }
    }
}

/// How often byte `c` is guessed to occur in logs, per 1,000 bytes: English letter
/// frequencies for words, digits and the punctuation of timestamps, paths and key=value
/// pairs common, capitals and other symbols rare. Only used to choose fingerprints and
/// fill buckets, never for what is found.
fn frequency(c: u8) -> f64 {
    // a to z.
    const LOWER: [u8; 26] = [
        65, 12, 27, 32, 96, 16, 15, 32, 70, 2, 5, 37, 24, 66, 68, 18, 1, 60, 62, 80, 26, 8, 12, 4,
        12, 2,
    ];
    let per_mille = match c {
        b' ' => 150,
        b'\n' | b'0'..=b'9' => 25,
        b'a'..=b'z' => u32::from(LOWER[usize::from(c - b'a')]),
        b'A'..=b'Z' => u32::from(LOWER[usize::from(c - b'A')]).div_ceil(6),
        b':' | b'.' | b'-' | b'/' => 15,
        b'_' | b',' | b'=' | b'"' | b'[' | b']' | b'\t' => 6,
        0x21..=0x7e => 2,
        _ => 1,
    };
    f64::from(per_mille) / 1000.0
}

/// Where in `literal` its rarest run of `m` bytes starts (the first on a tie).
fn rarest_run(literal: &[u8], m: usize) -> usize {
    let odds = |o: usize| literal[o..o + m].iter().map(|&c| frequency(c)).product::<f64>();
    (0..=literal.len() - m).fold(0, |best, o| if odds(o) < odds(best) { o } else { best })
}

/// Adds fingerprint `f` to bucket `b` of the tables.
fn add(
    lo: &mut [[u8; 16]; 4],
    hi: &mut [[u8; 16]; 4],
    bytes: &mut [[u8; 128]; 4],
    f: &[u8],
    b: usize,
) {
    for (j, &c) in f.iter().enumerate() {
        lo[j][usize::from(c & 15)] |= 1 << b;
        hi[j][usize::from(c >> 4)] |= 1 << b;
        bytes[j][usize::from(c & 0x7f)] |= 1 << b;
    }
}

/// The estimated share of log positions at which bucket `b` of the whole-byte tables
/// passes: the product over the `m` offsets of the frequencies of the bytes it accepts.
fn passing(bytes: &[[u8; 128]; 4], m: usize, b: usize) -> f64 {
    let bit = 1u8 << b;
    (0..m)
        .map(|j| {
            (0..=255u8)
                .filter(|&c| bytes[j][usize::from(c & 0x7f)] & bit != 0)
                .map(frequency)
                .sum::<f64>()
        })
        .product()
}

/// Work run once per block of 64 positions inside the AVX2 and VBMI loops
/// ([`Teddy::find_in_with`]).
pub(crate) trait BlockHook {
    /// Called once per block, with the occurrences found so far.
    fn block(&mut self, out: &mut Vec<(usize, u32)>);
}

impl BlockHook for () {
    #[inline(always)]
    fn block(&mut self, _: &mut Vec<(usize, u32)>) {}
}

/// The sum of the 32 byte counters of `counts` (called where AVX2 is enabled).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn sum_bytes(counts: std::arch::x86_64::__m256i) -> u64 {
    use std::arch::x86_64::*;
    let sums = _mm256_sad_epu8(counts, _mm256_setzero_si256());
    let mut lanes = [0u64; 4];
    // SAFETY: `lanes` is 32 bytes, written unaligned.
    unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), sums) };
    lanes.iter().sum()
}

/// Whether the CPU runs [`Teddy::find_avx512`].
#[cfg(target_arch = "x86_64")]
fn avx512() -> bool {
    std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512bw")
        && std::is_x86_feature_detected!("popcnt")
}

/// Whether Teddy looks bytes up whole here ([`Teddy::find_vbmi`]).
pub(crate) fn whole_bytes() -> bool {
    Kind::detect().whole_bytes()
}

/// Whether the CPU runs [`Teddy::find_vbmi`].
#[cfg(target_arch = "x86_64")]
fn vbmi() -> bool {
    avx512() && std::is_x86_feature_detected!("avx512vbmi") && std::is_x86_feature_detected!("bmi2")
}

/// Whether the CPU runs [`Teddy::find_avx2`].
#[cfg(target_arch = "x86_64")]
fn avx2() -> bool {
    std::is_x86_feature_detected!("avx2")
        && std::is_x86_feature_detected!("bmi2")
        && std::is_x86_feature_detected!("popcnt")
}

impl Kind {
    /// Whether this loop looks bytes up whole rather than by nibbles.
    fn whole_bytes(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        if self == Kind::Vbmi {
            return true;
        }
        false
    }

    /// Whether this loop calls a [`BlockHook`] once per block.
    fn blocks(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        if matches!(self, Kind::Avx2 | Kind::Vbmi) {
            return true;
        }
        false
    }

    fn detect() -> Self {
        if std::env::var_os("TRIAGE_SCAN_SCALAR").is_some() {
            return Kind::Scalar;
        }
        #[cfg(target_arch = "x86_64")]
        {
            if std::env::var_os("TRIAGE_SCAN_NO_AVX512").is_none() {
                if vbmi() && std::env::var_os("TRIAGE_SCAN_NO_VBMI").is_none() {
                    return Kind::Vbmi;
                }
                if avx512() {
                    return Kind::Avx512;
                }
            }
            if avx2() {
                return Kind::Avx2;
            }
            if std::is_x86_feature_detected!("ssse3") {
                return Kind::Ssse3;
            }
        }
        Kind::Scalar
    }
}

#[cfg(target_arch = "x86_64")]
impl Teddy {
    /// SSSE3, 16 positions a step. Returns where the scalar loop must go on and the
    /// newlines before that.
    ///
    /// # Safety
    /// The CPU must have SSSE3.
    #[target_feature(enable = "ssse3")]
    unsafe fn find_ssse3(
        &self,
        h: &[u8],
        from: usize,
        to: usize,
        out: &mut Vec<(usize, u32)>,
    ) -> (usize, usize) {
        use std::arch::x86_64::*;
        let tables: [(__m128i, __m128i); 4] = std::array::from_fn(|j| {
            // SAFETY: each table is 16 bytes, read unaligned.
            unsafe {
                (
                    _mm_loadu_si128(self.lo[j].as_ptr().cast()),
                    _mm_loadu_si128(self.hi[j].as_ptr().cast()),
                )
            }
        });
        let nibble = _mm_set1_epi8(0x0f);
        let newline = _mm_set1_epi8(b'\n' as i8);
        let mut newlines = 0;
        let mut i = from;
        // Each step reads bytes i .. i + 16 + 3, and looks at starts before `to`.
        while i + 16 + 3 <= h.len() && i + 16 <= to {
            let mut acc = _mm_set1_epi8(-1);
            for (j, (lo, hi)) in tables.iter().enumerate() {
                // SAFETY: i + j + 16 <= i + 19 <= h.len(): the 16 bytes read are in `h`.
                let v = unsafe { _mm_loadu_si128(h.as_ptr().add(i + j).cast()) };
                if j == 0 {
                    let nl = _mm_movemask_epi8(_mm_cmpeq_epi8(v, newline)) as u32;
                    newlines += nl.count_ones() as usize;
                }
                let l = _mm_shuffle_epi8(*lo, _mm_and_si128(v, nibble));
                let u = _mm_shuffle_epi8(*hi, _mm_and_si128(_mm_srli_epi16(v, 4), nibble));
                acc = _mm_and_si128(acc, _mm_and_si128(l, u));
            }
            let zero = _mm_movemask_epi8(_mm_cmpeq_epi8(acc, _mm_setzero_si128())) as u32;
            let mask = u64::from(!zero & 0xffff);
            if mask != 0 {
                self.confirm_mask(h, i, mask, out);
            }
            i += 16;
        }
        (i, newlines)
    }

    /// AVX2, 64 positions a step (two vectors of 32); calls `hook` once per step. Each
    /// vector of log is loaded once: its nibbles are looked up in the tables of all `M`
    /// offsets, and the results for offset `j` are shifted `M - 1 - j` bytes later (the
    /// bytes shifted in come from the previous vector), so that their AND at byte `k` names
    /// the buckets of fingerprints that end at `k`. Newlines are counted in byte counters
    /// (`vpsubb` of the comparison), summed every 127 steps. Returns where the scalar loop
    /// must go on and the newlines before that.
    ///
    /// # Safety
    /// The CPU must have AVX2, BMI2 (whose register-count shifts the sampled steps use) and
    /// POPCNT.
    #[target_feature(enable = "avx2,bmi2,popcnt")]
    unsafe fn find_avx2<const M: usize, F: BlockHook>(
        &self,
        h: &[u8],
        from: usize,
        to: usize,
        out: &mut Vec<(usize, u32)>,
        hook: &mut F,
    ) -> (usize, usize) {
        use std::arch::x86_64::*;
        let tables: [(__m256i, __m256i); M] = std::array::from_fn(|j| {
            // SAFETY: each table is 16 bytes, read unaligned, then repeated in both lanes
            // (pshufb looks up within each 128-bit lane).
            unsafe {
                (
                    _mm256_broadcastsi128_si256(_mm_loadu_si128(self.lo[j].as_ptr().cast())),
                    _mm256_broadcastsi128_si256(_mm_loadu_si128(self.hi[j].as_ptr().cast())),
                )
            }
        });
        let nibble = _mm256_set1_epi8(0x0f);
        let newline = _mm256_set1_epi8(b'\n' as i8);
        let zero = _mm256_setzero_si256();
        // The buckets of fingerprints ending at each of the 32 bytes from `p`; `prev` holds
        // each offset's lookups of the 32 bytes before, and gets those of these.
        let mut prev = [zero; M];
        let mut buckets = |p: usize, counts: &mut __m256i| {
            // SAFETY: p + 32 <= h.len() (checked by the loop).
            let v = unsafe { _mm256_loadu_si256(h.as_ptr().add(p).cast()) };
            *counts = _mm256_sub_epi8(*counts, _mm256_cmpeq_epi8(v, newline));
            let low = _mm256_and_si256(v, nibble);
            let high = _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble);
            let mut acc = _mm256_set1_epi8(-1);
            for (j, (lo, hi)) in tables.iter().enumerate() {
                let r =
                    _mm256_and_si256(_mm256_shuffle_epi8(*lo, low), _mm256_shuffle_epi8(*hi, high));
                // `r` with every byte moved M - 1 - j places later, the first ones from the
                // end of the previous lookups (alignr works within 128-bit lanes; the
                // permute brings each lane the one before it).
                let before = _mm256_permute2x128_si256::<0x21>(prev[j], r);
                let shifted = match M - 1 - j {
                    0 => r,
                    1 => _mm256_alignr_epi8::<15>(r, before),
                    2 => _mm256_alignr_epi8::<14>(r, before),
                    _ => _mm256_alignr_epi8::<13>(r, before),
                };
                prev[j] = r;
                acc = _mm256_and_si256(acc, shifted);
            }
            acc
        };
        let mut newlines = 0u64;
        let mut counts = zero;
        let mut steps = 0;
        let mut i = from;
        // Each step reads bytes i .. i + 64 and finds the fingerprints ending there, which
        // start before `to`.
        while i + 64 <= h.len() && i + 64 < to + M {
            prefetch(h, i);
            let a = buckets(i, &mut counts);
            let b = buckets(i + 32, &mut counts);
            hook.block(out);
            let empty = |acc| u64::from(_mm256_movemask_epi8(_mm256_cmpeq_epi8(acc, zero)) as u32);
            let mask = !(empty(a) | empty(b) << 32);
            if mask != 0 {
                let mut found = [0u8; 64];
                // SAFETY: `found` is 64 bytes, written unaligned, 32 at a time.
                unsafe {
                    _mm256_storeu_si256(found.as_mut_ptr().cast(), a);
                    _mm256_storeu_si256(found[32..].as_mut_ptr().cast(), b);
                }
                // Bytes before `from` have no lookups (`prev` starts empty), so no
                // fingerprint ends before from + M - 1.
                self.confirm_buckets(h, i, M - 1, mask, &found, out);
            }
            i += 64;
            steps += 1;
            // Each byte counter grows at most 2 a step: sum them before they overflow.
            if steps == 127 {
                newlines += sum_bytes(counts);
                counts = zero;
                steps = 0;
            }
        }
        newlines += sum_bytes(counts);
        if i == from {
            return (from, 0);
        }
        // The next start to look at is i - (M - 1); its bytes were counted already.
        let done = i - (M - 1);
        let counted = memchr::memchr_iter(b'\n', &h[done..i]).count();
        (done, newlines as usize - counted)
    }

    /// AVX-512BW, 64 positions a step. Returns where the scalar loop must go on and the
    /// newlines before that.
    ///
    /// # Safety
    /// The CPU must have AVX-512F and AVX-512BW.
    #[target_feature(enable = "avx512f,avx512bw,popcnt")]
    unsafe fn find_avx512(
        &self,
        h: &[u8],
        from: usize,
        to: usize,
        out: &mut Vec<(usize, u32)>,
    ) -> (usize, usize) {
        use std::arch::x86_64::*;
        let tables: [(__m512i, __m512i); 4] = std::array::from_fn(|j| {
            // SAFETY: each table is 16 bytes, read unaligned, then repeated in all four
            // 128-bit lanes (vpshufb looks up within each lane).
            unsafe {
                (
                    _mm512_broadcast_i32x4(_mm_loadu_si128(self.lo[j].as_ptr().cast())),
                    _mm512_broadcast_i32x4(_mm_loadu_si128(self.hi[j].as_ptr().cast())),
                )
            }
        });
        let nibble = _mm512_set1_epi8(0x0f);
        let newline = _mm512_set1_epi8(b'\n' as i8);
        let mut newlines = 0;
        let mut i = from;
        // Each step reads bytes i .. i + 64 + 3, and looks at starts before `to`.
        while i + 64 + 3 <= h.len() && i + 64 <= to {
            prefetch(h, i);
            let mut acc = _mm512_set1_epi8(-1);
            for (j, (lo, hi)) in tables.iter().enumerate() {
                // SAFETY: i + j + 64 <= i + 67 <= h.len(): the 64 bytes read are in `h`.
                let v = unsafe { _mm512_loadu_si512(h.as_ptr().add(i + j).cast()) };
                if j == 0 {
                    newlines += _mm512_cmpeq_epi8_mask(v, newline).count_ones() as usize;
                }
                let l = _mm512_shuffle_epi8(*lo, _mm512_and_si512(v, nibble));
                let u = _mm512_shuffle_epi8(*hi, _mm512_and_si512(_mm512_srli_epi16(v, 4), nibble));
                acc = _mm512_and_si512(acc, _mm512_and_si512(l, u));
            }
            let mask = _mm512_test_epi8_mask(acc, acc);
            if mask != 0 {
                self.confirm_mask(h, i, mask, out);
            }
            i += 64;
        }
        (i, newlines)
    }
}

#[cfg(target_arch = "x86_64")]
impl Teddy {
    /// AVX-512 VBMI, 64 positions a step, `M` offsets: each input byte (without its top
    /// bit) is looked up whole in a 128-entry table per offset with one `vpermi2b`, so a
    /// bucket accepts exactly the bytes of its fingerprints, not every mix of their nibbles.
    /// Returns where the scalar loop must go on and the newlines before that.
    ///
    /// # Safety
    /// The CPU must have AVX-512F, AVX-512BW and AVX-512 VBMI.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi,popcnt,bmi2")]
    unsafe fn find_vbmi<const M: usize, F: BlockHook>(
        &self,
        h: &[u8],
        from: usize,
        to: usize,
        out: &mut Vec<(usize, u32)>,
        hook: &mut F,
    ) -> (usize, usize) {
        use std::arch::x86_64::*;
        let tables: [(__m512i, __m512i); M] = std::array::from_fn(|j| {
            // SAFETY: each table is 128 bytes: two unaligned 64-byte loads.
            unsafe {
                (
                    _mm512_loadu_si512(self.bytes[j].as_ptr().cast()),
                    _mm512_loadu_si512(self.bytes[j][64..].as_ptr().cast()),
                )
            }
        });
        let newline = _mm512_set1_epi8(b'\n' as i8);
        let mut newlines = 0;
        let mut i = from;
        // Each step reads bytes i .. i + 64 + M - 1, and looks at starts before `to`.
        while i + 64 + M - 1 <= h.len() && i + 64 <= to {
            prefetch(h, i);
            let mut acc = _mm512_set1_epi8(-1);
            for (j, (low, high)) in tables.iter().enumerate() {
                // SAFETY: i + j + 64 <= i + 64 + M - 1 <= h.len(): the bytes read are in `h`.
                let v = unsafe { _mm512_loadu_si512(h.as_ptr().add(i + j).cast()) };
                if j == 0 {
                    newlines += _mm512_cmpeq_epi8_mask(v, newline).count_ones() as usize;
                }
                acc = _mm512_and_si512(acc, _mm512_permutex2var_epi8(*low, v, *high));
            }
            hook.block(out);
            let mask = _mm512_test_epi8_mask(acc, acc);
            if mask != 0 {
                let mut buckets = [0u8; 64];
                // SAFETY: `buckets` is 64 bytes, written unaligned.
                unsafe { _mm512_storeu_si512(buckets.as_mut_ptr().cast(), acc) };
                self.confirm_buckets(h, i, 0, mask, &buckets, out);
            }
            i += 64;
        }
        (i, newlines)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Every occurrence, the slow and obvious way.
    fn naive(lits: &[(u32, Vec<u8>)], h: &[u8]) -> Vec<(usize, u32)> {
        let mut out: Vec<(usize, u32)> = (0..h.len())
            .flat_map(|i| {
                lits.iter().filter(move |(_, l)| h[i..].starts_with(l)).map(move |(id, _)| (i, *id))
            })
            .collect();
        out.sort_unstable();
        out
    }

    /// Every implementation this CPU can run.
    fn kinds() -> Vec<Kind> {
        #[allow(unused_mut)]
        let mut kinds = vec![Kind::Scalar];
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("ssse3") {
                kinds.push(Kind::Ssse3);
            }
            if avx2() {
                kinds.push(Kind::Avx2);
            }
            if avx512() {
                kinds.push(Kind::Avx512);
            }
            if vbmi() {
                kinds.push(Kind::Vbmi);
            }
        }
        kinds
    }

    fn each_kind(lits: &[(u32, Vec<u8>)], h: &[u8]) -> Vec<(&'static str, Vec<(usize, u32)>)> {
        let Some(t) = Teddy::new(lits) else { return Vec::new() };
        kinds()
            .into_iter()
            .map(|kind| {
                let t = Teddy { kind, ..t.clone() };
                let mut out = Vec::new();
                t.find_all(h, &mut out);
                out.sort_unstable();
                (t.implementation(), out)
            })
            .collect()
    }

    fn lits(words: &[&str]) -> Vec<(u32, Vec<u8>)> {
        words.iter().enumerate().map(|(i, w)| (i as u32, w.as_bytes().to_vec())).collect()
    }

    #[test]
    fn finds_every_occurrence_at_every_offset() {
        let l = lits(&["error", "Error", "ERROR", "fail", "timed out", "xception"]);
        // Occurrences in every SIMD lane, straddling blocks, and at the very end.
        let mut h = vec![b'.'; 300];
        for (k, at) in
            [0usize, 15, 31, 47, 63, 100, 127, 160, 200, 240, 291, 296].iter().enumerate()
        {
            let w = &l[k % l.len()].1;
            let end = (at + w.len()).min(h.len());
            h[*at..end].copy_from_slice(&w[..end - at]);
        }
        let want = naive(&l, &h);
        assert!(want.len() >= 10, "{want:?}");
        for (name, got) in each_kind(&l, &h) {
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn fingerprints_are_the_rarest_bytes_of_a_literal() {
        // Not the service name every line of the service starts with.
        assert_eq!(rarest_run(b"scheduler: failed", 4), 8);
        assert_eq!(rarest_run(b"eeee", 4), 0);
        // An occurrence is reported where it starts, also at the very start and end.
        let l = lits(&["scheduler: failed", "error"]);
        let mut h = b"scheduler: failed first".to_vec();
        h.extend(std::iter::repeat_n(b'.', 150));
        h.extend_from_slice(b"then scheduler: failed");
        let want = naive(&l, &h);
        assert_eq!(want.iter().filter(|(_, id)| *id == 0).count(), 2);
        for (name, got) in each_kind(&l, &h) {
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn newlines_are_counted_past_the_byte_counters() {
        // All newlines for far more than 127 steps of 64 bytes, where the byte counters
        // of the AVX2 loop must be summed before they overflow (find_all checks the count).
        let l = lits(&["error", "fail"]);
        let mut h = vec![b'\n'; 40_000];
        for at in (7..h.len() - 8).step_by(997) {
            h[at..at + 5].copy_from_slice(b"error");
        }
        let want = naive(&l, &h);
        for (name, got) in each_kind(&l, &h) {
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn a_wrong_table_is_caught() {
        // The tests must be able to fail: a searcher that drops a bucket misses matches.
        let l = lits(&["fail", "warn"]);
        let mut t = Teddy::new(&l).unwrap();
        t.lo[0] = [0; 16];
        let mut out = Vec::new();
        t.find_all(b"it will fail and warn", &mut out);
        assert_ne!(out, naive(&l, b"it will fail and warn"));
    }

    #[test]
    fn refuses_what_it_cannot_do() {
        assert!(Teddy::new(&[]).is_none());
        assert!(Teddy::new(&lits(&["ab"])).is_none());
        let many: Vec<String> = (0..=MAX_LITERALS).map(|i| format!("w{i:03}")).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(Teddy::new(&lits(&refs)).is_none());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn agrees_with_a_naive_search(
            words in prop::collection::vec(prop::collection::vec(prop::sample::select(b"abcAB\n xe".to_vec()), 3..7), 1..40),
            h in prop::collection::vec(prop::sample::select(b"abcAB\n xeE".to_vec()), 0..400),
        ) {
            let l: Vec<(u32, Vec<u8>)> = words.into_iter().enumerate().map(|(i, w)| (i as u32, w)).collect();
            let want = naive(&l, &h);
            for (name, got) in each_kind(&l, &h) {
                prop_assert_eq!(&got, &want, "{}", name);
            }
        }

        /// Searching `h` range by range finds what searching it whole finds, and counts
        /// its newlines once: an occurrence belongs to the range it starts in.
        #[test]
        fn ranges_add_up_to_the_whole(
            words in prop::collection::vec(prop::collection::vec(prop::sample::select(b"abc\n x".to_vec()), 3..6), 1..12),
            h in prop::collection::vec(prop::sample::select(b"abc\n x".to_vec()), 0..700),
            cuts in prop::collection::vec((0usize..11, 0usize..9), 0..5),
        ) {
            let l: Vec<(u32, Vec<u8>)> = words.into_iter().enumerate().map(|(i, w)| (i as u32, w)).collect();
            let Some(t) = Teddy::new(&l) else { return Ok(()) };
            // Cuts near multiples of the 64 positions a SIMD step takes, where a range's
            // last step ends just before, at or just after its end.
            let mut cuts: Vec<usize> =
                cuts.into_iter().map(|(k, d)| (64 * k + d).saturating_sub(4).min(h.len())).collect();
            cuts.push(0);
            cuts.push(h.len());
            cuts.sort_unstable();
            for kind in kinds() {
                let t = Teddy { kind, ..t.clone() };
                let mut got = Vec::new();
                let mut newlines = 0;
                for r in cuts.windows(2) {
                    newlines += t.find_in(&h, r[0], r[1], &mut got);
                }
                got.sort_unstable();
                prop_assert_eq!(&got, &naive(&l, &h), "{}", t.implementation());
                prop_assert_eq!(newlines, memchr::memchr_iter(b'\n', &h).count());
            }
        }
    }
}
