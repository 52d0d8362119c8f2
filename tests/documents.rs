//! `thematic import` of Word (.docx), OpenDocument (.odt) and PDF files. The Word
//! and ODF documents are built here, part by part, the way Word and LibreOffice
//! write them; the PDF is `tests/fixtures/docs/journal.pdf`, made by LibreOffice
//! from `journal.fodt` (`make-journal-pdf.sh` beside it).

mod common;

use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use common::{check, thematic};
use thematic::store::{Mode, Store};
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

/// What both documents below must give: one line per paragraph (the empty one
/// kept), table rows as tab-separated cells, note marks in the text and the notes
/// after it, every character as it was.
const EXPECTED: &str = "Results\n\
Staff spoke of having “nowhere to refer” people[1].\n\
\n\
It’s “hard”, said a nurse in Ødegård’s team: naïve café 中文 😀\n\
Tab\tthen a break\nsoft\u{ad}hyphen, zero\u{200b}width, a non\u{2011}breaking hyphen and  two spaces\n\
Tracked: inserted and a link; page 3.[2]\n\
Theme\tStudies\tQuote\n\
Diagnosis\t12\t“a door that closes”\n\
Safety\t\t—\n\
A text box follows.\n\
Box text\n\
Last paragraph.\n\
\n\
Notes\n\
[1] Interview 4, Zürich.\n\
[2] An endnote with two paragraphs.\n\
Second paragraph.\n";

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

fn zip(path: &Path, parts: &[(&str, &str)]) {
    let file = fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(file);
    for (name, content) in parts {
        // ODF wants its mimetype first and stored; the rest may be deflated.
        let method = if *name == "mimetype" {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        z.start_file(
            *name,
            SimpleFileOptions::default().compression_method(method),
        )
        .unwrap();
        z.write_all(content.as_bytes()).unwrap();
    }
    z.finish().unwrap();
}

/// A Word document with what Word writes around the text: run properties, proofing
/// marks, bookmarks, a tracked deletion and insertion, a hyperlink, a field, a
/// table with a two-paragraph cell and an empty cell, a text box with its VML
/// fallback, a footnote and an endnote.
fn docx(path: &Path) {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" mc:Ignorable="w14"><w:body>
<w:p w14:paraId="1A2B3C4D"><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Results</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Staff spoke of having </w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t>“nowhere to refer”</w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:t xml:space="preserve"> people</w:t></w:r><w:proofErr w:type="spellEnd"/><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="1"/></w:r><w:r><w:t>.</w:t></w:r></w:p>
<w:p><w:pPr><w:spacing w:after="0"/></w:pPr></w:p>
<w:p><w:bookmarkStart w:id="0" w:name="_GoBack"/><w:r><w:t>It’s “hard”, said a nurse in Ødegård’s team: naïve café 中文 😀</w:t></w:r><w:bookmarkEnd w:id="0"/></w:p>
<w:p><w:r><w:t>Tab</w:t><w:tab/><w:t>then a break</w:t><w:br/><w:t>soft</w:t><w:softHyphen/><w:t xml:space="preserve">hyphen, zero&#x200B;width, a non</w:t><w:noBreakHyphen/><w:t xml:space="preserve">breaking hyphen and  two spaces</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Tracked: </w:t></w:r><w:del w:id="5" w:author="A"><w:r><w:delText xml:space="preserve">removed </w:delText></w:r></w:del><w:ins w:id="6" w:author="A"><w:r><w:t>inserted</w:t></w:r></w:ins><w:r><w:t xml:space="preserve"> and a </w:t></w:r><w:hyperlink r:id="rId9" w:history="1"><w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr><w:t>link</w:t></w:r></w:hyperlink><w:r><w:t xml:space="preserve">; page </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>.</w:t></w:r><w:r><w:rPr><w:rStyle w:val="EndnoteReference"/></w:rPr><w:endnoteReference w:id="2"/></w:r></w:p>
<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid><w:gridCol w:w="3000"/><w:gridCol w:w="3000"/><w:gridCol w:w="3000"/></w:tblGrid>
<w:tr><w:tc><w:tcPr><w:tcW w:w="3000" w:type="dxa"/></w:tcPr><w:p><w:r><w:t>Theme</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Studies</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Quote</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>Diagnosis</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>12</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>“a door</w:t></w:r></w:p><w:p><w:r><w:t>that closes”</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>Safety</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc><w:tc><w:p><w:r><w:t>—</w:t></w:r></w:p></w:tc></w:tr>
</w:tbl>
<w:p><w:r><w:t>A text box follows.</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>Box text</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>Box text</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>
<w:p><w:r><w:t>Last paragraph.</w:t></w:r></w:p>
<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440"/></w:sectPr>
</w:body></w:document>"#
    );
    let footnotes = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes xmlns:w="{W}"><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> Interview 4, Zürich.</w:t></w:r></w:p></w:footnote></w:footnotes>"#
    );
    let endnotes = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:endnotes xmlns:w="{W}"><w:endnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:endnote><w:endnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:endnote><w:endnote w:id="2"><w:p><w:r><w:endnoteRef/></w:r><w:r><w:t xml:space="preserve"> An endnote with two paragraphs.</w:t></w:r></w:p><w:p><w:r><w:t>Second paragraph.</w:t></w:r></w:p></w:endnote></w:endnotes>"#
    );
    zip(
        path,
        &[
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/><Override PartName="/word/endnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml"/></Types>"#,
            ),
            (
                "_rels/.rels",
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#,
            ),
            ("word/document.xml", &document),
            (
                "word/_rels/document.xml.rels",
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes" Target="endnotes.xml"/><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://example.org/" TargetMode="External"/></Relationships>"#,
            ),
            ("word/footnotes.xml", &footnotes),
            ("word/endnotes.xml", &endnotes),
        ],
    );
}

/// The same document as LibreOffice writes it: spans, `text:s`, a tracked
/// deletion kept apart from the text, an annotation, a table with header rows,
/// a frame with a text box, a list, and white space in the markup that the ODF
/// rules collapse.
fn odt(path: &Path) {
    let content = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3">
  <office:automatic-styles/>
  <office:body>
    <office:text>
      <text:sequence-decls><text:sequence-decl text:display-outline-level="0" text:name="Table"/></text:sequence-decls>
      <text:tracked-changes><text:changed-region text:id="ct1"><text:deletion><office:change-info><dc:creator>A</dc:creator></office:change-info><text:p>removed </text:p></text:deletion></text:changed-region></text:tracked-changes>
      <text:h text:style-name="Heading_20_1" text:outline-level="1">Results</text:h>
      <text:p text:style-name="Standard">Staff spoke of having <text:span text:style-name="T1">“nowhere to refer”</text:span> people<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p text:style-name="Footnote"> Interview 4, Zürich.</text:p></text:note-body></text:note>.</text:p>
      <text:p text:style-name="Standard"/>
      <text:p text:style-name="Standard">It’s “hard”, said a nurse in Ødegård’s team: naïve café 中文 😀</text:p>
      <text:p text:style-name="Standard">Tab<text:tab/>then a break<text:line-break/>soft&#xAD;hyphen, zero&#x200B;width, a non‑breaking hyphen and <text:s/>two spaces</text:p>
      <text:p text:style-name="Standard">Tracked: <text:change text:change-id="ct1"/>inserted and a <text:a xlink:type="simple" xlink:href="https://example.org/">link</text:a>; page <text:page-number text:select-page="current">3</text:page-number>.<text:note text:id="ftn2" text:note-class="endnote"><text:note-citation>i</text:note-citation><text:note-body><text:p>An endnote with two paragraphs.</text:p><text:p>Second paragraph.</text:p></text:note-body></text:note><office:annotation><dc:creator>A</dc:creator><text:p>A comment, not text.</text:p></office:annotation></text:p>
      <table:table table:name="Table1">
        <table:table-column table:number-columns-repeated="3"/>
        <table:table-header-rows>
          <table:table-row><table:table-cell office:value-type="string"><text:p>Theme</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Studies</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Quote</text:p></table:table-cell></table:table-row>
        </table:table-header-rows>
        <table:table-row><table:table-cell><text:p>Diagnosis</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="12"><text:p>12</text:p></table:table-cell><table:table-cell><text:p>“a door</text:p><text:p>that closes”</text:p></table:table-cell></table:table-row>
        <table:table-row><table:table-cell><text:p>Safety</text:p></table:table-cell><table:table-cell/><table:table-cell><text:p>—</text:p></table:table-cell></table:table-row>
      </table:table>
      <text:p text:style-name="Standard">A text box follows.<draw:frame draw:name="Frame1" text:anchor-type="paragraph" svg:width="4cm"><draw:text-box><text:p>Box text</text:p></draw:text-box></draw:frame></text:p>
      <text:list text:style-name="L1"><text:list-item><text:p text:style-name="P1">Last
        paragraph.</text:p></text:list-item></text:list>
    </office:text>
  </office:body>
</office:document-content>"#;
    zip(
        path,
        &[
            ("mimetype", "application/vnd.oasis.opendocument.text"),
            (
                "META-INF/manifest.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
            ),
            ("content.xml", content),
        ],
    );
}

fn init(tmp: &TempDir) -> PathBuf {
    let root = tmp.path().join("review");
    common::init(&root).ok();
    root
}

fn import(root: &Path, files: &[&Path]) -> common::Run {
    let mut args: Vec<&OsStr> = vec!["import".as_ref(), root.as_os_str()];
    args.extend(files.iter().map(|f| f.as_os_str()));
    thematic(args)
}

/// The text stored for a study's first source.
fn text_of(root: &Path, key: &str) -> String {
    let o = Store::open(root, Mode::Read).unwrap();
    let s = o
        .project
        .study_by_key(key)
        .unwrap_or_else(|| panic!("no study {key}"));
    o.store
        .read_text(&s.sources[0])
        .unwrap()
        .as_str()
        .to_string()
}

#[test]
fn docx_text_is_paragraphs_rows_and_notes() {
    let tmp = TempDir::new().unwrap();
    let root = init(&tmp);
    let file = tmp.path().join("Okafor 2019.docx");
    docx(&file);
    let run = import(&root, &[&file]).ok();
    assert!(run.stdout.contains("→ okafor-2019"), "{run:?}");
    assert_eq!(text_of(&root, "okafor-2019"), EXPECTED);
    let run = check(&root).ok();
    assert!(run.stdout.contains("0 error(s)"), "{run:?}");
}

#[test]
fn odt_text_is_the_same_as_the_word_document() {
    let tmp = TempDir::new().unwrap();
    let root = init(&tmp);
    let file = tmp.path().join("Reyes 2020.odt");
    odt(&file);
    import(&root, &[&file]).ok();
    assert_eq!(text_of(&root, "reyes-2020"), EXPECTED);
    check(&root).ok();
}

#[test]
fn pdf_text_is_one_line_per_paragraph() {
    let tmp = TempDir::new().unwrap();
    let root = init(&tmp);
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/docs/journal.pdf");
    import(&root, &[&fixture]).ok();
    // Two columns, justified: the columns come in order, a paragraph that runs
    // over into the second column is one line, and the spaces of justification
    // are single spaces. The title and the authors are one paragraph in the PDF.
    assert_eq!(
        text_of(&root, "journal"),
        "Clinicians’ views on community mental health care for people with complex emotional needs \
         Ngozi Okafor, Luis Reyes, Kari Ødegård\n\
         Results\n\
         Staff spoke of having “nowhere to refer” people with complex emotional needs. The diagnosis \
         was, in one psychiatrist’s words, “a door that closes more than it opens”. Participants in São \
         Paulo and Zürich described the same difficulty.\n\
         Therapeutic relationships needed connection and distance at once. Several clinicians said that \
         they had learned to be warm without promising more than the service could give, and that this \
         balance was the hardest part of their work.\n\
         Managing safety issues and crises meant being measured and proactive: teams that planned for \
         crises together felt less alone when one came, and they described their plans as living \
         documents.\n"
    );
    check(&root).ok();
}

#[test]
fn a_folder_imports_every_supported_document_and_no_progress_bar_is_drawn() {
    let tmp = TempDir::new().unwrap();
    let root = init(&tmp);
    let dir = tmp.path().join("papers");
    fs::create_dir_all(&dir).unwrap();
    docx(&dir.join("a-word.docx"));
    odt(&dir.join("b-libre.odt"));
    fs::write(dir.join("c-plain.txt"), "Plain text.\n").unwrap();
    fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/docs/journal.pdf"),
        dir.join("d-journal.pdf"),
    )
    .unwrap();
    fs::write(dir.join("refs.ris"), "TY  - JOUR\nER  - \n").unwrap();
    fs::write(dir.join("old.doc"), "not read").unwrap();
    let run = import(&root, &[&dir]).ok();
    assert!(run.stdout.contains("imported 4 file(s)"), "{run:?}");
    // stderr is not a terminal here: no bar, no escape sequences.
    assert_eq!(run.stderr, "", "{run:?}");
    let o = Store::open(&root, Mode::Read).unwrap();
    let keys: Vec<&str> = o.project.studies.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["a-word", "b-libre", "c-plain", "d-journal"]);
    assert_eq!(text_of(&root, "a-word"), text_of(&root, "b-libre"));
    check(&root).ok();
}

#[test]
fn unsupported_and_broken_files_are_refused() {
    let tmp = TempDir::new().unwrap();
    let root = init(&tmp);
    let doc = tmp.path().join("old.doc");
    fs::write(&doc, "binary Word").unwrap();
    let run = import(&root, &[&doc]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("old.doc: unsupported file type (thematic imports .txt, .md, .docx, .odt, .pdf); save it as .docx or .odt first"),
        "{run:?}"
    );
    let broken = tmp.path().join("broken.docx");
    fs::write(&broken, "this is not a zip").unwrap();
    let run = import(&root, &[&broken]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("broken.docx: not a readable Word (.docx) file"),
        "{run:?}"
    );
    // A package whose document part is not well-formed XML: the part, line and column.
    let bad = tmp.path().join("bad.docx");
    zip(
        &bad,
        &[(
            "word/document.xml",
            &format!(
                "<w:document xmlns:w=\"{W}\"><w:body>\n<w:p><w:r><w:t>x</w:r></w:p></w:body></w:document>"
            ),
        )],
    );
    let run = import(&root, &[&bad]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("bad.docx: word/document.xml:2:"),
        "{run:?}"
    );
    let fake_pdf = tmp.path().join("fake.pdf");
    fs::write(&fake_pdf, "%PDF-1.4\nnot really a PDF").unwrap();
    let run = import(&root, &[&fake_pdf]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("export the text first"), "{run:?}");
    // Every file is read before anything is written: a good file before a broken
    // one is not imported either.
    let good = tmp.path().join("good.docx");
    docx(&good);
    let run = import(&root, &[&good, &broken]);
    assert_eq!(run.code, 1, "{run:?}");
    let o = Store::open(&root, Mode::Read).unwrap();
    assert!(o.project.studies.is_empty());
    assert!(!root.join("studies/good").exists());
}
