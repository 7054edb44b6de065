//! `kind: file`: does a file exist, who owns it, what mode, how old, what it holds.
//!
//! The check behind `ls -l`, `test -r` and `grep -q` in a guide: a config file present
//! and readable by the service user, a certificate not world-readable, a PID file fresh, a
//! setting present in a config. Symbolic links are followed, as `test -e` does. Content
//! checks read at most the run's `max_bytes` from the start of the file.
//!
//! Fields:
//!
//! | field | meaning | default |
//! | --- | --- | --- |
//! | `path` | the file or directory | required |
//! | `contains` | text to look for in the content; binds `[CONTAINS]` | none |
//! | `regex` | regular expression tried on each line; binds `[MATCHES]` | none |
//!
//! Placeholders:
//!
//! | placeholder | value |
//! | --- | --- |
//! | `[EXISTS]` | `true` when the path exists |
//! | `[IS_DIR]` | `true` for a directory |
//! | `[MODE]` | permission bits in octal, e.g. `0644` |
//! | `[OWNER]` / `[GROUP]` | owner and group names (the number when it has no name) |
//! | `[UID]` / `[GID]` | owner and group ids |
//! | `[SIZE]` | size in bytes |
//! | `[AGE]` | time since the last modification |
//! | `[READABLE]` / `[WRITABLE]` / `[EXECUTABLE]` | whether triage's user may, per access(2) |
//! | `[CONTAINS]` | with `contains`: whether the text occurs in the content read |
//! | `[MATCHES]` | with `regex`: how many lines match |
//!
//! A path that does not exist binds `[EXISTS]` = false and nothing else; that is a finding,
//! not an error. Default expectation: `[EXISTS] == true`.
//!
//! ```yaml
//! kind: file
//! path: /etc/callfs/config.yaml
//! contains: "tls_enabled: true"
//! expect:
//!   - "[EXISTS] == true"
//!   - "[MODE] == 0600"
//!   - "[CONTAINS] == true"
//! ```

use std::fs::Metadata;
use std::io::{self, Read};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use regex::Regex;
use rustix::fs::Access;
use serde::Deserialize;
use triage_core::Observation;

use crate::{Context, Kind};

/// Looks at one file or directory.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    /// The file or directory. Required.
    pub path: PathBuf,
    /// Text to look for in the content; binds `[CONTAINS]`. Default: none.
    #[serde(default)]
    pub contains: Option<String>,
    /// Regular expression tried on each line of the content; binds `[MATCHES]`.
    /// Default: none.
    #[serde(default)]
    pub regex: Option<String>,
}

impl Kind for File {
    const PLACEHOLDERS: &'static [(&'static str, &'static str)] = &[
        ("EXISTS", "true when the path exists (links followed)"),
        ("IS_DIR", "true when the path is a directory"),
        ("MODE", "permission bits in octal, e.g. 0644"),
        ("OWNER", "name of the owning user"),
        ("GROUP", "name of the owning group"),
        ("UID", "id of the owning user"),
        ("GID", "id of the owning group"),
        ("SIZE", "size in bytes"),
        ("AGE", "time since the last modification"),
        ("READABLE", "true when triage's user may read it"),
        ("WRITABLE", "true when triage's user may write it"),
        ("EXECUTABLE", "true when triage's user may execute (or enter) it"),
        ("CONTAINS", "with `contains`: true when the text occurs in the content"),
        ("MATCHES", "with `regex`: number of lines that match"),
    ];
    const DEFAULT_EXPECT: &'static [&'static str] = &["[EXISTS] == true"];

    fn target(&self) -> String {
        format!("file {}", self.path.display())
    }

    fn validate(&self) -> Result<(), String> {
        if self.path.as_os_str().is_empty() {
            return Err("path is empty".into());
        }
        if self.contains.as_deref() == Some("") {
            return Err("`contains` is empty: it would match any file".into());
        }
        match &self.regex {
            Some(re) => compile(re).map(drop),
            None => Ok(()),
        }
    }

    async fn observe(&self, ctx: &Context) -> Observation {
        let probe = self.clone();
        let max_bytes = ctx.max_bytes;
        // stat and read may block on a slow or hung filesystem.
        let what = format!("read {}", self.path.display());
        ctx.blocking(what, move || probe.look(max_bytes)).await
    }
}

fn compile(re: &str) -> Result<Regex, String> {
    Regex::new(re).map_err(|e| format!("invalid regex `{re}`: {e}"))
}

impl File {
    fn look(&self, max_bytes: usize) -> Observation {
        let mut seen = Observation::default();
        let meta = match std::fs::metadata(&self.path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                seen.set("EXISTS", false);
                return seen;
            }
            // Not knowing (a directory on the way we may not enter) is not "missing".
            Err(e) => return Observation::failed(format!("stat {}: {e}", self.path.display())),
        };
        bind_metadata(&mut seen, &self.path, &meta);
        if self.contains.is_none() && self.regex.is_none() {
            return seen;
        }
        if meta.is_dir() {
            seen.error = Some(format!("read {}: is a directory", self.path.display()));
            return seen;
        }
        let text = match read_head(&self.path, max_bytes) {
            Ok(text) => text,
            Err(e) => {
                seen.error = Some(format!("read {}: {e}", self.path.display()));
                return seen;
            }
        };
        if meta.len() > max_bytes as u64 {
            seen.note(format!("searched the first {max_bytes} bytes of {}", meta.len()));
        }
        if let Some(needle) = &self.contains {
            seen.set("CONTAINS", text.contains(needle.as_str()));
        }
        if let Some(re) = &self.regex {
            match compile(re) {
                Ok(re) => {
                    let count = text.lines().filter(|line| re.is_match(line)).count();
                    seen.set("MATCHES", count as u64);
                }
                Err(e) => seen.error = Some(e),
            }
        }
        seen
    }
}

fn bind_metadata(seen: &mut Observation, path: &Path, meta: &Metadata) {
    let (uid, gid) = (meta.uid(), meta.gid());
    let owner = uzers::get_user_by_uid(uid)
        .map_or_else(|| uid.to_string(), |u| u.name().to_string_lossy().into_owned());
    let group = uzers::get_group_by_gid(gid)
        .map_or_else(|| gid.to_string(), |g| g.name().to_string_lossy().into_owned());
    // A modification time in the future (clock skew) is age zero, not an error.
    let age = meta
        .modified()
        .ok()
        .and_then(|m| SystemTime::now().duration_since(m).ok())
        .unwrap_or_default();
    seen.set("EXISTS", true)
        .set("IS_DIR", meta.is_dir())
        .set("MODE", format!("{:04o}", meta.permissions().mode() & 0o7777))
        .set("OWNER", owner)
        .set("GROUP", group)
        .set("UID", u64::from(uid))
        .set("GID", u64::from(gid))
        .set("SIZE", meta.len())
        .set("AGE", age)
        .set("READABLE", may(path, Access::READ_OK))
        .set("WRITABLE", may(path, Access::WRITE_OK))
        .set("EXECUTABLE", may(path, Access::EXEC_OK));
}

/// access(2): judged for the real user of triage, the one a guide's reader runs it as.
fn may(path: &Path, access: Access) -> bool {
    rustix::fs::access(path, access).is_ok()
}

/// The first `max_bytes` of the file as text, invalid UTF-8 replaced.
fn read_head(path: &Path, max_bytes: usize) -> io::Result<String> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(max_bytes as u64).read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use std::fs::{FileTimes, Permissions};
    use std::time::Duration;

    use triage_core::Value;

    use super::*;
    use crate::Probe;

    fn file(path: &Path) -> File {
        File { path: path.into(), contains: None, regex: None }
    }

    async fn look(probe: &File) -> Observation {
        probe.observe(&Context::default()).await
    }

    fn write(dir: &Path, name: &str, content: &str, mode: u32) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        std::fs::set_permissions(&path, Permissions::from_mode(mode)).unwrap();
        path
    }

    #[tokio::test]
    async fn modes_sizes_and_owner() {
        let dir = tempfile::tempdir().unwrap();
        let secret = write(dir.path(), "secret", "hunter2\n", 0o600);
        let script = write(dir.path(), "run.sh", "#!/bin/sh\n", 0o755);

        let seen = look(&file(&secret)).await;
        assert!(seen.error.is_none(), "{seen:?}");
        assert_eq!(seen.get("EXISTS"), Some(&true.into()));
        assert_eq!(seen.get("IS_DIR"), Some(&false.into()));
        assert_eq!(seen.get("MODE"), Some(&"0600".into()));
        assert_eq!(seen.get("SIZE"), Some(&Value::Int(8)));
        assert_eq!(seen.get("READABLE"), Some(&true.into()));
        assert_eq!(seen.get("WRITABLE"), Some(&true.into()));
        let uid = uzers::get_current_uid();
        assert_eq!(seen.get("UID"), Some(&Value::Int(i64::from(uid))));
        let me = uzers::get_user_by_uid(uid).unwrap();
        assert_eq!(seen.get("OWNER"), Some(&me.name().to_string_lossy().as_ref().into()));
        assert!(matches!(seen.get("GROUP"), Some(Value::Text(g)) if !g.is_empty()));

        let seen = look(&file(&script)).await;
        assert_eq!(seen.get("MODE"), Some(&"0755".into()));
        assert_eq!(seen.get("EXECUTABLE"), Some(&true.into()));
        let seen = look(&file(dir.path())).await;
        assert_eq!(seen.get("IS_DIR"), Some(&true.into()));
    }

    #[tokio::test]
    async fn unreadable_for_an_unprivileged_user() {
        let dir = tempfile::tempdir().unwrap();
        let locked = write(dir.path(), "locked", "x", 0o000);
        let seen = look(&file(&locked)).await;
        assert_eq!(seen.get("MODE"), Some(&"0000".into()));
        // root may read anything: access(2) says so, and so does the probe.
        let root = uzers::get_current_uid() == 0;
        assert_eq!(seen.get("READABLE"), Some(&root.into()));
    }

    #[tokio::test]
    async fn age_from_mtime() {
        let dir = tempfile::tempdir().unwrap();
        let old = write(dir.path(), "old.pid", "1\n", 0o644);
        let hour_ago = SystemTime::now() - Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_times(FileTimes::new().set_modified(hour_ago))
            .unwrap();
        let Some(Value::Duration(age)) = look(&file(&old)).await.get("AGE").cloned() else {
            panic!()
        };
        assert!(age >= Duration::from_secs(3600) && age < Duration::from_secs(3660), "{age:?}");
    }

    #[tokio::test]
    async fn missing_is_a_finding() {
        let seen = look(&file(Path::new("/no/such/file"))).await;
        assert_eq!(seen.get("EXISTS"), Some(&false.into()));
        assert!(seen.error.is_none());
        assert_eq!(seen.get("MODE"), None);
    }

    #[tokio::test]
    async fn contains_and_regex_within_max_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let conf =
            write(dir.path(), "app.conf", "port = 8080\ntls = on\n# port = 9090\ntail\n", 0o644);
        let probe = File {
            contains: Some("tls = on".into()),
            regex: Some(r"^\s*port\s*=".into()),
            ..file(&conf)
        };
        let seen = look(&probe).await;
        assert_eq!(seen.get("CONTAINS"), Some(&true.into()));
        assert_eq!(seen.get("MATCHES"), Some(&Value::Int(1)));

        let small = Context { max_bytes: 12, ..Context::default() };
        let probe = File { contains: Some("tail".into()), regex: Some("port".into()), ..probe };
        let seen = probe.observe(&small).await;
        assert_eq!(seen.get("CONTAINS"), Some(&false.into()), "beyond max_bytes");
        assert_eq!(seen.get("MATCHES"), Some(&Value::Int(1)));
        assert!(seen.notes.iter().any(|n| n.contains("first 12 bytes")), "{seen:?}");
    }

    #[tokio::test]
    async fn content_of_a_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let probe = File { contains: Some("x".into()), ..file(dir.path()) };
        let seen = look(&probe).await;
        assert_eq!(seen.get("EXISTS"), Some(&true.into()));
        assert!(seen.error.as_deref().unwrap().ends_with("is a directory"), "{seen:?}");
    }

    #[test]
    fn validates() {
        let mut probe = file(Path::new("/etc/hosts"));
        assert!(probe.validate().is_ok());
        probe.regex = Some("(".into());
        assert!(probe.validate().unwrap_err().starts_with("invalid regex `(`"));
        probe.regex = None;
        probe.contains = Some(String::new());
        assert!(probe.validate().is_err());
    }

    #[test]
    fn yaml_form() {
        let probe: Probe =
            serde_yaml_ng::from_str("kind: file\npath: /etc/hosts\ncontains: localhost").unwrap();
        assert_eq!(probe.target(), "file /etc/hosts");
        let err = serde_yaml_ng::from_str::<Probe>("kind: file\npath: /etc/hosts\nmode: '0644'")
            .unwrap_err();
        assert!(err.to_string().contains("unknown field `mode`"), "{err}");
    }
}
