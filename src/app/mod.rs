//! The reader's state and how actions change it. Knows nothing of the terminal: front ends turn
//! their input into [`Key`]s, mouse events and sizes, widgets borrow the state to draw it, and
//! what the app wants done outside itself (the clipboard, an editor) it asks for as [`Effect`]s.

pub mod action;
pub mod geometry;
pub mod jump;
pub mod keymap;
pub mod search;

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

pub use action::Action;
pub use geometry::{Area, Focus, Geometry};
pub use keymap::{Key, KeyCode, Keymap};
pub use search::{ArticleSearch, Hit};

use crate::config::Settings;
use crate::library::{Article, Library, Origin, ParagraphKind};
use crate::store::{Bookmark, Position, Store, article_key};
use crate::text::document::{Anchor, DocumentLayout, layout_document};
use crate::text::layout::{LayoutOptions, logical_line};

/// Whether a handler used an event, so overlays can sit on top of panes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventState {
    Consumed,
    NotConsumed,
}

/// Why the reader stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The user quit.
    Quit,
    /// The front end was told to stop (a signal, a dropped connection).
    Terminated,
}

/// Something the app asks its front end to do outside the screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Put text on the user's clipboard (OSC 52).
    Clipboard(String),
    /// Open a file in an external program, suspending the reader meanwhile.
    External {
        program: ExternalProgram,
        file: ExternalFile,
    },
    /// Stop the reader and give the terminal back to the shell until it is resumed.
    Suspend,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExternalProgram {
    Editor,
    Pager,
}

/// What to open: a file on disk, or (for built-in seeds) text to put in a temporary file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExternalFile {
    Path(PathBuf),
    Text { name: String, text: String },
}

/// A mouse event, in screen cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mouse {
    ScrollUp { col: u16, row: u16 },
    ScrollDown { col: u16, row: u16 },
    Click { col: u16, row: u16 },
}

/// How many laid-out articles to keep, so switching back and forth does not lay out again.
const LAYOUT_CACHE: usize = 8;

/// How many jumps `jump_back` remembers.
const JUMP_HISTORY: usize = 100;

/// Lines the mouse wheel scrolls.
const WHEEL_LINES: isize = 3;

/// Longest prompt input, in chars: a paste cannot grow it without bound.
const MAX_PROMPT: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct LayoutKey {
    article: usize,
    opts: LayoutOptions,
    boilerplate: bool,
}

/// What a prompt in the status line is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptKind {
    Search,
    LibrarySearch,
    Filter,
}

/// A list the user picks from with j/k and Enter.
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

/// Something drawn over the panes that takes keys first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    /// The help overlay, scrolled this many lines.
    Help(usize),
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
    /// Library search results.
    Results {
        query: String,
        picker: Picker<Hit>,
    },
    Bookmarks(Picker<BookmarkEntry>),
}

/// One reader: what is open, where, and what is shown over it.
pub struct App {
    pub library: Arc<Library>,
    pub settings: Settings,
    pub focus: Focus,
    /// The article selected in the list, which is the one the reader shows.
    pub selected: usize,
    /// First row of `visible` shown in the list pane.
    pub list_top: usize,
    /// Articles the list shows, in order (all of them unless filtered).
    pub visible: Vec<usize>,
    /// The list filter, when one is set.
    pub filter: Option<String>,
    /// What is shown over the panes, taking keys first.
    pub overlay: Option<Overlay>,
    /// Whether boilerplate paragraphs are laid out (dimmed) or hidden.
    pub show_boilerplate: bool,
    /// The list pane is hidden and the reader takes the whole width.
    pub zoom: bool,
    /// The search in the open article, with its matches.
    pub search: Option<ArticleSearch>,
    /// A message for the status line, until the next key.
    pub message: Option<String>,
    pub exit: Option<Exit>,
    /// A served session (over SSH): actions that would start processes or touch files other
    /// than folio's own state are refused with a message.
    pub served: bool,
    /// What the front end should do for the app, in order.
    pub effects: Vec<Effect>,
    pub store: Store,
    /// Each article's key in the store.
    keys: Vec<String>,
    cols: u16,
    rows: u16,
    geometry: Geometry,
    /// First line of the reading column shown.
    top: usize,
    /// Where the reader was in each article.
    positions: Vec<Anchor>,
    /// Where the reader was before each jump, most recent last.
    jumps: Vec<(usize, Anchor)>,
    layout: Arc<DocumentLayout>,
    cache: Vec<(LayoutKey, Arc<DocumentLayout>)>,
}

impl App {
    pub fn new(library: Arc<Library>, settings: Settings, cols: u16, rows: u16) -> App {
        let shadowed = App::shadowed_hotkeys(&library, &settings.keymap);
        let warnings: Vec<String> = settings
            .warnings
            .iter()
            .chain(&library.warnings)
            .chain(&shadowed)
            .cloned()
            .collect();
        let message = (!warnings.is_empty()).then(|| warnings.join(" · "));
        let positions = vec![Anchor::default(); library.articles.len()];
        let keys = library
            .articles
            .iter()
            .map(|a| match &a.origin {
                Origin::File(path) => article_key(Some(path), &a.file_name),
                Origin::Embedded => article_key(None, &a.file_name),
            })
            .collect();
        let show_boilerplate = settings.config.reader.boilerplate;
        let mut app = App {
            visible: (0..library.articles.len()).collect(),
            library,
            settings,
            focus: Focus::List,
            selected: 0,
            list_top: 0,
            filter: None,
            overlay: None,
            show_boilerplate,
            zoom: false,
            search: None,
            message,
            exit: None,
            served: false,
            effects: Vec::new(),
            store: Store::in_memory(),
            keys,
            cols,
            rows,
            geometry: Geometry::default(),
            top: 0,
            positions,
            jumps: Vec::new(),
            layout: Arc::default(),
            cache: Vec::new(),
        };
        app.relayout();
        app
    }

    /// Use `store` for reading positions, read marks and bookmarks, and go back to where the
    /// reader was last time. `warning` (e.g. a corrupt state file set aside) is shown once.
    pub fn attach_store(&mut self, store: Store, warning: Option<String>) {
        self.store = store;
        for (i, key) in self.keys.iter().enumerate() {
            if let Some(pos) = self.store.article(key).and_then(|s| s.position) {
                self.positions[i] = Anchor {
                    para: pos.para,
                    byte: pos.byte,
                    gap: false,
                };
            }
        }
        let last = self.store.state.last_open.clone();
        if let Some(i) = last.and_then(|k| self.keys.iter().position(|x| *x == k)) {
            self.selected = i;
        }
        if let Some(w) = warning {
            self.message = Some(match self.message.take() {
                Some(m) => format!("{w} · {m}"),
                None => w,
            });
        }
        self.relayout();
    }

    /// Write what should be remembered. Errors are shown, never fatal. A served session's
    /// store lives in memory, so there this writes nothing.
    pub fn save_state(&mut self) {
        self.remember_position();
        for (i, key) in self.keys.iter().enumerate() {
            let anchor = self.positions[i];
            let known = self.store.article(key).is_some();
            if known || anchor != Anchor::default() {
                self.store.article_mut(key).position = Some(Position {
                    para: anchor.para,
                    byte: anchor.byte,
                });
            }
        }
        self.store.state.last_open = self.keys.get(self.selected).cloned();
        if let Err(e) = self.store.save() {
            self.message = Some(format!("Could not save reading positions: {e}"));
        }
    }

    pub fn article(&self) -> Option<&Article> {
        self.library.articles.get(self.selected)
    }

    /// Whether article `index` has been read.
    pub fn is_read(&self, index: usize) -> bool {
        self.keys
            .get(index)
            .and_then(|k| self.store.article(k))
            .is_some_and(|s| s.read)
    }

    pub fn geometry(&self) -> &Geometry {
        &self.geometry
    }

    pub fn size(&self) -> (u16, u16) {
        (self.cols, self.rows)
    }

    /// The open article laid out for the reading column.
    pub fn layout(&self) -> &DocumentLayout {
        &self.layout
    }

    /// First line of the layout shown at the top of the reading column.
    pub fn top(&self) -> usize {
        self.top
    }

    /// How many lines the reading column shows.
    pub fn page(&self) -> usize {
        self.geometry.column.height.max(1) as usize
    }

    fn max_top(&self) -> usize {
        self.layout.lines.len().saturating_sub(self.page())
    }

    pub fn layout_options(&self) -> LayoutOptions {
        let reader = &self.settings.config.reader;
        LayoutOptions {
            width: self.geometry.column.width.max(1) as usize,
            shape: reader.shape,
            bidi: reader.bidi,
        }
    }

    /// The screen changed size: re-lay out, keeping the same paragraph at the top.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        if (cols, rows) == (self.cols, self.rows) {
            return;
        }
        self.remember_position();
        self.cols = cols;
        self.rows = rows;
        self.relayout();
    }

    fn remember_position(&mut self) {
        // Nothing is laid out while the reader is hidden: keep what we had.
        if self.layout.lines.is_empty() {
            return;
        }
        if let Some(p) = self.positions.get_mut(self.selected) {
            *p = self.layout.anchor(self.top);
        }
    }

    /// Recompute geometry and layout (from the cache when possible), then put the remembered
    /// position of the open article at the top.
    fn relayout(&mut self) {
        let list_shown = !self.zoom;
        self.geometry = Geometry::compute(
            self.cols,
            self.rows,
            &self.settings.config,
            self.focus,
            list_shown,
        );
        if self.geometry.column.width == 0 || self.geometry.column.height == 0 {
            // The reader is hidden (a narrow screen showing the list): lay nothing out.
            self.layout = Arc::default();
            self.top = 0;
            self.keep_selection_visible();
            return;
        }
        let key = LayoutKey {
            article: self.selected,
            opts: self.layout_options(),
            boilerplate: self.show_boilerplate,
        };
        self.layout = match self.cache.iter().position(|(k, _)| *k == key) {
            Some(i) => {
                let entry = self.cache.remove(i);
                let layout = entry.1.clone();
                self.cache.push(entry);
                layout
            }
            None => {
                let layout = Arc::new(match self.library.articles.get(self.selected) {
                    Some(article) => layout_document(
                        article
                            .paragraphs
                            .iter()
                            .enumerate()
                            .filter(|(_, p)| {
                                key.boilerplate || p.kind != ParagraphKind::Boilerplate
                            })
                            .map(|(i, p)| (i, p.text.as_str(), p.dir)),
                        &key.opts,
                    ),
                    None => DocumentLayout::default(),
                });
                if self.cache.len() == LAYOUT_CACHE {
                    self.cache.remove(0);
                }
                self.cache.push((key, layout.clone()));
                layout
            }
        };
        let anchor = self
            .positions
            .get(self.selected)
            .copied()
            .unwrap_or_default();
        self.top = self.layout.find(anchor).min(self.max_top());
        self.refresh_search();
        self.keep_selection_visible();
    }

    /// Keep the search's matches in step with the open article.
    fn refresh_search(&mut self) {
        let stale = self
            .search
            .as_ref()
            .is_some_and(|s| s.article != self.selected || s.boilerplate != self.show_boilerplate);
        if stale && let (Some(old), Some(article)) = (&self.search, self.article()) {
            let query = old.query.clone();
            self.search = Some(ArticleSearch::new(
                &query,
                self.selected,
                article,
                self.show_boilerplate,
            ));
        }
    }

    /// Show article `index` in the reader, where the reader last was in it.
    pub fn select(&mut self, index: usize) {
        if index >= self.library.articles.len() || index == self.selected {
            return;
        }
        self.remember_position();
        self.selected = index;
        self.relayout();
    }

    /// Remember where the reader is, so `jump_back` can return here.
    fn push_jump(&mut self) {
        let here = (self.selected, self.layout.anchor(self.top));
        if self.jumps.last() != Some(&here) {
            if self.jumps.len() == JUMP_HISTORY {
                self.jumps.remove(0);
            }
            self.jumps.push(here);
        }
    }

    /// Jump to another source, remembering where we were.
    pub fn jump_to_source(&mut self, index: usize) {
        if index < self.library.articles.len() && index != self.selected {
            self.push_jump();
            self.select(index);
        }
    }

    /// Jump to a line of the open article, remembering where we were.
    fn jump_to_line(&mut self, line: usize) {
        self.push_jump();
        self.scroll_to(line);
    }

    /// Jump to a place in an article, remembering where we were; the place sits a few lines
    /// below the top so its context shows.
    fn jump_to_place(&mut self, article: usize, para: usize, byte: usize) {
        self.push_jump();
        if article != self.selected {
            self.select(article);
        }
        let line = self.layout.find(Anchor {
            para,
            byte,
            gap: false,
        });
        self.scroll_to(line.saturating_sub(self.page() / 4));
    }

    fn jump_back(&mut self) {
        let Some((article, anchor)) = self.jumps.pop() else {
            self.message = Some("No earlier place to go back to".into());
            return;
        };
        if article != self.selected {
            self.remember_position();
            self.selected = article;
        }
        if let Some(p) = self.positions.get_mut(article) {
            *p = anchor;
        }
        self.relayout();
    }

    /// The section the top of the reading column is in (index, section), for articles with more
    /// than one.
    pub fn current_section(&self) -> Option<(usize, &crate::library::Section)> {
        let article = self.article()?;
        if article.sections.len() < 2 {
            return None;
        }
        let para = self.top_paragraph()?;
        article
            .sections
            .iter()
            .enumerate()
            .rfind(|(_, s)| s.paragraphs.start <= para)
            .or_else(|| article.sections.first().map(|s| (0, s)))
    }

    /// The paragraph at the top of the reading column (after a gap: the one the gap precedes).
    fn top_paragraph(&self) -> Option<usize> {
        self.layout.lines.get(self.top).map(|l| l.para)
    }

    /// Line of the first paragraph of the next (`forward`) or previous section that is laid out.
    fn section_target(&self, forward: bool) -> Option<usize> {
        let article = self.article()?;
        let here = self.top_paragraph()?;
        let starts = article
            .sections
            .iter()
            .filter_map(|s| self.layout.first_line_of(s.paragraphs.start));
        if forward {
            starts
                .into_iter()
                .find(|&line| line > self.top && self.layout.lines[line].para > here)
        } else {
            starts.into_iter().rfind(|&line| line < self.top)
        }
    }

    fn set_focus(&mut self, focus: Focus) {
        if self.focus != focus {
            self.focus = focus;
            // In a narrow screen the focused pane takes the whole width.
            self.remember_position();
            self.relayout();
        }
    }

    fn scroll_to(&mut self, top: usize) {
        self.top = top.min(self.max_top());
        if self.top == self.max_top() && !self.layout.lines.is_empty() {
            self.mark_read(self.selected, true);
        }
    }

    fn scroll_by(&mut self, delta: isize) {
        self.scroll_to(self.top.saturating_add_signed(delta));
    }

    fn mark_read(&mut self, index: usize, read: bool) {
        if let Some(key) = self.keys.get(index).cloned() {
            let known = self.store.article(&key).is_some_and(|s| s.read == read);
            if !known {
                self.store.article_mut(&key).read = read;
            }
        }
    }

    /// How many articles the list pane shows at once (each takes two rows).
    pub fn list_capacity(&self) -> usize {
        (self.geometry.list.height.saturating_sub(2) as usize / 2).max(1)
    }

    fn keep_selection_visible(&mut self) {
        let cap = self.list_capacity();
        let row = self
            .visible
            .iter()
            .position(|&i| i == self.selected)
            .unwrap_or(0);
        if row < self.list_top {
            self.list_top = row;
        } else if row >= self.list_top + cap {
            self.list_top = row + 1 - cap;
        }
        self.list_top = self.list_top.min(self.visible.len().saturating_sub(1));
    }

    /// Move the list selection by `delta` rows of the (possibly filtered) list.
    fn move_selection(&mut self, delta: isize) {
        if self.visible.is_empty() {
            return;
        }
        let row = self
            .visible
            .iter()
            .position(|&i| i == self.selected)
            .unwrap_or(0);
        let row = row.saturating_add_signed(delta).min(self.visible.len() - 1);
        self.select(self.visible[row]);
    }

    fn set_filter(&mut self, filter: Option<String>) {
        self.visible = search::filter_articles(&self.library, filter.as_deref().unwrap_or(""));
        self.filter = filter.filter(|f| !f.is_empty());
        self.list_top = 0;
        if let Some(&first) = self.visible.first()
            && !self.visible.contains(&self.selected)
        {
            self.select(first);
        }
        self.keep_selection_visible();
    }

    /// The text to copy for the paragraph at the top of the reader: logical order, unshaped.
    fn top_paragraph_text(&self) -> Option<String> {
        let para = self.top_paragraph()?;
        Some(self.article()?.paragraphs.get(para)?.text.clone())
    }

    /// The article as logical text, paragraphs separated by blank lines.
    fn article_text(&self) -> Option<String> {
        let article = self.article()?;
        Some(
            article
                .paragraphs
                .iter()
                .filter(|p| self.show_boilerplate || p.kind != ParagraphKind::Boilerplate)
                .map(|p| p.text.as_str())
                .collect::<Vec<_>>()
                .join("\n\n"),
        )
    }

    fn go_to_match(&mut self, forward: bool) {
        let Some(search) = &self.search else {
            self.message = Some(format!(
                "No search yet — press {} to search",
                self.settings.keymap.hint(Action::Search)
            ));
            return;
        };
        if search.matches.is_empty() {
            self.message = Some(format!("Pattern not found: {}", search.query));
            return;
        }
        let n = search.matches.len();
        // The next match after the one shown (or after the top line), wrapping around.
        let line_of = |m: &(usize, Range<usize>)| {
            self.layout.find(Anchor {
                para: m.0,
                byte: m.1.start,
                gap: false,
            })
        };
        let next = match search.current {
            Some(c) if forward => (c + 1) % n,
            Some(c) => (c + n - 1) % n,
            None if forward => search
                .matches
                .iter()
                .position(|m| line_of(m) >= self.top)
                .unwrap_or(0),
            None => search
                .matches
                .iter()
                .rposition(|m| line_of(m) < self.top)
                .unwrap_or(n - 1),
        };
        let (para, range) = search.matches[next].clone();
        let wrapped = search
            .current
            .is_some_and(|c| (forward && next < c) || (!forward && next > c));
        if let Some(s) = &mut self.search {
            s.current = Some(next);
        }
        let line = line_of(&(para, range.clone()));
        // Only scroll when the match is off screen.
        if line < self.top || line >= self.top + self.page() {
            self.jump_to_line(line.saturating_sub(self.page() / 3));
        }
        self.message = Some(format!(
            "Match {}/{n}{}",
            next + 1,
            if wrapped { " (wrapped)" } else { "" }
        ));
    }

    /// Lines of the help overlay: each bound action with its keys. The ten source jumps share
    /// one line, and the sources' own letter hotkeys get one.
    pub fn help_lines(&self) -> Vec<(String, String)> {
        let mut lines = Vec::new();
        let mut source_keys: Vec<String> = Vec::new();
        for (action, keys) in self.settings.keymap.bindings() {
            let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
            if let Action::Source(_) = action {
                if source_keys.is_empty() {
                    lines.push((String::new(), "Jump to the Nth source".to_string()));
                }
                source_keys.extend(keys);
                continue;
            }
            lines.push((keys.join(", "), action.description()));
        }
        if let Some(line) = lines.iter_mut().find(|(k, _)| k.is_empty()) {
            let digits = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"];
            line.0 = if source_keys == digits {
                "1…9, 0".to_string()
            } else {
                source_keys.join(" ")
            };
        }
        let letters: Vec<String> = self
            .library
            .articles
            .iter()
            .filter_map(|a| a.hotkey)
            .filter(|c| self.settings.keymap.action(&Key::char(*c)).is_none())
            .map(String::from)
            .collect();
        if !letters.is_empty() {
            lines.push((letters.join(" "), "Jump to source by its letter".into()));
        }
        lines
    }

    /// Sources whose letter hotkey a keymap binding shadows.
    fn shadowed_hotkeys(library: &Library, keymap: &Keymap) -> Vec<String> {
        library
            .articles
            .iter()
            .filter_map(|a| {
                let c = a.hotkey?;
                let action = keymap.action(&Key::char(c))?;
                Some(format!(
                    "hotkey '{c}' of {} is taken by {action}; use the jump prompt instead",
                    a.file_name
                ))
            })
            .collect()
    }

    /// Handle a key press: overlays first, then the keymap, then the sources' own hotkeys.
    pub fn handle_key(&mut self, key: Key) -> EventState {
        self.message = None;
        let used = match &self.overlay {
            Some(Overlay::Help(_)) => self.handle_help_key(key),
            Some(Overlay::Jump { .. }) => self.handle_jump_key(key),
            Some(Overlay::Prompt { .. }) => self.handle_prompt_key(key),
            Some(Overlay::Results { .. }) | Some(Overlay::Bookmarks(_)) => {
                self.handle_picker_key(key)
            }
            None => EventState::NotConsumed,
        };
        if used == EventState::Consumed {
            return used;
        }
        if let Some(action) = self.settings.keymap.action(&key) {
            update(self, action);
            return EventState::Consumed;
        }
        if let (KeyCode::Char(c), false, false) = (key.code, key.ctrl, key.alt)
            && let Some(index) = self
                .library
                .articles
                .iter()
                .position(|a| a.hotkey == Some(c))
        {
            self.jump_to_source(index);
            return EventState::Consumed;
        }
        self.message = Some(format!(
            "{key} does nothing — press {} for help",
            self.settings.keymap.hint(Action::ToggleHelp)
        ));
        EventState::NotConsumed
    }

    /// Text pasted into the terminal: goes into an open prompt, and is otherwise ignored.
    pub fn handle_paste(&mut self, text: &str) {
        if let Some(Overlay::Prompt { input, .. }) = &mut self.overlay {
            let room = MAX_PROMPT.saturating_sub(input.chars().count());
            input.extend(text.chars().filter(|c| !c.is_control()).take(room));
            self.prompt_changed();
        }
    }

    /// Mouse: the wheel scrolls the pane under the pointer; a click in the list selects.
    pub fn handle_mouse(&mut self, mouse: Mouse) {
        if !self.settings.config.ui.mouse || self.overlay.is_some() {
            return;
        }
        let g = self.geometry;
        let inside = |a: Area, col: u16, row: u16| {
            col >= a.x && col < a.x + a.width && row >= a.y && row < a.y + a.height
        };
        match mouse {
            Mouse::ScrollUp { col, row } | Mouse::ScrollDown { col, row } => {
                let down = matches!(mouse, Mouse::ScrollDown { .. });
                if inside(g.list, col, row) {
                    self.move_selection(if down { 1 } else { -1 });
                } else if inside(g.reader, col, row) {
                    self.scroll_by(if down { WHEEL_LINES } else { -WHEEL_LINES });
                }
            }
            Mouse::Click { col, row } => {
                if inside(g.list, col, row) && row > g.list.y {
                    let index = self.list_top + (row - g.list.y - 1) as usize / 2;
                    if let Some(&article) = self.visible.get(index) {
                        self.select(article);
                    }
                    self.set_focus(Focus::List);
                } else if inside(g.reader, col, row) {
                    self.set_focus(Focus::Reader);
                }
            }
        }
    }

    fn handle_help_key(&mut self, key: Key) -> EventState {
        let Some(Overlay::Help(scroll)) = self.overlay else {
            return EventState::NotConsumed;
        };
        match self.settings.keymap.action(&key) {
            Some(Action::Quit) => EventState::NotConsumed,
            Some(Action::MoveDown) => {
                let max = self.help_lines().len().saturating_sub(1);
                self.overlay = Some(Overlay::Help((scroll + 1).min(max)));
                EventState::Consumed
            }
            Some(Action::MoveUp) => {
                self.overlay = Some(Overlay::Help(scroll.saturating_sub(1)));
                EventState::Consumed
            }
            _ => {
                // Any other key closes the overlay.
                self.overlay = None;
                EventState::Consumed
            }
        }
    }

    fn handle_jump_key(&mut self, key: Key) -> EventState {
        let Some(Overlay::Jump { labels, typed }) = &mut self.overlay else {
            return EventState::NotConsumed;
        };
        match (key.code, key.ctrl || key.alt) {
            (KeyCode::Char(c), false) => {
                typed.push(c);
                match jump::resolve(labels, typed) {
                    jump::Typed::Jump(index) => {
                        self.overlay = None;
                        self.jump_to_source(index);
                    }
                    jump::Typed::Partial => {}
                    jump::Typed::NoMatch => {
                        self.message = Some(format!("No source is labelled '{typed}'"));
                        self.overlay = None;
                    }
                }
            }
            (KeyCode::Backspace, false) if !typed.is_empty() => {
                typed.pop();
            }
            _ => self.overlay = None,
        }
        EventState::Consumed
    }

    /// Prompts are line editors: characters, Backspace, Ctrl-u, Enter, Esc.
    fn handle_prompt_key(&mut self, key: Key) -> EventState {
        let Some(Overlay::Prompt { kind, input }) = &mut self.overlay else {
            return EventState::NotConsumed;
        };
        let kind = *kind;
        match (key.code, key.ctrl, key.alt) {
            (KeyCode::Char('c'), true, _) => {
                self.overlay = None;
                if kind == PromptKind::Filter {
                    self.set_filter(None);
                }
                return EventState::Consumed;
            }
            (KeyCode::Char('u'), true, _) => input.clear(),
            (KeyCode::Char(c), false, false) => {
                if input.chars().count() < MAX_PROMPT {
                    input.push(c);
                }
            }
            (KeyCode::Backspace, _, _) => {
                input.pop();
            }
            (KeyCode::Esc, _, _) => {
                self.overlay = None;
                if kind == PromptKind::Filter {
                    self.set_filter(None);
                }
                return EventState::Consumed;
            }
            (KeyCode::Enter, _, _) => {
                let input = std::mem::take(input);
                self.overlay = None;
                self.submit_prompt(kind, input);
                return EventState::Consumed;
            }
            _ => return EventState::Consumed,
        }
        self.prompt_changed();
        EventState::Consumed
    }

    /// Live feedback while typing: the filter narrows the list as you type.
    fn prompt_changed(&mut self) {
        if let Some(Overlay::Prompt {
            kind: PromptKind::Filter,
            input,
        }) = &self.overlay
        {
            let input = input.clone();
            self.set_filter(Some(input));
        }
    }

    fn submit_prompt(&mut self, kind: PromptKind, input: String) {
        match kind {
            PromptKind::Search => {
                if input.is_empty() {
                    // Like less: an empty search repeats the last one.
                    self.go_to_match(true);
                    return;
                }
                let Some(article) = self.article() else {
                    return;
                };
                self.search = Some(ArticleSearch::new(
                    &input,
                    self.selected,
                    article,
                    self.show_boilerplate,
                ));
                self.go_to_match(true);
            }
            PromptKind::LibrarySearch => {
                let hits = search::search_library(&self.library, &input, self.show_boilerplate);
                if hits.is_empty() {
                    self.message = Some(format!("Not found in the library: {input}"));
                    return;
                }
                self.overlay = Some(Overlay::Results {
                    query: input,
                    picker: Picker {
                        items: hits,
                        selected: 0,
                    },
                });
            }
            PromptKind::Filter => {
                self.set_filter(Some(input));
                if self.visible.is_empty() {
                    self.message = Some("No source matches the filter — Esc clears it".into());
                }
            }
        }
    }

    fn handle_picker_key(&mut self, key: Key) -> EventState {
        let action = self.settings.keymap.action(&key);
        let (len, selected) = match &self.overlay {
            Some(Overlay::Results { picker, .. }) => (picker.items.len(), picker.selected),
            Some(Overlay::Bookmarks(p)) => (p.items.len(), p.selected),
            _ => return EventState::NotConsumed,
        };
        let move_to = |app: &mut App, to: usize| match &mut app.overlay {
            Some(Overlay::Results { picker, .. }) => picker.selected = to,
            Some(Overlay::Bookmarks(p)) => p.selected = to,
            _ => {}
        };
        match (key.code, action) {
            (_, Some(Action::Quit)) => return EventState::NotConsumed,
            (KeyCode::Down, _) | (_, Some(Action::MoveDown)) => {
                move_to(self, (selected + 1).min(len.saturating_sub(1)))
            }
            (KeyCode::Up, _) | (_, Some(Action::MoveUp)) => {
                move_to(self, selected.saturating_sub(1))
            }
            (_, Some(Action::PageDown)) => {
                move_to(self, (selected + 10).min(len.saturating_sub(1)))
            }
            (_, Some(Action::PageUp)) => move_to(self, selected.saturating_sub(10)),
            (KeyCode::Enter, _) => match self.overlay.take() {
                Some(Overlay::Results { query, picker }) => {
                    let hit = picker.items[picker.selected].clone();
                    if let Some(article) = self.library.articles.get(hit.article) {
                        let mut s =
                            ArticleSearch::new(&query, hit.article, article, self.show_boilerplate);
                        s.current = s
                            .matches
                            .iter()
                            .position(|(p, r)| *p == hit.para && r.start == hit.range.start);
                        self.search = Some(s);
                    }
                    self.jump_to_place(hit.article, hit.para, hit.range.start);
                    self.set_focus(Focus::Reader);
                }
                Some(Overlay::Bookmarks(p)) => {
                    let b = p.items[p.selected].clone();
                    self.jump_to_place(b.article, b.position.para, b.position.byte);
                    self.set_focus(Focus::Reader);
                }
                other => self.overlay = other,
            },
            (KeyCode::Char('d'), _) | (KeyCode::Delete, _) => {
                if let Some(Overlay::Bookmarks(p)) = &mut self.overlay
                    && let Some(b) = p.items.get(p.selected).cloned()
                {
                    let key = self.keys[b.article].clone();
                    self.store
                        .article_mut(&key)
                        .bookmarks
                        .retain(|x| x.position != b.position);
                    p.items.remove(p.selected);
                    p.selected = p.selected.min(p.items.len().saturating_sub(1));
                    if p.items.is_empty() {
                        self.overlay = None;
                    }
                    self.message = Some("Bookmark deleted".into());
                    self.save_state();
                }
            }
            _ => self.overlay = None,
        }
        EventState::Consumed
    }

    fn bookmarks(&self) -> Vec<BookmarkEntry> {
        self.keys
            .iter()
            .enumerate()
            .flat_map(|(i, key)| {
                self.store
                    .article(key)
                    .map(|s| s.bookmarks.clone())
                    .unwrap_or_default()
                    .into_iter()
                    .map(move |b| BookmarkEntry {
                        article: i,
                        position: b.position,
                        excerpt: b.excerpt,
                    })
            })
            .collect()
    }

    fn add_bookmark(&mut self) {
        let Some(line) = self.layout.lines.get(self.top).cloned() else {
            return;
        };
        let para_text = self
            .article()
            .and_then(|a| a.paragraphs.get(line.para))
            .map(|p| p.text.clone())
            .unwrap_or_default();
        let excerpt = if line.gap {
            crate::text::truncate(&para_text, 60)
        } else {
            crate::text::truncate(&logical_line(&para_text, &line.line), 60)
        };
        let position = Position {
            para: line.para,
            byte: if line.gap { 0 } else { line.line.src.start },
        };
        let key = self.keys[self.selected].clone();
        let marks = &mut self.store.article_mut(&key).bookmarks;
        if marks.iter().any(|b| b.position == position) {
            self.message = Some("Already bookmarked".into());
            return;
        }
        marks.push(Bookmark {
            position,
            excerpt: excerpt.clone(),
        });
        marks.sort_by_key(|b| (b.position.para, b.position.byte));
        self.message = Some(format!("Bookmarked: {excerpt}"));
        self.save_state();
    }

    fn open_external(&mut self, program: ExternalProgram) {
        if self.served {
            self.message = Some("Opening other programs is disabled on this server".into());
            return;
        }
        let Some(article) = self.article() else {
            return;
        };
        let file = match &article.origin {
            Origin::File(path) => ExternalFile::Path(path.clone()),
            Origin::Embedded => ExternalFile::Text {
                name: article.file_name.clone(),
                text: self.article_text().unwrap_or_default(),
            },
        };
        self.effects.push(Effect::External { program, file });
    }
}

/// Apply an action to the state.
pub fn update(app: &mut App, action: Action) {
    let count = app.library.articles.len();
    let page = app.page() as isize;
    match action {
        Action::Quit => app.exit = Some(Exit::Quit),
        Action::ToggleHelp => {
            app.overlay = match app.overlay {
                Some(Overlay::Help(_)) => None,
                _ => Some(Overlay::Help(0)),
            }
        }
        Action::FocusNext => app.set_focus(match app.focus {
            Focus::List if !app.zoom => Focus::Reader,
            Focus::List => Focus::Reader,
            Focus::Reader if app.zoom => Focus::Reader,
            Focus::Reader => Focus::List,
        }),
        Action::FocusList => {
            if app.zoom {
                app.zoom = false;
            }
            app.set_focus(Focus::List);
            app.relayout();
        }
        Action::FocusReader | Action::Open => app.set_focus(Focus::Reader),
        Action::MoveDown => match app.focus {
            Focus::List => app.move_selection(1),
            Focus::Reader => app.scroll_by(1),
        },
        Action::MoveUp => match app.focus {
            Focus::List => app.move_selection(-1),
            Focus::Reader => app.scroll_by(-1),
        },
        // Keep one line of context when paging, as most readers do.
        Action::PageDown => app.scroll_by((page - 1).max(1)),
        Action::PageUp => app.scroll_by(-(page - 1).max(1)),
        Action::HalfPageDown => app.scroll_by((page / 2).max(1)),
        Action::HalfPageUp => app.scroll_by(-(page / 2).max(1)),
        Action::Top => match app.focus {
            Focus::List => {
                if let Some(&first) = app.visible.first() {
                    app.select(first)
                }
            }
            Focus::Reader => app.scroll_to(0),
        },
        Action::Bottom => match app.focus {
            Focus::List => {
                if let Some(&last) = app.visible.last() {
                    app.select(last)
                }
            }
            Focus::Reader => app.scroll_to(usize::MAX),
        },
        Action::Source(n) => {
            let index = n as usize - 1;
            if index < count {
                app.jump_to_source(index);
            } else {
                app.message = Some(format!("There is no source {n}: the library has {count}"));
            }
        }
        Action::NextSource => app.jump_to_source((app.selected + 1) % count.max(1)),
        Action::PrevSource => app.jump_to_source((app.selected + count.max(1) - 1) % count.max(1)),
        Action::NextSection | Action::PrevSection => {
            match app.section_target(action == Action::NextSection) {
                Some(line) => app.jump_to_line(line),
                None => {
                    app.message = Some(match action {
                        Action::NextSection => "This is the last section".into(),
                        _ => "This is the first section".into(),
                    })
                }
            }
        }
        Action::JumpBack => app.jump_back(),
        Action::JumpPrompt => {
            app.overlay = Some(Overlay::Jump {
                labels: jump::labels(count),
                typed: String::new(),
            })
        }
        Action::ToggleBoilerplate => {
            app.remember_position();
            app.show_boilerplate = !app.show_boilerplate;
            app.relayout();
            app.message = Some(if app.show_boilerplate {
                "Boilerplate shown (dimmed)".into()
            } else {
                "Boilerplate hidden".into()
            });
        }
        Action::Search => {
            let kind = match app.focus {
                Focus::List if !app.zoom => PromptKind::Filter,
                _ => PromptKind::Search,
            };
            let input = match kind {
                PromptKind::Filter => app.filter.clone().unwrap_or_default(),
                _ => String::new(),
            };
            app.overlay = Some(Overlay::Prompt { kind, input });
        }
        Action::Filter => {
            app.overlay = Some(Overlay::Prompt {
                kind: PromptKind::Filter,
                input: app.filter.clone().unwrap_or_default(),
            })
        }
        Action::LibrarySearch => {
            app.overlay = Some(Overlay::Prompt {
                kind: PromptKind::LibrarySearch,
                input: String::new(),
            })
        }
        Action::SearchNext => app.go_to_match(true),
        Action::SearchPrev => app.go_to_match(false),
        Action::Cancel => {
            if app.filter.is_some() {
                app.set_filter(None);
                app.message = Some("Filter cleared".into());
            } else if app.search.is_some() {
                app.search = None;
                app.message = Some("Search cleared".into());
            }
        }
        Action::ToggleRead => {
            let read = !app.is_read(app.selected);
            app.mark_read(app.selected, read);
            app.message = Some(if read { "Marked read" } else { "Marked unread" }.into());
            app.save_state();
        }
        Action::AddBookmark => app.add_bookmark(),
        Action::ListBookmarks => {
            let items = app.bookmarks();
            if items.is_empty() {
                app.message = Some(format!(
                    "No bookmarks yet — press {} to add one",
                    app.settings.keymap.hint(Action::AddBookmark)
                ));
            } else {
                app.overlay = Some(Overlay::Bookmarks(Picker { items, selected: 0 }));
            }
        }
        Action::CopyParagraph | Action::CopyArticle => {
            let (text, what) = if action == Action::CopyParagraph {
                (app.top_paragraph_text(), "paragraph")
            } else {
                (app.article_text(), "article")
            };
            if let Some(text) = text {
                app.message = Some(format!(
                    "Copied the {what} ({} characters) to the clipboard",
                    text.chars().count()
                ));
                app.effects.push(Effect::Clipboard(text));
            }
        }
        Action::OpenEditor => app.open_external(ExternalProgram::Editor),
        Action::OpenPager => app.open_external(ExternalProgram::Pager),
        Action::Suspend => {
            // A served session must never stop the server.
            if app.served {
                app.message = Some("Suspending is disabled on this server".into());
            } else {
                app.effects.push(Effect::Suspend);
            }
        }
        Action::ToggleZoom => {
            app.remember_position();
            app.zoom = !app.zoom;
            if app.zoom {
                app.focus = Focus::Reader;
            }
            app.relayout();
        }
    }
}
