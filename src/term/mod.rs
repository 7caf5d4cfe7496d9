//! The terminal side: modes we set and always undo, and the event loop.
//!
//! The loop takes its input events and its output (a ratatui `Terminal` over any writer) from
//! the front end, so the local terminal and a network front end drive the same app state.

pub mod local;
pub mod modes;

use std::io::{self, Write};
use std::sync::mpsc::Receiver;

use crossterm::QueueableCommand;
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::layout::Rect;

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
pub type ExternalRunner<'a, B> =
    dyn FnMut(&mut Terminal<B>, ExternalProgram, &ExternalFile) -> Option<String> + 'a;

/// Draw one frame, wrapped in synchronized output (DEC mode 2026) so a slow link never shows a
/// half-drawn frame. Terminals that do not know the mode ignore it.
pub fn draw<B: Backend + Write>(
    terminal: &mut Terminal<B>,
    app: &App,
    theme: &Theme,
) -> io::Result<()>
where
    B::Error: Into<io::Error>,
{
    terminal.backend_mut().queue(BeginSynchronizedUpdate)?;
    terminal
        .draw(|frame| frame.render_widget(Screen { app, theme }, frame.area()))
        .map_err(Into::into)?;
    terminal.backend_mut().queue(EndSynchronizedUpdate)?;
    Write::flush(terminal.backend_mut())
}

/// Apply one input to the app. Returns whether anything may have changed on screen.
fn apply<B: Backend>(terminal: &mut Terminal<B>, app: &mut App, input: Input) -> io::Result<bool>
where
    B::Error: Into<io::Error>,
{
    match input {
        Input::Key(key) => {
            app.handle_key(key);
        }
        Input::Resize(cols, rows) => {
            terminal
                .resize(Rect::new(0, 0, cols, rows))
                .map_err(Into::into)?;
            app.resize(cols, rows);
        }
        Input::Mouse(mouse) => app.handle_mouse(mouse),
        Input::Paste(text) => app.handle_paste(&text),
        Input::Terminate => app.exit = Some(Exit::Terminated),
    }
    Ok(true)
}

/// Carry out what the app asked for.
fn perform<B: Backend + Write>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    external: &mut ExternalRunner<'_, B>,
) -> io::Result<()>
where
    B::Error: Into<io::Error>,
{
    for effect in std::mem::take(&mut app.effects) {
        match effect {
            Effect::Clipboard(text) => {
                terminal.backend_mut().write_all(osc52(&text).as_bytes())?;
                Write::flush(terminal.backend_mut())?;
            }
            Effect::External { program, file } => {
                if let Some(message) = external(terminal, program, &file) {
                    app.message = Some(message);
                }
                // The other program drew over us: clear and draw everything again. (Not
                // `Terminal::clear`, which asks the terminal where the cursor is.)
                let area = terminal.get_frame().area();
                terminal.resize(area).map_err(Into::into)?;
            }
        }
    }
    Ok(())
}

/// Run the reader until the user quits or the front end says stop. Other programs cannot be
/// started (as for a network front end).
pub fn run<B: Backend + Write>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    theme: &Theme,
    input: &Receiver<Input>,
) -> io::Result<Exit>
where
    B::Error: Into<io::Error>,
{
    run_with(terminal, app, theme, input, &mut |_, _, _| {
        Some("Opening other programs is not available here".into())
    })
}

/// Run the reader until the user quits or the front end says stop.
///
/// Input that arrives while a frame is being drawn is applied all at once before the next frame
/// (a held key over a slow link moves many lines but costs one frame).
pub fn run_with<B: Backend + Write>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    theme: &Theme,
    input: &Receiver<Input>,
    external: &mut ExternalRunner<'_, B>,
) -> io::Result<Exit>
where
    B::Error: Into<io::Error>,
{
    let mut dirty = true;
    loop {
        if dirty {
            draw(terminal, app, theme)?;
        }
        let Ok(first) = input.recv() else {
            return Ok(Exit::Terminated);
        };
        dirty = apply(terminal, app, first)?;
        while app.exit.is_none() {
            match input.try_recv() {
                Ok(next) => dirty |= apply(terminal, app, next)?,
                Err(_) => break,
            }
        }
        perform(terminal, app, external)?;
        if let Some(exit) = app.exit {
            return Ok(exit);
        }
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
