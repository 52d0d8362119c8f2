//! Which report, in which format: building a [`Document`] from a project and
//! rendering it as terminal table, CSV, Markdown, JSON or HTML.

use serde_json::json;

use crate::model::Project;
use crate::store::StoreError;

use super::appraisal::AppraisalReport;
use super::characteristics::CharacteristicsReport;
use super::codebook::CodebookReport;
use super::coverage::Coverage;
use super::matrix::{MatrixBy, MatrixReport};
use super::segments::{CONTEXT, SegmentFilter, SegmentsReport};
use super::table::{self, Table};
use super::texts::Texts;

/// The reports there are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Coverage,
    Matrix,
    Codebook,
    Segments,
    Characteristics,
    Appraisal,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Coverage,
        Kind::Matrix,
        Kind::Codebook,
        Kind::Segments,
        Kind::Characteristics,
        Kind::Appraisal,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Kind::Coverage => "coverage",
            Kind::Matrix => "matrix",
            Kind::Codebook => "codebook",
            Kind::Segments => "segments",
            Kind::Characteristics => "characteristics",
            Kind::Appraisal => "appraisal",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        let s = s.trim().to_ascii_lowercase();
        Kind::ALL.into_iter().find(|k| k.label() == s)
    }
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Aligned for a terminal of a given width.
    Table,
    Csv,
    Md,
    Json,
    Html,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Table,
        Format::Csv,
        Format::Md,
        Format::Json,
        Format::Html,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Md => "md",
            Format::Json => "json",
            Format::Html => "html",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "markdown" => Some(Format::Md),
            "txt" | "text" => Some(Format::Table),
            _ => Format::ALL.into_iter().find(|f| f.label() == s),
        }
    }
}

/// Options of the reports that take any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Matrix: tree depth of the rows (1 = top-level codes).
    pub depth: usize,
    /// Matrix: what a cell counts.
    pub by: MatrixBy,
    /// Segments: which codings.
    pub filter: SegmentFilter,
    /// Segments: code points of context on each side.
    pub context: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            depth: 1,
            by: MatrixBy::Codings,
            filter: SegmentFilter::default(),
            context: CONTEXT,
        }
    }
}

/// One report's numbers.
#[derive(Clone, Debug, PartialEq)]
pub enum Report {
    Coverage(Coverage),
    Matrix(MatrixReport),
    Codebook(CodebookReport),
    Segments(SegmentsReport),
    Characteristics(CharacteristicsReport),
    Appraisal(AppraisalReport),
}

impl Report {
    pub fn kind(&self) -> Kind {
        match self {
            Report::Coverage(_) => Kind::Coverage,
            Report::Matrix(_) => Kind::Matrix,
            Report::Codebook(_) => Kind::Codebook,
            Report::Segments(_) => Kind::Segments,
            Report::Characteristics(_) => Kind::Characteristics,
            Report::Appraisal(_) => Kind::Appraisal,
        }
    }

    /// The report as rows and columns, prepared for `format`.
    pub fn table(&self, format: Format) -> Table {
        let decimals = if format == Format::Csv { 2 } else { 1 };
        match self {
            Report::Coverage(r) => r.table(decimals),
            Report::Matrix(r) => r.table(decimals),
            Report::Codebook(r) => r.table(format == Format::Table),
            Report::Segments(r) => r.table(),
            Report::Characteristics(r) => r.table(),
            Report::Appraisal(r) => r.table(format == Format::Table),
        }
    }

    pub fn json(&self) -> serde_json::Value {
        let v = match self {
            Report::Coverage(r) => serde_json::to_value(r),
            Report::Matrix(r) => Ok(r.json()),
            Report::Codebook(r) => serde_json::to_value(r),
            Report::Segments(r) => serde_json::to_value(r),
            Report::Characteristics(r) => serde_json::to_value(r),
            Report::Appraisal(r) => serde_json::to_value(r),
        };
        v.expect("report values serialize")
    }
}

/// What one run of `thematic report` prints: one report (or, as HTML, the
/// overview of matrix, coverage and codebook).
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The review's title and question.
    pub title: String,
    pub question: String,
    pub studies: usize,
    pub codes: usize,
    pub codings: usize,
    /// The report asked for first, then any others the format shows with it.
    pub reports: Vec<Report>,
}

/// Compute what `kind` in `format` shows. Only coverage and segments read texts.
pub fn build(
    p: &Project,
    texts: &dyn Texts,
    kind: Kind,
    opts: &Options,
    format: Format,
) -> Result<Document, StoreError> {
    let mut kinds = vec![kind];
    if format == Format::Html && matches!(kind, Kind::Coverage | Kind::Matrix | Kind::Codebook) {
        kinds.extend(
            [Kind::Matrix, Kind::Coverage, Kind::Codebook]
                .into_iter()
                .filter(|k| *k != kind),
        );
    }
    let reports = kinds
        .into_iter()
        .map(|k| {
            Ok(match k {
                Kind::Coverage => Report::Coverage(Coverage::compute(p, texts)?),
                Kind::Matrix => Report::Matrix(MatrixReport::compute(p, opts.depth, opts.by)),
                Kind::Codebook => Report::Codebook(CodebookReport::compute(p)),
                Kind::Segments => Report::Segments(SegmentsReport::compute(
                    p,
                    &opts.filter,
                    texts,
                    opts.context,
                )?),
                Kind::Characteristics => Report::Characteristics(CharacteristicsReport::compute(p)),
                Kind::Appraisal => Report::Appraisal(AppraisalReport::compute(p)),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Document {
        title: p.meta.title.clone(),
        question: p.meta.question.clone(),
        studies: p.studies.len(),
        codes: p.codebook.codes.len(),
        codings: p.studies.iter().map(|s| s.codings.len()).sum(),
        reports,
    })
}

/// The document as text in `format`; `width` is the terminal width for `Table`.
pub fn render(doc: &Document, format: Format, width: usize) -> String {
    match format {
        Format::Html => super::html::page(doc),
        Format::Json => {
            let mut v = json!({
                "report": doc.reports.first().map(|r| r.kind().label()),
                "project": doc.title,
            });
            if let Some(r) = doc.reports.first() {
                let obj = v.as_object_mut().expect("an object");
                if let serde_json::Value::Object(m) = r.json() {
                    obj.extend(m);
                }
            }
            let mut s = serde_json::to_string_pretty(&v).expect("JSON values serialize");
            s.push('\n');
            s
        }
        _ => {
            let Some(r) = doc.reports.first() else {
                return String::new();
            };
            match (format, r) {
                (Format::Table, Report::Segments(s)) => s.text(width),
                (Format::Table, _) => table::render(&r.table(format), width),
                (Format::Csv, _) => csv(&r.table(format)),
                _ => markdown(&r.table(format)),
            }
        }
    }
}

/// RFC 4180 CSV with a header row; footer rows follow the body, notes are left out.
pub fn csv(t: &Table) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(t.columns.iter().map(|c| c.name.as_str()))
        .expect("writing to memory");
    for r in t.all_rows() {
        w.write_record(r).expect("writing to memory");
    }
    let bytes = w.into_inner().expect("writing to memory");
    String::from_utf8(bytes).expect("UTF-8 in, UTF-8 out")
}

/// A GitHub table: `|` escaped, one line per row, numbers right-aligned.
pub fn markdown(t: &Table) -> String {
    let cell = |s: &str| {
        table::one_line(s)
            .trim()
            .replace('\\', "\\\\")
            .replace('|', "\\|")
    };
    let mut out = String::new();
    let line = |out: &mut String, cells: Vec<String>| {
        out.push('|');
        for c in cells {
            out.push(' ');
            out.push_str(&c);
            out.push_str(" |");
        }
        out.push('\n');
    };
    line(&mut out, t.columns.iter().map(|c| cell(&c.name)).collect());
    line(
        &mut out,
        t.columns
            .iter()
            .map(|c| if c.numeric { "---:" } else { "---" }.to_string())
            .collect(),
    );
    for r in &t.rows {
        line(
            &mut out,
            (0..t.columns.len())
                .map(|i| cell(r.get(i).map_or("", |s| s)))
                .collect(),
        );
    }
    for r in &t.footer {
        line(
            &mut out,
            (0..t.columns.len())
                .map(|i| {
                    let c = cell(r.get(i).map_or("", |s| s));
                    if c.is_empty() { c } else { format!("**{c}**") }
                })
                .collect(),
        );
    }
    for n in &t.notes {
        out.push('\n');
        for l in n.lines() {
            out.push_str(&cell(l));
            out.push_str("  \n");
        }
    }
    out
}
