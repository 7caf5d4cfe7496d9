//! The reader's state and how actions change it. Knows nothing of the terminal and performs no
//! I/O: front ends turn their input into [`Key`]s, mouse events and sizes, widgets borrow the
//! state to draw it, and what the app wants done outside itself (save, the clipboard, an editor,
//! suspend) it asks for as [`Effect`]s.
//!
//! [`App`] is a small router over per-concern states: the list ([`list`]), the reader
//! ([`reader`]), and what is drawn over them ([`overlay`]), each handling its own keys. Keys
//! become [`Action`]s through the keymap; [`update`] applies an action.

pub mod geometry;
mod list;
pub mod overlay;
mod reader;
pub mod search;

use std::sync::Arc;

pub use crate::keymap::{Action, Context, Key, KeyCode, Keymap};
pub use geometry::{Area, Focus, Geometry};
pub use overlay::jump;
pub use overlay::{BookmarkEntry, Overlay, Picker, PromptKind};
pub use search::{ArticleSearch, Hit};

use crate::config::Settings;
use crate::library::{Article, Library, Origin, ParagraphKind};
use crate::store::{Bookmark, Position, Store};
use crate::text::document::{Anchor, DocumentLayout};
use crate::text::isolate;
use crate::text::layout::{LayoutOptions, logical_line};
use list::List;
use overlay::Outcome;
use reader::Reader;

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
    /// Write reading positions, read marks and bookmarks ([`App::store_mut`]); report a failure
    /// with [`App::save_failed`].
    Save,
    /// Put text on the user's clipboard (OSC 52).
    Clipboard(String),
    /// Open a file in an external program, suspending the reader meanwhile.
    External {
        program: ExternalProgram,
        file: ExternalFile,
    },
    /// Give the terminal back to the shell and stop until resumed (Ctrl-z).
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
    Path(std::path::PathBuf),
    Text { name: String, text: String },
}

/// A mouse event, in screen cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mouse {
    ScrollUp { col: u16, row: u16 },
    ScrollDown { col: u16, row: u16 },
    Click { col: u16, row: u16 },
}

/// What a session may do beyond reading. A served session (over SSH) may not start programs,
/// suspend the server, or keep state on the server's disk: the one place that says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub run_programs: bool,
    pub suspend: bool,
}

impl Policy {
    pub const LOCAL: Policy = Policy {
        run_programs: true,
        suspend: true,
    };
    pub const SERVED: Policy = Policy {
        run_programs: false,
        suspend: false,
    };
}

/// Lines the mouse wheel scrolls.
const WHEEL_LINES: isize = 3;

/// Messages kept for the messages view.
const MESSAGES_KEPT: usize = 500;

/// One reader: what is open, where, and what is shown over it.
pub struct App {
    library: Arc<Library>,
    settings: Settings,
    policy: Policy,
    cols: u16,
    rows: u16,
    geometry: Geometry,
    focus: Focus,
    /// The list pane is hidden and the reader takes the whole width.
    zoom: bool,
    list: List,
    reader: Reader,
    overlay: Option<Overlay>,
    /// A message for the status line, until the next key.
    message: Option<String>,
    /// Every message and warning, oldest first, for the messages view.
    messages: Vec<String>,
    /// Help lines, built once per keymap.
    help: Vec<(String, String)>,
    store: Store,
    effects: Vec<Effect>,
    exit: Option<Exit>,
}

impl App {
    pub fn new(library: Arc<Library>, settings: Settings, cols: u16, rows: u16) -> App {
        let shadowed = shadowed_hotkeys(&library, &settings.keymap);
        let warnings: Vec<String> = settings
            .warnings
            .iter()
            .chain(&library.warnings)
            .chain(&shadowed)
            .cloned()
            .collect();
        let count = library.articles.len();
        let help = help_lines(&library, &settings.keymap);
        let mut app = App {
            list: List::new(count),
            reader: Reader::new(count, settings.config.reader.boilerplate),
            library,
            settings,
            policy: Policy::LOCAL,
            cols,
            rows,
            geometry: Geometry::default(),
            focus: Focus::List,
            zoom: false,
            overlay: None,
            message: None,
            messages: Vec::new(),
            help,
            store: Store::in_memory(),
            effects: Vec::new(),
            exit: None,
        };
        match warnings.len() {
            0 => {}
            1 => app.say(warnings[0].clone()),
            n => {
                app.messages.extend(warnings);
                app.message = Some(format!(
                    "{n} warnings — press {} to read them",
                    app.settings.keymap.hint(Action::ShowMessages)
                ));
            }
        }
        app.relayout();
        app
    }

    /// Decide what this session may do besides reading (a served session: [`Policy::SERVED`]).
    pub fn set_policy(&mut self, policy: Policy) {
        self.policy = policy;
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// Use `store` for reading positions, read marks and bookmarks, and go back to where the
    /// reader was last time. `warning` (e.g. a corrupt state file set aside) is shown once.
    pub fn attach_store(&mut self, store: Store, warning: Option<String>) {
        self.store = store;
        for (i, article) in self.library.articles.iter().enumerate() {
            if let Some(pos) = self.store.article(&article.key).and_then(|s| s.position) {
                self.reader.set_position(
                    i,
                    Anchor {
                        para: pos.para,
                        byte: pos.byte,
                        gap: false,
                    },
                );
            }
        }
        let last = self.store.state.last_open.clone();
        if let Some(i) = last.and_then(|k| self.library.articles.iter().position(|a| a.key == k)) {
            self.list.selected = i;
        }
        if let Some(w) = warning {
            self.say(w);
        }
        self.relayout();
    }

    /// Put where the reader is into the store, to be saved: the front end calls this before
    /// saving for the last time.
    pub fn remember(&mut self) {
        let selected = self.list.selected;
        if let Some(article) = self.library.articles.get(selected) {
            let anchor = self.reader.position(selected);
            let known = self.store.article(&article.key).is_some();
            if known || anchor != Anchor::default() {
                self.store.article_mut(&article.key).position = Some(Position {
                    para: anchor.para,
                    byte: anchor.byte,
                });
            }
            self.store.state.last_open = Some(article.key.clone());
        }
    }

    /// The store, for the front end to save ([`Effect::Save`]).
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Saving failed: say so, and keep the message among the warnings.
    pub fn save_failed(&mut self, error: &std::io::Error) {
        self.say(format!("Could not save reading positions: {error}"));
    }

    /// What the front end should do for the app, in order; taking them empties the queue.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    pub fn effects(&self) -> &[Effect] {
        &self.effects
    }

    fn effect(&mut self, effect: Effect) {
        if effect != Effect::Save || !self.effects.contains(&Effect::Save) {
            self.effects.push(effect);
        }
    }

    pub fn exit(&self) -> Option<Exit> {
        self.exit
    }

    /// The front end was told to stop.
    pub fn terminate(&mut self) {
        self.exit = Some(Exit::Terminated);
    }

    pub fn library(&self) -> &Library {
        &self.library
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn focus(&self) -> Focus {
        self.focus
    }

    pub fn zoom(&self) -> bool {
        self.zoom
    }

    pub fn overlay(&self) -> Option<&Overlay> {
        self.overlay.as_ref()
    }

    /// The status line's message, until the next key.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Every message and warning so far, oldest first.
    pub fn messages(&self) -> &[String] {
        &self.messages
    }

    /// Show a message from the front end (a program that failed, a save that did not work).
    pub fn notify(&mut self, message: String) {
        self.say(message);
    }

    fn say(&mut self, message: String) {
        if self.messages.len() == MESSAGES_KEPT {
            self.messages.remove(0);
        }
        self.messages.push(message.clone());
        self.message = Some(message);
    }

    /// The search in the open article, with its matches.
    pub fn search(&self) -> Option<&ArticleSearch> {
        self.reader.search.as_ref()
    }

    pub fn show_boilerplate(&self) -> bool {
        self.reader.show_boilerplate
    }

    /// The article selected in the list, which is the one the reader shows.
    pub fn selected(&self) -> usize {
        self.list.selected
    }

    pub fn article(&self) -> Option<&Article> {
        self.library.articles.get(self.list.selected)
    }

    /// Articles the list shows, in order (all of them unless filtered).
    pub fn visible(&self) -> &[usize] {
        &self.list.visible
    }

    /// The list filter, when one is set.
    pub fn filter(&self) -> Option<&str> {
        self.list.filter.as_deref()
    }

    /// First row of [`App::visible`] shown in the list pane.
    pub fn list_top(&self) -> usize {
        self.list.top
    }

    /// How many articles the list pane shows at once (each takes two rows).
    pub fn list_capacity(&self) -> usize {
        self.list.capacity()
    }

    /// Whether article `index` has been read.
    pub fn is_read(&self, index: usize) -> bool {
        self.library
            .articles
            .get(index)
            .and_then(|a| self.store.article(&a.key))
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
        self.reader.layout()
    }

    /// Changes whenever the layout shown is replaced (another article, width or mode), so a
    /// front end can tell a scroll of the same text from a new one.
    pub fn layout_epoch(&self) -> u64 {
        self.reader.epoch()
    }

    /// Bytes held by the cache of laid-out articles (the layout shown may be held besides).
    pub fn cached_layout_bytes(&self) -> usize {
        self.reader.cached_bytes()
    }

    /// First line of the layout shown at the top of the reading column.
    pub fn top(&self) -> usize {
        self.reader.top()
    }

    /// How many lines the reading column shows.
    pub fn page(&self) -> usize {
        self.reader.page()
    }

    /// For a large article (laid out a window at a time, its length in lines unknown): how far
    /// through it the bottom of the screen is, as a fraction of its bytes.
    pub fn fraction_read(&self) -> Option<f64> {
        self.reader.fraction_read()
    }

    /// The text of paragraph `para` of the open article (for a large article, `para` is where
    /// the paragraph starts in the file).
    fn paragraph_text(&self, para: usize) -> Option<String> {
        let article = self.article()?;
        match &article.large {
            Some(text) => Some(text.text(&text.paragraph_at(para)).into_owned()),
            None => Some(article.paragraphs.get(para)?.text.clone()),
        }
    }

    /// Lines of the help overlay: each bound action with its keys.
    pub fn help_lines(&self) -> &[(String, String)] {
        &self.help
    }

    pub fn layout_options(&self) -> LayoutOptions {
        let reader = &self.settings.config.reader;
        LayoutOptions {
            width: self.geometry.column.width.max(1) as usize,
            shape: reader.shape,
            bidi: reader.bidi,
        }
    }

    /// The section the top of the reading column is in (index, section), for articles with more
    /// than one.
    pub fn current_section(&self) -> Option<(usize, &crate::library::Section)> {
        self.reader.current_section(self.article()?)
    }

    /// The screen changed size: lay out again, keeping the same place at the top.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        if (cols, rows) != (self.cols, self.rows) {
            self.cols = cols;
            self.rows = rows;
            self.relayout();
        }
    }

    /// Recompute geometry and layout (from the cache when possible), with the open article's
    /// remembered place at the top.
    fn relayout(&mut self) {
        self.geometry = Geometry::compute(
            self.cols,
            self.rows,
            &self.settings.config,
            self.focus,
            !self.zoom,
        );
        let column = self.geometry.column;
        // The reader is hidden (a narrow screen showing the list): lay nothing out.
        let opts = (column.width > 0 && column.height > 0).then(|| self.layout_options());
        let selected = self.list.selected;
        self.reader.show(
            selected,
            self.library.articles.get(selected),
            opts,
            column.height as usize,
        );
        self.list
            .set_capacity(self.geometry.list.height.saturating_sub(2) as usize / 2);
    }

    /// Show article `index` in the reader, where the reader last was in it.
    pub fn select(&mut self, index: usize) {
        if index >= self.library.articles.len() || index == self.list.selected {
            return;
        }
        self.remember();
        self.list.selected = index;
        self.list.keep_selection_visible();
        self.relayout();
        self.effect(Effect::Save);
    }

    /// Jump to another source, remembering where we were.
    pub fn jump_to_source(&mut self, index: usize) {
        if index < self.library.articles.len() && index != self.list.selected {
            self.reader.push_jump();
            self.select(index);
        }
    }

    /// Jump to a line of the open article, remembering where we were.
    fn jump_to_line(&mut self, line: usize) {
        self.reader.push_jump();
        self.scroll_to(line);
    }

    /// Jump to a place in an article, remembering where we were; the place sits a few lines
    /// below the top so its context shows.
    fn jump_to_place(&mut self, article: usize, para: usize, byte: usize) {
        self.reader.push_jump();
        self.select(article);
        let line = self.reader.line_of(para, byte);
        self.scroll_to(line.saturating_sub(self.page() / 4));
    }

    fn jump_back(&mut self) {
        let Some((article, anchor)) = self.reader.pop_jump() else {
            self.say("No earlier place to go back to".into());
            return;
        };
        self.reader.set_position(article, anchor);
        if article != self.list.selected {
            self.remember();
            self.list.selected = article;
            self.list.keep_selection_visible();
            self.effect(Effect::Save);
        }
        self.relayout();
    }

    fn set_focus(&mut self, focus: Focus) {
        if self.focus != focus {
            self.focus = focus;
            // In a narrow screen the focused pane takes the whole width.
            self.relayout();
        }
    }

    fn scroll_to(&mut self, top: usize) {
        if self.reader.scroll_to(top) {
            self.mark_read(self.list.selected, true);
        }
    }

    fn scroll_by(&mut self, delta: isize) {
        self.scroll_to(self.top().saturating_add_signed(delta));
    }

    fn mark_read(&mut self, index: usize, read: bool) {
        let Some(article) = self.library.articles.get(index) else {
            return;
        };
        if self.store.article(&article.key).is_some_and(|s| s.read) != read {
            self.store.article_mut(&article.key).read = read;
            self.effect(Effect::Save);
        }
    }

    /// Move the list selection by `delta` rows of the (possibly filtered) list.
    fn move_selection(&mut self, delta: isize) {
        if let Some(index) = self.list.moved(delta) {
            self.select(index);
        }
    }

    fn set_filter(&mut self, filter: Option<String>) {
        if let Some(first) = self.list.set_filter(&self.library, filter) {
            self.select(first);
        }
        self.list.keep_selection_visible();
    }

    /// The text to copy for the paragraph at the top of the reader: logical order, unshaped.
    fn top_paragraph_text(&self) -> Option<String> {
        self.paragraph_text(self.reader.top_paragraph()?)
    }

    /// The article as logical text, paragraphs separated by blank lines.
    fn article_text(&self) -> Option<String> {
        let article = self.article()?;
        if article.large.is_some() {
            return None;
        }
        Some(
            article
                .paragraphs
                .iter()
                .filter(|p| self.reader.show_boilerplate || p.kind != ParagraphKind::Boilerplate)
                .map(|p| p.text.as_str())
                .collect::<Vec<_>>()
                .join("\n\n"),
        )
    }

    fn go_to_match(&mut self, forward: bool) {
        let Some(search) = &self.reader.search else {
            self.say(format!(
                "No search yet — press {} to search",
                self.settings.keymap.hint(Action::Search)
            ));
            return;
        };
        if search.matches.is_empty() {
            let query = search.query.clone();
            self.say(format!("Pattern not found: {}", isolate(&query)));
            return;
        }
        let n = search.matches.len();
        let top = self.top();
        // The next match after the one shown (or after the top line), wrapping around.
        let line_of = |m: &(usize, std::ops::Range<usize>)| self.reader.line_of(m.0, m.1.start);
        let next = match search.current {
            Some(c) if forward => (c + 1) % n,
            Some(c) => (c + n - 1) % n,
            None if forward => search
                .matches
                .iter()
                .position(|m| line_of(m) >= top)
                .unwrap_or(0),
            None => search
                .matches
                .iter()
                .rposition(|m| line_of(m) < top)
                .unwrap_or(n - 1),
        };
        let wrapped = search
            .current
            .is_some_and(|c| (forward && next < c) || (!forward && next > c));
        let line = line_of(&search.matches[next]);
        if let Some(s) = &mut self.reader.search {
            s.current = Some(next);
        }
        // Only scroll when the match is off screen.
        if line < top || line >= top + self.page() {
            self.jump_to_line(line.saturating_sub(self.page() / 3));
        }
        self.message = Some(format!(
            "Match {}/{n}{}",
            next + 1,
            if wrapped { " (wrapped)" } else { "" }
        ));
    }

    /// Handle a key press: overlays first, then the keymap, then the sources' own hotkeys.
    pub fn handle_key(&mut self, key: Key) -> EventState {
        self.message = None;
        if self.key_to_overlay(key) == EventState::Consumed {
            return EventState::Consumed;
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

    /// Give the key to the overlay, if one is open, and act on what it did.
    fn key_to_overlay(&mut self, key: Key) -> EventState {
        let lines = match &self.overlay {
            Some(Overlay::Help(_)) => self.help.len(),
            Some(Overlay::Messages(_)) => self.messages.len(),
            _ => 0,
        };
        let page = self.overlay_page();
        let Some(overlay) = &mut self.overlay else {
            return EventState::NotConsumed;
        };
        let outcome = overlay.handle_key(key, &self.settings.keymap, lines, page);
        self.act_on(outcome)
    }

    /// Rows an overlay shows at once at the current size (for paging in it).
    fn overlay_page(&self) -> usize {
        (self.rows as usize).saturating_sub(4).max(1)
    }

    fn act_on(&mut self, outcome: Outcome) -> EventState {
        match outcome {
            Outcome::Pass => return EventState::NotConsumed,
            Outcome::Stay => {}
            Outcome::Close => self.overlay = None,
            Outcome::Edited => {
                // Live feedback while typing: the filter narrows the list as you type.
                if let Some(Overlay::Prompt {
                    kind: PromptKind::Filter,
                    input,
                }) = &self.overlay
                {
                    let input = input.clone();
                    self.set_filter(Some(input));
                }
            }
            Outcome::Cancelled(kind) => {
                self.overlay = None;
                if kind == PromptKind::Filter {
                    self.set_filter(None);
                }
            }
            Outcome::Submit(kind, input) => {
                self.overlay = None;
                self.submit_prompt(kind, input);
            }
            Outcome::JumpTo(index) => {
                self.overlay = None;
                self.jump_to_source(index);
            }
            Outcome::NoLabel(typed) => {
                self.overlay = None;
                self.say(format!("No source is labelled {}", isolate(&typed)));
            }
            Outcome::OpenHit { query, hit } => {
                self.overlay = None;
                if let Some(article) = self.library.articles.get(hit.article) {
                    let mut s = ArticleSearch::new(
                        &query,
                        hit.article,
                        article,
                        self.reader.show_boilerplate,
                    );
                    s.current = s
                        .matches
                        .iter()
                        .position(|(p, r)| *p == hit.para && r.start == hit.range.start);
                    self.reader.search = Some(s);
                }
                self.jump_to_place(hit.article, hit.para, hit.range.start);
                self.set_focus(Focus::Reader);
            }
            Outcome::OpenBookmark(b) => {
                self.overlay = None;
                self.jump_to_place(b.article, b.position.para, b.position.byte);
                self.set_focus(Focus::Reader);
            }
            Outcome::DeleteBookmark(b) => {
                if let Some(article) = self.library.articles.get(b.article) {
                    let key = article.key.clone();
                    self.store
                        .article_mut(&key)
                        .bookmarks
                        .retain(|x| x.position != b.position);
                    self.effect(Effect::Save);
                }
                if matches!(&self.overlay, Some(Overlay::Bookmarks(p)) if p.items.is_empty()) {
                    self.overlay = None;
                }
                self.message = Some("Bookmark deleted".into());
            }
        }
        EventState::Consumed
    }

    /// Text pasted into the terminal: goes into an open prompt, and is otherwise ignored.
    pub fn handle_paste(&mut self, text: &str) {
        if let Some(overlay) = &mut self.overlay {
            let outcome = overlay.paste(text);
            self.act_on(outcome);
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
                    if let Some(article) = self.list.at_row((row - g.list.y - 1) as usize / 2) {
                        self.select(article);
                    }
                    self.set_focus(Focus::List);
                } else if inside(g.reader, col, row) {
                    self.set_focus(Focus::Reader);
                }
            }
        }
    }

    fn submit_prompt(&mut self, kind: PromptKind, input: String) {
        match kind {
            PromptKind::Search if self.reader.windowed() => {
                self.say(format!(
                    "Searching articles over {} MiB is not available yet: open it in the pager with {}",
                    crate::library::LARGE_FILE_BYTES >> 20,
                    self.settings.keymap.hint(Action::OpenPager)
                ));
            }
            PromptKind::Search => {
                if input.is_empty() {
                    // Like less: an empty search repeats the last one.
                    self.go_to_match(true);
                    return;
                }
                let Some(article) = self.article() else {
                    return;
                };
                self.reader.search = Some(ArticleSearch::new(
                    &input,
                    self.list.selected,
                    article,
                    self.reader.show_boilerplate,
                ));
                self.go_to_match(true);
            }
            PromptKind::LibrarySearch => {
                let hits =
                    search::search_library(&self.library, &input, self.reader.show_boilerplate);
                if hits.is_empty() {
                    self.say(format!("Not found in the library: {}", isolate(&input)));
                    return;
                }
                self.overlay = Some(Overlay::Results {
                    query: input,
                    picker: Picker::new(hits),
                });
            }
            PromptKind::Filter => {
                self.set_filter(Some(input));
                if self.list.visible.is_empty() {
                    self.message = Some("No source matches the filter — Esc clears it".into());
                }
            }
        }
    }

    fn bookmarks(&self) -> Vec<BookmarkEntry> {
        self.library
            .articles
            .iter()
            .enumerate()
            .flat_map(|(i, article)| {
                self.store
                    .article(&article.key)
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
        let Some(line) = self.layout().lines.get(self.top()).cloned() else {
            return;
        };
        let Some(article) = self.article() else {
            return;
        };
        let key = article.key.clone();
        let para_text = self.paragraph_text(line.para).unwrap_or_default();
        let excerpt = if line.gap {
            crate::text::truncate(&para_text, 60)
        } else {
            crate::text::truncate(&logical_line(&para_text, &line.line), 60)
        };
        let position = Position {
            para: line.para,
            byte: if line.gap { 0 } else { line.line.src.start },
        };
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
        self.message = Some(format!("Bookmarked: {}", isolate(&excerpt)));
        self.effect(Effect::Save);
    }

    fn open_external(&mut self, program: ExternalProgram) {
        if !self.policy.run_programs {
            self.say("Opening other programs is disabled on this server".into());
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
        self.effect(Effect::External { program, file });
    }
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
                isolate(&a.file_name)
            ))
        })
        .collect()
}

/// Lines of the help overlay: each bound action with its keys, the panes' first, then each
/// overlay's under its own heading. The ten source jumps share one line, and the sources' own
/// letter hotkeys get one.
fn help_lines(library: &Library, keymap: &Keymap) -> Vec<(String, String)> {
    let mut lines = Vec::new();
    let mut source_keys: Vec<String> = Vec::new();
    for (action, keys) in keymap.bindings() {
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
    let letters: Vec<String> = library
        .articles
        .iter()
        .filter_map(|a| a.hotkey)
        .filter(|c| keymap.action(&Key::char(*c)).is_none())
        .map(String::from)
        .collect();
    if !letters.is_empty() {
        lines.push((letters.join(" "), "Jump to source by its letter".into()));
    }
    for context in [Context::Picker, Context::Prompt, Context::Jump] {
        let bound: Vec<(String, String)> = keymap
            .bindings_in(context)
            .map(|(action, keys)| {
                let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
                (keys.join(", "), action.description_in(context))
            })
            .collect();
        if !bound.is_empty() {
            lines.push((String::new(), format!("{}:", context.title())));
            lines.extend(bound);
        }
    }
    lines
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
        Action::ShowMessages => {
            if app.messages.is_empty() {
                app.message = Some("No messages".into());
            } else {
                let last = app.messages.len().saturating_sub(app.overlay_page());
                app.overlay = Some(Overlay::Messages(last));
            }
        }
        Action::FocusNext => app.set_focus(match app.focus {
            Focus::List => Focus::Reader,
            Focus::Reader if app.zoom => Focus::Reader,
            Focus::Reader => Focus::List,
        }),
        Action::FocusList => {
            let was_zoomed = std::mem::take(&mut app.zoom);
            if app.focus == Focus::List && was_zoomed {
                app.relayout();
            }
            app.set_focus(Focus::List);
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
                if let Some(&first) = app.list.visible.first() {
                    app.select(first)
                }
            }
            Focus::Reader => app.scroll_to(0),
        },
        Action::Bottom => match app.focus {
            Focus::List => {
                if let Some(&last) = app.list.visible.last() {
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
                app.say(format!("There is no source {n}: the library has {count}"));
            }
        }
        Action::NextSource => app.jump_to_source((app.list.selected + 1) % count.max(1)),
        Action::PrevSource => {
            app.jump_to_source((app.list.selected + count.max(1) - 1) % count.max(1))
        }
        Action::NextSection | Action::PrevSection => {
            let forward = action == Action::NextSection;
            match app
                .article()
                .and_then(|a| app.reader.section_target(a, forward))
            {
                Some(line) => app.jump_to_line(line),
                None => {
                    app.message = Some(if forward {
                        "This is the last section".into()
                    } else {
                        "This is the first section".into()
                    })
                }
            }
        }
        Action::JumpBack => app.jump_back(),
        Action::JumpPrompt => {
            let hotkeys: Vec<Option<char>> =
                app.library.articles.iter().map(|a| a.hotkey).collect();
            app.overlay = Some(Overlay::Jump {
                labels: jump::labels_with_hotkeys(&hotkeys),
                typed: String::new(),
            })
        }
        Action::ToggleBoilerplate => {
            app.reader.show_boilerplate = !app.reader.show_boilerplate;
            app.relayout();
            app.message = Some(if app.reader.show_boilerplate {
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
                PromptKind::Filter => app.list.filter.clone().unwrap_or_default(),
                _ => String::new(),
            };
            app.overlay = Some(Overlay::Prompt { kind, input });
        }
        Action::Filter => {
            app.overlay = Some(Overlay::Prompt {
                kind: PromptKind::Filter,
                input: app.list.filter.clone().unwrap_or_default(),
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
            if app.list.filter.is_some() {
                app.set_filter(None);
                app.message = Some("Filter cleared".into());
            } else if app.reader.search.is_some() {
                app.reader.search = None;
                app.message = Some("Search cleared".into());
            }
        }
        Action::ToggleRead => {
            let read = !app.is_read(app.list.selected);
            app.mark_read(app.list.selected, read);
            app.message = Some(if read { "Marked read" } else { "Marked unread" }.into());
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
                app.overlay = Some(Overlay::Bookmarks(Picker::new(items)));
            }
        }
        Action::CopyParagraph | Action::CopyArticle => {
            let (text, what) = if action == Action::CopyParagraph {
                (app.top_paragraph_text(), "paragraph")
            } else {
                (app.article_text(), "article")
            };
            match text {
                Some(text) => {
                    app.message = Some(format!(
                        "Copied the {what} ({} characters) to the clipboard",
                        text.chars().count()
                    ));
                    app.effect(Effect::Clipboard(text));
                }
                None if app.article().is_some_and(|a| a.large.is_some()) => app.say(
                    "This article is too large to copy whole: copy a paragraph, or open it with e"
                        .into(),
                ),
                None => {}
            }
        }
        Action::OpenEditor => app.open_external(ExternalProgram::Editor),
        Action::OpenPager => app.open_external(ExternalProgram::Pager),
        Action::Suspend => {
            if app.policy.suspend {
                app.effect(Effect::Suspend);
            } else {
                app.say("Suspending is disabled on this server".into());
            }
        }
        Action::ToggleZoom => {
            app.zoom = !app.zoom;
            if app.zoom {
                app.focus = Focus::Reader;
            }
            app.relayout();
        }
        // These name keys of overlays; the panes never see them.
        Action::Choose
        | Action::Delete
        | Action::Submit
        | Action::DeleteBack
        | Action::ClearInput => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::parse_article;

    /// Readers of one library (SSH sessions) at one width hold one layout between them.
    #[test]
    fn readers_of_one_library_share_their_layouts() {
        let library = Arc::new(crate::library::load_seeds());
        let readers: Vec<App> = (0..100)
            .map(|_| App::new(library.clone(), Settings::defaults(), 100, 30))
            .collect();
        let first = readers[0].layout() as *const DocumentLayout;
        assert!(!readers[0].layout().lines.is_empty());
        assert!(readers.iter().all(|r| std::ptr::eq(r.layout(), first)));
        // Another width is another layout; another library of the same names shares nothing.
        let other = App::new(library.clone(), Settings::defaults(), 90, 30);
        assert!(!std::ptr::eq(other.layout(), first));
        let again = App::new(
            Arc::new(crate::library::load_seeds()),
            Settings::defaults(),
            100,
            30,
        );
        assert!(!std::ptr::eq(again.layout(), first));
    }

    /// A resize storm over a large article once kept one layout per width (gigabytes).
    #[test]
    fn the_layout_cache_stays_within_its_byte_budget() {
        let para = "Words of a long article, and some Arabic: مرحبا بالعالم. ".repeat(40);
        let text = vec![para; 100].join("\n\n"); // about 330 KB
        let article = parse_article("big.txt", Origin::Embedded, text.as_bytes());
        let library = Arc::new(Library {
            articles: vec![article],
            warnings: Vec::new(),
        });
        let mut app = App::new(library, Settings::defaults(), 100, 30);
        let one = app.layout().heap_bytes();
        let budget = reader::LAYOUT_CACHE_BYTES;
        // Each width takes a sixth of the budget or more: a dozen widths must evict.
        assert!(one > budget / 6, "the test article is too small: {one}");
        assert!(one < budget / 3, "the test article is too big: {one}");
        for cols in 70..82 {
            app.resize(cols, 30);
            assert!(
                app.cached_layout_bytes() <= budget,
                "{} bytes cached after resizing to {cols}",
                app.cached_layout_bytes()
            );
            assert!(!app.layout().lines.is_empty());
        }
        // Going back to a recent width is still served from the cache.
        let before = app.layout() as *const DocumentLayout;
        app.resize(80, 30);
        app.resize(81, 30);
        assert!(std::ptr::eq(before, app.layout()));
    }
}
