//! OSC 8 hyperlinks on link text: which cells of the screen are a link, whether to send them at
//! all, and the address made safe to put inside an escape sequence.
//!
//! The painter wraps the cells of each [`Hyperlink`] in `ESC ] 8 ; ; URL ESC \` … `ESC ] 8 ; ;
//! ESC \`; terminals that know OSC 8 make the text clickable, others ignore the sequence. An
//! address reaches the wire only through [`osc8_url`]: printable ASCII, everything else
//! percent-encoded, so no byte of it can end the sequence or start another.

use std::ops::Range;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::app::links::browsable;
use crate::app::{App, Overlay};
use crate::config::Toggle;
use crate::text::block::Span;
use crate::text::layout::VisualLine;

/// Longest address sent, in bytes once encoded; a longer one gets no hyperlink (cut short it
/// would lead somewhere else). Terminals cap theirs about here too.
pub const MAX_URL: usize = 2048;

/// Bytes percent-encoded besides non-ASCII ones: C0 controls, DEL and space.
const ENCODED: &AsciiSet = &CONTROLS.add(b' ');

/// Cells of one screen row that are one link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hyperlink {
    pub row: u16,
    /// Columns, end excluded.
    pub cols: Range<u16>,
    /// The address as the article gives it; the painter sends it through [`osc8_url`].
    pub url: String,
}

/// The address as it may be sent inside OSC 8: printable ASCII only (bytes outside `!`…`~`
/// percent-encoded, so ESC, BEL, C1 controls and newlines cannot end or break the sequence);
/// `None` when it is empty or longer than [`MAX_URL`] once encoded.
pub fn osc8_url(url: &str) -> Option<String> {
    if url.is_empty() {
        return None;
    }
    let mut out = String::new();
    for piece in utf8_percent_encode(url, ENCODED) {
        out.push_str(piece);
        if out.len() > MAX_URL {
            return None;
        }
    }
    debug_assert!(out.bytes().all(|b| b.is_ascii_graphic()));
    Some(out)
}

/// Whether to send hyperlinks: `on` and `off` say so; `auto` sends them unless the terminal is
/// one that shows unknown sequences or has no use for them (`TERM` unset, `dumb`, the Linux
/// console, `vt*`) or folio draws in ASCII (`--ascii`, a non-UTF-8 locale): a degraded terminal.
pub fn enabled(setting: Toggle, term: &str, ascii: bool) -> bool {
    match setting {
        Toggle::On => true,
        Toggle::Off => false,
        Toggle::Auto => {
            let term = term.to_ascii_lowercase();
            !ascii
                && !term.is_empty()
                && term != "dumb"
                && !term.starts_with("linux")
                && !term.starts_with("vt")
        }
    }
}

/// The links on one visual line: (columns from the start of the line's text, end excluded,
/// index into the article's links), adjacent clusters of one link merged. A cluster is in link
/// `k` when a span with `link == Some(k)` covers the first byte it stands for; `spans` are the
/// paragraph's, sorted by start.
pub fn line_links(line: &VisualLine, spans: &[Span]) -> Vec<(Range<usize>, usize)> {
    let mut out: Vec<(Range<usize>, usize)> = Vec::new();
    if !spans.iter().any(|s| s.style.link.is_some()) {
        return out;
    }
    for cluster in &line.clusters {
        if cluster.width == 0 {
            continue;
        }
        let at = cluster.src.start;
        let i = spans.partition_point(|s| s.range.start <= at);
        let Some(link) = i
            .checked_sub(1)
            .map(|i| &spans[i])
            .filter(|s| s.range.contains(&at))
            .and_then(|s| s.style.link)
        else {
            continue;
        };
        let cols = cluster.col..cluster.col + cluster.width;
        match out.last_mut() {
            Some((r, k)) if *k == link && r.end == cols.start => r.end = cols.end,
            _ => out.push((cols, link)),
        }
    }
    out
}

/// The hyperlinks on screen: link text in the reading column's visible lines, for links to
/// addresses a browser opens ([`browsable`]: `https:`, `mailto:`…). None while
/// something is drawn over the panes (it would cover them), and none for an article without
/// links — the common case costs nothing.
pub fn regions(app: &App) -> Vec<Hyperlink> {
    let mut out = Vec::new();
    let Some(article) = app.article() else {
        return out;
    };
    if article.links.is_empty()
        || article.large.is_some()
        || !matches!(app.overlay(), None | Some(Overlay::Prompt { .. }))
    {
        return out;
    }
    let column = app.geometry().column;
    let right = column.x as usize + column.width as usize;
    for (row, doc_line) in app
        .layout()
        .lines
        .iter()
        .skip(app.top())
        .take(column.height as usize)
        .enumerate()
    {
        if doc_line.gap {
            continue;
        }
        let Some(para) = article.paragraphs.get(doc_line.para) else {
            continue;
        };
        let x0 = column.x as usize + doc_line.offset + doc_line.line.indent;
        for (cols, link) in line_links(&doc_line.line, &para.block.spans) {
            // Only addresses a terminal can open: a relative path means nothing to it, and
            // `javascript:` or `data:` should not be one click away.
            let Some(target) = article.links.get(link).filter(|l| browsable(&l.url)) else {
                continue;
            };
            let (start, end) = (x0 + cols.start, (x0 + cols.end).min(right));
            if start < end {
                out.push(Hyperlink {
                    row: column.y + row as u16,
                    cols: start as u16..end as u16,
                    url: target.url.clone(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::block::Inline;
    use crate::text::{BidiMode, Direction, LayoutOptions, ShapeMode, dump_line, layout_paragraph};

    #[test]
    fn addresses_cannot_carry_escapes() {
        assert_eq!(
            osc8_url("https://example.com/a?b=c#d").as_deref(),
            Some("https://example.com/a?b=c#d")
        );
        let hostile = "https://x.test/\x1b]8;;evil\x1b\\\x07\u{9b}31m\u{9c} é\n";
        let safe = osc8_url(hostile).unwrap();
        assert!(safe.bytes().all(|b| b.is_ascii_graphic()), "{safe:?}");
        assert_eq!(
            safe,
            "https://x.test/%1B]8;;evil%1B\\%07%C2%9B31m%C2%9C%20%C3%A9%0A"
        );
        assert_eq!(osc8_url(""), None);
        assert!(osc8_url(&format!("https://x.test/{}", "a".repeat(MAX_URL))).is_none());
        // An encoding that grows past the cap is refused, not cut; one under it is kept.
        let wide = format!("https://x.test/{}", "é".repeat(MAX_URL / 6));
        assert_eq!(osc8_url(&wide), None);
        let under = format!("https://x.test/{}", "é".repeat(300));
        assert_eq!(osc8_url(&under).map(|u| u.len()), Some(15 + 300 * 6));
    }

    #[test]
    fn auto_sends_hyperlinks_to_capable_terminals_only() {
        assert!(enabled(Toggle::Auto, "xterm-256color", false));
        assert!(!enabled(Toggle::Auto, "xterm-256color", true), "--ascii");
        assert!(!enabled(Toggle::Auto, "dumb", false));
        assert!(!enabled(Toggle::Auto, "linux", false));
        assert!(!enabled(Toggle::Auto, "vt100", false));
        assert!(!enabled(Toggle::Auto, "", false));
        assert!(enabled(Toggle::On, "dumb", true));
        assert!(!enabled(Toggle::Off, "xterm", false));
    }

    fn link(range: Range<usize>, k: usize) -> Span {
        Span {
            range,
            style: Inline {
                link: Some(k),
                ..Inline::default()
            },
        }
    }

    #[test]
    fn link_text_is_found_by_the_bytes_its_clusters_stand_for() {
        let opts = LayoutOptions {
            width: 40,
            shape: ShapeMode::Off,
            bidi: BidiMode::App,
        };
        let text = "see the docs and the faq";
        let line = &layout_paragraph(text, Direction::Ltr, &opts).lines[0];
        let spans = vec![
            link(4..12, 0),
            Span {
                range: 13..16,
                style: Inline {
                    strong: true,
                    ..Inline::default()
                },
            },
            link(21..24, 1),
        ];
        assert_eq!(line_links(line, &spans), vec![(4..12, 0), (21..24, 1)]);
        assert!(line_links(line, &spans[1..2]).is_empty());
        // Right to left: the link's clusters sit where the visual order puts them.
        let text = "اقرأ المقال هنا";
        let line = &layout_paragraph(text, Direction::Rtl, &opts).lines[0];
        let start = text.find("هنا").unwrap();
        let links = line_links(line, &[link(start..text.len(), 0)]);
        assert_eq!(links.len(), 1);
        let (cols, _) = &links[0];
        assert_eq!(cols.start, 0, "{}", dump_line(line));
        assert_eq!(cols.end, 3);
    }
}
