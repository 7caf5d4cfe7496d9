//! The library search index: which files hold which words, so that a search across a library
//! of many thousands of files reads only the few that can match.
//!
//! - A [`tantivy`] index in folio's cache folder ([`default_dir`]), one document per article
//!   file: its key (the article's canonical path), its size and modification time, and its
//!   words as [`crate::text::search::words`] folds them (case, harakat and tatweel, hamza and
//!   yeh, Persian and Arabic spelling, presentation forms: what `/` folds). No text is stored.
//! - A search ([`SearchIndex::search`]) asks the index which files hold every word of the query
//!   ([`query_words`]), then reads just those, parses them as the loader does, and finds the
//!   hits exactly, as the in-memory search does. Files the index does not know, or that changed
//!   since it saw them (size or time), are read and searched directly (a quick word check
//!   first, [`may_match`]), like `rg` would; so is every file before the index first exists.
//! - After the search has answered, [`Refresh::run`] brings the index up to date: changed and
//!   new files are indexed again, vanished ones deleted. Files are checked against the index
//!   once per process; a file changed while folio runs is seen at the next refresh that reads
//!   it, which is at the latest the next start.
//! - A damaged index folder is removed and built again, with a message; an index another folio
//!   is writing is read but not written; with no index at all, every search reads every file.
//! - Files too large to parse whole (mapped articles) are not searched, as in memory.
//!
//! Hits are whatever the caller's `hits_in` finds in an article: the index knows nothing of
//! them, only of files.

use std::collections::HashMap;

use rustc_hash::{FxHashMap, FxHashSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use tantivy::collector::DocSetCollector;
use tantivy::query::{AllQuery, BooleanQuery, Query, RegexQuery, TermQuery, TermSetQuery};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

use super::{Article, LARGE_FILE_BYTES, Origin, parse_article};
use crate::text::sanitize::printable;
use crate::text::search::{WordPart, may_match, query_words, words};

/// The name the index's tokenizer is registered under.
const TOKENIZER: &str = "folio_words";

/// Bytes of memory the index writer may use before it writes a segment: tantivy's least, as
/// the index is built behind a reader whose whole library must fit in 100 MB.
const WRITER_MEMORY: usize = 15_000_000;

/// Files indexed between commits, so an interrupted build keeps what it did.
const COMMIT_EVERY: usize = 10_000;

/// Where the index lives: `index/` in folio's [cache folder](super::cache::cache_folder);
/// `None` when the system names no cache folder.
pub fn default_dir() -> Option<PathBuf> {
    Some(super::cache::cache_folder()?.join("index"))
}

/// A file of the library, as a search reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LibraryFile {
    /// The article's place in the library.
    pub article: usize,
    /// The article's key (its canonical path), what the index knows it by.
    pub key: String,
    pub path: PathBuf,
}

/// A file of the library as a search reads it: a [`LibraryFile`], or a [`FileRef`] that
/// borrows its key and path from the library's articles (a search of a hundred thousand files
/// then copies none of them).
pub trait SearchFile: Sync {
    /// The article's place in the library.
    fn article(&self) -> usize;
    /// The article's key (its canonical path), what the index knows it by.
    fn key(&self) -> &str;
    fn path(&self) -> &Path;

    fn to_library_file(&self) -> LibraryFile {
        LibraryFile {
            article: self.article(),
            key: self.key().to_string(),
            path: self.path().to_path_buf(),
        }
    }
}

impl SearchFile for LibraryFile {
    fn article(&self) -> usize {
        self.article
    }

    fn key(&self) -> &str {
        &self.key
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

/// A file of the library, borrowed from its article.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileRef<'a> {
    pub article: usize,
    pub key: &'a str,
    pub path: &'a Path,
}

impl SearchFile for FileRef<'_> {
    fn article(&self) -> usize {
        self.article
    }

    fn key(&self) -> &str {
        self.key
    }

    fn path(&self) -> &Path {
        self.path
    }
}

impl FileRef<'_> {
    /// The files of `articles`, in order (embedded articles have none).
    pub fn of(articles: &[Article]) -> Vec<FileRef<'_>> {
        articles
            .iter()
            .enumerate()
            .filter_map(|(article, a)| match &a.origin {
                Origin::File(path) => Some(FileRef {
                    article,
                    key: &a.key,
                    path,
                }),
                Origin::Embedded => None,
            })
            .collect()
    }
}

impl LibraryFile {
    /// The files of `articles`, in order (embedded articles have none).
    pub fn of(articles: &[Article]) -> Vec<LibraryFile> {
        articles
            .iter()
            .enumerate()
            .filter_map(|(article, a)| match &a.origin {
                Origin::File(path) => Some(LibraryFile {
                    article,
                    key: a.key.clone(),
                    path: path.clone(),
                }),
                Origin::Embedded => None,
            })
            .collect()
    }
}

/// What the index remembers of a file, to tell whether it changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    size: u64,
    /// Nanoseconds since the epoch.
    mtime: u64,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let meta = fs::metadata(path).ok()?;
        if !meta.is_file() {
            return None;
        }
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        Some(Stamp {
            size: meta.len(),
            mtime,
        })
    }
}

/// The fields of the index's documents.
#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    size: Field,
    mtime: Field,
    words: Field,
}

impl Fields {
    fn schema() -> Schema {
        let mut schema = Schema::builder();
        schema.add_text_field("key", STRING | STORED);
        schema.add_u64_field("size", STORED);
        schema.add_u64_field("mtime", STORED);
        let words = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::Basic),
        );
        schema.add_text_field("words", words);
        schema.build()
    }

    /// The fields of `schema`, when it is the schema folio writes.
    fn of(schema: &Schema) -> Option<Fields> {
        if *schema != Fields::schema() {
            return None;
        }
        Some(Fields {
            key: schema.get_field("key").ok()?,
            size: schema.get_field("size").ok()?,
            mtime: schema.get_field("mtime").ok()?,
            words: schema.get_field("words").ok()?,
        })
    }
}

/// [`WordPart::holds`], on the words' bytes: whether the index's word `term` holds `part`.
fn holds(how: WordPart, term: &[u8], part: &[u8]) -> bool {
    match how {
        WordPart::Whole => term == part,
        WordPart::Prefix => term.starts_with(part),
        WordPart::Suffix => term.ends_with(part),
        WordPart::Inside => memchr::memmem::find(term, part).is_some(),
    }
}

/// The tokenizer the index uses: [`words`], so the index folds as `/` does.
#[derive(Clone, Default)]
struct WordTokenizer;

struct WordStream {
    tokens: Vec<Token>,
    at: usize,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream {
        let mut tokens = Vec::new();
        words(text, |word| {
            tokens.push(Token {
                position: tokens.len(),
                text: word.to_string(),
                ..Token::default()
            });
            true
        });
        WordStream { tokens, at: 0 }
    }
}

impl TokenStream for WordStream {
    fn advance(&mut self) -> bool {
        self.at += 1;
        self.at <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.at - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.at - 1]
    }
}

/// A search index in one folder, shared by every search of the process.
pub struct SearchIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// What the index holds (key → stamp), read on first need and kept up to date by refreshes.
    known: RwLock<Option<FxHashMap<String, Stamp>>>,
    /// Keys whose files were found, in this process, to be as the index holds them.
    checked: RwLock<FxHashSet<String>>,
    /// Keys of files gone were looked for ([`SearchIndex::vanished`]).
    vanished_looked: AtomicBool,
    /// The words the index holds ([`SearchIndex::terms`]), and the searcher generation they
    /// were gathered from.
    terms: Mutex<Option<(u64, Arc<Vec<u8>>)>>,
    /// Held while the index is written: one refresh at a time.
    writing: Mutex<()>,
    /// The index could not be read at some point: searches read every file until it is built
    /// again.
    broken: AtomicBool,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("docs", &self.reader.searcher().num_docs())
            .finish()
    }
}

/// The index for `dir`, shared by the whole process, and a message for the user when it had to
/// be built again; `Err` (a message) when there can be none there.
pub fn shared(dir: &Path) -> Result<(Arc<SearchIndex>, Option<String>), String> {
    static OPEN: OnceLock<Mutex<HashMap<PathBuf, Arc<SearchIndex>>>> = OnceLock::new();
    let mut open = OPEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(index) = open.get(dir) {
        return Ok((index.clone(), None));
    }
    let (index, message) = SearchIndex::open(dir)?;
    let index = Arc::new(index);
    open.insert(dir.to_path_buf(), index.clone());
    Ok((index, message))
}

impl SearchIndex {
    /// Open the index in `dir`, creating it when there is none, and building it anew (with a
    /// message saying so) when what is there cannot be read.
    pub fn open(dir: &Path) -> Result<(SearchIndex, Option<String>), String> {
        let shown = printable(&dir.display().to_string());
        if let Err(e) = fs::create_dir_all(dir) {
            return Err(format!(
                "Library search cannot keep an index in {shown}: {e}"
            ));
        }
        let damaged = match SearchIndex::open_existing(dir) {
            Ok(Some(index)) => return Ok((index, None)),
            Ok(None) => None,
            Err(why) => Some(why),
        };
        if damaged.is_some() {
            // A folder that was never an index (the cache folder set to a folder of the
            // user's) is left alone; in one that was, only the index's own files go.
            if !dir.join("meta.json").exists() && !dir.join(".managed.json").exists() {
                return Err(format!(
                    "Library search keeps no index in {shown}: the folder holds other files"
                ));
            }
            if let Ok(entries) = fs::read_dir(dir) {
                for entry in entries.flatten() {
                    if entry.file_type().is_ok_and(|t| t.is_file()) {
                        let _ = fs::remove_file(entry.path());
                    }
                }
            }
        }
        let index = SearchIndex::create(dir).map_err(|e| {
            printable(&format!(
                "Library search cannot keep an index in {shown}: {e}"
            ))
        })?;
        let message = damaged.map(|why| {
            printable(&format!(
                "The library search index in {shown} could not be read ({why}); it is being built again"
            ))
        });
        Ok((index, message))
    }

    /// `Ok(None)` when `dir` holds no index yet.
    fn open_existing(dir: &Path) -> Result<Option<SearchIndex>, String> {
        let has_any = fs::read_dir(dir)
            .map(|mut entries| entries.next().is_some())
            .unwrap_or(false);
        if !has_any {
            return Ok(None);
        }
        let index = Index::open_in_dir(dir).map_err(|e| e.to_string())?;
        let fields = Fields::of(&index.schema()).ok_or("written by another version of folio")?;
        SearchIndex::with(dir, index, fields)
            .map(Some)
            .map_err(|e| e.to_string())
    }

    fn create(dir: &Path) -> tantivy::Result<SearchIndex> {
        let schema = Fields::schema();
        let fields = Fields::of(&schema).expect("folio's own schema");
        let index = Index::create_in_dir(dir, schema)?;
        SearchIndex::with(dir, index, fields)
    }

    fn with(dir: &Path, index: Index, fields: Fields) -> tantivy::Result<SearchIndex> {
        index.tokenizers().register(TOKENIZER, WordTokenizer);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        // Reading the first document proves the store readable.
        let searcher = reader.searcher();
        for segment in searcher.segment_readers() {
            segment.get_store_reader(1)?;
            segment.inverted_index(fields.words)?;
        }
        Ok(SearchIndex {
            dir: dir.to_path_buf(),
            index,
            reader,
            fields,
            known: RwLock::new(None),
            checked: RwLock::new(FxHashSet::default()),
            vanished_looked: AtomicBool::new(false),
            terms: Mutex::new(None),
            writing: Mutex::new(()),
            broken: AtomicBool::new(false),
        })
    }

    /// How many files the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The files the index says may hold every word of the query, with their stamps, in the
    /// index's order (the order they were indexed in).
    fn candidates(&self, parts: &[(String, WordPart)]) -> tantivy::Result<Vec<(String, Stamp)>> {
        let words = self.fields.words;
        let searcher = self.reader.searcher();
        let mut queries: Vec<Box<dyn Query>> = Vec::new();
        for (word, part) in parts {
            // Words are letters and digits only: nothing in them is a regex operator.
            queries.push(match part {
                WordPart::Whole => Box::new(TermQuery::new(
                    Term::from_field_text(words, word),
                    IndexRecordOption::Basic,
                )),
                WordPart::Prefix => {
                    Box::new(RegexQuery::from_pattern(&format!("{word}.*"), words)?)
                }
                // A regular expression that starts with `.*` walks the whole term dictionary
                // of every segment, each search; the words the index holds, kept end to end
                // in one buffer, are searched far faster.
                WordPart::Suffix | WordPart::Inside => Box::new(TermSetQuery::new(
                    self.terms_holding(&searcher, word, *part)?
                        .into_iter()
                        .map(|term| Term::from_field_text(words, &term)),
                )),
            });
        }
        let query: Box<dyn Query> = if queries.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::intersection(queries))
        };
        let mut found: Vec<_> = searcher
            .search(&*query, &DocSetCollector)?
            .into_iter()
            .collect();
        found.sort();
        found
            .into_iter()
            .map(|address| {
                let doc: TantivyDocument = searcher.doc(address)?;
                Ok(self.read_doc(&doc))
            })
            .collect()
    }

    /// The words the index holds (in `searcher`'s segments) that hold `word` as `part` says.
    fn terms_holding(
        &self,
        searcher: &Searcher,
        word: &str,
        part: WordPart,
    ) -> tantivy::Result<Vec<String>> {
        let terms = self.terms(searcher)?;
        let mut found: Vec<&[u8]> = Vec::new();
        let mut from = 0;
        for at in memchr::memmem::find_iter(&terms[..], word.as_bytes()) {
            if at < from {
                continue;
            }
            let start = memchr::memrchr(b'\n', &terms[..at]).map_or(0, |i| i + 1);
            let end = memchr::memchr(b'\n', &terms[at..]).map_or(terms.len(), |i| at + i);
            let term = &terms[start..end];
            if holds(part, term, word.as_bytes()) {
                found.push(term);
            }
            from = end + 1;
        }
        found.sort_unstable();
        found.dedup();
        Ok(found
            .into_iter()
            .map(|t| String::from_utf8_lossy(t).into_owned())
            .collect())
    }

    /// Every word the index holds, each followed by a newline (words are letters and digits),
    /// gathered once for each state of the index that searches see.
    fn terms(&self, searcher: &Searcher) -> tantivy::Result<Arc<Vec<u8>>> {
        let generation = searcher.generation().generation_id();
        let mut kept = self.terms.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, terms)) = kept.as_ref()
            && *at == generation
        {
            return Ok(terms.clone());
        }
        let mut terms = Vec::new();
        for segment in searcher.segment_readers() {
            let index = segment.inverted_index(self.fields.words)?;
            let mut stream = index.terms().stream()?;
            while stream.advance() {
                terms.extend_from_slice(stream.key());
                terms.push(b'\n');
            }
        }
        let terms = Arc::new(terms);
        *kept = Some((generation, terms.clone()));
        Ok(terms)
    }

    fn read_doc(&self, doc: &TantivyDocument) -> (String, Stamp) {
        let f = self.fields;
        let key = doc
            .get_first(f.key)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        let number = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
        (
            key,
            Stamp {
                size: number(f.size),
                mtime: number(f.mtime),
            },
        )
    }

    /// Every file the index holds, with its stamp.
    fn all(&self) -> tantivy::Result<FxHashMap<String, Stamp>> {
        Ok(self.candidates(&[])?.into_iter().collect())
    }

    /// Search `files` for `query`, giving each file's hits (what `hits_in` finds in the article
    /// parsed from it) to `found` as they are found, until `limit` hits, until `cancel` is set,
    /// or until `found` returns `false`. Messages for the user go to `notice`. What the index
    /// lacks is returned, for [`Refresh::run`] to add once the search has answered.
    pub fn search<F: SearchFile, T: Send>(
        &self,
        files: &[F],
        query: &str,
        search: &Search<'_, T>,
    ) -> Refresh {
        let parts = query_words(query);
        let by_key: FxHashMap<&str, &F> = files.iter().map(|f| (f.key(), f)).collect();
        let mut done: FxHashSet<&str> = FxHashSet::default();

        // What the index says, for the files it holds as they are now.
        if !self.broken.load(Ordering::Relaxed) && !self.is_empty() && !parts.is_empty() {
            match self.candidates(&parts) {
                Ok(candidates) => {
                    let checked = self.checked.read().unwrap_or_else(|e| e.into_inner());
                    let mut current = Vec::new();
                    for (key, stamp) in candidates {
                        let Some(file) = by_key.get(key.as_str()) else {
                            continue;
                        };
                        if checked.contains(&key) || Stamp::of(file.path()) == Some(stamp) {
                            current.push(*file);
                        }
                    }
                    drop(checked);
                    current.sort_by_key(|f| f.article());
                    search.scan(&current, None);
                    done.extend(current.iter().map(|f| f.key()));
                }
                Err(e) => self.damaged(&e, search),
            }
        }

        // The files the index does not hold as they are: read them all.
        let stale = self.stale(files, search);
        let unread: Vec<&F> = stale
            .iter()
            .filter(|f| !done.contains(f.key()))
            .copied()
            .collect();
        search.scan(&unread, Some(&parts));

        let vanished = self.vanished(&by_key);
        Refresh {
            stale: stale.into_iter().map(|f| f.to_library_file()).collect(),
            vanished,
        }
    }

    /// The index could not be read: say so once, search by reading files, and build it again
    /// at the next refresh.
    fn damaged<T>(&self, e: &tantivy::TantivyError, search: &Search<'_, T>) {
        if !self.broken.swap(true, Ordering::Relaxed) {
            (search.notice)(printable(&format!(
                "The library search index could not be read ({e}); searching the files and building it again"
            )));
        }
    }

    /// The files the index does not hold as they are now: all of them when it is damaged or
    /// empty; otherwise those not yet checked in this process whose size or time differ from
    /// the index's (each checked once).
    fn stale<'f, F: SearchFile, T>(&self, files: &'f [F], search: &Search<'_, T>) -> Vec<&'f F> {
        if self.broken.load(Ordering::Relaxed) || self.is_empty() {
            return files.iter().collect();
        }
        let unchecked: Vec<&F> = {
            let checked = self.checked.read().unwrap_or_else(|e| e.into_inner());
            files
                .iter()
                .filter(|f| !checked.contains(f.key()))
                .collect()
        };
        if unchecked.is_empty() {
            return unchecked;
        }
        if self
            .known
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_none()
        {
            match self.all() {
                Ok(all) => *self.known.write().unwrap_or_else(|e| e.into_inner()) = Some(all),
                Err(e) => {
                    self.damaged(&e, search);
                    return files.iter().collect();
                }
            }
        }
        let known = self.known.read().unwrap_or_else(|e| e.into_inner());
        let known = known.as_ref().expect("read above");
        let mut stale = Vec::new();
        let mut fresh = Vec::new();
        for file in unchecked {
            let now = Stamp::of(file.path());
            if now.is_some() && known.get(file.key()) == now.as_ref() {
                fresh.push(file.key().to_string());
            } else {
                stale.push(file);
            }
        }
        self.checked
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .extend(fresh);
        stale
    }

    /// Keys the index holds for files outside this library that no longer exist. Looked for
    /// once in a process (each such key costs a stat): a file that goes while folio runs is
    /// dropped at the next start.
    fn vanished<F>(&self, library: &FxHashMap<&str, &F>) -> Vec<String> {
        if self.vanished_looked.swap(true, Ordering::Relaxed) {
            return Vec::new();
        }
        let known = self.known.read().unwrap_or_else(|e| e.into_inner());
        let Some(known) = known.as_ref() else {
            self.vanished_looked.store(false, Ordering::Relaxed);
            return Vec::new();
        };
        known
            .keys()
            .filter(|key| !library.contains_key(&key[..]) && !Path::new(key).is_file())
            .cloned()
            .collect()
    }

    /// Build the index again from nothing: the next refresh fills it.
    fn rebuild(&self, writer: &mut IndexWriter) -> tantivy::Result<()> {
        writer.delete_all_documents()?;
        writer.commit()?;
        *self.known.write().unwrap_or_else(|e| e.into_inner()) = Some(FxHashMap::default());
        self.checked
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.broken.store(false, Ordering::Relaxed);
        Ok(())
    }
}

/// One search's settings and where its findings go.
pub struct Search<'a, T> {
    /// The hits in one article (its place in the library, and the article parsed from its file).
    pub hits_in: &'a (dyn Fn(usize, &Article) -> Vec<T> + Sync),
    /// Takes each file's hits; `false` when nobody wants more.
    pub found: &'a (dyn Fn(Vec<T>) -> bool + Sync),
    /// A message for the user.
    pub notice: &'a (dyn Fn(String) + Sync),
    /// The library's articles: those whose paragraphs are in memory are searched there (the
    /// hits then fit the article the reader shows), the others in their files.
    pub articles: &'a [Article],
    /// Set when the search is no longer wanted.
    pub cancel: &'a AtomicBool,
    /// The most hits to find.
    pub limit: usize,
    /// Hits found so far.
    pub count: AtomicUsize,
}

impl<'a, T> Search<'a, T> {
    pub fn new(
        hits_in: &'a (dyn Fn(usize, &Article) -> Vec<T> + Sync),
        found: &'a (dyn Fn(Vec<T>) -> bool + Sync),
        notice: &'a (dyn Fn(String) + Sync),
        articles: &'a [Article],
        cancel: &'a AtomicBool,
        limit: usize,
    ) -> Self {
        Search {
            hits_in,
            found,
            notice,
            articles,
            cancel,
            limit,
            count: AtomicUsize::new(0),
        }
    }

    fn stopped(&self) -> bool {
        self.cancel.load(Ordering::Relaxed) || self.count.load(Ordering::Relaxed) >= self.limit
    }

    /// Pass on the hits in `file`. `parts` are the query's words, which its text must hold for
    /// it to be searched; `None` when the index already says it does: then an article whose
    /// paragraphs are in memory is searched there without reading the file. Otherwise the file
    /// is read and, when it may match, searched as it is in memory or else parsed.
    fn read<F: SearchFile>(&self, file: &F, parts: Option<&[(String, WordPart)]>) {
        let loaded = self
            .articles
            .get(file.article())
            .filter(|a| !a.paragraphs.is_empty() && a.key == file.key());
        let mut hits = match (loaded, parts) {
            (Some(article), None) => (self.hits_in)(file.article(), article),
            _ => {
                let Some(bytes) = read_small(file.path()) else {
                    return;
                };
                let parts = parts.unwrap_or(&[]);
                if !parts.is_empty() && !may_match(parts, &String::from_utf8_lossy(&bytes)) {
                    return;
                }
                match loaded {
                    Some(article) => (self.hits_in)(file.article(), article),
                    None => {
                        let name = file
                            .path()
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        let article =
                            parse_article(&name, Origin::File(file.path().to_path_buf()), &bytes);
                        (self.hits_in)(file.article(), &article)
                    }
                }
            }
        };
        if hits.is_empty() {
            return;
        }
        let before = self.count.fetch_add(hits.len(), Ordering::Relaxed);
        if before >= self.limit {
            return;
        }
        hits.truncate(self.limit - before);
        if !(self.found)(hits) {
            self.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// [`Search::read`] each of `files`, on every core, in the library's order as far as the
    /// threads keep it.
    fn scan<F: SearchFile>(&self, files: &[&F], parts: Option<&[(String, WordPart)]>)
    where
        T: Send,
    {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(files.len().div_ceil(64).max(1));
        let next = AtomicUsize::new(0);
        let work = || {
            loop {
                if self.stopped() {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(file) = files.get(i) else {
                    break;
                };
                self.read(*file, parts);
            }
        };
        if threads <= 1 {
            work();
        } else {
            std::thread::scope(|scope| {
                for _ in 1..threads {
                    scope.spawn(work);
                }
                work();
            });
        }
    }
}

/// Search `files` for `query` by reading every one of them (a quick word check first): what a
/// search does when there can be no index.
pub fn search_without_index<F: SearchFile, T: Send>(
    files: &[F],
    query: &str,
    search: &Search<'_, T>,
) {
    let files: Vec<&F> = files.iter().collect();
    search.scan(&files, Some(&query_words(query)));
}

/// A file's bytes, when it is a regular file small enough to be parsed whole.
fn read_small(path: &Path) -> Option<Vec<u8>> {
    let file = fs::File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() > LARGE_FILE_BYTES {
        return None;
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(LARGE_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    (bytes.len() as u64 <= LARGE_FILE_BYTES).then_some(bytes)
}

/// What a search found the index lacking, to be added once the search has answered.
#[derive(Debug, Default)]
pub struct Refresh {
    stale: Vec<LibraryFile>,
    vanished: Vec<String>,
}

impl Refresh {
    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.stale.is_empty() && self.vanished.is_empty()
    }

    /// Index the files that changed or are new, delete the vanished ones, and commit. Does
    /// nothing when another refresh (of this process or another) is writing the index.
    /// Stops early, keeping what it committed, when `cancel` is set.
    pub fn run(self, index: &SearchIndex, cancel: &AtomicBool) -> Result<(), String> {
        let broken = index.broken.load(Ordering::Relaxed);
        if self.is_empty() && !broken {
            return Ok(());
        }
        let Ok(_writing) = index.writing.try_lock() else {
            return Ok(());
        };
        let mut writer: IndexWriter = match index.index.writer_with_num_threads(1, WRITER_MEMORY) {
            Ok(writer) => writer,
            // Another folio holds the index: it will bring it up to date.
            Err(tantivy::TantivyError::LockFailure(..)) => return Ok(()),
            Err(e) => return Err(e.to_string()),
        };
        let result = self.write(index, &mut writer, broken, cancel);
        // A failed write leaves the last commit in place.
        if result.is_err() {
            let _ = writer.rollback();
        }
        let _ = writer.wait_merging_threads();
        result.map_err(|e| e.to_string())
    }

    fn write(
        self,
        index: &SearchIndex,
        writer: &mut IndexWriter,
        broken: bool,
        cancel: &AtomicBool,
    ) -> tantivy::Result<()> {
        let f = index.fields;
        if broken {
            index.rebuild(writer)?;
        }
        let mut added: Vec<(String, Stamp)> = Vec::new();
        let commit = |writer: &mut IndexWriter, added: &mut Vec<(String, Stamp)>| {
            writer.commit()?;
            index.reader.reload()?;
            let mut known = index.known.write().unwrap_or_else(|e| e.into_inner());
            let mut checked = index.checked.write().unwrap_or_else(|e| e.into_inner());
            for (key, stamp) in added.drain(..) {
                if let Some(known) = known.as_mut() {
                    known.insert(key.clone(), stamp);
                }
                checked.insert(key);
            }
            tantivy::Result::Ok(())
        };
        for key in &self.vanished {
            writer.delete_term(Term::from_field_text(f.key, key));
        }
        if !self.vanished.is_empty()
            && let Some(known) = index
                .known
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .as_mut()
        {
            for key in &self.vanished {
                known.remove(key);
            }
        }
        // Building from nothing, there is no older document of a file to delete.
        let empty = broken || index.is_empty();
        for file in &self.stale {
            if cancel.load(Ordering::Relaxed) {
                break;
            }
            if !empty {
                writer.delete_term(Term::from_field_text(f.key, &file.key));
            }
            // The stamp is taken before reading: a file changed meanwhile is read again later.
            let Some(stamp) = Stamp::of(&file.path) else {
                continue;
            };
            let text = read_small(&file.path)
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or_default();
            let mut doc = TantivyDocument::default();
            doc.add_text(f.key, &file.key);
            doc.add_u64(f.size, stamp.size);
            doc.add_u64(f.mtime, stamp.mtime);
            doc.add_text(f.words, &text);
            writer.add_document(doc)?;
            added.push((file.key.clone(), stamp));
            if added.len() == COMMIT_EVERY {
                commit(writer, &mut added)?;
            }
        }
        commit(writer, &mut added)
    }
}

impl SearchIndex {
    /// The folder the index is in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::load_paths;
    use crate::text::search::Query;

    /// A folder of articles and an index folder beside it.
    struct Scratch {
        root: tempfile::TempDir,
    }

    impl Scratch {
        fn new() -> Scratch {
            let root = tempfile::tempdir().unwrap();
            fs::create_dir(root.path().join("articles")).unwrap();
            Scratch { root }
        }

        fn write(&self, name: &str, text: &str) {
            fs::write(self.root.path().join("articles").join(name), text).unwrap();
        }

        fn remove(&self, name: &str) {
            fs::remove_file(self.root.path().join("articles").join(name)).unwrap();
        }

        fn files(&self) -> Vec<LibraryFile> {
            let lib = load_paths(&[self.root.path().join("articles")]).unwrap();
            LibraryFile::of(&lib.articles)
        }

        fn index_dir(&self) -> PathBuf {
            self.root.path().join("cache").join("index")
        }
    }

    /// (article, paragraph) of every hit of `query`, sorted, and the messages given; the index
    /// is brought up to date afterwards.
    fn search(
        index: &SearchIndex,
        files: &[LibraryFile],
        query: &str,
    ) -> (Vec<(usize, usize)>, Vec<String>) {
        let q = Query::new(query).unwrap();
        let hits_in = |i: usize, a: &Article| -> Vec<(usize, usize)> {
            a.paragraphs
                .iter()
                .enumerate()
                .filter(|(_, p)| !q.find_all(&p.text).is_empty())
                .map(|(p, _)| (i, p))
                .collect()
        };
        let hits = Mutex::new(Vec::new());
        let found = |h: Vec<(usize, usize)>| {
            hits.lock().unwrap().extend(h);
            true
        };
        let notices = Mutex::new(Vec::new());
        let notice = |m: String| notices.lock().unwrap().push(m);
        let cancel = AtomicBool::new(false);
        let search = Search::new(&hits_in, &found, &notice, &[], &cancel, 1000);
        let refresh = index.search(files, query, &search);
        refresh.run(index, &AtomicBool::new(false)).unwrap();
        let mut hits = hits.into_inner().unwrap();
        hits.sort();
        (hits, notices.into_inner().unwrap())
    }

    /// The file names the index gives as candidates for `query`.
    fn candidates(index: &SearchIndex, query: &str) -> Vec<String> {
        let mut names: Vec<String> = index
            .candidates(&query_words(query))
            .unwrap()
            .into_iter()
            .map(|(key, _)| {
                Path::new(&key)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    fn sample() -> Scratch {
        let s = Scratch::new();
        s.write(
            "a.txt",
            "Talks in Moscow\n\nThe minister spoke at the talks.\n",
        );
        s.write(
            "b.txt",
            "إيران تستضيف القمة\n\nقالَ الوَزِيرُ إنّ القمة ستعقد في غـــزة.\n",
        );
        s.write("c.txt", "کتاب\n\nاین کتاب را بخوانید، علی.\n");
        s
    }

    #[test]
    fn the_index_is_built_then_answers() {
        let s = sample();
        let files = s.files();
        let (index, message) = SearchIndex::open(&s.index_dir()).unwrap();
        assert_eq!(message, None);
        assert!(index.is_empty());
        // The first search reads the files, then builds the index.
        let (cold, _) = search(&index, &files, "minister");
        assert_eq!(cold, [(0, 1)]);
        assert_eq!(index.len(), 3);
        // From then on the index answers, and the answers are the same.
        assert_eq!(candidates(&index, "minister"), ["a.txt"]);
        assert_eq!(search(&index, &files, "minister").0, cold);
        assert_eq!(search(&index, &files, "talks").0, [(0, 0), (0, 1)]);
        assert!(search(&index, &files, "zzz").0.is_empty());
        // Another process opens what this one built.
        drop(index);
        let (again, message) = SearchIndex::open(&s.index_dir()).unwrap();
        assert_eq!(message, None);
        assert_eq!(again.len(), 3);
        assert_eq!(search(&again, &files, "minister").0, cold);
    }

    #[test]
    fn the_index_folds_as_search_does() {
        let s = sample();
        let files = s.files();
        let (index, _) = SearchIndex::open(&s.index_dir()).unwrap();
        search(&index, &files, "x");
        // Case; inside a word, at its start, at its end; several words.
        assert_eq!(candidates(&index, "MINISTER"), ["a.txt"]);
        assert_eq!(candidates(&index, "inist"), ["a.txt"]);
        assert_eq!(candidates(&index, "the talks"), ["a.txt"]);
        assert_eq!(candidates(&index, "moscow talks"), ["a.txt"]);
        // Harakat and tatweel, in the text or in the query.
        assert_eq!(candidates(&index, "الوزير"), ["b.txt"]);
        assert_eq!(candidates(&index, "غزة"), ["b.txt"]);
        assert_eq!(candidates(&index, "غَزّة"), ["b.txt"]);
        // Hamza, Persian yeh and kaf, alef maksura.
        assert_eq!(candidates(&index, "ایران"), ["b.txt"]);
        assert_eq!(candidates(&index, "كتاب"), ["c.txt"]);
        assert_eq!(candidates(&index, "على"), ["c.txt"]);
        // And what the index gives, reading the files confirms.
        assert_eq!(search(&index, &files, "ایران").0, [(1, 0)]);
        assert_eq!(search(&index, &files, "غزة").0, [(1, 1)]);
        assert_eq!(search(&index, &files, "كتاب").0, [(2, 0), (2, 1)]);
    }

    #[test]
    fn words_inside_words_are_found_as_a_regex_over_the_terms_finds_them() {
        let s = sample();
        s.write(
            "d.txt",
            "Ministers and administrators\n\nThe administration met the minister.\n",
        );
        let files = s.files();
        let (index, _) = SearchIndex::open(&s.index_dir()).unwrap();
        search(&index, &files, "x");
        let searcher = index.reader.searcher();
        let by_regex = |pattern: &str| -> Vec<String> {
            let query = RegexQuery::from_pattern(pattern, index.fields.words).unwrap();
            let mut keys: Vec<String> = searcher
                .search(&query, &DocSetCollector)
                .unwrap()
                .into_iter()
                .map(|a| index.read_doc(&searcher.doc(a).unwrap()).0)
                .collect();
            keys.sort();
            keys
        };
        let by_terms = |word: &str, part: WordPart| -> Vec<String> {
            let mut keys: Vec<String> = index
                .candidates(&[(word.to_string(), part)])
                .unwrap()
                .into_iter()
                .map(|(key, _)| key)
                .collect();
            keys.sort();
            keys
        };
        for word in [
            "minist",
            "ster",
            "ministers",
            "tion",
            "s",
            "ال",
            "زير",
            "qqq",
        ] {
            assert_eq!(
                by_terms(word, WordPart::Inside),
                by_regex(&format!(".*{word}.*")),
                "{word}"
            );
            assert_eq!(
                by_terms(word, WordPart::Suffix),
                by_regex(&format!(".*{word}")),
                "{word}"
            );
        }
        assert_eq!(by_terms("minist", WordPart::Inside).len(), 2);
        assert_eq!(by_terms("ers", WordPart::Suffix).len(), 1);
        // After the index changes, the words are gathered again.
        s.write("e.txt", "Qqqx\n\nqqqx\n");
        let files = s.files();
        search(&index, &files, "x");
        assert_eq!(by_terms("qqq", WordPart::Inside).len(), 1);
    }

    #[test]
    fn changed_files_are_indexed_again_and_vanished_ones_dropped() {
        let s = sample();
        let (index, _) = SearchIndex::open(&s.index_dir()).unwrap();
        search(&index, &s.files(), "x");
        assert_eq!(index.len(), 3);
        s.write(
            "a.txt",
            "Talks in Moscow\n\nThe ambassador spoke, at some length, of peace.\n",
        );
        s.remove("c.txt");
        s.write("d.txt", "Minister\n\nA new minister.\n");
        drop(index);
        // The next process finds what changed before the index knows it.
        let files = s.files();
        let (index, _) = SearchIndex::open(&s.index_dir()).unwrap();
        assert_eq!(search(&index, &files, "minister").0, [(2, 0), (2, 1)]);
        assert_eq!(search(&index, &files, "ambassador").0, [(0, 1)]);
        // And the index has caught up: a.txt again, d.txt new, c.txt gone.
        assert_eq!(index.len(), 3);
        assert_eq!(candidates(&index, "ambassador"), ["a.txt"]);
        assert_eq!(candidates(&index, "minister"), ["d.txt"]);
        assert!(candidates(&index, "كتاب").is_empty());
    }

    #[test]
    fn a_damaged_index_is_built_again_with_a_message() {
        let s = sample();
        let files = s.files();
        let (index, _) = SearchIndex::open(&s.index_dir()).unwrap();
        search(&index, &files, "x");
        drop(index);
        fs::write(s.index_dir().join("meta.json"), b"{ not json").unwrap();
        let (index, message) = SearchIndex::open(&s.index_dir()).unwrap();
        let message = message.expect("a message");
        assert!(message.contains("being built again"), "{message}");
        assert!(index.is_empty());
        // Searching still works, and builds it again.
        assert_eq!(search(&index, &files, "minister").0, [(0, 1)]);
        assert_eq!(index.len(), 3);

        // Segment files cut short: the index opens, or is rebuilt, and never panics.
        drop(index);
        for entry in fs::read_dir(s.index_dir()).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e != "json" && e != "lock") {
                fs::write(&path, b"x").unwrap();
            }
        }
        let (index, message) = SearchIndex::open(&s.index_dir()).unwrap();
        let (hits, notices) = search(&index, &files, "minister");
        assert_eq!(hits, [(0, 1)]);
        assert!(message.is_some() || !notices.is_empty(), "said nothing");
        assert_eq!(search(&index, &files, "minister").0, [(0, 1)]);
    }

    #[test]
    fn a_folder_that_was_never_an_index_is_left_alone() {
        let s = Scratch::new();
        fs::create_dir_all(s.index_dir()).unwrap();
        fs::write(s.index_dir().join("notes.txt"), "mine").unwrap();
        let e = SearchIndex::open(&s.index_dir()).unwrap_err();
        assert!(e.contains("holds other files"), "{e}");
        assert_eq!(
            fs::read_to_string(s.index_dir().join("notes.txt")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn a_search_stops_at_its_limit_and_when_cancelled() {
        let s = Scratch::new();
        for i in 0..20 {
            s.write(&format!("{i:02}.txt"), "Title\n\nword word word\n");
        }
        let files = s.files();
        let hits_in = |i: usize, _: &Article| vec![i; 3];
        let count = AtomicUsize::new(0);
        let found = |h: Vec<usize>| {
            count.fetch_add(h.len(), Ordering::Relaxed);
            true
        };
        let notice = |_: String| {};
        let cancel = AtomicBool::new(false);
        let search = Search::new(&hits_in, &found, &notice, &[], &cancel, 10);
        search_without_index(&files, "word", &search);
        assert_eq!(count.load(Ordering::Relaxed), 10);

        let count = AtomicUsize::new(0);
        let found = |h: Vec<usize>| {
            count.fetch_add(h.len(), Ordering::Relaxed);
            false
        };
        let search = Search::new(&hits_in, &found, &notice, &[], &cancel, 1000);
        search_without_index(&files, "word", &search);
        // Nobody wanted more after the first file (each thread may have had one in hand).
        assert!(count.load(Ordering::Relaxed) <= 3 * 2, "{count:?}");
        assert!(cancel.load(Ordering::Relaxed));
    }
}
