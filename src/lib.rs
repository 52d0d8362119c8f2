//! thematic: a terminal workstation for qualitative evidence synthesis.

pub mod model;
pub mod text;
pub mod store;
pub mod cli;
