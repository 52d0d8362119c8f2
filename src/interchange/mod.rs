//! Interchange with the rest of the field: REFI-QDA projects and codebooks (NVivo,
//! ATLAS.ti, MAXQDA, QualCoder), references from reference managers, and Word/ODF
//! documents.

pub mod docs;
pub mod refi;
pub mod refs;
