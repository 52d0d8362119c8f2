//! Where reports get source texts from, and reading many of them in parallel.

use std::collections::HashMap;

use crate::model::{Id, Source, Study};
use crate::store::{Store, StoreError, is_safe_relative};
use crate::text::SourceText;

/// Something that can hand out a source's text: the project's [`Store`], or a map
/// of texts held in memory (tests, a workstation with the texts already loaded).
pub trait Texts: Sync {
    fn text(&self, source: &Source) -> Result<SourceText, StoreError>;

    /// Just the text, when no positions are needed (word counts).
    fn string(&self, source: &Source) -> Result<String, StoreError> {
        self.text(source).map(|t| t.as_str().to_string())
    }

    /// The text into `buf` (replacing what it held), so that one buffer can serve
    /// many texts.
    fn read_into(&self, source: &Source, buf: &mut String) -> Result<(), StoreError> {
        *buf = self.string(source)?;
        Ok(())
    }
}

impl Texts for Store {
    fn text(&self, source: &Source) -> Result<SourceText, StoreError> {
        self.read_text(source)
    }

    /// Reads the file without building a position index; any problem (an unsafe
    /// path, a missing file, invalid UTF-8) is reported by `read_text`.
    fn string(&self, source: &Source) -> Result<String, StoreError> {
        if is_safe_relative(&source.file)
            && let Ok(s) = std::fs::read_to_string(self.text_path(source))
        {
            return Ok(s);
        }
        self.read_text(source).map(|t| t.as_str().to_string())
    }

    fn read_into(&self, source: &Source, buf: &mut String) -> Result<(), StoreError> {
        use std::io::Read;
        buf.clear();
        if is_safe_relative(&source.file)
            && let Ok(mut f) = std::fs::File::open(self.text_path(source))
            && f.read_to_string(buf).is_ok()
        {
            return Ok(());
        }
        *buf = self.read_text(source)?.as_str().to_string();
        Ok(())
    }
}

/// Texts by source id. A source missing from the map reads as an error.
impl Texts for HashMap<Id, String> {
    fn text(&self, source: &Source) -> Result<SourceText, StoreError> {
        self.string(source).map(SourceText::new)
    }

    fn string(&self, source: &Source) -> Result<String, StoreError> {
        self.get(&source.id).cloned().ok_or_else(|| StoreError::Io {
            path: source.file.clone(),
            message: "no such text".into(),
        })
    }
}

/// `f(study, its texts in source order)` for every study, computed on a few threads
/// (reading and scanning texts is the slow part of a report), results in order.
pub fn per_study<'p, T, F>(
    studies: &[&'p Study],
    texts: &dyn Texts,
    f: F,
) -> Result<Vec<T>, StoreError>
where
    T: Send,
    F: Fn(&'p Study, &[SourceText]) -> T + Sync,
{
    parallel(studies, |s| {
        let t = s
            .sources
            .iter()
            .map(|src| texts.text(src))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(f(s, &t))
    })
}

/// `one(study)` for every study on a few threads; results in order, the first error wins.
pub fn parallel<'p, T, F>(studies: &[&'p Study], one: F) -> Result<Vec<T>, StoreError>
where
    T: Send,
    F: Fn(&'p Study) -> Result<T, StoreError> + Sync,
{
    crate::par::map(studies, |s| one(s)).into_iter().collect()
}
