//! A whole article's paragraphs × width → the lines of the reading column, one blank line between
//! paragraphs. Knows nothing of what a paragraph *is*: callers pass `(index, text, direction)` and
//! look kinds up by index.

use super::Direction;
use super::layout::{LayoutOptions, VisualLine, layout_paragraph};

/// One line of the reading column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocLine {
    /// The paragraph this line shows (for a gap: the paragraph the gap comes before).
    pub para: usize,
    /// A blank line between paragraphs.
    pub gap: bool,
    pub line: VisualLine,
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

/// Lay out paragraphs, in order, with one blank line between neighbours.
pub fn layout_document<'a>(
    paragraphs: impl IntoIterator<Item = (usize, &'a str, Direction)>,
    opts: &LayoutOptions,
) -> DocumentLayout {
    let mut lines = Vec::new();
    for (i, (para, text, dir)) in paragraphs.into_iter().enumerate() {
        if i > 0 {
            lines.push(DocLine {
                para,
                gap: true,
                line: VisualLine {
                    dir,
                    ..VisualLine::default()
                },
            });
        }
        for line in layout_paragraph(text, dir, opts).lines {
            lines.push(DocLine {
                para,
                gap: false,
                line,
            });
        }
    }
    DocumentLayout { lines }
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
