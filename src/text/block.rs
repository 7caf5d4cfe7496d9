//! The document model: what every front end (plain text, Markdown, HTML) turns an article into.
//!
//! An article is a sequence of leaf blocks. Each leaf is one [`crate::library::Paragraph`]: its
//! logical text without markup, what kind of block it is ([`BlockKind`]), the containers it
//! sits in (block quotes, list items: [`Containers`]) and its inline styles as byte ranges of
//! the text ([`Span`]). Nested containers are flattened onto their leaves, the way a terminal
//! draws them: a paragraph in a list item in a quote is one paragraph with a quote bar and a
//! hanging indent.
//!
//! Pure data: no ratatui, no I/O. Layout ([`super::document`]) reads it; the front ends in
//! `library` write it.

use std::ops::Range;

/// What kind of leaf block a paragraph is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum BlockKind {
    /// Prose, wrapped to the column: a plain-text paragraph, a Markdown or HTML paragraph.
    #[default]
    Text,
    /// A heading, level 1 (most important) to 6.
    Heading(u8),
    /// Preformatted text (a code fence, `<pre>`): lines separated by `\n`, never reflowed.
    Code {
        /// The fence's info string (`rust`, `sh`), if any.
        lang: Option<String>,
    },
    /// A table; the paragraph's text is the cells' text in reading order, one cell a line, so
    /// search and copy see it. Laid out to fit the column at layout time.
    Table(Table),
    /// A thematic break (`---`, `<hr>`); the text is empty.
    Rule,
    /// An image: the text is its alt text; nothing is downloaded.
    Image {
        /// Index into [`crate::library::Article::links`] of the image's source, if it has one.
        link: Option<usize>,
    },
    /// A footnote's definition; the text is its content.
    Footnote {
        /// The label as written (`1`, `note`).
        label: String,
    },
}

/// A table's cells, each a plain string, with the columns' alignment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Table {
    pub align: Vec<Align>,
    /// The header row, if the table has one.
    pub header: Option<Vec<String>>,
    pub rows: Vec<Vec<String>>,
}

/// A table column's alignment, as the source declares it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Align {
    #[default]
    None,
    Left,
    Center,
    Right,
}

/// The containers a leaf block sits in, outermost first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Containers {
    pub levels: Vec<Container>,
}

impl Containers {
    /// No container: a top-level block.
    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
    }
}

/// One container around a leaf block.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Container {
    /// A block quote: drawn as a bar on the start side.
    Quote,
    /// A list item.
    Item(ListItem),
}

/// A list item as its leaf blocks see it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ListItem {
    /// The marker as drawn: `•`, `1.`, `١.`, `۳.`; shown on the item's first leaf only.
    pub marker: String,
    /// A task item's state: `Some(true)` for `[x]`.
    pub task: Option<bool>,
    /// This leaf is the item's first (it carries the marker); later leaves get the hanging
    /// indent alone.
    pub first: bool,
}

/// An inline style over a byte range of a paragraph's text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub range: Range<usize>,
    pub style: Inline,
}

/// Inline styles; a span may carry several.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Inline {
    pub emphasis: bool,
    pub strong: bool,
    pub strike: bool,
    pub code: bool,
    /// The span is (part of) a link's text: index into [`crate::library::Article::links`].
    pub link: Option<usize>,
    /// The span is a link's number (`[3]`), put after its text.
    pub link_number: bool,
}

/// A paragraph's place in the document model: kind, containers, inline styles. The default is
/// a plain-text paragraph: prose, no container, no style.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Block {
    pub kind: BlockKind,
    pub containers: Containers,
    /// Sorted by start, not overlapping.
    pub spans: Vec<Span>,
}

/// A link found in an article, numbered by its place in [`crate::library::Article::links`]
/// (the number drawn is the index + 1).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Link {
    /// The target as written (sanitized): absolute URL, relative path, `#fragment`.
    pub url: String,
    /// The link's text (or an image's alt text), for the links picker.
    pub text: String,
}
