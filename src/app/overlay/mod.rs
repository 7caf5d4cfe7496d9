//! What is drawn over the panes and takes keys first: help, the messages view, the jump prompt,
//! the search and filter prompts, and the lists of results, bookmarks, links and the outline. Each handles its own
//! keys, from its own context of the keymap, and says what it did with them; the app acts on
//! what needs more than the overlay itself (opening an article, running a search).

pub mod jump;
mod picker;
mod prompt;
mod scroll;

pub use picker::{BookmarkEntry, Picker};
pub use prompt::PromptKind;

use super::links::LinkEntry;
use super::outline::OutlineEntry;
use super::search::Hit;
use crate::keymap::{Context, Key, Keymap};

/// Longest prompt input, in chars: a paste cannot grow it without bound.
pub const MAX_PROMPT: usize = 256;

/// Something drawn over the panes that takes keys first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    /// The help overlay, scrolled this many lines.
    Help(usize),
    /// Every message since the start, scrolled this many lines from the newest.
    Messages(usize),
    /// The jump prompt: every source labelled; what was typed so far.
    Jump {
        labels: Vec<String>,
        typed: String,
    },
    /// A one-line prompt in the status line.
    Prompt {
        kind: PromptKind,
        input: String,
    },
    /// Library search results, sorted by article and place; `searching` while more may come.
    Results {
        query: String,
        picker: Picker<Hit>,
        searching: bool,
    },
    Bookmarks(Picker<BookmarkEntry>),
    /// The open article's links.
    Links(Picker<LinkEntry>),
    /// The open article's headings and sections; `current` is the entry the reader is in.
    Outline {
        picker: Picker<OutlineEntry>,
        current: Option<usize>,
    },
}

/// What an overlay did with a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Not for the overlay: the panes get the key (quit, from help or a list).
    Pass,
    /// Used; the overlay stays open.
    Stay,
    /// Used; the overlay closes.
    Close,
    /// The prompt's text changed (a filter narrows the list as you type).
    Edited,
    /// The prompt was cancelled.
    Cancelled(PromptKind),
    /// The prompt was submitted with this text.
    Submit(PromptKind, String),
    /// The jump prompt named a source.
    JumpTo(usize),
    /// The jump prompt's letters name no source.
    NoLabel(String),
    /// A result was chosen.
    OpenHit { query: String, hit: Hit },
    /// A bookmark was chosen.
    OpenBookmark(BookmarkEntry),
    /// A bookmark is to be deleted (it is already gone from the list).
    DeleteBookmark(BookmarkEntry),
    /// A link was chosen: follow it (another article, or the browser).
    FollowLink(LinkEntry),
    /// A link's address is to be copied.
    CopyLink(LinkEntry),
    /// A link is to be opened with `$BROWSER`.
    BrowseLink(LinkEntry),
    /// An outline entry was chosen.
    OpenOutline(OutlineEntry),
}

impl Overlay {
    /// The keymap context the overlay reads keys in.
    pub fn context(&self) -> Context {
        match self {
            Overlay::Help(_) => Context::Help,
            Overlay::Messages(_) => Context::Messages,
            Overlay::Jump { .. } => Context::Jump,
            Overlay::Prompt { .. } => Context::Prompt,
            Overlay::Results { .. }
            | Overlay::Bookmarks(_)
            | Overlay::Links(_)
            | Overlay::Outline { .. } => Context::Picker,
        }
    }

    /// Handle a key. `lines` is how many lines a scrolled overlay holds (help, messages), `page`
    /// how many it shows.
    pub(crate) fn handle_key(
        &mut self,
        key: Key,
        keymap: &Keymap,
        lines: usize,
        page: usize,
    ) -> Outcome {
        let action = keymap.action_in(self.context(), &key);
        match self {
            Overlay::Help(scroll) | Overlay::Messages(scroll) => {
                scroll::handle(scroll, action, lines, page)
            }
            Overlay::Jump { labels, typed } => jump::handle(labels, typed, key, action),
            Overlay::Prompt { kind, input } => prompt::handle(*kind, input, key, action),
            Overlay::Results { query, picker, .. } => {
                picker::handle_results(query, picker, action, page)
            }
            Overlay::Bookmarks(picker) => picker::handle_bookmarks(picker, action, page),
            Overlay::Links(picker) => picker::handle_links(picker, action, page),
            Overlay::Outline { picker, .. } => picker::handle_outline(picker, action, page),
        }
    }

    /// Text pasted while the overlay is open: a prompt takes it (controls dropped, length
    /// capped); other overlays ignore it.
    pub(crate) fn paste(&mut self, text: &str) -> Outcome {
        match self {
            Overlay::Prompt { input, .. } => {
                let room = MAX_PROMPT.saturating_sub(input.chars().count());
                input.extend(text.chars().filter(|c| !c.is_control()).take(room));
                Outcome::Edited
            }
            _ => Outcome::Stay,
        }
    }
}
