//! The terminal side: modes we set and always undo, and the event loop.
//!
//! The loop takes its input events and its output (a [`Painter`] over any writer) from the
//! front end, so the local terminal and a network front end drive the same app state.

pub mod hyperlink;
pub mod local;
pub mod modes;
pub mod painter;

use std::io::{self, Write};
use std::sync::mpsc::Receiver;

use ratatui::widgets::Widget;

pub use painter::{Painter, Scroll};

use crate::app::{Action, App, Effect, Exit, ExternalFile, ExternalProgram, Key, Mouse};
use crate::ui::{Screen, Theme};
pub use crate::work::Poster;

/// What a front end feeds the loop.
#[derive(Debug, PartialEq)]
pub enum Input {
    Key(Key),
    /// The screen is now this many columns and rows.
    Resize(u16, u16),
    Mouse(Mouse),
    /// Text pasted with bracketed paste.
    Paste(String),
    /// Suspend as Ctrl-z does (SIGTSTP from outside).
    Suspend,
    /// Stop: a signal, or the connection went away.
    Terminate,
    /// Work off the loop found something (see [`crate::app::Work`]).
    Done(crate::app::Done),
}

/// Most a clipboard copy sends: terminals cap OSC 52 payloads, and a runaway copy should not
/// flood a slow link.
pub const MAX_CLIPBOARD: usize = 1 << 20;

/// The OSC 52 sequence that puts `text` on the terminal's clipboard.
pub fn osc52(text: &str) -> String {
    use base64::Engine;
    let mut end = text.len().min(MAX_CLIPBOARD);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(&text.as_bytes()[..end]);
    format!("\x1b]52;c;{encoded}\x07")
}

/// What only a front end can do for the loop: the effects outside the screen it draws on.
pub trait FrontEnd {
    /// Give the terminal to `program` on `file` until it exits. Returns a message for the status
    /// line when that did not go well.
    fn open(&mut self, program: ExternalProgram, file: &ExternalFile) -> Option<String>;
    /// Give the terminal back to the shell and stop until resumed.
    fn suspend(&mut self) -> Resumed;
    /// Where work off the loop posts what it finds: the loop's own input.
    fn poster(&self) -> Poster;
    /// The first frame is out: start what can wait for it (watching the folders being read).
    fn started(&mut self) {}
}

/// How [`FrontEnd::suspend`] came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resumed {
    /// The terminal is ours again, and everything on it must be drawn again.
    Redraw,
    /// Not suspended, for this reason.
    Refused(String),
    /// Told to end while stopped; the terminal was left to the shell.
    Ended,
}

/// A front end that starts no programs and never stops its process (a network front end).
struct Confined {
    post: Poster,
}

impl FrontEnd for Confined {
    fn open(&mut self, _: ExternalProgram, _: &ExternalFile) -> Option<String> {
        Some("Opening other programs is not available here".into())
    }

    fn suspend(&mut self) -> Resumed {
        Resumed::Refused("Suspending is not available here".into())
    }

    fn poster(&self) -> Poster {
        self.post.clone()
    }
}

/// Draw one frame. `scroll` says which rows moved since the last frame, if only they did.
pub fn draw<W: Write>(
    painter: &mut Painter<W>,
    app: &App,
    theme: &Theme,
    scroll: Option<Scroll>,
) -> io::Result<()> {
    let links = if painter.hyperlinks() {
        hyperlink::regions(app)
    } else {
        Vec::new()
    };
    painter.draw_linked(scroll, &links, |buf| {
        let area = buf.area;
        Screen { app, theme }.render(area, buf)
    })
}

/// Apply one input to the app.
fn apply<W: Write>(painter: &mut Painter<W>, app: &mut App, input: Input) {
    match input {
        Input::Key(key) => {
            app.handle_key(key);
        }
        Input::Resize(cols, rows) => {
            #[cfg(test)]
            tests::RESIZES_APPLIED.with(|n| n.set(n.get() + 1));
            painter.resize(cols, rows);
            app.resize(cols, rows);
        }
        Input::Mouse(mouse) => app.handle_mouse(mouse),
        Input::Paste(text) => app.handle_paste(&text),
        Input::Suspend => crate::app::update(app, Action::Suspend),
        Input::Terminate => app.terminate(),
        Input::Done(done) => app.done(done),
    }
}

/// Apply `first` and then whatever input is already waiting, until the app wants to stop.
///
/// Of consecutive resizes only the last reaches the app: dragging a window sends dozens, and
/// each would lay the article out again at a size that is gone before it is drawn.
fn apply_batch<W: Write>(
    painter: &mut Painter<W>,
    app: &mut App,
    first: Input,
    input: &Receiver<Input>,
) {
    let mut size = None;
    let mut next = Some(first);
    while let Some(item) = next {
        match item {
            Input::Resize(cols, rows) => size = Some((cols, rows)),
            other => {
                if let Some((cols, rows)) = size.take() {
                    apply(painter, app, Input::Resize(cols, rows));
                }
                apply(painter, app, other);
                if app.exit().is_some() {
                    return;
                }
            }
        }
        next = input.try_recv().ok();
    }
    if let Some((cols, rows)) = size {
        apply(painter, app, Input::Resize(cols, rows));
    }
}

/// Carry out what the app asked for, once per batch of input. Returns whether the store is to
/// be saved: that waits until the frame is drawn (see [`save`]).
fn perform<W: Write>(
    painter: &mut Painter<W>,
    app: &mut App,
    front: &mut dyn FrontEnd,
) -> io::Result<bool> {
    let mut suspended = false;
    let mut save = false;
    for effect in app.take_effects() {
        match effect {
            Effect::Save => save = true,
            Effect::Clipboard(text) => {
                painter.writer().write_all(osc52(&text).as_bytes())?;
                painter.writer().flush()?;
            }
            Effect::External { program, file } => {
                painter.writer().flush()?;
                if let Some(message) = front.open(program, &file) {
                    app.notify(message);
                }
                // The other program drew over us: draw everything again.
                painter.invalidate();
            }
            Effect::Work(work) => crate::work::start(work, front.poster()),
            // Asked twice before the first took effect (Ctrl-z and SIGTSTP): stop once.
            Effect::Suspend if suspended => {}
            Effect::Suspend => {
                suspended = true;
                painter.writer().flush()?;
                match front.suspend() {
                    // The shell drew over us.
                    Resumed::Redraw => painter.invalidate(),
                    Resumed::Refused(message) => app.notify(message),
                    Resumed::Ended => {
                        app.terminate();
                        return Ok(save);
                    }
                }
            }
        }
    }
    Ok(save)
}

/// Save the store (reading positions, read marks, bookmarks). The loop does it after drawing
/// the frame that asked for it: a save waits for the disk (it syncs the file), and `G`, which
/// marks the article read, would otherwise show the article's end only once the disk is done.
/// Returns whether the save failed (the app then has a message to show).
fn save(app: &mut App) -> bool {
    match app.store_mut().save() {
        Ok(()) => false,
        Err(e) => {
            app.save_failed(&e);
            true
        }
    }
}

/// What decides whether a change is only a scroll of the reading column.
#[derive(Clone, Copy, PartialEq, Eq)]
struct View {
    top: usize,
    column: crate::app::Area,
    /// Which layout is shown: another article, width or mode is another epoch.
    epoch: u64,
    plain: bool,
}

impl View {
    fn of(app: &App) -> View {
        View {
            top: app.top(),
            column: app.geometry().column,
            epoch: app.layout_epoch(),
            // Full width (the column's rows span the screen) and nothing drawn over it.
            plain: app.zoom() && app.overlay().is_none(),
        }
    }

    /// The scroll that takes the screen from `self` to `after`, if that is all that changed.
    fn scroll_to(self, after: View) -> Option<Scroll> {
        let same =
            self.plain && after.plain && self.column == after.column && self.epoch == after.epoch;
        let lines = after.top as i64 - self.top as i64;
        (same && lines != 0 && lines.unsigned_abs() < self.column.height as u64).then(|| Scroll {
            top: self.column.y,
            bottom: self.column.y + self.column.height,
            lines: lines as i32,
        })
    }
}

/// Run the reader until the user quits or the front end says stop. Other programs cannot be
/// started and the process never stops (as for a network front end).
pub fn run<W: Write>(
    painter: &mut Painter<W>,
    app: &mut App,
    theme: &Theme,
    input: &Receiver<Input>,
    post: Poster,
) -> io::Result<Exit> {
    run_with(painter, app, theme, input, &mut Confined { post })
}

/// Run the reader until the user quits or the front end says stop.
///
/// Input that arrives while a frame is being drawn is applied all at once before the next frame
/// (a held key over a slow link moves many lines but costs one frame).
pub fn run_with<W: Write>(
    painter: &mut Painter<W>,
    app: &mut App,
    theme: &Theme,
    input: &Receiver<Input>,
    front: &mut dyn FrontEnd,
) -> io::Result<Exit> {
    let mut scroll = None;
    // What the app asked for before any input (a library's fill) starts once the first frame
    // is out; so does a save asked for in the last batch.
    let mut pending_save = false;
    let mut started = false;
    loop {
        draw(painter, app, theme, scroll)?;
        if !started {
            started = true;
            front.started();
            pending_save = perform(painter, app, front)?;
        }
        if std::mem::take(&mut pending_save) && save(app) {
            draw(painter, app, theme, None)?;
        }
        let before = View::of(app);
        let Ok(first) = input.recv() else {
            return Ok(Exit::Terminated);
        };
        apply_batch(painter, app, first, input);
        pending_save = perform(painter, app, front)?;
        if let Some(exit) = app.exit() {
            if pending_save {
                save(app);
            }
            return Ok(exit);
        }
        scroll = before.scroll_to(View::of(app));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::sync::Arc;
    use std::sync::mpsc;

    use crate::app::Key;
    use crate::config::Settings;
    use crate::library;

    thread_local! {
        /// Resizes the loop passed on to the app, each a new layout of the open article.
        pub(super) static RESIZES_APPLIED: Cell<usize> = const { Cell::new(0) };
    }

    fn reader(cols: u16, rows: u16) -> (App, Painter<Vec<u8>>) {
        let app = App::new(
            Arc::new(library::load_seeds()),
            Settings::defaults(),
            cols,
            rows,
        );
        (app, Painter::new(Vec::new(), cols, rows))
    }

    /// Run the loop on `inputs`, all waiting before it starts (one batch); returns how it
    /// ended and how many resizes reached the app.
    fn run_batch(
        app: &mut App,
        painter: &mut Painter<Vec<u8>>,
        inputs: Vec<Input>,
    ) -> (Exit, usize) {
        let (tx, rx) = mpsc::channel();
        for input in inputs {
            tx.send(input).unwrap();
        }
        RESIZES_APPLIED.with(|n| n.set(0));
        let exit = run(painter, app, &Theme::default(), &rx, Arc::new(|_| false)).unwrap();
        (exit, RESIZES_APPLIED.with(Cell::get))
    }

    #[test]
    fn a_burst_of_resizes_lays_out_once_for_the_last_size() {
        let (mut app, mut painter) = reader(100, 30);
        app.handle_key(Key::char('l'));
        let mut inputs: Vec<Input> = (0..20).map(|i| Input::Resize(60 + i, 20 + i % 7)).collect();
        inputs.push(Input::Key(Key::char('q')));
        let (exit, resizes) = run_batch(&mut app, &mut painter, inputs);
        assert_eq!(exit, Exit::Quit);
        assert_eq!(resizes, 1);
        assert_eq!(painter.area(), ratatui::layout::Rect::new(0, 0, 79, 25));
        let mut expected = App::new(
            Arc::new(library::load_seeds()),
            Settings::defaults(),
            100,
            30,
        );
        expected.handle_key(Key::char('l'));
        expected.resize(79, 25);
        assert_eq!(app.geometry(), expected.geometry());
    }

    #[test]
    fn only_consecutive_resizes_are_merged_and_other_input_keeps_its_order() {
        let (mut app, mut painter) = reader(100, 30);
        let inputs = vec![
            Input::Resize(80, 24),
            Input::Key(Key::char('j')),
            Input::Resize(90, 24),
            Input::Resize(70, 20),
            Input::Key(Key::char('q')),
            // After quitting nothing more is applied.
            Input::Resize(50, 10),
        ];
        let (exit, resizes) = run_batch(&mut app, &mut painter, inputs);
        assert_eq!(exit, Exit::Quit);
        assert_eq!(resizes, 2);
        assert_eq!(app.selected(), 1);
        assert_eq!(painter.area(), ratatui::layout::Rect::new(0, 0, 70, 20));
    }

    /// A front end that records what it was asked to do.
    #[derive(Default)]
    struct Recording {
        suspends: usize,
    }

    impl FrontEnd for Recording {
        fn open(&mut self, _: ExternalProgram, _: &ExternalFile) -> Option<String> {
            None
        }

        fn suspend(&mut self) -> Resumed {
            self.suspends += 1;
            Resumed::Redraw
        }

        fn poster(&self) -> Poster {
            Arc::new(|_| false)
        }
    }

    #[test]
    fn a_save_waits_for_the_frame_and_is_never_lost() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let (mut app, mut painter) = reader(100, 30);
        let (store, _) = crate::store::Store::open(path.clone());
        app.attach_store(store, None);
        // `G` reads the article to its end, which marks it read: a save. Asked for in the
        // batch that quits, it is still made before the loop returns.
        let (exit, _) = run_batch(
            &mut app,
            &mut painter,
            vec![
                Input::Key(Key::char('l')),
                Input::Key(Key::char('G')),
                Input::Key(Key::char('q')),
            ],
        );
        assert_eq!(exit, Exit::Quit);
        let saved = std::fs::read_to_string(&path).unwrap();
        assert!(saved.contains("\"read\":true"), "{saved}");
        // And asked for in a batch of its own, it is made once that batch's frame is drawn.
        let path2 = dir.path().join("again.json");
        let (mut app, mut painter) = reader(100, 30);
        app.attach_store(crate::store::Store::open(path2.clone()).0, None);
        let (tx, rx) = mpsc::channel();
        tx.send(Input::Key(Key::char('l'))).unwrap();
        tx.send(Input::Key(Key::char('G'))).unwrap();
        drop(tx);
        let exit = run(
            &mut painter,
            &mut app,
            &Theme::default(),
            &rx,
            Arc::new(|_| false),
        );
        assert_eq!(exit.unwrap(), Exit::Terminated);
        let saved = std::fs::read_to_string(&path2).unwrap();
        assert!(saved.contains("\"read\":true"), "{saved}");
    }

    #[test]
    fn ctrl_z_and_sigtstp_ask_the_front_end_to_suspend() {
        let (mut app, mut painter) = reader(100, 30);
        let (tx, rx) = mpsc::channel();
        tx.send(Input::Key(Key::ctrl('z'))).unwrap();
        tx.send(Input::Suspend).unwrap();
        drop(tx);
        let mut front = Recording::default();
        let exit = run_with(&mut painter, &mut app, &Theme::default(), &rx, &mut front).unwrap();
        assert_eq!(exit, Exit::Terminated);
        // Both in one batch, before the first took effect: one stop.
        assert_eq!(front.suspends, 1);
        assert_eq!(app.message(), None);
    }

    #[test]
    fn a_served_reader_refuses_to_suspend() {
        let (mut app, mut painter) = reader(100, 30);
        app.set_policy(crate::app::Policy::SERVED);
        let (tx, rx) = mpsc::channel();
        tx.send(Input::Key(Key::ctrl('z'))).unwrap();
        drop(tx);
        // Even a front end that could stop is never asked.
        let mut front = Recording::default();
        run_with(&mut painter, &mut app, &Theme::default(), &rx, &mut front).unwrap();
        assert_eq!(front.suspends, 0);
        assert!(app.effects().is_empty());
        assert_eq!(app.message(), Some("Suspending is disabled on this server"));
    }

    #[test]
    fn the_network_loop_never_suspends_its_process() {
        let (mut app, mut painter) = reader(100, 30);
        let (tx, rx) = mpsc::channel();
        tx.send(Input::Key(Key::ctrl('z'))).unwrap();
        drop(tx);
        // Not marked served, yet `run` has no way to stop the process.
        run(
            &mut painter,
            &mut app,
            &Theme::default(),
            &rx,
            Arc::new(|_| false),
        )
        .unwrap();
        assert_eq!(app.message(), Some("Suspending is not available here"));
    }

    #[test]
    fn a_resize_at_the_end_of_a_batch_is_applied() {
        let (mut app, mut painter) = reader(100, 30);
        let (tx, rx) = mpsc::channel();
        for i in 0..5 {
            tx.send(Input::Resize(70 + i, 20)).unwrap();
        }
        drop(tx);
        RESIZES_APPLIED.with(|n| n.set(0));
        // The channel closes after the batch: the loop ends as if the front end went away.
        let exit = run(
            &mut painter,
            &mut app,
            &Theme::default(),
            &rx,
            Arc::new(|_| false),
        )
        .unwrap();
        assert_eq!(exit, Exit::Terminated);
        assert_eq!(RESIZES_APPLIED.with(Cell::get), 1);
        assert_eq!(painter.area(), ratatui::layout::Rect::new(0, 0, 74, 20));
    }

    #[test]
    fn osc52_carries_base64_text() {
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
        // Arabic goes as UTF-8 bytes, logical order.
        let s = osc52("سلام");
        use base64::Engine;
        let b64 = s.trim_start_matches("\x1b]52;c;").trim_end_matches('\x07');
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(String::from_utf8(bytes).unwrap(), "سلام");
    }

    #[test]
    fn osc52_is_capped_at_a_char_boundary() {
        let long = "é".repeat(MAX_CLIPBOARD);
        let s = osc52(&long);
        assert!(s.len() < MAX_CLIPBOARD * 2);
    }
}
