//! `kind: disk`: space and inodes left on the filesystem holding a path, as `df` shows.
//!
//! Reads `statvfs(2)` of `path`. "Free" is what an unprivileged user can still write
//! (`f_bavail`, the `Avail` column of `df`), not counting the blocks reserved for root;
//! the percentages are taken over used + free, like df's `Use%`, so
//! `[FREE_PERCENT] + [USED_PERCENT]` is 100.
//!
//! Fields:
//!
//! | field | meaning | default |
//! | --- | --- | --- |
//! | `path` | any path on the filesystem to look at | `/` |
//!
//! Placeholders:
//!
//! | placeholder | value |
//! | --- | --- |
//! | `[FREE_BYTES]` | bytes available to unprivileged users |
//! | `[USED_BYTES]` | bytes in use |
//! | `[TOTAL_BYTES]` | size of the filesystem, bytes |
//! | `[FREE_PERCENT]` | free as a percentage of used + free |
//! | `[USED_PERCENT]` | used as a percentage of used + free (df's `Use%`) |
//! | `[FREE_INODES]` | inodes left (df -i's `IFree`) |
//! | `[INODES_FREE_PERCENT]` | inodes left as a percentage of all; 100 on filesystems without an inode table |
//! | `[MOUNT]` | the mount point the path is on, e.g. `/var` |
//! | `[FS_TYPE]` | the filesystem type, e.g. `ext4` |
//!
//! Default expectation: `[FREE_PERCENT] > 10`.
//!
//! ```yaml
//! kind: disk
//! path: /var/lib/postgresql
//! expect:
//!   - "[FREE_PERCENT] > 15"
//!   - "[INODES_FREE_PERCENT] > 5"
//! ```

use std::path::{Path, PathBuf};

use procfs::process::Process;
use rustix::fs::StatVfs;
use serde::Deserialize;
use triage_core::Observation;

use crate::{Context, Kind};

/// Looks at the filesystem holding `path`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disk {
    /// Any path on the filesystem to look at. Default: `/`.
    #[serde(default = "root")]
    pub path: PathBuf,
}

fn root() -> PathBuf {
    PathBuf::from("/")
}

impl Kind for Disk {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[
        ("FREE_BYTES", "bytes available to unprivileged users, as df's Avail"),
        ("USED_BYTES", "bytes in use"),
        ("TOTAL_BYTES", "size of the filesystem, in bytes"),
        ("FREE_PERCENT", "free bytes as a percentage of used + free"),
        ("USED_PERCENT", "used bytes as a percentage of used + free, as df's Use%"),
        ("FREE_INODES", "inodes left"),
        ("INODES_FREE_PERCENT", "inodes left as a percentage of all inodes"),
        ("MOUNT", "mount point of the filesystem holding the path"),
        ("FS_TYPE", "filesystem type, e.g. ext4"),
    ];
    const DEFAULT_EXPECT: &'static [&'static str] = &["[FREE_PERCENT] > 10"];

    fn target(&self) -> String {
        format!("disk {}", self.path.display())
    }

    fn validate(&self) -> Result<(), String> {
        if self.path.as_os_str().is_empty() { Err("path is empty".into()) } else { Ok(()) }
    }

    async fn observe(&self, ctx: &Context) -> Observation {
        let path = self.path.clone();
        // statvfs on a hung network filesystem blocks in the kernel: off the runtime, and
        // bounded here so the check reports it instead of waiting for the engine.
        let what = format!("statvfs {}", self.path.display());
        ctx.blocking(what, move || observe(&path)).await
    }
}

fn observe(path: &Path) -> Observation {
    let stats = match rustix::fs::statvfs(path) {
        Ok(stats) => stats,
        Err(e) => {
            return Observation::failed(format!(
                "statvfs {}: {}",
                path.display(),
                std::io::Error::from(e)
            ));
        }
    };
    let mut seen = Observation::default();
    bind(&mut seen, &stats);
    if let Some((mount, fs_type)) = mount_of(path) {
        seen.set("MOUNT", mount.display().to_string()).set("FS_TYPE", fs_type);
    }
    seen
}

fn bind(seen: &mut Observation, s: &StatVfs) {
    // f_frsize is the unit of the block counts; some filesystems leave it 0.
    let unit = if s.f_frsize > 0 { s.f_frsize } else { s.f_bsize };
    let total = s.f_blocks.saturating_mul(unit);
    let free = s.f_bavail.saturating_mul(unit);
    let used = s.f_blocks.saturating_sub(s.f_bfree).saturating_mul(unit);
    let usable = used + free;
    seen.set("FREE_BYTES", free)
        .set("USED_BYTES", used)
        .set("TOTAL_BYTES", total)
        .set("FREE_PERCENT", percent(free, usable, 100.0))
        .set("USED_PERCENT", percent(used, usable, 0.0))
        .set("FREE_INODES", s.f_ffree)
        // btrfs and others report no inode table: they cannot run out of inodes.
        .set("INODES_FREE_PERCENT", percent(s.f_ffree, s.f_files, 100.0));
    seen.note(format!("{} MiB free of {} MiB", free >> 20, total >> 20));
}

/// `part` as a percentage of `whole`, `empty` when `whole` is 0.
fn percent(part: u64, whole: u64, empty: f64) -> f64 {
    if whole == 0 { empty } else { part as f64 * 100.0 / whole as f64 }
}

/// The mount point and filesystem type of `path`: the mount with the longest mount point
/// that is a prefix of the canonical path (the last one mounted wins on ties, as the kernel
/// resolves it).
fn mount_of(path: &Path) -> Option<(PathBuf, String)> {
    let path = std::fs::canonicalize(path).ok()?;
    let mounts = Process::myself().ok()?.mountinfo().ok()?;
    mounts.into_iter().filter(|m| path.starts_with(&m.mount_point)).fold(
        None,
        |best: Option<(PathBuf, String)>, m| match &best {
            Some((point, _)) if point.as_os_str().len() > m.mount_point.as_os_str().len() => best,
            _ => Some((m.mount_point, m.fs_type)),
        },
    )
}

#[cfg(test)]
mod tests {
    use triage_core::Value;

    use super::*;
    use crate::Probe;

    fn int(seen: &Observation, name: &str) -> u64 {
        match seen.get(name) {
            Some(Value::Int(n)) => u64::try_from(*n).unwrap(),
            other => panic!("{name} is {other:?}"),
        }
    }

    fn float(seen: &Observation, name: &str) -> f64 {
        match seen.get(name) {
            Some(Value::Float(x)) => *x,
            other => panic!("{name} is {other:?}"),
        }
    }

    #[tokio::test]
    async fn matches_statvfs_of_the_temp_dir() {
        let dir = tempfile::tempdir().unwrap();
        let seen = Disk { path: dir.path().into() }.observe(&Context::default()).await;
        assert!(seen.error.is_none(), "{seen:?}");
        let s = rustix::fs::statvfs(dir.path()).unwrap();
        let unit = if s.f_frsize > 0 { s.f_frsize } else { s.f_bsize };
        assert_eq!(int(&seen, "TOTAL_BYTES"), s.f_blocks * unit);
        // Other tests write to the same filesystem meanwhile: allow 64 MiB of drift.
        let drift = 64 << 20;
        assert!(int(&seen, "FREE_BYTES").abs_diff(s.f_bavail * unit) < drift);
        assert!(int(&seen, "USED_BYTES").abs_diff((s.f_blocks - s.f_bfree) * unit) < drift);
        assert!(int(&seen, "FREE_INODES").abs_diff(s.f_ffree) < 10_000);
        let (free, used) = (float(&seen, "FREE_PERCENT"), float(&seen, "USED_PERCENT"));
        assert!((free + used - 100.0).abs() < 1e-6, "{free} + {used}");
        assert!((0.0..=100.0).contains(&float(&seen, "INODES_FREE_PERCENT")));
        let Some(Value::Text(mount)) = seen.get("MOUNT") else { panic!("{seen:?}") };
        let canonical = std::fs::canonicalize(dir.path()).unwrap();
        assert!(canonical.starts_with(mount), "{mount} holds {}", canonical.display());
        assert!(matches!(seen.get("FS_TYPE"), Some(Value::Text(t)) if !t.is_empty()));
    }

    #[tokio::test]
    async fn root_is_mounted_at_root() {
        let seen = Disk { path: root() }.observe(&Context::default()).await;
        assert_eq!(seen.get("MOUNT"), Some(&Value::Text("/".into())));
    }

    #[tokio::test]
    async fn missing_path_is_a_result_with_an_error() {
        let seen = Disk { path: "/no/such/dir".into() }.observe(&Context::default()).await;
        let error = seen.error.as_deref().unwrap();
        assert!(error.starts_with("statvfs /no/such/dir: "), "{error}");
        assert!(error.contains("No such file"), "{error}");
        assert_eq!(seen.get("FREE_BYTES"), None);
    }

    #[test]
    fn percentages_of_an_empty_filesystem() {
        assert_eq!(percent(0, 0, 100.0), 100.0);
        assert_eq!(percent(1, 4, 100.0), 25.0);
    }

    #[test]
    fn yaml_form() {
        let probe: Probe = serde_yaml_ng::from_str("kind: disk").unwrap();
        let Probe::Disk(disk) = &probe else { panic!() };
        assert_eq!(disk.path, Path::new("/"));
        let probe: Probe = serde_yaml_ng::from_str("kind: disk\npath: /var").unwrap();
        assert_eq!(probe.target(), "disk /var");
        let err = serde_yaml_ng::from_str::<Probe>("kind: disk\nmount: /").unwrap_err();
        assert!(err.to_string().contains("unknown field `mount`"), "{err}");
    }
}
