//! Driving the engine over whole inputs, using every core.
//!
//! Input is taken in blocks of [`Scanner::BLOCK`] bytes that end at a line boundary:
//! straight from a memory map for plain files, read for compressed files and pipes. Each
//! block is cut into chunks at line boundaries, the chunks are scanned in parallel, and
//! their tallies are merged in order; then the block's unknown error lines go, in order,
//! to the template miner. Memory is bounded by the block size whatever the input size, and
//! the result does not depend on where blocks and chunks were cut.

use std::io::{BufRead, ErrorKind};
use std::path::Path;

use rayon::prelude::*;

use crate::engine::{Engine, Hit, Tally};
use crate::input;
use crate::template::{Miner, Template};
use crate::{Error, input::mmap};

/// The result of a scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Hits of every pattern id that matched, most lines first (then by id).
    pub symptoms: Vec<(usize, Hit)>,
    /// Clusters of error lines that no signature matched, most lines first.
    pub unknown: Vec<Template>,
    /// Lines read.
    pub lines: u64,
    /// Bytes read (decompressed).
    pub bytes: u64,
}

/// Scans inputs one after the other into one report.
pub struct Scanner<'e> {
    engine: &'e Engine,
    tally: Tally,
    miner: Miner,
    chunk: usize,
    progress: Option<Box<dyn Fn(u64) + Sync + 'e>>,
}

impl std::fmt::Debug for Scanner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("tally", &self.tally)
            .field("chunk", &self.chunk)
            .finish_non_exhaustive()
    }
}

impl<'e> Scanner<'e> {
    /// Bytes handed to the engine at once (64 MiB).
    pub const BLOCK: usize = 64 << 20;

    /// Default chunk: small enough to spread a block over the cores, large enough that
    /// splitting costs nothing (4 MiB).
    pub const CHUNK: usize = 4 << 20;

    /// A scanner over `engine`.
    pub fn new(engine: &'e Engine) -> Self {
        Scanner {
            engine,
            tally: Tally::default(),
            miner: Miner::counting(),
            chunk: Self::CHUNK,
            progress: None,
        }
    }

    /// Sets the chunk size (at least 1 byte); results do not depend on it.
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.chunk = bytes.max(1);
        self
    }

    /// Calls `progress` with the bytes of every block done.
    pub fn on_progress(mut self, progress: impl Fn(u64) + Sync + 'e) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// Scans a block of whole lines (it may lack a final newline).
    pub fn scan_block(&mut self, block: &[u8]) {
        let chunks = split_lines(block, self.chunk);
        let tallies: Vec<Tally> = if chunks.len() > 1 {
            chunks.par_iter().map(|c| self.engine.scan(c)).collect()
        } else {
            chunks.iter().map(|c| self.engine.scan(c)).collect()
        };
        let examples = self.engine.options().examples;
        for mut t in tallies {
            for line in t.unknown.drain(..) {
                self.miner.push(&line);
            }
            self.tally.merge(t, examples);
        }
        if let Some(p) = &self.progress {
            p(block.len() as u64);
        }
    }

    /// Scans one line (for followed files and the journal).
    pub fn scan_line(&mut self, line: &[u8]) {
        let mut t = Tally { lines: 1, bytes: line.len() as u64 + 1, ..Tally::default() };
        self.engine.check_line(line, &mut t);
        for line in t.unknown.drain(..) {
            self.miner.push(&line);
        }
        self.tally.merge(t, self.engine.options().examples);
    }

    /// Scans a file: memory-mapped when it is plain, decompressed otherwise.
    pub fn scan_path(&mut self, path: &Path) -> Result<(), Error> {
        if input::compression(path)? == input::Compression::None
            && let Some(map) = mmap::map(path)?
        {
            let mut rest: &[u8] = &map;
            while !rest.is_empty() {
                let cut = block_end(rest, Self::BLOCK);
                self.scan_block(&rest[..cut]);
                rest = &rest[cut..];
            }
            return Ok(());
        }
        let reader = input::open(path)?;
        self.scan_reader(reader).map_err(|e| Error::io(path, e))
    }

    /// Scans everything `reader` yields, in blocks. A line longer than a block is cut: its
    /// first block is scanned as the line, the rest skipped up to its newline.
    pub fn scan_reader(&mut self, mut reader: impl BufRead) -> std::io::Result<()> {
        let mut buf: Vec<u8> = Vec::with_capacity(Self::BLOCK.min(1 << 20));
        let mut skipping = false;
        loop {
            let data = match reader.fill_buf() {
                Ok(d) => d,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if data.is_empty() {
                if !buf.is_empty() {
                    self.scan_block(&buf);
                }
                return Ok(());
            }
            let n = data.len();
            if skipping {
                match memchr::memchr(b'\n', data) {
                    Some(i) => {
                        skipping = false;
                        reader.consume(i + 1);
                    }
                    None => reader.consume(n),
                }
                continue;
            }
            let take = n.min(Self::BLOCK - buf.len());
            buf.extend_from_slice(&data[..take]);
            reader.consume(take);
            if buf.len() < Self::BLOCK {
                continue;
            }
            match memchr::memrchr(b'\n', &buf) {
                Some(i) => {
                    self.scan_block(&buf[..=i]);
                    buf.drain(..=i);
                }
                None => {
                    // One line fills the block: scan what fits, skip the rest of it.
                    buf.push(b'\n');
                    self.scan_block(&buf);
                    buf.clear();
                    skipping = true;
                }
            }
        }
    }

    /// The report of everything scanned.
    pub fn finish(self) -> Report {
        let mut symptoms: Vec<(usize, Hit)> = self.tally.hits.into_iter().collect();
        symptoms.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(&b.0)));
        let mut unknown = self.miner.finish().templates;
        unknown.sort_by(|a, b| b.count.cmp(&a.count).then(a.id.cmp(&b.id)));
        Report { symptoms, unknown, lines: self.tally.lines, bytes: self.tally.bytes }
    }
}

/// Where a block of at most `max` bytes of `data` ends: after the last newline in it, or
/// at `max` when a line is longer than that.
fn block_end(data: &[u8], max: usize) -> usize {
    if data.len() <= max {
        return data.len();
    }
    memchr::memrchr(b'\n', &data[..max]).map_or(max, |i| i + 1)
}

/// `block` cut into pieces of about `size` bytes, each ending at a newline (but the last).
pub fn split_lines(block: &[u8], size: usize) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(block.len() / size + 1);
    let mut rest = block;
    while !rest.is_empty() {
        if rest.len() <= size {
            out.push(rest);
            break;
        }
        let cut = memchr::memchr(b'\n', &rest[size..]).map_or(rest.len(), |i| size + i + 1);
        out.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::{Options, Pattern};

    fn engine() -> Engine {
        let patterns = vec![
            Pattern::new(0, "listen tcp :<port>: bind: address already in use"),
            Pattern::new(1, "connection refused"),
            Pattern::new(1, "dial tcp <ip>:<port>: i/o timeout"),
        ];
        Engine::new(&patterns, Options { default_year: 2024, ..Options::default() }).unwrap()
    }

    /// A log line from a small vocabulary, so every kind of line shows up.
    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            (0u32..100).prop_map(|s| format!("2024-05-01T10:00:{:02}Z INFO all good", s % 60)),
            (0u32..65535).prop_map(|p| format!(
                "2024-05-01T10:01:00Z ERROR listen tcp :{p}: bind: address already in use"
            )),
            Just("Mar  3 12:00:01 web1 app[1]: connection refused".to_owned()),
            (0u8..255).prop_map(|x| format!("dial tcp 10.0.0.{x}:5432: i/o timeout")),
            (0u32..50).prop_map(|n| format!("ERROR disk {n} is full")),
            Just("FATAL cannot allocate memory".to_owned()),
            Just(String::new()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_chunking_gives_the_same_report(lines in prop::collection::vec(line(), 0..60), chunk in 1usize..400, newline_at_end: bool) {
            let mut text = lines.join("\n");
            if newline_at_end && !text.is_empty() {
                text.push('\n');
            }
            let engine = engine();
            let mut whole = Scanner::new(&engine).chunk_size(usize::MAX);
            whole.scan_block(text.as_bytes());
            let whole = whole.finish();
            let mut chunked = Scanner::new(&engine).chunk_size(chunk);
            chunked.scan_block(text.as_bytes());
            prop_assert_eq!(chunked.finish(), whole.clone());
            // Read through a tiny buffer: blocks cut anywhere, lines straddling reads.
            let mut read = Scanner::new(&engine).chunk_size(chunk);
            read.scan_reader(std::io::BufReader::with_capacity(7, text.as_bytes())).unwrap();
            prop_assert_eq!(read.finish(), whole);
        }
    }

    #[test]
    fn reports_symptoms_and_clusters_unknown_errors() {
        let e = engine();
        let mut s = Scanner::new(&e);
        let text = "ERROR disk 1 is full\nERROR disk 2 is full\nconnection refused\nINFO fine\n";
        s.scan_block(text.as_bytes());
        let r = s.finish();
        assert_eq!(r.lines, 4);
        assert_eq!(r.symptoms.len(), 1);
        assert_eq!(r.symptoms[0].0, 1);
        assert_eq!(r.unknown.len(), 1);
        assert_eq!(r.unknown[0].count, 2);
        assert_eq!(r.unknown[0].text, "disk <*> is full");
    }

    #[test]
    fn files_plain_and_compressed_give_the_same_report() {
        let dir = tempfile::tempdir().unwrap();
        let text = "ERROR listen tcp :80: bind: address already in use\nok\n".repeat(1000);
        let plain = dir.path().join("a.log");
        std::fs::write(&plain, &text).unwrap();
        let gz = dir.path().join("a.log.gz");
        let mut enc = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).unwrap(),
            flate2::Compression::fast(),
        );
        std::io::Write::write_all(&mut enc, text.as_bytes()).unwrap();
        enc.finish().unwrap();
        let e = engine();
        let report = |p: &Path| {
            let mut s = Scanner::new(&e);
            s.scan_path(p).unwrap();
            s.finish()
        };
        let a = report(&plain);
        assert_eq!(a.symptoms[0].1.count, 1000);
        assert_eq!(a, report(&gz));
    }

    #[test]
    fn a_huge_line_costs_one_block() {
        let e = engine();
        let mut s = Scanner::new(&e);
        let mut text = vec![b'x'; Scanner::BLOCK + 1000];
        text.extend_from_slice(b"\nconnection refused\n");
        s.scan_reader(std::io::BufReader::new(&text[..])).unwrap();
        let r = s.finish();
        assert_eq!(r.symptoms[0].1.count, 1);
        assert_eq!(r.lines, 2);
    }
}
