//! Putting work back together: the three-way merge of one project file (git's merge
//! driver), combining two reviewers' projects, and inter-rater agreement.
pub mod agreement;
pub mod combine;
pub mod restore;
pub mod three_way;
