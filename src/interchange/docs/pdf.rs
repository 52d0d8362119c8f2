//! PDF through `pdf-extract` (pure Rust). Its text keeps the page's line breaks
//! and marks paragraphs with blank lines; here each paragraph becomes one line (a
//! line that ends in `-` is joined without a space, the hyphen kept) and the runs
//! of spaces that justified text leaves become one space.

use super::DocError;

pub(super) fn text(bytes: &[u8]) -> Result<String, DocError> {
    let raw = extract(bytes)?;
    let text = tidy(&raw);
    if text.trim().is_empty() {
        return Err(DocError::Pdf(
            "this PDF has no text layer (a scan?); export or OCR the text first".into(),
        ));
    }
    Ok(text)
}

/// The extractor can panic on PDFs it does not understand: that is an error for
/// this file, not a crash, and its panic message is not shown.
fn extract(bytes: &[u8]) -> Result<String, DocError> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes));
    std::panic::set_hook(hook);
    match result {
        Ok(Ok(text)) => Ok(text),
        Ok(Err(e)) => Err(DocError::Pdf(format!(
            "the PDF could not be read ({e}); export the text first"
        ))),
        Err(_) => Err(DocError::Pdf(
            "the PDF could not be read (the extractor failed on it); export the text first".into(),
        )),
    }
}

/// One line per paragraph.
fn tidy(raw: &str) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in raw.split(['\n', '\u{c}']) {
        let line = line
            .trim_end_matches('\r')
            .split(' ')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
        } else if current.is_empty() {
            current = line;
        } else {
            if !current.ends_with('-') {
                current.push(' ');
            }
            current.push_str(&line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    let mut out = paragraphs.join("\n");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_become_lines() {
        let raw = "\n\nTitle of the\npaper\n\nStaff  spoke   of a self-\nreported need.\n\n\n12\n";
        assert_eq!(
            tidy(raw),
            "Title of the paper\nStaff spoke of a self-reported need.\n12\n"
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(text(b"%PDF-1.4\nnot really").is_err());
    }
}
