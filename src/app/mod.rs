//! The reader's state and how actions change it. Knows nothing of the terminal and performs no
//! I/O: front ends turn their input into [`Key`]s, mouse events and sizes, widgets borrow the
//! state to draw it, and what the app wants done outside itself (save, the clipboard, an editor,
//! suspend) it asks for as [`Effect`]s.
//!
//! [`App`] is a small router over per-concern states: the list (`list.rs`), the reader
//! (`reader.rs`), and what is drawn over them ([`overlay`]), each handling its own keys. Keys
//! become [`Action`]s through the keymap; [`update`] applies an action.

mod find;
pub mod geometry;
mod help;
pub mod links;
mod list;
pub mod live;
mod marks;
pub mod outline;
pub mod overlay;
mod reader;
pub mod search;
mod update;

use std::sync::Arc;

pub use crate::keymap::{Action, Context, Key, KeyCode, Keymap};
pub use geometry::{Area, Focus, Geometry};
pub use links::LinkEntry;
pub use list::FILTER_OFF_LOOP_FROM;
pub use live::{LibraryChange, Live};
pub use outline::{OutlineEntry, OutlineKind};
pub use overlay::jump;
pub use overlay::{BookmarkEntry, Overlay, Picker, PromptKind};
pub use search::{ArticleSearch, Hit};
pub use update::update;

use crate::config::Settings;
use crate::library::{Article, FillPlan, FillReport, Library, Origin, ParagraphKind};
use crate::store::Store;
use crate::text::document::DocumentLayout;
use crate::text::isolate;
use crate::text::layout::LayoutOptions;
use list::List;
pub use list::ListRow;
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
    /// Do I/O off the loop (read files, query an index); the answer comes back through
    /// [`App::done`], one or more times, as the work goes on.
    Work(Work),
}

/// Work the app asks a front end to do off the loop, because it reads files or takes long.
/// The front end starts it ([`crate::work::start`]) and posts each [`Done`] back as input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Work {
    /// Read the files of a library opened from names ([`crate::library::fill`]): answered by
    /// [`Done::Fill`] batches, then its end.
    FillLibrary(FillPlan),
    /// Read the text of article `index`, a stub: answered by [`Done::Loaded`].
    LoadArticle {
        index: usize,
        path: std::path::PathBuf,
    },
    /// Search the library's files for `query` (the library search, `S`), posting
    /// [`Done::Hits`] of this `generation` as they are found, until `cancel` is set.
    SearchLibrary {
        query: String,
        generation: u64,
        /// Whether boilerplate is searched (it is when shown).
        boilerplate: bool,
        library: Shared<Library>,
        cancel: Cancel,
    },
    /// Answer the list filter off the loop (a large library): answered by [`Done::Filtered`].
    Filter(FilterJob),
    /// Fetch every feed (the fetch key), posting [`Live::Fetching`] as each is done, then the
    /// new items in the feeds' folders as [`Live::Changed`] (those of `library` are known),
    /// then [`Live::Fetched`].
    Fetch {
        feeds: Vec<crate::feeds::Feed>,
        library: Shared<Library>,
    },
}

/// What work off the loop found: applied by [`App::done`] like input, drawn in the next frame.
#[derive(Debug, PartialEq)]
pub enum Done {
    /// Metadata of articles read by [`Work::FillLibrary`], and how far it has got.
    Fill(FillReport),
    /// The text of article `index`, or why it could not be read.
    Loaded {
        index: usize,
        article: Result<Box<Article>, String>,
    },
    /// Library search hits, a batch at a time; the last batch is `finished`. Batches of an
    /// older `generation` (a search since cancelled or replaced) are ignored.
    Hits {
        generation: u64,
        hits: Vec<Hit>,
        finished: bool,
    },
    /// What the list filter keeps for `query` ([`Work::Filter`]), best first; `None` when it
    /// could not be answered off the loop (the loop answers it then). Only the latest
    /// `generation` is taken.
    Filtered {
        generation: u64,
        query: String,
        /// Articles in the library scored.
        count: usize,
        visible: Option<Vec<usize>>,
    },
    /// Something the user should know (the search index had to be built again).
    Notice(String),
    /// The library changed while read (see [`live`]).
    Live(Live),
}

/// A value shared with work off the loop; two are equal when they are the same one.
pub struct Shared<T>(pub Arc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Eq for Shared<T> {}

impl<T> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shared(..)")
    }
}

/// Tells work off the loop that it is no longer wanted.
pub type Cancel = Shared<std::sync::atomic::AtomicBool>;

/// The list filter answered off the loop ([`Work::Filter`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterJob {
    finder: Shared<std::sync::Mutex<search::ArticleFilter>>,
    count: usize,
    query: String,
    generation: u64,
    /// The generation of the latest filter asked for: an older job not started yet is let go.
    latest: Shared<std::sync::atomic::AtomicU64>,
}

impl FilterJob {
    /// Score the library for the query: what the loop takes, unless a later key has made
    /// this job stale.
    pub fn run(self) -> Option<Done> {
        use std::sync::atomic::Ordering;
        if self.latest.0.load(Ordering::SeqCst) != self.generation {
            return None;
        }
        let visible = self
            .finder
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .filter_prepared(self.count, &self.query);
        Some(Done::Filtered {
            generation: self.generation,
            query: self.query,
            count: self.count,
            visible,
        })
    }
}

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// The library search under way, whose hits the results overlay is waiting for.
#[derive(Debug)]
struct Searching {
    generation: u64,
    cancel: Cancel,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExternalProgram {
    Editor,
    Pager,
    /// `$BROWSER`, for a link's address.
    Browser,
}

/// What to open: a file on disk, (for built-in seeds) text to put in a temporary file, or (for
/// the browser) a link's address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExternalFile {
    Path(std::path::PathBuf),
    Text { name: String, text: String },
    Url(String),
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

/// Bytes of text of articles read on demand (stubs opened) kept in memory besides the one
/// open: memory follows what is read, not the size of the library.
pub const BODY_BYTES: usize = 16 << 20;
/// Bodies kept besides the one open, whatever their size (a mapped file holds a descriptor).
const BODIES_KEPT: usize = 32;

/// While the filter is set, it is run again on every this many batches of a library's fill
/// (every second or so), and at its end: each run scores the whole library.
const FILTER_EVERY_BATCHES: usize = 20;
/// What the status line says when the filter keeps nothing.
const NO_MATCH: &str = "No source matches the filter — Esc clears it";

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
    /// The open article's headings, found when it is shown.
    headings: outline::Headings,
    store: Store,
    effects: Vec<Effect>,
    exit: Option<Exit>,
    /// How far the library's fill has got (files checked, files), while it runs.
    fill: Option<(usize, usize)>,
    /// Batches of the fill merged so far.
    fill_batches: usize,
    /// Stubs whose text has been asked for and has not come yet.
    requested: Vec<usize>,
    /// Stubs whose text came and is kept, least recently opened first.
    bodies: Vec<usize>,
    /// The library search under way, if any.
    searching: Option<Searching>,
    /// The generation of the latest library search started.
    search_generation: u64,
    /// The generation of the latest filter asked for, and where work off the loop sees it.
    filter_generation: Shared<std::sync::atomic::AtomicU64>,
    /// Unread articles of each source, kept as read marks change.
    unread: Vec<usize>,
    /// Changes to the library while it is read (see [`live`]).
    live: live::LiveState,
}

impl App {
    pub fn new(mut library: Arc<Library>, settings: Settings, cols: u16, rows: u16) -> App {
        if !library.sources_consistent() {
            Arc::make_mut(&mut library).ensure_sources();
        }
        let shadowed = help::shadowed_hotkeys(&library, &settings.keymap);
        let warnings: Vec<String> = settings
            .warnings
            .iter()
            .chain(&library.warnings)
            .chain(&shadowed)
            .cloned()
            .collect();
        let count = library.articles.len();
        let help = help::help_lines(&library, &settings.keymap);
        let mut app = App {
            list: List::new(&library),
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
            headings: outline::Headings::default(),
            store: Store::in_memory(),
            effects: Vec::new(),
            exit: None,
            fill: None,
            fill_batches: 0,
            requested: Vec::new(),
            bodies: Vec::new(),
            searching: None,
            search_generation: 0,
            filter_generation: Shared(Arc::new(std::sync::atomic::AtomicU64::new(0))),
            unread: Vec::new(),
            live: live::LiveState::default(),
        };
        app.recount_unread();
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

    /// Apply what work off the loop found (see [`Work`]).
    pub fn done(&mut self, done: Done) {
        match done {
            Done::Fill(FillReport::Batch {
                articles,
                done,
                total,
                ..
            }) => {
                // A fill given up (a whole new library came meanwhile) names articles gone.
                if self.fill.is_none() {
                    return;
                }
                self.fill = Some((done, total));
                if articles.is_empty() {
                    return;
                }
                let library = Arc::make_mut(&mut self.library);
                for (index, fresh) in articles {
                    if let Some(article) = library.articles.get_mut(index) {
                        article.take_meta(fresh);
                    }
                }
                self.fill_batches += 1;
                if self.fill_batches.is_multiple_of(FILTER_EVERY_BATCHES) {
                    self.refresh_filter();
                }
            }
            Done::Fill(FillReport::Stubs { .. }) if self.fill.is_none() => {}
            Done::Fill(FillReport::Stubs { at, articles }) => self.insert_stubs(at, articles),
            Done::Fill(FillReport::Finished { .. }) if self.fill.is_none() => {}
            Done::Fill(FillReport::Finished { warnings }) => {
                self.fill = None;
                self.reorder_sources();
                self.refresh_filter();
                self.warn_all(warnings);
                self.take_queued_changes();
            }
            Done::Loaded { index, article } => {
                // The library may have moved since the read was asked for.
                let index = match &article {
                    Ok(loaded) => match self.loaded_index(index, &loaded.origin) {
                        Some(index) => index,
                        None => return,
                    },
                    Err(_) => index,
                };
                self.requested.retain(|&i| i != index);
                match article {
                    Ok(loaded) => {
                        let library = Arc::make_mut(&mut self.library);
                        let Some(stub) = library.articles.get_mut(index) else {
                            return;
                        };
                        if stub.is_loaded() {
                            return;
                        }
                        stub.take_body(*loaded);
                        if self.headings.article == Some(index) {
                            // The outline of a stub was empty: it is known now.
                            self.headings = outline::Headings::of(index, Some(stub));
                        }
                        self.bodies.retain(|&i| i != index);
                        self.bodies.push(index);
                        self.keep_bodies_within_budget();
                        if index == self.list.selected {
                            self.relayout();
                        }
                    }
                    Err(why) if index == self.list.selected => self.say(why),
                    Err(why) => self.messages.push(why),
                }
            }
            Done::Filtered {
                generation,
                query,
                count,
                visible,
            } => {
                // Scored for a library of another size (the fill's stubs came): not these.
                let visible = visible.filter(|_| count == self.library.articles.len());
                self.filtered(generation, query, visible);
            }
            Done::Hits {
                generation,
                hits,
                finished,
            } => self.library_hits(generation, hits, finished),
            Done::Notice(message) => self.say(message),
            Done::Live(live) => self.live(live),
        }
    }

    /// Read the files of a library opened from names, in the background (see [`Work`]).
    pub fn fill_library(&mut self, plan: FillPlan) {
        if !plan.is_empty() {
            self.fill = Some((0, plan.len()));
            self.effect(Effect::Work(Work::FillLibrary(plan)));
        }
    }

    /// While the library's files are being read: how many are checked, of how many.
    pub fn fill_progress(&self) -> Option<(usize, usize)> {
        self.fill
    }

    /// Show warnings: one on the status line, more as a count pointing to the messages view.
    fn warn_all(&mut self, warnings: Vec<String>) {
        match warnings.len() {
            0 => {}
            1 => self.say(warnings[0].clone()),
            n => {
                for w in warnings {
                    if self.messages.len() == MESSAGES_KEPT {
                        self.messages.remove(0);
                    }
                    self.messages.push(w);
                }
                self.message = Some(format!(
                    "{n} warnings — press {} to read them",
                    self.settings.keymap.hint(Action::ShowMessages)
                ));
            }
        }
    }

    /// The open article is a stub: ask for its text (once).
    fn request_body(&mut self) {
        let index = self.list.selected;
        let Some(article) = self.library.articles.get(index) else {
            return;
        };
        if article.is_loaded() || self.requested.contains(&index) {
            return;
        }
        if let Origin::File(path) = &article.origin {
            let path = path.clone();
            self.requested.push(index);
            self.effect(Effect::Work(Work::LoadArticle { index, path }));
        }
    }

    /// Let go of the text of stubs read earlier, least recently opened first, until what is
    /// kept fits [`BODY_BYTES`] and [`BODIES_KEPT`]; the open article keeps its text.
    fn keep_bodies_within_budget(&mut self) {
        let open = self.list.selected;
        let bytes =
            |app: &App, i: usize| app.library.articles.get(i).map_or(0, Article::text_bytes);
        let mut total: usize = self
            .bodies
            .iter()
            .filter(|&&i| i != open)
            .map(|&i| bytes(self, i))
            .sum();
        let mut kept = self.bodies.iter().filter(|&&i| i != open).count();
        while total > BODY_BYTES || kept > BODIES_KEPT {
            let Some(pos) = self.bodies.iter().position(|&i| i != open) else {
                break;
            };
            let index = self.bodies.remove(pos);
            total -= bytes(self, index);
            kept -= 1;
            if let Some(article) = Arc::make_mut(&mut self.library).articles.get_mut(index) {
                article.unload();
            }
        }
    }

    /// Run the filter again over metadata that changed, keeping the selection.
    fn refresh_filter(&mut self) {
        self.list.refresh(&self.library);
        self.keep_cursor_visible();
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

    /// The row of [`App::list_rows`] the cursor is on; none when the selected article is
    /// filtered out.
    pub fn list_cursor(&self) -> Option<usize> {
        self.list.cursor(&self.library)
    }

    /// The list pane's rows: source headers and articles, in order.
    pub fn list_rows(&self) -> &[ListRow] {
        &self.list.rows
    }

    /// The list filter, when one is set.
    pub fn filter(&self) -> Option<&str> {
        self.list.filter.as_deref()
    }

    /// First of [`App::list_rows`] shown in the list pane.
    pub fn list_top(&self) -> usize {
        self.list.top
    }

    /// How many rows the list pane shows at once (each takes two lines).
    pub fn list_capacity(&self) -> usize {
        self.list.capacity()
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

    /// The heading the top of the reading column is under (its paragraph and level), if any.
    pub fn current_heading(&self) -> Option<(usize, u8)> {
        self.headings.current(self.reader.top_paragraph()?)
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
        self.keep_cursor_visible();
        self.request_body();
        if self.headings.article != Some(selected) {
            self.headings = outline::Headings::of(selected, self.library.articles.get(selected));
        }
    }

    /// Show article `index` in the reader, where the reader last was in it.
    pub fn select(&mut self, index: usize) {
        if index >= self.library.articles.len() || index == self.list.selected {
            return;
        }
        self.remember();
        self.list.selected = index;
        self.keep_cursor_visible();
        self.relayout();
        self.effect(Effect::Save);
    }

    /// Jump to another article, remembering where we were.
    pub fn jump_to_article(&mut self, index: usize) {
        if index < self.library.articles.len() && index != self.list.selected {
            self.reader.push_jump();
            self.select(index);
        }
    }

    /// Jump to source `source`: unfold it and open its first unread article shown (its first
    /// article shown when all are read), remembering where we were. A source with no articles
    /// says why.
    pub fn jump_to_source(&mut self, source: usize) {
        let Some(s) = self.library.sources.get(source) else {
            return;
        };
        let range = s.articles.clone();
        if range.is_empty() {
            let why = s.note.clone().unwrap_or_else(|| "no articles".into());
            let name = isolate(&s.name);
            self.say(format!("{name} has no articles: {why}"));
            return;
        }
        let mut candidates: Vec<usize> = if self.list.filter.is_some() {
            self.list
                .visible
                .iter()
                .copied()
                .filter(|i| range.contains(i))
                .collect()
        } else {
            range.clone().collect()
        };
        if candidates.is_empty() {
            // The filter hides the whole source: it is cleared, so the article opened shows.
            self.set_filter(None);
            self.message = Some("Filter cleared to show the source".into());
            candidates = range.collect();
        }
        let target = candidates
            .iter()
            .copied()
            .find(|&i| !self.is_read(i))
            .unwrap_or(candidates[0]);
        if self.list.folded.get(source) == Some(&true) {
            self.list.set_folded(&self.library, source, false);
        }
        self.jump_to_article(target);
        self.keep_cursor_visible();
    }

    /// The next (or previous) source after the selected article's, round the library, that
    /// has an article shown; `None` when no other has.
    pub(super) fn next_source(&self, forward: bool) -> Option<usize> {
        let count = self.library.sources.len();
        let here = self.selected_source().unwrap_or(0);
        let filtered = self.list.filter.is_some();
        let has_articles = |s: usize| {
            let range = &self.library.sources[s].articles;
            if filtered {
                self.list.visible.iter().any(|i| range.contains(i))
            } else {
                !range.is_empty()
            }
        };
        (1..count)
            .map(|k| {
                if forward {
                    (here + k) % count
                } else {
                    (here + count - k) % count
                }
            })
            .find(|&s| has_articles(s))
    }

    /// The source of the article under the cursor.
    pub fn selected_source(&self) -> Option<usize> {
        self.article().map(|a| a.source)
    }

    /// Keep the cursor's row (the selected article, or its folded source) in the list pane.
    fn keep_cursor_visible(&mut self) {
        if let Some(row) = self.list.cursor(&self.library) {
            self.list.keep_row_visible(row);
        }
    }

    /// Fold the selected article's source, or unfold it. A source shown as its article alone
    /// does not fold.
    pub(super) fn toggle_fold(&mut self) {
        let Some(source) = self.selected_source() else {
            return;
        };
        let Some(s) = self.library.sources.get(source) else {
            return;
        };
        if !s.is_group() {
            self.message = Some("This source is one article; it does not fold".into());
            return;
        }
        let fold = !self.list.folded.get(source).copied().unwrap_or(false);
        self.list.set_folded(&self.library, source, fold);
        self.keep_cursor_visible();
    }

    /// Mark every article of the selected article's source read.
    pub(super) fn mark_source_read(&mut self) {
        let Some(source) = self.selected_source() else {
            return;
        };
        let Some(s) = self.library.sources.get(source) else {
            return;
        };
        let (range, name) = (s.articles.clone(), isolate(&s.name));
        let marked = range.clone().filter(|&i| !self.is_read(i)).count();
        for i in range {
            self.mark_read(i, true);
        }
        self.message = Some(match marked {
            0 => format!("{name}: everything was read already"),
            1 => format!("{name}: marked 1 article read"),
            n => format!("{name}: marked {n} articles read"),
        });
    }

    /// Unread articles in source `source`.
    pub fn source_unread(&self, source: usize) -> usize {
        self.unread.get(source).copied().unwrap_or(0)
    }

    /// Whether source `source` is folded in the list.
    pub fn is_folded(&self, source: usize) -> bool {
        self.list.folded.get(source).copied().unwrap_or(false)
    }

    /// The library was replaced in place (a folder watched, a feed fetched): whoever swaps
    /// `Arc<Library>` calls this so the list follows — its sources made whole, the filter run
    /// again, the rows built again (folds are kept by source name), the unread counts taken
    /// again. Article indexes held elsewhere (the reader's places, the selection) are the
    /// caller's to map.
    pub fn sources_replaced(&mut self, folded_names: &[String]) {
        if !self.library.sources_consistent() {
            Arc::make_mut(&mut self.library).ensure_sources();
        }
        self.list.folded = self
            .library
            .sources
            .iter()
            .map(|s| folded_names.contains(&s.name))
            .collect();
        if self.list.filter.is_none() {
            self.list.visible = (0..self.library.articles.len()).collect();
        }
        self.list.refresh(&self.library);
        self.list.build_rows(&self.library);
        self.recount_unread();
        self.keep_cursor_visible();
    }

    /// The names of the sources folded in the list, to keep them folded over a
    /// [`App::sources_replaced`].
    pub fn folded_names(&self) -> Vec<String> {
        self.library
            .sources
            .iter()
            .enumerate()
            .filter(|&(s, _)| self.is_folded(s))
            .map(|(_, source)| source.name.clone())
            .collect()
    }

    /// Count each source's unread articles again (the store or the library changed).
    pub(super) fn recount_unread(&mut self) {
        self.unread = self
            .library
            .sources
            .iter()
            .map(|s| s.articles.clone().filter(|&i| !self.is_read(i)).count())
            .collect();
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
        if self.reader.go_to(para, byte, self.page() / 4) {
            self.mark_read(self.list.selected, true);
        }
    }

    /// The line of the next (`forward`) or previous heading from the top of the reading column.
    fn heading_target(&self, forward: bool) -> Option<usize> {
        let here = self.reader.top_paragraph()?;
        let top = self.top();
        let lines = &self.layout().lines;
        // A paragraph's first line, found by bisection: lines are in paragraph order.
        let first_line = |para: usize| {
            let i = lines.partition_point(|l| l.para < para);
            (i..lines.len())
                .take_while(|&i| lines[i].para == para)
                .find(|&i| !lines[i].gap)
        };
        let list = &self.headings.list;
        let at = list.partition_point(|(p, _)| *p < here);
        if forward {
            list[at..]
                .iter()
                .filter_map(|&(p, _)| first_line(p))
                .find(|&line| line > top)
        } else {
            list[..(at + 1).min(list.len())]
                .iter()
                .rev()
                .filter_map(|&(p, _)| first_line(p))
                .find(|&line| line < top)
        }
    }

    /// Jump to paragraph `para` of the open article, put at the top, remembering where we were.
    fn jump_to_para(&mut self, para: usize) {
        self.reader.push_jump();
        if self.reader.go_to(para, 0, 0) {
            self.mark_read(self.list.selected, true);
        }
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
            self.keep_cursor_visible();
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

    /// Move the list selection by `delta` rows of the (possibly filtered) list.
    fn move_selection(&mut self, delta: isize) {
        if let Some(index) = self.list.moved(&self.library, delta) {
            self.select(index);
        }
    }

    /// Set the list filter; whether it was answered now (not off the loop).
    fn set_filter(&mut self, filter: Option<String>) -> bool {
        use std::sync::atomic::Ordering;
        // Any answer still coming is for an older query.
        let generation = self.filter_generation.0.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(query) = filter.as_ref().filter(|q| !q.trim().is_empty())
            && let Some(finder) = self.list.off_loop_finder(&self.library)
        {
            self.effect(Effect::Work(Work::Filter(FilterJob {
                finder: Shared(finder),
                count: self.library.articles.len(),
                query: query.clone(),
                generation,
                latest: self.filter_generation.clone(),
            })));
            return false;
        }
        if let Some(first) = self.list.set_filter(&self.library, filter) {
            self.select(first);
        }
        self.keep_cursor_visible();
        true
    }

    /// The filter's answer came from off the loop ([`Done::Filtered`]).
    fn filtered(&mut self, generation: u64, query: String, visible: Option<Vec<usize>>) {
        use std::sync::atomic::Ordering;
        if generation != self.filter_generation.0.load(Ordering::SeqCst) {
            return;
        }
        let first = match visible {
            Some(visible) => self.list.filtered(&self.library, Some(query), visible),
            None => self.list.set_filter(&self.library, Some(query)),
        };
        if let Some(first) = first {
            self.select(first);
        }
        self.keep_cursor_visible();
        if self.list.visible.is_empty() {
            self.message = Some(NO_MATCH.into());
        }
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

    /// Handle a key press: overlays first, then the keymap, then the sources' own hotkeys.
    pub fn handle_key(&mut self, key: Key) -> EventState {
        let state = self.handle_key_here(key);
        self.settle_orphan();
        state
    }

    fn handle_key_here(&mut self, key: Key) -> EventState {
        self.message = None;
        if self.key_to_overlay(key) == EventState::Consumed {
            return EventState::Consumed;
        }
        if let Some(action) = self.settings.keymap.action(&key) {
            update(self, action);
            return EventState::Consumed;
        }
        if let (KeyCode::Char(c), false, false) = (key.code, key.ctrl, key.alt)
            && let Some(source) = self
                .library
                .sources
                .iter()
                .position(|s| s.hotkey == Some(c))
        {
            self.jump_to_source(source);
            return EventState::Consumed;
        }
        // An article's own hotkey inside an outlet of a manifest, which its source does not take.
        if let (KeyCode::Char(c), false, false) = (key.code, key.ctrl, key.alt)
            && let Some(index) = self
                .library
                .articles
                .iter()
                .position(|a| a.hotkey == Some(c))
        {
            self.jump_to_article(index);
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
            Outcome::Close => {
                self.overlay = None;
                self.stop_library_search();
            }
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
                self.stop_library_search();
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
            Outcome::FollowLink(link) => {
                self.overlay = None;
                self.follow_link(&link);
            }
            Outcome::CopyLink(link) => {
                self.overlay = None;
                self.copy_link(&link);
            }
            Outcome::BrowseLink(link) => {
                self.overlay = None;
                self.browse_link(&link);
            }
            Outcome::OpenOutline(entry) => {
                self.overlay = None;
                self.jump_to_para(entry.para);
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
        self.mouse_here(mouse);
        self.settle_orphan();
    }

    fn mouse_here(&mut self, mouse: Mouse) {
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
                    match self.list.at_row((row - g.list.y - 1) as usize / 2) {
                        Some(ListRow::Article(article)) => self.select(article),
                        Some(ListRow::Source(source)) => self.jump_to_source(source),
                        None => {}
                    }
                    self.set_focus(Focus::List);
                } else if inside(g.reader, col, row) {
                    self.set_focus(Focus::Reader);
                }
            }
        }
    }

    /// Follow a link: another article of the library opens in the reader (`Backspace` comes
    /// back), a place in this article is jumped to, an address goes to the browser — or, where
    /// no program may run, to the clipboard.
    fn follow_link(&mut self, link: &LinkEntry) {
        let Some(article) = self.article() else {
            return;
        };
        if let Some(path) = links::local_path(article, &link.url) {
            match links::article_at(&self.library, &path) {
                Some(index) => {
                    let fragment = link.url.split_once('#').map(|(_, f)| format!("#{f}"));
                    self.jump_to_place(index, 0, 0);
                    self.set_focus(Focus::Reader);
                    if let Some(para) = fragment.and_then(|f| self.heading_for(&f)) {
                        self.reader.go_to(para, 0, 0);
                    }
                }
                None => self.say(format!(
                    "{} is not an article in the library — {} copies its address",
                    isolate(&crate::text::sanitize::printable(&link.url)),
                    self.settings
                        .keymap
                        .hint_in(Context::Picker, Action::CopyLink)
                )),
            }
        } else if links::fragment(&link.url).is_some() {
            match self.heading_for(&link.url) {
                Some(para) => {
                    self.jump_to_para(para);
                    self.set_focus(Focus::Reader);
                }
                None => self.say(format!(
                    "No heading here is called {}",
                    isolate(&crate::text::sanitize::printable(&link.url))
                )),
            }
        } else if self.policy.run_programs && links::browsable(&link.url) {
            self.browse_link(link);
        } else {
            self.copy_link(link);
        }
    }

    /// The heading of the open article that a `#fragment` names (by its slug).
    fn heading_for(&self, url: &str) -> Option<usize> {
        let want = links::fragment(url)?;
        let article = self.article()?;
        self.headings
            .list
            .iter()
            .map(|&(para, _)| para)
            .find(|&para| {
                article
                    .paragraphs
                    .get(para)
                    .is_some_and(|p| links::slug(&p.text) == want.to_lowercase())
            })
    }

    fn copy_link(&mut self, link: &LinkEntry) {
        self.message = Some(format!(
            "Copied link {} ({} characters) to the clipboard",
            link.index + 1,
            link.url.chars().count()
        ));
        self.effect(Effect::Clipboard(link.url.clone()));
    }

    fn browse_link(&mut self, link: &LinkEntry) {
        let copy = self
            .settings
            .keymap
            .hint_in(Context::Picker, Action::CopyLink);
        if !self.policy.run_programs {
            self.say(format!(
                "Opening a browser is disabled on this server — {copy} copies the link"
            ));
        } else if !links::browsable(&link.url) {
            self.say(format!(
                "{} is not a web address — {copy} copies it",
                isolate(&crate::text::sanitize::printable(&link.url))
            ));
        } else {
            self.effect(Effect::External {
                program: ExternalProgram::Browser,
                file: ExternalFile::Url(link.url.clone()),
            });
        }
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

#[cfg(test)]
mod tests;
