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
