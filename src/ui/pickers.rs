//! The links picker and the outline, drawn with the shared [`PickerOverlay`].

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use super::{PickerOverlay, Theme, fit, lang_badge};
use crate::app::overlay::Picker;
use crate::app::{Action, App, Context, LinkEntry, OutlineEntry, OutlineKind};
use crate::text::isolate;
use crate::text::sanitize::printable;
use crate::text::width::str_width;

/// The open article's links: number, text, address (sanitized and isolated, so a right-to-left
/// text beside it or a hostile address cannot reorder the line).
pub(super) fn links(
    app: &App,
    theme: &Theme,
    picker: &Picker<LinkEntry>,
    area: Rect,
    buf: &mut Buffer,
) {
    let keymap = &app.settings().keymap;
    let hint = |a| keymap.hint_in(Context::Picker, a);
    PickerOverlay {
        theme,
        title: format!(
            " Links ({} follows, {} copies, {} opens in a browser) ",
            hint(Action::Choose),
            hint(Action::CopyLink),
            hint(Action::OpenBrowser)
        ),
        len: picker.items.len(),
        selected: picker.selected,
        row: &|i, width| {
            let link = &picker.items[i];
            let text = fit(app, &link.text, (width * 2 / 5).min(50));
            let joint = format!(" {} ", theme.dash());
            let rest = width.saturating_sub(str_width(&text) + str_width(&joint));
            let url = fit(app, &isolate(&printable(&link.url)), rest);
            (
                format!("{:>3} ", link.index + 1),
                format!("{text}{joint}{url}"),
            )
        },
    }
    .render(area, buf);
}

/// The open article's outline: headings indented by level, language sections, the entry the
/// reader is in marked.
pub(super) fn outline(
    app: &App,
    theme: &Theme,
    picker: &Picker<OutlineEntry>,
    current: Option<usize>,
    area: Rect,
    buf: &mut Buffer,
) {
    let keymap = &app.settings().keymap;
    PickerOverlay {
        theme,
        title: format!(
            " Outline ({} jumps) ",
            keymap.hint_in(Context::Picker, Action::Choose)
        ),
        len: picker.items.len(),
        selected: picker.selected,
        row: &|i, width| {
            let entry = &picker.items[i];
            let mark = match (current == Some(i), theme.ascii) {
                (true, true) => ">",
                (true, false) => "▸",
                (false, _) => " ",
            };
            let lead = match entry.kind {
                OutlineKind::Heading(level) => "  ".repeat(level.saturating_sub(1) as usize),
                OutlineKind::Section(s) => {
                    let lang = app
                        .article()
                        .and_then(|a| a.sections.get(s))
                        .and_then(|sec| lang_badge(sec.lang))
                        .unwrap_or("··");
                    format!("§{} {lang} {} ", s + 1, theme.dash())
                }
            };
            let text = fit(app, &entry.text, width.saturating_sub(str_width(&lead)));
            (format!("{mark} "), format!("{lead}{text}"))
        },
    }
    .render(area, buf);
}
