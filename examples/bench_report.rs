//! Time `thematic report` as whole commands on the sample review and two synthetic
//! ones (29 studies × 8,000 words; 1,000 studies × 20,000 words).
//!
//!     cargo run --release --example bench_report
//!
//! Builds the release binary first. Synthetic projects are generated once into
//! `target/bench-report/` and reused. Each command runs once to warm the page cache,
//! then 10 times; the median and the fastest run are reported against the targets.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use thematic::synth::{SynthSpec, generate};

const RUNS: usize = 10;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--bin", "thematic"])
        .current_dir(&root)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the release binary failed");
    let bin = root.join("target/release/thematic");

    let work = root.join("target/bench-report");
    let typical = SynthSpec {
        studies: 29,
        words_per_study: 8_000,
        ..SynthSpec::typical()
    };
    let projects = [
        (
            "sample (10 × ~1,100 words)",
            root.join("sample-project"),
            None,
        ),
        (
            "29 studies × 8,000 words",
            ensure(&work.join("typical-29"), &typical),
            Some(Duration::from_millis(46)),
        ),
        (
            "1,000 studies × 20,000 words",
            ensure(&work.join("large-1000"), &SynthSpec::large()),
            Some(Duration::from_secs(1)),
        ),
    ];

    println!();
    println!(
        "{:<30} {:<9} {:>10} {:>10} {:>10}  result",
        "project", "report", "median", "min", "target"
    );
    println!("{}", "─".repeat(84));
    let mut failed = false;
    for (name, dir, target) in &projects {
        for kind in ["coverage", "matrix"] {
            let (median, min) = time(&bin, dir, kind);
            let (target_s, verdict) = match target {
                Some(t) if median <= *t => (ms(*t), "ok"),
                Some(t) => {
                    failed = true;
                    (ms(*t), "SLOWER THAN TARGET")
                }
                None => ("—".to_string(), ""),
            };
            println!(
                "{name:<30} {kind:<9} {:>10} {:>10} {target_s:>10}  {verdict}",
                ms(median),
                ms(min)
            );
        }
    }
    println!();
    println!(
        "targets: ≤ 46 ms on the 29-study corpus (50× faster than 2.3 s); ≤ 1 s on 1,000 studies"
    );
    println!(
        "machine: {} hardware threads; {RUNS} runs per command after one warm-up",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    if failed {
        std::process::exit(1);
    }
}

/// Generate `spec` into `dir` unless a complete earlier run left it there.
fn ensure(dir: &Path, spec: &SynthSpec) -> PathBuf {
    let stamp = dir.with_extension("done");
    let want = format!("{spec:?}");
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s == want) && dir.join("project.ron").is_file()
    {
        return dir.to_path_buf();
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir).expect("removing an incomplete bench project");
    }
    std::fs::create_dir_all(dir.parent().expect("a parent")).expect("creating target/bench-report");
    eprint!("generating {} ({} studies)… ", dir.display(), spec.studies);
    let t = Instant::now();
    generate(dir, spec).expect("generating a synthetic project");
    eprintln!("{:.1} s", t.elapsed().as_secs_f64());
    std::fs::write(&stamp, want).expect("writing the stamp");
    dir.to_path_buf()
}

/// Median and minimum wall time of `thematic report DIR KIND` (output discarded).
fn time(bin: &Path, dir: &Path, kind: &str) -> (Duration, Duration) {
    let run = || {
        let t = Instant::now();
        let status = Command::new(bin)
            .arg("report")
            .arg(dir)
            .arg(kind)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .status()
            .expect("the binary runs");
        let dt = t.elapsed();
        assert!(
            status.success(),
            "report {kind} on {} failed",
            dir.display()
        );
        dt
    };
    run();
    let mut times: Vec<Duration> = (0..RUNS).map(|_| run()).collect();
    times.sort();
    (times[RUNS / 2], times[0])
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.1} ms")
    }
}
