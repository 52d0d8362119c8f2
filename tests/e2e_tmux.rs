//! End to end: the real binary in a real terminal (tmux), driven by keys.
//! Skipped, with a message, only where tmux is not installed.

mod support;

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tempfile::TempDir;
use thematic::store::{Mode, Store};

static N: AtomicUsize = AtomicUsize::new(0);

/// One tmux server of our own (its own socket), killed on drop. The workstation
/// runs under `sh`, which records its exit status in a file: tmux itself does not
/// always reap a pane's process promptly, so its exit status cannot be relied on.
struct Tmux {
    socket: String,
    status: TempDir,
}

impl Tmux {
    fn start(dir: &Path) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            eprintln!("SKIPPED: tmux is not installed (apt-get install tmux)");
            return None;
        }
        let socket = format!(
            "thematic-e2e-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let t = Tmux {
            socket,
            status: TempDir::new().unwrap(),
        };
        t.cmd(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            "80",
            "-y",
            "24",
            "-s",
            "main",
        ])
        .then_some(())?;
        t.cmd(&["set-option", "-g", "escape-time", "0"]);
        t.cmd(&["set-option", "-g", "remain-on-exit", "on"]);
        t.launch(dir);
        Some(t)
    }

    /// (Re)start the workstation on `dir` in the pane.
    fn launch(&self, dir: &Path) {
        let status = self.status.path().join("exit");
        let _ = std::fs::remove_file(&status);
        let script = format!(
            "'{}' '{}'; echo $? > '{}'",
            env!("CARGO_BIN_EXE_thematic"),
            dir.display(),
            status.display()
        );
        assert!(self.cmd(&[
            "respawn-pane",
            "-k",
            "-t",
            "main",
            "-e",
            "TERM=xterm-256color",
            "sh",
            "-c",
            &script
        ]));
    }

    fn cmd(&self, args: &[&str]) -> bool {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .status()
            .is_ok_and(|s| s.success())
    }

    fn out(&self, args: &[&str]) -> String {
        let o = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.out(&["capture-pane", "-p", "-t", "main"])
    }

    /// Send keys in tmux's notation (`Enter`, `Escape`, `C-r`).
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            assert!(self.cmd(&["send-keys", "-t", "main", k]), "send-keys {k}");
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    fn type_text(&self, text: &str) {
        assert!(self.cmd(&["send-keys", "-t", "main", "-l", text]));
        std::thread::sleep(Duration::from_millis(100));
    }

    fn wait_for(&self, needle: &str) {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "timed out waiting for {needle:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The workstation's pid (the child of the pane's shell).
    fn app_pid(&self) -> u32 {
        let sh = self.out(&["display-message", "-p", "-t", "main", "#{pane_pid}"]);
        let start = Instant::now();
        loop {
            let o = Command::new("pgrep")
                .args(["-P", sh.trim()])
                .output()
                .unwrap();
            if let Some(pid) = String::from_utf8_lossy(&o.stdout).split_whitespace().next() {
                return pid.parse().unwrap();
            }
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "no workstation process under the pane's shell"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Wait for the workstation to exit; its exit status (128 + N for signal N).
    fn wait_dead(&self) -> i32 {
        let start = Instant::now();
        let path = self.status.path().join("exit");
        loop {
            if let Some(code) = std::fs::read_to_string(&path)
                .ok()
                .and_then(|s| s.trim().parse().ok())
            {
                return code;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the workstation did not exit:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Whether a process has exited (gone, or a zombie nobody has reaped yet).
fn exited(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .status();
    }
}

fn sample_copy() -> TempDir {
    let dir = TempDir::new().unwrap();
    support::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-project"),
        dir.path(),
    );
    dir
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for rel in ["project.ron", "codebook.ron"] {
        out.push((rel.to_string(), std::fs::read(dir.join(rel)).unwrap()));
    }
    let mut studies: Vec<_> = std::fs::read_dir(dir.join("studies"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    studies.sort();
    for p in studies
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
    {
        out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
    }
    out
}

/// Open the sample, select the second paragraph's first sentence and code it with a new code.
fn code_a_sentence(t: &Tmux) {
    t.wait_for("Studies");
    t.wait_for("Sixteen clinicians");
    t.keys(&["2", "}", "v", ")", "c"]);
    t.wait_for("Code as");
    t.type_text("Tmux code");
    t.keys(&["Enter"]);
    t.wait_for("coded as new code Tmux code");
}

fn coding_on_disk(dir: &Path, code: &str) -> Option<String> {
    let p = Store::open(dir, Mode::Read).expect("valid project").project;
    let id = p.codebook.resolve(code)?;
    p.codings()
        .find(|(_, c)| c.code == id)
        .map(|(_, c)| c.quote.clone())
}

#[test]
fn code_a_span_quit_and_read_it_back() {
    let dir = sample_copy();
    let Some(t) = Tmux::start(dir.path()) else {
        return;
    };
    code_a_sentence(&t);
    t.keys(&["q"]);
    assert_eq!(t.wait_dead(), 0);
    let quote = coding_on_disk(dir.path(), "Tmux code").expect("the coding is on disk");
    assert!(
        quote.starts_with("Sixteen clinicians participated"),
        "{quote}"
    );
    // The lock was released and the place remembered.
    assert!(Store::open(dir.path(), Mode::Write).is_ok());
    assert!(dir.path().join(".thematic/ui.ron").is_file());
}

#[test]
fn a_hang_up_loses_nothing_and_exits_quickly() {
    let dir = sample_copy();
    let Some(t) = Tmux::start(dir.path()) else {
        return;
    };
    code_a_sentence(&t);
    let pid = t.app_pid();
    let start = Instant::now();
    // Killing the server hangs up the terminal: the process gets SIGHUP.
    drop(t);
    while !exited(pid) {
        assert!(
            start.elapsed() < Duration::from_secs(4),
            "still running {:?} after the hang-up",
            start.elapsed()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let quote = coding_on_disk(dir.path(), "Tmux code").expect("the coding survived the hang-up");
    assert!(quote.starts_with("Sixteen clinicians"));
    assert!(
        Store::open(dir.path(), Mode::Write).is_ok(),
        "the lock went with the process"
    );
}

#[test]
fn undo_leaves_nothing_on_disk() {
    let dir = sample_copy();
    let before = snapshot(dir.path());
    let Some(t) = Tmux::start(dir.path()) else {
        return;
    };
    code_a_sentence(&t);
    assert_ne!(snapshot(dir.path()), before, "the coding was saved at once");
    t.keys(&["u"]);
    t.wait_for("undid");
    t.keys(&["q"]);
    assert_eq!(t.wait_dead(), 0);
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn a_second_instance_is_refused_while_the_first_runs() {
    let dir = sample_copy();
    let Some(t) = Tmux::start(dir.path()) else {
        return;
    };
    t.wait_for("Studies");
    let out = Command::new(env!("CARGO_BIN_EXE_thematic"))
        .args([
            "autocode",
            dir.path().to_str().unwrap(),
            "--code",
            "X",
            "--match",
            "clinician",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("open in another thematic"), "{err}");
    t.keys(&["q"]);
    t.wait_dead();
}

#[test]
fn kill_9_after_an_edit_loses_nothing_and_the_next_session_takes_the_lock_over() {
    let dir = sample_copy();
    let Some(t) = Tmux::start(dir.path()) else {
        return;
    };
    code_a_sentence(&t);
    let pid = t.app_pid();
    assert!(
        Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(t.wait_dead(), 128 + 9);
    assert!(
        coding_on_disk(dir.path(), "Tmux code").is_some(),
        "the edit shown as done was on disk"
    );
    // The lock file still names the dead process; a new session takes it over and says so.
    let lock = std::fs::read_to_string(dir.path().join(".thematic/lock")).unwrap();
    assert!(lock.contains(&format!("pid={pid}")), "{lock}");
    t.launch(dir.path());
    t.wait_for("took over the lock");
    t.keys(&["q"]);
    assert_eq!(t.wait_dead(), 0);
}

/// A second reviewer's copy of the sample: their own id and name, and in the first
/// study only every other coding (so the two disagree there).
fn second_reviewer_copy() -> TempDir {
    use thematic::model::{ProjectMeta, Study};
    use thematic::store::{from_ron, to_ron};
    let dir = sample_copy();
    let root = dir.path();
    let meta_path = root.join("project.ron");
    let mut meta: ProjectMeta =
        from_ron("project.ron", &std::fs::read(&meta_path).unwrap()).unwrap();
    let (old, new) = (meta.reviewer.id, thematic::model::Id::from_u128(0xb2));
    meta.reviewer.id = new;
    meta.reviewer.name = "B. Reviewer".into();
    std::fs::write(&meta_path, to_ron(&meta)).unwrap();
    let mut files: Vec<_> = std::fs::read_dir(root.join("studies"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort();
    for (i, p) in files.iter().enumerate() {
        let mut s: Study = from_ron("study", &std::fs::read(p).unwrap()).unwrap();
        for c in &mut s.codings {
            assert_eq!(c.by, old);
            c.by = new;
        }
        if i == 0 {
            let mut n = 0;
            s.codings.retain(|_| {
                n += 1;
                n % 2 == 1
            });
        }
        std::fs::write(p, to_ron(&s)).unwrap();
    }
    dir
}

#[test]
fn two_reviewers_combined_then_filtered_and_their_disagreements_visited() {
    let (a, b) = (sample_copy(), second_reviewer_copy());
    let out = TempDir::new().unwrap();
    let c = out.path().join("C");
    let run = Command::new(env!("CARGO_BIN_EXE_thematic"))
        .arg("combine")
        .arg(a.path())
        .arg(b.path())
        .arg("--out")
        .arg(&c)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let Some(t) = Tmux::start(&c) else {
        return;
    };
    t.wait_for("Studies");
    t.keys(&["Enter", "F"]);
    t.wait_for("showing mine");
    t.keys(&["F", "F", "F"]);
    t.wait_for("showing disagreements");
    let status = |t: &Tmux| t.screen().lines().last().unwrap_or("").to_string();
    assert!(status(&t).contains(" 1/"), "{}", status(&t));
    // The first study has codings only one reviewer made: `>` lands on one.
    t.keys(&[">"]);
    let start = Instant::now();
    while status(&t).contains(" 1/") {
        assert!(start.elapsed() < Duration::from_secs(15), "{}", t.screen());
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        status(&t).contains(" · "),
        "a coding under the cursor: {}",
        status(&t)
    );
    t.keys(&["<"]);
    t.wait_for("no disagreement before this");
    t.keys(&["q"]);
    assert_eq!(t.wait_dead(), 0);
}
