//! Every user intent has a name. Keys bind to these names through the keymap.
//!
//! Each action is declared once, in [`actions!`]: its variant, its keymap name, its line of help
//! and the contexts it belongs to. The enum, the name table, the help texts and the list of all
//! actions are generated from that one declaration, so no action can be nameless.

use std::fmt;

/// Where keys are read: the panes, or something drawn over them that takes keys first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// The list and reader panes (`[keys]`).
    Normal,
    /// Library search results, bookmarks, links and the outline (`[keys.picker]`).
    Picker,
    /// A one-line prompt: search, filter (`[keys.prompt]`).
    Prompt,
    /// The jump prompt (`[keys.jump]`).
    Jump,
    /// The help overlay (`[keys.help_view]`).
    Help,
    /// The messages view (`[keys.messages_view]`).
    Messages,
}

impl Context {
    pub const ALL: [Context; 6] = [
        Context::Normal,
        Context::Picker,
        Context::Prompt,
        Context::Jump,
        Context::Help,
        Context::Messages,
    ];

    /// The name of the context's table inside `[keys]` (`picker` for `[keys.picker]`); none for
    /// the panes, whose actions sit in `[keys]` itself.
    pub fn table(self) -> Option<&'static str> {
        match self {
            Context::Normal => None,
            Context::Picker => Some("picker"),
            Context::Prompt => Some("prompt"),
            Context::Jump => Some("jump"),
            Context::Help => Some("help_view"),
            Context::Messages => Some("messages_view"),
        }
    }

    pub fn from_table(name: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.table() == Some(name))
    }

    /// What the help overlay calls it.
    pub fn title(self) -> &'static str {
        match self {
            Context::Normal => "Reading",
            Context::Picker => "In results, bookmarks and links",
            Context::Prompt => "In a prompt",
            Context::Jump => "In the jump prompt",
            Context::Help => "In this help",
            Context::Messages => "In the messages view",
        }
    }
}

/// Highest N in `source_N`.
pub const MAX_SOURCE_HOTKEY: u8 = 10;

macro_rules! actions {
    ($(
        $(#[$doc:meta])*
        $variant:ident => $name:literal, $help:literal, [$($ctx:ident),+];
    )+) => {
        /// A thing the user can ask folio to do.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Action {
            $($(#[$doc])* $variant,)+
            /// Jump to the Nth source (1-based; `source_10` is key `0`).
            Source(u8),
        }

        /// Every action but the sources, in help order.
        const DECLARED: &[Action] = &[$(Action::$variant,)+];

        impl Action {
            /// The name used in the keymap, e.g. `page_down` or `source_3`.
            pub fn name(self) -> String {
                match self {
                    $(Action::$variant => $name.to_string(),)+
                    Action::Source(n) => format!("source_{n}"),
                }
            }

            /// One line of help.
            pub fn description(self) -> String {
                match self {
                    $(Action::$variant => $help.to_string(),)+
                    Action::Source(n) => format!("Jump to source {n}"),
                }
            }

            /// Whether the action means something in `context`.
            pub fn in_context(self, context: Context) -> bool {
                match self {
                    $(Action::$variant => [$(Context::$ctx),+].contains(&context),)+
                    Action::Source(_) => context == Context::Normal,
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
                match name {
                    $($name => Some(Action::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

actions! {
    /// Move down in the focused pane (next article, or scroll one line).
    MoveDown => "move_down", "Next article / scroll down a line", [Normal, Picker, Help, Messages];
    MoveUp => "move_up", "Previous article / scroll up", [Normal, Picker, Help, Messages];
    /// Switch focus between the list and the reader.
    FocusNext => "focus_next", "Switch between list and reader", [Normal];
    FocusList => "focus_list", "Focus the list", [Normal];
    FocusReader => "focus_reader", "Focus the reader", [Normal];
    /// Open the selected article in the reader.
    Open => "open", "Open the selected article", [Normal];
    PageDown => "page_down", "Page down", [Normal, Picker, Help, Messages];
    PageUp => "page_up", "Page up", [Normal, Picker, Help, Messages];
    HalfPageDown => "half_page_down", "Half a page down", [Normal];
    HalfPageUp => "half_page_up", "Half a page up", [Normal];
    Top => "top", "Go to the top", [Normal, Picker, Help, Messages];
    Bottom => "bottom", "Go to the end", [Normal, Picker, Help, Messages];
    NextSource => "next_source", "Next source", [Normal];
    PrevSource => "prev_source", "Previous source", [Normal];
    /// Label every source with a short key and jump to the one typed.
    JumpPrompt => "jump_prompt", "Jump to any source by its label", [Normal];
    /// Fold the selected article's source to its header in the list, or unfold it.
    ToggleFold => "toggle_fold", "Fold or unfold the source", [Normal];
    /// Mark every article of the selected article's source read.
    MarkSourceRead => "mark_source_read", "Mark the whole source read", [Normal];
    /// Jump to the next / previous section (a change of language) inside the article.
    NextSection => "next_section", "Next section (English → Arabic)", [Normal];
    PrevSection => "prev_section", "Previous section", [Normal];
    /// Jump to the next / previous heading inside the article.
    NextHeading => "next_heading", "Next heading", [Normal];
    PrevHeading => "prev_heading", "Previous heading", [Normal];
    /// The article's headings and language sections, to jump to one.
    Outline => "outline", "Outline: headings and sections", [Normal];
    /// The article's links, to copy, open or follow one.
    Links => "links", "List the article's links", [Normal];
    /// Return to where the reader was before the last jump (a followed link, a section…).
    JumpBack => "jump_back", "Back to before the last jump", [Normal];
    /// Show or hide site furniture (boilerplate) at the end of articles.
    ToggleBoilerplate => "toggle_boilerplate", "Show or hide boilerplate", [Normal];
    /// Search the open article (in the list pane: filter the list).
    Search => "search", "Search article (list: filter)", [Normal];
    SearchNext => "search_next", "Next match", [Normal];
    SearchPrev => "search_prev", "Previous match", [Normal];
    /// Search every article in the library.
    LibrarySearch => "library_search", "Search every article", [Normal];
    /// Filter the list by fuzzy match on title, outlet and file name.
    Filter => "filter", "Filter the list (fuzzy)", [Normal];
    /// Close what is open: a prompt, results, a filter, search highlights.
    Cancel => "cancel", "Close prompt, filter, highlights", [Normal, Picker, Prompt, Jump, Help, Messages];
    ToggleRead => "toggle_read", "Mark read / unread", [Normal];
    AddBookmark => "add_bookmark", "Bookmark this place", [Normal];
    ListBookmarks => "list_bookmarks", "List bookmarks and jump to one", [Normal];
    /// Copy the paragraph at the top of the reader (logical text) to the clipboard (OSC 52).
    CopyParagraph => "copy_paragraph", "Copy the paragraph (OSC 52)", [Normal];
    /// Copy the whole article (logical text).
    CopyArticle => "copy_article", "Copy the whole article (OSC 52)", [Normal];
    /// Open the article in $EDITOR / $PAGER.
    OpenEditor => "open_editor", "Open the article in $EDITOR", [Normal];
    OpenPager => "open_pager", "Open the article in $PAGER", [Normal];
    /// Hide the list pane and read full width.
    ToggleZoom => "toggle_zoom", "Full-width reading", [Normal];
    /// Every warning and message since the start, newest last.
    ShowMessages => "messages", "Show all messages and warnings", [Normal];
    /// Fetch every feed in the config in the background; new items join the list.
    Fetch => "fetch", "Fetch the feeds in the background", [Normal];
    /// Stop folio and go back to the shell (`fg` resumes), as Ctrl-z does in less and vim.
    Suspend => "suspend", "Suspend folio (fg resumes)", [Normal];
    ToggleHelp => "help", "Show or hide this help", [Normal, Help];
    Quit => "quit", "Quit", [Normal, Picker, Help, Messages];
    /// Pick the selected entry of a list of results or bookmarks.
    Choose => "choose", "Open the selected entry", [Picker];
    /// Delete the selected entry (a bookmark).
    Delete => "delete", "Delete the selected bookmark", [Picker];
    /// Copy the selected link's address to the clipboard (OSC 52; works over SSH).
    CopyLink => "copy_link", "Copy the link's address (OSC 52)", [Picker];
    /// Open the selected link with $BROWSER (not over SSH).
    OpenBrowser => "open_browser", "Open the link in $BROWSER", [Picker];
    /// Run what the prompt says.
    Submit => "submit", "Search, filter or jump", [Prompt];
    /// Delete the character before the cursor.
    DeleteBack => "delete_back", "Delete a character", [Prompt, Jump];
    /// Empty the prompt.
    ClearInput => "clear_input", "Clear the prompt", [Prompt];
}

impl Action {
    /// One line of help for the action in `context`: moving in a list of results is not
    /// moving in the library.
    pub fn description_in(self, context: Context) -> String {
        if context == Context::Normal {
            return self.description();
        }
        match self {
            Action::MoveDown => "Down a line",
            Action::MoveUp => "Up a line",
            Action::PageDown => "Down a page",
            Action::PageUp => "Up a page",
            Action::Top => "To the first",
            Action::Bottom => "To the last",
            Action::Cancel => "Close",
            _ => return self.description(),
        }
        .to_string()
    }

    /// Every action, in help order: the sources sit before `next_source`.
    pub fn all() -> Vec<Action> {
        let mut all = DECLARED.to_vec();
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
            assert!(
                Context::ALL.iter().any(|&c| action.in_context(c)),
                "{name} belongs to no context"
            );
        }
        let names: std::collections::HashSet<String> =
            Action::all().iter().map(|a| a.name()).collect();
        assert_eq!(names.len(), Action::all().len(), "two actions share a name");
    }

    #[test]
    fn unknown_names_are_rejected() {
        assert_eq!(Action::from_name("source_0"), None);
        assert_eq!(Action::from_name("source_11"), None);
        assert_eq!(Action::from_name("explode"), None);
    }

    #[test]
    fn contexts_round_trip_through_their_tables() {
        for c in Context::ALL {
            match c.table() {
                Some(t) => assert_eq!(Context::from_table(t), Some(c)),
                None => assert_eq!(c, Context::Normal),
            }
        }
    }
}
