//! Puts frames on a terminal with as few bytes as it can, for readers on slow links.
//!
//! Widgets render into a ratatui [`Buffer`]; the painter compares it with what the terminal
//! shows and writes only the difference, like ratatui's `Terminal`, but cheaper on the wire:
//! - a short run of unchanged cells between two changes is written again rather than jumped
//!   over (a jump costs 4–9 bytes); forward jumps on one row use `CUF`, not `CUP`;
//! - a run of blank cells is erased with `ECH` (or `EL` at the end of a row), not spaces;
//! - colours and attributes change in one SGR sequence, only when they change;
//! - when the caller says rows scrolled, the terminal scrolls them itself (a scroll region,
//!   `DECSTBM` + `SU`/`SD`) and only the rows that came into view are drawn.
//!
//! Every frame is wrapped in synchronized output (DEC mode 2026) so a slow link never shows a
//! half-drawn frame; terminals that do not know the mode ignore it.
//!
//! Cells can carry a hyperlink (OSC 8, see [`super::hyperlink`]): the painter remembers which
//! address each cell shows, rewrites a cell whose address changed, and opens and closes the
//! hyperlink around the cells that have one. A frame without links sends no OSC 8 at all.

use std::io::{self, Write};

use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

use super::hyperlink::{Hyperlink, osc8_url};

/// Rows `top..bottom` moved up by `lines` (down when negative) since the last frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scroll {
    pub top: u16,
    pub bottom: u16,
    pub lines: i32,
}

/// Unchanged cells worth rewriting to avoid a cursor jump.
const GAP: usize = 4;
/// Blank cells worth erasing with ECH rather than printing.
const ERASE_MIN: usize = 6;

const SYNC_BEGIN: &[u8] = b"\x1b[?2026h";
/// Ends a hyperlink (OSC 8 with no address).
const LINK_END: &[u8] = b"\x1b]8;;\x1b\\";
const SYNC_END: &[u8] = b"\x1b[?2026l";

/// The style a cell is drawn with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pen {
    fg: Color,
    bg: Color,
    modifier: Modifier,
}

impl Pen {
    const DEFAULT: Pen = Pen {
        fg: Color::Reset,
        bg: Color::Reset,
        modifier: Modifier::empty(),
    };

    fn of(cell: &Cell) -> Pen {
        Pen {
            fg: cell.fg,
            bg: cell.bg,
            modifier: cell.modifier,
        }
    }
}

/// Which address each cell of a frame is a link to: per cell, 0 for none or 1 + an index into
/// `urls` (already made safe with [`osc8_url`]). Empty when no cell has one.
#[derive(Clone, Debug, Default)]
struct Links {
    cells: Vec<u32>,
    urls: Vec<String>,
}

impl Links {
    fn at(&self, i: usize) -> Option<&str> {
        match self.cells.get(i) {
            Some(&id) if id > 0 => Some(self.urls[id as usize - 1].as_str()),
            _ => None,
        }
    }

    fn clear(&mut self) {
        self.cells.clear();
        self.urls.clear();
    }

    /// The cells of `links` in a screen of `area`, their addresses made safe.
    fn set(&mut self, area: Rect, links: &[Hyperlink]) {
        self.clear();
        let (w, h) = (area.width as usize, area.height as usize);
        for link in links {
            if link.row >= area.height || link.cols.start >= link.cols.end {
                continue;
            }
            let Some(url) = osc8_url(&link.url) else {
                continue;
            };
            if self.cells.is_empty() {
                // Reuses the allocation of two frames ago (`clear` keeps it).
                self.cells.resize(w * h, 0);
            }
            let id = match self.urls.iter().position(|u| *u == url) {
                Some(i) => i + 1,
                None => {
                    self.urls.push(url);
                    self.urls.len()
                }
            };
            let row = link.row as usize * w;
            let end = (link.cols.end as usize).min(w);
            for x in (link.cols.start as usize).min(end)..end {
                self.cells[row + x] = id as u32;
            }
        }
    }
}

/// Draws frames on a terminal through any writer.
pub struct Painter<W: Write> {
    out: W,
    /// What the terminal shows.
    shown: Buffer,
    /// The frame being drawn.
    next: Buffer,
    /// Clear the screen before the next frame (start, resize, after another program).
    clear: bool,
    /// Whether the terminal may be asked to scroll regions.
    scroll_regions: bool,
    /// The terminal's cursor and pen, as far as we know them.
    wire: Wire,
    /// Bytes written by the last frame.
    last_bytes: usize,
    frames: u64,
    /// Whether hyperlinks are sent (see [`super::hyperlink::enabled`]).
    hyperlinks: bool,
    /// The hyperlinks the terminal shows, and those of the frame being drawn.
    shown_links: Links,
    next_links: Links,
}

impl<W: Write> Painter<W> {
    pub fn new(out: W, cols: u16, rows: u16) -> Painter<W> {
        let area = Rect::new(0, 0, cols, rows);
        Painter {
            out,
            shown: Buffer::empty(area),
            next: Buffer::empty(area),
            clear: true,
            scroll_regions: true,
            wire: Wire::default(),
            last_bytes: 0,
            frames: 0,
            hyperlinks: false,
            shown_links: Links::default(),
            next_links: Links::default(),
        }
    }

    /// Send hyperlinks (OSC 8) on the cells frames mark as links, or not.
    pub fn set_hyperlinks(&mut self, on: bool) {
        self.hyperlinks = on;
    }

    pub fn hyperlinks(&self) -> bool {
        self.hyperlinks
    }

    /// Allow or forbid scroll regions (for terminals that lack them).
    pub fn set_scroll_regions(&mut self, on: bool) {
        self.scroll_regions = on;
    }

    pub fn area(&self) -> Rect {
        self.next.area
    }

    /// The screen is now `cols`×`rows`: the next frame is drawn whole.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        let area = Rect::new(0, 0, cols, rows);
        self.shown = Buffer::empty(area);
        self.next = Buffer::empty(area);
        self.shown_links.clear();
        self.clear = true;
    }

    /// Something else drew on the screen: the next frame is drawn whole.
    pub fn invalidate(&mut self) {
        self.shown.reset();
        self.shown_links.clear();
        self.clear = true;
        self.wire.cursor = None;
    }

    /// The writer, for sequences outside frames (a clipboard copy).
    pub fn writer(&mut self) -> &mut W {
        &mut self.out
    }

    /// Bytes the last frame wrote, and frames drawn so far.
    pub fn stats(&self) -> (usize, u64) {
        (self.last_bytes, self.frames)
    }

    /// Draw a frame: `render` fills the buffer; `scroll`, when given, says which rows moved.
    pub fn draw(
        &mut self,
        scroll: Option<Scroll>,
        render: impl FnOnce(&mut Buffer),
    ) -> io::Result<()> {
        self.draw_linked(scroll, &[], render)
    }

    /// Draw a frame whose cells in `links` are hyperlinks (sent only when
    /// [`Painter::set_hyperlinks`] is on).
    pub fn draw_linked(
        &mut self,
        scroll: Option<Scroll>,
        links: &[Hyperlink],
        render: impl FnOnce(&mut Buffer),
    ) -> io::Result<()> {
        self.next.reset();
        render(&mut self.next);
        if self.hyperlinks {
            self.next_links.set(self.next.area, links);
        } else {
            self.next_links.clear();
        }
        let mut bytes: Vec<u8> = Vec::with_capacity(4096);
        bytes.extend_from_slice(SYNC_BEGIN);
        if self.clear {
            // Default colours first, so the cleared screen has the terminal's own background.
            bytes.extend_from_slice(b"\x1b[0m\x1b[2J");
            self.wire.pen = Pen::DEFAULT;
            self.shown.reset();
            self.shown_links.clear();
            self.wire.cursor = None;
            self.clear = false;
        } else if let Some(s) = scroll.filter(|_| self.scroll_regions) {
            self.scroll(&mut bytes, s);
        }
        self.diff_into(&mut bytes);
        self.wire.set_link(&mut bytes, None);
        if self.wire.pen != Pen::DEFAULT {
            bytes.extend_from_slice(b"\x1b[0m");
            self.wire.pen = Pen::DEFAULT;
        }
        bytes.extend_from_slice(SYNC_END);
        self.out.write_all(&bytes)?;
        self.out.flush()?;
        self.last_bytes = bytes.len();
        self.frames += 1;
        std::mem::swap(&mut self.shown, &mut self.next);
        std::mem::swap(&mut self.shown_links, &mut self.next_links);
        Ok(())
    }

    /// Let the terminal move rows `s.top..s.bottom` and move our copy of the screen the same way.
    fn scroll(&mut self, bytes: &mut Vec<u8>, s: Scroll) {
        let area = self.shown.area;
        let bottom = s.bottom.min(area.height);
        let height = bottom.saturating_sub(s.top) as i32;
        if s.lines == 0 || s.lines.abs() >= height {
            return;
        }
        if self.wire.pen != Pen::DEFAULT {
            bytes.extend_from_slice(b"\x1b[0m");
            self.wire.pen = Pen::DEFAULT;
        }
        self.wire.set_link(bytes, None);
        let n = s.lines.unsigned_abs();
        let dir = if s.lines > 0 { 'S' } else { 'T' };
        bytes.extend_from_slice(
            format!("\x1b[{};{}r\x1b[{n}{dir}\x1b[r", s.top + 1, bottom).as_bytes(),
        );
        // DECSTBM homes the cursor.
        self.wire.cursor = Some((0, 0));
        let w = area.width as usize;
        let rows: Vec<Vec<Cell>> = (s.top..bottom)
            .map(|y| {
                let start = y as usize * w;
                self.shown.content[start..start + w].to_vec()
            })
            .collect();
        for (i, y) in (s.top..bottom).enumerate() {
            let from = i as i32 + s.lines;
            let start = y as usize * w;
            let row = &mut self.shown.content[start..start + w];
            match rows.get(from as usize).filter(|_| from >= 0) {
                Some(src) => row.clone_from_slice(src),
                None => row.iter_mut().for_each(Cell::reset),
            }
        }
        // The hyperlinks move with their cells.
        let links = &mut self.shown_links.cells;
        if !links.is_empty() {
            let old = links.clone();
            for y in s.top..bottom {
                let from = y as i32 + s.lines;
                let start = y as usize * w;
                let row = &mut links[start..start + w];
                if from >= s.top as i32 && from < bottom as i32 {
                    let src = from as usize * w;
                    row.copy_from_slice(&old[src..src + w]);
                } else {
                    row.fill(0);
                }
            }
        }
    }

    /// Write what differs between `shown` and `next`.
    fn diff_into(&mut self, bytes: &mut Vec<u8>) {
        let Painter {
            shown,
            next,
            wire,
            shown_links,
            next_links,
            ..
        } = self;
        // Links on neither frame: nothing to compare (the common case costs nothing).
        let linked = !shown_links.cells.is_empty() || !next_links.cells.is_empty();
        let area = next.area;
        let w = area.width as usize;
        for y in 0..area.height {
            let row = y as usize * w;
            let prev = &shown.content[row..row + w];
            let next = &next.content[row..row + w];
            // Which cells must be written: changed ones, and the cell after a wide character
            // that is no longer there.
            let mut dirty = vec![false; w];
            let mut x = 0;
            while x < w {
                if prev[x] != next[x]
                    || (linked && shown_links.at(row + x) != next_links.at(row + x))
                {
                    dirty[x] = true;
                    if cell_width(&prev[x]) == 2 && x + 1 < w {
                        dirty[x + 1] = true;
                    }
                }
                x += cell_width(&next[x]).max(1);
            }
            let mut x = 0;
            while x < w {
                if !dirty[x] {
                    x += 1;
                    continue;
                }
                // A run of blanks to erase?
                let blank_run = next[x..].iter().take_while(|c| is_blank(c)).count();
                let to_end = x + blank_run == w;
                if blank_run >= ERASE_MIN || (to_end && blank_run > 2) {
                    wire.move_to(bytes, x as u16, y);
                    wire.set_pen(bytes, Pen::DEFAULT);
                    // Erased cells take no hyperlink.
                    wire.set_link(bytes, None);
                    if to_end {
                        bytes.extend_from_slice(b"\x1b[K");
                    } else {
                        bytes.extend_from_slice(format!("\x1b[{blank_run}X").as_bytes());
                    }
                    // ECH and EL leave the cursor where it was.
                    x += blank_run;
                    continue;
                }
                wire.move_to(bytes, x as u16, y);
                let cell = &next[x];
                wire.set_pen(bytes, Pen::of(cell));
                if linked {
                    wire.set_link(bytes, next_links.at(row + x));
                }
                let width = cell_width(cell).max(1);
                let symbol = if cell.symbol().is_empty() {
                    " "
                } else {
                    cell.symbol()
                };
                bytes.extend_from_slice(symbol.as_bytes());
                wire.cursor = Some(((x + width) as u16, y));
                x += width;
                // Rewrite a short run of unchanged cells rather than jump over it.
                let next_dirty = dirty[x.min(w)..].iter().position(|d| *d).map(|d| x + d);
                if let Some(nd) = next_dirty
                    && nd - x <= GAP
                    && next[x..nd]
                        .iter()
                        .all(|c| cell_width(c) == 1 && c.symbol().len() == 1)
                {
                    for (i, c) in next[x..nd].iter().enumerate() {
                        wire.set_pen(bytes, Pen::of(c));
                        if linked {
                            wire.set_link(bytes, next_links.at(row + x + i));
                        }
                        bytes.extend_from_slice(c.symbol().as_bytes());
                    }
                    wire.cursor = Some((nd as u16, y));
                    dirty[x..nd].iter_mut().for_each(|d| *d = false);
                    x = nd;
                }
            }
        }
    }
}

/// What the terminal's cursor and pen are, so moves and style changes are written only as needed.
#[derive(Debug)]
struct Wire {
    cursor: Option<(u16, u16)>,
    pen: Pen,
    /// The hyperlink open on the wire (its safe address), if one is.
    link: Option<String>,
}

impl Default for Wire {
    fn default() -> Wire {
        Wire {
            cursor: None,
            pen: Pen::DEFAULT,
            link: None,
        }
    }
}

impl Wire {
    /// Open the hyperlink `url` (made safe already), or close the one open for `None`, if that
    /// changes anything. Opening another link ends the one before, so no close is needed between.
    fn set_link(&mut self, bytes: &mut Vec<u8>, url: Option<&str>) {
        if self.link.as_deref() == url {
            return;
        }
        match url {
            Some(url) => {
                bytes.extend_from_slice(b"\x1b]8;;");
                bytes.extend_from_slice(url.as_bytes());
                bytes.extend_from_slice(b"\x1b\\");
            }
            None => bytes.extend_from_slice(LINK_END),
        }
        self.link = url.map(str::to_string);
    }

    /// Move the cursor, by the shortest sequence that does it.
    fn move_to(&mut self, bytes: &mut Vec<u8>, x: u16, y: u16) {
        match self.cursor {
            Some((cx, cy)) if (cx, cy) == (x, y) => {}
            Some((cx, cy)) if cy == y && x > cx => {
                let n = x - cx;
                if n == 1 {
                    bytes.extend_from_slice(b"\x1b[C");
                } else {
                    bytes.extend_from_slice(format!("\x1b[{n}C").as_bytes());
                }
            }
            Some((_, cy)) if x == 0 && y == cy + 1 => bytes.extend_from_slice(b"\r\n"),
            _ => bytes.extend_from_slice(format!("\x1b[{};{}H", y + 1, x + 1).as_bytes()),
        }
        self.cursor = Some((x, y));
    }

    /// Change colours and attributes in one SGR sequence, only if they change.
    fn set_pen(&mut self, bytes: &mut Vec<u8>, pen: Pen) {
        if pen == self.pen {
            return;
        }
        let mut params: Vec<String> = Vec::new();
        let removed = self.pen.modifier - pen.modifier;
        let (mut from, added) = if removed.is_empty() {
            (self.pen, pen.modifier - self.pen.modifier)
        } else {
            params.push("0".into());
            (Pen::DEFAULT, pen.modifier)
        };
        for (flag, code) in [
            (Modifier::BOLD, "1"),
            (Modifier::DIM, "2"),
            (Modifier::ITALIC, "3"),
            (Modifier::UNDERLINED, "4"),
            (Modifier::SLOW_BLINK, "5"),
            (Modifier::RAPID_BLINK, "6"),
            (Modifier::REVERSED, "7"),
            (Modifier::HIDDEN, "8"),
            (Modifier::CROSSED_OUT, "9"),
        ] {
            if added.contains(flag) {
                params.push(code.into());
            }
        }
        from.modifier = pen.modifier;
        if pen.fg != from.fg {
            params.push(color_param(pen.fg, false));
        }
        if pen.bg != from.bg {
            params.push(color_param(pen.bg, true));
        }
        if !params.is_empty() {
            bytes.extend_from_slice(format!("\x1b[{}m", params.join(";")).as_bytes());
        }
        self.pen = pen;
    }
}

fn cell_width(cell: &Cell) -> usize {
    cell.symbol().width()
}

fn is_blank(cell: &Cell) -> bool {
    cell.symbol() == " " && Pen::of(cell) == Pen::DEFAULT
}

/// The SGR parameter for a colour.
fn color_param(color: Color, background: bool) -> String {
    let base = if background { 40 } else { 30 };
    let bright = if background { 100 } else { 90 };
    match color {
        Color::Reset => (base + 9).to_string(),
        Color::Black => base.to_string(),
        Color::Red => (base + 1).to_string(),
        Color::Green => (base + 2).to_string(),
        Color::Yellow => (base + 3).to_string(),
        Color::Blue => (base + 4).to_string(),
        Color::Magenta => (base + 5).to_string(),
        Color::Cyan => (base + 6).to_string(),
        Color::Gray => (base + 7).to_string(),
        Color::DarkGray => bright.to_string(),
        Color::LightRed => (bright + 1).to_string(),
        Color::LightGreen => (bright + 2).to_string(),
        Color::LightYellow => (bright + 3).to_string(),
        Color::LightBlue => (bright + 4).to_string(),
        Color::LightMagenta => (bright + 5).to_string(),
        Color::LightCyan => (bright + 6).to_string(),
        Color::White => (bright + 7).to_string(),
        Color::Indexed(i) => format!("{};5;{i}", base + 8),
        Color::Rgb(r, g, b) => format!("{};2;{r};{g};{b}", base + 8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Style;

    /// Feed what the painter wrote to a terminal emulator and read the screen back.
    struct Screen {
        painter: Painter<Vec<u8>>,
        parser: vt100::Parser,
    }

    impl Screen {
        fn new(cols: u16, rows: u16) -> Screen {
            let nz = |n: u16| std::num::NonZeroU16::new(n).unwrap();
            Screen {
                painter: Painter::new(Vec::new(), cols, rows),
                parser: vt100::Parser::new(nz(rows), nz(cols), 0),
            }
        }

        fn draw(&mut self, scroll: Option<Scroll>, lines: &[(&str, Style)]) -> usize {
            self.painter
                .draw(scroll, |buf| {
                    for (y, (text, style)) in lines.iter().enumerate() {
                        buf.set_string(0, y as u16, text, *style);
                    }
                })
                .unwrap();
            let out = std::mem::take(self.painter.writer());
            self.parser.process(&out);
            out.len()
        }

        fn rows(&self) -> Vec<String> {
            let (_, cols) = self.parser.screen().size();
            self.parser
                .screen()
                .rows(0, cols.get())
                .map(|r| r.trim_end().to_string())
                .collect()
        }
    }

    fn plain(lines: &[&'static str]) -> Vec<(&'static str, Style)> {
        lines.iter().map(|l| (*l, Style::default())).collect()
    }

    #[test]
    fn what_the_terminal_shows_is_the_frame() {
        let mut s = Screen::new(30, 4);
        s.draw(None, &plain(&["hello world", "second line", "", "the end"]));
        assert_eq!(s.rows(), vec!["hello world", "second line", "", "the end"]);
        s.draw(None, &plain(&["hello there", "", "third", "the end"]));
        assert_eq!(s.rows(), vec!["hello there", "", "third", "the end"]);
    }

    #[test]
    fn an_unchanged_frame_costs_only_the_sync_markers() {
        let mut s = Screen::new(30, 4);
        let lines = plain(&["a", "b", "c", "d"]);
        s.draw(None, &lines);
        let bytes = s.draw(None, &lines);
        assert_eq!(bytes, SYNC_BEGIN.len() + SYNC_END.len());
    }

    #[test]
    fn styles_and_wide_characters_survive() {
        let mut s = Screen::new(20, 3);
        let bold = Style::new()
            .add_modifier(Modifier::BOLD)
            .fg(Color::Indexed(81));
        s.draw(None, &[("漢字 and x", bold), ("ﻲﻓ ﺓﺰّﻏ", Style::default())]);
        assert_eq!(s.rows()[0], "漢字 and x");
        assert_eq!(s.rows()[1], "ﻲﻓ ﺓﺰّﻏ");
        let cell = s.parser.screen().cell(0, 5).unwrap();
        assert!(cell.bold());
        assert_eq!(cell.fgcolor(), vt100::Color::Idx(81));
        // Replace a wide character by narrow ones and back.
        s.draw(None, &[("ab字 and x", bold)]);
        assert_eq!(s.rows()[0], "ab字 and x");
        assert_eq!(s.rows()[1], "");
        s.draw(None, &[("漢字 and y", Style::default())]);
        assert_eq!(s.rows()[0], "漢字 and y");
        assert!(!s.parser.screen().cell(0, 5).unwrap().bold());
    }

    #[test]
    fn a_scrolled_region_draws_only_the_new_row() {
        // Lines unlike their neighbours, as prose is.
        let words = [
            "reader", "terminal", "wire", "scroll", "Arabic", "column", "frame",
        ];
        let text: Vec<String> = (0..40)
            .map(|i| {
                (0..5)
                    .map(|k| words[(i * 3 + k * 5) % words.len()])
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let frame = |top: usize| -> Vec<(String, Style)> {
            let mut v: Vec<(String, Style)> = text[top..top + 9]
                .iter()
                .map(|l| (l.clone(), Style::default()))
                .collect();
            v.push((
                format!("status {top}"),
                Style::new().add_modifier(Modifier::REVERSED),
            ));
            v
        };
        let mut s = Screen::new(40, 10);
        let f0 = frame(0);
        let f0: Vec<(&str, Style)> = f0.iter().map(|(t, st)| (t.as_str(), *st)).collect();
        s.draw(None, &f0);
        let f1 = frame(1);
        let f1: Vec<(&str, Style)> = f1.iter().map(|(t, st)| (t.as_str(), *st)).collect();
        let scroll = Some(Scroll {
            top: 0,
            bottom: 9,
            lines: 1,
        });
        let with_scroll = s.draw(scroll, &f1);
        let want: Vec<String> = f1.iter().map(|(t, _)| t.to_string()).collect();
        assert_eq!(s.rows(), want);
        // Without the hint, the same change costs far more.
        let mut t = Screen::new(40, 10);
        t.draw(None, &f0);
        let without = t.draw(None, &f1);
        assert_eq!(t.rows(), want);
        assert!(with_scroll * 3 < without, "{with_scroll} vs {without}");
        // And back down.
        let back = s.draw(
            Some(Scroll {
                top: 0,
                bottom: 9,
                lines: -1,
            }),
            &f0,
        );
        assert!(back < without);
        let want: Vec<String> = f0.iter().map(|(t, _)| t.to_string()).collect();
        assert_eq!(s.rows(), want);
    }

    #[test]
    fn a_wrong_scroll_hint_still_ends_in_the_right_frame() {
        let mut s = Screen::new(20, 5);
        s.draw(None, &plain(&["a", "b", "c", "d", "e"]));
        let hint = Some(Scroll {
            top: 0,
            bottom: 4,
            lines: 2,
        });
        s.draw(hint, &plain(&["v", "w", "x", "y", "z"]));
        assert_eq!(s.rows(), vec!["v", "w", "x", "y", "z"]);
    }

    #[test]
    fn scroll_regions_can_be_turned_off() {
        let mut s = Screen::new(20, 5);
        s.painter.set_scroll_regions(false);
        s.draw(None, &plain(&["a", "b", "c", "d", "e"]));
        s.draw(
            Some(Scroll {
                top: 0,
                bottom: 4,
                lines: 1,
            }),
            &plain(&["b", "c", "d", "x", "e"]),
        );
        let out = String::from_utf8_lossy(&s.painter.out).into_owned();
        assert!(!out.contains('r'), "{out:?}");
        assert_eq!(s.rows(), vec!["b", "c", "d", "x", "e"]);
    }

    fn link(row: u16, cols: std::ops::Range<u16>, url: &str) -> Hyperlink {
        Hyperlink {
            row,
            cols,
            url: url.into(),
        }
    }

    /// Draw `lines` with `links` and return the bytes written.
    fn draw_linked(s: &mut Screen, lines: &[&str], links: &[Hyperlink]) -> Vec<u8> {
        s.painter
            .draw_linked(None, links, |buf| {
                for (y, text) in lines.iter().enumerate() {
                    buf.set_string(0, y as u16, text, Style::default());
                }
            })
            .unwrap();
        let out = std::mem::take(s.painter.writer());
        s.parser.process(&out);
        out
    }

    #[test]
    fn link_cells_are_wrapped_in_osc_8() {
        let mut s = Screen::new(30, 3);
        s.painter.set_hyperlinks(true);
        let out = draw_linked(
            &mut s,
            &["see the docs now", "x"],
            &[link(0, 4..12, "https://example.com/docs")],
        );
        let out = String::from_utf8(out).unwrap();
        let open = "\x1b]8;;https://example.com/docs\x1b\\";
        let close = "\x1b]8;;\x1b\\";
        // Opened once, before the link's first cell, and closed right after its last.
        assert_eq!(out.matches(open).count(), 1, "{out:?}");
        let at = out.find(open).unwrap() + open.len();
        assert!(out[at..].starts_with("the docs"), "{out:?}");
        assert!(out[at + "the docs".len()..].starts_with(close), "{out:?}");
        assert_eq!(s.rows()[0], "see the docs now");
        // The same frame again costs nothing; a link gone rewrites its cells without one.
        let again = draw_linked(
            &mut s,
            &["see the docs now", "x"],
            &[link(0, 4..12, "https://example.com/docs")],
        );
        assert_eq!(again.len(), SYNC_BEGIN.len() + SYNC_END.len());
        let gone = String::from_utf8(draw_linked(&mut s, &["see the docs now", "x"], &[])).unwrap();
        assert!(
            gone.contains("the docs") && !gone.contains("\x1b]8;;h"),
            "{gone:?}"
        );
        assert_eq!(s.rows()[0], "see the docs now");
    }

    #[test]
    fn no_link_on_screen_sends_no_osc_8() {
        let mut s = Screen::new(30, 3);
        s.painter.set_hyperlinks(true);
        let out = draw_linked(&mut s, &["plain text", "more"], &[]);
        assert!(!out.windows(4).any(|w| w == b"\x1b]8;"), "{out:?}");
        // Hyperlinks off: regions are ignored.
        let mut t = Screen::new(30, 3);
        let out = draw_linked(
            &mut t,
            &["see the docs"],
            &[link(0, 4..12, "https://x.test")],
        );
        assert!(!out.windows(4).any(|w| w == b"\x1b]8;"), "{out:?}");
    }

    #[test]
    fn a_hostile_address_cannot_end_the_sequence() {
        let mut s = Screen::new(30, 2);
        s.painter.set_hyperlinks(true);
        let url = "https://x.test/\x1b\\\x1b]0;pwned\x07\u{9b}2J\u{9c}\n";
        let out = draw_linked(&mut s, &["click here"], &[link(0, 0..5, url)]);
        let text = String::from_utf8(out).unwrap();
        let start = text.find("\x1b]8;;").unwrap() + 5;
        let end = start + text[start..].find('\x1b').unwrap();
        let sent = &text[start..end];
        assert!(sent.bytes().all(|b| b.is_ascii_graphic()), "{sent:?}");
        assert!(sent.starts_with("https://x.test/%1B"), "{sent:?}");
        assert!(!text.contains("\x1b]0;"), "{text:?}");
        assert!(
            !text.contains('\u{9b}') && !text.contains('\x07'),
            "{text:?}"
        );
        // The screen shows the text.
        assert_eq!(s.rows()[0], "click here");
        // An address too long is sent as no link at all.
        let long = format!("https://x.test/{}", "a".repeat(5000));
        let out = draw_linked(&mut s, &["click there"], &[link(0, 0..5, &long)]);
        assert!(!out.windows(5).any(|w| w == b"\x1b]8;;h"), "{out:?}");
    }

    #[test]
    fn links_move_with_a_scrolled_region() {
        let mut s = Screen::new(20, 4);
        s.painter.set_hyperlinks(true);
        let frame = |p: &mut Painter<Vec<u8>>, scroll, lines: &[&str], links: &[Hyperlink]| {
            p.draw_linked(scroll, links, |buf| {
                for (y, text) in lines.iter().enumerate() {
                    buf.set_string(0, y as u16, text, Style::default());
                }
            })
            .unwrap();
            std::mem::take(p.writer())
        };
        frame(
            &mut s.painter,
            None,
            &["alpha", "link one", "gamma", "status"],
            &[link(1, 0..4, "https://one.test")],
        );
        // Scrolled up a line: the link is now on row 0 and must not be sent again.
        let out = frame(
            &mut s.painter,
            Some(Scroll {
                top: 0,
                bottom: 3,
                lines: 1,
            }),
            &["link one", "gamma", "delta", "status"],
            &[link(0, 0..4, "https://one.test")],
        );
        let out = String::from_utf8(out).unwrap();
        assert!(!out.contains("one.test"), "{out:?}");
        assert!(out.contains("delta"), "{out:?}");
    }

    #[test]
    fn blank_runs_are_erased_not_printed() {
        let mut s = Screen::new(60, 2);
        s.draw(
            None,
            &plain(&["a long line of text that will go away soon", "x"]),
        );
        let bytes = s.draw(None, &plain(&["a", "x"]));
        assert!(bytes < 30, "{bytes} bytes to blank a line");
        assert_eq!(s.rows(), vec!["a", "x"]);
    }
}
