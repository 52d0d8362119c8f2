//! `studies/<key>.ron`: one included paper, its sources and its codings.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Id;

/// Whose voice a coded span carries (the "construct" of meta-ethnography).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub enum Construct {
    /// First-order: a participant's own words (a quote).
    Participant,
    /// Second-order: the study authors' interpretation.
    Author,
    /// Third-order: the reviewer's interpretation.
    Reviewer,
    /// Not yet set (imported codings).
    #[default]
    Unspecified,
}

impl Construct {
    pub const ALL: [Construct; 4] = [
        Construct::Participant,
        Construct::Author,
        Construct::Reviewer,
        Construct::Unspecified,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Construct::Participant => "participant",
            Construct::Author => "author",
            Construct::Reviewer => "reviewer",
            Construct::Unspecified => "unspecified",
        }
    }

    /// The next type in the picker's toggle cycle.
    pub fn next(self) -> Construct {
        match self {
            Construct::Participant => Construct::Author,
            Construct::Author => Construct::Reviewer,
            Construct::Reviewer | Construct::Unspecified => Construct::Participant,
        }
    }

    pub fn parse(s: &str) -> Option<Construct> {
        let s = s.to_ascii_lowercase();
        Construct::ALL
            .into_iter()
            .find(|c| c.label() == s || format!("{c:?}").to_ascii_lowercase() == s)
    }
}

/// A bibliographic reference.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Citation {
    /// `"Family, Given"`.
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub year: Option<i32>,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub journal: String,
    /// Lower case, without a URL prefix.
    #[serde(default)]
    pub doi: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub volume: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub issue: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub pages: String,
}

impl Citation {
    /// `Okafor & Reyes (2019)` / `Okafor et al. (2019)`.
    pub fn short(&self) -> String {
        let family = |a: &String| a.split(',').next().unwrap_or(a).trim().to_string();
        let who = match self.authors.as_slice() {
            [] => String::from("Anon."),
            [a] => family(a),
            [a, b] => format!("{} & {}", family(a), family(b)),
            [a, ..] => format!("{} et al.", family(a)),
        };
        match self.year {
            Some(y) => format!("{who} ({y})"),
            None => format!("{who} (n.d.)"),
        }
    }
}

/// An answer to one appraisal question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    Yes,
    No,
    CantTell,
    NotApplicable,
}

/// The answer to one item of an appraisal tool, with the reviewer's reasons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppraisalItem {
    /// The item's number or id within the tool (`1`..`10` for CASP).
    pub item: String,
    pub answer: Answer,
    #[serde(default)]
    pub note: String,
}

/// A quality appraisal of a study (by default the CASP qualitative checklist).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appraisal {
    pub tool: String,
    pub items: Vec<AppraisalItem>,
    /// The reviewer's overall judgement, in words.
    #[serde(default)]
    pub overall: String,
}

/// The ten questions of the CASP qualitative studies checklist (2018).
pub const CASP_QUESTIONS: [&str; 10] = [
    "Was there a clear statement of the aims of the research?",
    "Is a qualitative methodology appropriate?",
    "Was the research design appropriate to address the aims of the research?",
    "Was the recruitment strategy appropriate to the aims of the research?",
    "Was the data collected in a way that addressed the research issue?",
    "Has the relationship between researcher and participants been adequately considered?",
    "Have ethical issues been taken into consideration?",
    "Was the data analysis sufficiently rigorous?",
    "Is there a clear statement of findings?",
    "How valuable is the research?",
];

/// One text of a study to be coded (usually its results section).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub id: Id,
    pub name: String,
    /// Relative to `studies/`.
    pub file: String,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// Length in code points.
    pub chars: u32,
}

/// One span of one source tagged with one code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coding {
    pub id: Id,
    pub source: Id,
    /// Code points from the start of the source, end exclusive.
    pub start: u32,
    pub end: u32,
    pub code: Id,
    /// The reviewer who made it.
    pub by: Id,
    /// When it was made: RFC 3339 UTC timestamp.
    #[serde(default)]
    pub at: String,
    /// When it was last changed (its code, span or note), if ever: RFC 3339 UTC.
    /// A merge that finds a coding changed differently on both sides prefers the
    /// later edit.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub edited: String,

    #[serde(default)]
    pub construct: Construct,
    /// The text the span covers, so that diffs show what was coded and the coding
    /// can be re-anchored if its source changes.
    pub quote: String,
    #[serde(default)]
    pub note: String,
    /// Set when the coding could not be placed in its source's current text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
}

impl Coding {
    /// When it last changed: its edit time, else when it was made.
    pub fn last_changed(&self) -> &str {
        if self.edited.is_empty() {
            &self.at
        } else {
            &self.edited
        }
    }
}

/// The contents of `studies/<key>.ron`.

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Study {
    pub format: u32,
    pub id: Id,
    pub key: String,
    #[serde(default)]
    pub citation: Citation,
    #[serde(default)]
    pub characteristics: BTreeMap<String, String>,
    #[serde(default)]
    pub appraisal: Option<Appraisal>,
    #[serde(default)]
    pub memo: String,
    #[serde(default)]
    pub sources: Vec<Source>,
    #[serde(default)]
    pub codings: Vec<Coding>,
}

/// The parts of a study that are not its sources or codings; edited as a unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StudyInfo {
    pub key: String,
    pub citation: Citation,
    pub characteristics: BTreeMap<String, String>,
    pub appraisal: Option<Appraisal>,
    pub memo: String,
}

impl Study {
    pub fn new(key: &str) -> Self {
        Study {
            format: super::FORMAT,
            id: Id::new(),
            key: key.to_string(),
            citation: Citation::default(),
            characteristics: BTreeMap::new(),
            appraisal: None,
            memo: String::new(),
            sources: Vec::new(),
            codings: Vec::new(),
        }
    }

    pub fn info(&self) -> StudyInfo {
        StudyInfo {
            key: self.key.clone(),
            citation: self.citation.clone(),
            characteristics: self.characteristics.clone(),
            appraisal: self.appraisal.clone(),
            memo: self.memo.clone(),
        }
    }

    pub fn set_info(&mut self, info: StudyInfo) -> StudyInfo {
        let old = self.info();
        self.key = info.key;
        self.citation = info.citation;
        self.characteristics = info.characteristics;
        self.appraisal = info.appraisal;
        self.memo = info.memo;
        old
    }

    pub fn source(&self, id: Id) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    fn source_rank(&self, id: Id) -> usize {
        self.sources
            .iter()
            .position(|s| s.id == id)
            .unwrap_or(usize::MAX)
    }

    /// The canonical sort key of a coding within this study.
    pub fn coding_key(&self, c: &Coding) -> (usize, u32, u32, Id) {
        (self.source_rank(c.source), c.start, c.end, c.id)
    }

    /// Sort codings canonically: by source (its order in `sources`), start, end, id.
    pub fn sort_codings(&mut self) {
        let ranks: std::collections::HashMap<Id, usize> = self
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id, i))
            .collect();
        // Cached: the key looks up a hash map, once per coding rather than per comparison.
        self.codings.sort_by_cached_key(|c| {
            (
                ranks.get(&c.source).copied().unwrap_or(usize::MAX),
                c.start,
                c.end,
                c.id,
            )
        });
    }

    /// Insert a coding at its canonical position (replacing one with the same id).
    pub fn put_coding(&mut self, coding: Coding) -> Option<Coding> {
        let old = self
            .codings
            .iter()
            .position(|c| c.id == coding.id)
            .map(|i| self.codings.remove(i));
        let key = self.coding_key(&coding);
        let at = self.codings.partition_point(|c| self.coding_key(c) < key);
        self.codings.insert(at, coding);
        old
    }

    pub fn remove_coding(&mut self, id: Id) -> Option<Coding> {
        let i = self.codings.iter().position(|c| c.id == id)?;
        Some(self.codings.remove(i))
    }
}
