//! REFI-QDA benchmark: export the large synthetic project as a `.qdpx` and import
//! it back as a new project.
//!
//! ```text
//! cargo run --release --example bench_qdpx [-- --studies N] [--runs R] [--dir DIR]
//! ```
//!
//! Generates `SynthSpec::large()` (1,000 studies × 20,000 words × 100 codings, or
//! `--studies N`) into a temp dir (or into `--dir DIR`, kept and reused if it
//! already holds a project), then times `export --qdpx` and `import-qdpx` (which
//! includes writing the new project and checking it, as the command does) over a
//! few runs and prints the medians.

#[path = "common/bench.rs"]
mod bench;

use std::fs;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use thematic::interchange::refi::{self, ImportOptions, Progress};
use thematic::store::{self, Mode, Store};
use thematic::synth::{SynthSpec, generate};

/// Records how long each phase the library reports takes.
#[derive(Default)]
struct Phases {
    log: Mutex<Vec<(String, Instant, Option<Instant>)>>,
}

impl Progress for Phases {
    fn start(&self, what: &str, _total: u64) {
        let mut log = self.log.lock().unwrap();
        let now = Instant::now();
        if let Some(last) = log.last_mut()
            && last.2.is_none()
        {
            last.2 = Some(now);
        }
        log.push((what.to_string(), now, None));
    }

    fn finish(&self) {
        if let Some(last) = self.log.lock().unwrap().last_mut()
            && last.2.is_none()
        {
            last.2 = Some(Instant::now());
        }
    }
}

impl Phases {
    /// `phase 12 ms, phase 30 ms, (other) 4 ms`.
    fn describe(&self, total: Duration) -> String {
        let log = self.log.lock().unwrap();
        let mut parts = Vec::new();
        let mut known = Duration::ZERO;
        for (what, a, b) in log.iter() {
            let d = b.unwrap_or(*a).saturating_duration_since(*a);
            known += d;
            parts.push(format!("{what} {}", ms(d)));
        }
        parts.push(format!("other {}", ms(total.saturating_sub(known))));
        parts.join(", ")
    }
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let args = bench::parse_args("bench_qdpx", 3);
    let mut spec = SynthSpec::large();
    if let Some(n) = args.studies {
        spec.studies = n;
    }
    let tmp = tempfile::TempDir::new().expect("temp dir");
    let project = match &args.dir {
        Some(d) => d.clone(),
        None => tmp.path().join("project"),
    };
    if !project.join(store::PROJECT_FILE).is_file() {
        eprintln!(
            "generating {} studies × {} words × {} codings…",
            spec.studies, spec.words_per_study, spec.codings_per_study
        );
        let t = Instant::now();
        generate(&project, &spec).expect("generate");
        eprintln!("generated in {}", ms(t.elapsed()));
    }
    let opened = Store::open(&project, Mode::Read).expect("open");
    let (studies, codings): (usize, usize) = (
        opened.project.studies.len(),
        opened.project.codings().count(),
    );
    let text_bytes: u64 = opened
        .project
        .studies
        .iter()
        .flat_map(|s| &s.sources)
        .map(|s| {
            fs::metadata(opened.store.text_path(s))
                .map(|m| m.len())
                .unwrap_or(0)
        })
        .sum();
    drop(opened);

    let out = tmp.path().join("export.qdpx");
    let mut exports = Vec::new();
    let mut imports = Vec::new();
    for run in 0..args.runs {
        let phases = Phases::default();
        let t = Instant::now();
        let summary = refi::export_qdpx(&project, &out, &phases).expect("export");
        exports.push(t.elapsed());
        eprintln!("  export: {}", phases.describe(exports[run]));
        assert_eq!(summary.codings, codings);

        let target = tmp.path().join(format!("imported-{run}"));
        let phases = Phases::default();
        let t = Instant::now();
        let summary =
            refi::import_qdpx(&out, &target, &ImportOptions::default(), &phases).expect("import");
        imports.push(t.elapsed());
        eprintln!("  import: {}", phases.describe(imports[run]));
        assert_eq!(summary.codings, codings, "every coding comes back");
        assert!(
            summary.problems.iter().all(|p| p.warning),
            "the imported project checks clean: {:?}",
            summary.problems.first()
        );
        fs::remove_dir_all(&target).expect("clean up");
        eprintln!(
            "run {}: export {}, import {}",
            run + 1,
            ms(exports[run]),
            ms(imports[run])
        );
    }
    let size = fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    println!(
        "project: {studies} studies, {codings} codings, {:.0} MB of text; .qdpx {:.0} MB",
        text_bytes as f64 / 1e6,
        size as f64 / 1e6
    );
    println!(
        "export --qdpx   median {} over {} runs",
        ms(bench::median(&exports)),
        args.runs
    );
    println!(
        "import-qdpx     median {} over {} runs (includes writing the project and checking it)",
        ms(bench::median(&imports)),
        args.runs
    );
}
