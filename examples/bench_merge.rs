//! Merge driver benchmark: `thematic merge` on one study file with 2,000 codings,
//! as git runs it (a whole command per file). Target: ≤ 30 ms.
//!
//! `cargo run --release --example bench_merge` (builds on the release binary).

use std::process::Command;
use std::time::{Duration, Instant};

use thematic::model::{Coding, Id, Study};
use thematic::store::{from_ron, to_ron};
use thematic::synth::{SynthSpec, generate};

fn main() {
    let bin = std::env::current_exe()
        .expect("exe")
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("thematic"))
        .expect("target dir");
    assert!(
        bin.is_file(),
        "build the binary first: cargo build --release ({})",
        bin.display()
    );
    let dir = tempfile::TempDir::new().expect("tempdir");
    // KEEP=DIR leaves the inputs there, to profile the command by hand.
    let dir = if let Ok(keep) = std::env::var("KEEP") {
        std::fs::create_dir_all(&keep).unwrap();
        let _ = dir;
        let mut kept = tempfile::TempDir::new_in(keep).unwrap();
        kept.disable_cleanup(true);
        kept
    } else {
        dir
    };

    let spec = SynthSpec {
        studies: 1,
        words_per_study: 60_000,
        codings_per_study: 2_000,
        codes: 60,
        seed: 3,
    };
    let p = generate(dir.path(), &spec).expect("generate");
    let base: Study = p.studies[0].clone();
    let rel = format!("studies/{}.ron", base.key);
    let bytes = std::fs::read(dir.path().join(&rel)).expect("study file");
    let base_back: Study = from_ron(&rel, &bytes).expect("parses");
    assert_eq!(base_back, base);
    // Each side adds 50 codings, edits 50 notes and deletes 20 codings.
    let side = |seed: u128| {
        let mut s = base.clone();
        for i in 0..50usize {
            let mut c: Coding = s.codings[(i * 37) % s.codings.len()].clone();
            c.id = Id::from_u128(seed << 64 | i as u128);
            s.put_coding(c);
            let n = (i * 13 + seed as usize) % s.codings.len();
            s.codings[n].note = format!("note {seed} {i}");
        }
        for i in 0..20usize {
            let n = (i * 97 + seed as usize * 7) % s.codings.len();
            s.codings.remove(n);
        }
        s
    };
    let (o, t) = (side(1), side(2));
    let work = dir.path().join("merge");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("base.ron"), to_ron(&base)).unwrap();
    std::fs::write(work.join("theirs.ron"), to_ron(&t)).unwrap();
    let ours = to_ron(&o);
    // The driver overwrites ours.ron: a copy to restore it from when timing by hand.
    std::fs::write(work.join("ours-before.ron"), &ours).unwrap();

    let mut times = Vec::new();
    for _ in 0..21 {
        std::fs::write(work.join("ours.ron"), &ours).unwrap();
        let start = Instant::now();
        let out = Command::new(&bin)
            .current_dir(&work)
            .args(["merge", "base.ron", "ours.ron", "theirs.ron", &rel])
            .output()
            .expect("run");
        times.push(start.elapsed());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let merged: Study = from_ron("merged", &std::fs::read(work.join("ours.ron")).unwrap()).unwrap();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "thematic merge on one study file ({} kB, {} codings; each side +50 codings, 50 notes, −20):",
        ours.len() / 1024,
        base.codings.len()
    );
    println!(
        "  whole command: median {:.1} ms, min {:.1} ms, max {:.1} ms   target ≤ 30 ms",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
    println!("  result: {} codings", merged.codings.len());
}
