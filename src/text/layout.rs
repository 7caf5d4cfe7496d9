//! Paragraphs × width → visual lines: the one place wrapping, shaping and bidi meet.

use std::ops::Range;

use super::{BidiMode, Direction, ShapeMode};

/// How to lay text out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LayoutOptions {
    /// Columns available to the text (the reading column), at least 1.
    pub width: usize,
    pub shape: ShapeMode,
    pub bidi: BidiMode,
}

/// One grapheme cluster as drawn on a visual line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// Bytes of [`VisualLine::text`] that draw this cluster.
    pub vis: Range<usize>,
    /// Column of the cluster's first cell, counted from the start of the line's text (indent excluded).
    pub col: usize,
    /// Cells the cluster takes: 0, 1 or 2.
    pub width: usize,
    /// Bytes of the paragraph's logical (unshaped) text this cluster stands for.
    pub src: Range<usize>,
}

/// One screen line of a laid-out paragraph.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct VisualLine {
    /// What to draw, in visual (left-to-right screen) order; shaped when shaping is on;
    /// free of control and bidi formatting characters; no padding, no trailing spaces.
    pub text: String,
    /// Blank columns before `text` (non-zero for RTL lines, which sit flush right).
    pub indent: usize,
    /// Columns `text` takes.
    pub width: usize,
    /// Bytes of the paragraph's logical text that this line shows (trailing spaces excluded).
    pub src: Range<usize>,
    /// Direction of the paragraph the line belongs to.
    pub dir: Direction,
    /// Clusters in visual order.
    pub clusters: Vec<Cluster>,
}

/// A paragraph laid out at one width.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaidParagraph {
    pub dir: Direction,
    /// At least one line; an empty paragraph gives one empty line.
    pub lines: Vec<VisualLine>,
}
