//! The whole app on ratatui's TestBackend: keys in, frames out, at any size.

#![allow(dead_code)]

use std::sync::Arc;

use folio::app::{App, Key};
use folio::config::Settings;
use folio::library::{self, Library};
use folio::ui::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

pub struct Harness {
    pub app: App,
    pub terminal: Terminal<TestBackend>,
}

impl Harness {
    /// The seeds at `cols`×`rows`.
    pub fn seeds(cols: u16, rows: u16) -> Harness {
        Harness::with(library::load_seeds(), cols, rows)
    }

    pub fn with(library: Library, cols: u16, rows: u16) -> Harness {
        Harness::configured(library, Settings::defaults(), cols, rows)
    }

    pub fn configured(library: Library, settings: Settings, cols: u16, rows: u16) -> Harness {
        let app = App::new(Arc::new(library), settings, cols, rows);
        let terminal = Terminal::new(TestBackend::new(cols, rows)).unwrap();
        Harness { app, terminal }
    }

    /// Press each character as a key.
    pub fn press(&mut self, keys: &str) -> &mut Self {
        for c in keys.chars() {
            self.app.handle_key(Key::char(c));
        }
        self
    }

    pub fn key(&mut self, key: Key) -> &mut Self {
        self.app.handle_key(key);
        self
    }

    /// The terminal is now `cols`×`rows`.
    pub fn resize(&mut self, cols: u16, rows: u16) -> &mut Self {
        self.app.resize(cols, rows);
        self.terminal.backend_mut().resize(cols, rows);
        self
    }

    /// Draw a frame and return the buffer.
    pub fn render(&mut self) -> &Buffer {
        draw(&mut self.terminal, &self.app);
        self.terminal.backend().buffer()
    }

    /// Draw a frame and return it as text: one line per row, wide characters once.
    pub fn frame(&mut self) -> String {
        buffer_text(self.render())
    }
}

/// Draw the whole app on `terminal` with the default theme.
pub fn draw(terminal: &mut Terminal<TestBackend>, app: &App) {
    terminal
        .draw(|f| {
            f.render_widget(
                folio::ui::Screen {
                    app,
                    theme: &Theme::default(),
                },
                f.area(),
            )
        })
        .unwrap();
}

/// `app` drawn once at `cols`×`rows`.
pub fn render(app: &App, cols: u16, rows: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(cols, rows)).unwrap();
    draw(&mut terminal, app);
    terminal.backend().buffer().clone()
}

/// A buffer as text: one line per row, trailing blanks trimmed, wide characters once.
pub fn buffer_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut skip = 0;
        let mut line = String::new();
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let s = buf[(x, y)].symbol();
            line.push_str(s);
            skip = unicode_width::UnicodeWidthStr::width(s).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Cells whose symbol holds a control, bidi control or invisible character, as (x, y, symbol).
pub fn raw_cells(buf: &Buffer) -> Vec<(u16, u16, String)> {
    use folio::text::sanitize::{is_bidi_control, is_invisible_format};
    let mut bad = Vec::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let s = buf[(x, y)].symbol();
            if s.chars()
                .any(|c| c.is_control() || is_bidi_control(c) || is_invisible_format(c))
            {
                bad.push((x, y, s.to_string()));
            }
        }
    }
    bad
}

/// The rows of `area` as text, each followed by its runs of styled cells: where they are,
/// what they show and their style (colours and modifiers), so a change of style shows in the
/// snapshot as plainly as a change of text.
pub fn styled_text(buf: &Buffer, area: ratatui::layout::Rect) -> String {
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut text = String::new();
        let mut runs: Vec<(u16, u16, String, String)> = Vec::new();
        let mut skip = 0;
        for x in area.left()..area.right() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let cell = &buf[(x, y)];
            let symbol = cell.symbol();
            text.push_str(symbol);
            skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
            let style = cell.style();
            let desc = if style.fg.is_none_or(|c| c == ratatui::style::Color::Reset)
                && style.bg.is_none_or(|c| c == ratatui::style::Color::Reset)
                && style.add_modifier.is_empty()
            {
                String::new()
            } else {
                format!(
                    "fg={:?} bg={:?} {:?}",
                    style.fg.unwrap_or_default(),
                    style.bg.unwrap_or_default(),
                    style.add_modifier
                )
            };
            match runs.last_mut() {
                Some(run) if run.3 == desc && run.1 == x => {
                    run.1 = x + 1;
                    run.2.push_str(symbol);
                }
                _ => runs.push((x, x + 1, symbol.to_string(), desc)),
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
        for (from, to, shown, desc) in runs.into_iter().filter(|r| !r.3.is_empty()) {
            if shown.trim().is_empty() && !desc.contains("bg=Indexed") {
                continue;
            }
            out.push_str(&format!("    {from}..{to} {:?} {desc}\n", shown.trim_end()));
        }
    }
    out
}
