//! Document events → the document model: the builder every structured front end (Markdown,
//! HTML) ends in.
//!
//! [`build`] takes `pulldown_cmark` events (the Markdown parser's own, or those the HTML front
//! end makes from a page) and returns the article's leaf blocks as [`Paragraph`]s, its links and
//! its headings. What it does with each event:
//!
//! - **Containers** (block quotes, list items) are flattened onto the leaves inside them
//!   ([`Containers`], outermost first, at most [`MAX_DEPTH`] kept). A list item's marker is `•`,
//!   `◦`, `▪` by depth, or its number (`3.`); a numbered item whose text is Arabic is numbered in
//!   Arabic-Indic digits (`٣.`), Persian or Urdu in Persian digits (`۳.`). Only an item's first
//!   leaf carries the marker (`first`); a task item's `[ ]`/`[x]` is its `task`.
//! - **Inline styles** become [`Span`]s: byte ranges of the leaf's text, sorted, not
//!   overlapping (nested styles are merged into one span per run).
//! - **Links**: each link's text is followed by its number, `[n]`, a span of its own with
//!   `link_number` (as newsboat and lynx show them); `n` is the link's index in
//!   [`Built::links`] + 1. A URL seen before keeps its first number.
//! - **Images**: a paragraph that is only an image becomes an [`BlockKind::Image`] leaf whose
//!   text is the alt text; an image inside text is its alt text followed by its number, like a
//!   link. Nothing is downloaded.
//! - **Code blocks** keep their text exactly (tabs expanded to the next stop of
//!   [`TAB_WIDTH`](crate::text::sanitize::TAB_WIDTH) columns), one trailing newline removed; they
//!   read left to right whatever they contain.
//! - **Tables**: one leaf; its text is the cells' text in reading order, one cell a line (so
//!   search and copy see it), its kind the cells and alignment.
//! - **Footnote definitions** move to the end of the content, in their order; a footnote's first
//!   leaf is a [`BlockKind::Footnote`]. A reference in the text shows as `[^label]`, styled as a
//!   link number.
//! - **Breaks**: a soft break is a space; a hard break a `\n` inside the leaf's text (layout
//!   starts a new line there).
//! - **HTML** in Markdown: `<br>` is a hard break; other inline tags are dropped; a block of HTML
//!   keeps its text without the tags, comments dropped.
//! - **Front matter** (a metadata block) is not content: its text is [`Built::metadata`].
//!
//! All text passes through [`sanitize_str`]: nothing from a file reaches the terminal raw.

use pulldown_cmark::{Alignment, CodeBlockKind, Event, Tag, TagEnd};

use super::clues::lang_of;
use super::{Lang, Paragraph, ParagraphKind};
use crate::text::Direction;
use crate::text::bidi::paragraph_directions_in;
use crate::text::block::{
    Align, Block, BlockKind, Container, Containers, Inline, Link, ListItem, Span, Table,
};
use crate::text::sanitize::sanitize_str;

/// Containers kept per leaf: deeper nesting is flattened onto the innermost [`MAX_DEPTH`]
/// (layout draws fewer still), so hostile nesting cannot grow each leaf without bound.
pub const MAX_DEPTH: usize = 64;

/// What [`build`] makes of a document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Built {
    /// The leaf blocks in reading order (footnotes last). Kinds are `Heading` for headings and
    /// `Body` otherwise: the front end decides the title. Directions are decided in the context
    /// of the document with no declared language; code blocks are always left to right.
    pub paragraphs: Vec<Paragraph>,
    /// The links and image sources, numbered by index + 1.
    pub links: Vec<Link>,
    /// Indexes into `paragraphs` of the headings, in order (their level is in their block).
    pub headings: Vec<usize>,
    /// The text of a front matter block (YAML between `---`, TOML between `+++`), if any.
    pub metadata: Option<String>,
}

/// An open container.
#[derive(Clone, Debug)]
enum Frame {
    Quote,
    Item(ListItem),
}

/// The leaf being filled.
#[derive(Debug, Default)]
struct Leaf {
    text: String,
    spans: Vec<Span>,
    kind: BlockKind,
    /// The last image: where its alt text starts, where its number ends, its link.
    image: Option<(usize, usize, Option<usize>)>,
}

/// A table being filled.
#[derive(Debug, Default)]
struct TableOpen {
    align: Vec<Align>,
    header: Option<Vec<String>>,
    rows: Vec<Vec<String>>,
    row: Vec<String>,
    cell: Option<String>,
}

#[derive(Debug, Default)]
struct Builder {
    leaves: Vec<(String, Block)>,
    footnotes: Vec<(String, Block)>,
    links: Vec<Link>,
    frames: Vec<Frame>,
    /// The next number of each open list (`None`: bulleted).
    lists: Vec<Option<u64>>,
    leaf: Option<Leaf>,
    table: Option<TableOpen>,
    /// Tables open inside the open table's cells.
    nested_tables: u32,
    /// Nesting of inline styles.
    emphasis: u32,
    strong: u32,
    strike: u32,
    /// Open links (and images): their index and where their text starts.
    open_links: Vec<(usize, usize)>,
    /// Inside a code block.
    code: bool,
    /// Inside a footnote definition; the label waits for its first leaf.
    footnote_depth: u32,
    footnote_label: Option<String>,
    /// Inside a block of HTML: its source so far.
    html: Option<String>,
    metadata: Option<String>,
    in_metadata: bool,
}

/// Build the document model from events. Never panics, whatever order the events come in:
/// an end without its start is ignored, and whatever is open at the end is closed.
pub fn build<'a>(events: impl Iterator<Item = Event<'a>>) -> Built {
    let mut b = Builder::default();
    for event in events {
        b.event(event);
    }
    b.finish()
}

fn bullet(depth: usize) -> &'static str {
    ["•", "◦", "▪"][depth % 3]
}

/// `n.` in the digits of `lang`: Arabic-Indic for Arabic, Persian for Persian and Urdu.
fn number_marker(n: u64, lang: Lang) -> String {
    let zero = match lang {
        Lang::Ar => Some('\u{0660}'),
        Lang::Fa | Lang::Ur => Some('\u{06F0}'),
        _ => None,
    };
    let digits = n.to_string();
    let digits = match zero {
        Some(zero) => digits
            .chars()
            .map(|c| char::from_u32(zero as u32 + (c as u32 - '0' as u32)).unwrap_or(c))
            .collect(),
        None => digits,
    };
    format!("{digits}.")
}

/// Tags and comments removed from a piece of HTML; entities are left as written.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = if rest.starts_with("<!--") {
            rest.find("-->").map(|e| e + 3)
        } else {
            rest.find('>').map(|e| e + 1)
        };
        match end {
            Some(e) => rest = &rest[e..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A tag that opens a block (not a table's own parts, not inline).
fn is_block(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::HtmlBlock
            | Tag::List(_)
            | Tag::Item
            | Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Table(_)
            | Tag::MetadataBlock(_)
    )
}

/// A tag that closes a block (see [`is_block`]).
fn is_block_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::HtmlBlock
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::Table
            | TagEnd::MetadataBlock(_)
    )
}

fn is_br(html: &str) -> bool {
    let t: String = html
        .trim()
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    matches!(t.as_str(), "<br>" | "<br/>" | "</br>")
}

impl Builder {
    fn style(&self) -> Inline {
        Inline {
            emphasis: self.emphasis > 0,
            strong: self.strong > 0,
            strike: self.strike > 0,
            code: false,
            link: self.open_links.last().map(|&(i, _)| i),
            link_number: false,
        }
    }

    /// Append inline text with a style to the open table cell or leaf (opening a text leaf).
    fn push_styled(&mut self, text: &str, style: Inline) {
        if text.is_empty() {
            return;
        }
        if let Some(cell) = self.table.as_mut().and_then(|t| t.cell.as_mut()) {
            cell.push_str(&sanitize_str(text).replace('\n', " "));
            return;
        }
        let clean = sanitize_str(text);
        let leaf = self.leaf.get_or_insert_with(Leaf::default);
        let start = leaf.text.len();
        leaf.text.push_str(&clean);
        let end = leaf.text.len();
        if style == Inline::default() {
            return;
        }
        match leaf.spans.last_mut() {
            Some(last) if last.range.end == start && last.style == style => last.range.end = end,
            _ => leaf.spans.push(Span {
                range: start..end,
                style,
            }),
        }
    }

    fn push_text(&mut self, text: &str) {
        let style = self.style();
        self.push_styled(text, style);
    }

    /// The index of a link to `url`: the one already numbered, or a new one.
    fn link_index(&mut self, url: &str) -> usize {
        let url = sanitize_str(url).replace('\n', " ");
        match self.links.iter().position(|l| l.url == url) {
            Some(i) => i,
            None => {
                self.links.push(Link {
                    url,
                    text: String::new(),
                });
                self.links.len() - 1
            }
        }
    }

    /// Where the open link's text starts in the leaf or cell being filled.
    fn text_len(&self) -> usize {
        match self.table.as_ref().and_then(|t| t.cell.as_ref()) {
            Some(cell) => cell.len(),
            None => self.leaf.as_ref().map_or(0, |l| l.text.len()),
        }
    }

    /// Close an open link: name it after its text, append its number.
    fn end_link(&mut self, image: bool) {
        let Some((index, start)) = self.open_links.pop() else {
            return;
        };
        let text = match self.table.as_ref().and_then(|t| t.cell.as_ref()) {
            Some(cell) => cell.get(start..).unwrap_or("").to_string(),
            None => self
                .leaf
                .as_ref()
                .and_then(|l| l.text.get(start..))
                .unwrap_or("")
                .to_string(),
        };
        if let Some(link) = self.links.get_mut(index)
            && link.text.is_empty()
        {
            link.text = text.trim().to_string();
        }
        let number = format!("[{}]", index + 1);
        self.push_styled(
            &number,
            Inline {
                link_number: true,
                ..Inline::default()
            },
        );
        if image
            && self.table.as_ref().is_none_or(|t| t.cell.is_none())
            && let Some(leaf) = self.leaf.as_mut()
        {
            leaf.image = Some((start, leaf.text.len(), Some(index)));
        }
    }

    fn open_leaf(&mut self, kind: BlockKind) {
        self.flush();
        self.leaf = Some(Leaf {
            kind,
            ..Leaf::default()
        });
    }

    /// The containers of a leaf about to be emitted, with list markers in the digits of `lang`.
    fn containers(&self, lang: Lang) -> Containers {
        let skip = self.frames.len().saturating_sub(MAX_DEPTH);
        Containers {
            levels: self.frames[skip..]
                .iter()
                .map(|f| match f {
                    Frame::Quote => Container::Quote,
                    Frame::Item(item) => {
                        let mut item = item.clone();
                        if item.first
                            && let Some(n) = item.marker.strip_suffix('.')
                            && let Ok(n) = n.parse::<u64>()
                        {
                            item.marker = number_marker(n, lang);
                        }
                        Container::Item(item)
                    }
                })
                .collect(),
        }
    }

    /// Emit the open leaf, if it has anything to show.
    fn flush(&mut self) {
        let Some(mut leaf) = self.leaf.take() else {
            return;
        };
        // Trailing spaces and breaks are not content.
        let keep = if matches!(leaf.kind, BlockKind::Code { .. } | BlockKind::Table(_)) {
            leaf.text.len()
        } else {
            leaf.text.trim_end().len()
        };
        leaf.text.truncate(keep);
        leaf.spans.retain_mut(|s| {
            s.range.end = s.range.end.min(keep);
            s.range.start < s.range.end
        });
        if leaf.kind == BlockKind::Text
            && let Some((start, end, link)) = leaf.image
            && leaf.text[..start].trim().is_empty()
            && end == leaf.text.len()
        {
            // A paragraph that is only an image: its alt text, without the number.
            let alt_end = leaf
                .spans
                .iter()
                .rev()
                .find(|s| s.style.link_number)
                .map_or(end, |s| s.range.start);
            leaf.text = leaf.text[start..alt_end].trim().to_string();
            leaf.spans.clear();
            leaf.kind = BlockKind::Image { link };
        }
        let empty = leaf.text.trim().is_empty();
        let in_item = self.frames.iter().any(|f| matches!(f, Frame::Item(_)));
        // An empty list item keeps its marker; an empty paragraph or heading is nothing.
        let shows_nothing = match leaf.kind {
            BlockKind::Text => !in_item,
            BlockKind::Heading(_) | BlockKind::Footnote { .. } => true,
            _ => false,
        };
        if empty && shows_nothing {
            return;
        }
        if self.footnote_depth > 0
            && leaf.kind == BlockKind::Text
            && let Some(label) = self.footnote_label.take()
        {
            leaf.kind = BlockKind::Footnote { label };
        }
        let lang = lang_of(&leaf.text);
        let block = Block {
            kind: leaf.kind,
            containers: self.containers(lang),
            spans: leaf.spans,
        };
        for f in &mut self.frames {
            if let Frame::Item(item) = f {
                item.first = false;
            }
        }
        if self.footnote_depth > 0 {
            self.footnotes.push((leaf.text, block));
        } else {
            self.leaves.push((leaf.text, block));
        }
    }

    fn event(&mut self, event: Event<'_>) {
        if self.in_metadata {
            match event {
                Event::Text(t) => self.metadata.get_or_insert_with(String::new).push_str(&t),
                Event::End(TagEnd::MetadataBlock(_)) => self.in_metadata = false,
                _ => {}
            }
            return;
        }
        if let Some(html) = self.html.as_mut() {
            match event {
                Event::Html(t) | Event::Text(t) | Event::InlineHtml(t) => {
                    html.push_str(&t);
                    return;
                }
                Event::End(TagEnd::HtmlBlock) => {
                    let text = strip_tags(html);
                    self.html = None;
                    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    if !text.is_empty() {
                        self.open_leaf(BlockKind::Text);
                        self.push_styled(&text, Inline::default());
                        self.flush();
                    }
                    return;
                }
                _ => self.html = None,
            }
        }
        if self.code {
            match event {
                Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) | Event::Code(t) => {
                    // Kept exactly: appended unsanitized here, sanitized whole at the end so
                    // that tab stops count from each line's start.
                    if let Some(leaf) = self.leaf.as_mut() {
                        leaf.text.push_str(&t);
                    }
                    return;
                }
                Event::End(TagEnd::CodeBlock) => {
                    self.code = false;
                    if let Some(leaf) = self.leaf.as_mut() {
                        if leaf.text.ends_with('\n') {
                            leaf.text.pop();
                        }
                        leaf.text = sanitize_str(&leaf.text);
                    }
                    self.flush();
                    return;
                }
                _ => {
                    self.code = false;
                    self.flush();
                }
            }
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => self.push_text(&t),
            Event::Code(t) | Event::InlineMath(t) => {
                let style = Inline {
                    code: true,
                    ..self.style()
                };
                self.push_styled(&t, style);
            }
            Event::DisplayMath(t) => {
                self.open_leaf(BlockKind::Code { lang: None });
                self.push_text(&t);
                self.flush();
            }
            Event::Html(t) => {
                // Block HTML outside an HTML block (an event stream from elsewhere): its text.
                let text = strip_tags(&t);
                if !text.trim().is_empty() {
                    self.push_text(text.trim());
                }
            }
            Event::InlineHtml(t) => {
                if is_br(&t) {
                    self.push_text("\n");
                }
            }
            Event::FootnoteReference(label) => {
                let style = Inline {
                    link_number: true,
                    ..Inline::default()
                };
                self.push_styled(&format!("[^{label}]"), style);
            }
            Event::SoftBreak => self.push_text(" "),
            Event::HardBreak => {
                if self.table.as_ref().is_some_and(|t| t.cell.is_some()) {
                    self.push_text(" ");
                } else {
                    self.push_styled("\n", Inline::default());
                }
            }
            Event::Rule => {
                self.flush();
                self.leaf = Some(Leaf {
                    kind: BlockKind::Rule,
                    ..Leaf::default()
                });
                self.flush();
            }
            Event::TaskListMarker(done) => {
                if let Some(Frame::Item(item)) = self
                    .frames
                    .iter_mut()
                    .rev()
                    .find(|f| matches!(f, Frame::Item(_)))
                {
                    item.task = Some(done);
                }
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        if self.table.is_some() && is_block(&tag) {
            // A table's cells are plain text: blocks inside them (as HTML can have) give
            // their text alone.
            if matches!(tag, Tag::Table(_)) {
                self.nested_tables += 1;
            }
            return;
        }
        match tag {
            Tag::Paragraph | Tag::DefinitionListTitle | Tag::DefinitionListDefinition => {
                if self.table.is_none() {
                    self.open_leaf(BlockKind::Text);
                }
            }
            Tag::Heading { level, .. } => self.open_leaf(BlockKind::Heading(level as u8)),
            Tag::BlockQuote(_) => {
                self.flush();
                self.frames.push(Frame::Quote);
            }
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split_whitespace()
                        .next()
                        .map(|l| sanitize_str(l).replace('\n', " ")),
                    CodeBlockKind::Indented => None,
                };
                self.open_leaf(BlockKind::Code { lang });
                self.code = true;
            }
            Tag::HtmlBlock => {
                self.flush();
                self.html = Some(String::new());
            }
            Tag::List(start) => {
                self.flush();
                self.lists.push(start);
            }
            Tag::Item => {
                self.flush();
                let depth = self.lists.len().saturating_sub(1);
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}.");
                        *n = n.saturating_add(1);
                        m
                    }
                    _ => bullet(depth).to_string(),
                };
                self.frames.push(Frame::Item(ListItem {
                    marker,
                    task: None,
                    first: true,
                }));
            }
            Tag::FootnoteDefinition(label) => {
                self.flush();
                self.footnote_depth += 1;
                self.footnote_label = Some(sanitize_str(&label).replace('\n', " "));
            }
            Tag::Table(align) => {
                self.flush();
                self.table = Some(TableOpen {
                    align: align
                        .iter()
                        .map(|a| match a {
                            Alignment::None => Align::None,
                            Alignment::Left => Align::Left,
                            Alignment::Center => Align::Center,
                            Alignment::Right => Align::Right,
                        })
                        .collect(),
                    ..TableOpen::default()
                });
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(t) = self.table.as_mut() {
                    t.row.clear();
                }
            }
            Tag::TableCell => {
                if let Some(t) = self.table.as_mut() {
                    t.cell = Some(String::new());
                }
            }
            Tag::Emphasis => self.emphasis += 1,
            Tag::Strong => self.strong += 1,
            Tag::Strikethrough => self.strike += 1,
            Tag::Superscript | Tag::Subscript => {}
            Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                let index = self.link_index(&dest_url);
                let start = self.text_len();
                self.open_links.push((index, start));
            }
            Tag::MetadataBlock(_) => {
                self.flush();
                self.in_metadata = true;
            }
            Tag::DefinitionList => self.flush(),
        }
    }

    fn end(&mut self, tag: TagEnd) {
        if self.table.is_some() && is_block_end(&tag) {
            if tag == TagEnd::Table && self.nested_tables == 0 {
                self.end_table();
            }
            if tag == TagEnd::Table {
                self.nested_tables = self.nested_tables.saturating_sub(1);
            }
            return;
        }
        match tag {
            TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::CodeBlock
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::DefinitionList
            | TagEnd::HtmlBlock
            | TagEnd::MetadataBlock(_) => {
                if self.table.is_none() {
                    self.flush();
                }
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                if let Some(i) = self.frames.iter().rposition(|f| matches!(f, Frame::Quote)) {
                    self.frames.truncate(i);
                }
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
            }
            TagEnd::Item => {
                self.flush();
                if let Some(i) = self
                    .frames
                    .iter()
                    .rposition(|f| matches!(f, Frame::Item(_)))
                {
                    self.frames.truncate(i);
                }
            }
            TagEnd::FootnoteDefinition => {
                self.flush();
                self.footnote_depth = self.footnote_depth.saturating_sub(1);
                self.footnote_label = None;
            }
            TagEnd::TableCell => {
                if let Some(t) = self.table.as_mut()
                    && let Some(cell) = t.cell.take()
                {
                    t.row.push(cell.trim().to_string());
                }
            }
            TagEnd::TableHead => {
                if let Some(t) = self.table.as_mut() {
                    t.header = Some(std::mem::take(&mut t.row));
                }
            }
            TagEnd::TableRow => {
                if let Some(t) = self.table.as_mut() {
                    let row = std::mem::take(&mut t.row);
                    t.rows.push(row);
                }
            }
            TagEnd::Table => self.end_table(),
            TagEnd::Emphasis => self.emphasis = self.emphasis.saturating_sub(1),
            TagEnd::Strong => self.strong = self.strong.saturating_sub(1),
            TagEnd::Strikethrough => self.strike = self.strike.saturating_sub(1),
            TagEnd::Superscript | TagEnd::Subscript => {}
            TagEnd::Link => self.end_link(false),
            TagEnd::Image => self.end_link(true),
        }
    }

    fn end_table(&mut self) {
        let Some(mut t) = self.table.take() else {
            return;
        };
        if let Some(cell) = t.cell.take() {
            t.row.push(cell);
        }
        if !t.row.is_empty() {
            t.rows.push(std::mem::take(&mut t.row));
        }
        let columns = t
            .header
            .iter()
            .chain(&t.rows)
            .map(Vec::len)
            .max()
            .unwrap_or(0);
        // Every row as wide as the widest, so layout can count on it.
        for row in t.header.iter_mut().chain(t.rows.iter_mut()) {
            row.resize(columns, String::new());
        }
        t.align.resize(columns, Align::None);
        let text = t
            .header
            .iter()
            .chain(&t.rows)
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("\n");
        self.leaf = Some(Leaf {
            text,
            kind: BlockKind::Table(Table {
                align: t.align,
                header: t.header,
                rows: t.rows,
            }),
            ..Leaf::default()
        });
        // A table is never dropped for being empty of text: flush keeps non-text kinds.
        self.flush();
    }

    fn finish(mut self) -> Built {
        if self.code {
            if let Some(leaf) = self.leaf.as_mut() {
                leaf.text = sanitize_str(&leaf.text);
            }
            self.code = false;
        }
        if self.table.is_some() {
            self.end_table();
        }
        while !self.open_links.is_empty() {
            self.end_link(false);
        }
        self.flush();
        let mut leaves = self.leaves;
        leaves.append(&mut self.footnotes);
        let dirs = paragraph_directions_in(leaves.iter().map(|(t, _)| t.as_str()), None);
        let mut headings = Vec::new();
        let paragraphs = leaves
            .into_iter()
            .zip(dirs)
            .enumerate()
            .map(|(i, ((text, block), dir))| {
                let kind = match block.kind {
                    BlockKind::Heading(_) => {
                        headings.push(i);
                        ParagraphKind::Heading
                    }
                    _ => ParagraphKind::Body,
                };
                let dir = match block.kind {
                    BlockKind::Code { .. } => Direction::Ltr,
                    _ => dir,
                };
                Paragraph {
                    lang: lang_of(&text),
                    text,
                    kind,
                    dir,
                    block,
                }
            })
            .collect();
        Built {
            paragraphs,
            links: self.links,
            headings,
            metadata: self.metadata,
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod golden;
