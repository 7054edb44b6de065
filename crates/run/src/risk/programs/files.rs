//! Copying, finding and archiving files.

use super::*;

pub(super) fn copy(j: &mut Judge, name: &str, args: &[&str]) {
    let pos = positional(
        args,
        &["-t", "--target-directory", "-S", "--suffix", "-m", "--mode", "-o", "-g"],
    );
    let Some(target) = pos.last() else {
        return j.part(Changes, format!("{name} copies"));
    };
    if name == "ln" {
        if args.iter().any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('f'))
            || args.contains(&"--force")
        {
            return j.part(Changes, "ln -f replaces a link");
        }
        return j.part(Changes, "ln creates a link");
    }
    let backup = |p: &str| {
        let p = p.to_ascii_lowercase();
        ["bak", "backup", "orig", "old", "save", "$(", "tmp", "~", "copy", "disabled", "prev"]
            .iter()
            .any(|w| p.contains(w))
    };
    if pos.first() == Some(&"/dev/null") {
        return j.part(Destructive, format!("{name} /dev/null empties {target}"));
    }
    let template = pos.len() == 2
        && ["example", "sample", "dist", "template", "default"]
            .iter()
            .any(|w| pos[0].to_ascii_lowercase().contains(w));
    if template {
        return j.part(Changes, format!("{name} installs {target} from a template"));
    }
    let no_clobber = has_flag(args, 'n', "--no-clobber")
        || args.iter().any(|a| a.starts_with("--backup") || *a == "-b" || *a == "--update=none");
    if no_clobber || backup(target) {
        return j.part(Changes, format!("{name} to a new file"));
    }
    if name == "mv" && pos.len() >= 2 && pos[..pos.len() - 1].iter().any(|s| backup(s)) {
        // Restoring a backup over the live file.
        return j.part(Destructive, "mv replaces a file with a backup");
    }
    let is_dir = target.ends_with('/') || target == &"." || target == &"..";
    if is_dir || name == "install" && has_flag(args, 'd', "--directory") {
        return j.part(Changes, format!("{name} into a directory"));
    }
    if crate::risk::is_config_path(target) || name == "mv" {
        return j.part(Destructive, format!("{name} onto {target}, replacing it if it exists"));
    }
    j.part(Changes, format!("{name} writes {target}"))
}

pub(super) fn copy_remote(j: &mut Judge, name: &str, args: &[&str]) {
    if name == "rsync" && (has_flag(args, 'n', "--dry-run") || args.contains(&"--list-only")) {
        return j.part(ReadOnly, "rsync --dry-run copies nothing");
    }
    if name == "rsync"
        && args.iter().any(|a| a.starts_with("--delete") || *a == "--remove-source-files")
    {
        return j.part(Destructive, "rsync --delete removes files at the destination");
    }
    j.part(Changes, format!("{name} copies files (over existing ones)"))
}

pub(super) fn find(j: &mut Judge, args: &[&str], depth: usize) {
    if args.contains(&"-delete") {
        return j.part(Destructive, "find -delete removes what it finds");
    }
    let mut k = 0;
    let mut any = false;
    while k < args.len() {
        if matches!(args[k], "-exec" | "-execdir" | "-ok" | "-okdir") {
            let end = args[k + 1..]
                .iter()
                .position(|a| *a == ";" || *a == "+" || *a == "\\;")
                .map_or(args.len(), |e| k + 1 + e);
            let inner: Vec<String> = args[k + 1..end].iter().map(|s| (*s).to_owned()).collect();
            if !inner.is_empty() {
                judge(j, &inner, &Input::default(), depth + 1);
                any = true;
            }
            k = end;
        }
        if matches!(args[k.min(args.len() - 1)], "-fprint" | "-fprintf" | "-fls" | "-fprint0") {
            j.part(Changes, "find writes a file");
            any = true;
        }
        k += 1;
    }
    if !any {
        j.part(ReadOnly, "find lists");
    }
}

pub(super) fn tar(j: &mut Judge, args: &[&str]) {
    let first = args.first().copied().unwrap_or("");
    let mode = |c: char| {
        args.iter().any(|a| {
            (a.starts_with('-') && !a.starts_with("--") && a.contains(c))
                || (*a == first && !a.starts_with('-') && a.contains(c))
        })
    };
    if mode('t') || args.contains(&"--list") {
        j.part(ReadOnly, "tar lists")
    } else if mode('x') || args.contains(&"--extract") {
        let target = args.windows(2).find(|w| w[0] == "-C").map(|w| w[1]);
        if target.is_some_and(is_system_tree)
            || target.is_some_and(|t| {
                t.starts_with("/var/lib")
                    || t.starts_with("/etc")
                    || t.starts_with("/srv")
                    || t.starts_with("/opt")
            })
            || args.contains(&"--overwrite")
        {
            j.part(Destructive, "tar -x over live files")
        } else {
            j.part(Changes, "tar -x extracts files")
        }
    } else {
        j.part(Changes, "tar writes an archive")
    }
}
