//! The reader's state and how actions change it. Knows nothing of the terminal: front ends turn
//! their input into [`Key`]s and sizes, and widgets borrow the state to draw it.

pub mod action;
pub mod geometry;
pub mod jump;
pub mod keymap;

use std::sync::Arc;

pub use action::Action;
pub use geometry::{Area, Focus, Geometry};
pub use keymap::{Key, KeyCode, Keymap};

use crate::config::Settings;
use crate::library::{Article, Library, ParagraphKind};
use crate::text::document::{Anchor, DocumentLayout, layout_document};
use crate::text::layout::LayoutOptions;

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

/// How many laid-out articles to keep, so switching back and forth does not lay out again.
const LAYOUT_CACHE: usize = 8;

/// How many jumps `jump_back` remembers.
const JUMP_HISTORY: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct LayoutKey {
    article: usize,
    opts: LayoutOptions,
    boilerplate: bool,
}

/// Something drawn over the panes that takes keys first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    /// The help overlay, scrolled this many lines.
    Help(usize),
    /// The jump prompt: every source labelled; what was typed so far.
    Jump { labels: Vec<String>, typed: String },
}

/// One reader: what is open, where, and what is shown over it.
pub struct App {
    pub library: Arc<Library>,
    pub settings: Settings,
    pub focus: Focus,
    /// The article selected in the list, which is the one the reader shows.
    pub selected: usize,
    /// First article shown in the list pane.
    pub list_top: usize,
    /// What is shown over the panes, taking keys first.
    pub overlay: Option<Overlay>,
    /// Whether boilerplate paragraphs are laid out (dimmed) or hidden.
    pub show_boilerplate: bool,
    /// A message for the status line, until the next key.
    pub message: Option<String>,
    pub exit: Option<Exit>,
    /// A served session (over SSH): actions that would start processes or touch files other
    /// than folio's own state are refused with a message.
    pub served: bool,
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
        let mut app = App {
            library,
            settings,
            focus: Focus::List,
            selected: 0,
            list_top: 0,
            overlay: None,
            show_boilerplate: true,
            message,
            exit: None,
            served: false,
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

    pub fn article(&self) -> Option<&Article> {
        self.library.articles.get(self.selected)
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
        if let Some(p) = self.positions.get_mut(self.selected) {
            *p = self.layout.anchor(self.top);
        }
    }

    /// Recompute geometry and layout (from the cache when possible), then put the remembered
    /// position of the open article at the top.
    fn relayout(&mut self) {
        self.geometry = Geometry::compute(self.cols, self.rows, &self.settings.config, self.focus);
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
        self.keep_selection_visible();
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

    /// The paragraph at the top of the reading column.
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
    }

    fn scroll_by(&mut self, delta: isize) {
        self.scroll_to(self.top.saturating_add_signed(delta));
    }

    /// How many articles the list pane shows at once (each takes two rows).
    pub fn list_capacity(&self) -> usize {
        (self.geometry.list.height.saturating_sub(2) as usize / 2).max(1)
    }

    fn keep_selection_visible(&mut self) {
        let cap = self.list_capacity();
        if self.selected < self.list_top {
            self.list_top = self.selected;
        } else if self.selected >= self.list_top + cap {
            self.list_top = self.selected + 1 - cap;
        }
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
            line.0 = source_keys.join(" ");
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
            lines.push((
                letters.join(" "),
                "Jump to the source with that letter".into(),
            ));
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
            Focus::List => Focus::Reader,
            Focus::Reader => Focus::List,
        }),
        Action::FocusList => app.set_focus(Focus::List),
        Action::FocusReader | Action::Open => app.set_focus(Focus::Reader),
        Action::MoveDown => match app.focus {
            Focus::List => app.select((app.selected + 1).min(count.saturating_sub(1))),
            Focus::Reader => app.scroll_by(1),
        },
        Action::MoveUp => match app.focus {
            Focus::List => app.select(app.selected.saturating_sub(1)),
            Focus::Reader => app.scroll_by(-1),
        },
        // Keep one line of context when paging, as less does not but most readers do.
        Action::PageDown => app.scroll_by((page - 1).max(1)),
        Action::PageUp => app.scroll_by(-(page - 1).max(1)),
        Action::HalfPageDown => app.scroll_by((page / 2).max(1)),
        Action::HalfPageUp => app.scroll_by(-(page / 2).max(1)),
        Action::Top => match app.focus {
            Focus::List => app.select(0),
            Focus::Reader => app.scroll_to(0),
        },
        Action::Bottom => match app.focus {
            Focus::List => app.select(count.saturating_sub(1)),
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
    }
}
