//! Every format parses back, the command line behaves (output file, exit codes),
//! and the terminal and Markdown outputs of the sample review are pinned by snapshots.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use thematic::report::{self, Format, Kind, Options};
use thematic::store::{Mode, Store};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-project")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        if name == ".thematic" {
            continue;
        }
        let (src, dst) = (e.path(), to.join(&name));
        if e.file_type().unwrap().is_dir() {
            copy_dir(&src, &dst);
        } else {
            fs::copy(&src, &dst).unwrap();
        }
    }
}

/// A private copy of the sample project (reports never write, but be sure).
fn sample_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("sample");
    copy_dir(&sample(), &root);
    (dir, root)
}

fn thematic(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_thematic"))
        .args(args)
        .env("COLUMNS", "100")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn keys() -> Vec<String> {
    let p = Store::open(&sample(), Mode::Read).unwrap().project;
    p.studies.iter().map(|s| s.key.clone()).collect()
}

#[test]
fn csv_parses_back_to_the_same_cells() {
    let opened = Store::open(&sample(), Mode::Read).unwrap();
    let (store, p) = (opened.store, opened.project);
    let root = sample();
    for kind in Kind::ALL {
        let doc = report::build(&p, &store, kind, &Options::default(), Format::Csv).unwrap();
        let table = doc.reports[0].table(Format::Csv);
        let text = stdout(&thematic(&[
            "report",
            root.to_str().unwrap(),
            kind.label(),
            "--format",
            "csv",
        ]));
        let mut rd = csv::Reader::from_reader(text.as_bytes());
        let head: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
        let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(head, names, "{kind:?}");
        let rows: Vec<Vec<String>> = rd
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        let want: Vec<Vec<String>> = table.all_rows().cloned().collect();
        assert_eq!(rows, want, "{kind:?}");
        assert!(!rows.is_empty(), "{kind:?}");
        // Plain numbers: no thousands separators in the numeric columns.
        for (i, c) in table.columns.iter().enumerate().filter(|(_, c)| c.numeric) {
            for r in &rows {
                assert!(
                    r[i].is_empty() || r[i].parse::<f64>().is_ok(),
                    "{kind:?} {}: {:?}",
                    c.name,
                    r[i]
                );
            }
        }
    }
}

#[test]
fn matrix_csv_has_the_contract_shape() {
    let text = stdout(&thematic(&[
        "report",
        sample().to_str().unwrap(),
        "matrix",
        "--format",
        "csv",
    ]));
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let head: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    let mut want = vec!["theme".to_string()];
    want.extend(keys());
    want.extend(["total".into(), "studies".into()]);
    assert_eq!(head, want);
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    let (body, last) = rows.split_at(rows.len() - 1);
    assert_eq!(body.len(), 6, "one row per top-level theme of the sample");
    assert_eq!(&last[0][0], "total");
    let n = keys().len();
    for j in 1..=n + 1 {
        let column: u64 = body.iter().map(|r| r[j].parse::<u64>().unwrap()).sum();
        assert_eq!(column, last[0][j].parse::<u64>().unwrap(), "column {j}");
    }
    for r in body {
        let sum: u64 = (1..=n).map(|j| r[j].parse::<u64>().unwrap()).sum();
        assert_eq!(sum, r[n + 1].parse::<u64>().unwrap());
        let studies = (1..=n).filter(|&j| &r[j] != "0").count();
        assert_eq!(studies, r[n + 2].parse::<usize>().unwrap());
    }
    assert_eq!(
        &last[0][n + 1],
        "217",
        "every coding of the sample is under a theme"
    );
}

#[test]
fn json_parses_with_stable_fields() {
    let root = sample();
    for kind in Kind::ALL {
        let text = stdout(&thematic(&[
            "report",
            root.to_str().unwrap(),
            kind.label(),
            "--format",
            "json",
        ]));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["report"], kind.label());
        assert!(v["project"].as_str().unwrap().starts_with("Clinicians"));
        let list = match kind {
            Kind::Coverage | Kind::Characteristics | Kind::Appraisal => &v["studies"],
            Kind::Matrix => &v["rows"],
            Kind::Codebook => &v["codes"],
            Kind::Segments => &v["segments"],
        };
        assert!(!list.as_array().unwrap().is_empty(), "{kind:?}");
    }
    let text = stdout(&thematic(&[
        "report",
        root.to_str().unwrap(),
        "coverage",
        "-f",
        "json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let first = &v["studies"][0];
    for field in [
        "key",
        "title",
        "words",
        "characters",
        "codings",
        "codes",
        "covered",
        "coded",
    ] {
        assert!(!first[field].is_null(), "{field}");
    }
    assert!(first["by_construct"]["participant"].is_number());
    assert_eq!(v["total"]["codings"], 217);
}

#[test]
fn markdown_rows_have_one_pipe_per_column_edge() {
    let root = sample();
    for kind in Kind::ALL {
        let text = stdout(&thematic(&[
            "report",
            root.to_str().unwrap(),
            kind.label(),
            "--format",
            "md",
        ]));
        let mut lines = text.lines().take_while(|l| !l.is_empty());
        let header = lines.next().unwrap();
        let unescaped = |l: &str| l.matches('|').count() - l.matches("\\|").count();
        let want = unescaped(header);
        assert!(want >= 3, "{kind:?}: {header}");
        let rule = lines.next().unwrap();
        assert!(rule.starts_with("| ---"), "{kind:?}: {rule}");
        let mut n = 0;
        for l in std::iter::once(rule).chain(lines) {
            assert_eq!(unescaped(l), want, "{kind:?}: {l}");
            n += 1;
        }
        assert!(n > 1, "{kind:?}");
    }
}

#[test]
fn html_is_self_contained_and_names_every_study() {
    let root = sample();
    for kind in Kind::ALL {
        let html = stdout(&thematic(&[
            "report",
            root.to_str().unwrap(),
            kind.label(),
            "--format",
            "html",
        ]));
        assert!(html.starts_with("<!DOCTYPE html>"), "{kind:?}");
        assert!(html.trim_end().ends_with("</html>"));
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "{kind:?}"
        );
        assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("@import"));
        assert!(!html.contains("url("), "no external resources");
        for k in keys() {
            assert!(html.contains(&k), "{kind:?} lacks {k}");
        }
    }
    let html = stdout(&thematic(&[
        "report",
        root.to_str().unwrap(),
        "matrix",
        "-f",
        "html",
    ]));
    // Heatmap, coverage bars and codebook on one page; printable.
    for needle in [
        "class=\"heatmap\"",
        "class=\"coverage\"",
        "class=\"codebook\"",
        "@media print",
        "position: sticky",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
}

#[test]
fn html_escapes_text_and_addresses() {
    let (_dir, root) = sample_copy();
    // A definition with markup and an address.
    let cb = root.join("codebook.ron");
    let text = fs::read_to_string(&cb).unwrap();
    let text = text.replacen(
        "description: \"How clinicians",
        "description: \"<script>alert(1)</script> see https://example.org & How clinicians",
        1,
    );
    fs::write(&cb, text).unwrap();
    let html = stdout(&thematic(&[
        "report",
        root.to_str().unwrap(),
        "codebook",
        "-f",
        "html",
    ]));
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("https://"));
    assert!(html.contains("example.org &amp; How clinicians"));
}

#[test]
fn output_file_is_written_whole() {
    let (dir, root) = sample_copy();
    let r = root.to_str().unwrap();
    let target = dir.path().join("matrix.csv");
    let out = thematic(&[
        "report",
        r,
        "matrix",
        "--format",
        "csv",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(out.stdout.is_empty(), "nothing on stdout with -o");
    let written = fs::read_to_string(&target).unwrap();
    assert_eq!(
        written,
        stdout(&thematic(&["report", r, "matrix", "--format", "csv"]))
    );
    // Overwrites an existing file; leaves no temp file behind.
    let out = thematic(&[
        "report",
        r,
        "coverage",
        "-f",
        "md",
        "--output",
        target.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(fs::read_to_string(&target).unwrap().starts_with("| key |"));
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    // A folder that does not exist: exit 1, nothing written.
    let out = thematic(&[
        "report",
        r,
        "matrix",
        "-o",
        dir.path().join("no/such/x.csv").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    // Reports never touch the project.
    assert!(!root.join(".thematic").join("lock").exists());
}

#[test]
fn bad_usage_exits_2_with_a_message() {
    let (_dir, root) = sample_copy();
    let r = root.to_str().unwrap();
    let cases: &[&[&str]] = &[
        &["report", r, "nonsense"],
        &["report", r, "matrix", "--format", "pdf"],
        &["report", r, "matrix", "--depth", "0"],
        &["report", r, "matrix", "--depth", "x"],
        &["report", r, "matrix", "--by", "weight"],
        &["report", r, "coverage", "--depth", "2"],
        &["report", r, "matrix", "--code", "x"],
        &["report", r, "segments", "--construct", "nobody"],
        &["report", r],
        &["report"],
    ];
    for args in cases {
        let out = thematic(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.trim().is_empty(), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let err = String::from_utf8(thematic(&["report", r, "nonsense"]).stderr).unwrap();
    assert!(
        err.contains("unknown report `nonsense`") && err.contains("matrix"),
        "{err}"
    );
    let err = String::from_utf8(thematic(&["report", r, "matrix", "-f", "pdf"]).stderr).unwrap();
    assert!(err.contains("unknown format `pdf`"), "{err}");
}

#[test]
fn failures_exit_1() {
    let (dir, root) = sample_copy();
    let r = root.to_str().unwrap();
    let not_a_project = dir.path().to_str().unwrap();
    for args in [
        vec!["report", not_a_project, "coverage"],
        vec!["report", r, "segments", "--code", "No such theme"],
        vec!["report", r, "segments", "--study", "nobody-1999"],
    ] {
        let out = thematic(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
    }
}

#[test]
fn segments_filter_on_the_command_line() {
    let r = sample();
    let r = r.to_str().unwrap();
    let all = stdout(&thematic(&["report", r, "segments", "-f", "csv"]));
    assert_eq!(all.lines().count(), 1 + 217);
    let theme = stdout(&thematic(&[
        "report",
        r,
        "segments",
        "--code",
        "The use and misuse of diagnosis",
        "-f",
        "csv",
    ]));
    assert_eq!(
        theme.lines().count(),
        1 + 36,
        "the theme and its descendants"
    );
    let one = stdout(&thematic(&[
        "report",
        r,
        "segments",
        "--code",
        "The use and misuse of diagnosis",
        "--study",
        "okafor-2019",
        "--construct",
        "author",
        "-f",
        "json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&one).unwrap();
    let segs = v["segments"].as_array().unwrap();
    assert!(!segs.is_empty());
    for s in segs {
        assert_eq!(s["study"], "okafor-2019");
        assert_eq!(s["construct"], "Author");
        assert!(
            s["code"]
                .as_str()
                .unwrap()
                .starts_with("The use and misuse of diagnosis/")
        );
        assert!(s["before"].as_str().unwrap().chars().count() <= 80);
    }
}

#[test]
fn table_fits_the_terminal_width() {
    let r = sample();
    for kind in Kind::ALL {
        for cols in ["60", "100", "160"] {
            let out = Command::new(env!("CARGO_BIN_EXE_thematic"))
                .args(["report", r.to_str().unwrap(), kind.label()])
                .env("COLUMNS", cols)
                .output()
                .unwrap();
            let text = stdout(&out);
            let w: usize = cols.parse().unwrap();
            for l in text.lines() {
                assert!(
                    report::table::width(l) <= w,
                    "{kind:?} at {w}: {} columns: {l}",
                    report::table::width(l)
                );
            }
        }
    }
}

/// The same state gives the same bytes (no timestamps, no hash order).
#[test]
fn output_is_deterministic() {
    let r = sample();
    for kind in Kind::ALL {
        for f in ["table", "csv", "md", "json", "html"] {
            let a = thematic(&["report", r.to_str().unwrap(), kind.label(), "-f", f]);
            let b = thematic(&["report", r.to_str().unwrap(), kind.label(), "-f", f]);
            assert_eq!(a.stdout, b.stdout, "{kind:?} {f}");
        }
    }
}

#[test]
fn snapshots_of_the_sample() {
    let r = sample();
    let r = r.to_str().unwrap();
    let runs: &[(&str, &[&str])] = &[
        ("coverage_table", &["coverage"]),
        ("coverage_md", &["coverage", "-f", "md"]),
        ("matrix_table", &["matrix"]),
        ("matrix_md", &["matrix", "-f", "md"]),
        ("matrix_depth2_table", &["matrix", "--depth", "2"]),
        (
            "matrix_presence_md",
            &["matrix", "--by", "presence", "-f", "md"],
        ),
        ("matrix_coverage_table", &["matrix", "--by", "coverage"]),
        ("codebook_table", &["codebook"]),
        ("codebook_md", &["codebook", "-f", "md"]),
        ("appraisal_table", &["appraisal"]),
        ("appraisal_md", &["appraisal", "-f", "md"]),
        ("characteristics_table", &["characteristics"]),
        (
            "segments_table",
            &[
                "segments",
                "--code",
                "The use and misuse of diagnosis/Diagnosis as gatekeeper",
            ],
        ),
        (
            "segments_md",
            &[
                "segments",
                "--code",
                "The use and misuse of diagnosis/Diagnosis as gatekeeper",
                "-f",
                "md",
            ],
        ),
    ];
    for (name, args) in runs {
        let mut full = vec!["report", r];
        full.extend_from_slice(args);
        insta::assert_snapshot!(*name, stdout(&thematic(&full)));
    }
}
