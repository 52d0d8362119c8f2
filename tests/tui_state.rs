//! The workstation's state machine, driven by key scripts on a copy of the sample
//! project, with every edit saved through the real store. No terminal.

mod support;

use support::Harness;
use thematic::app::{Effect, Overlay, Pane};
use thematic::model::{CodeKind, Construct};

fn text_slice(h: &Harness, start: u32, end: u32) -> String {
    h.app.text.as_ref().unwrap().slice(start, end).to_string()
}

#[test]
fn starts_on_the_first_study_with_studies_focused() {
    let h = Harness::sample();
    assert_eq!(h.app.focus, Pane::Studies);
    assert_eq!(h.app.open_study().unwrap().key, "achterberg-2020");
    assert!(h.app.text.is_some());
    assert!(h.app.overlays.is_empty(), "no welcome overlay");
}

#[test]
fn selecting_a_sentence_and_coding_it_with_a_new_code() {
    let mut h = Harness::sample();
    let before = h.on_disk();
    h.keys("2 } v ) c \"Sample size\" enter");
    let codings = h.codings_of("Sample size");
    assert_eq!(codings.len(), 1, "{:?}", h.app.message);
    let c = &codings[0];
    assert!(
        c.quote.starts_with("Sixteen clinicians participated"),
        "{:?}",
        c.quote
    );
    assert!(
        c.quote.ends_with('.'),
        "trailing space trimmed: {:?}",
        c.quote
    );
    assert_eq!(c.quote, text_slice(&h, c.start, c.end));
    assert_eq!(c.construct, Construct::Participant);
    assert_eq!(h.app.anchor, None, "the selection ends once coded");
    // On disk at once.
    let disk = h.on_disk();
    let id = disk.codebook.resolve("Sample size").expect("code saved");
    assert!(
        disk.codings()
            .any(|(_, x)| x.code == id && x.quote == c.quote)
    );
    // One undo takes back both the new code and the coding, on disk too.
    h.keys("u");
    assert_eq!(h.on_disk(), before);
    assert_eq!(h.app.project, before);
    h.keys("ctrl-r");
    assert_eq!(h.codings_of("Sample size").len(), 1);
}

#[test]
fn the_picker_takes_the_best_match_and_toggles_the_construct() {
    let mut h = Harness::sample();
    h.keys("2 } v ) c tab \"opens doors\" enter");
    let p = &h.app.project;
    let (_, c) = p
        .codings()
        .max_by_key(|(_, c)| c.at.clone())
        .expect("a coding");
    assert!(
        p.codebook
            .path(c.code)
            .ends_with("Diagnosis opens doors to care"),
        "{}",
        p.codebook.path(c.code)
    );
    assert_eq!(c.construct, Construct::Author);
    assert_eq!(h.app.recent.first(), Some(&c.code));
}

#[test]
fn a_path_creates_the_missing_codes_and_ctrl_o_forces_a_new_one() {
    let mut h = Harness::sample();
    h.keys("2 } v ) c \"New theme/New sub/New code\" enter");
    let cb = &h.app.project.codebook;
    let id = cb
        .resolve("New theme/New sub/New code")
        .expect("path created");
    assert_eq!(cb.depth(id), 3);
    assert_eq!(h.codings_of("New theme/New sub/New code").len(), 1);
    // "Diagnosis" matches existing codes; ctrl-o makes a new top-level one anyway.
    h.keys("v ) c \"Diagnosis\" ctrl-o");
    assert!(h.app.project.codebook.resolve("Diagnosis").is_some());
    // Undo twice returns to the sample exactly.
    h.keys("u u");
    assert_eq!(h.app.project, Harness::sample().app.project);
}

#[test]
fn x_removes_the_coding_under_the_cursor_and_asks_when_there_are_several() {
    let mut h = Harness::sample();
    h.keys("2 } v w c \"Alpha\" enter");
    // The cursor was left at the next word: go back and code the same word again.
    h.keys("b v w c \"Beta\" enter b");
    assert_eq!(h.app.codings_at(h.app.cursor).len(), 2);
    h.keys("x");
    assert!(matches!(
        h.app.overlays.last(),
        Some(Overlay::Choose { .. })
    ));
    h.keys("enter");
    assert_eq!(h.app.codings_at(h.app.cursor).len(), 1);
    h.keys("x");
    assert_eq!(
        h.app.codings_at(h.app.cursor).len(),
        0,
        "one coding left: removed without asking"
    );
    assert!(h.codings_of("Alpha").is_empty() && h.codings_of("Beta").is_empty());
    assert!(h.on_disk().codings().all(|(_, c)| c.quote != "Sixteen "));
}

#[test]
fn escape_closes_overlays_then_cancels_the_selection_and_q_quits() {
    let mut h = Harness::sample();
    h.keys("2 v w c");
    assert_eq!(h.app.overlays.len(), 1);
    h.keys("esc");
    assert!(h.app.overlays.is_empty());
    assert!(h.app.anchor.is_some());
    h.keys("esc");
    assert!(h.app.anchor.is_none());
    h.keys("?");
    assert!(matches!(h.app.overlays.last(), Some(Overlay::Help { .. })));
    h.keys("q");
    assert!(h.app.overlays.is_empty(), "q closes an overlay");
    assert!(!h.seen.contains(&Effect::Quit));
    h.keys("q");
    assert!(h.seen.contains(&Effect::Quit));
}

#[test]
fn panes_cycle_with_tab_and_jump_with_numbers() {
    let mut h = Harness::sample();
    h.keys("tab");
    assert_eq!(h.app.focus, Pane::Text);
    h.keys("tab");
    assert_eq!(h.app.focus, Pane::Codes);
    h.keys("tab");
    assert_eq!(h.app.focus, Pane::Studies);
    h.keys("shift-tab");
    assert_eq!(h.app.focus, Pane::Codes);
    h.keys("1");
    assert_eq!(h.app.focus, Pane::Studies);
}

#[test]
fn studies_open_with_enter() {
    let mut h = Harness::sample();
    h.keys("j j enter");
    assert_eq!(h.app.open_study().unwrap().key, "fitzgerald-2016");
    assert_eq!(h.app.focus, Pane::Text);
    h.keys("1 G enter");
    assert_eq!(h.app.open_study().unwrap().key, "silva-2021");
    h.keys("1 g enter");
    assert_eq!(h.app.open_study().unwrap().key, "achterberg-2020");
}

#[test]
fn text_motions_stay_on_grapheme_boundaries() {
    let mut h = Harness::sample();
    h.keys("2");
    let t = h.app.text.clone().unwrap();
    for script in [
        "w", "w", "b", ")", ")", "(", "}", "{", "j", "j", "k", "l", "h", "$", "0", "ctrl-d",
        "ctrl-u", "G", "g",
    ] {
        let before = h.app.cursor;
        h.keys(script);
        assert!(
            t.is_grapheme_boundary(h.app.cursor),
            "{script} from {before}"
        );
        assert!(h.app.cursor < t.chars(), "{script}");
    }
    h.keys("G");
    assert!(h.app.cursor > 0);
    h.keys("g");
    assert_eq!(h.app.cursor, 0);
    // j then k returns to the same place.
    h.keys("} w");
    let at = h.app.cursor;
    h.keys("j k");
    assert_eq!(h.app.cursor, at);
}

#[test]
fn search_finds_matches_forward_and_back() {
    let mut h = Harness::sample();
    h.keys("2 / \"diagnosis\" enter");
    let t = h.app.text.clone().unwrap();
    let first = h.app.cursor;
    assert_eq!(t.slice(first, first + 9).to_lowercase(), "diagnosis");
    h.keys("n");
    let second = h.app.cursor;
    assert!(second > first);
    assert_eq!(t.slice(second, second + 9).to_lowercase(), "diagnosis");
    h.keys("N");
    assert_eq!(h.app.cursor, first);
}

#[test]
fn codes_pane_add_rename_kind_reorder_and_undo_all() {
    let mut h = Harness::sample();
    let original = h.app.project.clone();
    let theme = h.app.selected_code().unwrap();
    h.keys("3 a \"Child code\" enter");
    let child = h
        .app
        .project
        .codebook
        .resolve("The use and misuse of diagnosis/Child code")
        .expect("child added");
    assert_eq!(h.app.selected_code(), Some(child));
    h.keys("r ctrl-u \"Renamed\" enter");
    assert_eq!(h.app.project.codebook.get(child).unwrap().name, "Renamed");
    h.keys("t");
    assert_eq!(
        h.app.project.codebook.get(child).unwrap().kind,
        CodeKind::DescriptiveTheme
    );
    let before: Vec<_> = h
        .app
        .project
        .codebook
        .children(Some(theme))
        .map(|c| c.id)
        .collect();
    h.keys("K");
    let after: Vec<_> = h
        .app
        .project
        .codebook
        .children(Some(theme))
        .map(|c| c.id)
        .collect();
    assert_eq!(
        after[after.len() - 2],
        child,
        "moved up one place: {before:?} → {after:?}"
    );
    assert_eq!(h.on_disk().codebook, h.app.project.codebook);
    h.keys("u u u u");
    assert_eq!(h.app.project, original);
    assert_eq!(h.on_disk(), original);
}

#[test]
fn merging_a_code_moves_its_codings_and_keeps_its_definition() {
    let mut h = Harness::sample();
    let cb = &h.app.project.codebook;
    let from = cb
        .resolve(
            "The use and misuse of diagnosis/Diagnosis as gatekeeper/Diagnosis opens doors to care",
        )
        .unwrap();
    let into = cb.resolve("The use and misuse of diagnosis/Diagnosis as gatekeeper/Diagnosis as grounds for exclusion").unwrap();
    let n_from = h
        .app
        .project
        .codings()
        .filter(|(_, c)| c.code == from)
        .count();
    let n_into = h
        .app
        .project
        .codings()
        .filter(|(_, c)| c.code == into)
        .count();
    assert!(n_from > 0);
    h.app.reveal_code(from);
    h.keys("3 M \"grounds for exclusion\" enter");
    let p = &h.app.project;
    assert!(p.codebook.get(from).is_none());
    assert_eq!(
        p.codings().filter(|(_, c)| c.code == into).count(),
        n_from + n_into
    );
    assert!(
        p.codebook
            .get(into)
            .unwrap()
            .memo
            .contains("merged from Diagnosis opens doors to care")
    );
    assert_eq!(h.on_disk(), h.app.project);
    h.keys("u");
    assert_eq!(h.app.project, Harness::sample().app.project);
}

#[test]
fn moving_a_code_under_another() {
    let mut h = Harness::sample();
    let cb = &h.app.project.codebook;
    let code = cb
        .resolve("The use and misuse of diagnosis/Stigma and the label")
        .unwrap();
    h.app.reveal_code(code);
    h.keys("3 m \"Therapeutic relationships\" enter");
    let cb = &h.app.project.codebook;
    assert_eq!(
        cb.path(code),
        "Therapeutic relationships: connection and distance/Stigma and the label"
    );
    // Its own subtree is not offered as a destination.
    h.keys("m \"Stigma and the label\"");
    if let Some(Overlay::Picker(p)) = h.app.overlays.last() {
        assert!(p.entries.iter().all(|e| e.id != Some(code)));
    } else {
        panic!("picker open");
    }
}

#[test]
fn deleting_a_code_moves_its_codings_to_the_parent_after_asking() {
    let mut h = Harness::sample();
    let cb = &h.app.project.codebook;
    let path =
        "The use and misuse of diagnosis/Diagnosis as gatekeeper/Diagnosis opens doors to care";
    let code = cb.resolve(path).unwrap();
    let parent = cb.get(code).unwrap().parent.unwrap();
    let n = h
        .app
        .project
        .codings()
        .filter(|(_, c)| c.code == code)
        .count();
    h.app.reveal_code(code);
    h.keys("3 D");
    assert!(matches!(
        h.app.overlays.last(),
        Some(Overlay::Confirm { .. })
    ));
    h.keys("n");
    assert!(h.app.project.codebook.get(code).is_some(), "n cancels");
    h.keys("D y");
    assert!(h.app.project.codebook.get(code).is_none());
    assert_eq!(
        h.app
            .project
            .codings()
            .filter(|(_, c)| c.code == parent)
            .count(),
        n
    );
    // A top-level theme with codings has nowhere to send them: refused.
    let mut h = Harness::sample();
    let top = h
        .app
        .project
        .codebook
        .resolve("The use and misuse of diagnosis")
        .unwrap();
    h.keys("3 3 a \"tmp\" enter");
    let tmp = h
        .app
        .project
        .codebook
        .resolve("The use and misuse of diagnosis/tmp")
        .unwrap();
    h.keys("2 } v w c \"The use and misuse of diagnosis\" enter");
    assert!(h.app.project.codings().any(|(_, c)| c.code == top));
    h.app.reveal_code(top);
    h.keys("3 D");
    assert!(h.app.overlays.is_empty());
    assert!(h.app.message.as_ref().unwrap().error);
    assert!(h.app.project.codebook.get(top).is_some() && h.app.project.codebook.get(tmp).is_some());
}

#[test]
fn memos_go_through_the_editor_and_undo() {
    let mut h = Harness::sample();
    h.editor = Some("A memo about this study.\n".into());
    let study = h.app.project.studies[0].id;
    h.keys("e");
    assert!(
        h.seen
            .iter()
            .any(|e| matches!(e, Effect::EditExternal { .. }))
    );
    assert_eq!(
        h.app.project.study(study).unwrap().memo,
        "A memo about this study."
    );
    assert_eq!(
        h.on_disk().study(study).unwrap().memo,
        "A memo about this study."
    );
    h.keys("u");
    assert_eq!(h.app.project, Harness::sample().app.project);
}

#[test]
fn editing_a_coding_note_stamps_the_edit_time_and_keeps_when_it_was_made() {
    let mut h = Harness::sample();
    h.keys("2 } v ) c \"Zeta code\" enter {");
    let made = h.codings_of("Zeta code");
    assert_eq!(made.len(), 1);
    assert!(made[0].edited.is_empty(), "a new coding has no edit time");
    h.editor = Some("Why this span.\n".into());
    h.keys("e");
    let after = h.on_disk();
    let c = after
        .codings()
        .map(|(_, c)| c)
        .find(|c| c.id == made[0].id)
        .unwrap();
    assert_eq!(c.note, "Why this span.");
    assert_eq!(c.at, made[0].at, "when it was made is kept");
    assert!(
        c.edited.len() == 20 && c.edited.ends_with('Z') && c.edited >= c.at,
        "an RFC 3339 edit time: {:?}",
        c.edited
    );
    h.keys("u");
    assert_eq!(
        h.codings_of("Zeta code")[0],
        made[0],
        "undo takes the stamp back too"
    );
}

#[test]
fn a_failed_save_takes_the_edit_back() {
    let mut h = Harness::sample();
    let before = h.app.project.clone();
    h.keys("2 } v ) c \"X\" enter");
    assert_ne!(h.app.project, before);
    h.app.save_failed("disk full".into());
    assert_eq!(h.app.project, before);
    assert!(h.app.message.as_ref().unwrap().text.contains("disk full"));
}

#[test]
fn construct_type_and_the_status_line_name_the_codes_under_the_cursor() {
    let mut h = Harness::sample();
    h.keys("2 } v ) c \"Zeta code\" enter");
    h.keys("{");
    let screen = h.screen();
    assert!(
        screen.lines().last().unwrap().contains("Zeta code"),
        "{screen}"
    );
}

#[test]
fn a_failed_save_of_an_undo_keeps_memory_and_disk_together() {
    let mut h = Harness::sample();
    h.keys("2 } v ) c \"X\" enter");
    let coded = h.app.project.clone();
    h.keys("u");
    // Pretend the undo's save failed: the coding must be back, and undo possible again.
    h.app.save_failed("read-only".into());
    assert_eq!(h.app.project, coded);
    h.keys("u");
    assert_eq!(h.app.project, Harness::sample().app.project);
    h.keys("ctrl-r");
    h.app.save_failed("read-only".into());
    assert_eq!(
        h.app.project,
        Harness::sample().app.project,
        "a failed redo is taken back"
    );
    h.keys("ctrl-r");
    assert_eq!(h.app.project, coded, "and can be redone again");
}

#[test]
fn coverage_view_moves_across_cells_and_opens_retrieval_of_a_cell() {
    let mut h = Harness::sample();
    h.keys("C");
    let Some(Overlay::Coverage(v)) = h.app.overlays.last() else {
        panic!("coverage view open")
    };
    assert_eq!(v.matrix.rows.len(), 6, "six analytical themes at depth 1");
    h.keys("j l l");
    let Some(Overlay::Coverage(v)) = h.app.overlays.last() else {
        panic!()
    };
    let (theme, study) = (v.matrix.rows[1].code, v.matrix.studies[2]);
    let expected = v.matrix.cells[1][2] as usize;
    let p = &h.app.project;
    let by_hand = p
        .study(study)
        .unwrap()
        .codings
        .iter()
        .filter(|c| p.codebook.is_within(c.code, theme))
        .count();
    assert_eq!(expected, by_hand);
    h.keys("enter");
    let Some(Overlay::Retrieval(r)) = h.app.overlays.last() else {
        panic!("retrieval open")
    };
    assert_eq!(r.items.len(), by_hand);
    assert!(r.items.iter().all(|(s, _)| *s == study));
    // Depth and measure change; esc goes back to the matrix.
    h.keys("esc + b");
    let Some(Overlay::Coverage(v)) = h.app.overlays.last() else {
        panic!()
    };
    assert_eq!(v.depth, 2);
    assert!(
        v.matrix
            .cells
            .iter()
            .flatten()
            .all(|&x| x == 0.0 || x == 1.0),
        "presence"
    );
    h.keys("q");
    assert!(h.app.overlays.is_empty());
}

#[test]
fn retrieval_lists_every_coding_of_a_code_and_jumps_to_one() {
    let mut h = Harness::sample();
    let p = &h.app.project;
    let theme = p
        .codebook
        .resolve("Therapeutic relationships: connection and distance")
        .unwrap();
    let n = p
        .codings()
        .filter(|(_, c)| p.codebook.is_within(c.code, theme))
        .count();
    h.app.reveal_code(theme);
    h.keys("3 R");
    let Some(Overlay::Retrieval(r)) = h.app.overlays.last() else {
        panic!("retrieval open")
    };
    assert_eq!(r.items.len(), n);
    assert!(
        h.app.preview.is_some(),
        "context of the first coding loaded"
    );
    h.keys("j j j");
    let Some(Overlay::Retrieval(r)) = h.app.overlays.last() else {
        panic!()
    };
    let (study, coding) = r.items[3];
    h.keys("enter");
    assert!(h.app.overlays.is_empty());
    assert_eq!(h.app.focus, Pane::Text);
    let c = h
        .app
        .project
        .study(study)
        .unwrap()
        .codings
        .iter()
        .find(|c| c.id == coding)
        .unwrap()
        .clone();
    assert_eq!(h.app.open.unwrap().study, study);
    assert_eq!(h.app.cursor, c.start);
    assert_eq!(
        h.app
            .codings_at(h.app.cursor)
            .iter()
            .filter(|x| x.id == coding)
            .count(),
        1
    );
}

/// A second reviewer's codings, as `combine` would bring them: one matching the
/// owner's coding of a passage, one that nobody else made.
fn with_second_reviewer(h: &mut Harness) -> (thematic::model::Id, thematic::model::Id) {
    use thematic::model::{Coding, Edit, Id};
    let other = Id::new();
    let s = h.app.open_study().unwrap().clone();
    let mine = s.codings[0].clone();
    let agree = Coding {
        id: Id::new(),
        by: other,
        note: String::new(),
        ..mine.clone()
    };
    let last = s.codings.last().unwrap().clone();
    let lone_code = h
        .app
        .project
        .codebook
        .codes
        .iter()
        .find(|c| {
            c.id != last.code
                && !h.app.project.codebook.is_within(c.id, last.code)
                && !h.app.project.codebook.is_within(last.code, c.id)
        })
        .unwrap()
        .id;
    let lone = Coding {
        id: Id::new(),
        by: other,
        code: lone_code,
        ..last.clone()
    };
    let (a, l) = (agree.id, lone.id);
    h.app.apply(
        Edit::Batch(vec![
            Edit::PutCoding {
                study: s.id,
                coding: agree,
            },
            Edit::PutCoding {
                study: s.id,
                coding: lone,
            },
        ]),
        "second reviewer",
    );
    (a, l)
}

#[test]
fn the_reviewer_filter_shows_whose_coding_is_whose_and_jumps_to_disagreements() {
    let mut h = Harness::sample();
    h.keys("2");
    let (agree, lone) = with_second_reviewer(&mut h);
    let s = h.app.open_study().unwrap().clone();
    let me = h.app.project.meta.reviewer.id;
    let count = |h: &Harness| s.codings.iter().filter(|c| h.app.shows(&s, c)).count();
    let s = h.app.open_study().unwrap().clone();
    let total = s.codings.len();
    assert_eq!(count(&h), total, "all");
    h.keys("F");
    assert_eq!(
        count(&h),
        s.codings.iter().filter(|c| c.by == me).count(),
        "mine"
    );
    h.keys("F");
    assert_eq!(count(&h), 2, "theirs");
    h.keys("F");
    let both: Vec<_> = s
        .codings
        .iter()
        .filter(|c| h.app.shows(&s, c))
        .map(|c| c.id)
        .collect();
    assert!(
        both.contains(&agree) && !both.contains(&lone),
        "both agree: {both:?}"
    );
    h.keys("F");
    let dis: Vec<_> = s
        .codings
        .iter()
        .filter(|c| h.app.shows(&s, c))
        .map(|c| c.id)
        .collect();
    assert!(dis.contains(&lone) && !dis.contains(&agree));
    assert!(h.screen().lines().last().unwrap().contains("disagreements"));
    // Jump to the next disagreement: the cursor lands on a coding nobody matched.
    h.keys("g >");
    let at = h.app.codings_at(h.app.cursor);
    assert!(!at.is_empty(), "on a disagreement");
    // It starts exactly here, and no earlier coding is a disagreement (g went to the top).
    let study = h.app.open_study().unwrap().clone();
    let cb = h.app.project.codebook.clone();
    let unmatched = |c: &thematic::model::Coding| {
        !thematic::app::reviewers::matched(&study, c, |a, b| cb.is_within(a, b))
    };
    assert!(at.iter().any(|c| c.start == h.app.cursor && unmatched(c)));
    assert!(
        study
            .codings
            .iter()
            .filter(|c| c.start < h.app.cursor && c.start > 0)
            .all(|c| !unmatched(c)),
        "the first disagreement after the top"
    );

    h.keys("F");
    assert_eq!(
        h.app.reviewer_filter,
        thematic::app::reviewers::ReviewerFilter::All
    );
}
