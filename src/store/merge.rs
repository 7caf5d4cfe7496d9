//! The three-way merge of one reader's changes onto what another reader left on disk.
//!
//! A reader's change to an article is what differs between the article as that reader last
//! read or wrote it (its base) and the article now; only that is laid over the disk's version,
//! so what the other readers did to the article (bookmarks they added or deleted, a read mark)
//! survives. Bookmarks are told apart by their position, as the reader's keys do.

use super::{ArticleState, Bookmark, Position};

/// What one reader changed in one article since it last read or wrote the state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Change {
    /// The reader dropped the article altogether.
    pub removed: bool,
    pub position: Option<Option<Position>>,
    pub read: Option<bool>,
    /// Bookmarks set, or whose excerpt changed.
    pub added: Vec<Bookmark>,
    /// Positions of the bookmarks deleted.
    pub deleted: Vec<Position>,
}

impl Change {
    pub fn removed() -> Change {
        Change {
            removed: true,
            ..Change::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Change::default()
    }
}

/// Where an article opens: one with no position opens at its start.
fn place(position: Option<Position>) -> Position {
    position.unwrap_or_default()
}

/// What changed from `base` (the article as last synced; `None` if it was not there) to `now`.
///
/// `own` is the position this reader itself last gave the article. The reader restates the
/// position of every article it knows at each save, so a position is this reader's change only
/// when it moved since it last said (`own`) and the disk does not have it already (`base`):
/// otherwise a reader that never opened an article would put back the start over where another
/// reader had got to.
pub(super) fn diff(
    base: Option<&ArticleState>,
    own: Option<Position>,
    now: Option<&ArticleState>,
) -> Change {
    let Some(now) = now else {
        return if base.is_some() {
            Change::removed()
        } else {
            Change::default()
        };
    };
    let empty = ArticleState::default();
    let base = base.unwrap_or(&empty);
    if now == base {
        return Change::default();
    }
    let position = (now.position != base.position && place(now.position) != place(own))
        .then_some(now.position);
    let read = (now.read != base.read).then_some(now.read);
    let (added, deleted) = if now.bookmarks == base.bookmarks {
        (Vec::new(), Vec::new())
    } else {
        let added = now
            .bookmarks
            .iter()
            .filter(|b| !base.bookmarks.contains(b))
            .cloned()
            .collect();
        let deleted = base
            .bookmarks
            .iter()
            .map(|b| b.position)
            .filter(|p| !now.bookmarks.iter().any(|b| b.position == *p))
            .collect();
        (added, deleted)
    };
    Change {
        removed: false,
        position,
        read,
        added,
        deleted,
    }
}

/// Lay `change` over `disk`, the article as it is on disk now (`None`: not there).
/// `others_changed` says whether another reader changed the article since this one last
/// synced: a removal then yields to what they did.
pub(super) fn apply(
    change: &Change,
    disk: Option<&ArticleState>,
    others_changed: bool,
) -> Option<ArticleState> {
    if change.removed {
        return if others_changed { disk.cloned() } else { None };
    }
    let mut merged = disk.cloned().unwrap_or_default();
    if let Some(position) = change.position {
        merged.position = position;
    }
    if let Some(read) = change.read {
        merged.read = read;
    }
    merged
        .bookmarks
        .retain(|b| !change.deleted.contains(&b.position));
    for b in &change.added {
        match merged
            .bookmarks
            .iter_mut()
            .find(|x| x.position == b.position)
        {
            Some(same) => *same = b.clone(),
            None => merged.bookmarks.push(b.clone()),
        }
    }
    if !change.added.is_empty() {
        merged
            .bookmarks
            .sort_by_key(|b| (b.position.para, b.position.byte));
    }
    Some(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(para: usize) -> Position {
        Position { para, byte: 0 }
    }

    fn mark(para: usize, excerpt: &str) -> Bookmark {
        Bookmark {
            position: at(para),
            excerpt: excerpt.into(),
        }
    }

    fn article(position: Option<usize>, read: bool, marks: &[(usize, &str)]) -> ArticleState {
        ArticleState {
            position: position.map(at),
            read,
            bookmarks: marks.iter().map(|(p, e)| mark(*p, e)).collect(),
        }
    }

    #[test]
    fn an_unchanged_article_is_no_change() {
        let a = article(Some(4), true, &[(1, "one")]);
        assert!(diff(Some(&a), a.position, Some(&a)).is_empty());
        assert!(diff(None, None, None).is_empty());
        // A new, empty entry (made by asking for it) is no change either.
        assert!(diff(None, None, Some(&ArticleState::default())).is_empty());
    }

    #[test]
    fn a_bookmark_added_here_and_one_added_there_both_stay() {
        let base = article(None, false, &[]);
        let mine = article(None, false, &[(5, "mine")]);
        let disk = article(None, false, &[(2, "theirs")]);
        let change = diff(Some(&base), None, Some(&mine));
        assert_eq!(change.added, vec![mark(5, "mine")]);
        let merged = apply(&change, Some(&disk), true).unwrap();
        assert_eq!(merged.bookmarks, vec![mark(2, "theirs"), mark(5, "mine")]);
    }

    #[test]
    fn a_bookmark_deleted_here_stays_deleted_and_theirs_stays() {
        let base = article(None, false, &[(1, "old"), (3, "kept")]);
        let mine = article(None, false, &[(3, "kept")]);
        let disk = article(None, false, &[(1, "old"), (3, "kept"), (7, "new there")]);
        let change = diff(Some(&base), None, Some(&mine));
        assert_eq!(change.deleted, vec![at(1)]);
        let merged = apply(&change, Some(&disk), true).unwrap();
        assert_eq!(
            merged.bookmarks,
            vec![mark(3, "kept"), mark(7, "new there")]
        );
    }

    #[test]
    fn a_read_mark_set_elsewhere_survives_a_bookmark_here() {
        let base = article(Some(0), false, &[]);
        let mine = article(Some(0), false, &[(2, "b")]);
        let disk = article(Some(9), true, &[]);
        let merged = apply(
            &diff(Some(&base), base.position, Some(&mine)),
            Some(&disk),
            true,
        );
        assert_eq!(merged, Some(article(Some(9), true, &[(2, "b")])));
    }

    #[test]
    fn a_restated_position_is_no_change_but_a_move_is() {
        // The disk says paragraph 9 (another reader); this reader last said paragraph 2 and
        // says it again: not a change, the disk keeps 9.
        let base = article(Some(9), false, &[]);
        let now = article(Some(2), false, &[]);
        assert!(diff(Some(&base), Some(at(2)), Some(&now)).is_empty());
        // It moved from 2 to 4: its change.
        let now = article(Some(4), false, &[]);
        assert_eq!(
            diff(Some(&base), Some(at(2)), Some(&now)).position,
            Some(Some(at(4)))
        );
        // An article it never opened is restated at its start: never a change.
        let now = article(Some(0), false, &[]);
        assert!(diff(Some(&base), None, Some(&now)).is_empty());
        // Going back to the start on purpose is.
        assert_eq!(
            diff(Some(&base), Some(at(9)), Some(&now)).position,
            Some(Some(at(0)))
        );
    }

    #[test]
    fn a_changed_excerpt_replaces_the_bookmark_at_that_place() {
        let base = article(None, false, &[(1, "old words")]);
        let mine = article(None, false, &[(1, "new words")]);
        let change = diff(Some(&base), None, Some(&mine));
        assert!(change.deleted.is_empty());
        let merged = apply(&change, Some(&base), false).unwrap();
        assert_eq!(merged.bookmarks, vec![mark(1, "new words")]);
    }

    #[test]
    fn a_removal_yields_to_what_others_did_meanwhile() {
        let base = article(Some(3), false, &[]);
        let change = diff(Some(&base), None, None);
        assert!(change.removed);
        assert_eq!(apply(&change, Some(&base), false), None);
        let theirs = article(Some(3), false, &[(4, "theirs")]);
        assert_eq!(apply(&change, Some(&theirs), true), Some(theirs));
    }

    #[test]
    fn a_change_to_an_article_gone_from_disk_brings_it_back() {
        let base = article(None, false, &[]);
        let mine = article(Some(6), true, &[]);
        let merged = apply(&diff(Some(&base), None, Some(&mine)), None, true);
        assert_eq!(merged, Some(mine));
    }
}
