//! Numbers about a review — coverage, counts per code, the theme × study matrix,
//! retrieval — computed in one place for the workstation, the command line and
//! every report format (terminal table, CSV, Markdown, JSON, HTML).

mod appraisal;
mod characteristics;
mod codebook;
mod coverage;
mod document;
mod html;
mod matrix;
mod segments;
pub mod table;
mod tally;
mod texts;
mod words;

pub use appraisal::{AppraisalReport, AppraisalRow, answer_label};
pub use characteristics::{CharacteristicsReport, CharacteristicsRow};
pub use codebook::{CodebookReport, CodebookRow};
pub use coverage::{ByConstruct, Coverage, CoverageRow};
pub use document::{Document, Format, Kind, Options, Report, build, csv, markdown, render};
pub use html::escape as escape_html;
pub use matrix::{Matrix, MatrixBy, MatrixReport, MatrixRow};
pub use segments::{
    CONTEXT, Segment, SegmentFilter, SegmentRow, SegmentsReport, context, segments,
};
pub use tally::{StudyTally, Tally, covered};
pub use texts::{Texts, parallel, per_study};
pub use words::count_words;
