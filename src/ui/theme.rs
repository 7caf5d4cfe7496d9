//! Colours and styles.

use ratatui::style::{Color, Modifier, Style};

use crate::library::ParagraphKind;

/// The styles the widgets draw with.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub border: Style,
    pub border_focused: Style,
    pub pane_title: Style,
    pub selected: Style,
    pub hotkey: Style,
    pub list_title: Style,
    pub list_facts: Style,
    pub status: Style,
    pub status_message: Style,
    pub title: Style,
    pub heading: Style,
    pub meta: Style,
    pub body: Style,
    pub boilerplate: Style,
}

impl Default for Theme {
    fn default() -> Self {
        Theme::dark()
    }
}

impl Theme {
    /// The default: for dark terminal backgrounds, 16 named colours only.
    pub fn dark() -> Theme {
        Theme {
            border: Style::new().fg(Color::DarkGray),
            border_focused: Style::new().fg(Color::Cyan),
            pane_title: Style::new().add_modifier(Modifier::BOLD),
            selected: Style::new().bg(Color::DarkGray),
            hotkey: Style::new().fg(Color::Yellow),
            list_title: Style::new(),
            list_facts: Style::new().fg(Color::Gray),
            status: Style::new().add_modifier(Modifier::REVERSED),
            status_message: Style::new().fg(Color::Black).bg(Color::Yellow),
            title: Style::new().add_modifier(Modifier::BOLD),
            heading: Style::new().add_modifier(Modifier::BOLD),
            meta: Style::new().add_modifier(Modifier::ITALIC | Modifier::DIM),
            body: Style::new(),
            boilerplate: Style::new().add_modifier(Modifier::DIM),
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
}
