//! Quality appraisal: the CASP answers and overall judgement of every study.

use serde::Serialize;

use crate::model::{Answer, CASP_QUESTIONS, Project};

use super::table::{Column, Table};

/// The words for an answer, as the CASP checklist prints them.
pub fn answer_label(a: Answer) -> &'static str {
    match a {
        Answer::Yes => "Yes",
        Answer::No => "No",
        Answer::CantTell => "Can't tell",
        Answer::NotApplicable => "N/A",
    }
}

fn answer_short(a: Answer) -> &'static str {
    match a {
        Answer::Yes => "Y",
        Answer::No => "N",
        Answer::CantTell => "?",
        Answer::NotApplicable => "NA",
    }
}

/// One study's appraisal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppraisalRow {
    pub key: String,
    pub appraised: bool,
    /// The tool named in the appraisal (empty when not appraised).
    pub tool: String,
    /// Answers to CASP questions 1–10 (`None`: not answered).
    pub answers: Vec<Option<Answer>>,
    /// The overall judgement, or "not appraised".
    pub overall: String,
}

/// Every study, appraised or not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppraisalReport {
    /// The ten CASP questions, for headers and legends.
    pub questions: Vec<String>,
    pub studies: Vec<AppraisalRow>,
}

/// Appraisal items are numbered `1`..`10`; `Q1` and `q1` are accepted too.
fn item_number(item: &str) -> Option<usize> {
    let t = item.trim();
    let t = t.strip_prefix(['Q', 'q']).unwrap_or(t);
    t.parse().ok()
}

impl AppraisalReport {
    pub fn compute(p: &Project) -> AppraisalReport {
        let studies = p
            .studies
            .iter()
            .map(|s| match &s.appraisal {
                None => AppraisalRow {
                    key: s.key.clone(),
                    appraised: false,
                    tool: String::new(),
                    answers: vec![None; CASP_QUESTIONS.len()],
                    overall: "not appraised".into(),
                },
                Some(a) => AppraisalRow {
                    key: s.key.clone(),
                    appraised: true,
                    tool: a.tool.clone(),
                    answers: (1..=CASP_QUESTIONS.len())
                        .map(|q| {
                            a.items
                                .iter()
                                .find(|it| item_number(&it.item) == Some(q))
                                .map(|it| it.answer)
                        })
                        .collect(),
                    overall: a.overall.clone(),
                },
            })
            .collect();
        AppraisalReport {
            questions: CASP_QUESTIONS.iter().map(|q| q.to_string()).collect(),
            studies,
        }
    }

    /// As rows and columns; `short` answers (Y N ? NA) with a legend, for terminals.
    pub fn table(&self, short: bool) -> Table {
        let mut cols = vec![Column::text("key")];
        cols.extend((1..=CASP_QUESTIONS.len()).map(|q| Column::text(&format!("Q{q}"))));
        cols.push(Column::flex("overall"));
        let mut t = Table::new(cols);
        for s in &self.studies {
            let mut v = vec![s.key.clone()];
            v.extend(s.answers.iter().map(|a| {
                a.map(|a| {
                    if short {
                        answer_short(a)
                    } else {
                        answer_label(a)
                    }
                })
                .unwrap_or_default()
                .to_string()
            }));
            v.push(s.overall.clone());
            t.rows.push(v);
        }
        if short {
            t.notes.push(
                "Y yes · N no · ? can't tell · NA not applicable (CASP qualitative checklist)"
                    .into(),
            );
            t.notes.push(
                self.questions
                    .iter()
                    .enumerate()
                    .map(|(i, q)| format!("Q{} {q}", i + 1))
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
        }
        t
    }
}
