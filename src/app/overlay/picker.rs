//! Lists to pick from: library search results, bookmarks, the article's links and its outline
//! (`[keys.picker]`). Any key the
//! context does not name closes the list.

use super::Outcome;
use crate::app::links::LinkEntry;
use crate::app::outline::OutlineEntry;
use crate::app::search::Hit;
use crate::keymap::Action;
use crate::store::Position;

/// A list the user picks from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picker<T> {
    pub items: Vec<T>,
    pub selected: usize,
}

/// A bookmark, as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookmarkEntry {
    pub article: usize,
    pub position: Position,
    pub excerpt: String,
}

impl<T> Picker<T> {
    pub fn new(items: Vec<T>) -> Picker<T> {
        Picker { items, selected: 0 }
    }

    /// Move the selection; returns what the key did, or `None` if it was not a move.
    fn navigate(&mut self, action: Option<Action>, page: usize) -> Option<Outcome> {
        let last = self.items.len().saturating_sub(1);
        let page = page.max(1);
        self.selected = match action? {
            Action::MoveDown => (self.selected + 1).min(last),
            Action::MoveUp => self.selected.saturating_sub(1),
            Action::PageDown => (self.selected + page).min(last),
            Action::PageUp => self.selected.saturating_sub(page),
            Action::Top => 0,
            Action::Bottom => last,
            Action::Quit => return Some(Outcome::Pass),
            Action::Cancel => return Some(Outcome::Close),
            _ => return None,
        };
        Some(Outcome::Stay)
    }
}

pub(super) fn handle_results(
    query: &str,
    picker: &mut Picker<Hit>,
    action: Option<Action>,
    page: usize,
) -> Outcome {
    if let Some(outcome) = picker.navigate(action, page) {
        return outcome;
    }
    match (action, picker.items.get(picker.selected)) {
        (Some(Action::Choose), Some(hit)) => Outcome::OpenHit {
            query: query.to_string(),
            hit: hit.clone(),
        },
        _ => Outcome::Close,
    }
}

pub(super) fn handle_bookmarks(
    picker: &mut Picker<BookmarkEntry>,
    action: Option<Action>,
    page: usize,
) -> Outcome {
    if let Some(outcome) = picker.navigate(action, page) {
        return outcome;
    }
    match (action, picker.items.get(picker.selected).cloned()) {
        (Some(Action::Choose), Some(b)) => Outcome::OpenBookmark(b),
        (Some(Action::Delete), Some(b)) => {
            picker.items.remove(picker.selected);
            picker.selected = picker.selected.min(picker.items.len().saturating_sub(1));
            Outcome::DeleteBookmark(b)
        }
        _ => Outcome::Close,
    }
}

pub(super) fn handle_links(
    picker: &mut Picker<LinkEntry>,
    action: Option<Action>,
    page: usize,
) -> Outcome {
    if let Some(outcome) = picker.navigate(action, page) {
        return outcome;
    }
    match (action, picker.items.get(picker.selected).cloned()) {
        (Some(Action::Choose), Some(link)) => Outcome::FollowLink(link),
        (Some(Action::CopyLink), Some(link)) => Outcome::CopyLink(link),
        (Some(Action::OpenBrowser), Some(link)) => Outcome::BrowseLink(link),
        _ => Outcome::Close,
    }
}

pub(super) fn handle_outline(
    picker: &mut Picker<OutlineEntry>,
    action: Option<Action>,
    page: usize,
) -> Outcome {
    if let Some(outcome) = picker.navigate(action, page) {
        return outcome;
    }
    match (action, picker.items.get(picker.selected).cloned()) {
        (Some(Action::Choose), Some(entry)) => Outcome::OpenOutline(entry),
        _ => Outcome::Close,
    }
}
