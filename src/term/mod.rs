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

use crate::app::{App, Exit, Key};
use crate::ui::{Screen, Theme};

/// What a front end feeds the loop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Key(Key),
    /// The screen is now this many columns and rows.
    Resize(u16, u16),
    /// Stop: a signal, or the connection went away.
    Terminate,
}

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
        Input::Terminate => app.exit = Some(Exit::Terminated),
    }
    Ok(true)
}

/// Run the reader until the user quits or the front end says stop.
///
/// Input that arrives while a frame is being drawn is applied all at once before the next frame
/// (a held key over a slow link moves many lines but costs one frame).
pub fn run<B: Backend + Write>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    theme: &Theme,
    input: &Receiver<Input>,
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
        if let Some(exit) = app.exit {
            return Ok(exit);
        }
    }
}
