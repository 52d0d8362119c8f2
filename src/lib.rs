//! thematic: a terminal workstation for qualitative evidence synthesis.

pub mod app;
pub mod cli;
pub mod interchange;
pub mod merge;
pub mod model;
pub mod par;
pub mod report;
pub mod runtime;
pub mod store;
pub mod synth;
pub mod text;
pub mod ui;
