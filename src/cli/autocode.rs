use std::collections::HashSet;
use std::path::Path;

use regex::RegexBuilder;

use super::{CmdResult, Failure};
use crate::model::{Coding, Construct, Edit, Id, now};
use crate::store::{Mode, Store};

pub fn run(
    dir: &Path,
    code: &str,
    literal: Option<&str>,
    pattern: Option<&str>,
    study: Option<&str>,
    construct: Construct,
) -> CmdResult {
    let re = match (literal, pattern) {
        (Some(""), _) => {
            return Err(Failure::Usage("--match needs some text".into()));
        }
        (Some(l), _) => RegexBuilder::new(&regex::escape(l))
            .case_insensitive(true)
            .build(),
        (None, Some(p)) => RegexBuilder::new(p).build(),
        (None, None) => return Err(Failure::Usage("give --match TEXT or --regex RE".into())),
    }
    .map_err(|e| Failure::Usage(format!("invalid pattern: {e}")))?;

    let opened = Store::open(dir, Mode::Write)?;
    for n in &opened.notices {
        eprintln!("{n}");
    }
    let (mut store, mut project) = (opened.store, opened.project);
    let mut edits = Vec::new();
    let code_id = match project.codebook.resolve(code) {
        Some(id) => id,
        None => {
            let (id, new) = project
                .codebook
                .plan_path(code)
                .ok_or_else(|| Failure::Usage("--code needs a code path or id".into()))?;
            println!("created code {}", code.trim());
            edits.extend(new.into_iter().map(Edit::PutCode));
            id
        }
    };
    let studies: Vec<Id> = match study {
        Some(key) => vec![
            project
                .study_by_key(key)
                .ok_or_else(|| Failure::Failed(format!("no study with key `{key}`")))?
                .id,
        ],
        None => project.studies.iter().map(|s| s.id).collect(),
    };
    let (mut added, mut existing, mut split, mut touched_studies) = (0, 0, 0, 0);
    let at = now();
    for sid in studies {
        let s = project.study(sid).expect("listed above");
        let have: HashSet<(Id, u32, u32)> = s
            .codings
            .iter()
            .filter(|c| c.code == code_id)
            .map(|c| (c.source, c.start, c.end))
            .collect();
        let before = added;
        for src in &s.sources {
            let text = store.read_text(src)?;
            for m in re.find_iter(text.as_str()) {
                if m.is_empty() {
                    continue;
                }
                let (start, end) = (text.cp(m.start()), text.cp(m.end()));
                if !text.is_grapheme_boundary(start) || !text.is_grapheme_boundary(end) {
                    split += 1;
                    continue;
                }
                if have.contains(&(src.id, start, end)) {
                    existing += 1;
                    continue;
                }
                edits.push(Edit::PutCoding {
                    study: sid,
                    coding: Coding {
                        id: Id::new(),
                        source: src.id,
                        start,
                        end,
                        code: code_id,
                        by: project.meta.reviewer.id,
                        at: at.clone(),
                        edited: String::new(),
                        construct,
                        quote: m.as_str().to_string(),
                        note: String::new(),
                        flag: None,
                    },
                });
                added += 1;
            }
        }
        if added > before {
            touched_studies += 1;
        }
    }
    if !edits.is_empty() {
        store.apply(&mut project, Edit::Batch(edits))?;
    }
    let mut msg = format!("added {added} coding(s) in {touched_studies} study(ies)");
    if existing > 0 {
        msg += &format!("; {existing} already coded");
    }
    if split > 0 {
        msg += &format!("; {split} skipped: the match splits a character cluster");
    }
    println!("{msg}");
    Ok(())
}
