//! What folio remembers between runs: reading position per article (by paragraph, so it
//! survives a change of width), the last open article, read marks and bookmarks.
//!
//! Writes are atomic: the state goes to a temporary file in the same folder, is synced, then
//! renamed over the old one, so a crash mid-write leaves the previous state intact. A state file
//! that cannot be read is set aside (renamed with a timestamp), reported once, and replaced.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

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
    pub version: u32,
    pub last_open: Option<String>,
    pub articles: BTreeMap<String, ArticleState>,
}

const VERSION: u32 = 1;

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

/// The state, and where it is kept (nowhere, for a served session or `--no-state`).
#[derive(Debug, Default)]
pub struct Store {
    path: Option<PathBuf>,
    pub state: State,
    saved: State,
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

impl Store {
    /// A store that remembers only for this run.
    pub fn in_memory() -> Store {
        Store::default()
    }

    /// Open the state at `path`. Returns a message to show once when the file was unreadable
    /// and had to be set aside.
    pub fn open(path: PathBuf) -> (Store, Option<String>) {
        let (state, warning) = match fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<State>(&bytes) {
                Ok(state) => (state, None),
                Err(e) => {
                    let aside = set_aside(&path);
                    let msg = match aside {
                        Ok(aside) => format!(
                            "Reading state was unreadable ({e}); kept it as {} and started afresh",
                            aside.display()
                        ),
                        Err(err) => format!(
                            "Reading state was unreadable ({e}) and could not be set aside ({err}); started afresh"
                        ),
                    };
                    (State::default(), Some(msg))
                }
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => (State::default(), None),
            Err(e) => (
                State::default(),
                Some(format!(
                    "Cannot read {}: {e}; positions will not be kept",
                    path.display()
                )),
            ),
        };
        let store = Store {
            path: Some(path),
            saved: state.clone(),
            state,
        };
        (store, warning)
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

    /// Write the state if it changed since the last save. Atomic: temp file, sync, rename.
    pub fn save(&mut self) -> io::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        if self.state == self.saved && path.exists() {
            return Ok(());
        }
        self.state.version = VERSION;
        let json = serde_json::to_vec_pretty(&self.state).map_err(io::Error::other)?;
        write_atomic(path, &json)?;
        self.saved = self.state.clone();
        Ok(())
    }
}

/// Write `bytes` to `path` so that a reader sees either the old file or the whole new one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("state");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        // Make the rename itself durable where the platform allows.
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Rename an unreadable state file out of the way, with a timestamp.
fn set_aside(path: &Path) -> io::Result<PathBuf> {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("state.json");
    let aside = path.with_file_name(format!("{name}.corrupt-{stamp}"));
    fs::rename(path, &aside)?;
    Ok(aside)
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
