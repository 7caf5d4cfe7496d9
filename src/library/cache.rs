//! The metadata cache: what the list shows of each article in a folder (title, outlet, date,
//! languages, words), kept in folio's cache folder so that a folder of any size opens with its
//! titles at once, from one file, without reading its articles.
//!
//! - An entry is known by its folder (as the system resolves it), its file name, and the file's
//!   size and modification time ([`Stamp`]): a file whose size or time changed is read again; a
//!   file that is gone drops out when its folder is next filled.
//! - What is kept is what the text says, before the folder's `sources.toml` is laid over it, so
//!   an edited manifest takes effect without reading the articles again.
//! - The file is a header line naming the format and its version (JSON), then the folders in
//!   postcard's compact binary encoding, each folder's entries sorted by name ([`CacheFile`]):
//!   a hundred thousand entries are some 6 MB, not the 19 MB of the JSON form, and opening a
//!   folder decodes its entries one at a time straight into the list's stubs, walking them
//!   beside the sorted folder listing, with no table of them built first. A file that is not a
//!   folio cache, comes from another version, or is damaged is ignored with one message (the
//!   folder is read as if there were no cache, and the cache is written anew); the JSON form
//!   of version 1 is still read, and replaced at the next write.
//! - It is written whole to a temporary file beside it and renamed over it: a reader (another
//!   folio) sees the old cache or the new one, never half of one.
//! - Where it lives: `metadata.json` in the XDG cache folder (`$XDG_CACHE_HOME/folio`, usually
//!   `~/.cache/folio`), as the state and config follow their XDG folders.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::{Article, Lang, Section};
use crate::text::Direction;
use crate::text::sanitize::printable;

/// What the header line says this file is.
pub const FORMAT: &str = "folio metadata cache";
/// Bumped whenever what is kept, or how, changes: an older cache is then ignored.
pub const VERSION: u32 = 2;
/// The version whose body was one JSON object: still read, and written anew in the current form.
const JSON_VERSION: u32 = 1;
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

/// An entry as written, borrowed: the same fields, in the same order, as [`Row`] (postcard
/// writes a struct's fields one after another, as it writes a tuple's).
#[derive(Serialize)]
struct RowRef<'a>(
    u64,
    i64,
    u32,
    &'a str,
    &'a Option<String>,
    &'a Option<String>,
    &'a Option<String>,
    &'a Option<String>,
    &'a [SectionMeta],
    usize,
    u32,
    bool,
);

impl<'a> RowRef<'a> {
    fn of(e: &'a Entry) -> RowRef<'a> {
        let m = &e.meta;
        RowRef(
            e.stamp.size,
            e.stamp.secs,
            e.stamp.nanos,
            &m.title,
            &m.outlet,
            &m.date,
            &m.dateline,
            &m.url,
            &m.sections,
            m.words,
            m.minutes,
            m.invalid_utf8,
        )
    }
}

/// One entry in the file's form, without its name: what the fill keeps of each file it reads
/// until it writes the cache, a few dozen bytes instead of an [`Entry`]'s allocations.
pub fn encode_entry(entry: &Entry) -> Box<[u8]> {
    postcard::to_allocvec(&RowRef::of(entry))
        .unwrap_or_default()
        .into_boxed_slice()
}

/// Every folder folio has filled, by the folder's resolved path.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct MetaCache {
    pub folders: HashMap<String, Folder>,
}

impl MetaCache {
    /// The entry for `name` in `folder`, whatever its stamp.
    pub fn get(&self, folder: &str, name: &str) -> Option<&Entry> {
        self.folders.get(folder)?.get(name)
    }

    /// Read the whole cache at `path`. No file is an empty cache; a file folio cannot use is an
    /// empty cache and a message saying why it was ignored.
    pub fn read(path: &Path) -> (MetaCache, Option<String>) {
        let (mut file, warning) = CacheFile::read(path);
        if let Some(legacy) = file.legacy.take() {
            return (legacy, warning);
        }
        let mut cache = MetaCache::default();
        for i in 0..file.folders.len() {
            let key = file.folders[i].0.clone();
            let mut entries = file.folder(&key);
            let mut folder = Folder::new();
            while let Some((name, entry)) = entries.next_entry() {
                folder.insert(name.to_string(), entry);
            }
            if entries.damaged {
                return (MetaCache::default(), file.damaged());
            }
            cache.folders.insert(key, folder);
        }
        (cache, warning)
    }

    /// Write the cache to `path`, whole or not at all: to a temporary file in the same
    /// folder, then renamed over the old one. Makes the folder if it is missing.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        let mut out = CacheWriter::default();
        for (key, folder) in &self.folders {
            let mut names: Vec<&String> = folder.keys().collect();
            names.sort_unstable();
            let mut block = FolderBlock::default();
            for name in names {
                block.push(name, &folder[name]);
            }
            out.folder(key, block);
        }
        out.write(path)
    }
}

/// The cache file as read: its bytes, and where each folder's entries lie in them; entries are
/// decoded only as a folder is opened, one at a time ([`CachedFolder`]).
///
/// The file is the header line, then (in postcard's encoding) the number of folders and, for
/// each, its key, the length in bytes of its entries and the entries: their number, then each
/// file's name and [`Row`], sorted by name. A file of version 1 (one JSON object after the
/// header) is still read, and replaced by the current form at the next write.
#[derive(Default)]
pub struct CacheFile {
    path: PathBuf,
    bytes: Arc<Bytes>,
    /// Each folder's key and the byte range of its entries.
    folders: Vec<(String, std::ops::Range<usize>)>,
    /// A cache of version 1, read whole.
    legacy: Option<MetaCache>,
}

impl CacheFile {
    /// Read the cache at `path` and find its folders. No file is an empty cache; a file folio
    /// cannot use is an empty cache and a message saying why it was ignored.
    pub fn read(path: &Path) -> (CacheFile, Option<String>) {
        let empty = || CacheFile {
            path: path.to_path_buf(),
            ..CacheFile::default()
        };
        let ignored = |why: &str| Some(ignored_message(path, why));
        let bytes = match Bytes::of(path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return (empty(), None),
            Err(e) => return (empty(), ignored(&e.to_string())),
        };
        let (head, body) = match memchr::memchr(b'\n', &bytes) {
            Some(i) => (&bytes[..i], i + 1),
            None => (&bytes[..], bytes.len()),
        };
        match serde_json::from_slice::<Header>(head) {
            Ok(h) if h.format == FORMAT && h.version == VERSION => {}
            Ok(h) if h.format == FORMAT && h.version == JSON_VERSION => {
                // The JSON form: taken over as it is, written in the current form next time.
                let legacy = match serde_json::from_slice::<MetaCache>(&bytes[body..]) {
                    Ok(cache) => cache,
                    Err(e) => return (empty(), ignored(&format!("damaged ({e})"))),
                };
                let mut file = empty();
                file.folders = legacy.folders.keys().map(|k| (k.clone(), 0..0)).collect();
                file.legacy = Some(legacy);
                return (file, None);
            }
            Ok(h) if h.format == FORMAT => {
                let why = format!("made by another version of folio (format {})", h.version);
                return (empty(), ignored(&why));
            }
            _ => return (empty(), ignored("not a folio metadata cache")),
        }
        match folders_of(&bytes, body) {
            Some(folders) => (
                CacheFile {
                    path: path.to_path_buf(),
                    bytes: Arc::new(bytes),
                    folders,
                    legacy: None,
                },
                None,
            ),
            None => (empty(), ignored("damaged (its folders do not add up)")),
        }
    }

    /// The message for a cache whose entries turned out damaged.
    pub fn damaged(&self) -> Option<String> {
        Some(ignored_message(
            &self.path,
            "damaged (an entry cannot be read)",
        ))
    }

    /// A cache of version 1, read whole: its entries can only be taken whole ([`Self::folder`]).
    pub fn is_legacy(&self) -> bool {
        self.legacy.is_some()
    }

    /// The file's bytes, to decode entries from later ([`SharedCache::entry_at`]) after this
    /// is dropped.
    pub fn shared(&self) -> SharedCache {
        SharedCache(Arc::clone(&self.bytes))
    }

    /// Every entry of `folder`, glanced at ([`Self::peek_folder`]), in name order; whether
    /// one could not be read (those after it are lost).
    pub fn peek_all(&self, folder: &str) -> (Vec<(&str, Peeked<'_>)>, bool) {
        let mut peeked = self.peek_folder(folder);
        let mut all = Vec::with_capacity(peeked.left);
        while let Some(entry) = peeked.next_peek() {
            all.push(entry);
        }
        (all, peeked.damaged)
    }

    /// How many entries the cache holds for `folder` (none for a version 1 cache).
    pub fn count(&self, folder: &str) -> usize {
        self.peek_folder(folder).left
    }

    /// The entries of `folder`, by name, as [`Self::folder`] has them but only glanced at: a
    /// stamp, a date and where the entry is, with nothing allocated (a version 1 cache has
    /// none to glance at).
    fn peek_folder(&self, folder: &str) -> PeekedFolder<'_> {
        let base: &[u8] = &self.bytes;
        let range = match self.legacy {
            Some(_) => 0..0,
            None => self
                .folders
                .iter()
                .find(|(key, _)| key == folder)
                .map(|(_, r)| r.clone())
                .unwrap_or(0..0),
        };
        let (left, rest) = postcard::take_from_bytes::<usize>(&base[range]).unwrap_or((0, &[]));
        PeekedFolder {
            base,
            rest,
            left,
            damaged: false,
        }
    }

    /// Whether the cache holds anything for `folder`.
    pub fn has(&self, folder: &str) -> bool {
        self.folders.iter().any(|(key, _)| key == folder)
    }

    /// The entries of `folder` (none when the cache has no such folder), by name.
    pub fn folder(&self, folder: &str) -> CachedFolder<'_> {
        if let Some(legacy) = self.legacy.as_ref() {
            let mut entries: Vec<(String, Entry)> = legacy
                .folders
                .get(folder)
                .map(|f| f.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default();
            entries.sort_unstable_by(|a, b| b.0.cmp(&a.0));
            return CachedFolder {
                map: None,
                released: 0,
                rest: &[],
                left: 0,
                legacy: entries,
                next: None,
                skipped: false,
                damaged: false,
            };
        }
        let range = self
            .folders
            .iter()
            .find(|(key, _)| key == folder)
            .map(|(_, r)| r.clone())
            .unwrap_or(0..0);
        let block = &self.bytes[range];
        let (left, rest) = postcard::take_from_bytes::<usize>(block).unwrap_or((0, &[]));
        CachedFolder {
            map: match &*self.bytes {
                Bytes::Mapped(map) => Some(map),
                Bytes::Owned(_) => None,
            },
            released: 0,
            rest,
            left,
            legacy: Vec::new(),
            next: None,
            skipped: false,
            damaged: false,
        }
    }
}

fn ignored_message(path: &Path, why: &str) -> String {
    printable(&format!(
        "metadata cache {}: {why}; ignored (titles are read again)",
        path.display()
    ))
}

/// Each folder's key and entries' byte range, when the body from `at` is whole.
fn folders_of(bytes: &[u8], at: usize) -> Option<Vec<(String, std::ops::Range<usize>)>> {
    let body = bytes.get(at..)?;
    let (count, mut rest) = postcard::take_from_bytes::<usize>(body).ok()?;
    let mut folders = Vec::with_capacity(count.min(1024));
    for _ in 0..count {
        let ((key, len), after) = postcard::take_from_bytes::<(String, usize)>(rest).ok()?;
        if after.len() < len {
            return None;
        }
        let start = bytes.len() - after.len();
        folders.push((key, start..start + len));
        rest = &after[len..];
    }
    rest.is_empty().then_some(folders)
}

/// The cache file's bytes: mapped, so that those decoded can be let go of as a folder is walked
/// (a hundred thousand entries are some 10 MB, not to be held whole beside the stubs they fill);
/// read, where the file cannot be mapped.
enum Bytes {
    Owned(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl Default for Bytes {
    fn default() -> Bytes {
        Bytes::Owned(Vec::new())
    }
}

impl std::ops::Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Owned(bytes) => bytes,
            Bytes::Mapped(map) => map,
        }
    }
}

impl Bytes {
    fn of(path: &Path) -> io::Result<Bytes> {
        let file = fs::File::open(path)?;
        if file.metadata()?.len() == 0 {
            return Ok(Bytes::default());
        }
        // SAFETY: folio replaces the cache by renaming a new file over it, never by writing
        // into it, so the mapped file does not change while it is read; a file changed by
        // another program can only make what is decoded wrong (then "damaged"), as a read
        // racing with a writer could.
        match unsafe { memmap2::Mmap::map(&file) } {
            Ok(map) => Ok(Bytes::Mapped(map)),
            Err(_) => fs::read(path).map(Bytes::Owned),
        }
    }
}

/// Decoded bytes of a mapped cache are let go of in steps of this many bytes, kept this far
/// behind the entry being decoded (an entry not yet taken borrows its name from them).
const RELEASE_STEP: usize = 1 << 20;
const RELEASE_ALIGN: usize = 1 << 16;

/// One folder's entries in the cache, in name order, decoded as they are asked for.
pub struct CachedFolder<'a> {
    /// The mapped file, whose pages behind the decoding are let go of.
    map: Option<&'a memmap2::Mmap>,
    /// Bytes of `map` from its start already let go of.
    released: usize,
    rest: &'a [u8],
    left: usize,
    /// A version 1 cache's entries, in reverse name order.
    legacy: Vec<(String, Entry)>,
    /// The entry decoded but not yet taken.
    next: Option<(std::borrow::Cow<'a, str>, Entry)>,
    /// Some entry was passed over: its file is gone.
    skipped: bool,
    /// An entry could not be decoded: the rest are lost.
    pub damaged: bool,
}

impl<'a> CachedFolder<'a> {
    /// The next entry in name order.
    pub fn next_entry(&mut self) -> Option<(std::borrow::Cow<'a, str>, Entry)> {
        if let Some(next) = self.next.take() {
            return Some(next);
        }
        if let Some((name, entry)) = self.legacy.pop() {
            return Some((name.into(), entry));
        }
        if self.left == 0 || self.damaged {
            return None;
        }
        match postcard::take_from_bytes::<(&'a str, Entry)>(self.rest) {
            Ok(((name, entry), rest)) => {
                self.rest = rest;
                self.left -= 1;
                self.release();
                Some((name.into(), entry))
            }
            Err(_) => {
                self.damaged = true;
                None
            }
        }
    }

    /// Let go of the mapped pages well behind the decoding: they are not read again.
    fn release(&mut self) {
        let Some(map) = self.map else { return };
        let at = self.rest.as_ptr() as usize - map.as_ptr() as usize;
        if at < self.released + 2 * RELEASE_STEP {
            return;
        }
        let upto = (at - RELEASE_STEP) / RELEASE_ALIGN * RELEASE_ALIGN;
        // SAFETY: only bytes before every slice still in use are dropped (names borrowed from
        // the map are at most one entry behind `rest`, far less than RELEASE_STEP); the
        // mapping is read-only and private, so its pages read back from the unchanged file
        // if they were ever touched again.
        let dropped = unsafe {
            map.unchecked_advise_range(
                memmap2::UncheckedAdvice::DontNeed,
                self.released,
                upto - self.released,
            )
        };
        if dropped.is_ok() {
            self.released = upto;
        } else {
            // Not worth asking again.
            self.map = None;
        }
    }

    /// The entry for `name`, when names are asked for in order (byte order): entries before it
    /// are passed over (their files are gone).
    pub fn take(&mut self, name: &str) -> Option<Entry> {
        while let Some((at, entry)) = self.next_entry() {
            match (*at).cmp(name) {
                std::cmp::Ordering::Less => self.skipped = true,
                std::cmp::Ordering::Equal => return Some(entry),
                std::cmp::Ordering::Greater => {
                    self.next = Some((at, entry));
                    return None;
                }
            }
        }
        None
    }

    /// Whether the cache held entries not taken (files that are gone).
    pub fn had_others(&mut self) -> bool {
        self.skipped || self.next_entry().is_some()
    }
}

/// A cache file's bytes, kept to decode entries from ([`CacheFile::shared`]).
#[derive(Clone)]
pub struct SharedCache(Arc<Bytes>);

impl SharedCache {
    /// The entry [`PeekedFolder::take`] found at `at`; `None` if it cannot be decoded.
    pub fn entry_at(&self, at: u32) -> Option<Entry> {
        let bytes = self.0.get(at as usize..)?;
        postcard::take_from_bytes::<Entry>(bytes)
            .ok()
            .map(|(e, _)| e)
    }
}

/// What a glance at an entry gives: the stamp, the date as written, and where the entry lies
/// in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Peeked<'a> {
    pub stamp: Stamp,
    pub date: Option<&'a str>,
    pub at: u32,
}

/// A folder's entries in name order, glanced at one by one ([`CacheFile::peek_all`]).
struct PeekedFolder<'a> {
    base: &'a [u8],
    rest: &'a [u8],
    left: usize,
    /// An entry could not be read: the rest are lost.
    damaged: bool,
}

/// An entry as written ([`Row`]), borrowed from the file: strings as slices of it, sections
/// read and dropped.
type PeekRow<'a> = (
    u64,
    i64,
    u32,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    SkipSections,
    usize,
    u32,
    bool,
);

/// A row's sections, read and not kept.
struct SkipSections;

impl<'de> Deserialize<'de> for SkipSections {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<SkipSections, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = SkipSections;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of sections")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<SkipSections, A::Error> {
                while seq.next_element::<SectionRow>()?.is_some() {}
                Ok(SkipSections)
            }
        }
        d.deserialize_seq(Visit)
    }
}

impl<'a> PeekedFolder<'a> {
    fn next_peek(&mut self) -> Option<(&'a str, Peeked<'a>)> {
        if self.left == 0 || self.damaged {
            return None;
        }
        let peeked = postcard::take_from_bytes::<&'a str>(self.rest).and_then(|(name, row)| {
            // Where the row starts in the file (the folder's block need not end the file).
            let at = row.as_ptr() as usize - self.base.as_ptr() as usize;
            let (r, rest) = postcard::take_from_bytes::<PeekRow<'a>>(row)?;
            let stamp = Stamp {
                size: r.0,
                secs: r.1,
                nanos: r.2,
            };
            Ok(((name, stamp, r.5, at), rest))
        });
        match peeked {
            Ok(((name, stamp, date, at), rest)) if at <= u32::MAX as usize => {
                self.rest = rest;
                self.left -= 1;
                Some((
                    name,
                    Peeked {
                        stamp,
                        date,
                        at: at as u32,
                    },
                ))
            }
            _ => {
                self.damaged = true;
                None
            }
        }
    }
}

/// One folder's entries being written, in name order.
#[derive(Default)]
pub struct FolderBlock {
    count: usize,
    bytes: Vec<u8>,
}

impl FolderBlock {
    pub fn push(&mut self, name: &str, entry: &Entry) {
        self.push_encoded(name, &encode_entry(entry));
    }

    /// An entry [`encode_entry`] encoded.
    pub fn push_encoded(&mut self, name: &str, encoded: &[u8]) {
        let mut bytes = std::mem::take(&mut self.bytes);
        bytes = postcard::to_extend(name, bytes).unwrap_or_default();
        bytes.extend_from_slice(encoded);
        self.bytes = bytes;
        self.count += 1;
    }
}

/// A cache file being put together, folder by folder, then written at once.
#[derive(Default)]
pub struct CacheWriter {
    /// Each folder's key and its entries as written: their number, then the entries (the two
    /// apart, so that a hundred thousand entries are not copied once more to be put after it).
    folders: Vec<(String, Vec<u8>, Vec<u8>)>,
}

impl CacheWriter {
    pub fn folder(&mut self, key: &str, block: FolderBlock) {
        let count = postcard::to_allocvec(&block.count).unwrap_or_default();
        // A folder given twice is kept once, as last filled.
        self.folders.retain(|(k, ..)| k != key);
        self.folders.push((key.to_string(), count, block.bytes));
    }

    /// Keep the folders of `file` other than `except` as they are.
    pub fn keep_others(&mut self, file: &mut CacheFile, except: &[String]) {
        let keys: Vec<String> = file
            .folders
            .iter()
            .map(|(key, _)| key.clone())
            .filter(|key| !except.contains(key))
            .collect();
        for key in keys {
            if file.legacy.is_some() {
                let mut block = FolderBlock::default();
                let mut entries = file.folder(&key);
                while let Some((name, entry)) = entries.next_entry() {
                    block.push(&name, &entry);
                }
                self.folder(&key, block);
            } else if let Some((_, range)) = file.folders.iter().find(|(k, _)| *k == key) {
                self.folders
                    .push((key, Vec::new(), file.bytes[range.clone()].to_vec()));
            }
        }
    }

    /// Write the cache to `path`, whole or not at all: to a temporary file in the same
    /// folder, then renamed over the old one. Makes the folder if it is missing.
    pub fn write(self, path: &Path) -> io::Result<()> {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".metadata-")
            .suffix(".tmp")
            .tempfile_in(dir)?;
        let encoding = |e: postcard::Error| io::Error::other(e.to_string());
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
            out.write_all(&postcard::to_allocvec(&self.folders.len()).map_err(encoding)?)?;
            for (key, count, bytes) in &self.folders {
                let len = count.len() + bytes.len();
                out.write_all(&postcard::to_allocvec(&(key, len)).map_err(encoding)?)?;
                out.write_all(count)?;
                out.write_all(bytes)?;
            }
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
    fn a_glance_at_a_folder_finds_each_entry_as_it_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut folder = Folder::new();
        for (i, name) in ["a.txt", "b.txt", "c\u{1b}.txt"].iter().enumerate() {
            let mut e = entry(&format!("Headline {i}"), 10 + i as u64);
            e.meta.date = (i != 1).then(|| format!("2024-0{}-01", i + 1));
            folder.insert(name.to_string(), e);
        }
        // Written in this order, another folder's block after it: entries are found where
        // they are in the file.
        let mut names: Vec<&String> = folder.keys().collect();
        names.sort();
        let mut news = FolderBlock::default();
        for name in names {
            news.push(name, &folder[name]);
        }
        let mut other = FolderBlock::default();
        other.push("z.txt", &entry("Elsewhere", 99));
        let mut out = CacheWriter::default();
        out.folder("/news", news);
        out.folder("/zzz", other);
        out.write(&path).unwrap();
        let (file, warning) = CacheFile::read(&path);
        assert_eq!(warning, None);
        assert_eq!(file.count("/news"), 3);
        assert_eq!(file.count("/elsewhere"), 0);
        let (all, damaged) = file.peek_all("/news");
        assert!(!damaged);
        let shared = file.shared();
        let names: Vec<&str> = all.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["a.txt", "b.txt", "c\u{1b}.txt"]);
        for (name, peeked) in &all {
            let whole = &folder[*name];
            assert_eq!(peeked.stamp, whole.stamp);
            assert_eq!(peeked.date, whole.meta.date.as_deref());
            assert_eq!(shared.entry_at(peeked.at).as_ref(), Some(whole), "{name}");
        }
    }

    proptest::proptest! {
        /// A cache file damaged anywhere after its header: reading it, glancing at a folder,
        /// decoding from what the glance found and walking the folder whole never panic, and
        /// each entry a glance finds decodes to what the whole walk gives for that name.
        #[test]
        fn a_damaged_cache_is_glanced_at_and_walked_without_a_panic(
            at in 0usize..4096,
            byte in proptest::prelude::any::<u8>(),
            cut in 0usize..4096,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(FILE_NAME);
            let mut news = FolderBlock::default();
            for i in 0..20u64 {
                let name = format!("f{i:02}.txt");
                let mut e = entry(&format!("Headline {i}"), i);
                e.meta.date = (i % 3 != 0).then(|| format!("2024-01-{:02}", 1 + i));
                news.push(&name, &e);
            }
            let mut out = CacheWriter::default();
            out.folder("/news", news);
            out.write(&path).unwrap();
            let mut bytes = fs::read(&path).unwrap();
            let head = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
            let i = head + at % (bytes.len() - head);
            bytes[i] = byte;
            bytes.truncate(bytes.len() - cut % (bytes.len() - head));
            fs::write(&path, &bytes).unwrap();

            let (file, _) = CacheFile::read(&path);
            let (glanced, _) = file.peek_all("/news");
            let shared = file.shared();
            let mut whole = Vec::new();
            let mut walk = file.folder("/news");
            while let Some((name, entry)) = walk.next_entry() {
                whole.push((name.into_owned(), entry));
            }
            for (name, peeked) in &glanced {
                let decoded = shared.entry_at(peeked.at);
                if let Some((_, e)) = whole.iter().find(|(n, _)| n == name) {
                    proptest::prop_assert_eq!(decoded.as_ref(), Some(e));
                }
            }
        }
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
    fn a_version_1_json_cache_is_read_without_a_word_and_written_anew() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        // What folio wrote before the binary form: a header line, then one JSON object.
        fs::write(
            &path,
            concat!(
                "{\"format\":\"folio metadata cache\",\"version\":1}\n",
                "{\"folders\":{\"/news\":{",
                "\"b.txt\":[20,1700000000,5,\"Bee\",\"AFP\",null,null,null,[[\"ar\",true,9,1]],9,1,false],",
                "\"a.txt\":[10,1700000000,5,\"Ay\",null,null,null,null,[[\"en\",false,3,1]],3,1,true]",
                "}}}\n"
            ),
        )
        .unwrap();
        let (old, warning) = MetaCache::read(&path);
        assert_eq!(warning, None);
        let b = old.get("/news", "b.txt").unwrap();
        assert_eq!(b.meta.title, "Bee");
        assert_eq!(b.meta.outlet.as_deref(), Some("AFP"));
        assert_eq!(b.meta.sections[0].lang, Lang::Ar);
        assert!(old.get("/news", "a.txt").unwrap().meta.invalid_utf8);
        // A folder's entries come in name order, whatever the JSON's order.
        let (file, _) = CacheFile::read(&path);
        let mut folder = file.folder("/news");
        assert_eq!(folder.take("a.txt").unwrap().meta.title, "Ay");
        assert_eq!(folder.take("b.txt").unwrap().stamp.size, 20);
        assert!(!folder.had_others());
        // Written again, it is the current form, and says the same.
        old.write(&path).unwrap();
        assert!(fs::read(&path).unwrap().starts_with(
            format!("{{\"format\":\"{FORMAT}\",\"version\":{VERSION}}}\n").as_bytes()
        ));
        assert_eq!(MetaCache::read(&path), (old, None));
    }

    #[test]
    fn a_folder_is_walked_in_name_order_and_tells_of_entries_passed_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut cache = MetaCache::default();
        let names = ["a.txt", "b.txt", "c.txt", "d.txt"];
        cache.folders.insert(
            "/news".into(),
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.to_string(), entry(n, i as u64)))
                .collect(),
        );
        cache.folders.insert(
            "/other".into(),
            Folder::from([("z.md".into(), entry("Zed headline for the cache", 9))]),
        );
        cache.write(&path).unwrap();
        let (mut file, warning) = CacheFile::read(&path);
        assert_eq!(warning, None);
        assert!(file.has("/other") && !file.has("/nowhere"));
        // b.txt is gone; e.txt is new.
        let mut folder = file.folder("/news");
        assert_eq!(folder.take("a.txt").unwrap().stamp.size, 0);
        assert_eq!(folder.take("c.txt").unwrap().stamp.size, 2);
        assert_eq!(folder.take("d.txt").unwrap().stamp.size, 3);
        assert!(folder.take("e.txt").is_none());
        assert!(folder.had_others());
        // Nothing passed over: nothing to tell.
        let mut folder = file.folder("/other");
        assert!(folder.take("a.txt").is_none());
        assert_eq!(
            folder.take("z.md").unwrap().meta.title,
            "Zed headline for the cache"
        );
        assert!(!folder.had_others());
        assert!(file.folder("/nowhere").take("a.txt").is_none());

        // Rewriting one folder keeps the other's bytes as they were.
        let mut out = CacheWriter::default();
        out.keep_others(&mut file, &["/news".to_string()]);
        let mut block = FolderBlock::default();
        block.push_encoded(
            "e.txt",
            &encode_entry(&entry("Eee headline for the cache", 5)),
        );
        out.folder("/news", block);
        out.write(&path).unwrap();
        let (back, warning) = MetaCache::read(&path);
        assert_eq!(warning, None);
        assert_eq!(back.folders["/news"].len(), 1);
        assert_eq!(
            back.get("/news", "e.txt").unwrap().meta.title,
            "Eee headline for the cache"
        );
        assert_eq!(back.folders["/other"], cache.folders["/other"]);
    }

    #[test]
    fn a_large_folder_walks_whole_while_its_decoded_bytes_are_let_go_of() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let n = 60_000;
        let meta = |i: usize| Meta {
            title: format!("Headline number {i:06} of a long folder of articles"),
            outlet: i.is_multiple_of(3).then(|| "AFP".to_string()),
            date: None,
            dateline: None,
            url: None,
            sections: vec![SectionMeta {
                lang: Lang::En,
                rtl: false,
                words: i,
                minutes: 1,
            }],
            words: i,
            minutes: 1,
            invalid_utf8: false,
        };
        let stamp = |i: usize| Stamp {
            size: i as u64,
            secs: 1_700_000_000,
            nanos: 0,
        };
        let mut block = FolderBlock::default();
        for i in 0..n {
            let entry = Entry {
                stamp: stamp(i),
                meta: meta(i),
            };
            block.push(&format!("a-{i:06}.txt"), &entry);
        }
        let mut out = CacheWriter::default();
        out.folder("/big", block);
        out.write(&path).unwrap();
        assert!(fs::metadata(&path).unwrap().len() > 3 * RELEASE_STEP as u64);
        let (file, warning) = CacheFile::read(&path);
        assert_eq!(warning, None);
        let mut folder = file.folder("/big");
        for i in 0..n {
            let entry = folder.take(&format!("a-{i:06}.txt")).expect("every entry");
            assert_eq!(entry.stamp, stamp(i));
            assert_eq!(entry.meta, meta(i));
        }
        // The bytes behind were let go of as the walk went.
        assert!(folder.released > 2 * RELEASE_STEP, "{}", folder.released);
        assert!(!folder.had_others() && !folder.damaged);
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
