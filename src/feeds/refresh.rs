//! Fetching while folio runs: the reader's fetch key (work off the loop, [`fetch_for_reader`])
//! and `folio serve --refresh` ([`Refresh`]). Both fetch with [`fetch_all`]; then the feeds'
//! folders are read again through the loader, so new items join the library as any file does.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use super::Feed;
use super::fetch::{Limits, Outcome, fetch_all};
use super::store::feeds_dir;
use crate::app::{LibraryChange, Live};
use crate::library::{self, Library, LoadError, is_article_name};
use crate::text::sanitize::printable;
use crate::watch::{key_of, read_stub};

/// What went wrong with one feed's fetch, one printable line each (nothing when it went well).
pub fn failures(outcome: &Outcome) -> Vec<String> {
    match &outcome.result {
        Ok(report) => report
            .page_failures
            .iter()
            .map(|p| printable(&format!("{}: kept the summary: {p}", outcome.name)))
            .collect(),
        Err(e) => vec![printable(&format!("{}: {}", outcome.name, e.message))],
    }
}

/// The article files of `folder`, sorted by name.
fn article_files(folder: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| is_article_name(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// The keys of `library`'s articles.
pub fn keys(library: &Library) -> HashSet<String> {
    library.articles.iter().map(|a| a.key.clone()).collect()
}

/// The items of `folders` whose keys are not `known`, read as the loader reads them (stubs).
pub fn new_items(folders: &[PathBuf], known: &HashSet<String>) -> LibraryChange {
    let mut resolved = std::collections::HashMap::new();
    let mut change = LibraryChange::default();
    for folder in folders {
        for path in article_files(folder) {
            let Some(key) = key_of(&path, &mut resolved) else {
                continue;
            };
            if !known.contains(&key)
                && let Some(article) = read_stub(&path, key)
            {
                change.added.push(article);
            }
        }
    }
    change
}

/// The fetch key's work: fetch `feeds` into folio's data folder, posting each feed's end as
/// [`Live::Fetching`], then the items whose keys are not `known` (the library's, [`keys`]) as
/// [`Live::Changed`], then [`Live::Fetched`]. `post` says `false` once the reader has gone.
pub fn fetch_for_reader(
    feeds: &[Feed],
    known: &HashSet<String>,
    root: Option<PathBuf>,
    limits: &Limits,
    post: &(dyn Fn(Live) -> bool + Sync),
) {
    let total = feeds.len();
    let Some(root) = root.or_else(feeds_dir) else {
        post(Live::Fetching {
            done: total,
            total,
            failures: vec!["No data folder to keep feeds in".into()],
        });
        post(Live::Fetched {
            feeds: total,
            new_items: 0,
            failed: total,
        });
        return;
    };
    let done = AtomicUsize::new(0);
    let outcomes = fetch_all(feeds, &root, limits, &|outcome| {
        let done = done.fetch_add(1, Ordering::SeqCst) + 1;
        post(Live::Fetching {
            done,
            total,
            failures: failures(outcome),
        });
    });
    let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
    let folders: Vec<PathBuf> = outcomes.iter().map(|o| o.folder.clone()).collect();
    let mut change = new_items(&folders, known);
    change.feeds = outcomes
        .iter()
        .map(|o| (o.folder.clone(), o.url.clone()))
        .collect();
    let new_items = change.added.len();
    if !change.is_empty() && !post(Live::Changed(change)) {
        return;
    }
    post(Live::Fetched {
        feeds: total,
        new_items,
        failed,
    });
}

/// The folders of `feeds` under `root` that hold items.
pub fn feed_folders(feeds: &[Feed], root: &Path) -> Vec<PathBuf> {
    super::folders(feeds)
        .into_iter()
        .map(|name| root.join(name))
        .filter(|folder| !article_files(folder).is_empty())
        .collect()
}

/// What `folio serve --refresh` serves: `paths` and the folders of the feeds that hold items
/// (the built-in seeds when there is none of either), through the loader.
pub fn served_library(paths: &[PathBuf], feed_folders: &[PathBuf]) -> Result<Library, LoadError> {
    let mut all: Vec<PathBuf> = paths.to_vec();
    for folder in feed_folders {
        let same =
            |p: &PathBuf| std::fs::canonicalize(p).ok() == std::fs::canonicalize(folder).ok();
        if !paths.iter().any(same) {
            all.push(folder.clone());
        }
    }
    if all.is_empty() {
        Ok(library::load_seeds())
    } else {
        library::load_paths(&all)
    }
}

/// Parse a refresh interval: a whole number and a unit, `90s`, `30m` or `2h`, at least a
/// second and at most a week.
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    let bad = || {
        format!(
            "'{}': expected a number and s, m or h, such as 30m",
            printable(text)
        )
    };
    let unit = text.chars().last().ok_or_else(bad)?;
    let number = &text[..text.len() - unit.len_utf8()];
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let n: u64 = number.parse().map_err(|_| bad())?;
    let secs = match unit {
        's' => Some(n),
        'm' => n.checked_mul(60),
        'h' => n.checked_mul(3600),
        _ => return Err(bad()),
    };
    match secs {
        Some(s) if (1..=7 * 24 * 3600).contains(&s) => Ok(Duration::from_secs(s)),
        _ => Err(format!(
            "'{}': the interval must be from 1s to 168h",
            printable(text)
        )),
    }
}

/// `folio serve --refresh`: a thread that fetches every interval and hands the new library to
/// `publish`. Told to stop when dropped: a wait ends at once; a fetch under way (bounded by its
/// timeouts) is not waited for, and hands nothing round after it.
pub struct Refresh {
    stop: Arc<(Mutex<bool>, Condvar)>,
}

impl Refresh {
    /// Every `interval`: fetch `feeds` into `root`, build the library `load` gives, and
    /// `publish` it; `say` hears how each round went, one printable line.
    pub fn start(
        interval: Duration,
        feeds: Vec<Feed>,
        root: PathBuf,
        limits: Limits,
        load: impl Fn() -> Result<Library, LoadError> + Send + 'static,
        publish: impl Fn(Arc<Library>) + Send + 'static,
        say: impl Fn(&str) + Send + 'static,
    ) -> std::io::Result<Refresh> {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let stopping = stop.clone();
        let thread = std::thread::Builder::new()
            .name("folio-refresh".into())
            .spawn(move || {
                loop {
                    let (lock, wake) = &*stopping;
                    let stopped = lock.lock().unwrap_or_else(|e| e.into_inner());
                    let (stopped, _) = wake
                        .wait_timeout_while(stopped, interval, |s| !*s)
                        .unwrap_or_else(|e| e.into_inner());
                    if *stopped {
                        return;
                    }
                    drop(stopped);
                    let outcomes = fetch_all(&feeds, &root, &limits, &|_| {});
                    for outcome in &outcomes {
                        for failure in failures(outcome) {
                            say(&failure);
                        }
                    }
                    let new: usize = outcomes
                        .iter()
                        .filter_map(|o| o.result.as_ref().ok())
                        .map(|r| r.new_items)
                        .sum();
                    if *lock.lock().unwrap_or_else(|e| e.into_inner()) {
                        return;
                    }
                    match load() {
                        Ok(library) => {
                            let count = |n: usize, one: &str, many: &str| match n {
                                1 => format!("1 {one}"),
                                n => format!("{n} {many}"),
                            };
                            say(&format!(
                                "refreshed {}: {}, {} served",
                                count(outcomes.len(), "feed", "feeds"),
                                count(new, "new item", "new items"),
                                count(library.articles.len(), "article", "articles"),
                            ));
                            publish(Arc::new(library));
                        }
                        Err(e) => say(&format!("refresh: {e}")),
                    }
                }
            })?;
        drop(thread);
        Ok(Refresh { stop })
    }
}

impl Drop for Refresh {
    fn drop(&mut self) {
        let (lock, wake) = &*self.stop;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = true;
        wake.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_are_parsed_strictly() {
        assert_eq!(parse_interval("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_interval("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_interval("2h"), Ok(Duration::from_secs(7200)));
        for bad in [
            "",
            "m",
            "30",
            "30 m",
            " 30m",
            "30M",
            "-5m",
            "1.5h",
            "0s",
            "30d",
            "99999999999999999999h",
            "169h",
            "٣٠m",
            "30mm",
        ] {
            assert!(parse_interval(bad).is_err(), "{bad:?}");
        }
    }
}
