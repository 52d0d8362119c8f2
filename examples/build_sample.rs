//! Rebuild `sample-project/` from the spec in `examples/sample/` (see FORMAT.md there).
//!
//! `cargo run --example build_sample [-- OUT_DIR]`. Texts are read from
//! `OUT_DIR/studies/<key>/results.txt` and never rewritten; the RON files are
//! generated with ids derived from names, so rebuilding gives the same bytes.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thematic::model::*;
use thematic::store::to_ron;
use thematic::text::{SourceText, sha256_hex};

#[derive(Deserialize)]
struct ProjectSpec {
    title: String,
    question: String,
    reviewer: String,
}

#[derive(Deserialize)]
struct CodeSpec {
    path: String,
    kind: CodeKind,
    description: String,
    #[serde(default)]
    memo: String,
}

#[derive(Deserialize)]
struct StudySpec {
    key: String,
    citation: Citation,
    characteristics: BTreeMap<String, String>,
    appraisal: Option<Appraisal>,
    #[serde(default)]
    memo: String,
    codings: Vec<CodingSpec>,
}

#[derive(Deserialize)]
struct CodingSpec {
    code: String,
    construct: Construct,
    quote: String,
    #[serde(default)]
    note: String,
    #[serde(default = "first")]
    occurrence: usize,
}

fn first() -> usize {
    1
}

/// A stable UUID v4-shaped id from a name.
fn id(name: &str) -> Id {
    let h = sha256_hex(format!("thematic-sample:{name}").as_bytes());
    let n = u128::from_str_radix(&h[..32], 16).expect("hex");
    let n = (n & !(0xf << 76) & !(0b11 << 62)) | (0x4 << 76) | (0b10 << 62);
    Id::from_u128(n)
}

fn read_ron<T: for<'de> Deserialize<'de>>(path: &Path) -> T {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ron::from_str(&text).unwrap_or_else(|e| panic!("{}:{e}", path.display()))
}

fn main() {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "sample-project".into()),
    );
    let spec_dir = Path::new("examples/sample");
    let ps: ProjectSpec = read_ron(&spec_dir.join("project.ron"));
    let reviewer = Reviewer {
        id: id("reviewer"),
        name: ps.reviewer,
    };
    let meta = ProjectMeta {
        format: FORMAT,
        id: id("project"),
        title: ps.title,
        question: ps.question,
        reviewer: reviewer.clone(),
        created: "2026-11-02T09:00:00Z".into(),
        collaborators: Vec::new(),
    };

    let mut codebook = Codebook::new();
    let specs: Vec<CodeSpec> = read_ron(&spec_dir.join("codebook.ron"));
    for c in specs {
        let segs = split_path(&c.path);
        let (name, parents) = segs.split_last().expect("a code path is not empty");
        let parent = (!parents.is_empty()).then(|| {
            codebook
                .resolve(&parents.join("/"))
                .unwrap_or_else(|| panic!("parent of `{}` must come first", c.path))
        });
        let code = Code {
            id: id(&format!("code:{}", c.path)),
            parent,
            order: codebook.next_order(parent),
            kind: c.kind,
            name: name.clone(),
            description: c.description,
            color: PALETTE[codebook.codes.len() % PALETTE.len()].to_string(),
            memo: c.memo,
        };
        codebook.codes.push(code);
    }
    codebook.canonicalize();

    let mut files: Vec<PathBuf> = fs::read_dir(spec_dir.join("studies"))
        .expect("examples/sample/studies")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort();
    let mut total = 0;
    let studies_dir = out.join("studies");
    for old in fs::read_dir(&studies_dir).expect("OUT/studies").flatten() {
        if old.path().extension().is_some_and(|e| e == "ron") {
            fs::remove_file(old.path()).expect("remove old study file");
        }
    }
    for f in files {
        let spec: StudySpec = read_ron(&f);
        let file = format!("{}/results.txt", spec.key);
        let bytes = fs::read(studies_dir.join(&file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let text = SourceText::new(String::from_utf8(bytes.clone()).expect("UTF-8 text"));
        let source = Source {
            id: id(&format!("source:{}", spec.key)),
            name: "results".into(),
            file,
            sha256: sha256_hex(&bytes),
            chars: text.chars(),
        };
        let mut study = Study::new(&spec.key);
        study.id = id(&format!("study:{}", spec.key));
        study.citation = spec.citation;
        study.characteristics = spec.characteristics;
        study.appraisal = spec.appraisal;
        study.memo = spec.memo;
        for (n, c) in spec.codings.into_iter().enumerate() {
            let code = codebook
                .resolve(&c.code)
                .unwrap_or_else(|| panic!("{}: no code `{}`", spec.key, c.code));
            let byte = text
                .as_str()
                .match_indices(&c.quote)
                .nth(c.occurrence - 1)
                .unwrap_or_else(|| panic!("{}: quote not found: {}", spec.key, c.quote))
                .0;
            let start = text.cp(byte);
            let end = start + c.quote.chars().count() as u32;
            study.codings.push(Coding {
                id: id(&format!("coding:{}:{n}", spec.key)),
                source: source.id,
                start,
                end,
                code,
                by: reviewer.id,
                at: format!(
                    "2026-11-{:02}T{:02}:{:02}:00Z",
                    3 + total / 60 % 20,
                    9 + n / 60,
                    n % 60
                ),
                edited: String::new(),
                construct: c.construct,

                quote: c.quote,
                note: c.note,
                flag: None,
            });
            total += 1;
        }
        study.sources.push(source);
        study.sort_codings();
        fs::write(
            studies_dir.join(format!("{}.ron", study.key)),
            to_ron(&study),
        )
        .expect("write study");
    }
    fs::write(out.join("codebook.ron"), to_ron(&codebook)).expect("write codebook");
    fs::write(out.join("project.ron"), to_ron(&meta)).expect("write project");
    println!(
        "{}: {} codes, {total} codings",
        out.display(),
        codebook.codes.len()
    );
}
