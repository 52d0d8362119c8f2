//! REFI users as reviewers: every user, and anyone a coding names who is not
//! listed; the owner chosen by the user, else the project's creating user, else
//! the first user.

use std::collections::{HashMap, HashSet};

use super::super::read::Doc;
use super::{ImportOptions, claim, default_reviewer};
use crate::model::{Id, Reviewer};

pub(super) struct People {
    pub(super) owner: Reviewer,
    pub(super) collaborators: Vec<Reviewer>,
    /// REFI user GUID → reviewer id.
    pub(super) users: HashMap<String, Id>,
}

pub(super) fn people(doc: &Doc, opts: &ImportOptions, taken: &mut HashSet<Id>) -> People {
    let mut users: HashMap<String, Id> = HashMap::new();
    let mut reviewers: Vec<Reviewer> = Vec::new();
    for (n, u) in doc.users.iter().enumerate() {
        if users.contains_key(&u.guid) {
            continue;
        }
        let id = claim(&u.guid, taken);
        users.insert(u.guid.clone(), id);
        reviewers.push(Reviewer {
            id,
            name: if u.name.is_empty() {
                format!("user {}", n + 1)
            } else {
                u.name.clone()
            },
        });
    }
    let mut unknown_users: Vec<String> = Vec::new();
    {
        let mut note = |g: &Option<String>| {
            if let Some(g) = g
                && !users.contains_key(g)
                && !unknown_users.contains(g)
            {
                unknown_users.push(g.clone());
            }
        };
        for ts in &doc.text_sources {
            note(&ts.creating_user);
            for s in &ts.selections {
                note(&s.creating_user);
                s.codings.iter().for_each(|c| note(&c.creating_user));
            }
            ts.codings.iter().for_each(|c| note(&c.creating_user));
        }
    }
    for g in unknown_users {
        let id = claim(&g, taken);
        users.insert(g.clone(), id);
        reviewers.push(Reviewer {
            id,
            name: format!("unknown user {}", g.get(..8).unwrap_or(&g)),
        });
    }
    let owner_at = match &opts.reviewer {
        Some(name) => match reviewers
            .iter()
            .position(|r| r.name.eq_ignore_ascii_case(name.trim()))
        {
            Some(i) => i,
            None => {
                reviewers.insert(
                    0,
                    Reviewer {
                        id: claim("", taken),
                        name: name.trim().to_string(),
                    },
                );
                0
            }
        },
        None => match doc.creating_user.as_ref().and_then(|g| users.get(g)) {
            Some(id) => reviewers.iter().position(|r| r.id == *id).unwrap_or(0),
            None if !reviewers.is_empty() => 0,
            None => {
                reviewers.push(Reviewer {
                    id: claim("", taken),
                    name: default_reviewer(),
                });
                0
            }
        },
    };
    let owner = reviewers.remove(owner_at);
    let collaborators = reviewers;
    People {
        owner,
        collaborators,
        users,
    }
}

/// `reviewers: Owner (owner), Other, …`
pub(super) fn people_note(owner: &Reviewer, collaborators: &[Reviewer]) -> String {
    if collaborators.is_empty() {
        format!("reviewer: {} (owner)", owner.name)
    } else {
        format!(
            "reviewers: {} (owner), {}",
            owner.name,
            collaborators
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}
