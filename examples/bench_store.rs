//! Store benchmark on a large synthetic project.
//!
//! ```text
//! cargo run --release --example bench_store [-- --studies N] [--runs R] [--dir DIR]
//! ```
//!
//! Generates `SynthSpec::large()` (1,000 studies × 20,000 words × 100 codings, or
//! `--studies N`) into a temp dir (or into `--dir DIR`, which is kept and reused if it
//! already holds a project), then times opening, one-edit saves and `check`, and
//! measures the peak memory of a child process that only opens the project.

#[path = "common/bench.rs"]
mod bench;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use thematic::model::{Coding, Edit, Id, Study, Touched};
use thematic::store::{self, Mode, Store, from_ron, to_ron};
use thematic::synth::{SynthSpec, generate};

const OPEN_TARGET_MS: f64 = 400.0;
const SAVE_TARGET_MS: f64 = 10.0;
const MEMORY_TARGET_RATIO: f64 = 2.0;

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    if argv.get(1).map(String::as_str) == Some("--child-open") {
        // Also handy under a profiler: `--child-open DIR read|write [REPEAT]`.
        let repeat = argv.get(4).and_then(|n| n.parse().ok()).unwrap_or(1);
        for _ in 0..repeat {
            child_open(Path::new(&argv[2]), &argv[3]);
        }
        return;
    }
    let args = bench::parse_args("bench_store", 7);
    let mut spec = SynthSpec::large();
    if let Some(n) = args.studies {
        spec.studies = n;
    }

    // ── the project ──
    let _tmp;
    let root = match &args.dir {
        Some(d) => d.clone(),
        None => {
            _tmp = tempfile::Builder::new()
                .prefix("thematic-bench-")
                .tempdir()
                .expect("a temp dir");
            _tmp.path().join("review")
        }
    };
    if root.join("project.ron").is_file() {
        println!("reusing the project in {}", root.display());
    } else {
        println!(
            "generating {} studies × {} words × {} codings, {} codes into {} …",
            spec.studies,
            spec.words_per_study,
            spec.codings_per_study,
            spec.codes,
            root.display()
        );
        let t = Instant::now();
        let project = generate(&root, &spec).expect("generate the project");
        println!("generated in {:.2} s", t.elapsed().as_secs_f64());
        drop(project);
    }
    // Flush the freshly generated files, so that the saves below do not wait for
    // the write-back of 200 MB of someone else's dirty pages.
    let _ = Command::new("sync").status();
    let sizes = Sizes::of(&root);
    println!(
        "files: {} study RON files, {} texts; RON {} ; texts {}",
        sizes.study_files,
        sizes.texts,
        mb(sizes.ron_bytes),
        mb(sizes.text_bytes)
    );
    let runs = args.runs;

    // ── (a) open ──
    let _ = fs::remove_file(root.join(".thematic/verified"));
    let t = Instant::now();
    let opened = Store::open(&root, Mode::Write).expect("open");
    let cold = t.elapsed();
    let codings: usize = opened.project.studies.iter().map(|s| s.codings.len()).sum();
    assert!(opened.notices.is_empty(), "{:?}", opened.notices);
    assert!(opened.undo.is_none());
    drop(opened);
    println!("{} studies, {codings} codings", sizes.study_files);

    let open_write = timed_open(runs, &root, Mode::Write);
    let open_read = timed_open(runs, &root, Mode::Read);
    let breakdown = open_breakdown(&root);

    // ── (b) one-edit saves ──
    let opened = Store::open(&root, Mode::Write).expect("open");
    let (mut st, mut project) = (opened.store, opened.project);
    let pick = project.studies.len() / 2;
    let study: &Study = &project.studies[pick];
    let (study_id, study_rel) = (study.id, format!("studies/{}.ron", study.key));
    let template = study
        .codings
        .first()
        .expect("the study has codings")
        .clone();
    let other_code = project
        .codebook
        .codes
        .iter()
        .rev()
        .find(|c| c.id != template.code)
        .expect("another code")
        .id;
    let study_bytes = to_ron(study).len();
    let serialize = timed(runs, || {
        std::hint::black_box(to_ron(&project.studies[pick]));
    });
    let serialize_by_ron = timed(runs, || {
        std::hint::black_box(store::to_ron_by_ron(&project.studies[pick]));
    });
    let mut put = Vec::with_capacity(runs);
    let mut del = Vec::with_capacity(runs);
    for _ in 0..runs {
        let coding = Coding {
            id: Id::new(),
            code: other_code,
            note: "bench".into(),
            ..template.clone()
        };
        let id = coding.id;
        for (edit, times) in [
            (
                Edit::PutCoding {
                    study: study_id,
                    coding,
                },
                &mut put,
            ),
            (
                Edit::DeleteCoding {
                    study: study_id,
                    coding: id,
                },
                &mut del,
            ),
        ] {
            let before = snapshot(&root);
            let t = Instant::now();
            st.apply(&mut project, edit).expect("apply");
            times.push(t.elapsed());
            let after = snapshot(&root);
            let changed: Vec<&String> = after
                .iter()
                .filter(|(k, v)| before.get(*k) != Some(v))
                .map(|(k, _)| k)
                .chain(before.keys().filter(|k| !after.contains_key(*k)))
                .collect();
            assert_eq!(
                changed,
                vec![&study_rel],
                "only the edited study's file is written"
            );
        }
    }
    let rewritten = st.save(&project, &Touched::all(&project)).expect("save");
    assert_eq!(
        rewritten, 0,
        "after the edits and their inverses nothing else is dirty"
    );
    drop((st, project));

    // ── (c) check ──
    let mut check_problems = 0;
    let check = timed(runs, || {
        let r = store::check(&root).expect("check");
        assert_eq!(r.errors(), 0, "{:?}", r.problems.first());
        check_problems = r.problems.len();
    });

    // ── (d) peak memory of a process that only opens the project; the same
    // children also time an open in a fresh process, as the workstation does it ──
    let children: Vec<Memory> = (0..runs).map(|_| child(&root, "write")).collect();
    let fresh: Vec<Duration> = children.iter().map(|m| m.open).collect();
    let mem_write = children
        .into_iter()
        .max_by_key(|m| m.hwm_after)
        .expect("runs");
    let mem_read = child(&root, "read");
    let _ = fs::remove_file(root.join(".thematic/verified"));
    let mem_cold = child(&root, "write");

    // ── report ──
    println!();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "median of {runs} run(s) [min … max]; {cores} core(s); the OS page cache is warm (files were just written)"
    );
    println!("{:-<104}", "");
    println!(
        "{:<52} {:>10} {:>22}   target",
        "measure", "median", "[min … max]"
    );
    println!("{:-<104}", "");
    row(
        "open, write, first (cold stat cache, hashes texts)",
        &[cold],
        "-",
    );
    row(
        "open, write, in-process repeat (warm cache)",
        &open_write,
        &verdict_ms(&open_write, OPEN_TARGET_MS),
    );
    row(
        "open, write, in a fresh process (warm cache)",
        &fresh,
        &verdict_ms(&fresh, OPEN_TARGET_MS),
    );
    row("open, read-only (no lock, no text check)", &open_read, "-");
    row(
        "  of which: read RON files (1 thread)",
        &[breakdown.read],
        "-",
    );
    row(
        "  of which: parse studies (1 thread)",
        &[breakdown.parse],
        "-",
    );
    row(
        "  the same parse by ron alone (for comparison)",
        &[breakdown.parse_by_ron],
        "-",
    );
    row(
        &format!("  to_ron(one study) ({})", kb(study_bytes)),
        &serialize,
        "-",
    );
    row("  the same by ron alone", &serialize_by_ron, "-");

    row(
        "apply PutCoding + save (1 file)",
        &put,
        &verdict_ms(&put, SAVE_TARGET_MS),
    );
    row(
        "apply DeleteCoding + save (1 file)",
        &del,
        &verdict_ms(&del, SAVE_TARGET_MS),
    );
    row("check (hash all texts, every quote)", &check, "-");
    println!("{:-<104}", "");
    let ron = sizes.ron_bytes as f64;
    for (label, m) in [
        ("peak memory, open write (warm cache)", &mem_write),
        ("peak memory, open read-only", &mem_read),
        ("peak memory, open write (cold cache)", &mem_cold),
    ] {
        let ratio = m.hwm_after as f64 / ron;
        let target = MEMORY_TARGET_RATIO * ron + m.largest_text as f64;
        println!(
            "{:<52} {:>10} {:>22}   ≤ 2× RON + texts opened: {}",
            label,
            mb(m.hwm_after),
            format!("{ratio:.2}× RON, base {}", mb(m.hwm_before)),
            if (m.hwm_after as f64) <= target {
                "ok"
            } else {
                "MISSED"
            }
        );
    }
    println!("{:-<104}", "");
    println!(
        "RON bytes {} ({} files), text bytes {} ({} files); {} codings; check found {} warning(s)",
        sizes.ron_bytes,
        sizes.study_files + 2,
        sizes.text_bytes,
        sizes.texts,
        codings,
        check_problems
    );
    println!(
        "peak memory is VmHWM of a child that only opens the project (texts opened on a warm open: 0;\n\
         a cold open reads one text at a time, so its target adds the largest text, {})",
        mb(mem_cold.largest_text)
    );
    println!(
        "resident after open and malloc_trim (what the open project holds): {} = {:.2}× RON",
        mb(mem_write.rss_after),
        mem_write.rss_after as f64 / ron
    );
}

/// The child process: open the project, print VmHWM before and after.
fn child_open(root: &Path, mode: &str) {
    let before = vm("VmHWM");
    let mode = if mode == "read" {
        Mode::Read
    } else {
        Mode::Write
    };
    let t = Instant::now();
    let opened = Store::open(root, mode).expect("open");
    let took = t.elapsed().as_nanos();
    let after = vm("VmHWM");
    // glibc keeps freed memory (the parse buffers) resident; hand it back so that
    // VmRSS shows what the open project itself holds.
    trim();
    let largest = opened
        .project
        .studies
        .iter()
        .flat_map(|s| &s.sources)
        .map(|s| fs::metadata(root.join("studies").join(&s.file)).map_or(0, |m| m.len()))
        .max()
        .unwrap_or(0);
    println!("{before} {after} {} {largest} {took}", vm("VmRSS"));
    std::hint::black_box(&opened.project);
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    unsafe extern "C" {
        fn malloc_trim(pad: usize) -> i32;
    }
    // SAFETY: malloc_trim only returns free memory to the OS; every glibc has it.
    unsafe { malloc_trim(0) };
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}

struct Memory {
    hwm_before: u64,
    hwm_after: u64,
    rss_after: u64,
    largest_text: u64,
    open: Duration,
}

fn child(root: &Path, mode: &str) -> Memory {
    let exe = std::env::current_exe().expect("own path");
    let out = Command::new(exe)
        .arg("--child-open")
        .arg(root)
        .arg(mode)
        .output()
        .expect("run the child");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Vec<u64> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(|x| x.parse().expect("a number"))
        .collect();
    Memory {
        hwm_before: v[0],
        hwm_after: v[1],
        rss_after: v[2],
        largest_text: v[3],
        open: Duration::from_nanos(v[4]),
    }
}

/// A `/proc/self/status` field in bytes.
fn vm(field: &str) -> u64 {
    let status = fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

struct Breakdown {
    read: Duration,
    parse: Duration,
    /// The same parse by `ron` alone (what the canonical reader replaced).
    parse_by_ron: Duration,
}

/// Where the open time goes: reading the bytes vs parsing them, on one thread.
fn open_breakdown(root: &Path) -> Breakdown {
    let mut rels: Vec<PathBuf> = fs::read_dir(root.join("studies"))
        .expect("studies/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    rels.sort();
    let t = Instant::now();
    let bytes: Vec<Vec<u8>> = rels.iter().map(|p| fs::read(p).expect("read")).collect();
    let read = t.elapsed();
    let t = Instant::now();
    for (p, b) in rels.iter().zip(&bytes) {
        let s: Study = from_ron(&p.display().to_string(), b).expect("parse");
        std::hint::black_box(s);
    }
    let parse = t.elapsed();
    let t = Instant::now();
    for b in &bytes {
        let s: Study = ron::from_str(std::str::from_utf8(b).expect("UTF-8")).expect("parse");
        std::hint::black_box(s);
    }
    Breakdown {
        read,
        parse,
        parse_by_ron: t.elapsed(),
    }
}

/// (inode, size, mtime) of every RON file, by path relative to the root.
fn snapshot(root: &Path) -> BTreeMap<String, (u64, u64, i64, i64)> {
    let mut out = BTreeMap::new();
    let mut add = |rel: String| {
        if let Ok(m) = fs::metadata(root.join(&rel)) {
            out.insert(rel, (m.ino(), m.len(), m.mtime(), m.mtime_nsec()));
        }
    };
    add("project.ron".into());
    add("codebook.ron".into());
    for e in fs::read_dir(root.join("studies"))
        .expect("studies/")
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if e.path().is_file() {
            add(format!("studies/{name}"));
        }
    }
    out
}

struct Sizes {
    ron_bytes: u64,
    text_bytes: u64,
    study_files: usize,
    texts: usize,
}

impl Sizes {
    fn of(root: &Path) -> Sizes {
        let len = |p: &Path| fs::metadata(p).map_or(0, |m| m.len());
        let mut s = Sizes {
            ron_bytes: len(&root.join("project.ron")) + len(&root.join("codebook.ron")),
            text_bytes: 0,
            study_files: 0,
            texts: 0,
        };
        for e in fs::read_dir(root.join("studies"))
            .expect("studies/")
            .flatten()
        {
            let p = e.path();
            if p.is_dir() {
                for t in fs::read_dir(&p).expect("a study dir").flatten() {
                    s.text_bytes += len(&t.path());
                    s.texts += 1;
                }
            } else if p.extension().is_some_and(|x| x == "ron") {
                s.ron_bytes += len(&p);
                s.study_files += 1;
            }
        }
        s
    }
}

fn timed(runs: usize, mut f: impl FnMut()) -> Vec<Duration> {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect()
}

/// Time `Store::open` alone (dropping the project afterwards is not counted).
fn timed_open(runs: usize, root: &Path, mode: Mode) -> Vec<Duration> {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            let opened = Store::open(root, mode).expect("open");
            let d = t.elapsed();
            drop(opened);
            d
        })
        .collect()
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

fn row(label: &str, v: &[Duration], target: &str) {
    let (lo, hi) = (v.iter().min().expect("runs"), v.iter().max().expect("runs"));
    let range = if v.len() > 1 {
        format!("[{} … {}]", ms(*lo), ms(*hi))
    } else {
        String::new()
    };
    println!(
        "{label:<52} {:>10} {range:>22}   {target}",
        ms(bench::median(v))
    );
}

fn verdict_ms(v: &[Duration], target_ms: f64) -> String {
    let m = bench::median(v).as_secs_f64() * 1e3;
    format!(
        "≤ {target_ms:.0} ms: {}",
        if m <= target_ms { "ok" } else { "MISSED" }
    )
}

fn mb(b: u64) -> String {
    format!("{:.1} MB", b as f64 / 1e6)
}

fn kb(b: usize) -> String {
    format!("{:.1} kB", b as f64 / 1e3)
}
