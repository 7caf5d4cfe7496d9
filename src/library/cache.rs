//! The metadata cache: what the list shows of each article in a folder (title, outlet, date,
//! languages, words), kept in folio's cache folder so that a folder of any size opens with its
//! titles at once, from one file, without reading its articles.
//!
//! - An entry is known by its folder (as the system resolves it), its file name, and the file's
//!   size and modification time ([`Stamp`]): a file whose size or time changed is read again; a
//!   file that is gone drops out when its folder is next filled.
//! - What is kept is what the text says, before the folder's `sources.toml` is laid over it, so
//!   an edited manifest takes effect without reading the articles again.
//! - The file is a header line naming the format and its version, then one JSON object. A file
//!   that is not a folio cache, comes from another version, or is damaged is ignored with one
//!   message (the folder is read as if there were no cache, and the cache is written anew).
//! - It is written whole to a temporary file beside it and renamed over it: a reader (another
//!   folio) sees the old cache or the new one, never half of one.
//! - Where it lives: `metadata.json` in the XDG cache folder (`$XDG_CACHE_HOME/folio`, usually
//!   `~/.cache/folio`), as the state and config follow their XDG folders.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::{Article, Lang, Section};
use crate::text::Direction;
use crate::text::sanitize::printable;

/// What the header line says this file is.
pub const FORMAT: &str = "folio metadata cache";
/// Bumped whenever what is kept, or how, changes: an older cache is then ignored.
pub const VERSION: u32 = 1;
/// The cache's file name in folio's cache folder.
pub const FILE_NAME: &str = "metadata.json";

/// The environment variable naming another cache folder (tests, or a user who keeps caches
/// elsewhere).
pub const CACHE_DIR_VAR: &str = "FOLIO_CACHE_DIR";

/// folio's cache folder, which holds the metadata cache and the search index:
/// `$FOLIO_CACHE_DIR` when set, else the XDG cache folder (`$XDG_CACHE_HOME/folio`);
/// `None` when the system names none.
pub fn cache_folder() -> Option<PathBuf> {
    match std::env::var_os(CACHE_DIR_VAR) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => Some(
            directories::ProjectDirs::from("", "", "folio")?
                .cache_dir()
                .to_path_buf(),
        ),
    }
}

/// Where the metadata cache lives by default: in folio's [`cache_folder`].
pub fn default_cache_path() -> Option<PathBuf> {
    Some(cache_folder()?.join(FILE_NAME))
}

/// What tells a file's version apart: its size and modification time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub size: u64,
    /// Seconds since 1970 (negative before) and nanoseconds of the modification time.
    pub secs: i64,
    pub nanos: u32,
}

impl Stamp {
    pub fn of(meta: &fs::Metadata) -> Stamp {
        let (secs, nanos) = match meta.modified().map(|t| t.duration_since(UNIX_EPOCH)) {
            Ok(Ok(d)) => (d.as_secs() as i64, d.subsec_nanos()),
            Ok(Err(before)) => (-(before.duration().as_secs() as i64), 0),
            Err(_) => (0, 0),
        };
        Stamp {
            size: meta.len(),
            secs,
            nanos,
        }
    }
}

/// One section as the list knows it: its language, direction and length.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionMeta {
    pub lang: Lang,
    pub rtl: bool,
    pub words: usize,
    pub minutes: u32,
}

/// What the list shows of an article, as its text says it (no manifest laid over).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlet: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dateline: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default)]
    pub sections: Vec<SectionMeta>,
    pub words: usize,
    pub minutes: u32,
    #[serde(default)]
    pub invalid_utf8: bool,
}

impl Meta {
    /// What the list shows of a parsed article.
    pub fn of(article: &Article) -> Meta {
        Meta {
            title: article.title.clone(),
            outlet: article.outlet.clone(),
            date: article.date.clone(),
            dateline: article.dateline.clone(),
            url: article.url.clone(),
            sections: article
                .sections
                .iter()
                .map(|s| SectionMeta {
                    lang: s.lang,
                    rtl: s.dir == Direction::Rtl,
                    words: s.words,
                    minutes: s.reading_minutes,
                })
                .collect(),
            words: article.words,
            minutes: article.reading_minutes,
            invalid_utf8: article.had_invalid_utf8,
        }
    }

    /// Lay this over a stub: its sections come with empty paragraph ranges (it has no text).
    pub fn apply(self, article: &mut Article) {
        article.title = self.title;
        article.outlet = self.outlet;
        article.date = self.date;
        article.dateline = self.dateline;
        article.url = self.url;
        article.sections = self
            .sections
            .iter()
            .map(|s| Section {
                lang: s.lang,
                dir: if s.rtl {
                    Direction::Rtl
                } else {
                    Direction::Ltr
                },
                paragraphs: 0..0,
                words: s.words,
                reading_minutes: s.minutes,
            })
            .collect();
        article.words = self.words;
        article.reading_minutes = self.minutes;
        article.had_invalid_utf8 = self.invalid_utf8;
    }
}

/// One file's metadata, with the stamp of the version it was read from. Written as one flat
/// JSON array ([`Row`]): a hundred thousand entries are read before the first frame, and an
/// array without field names is less than half the bytes to read and parse.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Row", into = "Row")]
pub struct Entry {
    pub stamp: Stamp,
    pub meta: Meta,
}

/// A section as written: language, right-to-left, words, minutes.
type SectionRow = (Lang, bool, usize, u32);

/// An entry as written: size, seconds, nanoseconds, title, outlet, date, dateline, url,
/// sections, words, minutes, invalid UTF-8.
type Row = (
    u64,
    i64,
    u32,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Vec<SectionRow>,
    usize,
    u32,
    bool,
);

impl From<Entry> for Row {
    fn from(e: Entry) -> Row {
        let m = e.meta;
        (
            e.stamp.size,
            e.stamp.secs,
            e.stamp.nanos,
            m.title,
            m.outlet,
            m.date,
            m.dateline,
            m.url,
            m.sections
                .into_iter()
                .map(|s| (s.lang, s.rtl, s.words, s.minutes))
                .collect(),
            m.words,
            m.minutes,
            m.invalid_utf8,
        )
    }
}

impl From<Row> for Entry {
    fn from(r: Row) -> Entry {
        let (size, secs, nanos, title, outlet, date, dateline, url, sections, words, minutes, bad) =
            r;
        Entry {
            stamp: Stamp { size, secs, nanos },
            meta: Meta {
                title,
                outlet,
                date,
                dateline,
                url,
                sections: sections
                    .into_iter()
                    .map(|(lang, rtl, words, minutes)| SectionMeta {
                        lang,
                        rtl,
                        words,
                        minutes,
                    })
                    .collect(),
                words,
                minutes,
                invalid_utf8: bad,
            },
        }
    }
}

/// A folder's entries, by file name.
pub type Folder = HashMap<String, Entry>;

/// The header line.
#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
}

/// Every folder folio has filled, by the folder's resolved path.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaCache {
    pub folders: HashMap<String, Folder>,
}

impl MetaCache {
    /// The entry for `name` in `folder`, whatever its stamp.
    pub fn get(&self, folder: &str, name: &str) -> Option<&Entry> {
        self.folders.get(folder)?.get(name)
    }

    /// Read the cache at `path`. No file is an empty cache; a file folio cannot use is an
    /// empty cache and a message saying why it was ignored.
    pub fn read(path: &Path) -> (MetaCache, Option<String>) {
        let ignored = |why: &str| {
            Some(printable(&format!(
                "metadata cache {}: {why}; ignored (titles are read again)",
                path.display()
            )))
        };
        let bytes = match fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return (MetaCache::default(), None),
            Err(e) => return (MetaCache::default(), ignored(&e.to_string())),
        };
        let (head, body) = match memchr::memchr(b'\n', &bytes) {
            Some(i) => (&bytes[..i], &bytes[i + 1..]),
            None => (&bytes[..], &b""[..]),
        };
        match serde_json::from_slice::<Header>(head) {
            Ok(h) if h.format == FORMAT && h.version == VERSION => {}
            Ok(h) if h.format == FORMAT => {
                let why = format!("made by another version of folio (format {})", h.version);
                return (MetaCache::default(), ignored(&why));
            }
            _ => return (MetaCache::default(), ignored("not a folio metadata cache")),
        }
        match serde_json::from_slice::<MetaCache>(body) {
            Ok(cache) => (cache, None),
            Err(e) => (MetaCache::default(), ignored(&format!("damaged ({e})"))),
        }
    }

    /// Write the cache to `path`, whole or not at all: to a temporary file in the same
    /// folder, then renamed over the old one. Makes the folder if it is missing.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".metadata-")
            .suffix(".tmp")
            .tempfile_in(dir)?;
        {
            let mut out = io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
            serde_json::to_writer(
                &mut out,
                &Header {
                    format: FORMAT.into(),
                    version: VERSION,
                },
            )?;
            out.write_all(b"\n")?;
            serde_json::to_writer(&mut out, self)?;
            out.write_all(b"\n")?;
            out.flush()?;
        }
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{Origin, parse_article};

    fn entry(title: &str, size: u64) -> Entry {
        let article = parse_article(
            "a.txt",
            Origin::Embedded,
            format!("{title}\n\nسلام علیکم. Some words.").as_bytes(),
        );
        Entry {
            stamp: Stamp {
                size,
                secs: 1_700_000_000,
                nanos: 5,
            },
            meta: Meta::of(&article),
        }
    }

    #[test]
    fn a_cache_comes_back_as_it_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join(FILE_NAME);
        let mut cache = MetaCache::default();
        let mut folder = Folder::new();
        folder.insert("a.txt".into(), entry("A headline for the cache", 10));
        folder.insert("b\u{1b}.txt".into(), entry("Another one", 20));
        cache.folders.insert("/news".into(), folder);
        cache.write(&path).unwrap();
        let (back, warning) = MetaCache::read(&path);
        assert_eq!(warning, None);
        assert_eq!(back, cache);
        let a = back.get("/news", "a.txt").unwrap();
        assert_eq!(a.meta.title, "A headline for the cache");
        assert!(!a.meta.sections.is_empty(), "{:?}", a.meta.sections);
        // Only the cache is left in the folder: the temporary file was renamed over it.
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from(FILE_NAME)]);
    }

    #[test]
    fn meta_laid_over_a_stub_gives_what_the_list_shows() {
        let article = parse_article(
            "a.txt",
            Origin::Embedded,
            "Title line here\n\nEnglish words in a body.\n\nسلام علیکم دوستان عزیز".as_bytes(),
        );
        let mut stub = parse_article("a.txt", Origin::Embedded, b"");
        stub.unload();
        Meta::of(&article).apply(&mut stub);
        assert_eq!(stub.title, article.title);
        assert_eq!(stub.languages(), article.languages());
        assert_eq!(stub.words, article.words);
        assert_eq!(stub.reading_minutes, article.reading_minutes);
        assert!(stub.sections.iter().all(|s| s.paragraphs.is_empty()));
        assert!(!stub.is_loaded());
    }

    #[test]
    fn no_cache_file_is_an_empty_cache_without_a_word() {
        let dir = tempfile::tempdir().unwrap();
        let (cache, warning) = MetaCache::read(&dir.path().join(FILE_NAME));
        assert_eq!(cache, MetaCache::default());
        assert_eq!(warning, None);
    }

    #[test]
    fn a_damaged_or_foreign_cache_is_ignored_with_a_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut cache = MetaCache::default();
        cache.folders.insert(
            "/news".into(),
            Folder::from([("a.txt".into(), entry("T", 1))]),
        );
        cache.write(&path).unwrap();
        let whole = fs::read(&path).unwrap();
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (whole[..whole.len() / 2].to_vec(), "damaged"),
            (
                b"\x00\xff\x1b[2J garbage".to_vec(),
                "not a folio metadata cache",
            ),
            (
                b"{\"some\":\"json\"}\n{}".to_vec(),
                "not a folio metadata cache",
            ),
            (
                b"{\"format\":\"folio metadata cache\",\"version\":999}\n{}".to_vec(),
                "another version",
            ),
            (Vec::new(), "not a folio metadata cache"),
        ];
        for (bytes, why) in cases {
            fs::write(&path, &bytes).unwrap();
            let (back, warning) = MetaCache::read(&path);
            assert_eq!(back, MetaCache::default());
            let warning = warning.expect("a message");
            assert!(warning.contains(why), "{warning}");
            assert!(warning.contains("ignored"), "{warning}");
            assert!(!warning.contains('\u{1b}'), "{warning}");
        }
    }

    #[test]
    fn a_failed_write_leaves_the_old_cache_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut cache = MetaCache::default();
        cache.folders.insert(
            "/a".into(),
            Folder::from([("a.txt".into(), entry("Old", 1))]),
        );
        cache.write(&path).unwrap();
        let before = fs::read(&path).unwrap();
        // A folder in the way of the cache's own folder: nothing can be written.
        let blocked = dir.path().join("file-not-folder");
        fs::write(&blocked, b"x").unwrap();
        assert!(cache.write(&blocked.join(FILE_NAME)).is_err());
        // Writing anew replaces the file in one step; the old one stayed whole until then.
        assert_eq!(fs::read(&path).unwrap(), before);
        cache.folders.clear();
        cache.write(&path).unwrap();
        assert_eq!(MetaCache::read(&path).0, MetaCache::default());
    }
}
