//! Numbers about a review — coverage, counts per code — computed in one place for
//! the workstation, the command line and every report format.

mod tally;

pub use tally::{StudyTally, Tally, covered};
