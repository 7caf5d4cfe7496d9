//! What folio remembers between runs: reading position per article (by paragraph, so it
//! survives a change of width), the last open article, read marks and bookmarks.
//!
//! Several folios may read at once, in two terminals, say. Each keeps the state as it last
//! read or wrote it (the base) beside the state its reader changes. A save locks the state,
//! catches up with what the others wrote since, lays only this reader's own changes over that
//! (a three-way merge per article, see [`merge`]) and adopts the result, so no reader loses
//! another's read marks, bookmarks or bookmark deletions, and each then sees the others'.
//!
//! On disk ([`file`] gives the formats) the state is a snapshot, `state.json`, and an
//! append-only journal beside it of one line per save holding the articles that save
//! changed; so a save writes and syncs what changed, not the whole state. The journal is
//! folded into a new snapshot once it outgrows a quarter of the snapshot, and that is when
//! articles whose files are gone, and entries past the cap, are forgotten ([`prune`]). Whole
//! files are written atomically (temp file, sync, rename) and a journal line torn by a killed
//! writer is ignored, so a crash loses at most the save it interrupted. A state file that
//! cannot be read is set aside (renamed with a timestamp), reported once, and replaced; one
//! written by a newer folio is left alone.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

mod file;
mod merge;
mod prune;

pub use file::write_atomic;
pub use prune::{MAX_ARTICLES, MISSING_GRACE};

use file::{LoadError, Lock, Mark, Paths, Since};
use merge::Change;

/// Where in an article: a paragraph and a byte in its text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub para: usize,
    pub byte: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bookmark {
    pub position: Position,
    /// A few words from where the bookmark was set, to recognise it by.
    pub excerpt: String,
}

/// What is remembered of one article.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArticleState {
    pub position: Option<Position>,
    pub read: bool,
    pub bookmarks: Vec<Bookmark>,
}

/// Everything remembered, keyed by article (see [`article_key`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    /// The format the state was read in (0: there was none); the current one once saved.
    pub version: u32,
    pub last_open: Option<String>,
    pub articles: BTreeMap<String, ArticleState>,
}

/// The journal is folded into a new snapshot once it is longer than this share of the
/// snapshot (and than [`COMPACT_AT_LEAST`]): reading the state at open then costs at most a
/// quarter more than the snapshot alone, and the whole rewrite comes once every many saves.
const COMPACT_SHARE: u64 = 4;
const COMPACT_AT_LEAST: u64 = 64 * 1024;

/// The key an article is remembered by: `seed:NAME` for built-in seeds, the absolute path for files.
pub fn article_key(file: Option<&Path>, file_name: &str) -> String {
    match file {
        Some(path) => fs::canonicalize(path)
            .unwrap_or_else(|_| path.to_path_buf())
            .display()
            .to_string(),
        None => format!("seed:{file_name}"),
    }
}

/// Where the state lives by default: the XDG state folder (or the local data folder elsewhere).
pub fn default_state_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "folio")?;
    let dir = dirs
        .state_dir()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dirs.data_local_dir().to_path_buf());
    Some(dir.join("state.json"))
}

/// One article as last read from or written to disk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Entry {
    article: ArticleState,
    /// When a reader last changed it, in seconds since 1970 (0: before folio noted it).
    changed: u64,
    /// Since when its file has been seen missing.
    missing_since: Option<u64>,
    /// The position this reader itself last gave it (see [`merge::diff`]); not stored.
    own: Option<Position>,
}

impl Entry {
    /// Whether two entries are stored alike (what this reader said aside).
    fn same_on_disk(&self, other: &Entry) -> bool {
        self.article == other.article
            && self.changed == other.changed
            && self.missing_since == other.missing_since
    }
}

/// The state as last read from or written to disk.
#[derive(Debug, Default)]
struct Synced {
    last_open: Option<String>,
    articles: BTreeMap<String, Entry>,
}

/// This reader's changes since it last synced.
#[derive(Default)]
struct Pending {
    changes: Vec<(String, Change)>,
    /// Articles whose state differs from the base in nothing that is a change (a restated
    /// position, an empty entry): they take the synced value after the save.
    restated: Vec<String>,
    last_open: bool,
}

/// What others wrote since this reader last synced.
struct Theirs {
    /// Articles they changed, as they are now (`None`: forgotten).
    articles: BTreeMap<String, Option<Entry>>,
    last_open: Option<String>,
    mark: Mark,
    /// The files were unreadable and set aside: there is nothing on disk to go back to.
    set_aside: bool,
}

/// The base as it was before a save changed it, to put back if the save fails.
#[derive(Default)]
struct Undo {
    articles: Vec<(String, Option<Entry>)>,
    last_open: Option<Option<String>>,
    mark: Option<Mark>,
}

/// The state, and where it is kept (nowhere, for `--no-state` or a served reader without a
/// key; a served reader with one has a folder of their own, see `crate::serve::state`).
#[derive(Debug, Default)]
pub struct Store {
    path: Option<PathBuf>,
    pub state: State,
    /// The state as this reader last read or wrote it.
    base: Synced,
    /// How far it has read the files.
    mark: Mark,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Store {
    /// A store that remembers only for this run.
    pub fn in_memory() -> Store {
        Store::default()
    }

    /// Open the state at `path`. Returns a message to show once when the file was unreadable
    /// and had to be set aside, or cannot be used.
    pub fn open(path: PathBuf) -> (Store, Option<String>) {
        let paths = Paths::new(&path);
        // Read under the lock, so no save is half done; a folder that is not there yet holds
        // nothing to read, and one where the lock cannot be made is read as it is.
        let lock = paths
            .folder
            .is_dir()
            .then(|| Lock::take(&paths.lock).ok())
            .flatten();
        if lock.is_some() {
            file::remove_stale_temps(&paths, SystemTime::now());
        }
        match file::load(&paths) {
            Ok(disk) => {
                let mut store = Store {
                    path: Some(path),
                    ..Store::default()
                };
                store.adopt_disk(disk);
                (store, None)
            }
            Err(LoadError::Corrupt(e)) => {
                let stamp = now_secs();
                let msg = match file::set_aside(&paths.snapshot, stamp) {
                    Ok(aside) => format!(
                        "Reading state was unreadable ({e}); kept it as {} and started afresh",
                        aside.display()
                    ),
                    Err(err) => format!(
                        "Reading state was unreadable ({e}) and could not be set aside ({err}); started afresh"
                    ),
                };
                // The journal followed the unreadable snapshot: keep it beside it.
                if paths.journal.exists() {
                    let _ = file::set_aside(&paths.journal, stamp);
                }
                let store = Store {
                    path: Some(path),
                    ..Store::default()
                };
                (store, Some(msg))
            }
            Err(LoadError::TooNew(version)) => (
                Store::in_memory(),
                Some(format!(
                    "Reading state is in a newer format ({version}) than this folio reads; \
                     positions will not be kept this time"
                )),
            ),
            Err(LoadError::Io(e)) => (
                Store::in_memory(),
                Some(format!(
                    "Cannot read {}: {e}; positions will not be kept",
                    path.display()
                )),
            ),
        }
    }

    /// Take what was read from disk as both the state and the base.
    fn adopt_disk(&mut self, disk: file::Disk) {
        let mut articles = disk.articles;
        for entry in articles.values_mut() {
            // The reader starts from the positions it reads here.
            entry.own = entry.article.position;
        }
        self.state = State {
            version: disk.version,
            last_open: disk.last_open.clone(),
            articles: articles
                .iter()
                .map(|(k, e)| (k.clone(), e.article.clone()))
                .collect(),
        };
        self.base = Synced {
            last_open: disk.last_open,
            articles,
        };
        self.mark = disk.mark;
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn article(&self, key: &str) -> Option<&ArticleState> {
        self.state.articles.get(key)
    }

    pub fn article_mut(&mut self, key: &str) -> &mut ArticleState {
        self.state.articles.entry(key.to_string()).or_default()
    }

    /// Write what changed since the last save, merged with what other folios saved
    /// meanwhile, and take their changes in. Writes nothing when nothing changed.
    pub fn save(&mut self) -> io::Result<()> {
        self.sync(false)
    }

    /// [`Store::save`], then fold the journal into a new snapshot and forget what is no
    /// longer needed ([`prune`]). Saves do this by themselves once the journal is long.
    pub fn compact(&mut self) -> io::Result<()> {
        self.sync(true)
    }

    fn sync(&mut self, compact: bool) -> io::Result<()> {
        let Some(path) = self.path.clone() else {
            return Ok(());
        };
        let pending = self.pending();
        let nothing = pending.changes.is_empty() && !pending.last_open && !compact;
        let result = self.sync_locked(&Paths::new(&path), pending, compact);
        if nothing {
            // Nothing of this reader's was at stake: it only took in what others saved.
            return Ok(());
        }
        result
    }

    fn sync_locked(&mut self, paths: &Paths, pending: Pending, compact: bool) -> io::Result<()> {
        fs::create_dir_all(&paths.folder)?;
        let lock = Lock::take(&paths.lock)?;
        let theirs = self.catch_up(paths)?;
        let now = now_secs();
        let mut undo = Undo::default();
        let ours = self.merge(&pending, theirs, now, &mut undo);
        let nothing = ours.is_empty() && !pending.last_open && !compact;
        let must_compact = compact || self.mark.generation == 0 || self.mark.journal.is_none();
        let written = if nothing && self.mark.snapshot.is_some() {
            // Nothing to write (a state from before the journal is left as it is, too).
            Ok(Vec::new())
        } else if must_compact {
            self.write_snapshot(paths, now)
        } else {
            self.append(paths, &ours).map(|()| Vec::new())
        };
        let forgotten = match written {
            Ok(forgotten) => forgotten,
            Err(e) => {
                self.undo(undo);
                return Err(e);
            }
        };
        // The save is on disk; folding a long journal can wait for another time if it fails.
        let forgotten = if !must_compact && self.journal_is_long() {
            self.write_snapshot(paths, now).unwrap_or_default()
        } else {
            forgotten
        };
        drop(lock);
        let settled: Vec<String> = undo
            .articles
            .into_iter()
            .map(|(k, _)| k)
            .chain(forgotten)
            .chain(pending.restated)
            .collect();
        self.restate(settled.iter());
        self.state.last_open = self.base.last_open.clone();
        if !nothing {
            self.state.version = file::VERSION;
        }
        Ok(())
    }

    /// Find this reader's changes: walk the state beside the base, both in key order.
    fn pending(&mut self) -> Pending {
        let mut out = Pending {
            last_open: self.state.last_open != self.base.last_open,
            ..Pending::default()
        };
        let mut base = self.base.articles.iter_mut().peekable();
        for (key, now) in &self.state.articles {
            // Base articles before this key are gone from the state: the reader dropped them.
            let entry = loop {
                match base.peek().map(|(k, _)| k.as_str().cmp(key.as_str())) {
                    Some(Ordering::Less) => {
                        if let Some((gone, _)) = base.next() {
                            out.changes.push((gone.clone(), Change::removed()));
                        }
                    }
                    Some(Ordering::Equal) => break base.next().map(|(_, e)| e),
                    _ => break None,
                }
            };
            let Some(entry) = entry else {
                let change = merge::diff(None, None, Some(now));
                if change.is_empty() {
                    out.restated.push(key.clone());
                } else {
                    out.changes.push((key.clone(), change));
                }
                continue;
            };
            if *now == entry.article {
                if entry.own != now.position {
                    entry.own = now.position;
                }
                continue;
            }
            let change = merge::diff(Some(&entry.article), entry.own, Some(now));
            if change.is_empty() {
                // Not a change: what the reader says now is its own position.
                entry.own = now.position;
                out.restated.push(key.clone());
            } else {
                out.changes.push((key.clone(), change));
            }
        }
        for (gone, _) in base {
            out.changes.push((gone.clone(), Change::removed()));
        }
        out
    }

    /// Read what others wrote since this reader last synced. Changes nothing yet.
    fn catch_up(&self, paths: &Paths) -> io::Result<Theirs> {
        match file::read_since(paths, &self.mark) {
            Ok(Since::Lines(lines, mark)) => {
                let mut theirs = Theirs {
                    articles: BTreeMap::new(),
                    last_open: self.base.last_open.clone(),
                    mark,
                    set_aside: false,
                };
                for line in lines {
                    theirs.last_open = line.last_open;
                    for (key, record) in line.articles {
                        theirs.articles.insert(key, record.map(Entry::from));
                    }
                }
                Ok(theirs)
            }
            Ok(Since::Reload(disk)) => Ok(self.theirs_from(disk)),
            Err(LoadError::Corrupt(_)) => {
                // Another writer left something unreadable: set it aside, and write the
                // state as this reader last knew it with its changes in a new snapshot.
                let stamp = now_secs();
                let _ = file::set_aside(&paths.snapshot, stamp);
                if paths.journal.exists() {
                    let _ = file::set_aside(&paths.journal, stamp);
                }
                Ok(Theirs {
                    articles: BTreeMap::new(),
                    last_open: self.base.last_open.clone(),
                    mark: Mark::default(),
                    set_aside: true,
                })
            }
            Err(LoadError::TooNew(version)) => Err(io::Error::other(format!(
                "a newer folio rewrote the state in its format ({version})"
            ))),
            Err(LoadError::Io(e)) => Err(e),
        }
    }

    /// What differs between the base and all that is on disk now.
    fn theirs_from(&self, disk: file::Disk) -> Theirs {
        let mut articles = BTreeMap::new();
        for (key, entry) in &self.base.articles {
            if !disk.articles.contains_key(key) {
                articles.insert(key.clone(), None);
            } else if !disk.articles[key].same_on_disk(entry) {
                articles.insert(key.clone(), Some(disk.articles[key].clone()));
            }
        }
        for (key, entry) in disk.articles {
            if !self.base.articles.contains_key(&key) {
                articles.insert(key, Some(entry));
            }
        }
        Theirs {
            articles,
            last_open: disk.last_open,
            mark: disk.mark,
            set_aside: false,
        }
    }

    /// Take others' changes into the base and lay this reader's over them. Returns the
    /// articles this reader changed. `undo` records the base as it was.
    fn merge(
        &mut self,
        pending: &Pending,
        theirs: Theirs,
        now: u64,
        undo: &mut Undo,
    ) -> Vec<String> {
        let before = std::mem::replace(&mut self.mark, theirs.mark);
        undo.mark = Some(if theirs.set_aside {
            Mark::default()
        } else {
            before
        });
        undo.last_open = Some(std::mem::replace(
            &mut self.base.last_open,
            theirs.last_open,
        ));
        let others: Vec<String> = theirs.articles.keys().cloned().collect();
        for (key, entry) in theirs.articles {
            let own = self.base.articles.get(&key).and_then(|e| e.own);
            let entry = entry.map(|e| Entry { own, ..e });
            self.set(key, entry, undo);
        }
        let mut ours = Vec::with_capacity(pending.changes.len());
        for (key, change) in &pending.changes {
            let disk = self.base.articles.get(key);
            let others_changed = others.binary_search(key).is_ok();
            let merged = merge::apply(change, disk.map(|e| &e.article), others_changed);
            let entry = merged.map(|article| Entry {
                article,
                changed: now,
                missing_since: None,
                own: self.state.articles.get(key).and_then(|a| a.position),
            });
            self.set(key.clone(), entry, undo);
            ours.push(key.clone());
        }
        if pending.last_open {
            self.base.last_open = self.state.last_open.clone();
        }
        ours
    }

    fn set(&mut self, key: String, entry: Option<Entry>, undo: &mut Undo) {
        let before = match entry {
            Some(e) => self.base.articles.insert(key.clone(), e),
            None => self.base.articles.remove(&key),
        };
        undo.articles.push((key, before));
    }

    fn undo(&mut self, undo: Undo) {
        for (key, before) in undo.articles.into_iter().rev() {
            match before {
                Some(e) => self.base.articles.insert(key, e),
                None => self.base.articles.remove(&key),
            };
        }
        if let Some(last_open) = undo.last_open {
            self.base.last_open = last_open;
        }
        if let Some(mark) = undo.mark {
            self.mark = mark;
        }
    }

    /// Append one line for the articles this reader changed.
    fn append(&mut self, paths: &Paths, ours: &[String]) -> io::Result<()> {
        let end = self
            .mark
            .journal
            .ok_or_else(|| io::Error::other("no journal to append to"))?;
        let line = file::line(
            &self.base.last_open,
            ours.iter().map(|k| (k.as_str(), self.base.articles.get(k))),
        )?;
        self.mark.journal = Some(file::append(paths, end, &line)?);
        Ok(())
    }

    fn journal_is_long(&self) -> bool {
        let journal = self.mark.journal.unwrap_or(0);
        journal > COMPACT_AT_LEAST && journal > self.mark.snapshot_len() / COMPACT_SHARE
    }

    /// Write the base as a new snapshot and start a new journal, forgetting first what
    /// [`prune`] says to. Returns the keys forgotten. On failure the base is as it was.
    fn write_snapshot(&mut self, paths: &Paths, now: u64) -> io::Result<Vec<String>> {
        let forgotten = prune::prune(&mut self.base.articles, now, MAX_ARTICLES, prune::presence);
        let generation = file::next_generation(paths, self.mark.generation);
        let id = match file::write_snapshot(
            paths,
            generation,
            &self.base.last_open,
            &self.base.articles,
        ) {
            Ok(id) => id,
            Err(e) => {
                self.base.articles.extend(forgotten);
                return Err(e);
            }
        };
        // The snapshot holds everything now; if the new journal cannot be started, the old
        // one is ignored (it follows another generation) and the next save tries again.
        self.mark = Mark {
            snapshot: Some(id),
            generation,
            journal: file::reset_journal(paths, generation).ok(),
        };
        Ok(forgotten.into_iter().map(|(k, _)| k).collect())
    }

    /// Make the state of `keys` what the base says.
    fn restate<'a>(&mut self, keys: impl Iterator<Item = &'a String>) {
        for key in keys {
            match self.base.articles.get(key) {
                Some(e) => {
                    self.state.articles.insert(key.clone(), e.article.clone());
                }
                None => {
                    self.state.articles.remove(key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> State {
        let mut s = State {
            last_open: Some("seed:003.txt".into()),
            ..State::default()
        };
        s.articles.insert(
            "seed:003.txt".into(),
            ArticleState {
                position: Some(Position { para: 12, byte: 40 }),
                read: true,
                bookmarks: vec![Bookmark {
                    position: Position { para: 3, byte: 0 },
                    excerpt: "وقف جرائم".into(),
                }],
            },
        );
        s
    }

    #[test]
    fn state_round_trips_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/state.json");
        let (mut store, warning) = Store::open(path.clone());
        assert!(warning.is_none());
        assert_eq!(store.state, State::default());
        store.state = sample();
        store.save().unwrap();
        let (again, warning) = Store::open(path);
        assert!(warning.is_none());
        assert_eq!(again.state.articles, sample().articles);
        assert_eq!(again.state.last_open, sample().last_open);
    }

    #[test]
    fn a_crash_mid_write_leaves_the_old_state() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let (mut store, _) = Store::open(path.clone());
        store.state = sample();
        store.save().unwrap();
        // A writer that died after writing half of its temp file, before the rename.
        let new = serde_json::to_vec(&State::default()).unwrap();
        let tmp = dir.path().join(".state.json.99999.tmp");
        fs::write(&tmp, &new[..new.len() / 2]).unwrap();
        let (again, warning) = Store::open(path.clone());
        assert!(warning.is_none());
        assert_eq!(again.state.articles, sample().articles);
        // And a failed write (the folder is gone) leaves no stray file and reports the error.
        let missing = dir.path().join("file-not-dir");
        fs::write(&missing, b"x").unwrap();
        let err = write_atomic(&missing.join("state.json"), b"{}");
        assert!(err.is_err());
    }

    #[test]
    fn a_corrupt_file_is_set_aside_reported_once_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        fs::write(&path, b"{\"articles\": {\"x\": tru").unwrap();
        let (mut store, warning) = Store::open(path.clone());
        let warning = warning.expect("reported");
        assert!(
            warning.contains("set aside") || warning.contains("kept it as"),
            "{warning}"
        );
        assert_eq!(store.state, State::default());
        let aside: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
            .collect();
        assert_eq!(aside.len(), 1, "the bad file is kept for the user");
        store.article_mut("k").read = true;
        store.save().unwrap();
        let (_, warning) = Store::open(path);
        assert!(warning.is_none(), "reported once: the new file reads fine");
    }

    #[test]
    fn unchanged_state_is_not_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let (mut store, _) = Store::open(path.clone());
        store.article_mut("a").read = true;
        store.save().unwrap();
        let before = fs::metadata(&path).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        store.save().unwrap();
        assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), before);
    }

    #[test]
    fn seeds_and_files_have_distinct_keys() {
        assert_eq!(article_key(None, "003.txt"), "seed:003.txt");
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.txt");
        fs::write(&f, "x").unwrap();
        assert!(article_key(Some(&f), "a.txt").ends_with("a.txt"));
        assert!(!article_key(Some(&f), "a.txt").starts_with("seed:"));
    }
}
