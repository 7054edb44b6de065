//! `triage redact`: a text with its secrets masked, to share a log or a paste safely.
//!
//! The same redactor guards everything triage prints, stores or bundles
//! ([`triage_core::redact::Redactor`]); this command applies it to any text. Input is read
//! in segments of about [`SEGMENT`] bytes cut at line ends, so memory stays bounded on a
//! log of any size, and never inside a PEM private key, which spans lines.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use anyhow::Context as _;
use triage_core::redact::Redactor;
use triage_scan::input;

use crate::config::Config;
use crate::exit::Exit;

/// Text redacted at once.
const SEGMENT: usize = 1 << 20;

/// A segment is cut inside a private key only past this size (a key is a few KiB).
const MAX_SEGMENT: usize = 64 << 20;

/// Arguments of `triage redact`.
#[derive(Debug, clap::Args)]
pub(crate) struct RedactArgs {
    /// Files to redact (plain, .gz or .zst), printed one after the other; none or `-`
    /// reads standard input.
    pub files: Vec<PathBuf>,
}

/// Runs `triage redact`.
pub(crate) fn run(args: RedactArgs, config: Config) -> anyhow::Result<Exit> {
    // Secret-named guide variables given to triage are masked wherever they appear.
    let mut redactor = Redactor::default();
    redactor.add_secret_vars(config.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let env: Vec<(String, String)> =
        std::env::vars().filter(|(name, _)| name.starts_with(triage_guide::ENV_PREFIX)).collect();
    redactor.add_secret_vars(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let stdin = [PathBuf::from("-")];
    let files = if args.files.is_empty() { &stdin[..] } else { &args.files[..] };
    for path in files {
        if path.as_os_str() == "-" {
            let reader = input::stdin().context("cannot read standard input")?;
            redact(reader, &redactor, &mut out).context("cannot read standard input")?;
        } else {
            let reader = input::open(path)?;
            redact(reader, &redactor, &mut out)
                .with_context(|| format!("cannot read {}", path.display()))?;
        }
    }
    out.flush().context("cannot write the output")?;
    Ok(Exit::Healthy)
}

/// Copies `input` to `out` with every secret masked.
fn redact(
    mut input: impl BufRead,
    redactor: &Redactor,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let mut segment: Vec<u8> = Vec::with_capacity(SEGMENT + 4096);
    let mut in_key = false;
    loop {
        let start = segment.len();
        let read = input.read_until(b'\n', &mut segment)?;
        let line = &segment[start..];
        if line.windows(11).any(|w| w == b"-----BEGIN ") {
            in_key = true;
        }
        if line.windows(9).any(|w| w == b"-----END ") {
            in_key = false;
        }
        let full = segment.len() >= MAX_SEGMENT || (segment.len() >= SEGMENT && !in_key);
        if read == 0 || full {
            out.write_all(redactor.redact(&input::text(&segment)).as_bytes())?;
            segment.clear();
        }
        if read == 0 {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redacted(text: &str) -> String {
        let mut out = Vec::new();
        redact(text.as_bytes(), &Redactor::default(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_is_copied_exactly_but_for_secrets() {
        assert_eq!(
            redacted("a\r\nDB_PASSWORD=s3cr3t\nno newline"),
            "a\r\nDB_PASSWORD=[REDACTED]\nno newline"
        );
        assert_eq!(redacted(""), "");
    }

    #[test]
    fn a_key_across_a_segment_end_is_masked_whole() {
        let mut text = "x\n".repeat(SEGMENT / 2 - 2);
        text.push_str("-----BEGIN PRIVATE KEY-----\n");
        text.push_str(&"MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n".repeat(64));
        text.push_str("-----END PRIVATE KEY-----\nafter\n");
        let out = redacted(&text);
        assert!(!out.contains("MIIE"), "key material leaked");
        assert!(out.contains("[REDACTED]"));
        assert!(out.starts_with("x\nx\n") && out.ends_with("\nafter\n"));
    }
}
