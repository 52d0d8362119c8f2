//! `project.ron`: the review as a whole and who is doing it.

use serde::{Deserialize, Serialize};

use super::Id;

/// Format version written by this build. Files with a larger number are refused.
pub const FORMAT: u32 = 1;

/// A person who codes: the owner of the project or a collaborator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reviewer {
    pub id: Id,
    pub name: String,
}

/// The contents of `project.ron`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectMeta {
    pub format: u32,
    pub id: Id,
    pub title: String,
    #[serde(default)]
    pub question: String,
    /// The reviewer whose project this is; new codings are made by them.
    pub reviewer: Reviewer,
    /// RFC 3339 UTC timestamp.
    #[serde(default)]
    pub created: String,
    /// Other reviewers whose codings this project holds (from combine or import).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collaborators: Vec<Reviewer>,
}

impl ProjectMeta {
    pub fn new(title: &str, reviewer: &str) -> Self {
        ProjectMeta {
            format: FORMAT,
            id: Id::new(),
            title: title.to_string(),
            question: String::new(),
            reviewer: Reviewer {
                id: Id::new(),
                name: reviewer.to_string(),
            },
            created: super::now(),
            collaborators: Vec::new(),
        }
    }

    /// The name of a reviewer id, if the project knows it.
    pub fn reviewer_name(&self, id: Id) -> Option<&str> {
        std::iter::once(&self.reviewer)
            .chain(&self.collaborators)
            .find(|r| r.id == id)
            .map(|r| r.name.as_str())
    }
}
