//! Colours and styles: four built-in themes, degraded to what the terminal can show.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

use crate::config::ThemeName;
use crate::library::ParagraphKind;

/// How many colours the terminal shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ColorDepth {
    /// No colour at all (NO_COLOR, or a dumb terminal): modifiers only.
    Mono,
    Ansi16,
    Ansi256,
    TrueColor,
}

impl ColorDepth {
    /// From the environment's `NO_COLOR`, `COLORTERM` and `TERM`.
    pub fn detect(no_color: bool, colorterm: Option<&str>, term: Option<&str>) -> ColorDepth {
        if no_color {
            return ColorDepth::Mono;
        }
        let colorterm = colorterm.unwrap_or("").to_ascii_lowercase();
        let term = term.unwrap_or("").to_ascii_lowercase();
        if colorterm == "truecolor" || colorterm == "24bit" || term.contains("direct") {
            ColorDepth::TrueColor
        } else if term == "dumb" {
            ColorDepth::Mono
        } else if term.contains("256color") {
            ColorDepth::Ansi256
        } else {
            ColorDepth::Ansi16
        }
    }

    /// From this process's environment.
    pub fn from_env() -> ColorDepth {
        let var = |k: &str| std::env::var(k).ok();
        ColorDepth::detect(
            std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            var("COLORTERM").as_deref(),
            var("TERM").as_deref(),
        )
    }
}

/// The styles the widgets draw with.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub border: Style,
    pub border_focused: Style,
    pub pane_title: Style,
    pub selected: Style,
    pub hotkey: Style,
    pub list_title: Style,
    pub unread: Style,
    pub list_facts: Style,
    pub status: Style,
    pub status_message: Style,
    pub prompt: Style,
    pub title: Style,
    pub heading: Style,
    pub meta: Style,
    pub body: Style,
    pub boilerplate: Style,
    pub matched: Style,
    pub matched_current: Style,
    /// A level-1 heading (other levels: [`Theme::heading`], level 3 and below also italic).
    pub heading1: Style,
    /// Inline styles from the document model, laid over the paragraph's style.
    pub emphasis: Style,
    pub strong: Style,
    pub strike: Style,
    pub code: Style,
    pub link: Style,
    pub link_number: Style,
    /// A code block's text.
    pub code_block: Style,
    /// Decorations: quote bars, list markers, rules and table borders, the links list's URLs.
    pub quote: Style,
    pub marker: Style,
    pub rule: Style,
    pub url: Style,
    /// Borders and marks in ASCII only.
    pub ascii: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Theme::new(ThemeName::Dark, ColorDepth::Ansi256, false)
    }
}

impl Theme {
    /// A built-in theme at a colour depth. `Mono` depth turns any theme into `mono`.
    pub fn new(name: ThemeName, depth: ColorDepth, ascii: bool) -> Theme {
        let name = if depth == ColorDepth::Mono {
            ThemeName::Mono
        } else {
            name
        };
        let mut theme = match name {
            ThemeName::Dark => Theme::dark(),
            ThemeName::Light => Theme::light(),
            ThemeName::Basic => Theme::basic(),
            ThemeName::Mono => Theme::mono(),
        };
        theme.ascii = ascii;
        theme.degrade(depth);
        theme
    }

    fn base() -> Theme {
        Theme {
            border: Style::new(),
            border_focused: Style::new().add_modifier(Modifier::BOLD),
            pane_title: Style::new().add_modifier(Modifier::BOLD),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            hotkey: Style::new().add_modifier(Modifier::BOLD),
            list_title: Style::new(),
            unread: Style::new().add_modifier(Modifier::BOLD),
            list_facts: Style::new().add_modifier(Modifier::DIM),
            status: Style::new().add_modifier(Modifier::REVERSED),
            status_message: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            prompt: Style::new().add_modifier(Modifier::BOLD),
            title: Style::new().add_modifier(Modifier::BOLD),
            heading: Style::new().add_modifier(Modifier::BOLD),
            meta: Style::new().add_modifier(Modifier::ITALIC | Modifier::DIM),
            body: Style::new(),
            boilerplate: Style::new().add_modifier(Modifier::DIM),
            matched: Style::new().add_modifier(Modifier::UNDERLINED),
            matched_current: Style::new().add_modifier(Modifier::REVERSED),
            heading1: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            emphasis: Style::new().add_modifier(Modifier::ITALIC),
            strong: Style::new().add_modifier(Modifier::BOLD),
            strike: Style::new().add_modifier(Modifier::CROSSED_OUT),
            // Without colour, inline code stands out reversed.
            code: Style::new().add_modifier(Modifier::REVERSED),
            link: Style::new().add_modifier(Modifier::UNDERLINED),
            link_number: Style::new().add_modifier(Modifier::DIM),
            code_block: Style::new(),
            quote: Style::new().add_modifier(Modifier::DIM),
            marker: Style::new().add_modifier(Modifier::BOLD),
            rule: Style::new().add_modifier(Modifier::DIM),
            url: Style::new().add_modifier(Modifier::UNDERLINED),
            ascii: false,
        }
    }

    /// No colours: bold, dim, italic, underline and reverse only.
    pub fn mono() -> Theme {
        Theme::base()
    }

    /// For dark backgrounds.
    pub fn dark() -> Theme {
        let accent = Color::Rgb(0x5f, 0xd7, 0xff);
        let gold = Color::Rgb(0xff, 0xd7, 0x5f);
        Theme {
            border: Style::new().fg(Color::Rgb(0x58, 0x58, 0x58)),
            border_focused: Style::new().fg(accent),
            selected: Style::new().bg(Color::Rgb(0x3a, 0x3a, 0x3a)),
            hotkey: Style::new().fg(gold),
            list_facts: Style::new().fg(Color::Rgb(0x9e, 0x9e, 0x9e)),
            status_message: Style::new().fg(Color::Black).bg(gold),
            prompt: Style::new().fg(accent).add_modifier(Modifier::BOLD),
            matched: Style::new()
                .fg(Color::Black)
                .bg(Color::Rgb(0x87, 0x87, 0x5f)),
            matched_current: Style::new().fg(Color::Black).bg(gold),
            heading1: Style::new()
                .fg(accent)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            code: Style::new()
                .fg(Color::Rgb(0xff, 0xaf, 0x87))
                .bg(Color::Rgb(0x30, 0x30, 0x30)),
            code_block: Style::new().fg(Color::Rgb(0xd7, 0xd7, 0xaf)),
            link: Style::new().fg(accent).add_modifier(Modifier::UNDERLINED),
            quote: Style::new().fg(Color::Rgb(0x80, 0x80, 0x80)),
            marker: Style::new().fg(gold),
            rule: Style::new().fg(Color::Rgb(0x58, 0x58, 0x58)),
            url: Style::new().fg(accent),
            ..Theme::base()
        }
    }

    /// For light backgrounds.
    pub fn light() -> Theme {
        let accent = Color::Rgb(0x00, 0x5f, 0xaf);
        Theme {
            border: Style::new().fg(Color::Rgb(0xb2, 0xb2, 0xb2)),
            border_focused: Style::new().fg(accent),
            selected: Style::new().bg(Color::Rgb(0xda, 0xda, 0xda)),
            hotkey: Style::new().fg(Color::Rgb(0xaf, 0x00, 0x5f)),
            list_facts: Style::new().fg(Color::Rgb(0x6c, 0x6c, 0x6c)),
            status_message: Style::new().fg(Color::White).bg(accent),
            prompt: Style::new().fg(accent).add_modifier(Modifier::BOLD),
            matched: Style::new().bg(Color::Rgb(0xff, 0xff, 0xaf)),
            matched_current: Style::new().bg(Color::Rgb(0xff, 0xd7, 0x00)),
            heading1: Style::new()
                .fg(accent)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            code: Style::new()
                .fg(Color::Rgb(0xaf, 0x00, 0x00))
                .bg(Color::Rgb(0xee, 0xee, 0xee)),
            code_block: Style::new().fg(Color::Rgb(0x5f, 0x5f, 0x00)),
            link: Style::new().fg(accent).add_modifier(Modifier::UNDERLINED),
            quote: Style::new().fg(Color::Rgb(0x8a, 0x8a, 0x8a)),
            marker: Style::new().fg(Color::Rgb(0xaf, 0x00, 0x5f)),
            rule: Style::new().fg(Color::Rgb(0xb2, 0xb2, 0xb2)),
            url: Style::new().fg(accent),
            ..Theme::base()
        }
    }

    /// The 16 named colours only, which every colour terminal has.
    pub fn basic() -> Theme {
        Theme {
            border: Style::new().fg(Color::DarkGray),
            border_focused: Style::new().fg(Color::Cyan),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            hotkey: Style::new().fg(Color::Yellow),
            list_facts: Style::new().fg(Color::DarkGray),
            status_message: Style::new().fg(Color::Black).bg(Color::Yellow),
            prompt: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            matched: Style::new().fg(Color::Black).bg(Color::Cyan),
            matched_current: Style::new().fg(Color::Black).bg(Color::Yellow),
            heading1: Style::new()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            code: Style::new().fg(Color::Yellow),
            code_block: Style::new().fg(Color::Yellow),
            link: Style::new()
                .fg(Color::Cyan)
                .add_modifier(Modifier::UNDERLINED),
            quote: Style::new().fg(Color::DarkGray),
            marker: Style::new().fg(Color::Yellow),
            rule: Style::new().fg(Color::DarkGray),
            url: Style::new().fg(Color::Cyan),
            ..Theme::base()
        }
    }

    /// Bring every colour down to what the terminal shows.
    fn degrade(&mut self, depth: ColorDepth) {
        let styles = [
            &mut self.border,
            &mut self.border_focused,
            &mut self.pane_title,
            &mut self.selected,
            &mut self.hotkey,
            &mut self.list_title,
            &mut self.unread,
            &mut self.list_facts,
            &mut self.status,
            &mut self.status_message,
            &mut self.prompt,
            &mut self.title,
            &mut self.heading,
            &mut self.meta,
            &mut self.body,
            &mut self.boilerplate,
            &mut self.matched,
            &mut self.matched_current,
            &mut self.heading1,
            &mut self.emphasis,
            &mut self.strong,
            &mut self.strike,
            &mut self.code,
            &mut self.link,
            &mut self.link_number,
            &mut self.code_block,
            &mut self.quote,
            &mut self.marker,
            &mut self.rule,
            &mut self.url,
        ];
        for style in styles {
            style.fg = style.fg.map(|c| degrade(c, depth));
            style.bg = style.bg.map(|c| degrade(c, depth));
        }
    }

    pub fn paragraph(&self, kind: ParagraphKind) -> Style {
        match kind {
            ParagraphKind::Title => self.title,
            ParagraphKind::Heading => self.heading,
            ParagraphKind::Meta => self.meta,
            ParagraphKind::Body => self.body,
            ParagraphKind::Boilerplate => self.boilerplate,
        }
    }

    /// Border glyphs: rounded, or plain ASCII.
    pub fn border_set(&self) -> border::Set<'static> {
        if self.ascii {
            border::Set {
                top_left: "+",
                top_right: "+",
                bottom_left: "+",
                bottom_right: "+",
                vertical_left: "|",
                vertical_right: "|",
                horizontal_top: "-",
                horizontal_bottom: "-",
            }
        } else {
            border::ROUNDED
        }
    }

    /// The separator in the status line.
    pub fn separator(&self) -> &'static str {
        if self.ascii { "|" } else { "│" }
    }

    /// The dot between facts (`EN · 3 min`).
    pub fn dot(&self) -> &'static str {
        if self.ascii { "-" } else { "·" }
    }

    /// The dash between a name and a title.
    pub fn dash(&self) -> &'static str {
        if self.ascii { "-" } else { "—" }
    }

    /// The prompt's cursor.
    pub fn cursor(&self) -> &'static str {
        if self.ascii { "_" } else { "▏" }
    }
}

/// A colour the terminal at `depth` can show.
pub fn degrade(color: Color, depth: ColorDepth) -> Color {
    match (color, depth) {
        (_, ColorDepth::Mono) => Color::Reset,
        (Color::Rgb(r, g, b), ColorDepth::Ansi256) => Color::Indexed(rgb_to_256(r, g, b)),
        (Color::Rgb(r, g, b), ColorDepth::Ansi16) => rgb_to_16(r, g, b),
        (Color::Indexed(i), ColorDepth::Ansi16) if i >= 16 => {
            let (r, g, b) = index_to_rgb(i);
            rgb_to_16(r, g, b)
        }
        (c, _) => c,
    }
}

/// The nearest colour of the xterm 256-colour palette (its 6×6×6 cube or grey ramp).
fn rgb_to_256(r: u8, g: u8, b: u8) -> u8 {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let nearest = |v: u8| {
        (0..6)
            .min_by_key(|&i| (LEVELS[i] as i32 - v as i32).abs())
            .unwrap_or(0)
    };
    let (ri, gi, bi) = (nearest(r), nearest(g), nearest(b));
    let cube = 16 + 36 * ri as u8 + 6 * gi as u8 + bi as u8;
    let cube_rgb = (LEVELS[ri], LEVELS[gi], LEVELS[bi]);
    let avg = (r as u32 + g as u32 + b as u32) / 3;
    let grey_i = ((avg.saturating_sub(8)) / 10).min(23) as u8;
    let grey_v = 8 + 10 * grey_i;
    if dist((r, g, b), (grey_v, grey_v, grey_v)) < dist((r, g, b), cube_rgb) {
        232 + grey_i
    } else {
        cube
    }
}

fn index_to_rgb(i: u8) -> (u8, u8, u8) {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    match i {
        16..=231 => {
            let i = i - 16;
            (
                LEVELS[(i / 36) as usize],
                LEVELS[(i / 6 % 6) as usize],
                LEVELS[(i % 6) as usize],
            )
        }
        232..=255 => {
            let v = 8 + 10 * (i - 232);
            (v, v, v)
        }
        _ => (128, 128, 128),
    }
}

fn dist(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| (x as i32 - y as i32).pow(2) as u32;
    d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)
}

/// The nearest of the 16 named colours (with xterm's default palette).
fn rgb_to_16(r: u8, g: u8, b: u8) -> Color {
    const PALETTE: [(Color, (u8, u8, u8)); 16] = [
        (Color::Black, (0, 0, 0)),
        (Color::Red, (205, 0, 0)),
        (Color::Green, (0, 205, 0)),
        (Color::Yellow, (205, 205, 0)),
        (Color::Blue, (0, 0, 238)),
        (Color::Magenta, (205, 0, 205)),
        (Color::Cyan, (0, 205, 205)),
        (Color::Gray, (229, 229, 229)),
        (Color::DarkGray, (127, 127, 127)),
        (Color::LightRed, (255, 0, 0)),
        (Color::LightGreen, (0, 255, 0)),
        (Color::LightYellow, (255, 255, 0)),
        (Color::LightBlue, (92, 92, 255)),
        (Color::LightMagenta, (255, 0, 255)),
        (Color::LightCyan, (0, 255, 255)),
        (Color::White, (255, 255, 255)),
    ];
    PALETTE
        .iter()
        .min_by_key(|(_, rgb)| dist(*rgb, (r, g, b)))
        .map(|(c, _)| *c)
        .unwrap_or(Color::Reset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_comes_from_the_environment() {
        use ColorDepth::*;
        assert_eq!(
            ColorDepth::detect(true, Some("truecolor"), Some("xterm-256color")),
            Mono
        );
        assert_eq!(
            ColorDepth::detect(false, Some("truecolor"), Some("xterm")),
            TrueColor
        );
        assert_eq!(
            ColorDepth::detect(false, None, Some("xterm-256color")),
            Ansi256
        );
        assert_eq!(ColorDepth::detect(false, None, Some("screen")), Ansi16);
        assert_eq!(ColorDepth::detect(false, None, Some("dumb")), Mono);
        assert_eq!(ColorDepth::detect(false, None, None), Ansi16);
    }

    fn colours(t: &Theme) -> Vec<Color> {
        [
            t.border,
            t.border_focused,
            t.selected,
            t.hotkey,
            t.matched,
            t.matched_current,
        ]
        .iter()
        .flat_map(|s| [s.fg, s.bg])
        .flatten()
        .collect()
    }

    #[test]
    fn colours_degrade_to_the_terminal() {
        let t = Theme::new(ThemeName::Dark, ColorDepth::TrueColor, false);
        assert!(colours(&t).iter().any(|c| matches!(c, Color::Rgb(..))));
        let t = Theme::new(ThemeName::Dark, ColorDepth::Ansi256, false);
        assert!(colours(&t).iter().all(|c| !matches!(c, Color::Rgb(..))));
        let t = Theme::new(ThemeName::Light, ColorDepth::Ansi16, false);
        assert!(
            colours(&t)
                .iter()
                .all(|c| !matches!(c, Color::Rgb(..) | Color::Indexed(_)))
        );
    }

    #[test]
    fn no_color_means_monochrome() {
        let t = Theme::new(ThemeName::Dark, ColorDepth::Mono, false);
        assert_eq!(t, Theme::mono());
        assert!(colours(&t).is_empty());
    }

    #[test]
    fn palette_mapping_is_nearest() {
        assert_eq!(rgb_to_256(0, 0, 0), 16);
        assert_eq!(rgb_to_256(255, 255, 255), 231);
        assert_eq!(rgb_to_256(0x58, 0x58, 0x58), 240);
        assert_eq!(rgb_to_256(0x5f, 0xd7, 0xff), 81);
        assert_eq!(rgb_to_16(250, 250, 250), Color::White);
        assert_eq!(rgb_to_16(0, 200, 210), Color::Cyan);
    }

    #[test]
    fn ascii_borders_are_ascii() {
        let t = Theme::new(ThemeName::Basic, ColorDepth::Ansi16, true);
        let set = t.border_set();
        for s in [set.top_left, set.horizontal_top, set.vertical_left] {
            assert!(s.is_ascii());
        }
        assert!(t.separator().is_ascii());
    }
}
