//! Faults: `kill -9` in the middle of saves, read-only folders and files, and a
//! second writer. Child processes are this test binary run again on one test (the
//! "re-exec trick"); those child tests return at once unless their env var is set.

mod common;

use std::collections::BTreeSet;
use std::env;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use common::{child_args, code, open_write, small_project, snapshot, temp_files};
use thematic::model::{Coding, Construct, Edit, Id, Project, StudyInfo};
use thematic::store::{Mode, Store, StoreError, check};
use thematic::text::SourceText;

/// Names the project folder a child test works on.
const DIR_VAR: &str = "THEMATIC_TEST_PROJECT";
/// Seeds the child's choices.
const SEED_VAR: &str = "THEMATIC_TEST_SEED";
/// What the one-shot child should try.
const SCENARIO_VAR: &str = "THEMATIC_TEST_SCENARIO";

const TEXTS: [&str; 3] = [
    "Clinicians described the diagnosis as a key that opens doors to care. \
     Others saw the label as a reason for exclusion from services.\n\
     Staff felt the weight of responsibility for every risk decision.\n",
    "Ødegård said: \"nowhere to refer people\" — a recurring phrase.\r\n\
     Therapeutic relationships needed connection and distance at once.\r\n\
     中文 text and emoji 👩\u{200d}🔬 sit between words here.\r\n",
    "A psychiatrist said the diagnosis was a door that closes more than it opens. \
     Teams wanted supervision, reflective practice and time.\n",
];

/// A small deterministic generator (xorshift64*), so kill timings are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Spans of the words of a text (code points), which lie on grapheme boundaries.
fn word_spans(text: &str) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, ch) in text.chars().chain(std::iter::once(' ')).enumerate() {
        match (ch.is_alphanumeric(), start) {
            (true, None) => start = Some(i as u32),
            (false, Some(s)) => {
                out.push((s, i as u32));
                start = None;
            }
            _ => {}
        }
    }
    out
}

fn this_test_binary() -> PathBuf {
    env::current_exe().expect("the test binary's path")
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").expect("write to the parent");
    out.flush().expect("flush to the parent");
}

// ---------------------------------------------------------------------------
// kill -9 during saves
// ---------------------------------------------------------------------------

/// Child: edits and saves in a loop until killed. Prints `confirmed ID` after an
/// added coding was saved, `deleting ID` before and `deleted ID` after a deletion.
#[test]
fn child_saves_in_a_loop() {
    let Ok(dir) = env::var(DIR_VAR) else { return };
    let root = PathBuf::from(dir);
    let mut rng = Rng(env::var(SEED_VAR)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
        | 1);
    let opened = open_write(&root);
    let (mut store, mut p) = (opened.store, opened.project);
    let spans: Vec<Vec<(u32, u32)>> = p
        .studies
        .iter()
        .map(|s| word_spans(store.read_text(&s.sources[0]).expect("text").as_str()))
        .collect();
    // Start on a line of our own, after the harness's "test … " prefix.
    say("\nready");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let total: usize = p.studies.iter().map(|s| s.codings.len()).sum();
        let r = rng.below(100);
        if total > 20 && r < 35 {
            // Delete an older coding.
            let si = rng.below(p.studies.len() as u64) as usize;
            let Some(c) = p.studies[si].codings.first().map(|c| c.id) else {
                continue;
            };
            let study = p.studies[si].id;
            say(&format!("deleting {c}"));
            store
                .apply(&mut p, Edit::DeleteCoding { study, coding: c })
                .expect("delete a coding");
            say(&format!("deleted {c}"));
            continue;
        }
        if p.codebook.codes.len() > 8 && r < 45 {
            // Delete a code that nothing uses (a codebook-only save).
            if let Some(unused) = p
                .codebook
                .codes
                .iter()
                .rev()
                .find(|c| c.parent.is_some() && !p.code_in_use(c.id))
            {
                let unused = unused.id;
                store
                    .apply(&mut p, Edit::DeleteCode(unused))
                    .expect("delete an unused code");
            }
            continue;
        }
        // Add one coding (sometimes with a new code: codebook and study in one
        // save), or one coding in each of two studies (two study files in one save).
        let mut edits = Vec::new();
        let code_id = if r < 65 {
            let new = code(
                Id::new(),
                Some(p.codebook.codes[0].id),
                r as i64,
                &format!("code {r}"),
            );
            let cid = new.id;
            edits.push(Edit::PutCode(new));
            cid
        } else {
            p.codebook.codes[rng.below(p.codebook.codes.len() as u64) as usize].id
        };
        let n_studies = if r >= 85 { 2 } else { 1 };
        let first = rng.below(p.studies.len() as u64) as usize;
        let mut ids = Vec::new();
        for k in 0..n_studies {
            let si = (first + k) % p.studies.len();
            let s = &p.studies[si];
            let (start, end) = spans[si][rng.below(spans[si].len() as u64) as usize];
            let text = store.read_text(&s.sources[0]).expect("text");
            let coding = Coding {
                id: Id::new(),
                source: s.sources[0].id,
                start,
                end,
                code: code_id,
                by: p.meta.reviewer.id,
                at: thematic::model::now(),
                edited: String::new(),
                construct: Construct::Participant,
                quote: text.slice(start, end).to_string(),
                note: format!("round {r}"),
                flag: None,
            };
            ids.push(coding.id);
            edits.push(Edit::PutCoding {
                study: s.id,
                coding,
            });
        }
        store
            .apply(&mut p, Edit::Batch(edits))
            .expect("add codings");
        for c in ids {
            say(&format!("confirmed {c}"));
        }
    }
}

/// What the parent learned from its children's output.
#[derive(Default)]
struct Ledger {
    confirmed: BTreeSet<Id>,
    deleted: BTreeSet<Id>,
    /// Deletions that may or may not have reached the disk.
    uncertain: BTreeSet<Id>,
    /// The current child has opened the project (and holds the lock).
    ready: bool,
}

impl Ledger {
    fn read(&mut self, line: &str) -> bool {
        let line = line.trim();
        if line == "ready" {
            self.ready = true;
        }
        let parse = |s: &str| {
            s.trim()
                .parse::<Id>()
                .unwrap_or_else(|e| panic!("bad id in {line:?}: {e}"))
        };
        if let Some(rest) = line.strip_prefix("confirmed ") {
            self.confirmed.insert(parse(rest));
            true
        } else if let Some(rest) = line.strip_prefix("deleting ") {
            self.uncertain.insert(parse(rest));
            false
        } else if let Some(rest) = line.strip_prefix("deleted ") {
            let id = parse(rest);
            self.uncertain.remove(&id);
            self.deleted.insert(id);
            false
        } else {
            false
        }
    }
}

fn spawn_child(test: &str, root: &Path, seed: u64, scenario: &str) -> Child {
    Command::new(this_test_binary())
        .args(child_args(test))
        .env(DIR_VAR, root)
        .env(SEED_VAR, seed.to_string())
        .env(SCENARIO_VAR, scenario)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the test binary as a child")
}

/// Read a child's stdout lines on a thread, so the parent can wait with a timeout.
fn lines_of(child: &mut Child) -> (mpsc::Receiver<String>, thread::JoinHandle<()>) {
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    let handle = thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (rx, handle)
}

fn stderr_of(child: &mut Child) -> String {
    let mut s = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut s);
    }
    s
}

/// Spawn writers and kill them with SIGKILL at random moments, `rounds` times;
/// after each kill the project must open, hold no temp files, and keep every
/// confirmed coding. Returns how many kills left temp files (landed mid-save).
fn kill_rounds(seed: u64, rounds: usize) -> usize {
    let tmp = TempDir::new().expect("temp dir");
    let root = tmp.path().join("review");
    small_project(&root, &TEXTS);
    let mut rng = Rng(seed);
    let mut ledger = Ledger::default();
    let mut mid_save = 0;
    let mut after_open = 0;
    for round in 0..rounds {
        let mut child = spawn_child(
            "child_saves_in_a_loop",
            &root,
            seed * 10_000 + round as u64,
            "",
        );
        let (rx, reader) = lines_of(&mut child);
        ledger.ready = false;
        // Wait for a few confirmations (0 to 3), then a random delay of up to
        // 4 ms, about the time one save takes: kills land before, inside and
        // between saves.
        let want = rng.below(4);
        let mut got = 0;
        while got < want {
            match rx.recv_timeout(Duration::from_secs(20)) {
                Ok(line) => got += u64::from(ledger.read(&line)),
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "round {round}: the child stopped confirming edits:\n{}",
                        stderr_of(&mut child)
                    );
                }
            }
        }
        thread::sleep(Duration::from_micros(rng.below(4_000)));
        child.kill().expect("SIGKILL the child");
        let status = child.wait().expect("wait for the child");
        let stderr = stderr_of(&mut child);
        assert_eq!(
            status.signal(),
            Some(9),
            "round {round}: the child was not killed but ended: {status:?}\n{stderr}"
        );
        reader.join().expect("reader thread");
        for line in rx.try_iter() {
            ledger.read(&line);
        }

        // Every file parses and the project opens, taking over the stale lock and
        // removing temp files.
        let opened = match Store::open(&root, Mode::Write) {
            Ok(o) => o,
            Err(e) => panic!("round {round}: the project does not open after kill -9:\n{e}"),
        };
        assert!(
            !ledger.ready
                || opened
                    .notices
                    .iter()
                    .any(|n| n.contains("took over the lock")),
            "round {round}: the killed writer's lock was not reported as taken over: {:?}",
            opened.notices
        );
        if opened.notices.iter().any(|n| n.contains("temporary file")) {
            mid_save += 1;
        }
        after_open += usize::from(ledger.ready);
        let left = temp_files(&root);
        assert!(
            left.is_empty(),
            "round {round}: temp files remain after open: {left:?}"
        );
        assert!(
            opened.undo.is_none(),
            "round {round}: texts changed? {:?}",
            opened.notices
        );
        let present: BTreeSet<Id> = opened.project.codings().map(|(_, c)| c.id).collect();
        for c in &ledger.confirmed {
            if !ledger.deleted.contains(c) && !ledger.uncertain.contains(c) {
                assert!(
                    present.contains(c),
                    "round {round}: confirmed coding {c} is lost"
                );
            }
        }
        for c in &ledger.deleted {
            assert!(
                !present.contains(c),
                "round {round}: deleted coding {c} came back"
            );
        }
        drop(opened);
        let report = check(&root).expect("check runs");
        assert_eq!(
            report.errors(),
            0,
            "round {round}: check finds errors: {:?}",
            report.problems
        );
    }
    assert!(
        ledger.confirmed.len() > rounds,
        "too few edits were confirmed ({}) for {rounds} rounds",
        ledger.confirmed.len()
    );
    eprintln!(
        "{rounds} kills: {after_open} after the writer had opened the project, {mid_save} inside a save \
         (temp files left); {} codings confirmed, {} deletions confirmed",
        ledger.confirmed.len(),
        ledger.deleted.len()
    );
    assert!(
        after_open > rounds / 2,
        "most kills should hit a running writer"
    );
    mid_save
}

// Two parents (one per core), 110 kills each.
#[test]
fn kill_9_during_saves_loses_no_confirmed_edit_a() {
    let mid = kill_rounds(0x5eed_0001, 110);
    assert!(
        mid > 0,
        "no kill landed inside a save; the test does not test what it should"
    );
}

#[test]
fn kill_9_during_saves_loses_no_confirmed_edit_b() {
    let mid = kill_rounds(0x5eed_0002, 110);
    assert!(
        mid > 0,
        "no kill landed inside a save; the test does not test what it should"
    );
}

/// Temp files as a killed save leaves them, in the project folder and `studies/`,
/// are removed on the next open for writing (and reported), never on a read.
#[test]
fn stale_temp_files_are_removed_on_open_for_writing() {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("review");
    small_project(&root, &TEXTS[..1]);
    let temps = [
        root.join(".codebook.ron.4242.0.thematic-tmp"),
        root.join("studies/.study-0.ron.4242.1.thematic-tmp"),
    ];
    for t in &temps {
        fs::write(t, "(format: 1, half").unwrap();
    }
    let read = Store::open(&root, Mode::Read).expect("open for reading");
    drop(read);
    assert!(
        temps.iter().all(|t| t.exists()),
        "a read-only open removed files"
    );
    let opened = open_write(&root);
    assert!(
        opened
            .notices
            .iter()
            .any(|n| n.contains("removed 2 temporary file(s)")),
        "{:?}",
        opened.notices
    );
    assert!(temp_files(&root).is_empty(), "{:?}", temp_files(&root));
}

/// `add_text` (import) writes its temp file next to the text, in `studies/<key>/`;
/// a killed import leaves it there, and the next open must remove it too.
#[test]
fn stale_temp_files_of_a_killed_import_are_removed_on_open() {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("review");
    small_project(&root, &TEXTS[..1]);
    let temp = root.join("studies/study-0/.results-2.txt.4242.0.thematic-tmp");
    fs::write(&temp, "half a text").unwrap();
    let _opened = open_write(&root);
    assert!(
        temp_files(&root).is_empty(),
        "left behind: {:?}",
        temp_files(&root)
    );
}

/// Renaming a study writes `studies/<new>.ron` and then removes `studies/<old>.ron`.
/// A kill between the two leaves both files, with one study id; the project must
/// still open (the rename finished or not), not be refused.
#[test]
fn study_rename_interrupted_by_kill_still_opens() {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("review");
    let p = small_project(&root, &TEXTS[..1]);
    let old = fs::read(root.join("studies/study-0.ron")).unwrap();
    let mut opened = open_write(&root);
    let study = p.studies[0].id;
    let mut info: StudyInfo = p.studies[0].info();
    info.key = "renamed-2019".into();
    opened
        .store
        .apply(
            &mut opened.project,
            Edit::SetStudyInfo {
                study,
                info: Box::new(info),
            },
        )
        .expect("rename");
    drop(opened);
    // The state a kill between the rename of the new file and the removal of the old leaves.
    fs::write(root.join("studies/study-0.ron"), old).unwrap();
    match Store::open(&root, Mode::Write) {
        Ok(o) => assert_eq!(o.project.studies.len(), 1),
        Err(e) => panic!("the project no longer opens:\n{e}"),
    }
}

// ---------------------------------------------------------------------------
// Read-only folders and files
// ---------------------------------------------------------------------------

/// Child: open for writing, apply one edit, report the outcome.
/// Scenario `study`: add a coding (touches the study file); `both`: add a code and
/// a coding that uses it (touches codebook.ron and the study file).
#[test]
fn child_saves_once() {
    let Ok(dir) = env::var(DIR_VAR) else { return };
    let scenario = env::var(SCENARIO_VAR).unwrap_or_default();
    let root = PathBuf::from(dir);
    let opened = match Store::open(&root, Mode::Write) {
        Ok(o) => o,
        Err(e) => {
            say(&format!("\nOPEN-FAILED {e}"));
            return;
        }
    };
    let (mut store, mut p) = (opened.store, opened.project);
    let before = p.clone();
    let edit = one_edit(&store, &p, &scenario);
    let result = store.apply(&mut p, edit);
    let line = match &result {
        Ok(_) => "RESULT ok".to_string(),
        Err(e) => format!("RESULT err {e}"),
    };
    say(&format!("\n{line}\nUNCHANGED {}", p == before));
}

fn one_edit(store: &Store, p: &Project, scenario: &str) -> Edit {
    let s = &p.studies[0];
    let text: SourceText = store.read_text(&s.sources[0]).expect("text");
    let (start, end) = word_spans(text.as_str())[1];
    let mut edits = Vec::new();
    let mut code_id = p.codebook.codes[0].id;
    if scenario == "both" {
        let c = code(Id::new(), None, 5, "A new theme");
        code_id = c.id;
        edits.push(Edit::PutCode(c));
    }
    edits.push(Edit::PutCoding {
        study: s.id,
        coding: common::coding(
            Id::new(),
            &s.sources[0],
            text.as_str(),
            start,
            end,
            code_id,
            p.meta.reviewer.id,
        ),
    });
    Edit::Batch(edits)
}

/// Whether this process runs as root (its new files belong to uid 0).
fn is_root(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let probe = dir.join(".uid-probe");
    fs::write(&probe, b"").expect("probe file");
    let root = fs::metadata(&probe).expect("probe").uid() == 0;
    fs::remove_file(&probe).expect("remove probe");
    root
}

const NOBODY: u32 = 65534;

/// Give everything under `path` to `nobody` (for running a child as nobody when
/// the tests run as root, where permission bits are not enforced).
fn give_to_nobody(path: &Path) {
    std::os::unix::fs::chown(path, Some(NOBODY), Some(NOBODY)).expect("chown");
    if path.is_dir() {
        for e in fs::read_dir(path).expect("read dir").flatten() {
            give_to_nobody(&e.path());
        }
    }
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Run `child_saves_once` on `root` with `scenario`, as this user, or as `nobody`
/// when running as root (where permission bits would be ignored). `None` when
/// that is not possible here.
fn save_once_in_child(
    tmp: &Path,
    root: &Path,
    scenario: &str,
    as_nobody: bool,
) -> Option<(String, String)> {
    let mut cmd = Command::new(this_test_binary());
    cmd.args(child_args("child_saves_once"))
        .env(DIR_VAR, root)
        .env(SCENARIO_VAR, scenario)
        .stdin(Stdio::null());
    if as_nobody {
        set_mode(tmp, 0o755);
        cmd.uid(NOBODY).gid(NOBODY);
    }
    let out = cmd.output().ok()?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !stdout.contains("RESULT") && !stdout.contains("OPEN-FAILED") {
        if as_nobody {
            eprintln!("skipped: could not run the test binary as nobody: {stderr}");
            return None;
        }
        panic!("the child did not report:\n{stdout}\n{stderr}");
    }
    Some((stdout, stderr))
}

/// Make the project's folder (and `studies/`) or one study file read-only, try a
/// save, and check the error names the file and nothing changed on disk.
fn read_only_case(what: &str, scenario: &str, expect_file: &str) {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("review");
    small_project(&root, &TEXTS[..2]);
    let as_nobody = is_root(tmp.path());
    if as_nobody {
        give_to_nobody(&root);
    }
    match what {
        "folder" => {
            set_mode(&root, 0o555);
            set_mode(&root.join("studies"), 0o555);
        }
        "studies folder" => set_mode(&root.join("studies"), 0o555),
        "file" => set_mode(&root.join("studies/study-0.ron"), 0o444),
        _ => unreachable!(),
    }
    let before = snapshot(&root);
    let outcome = save_once_in_child(tmp.path(), &root, scenario, as_nobody);
    let after = snapshot(&root);
    // Leave the folder deletable for TempDir.
    set_mode(&root, 0o755);
    set_mode(&root.join("studies"), 0o755);
    let Some((stdout, stderr)) = outcome else {
        return;
    };
    let who = if as_nobody {
        "uid 65534 (the tests run as root)"
    } else {
        "this user"
    };
    eprintln!(
        "read-only {what}: the save ran as {who}: {}",
        stdout
            .lines()
            .find(|l| l.starts_with("RESULT"))
            .unwrap_or("")
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        !stdout.contains("OPEN-FAILED"),
        "opening failed before any save was tried: {stdout}"
    );
    let result = stdout
        .lines()
        .find(|l| l.starts_with("RESULT"))
        .expect("a result line");
    assert!(
        result.starts_with("RESULT err "),
        "saving into a read-only {what} succeeded: {stdout}"
    );
    assert!(
        result.contains(expect_file) && result.contains("permission denied"),
        "the error should name {expect_file} and say `permission denied`: {result}"
    );
    assert!(
        stdout.contains("UNCHANGED true"),
        "the failed edit stayed in memory: {stdout}"
    );
    common::assert_same_files(
        &before,
        &after,
        &format!("after a failed save into a read-only {what}"),
    );
    let left = temp_files(&root);
    assert!(left.is_empty(), "temp files left: {left:?}");
}

#[test]
fn saving_into_a_read_only_folder_fails_cleanly() {
    read_only_case("folder", "study", "studies/study-0.ron");
}

#[test]
fn saving_a_new_code_into_a_read_only_folder_fails_cleanly() {
    // codebook.ron is written first, so it is the file named.
    read_only_case("folder", "both", "codebook.ron");
}

/// Only `studies/` is read-only: the temp file of codebook.ron is written, then the
/// study's fails; the codebook's temp must go and codebook.ron stay as it was.
#[test]
fn a_multi_file_save_that_fails_halfway_changes_nothing() {
    read_only_case("studies folder", "both", "studies/study-0.ron");
}

#[test]
fn saving_over_a_read_only_study_file_fails_cleanly() {
    read_only_case("file", "study", "studies/study-0.ron");
}

// ---------------------------------------------------------------------------
// One writer at a time
// ---------------------------------------------------------------------------

#[test]
fn a_second_writer_in_the_same_process_is_refused() {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("review");
    small_project(&root, &TEXTS[..1]);
    let first = open_write(&root);
    match Store::open(&root, Mode::Write) {
        Err(StoreError::Locked(msg)) => {
            assert!(
                msg.contains(&format!("pid {}", std::process::id())),
                "the message should name the holder's pid: {msg}"
            );
        }
        Err(e) => panic!("expected Locked, got {e}"),
        Ok(_) => panic!("a second writer got the lock"),
    }
    // Readers are still welcome (check, reports).
    let reader = Store::open(&root, Mode::Read).expect("open for reading while locked");
    assert!(!reader.store.is_writable());
    drop(first);
    let second =
        Store::open(&root, Mode::Write).expect("the lock is free once the first writer is gone");
    assert!(
        !second.notices.iter().any(|n| n.contains("took over")),
        "a cleanly closed lock is not stale: {:?}",
        second.notices
    );
}

/// Child: take the lock, say so, and hold it until killed (at most 60 s).
#[test]
fn child_holds_the_lock() {
    let Ok(dir) = env::var(DIR_VAR) else { return };
    let _opened = open_write(Path::new(&dir));
    say("\nLOCKED");
    thread::sleep(Duration::from_secs(60));
}

#[test]
fn a_second_writer_process_is_refused_until_the_first_is_killed() {
    let tmp = TempDir::new().unwrap();
    let root = tmp.path().join("review");
    small_project(&root, &TEXTS[..1]);
    let mut child = spawn_child("child_holds_the_lock", &root, 0, "");
    let (rx, reader) = lines_of(&mut child);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(l) if l.trim() == "LOCKED" => break,
            Ok(_) => {}
            Err(_) => {
                let _ = child.kill();
                panic!("the child never took the lock: {}", stderr_of(&mut child));
            }
        }
    }
    let before = snapshot(&root);
    let refused = common::autocode(&root, "Theme/Doors", &["--match", "doors"]);
    let also = common::thematic([
        std::ffi::OsStr::new("import"),
        root.as_os_str(),
        root.join("studies/study-0/results.txt").as_os_str(),
    ]);
    let readable = common::check(&root);
    let after = snapshot(&root);
    child.kill().expect("SIGKILL the lock holder");
    child.wait().expect("wait");
    reader.join().unwrap();

    assert_eq!(
        refused.code, 1,
        "autocode while another process holds the lock: {refused:?}"
    );
    let pid = format!("pid {}", child.id());
    assert!(
        refused.stderr.contains(&pid) && refused.stderr.contains("another thematic"),
        "the refusal should say the project is open in another thematic ({pid}): {}",
        refused.stderr
    );
    assert_eq!(
        refused.stderr.trim().lines().count(),
        1,
        "a one-line reason: {}",
        refused.stderr
    );
    assert_eq!(also.code, 1, "import while locked: {also:?}");
    assert_eq!(
        readable.code, 0,
        "check only reads, so the lock does not stop it: {readable:?}"
    );
    common::assert_same_files(&before, &after, "after refused writers");

    // The holder died by SIGKILL: its lock is stale and is taken over.
    let run = common::autocode(&root, "Theme/Doors", &["--match", "doors"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("took over the lock"), "{}", run.stderr);
    assert!(run.stdout.contains("added 1 coding(s)"), "{}", run.stdout);
}
