//! Every user intent has a name. Keys bind to these names through the keymap.

use std::fmt;

/// A thing the user can ask folio to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    ToggleHelp,
    /// Switch focus between the list and the reader.
    FocusNext,
    FocusList,
    FocusReader,
    /// Move down in the focused pane (next article, or scroll one line).
    MoveDown,
    MoveUp,
    /// Open the selected article in the reader.
    Open,
    PageDown,
    PageUp,
    HalfPageDown,
    HalfPageUp,
    Top,
    Bottom,
    /// Jump to the Nth source (1-based; `source_10` is key `0`).
    Source(u8),
    NextSource,
    PrevSource,
    /// Jump to the next / previous section (a change of language) inside the article.
    NextSection,
    PrevSection,
    /// Return to where the reader was before the last jump.
    JumpBack,
    /// Label every source with a short key and jump to the one typed.
    JumpPrompt,
    /// Show or hide site furniture (boilerplate) at the end of articles.
    ToggleBoilerplate,
    /// Search the open article (in the list pane: filter the list).
    Search,
    SearchNext,
    SearchPrev,
    /// Search every article in the library.
    LibrarySearch,
    /// Filter the list by fuzzy match on title, outlet and file name.
    Filter,
    /// Close what is open: a prompt, results, a filter, search highlights.
    Cancel,
    ToggleRead,
    AddBookmark,
    ListBookmarks,
    /// Copy the paragraph at the top of the reader (logical text) to the clipboard (OSC 52).
    CopyParagraph,
    /// Copy the whole article (logical text).
    CopyArticle,
    /// Open the article in $EDITOR / $PAGER.
    OpenEditor,
    OpenPager,
    /// Hide the list pane and read full width.
    ToggleZoom,
    /// Stop the reader and go back to the shell until it is resumed (`fg`).
    Suspend,
}

/// Names and help texts, in the order the help overlay lists them.
/// Parameterised actions (`source_N`) are listed once per N.
const NAMED: &[(Action, &str, &str)] = &[
    (
        Action::MoveDown,
        "move_down",
        "Next article / scroll down a line",
    ),
    (Action::MoveUp, "move_up", "Previous article / scroll up"),
    (
        Action::FocusNext,
        "focus_next",
        "Switch between list and reader",
    ),
    (Action::FocusList, "focus_list", "Focus the list"),
    (Action::FocusReader, "focus_reader", "Focus the reader"),
    (Action::Open, "open", "Open the selected article"),
    (Action::PageDown, "page_down", "Page down"),
    (Action::PageUp, "page_up", "Page up"),
    (Action::HalfPageDown, "half_page_down", "Half a page down"),
    (Action::HalfPageUp, "half_page_up", "Half a page up"),
    (Action::Top, "top", "Go to the top"),
    (Action::Bottom, "bottom", "Go to the end"),
    (Action::NextSource, "next_source", "Next source"),
    (Action::PrevSource, "prev_source", "Previous source"),
    (
        Action::JumpPrompt,
        "jump_prompt",
        "Jump to any source by its label",
    ),
    (
        Action::NextSection,
        "next_section",
        "Next section (English → Arabic)",
    ),
    (Action::PrevSection, "prev_section", "Previous section"),
    (
        Action::JumpBack,
        "jump_back",
        "Back to before the last jump",
    ),
    (
        Action::ToggleBoilerplate,
        "toggle_boilerplate",
        "Show or hide boilerplate",
    ),
    (Action::Search, "search", "Search article (list: filter)"),
    (Action::SearchNext, "search_next", "Next match"),
    (Action::SearchPrev, "search_prev", "Previous match"),
    (
        Action::LibrarySearch,
        "library_search",
        "Search every article",
    ),
    (Action::Filter, "filter", "Filter the list (fuzzy)"),
    (Action::Cancel, "cancel", "Close prompt, filter, highlights"),
    (Action::ToggleRead, "toggle_read", "Mark read / unread"),
    (Action::AddBookmark, "add_bookmark", "Bookmark this place"),
    (
        Action::ListBookmarks,
        "list_bookmarks",
        "List bookmarks and jump to one",
    ),
    (
        Action::CopyParagraph,
        "copy_paragraph",
        "Copy the paragraph (OSC 52)",
    ),
    (
        Action::CopyArticle,
        "copy_article",
        "Copy the whole article (OSC 52)",
    ),
    (
        Action::OpenEditor,
        "open_editor",
        "Open the article in $EDITOR",
    ),
    (
        Action::OpenPager,
        "open_pager",
        "Open the article in $PAGER",
    ),
    (Action::ToggleZoom, "toggle_zoom", "Full-width reading"),
    (Action::ToggleHelp, "help", "Show or hide this help"),
    (
        Action::Suspend,
        "suspend",
        "Suspend to the shell (fg resumes)",
    ),
    (Action::Quit, "quit", "Quit"),
];

/// Highest N in `source_N`.
pub const MAX_SOURCE_HOTKEY: u8 = 10;

impl Action {
    /// The name used in the keymap, e.g. `page_down` or `source_3`.
    pub fn name(self) -> String {
        match self {
            Action::Source(n) => format!("source_{n}"),
            other => NAMED
                .iter()
                .find(|(a, _, _)| *a == other)
                .map(|(_, name, _)| (*name).to_string())
                .unwrap_or_default(),
        }
    }

    /// Parse a keymap name.
    pub fn from_name(name: &str) -> Option<Action> {
        if let Some(n) = name.strip_prefix("source_") {
            let n: u8 = n.parse().ok()?;
            return (1..=MAX_SOURCE_HOTKEY)
                .contains(&n)
                .then_some(Action::Source(n));
        }
        NAMED
            .iter()
            .find(|(_, n, _)| *n == name)
            .map(|(a, _, _)| *a)
    }

    /// One line of help.
    pub fn description(self) -> String {
        match self {
            Action::Source(n) => format!("Jump to source {n}"),
            other => NAMED
                .iter()
                .find(|(a, _, _)| *a == other)
                .map(|(_, _, d)| (*d).to_string())
                .unwrap_or_default(),
        }
    }

    /// Every action, in help order.
    pub fn all() -> Vec<Action> {
        let mut all: Vec<Action> = NAMED.iter().map(|(a, _, _)| *a).collect();
        let at = all
            .iter()
            .position(|a| *a == Action::NextSource)
            .unwrap_or(all.len());
        all.splice(at..at, (1..=MAX_SOURCE_HOTKEY).map(Action::Source));
        all
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_through_its_name() {
        for action in Action::all() {
            let name = action.name();
            assert!(!name.is_empty(), "{action:?} has no name");
            assert_eq!(Action::from_name(&name), Some(action), "{name}");
            assert!(!action.description().is_empty(), "{name} has no help");
        }
    }

    #[test]
    fn unknown_names_are_rejected() {
        assert_eq!(Action::from_name("source_0"), None);
        assert_eq!(Action::from_name("source_11"), None);
        assert_eq!(Action::from_name("explode"), None);
    }
}
