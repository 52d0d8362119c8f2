//! Time `thematic combine A B --out C` as a whole command on two synthetic projects
//! of 1,000 studies × 20,000 words × 100 codings that share their texts and code
//! tree but not their codings (two reviewers double-coding the same review).
//!
//!     cargo run --release --example bench_combine [-- --runs N]
//!
//! Builds the release binary first. A is `SynthSpec::large()`; B is made from A: the
//! same texts (hard links) and codebook, another owner, and for each of A's codings
//! one of B's — 55% the same span and code, 20% the same span under another code,
//! 25% another coded span of the study under a random code — with ids of its own.
//! Both are generated once into `target/bench-combine/` and reused. One warm-up run,
//! then N (default 5) timed runs, each into a fresh output folder; the median and the
//! fastest are reported against the 2 s target.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use thematic::model::{Code, CodeKind, Id, Project, Reviewer};
use thematic::store::{CODEBOOK_FILE, Mode, PROJECT_FILE, STUDIES_DIR, Store, to_ron};
use thematic::synth::{SynthSpec, generate};

const TARGET: Duration = Duration::from_secs(2);

fn main() {
    let mut runs = 5usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(5).max(1),
            _ => {
                eprintln!("usage: cargo run --release --example bench_combine [-- --runs N]");
                std::process::exit(2);
            }
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--bin", "thematic"])
        .current_dir(&root)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the release binary failed");
    let bin = root.join("target/release/thematic");

    let work = root.join("target/bench-combine");
    let (a, b) = (work.join("a"), work.join("b"));
    let spec = SynthSpec::large();
    if !b.join(PROJECT_FILE).is_file() {
        let _ = fs::remove_dir_all(&work);
        println!(
            "generating A: {} studies × {} words × {} codings …",
            spec.studies, spec.words_per_study, spec.codings_per_study
        );
        let t = Instant::now();
        let pa = generate(&a, &spec).expect("generate A");
        println!("  {:.1} s", t.elapsed().as_secs_f64());
        let t = Instant::now();
        println!("deriving B (same texts, its own codings) …");
        second_reviewer(&pa, &a, &b);
        println!("  {:.1} s", t.elapsed().as_secs_f64());
    } else {
        println!("reusing {} and {}", a.display(), b.display());
    }
    let _ = Command::new("sync").status();

    let out = |n: usize| work.join(format!("combined-{n}"));
    let combine = |n: usize| -> (Duration, String) {
        let dest = out(n);
        let _ = fs::remove_dir_all(&dest);
        let t = Instant::now();
        let o = Command::new(&bin)
            .arg("combine")
            .arg(&a)
            .arg(&b)
            .arg("--out")
            .arg(&dest)
            .stdin(Stdio::null())
            .output()
            .expect("thematic runs");
        let took = t.elapsed();
        assert!(
            o.status.success(),
            "combine failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        (took, String::from_utf8_lossy(&o.stdout).into_owned())
    };

    let (warm, summary) = combine(0);
    println!("\nwarm-up run: {:.3} s; its summary:", warm.as_secs_f64());
    for l in summary.lines() {
        println!("  {l}");
    }
    let c = Store::open(&out(0), Mode::Read)
        .expect("the result opens")
        .project;
    let codings: usize = c.studies.iter().map(|s| s.codings.len()).sum();
    println!(
        "result: {} studies, {} codes, {} codings",
        c.studies.len(),
        c.codebook.codes.len(),
        codings
    );

    // Outputs are removed only after all runs: ext4 is slow to hand out inodes
    // just freed, which would charge one run for the clean-up of the one before.
    let mut times: Vec<Duration> = (1..=runs).map(|n| combine(n).0).collect();
    for n in 1..=runs {
        let _ = fs::remove_dir_all(out(n));
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "\nthematic combine A B --out C (1,000 + 1,000 studies, 100 + 100 codings each), {runs} runs:\n  median {:.3} s, fastest {:.3} s, target ≤ {:.1} s: {}",
        median.as_secs_f64(),
        times[0].as_secs_f64(),
        TARGET.as_secs_f64(),
        if median <= TARGET {
            "ok"
        } else {
            "OVER TARGET"
        }
    );

    let t = Instant::now();
    // The synthetic A holds a few codings of a collaborator: name the two to compare.
    let o = Command::new(&bin)
        .arg("agreement")
        .arg(out(0))
        .arg("--reviewers")
        .arg("A. Reviewer,B. Second")
        .arg("--format")
        .arg("csv")
        .stdin(Stdio::null())
        .output()
        .expect("thematic runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let overall = String::from_utf8_lossy(&o.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    println!(
        "thematic agreement C (characters, for information): {:.3} s; {overall}",
        t.elapsed().as_secs_f64()
    );
}

/// splitmix64, for B's choices.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn id(&mut self) -> Id {
        let n = ((self.next() as u128) << 64) | self.next() as u128;
        let n = (n & !(0xf << 76)) | (0x4 << 76);
        Id::from_u128((n & !(0x3 << 62)) | (0x2 << 62))
    }
}

/// Write B into `b`: A's texts (hard links) and code tree (plus two codes of B's
/// own), another owner, and codings of B's own.
fn second_reviewer(pa: &Project, a: &Path, b: &Path) {
    let mut rng = Rng(0x0005_eedb);
    let mut pb = pa.clone();
    pb.meta.id = rng.id();
    pb.meta.reviewer = Reviewer {
        id: rng.id(),
        name: "B. Second".into(),
    };
    pb.meta.collaborators.clear();
    for k in 0..2 {
        pb.codebook.codes.push(Code {
            id: rng.id(),
            parent: None,
            order: 100 + k,
            kind: CodeKind::Code,
            name: format!("B's own code {k}"),
            description: String::new(),
            color: "#a3be8c".into(),
            memo: String::new(),
        });
    }
    pb.codebook.canonicalize();
    let leaves: Vec<Id> = pa
        .codebook
        .codes
        .iter()
        .filter(|c| c.kind == CodeKind::Code)
        .map(|c| c.id)
        .collect();
    for s in &mut pb.studies {
        let theirs = s.codings.clone();
        for c in &mut s.codings {
            c.id = rng.id();
            c.by = pb.meta.reviewer.id;
            match rng.below(100) {
                0..55 => {}
                55..75 => c.code = leaves[rng.below(leaves.len())],
                _ => {
                    let other = &theirs[rng.below(theirs.len())];
                    c.start = other.start;
                    c.end = other.end;
                    c.quote = other.quote.clone();
                    c.construct = other.construct;
                    c.code = leaves[rng.below(leaves.len())];
                }
            }
        }
        s.sort_codings();
    }
    fs::create_dir_all(b.join(STUDIES_DIR)).expect("create B");
    fs::write(b.join(CODEBOOK_FILE), to_ron(&pb.codebook)).expect("write B");
    for s in &pb.studies {
        fs::write(
            b.join(STUDIES_DIR).join(format!("{}.ron", s.key)),
            to_ron(s),
        )
        .expect("write B");
        for src in &s.sources {
            let to = b.join(STUDIES_DIR).join(&src.file);
            fs::create_dir_all(to.parent().expect("a folder")).expect("create B");
            let from = a.join(STUDIES_DIR).join(&src.file);
            if fs::hard_link(&from, &to).is_err() {
                fs::copy(&from, &to).expect("copy a text");
            }
        }
    }
    fs::write(b.join(PROJECT_FILE), to_ron(&pb.meta)).expect("write B");
}
