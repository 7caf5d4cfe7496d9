//! Folders of any size: names first, then the metadata, off the loop.
//!
//! [`open_paths`] lists each folder (names and kinds only, no file is opened or even stat'ed) and
//! makes one [`Body::NotLoaded`] stub per file: its title is what the [`cache`](super::cache)
//! knows, or the file's stem. The folder's `sources.toml` is laid over the stubs. That is the
//! library the first frame draws. A file given by itself (not in a folder) is read at once, as
//! [`load_paths`](super::load_paths) reads it. Stubs cost as little as they can: the cache's
//! entries are decoded one at a time, walked beside the sorted listing (no table of them is
//! built), straight into the stub; a key is put together from the folder's and the file's names
//! without a path in between; and the plan the fill works from keeps a name and a few numbers
//! for each file, not its path. Even so a hundred thousand of them (each a few hundred bytes
//! and a few strings, on pages touched for the first time) take longer than a first frame may,
//! so a folder of more than [`DEFER_FROM`] files with no manifest gets only its first screen of
//! stubs ([`FIRST_SCREEN`]) before the first frame, in the order the cached dates give; the
//! fill builds the rest first thing and posts them as one [`FillReport::Stubs`]. The cache's
//! entries for such a folder are only glanced at before the first frame (a stamp, a date and
//! where each entry is, nothing allocated), on another core while the folders are listed; each
//! is decoded when its stub is built.
//!
//! [`fill`] then does the rest off the loop: it posts the stubs left to it, stats every file, reads those the cache does not
//! know at their size and modification time (on every core, one file at a time per core, so no
//! more than a few bodies are held at once), posts what it learns in batches (every
//! [`BATCH_EVERY`] or [`BATCH_MAX`] articles), and, when it found a change, writes the cache
//! back: the folders filled now hold exactly the files listed (a file that is gone drops out),
//! other folders stay as they were.
//! [`load_article`] reads one article's text when it is opened.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

#[cfg(test)]
use super::cache::MetaCache;
use super::cache::{
    CacheFile, CacheWriter, Entry, FolderBlock, Meta, Peeked, SharedCache, Stamp, encode_entry,
};
use super::load::{
    LoadFailure, article, error, io_reason, is_article_name, peek_item_date, read_file,
    read_manifest,
};
use super::manifest::{
    SourceEntry, apply_entry, apply_manifest, claim_outlets, declare_outlet_languages,
};
use super::parse::{display_file_name, file_stem};
use super::sources::{NOT_FETCHED, SourceSpec, date_key_of, newer_first, push_file, push_folder};
use super::{Article, Body, Library, LoadError, Origin};

/// A batch of metadata is posted at least this often while files are being read…
pub const BATCH_EVERY: Duration = Duration::from_millis(50);
/// …and when it holds this many articles.
pub const BATCH_MAX: usize = 1000;
/// Files a reading thread takes from the queue at a time.
const CHUNK: usize = 64;

/// A library as first drawn, and the work that fills it in.
#[derive(Debug)]
pub struct Opened {
    pub library: Library,
    /// What is left to read; `None` when everything is (no folder was opened).
    pub fill: Option<FillPlan>,
}

/// The files of a library opened from names, to be read off the loop by [`fill`]. Cheap to
/// clone; two plans are equal only if they are the same plan.
#[derive(Clone)]
pub struct FillPlan(Arc<Plan>);

impl PartialEq for FillPlan {
    fn eq(&self, other: &FillPlan) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for FillPlan {}

impl std::fmt::Debug for FillPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FillPlan({} files)", self.0.files.len())
    }
}

impl FillPlan {
    /// How many files it reads.
    pub fn len(&self) -> usize {
        self.0.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.files.is_empty()
    }

    /// The keys of the articles of the files it reads, whether or not their stubs are built
    /// yet (what the folders' watcher knows at the start).
    pub fn keys(&self) -> Vec<String> {
        self.0.files.iter().map(|f| self.0.key(f)).collect()
    }
}

struct Plan {
    files: Vec<PlanFile>,
    /// The folders filled, as the system resolves them: the cache's keys.
    folders: Vec<String>,
    /// The folders filled, as they were given: where their files are read.
    dirs: Vec<PathBuf>,
    /// What the folders' manifests say of files, laid over what is read ([`PlanFile::entries`]).
    declared: Vec<Vec<SourceEntry>>,
    /// The cache had entries for files that are gone: write it even if nothing else changed.
    vanished: bool,
    cache_path: Option<PathBuf>,
    /// Stubs the first frame did without, taken by the fill.
    deferred: std::sync::Mutex<Vec<Deferred>>,
}

/// One file to check. Kept small: a plan holds one for every file of the library.
struct PlanFile {
    /// The article's index in the library.
    index: u32,
    /// Index into `Plan::folders`.
    folder: u32,
    /// Index into `Plan::declared`, when the manifest says something of the file.
    entries: Option<u32>,
    /// The name on disk (lossy), the cache's key in its folder.
    name: Box<str>,
    /// The file's path when its name is not UTF-8 (otherwise the folder's joined with `name`).
    odd_path: Option<Box<Path>>,
    /// A symbolic link: its key is where it leads.
    link: bool,
    /// The stamp of the cache's entry, when it has one: the stub already shows that metadata.
    cached: Option<Stamp>,
}

impl Plan {
    fn path(&self, file: &PlanFile) -> PathBuf {
        file_path(
            &self.dirs[file.folder as usize],
            &file.name,
            file.odd_path.as_deref(),
        )
    }

    /// The key of `file`'s article, as its stub has it.
    fn key(&self, file: &PlanFile) -> String {
        let link = file.link.then(|| self.path(file));
        key_of(
            Path::new(&self.folders[file.folder as usize]),
            &file.name,
            file.odd_path.as_deref(),
            link.as_deref(),
        )
    }

    fn entries(&self, file: &PlanFile) -> &[SourceEntry] {
        file.entries
            .map_or(&[], |i| self.declared[i as usize].as_slice())
    }
}

/// What the fill found, posted as it goes.
#[derive(Debug, PartialEq)]
pub enum FillReport {
    /// Stubs the first frame did without (a large folder's past its first screen), to go in
    /// at library index `at`, all of one source, before any batch names them.
    Stubs { at: usize, articles: Vec<Article> },
    /// Articles read, as stubs with their metadata (manifest laid over), by library index;
    /// the articles whose file could not be read (the final report says why); `done` of
    /// `total` files are checked so far.
    Batch {
        articles: Vec<(usize, Article)>,
        failed: Vec<usize>,
        done: usize,
        total: usize,
    },
    /// Every file is checked and the cache written; what went wrong, one line each.
    Finished { warnings: Vec<String> },
}

/// An article not read yet: its file name, its stem for a title (or `cached`'s metadata).
fn stub(name: &str, path: PathBuf, key: String, cached: Option<Meta>) -> Article {
    // Most names are printable ASCII, which sanitizing leaves as it is: one copy, not two.
    let file_name = if name.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        name.to_string()
    } else {
        display_file_name(name)
    };
    let mut article = Article {
        key,
        title: String::new(),
        file_name,
        origin: Origin::File(path),
        outlet: None,
        date: None,
        dateline: None,
        url: None,
        hotkey: None,
        language: None,
        paragraphs: Vec::new(),
        sections: Vec::new(),
        words: 0,
        reading_minutes: 0,
        had_invalid_utf8: false,
        large: None,
        links: Vec::new(),
        author: None,
        warnings: Vec::new(),
        body: Body::NotLoaded,
        source: 0,
    };
    match cached {
        Some(meta) => meta.apply(&mut article),
        None => article.title = file_stem(&article.file_name),
    }
    article
}

/// A file found in a folder: its name (lossy), its path when the name is not UTF-8, and
/// whether it is a symbolic link.
struct Listed {
    name: String,
    odd_path: Option<PathBuf>,
    link: bool,
}

/// A folder's article files, sorted by name. Only links (and file systems that do not say what
/// an entry is) cost a stat.
fn list_folder(dir: &Path) -> Result<Vec<Listed>, LoadError> {
    let unreadable = |e: std::io::Error| error(dir, LoadFailure::Unreadable(io_reason(&e)));
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        let (name, odd) = match entry.file_name().into_string() {
            Ok(name) => (name, false),
            Err(raw) => (raw.to_string_lossy().into_owned(), true),
        };
        if !is_article_name(&name) {
            continue;
        }
        let kind = entry.file_type().map_err(unreadable)?;
        // Follows symbolic links, like opening the file does.
        let file = kind.is_file() || (!kind.is_dir() && entry.path().is_file());
        if file {
            files.push(Listed {
                name,
                odd_path: odd.then(|| entry.path()),
                link: kind.is_symlink(),
            });
        }
    }
    files.sort_unstable_by(|a, b| a.name.cmp(&b.name).then(a.odd_path.cmp(&b.odd_path)));
    Ok(files)
}

/// Open files and folders as [`load_paths`](super::load_paths) does, but read no file in a
/// folder: each is a stub with what `cache_path`'s cache knows of it (nothing without a cache).
/// Errors are those of `load_paths`, save that a folder's unreadable files are only found
/// (and warned of) by [`fill`].
pub fn open_paths(paths: &[PathBuf], cache_path: Option<&Path>) -> Result<Opened, LoadError> {
    let specs: Vec<SourceSpec> = paths.iter().map(|p| SourceSpec::path(p)).collect();
    open_sources(&specs, cache_path)
}

/// Open sources as [`open_paths`] opens paths, with what the config says of each (see
/// [`load_sources`](super::load_sources)). A folder's articles are ordered newest first by
/// what the cache knows of their dates; articles the cache does not know keep their file order.
pub fn open_sources(specs: &[SourceSpec], cache_path: Option<&Path>) -> Result<Opened, LoadError> {
    open_sources_deferring(specs, cache_path, DEFER_FROM, FIRST_SCREEN)
}

/// [`open_sources`], deferring the stubs of folders of more than `defer_from` files.
fn open_sources_deferring(
    specs: &[SourceSpec],
    cache_path: Option<&Path>,
    defer_from: usize,
    first_screen: usize,
) -> Result<Opened, LoadError> {
    // The cache's large folders are glanced at on another core while the folders are listed
    // (see `open_deferred`): the first frame waits for the slower of the two, not for both.
    let (cache, warning) = cache_path.map(CacheFile::read).unwrap_or_default();
    let keys: Vec<Option<String>> = specs
        .iter()
        .map(|s| {
            let dir = fs::canonicalize(&s.path).ok().filter(|d| d.is_dir())?;
            let key = dir.to_string_lossy().into_owned();
            (cache.count(&key) > defer_from.max(first_screen)).then_some(key)
        })
        .collect();
    let (mut peeks, mut listings) = std::thread::scope(|scope| {
        let peeker = keys.iter().any(Option::is_some).then(|| {
            scope.spawn(|| {
                keys.iter()
                    .map(|k| k.as_deref().map(|k| cache.peek_all(k)))
                    .collect::<Vec<_>>()
            })
        });
        let listings: Vec<Option<Result<_, LoadError>>> = specs
            .iter()
            .map(|s| s.path.is_dir().then(|| list_folder(&s.path)))
            .collect();
        let peeks = match peeker {
            Some(p) => p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
            None => specs.iter().map(|_| None).collect(),
        };
        (peeks, listings)
    });
    let mut vanished = false;
    let mut lib = Library::default();
    lib.warnings.extend(warning);
    let mut hotkeys = Vec::new();
    let mut parts = Parts {
        defer_from: defer_from.max(first_screen),
        first_screen,
        ..Parts::default()
    };
    for ((spec, listing), peeked) in specs.iter().zip(&mut listings).zip(&mut peeks) {
        let mut spec = spec.clone();
        spec.claim_hotkey(&mut hotkeys, &mut lib.warnings);
        let opened = open_source(
            &spec,
            listing.take(),
            peeked.take(),
            &mut lib,
            &cache,
            &mut hotkeys,
            &mut parts,
        );
        match opened {
            Ok(gone) => vanished |= gone,
            Err(_) if spec.feed.is_some() => spec.push_unopened(&mut lib, NOT_FETCHED.into()),
            Err(e) if spec.from_config => {
                lib.warnings.push(e.to_string());
                spec.push_unopened(&mut lib, e.to_string());
            }
            Err(e) => return Err(e),
        }
    }
    let Parts {
        files,
        folders,
        dirs,
        declared,
        damaged,
        deferred,
        ..
    } = parts;
    if damaged {
        lib.warnings.extend(cache.damaged());
    }
    drop(cache);
    // Warnings quote names and manifest text; they leave here printable, whoever shows them.
    for w in &mut lib.warnings {
        *w = crate::text::sanitize::printable(w);
    }
    let fill = (!files.is_empty()).then(|| {
        FillPlan(Arc::new(Plan {
            files,
            folders,
            dirs,
            declared,
            vanished: vanished || damaged,
            cache_path: cache_path.map(Path::to_path_buf),
            deferred: std::sync::Mutex::new(deferred),
        }))
    });
    Ok(Opened { library: lib, fill })
}

/// What opening the sources gathers for the fill's plan ([`Plan`]'s fields of the same names).
#[derive(Default)]
struct Parts {
    files: Vec<PlanFile>,
    folders: Vec<String>,
    dirs: Vec<PathBuf>,
    declared: Vec<Vec<SourceEntry>>,
    /// The cache's block for some folder could not be decoded.
    damaged: bool,
    /// Stubs left to the fill, and how many articles they are.
    deferred: Vec<Deferred>,
    deferred_count: usize,
    /// A folder of more files than this, with no manifest, is drawn before most of its stubs
    /// are built ([`open_deferred`]), this many of them.
    defer_from: usize,
    first_screen: usize,
}

/// A folder of more files than this is drawn once its first [`FIRST_SCREEN`] stubs are built:
/// building a hundred thousand (each a few hundred bytes and a few strings, on pages touched
/// for the first time) takes longer than the first frame may.
pub const DEFER_FROM: usize = 4096;
/// Stubs built before the first frame in a folder of more than [`DEFER_FROM`] files: more rows
/// than a terminal has.
pub const FIRST_SCREEN: usize = 512;

/// A large folder's stubs past the first screen: built by the fill before it reads a file, and
/// posted as [`FillReport::Stubs`].
struct Deferred {
    /// Where the first goes in the library, with the deferred stubs before it in place.
    at: usize,
    /// The source they join (the folder's).
    source: usize,
    /// Where the folder's files start in the plan (in name order).
    base: usize,
    /// The deferred stubs' files, in their order, by place among the folder's files.
    order: Vec<u32>,
    /// What the cache knew of each of the folder's files.
    cached: Cached,
    /// The language the config declares for the folder.
    language: Option<super::Lang>,
}

/// Open one source into `lib`, adding a folder's files to the plan; whether the cache had
/// entries for files that are gone.
fn open_source(
    spec: &SourceSpec,
    listing: Option<Result<Vec<Listed>, LoadError>>,
    peeked: Option<(Vec<(&str, Peeked<'_>)>, bool)>,
    lib: &mut Library,
    cache: &CacheFile,
    hotkeys: &mut Vec<char>,
    parts: &mut Parts,
) -> Result<bool, LoadError> {
    let path = &spec.path;
    let meta =
        fs::metadata(path).map_err(|e| error(path, LoadFailure::Unreadable(io_reason(&e))))?;
    if !meta.is_dir() {
        let contents = read_file(path)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.to_string_lossy().into_owned());
        let mut article = article(&name, path, contents);
        article.key = resolved(path);
        push_file(lib, article, spec);
        return Ok(false);
    }
    let listed = match listing {
        Some(listed) => listed?,
        None => list_folder(path)?,
    };
    if listed.is_empty() {
        return Err(error(path, LoadFailure::NoArticles));
    }
    // Keys are absolute paths, so the same file is the same article from any folder: the
    // folder is resolved once, and only links among its files each on their own.
    let dir = fs::canonicalize(path).unwrap_or_else(|_| path.clone());
    let folder = dir.to_string_lossy().into_owned();
    // The manifest decides the groups; a folder with none is one source in date order, and a
    // large one can be drawn before most of its stubs exist.
    let manifest = read_manifest(path, &mut lib.warnings);
    let defer = spec.feed.is_none()
        && manifest.is_none()
        && listed.len() > parts.defer_from
        && !cache.is_legacy();
    if defer {
        // Only a glance at each cached entry now (its stamp and date, for the order): the
        // entries are decoded as their stubs are built, the first screen's now, the rest by
        // the fill.
        let shared = cache.shared();
        let (peeked, damaged) = peeked.unwrap_or_else(|| cache.peek_all(&folder));
        parts.damaged |= damaged;
        let mut stamps = Vec::with_capacity(listed.len());
        // Kept only from the first entry the cache has: a folder it does not know costs no
        // table of nothing.
        let mut dates: Vec<Option<&str>> = Vec::new();
        let mut entries: Vec<u32> = Vec::new();
        // The listing and the entries, both in name order, walked side by side.
        let mut next = peeked.iter().peekable();
        let mut vanished = false;
        for file in &listed {
            while next
                .next_if(|(name, _)| *name < file.name.as_str())
                .is_some()
            {
                vanished = true;
            }
            let found = next
                .next_if(|(name, _)| *name == file.name.as_str())
                .map(|(_, p)| *p);
            stamps.push(found.map(|p| p.stamp));
            if let Some(p) = found {
                dates.resize(stamps.len() - 1, None);
                entries.resize(stamps.len() - 1, NO_ENTRY);
                dates.push(date_key_of(p.date));
                entries.push(p.at);
            } else if !entries.is_empty() {
                dates.push(None);
                entries.push(NO_ENTRY);
            }
        }
        vanished |= next.next().is_some();
        let cached = Cached {
            cache: (!entries.is_empty()).then_some(shared),
            entries,
        };
        open_deferred(
            spec, path, &dir, folder, listed, cached, &dates, stamps, lib, parts,
        );
        return Ok(vanished);
    }
    // The cached metadata moves into the stubs, decoded one entry at a time beside the
    // sorted listing; the fill re-reads the cache file only if it has something to change.
    let mut known = cache.folder(&folder);
    let mut stamps = Vec::with_capacity(listed.len());
    let mut articles = Vec::with_capacity(listed.len());
    for file in &listed {
        let entry = known.take(&file.name);
        stamps.push(entry.as_ref().map(|e| e.stamp));
        // A feed's items are listed newest first from the start: their dates are in their
        // heads (a feed holds tens or hundreds of small files, not a library's thousands).
        let peeked = match (&spec.feed, &entry) {
            (Some(_), None) => {
                peek_item_date(&file_path(path, &file.name, file.odd_path.as_deref()))
            }
            _ => None,
        };
        let mut article = stub_of(
            path,
            &dir,
            &file.name,
            file.odd_path.as_deref(),
            file.link,
            entry.map(|e| e.meta),
        );
        if article.date.is_none() {
            article.date = peeked;
        }
        articles.push(article);
    }
    // Entries for files that are gone: the cache must be written without them.
    let vanished = known.had_others();
    parts.damaged |= known.damaged;
    drop(known);
    let mut declared: HashMap<String, Vec<SourceEntry>> = HashMap::new();
    // The language the config declares for the source, as an entry of each file laid under
    // the manifest's (whose own language, applied after, wins), so the fill keeps it too.
    if let Some(lang) = spec.language {
        for article in &mut articles {
            let entry = SourceEntry {
                file: article.file_name.clone(),
                language: Some(lang),
                ..SourceEntry::default()
            };
            apply_entry(&entry, article);
            declared.insert(article.file_name.clone(), vec![entry]);
        }
    }
    let mut outlets = Vec::new();
    if let Some(manifest) = manifest {
        apply_manifest(&manifest, &mut articles, hotkeys, &mut lib.warnings);
        outlets = claim_outlets(&manifest, &articles, hotkeys, &mut lib.warnings);
        // An outlet's language comes between the config's and the file's own entry.
        for entry in declare_outlet_languages(&manifest, &outlets, &mut articles) {
            declared.entry(entry.file.clone()).or_default().push(entry);
        }
        for entry in manifest.entries {
            declared
                .entry(display_file_name(&entry.file))
                .or_default()
                .push(entry);
        }
    }
    // Each file's entries, as an index into the plan's table: most files have none.
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let entries: Vec<Option<u32>> = articles
        .iter()
        .map(|a| {
            let found = declared.get_key_value(a.file_name.as_str())?;
            Some(*ids.entry(found.0.as_str()).or_insert_with(|| {
                parts.declared.push(found.1.clone());
                (parts.declared.len() - 1) as u32
            }))
        })
        .collect();
    drop(ids);
    let first = lib.articles.len();
    let order = push_folder(lib, articles, &outlets, spec.folder_source());
    let mut listed: Vec<Option<Listed>> = listed.into_iter().map(Some).collect();
    for (k, i) in order.into_iter().enumerate() {
        let file = listed[i].take().expect("each file is placed once");
        parts.files.push(PlanFile {
            // Its place once the stubs left to the fill are in.
            index: (first + parts.deferred_count + k) as u32,
            folder: parts.folders.len() as u32,
            entries: entries[i],
            name: file.name.into_boxed_str(),
            odd_path: file.odd_path.map(PathBuf::into_boxed_path),
            link: file.link,
            cached: stamps[i],
        });
    }
    parts.folders.push(folder);
    parts.dirs.push(path.clone());
    Ok(vanished)
}

/// Open a large folder with no manifest (see [`Parts::defer_from`]): its order comes from the
/// cached dates alone, its first screenful of stubs ([`FIRST_SCREEN`]) is built now, and the rest are left
/// to the fill ([`Deferred`]). Every file gets its place in the plan, at its final index.
#[allow(clippy::too_many_arguments)]
fn open_deferred(
    spec: &SourceSpec,
    path: &Path,
    dir: &Path,
    folder: String,
    listed: Vec<Listed>,
    cached: Cached,
    dates: &[Option<&str>],
    stamps: Vec<Option<Stamp>>,
    lib: &mut Library,
    parts: &mut Parts,
) {
    let mut order: Vec<usize> = (0..listed.len()).collect();
    // `dates` may stop short (the files after the cache's last entry) or be empty (no cache).
    if !dates.is_empty() {
        let date = |i: usize| dates.get(i).copied().flatten();
        order.sort_by(|&a, &b| newer_first(date(a), date(b)).then(a.cmp(&b)));
    }
    // The config's language, as the fill keeps it: one entry shared by every file.
    let language = spec.language.map(|lang| {
        parts.declared.push(vec![SourceEntry {
            language: Some(lang),
            ..SourceEntry::default()
        }]);
        (parts.declared.len() - 1) as u32
    });
    let first = lib.articles.len() + parts.deferred_count;
    let folder_index = parts.folders.len() as u32;
    let source = lib.sources.len();
    let count = order.len();
    let kept = count.min(parts.first_screen);
    // The first screen's stubs now; the plan's files in name order (one pass, no jumping
    // about), each with the place its article will have.
    let mut shown = Vec::with_capacity(kept);
    for &i in &order[..kept] {
        let file = &listed[i];
        let mut article = stub_of(
            path,
            dir,
            &file.name,
            file.odd_path.as_deref(),
            file.link,
            cached.meta(i),
        );
        if let Some(lang) = spec.language {
            super::parse::declare_language(&mut article, lang);
        }
        shown.push(article);
    }
    let mut place = vec![0u32; count];
    for (k, &i) in order.iter().enumerate() {
        place[i] = (first + k) as u32;
    }
    let base = parts.files.len();
    parts.files.reserve(count);
    for ((file, index), cached) in listed.into_iter().zip(place).zip(stamps) {
        parts.files.push(PlanFile {
            index,
            folder: folder_index,
            entries: language,
            name: file.name.into_boxed_str(),
            odd_path: file.odd_path.map(PathBuf::into_boxed_path),
            link: file.link,
            cached,
        });
    }
    let placed = push_folder(lib, shown, &[], spec.folder_source());
    debug_assert!(placed.iter().enumerate().all(|(k, &i)| k == i));
    parts.deferred.push(Deferred {
        at: first + kept,
        source,
        base,
        order: order[kept..].iter().map(|&i| i as u32).collect(),
        cached,
        language: spec.language,
    });
    parts.deferred_count += count - kept;
    parts.folders.push(folder);
    parts.dirs.push(path.to_path_buf());
}

/// No cached entry, in [`Cached::entries`].
const NO_ENTRY: u32 = u32::MAX;

/// What the cache knows of a deferred folder's files: where each one's entry is in the cache
/// file (by place in the folder's listing; none past the end), decoded when its stub is built.
struct Cached {
    cache: Option<SharedCache>,
    entries: Vec<u32>,
}

impl Cached {
    /// What the cache knew of the folder's file `i`.
    fn meta(&self, i: usize) -> Option<Meta> {
        let at = self.entries.get(i).copied().filter(|&at| at != NO_ENTRY)?;
        Some(self.cache.as_ref()?.entry_at(at)?.meta)
    }
}

/// The path of file `name` of folder `path`: `odd_path` when its name is not UTF-8, else what
/// `join` gives (a name has no separator), in one allocation and without taking the path apart
/// into components.
fn file_path(path: &Path, name: &str, odd_path: Option<&Path>) -> PathBuf {
    if let Some(odd) = odd_path {
        return odd.to_path_buf();
    }
    let dir = path.as_os_str();
    let mut joined = std::ffi::OsString::with_capacity(dir.len() + 1 + name.len());
    joined.push(dir);
    if !dir.as_encoded_bytes().ends_with(b"/") {
        joined.push("/");
    }
    joined.push(name);
    PathBuf::from(joined)
}

/// The key of file `name` of the folder resolved as `dir`: keys are absolute paths, so the
/// same file is the same article from any folder. A plain file's is the folder's joined with
/// its name, put together directly when both are UTF-8 (as `Path::join` and `display` would
/// give it); a link's (`link`: the link's path) is where it leads.
fn key_of(dir: &Path, name: &str, odd_path: Option<&Path>, link: Option<&Path>) -> String {
    if let Some(link) = link {
        return resolved(link);
    }
    match (odd_path, dir.to_str()) {
        (None, Some(dir)) => {
            let mut key = String::with_capacity(dir.len() + 1 + name.len());
            key.push_str(dir);
            if !dir.ends_with('/') {
                key.push('/');
            }
            key.push_str(name);
            key
        }
        (Some(odd), _) => dir
            .join(odd.file_name().unwrap_or_default())
            .display()
            .to_string(),
        (None, None) => dir.join(name).display().to_string(),
    }
}

/// The stub of a file of the folder `path` (resolved: `dir`), with what the cache knew of it.
fn stub_of(
    path: &Path,
    dir: &Path,
    name: &str,
    odd_path: Option<&Path>,
    link: bool,
    meta: Option<Meta>,
) -> Article {
    let file_path = file_path(path, name, odd_path);
    let key = key_of(dir, name, odd_path, link.then_some(file_path.as_path()));
    stub(name, file_path, key, meta)
}

/// A path as the system resolves it, for an article's key.
fn resolved(path: &Path) -> String {
    fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// What checking one file found.
enum Outcome {
    /// The cache knew it at this size and time: the stub shows it already.
    Unchanged,
    /// The file's metadata, as a stub, and as the cache keeps it ([`encode_entry`]).
    Read(Box<(Article, Box<[u8]>)>),
    Failed(String),
}

fn examine(plan: &Plan, file: &PlanFile) -> Outcome {
    let path = plan.path(file);
    let stat = match fs::metadata(&path) {
        Ok(m) => m,
        Err(e) => {
            let e = error(&path, LoadFailure::Unreadable(io_reason(&e)));
            return Outcome::Failed(e.to_string());
        }
    };
    let stamp = Stamp::of(&stat);
    if file.cached == Some(stamp) {
        return Outcome::Unchanged;
    }
    match read_file(&path) {
        Err(e) => Outcome::Failed(e.to_string()),
        Ok(contents) => {
            // The text is dropped as soon as its metadata is taken.
            let meta = Meta::of(&article(&file.name, &path, contents));
            let encoded = encode_entry(&Entry {
                stamp,
                meta: meta.clone(),
            });
            let mut stub = stub(&file.name, path, String::new(), Some(meta));
            for entry in plan.entries(file) {
                apply_entry(entry, &mut stub);
            }
            Outcome::Read(Box::new((stub, encoded)))
        }
    }
}

/// Check and read the plan's files (see the module docs), posting what is found; stops early
/// when `post` says the loop has gone, still writing what it learnt to the cache.
pub fn fill(plan: &FillPlan, mut post: impl FnMut(FillReport) -> bool) {
    let plan = &*plan.0;
    // First the stubs the first frame did without: every later report may name them.
    let deferred = std::mem::take(&mut *plan.deferred.lock().unwrap_or_else(|e| e.into_inner()));
    for d in deferred {
        let articles: Vec<Article> = d
            .order
            .iter()
            .map(|&i| {
                let file = &plan.files[d.base + i as usize];
                let meta = d.cached.meta(i as usize);
                let mut article = stub_of(
                    &plan.dirs[file.folder as usize],
                    Path::new(&plan.folders[file.folder as usize]),
                    &file.name,
                    file.odd_path.as_deref(),
                    file.link,
                    meta,
                );
                article.source = d.source;
                if let Some(lang) = d.language {
                    super::parse::declare_language(&mut article, lang);
                }
                article
            })
            .collect();
        if !post(FillReport::Stubs { at: d.at, articles }) {
            return;
        }
    }
    // What was read now, as the cache keeps it, by place in the plan; which files could not be
    // read.
    let mut fresh: Vec<Option<Box<[u8]>>> = Vec::new();
    fresh.resize_with(plan.files.len(), || None);
    let mut lost = vec![false; plan.files.len()];

    let total = plan.files.len();
    let mut warnings = Vec::new();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<(usize, Outcome)>(BATCH_MAX);
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, stop) = (&next, &stop);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                    if start >= total {
                        return;
                    }
                    for j in start..(start + CHUNK).min(total) {
                        if tx.send((j, examine(plan, &plan.files[j]))).is_err() {
                            return;
                        }
                    }
                }
            });
        }
        drop(tx);
        let mut batch = Vec::new();
        let mut failed = Vec::new();
        let mut done = 0;
        let mut posted = Instant::now();
        for (j, outcome) in rx {
            done += 1;
            let file = &plan.files[j];
            match outcome {
                Outcome::Unchanged => {}
                Outcome::Read(read) => {
                    let (article, encoded) = *read;
                    fresh[j] = Some(encoded);
                    batch.push((file.index as usize, article));
                }
                Outcome::Failed(why) => {
                    lost[j] = true;
                    failed.push(file.index as usize);
                    warnings.push(crate::text::sanitize::printable(&why));
                }
            }
            if done == total || batch.len() >= BATCH_MAX || posted.elapsed() >= BATCH_EVERY {
                let articles = std::mem::take(&mut batch);
                if !post(FillReport::Batch {
                    articles,
                    failed: std::mem::take(&mut failed),
                    done,
                    total,
                }) {
                    stop.store(true, Ordering::Relaxed);
                    // Dropping the receiver stops the readers waiting to send.
                    break;
                }
                posted = Instant::now();
            }
        }
    });
    let changed = plan.vanished || lost.contains(&true) || fresh.iter().any(Option::is_some);
    if let Some(path) = plan.cache_path.as_deref().filter(|_| changed)
        && let Err(e) = write_back(plan, path, &mut fresh, &lost)
    {
        warnings.push(crate::text::sanitize::printable(&format!(
            "Could not save the metadata cache {}: {e}",
            path.display()
        )));
    }
    post(FillReport::Finished { warnings });
}

/// Write the cache anew: the folders filled now hold their listed files, with what was read now
/// or else what the cache file holds (its entries carry their stamps: an entry another folio
/// wrote meanwhile is as good); other folders stay as the file has them.
fn write_back(
    plan: &Plan,
    path: &Path,
    fresh: &mut [Option<Box<[u8]>>],
    lost: &[bool],
) -> std::io::Result<()> {
    let (mut old, _) = CacheFile::read(path);
    let mut out = CacheWriter::default();
    out.keep_others(&mut old, &plan.folders);
    // A plan's files come folder by folder, each folder's in name order: the order the cache
    // keeps them in, and the order its old entries are walked in.
    let mut at = 0;
    for (f, key) in plan.folders.iter().enumerate() {
        let mut known = old.folder(key);
        let mut block = FolderBlock::default();
        while let Some(file) = plan.files.get(at).filter(|file| file.folder as usize == f) {
            let entry = known.take(&file.name);
            // Each entry read now moves into the block: the two are not held whole at once.
            if let Some(encoded) = fresh[at].take() {
                block.push_encoded(&file.name, &encoded);
            } else if !lost[at]
                && let Some(entry) = entry
            {
                block.push(&file.name, &entry);
            }
            at += 1;
        }
        out.folder(key, block);
    }
    out.write(path)
}

/// What [`load_paths`](super::load_paths) gives, without the articles' text (every article a
/// stub with its metadata): for `--list`, which needs every title but holds one text per core
/// at a time, and uses and updates the metadata cache at `cache_path`. As with `load_paths`, a
/// folder's unreadable files are left out with a warning, and a folder none of whose files can
/// be read is an error.
pub fn load_metadata(paths: &[PathBuf], cache_path: Option<&Path>) -> Result<Library, LoadError> {
    let specs: Vec<SourceSpec> = paths.iter().map(|p| SourceSpec::path(p)).collect();
    load_source_metadata(&specs, cache_path)
}

/// [`load_metadata`] of sources (see [`open_sources`]): every article a stub with its metadata,
/// each source's articles newest first by the dates read.
pub fn load_source_metadata(
    specs: &[SourceSpec],
    cache_path: Option<&Path>,
) -> Result<Library, LoadError> {
    let Opened { mut library, fill } = open_sources(specs, cache_path)?;
    let Some(plan) = fill else {
        return Ok(library);
    };
    let mut failed = Vec::new();
    let mut warnings = Vec::new();
    self::fill(&plan, |report| {
        match report {
            FillReport::Stubs { at, articles } => library.insert_stubs(at, articles),
            FillReport::Batch {
                articles,
                failed: lost,
                ..
            } => {
                for (index, fresh) in articles {
                    library.articles[index].take_meta(fresh);
                }
                failed.extend(lost);
            }
            FillReport::Finished { warnings: w } => warnings = w,
        }
        true
    });
    library.warnings.extend(warnings);
    if failed.is_empty() {
        library.regroup();
        return Ok(library);
    }
    // A folder none of whose files could be read is an error, as load_paths has it.
    failed.sort_unstable();
    for group in plan.0.files.chunk_by(|a, b| a.folder == b.folder) {
        if group
            .iter()
            .all(|f| failed.binary_search(&(f.index as usize)).is_ok())
            && let Err(e) = read_file(&plan.0.path(&group[0]))
        {
            return Err(e);
        }
    }
    let mut index = 0;
    library.articles.retain(|_| {
        index += 1;
        failed.binary_search(&(index - 1)).is_err()
    });
    library.regroup();
    Ok(library)
}

/// Read the article in `path` (named `name` in its folder) whole, for reading.
pub fn load_article(path: &Path, name: &str) -> Result<Article, String> {
    read_file(path)
        .map(|contents| article(name, path, contents))
        .map_err(|e| crate::text::sanitize::printable(&e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::cache::FILE_NAME;
    use crate::library::{Lang, load_paths};

    /// Run a fill to its end; the batches' articles by index, and the final warnings.
    fn run(plan: &FillPlan) -> (Vec<(usize, Article)>, Vec<String>) {
        let mut read = Vec::new();
        let mut end = None;
        let mut last_done = 0;
        fill(plan, |report| {
            match report {
                FillReport::Batch {
                    articles,
                    done,
                    total,
                    ..
                } => {
                    assert!(done >= last_done && done <= total);
                    last_done = done;
                    read.extend(articles);
                }
                FillReport::Finished { warnings } => end = Some(warnings),
                FillReport::Stubs { .. } => panic!("no folder here is large enough to defer"),
            }
            true
        });
        assert_eq!(last_done, plan.len());
        read.sort_by_key(|(i, _)| *i);
        (read, end.expect("a fill finishes"))
    }

    fn write(dir: &Path, name: &str, text: &str) {
        fs::write(dir.join(name), text).unwrap();
    }

    /// A folder of articles with a manifest, and a cache folder beside it.
    fn folder() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let root = tempfile::tempdir().unwrap();
        let news = root.path().join("news");
        fs::create_dir(&news).unwrap();
        write(
            &news,
            "a.txt",
            "Alpha headline for the test\n\nSome body text here.\n",
        );
        write(
            &news,
            "b.txt",
            "Beta headline for the test\n\nمرحبا بالعالم في النص.\n",
        );
        write(&news, "c.md", "# Gamma heading\n\nBody.\n");
        write(
            &news,
            "sources.toml",
            "[[source]]\nfile = \"c.md\"\ntitle = \"Declared title\"\nhotkey = \"g\"\n",
        );
        let cache = root.path().join("cache").join(FILE_NAME);
        (root, news, cache)
    }

    /// The library a reader ends with: `opened`'s, with every report of its fill applied as
    /// the app applies them. Checks that the deferred stubs come before any batch.
    fn filled(opened: Opened) -> Library {
        let Opened { mut library, fill } = opened;
        let Some(plan) = fill else {
            return library;
        };
        let mut batches = 0;
        self::fill(&plan, |report| {
            match report {
                FillReport::Stubs { at, articles } => {
                    assert_eq!(batches, 0, "stubs after a batch");
                    library.insert_stubs(at, articles);
                }
                FillReport::Batch { articles, .. } => {
                    batches += 1;
                    for (i, fresh) in articles {
                        library.articles[i].take_meta(fresh);
                    }
                }
                FillReport::Finished { .. } => {}
            }
            true
        });
        library
    }

    /// What the list shows of a library: each source's name and range, each article's title,
    /// key, path and source.
    fn shown(lib: &Library) -> Vec<String> {
        let mut out: Vec<String> = lib
            .sources
            .iter()
            .map(|s| format!("source {} {:?}", s.name, s.articles))
            .collect();
        out.extend(lib.articles.iter().map(|a| {
            format!(
                "{} | {} | {:?} | {} | {:?}",
                a.title, a.key, a.origin, a.source, a.date
            )
        }));
        out
    }

    /// Two folders, the first of `n` dated files (every third undated), the second of two.
    fn two_folders(n: usize) -> (tempfile::TempDir, Vec<SourceSpec>, PathBuf) {
        let root = tempfile::tempdir().unwrap();
        let big = root.path().join("big");
        let small = root.path().join("small");
        fs::create_dir(&big).unwrap();
        fs::create_dir(&small).unwrap();
        for i in 0..n {
            let front = if i % 3 == 2 {
                String::new()
            } else {
                // Dates out of name order, some the same.
                format!(
                    "---\ndate: 2024-{:02}-{:02}\n---\n",
                    1 + (i * 7) % 12,
                    1 + i % 5
                )
            };
            write(
                &big,
                &format!("item-{i:03}.md"),
                &format!("{front}# Item {i}\n\nText {i}.\n"),
            );
        }
        write(&small, "one.txt", "Small one\n\nText.\n");
        write(&small, "two.txt", "Small two\n\nText.\n");
        let mut spec = SourceSpec::path(&big);
        spec.language = Some(Lang::En);
        let specs = vec![spec, SourceSpec::path(&small)];
        let cache = root.path().join("cache").join(FILE_NAME);
        (root, specs, cache)
    }

    #[test]
    fn a_large_folder_drawn_from_its_first_screen_fills_to_what_opening_it_whole_gives() {
        let (_root, specs, cache) = two_folders(40);
        // Cold (no cache), then warm (dates known from the start): each ends as a folder
        // opened whole ends, and the first frame shows the first screen of that.
        for round in ["cold", "warm"] {
            let whole =
                open_sources_deferring(&specs, Some(&cache), usize::MAX, FIRST_SCREEN).unwrap();
            let deferred = open_sources_deferring(&specs, Some(&cache), 10, 4).unwrap();
            let first: Vec<String> = deferred
                .library
                .articles
                .iter()
                .map(|a| a.key.clone())
                .collect();
            assert_eq!(deferred.library.articles.len(), 4 + 2, "{round}");
            assert_eq!(deferred.library.sources[0].articles, 0..4, "{round}");
            assert_eq!(deferred.library.sources[1].articles, 4..6, "{round}");
            assert!(deferred.library.sources_consistent());
            let plan = deferred.fill.clone().unwrap();
            let mut keys = plan.keys();
            let whole = filled(whole);
            let after = filled(deferred);
            assert!(after.sources_consistent());
            assert_eq!(shown(&after), shown(&whole), "{round}");
            // The first screen was the top of the whole, and the watcher knew every key.
            let top: Vec<&String> = whole.articles[..4].iter().map(|a| &a.key).collect();
            assert!(first[..4].iter().eq(top), "{round}: {first:#?}");
            let mut all: Vec<String> = after.articles.iter().map(|a| a.key.clone()).collect();
            keys.sort();
            all.sort();
            assert_eq!(keys, all, "{round}");
            assert!(
                after.articles[..40]
                    .iter()
                    .all(|a| a.language == Some(Lang::En)),
                "{round}"
            );
        }
        // Warm, the big folder is newest first from the first frame.
        let warm = open_sources_deferring(&specs, Some(&cache), 10, 4).unwrap();
        let dates: Vec<&str> = warm.library.articles[..4]
            .iter()
            .map(|a| a.date.as_deref().unwrap_or(""))
            .collect();
        let mut sorted = dates.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(dates, sorted);
        assert!(dates.iter().all(|d| d.starts_with("2024-")), "{dates:?}");
    }

    #[test]
    fn a_fill_stopped_before_its_stubs_are_taken_posts_nothing_more() {
        let (_root, specs, _cache) = two_folders(30);
        let opened = open_sources_deferring(&specs, None, 10, 4).unwrap();
        let mut reports = Vec::new();
        fill(&opened.fill.unwrap(), |report| {
            reports.push(matches!(report, FillReport::Stubs { .. }));
            false
        });
        assert_eq!(reports, vec![true]);
    }

    fn titles(lib: &Library) -> Vec<&str> {
        lib.articles.iter().map(|a| a.title.as_str()).collect()
    }

    #[test]
    fn names_first_then_the_fill_gives_what_reading_everything_gives() {
        let (_root, news, cache) = folder();
        let opened = open_paths(std::slice::from_ref(&news), Some(&cache)).unwrap();
        let mut lib = opened.library;
        // Names only, and what the manifest says.
        assert_eq!(titles(&lib), vec!["a", "b", "Declared title"]);
        assert!(lib.articles.iter().all(|a| !a.is_loaded()));
        assert_eq!(lib.articles[2].hotkey, Some('g'));
        let plan = opened.fill.expect("a folder is filled");
        let (read, warnings) = run(&plan);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(read.len(), 3);
        for (i, stub) in read {
            lib.articles[i].title = stub.title;
            lib.articles[i].sections = stub.sections;
            lib.articles[i].words = stub.words;
        }
        let whole = load_paths(std::slice::from_ref(&news)).unwrap();
        assert_eq!(titles(&lib), titles(&whole));
        for (a, b) in lib.articles.iter().zip(&whole.articles) {
            assert_eq!(a.key, b.key);
            assert_eq!(a.languages(), b.languages());
            assert_eq!(a.words, b.words);
        }
        assert!(cache.is_file());
    }

    #[test]
    fn an_outlets_language_is_declared_on_its_files_and_a_files_own_wins() {
        let root = tempfile::tempdir().unwrap();
        let news = root.path().join("news");
        fs::create_dir(&news).unwrap();
        for name in ["a.txt", "b.txt", "c.txt"] {
            write(
                &news,
                name,
                &format!("Headline of {name}\n\nEnglish body text.\n"),
            );
        }
        write(
            &news,
            "sources.toml",
            "[[source]]\nfile = \"b.txt\"\nlanguage = \"he\"\n\n\
             [[outlet]]\nname = \"Wire\"\nlanguage = \"ar\"\nfiles = [\"a.txt\", \"b.txt\"]\n",
        );
        let declared = |lib: &Library| -> Vec<(String, Option<Lang>)> {
            lib.articles
                .iter()
                .map(|a| (a.file_name.clone(), a.language))
                .collect()
        };
        let want = vec![
            ("a.txt".to_string(), Some(Lang::Ar)),
            ("b.txt".to_string(), Some(Lang::He)),
            ("c.txt".to_string(), None),
        ];
        // Read whole.
        let whole = load_paths(std::slice::from_ref(&news)).unwrap();
        let mut got = declared(&whole);
        got.sort_by(|x, y| x.0.cmp(&y.0));
        assert_eq!(got, want);
        // Opened from names, then filled: the stubs and what the fill reads say the same.
        let cache = root.path().join("cache").join(FILE_NAME);
        let opened = open_paths(std::slice::from_ref(&news), Some(&cache)).unwrap();
        let mut got = declared(&opened.library);
        got.sort_by(|x, y| x.0.cmp(&y.0));
        assert_eq!(got, want);
        let (read, _) = run(&opened.fill.expect("a folder is filled"));
        let mut got: Vec<(String, Option<Lang>)> = read
            .into_iter()
            .map(|(_, a)| (a.file_name, a.language))
            .collect();
        got.sort_by(|x, y| x.0.cmp(&y.0));
        assert_eq!(got, want);
    }

    #[test]
    fn a_warm_start_reads_only_changed_files_and_drops_vanished_ones() {
        let (_root, news, cache) = folder();
        let first = open_paths(std::slice::from_ref(&news), Some(&cache)).unwrap();
        run(&first.fill.unwrap());

        // Warm: titles come from the cache, nothing is read again.
        let warm = open_paths(std::slice::from_ref(&news), Some(&cache)).unwrap();
        assert!(
            warm.library.warnings.is_empty(),
            "{:?}",
            warm.library.warnings
        );
        assert_eq!(
            titles(&warm.library),
            vec![
                "Alpha headline for the test",
                "Beta headline for the test",
                "Declared title"
            ]
        );
        assert_eq!(
            warm.library.articles[1].languages(),
            vec![crate::library::Lang::En, crate::library::Lang::Ar]
        );
        let written = fs::metadata(&cache).unwrap().modified().unwrap();
        fs::File::options()
            .write(true)
            .open(&cache)
            .unwrap()
            .set_modified(std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(7))
            .unwrap();
        let (read, _) = run(&warm.fill.unwrap());
        assert!(read.is_empty(), "read again: {read:?}");
        // Nothing changed: the cache is not written again.
        let after = fs::metadata(&cache).unwrap().modified().unwrap();
        assert_eq!(
            after,
            std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(7)
        );
        assert_ne!(after, written);

        // A file of another size is read again; one that is gone drops out of the cache.
        write(
            &news,
            "a.txt",
            "Alpha headline, rewritten and longer\n\nBody.\n",
        );
        fs::remove_file(news.join("b.txt")).unwrap();
        let changed = open_paths(std::slice::from_ref(&news), Some(&cache)).unwrap();
        assert_eq!(changed.library.articles.len(), 2);
        let (read, _) = run(&changed.fill.unwrap());
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].0, 0);
        assert_eq!(read[0].1.title, "Alpha headline, rewritten and longer");
        let (back, _) = MetaCache::read(&cache);
        let folder = &back.folders[&fs::canonicalize(&news).unwrap().display().to_string()];
        let mut names: Vec<&str> = folder.keys().map(String::as_str).collect();
        names.sort();
        assert_eq!(names, vec!["a.txt", "c.md"]);
        // The manifest's title is laid over the stub, not kept in the cache.
        assert_eq!(folder["c.md"].meta.title, "Gamma heading");
    }

    #[test]
    fn a_file_touched_to_another_time_is_read_again() {
        let (_root, news, cache) = folder();
        run(&open_paths(std::slice::from_ref(&news), Some(&cache))
            .unwrap()
            .fill
            .unwrap());
        // Same size, new text, another modification time.
        write(
            &news,
            "a.txt",
            "Omega headline for the test\n\nSome body text here.\n",
        );
        let f = fs::File::options()
            .write(true)
            .open(news.join("a.txt"))
            .unwrap();
        f.set_modified(std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000))
            .unwrap();
        let opened = open_paths(std::slice::from_ref(&news), Some(&cache)).unwrap();
        // The stale title shows until the fill has checked the file.
        assert_eq!(
            opened.library.articles[0].title,
            "Alpha headline for the test"
        );
        let (read, _) = run(&opened.fill.unwrap());
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].1.title, "Omega headline for the test");
    }

    #[test]
    fn a_damaged_cache_is_ignored_with_a_message_and_written_anew() {
        let (_root, news, cache) = folder();
        fs::create_dir_all(cache.parent().unwrap()).unwrap();
        fs::write(
            &cache,
            b"{\"format\":\"folio metadata cache\",\"version\":1}\n{\"fol",
        )
        .unwrap();
        let opened = open_paths(std::slice::from_ref(&news), Some(&cache)).unwrap();
        assert_eq!(opened.library.warnings.len(), 1);
        assert!(opened.library.warnings[0].contains("damaged"));
        assert_eq!(titles(&opened.library), vec!["a", "b", "Declared title"]);
        let (read, _) = run(&opened.fill.unwrap());
        assert_eq!(read.len(), 3);
        assert_eq!(MetaCache::read(&cache).1, None);
    }

    #[test]
    fn an_unreadable_file_is_a_warning_of_the_fill() {
        let (_root, news, cache) = folder();
        let opened = open_paths(std::slice::from_ref(&news), Some(&cache)).unwrap();
        fs::remove_file(news.join("b.txt")).unwrap();
        let (read, warnings) = run(&opened.fill.unwrap());
        assert_eq!(read.len(), 2);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("b.txt"), "{warnings:?}");
    }

    #[test]
    fn a_stopped_fill_still_writes_what_it_learnt() {
        let (_root, news, cache) = folder();
        let opened = open_paths(std::slice::from_ref(&news), Some(&cache)).unwrap();
        // The loop has gone from the start.
        let mut posts = 0;
        fill(&opened.fill.unwrap(), |_| {
            posts += 1;
            false
        });
        assert!(posts >= 1);
        let (back, warning) = MetaCache::read(&cache);
        assert_eq!(warning, None);
        assert_eq!(back.folders.len(), 1);
    }

    #[test]
    fn metadata_alone_lists_as_reading_everything_does() {
        let (_root, news, cache) = folder();
        let one = news.join("a.txt");
        let paths = [one, news.clone()];
        let meta = load_metadata(&paths, Some(&cache)).unwrap();
        let whole = load_paths(&paths).unwrap();
        assert_eq!(
            crate::library::list_rows(&meta),
            crate::library::list_rows(&whole)
        );
        assert_eq!(meta.warnings, whole.warnings);
        assert!(meta.articles[1..].iter().all(|a| !a.is_loaded()));
        // From the cache the second time, alike.
        let again = load_metadata(&paths, Some(&cache)).unwrap();
        assert_eq!(
            crate::library::list_rows(&again),
            crate::library::list_rows(&whole)
        );
    }

    #[test]
    fn a_loaded_body_goes_into_its_stub_and_out_again() {
        let (_root, news, _cache) = folder();
        let opened = open_paths(std::slice::from_ref(&news), None).unwrap();
        let mut stub = opened.library.articles[1].clone();
        let loaded = load_article(&news.join("b.txt"), "b.txt").unwrap();
        stub.take_body(loaded);
        assert!(stub.is_loaded());
        assert!(!stub.paragraphs.is_empty());
        stub.unload();
        assert!(!stub.is_loaded());
        assert!(stub.paragraphs.is_empty());
        assert!(load_article(&news.join("gone.txt"), "gone.txt").is_err());
    }

    #[test]
    fn a_feed_opens_newest_first_and_one_not_fetched_is_an_empty_source() {
        use crate::feeds::store::{Item, item_html};
        let root = tempfile::tempdir().unwrap();
        let feed = root.path().join("example");
        fs::create_dir_all(&feed).unwrap();
        for (file, title, date) in [
            ("00.html", "Old", Some("2023-05-01T10:00:00Z")),
            ("01.html", "Undated", None),
            ("02.html", "New", Some("2025-01-31T23:00:00+02:00")),
        ] {
            let item = Item {
                title: Some(title.into()),
                published: date.map(str::to_string),
                site: "Example".into(),
                content: "<p>Body.</p>".into(),
                ..Item::default()
            };
            fs::write(feed.join(file), item_html(&item)).unwrap();
        }
        let spec = |path: PathBuf, name: &str| SourceSpec {
            path,
            name: Some(name.into()),
            hotkey: Some('x'),
            feed: Some(format!("https://{name}.example/rss")),
            from_config: true,
            ..SourceSpec::default()
        };
        let specs = [
            spec(feed.clone(), "example"),
            spec(root.path().join("never"), "never"),
        ];
        let opened = open_sources(&specs, None).unwrap();
        let lib = &opened.library;
        let names: Vec<&str> = lib.articles.iter().map(|a| a.file_name.as_str()).collect();
        assert_eq!(names, vec!["02.html", "00.html", "01.html"]);
        assert_eq!(lib.sources.len(), 2);
        assert_eq!(lib.sources[0].articles, 0..3);
        assert_eq!(lib.sources[0].hotkey, Some('x'));
        assert_eq!(lib.sources[1].articles, 3..3);
        assert_eq!(
            lib.sources[1].note.as_deref(),
            Some(super::super::NOT_FETCHED)
        );
        assert_eq!(lib.sources[1].hotkey, None, "x is taken by the first");
        assert!(
            lib.warnings.iter().any(|w| w.contains("hotkey 'x'")),
            "{:?}",
            lib.warnings
        );
        // The fill's indexes follow the order: each file's read lands on its own stub.
        let plan = opened.fill.unwrap();
        let (read, _) = run(&plan);
        for (index, article) in read {
            assert_eq!(article.file_name, lib.articles[index].file_name);
        }
        // Whole loads agree.
        let whole = crate::library::load_sources(&specs).unwrap();
        let titles: Vec<&str> = whole.articles.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles, vec!["New", "Old", "Undated"]);
        assert!(whole.sources_consistent());
        // A language the config declares is each article's, opened or read whole.
        let mut arabic = specs[0].clone();
        arabic.language = Some(crate::library::Lang::Ar);
        let whole = crate::library::load_sources(std::slice::from_ref(&arabic)).unwrap();
        assert!(
            whole
                .articles
                .iter()
                .all(|a| a.language == Some(crate::library::Lang::Ar))
        );
        let opened = open_sources(std::slice::from_ref(&arabic), None).unwrap();
        let (read, _) = run(opened.fill.as_ref().unwrap());
        assert!(
            read.iter()
                .all(|(_, a)| a.language == Some(crate::library::Lang::Ar))
        );
    }
}
