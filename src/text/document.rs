//! A whole article's paragraphs × width → the lines of the reading column, one blank line between
//! paragraphs, each paragraph laid out as the block it is ([`Block`]).
//!
//! - **Decorations** (quote bars, list markers, task boxes, the code continuation mark, table
//!   borders, rules, image labels, the links list) are [`Deco`]s beside a line's text, never part
//!   of it: a line's clusters and `src` ranges stay in its paragraph's logical text, so anchors,
//!   search and copy see the text alone. Containers are drawn on the paragraph's start side: a
//!   quote bar `│ ` per level and a list item's marker on its first line, with a hanging indent
//!   for the lines after it, on the left for left-to-right text and on the right for
//!   right-to-left text. At most [`MAX_DRAWN_DEPTH`] levels are drawn, and no more than half the
//!   column: deeper nesting keeps its innermost levels.
//! - **Text** (prose, headings, footnotes) wraps to the column left by the decorations; a `\n`
//!   in the text (a hard break) starts a new line.
//! - **Code** never reflows: each of its lines is laid out on its own, indentation and blank
//!   lines kept (tabs were expanded to stops of 4 columns when the text was sanitized); a line
//!   longer than the column wraps, each continuation starting with [`CONTINUATION`].
//! - **Tables** fit the column: columns at their natural width when they fit, otherwise the
//!   widest shrinks first, no column below [`MIN_COLUMN`] (or its natural width), cells wrapping
//!   inside their column; when even that cannot fit, each row becomes a block of
//!   `header: value` lines. A right-to-left table lays its columns out right to left.
//! - **Rules** are a line of `─` across the column; **images** `[image: alt] [n]`.
//! - **The links list**, `[n] url` lines, follows the content when the article has links.
//!
//! Knows nothing of what a paragraph *is* beyond its block: callers pass [`DocPara`]s and look
//! kinds up by index.

use super::Direction;
use super::block::{Align, Block, BlockKind, Container, Link, Table};
use super::layout::{LayoutOptions, VisualLine, layout_paragraph};
use super::width::{cluster_width, str_width};
use unicode_segmentation::UnicodeSegmentation;

/// Containers drawn beside a leaf at most; deeper ones are not drawn (their text is).
pub const MAX_DRAWN_DEPTH: usize = 8;
/// A table column is not shrunk below this many columns (or its natural width, if less).
pub const MIN_COLUMN: usize = 6;
/// The mark that starts each continuation of a code line too long for the column.
pub const CONTINUATION: &str = "↪";

/// What a decoration is, for drawing it in its own style.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DecoKind {
    /// A block quote's bar.
    Quote,
    /// A list item's marker or task box, a footnote's label.
    Marker,
    /// A thematic break.
    Rule,
    /// The mark starting a code line's continuation.
    Continuation,
    /// A table's column separators and header rule.
    Table,
    /// An image's `[image: …]` label.
    Image,
    /// A link's number in an image label or the links list.
    LinkNumber,
    /// A URL in the links list.
    Url,
}

/// Decoration drawn beside a line's text: not part of the paragraph's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deco {
    /// Column from the reading column's left edge.
    pub col: usize,
    pub text: String,
    pub kind: DecoKind,
}

/// One line of the reading column.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocLine {
    /// The paragraph this line shows (for a gap: the paragraph the gap comes before; for the
    /// links list: the paragraph it comes before, or one past the last).
    pub para: usize,
    /// A blank line between paragraphs.
    pub gap: bool,
    pub line: VisualLine,
    /// Columns from the reading column's left edge to where the line's own `indent` counts
    /// from: the text's first cell is at `offset + line.indent + cluster.col`.
    pub offset: usize,
    /// Decorations, left to right.
    pub decos: Vec<Deco>,
}

/// Where the reader is, in terms that survive a change of width: a paragraph and a byte in it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Anchor {
    pub para: usize,
    pub byte: usize,
    /// On the blank line before `para`.
    pub gap: bool,
}

/// An article laid out at one width.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocumentLayout {
    pub lines: Vec<DocLine>,
}

/// A paragraph as layout sees it.
#[derive(Clone, Copy, Debug)]
pub struct DocPara<'a> {
    /// Its index in the article (what [`DocLine::para`] names).
    pub index: usize,
    pub text: &'a str,
    pub dir: Direction,
    pub block: &'a Block,
}

/// Lay out plain paragraphs, in order, with one blank line between neighbours.
pub fn layout_document<'a>(
    paragraphs: impl IntoIterator<Item = (usize, &'a str, Direction)>,
    opts: &LayoutOptions,
) -> DocumentLayout {
    static PLAIN: std::sync::OnceLock<Block> = std::sync::OnceLock::new();
    let plain = PLAIN.get_or_init(Block::default);
    layout_blocks(
        paragraphs.into_iter().map(|(index, text, dir)| DocPara {
            index,
            text,
            dir,
            block: plain,
        }),
        &[],
        usize::MAX,
        opts,
    )
}

/// Lay out paragraphs as their blocks, in order, with one blank line between neighbours, and
/// `links` as a list before the first paragraph whose index is `links_before` or more (after
/// everything if none is).
pub fn layout_blocks<'a>(
    paragraphs: impl IntoIterator<Item = DocPara<'a>>,
    links: &[Link],
    links_before: usize,
    opts: &LayoutOptions,
) -> DocumentLayout {
    let mut lines: Vec<DocLine> = Vec::new();
    let mut links_done = links.is_empty();
    let mut prev: Option<&Block> = None;
    for p in paragraphs {
        if !links_done && p.index >= links_before {
            links_done = true;
            links_list(links, links_before, opts.width, &mut lines);
            prev = None;
        }
        let tight = prev.is_some_and(|b| tight(b, p.block));
        if !lines.is_empty() && !tight {
            let (decos, offset) = match prev {
                Some(b) => gap_decos(b, p.block, p.dir, opts.width),
                None => (Vec::new(), 0),
            };
            lines.push(DocLine {
                para: p.index,
                gap: true,
                line: VisualLine {
                    dir: p.dir,
                    ..VisualLine::default()
                },
                offset,
                decos,
            });
        }
        layout_block(&p, opts, &mut lines);
        prev = Some(p.block);
    }
    if !links_done {
        let after = lines.last().map_or(0, |l| l.para + 1);
        links_list(
            links,
            after.max(links_before.min(after)),
            opts.width,
            &mut lines,
        );
    }
    DocumentLayout { lines }
}

/// One line of `folio --dump` for a document line: decorations and text at their columns.
pub fn dump_doc_line(line: &DocLine) -> String {
    use super::layout::dump_line;
    if line.decos.is_empty() {
        let mut out = " ".repeat(line.offset);
        out.push_str(&dump_line(&line.line));
        return out;
    }
    // A row of cells: each holds what is drawn there, `None` behind a wide cluster.
    let mut cells: Vec<Option<String>> = Vec::new();
    let mut put = |col: usize, symbol: &str, width: usize| {
        if cells.len() < col + width.max(1) {
            cells.resize(col + width.max(1), Some(" ".into()));
        }
        cells[col] = Some(symbol.to_string());
        for c in cells.iter_mut().skip(col + 1).take(width.saturating_sub(1)) {
            *c = None;
        }
    };
    let x0 = line.offset + line.line.indent;
    for c in &line.line.clusters {
        if c.width > 0 {
            put(x0 + c.col, &line.line.text[c.vis.clone()], c.width);
        }
    }
    for d in &line.decos {
        let mut col = d.col;
        for g in d.text.graphemes(true) {
            let w = cluster_width(g);
            put(col, g, w);
            col += w;
        }
    }
    let out: String = cells.into_iter().flatten().collect();
    out.trim_end_matches(' ').to_string()
}

/// Whether no blank line goes between two leaves: a list item starting right after a leaf of
/// the same list, of an item it is nested in, or of a list nested in a sibling, as lists are
/// read. Two lists one after the other (bullets, then numbers) keep their blank line.
fn tight(prev: &Block, next: &Block) -> bool {
    let (p, n) = (&prev.containers.levels, &next.containers.levels);
    let Some(Container::Item(item)) = n.last() else {
        return false;
    };
    if !item.first || n.len() > p.len() + 1 {
        return false;
    }
    let same =
        |a: &Container, b: &Container| std::mem::discriminant(a) == std::mem::discriminant(b);
    if !p.iter().zip(&n[..n.len() - 1]).all(|(a, b)| same(a, b)) {
        return false;
    }
    match p.get(n.len() - 1) {
        // The first item of a list nested in the previous leaf's item.
        None => p.last().is_some_and(|c| matches!(c, Container::Item(_))),
        // A sibling of the item the previous leaf is in (or is nested in).
        Some(Container::Item(sibling)) => {
            let numbered = |m: &str| m.ends_with('.');
            numbered(&sibling.marker) == numbered(&item.marker)
                && (numbered(&item.marker) || sibling.marker == item.marker)
        }
        Some(Container::Quote) => false,
    }
}

/// The quote bars a blank line between two leaves keeps: those of the quotes both are in.
fn gap_decos(prev: &Block, next: &Block, dir: Direction, width: usize) -> (Vec<Deco>, usize) {
    let shared = prev
        .containers
        .levels
        .iter()
        .zip(&next.containers.levels)
        .take_while(|(a, b)| std::mem::discriminant(*a) == std::mem::discriminant(*b))
        .count();
    if !next.containers.levels[..shared]
        .iter()
        .any(|c| matches!(c, Container::Quote))
    {
        return (Vec::new(), 0);
    }
    let block = Block {
        containers: super::block::Containers {
            levels: next.containers.levels[..shared]
                .iter()
                .map(|c| match c {
                    Container::Item(i) => Container::Item(super::block::ListItem {
                        first: false,
                        ..i.clone()
                    }),
                    Container::Quote => Container::Quote,
                })
                .collect(),
        },
        ..Block::default()
    };
    let frame = Frame::new(&block, dir, width);
    (frame.decos(false), frame.offset())
}

// ---------------------------------------------------------------- containers

/// One drawn container level: what it shows on a leaf's first line and on the lines after.
struct Level {
    first: String,
    rest: String,
    width: usize,
    kind: DecoKind,
}

fn task_box(task: Option<bool>) -> &'static str {
    match task {
        Some(true) => "[x] ",
        Some(false) => "[ ] ",
        None => "",
    }
}

/// A list marker as it reads on screen in a right-to-left line: `١.` shows its dot on the
/// left.
fn rtl_marker(marker: &str) -> String {
    match marker.strip_suffix('.') {
        Some(n) => format!(".{n}"),
        None => marker.to_string(),
    }
}

fn level_of(c: &Container, dir: Direction) -> Level {
    match c {
        Container::Quote => Level {
            first: if dir == Direction::Rtl {
                " │"
            } else {
                "│ "
            }
            .into(),
            rest: if dir == Direction::Rtl {
                " │"
            } else {
                "│ "
            }
            .into(),
            width: 2,
            kind: DecoKind::Quote,
        },
        Container::Item(item) => {
            let marker = if dir == Direction::Rtl {
                rtl_marker(&item.marker)
            } else {
                item.marker.clone()
            };
            let first = if dir == Direction::Rtl {
                format!(" {}{marker}", task_box(item.task))
            } else {
                format!("{marker} {}", task_box(item.task))
            };
            let width = str_width(&first);
            Level {
                first: if item.first { first } else { String::new() },
                rest: String::new(),
                width,
                kind: DecoKind::Marker,
            }
        }
    }
}

/// A footnote's label as a level, like a list marker.
fn footnote_level(label: &str, dir: Direction) -> Level {
    let label = super::sanitize::printable(label);
    let first = if dir == Direction::Rtl {
        format!(" :[^{label}]")
    } else {
        format!("[^{label}]: ")
    };
    Level {
        width: str_width(&first),
        first,
        rest: String::new(),
        kind: DecoKind::Marker,
    }
}

/// The levels drawn for a block at `width`: the innermost, at most [`MAX_DRAWN_DEPTH`], taking
/// no more than half the column.
fn drawn_levels(block: &Block, dir: Direction, width: usize) -> Vec<Level> {
    let mut all: Vec<Level> = block
        .containers
        .levels
        .iter()
        .map(|c| level_of(c, dir))
        .collect();
    if let BlockKind::Footnote { label } = &block.kind {
        all.push(footnote_level(label, dir));
    }
    let mut used = 0;
    let mut keep = 0;
    for l in all.iter().rev() {
        if keep == MAX_DRAWN_DEPTH || used + l.width > width / 2 {
            break;
        }
        used += l.width;
        keep += 1;
    }
    all.split_off(all.len() - keep)
}

/// Where the levels and the text of a block go.
struct Frame {
    levels: Vec<Level>,
    dir: Direction,
    /// The whole column.
    width: usize,
    /// Columns the levels take.
    used: usize,
}

impl Frame {
    fn new(block: &Block, dir: Direction, width: usize) -> Frame {
        let levels = drawn_levels(block, dir, width);
        let used = levels.iter().map(|l| l.width).sum();
        Frame {
            levels,
            dir,
            width,
            used,
        }
    }

    /// Columns left for the text.
    fn inner(&self) -> usize {
        self.width.saturating_sub(self.used).max(1)
    }

    /// Where the text area starts.
    fn offset(&self) -> usize {
        match self.dir {
            Direction::Ltr => self.used,
            Direction::Rtl => 0,
        }
    }

    /// The levels' decorations for a leaf's first line or a later one.
    fn decos(&self, first: bool) -> Vec<Deco> {
        let mut out = Vec::new();
        let mut col = match self.dir {
            Direction::Ltr => 0,
            Direction::Rtl => self.width,
        };
        for l in &self.levels {
            let text = if first { &l.first } else { &l.rest };
            if self.dir == Direction::Rtl {
                col -= l.width;
            }
            if !text.trim().is_empty() {
                out.push(Deco {
                    col,
                    text: text.clone(),
                    kind: l.kind,
                });
            }
            if self.dir == Direction::Ltr {
                col += l.width;
            }
        }
        if self.dir == Direction::Rtl {
            out.reverse();
        }
        out
    }

    fn line(&self, para: usize, line: VisualLine, first: bool) -> DocLine {
        DocLine {
            para,
            gap: false,
            line,
            offset: self.offset(),
            decos: self.decos(first),
        }
    }
}

/// `line` as a line of a paragraph whose text it is a piece of, starting at byte `by`.
fn shifted(mut line: VisualLine, by: usize) -> VisualLine {
    line.src = line.src.start + by..line.src.end + by;
    for c in &mut line.clusters {
        c.src = c.src.start + by..c.src.end + by;
    }
    line
}

/// The pieces of `text` between `\n`s, with where each starts.
fn pieces(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    text.split('\n').map(move |piece| {
        let start = at;
        at += piece.len() + 1;
        (start, piece)
    })
}

/// A line showing no text, at byte `at` of its paragraph.
fn empty_line(dir: Direction, at: usize) -> VisualLine {
    VisualLine {
        dir,
        src: at..at,
        ..VisualLine::default()
    }
}

// ---------------------------------------------------------------- blocks

fn layout_block(p: &DocPara, opts: &LayoutOptions, out: &mut Vec<DocLine>) {
    let block = p.block;
    if block.containers.is_empty() && block.kind == BlockKind::Text && !p.text.contains('\n') {
        // A plain paragraph: exactly as plain text has always been laid out.
        for line in layout_paragraph(p.text, p.dir, opts).lines {
            out.push(DocLine {
                para: p.index,
                line,
                ..DocLine::default()
            });
        }
        return;
    }
    let frame = Frame::new(block, p.dir, opts.width);
    match &block.kind {
        BlockKind::Text | BlockKind::Heading(_) | BlockKind::Footnote { .. } => {
            text_lines(p, &frame, opts, out)
        }
        BlockKind::Code { .. } => code_lines(p, &frame, opts, out),
        BlockKind::Rule => {
            let mut line = frame.line(p.index, empty_line(p.dir, 0), true);
            let inner = frame.inner();
            line.decos.push(Deco {
                col: frame.offset(),
                text: "─".repeat(inner),
                kind: DecoKind::Rule,
            });
            line.decos.sort_by_key(|d| d.col);
            out.push(line);
        }
        BlockKind::Image { link } => image_lines(p, *link, &frame, opts, out),
        BlockKind::Table(table) => table_lines(p, table, &frame, opts, out),
    }
}

fn text_lines(p: &DocPara, frame: &Frame, opts: &LayoutOptions, out: &mut Vec<DocLine>) {
    let inner = LayoutOptions {
        width: frame.inner(),
        ..*opts
    };
    let mut first = true;
    for (start, piece) in pieces(p.text) {
        for line in layout_paragraph(piece, p.dir, &inner).lines {
            let line = if line.src.is_empty() && piece.is_empty() {
                empty_line(p.dir, start)
            } else {
                shifted(line, start)
            };
            out.push(frame.line(p.index, line, first));
            first = false;
        }
    }
}

fn code_lines(p: &DocPara, frame: &Frame, opts: &LayoutOptions, out: &mut Vec<DocLine>) {
    let width = frame.inner();
    let whole = LayoutOptions { width, ..*opts };
    // Continuations are one column narrower, for the mark; at width 1 there is no room for it.
    let mark = width > 1;
    let rest = LayoutOptions {
        width: if mark { width - 1 } else { width },
        ..*opts
    };
    let mut first = true;
    for (start, piece) in pieces(p.text) {
        let laid = layout_paragraph(piece, p.dir, &whole).lines;
        let line = match laid.first() {
            Some(l) if !piece.is_empty() => shifted(l.clone(), start),
            _ => empty_line(p.dir, start),
        };
        out.push(frame.line(p.index, line, first));
        first = false;
        let Some(next) = laid.get(1) else { continue };
        let from = next.src.start;
        for line in layout_paragraph(&piece[from..], p.dir, &rest).lines {
            let mut doc = frame.line(p.index, shifted(line, start + from), false);
            if mark {
                doc.decos.push(Deco {
                    col: doc.offset,
                    text: CONTINUATION.into(),
                    kind: DecoKind::Continuation,
                });
                doc.offset += 1;
                doc.decos.sort_by_key(|d| d.col);
            }
            out.push(doc);
        }
    }
}

fn image_lines(
    p: &DocPara,
    link: Option<usize>,
    frame: &Frame,
    opts: &LayoutOptions,
    out: &mut Vec<DocLine>,
) {
    let rtl = p.dir == Direction::Rtl;
    let (label, close) = if rtl {
        (" :image]", "[")
    } else {
        ("[image: ", "]")
    };
    let number = link.map(|n| format!("[{}]", n + 1));
    let suffix = match &number {
        Some(n) if rtl => format!("{n} {close}"),
        Some(n) => format!("{close} {n}"),
        None => close.to_string(),
    };
    let (lw, sw) = (str_width(label), str_width(&suffix));
    let inner = frame.inner();
    if inner < lw + sw + 1 {
        return text_lines(p, frame, opts, out);
    }
    let text_opts = LayoutOptions {
        width: inner - lw - sw,
        ..*opts
    };
    let text = p.text.replace('\n', " ");
    let laid = layout_paragraph(&text, p.dir, &text_opts).lines;
    let n = laid.len();
    for (k, line) in laid.into_iter().enumerate() {
        let mut doc = frame.line(p.index, line, k == 0);
        let base = frame.offset();
        if rtl {
            // The label on the right of the first line; the close and number left of the last.
            doc.offset = base + sw;
            if k == 0 {
                doc.decos.push(Deco {
                    col: base + inner - lw,
                    text: label.into(),
                    kind: DecoKind::Image,
                });
            }
            if k + 1 == n {
                let at = doc.offset + doc.line.indent - sw;
                push_suffix(&mut doc, at, &number, &suffix, true);
            }
        } else {
            doc.offset = base + lw;
            if k == 0 {
                doc.decos.push(Deco {
                    col: base,
                    text: label.into(),
                    kind: DecoKind::Image,
                });
            }
            if k + 1 == n {
                let at = doc.offset + doc.line.indent + doc.line.width;
                push_suffix(&mut doc, at, &number, &suffix, false);
            }
        }
        doc.decos.sort_by_key(|d| d.col);
        out.push(doc);
    }
}

/// An image's closing bracket and link number as two decorations, at column `at`.
fn push_suffix(doc: &mut DocLine, at: usize, number: &Option<String>, suffix: &str, rtl: bool) {
    match number {
        Some(n) if rtl => {
            doc.decos.push(Deco {
                col: at,
                text: n.clone(),
                kind: DecoKind::LinkNumber,
            });
            doc.decos.push(Deco {
                col: at + str_width(n),
                text: " [".into(),
                kind: DecoKind::Image,
            });
        }
        Some(n) => {
            doc.decos.push(Deco {
                col: at,
                text: "] ".into(),
                kind: DecoKind::Image,
            });
            doc.decos.push(Deco {
                col: at + 2,
                text: n.clone(),
                kind: DecoKind::LinkNumber,
            });
        }
        None => doc.decos.push(Deco {
            col: at,
            text: suffix.to_string(),
            kind: DecoKind::Image,
        }),
    }
}

// ---------------------------------------------------------------- tables

/// Columns between two table columns: ` │ `.
const SEPARATOR: usize = 3;

/// The widths of a table's columns in `width` columns, or `None` when they cannot fit.
fn column_widths(natural: &[usize], width: usize) -> Option<Vec<usize>> {
    let n = natural.len();
    let seps = SEPARATOR * n.saturating_sub(1);
    let mut widths = natural.to_vec();
    let floor: Vec<usize> = natural
        .iter()
        .map(|&w| w.clamp(1, MIN_COLUMN.max(1)))
        .collect();
    let mut total: usize = widths.iter().sum::<usize>() + seps;
    // Shrink the widest column that can still shrink, one column at a time but in bulk.
    while total > width {
        let (i, &w) = widths
            .iter()
            .enumerate()
            .filter(|(i, w)| **w > floor[*i])
            .max_by_key(|(_, w)| **w)?;
        let second = widths
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, w)| *w)
            .max()
            .unwrap_or(0);
        let step = (total - width).min(w - floor[i]).min((w - second).max(1));
        widths[i] -= step;
        total -= step;
    }
    Some(widths)
}

fn table_lines(
    p: &DocPara,
    table: &Table,
    frame: &Frame,
    opts: &LayoutOptions,
    out: &mut Vec<DocLine>,
) {
    // Byte ranges of the cells in the paragraph's text: one cell a line, header first.
    let rows: Vec<&Vec<String>> = table.header.iter().chain(&table.rows).collect();
    let mut at = 0;
    let mut cells: Vec<Vec<(usize, &str)>> = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut r = Vec::with_capacity(row.len());
        for _ in row.iter() {
            let end = p.text[at..].find('\n').map_or(p.text.len(), |e| at + e);
            r.push((at, &p.text[at..end]));
            at = (end + 1).min(p.text.len());
        }
        cells.push(r);
    }
    let columns = cells.iter().map(Vec::len).max().unwrap_or(0);
    if columns == 0 {
        return;
    }
    let mut natural = vec![1usize; columns];
    for row in &cells {
        for (j, (_, cell)) in row.iter().enumerate() {
            natural[j] = natural[j].max(str_width(cell));
        }
    }
    let inner = frame.inner();
    let Some(widths) = column_widths(&natural, inner) else {
        return records(p, table, &cells, frame, opts, out);
    };
    let rtl = p.dir == Direction::Rtl;
    // The columns' left edges, relative to the text area, in visual order.
    let mut x = vec![0usize; columns];
    let mut edge = if rtl { inner } else { 0 };
    for j in 0..columns {
        if rtl {
            edge -= widths[j];
            x[j] = edge;
            edge = edge.saturating_sub(SEPARATOR);
        } else {
            x[j] = edge;
            edge += widths[j] + SEPARATOR;
        }
    }
    let base = frame.offset();
    let header_rows = usize::from(table.header.is_some());
    let mut first = true;
    for (r, row) in cells.iter().enumerate() {
        let laid: Vec<Vec<VisualLine>> = row
            .iter()
            .enumerate()
            .map(|(j, (start, cell))| {
                let o = LayoutOptions {
                    width: widths[j],
                    ..*opts
                };
                layout_paragraph(cell, p.dir, &o)
                    .lines
                    .into_iter()
                    .map(|l| shifted(l, *start))
                    .collect()
            })
            .collect();
        let height = laid.iter().map(Vec::len).max().unwrap_or(1);
        for k in 0..height {
            let mut merged = VisualLine {
                dir: p.dir,
                ..VisualLine::default()
            };
            let mut src: Option<std::ops::Range<usize>> = None;
            // Visual order: left to right.
            let mut order: Vec<usize> = (0..columns).collect();
            order.sort_by_key(|&j| x[j]);
            for &j in &order {
                let Some(line) = laid.get(j).and_then(|l| l.get(k)) else {
                    continue;
                };
                let align = table.align.get(j).copied().unwrap_or_default();
                let room = widths[j].saturating_sub(line.width);
                let pad = match align {
                    Align::Left => 0,
                    Align::Right => room,
                    Align::Center => room / 2,
                    Align::None if rtl => room,
                    Align::None => 0,
                };
                let col = x[j] + pad;
                let used = str_width(&merged.text);
                if col > used {
                    merged.text.extend(std::iter::repeat_n(' ', col - used));
                }
                let vis_base = merged.text.len();
                merged.text.push_str(&line.text);
                for c in &line.clusters {
                    merged.clusters.push(super::layout::Cluster {
                        vis: c.vis.start + vis_base..c.vis.end + vis_base,
                        col: c.col + col,
                        width: c.width,
                        src: c.src.clone(),
                    });
                }
                merged.width = col + line.width;
                src = Some(match src {
                    Some(s) => s.start.min(line.src.start)..s.end.max(line.src.end),
                    None => line.src.clone(),
                });
            }
            merged.src = src.unwrap_or_else(|| {
                let at = row.first().map_or(0, |c| c.0);
                at..at
            });
            let mut doc = frame.line(p.index, merged, first);
            first = false;
            doc.offset = base;
            for j in 1..columns {
                let at = if rtl { x[j] + widths[j] + 1 } else { x[j] - 2 };
                doc.decos.push(Deco {
                    col: base + at,
                    text: "│".into(),
                    kind: DecoKind::Table,
                });
            }
            doc.decos.sort_by_key(|d| d.col);
            out.push(doc);
        }
        if r + 1 == header_rows {
            // The header's rule: `─` under each column, `┼` where separators cross.
            let mut rule = String::new();
            let mut order: Vec<usize> = (0..columns).collect();
            order.sort_by_key(|&j| x[j]);
            for (n, &j) in order.iter().enumerate() {
                if n > 0 {
                    rule.push_str("─┼─");
                }
                rule.push_str(&"─".repeat(widths[j]));
            }
            let at = row.last().map_or(0, |c| c.0 + c.1.len());
            let mut doc = frame.line(p.index, empty_line(p.dir, at), false);
            doc.decos.push(Deco {
                col: base + x[order[0]],
                text: rule,
                kind: DecoKind::Table,
            });
            doc.decos.sort_by_key(|d| d.col);
            out.push(doc);
        }
    }
}

/// A table too wide for the column: each row a block of `header: value` lines (`n: value`
/// without a header), an empty line between rows.
fn records(
    p: &DocPara,
    table: &Table,
    cells: &[Vec<(usize, &str)>],
    frame: &Frame,
    opts: &LayoutOptions,
    out: &mut Vec<DocLine>,
) {
    let rtl = p.dir == Direction::Rtl;
    let header_rows = usize::from(table.header.is_some());
    let names: Vec<String> = (0..cells.iter().map(Vec::len).max().unwrap_or(0))
        .map(|j| match &table.header {
            Some(h) => h.get(j).cloned().unwrap_or_default(),
            None => (j + 1).to_string(),
        })
        .collect();
    let inner = frame.inner();
    let mut first = true;
    for (r, row) in cells.iter().enumerate().skip(header_rows) {
        if r > header_rows {
            let at = row.first().map_or(0, |c| c.0);
            out.push(frame.line(p.index, empty_line(p.dir, at), false));
        }
        for (j, (start, cell)) in row.iter().enumerate() {
            // The name is a label beside the value, cut to half the column.
            let name =
                super::layout::display_line(&names[j], (inner / 2).max(1), opts.shape, opts.bidi);
            let label = if rtl {
                format!(" :{name}")
            } else {
                format!("{name}: ")
            };
            let lw = str_width(&label).min(inner.saturating_sub(1));
            let o = LayoutOptions {
                width: inner - lw,
                ..*opts
            };
            for (k, line) in layout_paragraph(cell, p.dir, &o)
                .lines
                .into_iter()
                .enumerate()
            {
                let line = if cell.is_empty() {
                    empty_line(p.dir, *start)
                } else {
                    shifted(line, *start)
                };
                let mut doc = frame.line(p.index, line, first);
                first = false;
                let base = frame.offset();
                if k == 0 {
                    doc.decos.push(Deco {
                        col: if rtl { base + inner - lw } else { base },
                        text: super::width::truncate(&label, lw),
                        kind: DecoKind::Table,
                    });
                }
                if !rtl {
                    doc.offset = base + lw;
                }
                doc.decos.sort_by_key(|d| d.col);
                out.push(doc);
            }
        }
    }
}

// ---------------------------------------------------------------- links

/// The links list: a blank line, then `[n] url` for each link, long URLs wrapped under their
/// start. Lines of decorations alone, named after paragraph `para`.
fn links_list(links: &[Link], para: usize, width: usize, out: &mut Vec<DocLine>) {
    let blank = |out: &mut Vec<DocLine>| {
        out.push(DocLine {
            para,
            gap: true,
            ..DocLine::default()
        })
    };
    if !out.is_empty() {
        blank(out);
    }
    for (i, link) in links.iter().enumerate() {
        let number = format!("[{}] ", i + 1);
        let nw = str_width(&number);
        let room = width.saturating_sub(nw).max(1);
        let mut chunks: Vec<String> = vec![String::new()];
        let mut used = 0;
        let url = super::sanitize::printable(&link.url);
        for g in url.graphemes(true) {
            let w = cluster_width(g);
            if used + w > room && used > 0 {
                chunks.push(String::new());
                used = 0;
            }
            if let Some(last) = chunks.last_mut() {
                last.push_str(g);
            }
            used += w;
        }
        for (k, chunk) in chunks.into_iter().enumerate() {
            let mut decos = Vec::new();
            if k == 0 && nw < width {
                decos.push(Deco {
                    col: 0,
                    text: number.trim_end().to_string(),
                    kind: DecoKind::LinkNumber,
                });
            }
            decos.push(Deco {
                col: if nw < width { nw } else { 0 },
                text: chunk,
                kind: DecoKind::Url,
            });
            out.push(DocLine {
                para,
                decos,
                ..DocLine::default()
            });
        }
    }
}

impl DocumentLayout {
    /// About how many bytes the layout holds on the heap: what a cache of layouts budgets by.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.lines.capacity() * size_of::<DocLine>()
            + self
                .lines
                .iter()
                .map(|l| {
                    l.line.text.capacity()
                        + l.line.clusters.capacity() * size_of::<super::layout::Cluster>()
                })
                .sum::<usize>()
    }

    /// The anchor of line `index` (the last line if past the end).
    pub fn anchor(&self, index: usize) -> Anchor {
        match self.lines.get(index).or(self.lines.last()) {
            Some(l) => Anchor {
                para: l.para,
                byte: l.line.src.start,
                gap: l.gap,
            },
            None => Anchor::default(),
        }
    }

    /// The line that shows `anchor`: the line of its paragraph that holds its byte; the nearest
    /// line when the paragraph is not laid out (e.g. hidden).
    pub fn find(&self, anchor: Anchor) -> usize {
        let first = self.lines.partition_point(|l| l.para < anchor.para);
        let mut best = first.min(self.lines.len().saturating_sub(1));
        for (i, l) in self.lines.iter().enumerate().skip(first) {
            if l.para != anchor.para {
                break;
            }
            if l.gap {
                if anchor.gap {
                    return i;
                }
                continue;
            }
            if l.line.src.start <= anchor.byte {
                best = i;
            } else {
                break;
            }
        }
        best
    }

    /// Index of the first (non-gap) line of paragraph `para`, if it is laid out.
    pub fn first_line_of(&self, para: usize) -> Option<usize> {
        self.lines.iter().position(|l| l.para == para && !l.gap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::layout::dump_line;
    use crate::text::{BidiMode, ShapeMode};

    fn opts(width: usize) -> LayoutOptions {
        LayoutOptions {
            width,
            shape: ShapeMode::Off,
            bidi: BidiMode::App,
        }
    }

    fn dump(doc: &DocumentLayout) -> Vec<String> {
        doc.lines.iter().map(|l| dump_line(&l.line)).collect()
    }

    #[test]
    fn paragraphs_are_separated_by_one_blank_line() {
        let paras = [
            (0, "one two three", Direction::Ltr),
            (1, "four five", Direction::Ltr),
        ];
        let doc = layout_document(paras, &opts(8));
        assert_eq!(dump(&doc), vec!["one two", "three", "", "four", "five"]);
        assert!(doc.lines[2].gap);
        assert_eq!(doc.lines[2].para, 1);
    }

    #[test]
    fn anchors_survive_a_change_of_width() {
        let text = "alpha beta gamma delta epsilon zeta eta theta iota kappa";
        let paras = [(0, "intro", Direction::Ltr), (3, text, Direction::Ltr)];
        let narrow = layout_document(paras, &opts(12));
        let wide = layout_document(paras, &opts(30));
        // A line in the middle of the long paragraph.
        let i = narrow
            .lines
            .iter()
            .position(|l| dump_line(&l.line).starts_with("eta"))
            .unwrap();
        let anchor = narrow.anchor(i);
        assert_eq!(anchor.para, 3);
        let j = wide.find(anchor);
        let shown = &wide.lines[j].line;
        assert!(shown.src.start <= anchor.byte && anchor.byte <= shown.src.end);
        assert_eq!(wide.lines[j].para, 3);
        // The gap before paragraph 3 maps to the gap.
        let gap = narrow.lines.iter().position(|l| l.gap).unwrap();
        assert!(wide.lines[wide.find(narrow.anchor(gap))].gap);
    }

    #[test]
    fn a_hidden_paragraph_anchors_to_its_neighbour() {
        let doc = layout_document(
            [(0, "a", Direction::Ltr), (2, "c", Direction::Ltr)],
            &opts(10),
        );
        let i = doc.find(Anchor {
            para: 1,
            byte: 0,
            gap: false,
        });
        assert_eq!(doc.lines[i].para, 2);
        assert_eq!(doc.first_line_of(2), Some(2));
        assert_eq!(doc.first_line_of(1), None);
    }
}
