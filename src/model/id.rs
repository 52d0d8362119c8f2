//! Entity identifiers: random UUIDs (v4) that never change once assigned.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The id of any entity (project, reviewer, study, source, code, coding).
///
/// Serialized as the hyphenated lower-case UUID string. Ids are compared and
/// ordered by their 128-bit value, which is the same as ordering the strings.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Id(Uuid);

impl Id {
    /// A fresh random id.
    pub fn new() -> Self {
        Id(Uuid::new_v4())
    }

    /// An id made from a number, for tests and deterministic fixtures.
    pub const fn from_u128(n: u128) -> Self {
        Id(Uuid::from_u128(n))
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl Default for Id {
    fn default() -> Self {
        Id::new()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({})", self.0.hyphenated())
    }
}

impl FromStr for Id {
    type Err = uuid::Error;
    /// Accepts the forms real tools write: hyphenated, braced, upper-case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s.trim()).map(Id)
    }
}

impl From<Uuid> for Id {
    fn from(u: Uuid) -> Self {
        Id(u)
    }
}
