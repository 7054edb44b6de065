//! The on-disk cache of built knowledge bases.
//!
//! Building a knowledge base reads every guide twice (the guide model, then extraction) and
//! learns weights from all of them; a run whose guides have not changed can read the last
//! build back instead. A cache file is found by the guide set's name (which files, which
//! variables) and holds the [`CacheKey`] of the content it was built from: the triage
//! version, every guide file's path and bytes, the variables in force. A file whose key
//! differs (a guide changed), that is damaged, truncated or of another format is ignored
//! and replaced by the next build; the cache never makes a run fail.
//!
//! Files are written atomically (a temporary file in the same folder, then a rename), so a
//! reader sees a whole old file or a whole new one. On Unix the folder is made `0700` and
//! the files `0600`: a knowledge base holds the guides' text.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::kb::KnowledgeBase;

/// The environment variable naming the cache folder (overrides the platform default).
pub const CACHE_DIR_ENV: &str = "TRIAGE_CACHE_DIR";

/// Header of a cache file: magic, then the content key, then the extra data's length.
const FILE_MAGIC: &[u8; 8] = b"TRIAGEC\x01";

/// A digest identifying what a knowledge base was built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheKey([u8; 32]);

impl CacheKey {
    /// The key as lowercase hex.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Computes a [`CacheKey`] from labelled parts. Every part is length-prefixed, so no two
/// different sequences of parts give the same input to the hash.
#[derive(Debug, Clone)]
pub struct KeyHasher(blake3::Hasher);

impl KeyHasher {
    /// A hasher for knowledge bases built by triage `version`.
    pub fn new(version: &str) -> Self {
        let mut hasher = KeyHasher(blake3::Hasher::new());
        hasher.part(b"triage-kb-cache");
        hasher.part(version.as_bytes());
        hasher
    }

    /// Adds one length-prefixed part.
    pub fn part(&mut self, bytes: &[u8]) -> &mut Self {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    /// Adds a guide file: its path as given and its bytes.
    pub fn file(&mut self, path: &Path, bytes: &[u8]) -> &mut Self {
        self.part(b"file").part(path.as_os_str().as_encoded_bytes()).part(bytes)
    }

    /// Adds a variable and its value.
    pub fn var(&mut self, name: &str, value: &str) -> &mut Self {
        self.part(b"var").part(name.as_bytes()).part(value.as_bytes())
    }

    /// The key.
    pub fn finish(self) -> CacheKey {
        CacheKey(*self.0.finalize().as_bytes())
    }
}

/// A folder of cached knowledge bases.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// A cache in `dir` (created when first written).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Cache { dir: dir.into() }
    }

    /// The cache folder from the environment: `$TRIAGE_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/triage`, else `~/.cache/triage`; `None` when none is set (empty
    /// values count as unset).
    pub fn from_env() -> Option<Cache> {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        var(CACHE_DIR_ENV)
            .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("triage")))
            .or_else(|| var("HOME").map(|d| d.join(".cache").join("triage")))
            .map(Cache::new)
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file for a guide set named `name` (see [`KeyHasher`]: a key over what
    /// identifies the set, not its content).
    pub fn path(&self, name: &CacheKey) -> PathBuf {
        self.dir.join(format!("kb-{}.bin", &name.to_hex()[..32]))
    }

    /// The knowledge base cached for guide set `name` when it was built from `key`, with
    /// the extra bytes stored beside it. Missing, stale or damaged files give `None`.
    pub fn load(&self, name: &CacheKey, key: &CacheKey) -> Option<(KnowledgeBase, Vec<u8>)> {
        let bytes = fs::read(self.path(name)).ok()?;
        let rest = bytes.strip_prefix(FILE_MAGIC.as_slice())?;
        let (stored_key, rest) = rest.split_first_chunk::<32>()?;
        if stored_key != &key.0 {
            return None;
        }
        let (len, rest) = rest.split_first_chunk::<8>()?;
        let len = usize::try_from(u64::from_le_bytes(*len)).ok()?;
        if rest.len() < len {
            return None;
        }
        let (extra, kb) = rest.split_at(len);
        let kb = KnowledgeBase::from_bytes(kb).ok()?;
        Some((kb, extra.to_vec()))
    }

    /// Caches `kb`, built from `key`, for guide set `name`, with `extra` bytes beside it.
    /// Written to a temporary file then renamed over the old one.
    pub fn store(
        &self,
        name: &CacheKey,
        key: &CacheKey,
        kb: &KnowledgeBase,
        extra: &[u8],
    ) -> io::Result<()> {
        create_private_dir(&self.dir)?;
        let path = self.path(name);
        let tmp = self.dir.join(format!(
            ".{}.{}.tmp",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("kb"),
            std::process::id()
        ));
        let result = (|| {
            let mut file = create_private_file(&tmp)?;
            file.write_all(FILE_MAGIC)?;
            file.write_all(&key.0)?;
            file.write_all(&(extra.len() as u64).to_le_bytes())?;
            file.write_all(extra)?;
            file.write_all(&kb.to_bytes())?;
            file.sync_data()?;
            drop(file);
            fs::rename(&tmp, &path)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(unix)]
fn create_private_file(path: &Path) -> io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)
}

#[cfg(not(unix))]
fn create_private_file(path: &Path) -> io::Result<fs::File> {
    fs::File::create(path)
}
