//! Watching the folders being read, for the terminal front end: a file added, changed or
//! removed there reaches the reader as a [`LibraryChange`] without a restart.
//!
//! The folders watched are those of the library's article files (not their subfolders); a
//! folder only holding files named one by one on the command line is watched for changes to
//! those files, not for new ones. The system's events (inotify on Linux, through `notify`) go
//! to a thread that waits for a quiet moment ([`QUIET`], at most [`MOST_WAIT`] in all), looks
//! at each file named once however many events named it, reads the new and changed ones as the
//! loader reads them (a stub of each is kept: the text is read again when shown), and posts
//! one change: a burst of ten thousand events is one update. Past [`MOST_PENDING`] files, or
//! when the system says events were lost, the folders are listed again instead. Nothing is
//! watched for the built-in seeds.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use crate::app::{Done, LibraryChange, Live};
use crate::library::{Article, FillPlan, Library, Origin, is_article_name, load_paths};
use crate::term::Input;
use crate::work::Poster;

/// Events are gathered until none has come for this long…
pub const QUIET: Duration = Duration::from_millis(250);
/// …or for this long since the first, so a folder written to without pause still updates.
pub const MOST_WAIT: Duration = Duration::from_secs(2);
/// Files remembered from one batch of events; past this the folders are listed again.
pub const MOST_PENDING: usize = 100_000;

/// Watching, until dropped.
pub struct Watching {
    _watcher: Option<notify::RecommendedWatcher>,
}

/// The key an article of file `path` has: its folder as the system resolves it, and its name
/// (as the loader makes keys for a folder's files).
pub fn key_of(path: &Path, folders: &mut HashMap<PathBuf, PathBuf>) -> Option<String> {
    let dir = path.parent()?;
    let name = path.file_name()?;
    let resolved = folders
        .entry(dir.to_path_buf())
        .or_insert_with(|| std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()));
    Some(resolved.join(name).display().to_string())
}

/// Read the file at `path` as the loader does and keep what the list shows (a stub), under
/// `key`; `None` when it cannot be read (gone again, or not readable).
pub fn read_stub(path: &Path, key: String) -> Option<Article> {
    let mut library = load_paths(&[path.to_path_buf()]).ok()?;
    let mut article = library.articles.pop()?;
    article.unload();
    article.key = key;
    Some(article)
}

/// What the watching thread knows.
struct Known {
    /// Keys of the articles read.
    keys: HashSet<String>,
    /// Folders whose new files join the library (as given, and as resolved).
    open: HashSet<PathBuf>,
    /// Folders as the events name them, and as the system resolves them.
    resolved: HashMap<PathBuf, PathBuf>,
}

/// Watch the folders of `library`'s files; `lone` are the files named one by one (their
/// folders' other files are none of the reader's business). What changes goes to `post`.
///
/// `plan`, the library's fill, names files whose stubs may not be built yet: they are known too.
pub fn watch(
    library: &Library,
    lone: &[PathBuf],
    plan: Option<FillPlan>,
    post: Poster,
) -> Result<Watching, String> {
    let lone: HashSet<PathBuf> = lone
        .iter()
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
        .collect();
    // This runs before the first frame: per article only a look at its folder, which is the
    // last one's in a folder's run of articles, and a copy of its key. The key set is built
    // on the watching thread.
    let mut keys: Vec<String> = Vec::with_capacity(library.articles.len());
    let mut open: HashSet<PathBuf> = HashSet::new();
    let mut folders: Vec<PathBuf> = Vec::new();
    let mut last: Option<(&Path, bool)> = None;
    for article in &library.articles {
        let Origin::File(path) = &article.origin else {
            continue;
        };
        let Some(dir) = path.parent() else {
            continue;
        };
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        keys.push(article.key.clone());
        let lone_file = !lone.is_empty() && lone.contains(Path::new(&article.key));
        if last.is_some_and(|(d, l)| d.as_os_str() == dir.as_os_str() && (l || lone_file)) {
            continue;
        }
        last = Some((dir, !lone_file));
        if !folders.iter().any(|f| f == dir) {
            folders.push(dir.to_path_buf());
        }
        if !lone_file {
            open.insert(dir.to_path_buf());
        }
    }
    if folders.is_empty() {
        // The seeds: nothing on disk to watch.
        return Ok(Watching { _watcher: None });
    }
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })
    .map_err(|e| format!("Cannot watch the folders for changes: {e}"))?;
    for folder in &folders {
        watcher
            .watch(folder, RecursiveMode::NonRecursive)
            .map_err(|e| format!("Cannot watch {} for changes: {e}", folder.display()))?;
    }
    std::thread::Builder::new()
        .name("folio-watch".into())
        .spawn(move || {
            let mut keys: HashSet<String> = keys.into_iter().collect();
            if let Some(plan) = plan {
                keys.extend(plan.keys());
            }
            let known = Known {
                keys,
                open,
                resolved: HashMap::new(),
            };
            gather(rx, known, folders, post)
        })
        .map_err(|e| format!("Cannot watch the folders for changes: {e}"))?;
    Ok(Watching {
        _watcher: Some(watcher),
    })
}

/// Gather events into batches and post what each changed, until the watcher or the loop goes.
fn gather(
    rx: mpsc::Receiver<notify::Result<notify::Event>>,
    mut known: Known,
    folders: Vec<PathBuf>,
    post: Poster,
) {
    loop {
        let Ok(first) = rx.recv() else {
            return;
        };
        let mut pending: HashSet<PathBuf> = HashSet::new();
        let mut rescan = false;
        let mut take = |event: notify::Result<notify::Event>| match event {
            Ok(event) => {
                if event.need_rescan() {
                    rescan = true;
                }
                // A file read, or its mode or times changed: its text is as it was.
                if matches!(
                    event.kind,
                    EventKind::Access(_)
                        | EventKind::Modify(notify::event::ModifyKind::Metadata(_))
                ) {
                    return;
                }
                for path in event.paths {
                    if pending.len() >= MOST_PENDING {
                        rescan = true;
                        return;
                    }
                    pending.insert(path);
                }
            }
            // The system dropped events (its queue overflowed): look again.
            Err(_) => rescan = true,
        };
        take(first);
        let start = Instant::now();
        loop {
            let left = MOST_WAIT.saturating_sub(start.elapsed());
            if left.is_zero() {
                break;
            }
            match rx.recv_timeout(QUIET.min(left)) {
                Ok(event) => take(event),
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
        if rescan {
            pending = relisted(&folders, &known);
        }
        let change = look_at(pending, &mut known, rescan);
        if !change.is_empty() && !post(Input::Done(Done::Live(Live::Changed(change)))) {
            return;
        }
    }
}

/// Every article file of the folders, and every file known: what a rescan looks at.
fn relisted(folders: &[PathBuf], known: &Known) -> HashSet<PathBuf> {
    let mut paths: HashSet<PathBuf> = known.keys.iter().map(PathBuf::from).collect();
    for folder in folders.iter().filter(|f| known.open.contains(*f)) {
        if let Ok(entries) = std::fs::read_dir(folder) {
            paths.extend(entries.flatten().map(|e| e.path()));
        }
    }
    paths
}

/// What became of each of `paths`: read the new and changed article files, name the gone. A
/// rescan (events were lost) cannot tell a changed file: it finds the new and the gone only.
fn look_at(paths: HashSet<PathBuf>, known: &mut Known, rescan: bool) -> LibraryChange {
    let mut change = LibraryChange::default();
    let mut paths: Vec<PathBuf> = paths.into_iter().collect();
    paths.sort();
    for path in paths {
        let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        if !is_article_name(&name) {
            continue;
        }
        let Some(key) = key_of(&path, &mut known.resolved) else {
            continue;
        };
        let is_known = known.keys.contains(&key);
        if path.is_file() {
            let open = path.parent().is_some_and(|d| known.open.contains(d));
            if (!is_known && !open) || (is_known && rescan) {
                continue;
            }
            if let Some(article) = read_stub(&path, key.clone()) {
                if is_known {
                    change.changed.push(article);
                } else {
                    known.keys.insert(key);
                    change.added.push(article);
                }
            }
        } else if is_known && !Path::new(&key).exists() {
            known.keys.remove(&key);
            change.removed.push(key);
        }
    }
    change
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// Changes posted by a watcher, for a test to read.
    fn recorder() -> (Poster, Arc<Mutex<Vec<LibraryChange>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let into = seen.clone();
        let post: Poster = Arc::new(move |input| {
            if let Input::Done(Done::Live(Live::Changed(change))) = input {
                into.lock().unwrap().push(change);
            }
            true
        });
        (post, seen)
    }

    fn wait(seen: &Mutex<Vec<LibraryChange>>, what: &str, ok: impl Fn(&[LibraryChange]) -> bool) {
        let start = Instant::now();
        while !ok(&seen.lock().unwrap()) {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "waited for {what}: {:?}",
                seen.lock()
                    .unwrap()
                    .iter()
                    .map(LibraryChange::len)
                    .collect::<Vec<_>>()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn a_burst_of_ten_thousand_files_is_one_update_or_very_few() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("news");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("a.txt"), "First\n\nBody.\n").unwrap();
        let library = load_paths(std::slice::from_ref(&dir)).unwrap();
        let (post, seen) = recorder();
        let _watching = watch(&library, &[], None, post).unwrap();
        for i in 0..10_000 {
            std::fs::write(dir.join(format!("n{i:05}.txt")), "New\n\nBody.\n").unwrap();
        }
        // Hidden and other files are none of the reader's business.
        std::fs::write(dir.join(".n.txt.swp"), "x").unwrap();
        std::fs::write(dir.join("notes.json"), "{}").unwrap();
        wait(&seen, "every new file", |c| {
            c.iter().map(|c| c.added.len()).sum::<usize>() == 10_000
        });
        let changes = seen.lock().unwrap();
        // One update, unless the writing itself outlasted a batch (a busy machine): bounded
        // by the time taken, never by the number of events.
        assert!(changes.len() <= 4, "{} updates", changes.len());
        let mut keys: Vec<&str> = changes
            .iter()
            .flat_map(|c| c.added.iter().map(|a| a.key.as_str()))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 10_000);
        assert!(changes.iter().all(|c| c.removed.is_empty()));
        assert!(
            changes
                .iter()
                .flat_map(|c| &c.added)
                .all(|a| !a.is_loaded())
        );
    }

    #[test]
    fn changed_and_removed_files_are_named_and_lone_files_folders_take_no_new_ones() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("news");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("a.txt"), "First\n\nBody.\n").unwrap();
        std::fs::write(dir.join("b.txt"), "Second\n\nBody.\n").unwrap();
        let lone = dir.join("a.txt");
        let library = load_paths(std::slice::from_ref(&lone)).unwrap();
        let (post, seen) = recorder();
        let _watching = watch(&library, std::slice::from_ref(&lone), None, post).unwrap();
        std::fs::write(dir.join("c.txt"), "Third\n\nBody.\n").unwrap();
        std::fs::write(&lone, "First, again\n\nA new body.\n").unwrap();
        wait(&seen, "the change", |c| {
            c.iter().any(|c| !c.changed.is_empty())
        });
        std::fs::remove_file(&lone).unwrap();
        wait(&seen, "the removal", |c| {
            c.iter().any(|c| !c.removed.is_empty())
        });
        let changes = seen.lock().unwrap();
        assert!(changes.iter().all(|c| c.added.is_empty()), "{changes:?}");
        let key = std::fs::canonicalize(&dir)
            .unwrap()
            .join("a.txt")
            .display()
            .to_string();
        let changed: Vec<&Article> = changes.iter().flat_map(|c| &c.changed).collect();
        assert!(changed.iter().all(|a| a.key == key));
        // Read again: what the list shows is the new text's.
        assert_ne!(changed.last().unwrap().title, library.articles[0].title);
        assert_eq!(changed.last().unwrap().words, 5);
        let removed: Vec<&String> = changes.iter().flat_map(|c| &c.removed).collect();
        assert_eq!(removed, [&key]);
    }
}
