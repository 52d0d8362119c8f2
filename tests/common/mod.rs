//! Helpers shared by the integration tests: running the CLI, snapshots of a
//! project's files, small model builders, and the re-exec trick for child processes.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use thematic::model::{Code, CodeKind, Coding, Construct, Id, Project, Source, Study};
use thematic::store::{Mode, Opened, Store};
use thematic::text::{SourceText, sha256_hex};

/// The `thematic` binary built for these tests.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_thematic")
}

/// What one run of the CLI did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from_output(args: &str, out: Output) -> Run {
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert!(
            !run.stderr.contains("panicked") && !run.stdout.contains("panicked"),
            "thematic {args} panicked:\n{}",
            run.stderr
        );
        assert!(
            run.code >= 0,
            "thematic {args} was killed by a signal: {run:?}"
        );
        run
    }

    /// Both streams, for messages that may go to either.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "expected success: {self:?}");
        self
    }
}

/// Run `thematic ARGS...` and return its exit code and output. Fails the test if
/// it panicked or died from a signal.
pub fn thematic<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let shown = args
        .iter()
        .map(|a| a.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ");
    let out = Command::new(bin())
        .args(&args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the thematic binary runs");
    Run::from_output(&shown, out)
}

/// Every file of a project (relative path → bytes), except the local-only `.thematic/`.
pub fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        let rel = p
            .strip_prefix(root)
            .expect("inside root")
            .to_string_lossy()
            .into_owned();
        if rel == ".thematic" {
            continue;
        }
        if p.is_dir() {
            walk(root, &p, out);
        } else {
            out.insert(rel, fs::read(&p).expect("read file"));
        }
    }
}

/// Assert that two snapshots are identical, naming the first file that differs.
#[track_caller]
pub fn assert_same_files(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
    what: &str,
) {
    let names_before: Vec<&String> = before.keys().collect();
    let names_after: Vec<&String> = after.keys().collect();
    assert_eq!(
        names_before, names_after,
        "{what}: the set of files changed"
    );
    for (k, v) in before {
        if after[k] != *v {
            panic!(
                "{what}: {k} changed\n--- before\n{}\n--- after\n{}",
                String::from_utf8_lossy(v),
                String::from_utf8_lossy(&after[k])
            );
        }
    }
}

/// Files whose name marks them as temp files of an interrupted save, anywhere in the project.
pub fn temp_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(thematic::store::TEMP_SUFFIX) {
                out.push(p);
            }
        }
    }
    out
}

/// Text of a results section, with the words the CLI tests code.
pub const RESULTS_A: &str = "Results\n\
\n\
Clinicians described the diagnosis as a key that opens doors to care.\n\
\"Without the diagnosis she would never have got into the service,\" said one nurse.\n\
\n\
Others saw the label as a reason for exclusion from services.\n\
The team felt the weight of responsibility for risk decisions.\n";

pub const RESULTS_B: &str = "Findings\n\
\n\
Staff spoke of having nowhere to refer people with complex emotional needs.\n\
A psychiatrist said the diagnosis was \"a door that closes more than it opens\".\n\
Therapeutic relationships needed connection and distance at once.\n";

/// `thematic init ROOT --title Review --reviewer Ann`.
pub fn init(root: &Path) -> Run {
    thematic([
        OsStr::new("init"),
        root.as_os_str(),
        "--title".as_ref(),
        "Review".as_ref(),
        "--reviewer".as_ref(),
        "Ann".as_ref(),
    ])
}

/// `thematic init` + `import` of two studies + one `autocode`, in `root` (which must
/// not exist). Returns the study keys.
pub fn cli_project(root: &Path) -> [&'static str; 2] {
    let src = root.with_extension("inputs");
    fs::create_dir_all(&src).expect("inputs dir");
    fs::write(src.join("Okafor 2019.txt"), RESULTS_A).expect("write input");
    fs::write(src.join("Reyes 2020.txt"), RESULTS_B).expect("write input");
    init(root).ok();
    thematic([
        OsStr::new("import"),
        root.as_os_str(),
        src.join("Okafor 2019.txt").as_os_str(),
        src.join("Reyes 2020.txt").as_os_str(),
    ])
    .ok();
    autocode(
        root,
        "Diagnosis/Diagnosis as gatekeeper",
        &["--match", "diagnosis"],
    )
    .ok();
    ["okafor-2019", "reyes-2020"]
}

/// `thematic autocode ROOT --code CODE EXTRA...`
pub fn autocode(root: &Path, code: &str, extra: &[&str]) -> Run {
    let mut args: Vec<std::ffi::OsString> =
        vec!["autocode".into(), root.into(), "--code".into(), code.into()];
    args.extend(extra.iter().map(Into::into));
    thematic(args)
}

/// `thematic check ROOT`
pub fn check(root: &Path) -> Run {
    thematic([OsStr::new("check"), root.as_os_str()])
}

/// Deterministic ids for fixtures: distinct inputs give distinct, random-looking ids.
pub fn id(n: u128) -> Id {
    // A bijection on u128 (odd multiplier, xor-shift), so ids never collide.
    let mut x = n.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835);
    x ^= x >> 67;
    x = x.wrapping_mul(0xd6e8_feb8_6659_fd93_a5a5_a5a5_a5a5_a5a5 | 1);
    Id::from_u128(x)
}

pub fn code(id: Id, parent: Option<Id>, order: i64, name: &str) -> Code {
    Code {
        id,
        parent,
        order,
        kind: CodeKind::Code,
        name: name.to_string(),
        description: String::new(),
        color: "#88c0d0".to_string(),
        memo: String::new(),
    }
}

pub fn source(id: Id, name: &str, file: &str, text: &str) -> Source {
    Source {
        id,
        name: name.to_string(),
        file: file.to_string(),
        sha256: sha256_hex(text.as_bytes()),
        chars: text.chars().count() as u32,
    }
}

/// A coding of `text[start..end]` (code points), with the matching quote.
pub fn coding(id: Id, src: &Source, text: &str, start: u32, end: u32, code: Id, by: Id) -> Coding {
    let t = SourceText::new(text.to_string());
    Coding {
        id,
        source: src.id,
        start,
        end,
        code,
        by,
        at: "2026-11-25T10:14:03Z".to_string(),
        edited: String::new(),
        construct: Construct::Participant,
        quote: t.slice(start, end).to_string(),
        note: String::new(),
        flag: None,
    }
}

/// A project with one code and `texts.len()` studies of one source each, created on
/// disk in `root` (texts written too). Returns the project as saved.
pub fn small_project(root: &Path, texts: &[&str]) -> Project {
    let mut p = Project::new("Faults", "Ann");
    p.codebook.codes.push(code(id(1), None, 0, "Theme"));
    for (i, text) in texts.iter().enumerate() {
        let key = format!("study-{i}");
        let mut s = Study::new(&key);
        s.id = id(100 + i as u128);
        s.sources.push(source(
            id(200 + i as u128),
            "results",
            &format!("{key}/results.txt"),
            text,
        ));
        p.studies.push(s);
    }
    p.sort_studies();
    let store = Store::create(root, &p).expect("create project");
    for (s, text) in p.studies.iter().zip(texts) {
        store.add_text(&s.sources[0].file, text).expect("add text");
    }
    p
}

/// Open for writing, panicking with the error's message on failure.
#[track_caller]
pub fn open_write(root: &Path) -> Opened {
    match Store::open(root, Mode::Write) {
        Ok(o) => o,
        Err(e) => panic!("open {} for writing: {e}", root.display()),
    }
}

/// The 1-based (line, column in characters) of the first occurrence of `needle`.
pub fn position_of(text: &str, needle: &str) -> (usize, usize) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the file"));
    let line = text[..at].matches('\n').count() + 1;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..at].chars().count() + 1)
}

/// The arguments that make the test binary run exactly one test, as a child process.
pub fn child_args(test_name: &str) -> [String; 5] {
    [
        "--exact".to_string(),
        test_name.to_string(),
        "--nocapture".to_string(),
        "--test-threads=1".to_string(),
        "--include-ignored".to_string(),
    ]
}
