//! Synthetic projects for benchmarks and tests: plausible results sections, a
//! three-level code tree and codings whose quotes match their text, written straight
//! to disk in the layout of `DESIGN.md`. The same [`SynthSpec`] (seed included)
//! always gives byte-identical files.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use crate::model::{
    Answer, Appraisal, AppraisalItem, CASP_QUESTIONS, Citation, Code, CodeKind, Codebook, Coding,
    Construct, FORMAT, Id, PALETTE, Project, ProjectMeta, Reviewer, Source, Study,
};
use crate::store::{CODEBOOK_FILE, PROJECT_FILE, STUDIES_DIR, StoreError, to_ron};
use crate::text::{sha256_hex, slug};

/// The shape of a synthetic project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthSpec {
    pub studies: usize,
    /// Approximate length of each study's one source, in words.
    pub words_per_study: usize,
    pub codings_per_study: usize,
    /// Codes in the tree, themes included.
    pub codes: usize,
    pub seed: u64,
}

impl SynthSpec {
    /// The size that must stay instant: 1,000 studies × 20,000 words × 100 codings,
    /// 60 codes (6 analytical themes → 12 descriptive themes → 42 codes).
    pub fn large() -> Self {
        SynthSpec {
            studies: 1_000,
            words_per_study: 20_000,
            codings_per_study: 100,
            codes: 60,
            seed: 0x7468_656d_6174_6963,
        }
    }

    /// A typical review: ~30 studies × ~8,000 words, a few thousand codings.
    pub fn typical() -> Self {
        SynthSpec {
            studies: 30,
            words_per_study: 8_000,
            codings_per_study: 100,
            ..SynthSpec::large()
        }
    }
}

/// Build a project in `root` (which must not exist, or be empty) and return it as
/// it is on disk. Writes `project.ron`, `codebook.ron`, `studies/<key>.ron` and
/// `studies/<key>/results.txt` directly (no lock, no fsync): this is for fixtures.
pub fn generate(root: &Path, spec: &SynthSpec) -> Result<Project, StoreError> {
    let root_name = root.display().to_string();
    if root.exists() {
        let mut rd = fs::read_dir(root).map_err(|e| StoreError::io(&root_name, &e))?;
        if rd.next().is_some() {
            return Err(StoreError::Usage(format!(
                "{root_name}: already exists and is not empty"
            )));
        }
    }
    fs::create_dir_all(root.join(STUDIES_DIR)).map_err(|e| StoreError::io(&root_name, &e))?;

    let mut rng = Rng::new(spec.seed);
    let meta = project_meta(&mut rng);
    let codebook = codebook(&mut rng, spec.codes);
    let leaves: Vec<Id> = {
        let l: Vec<Id> = codebook
            .codes
            .iter()
            .filter(|c| c.kind == CodeKind::Code)
            .map(|c| c.id)
            .collect();
        if l.is_empty() {
            codebook.codes.iter().map(|c| c.id).collect()
        } else {
            l
        }
    };
    let mut reviewers = vec![meta.reviewer.id];
    reviewers.extend(meta.collaborators.iter().map(|r| r.id));

    // Keys must be unique, so heads (key, citation…) are made in order; the
    // texts and codings of each study then come from its own stream, in parallel.
    let mut taken = HashSet::new();
    let heads: Vec<Study> = (0..spec.studies)
        .map(|i| study_head(&mut Rng::new(mix(spec.seed, 2 * i as u64)), &mut taken))
        .collect();

    let ctx = Ctx {
        root,
        spec,
        leaves: &leaves,
        reviewers: &reviewers,
    };
    write(root, CODEBOOK_FILE, &to_ron(&codebook))?;
    let order: Vec<usize> = (0..heads.len()).collect();
    let results = crate::par::map(&order, |&i| ctx.fill(i, heads[i].clone()));
    let mut studies = Vec::with_capacity(spec.studies);
    for r in results {
        studies.push(r?);
    }
    write(root, PROJECT_FILE, &to_ron(&meta))?;
    let mut project = Project {
        meta,
        codebook,
        studies,
    };
    project.sort_studies();
    Ok(project)
}

fn write(root: &Path, rel: &str, bytes: &[u8]) -> Result<(), StoreError> {
    fs::write(root.join(rel), bytes).map_err(|e| StoreError::io(rel, &e))
}

/// What every study's generator shares.
struct Ctx<'a> {
    root: &'a Path,
    spec: &'a SynthSpec,
    leaves: &'a [Id],
    reviewers: &'a [Id],
}

impl Ctx<'_> {
    /// Give study number `i` its text and codings, and write both files.
    fn fill(&self, i: usize, mut study: Study) -> Result<Study, StoreError> {
        let mut rng = Rng::new(mix(self.spec.seed, 2 * i as u64 + 1));
        let text = Text::generate(&mut rng, self.spec.words_per_study);
        let file = format!("{}/results.txt", study.key);
        let source = Source {
            id: rng.id(),
            name: "results".to_string(),
            file: file.clone(),
            sha256: sha256_hex(text.text.as_bytes()),
            chars: text.chars,
        };
        study.codings = codings(&mut rng, self, &text, source.id, i);
        study.sources.push(source);
        study.sort_codings();
        let dir = format!("{STUDIES_DIR}/{}", study.key);
        fs::create_dir_all(self.root.join(&dir)).map_err(|e| StoreError::io(&dir, &e))?;
        write(
            self.root,
            &format!("{STUDIES_DIR}/{file}"),
            text.text.as_bytes(),
        )?;
        write(
            self.root,
            &format!("{STUDIES_DIR}/{}.ron", study.key),
            &to_ron(&study),
        )?;
        Ok(study)
    }
}

// ───────────────────────────── randomness ─────────────────────────────

/// splitmix64: tiny, fast, and good enough for fixtures.
struct Rng(u64);

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

fn mix(seed: u64, stream: u64) -> u64 {
    let mut r = Rng(seed ^ stream.wrapping_add(1).wrapping_mul(GOLDEN));
    r.next_u64()
}

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// A random id with the UUID v4 version and variant bits.
    fn id(&mut self) -> Id {
        let n = ((self.next_u64() as u128) << 64) | self.next_u64() as u128;
        let n = (n & !(0xf << 76)) | (0x4 << 76);
        let n = (n & !(0x3 << 62)) | (0x2 << 62);
        Id::from_u128(n)
    }
}

/// An RFC 3339 timestamp some time in 2026 (from 2026-01-01T00:00:00Z).
fn timestamp(secs_into_2026: u64) -> String {
    let t = UNIX_EPOCH + Duration::from_secs(1_767_225_600 + secs_into_2026 % (365 * 86_400));
    humantime::format_rfc3339_seconds(t).to_string()
}

// ───────────────────────────── vocabulary ─────────────────────────────

/// Word lists and names (kept compact: they are data).
#[rustfmt::skip]
mod vocab {
    pub const DET: &[&str] = &["the", "the", "a", "their", "this", "each", "every", "our", "that", "some"];
    pub const ADJ: &[&str] = &[
        "complex", "emotional", "clinical", "specialist", "long", "safe", "difficult", "shared",
        "limited", "careful", "consistent", "fragile", "honest", "naïve", "structured", "wider",
        "chronic", "acute", "local", "stigmatising", "therapeutic", "defensive", "reflective",
        "uncertain", "supportive", "rigid", "flexible", "informal", "formal", "exhausting",
    ];
    pub const NOUN: &[&str] = &[
        "diagnosis", "label", "service", "team", "referral", "pathway", "clinician", "patient",
        "relationship", "boundary", "risk", "crisis", "plan", "waiting list", "supervision",
        "manager", "nurse", "psychiatrist", "care coordinator", "trust", "rôle", "façade", "café",
        "résumé", "attachment", "treatment", "therapy", "discharge", "admission", "caseload",
        "colleague", "family", "system", "policy", "threshold", "formulation", "assessment",
        "training", "burnout", "hope", "distance", "connection", "journey", "door", "gatekeeper",
        "coöperation", "élan", "meeting", "appointment", "letter", "voice",
    ];
    pub const VERB: &[&str] = &[
        "shaped", "opened", "closed", "described", "questioned", "protected", "complicated",
        "supported", "undermined", "balanced", "managed", "resisted", "explained", "framed",
        "limited", "carried", "held", "shared", "avoided", "sought", "valued", "needed", "feared",
        "negotiated", "reframed", "contained", "escalated", "delayed", "offered", "withdrew",
    ];
    pub const ADV: &[&str] = &[
        "often", "rarely", "quietly", "openly", "consistently", "sometimes", "reluctantly",
        "deliberately", "gradually", "repeatedly", "never", "always", "carefully",
    ];
    pub const PREP: &[&str] = &[
        "with", "within", "across", "between", "for", "against", "into", "without", "under",
        "around", "after", "before", "beyond", "through",
    ];
    pub const JOIN: &[&str] = &[", and ", ", but ", " because ", "; ", " — ", ", while ", ", so ", " when "];
    pub const OPEN: &[&str] = &[
        "Participants", "Clinicians", "Several nurses", "Most psychiatrists", "Many staff",
        "Team leaders", "Care coordinators", "Some participants", "Therapists", "Social workers",
    ];
    pub const SAY: &[&str] = &[
        "described how", "felt that", "reported that", "explained that", "suggested that",
        "noted that", "worried that", "believed that", "recalled that", "argued that",
    ];
    pub const PRON: &[&str] = &["I", "we", "you", "they", "I", "we"];
    pub const FEEL: &[&str] = &[
        "don’t know", "can’t see", "always feel", "never really", "just want", "sort of think",
        "honestly believe", "keep saying", "try to explain", "end up feeling", "won’t pretend",
    ];
    pub const ROLE: &[&str] = &[
        "nurse", "psychiatrist", "psychologist", "social worker", "care coordinator", "team leader",
        "OT", "crisis worker",
    ];
    pub const EMOJI: &[&str] = &["🙂", "😔", "👍🏽", "🤷‍♀️", "💬"];
    pub const EXTRA: &[&str] = &["Zürich", "São Paulo", "Ødegård", "déjà vu", "cafe\u{301}", "naïveté"];

    pub const SURNAMES: &[&str] = &[
        "Okafor", "Reyes", "Haddad", "Lindqvist", "Mensah", "Nakamura", "Silva", "Fitzgerald",
        "Moreau", "Achterberg", "Brennan", "Ødegård", "Núñez", "O'Sullivan", "Nguyen", "Kowalski",
        "Müller", "Chowdhury", "Papadopoulos", "Björk", "Dubois", "García", "Ivanova", "Kaur",
        "Van der Berg", "Yılmaz", "Łukasik", "Sørensen", "Adeyemi", "MacLeod", "Rossi", "Takahashi",
        "Ahmed", "Jensen", "Novak", "Walsh", "Petrović", "Hughes", "Farouk", "Delacroix",
    ];
    pub const GIVEN: &[&str] = &[
        "A.", "B.", "C.", "D.", "E.", "F.", "G.", "H.", "J.", "K.", "L.", "M.", "N.", "P.", "R.",
        "S.", "T.", "Z.", "É.", "Ø.",
    ];
    pub const JOURNALS: &[&str] = &[
        "Journal of Psychiatric and Mental Health Nursing",
        "BMC Psychiatry",
        "Community Mental Health Journal",
        "Qualitative Health Research",
        "Journal of Mental Health",
        "Personality and Mental Health",
        "Issues in Mental Health Nursing",
        "Social Psychiatry and Psychiatric Epidemiology",
    ];
    pub const COUNTRIES: &[&str] = &[
        "UK", "Ireland", "Australia", "Norway", "Sweden", "Canada", "Netherlands", "Brazil",
        "Côte d’Ivoire", "New Zealand", "Denmark", "Spain",
    ];
    pub const SETTINGS: &[&str] = &[
        "Community mental health team",
        "Crisis resolution and home treatment team",
        "Specialist personality disorder service",
        "Primary care mental health service",
        "Assertive outreach team",
        "Early intervention service",
    ];
    pub const DESIGNS: &[&str] = &[
        "Semi-structured interviews, thematic analysis",
        "Focus groups, framework analysis",
        "Interpretative phenomenological analysis",
        "Grounded theory, constant comparison",
        "Ethnography with participant observation",
    ];

    pub const THEMES: [&str; 6] = [
        "The use and misuse of diagnosis",
        "The patient journey into services: nowhere to go",
        "Therapeutic relationships: connection and distance",
        "The nature of treatment: not doing too much or too little",
        "Managing safety issues and crises: being measured and proactive",
        "Clinician and wider service needs: whose needs are they anyway?",
    ];
    pub const DESCRIPTIVE: [&[&str]; 6] = [
        &["Diagnosis as a key to care", "Diagnosis as stigma", "Debating the label"],
        &["Gatekeeping and thresholds", "Falling between services", "Waiting and discharge"],
        &["Building trust slowly", "Boundaries and distance", "Continuity of the clinician"],
        &["Doing too much", "Doing too little", "Structured therapies"],
        &["Living with risk", "Crisis plans", "Admission as a last resort"],
        &["Supervision and support", "Burnout and compassion fatigue", "Training needs"],
    ];
    pub const CODES: [&[&str]; 6] = [
        &[
            "Diagnosis opens doors to care", "Label closes doors", "Explaining the diagnosis",
            "Avoiding the term", "Diagnosis as relief", "Stigma among staff", "Changing the name",
            "Diagnosis guides treatment",
        ],
        &[
            "Nowhere to refer", "Too complex for primary care", "Not ill enough for secondary care",
            "Long waits", "Bounced between teams", "Discharge too early", "Navigating the system",
            "Self-referral",
        ],
        &[
            "Trust takes time", "Consistency matters", "Holding hope", "Keeping a professional distance",
            "Emotional toll of closeness", "Rupture and repair", "Being honest", "Feeling manipulated",
        ],
        &[
            "Fostering dependence", "Therapeutic nihilism", "Validation", "Skills-based work",
            "Medication as a stopgap", "Time-limited therapy", "Flexible contact", "Group work",
        ],
        &[
            "Positive risk-taking", "Fear of blame", "Self-harm responses", "Collaborative crisis plans",
            "Out-of-hours gaps", "Avoiding admission", "Police involvement", "Defensive practice",
        ],
        &[
            "Reflective practice", "Lack of supervision", "Team splitting", "Compassion fatigue",
            "Need for training", "Manager support", "Caseload pressure", "Peer support",
        ],
    ];
}
use vocab::*;

/// A name from `pool` for the `n`th item, numbered once the pool runs out.
fn pooled(pool: &[&str], n: usize) -> String {
    let base = pool[n % pool.len()];
    match n / pool.len() {
        0 => base.to_string(),
        k => format!("{base} {}", k + 1),
    }
}

// ───────────────────────────── project and codebook ─────────────────────────────

fn project_meta(rng: &mut Rng) -> ProjectMeta {
    ProjectMeta {
        format: FORMAT,
        id: rng.id(),
        title: "Clinicians' views of community care for complex emotional needs (synthetic)"
            .to_string(),
        question: "What are clinicians’ experiences of providing community mental health care \
                   for adults with “complex emotional needs”?"
            .to_string(),
        reviewer: Reviewer {
            id: rng.id(),
            name: "A. Reviewer".to_string(),
        },
        created: timestamp(0),
        collaborators: vec![Reviewer {
            id: rng.id(),
            name: "B. Ødegård".to_string(),
        }],
    }
}

/// A tree of `n` codes: up to 6 analytical themes, then descriptive themes (about a
/// fifth of the rest, at least two per theme), then codes shared out among them.
fn codebook(rng: &mut Rng, n: usize) -> Codebook {
    let themes = n.min(THEMES.len());
    let rest = n - themes;
    let descriptive = rest.min((rest / 5).max(2 * themes));
    let leaves = rest - descriptive;
    let mut codes = Vec::with_capacity(n);
    // Each analytical theme has a colour; what lies beneath it shares it.
    let mut make =
        |rng: &mut Rng, parent: Option<Id>, (order, theme): (usize, usize), kind, name| {
            let code = Code {
                id: rng.id(),
                parent,
                order: order as i64,
                kind,
                name,
                description: sentence(rng, false).0,
                color: PALETTE[theme % PALETTE.len()].to_string(),
                memo: String::new(),
            };
            let id = code.id;
            codes.push(code);
            id
        };
    let theme_ids: Vec<Id> = (0..themes)
        .map(|t| {
            make(
                rng,
                None,
                (t, t),
                CodeKind::AnalyticalTheme,
                THEMES[t].to_string(),
            )
        })
        .collect();
    let desc_ids: Vec<(Id, usize)> = (0..descriptive)
        .map(|d| {
            let t = d % themes;
            let name = pooled(DESCRIPTIVE[t], d / themes);
            (
                make(
                    rng,
                    Some(theme_ids[t]),
                    (d / themes, t),
                    CodeKind::DescriptiveTheme,
                    name,
                ),
                t,
            )
        })
        .collect();
    for k in 0..leaves {
        let (parent, t) = desc_ids[k % descriptive];
        let nth_in_theme = k / themes;
        let name = pooled(CODES[t], nth_in_theme);
        make(
            rng,
            Some(parent),
            (k / descriptive, t),
            CodeKind::Code,
            name,
        );
    }
    let mut cb = Codebook {
        format: FORMAT,
        codes,
    };
    cb.canonicalize();
    cb
}

/// A study's key, citation and characteristics (no sources or codings yet).
fn study_head(rng: &mut Rng, taken: &mut HashSet<String>) -> Study {
    let n_authors = rng.range(1, 4);
    let authors: Vec<String> = (0..n_authors)
        .map(|_| format!("{}, {}", rng.pick(SURNAMES), rng.pick(GIVEN)))
        .collect();
    let year = 2000 + rng.below(26) as i32;
    let family = authors[0].split(',').next().unwrap_or("study");
    let base = format!("{}-{year}", slug(family));
    let key = if taken.contains(&base) {
        (2..)
            .map(|k| format!("{base}-{k}"))
            .find(|k| !taken.contains(k))
            .expect("a free key")
    } else {
        base
    };
    taken.insert(key.clone());
    let mut title = sentence(rng, false).0;
    title.pop();
    let mut characteristics = BTreeMap::new();
    characteristics.insert("country".to_string(), rng.pick(COUNTRIES).to_string());
    characteristics.insert("setting".to_string(), rng.pick(SETTINGS).to_string());
    characteristics.insert("design".to_string(), rng.pick(DESIGNS).to_string());
    characteristics.insert(
        "participants".to_string(),
        format!("{} clinicians", rng.range(6, 40)),
    );
    let appraisal = rng.chance(60).then(|| Appraisal {
        tool: "CASP qualitative checklist (2018)".to_string(),
        items: (1..=CASP_QUESTIONS.len())
            .map(|i| AppraisalItem {
                item: i.to_string(),
                answer: match rng.below(10) {
                    0 => Answer::No,
                    1 => Answer::CantTell,
                    _ => Answer::Yes,
                },
                note: String::new(),
            })
            .collect(),
        overall: [
            "Minor concerns",
            "No or very minor concerns",
            "Moderate concerns",
        ][rng.below(3)]
        .to_string(),
    });
    Study {
        format: FORMAT,
        id: rng.id(),
        citation: Citation {
            authors,
            year: Some(year),
            title,
            journal: rng.pick(JOURNALS).to_string(),
            doi: rng
                .chance(80)
                .then(|| format!("10.5555/synth.{year}.{}", rng.range(100, 99_999))),
            ..Citation::default()
        },
        key,
        characteristics,
        appraisal,
        memo: String::new(),
        sources: Vec::new(),
        codings: Vec::new(),
    }
}

// ───────────────────────────── texts ─────────────────────────────

/// One sentence of a generated text: byte and code-point offsets (end exclusive),
/// its paragraph, and whether it is a participant's quote.
#[derive(Clone, Copy)]
struct Sentence {
    bytes: (usize, usize),
    cps: (u32, u32),
    para: u32,
    quote: bool,
}

struct Text {
    text: String,
    chars: u32,
    sentences: Vec<Sentence>,
}

/// A sentence and its word count. Participant quotes are in curly quotes with an
/// attribution; a few carry an emoji or a non-ASCII name.
fn sentence(rng: &mut Rng, allow_quote: bool) -> (String, usize) {
    let mut s = String::with_capacity(160);
    let mut words = 0;
    let quote = allow_quote && rng.chance(30);
    let clauses = rng.range(1, 3);
    if quote {
        s.push('“');
    } else if rng.chance(40) {
        s.push_str(rng.pick(OPEN));
        s.push(' ');
        s.push_str(rng.pick(SAY));
        s.push(' ');
        words += 3;
    }
    for c in 0..clauses {
        if c > 0 {
            s.push_str(rng.pick(JOIN));
        }
        words += clause(rng, &mut s, quote);
    }
    if rng.chance(4) {
        s.push_str(" in ");
        s.push_str(rng.pick(EXTRA));
        words += 2;
    }
    // Capitalise the first letter (after an opening quote).
    let first = s.char_indices().find(|(_, ch)| ch.is_alphabetic());
    if let Some((b, ch)) = first
        && ch.is_lowercase()
    {
        let up: String = ch.to_uppercase().collect();
        s.replace_range(b..b + ch.len_utf8(), &up);
    }
    if quote {
        s.push(if rng.chance(15) { '?' } else { '.' });
        if rng.chance(8) {
            s.push(' ');
            s.push_str(rng.pick(EMOJI));
        }
        s.push_str("” (P");
        s.push_str(&rng.range(1, 30).to_string());
        s.push_str(", ");
        s.push_str(rng.pick(ROLE));
        s.push(')');
        words += 2;
    } else {
        s.push('.');
    }
    (s, words)
}

/// One clause into `s`; returns its word count.
fn clause(rng: &mut Rng, s: &mut String, spoken: bool) -> usize {
    let mut words = 0;
    let mut put = |s: &mut String, w: &str| {
        let after_a = s == "a" || s.ends_with(" a") || s.ends_with("“a");
        if after_a && w.starts_with(['a', 'e', 'i', 'o', 'u', 'é']) {
            s.push('n');
        }
        if !s.is_empty() && !s.ends_with(['“', ' ']) {
            s.push(' ');
        }
        s.push_str(w);
        words += 1;
    };
    if spoken {
        put(s, rng.pick(PRON));
        put(s, rng.pick(FEEL));
    } else {
        put(s, rng.pick(DET));
        if rng.chance(50) {
            put(s, rng.pick(ADJ));
        }
        put(s, rng.pick(NOUN));
        if rng.chance(30) {
            put(s, rng.pick(ADV));
        }
        put(s, rng.pick(VERB));
    }
    put(s, rng.pick(DET));
    if rng.chance(60) {
        put(s, rng.pick(ADJ));
    }
    put(s, rng.pick(NOUN));
    if rng.chance(60) {
        put(s, rng.pick(PREP));
        put(s, rng.pick(DET));
        put(s, rng.pick(NOUN));
    }
    words
}

impl Text {
    /// Paragraphs of 2–8 sentences, separated by blank lines, with a heading now
    /// and then, until about `words` words; ends with a newline.
    fn generate(rng: &mut Rng, words: usize) -> Text {
        let mut t = Text {
            text: String::with_capacity(words * 7 + 64),
            chars: 0,
            sentences: Vec::with_capacity(words / 12 + 1),
        };
        let mut count = 0;
        let mut para = 0u32;
        while count < words {
            if para > 0 {
                t.push("\n\n");
            }
            if para.is_multiple_of(12) && rng.chance(70) {
                let h = THEMES[rng.below(THEMES.len())];
                t.push(&format!("Theme {}: {h}\n\n", para / 12 + 1));
            }
            let n = rng.range(2, 8);
            for k in 0..n {
                if count >= words {
                    break;
                }
                if k > 0 {
                    t.push(" ");
                }
                let (s, w) = sentence(rng, true);
                let start = (t.text.len(), t.chars);
                t.push(&s);
                t.sentences.push(Sentence {
                    bytes: (start.0, t.text.len()),
                    cps: (start.1, t.chars),
                    para,
                    quote: s.starts_with('“'),
                });
                count += w;
            }
            para += 1;
        }
        if !t.text.is_empty() {
            t.push("\n");
        }
        t
    }

    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.chars += s.chars().count() as u32;
    }
}

// ───────────────────────────── codings ─────────────────────────────

/// `n` codings of spans of 1–3 whole sentences (within a paragraph), some on the
/// same or overlapping spans as the one before.
fn codings(rng: &mut Rng, ctx: &Ctx<'_>, text: &Text, source: Id, study_no: usize) -> Vec<Coding> {
    let sents = &text.sentences;
    if sents.is_empty() || ctx.leaves.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<Coding> = Vec::with_capacity(ctx.spec.codings_per_study);
    let mut prev: Option<(usize, usize, Id)> = None;
    for k in 0..ctx.spec.codings_per_study {
        let (first, last, code) = match prev {
            // The same span under a second code.
            Some((f, l, c)) if rng.chance(10) => {
                let n = ctx.leaves.len();
                let was = ctx.leaves.iter().position(|x| *x == c).unwrap_or(0);
                let other = if n > 1 {
                    (was + 1 + rng.below(n - 1)) % n
                } else {
                    was
                };
                (f, l, ctx.leaves[other])
            }
            // A span that overlaps the one before.
            Some((f, _, _)) if rng.chance(10) => {
                let first = (f + rng.below(2)).min(sents.len() - 1);
                (
                    first,
                    extend(rng, sents, first),
                    ctx.leaves[rng.below(ctx.leaves.len())],
                )
            }
            _ => {
                let first = rng.below(sents.len());
                (
                    first,
                    extend(rng, sents, first),
                    ctx.leaves[rng.below(ctx.leaves.len())],
                )
            }
        };
        prev = Some((first, last, code));
        let (a, b) = (sents[first], sents[last]);
        let by = if rng.chance(85) {
            ctx.reviewers[0]
        } else {
            ctx.reviewers[rng.below(ctx.reviewers.len())]
        };
        out.push(Coding {
            id: rng.id(),
            source,
            start: a.cps.0,
            end: b.cps.1,
            code,
            by,
            at: timestamp(86_400 + study_no as u64 * 7_919 + k as u64 * 97 + rng.below(60) as u64),
            edited: String::new(),
            construct: if a.quote {
                Construct::Participant
            } else {
                Construct::Author
            },
            quote: text.text[a.bytes.0..b.bytes.1].to_string(),
            note: if rng.chance(8) {
                [
                    "see also the crisis plan codes",
                    "ambivalent",
                    "check with second reviewer",
                ][rng.below(3)]
                .to_string()
            } else {
                String::new()
            },
            flag: None,
        });
    }
    out
}

/// The last sentence of a span of 1–3 starting at `first`, within its paragraph.
fn extend(rng: &mut Rng, sents: &[Sentence], first: usize) -> usize {
    let mut last = first;
    for _ in 0..rng.below(3) {
        match sents.get(last + 1) {
            Some(s) if s.para == sents[first].para => last += 1,
            _ => break,
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Mode, Store, check};
    use crate::text::SourceText;

    fn small(seed: u64) -> SynthSpec {
        SynthSpec {
            studies: 12,
            words_per_study: 1_500,
            codings_per_study: 40,
            codes: 60,
            seed,
        }
    }

    fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for e in fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(root).unwrap().display().to_string();
                    out.insert(rel, fs::read(&p).unwrap());
                }
            }
        }
        out
    }

    #[test]
    fn a_small_project_opens_and_checks_clean() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("p");
        let spec = small(7);
        let project = generate(&root, &spec).unwrap();
        assert_eq!(project.studies.len(), 12);
        assert_eq!(project.codebook.codes.len(), 60);
        let kinds = |k| {
            project
                .codebook
                .codes
                .iter()
                .filter(|c| c.kind == k)
                .count()
        };
        assert_eq!(kinds(CodeKind::AnalyticalTheme), 6);
        assert!(kinds(CodeKind::DescriptiveTheme) >= 12);
        for c in &project.codebook.codes {
            let depth = match c.kind {
                CodeKind::AnalyticalTheme => 1,
                CodeKind::DescriptiveTheme => 2,
                CodeKind::Code => 3,
            };
            assert_eq!(project.codebook.depth(c.id), depth, "{}", c.name);
        }

        let opened = Store::open(&root, Mode::Read).unwrap();
        assert!(opened.warnings.is_empty(), "{:?}", opened.warnings);
        assert_eq!(
            opened.project, project,
            "what is returned is what is on disk"
        );

        let report = check(&root).unwrap();
        let problems: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
        assert!(problems.is_empty(), "{problems:#?}");
        assert_eq!(report.codings, 12 * 40);

        let mut non_ascii = false;
        let mut constructs = HashSet::new();
        for s in &project.studies {
            let text = fs::read_to_string(root.join(STUDIES_DIR).join(&s.sources[0].file)).unwrap();
            non_ascii |= !text.is_ascii();
            assert!(text.contains("\n\n"), "paragraphs");
            let t = SourceText::new(text);
            for c in &s.codings {
                assert!(t.is_grapheme_boundary(c.start) && t.is_grapheme_boundary(c.end));
                assert_eq!(t.slice(c.start, c.end), c.quote);
                constructs.insert(c.construct);
            }
            let overlapping = s
                .codings
                .windows(2)
                .filter(|w| w[1].start < w[0].end)
                .count();
            assert!(overlapping > 0, "{}: some codings overlap", s.key);
        }
        assert!(non_ascii);
        assert_eq!(constructs.len(), 2, "participant and author constructs");
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a"),
            dir.path().join("b"),
            dir.path().join("c"),
        );
        generate(&a, &small(42)).unwrap();
        generate(&b, &small(42)).unwrap();
        generate(&c, &small(43)).unwrap();
        let (fa, fb, fc) = (files(&a), files(&b), files(&c));
        assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
        assert!(fa == fb, "byte-identical for one seed");
        assert!(fa != fc, "another seed gives another project");
        assert_eq!(fa.len(), 2 + 2 * 12);
    }

    #[test]
    fn ids_are_version_4() {
        let mut rng = Rng::new(1);
        for _ in 0..100 {
            let u = rng.id().as_uuid();
            assert_eq!(u.get_version_num(), 4);
            assert_eq!(u.get_variant(), uuid::Variant::RFC4122);
        }
    }

    #[test]
    fn refuses_a_non_empty_directory() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("x"), "x").unwrap();
        assert!(generate(dir.path(), &small(1)).is_err());
    }
}
