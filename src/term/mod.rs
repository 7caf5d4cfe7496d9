//! The terminal side: modes we set and always undo, and the event loop.
//!
//! The loop takes its input events and its output (a [`Painter`] over any writer) from the
//! front end, so the local terminal and a network front end drive the same app state.

pub mod local;
pub mod modes;
pub mod painter;

use std::io::{self, Write};
use std::sync::mpsc::Receiver;

use ratatui::widgets::Widget;

pub use painter::{Painter, Scroll};

use crate::app::{App, Effect, Exit, ExternalFile, ExternalProgram, Key, Mouse};
use crate::ui::{Screen, Theme};

/// What a front end feeds the loop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Key(Key),
    /// The screen is now this many columns and rows.
    Resize(u16, u16),
    Mouse(Mouse),
    /// Text pasted with bracketed paste.
    Paste(String),
    /// Stop: a signal, or the connection went away.
    Terminate,
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

/// What a front end does for effects the loop cannot do alone (start another program).
/// Returns a message for the status line when it could not.
pub type ExternalRunner<'a> = dyn FnMut(ExternalProgram, &ExternalFile) -> Option<String> + 'a;

/// Draw one frame. `scroll` says which rows moved since the last frame, if only they did.
pub fn draw<W: Write>(
    painter: &mut Painter<W>,
    app: &App,
    theme: &Theme,
    scroll: Option<Scroll>,
) -> io::Result<()> {
    painter.draw(scroll, |buf| {
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
            painter.resize(cols, rows);
            app.resize(cols, rows);
        }
        Input::Mouse(mouse) => app.handle_mouse(mouse),
        Input::Paste(text) => app.handle_paste(&text),
        Input::Terminate => app.terminate(),
    }
}

/// Carry out what the app asked for, once per batch of input.
fn perform<W: Write>(
    painter: &mut Painter<W>,
    app: &mut App,
    external: &mut ExternalRunner<'_>,
) -> io::Result<()> {
    for effect in app.take_effects() {
        match effect {
            Effect::Save => {
                if let Err(e) = app.store_mut().save() {
                    app.save_failed(&e);
                }
            }
            Effect::Clipboard(text) => {
                painter.writer().write_all(osc52(&text).as_bytes())?;
                painter.writer().flush()?;
            }
            Effect::External { program, file } => {
                if let Some(message) = external(program, &file) {
                    app.notify(message);
                }
                // The other program drew over us: draw everything again.
                painter.invalidate();
            }
            Effect::Suspend => app.notify("Suspending is not available here".into()),
        }
    }
    Ok(())
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
/// started (as for a network front end).
pub fn run<W: Write>(
    painter: &mut Painter<W>,
    app: &mut App,
    theme: &Theme,
    input: &Receiver<Input>,
) -> io::Result<Exit> {
    run_with(painter, app, theme, input, &mut |_, _| {
        Some("Opening other programs is not available here".into())
    })
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
    external: &mut ExternalRunner<'_>,
) -> io::Result<Exit> {
    let mut scroll = None;
    loop {
        draw(painter, app, theme, scroll)?;
        let before = View::of(app);
        let Ok(first) = input.recv() else {
            return Ok(Exit::Terminated);
        };
        apply(painter, app, first);
        while app.exit().is_none() {
            match input.try_recv() {
                Ok(next) => apply(painter, app, next),
                Err(_) => break,
            }
        }
        perform(painter, app, external)?;
        if let Some(exit) = app.exit() {
            return Ok(exit);
        }
        scroll = before.scroll_to(View::of(app));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
