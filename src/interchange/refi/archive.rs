//! Where a REFI project's files come from: a `.qdpx` zip, or a bare `.qde` with its
//! `sources/` folder beside it. Names are looked up the way real exporters need:
//! the `.qde` by extension whatever it is called, `sources/` in any case, file
//! names case-insensitively.

use std::collections::HashMap;
use std::fs;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use zip::ZipArchive;

use super::RefiError;

/// An opened REFI package.
pub struct Package<'a> {
    /// The file as the user named it, for messages.
    pub label: String,
    /// The project document's name inside the package (`project.qde`, `Trial.qde`…).
    pub qde_name: String,
    kind: Kind<'a>,
}

enum Kind<'a> {
    Zip {
        archive: ZipArchive<Cursor<&'a [u8]>>,
        qde: usize,
        /// Lower-cased file name inside `sources/` (any case) → entry.
        sources: HashMap<String, usize>,
        /// Lower-cased full path → entry.
        all: HashMap<String, usize>,
    },
    Folder {
        qde: PathBuf,
        /// Lower-cased file name inside the `sources/` folder → path.
        sources: HashMap<String, PathBuf>,
    },
}

/// Where a `plainTextPath` points.
#[derive(Debug, PartialEq, Eq)]
pub enum Location {
    /// A file inside the package (`internal://…`, or a bare name as old QualCoder wrote).
    Internal(String),
    /// A file outside it (`relative:///…` against `basePath`, `absolute:///…`).
    External(PathBuf),
}

pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// A file name as looked up: lower case, without the braces a GUID may carry.
fn key(s: &str) -> String {
    lower(s).replace(['{', '}'], "")
}

impl<'a> Package<'a> {
    /// Open `file` (its bytes already read into `bytes`): a zip, or a `.qde`.
    pub fn open(file: &Path, bytes: &'a [u8]) -> Result<Package<'a>, RefiError> {
        let label = file.display().to_string();
        if is_zip(bytes) {
            let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
                RefiError::Failed(format!("{label}: not a readable .qdpx (zip) file: {e}"))
            })?;
            let mut all = HashMap::new();
            let mut sources = HashMap::new();
            let mut qdes: Vec<(usize, String)> = Vec::new();
            for i in 0..archive.len() {
                let Some(Ok(name)) = archive.name_for_index(i) else {
                    continue;
                };
                let name = name.replace('\\', "/");
                let low = lower(&name);
                if low.ends_with('/') {
                    continue;
                }
                if let Some(rest) = low.strip_prefix("sources/")
                    && !rest.is_empty()
                {
                    sources.entry(key(rest)).or_insert(i);
                }
                if low.ends_with(".qde") && !low.contains("__macosx") {
                    qdes.push((i, name.clone()));
                }
                all.entry(key(&low)).or_insert(i);
            }
            // The standard's `project.qde` first, then one at the root, then any.
            qdes.sort_by_key(|(_, n)| {
                let l = lower(n);
                (l != "project.qde", l.contains('/'), l)
            });
            let Some((qde, qde_name)) = qdes.into_iter().next() else {
                return Err(RefiError::Failed(format!(
                    "{label}: no project document (.qde) inside; is this a REFI-QDA project export?"
                )));
            };
            return Ok(Package {
                label,
                qde_name,
                kind: Kind::Zip {
                    archive,
                    qde,
                    sources,
                    all,
                },
            });
        }
        let dir = file.parent().unwrap_or(Path::new("."));
        let mut sources = HashMap::new();
        if let Ok(rd) = fs::read_dir(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        }) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if lower(&name) == "sources" && e.path().is_dir() {
                    for f in fs::read_dir(e.path()).into_iter().flatten().flatten() {
                        let n = f.file_name().to_string_lossy().into_owned();
                        sources.entry(key(&n)).or_insert(f.path());
                    }
                }
            }
        }
        Ok(Package {
            qde_name: file
                .file_name()
                .map_or_else(|| label.clone(), |n| n.to_string_lossy().into_owned()),
            label,
            kind: Kind::Folder {
                qde: file.to_path_buf(),
                sources,
            },
        })
    }

    /// Whether the package holds a `sources/` folder with anything in it.
    pub fn has_sources(&self) -> bool {
        match &self.kind {
            Kind::Zip { sources, .. } => !sources.is_empty(),
            Kind::Folder { sources, .. } => !sources.is_empty(),
        }
    }

    /// The project document's bytes.
    pub fn qde_bytes(&self, bytes: &[u8]) -> Result<Vec<u8>, RefiError> {
        match &self.kind {
            Kind::Zip { archive, qde, .. } => {
                let mut a = archive.clone();
                let mut f = a.by_index(*qde).map_err(|e| {
                    RefiError::Failed(format!("{}!{}: {e}", self.label, self.qde_name))
                })?;
                let mut out = Vec::with_capacity(f.size() as usize);
                f.read_to_end(&mut out).map_err(|e| {
                    RefiError::Failed(format!("{}!{}: {e}", self.label, self.qde_name))
                })?;
                Ok(out)
            }
            Kind::Folder { .. } => Ok(bytes.to_vec()),
        }
    }

    /// Read an internal file by its name (as after `internal://`). `Ok(None)` if
    /// the package has no such file.
    pub fn read_internal(&self, name: &str) -> Result<Option<Vec<u8>>, String> {
        let name = name.trim_start_matches('/').replace('\\', "/");
        let low = key(&name);
        let file = low.rsplit('/').next().unwrap_or(&low).to_string();
        match &self.kind {
            Kind::Zip {
                archive,
                sources,
                all,
                ..
            } => {
                let Some(&i) = sources
                    .get(&low)
                    .or_else(|| all.get(&low))
                    .or_else(|| sources.get(&file))
                else {
                    return Ok(None);
                };
                let mut a = archive.clone();
                let mut f = a.by_index(i).map_err(|e| e.to_string())?;
                let mut out = Vec::with_capacity(f.size() as usize);
                f.read_to_end(&mut out).map_err(|e| e.to_string())?;
                Ok(Some(out))
            }
            Kind::Folder { qde, sources } => {
                let path = sources
                    .get(&low)
                    .or_else(|| sources.get(&file))
                    .cloned()
                    .or_else(|| {
                        let p = qde.parent().unwrap_or(Path::new(".")).join(&name);
                        p.is_file().then_some(p)
                    });
                match path {
                    Some(p) => fs::read(&p)
                        .map(Some)
                        .map_err(|e| crate::store::describe_io(&e)),
                    None => Ok(None),
                }
            }
        }
    }

    /// Where a `plainTextPath` (or `path`) points, given the project's `basePath`.
    pub fn locate(&self, path: &str, base_path: &str) -> Location {
        let p = path.trim();
        let (scheme, rest) = match p.find("://") {
            Some(i) => (lower(&p[..i]), &p[i + 3..]),
            None => (String::new(), p),
        };
        match scheme.as_str() {
            "relative" => {
                let rest = rest.trim_start_matches('/');
                let base = if base_path.trim().is_empty() {
                    self.folder()
                } else {
                    PathBuf::from(base_path.trim())
                };
                Location::External(base.join(rest))
            }
            "absolute" | "file" => {
                // `absolute:///C:/x` → `C:/x`; `absolute:///Users/x` → `/Users/x`.
                let r = rest.strip_prefix('/').unwrap_or(rest);
                let windows = r.len() > 1 && r.as_bytes()[1] == b':';
                Location::External(PathBuf::from(if windows {
                    r.to_string()
                } else {
                    format!("/{r}")
                }))
            }
            _ => Location::Internal(rest.to_string()),
        }
    }

    /// The folder the package file is in (for relative paths without `basePath`).
    fn folder(&self) -> PathBuf {
        Path::new(&self.label)
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }
}

/// A text file's bytes as a string, as thematic stores texts: UTF-8 with the BOM
/// dropped (a UTF-16 file with a BOM is decoded), line endings kept.
pub fn decode_text(bytes: &[u8]) -> Result<String, String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(str::to_string)
            .map_err(|e| format!("not valid UTF-8 (byte {})", e.valid_up_to() + 3));
    }
    let utf16 = |rest: &[u8], le: bool| {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16(&units).map_err(|_| "not valid UTF-16".to_string())
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, false);
    }
    std::str::from_utf8(bytes)
        .map(str::to_string)
        .map_err(|e| format!("not valid UTF-8 (byte {})", e.valid_up_to()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_lose_the_bom_and_keep_crlf() {
        assert_eq!(decode_text(b"\xEF\xBB\xBFa\r\nb").unwrap(), "a\r\nb");
        assert_eq!(decode_text(b"\xFF\xFEa\0\r\0\n\0").unwrap(), "a\r\n");
        assert!(decode_text(b"\xff\x00\x80").is_err());
    }

    #[test]
    fn paths_resolve_by_scheme() {
        let bytes = b"<Project/>".to_vec();
        let p = Package::open(Path::new("/x/y/p.qde"), &bytes).unwrap();
        assert_eq!(
            p.locate("internal://ABC.txt", ""),
            Location::Internal("ABC.txt".into())
        );
        assert_eq!(
            p.locate("board_2017.txt", ""),
            Location::Internal("board_2017.txt".into())
        );
        assert_eq!(
            p.locate("relative:///Audio/i.m4a", "/base"),
            Location::External(PathBuf::from("/base/Audio/i.m4a"))
        );
        assert_eq!(
            p.locate("relative:///t.txt", ""),
            Location::External(PathBuf::from("/x/y/t.txt"))
        );
        assert_eq!(
            p.locate("absolute:///Users/e/clip.mp4", ""),
            Location::External(PathBuf::from("/Users/e/clip.mp4"))
        );
        assert_eq!(
            p.locate("absolute:///C:/data/t.txt", ""),
            Location::External(PathBuf::from("C:/data/t.txt"))
        );
    }
}
