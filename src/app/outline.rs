//! An article's outline: its headings (by level) and its language sections, for the outline
//! picker, the heading keys and the status line.
//!
//! A paragraph is a heading when its block says so ([`BlockKind::Heading`], from the Markdown
//! and HTML front ends) or when the plain-text parser marked it [`ParagraphKind::Heading`] or
//! [`ParagraphKind::Title`] (level 1 unless the block gives a level). The headings of the open
//! article are found once when it is shown ([`Headings::of`]); what the status line asks each
//! frame is a binary search.

use crate::library::{Article, BlockKind, Paragraph, ParagraphKind};

/// Longest text an outline entry keeps, in chars (the picker fits it to the screen anyway).
const ENTRY_CHARS: usize = 200;

/// A heading's level, if the paragraph is a heading.
pub fn heading_level(p: &Paragraph) -> Option<u8> {
    match (&p.block.kind, p.kind) {
        (BlockKind::Heading(level), _) => Some((*level).clamp(1, 6)),
        (_, ParagraphKind::Heading | ParagraphKind::Title) => Some(1),
        _ => None,
    }
}

/// The headings of one article: (paragraph, level), in reading order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Headings {
    /// Which article they are of.
    pub article: Option<usize>,
    pub list: Vec<(usize, u8)>,
}

impl Headings {
    /// The headings of article `index` (none for a large article, whose paragraphs are found
    /// as it is read).
    pub fn of(index: usize, article: Option<&Article>) -> Headings {
        let list = article
            .filter(|a| a.large.is_none())
            .map(|a| {
                a.paragraphs
                    .iter()
                    .enumerate()
                    .filter_map(|(i, p)| Some((i, heading_level(p)?)))
                    .collect()
            })
            .unwrap_or_default();
        Headings {
            article: Some(index),
            list,
        }
    }

    /// The heading the reader is under when paragraph `para` is at the top: the last one at or
    /// before it.
    pub fn current(&self, para: usize) -> Option<(usize, u8)> {
        let n = self.list.partition_point(|(p, _)| *p <= para);
        n.checked_sub(1).map(|i| self.list[i])
    }
}

/// What an outline entry leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutlineKind {
    /// A heading of this level (1 is the most important).
    Heading(u8),
    /// The start of a language section (index into [`Article::sections`]).
    Section(usize),
}

/// One line of the outline picker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutlineEntry {
    pub kind: OutlineKind,
    /// The paragraph it starts at.
    pub para: usize,
    /// The heading's text, or the section's language and first words; unsanitized article
    /// text is sanitized by the front ends already, and the picker fits it for display.
    pub text: String,
}

/// The outline of `article`: its headings, and the starts of its language sections when it has
/// more than one, in reading order (a section that starts at a heading comes first).
pub fn entries(article: &Article, headings: &Headings) -> Vec<OutlineEntry> {
    let excerpt = |para: usize| -> String {
        article
            .paragraphs
            .get(para)
            .map(|p| p.text.chars().take(ENTRY_CHARS).collect())
            .unwrap_or_default()
    };
    let mut out: Vec<OutlineEntry> = Vec::new();
    if article.sections.len() > 1 {
        for (i, s) in article.sections.iter().enumerate() {
            out.push(OutlineEntry {
                kind: OutlineKind::Section(i),
                para: s.paragraphs.start,
                text: excerpt(s.paragraphs.start),
            });
        }
    }
    for &(para, level) in &headings.list {
        out.push(OutlineEntry {
            kind: OutlineKind::Heading(level),
            para,
            text: excerpt(para),
        });
    }
    // Stable: for one paragraph, the section (pushed first) stays before the heading.
    out.sort_by_key(|e| e.para);
    out
}

/// The entry the reader is in when paragraph `para` is at the top: the last one at or before
/// it (the first, when the top is before them all).
pub fn current_entry(entries: &[OutlineEntry], para: usize) -> Option<usize> {
    if entries.is_empty() {
        return None;
    }
    let n = entries.partition_point(|e| e.para <= para);
    Some(n.saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{Block, Lang};
    use crate::text::Direction;

    fn para(text: &str, kind: ParagraphKind, block: BlockKind) -> Paragraph {
        Paragraph {
            text: text.into(),
            kind,
            lang: Lang::En,
            dir: Direction::Ltr,
            block: Block {
                kind: block,
                ..Block::default()
            },
        }
    }

    #[test]
    fn headings_come_from_the_block_or_the_parser() {
        use BlockKind::{Heading, Text};
        use ParagraphKind::{Body, Title};
        assert_eq!(heading_level(&para("a", Body, Heading(3))), Some(3));
        assert_eq!(heading_level(&para("a", Title, Text)), Some(1));
        assert_eq!(
            heading_level(&para("a", ParagraphKind::Heading, Text)),
            Some(1)
        );
        assert_eq!(heading_level(&para("a", Title, Heading(2))), Some(2));
        assert_eq!(heading_level(&para("a", Body, Text)), None);
        assert_eq!(heading_level(&para("a", Body, Heading(0))), Some(1));
    }

    #[test]
    fn the_current_heading_is_the_last_one_at_or_before_the_top() {
        let h = Headings {
            article: Some(0),
            list: vec![(2, 1), (5, 2), (9, 2)],
        };
        assert_eq!(h.current(0), None);
        assert_eq!(h.current(2), Some((2, 1)));
        assert_eq!(h.current(7), Some((5, 2)));
        assert_eq!(h.current(100), Some((9, 2)));
    }
}
