//! Widgets that borrow the app's state and draw it. No logic beyond drawing.

mod pickers;
mod theme;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};

pub use theme::{ColorDepth, Theme};

use crate::app::{Action, App, Area, BookmarkEntry, Context, Focus, ListRow, Overlay};
use crate::library::{Lang, ParagraphKind};
use crate::text::layout::display_line;
use crate::text::sanitize::{printable, sanitize_str};
use crate::text::width::{str_width, truncate};

/// The whole screen.
pub struct Screen<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
}

/// Text from an article, fitted to `max` columns and laid out for display (Arabic reads right to
/// left, joined), as the reading column would show it.
fn fit(app: &App, text: &str, max: usize) -> String {
    let reader = &app.settings().config.reader;
    display_line(text, max, reader.shape, reader.bidi)
}

fn rect(a: Area) -> Rect {
    Rect::new(a.x, a.y, a.width, a.height)
}

impl Widget for Screen<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let g = self.app.geometry();
        let theme = self.theme;
        let app = self.app;
        if g.list.width > 0 {
            ListPane { app, theme }.render(rect(g.list).intersection(area), buf);
        }
        if g.reader.width > 0 {
            ReaderPane { app, theme }.render(rect(g.reader).intersection(area), buf);
        }
        StatusLine { app, theme }.render(rect(g.status).intersection(area), buf);
        let keymap = &app.settings().keymap;
        match app.overlay() {
            Some(Overlay::Help(scroll)) => HelpOverlay {
                app,
                theme,
                scroll: *scroll,
            }
            .render(area, buf),
            Some(Overlay::Messages(scroll)) => MessagesOverlay {
                app,
                theme,
                scroll: *scroll,
            }
            .render(area, buf),
            Some(Overlay::Jump { labels, typed }) => JumpOverlay {
                app,
                theme,
                labels,
                typed,
            }
            .render(area, buf),
            Some(Overlay::Results {
                query,
                picker,
                searching,
            }) => PickerOverlay {
                theme,
                title: if *searching {
                    format!(
                        " {} matches for “{}” so far, searching… ({} stops) ",
                        picker.items.len(),
                        fit(app, query, 40),
                        keymap.hint_in(Context::Picker, Action::Cancel)
                    )
                } else {
                    format!(
                        " {} matches for “{}” ({} opens) ",
                        picker.items.len(),
                        fit(app, query, 40),
                        keymap.hint_in(Context::Picker, Action::Choose)
                    )
                },
                len: picker.items.len(),
                selected: picker.selected,
                // Only the rows on screen are formatted, however many hits there are.
                row: &|i, width| {
                    let h = &picker.items[i];
                    let title = app
                        .library()
                        .articles
                        .get(h.article)
                        .map_or("", |a| a.title.as_str());
                    (
                        format!("{} ", h.article + 1),
                        two_parts(app, theme, title, &h.context, width, 36),
                    )
                },
            }
            .render(area, buf),
            Some(Overlay::Bookmarks(picker)) => PickerOverlay {
                theme,
                title: format!(
                    " Bookmarks ({} jumps, {} deletes) ",
                    keymap.hint_in(Context::Picker, Action::Choose),
                    keymap.hint_in(Context::Picker, Action::Delete)
                ),
                len: picker.items.len(),
                selected: picker.selected,
                row: &|i, width| bookmark_row(app, theme, &picker.items[i], width),
            }
            .render(area, buf),
            Some(Overlay::Links(picker)) => pickers::links(app, theme, picker, area, buf),
            Some(Overlay::Outline { picker, current }) => {
                pickers::outline(app, theme, picker, *current, area, buf)
            }
            Some(Overlay::Prompt { .. }) | None => {}
        }
        scrub(area.intersection(buf.area), buf);
    }
}

/// The last line of defence: no cell leaves the screen holding a control, bidi control or
/// invisible character, whatever a widget above did with article text, names or prompts. Each
/// string is sanitized where it is composed; this only catches what slipped past.
fn scrub(area: Rect, buf: &mut Buffer) {
    use crate::text::sanitize::{control_placeholder, is_bidi_control, is_invisible_format};
    let bad = |c: char| c.is_control() || is_bidi_control(c) || is_invisible_format(c);
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &mut buf[(x, y)];
            if !cell.symbol().chars().any(bad) {
                continue;
            }
            let mut clean = String::new();
            for c in cell.symbol().chars() {
                match control_placeholder(c) {
                    Some(p) => clean.push_str(&p),
                    None if bad(c) => {}
                    None => clean.push(c),
                }
            }
            if crate::text::str_width(&clean) != 1 {
                clean = "\u{FFFD}".into();
            }
            cell.set_symbol(&clean);
        }
    }
}

fn bookmark_row(app: &App, theme: &Theme, b: &BookmarkEntry, width: usize) -> (String, String) {
    let title = app
        .library()
        .articles
        .get(b.article)
        .map_or("", |a| a.title.as_str());
    (
        format!("{} ", b.article + 1),
        two_parts(app, theme, title, &b.excerpt, width, 40),
    )
}

/// `first — second` in `width` columns, each laid out on its own (an Arabic excerpt after an
/// English title reads right to left as a block) and cut at its logical end: the first gets up
/// to `first_max` columns, the second what is left. Composed this way, nothing needs cutting
/// after reordering, which would drop the start of a right-to-left text instead of its end.
fn two_parts(
    app: &App,
    theme: &Theme,
    first: &str,
    second: &str,
    width: usize,
    first_max: usize,
) -> String {
    let first = fit(app, first, first_max.min(width * 2 / 5));
    let joint = format!(" {} ", theme.dash());
    let rest = width.saturating_sub(str_width(&first) + str_width(&joint));
    format!("{first}{joint}{}", fit(app, second, rest))
}

fn pane_block<'a>(title: String, focused: bool, theme: &Theme) -> Block<'a> {
    let border = if focused {
        theme.border_focused
    } else {
        theme.border
    };
    Block::default()
        .borders(Borders::ALL)
        .border_set(theme.border_set())
        .border_style(border)
        .title(Span::styled(title, theme.pane_title))
}

fn lang_badge(lang: Lang) -> Option<&'static str> {
    match lang {
        Lang::En => Some("EN"),
        Lang::Ar => Some("AR"),
        Lang::Fa => Some("FA"),
        Lang::Ur => Some("UR"),
        Lang::He => Some("HE"),
        Lang::Other => None,
    }
}

/// The file list: per article, its keys, title, and a line of facts.
pub struct ListPane<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
}

impl Widget for ListPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let theme = self.theme;
        let count = app.library().articles.len();
        let title = match &app.filter() {
            Some(f) => format!(
                " {}/{count} matching “{}” ",
                app.visible().len(),
                fit(app, f, (area.width as usize).saturating_sub(24).max(1))
            ),
            None => format!(" Library ({count}) "),
        };
        let block = pane_block(title, app.focus() == Focus::List, theme);
        let inner = block.inner(area);
        block.render(area, buf);
        let width = inner.width as usize;
        if width == 0 {
            return;
        }
        let cursor = app.list_cursor();
        let rows = app
            .list_rows()
            .iter()
            .enumerate()
            .skip(app.list_top())
            .take(app.list_capacity());
        for (row, (at, &list_row)) in rows.enumerate() {
            let y = inner.y + 2 * row as u16;
            if y >= inner.bottom() {
                break;
            }
            let i = match list_row {
                ListRow::Article(i) => i,
                ListRow::Source(s) => {
                    let highlighted = cursor == Some(at);
                    source_header(app, theme, s, highlighted, inner, y, buf);
                    continue;
                }
            };
            let Some(article) = app.library().articles.get(i) else {
                continue;
            };
            let selected = i == app.selected();
            let base = if selected {
                theme.selected
            } else {
                Style::default()
            };
            // The key that jumps to this source, as the keymap binds it: an article under a
            // source's header has none of its own.
            let source = app.library().sources.get(article.source);
            let own = source.is_none_or(|s| !s.is_group());
            let digit = own
                .then(|| source_digit(app, article.source))
                .flatten()
                .unwrap_or(' ');
            let hotkey = match source {
                Some(s) if own => s.hotkey.or(article.hotkey),
                _ => article.hotkey,
            };
            let key = format!("{digit}{} ", hotkey.unwrap_or(' '));
            let read = app.is_read(i);
            let mark = match (read, theme.ascii) {
                (true, _) => "  ",
                (false, false) => "• ",
                (false, true) => "* ",
            };
            let title = fit(app, &article.title, width.saturating_sub(key.len() + 2));
            let title_style = if read { theme.list_title } else { theme.unread };
            let line = Line::from(vec![
                Span::styled(key, base.patch(theme.hotkey)),
                Span::styled(mark, base.patch(theme.hotkey)),
                Span::styled(title, base.patch(title_style)),
            ]);
            buf.set_style(Rect::new(inner.x, y, inner.width, 1), base);
            buf.set_line(inner.x, y, &line, inner.width);
            if y + 1 < inner.bottom() {
                let mut facts: Vec<String> = Vec::new();
                let mut badges: Vec<&str> = article
                    .sections
                    .iter()
                    .filter_map(|s| lang_badge(s.lang))
                    .collect();
                badges.dedup();
                if !badges.is_empty() {
                    facts.push(badges.join("+"));
                }
                facts.push(format!("{} min", article.reading_minutes));
                if let Some(outlet) = &article.outlet {
                    facts.push(fit(app, outlet, width));
                }
                facts.push(printable(&article.file_name));
                let facts = truncate(
                    &format!("    {}", facts.join(&format!(" {} ", theme.dot()))),
                    width,
                );
                buf.set_style(Rect::new(inner.x, y + 1, inner.width, 1), base);
                buf.set_stringn(inner.x, y + 1, facts, width, base.patch(theme.list_facts));
            }
        }
    }
}

/// The digit key the keymap binds to jump to source `source`, if any.
fn source_digit(app: &App, source: usize) -> Option<char> {
    let n = u8::try_from(source + 1).ok()?;
    let k = *app.settings().keymap.keys(Action::Source(n)).first()?;
    match k.code {
        crate::app::KeyCode::Char(c) if !k.ctrl && !k.alt => Some(c),
        _ => None,
    }
}

/// A source's header in the list: its keys, a fold marker, its name and its unread / total
/// counts; under it, what it is (or why it has no articles).
fn source_header(
    app: &App,
    theme: &Theme,
    s: usize,
    highlighted: bool,
    inner: Rect,
    y: u16,
    buf: &mut Buffer,
) {
    let Some(source) = app.library().sources.get(s) else {
        return;
    };
    let width = inner.width as usize;
    let base = if highlighted {
        theme.selected
    } else {
        Style::default()
    };
    let digit = source_digit(app, s).unwrap_or(' ');
    let key = format!("{digit}{} ", source.hotkey.unwrap_or(' '));
    let marker = match (app.is_folded(s), theme.ascii) {
        (false, false) => "▾ ",
        (true, false) => "▸ ",
        (false, true) => "- ",
        (true, true) => "+ ",
    };
    let total = source.articles.len();
    let unread = app.source_unread(s);
    let counts = format!(" {unread}/{total}");
    let room = width.saturating_sub(key.len() + 2 + counts.len());
    // Names are sanitized when a loader makes them; a library made by hand may not be.
    let name = fit(app, &sanitize_str(&source.name), room);
    let pad = room.saturating_sub(str_width(&name));
    let name_style = if unread > 0 {
        theme.unread
    } else {
        theme.list_title
    };
    let line = Line::from(vec![
        Span::styled(key, base.patch(theme.hotkey)),
        Span::styled(marker, base.patch(theme.hotkey)),
        Span::styled(name, base.patch(name_style).add_modifier(Modifier::BOLD)),
        Span::styled(" ".repeat(pad), base),
        Span::styled(counts, base.patch(theme.list_facts)),
    ]);
    buf.set_style(Rect::new(inner.x, y, inner.width, 1), base);
    buf.set_line(inner.x, y, &line, inner.width);
    if y + 1 < inner.bottom() {
        let mut facts: Vec<String> = vec![source.kind_name().to_string()];
        if let Some(badge) = source.language.and_then(lang_badge) {
            facts.push(badge.to_string());
        }
        match &source.note {
            Some(note) if total == 0 => facts.push(printable(note)),
            _ => facts.push(match (total, unread) {
                (1, 0) => "1 article, read".to_string(),
                (1, _) => "1 article, unread".to_string(),
                (n, 0) => format!("{n} articles, all read"),
                (n, u) => format!("{n} articles, {u} unread"),
            }),
        }
        let facts = truncate(
            &format!("    {}", facts.join(&format!(" {} ", theme.dot()))),
            width,
        );
        buf.set_style(Rect::new(inner.x, y + 1, inner.width, 1), base);
        buf.set_stringn(inner.x, y + 1, facts, width, base.patch(theme.list_facts));
    }
}

/// The reader: the open article in the reading column, search matches highlighted.
pub struct ReaderPane<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
}

impl Widget for ReaderPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let theme = self.theme;
        let title = app
            .article()
            .map(|a| {
                format!(
                    " {} ",
                    fit(app, &a.title, area.width.saturating_sub(4) as usize)
                )
            })
            .unwrap_or_else(|| " (no article) ".into());
        // Full-width reading has no borders: every row is text.
        if !app.zoom() {
            let block = pane_block(title, app.focus() == Focus::Reader, theme);
            block.render(area, buf);
        }
        let column = rect(app.geometry().column).intersection(area);
        let Some(article) = app.article() else {
            return;
        };
        let search = app.search();
        let layout = app.layout();
        if layout.lines.is_empty() && article.is_loaded() && article.large.is_none() {
            draw_nothing_to_read(app, article, column, buf, theme);
            return;
        }
        for (row, doc_line) in layout
            .lines
            .iter()
            .skip(app.top())
            .take(column.height as usize)
            .enumerate()
        {
            let y = column.y + row as u16;
            let para = article.paragraphs.get(doc_line.para);
            let kind = para.map(|p| p.kind).unwrap_or(ParagraphKind::Body);
            let block = para.map(|p| &p.block);
            let style = block_style(theme, kind, block);
            for deco in &doc_line.decos {
                draw_deco(buf, column, y, deco, theme);
            }
            let line = &doc_line.line;
            // Matches on this line, as logical byte ranges; each cluster checks them.
            let matches: Vec<(bool, &std::ops::Range<usize>)> = match search {
                Some(s) if !doc_line.gap => s
                    .in_paragraph(doc_line.para)
                    .filter(|(_, r)| r.start < line.src.end && line.src.start < r.end)
                    .map(|(i, r)| (s.current == Some(i), r))
                    .collect(),
                _ => Vec::new(),
            };
            let x0 = column.x as usize + doc_line.offset + line.indent;
            for cluster in &line.clusters {
                let x = x0 + cluster.col;
                if cluster.width == 0 || x + cluster.width > column.right() as usize {
                    continue;
                }
                let x = x as u16;
                let style = match block {
                    Some(b) if !b.spans.is_empty() => {
                        style.patch(inline_style(theme, &b.spans, cluster.src.start))
                    }
                    _ => style,
                };
                let hit = matches
                    .iter()
                    .find(|(_, r)| cluster.src.start < r.end && r.start < cluster.src.end);
                let style = match hit {
                    Some((true, _)) => style.patch(theme.matched_current),
                    Some((false, _)) => style.patch(theme.matched),
                    None => style,
                };
                let symbol = &line.text[cluster.vis.clone()];
                if cluster.width <= 2 {
                    buf[(x, y)].set_symbol(symbol).set_style(style);
                    for dx in 1..cluster.width as u16 {
                        buf[(x + dx, y)].reset();
                    }
                } else {
                    // A visible label such as <RLO>: one cell per character.
                    buf.set_stringn(
                        x,
                        y,
                        symbol,
                        cluster.width,
                        style.add_modifier(Modifier::DIM),
                    );
                }
            }
        }
    }
}

/// What the reader says when an article it has read has no text to show: an empty file, or
/// one holding nothing but site furniture while that is hidden. A blank pane would look like
/// a fault.
fn draw_nothing_to_read(
    app: &App,
    article: &crate::library::Article,
    column: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    if column.is_empty() {
        return;
    }
    let note = if article.paragraphs.is_empty() {
        "This article has no text.".to_string()
    } else {
        match app
            .settings()
            .keymap
            .keys(Action::ToggleBoilerplate)
            .first()
        {
            Some(key) => format!("Only site furniture here: {key} shows it."),
            None => "Only site furniture here, and it is hidden.".to_string(),
        }
    };
    let style = theme
        .paragraph(ParagraphKind::Meta)
        .add_modifier(Modifier::DIM);
    buf.set_stringn(
        column.x,
        column.y,
        truncate(&note, column.width as usize),
        column.width as usize,
        style,
    );
}

/// A paragraph's style: its kind's, headings by level, code blocks in their own.
fn block_style(
    theme: &Theme,
    kind: ParagraphKind,
    block: Option<&crate::text::block::Block>,
) -> Style {
    use crate::text::block::BlockKind;
    let style = theme.paragraph(kind);
    match block.map(|b| &b.kind) {
        Some(BlockKind::Heading(1)) if kind == ParagraphKind::Heading => {
            style.patch(theme.heading1)
        }
        Some(BlockKind::Heading(n)) if *n >= 3 && kind == ParagraphKind::Heading => {
            style.add_modifier(Modifier::ITALIC)
        }
        Some(BlockKind::Code { .. }) => style.patch(theme.code_block),
        _ => style,
    }
}

/// The inline style of the text at byte `at`, from the paragraph's spans (sorted, disjoint).
fn inline_style(theme: &Theme, spans: &[crate::text::block::Span], at: usize) -> Style {
    let i = spans.partition_point(|s| s.range.end <= at);
    let Some(span) = spans.get(i).filter(|s| s.range.start <= at) else {
        return Style::default();
    };
    let s = span.style;
    let mut style = Style::default();
    for (on, patch) in [
        (s.emphasis, theme.emphasis),
        (s.strong, theme.strong),
        (s.strike, theme.strike),
        (s.code, theme.code),
        (s.link.is_some(), theme.link),
        (s.link_number, theme.link_number),
    ] {
        if on {
            style = style.patch(patch);
        }
    }
    style
}

/// A decoration's glyphs in ASCII, for terminals that lack the box-drawing ones.
fn ascii_deco(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '│' => '|',
            '─' => '-',
            '┼' => '+',
            '↪' => '\\',
            '•' => '*',
            '◦' => '-',
            '▪' => '+',
            c => c,
        })
        .collect()
}

/// Draw a decoration of the reading column (a quote bar, a list marker, a rule…) in its style.
fn draw_deco(
    buf: &mut Buffer,
    column: Rect,
    y: u16,
    deco: &crate::text::document::Deco,
    theme: &Theme,
) {
    use crate::text::document::DecoKind;
    let x = column.x as usize + deco.col;
    if x >= column.right() as usize {
        return;
    }
    let style = match deco.kind {
        DecoKind::Quote => theme.quote,
        DecoKind::Marker => theme.marker,
        DecoKind::Rule | DecoKind::Table | DecoKind::Continuation | DecoKind::Image => theme.rule,
        DecoKind::LinkNumber => theme.link_number,
        DecoKind::Url => theme.url,
    };
    // Decorations are folio's own text, except URLs in the links list, which come from the
    // article: made printable all the same.
    let text = printable(&deco.text);
    let text = if theme.ascii { ascii_deco(&text) } else { text };
    let room = column.right() as usize - x;
    buf.set_stringn(x as u16, y, text, room, style);
}

/// The bottom line: a prompt, a message, or which article and where in it.
pub struct StatusLine<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
}

impl Widget for StatusLine<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height == 0 {
            return;
        }
        let app = self.app;
        let theme = self.theme;
        let width = area.width as usize;
        if let Some(Overlay::Prompt { kind, input }) = &app.overlay() {
            let label = kind.label();
            buf.set_style(area, Style::default());
            let keymap = &app.settings().keymap;
            let hint = format!(
                " {} {} {} ",
                keymap.hint_in(Context::Prompt, Action::Submit),
                theme.dot(),
                keymap.hint_in(Context::Prompt, Action::Cancel)
            );
            let room = width.saturating_sub(str_width(label) + str_width(&hint) + 1);
            // Show the end of a long input.
            let shown: String = {
                let w = str_width(input);
                if w <= room {
                    input.clone()
                } else {
                    let skip = input.chars().count().saturating_sub(room.saturating_sub(1));
                    format!(
                        "{}{}",
                        if theme.ascii { "<" } else { "…" },
                        input.chars().skip(skip).collect::<String>()
                    )
                }
            };
            let sanitized = fit(app, &crate::text::sanitize::sanitize_str(&shown), room);
            let line = Line::from(vec![
                Span::styled(label, theme.prompt),
                Span::raw(sanitized),
                Span::styled(theme.cursor(), theme.prompt),
            ]);
            buf.set_line(area.x, area.y, &line, area.width);
            let hint_w = str_width(&hint).min(width);
            buf.set_stringn(
                area.x + (width - hint_w) as u16,
                area.y,
                &hint,
                hint_w,
                theme.list_facts,
            );
            return;
        }
        buf.set_style(area, theme.status);
        let total = app.layout().lines.len();
        let bottom = (app.top() + app.page()).min(total);
        let percent = (bottom * 100).checked_div(total).unwrap_or(100);
        let sep = theme.separator();
        let dot = theme.dot();
        let help = format!(
            "{} help ",
            app.settings().keymap.hint(crate::app::Action::ToggleHelp)
        );
        let search = match &app.search() {
            Some(s) => format!(" /{} ({}) {sep}", fit(app, &s.query, 16), s.matches.len()),
            None => String::new(),
        };
        let section = match (app.current_section(), app.article()) {
            (Some((i, sec)), Some(a)) => {
                // The word count only where there is room for it.
                let words = if width >= 110 {
                    format!(" {dot} {} words", sec.words)
                } else {
                    String::new()
                };
                format!(
                    " {} §{}/{}{words} {dot} {} min {sep}",
                    lang_badge(sec.lang).unwrap_or("··"),
                    i + 1,
                    a.sections.len(),
                    sec.reading_minutes
                )
            }
            _ => String::new(),
        };
        // How many messages there are, when none is on the line itself.
        let warnings = match app.messages().len() {
            _ if app.message().is_some() => String::new(),
            0 => String::new(),
            n => format!(
                " {n} msg ({}) {sep}",
                app.settings().keymap.hint(crate::app::Action::ShowMessages)
            ),
        };
        // A library opened from names is being read: how far it has got.
        let warnings = match app.fill_progress() {
            Some((done, total)) => format!(
                " Reading {} of {} articles {sep}{warnings}",
                thousands(done),
                thousands(total)
            ),
            None => warnings,
        };
        // The feeds are being fetched (the fetch key): how far it has got.
        let warnings = match app.fetch_progress() {
            Some((done, total)) => format!(" Fetching {done}/{total} feeds… {sep}{warnings}"),
            None => warnings,
        };
        let position = if app.geometry().column.width == 0 {
            format!("{warnings} {help}")
        } else if let Some(fraction) = app.fraction_read() {
            // A large article's length in lines is not known: say how far through its bytes
            // the bottom of the screen is, as less does.
            format!(
                "{search}{warnings} {}% {sep} {help}",
                (fraction * 100.0).floor() as u32
            )
        } else {
            // The lines on screen, and how far down the last of them is (as less shows it).
            format!(
                "{search}{section}{warnings} lines {}-{}/{} {}% {sep} {help}",
                (app.top() + 1).min(total),
                bottom,
                total,
                percent
            )
        };
        let right_w = str_width(&position).min(width);
        let room = width.saturating_sub(right_w + 1);
        let left = match (&app.message(), app.article()) {
            (Some(m), _) => format!(" {}", fit(app, m, room.saturating_sub(1))),
            (None, Some(a)) => {
                let head = format!(
                    " {}/{} {}{} {} ",
                    app.selected() + 1,
                    app.library().articles.len(),
                    printable(&a.file_name),
                    if a.had_invalid_utf8 {
                        " (invalid UTF-8 shown as \u{FFFD})"
                    } else {
                        ""
                    },
                    theme.dash(),
                );
                let head = truncate(&head, room);
                let room = room.saturating_sub(str_width(&head));
                // The heading the reader is under, after the title (which names the first).
                let heading = app
                    .current_heading()
                    .and_then(|(p, _)| a.paragraphs.get(p))
                    .filter(|p| p.kind != ParagraphKind::Title)
                    .map(|p| format!(" › {}", fit(app, &p.text, room / 2)));
                let heading = heading.unwrap_or_default();
                let title = fit(app, &a.title, room.saturating_sub(str_width(&heading)));
                format!("{head}{title}{heading}")
            }
            (None, None) => " no articles".into(),
        };
        let style = if app.message().is_some() {
            theme.status_message
        } else {
            theme.status
        };
        buf.set_stringn(area.x, area.y, left, width, style);
        buf.set_stringn(
            area.x + (width - right_w) as u16,
            area.y,
            position,
            right_w,
            theme.status,
        );
    }
}

/// A count with thousands separated by commas: 12,345.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A centred box, `w`×`h` at most, inside `area` above the status line.
fn popup(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height.saturating_sub(1));
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height.saturating_sub(1) - h) / 2,
        w,
        h,
    )
}

/// Clear where a pop-up goes, and the pieces of text it would leave beside it: a line of the
/// reader cut by the pop-up leaves a letter or two between the pop-up's border and the pane's
/// (for a right-to-left line, its first letters), which read as stray glyphs. On each of the
/// pop-up's rows, text up to the next border on either side is cleared too.
fn clear_popup(area: Rect, popup: Rect, buf: &mut Buffer) {
    Clear.render(popup, buf);
    let is_border = |s: &str| {
        s.chars()
            .next()
            .is_some_and(|c| ('\u{2500}'..='\u{257F}').contains(&c) || "|+-".contains(c))
    };
    let area = area.intersection(buf.area);
    for y in popup.top()..popup.bottom().min(area.bottom()) {
        for x in popup.right()..area.right() {
            if is_border(buf[(x, y)].symbol()) {
                break;
            }
            buf[(x, y)].reset();
        }
        for x in (area.left()..popup.left()).rev() {
            if is_border(buf[(x, y)].symbol()) {
                break;
            }
            buf[(x, y)].reset();
        }
    }
}

/// Keys and what they do, generated from the keymap so it cannot go stale.
pub struct HelpOverlay<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
    pub scroll: usize,
}

impl Widget for HelpOverlay<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let lines = self.app.help_lines();
        let key_w = lines.iter().map(|(k, _)| str_width(k)).max().unwrap_or(0);
        let text_w = lines.iter().map(|(_, d)| str_width(d)).max().unwrap_or(0);
        let entry_w = (key_w + text_w + 4) as u16;
        // As many columns as it takes to fit the height, as far as the width allows.
        let room = area.height.saturating_sub(3).max(1) as usize;
        let max_columns = (area.width.saturating_sub(2) / entry_w.max(1)).max(1) as usize;
        let columns = lines.len().div_ceil(room).clamp(1, max_columns);
        let per_column = lines.len().div_ceil(columns);
        let popup = popup(area, entry_w * columns as u16 + 2, per_column as u16 + 2);
        clear_popup(area, popup, buf);
        let block = pane_block(" Keys (any key closes) ".into(), true, self.theme);
        let inner = block.inner(popup);
        block.render(popup, buf);
        for (i, (keys, desc)) in lines.iter().enumerate() {
            let (col, row) = (i / per_column, i % per_column);
            let Some(row) = row.checked_sub(self.scroll) else {
                continue;
            };
            if row >= inner.height as usize {
                continue;
            }
            let x = inner.x + col as u16 * entry_w;
            let pad = " ".repeat(key_w - str_width(keys));
            let line = Line::from(vec![
                Span::styled(format!(" {keys}{pad}  "), self.theme.hotkey),
                Span::raw(desc.as_str()),
            ]);
            buf.set_line(
                x,
                inner.y + row as u16,
                &line,
                entry_w.min(inner.right().saturating_sub(x)),
            );
        }
    }
}

/// A list to pick from: library search results, bookmarks.
pub struct PickerOverlay<'a> {
    pub theme: &'a Theme,
    pub title: String,
    /// How many rows there are.
    pub len: usize,
    pub selected: usize,
    /// (key column, text) of row `i` with the text fitted to the given columns; asked only for
    /// the rows on screen.
    pub row: &'a dyn Fn(usize, usize) -> (String, String),
}

impl Widget for PickerOverlay<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let popup = popup(
            area,
            area.width.saturating_sub(6).min(110),
            (self.len as u16).saturating_add(2),
        );
        clear_popup(area, popup, buf);
        let block = pane_block(self.title, true, self.theme);
        let inner = block.inner(popup);
        block.render(popup, buf);
        let h = inner.height as usize;
        if h == 0 || inner.width == 0 {
            return;
        }
        let first = self.selected.saturating_sub(h - 1);
        for (row, i) in (first..self.len).take(h).enumerate() {
            // The key column is a number: ` 12 ` at most a few cells.
            let key_w = 8;
            let (key, text) = (self.row)(i, (inner.width as usize).saturating_sub(key_w + 1));
            let y = inner.y + row as u16;
            let style = if i == self.selected {
                self.theme.selected
            } else {
                Style::default()
            };
            buf.set_style(Rect::new(inner.x, y, inner.width, 1), style);
            let text = truncate(&text, (inner.width as usize).saturating_sub(key.len() + 1));
            let line = Line::from(vec![
                Span::styled(format!(" {key}"), style.patch(self.theme.hotkey)),
                Span::styled(text, style),
            ]);
            buf.set_line(inner.x, y, &line, inner.width);
        }
    }
}

/// Every message and warning since the start, oldest first, one line each.
pub struct MessagesOverlay<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
    pub scroll: usize,
}

impl Widget for MessagesOverlay<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let messages = self.app.messages();
        let popup = popup(
            area,
            area.width.saturating_sub(4).min(120),
            (messages.len() as u16).saturating_add(2),
        );
        clear_popup(area, popup, buf);
        let title = format!(" Messages ({}) ", messages.len());
        let block = pane_block(title, true, self.theme);
        let inner = block.inner(popup);
        block.render(popup, buf);
        let width = inner.width as usize;
        for (row, message) in messages
            .iter()
            .skip(self.scroll)
            .take(inner.height as usize)
            .enumerate()
        {
            let text = fit(self.app, message, width.saturating_sub(1));
            buf.set_stringn(
                inner.x + 1,
                inner.y + row as u16,
                text,
                width.saturating_sub(1),
                Style::default(),
            );
        }
    }
}

/// The jump prompt: every source with its label, in columns; typing narrows it.
pub struct JumpOverlay<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
    pub labels: &'a [String],
    pub typed: &'a str,
}

impl Widget for JumpOverlay<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        // A source shown as its article alone is labelled with the article's title, as the
        // list shows it; a group with its name.
        let library = self.app.library();
        let entries: Vec<(&String, String)> = self
            .labels
            .iter()
            .zip(&library.sources)
            .filter(|(label, _)| label.starts_with(self.typed))
            .map(|(label, source)| {
                let title = match library.articles.get(source.articles.start) {
                    Some(a) if !source.is_group() => a.title.as_str(),
                    _ => source.name.as_str(),
                };
                (label, sanitize_str(title))
            })
            .collect();
        let w = area.width.saturating_sub(4).min(110);
        let max_h = area.height.saturating_sub(3);
        let col_w: u16 = 36;
        let columns = (w.saturating_sub(2) / col_w).max(1);
        let rows = (entries.len() as u16)
            .div_ceil(columns)
            .min(max_h.saturating_sub(2));
        let popup = popup(area, w, rows + 2);
        clear_popup(area, popup, buf);
        let title = format!(
            " Jump to: {}{} ({} cancels) ",
            self.typed,
            self.theme.cursor(),
            self.app
                .settings()
                .keymap
                .hint_in(Context::Jump, Action::Cancel)
        );
        let block = pane_block(title, true, self.theme);
        let inner = block.inner(popup);
        block.render(popup, buf);
        let col_w = (inner.width / columns).max(1);
        if inner.is_empty() {
            return;
        }
        let rows = rows.clamp(1, inner.height);
        for (i, (label, title)) in entries.iter().enumerate() {
            let (col, row) = (i / rows as usize, i % rows as usize);
            if col >= columns as usize {
                break;
            }
            let (col, row) = (col as u16, row as u16);
            let x = inner.x + col * col_w;
            let rest = &label[self.typed.len().min(label.len())..];
            let title = fit(
                self.app,
                title,
                (col_w as usize).saturating_sub(label.len() + 2),
            );
            let line = Line::from(vec![
                Span::styled(self.typed.to_string(), self.theme.list_facts),
                Span::styled(
                    rest.to_string(),
                    self.theme.hotkey.add_modifier(Modifier::BOLD),
                ),
                Span::raw(" "),
                Span::raw(title),
            ]);
            buf.set_line(x, inner.y + row, &line, col_w.saturating_sub(1));
        }
    }
}
