//! Where the panes go, as a pure function of the screen size, so that the app (which scrolls by
//! pages) and the widgets (which draw) agree without either touching the terminal.

use crate::config::Config;

/// A rectangle of cells.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Area {
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub height: u16,
}

/// Which pane has the keyboard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Focus {
    #[default]
    List,
    Reader,
}

/// Below this many columns only the focused pane is shown.
pub const NARROW: u16 = 60;

/// The screen split into panes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Geometry {
    /// The list pane, borders included (zero-sized when hidden).
    pub list: Area,
    /// The reader pane, borders included (zero-sized when hidden).
    pub reader: Area,
    /// The reading column inside the reader pane: where text goes.
    pub column: Area,
    /// The status line.
    pub status: Area,
}

impl Geometry {
    /// `list_shown` is false in full-width reading mode.
    pub fn compute(
        cols: u16,
        rows: u16,
        config: &Config,
        focus: Focus,
        list_shown: bool,
    ) -> Geometry {
        let main_h = rows.saturating_sub(1);
        let status = Area {
            x: 0,
            y: main_h,
            width: cols,
            height: rows.min(1),
        };
        let (list_w, reader_x) = if !list_shown {
            (0, 0)
        } else if cols < NARROW {
            match focus {
                Focus::List => (cols, cols),
                Focus::Reader => (0, 0),
            }
        } else {
            let w = (config.list.width as u16).clamp(16, cols / 2);
            (w, w)
        };
        let list = Area {
            x: 0,
            y: 0,
            width: list_w,
            height: if list_w > 0 { main_h } else { 0 },
        };
        let reader_w = cols - reader_x;
        let reader = Area {
            x: reader_x,
            y: 0,
            width: reader_w,
            height: if reader_w > 0 { main_h } else { 0 },
        };
        // Inside the border (none in full-width mode), keep the margin on both sides, then
        // centre a column no wider than the configured measure.
        let border = u16::from(list_shown);
        let inner_w = reader.width.saturating_sub(2 * border);
        let margin = (config.reader.margin as u16).min(inner_w.saturating_sub(1) / 2);
        let room = inner_w.saturating_sub(2 * margin);
        let col_w = room.min(config.reader.width.min(u16::MAX as usize) as u16);
        let column = Area {
            x: reader.x + border + margin + (room - col_w) / 2,
            y: reader.y + border,
            width: col_w,
            height: reader.height.saturating_sub(2 * border),
        };
        Geometry {
            list,
            reader,
            column,
            status,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_screens_centre_a_measured_column() {
        let c = Config::default();
        let g = Geometry::compute(200, 40, &c, Focus::List, true);
        assert_eq!(g.list.width, 36);
        assert_eq!(g.reader.x, 36);
        assert_eq!(g.column.width, 100);
        let left = g.column.x - (g.reader.x + 1);
        let right = (g.reader.x + g.reader.width - 1) - (g.column.x + g.column.width);
        assert!(left.abs_diff(right) <= 1, "{left} {right}");
        assert_eq!(g.column.height, 37);
        assert_eq!(g.status.y, 39);
    }

    #[test]
    fn at_100_columns_the_text_fills_the_pane_less_a_margin() {
        let g = Geometry::compute(100, 30, &Config::default(), Focus::List, true);
        assert_eq!(g.reader.width, 64);
        assert_eq!(g.column.width, 64 - 2 - 2);
        assert_eq!(g.column.x, 36 + 1 + 1);
    }

    #[test]
    fn narrow_screens_show_only_the_focused_pane() {
        let c = Config::default();
        let g = Geometry::compute(40, 20, &c, Focus::Reader, true);
        assert_eq!(g.list.width, 0);
        assert_eq!(g.reader.width, 40);
        let g = Geometry::compute(40, 20, &c, Focus::List, true);
        assert_eq!(g.list.width, 40);
        assert_eq!(g.reader.width, 0);
        assert_eq!(g.column.width, 0);
    }

    #[test]
    fn full_width_mode_hides_the_list() {
        let g = Geometry::compute(100, 30, &Config::default(), Focus::Reader, false);
        assert_eq!(g.list.width, 0);
        assert_eq!(g.reader.x, 0);
        assert_eq!(g.reader.width, 100);
        assert_eq!(g.column.width, 98, "no borders, a margin each side");
        assert_eq!(g.column.y, 0);
        assert_eq!(g.column.height, 29);
    }

    #[test]
    fn tiny_screens_do_not_underflow() {
        let c = Config::default();
        for (w, h) in [(0, 0), (1, 1), (2, 2), (3, 1), (70, 2)] {
            let g = Geometry::compute(w, h, &c, Focus::Reader, true);
            assert!(g.column.x + g.column.width <= w.max(g.column.x));
        }
    }
}
