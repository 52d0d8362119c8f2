//! One self-contained HTML page: inline CSS, no scripts, nothing fetched from the
//! network. The matrix as a heatmap, coverage as bars, the codebook as a tree.

use std::fmt::Write;

use super::appraisal::AppraisalReport;
use super::codebook::CodebookReport;
use super::coverage::Coverage;
use super::document::{Document, Format, Report};
use super::matrix::{MatrixBy, MatrixReport};
use super::segments::SegmentsReport;
use super::table::Table;

/// Text made safe for HTML content and attribute values. `://` is broken up as
/// well, so that no address in the review's text can appear as a link target.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out.replace("://", ":&#47;&#47;")
}

const STYLE: &str = r#"
:root { --ink: #1f2933; --muted: #616e7c; --rule: #d9e2ec; --paper: #ffffff;
  --accent: #2f6690; --bar: #3a7ca5; --soft: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; padding: 2rem clamp(1rem, 4vw, 3rem); color: var(--ink); background: var(--paper);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
header { border-bottom: 2px solid var(--accent); margin-bottom: 1.5rem; padding-bottom: .75rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .25rem; color: var(--accent); }
.question { margin: .25rem 0; font-style: italic; }
.meta, .caption { color: var(--muted); margin: .25rem 0 .75rem; font-size: .9rem; }
nav a { color: var(--accent); margin-right: 1rem; }
.scroll { display: inline-block; max-width: 100%; overflow: auto; max-height: 85vh;
  border: 1px solid var(--rule); border-radius: 4px; vertical-align: top; }
table { border-collapse: separate; border-spacing: 0; font-size: .85rem; }
th, td { padding: .3rem .5rem; border-bottom: 1px solid var(--rule); vertical-align: top; text-align: left; }
thead th { position: sticky; top: 0; z-index: 2; background: var(--soft); vertical-align: bottom; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.heatmap th[scope=row] { position: sticky; left: 0; z-index: 1; background: var(--paper);
  min-width: 14rem; max-width: 26rem; font-weight: 500; }
table.heatmap thead th:first-child { left: 0; z-index: 3; }
table.heatmap th.study { padding: .4rem .2rem; }
table.heatmap th.study span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
table.heatmap td.cell { text-align: center; min-width: 2.4rem; font-variant-numeric: tabular-nums;
  border: 1px solid var(--paper); }
table.heatmap td.zero { color: #9aa5b1; }
table.heatmap tfoot th, table.heatmap tfoot td { font-weight: 600; border-top: 2px solid var(--ink);
  background: var(--soft); }
table.heatmap tfoot th { position: sticky; left: 0; }
.depth { color: var(--muted); font-size: .75rem; }
table.coverage td.key, table.appraisal td:first-child, table.characteristics td:first-child
  { white-space: nowrap; font-weight: 500; }
table.coverage td.title { min-width: 16rem; max-width: 30rem; }
table.coverage td.bar { min-width: 8rem; width: 10rem; }
table.coverage tfoot th { text-align: left; }
.bar div { background: var(--soft); border: 1px solid var(--rule); height: .9rem; border-radius: 2px; }
.bar span { display: block; height: 100%; background: var(--bar); }
table.codebook td.code { white-space: nowrap; }
.swatch { display: inline-block; width: .7rem; height: .7rem; border-radius: 2px; margin-right: .4rem;
  vertical-align: baseline; border: 1px solid rgba(0,0,0,.2); }
.kind { font-size: .75rem; color: var(--muted); white-space: nowrap; }
.kind-AnalyticalTheme { font-weight: 600; }
td.def { max-width: 40rem; }
td.ans-yes, td.ans-no, td.ans-cant, td.ans-na { white-space: nowrap; }
td.ans-yes { background: #e3f2e1; } td.ans-no { background: #fbe3e1; }
td.ans-cant { background: #fff4d6; } td.ans-na { color: var(--muted); }
article.segment { border-left: 3px solid var(--bar); padding: .25rem .75rem; margin: .75rem 0; }
article.segment h3 { font-size: .85rem; font-weight: 500; margin: 0; color: var(--muted); }
article.segment blockquote { margin: .25rem 0; }
mark { background: #fff1a8; padding: 0 .1rem; }
.note { color: var(--muted); font-size: .85rem; margin: .1rem 0; }
footer { margin-top: 3rem; color: var(--muted); font-size: .8rem; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { padding: 0; font-size: 10pt; }
  nav { display: none; }
  .scroll { overflow: visible; max-height: none; border: none; }
  thead th, table.heatmap th[scope=row], table.heatmap tfoot th { position: static; }
  thead { display: table-header-group; }
  tr, article.segment { break-inside: avoid; }
  section + section { break-before: page; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// The whole page.
pub fn page(doc: &Document) -> String {
    let mut h = String::new();
    let first = doc.reports.first().map_or("report", |r| r.kind().label());
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"thematic\">\n<title>{} — {first}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n",
        escape(&doc.title),
        escape(&doc.title)
    );
    if !doc.question.trim().is_empty() {
        let _ = writeln!(h, "<p class=\"question\">{}</p>", escape(&doc.question));
    }
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} studies · {} codes · {} codings</p>",
        doc.studies, doc.codes, doc.codings
    );
    if doc.reports.len() > 1 {
        h.push_str("<nav>");
        for r in &doc.reports {
            let _ = write!(h, "<a href=\"#{0}\">{1}</a>", r.kind().label(), title(r));
        }
        h.push_str("</nav>\n");
    }
    h.push_str("</header>\n<main>\n");
    for r in &doc.reports {
        let _ = writeln!(
            h,
            "<section id=\"{}\">\n<h2>{}</h2>",
            r.kind().label(),
            title(r)
        );
        match r {
            Report::Matrix(m) => matrix(&mut h, m),
            Report::Coverage(c) => coverage(&mut h, c),
            Report::Codebook(c) => codebook(&mut h, c),
            Report::Segments(s) => segments(&mut h, s),
            Report::Appraisal(a) => appraisal(&mut h, a),
            Report::Characteristics(_) => {
                table(&mut h, &r.table(Format::Html), "characteristics", |_, _| "")
            }
        }
        h.push_str("</section>\n");
    }
    h.push_str("</main>\n<footer>Made with thematic.</footer>\n</body>\n</html>\n");
    h
}

fn title(r: &Report) -> &'static str {
    match r {
        Report::Matrix(_) => "Themes × studies",
        Report::Coverage(_) => "Coverage per study",
        Report::Codebook(_) => "Codebook",
        Report::Segments(_) => "Coded segments",
        Report::Characteristics(_) => "Characteristics of included studies",
        Report::Appraisal(_) => "Quality appraisal (CASP)",
    }
}

/// A cell colour on a white-to-deep-blue scale, and whether its text should be white.
fn heat(t: f64) -> (String, bool) {
    let t = t.clamp(0.0, 1.0);
    let (lo, hi) = ([232.0, 241.0, 250.0], [16.0, 62.0, 118.0]);
    let c: Vec<u8> = (0..3)
        .map(|i| (lo[i] + (hi[i] - lo[i]) * t).round() as u8)
        .collect();
    (format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]), t > 0.45)
}

fn matrix(h: &mut String, r: &MatrixReport) {
    let m = &r.matrix;
    let what = match m.by {
        MatrixBy::Codings => "Codings per theme and study",
        MatrixBy::Presence => "Studies that support each theme (1 = at least one coding)",
        MatrixBy::Coverage => "Percentage of each study's text coded to the theme",
    };
    let _ = writeln!(
        h,
        "<p class=\"caption\">{what}, codes at depth {} (descendants included). \
         <em>total</em>: codings; <em>studies</em>: studies with at least one coding.</p>",
        m.depth
    );
    h.push_str("<div class=\"scroll\">\n<table class=\"heatmap\">\n<thead><tr><th>Theme</th>");
    for k in &r.keys {
        let _ = write!(h, "<th class=\"study\"><span>{}</span></th>", escape(k));
    }
    h.push_str(
        "<th class=\"num\">total</th><th class=\"num\">studies</th></tr></thead>\n<tbody>\n",
    );
    let max = m.max_cell();
    let cell = |h: &mut String, v: f64| {
        let text = match m.by {
            MatrixBy::Coverage => format!("{v:.1}"),
            _ => format!("{}", v.round() as u64),
        };
        if v <= 0.0 || max <= 0.0 {
            let _ = write!(h, "<td class=\"cell zero\">{text}</td>");
        } else {
            let (bg, light) = heat(v / max);
            let fg = if light { "#ffffff" } else { "#1f2933" };
            let _ = write!(
                h,
                "<td class=\"cell\" style=\"background:{bg};color:{fg}\">{text}</td>"
            );
        }
    };
    for (i, row) in m.rows.iter().enumerate() {
        let _ = write!(h, "<tr><th scope=\"row\">{}", escape(&row.path));
        if row.depth != m.depth {
            let _ = write!(h, " <span class=\"depth\">(depth {})</span>", row.depth);
        }
        h.push_str("</th>");
        for &v in &m.cells[i] {
            cell(h, v);
        }
        let _ = writeln!(
            h,
            "<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            m.row_codings[i], m.row_studies[i]
        );
    }
    h.push_str("</tbody>\n<tfoot><tr><th scope=\"row\">total</th>");
    for &v in &r.column_totals {
        let text = match m.by {
            MatrixBy::Coverage => format!("{v:.1}"),
            _ => format!("{}", v.round() as u64),
        };
        let _ = write!(h, "<td class=\"num\">{text}</td>");
    }
    let _ = writeln!(
        h,
        "<td class=\"num\">{}</td><td class=\"num\">{}</td></tr></tfoot>\n</table>\n</div>",
        m.total_codings(),
        r.studies_with_codings
    );
}

fn coverage(h: &mut String, c: &Coverage) {
    h.push_str(
        "<p class=\"caption\">Share of each study's text covered by at least one coding, \
         and by the codings of each construct type.</p>\n<div class=\"scroll\">\n\
         <table class=\"coverage\">\n<thead><tr><th>Study</th><th>Title</th><th>Coded</th>\
         <th class=\"num\">%</th><th class=\"num\">words</th><th class=\"num\">codings</th>\
         <th class=\"num\">codes</th><th class=\"num\">% participant</th>\
         <th class=\"num\">% author</th><th class=\"num\">% reviewer</th>\
         <th class=\"num\">% unspecified</th></tr></thead>\n<tbody>\n",
    );
    let row = |h: &mut String, r: &super::coverage::CoverageRow, tag: &str| {
        let _ = writeln!(
            h,
            "<tr><{tag} class=\"key\">{}</{tag}><td class=\"title\">{}</td><td class=\"bar\"><div><span style=\"width:{:.1}%\"></span></div></td>\
             <td class=\"num\">{:.1}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{:.1}</td><td class=\"num\">{:.1}</td>\
             <td class=\"num\">{:.1}</td><td class=\"num\">{:.1}</td></tr>",
            escape(&r.key),
            escape(&r.title),
            r.coded.clamp(0.0, 100.0),
            r.coded,
            r.words,
            r.codings,
            r.codes,
            r.by_construct.participant,
            r.by_construct.author,
            r.by_construct.reviewer,
            r.by_construct.unspecified,
        );
    };
    for r in &c.studies {
        row(h, r, "td");
    }
    h.push_str("</tbody>\n<tfoot>\n");
    row(h, &c.total, "th");
    h.push_str("</tfoot>\n</table>\n</div>\n");
}

/// `#rrggbb` or nothing: a stored colour goes into a style attribute only if it
/// is exactly that.
fn safe_color(c: &str) -> Option<&str> {
    let ok = c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit());
    ok.then_some(c)
}

fn codebook(h: &mut String, c: &CodebookReport) {
    h.push_str(
        "<p class=\"caption\">The code tree with definitions; counts include descendants.</p>\n\
         <table class=\"codebook\">\n<thead><tr><th>Code</th><th>Kind</th><th>Definition</th>\
         <th class=\"num\">codings</th><th class=\"num\">studies</th></tr></thead>\n<tbody>\n",
    );
    for code in &c.codes {
        let swatch = safe_color(&code.color)
            .map(|col| format!("<span class=\"swatch\" style=\"background:{col}\"></span>"))
            .unwrap_or_default();
        let _ = writeln!(
            h,
            "<tr><td class=\"code\" style=\"padding-left:{:.2}em\" title=\"{}\">{swatch}{}</td>\
             <td class=\"kind kind-{:?}\">{}</td><td class=\"def\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            0.5 + 1.25 * (code.depth.saturating_sub(1)) as f64,
            escape(&code.path),
            escape(&code.name),
            code.kind,
            code.kind.label(),
            escape(&code.definition),
            code.codings,
            code.studies
        );
    }
    h.push_str("</tbody>\n</table>\n");
}

fn segments(h: &mut String, s: &SegmentsReport) {
    let _ = writeln!(
        h,
        "<p class=\"caption\">{} coded segments.</p>",
        s.segments.len()
    );
    for seg in &s.segments {
        let _ = writeln!(
            h,
            "<article class=\"segment\"><h3>{} · {} · {} · {} {}–{}</h3>\n<blockquote>{}{}<mark>{}</mark>{}{}</blockquote>",
            escape(&seg.study),
            escape(&seg.code),
            seg.construct.label(),
            escape(&seg.source),
            seg.start,
            seg.end,
            if seg.before.is_empty() { "" } else { "…" },
            escape(&seg.before),
            escape(&seg.quote),
            escape(&seg.after),
            if seg.after.is_empty() { "" } else { "…" },
        );
        if !seg.note.is_empty() {
            let _ = writeln!(h, "<p class=\"note\">Note: {}</p>", escape(&seg.note));
        }
        if let Some(f) = &seg.flag {
            let _ = writeln!(h, "<p class=\"note\">Not placed: {}</p>", escape(f));
        }
        h.push_str("</article>\n");
    }
}

fn appraisal(h: &mut String, a: &AppraisalReport) {
    h.push_str("<ol class=\"caption\">");
    for q in &a.questions {
        let _ = write!(h, "<li>{}</li>", escape(q));
    }
    h.push_str("</ol>\n");
    let t = Report::Appraisal(a.clone()).table(Format::Html);
    table(h, &t, "appraisal", |_, v| match v {
        "Yes" => "ans-yes",
        "No" => "ans-no",
        "Can't tell" => "ans-cant",
        "N/A" => "ans-na",
        _ => "",
    });
}

/// Any table, escaped; `class_of(column, value)` may give a cell a class.
fn table(h: &mut String, t: &Table, class: &str, class_of: impl Fn(usize, &str) -> &'static str) {
    let _ = write!(
        h,
        "<div class=\"scroll\">\n<table class=\"{class}\">\n<thead><tr>"
    );
    for c in &t.columns {
        let num = if c.numeric { " class=\"num\"" } else { "" };
        let _ = write!(h, "<th{num}>{}</th>", escape(&c.name));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for r in t.all_rows() {
        h.push_str("<tr>");
        for (i, c) in t.columns.iter().enumerate() {
            let v = r.get(i).map_or("", |s| s.as_str());
            let mut classes = Vec::new();
            if c.numeric {
                classes.push("num");
            }
            let extra = class_of(i, v);
            if !extra.is_empty() {
                classes.push(extra);
            }
            if classes.is_empty() {
                let _ = write!(h, "<td>{}</td>", escape(v));
            } else {
                let _ = write!(h, "<td class=\"{}\">{}</td>", classes.join(" "), escape(v));
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n</div>\n");
    for n in &t.notes {
        let _ = writeln!(h, "<p class=\"caption\">{}</p>", escape(n));
    }
}
