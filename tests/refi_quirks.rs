//! Import tolerates what real exporters write: an inner file not called
//! `project.qde`, `Sources/` in any case, BOMs, CRLF, braced and upper-case GUIDs,
//! inline texts, ATLAS.ti's CRLF-as-one positions and `A::B` names, NVivo's UTF-16
//! positions; everything it cannot keep is named in the summary.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::Path;

use tempfile::TempDir;
use thematic::interchange::refi::{ImportOptions, ImportSummary, Silent, import_qdpx};
use thematic::model::{CodeKind, Construct, Id, Project};
use thematic::store::{Mode, Store};
use zip::write::SimpleFileOptions;

/// Zip `entries` (name, bytes) into `path`.
fn package(path: &Path, entries: &[(&str, Vec<u8>)]) {
    let mut z = zip::ZipWriter::new(fs::File::create(path).unwrap());
    for (name, bytes) in entries {
        z.start_file(*name, SimpleFileOptions::default()).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

fn import(file: &Path, dir: &Path) -> (ImportSummary, Project) {
    let summary = import_qdpx(file, dir, &ImportOptions::default(), &Silent)
        .unwrap_or_else(|e| panic!("import failed: {e}"));
    let p = Store::open(dir, Mode::Read).expect("opens").project;
    (summary, p)
}

fn id(s: &str) -> Id {
    s.parse().unwrap()
}

/// Text one: CRLF line ends and a decomposed é (`e` + U+0301), written with a BOM.
const TEXT_ONE: &str = "Breakfast notes\r\nMabel has Coke every morning at the cafe\u{301}.\r\nShe says it wakes her up.\r\n";
/// Positions of ATLAS.ti, which counts each CRLF once: "Coke every morning" is
/// [26, 44) there and [27, 45) in code points. "cafe" [52, 56) ends between the
/// `e` and its accent.
const ATLAS: &str = r##"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Breakfast" origin="ATLAS.ti 9.1.3 (Mac)"
  creatingUserGUID="{BBBBBBBB-0000-4000-8000-000000000002}" creationDateTime="2021-03-04T05:06:07+01:00">
  <Users>
    <User guid="AAAAAAAA-0000-4000-8000-000000000001" name="First Person"/>
    <User guid="{BBBBBBBB-0000-4000-8000-000000000002}" name="Project Owner"/>
  </Users>
  <CodeBook><Codes>
    <Code guid="{C0DE0000-0000-4000-8000-000000000001}" name="Coke::diet Coke" isCodable="true" color="#963"/>
    <Code guid="C0DE0000-0000-4000-8000-000000000002" name="Coke" isCodable="true" color="#966450">
      <Description>the breakfast of champions</Description>
      <NoteRef targetGUID="{40000000-0000-4000-8000-000000000001}"/>
    </Code>
    <Code guid="C0DE0000-0000-4000-8000-000000000003" name="Folder" isCodable="0">
      <Code guid="C0DE0000-0000-4000-8000-000000000004" name="Morning &amp; routine" isCodable="1"/>
    </Code>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="7A000000-0000-4000-8000-000000000001" name="Country" typeOfVariable="Text"/>
    <Variable guid="7A000000-0000-4000-8000-000000000002" name="Age" typeOfVariable="Integer"/>
  </Variables>
  <Cases>
    <Case guid="CA5E0000-0000-4000-8000-000000000001" name="Mabel (2021)">
      <Description>Interviewed twice.</Description>
      <VariableValue><VariableRef targetGUID="7A000000-0000-4000-8000-000000000001"/><TextValue>Côte d’Ivoire</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="7A000000-0000-4000-8000-000000000002"/><IntegerValue>34</IntegerValue></VariableValue>
      <SourceRef targetGUID="50000000-0000-4000-8000-000000000001"/>
      <SourceRef targetGUID="50000000-0000-4000-8000-000000000002"/>
      <SourceRef targetGUID="50000000-0000-4000-8000-000000000009"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="50000000-0000-4000-8000-000000000001" name="Mabel.docx"
        plainTextPath="internal://{0A000000-0000-4000-8000-0000000000AA}.txt" creatingUser="AAAAAAAA-0000-4000-8000-000000000001">
      <PlainTextSelection guid="5E100000-0000-4000-8000-000000000001" name="Coke every morning" startPosition="26" endPosition="44"
          creatingUser="AAAAAAAA-0000-4000-8000-000000000001" creationDateTime="2021-03-04T10:00:00Z">
        <Description>why Coke?</Description>
        <Coding guid="C0D10000-0000-4000-8000-000000000001" creatingUser="{BBBBBBBB-0000-4000-8000-000000000002}">
          <CodeRef targetGUID="{C0DE0000-0000-4000-8000-000000000001}"/>
          <NoteRef targetGUID="40000000-0000-4000-8000-000000000002"/>
        </Coding>
        <Coding guid="C0D10000-0000-4000-8000-000000000002">
          <CodeRef targetGUID="C0DE0000-0000-4000-8000-000000000004"/>
        </Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="5E100000-0000-4000-8000-000000000002" name="cafe" startPosition="52" endPosition="56">
        <Coding guid="C0D10000-0000-4000-8000-000000000003"><CodeRef targetGUID="C0DE0000-0000-4000-8000-000000000002"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="5E100000-0000-4000-8000-000000000003" name="She says it wakes her up." startPosition="59" endPosition="84">
        <Coding guid="C0D10000-0000-4000-8000-000000000004"><CodeRef targetGUID="C0DE0000-0000-4000-8000-000000000002"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="5E100000-0000-4000-8000-000000000004" name="past the end" startPosition="80" endPosition="500">
        <Coding guid="C0D10000-0000-4000-8000-000000000005"><CodeRef targetGUID="C0DE0000-0000-4000-8000-000000000002"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="5E100000-0000-4000-8000-000000000005" name="Breakfast" startPosition="0" endPosition="9">
        <Description>a free quotation with a memo</Description>
      </PlainTextSelection>
      <PlainTextSelection guid="5E100000-0000-4000-8000-000000000006" name="notes" startPosition="10" endPosition="15">
        <Coding guid="C0D10000-0000-4000-8000-000000000006"><CodeRef targetGUID="DEADBEEF-0000-4000-8000-000000000000"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="50000000-0000-4000-8000-000000000002" name="Mabel, second visit">
      <PlainTextContent>Inline text
about toast.</PlainTextContent>
      <PlainTextSelection guid="5E100000-0000-4000-8000-000000000007" name="about toast" startPosition="12" endPosition="23">
        <Coding guid="C0D10000-0000-4000-8000-000000000007"><CodeRef targetGUID="C0DE0000-0000-4000-8000-000000000004"/></Coding>
      </PlainTextSelection>
      <Coding guid="C0D10000-0000-4000-8000-000000000008"><CodeRef targetGUID="C0DE0000-0000-4000-8000-000000000002"/></Coding>
    </TextSource>
    <TextSource guid="50000000-0000-4000-8000-000000000003" name="Ødegård 2020.txt" plainTextPath="internal://0a000000-0000-4000-8000-0000000000cc.TXT"/>
    <PDFSource guid="50000000-0000-4000-8000-000000000009" name="menu.pdf" path="internal://0A000000-0000-4000-8000-0000000000DD.pdf">
      <PDFSelection guid="5E100000-0000-4000-8000-000000000009" page="0" firstX="1" firstY="2" secondX="3" secondY="4">
        <Coding guid="C0D10000-0000-4000-8000-000000000009"><CodeRef targetGUID="C0DE0000-0000-4000-8000-000000000002"/></Coding>
      </PDFSelection>
    </PDFSource>
  </Sources>
  <Notes>
    <Note guid="40000000-0000-4000-8000-000000000001" name="code memo"><PlainTextContent>Coke, all kinds.</PlainTextContent></Note>
    <Note guid="40000000-0000-4000-8000-000000000002" name="coding note"><PlainTextContent>Diet, she says.</PlainTextContent></Note>
    <Note guid="40000000-0000-4000-8000-000000000003" name="source memo" plainTextPath="internal://0A000000-0000-4000-8000-0000000000EE.txt"/>
    <Note guid="40000000-0000-4000-8000-000000000004" name="Project memo"><PlainTextContent>About the whole project.</PlainTextContent></Note>
  </Notes>
  <Links>
    <Link guid="11000000-0000-4000-8000-000000000001" originGUID="40000000-0000-4000-8000-000000000003" targetGUID="50000000-0000-4000-8000-000000000001"/>
  </Links>
  <Sets><Set guid="5E700000-0000-4000-8000-000000000001" name="Breakfasts"><MemberCode targetGUID="C0DE0000-0000-4000-8000-000000000002"/></Set></Sets>
  <Description>What do people eat for breakfast?</Description>
  <NoteRef targetGUID="40000000-0000-4000-8000-000000000004"/>
</Project>
"##;

#[test]
fn an_atlas_export_with_every_quirk_imports_faithfully() {
    let tmp = TempDir::new().unwrap();
    let file = tmp.path().join("Breakfast.qdpx");
    let mut qde = b"\xEF\xBB\xBF".to_vec();
    qde.extend(ATLAS.replace('\n', "\r\n").as_bytes());
    let mut one = b"\xEF\xBB\xBF".to_vec();
    one.extend(TEXT_ONE.as_bytes());
    package(
        &file,
        &[
            // Not `project.qde`, and `SOURCES/` in capitals with upper-case names.
            ("Breakfast.qde", qde),
            ("SOURCES/0A000000-0000-4000-8000-0000000000AA.TXT", one),
            (
                "SOURCES/0A000000-0000-4000-8000-0000000000CC.txt",
                "Ødegård: porridge, always.\n".as_bytes().to_vec(),
            ),
            (
                "SOURCES/0A000000-0000-4000-8000-0000000000EE.txt",
                "Memo kept in a file.".as_bytes().to_vec(),
            ),
            (
                "SOURCES/0A000000-0000-4000-8000-0000000000DD.pdf",
                b"%PDF-1.4".to_vec(),
            ),
        ],
    );
    let dir = tmp.path().join("project");
    let (summary, p) = import(&file, &dir);
    let text = summary.to_string();

    // The owner is the project's creating user; the other user is a collaborator.
    assert_eq!(p.meta.title, "Breakfast");
    assert_eq!(p.meta.question, "What do people eat for breakfast?");
    assert_eq!(p.meta.created, "2021-03-04T04:06:07Z");
    assert_eq!(p.meta.reviewer.name, "Project Owner");
    assert_eq!(
        p.meta.reviewer.id,
        id("bbbbbbbb-0000-4000-8000-000000000002")
    );
    assert_eq!(p.meta.collaborators.len(), 1);
    assert_eq!(p.meta.collaborators[0].name, "First Person");

    // Codes: `Coke::diet Coke` nests under the `Coke` that follows it.
    let cb = &p.codebook;
    let paths: Vec<String> = cb.codes.iter().map(|c| cb.path(c.id)).collect();
    assert_eq!(
        paths,
        [
            "Coke",
            "Coke/diet Coke",
            "Folder",
            "Folder/Morning & routine"
        ]
    );
    let coke = cb.get(cb.resolve("Coke").unwrap()).unwrap();
    assert_eq!(coke.id, id("c0de0000-0000-4000-8000-000000000002"));
    assert_eq!(coke.description, "the breakfast of champions");
    assert_eq!(coke.memo, "Coke, all kinds.");
    assert_eq!(coke.color, "#966450");
    let diet = cb.get(cb.resolve("Coke/diet Coke").unwrap()).unwrap();
    assert_eq!(diet.color, "#996633", "#RGB expanded");
    assert_eq!(
        cb.get(cb.resolve("Folder").unwrap()).unwrap().kind,
        CodeKind::DescriptiveTheme
    );

    // Studies: the case, with its two text sources; the lone source on its own.
    let keys: Vec<&str> = p.studies.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["mabel-2021", "odegard-2020"]);
    let mabel = &p.studies[0];
    assert_eq!(mabel.id, id("ca5e0000-0000-4000-8000-000000000001"));
    let names: Vec<&str> = mabel.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Mabel", "Mabel, second visit"]);
    assert_eq!(
        mabel.characteristics,
        BTreeMap::from([
            ("Age".to_string(), "34".to_string()),
            ("Country".to_string(), "Côte d’Ivoire".to_string())
        ])
    );
    assert_eq!(mabel.memo, "Interviewed twice.\n\nMemo kept in a file.");
    assert_eq!(p.studies[1].sources[0].name, "Ødegård 2020");

    // Texts as they came: BOM dropped, CRLF kept; inline text after XML's own
    // line-end folding.
    let store = Store::open(&dir, Mode::Read).unwrap().store;
    let t1 = store.read_text(&mabel.sources[0]).unwrap();
    assert_eq!(t1.as_str(), TEXT_ONE);
    let t2 = store.read_text(&mabel.sources[1]).unwrap();
    assert_eq!(t2.as_str(), "Inline text\nabout toast.");

    // Codings, with positions counted as ATLAS.ti counts them.
    let got: Vec<(&str, String, &str, Construct)> = mabel
        .codings
        .iter()
        .map(|c| {
            (
                c.quote.as_str(),
                cb.path(c.code),
                c.note.as_str(),
                c.construct,
            )
        })
        .collect();
    let u = Construct::Unspecified;
    assert_eq!(
        got,
        [
            (
                "Coke every morning",
                "Coke/diet Coke".into(),
                "why Coke?\n\nDiet, she says.",
                u
            ),
            (
                "Coke every morning",
                "Folder/Morning & routine".into(),
                "why Coke?",
                u
            ),
            ("cafe", "Coke".into(), "", u),
            ("She says it wakes her up.", "Coke".into(), "", u),
            ("Inline text\nabout toast.", "Coke".into(), "", u),
            ("about toast", "Folder/Morning & routine".into(), "", u),
        ]
    );
    let by: Vec<&str> = mabel
        .codings
        .iter()
        .map(|c| p.meta.reviewer_name(c.by).unwrap())
        .collect();
    assert_eq!(
        by[..2],
        ["Project Owner", "First Person"],
        "the coding's creator, else its selection's"
    );
    assert_eq!(mabel.codings[0].at, "2021-03-04T10:00:00Z");

    // The split é is kept where the file put it, and check says so.
    assert!(
        summary
            .problems
            .iter()
            .any(|pr| pr.warning && pr.message.contains("splits a character cluster")),
        "{text}"
    );
    assert_eq!(summary.problems.iter().filter(|p| !p.warning).count(), 0);

    // Everything left out is named.
    for expected in [
        "positions: 1 source read as code points with CRLF counted as one",
        "1 non-text source (1 PDF) with 1 coding",
        "1 coding whose code is not in the codebook",
        "1 coding whose span is empty, reversed or outside its text",
        "1 selection without a code (1 with a memo)",
        "1 note attached to nothing thematic keeps",
        "`Project memo`",
        "1 set: thematic has no place for them",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(
        text.starts_with("imported 4 code(s), 2 studies with 3 source(s), 6 coding(s)"),
        "{text}"
    );
}

/// NVivo counts UTF-16 units and writes no selection names: the origin decides.
#[test]
fn nvivo_utf16_positions_are_converted_without_names_to_check_them() {
    let tmp = TempDir::new().unwrap();
    let text = "Q1 😀😀 answer\r\nfamily 👨‍👩‍👧 together\r\n";
    // In UTF-16: "answer" [8, 14); "together" [32, 40) (the family emoji is 8 units).
    let qde = r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="n" origin="NVivo for Windows 12.6">
  <Users><User guid="10000000-0000-4000-8000-000000000001" name="U"/></Users>
  <CodeBook><Codes><Code guid="20000000-0000-4000-8000-000000000001" name="A" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="30000000-0000-4000-8000-000000000001" name="t" plainTextPath="internal://30000000-0000-4000-8000-000000000001.txt">
    <PlainTextSelection guid="40000000-0000-4000-8000-000000000001" name="" startPosition="8" endPosition="14">
      <Description />
      <Coding guid="50000000-0000-4000-8000-000000000001" creatingUser="10000000-0000-4000-8000-000000000001"><CodeRef targetGUID="20000000-0000-4000-8000-000000000001"/></Coding>
    </PlainTextSelection>
    <PlainTextSelection guid="40000000-0000-4000-8000-000000000002" name="" startPosition="32" endPosition="40">
      <Coding guid="50000000-0000-4000-8000-000000000002"><CodeRef targetGUID="20000000-0000-4000-8000-000000000001"/></Coding>
    </PlainTextSelection>
  </TextSource></Sources>
  <Description />
</Project>"#;
    let file = tmp.path().join("n.qdpx");
    let mut t = b"\xEF\xBB\xBF".to_vec();
    t.extend(text.as_bytes());
    package(
        &file,
        &[
            ("project.qde", qde.as_bytes().to_vec()),
            ("Sources/30000000-0000-4000-8000-000000000001.txt", t),
        ],
    );
    let (summary, p) = import(&file, &tmp.path().join("p"));
    let quotes: Vec<&str> = p.studies[0]
        .codings
        .iter()
        .map(|c| c.quote.as_str())
        .collect();
    assert_eq!(quotes, ["answer", "together"], "{summary}");
    assert!(
        summary
            .to_string()
            .contains("UTF-16 code units (the exporter counts that way)"),
        "{summary}"
    );
    assert!(summary.problems.is_empty(), "{:?}", summary.problems);
}

/// A `relative://` text outside the package is read from `basePath`; one that is
/// missing is skipped and named, while the rest imports.
#[test]
fn external_texts_are_read_from_base_path_and_missing_ones_are_named() {
    let tmp = TempDir::new().unwrap();
    let media = tmp.path().join("media");
    fs::create_dir_all(&media).unwrap();
    fs::write(media.join("outside.txt"), "Text kept outside the package.").unwrap();
    let qde = format!(
        r#"<Project xmlns="urn:QDA-XML:project:1.0" name="x" basePath="{}">
  <CodeBook><Codes><Code guid="20000000-0000-4000-8000-000000000001" name="A" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="30000000-0000-4000-8000-000000000001" name="outside" plainTextPath="relative:///outside.txt">
      <PlainTextSelection guid="40000000-0000-4000-8000-000000000001" startPosition="0" endPosition="4">
        <Coding guid="50000000-0000-4000-8000-000000000001"><CodeRef targetGUID="20000000-0000-4000-8000-000000000001"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="30000000-0000-4000-8000-000000000002" name="gone" plainTextPath="absolute:///no/such/file.txt"/>
  </Sources>
</Project>"#,
        media.display()
    );
    let file = tmp.path().join("x.qde");
    fs::write(&file, qde).unwrap();
    let (summary, p) = import(&file, &tmp.path().join("p"));
    assert_eq!(p.studies.len(), 1);
    assert_eq!(p.studies[0].codings[0].quote, "Text");
    let text = summary.to_string();
    assert!(
        text.contains("skipped: text source `gone` with 0 codings: absolute:///no/such/file.txt"),
        "{text}"
    );
}
