//! Forgetting what no longer matters, when the journal is folded into a new snapshot.
//!
//! - An article whose file is gone is remembered with when it was first seen missing and
//!   forgotten [`MISSING_GRACE`] later, unless its file came back meanwhile (renamed back,
//!   restored from a backup).
//! - An article whose file *and folder* are gone (an unplugged drive, a share not mounted)
//!   keeps its bookmarks: it is not counted as missing while its folder is away. Without
//!   bookmarks there is little to lose, so it counts as missing.
//! - Seeds (`seed:NAME`) always exist; keys that are not absolute paths are not files folio
//!   named, and are kept.
//! - At most [`MAX_ARTICLES`] articles are kept: past that, the articles without bookmarks
//!   that were changed longest ago are forgotten first. Articles with bookmarks are never
//!   forgotten for the cap, so it yields to them: a bookmark of an article that still exists
//!   is never lost. An article with only a position and a read mark takes about 150 bytes, so
//!   the cap keeps such entries to some 15 MB.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use super::Entry;

/// How long an article whose file is gone is remembered.
pub const MISSING_GRACE: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// How many articles are remembered, bookmarked ones aside (see the module).
pub const MAX_ARTICLES: usize = 100_000;

/// Whether an article's file can be found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Presence {
    Here,
    /// The file is gone from a folder that is there.
    Missing,
    /// The file cannot be looked at: its folder is gone too, or it cannot be read.
    Unreachable,
}

/// Look for an article's file by its key.
pub(super) fn presence(key: &str) -> Presence {
    if key.starts_with("seed:") {
        return Presence::Here;
    }
    let path = Path::new(key);
    if !path.is_absolute() {
        return Presence::Here;
    }
    match path.try_exists() {
        Ok(true) => Presence::Here,
        Err(_) => Presence::Unreachable,
        Ok(false) => match path.parent().map(Path::try_exists) {
            Some(Ok(true)) => Presence::Missing,
            _ => Presence::Unreachable,
        },
    }
}

/// Note missing articles, forget those missing past the grace and those past the cap.
/// `now` is in seconds since 1970. Returns the keys forgotten, with what was remembered.
pub(super) fn prune(
    articles: &mut BTreeMap<String, Entry>,
    now: u64,
    cap: usize,
    presence: impl Fn(&str) -> Presence,
) -> Vec<(String, Entry)> {
    let grace = MISSING_GRACE.as_secs();
    let mut gone = Vec::new();
    articles.retain(|key, entry| {
        let bookmarked = !entry.article.bookmarks.is_empty();
        match presence(key) {
            Presence::Here => entry.missing_since = None,
            Presence::Unreachable if bookmarked => {}
            Presence::Missing | Presence::Unreachable => {
                let since = *entry.missing_since.get_or_insert(now);
                if now.saturating_sub(since) >= grace {
                    gone.push((key.clone(), entry.clone()));
                    return false;
                }
            }
        }
        true
    });
    if articles.len() > cap {
        let mut oldest: Vec<(u64, String)> = articles
            .iter()
            .filter(|(_, e)| e.article.bookmarks.is_empty())
            .map(|(k, e)| (e.changed, k.clone()))
            .collect();
        oldest.sort_unstable();
        let excess = articles.len() - cap;
        for (_, key) in oldest.into_iter().take(excess) {
            if let Some(entry) = articles.remove(&key) {
                gone.push((key, entry));
            }
        }
    }
    gone
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ArticleState, Bookmark, Position};

    const DAY: u64 = 24 * 60 * 60;

    fn entry(changed: u64, bookmarked: bool, missing_since: Option<u64>) -> Entry {
        Entry {
            article: ArticleState {
                position: Some(Position { para: 1, byte: 0 }),
                read: true,
                bookmarks: if bookmarked {
                    vec![Bookmark {
                        position: Position::default(),
                        excerpt: "kept".into(),
                    }]
                } else {
                    Vec::new()
                },
            },
            changed,
            missing_since,
            own: None,
        }
    }

    fn by_name(key: &str) -> Presence {
        if key.contains("missing") {
            Presence::Missing
        } else if key.contains("unplugged") {
            Presence::Unreachable
        } else {
            Presence::Here
        }
    }

    #[test]
    fn a_missing_article_is_noted_then_forgotten_after_the_grace() {
        let now = 100 * DAY;
        let mut articles = BTreeMap::from([
            ("/a/here".to_string(), entry(1, false, Some(now - 90 * DAY))),
            ("/a/missing-new".to_string(), entry(1, true, None)),
            (
                "/a/missing-recent".to_string(),
                entry(1, true, Some(now - 29 * DAY)),
            ),
            (
                "/a/missing-long".to_string(),
                entry(1, true, Some(now - 30 * DAY)),
            ),
            ("seed:000.txt".to_string(), entry(1, false, None)),
        ]);
        let gone = prune(&mut articles, now, 100, by_name);
        let gone: Vec<&str> = gone.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(gone, ["/a/missing-long"]);
        assert_eq!(articles["/a/here"].missing_since, None, "it came back");
        assert_eq!(articles["/a/missing-new"].missing_since, Some(now));
        assert_eq!(
            articles["/a/missing-recent"].missing_since,
            Some(now - 29 * DAY)
        );
        assert!(articles.contains_key("seed:000.txt"));
    }

    #[test]
    fn an_unreachable_folder_keeps_bookmarks_but_not_bare_positions() {
        let now = 100 * DAY;
        let mut articles = BTreeMap::from([
            (
                "/m/unplugged-1".to_string(),
                entry(1, true, Some(now - 60 * DAY)),
            ),
            (
                "/m/unplugged-2".to_string(),
                entry(1, false, Some(now - 60 * DAY)),
            ),
        ]);
        let gone = prune(&mut articles, now, 100, by_name);
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].0, "/m/unplugged-2");
        assert!(articles.contains_key("/m/unplugged-1"));
    }

    #[test]
    fn past_the_cap_the_oldest_unbookmarked_go_first_and_bookmarks_never() {
        let now = 100 * DAY;
        let mut articles = BTreeMap::new();
        for i in 0..6u64 {
            articles.insert(format!("/a/{i}"), entry(10 + i, i % 2 == 0, None));
        }
        // Six articles, a cap of two: the three without bookmarks go, oldest first, and the
        // three with bookmarks stay although that is over the cap.
        let gone = prune(&mut articles, now, 2, by_name);
        let gone: Vec<&str> = gone.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(gone, ["/a/1", "/a/3", "/a/5"]);
        assert_eq!(articles.len(), 3);
        assert!(articles.values().all(|e| !e.article.bookmarks.is_empty()));
        // With room for four, only the oldest unbookmarked one goes.
        let mut articles = BTreeMap::new();
        for i in 0..6u64 {
            articles.insert(format!("/a/{i}"), entry(10 + i, i % 2 == 0, None));
        }
        let gone = prune(&mut articles, now, 4, by_name);
        let gone: Vec<&str> = gone.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(gone, ["/a/1", "/a/3"]);
    }

    #[test]
    fn presence_looks_at_the_file_and_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        std::fs::write(&file, "x").unwrap();
        assert_eq!(presence(file.to_str().unwrap()), Presence::Here);
        let gone = dir.path().join("b.txt");
        assert_eq!(presence(gone.to_str().unwrap()), Presence::Missing);
        let away = dir.path().join("drive/b.txt");
        assert_eq!(presence(away.to_str().unwrap()), Presence::Unreachable);
        assert_eq!(presence("seed:000.txt"), Presence::Here);
        assert_eq!(presence("relative/name"), Presence::Here);
    }
}
