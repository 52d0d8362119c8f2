//! `thematic git-setup DIR`: the merge driver for `*.ron`, `.thematic/` ignored.
//! Running it again changes nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{CmdResult, Failure};
use crate::store::write_file_atomically;

fn git(dir: &Path, args: &[&str]) -> Result<String, Failure> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| Failure::Failed(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(Failure::Failed(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Make sure `file` has `line` (added at the end if missing).
fn ensure_line(file: &Path, line: &str) -> Result<bool, Failure> {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    if text.lines().any(|l| l.trim() == line) {
        return Ok(false);
    }
    let mut new = text;
    if !new.is_empty() && !new.ends_with('\n') {
        new.push('\n');
    }
    new.push_str(line);
    new.push('\n');
    write_file_atomically(file, new.as_bytes())?;
    Ok(true)
}

pub fn run(dir: &Path) -> CmdResult {
    if !dir.join("project.ron").is_file() {
        return Err(Failure::Failed(format!(
            "{}: not a thematic project (no project.ron)",
            dir.display()
        )));
    }
    if git(dir, &["rev-parse", "--show-toplevel"]).is_err() {
        git(dir, &["init", "-q"])?;
        println!("initialised a git repository in {}", dir.display());
    }
    let exe = std::env::current_exe()
        .map_err(|e| Failure::Failed(format!("cannot find this program: {e}")))?;
    let driver = format!("'{}' merge %O %A %B %P", exe.display());
    git(
        dir,
        &[
            "config",
            "merge.thematic.name",
            "thematic: merge project files by meaning",
        ],
    )?;
    git(dir, &["config", "merge.thematic.driver", &driver])?;
    let mut changed = Vec::new();
    if ensure_line(&dir.join(".gitattributes"), "*.ron merge=thematic")? {
        changed.push(".gitattributes");
    }
    if ensure_line(&dir.join(".gitignore"), ".thematic/")? {
        changed.push(".gitignore");
    }
    install_hooks(dir, &exe)?;

    println!("merge driver registered in the repository's git config (merge.thematic.driver)");
    if changed.is_empty() {
        println!(".gitattributes and .gitignore were already set up");
    } else {
        println!(
            "updated {} — commit them so every clone merges the same way",
            changed.join(" and ")
        );
    }
    Ok(())
}

/// Git takes a file changed on one side only without calling the driver, so a
/// merge can leave a coding whose code the other side deleted: after merges and
/// rebases, a hook restores such codes.
fn install_hooks(dir: &Path, exe: &Path) -> Result<(), Failure> {
    let hooks = PathBuf::from(git(dir, &["rev-parse", "--git-path", "hooks"])?);
    let hooks = if hooks.is_absolute() {
        hooks
    } else {
        dir.join(hooks)
    };
    std::fs::create_dir_all(&hooks)
        .map_err(|e| Failure::Failed(format!("{}: {e}", hooks.display())))?;
    // The project folder, relative to the top of the work tree (where hooks run).
    let prefix = git(dir, &["rev-parse", "--show-prefix"])?;
    let project = if prefix.is_empty() {
        ".".to_string()
    } else {
        prefix.trim_end_matches('/').to_string()
    };
    for hook in ["post-merge", "post-rewrite"] {
        let path = hooks.join(hook);
        let line = format!("'{}' restore-codes '{project}'", exe.display());
        let existing = std::fs::read_to_string(&path).unwrap_or_default();
        if existing.contains(&line) {
            continue;
        }
        let script = if existing.is_empty() {
            format!(
                "#!/bin/sh\n# thematic: restore codes a merge deleted on one side but the other still uses\n{line}\n"
            )
        } else {
            format!("{}\n{line}\n", existing.trim_end())
        };
        write_file_atomically(&path, script.as_bytes())?;
        let mut perm = std::fs::metadata(&path)
            .map_err(|e| Failure::Failed(e.to_string()))?
            .permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
        std::fs::set_permissions(&path, perm).map_err(|e| Failure::Failed(e.to_string()))?;
    }
    Ok(())
}
