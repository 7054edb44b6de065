//! Opening a log: plain, gzip or zstd, told apart by their magic bytes, not their name.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use crate::Error;

/// How a log file is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Not compressed: can be memory-mapped and scanned in parallel.
    None,
    /// gzip (`.gz`), possibly several members one after the other.
    Gzip,
    /// Zstandard (`.zst`).
    Zstd,
}

impl Compression {
    /// Recognises the compression from the first bytes of a file.
    pub fn sniff(head: &[u8]) -> Self {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

/// Reads the compression of the file at `path`.
pub fn compression(path: &Path) -> Result<Compression, Error> {
    let mut head = [0u8; 4];
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    Ok(Compression::sniff(&head[..n]))
}

/// Opens `path` for reading its decompressed text.
pub fn open(path: &Path) -> Result<Box<dyn BufRead + Send>, Error> {
    let kind = compression(path)?;
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    decompress(Box::new(file), kind).map_err(|e| Error::io(path, e))
}

/// Wraps `input` in the decoder `kind` needs.
pub fn decompress(
    input: Box<dyn Read + Send>,
    kind: Compression,
) -> io::Result<Box<dyn BufRead + Send>> {
    const BUF: usize = 256 * 1024;
    Ok(match kind {
        Compression::None => Box::new(BufReader::with_capacity(BUF, input)),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            BUF,
            flate2::read::MultiGzDecoder::new(BufReader::with_capacity(BUF, input)),
        )),
        Compression::Zstd => {
            let decoder =
                ruzstd::decoding::StreamingDecoder::new(BufReader::with_capacity(BUF, input))
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
            Box::new(BufReader::with_capacity(BUF, decoder))
        }
    })
}

/// Opens standard input, decompressing it when it starts with a gzip or zstd header.
pub fn stdin() -> io::Result<Box<dyn BufRead + Send>> {
    let mut input = BufReader::with_capacity(256 * 1024, io::stdin());
    let kind = Compression::sniff(input.fill_buf()?);
    decompress(Box::new(input), kind)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn read_all(path: &Path) -> String {
        let mut text = String::new();
        open(path).unwrap().read_to_string(&mut text).unwrap();
        text
    }

    #[test]
    fn plain_gzip_and_zstd_read_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let text = "line one\nline two\n";
        let plain = dir.path().join("a.log");
        std::fs::write(&plain, text).unwrap();
        let gz = dir.path().join("a.log.1");
        let mut enc =
            flate2::write::GzEncoder::new(File::create(&gz).unwrap(), flate2::Compression::fast());
        enc.write_all(text.as_bytes()).unwrap();
        enc.finish().unwrap();
        let zst = dir.path().join("a.log.zst");
        let compressed = ruzstd::encoding::compress_to_vec(
            text.as_bytes(),
            ruzstd::encoding::CompressionLevel::Fastest,
        );
        std::fs::write(&zst, compressed).unwrap();
        assert_eq!(compression(&gz).unwrap(), Compression::Gzip);
        assert_eq!(compression(&zst).unwrap(), Compression::Zstd);
        for path in [&plain, &gz, &zst] {
            assert_eq!(read_all(path), text, "{}", path.display());
        }
    }

    #[test]
    fn a_missing_file_names_its_path() {
        let err = open(Path::new("/nonexistent/x.log")).err().unwrap();
        assert!(err.to_string().contains("/nonexistent/x.log"), "{err}");
    }
}
