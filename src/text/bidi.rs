//! Bidi: paragraph direction (UAX #9 P2/P3 with a majority rule) and per-line visual reordering.

use std::ops::Range;

use unicode_bidi::{BidiClass, BidiInfo, Level, bidi_class};
use unicode_segmentation::UnicodeSegmentation;

use super::Direction;

/// The direction of a paragraph, by folio's rule:
/// a paragraph whose strong letters are mostly right-to-left is RTL, even when it opens with a
/// Latin name or a digit; otherwise the first strong character decides (UAX #9 P2/P3).
/// Returns `None` when the paragraph has no strong letter (the caller keeps the previous direction).
pub fn paragraph_direction(text: &str) -> Option<Direction> {
    let mut ltr = 0usize;
    let mut rtl = 0usize;
    let mut first = None;
    for c in text.chars() {
        let dir = match bidi_class(c) {
            BidiClass::L => Direction::Ltr,
            BidiClass::R | BidiClass::AL => Direction::Rtl,
            _ => continue,
        };
        first.get_or_insert(dir);
        match dir {
            Direction::Ltr => ltr += 1,
            Direction::Rtl => rtl += 1,
        }
    }
    if rtl > ltr {
        Some(Direction::Rtl)
    } else if ltr > rtl {
        Some(Direction::Ltr)
    } else {
        first
    }
}

/// Directions for a run of paragraphs: a paragraph with no strong letter takes the direction of
/// the paragraph before it (LTR for the first).
pub fn paragraph_directions<'a>(paragraphs: impl IntoIterator<Item = &'a str>) -> Vec<Direction> {
    let mut previous = Direction::Ltr;
    paragraphs
        .into_iter()
        .map(|p| {
            previous = paragraph_direction(p).unwrap_or(previous);
            previous
        })
        .collect()
}

/// The bidi levels of one paragraph, computed once (UAX #9 up to rule I2) and then used for each
/// of its lines.
pub struct BidiParagraph<'a> {
    info: BidiInfo<'a>,
    level: Level,
}

impl<'a> BidiParagraph<'a> {
    /// Resolve the levels of `text` (one paragraph) with the paragraph direction `dir`.
    pub fn new(text: &'a str, dir: Direction) -> Self {
        let level = match dir {
            Direction::Ltr => Level::ltr(),
            Direction::Rtl => Level::rtl(),
        };
        BidiParagraph {
            info: BidiInfo::new(text, Some(level)),
            level,
        }
    }

    /// The paragraph's text.
    pub fn text(&self) -> &'a str {
        self.info.text
    }

    /// The paragraph embedding level (0 for LTR, 1 for RTL).
    pub fn paragraph_level(&self) -> u8 {
        self.level.number()
    }

    /// The level of each byte of `line` (a byte range of the paragraph), after rule L1: trailing
    /// whitespace and isolate controls go back to the paragraph level, and characters removed by
    /// rule X9 (embeddings, overrides, BN) take the level of the character before them.
    /// Only the line is touched, so laying out a long paragraph stays linear.
    pub fn line_levels(&self, line: Range<usize>) -> Vec<u8> {
        use BidiClass::*;
        let text = &self.info.text[line.clone()];
        let classes = &self.info.original_classes[line.clone()];
        let mut levels: Vec<u8> = self.info.levels[line].iter().map(Level::number).collect();
        let para = self.level.number();
        let mut reset_from: Option<usize> = Some(0);
        let mut prev = para;
        for (i, c) in text.char_indices() {
            let len = c.len_utf8();
            match classes[i] {
                B | S => {
                    let from = reset_from.unwrap_or(i);
                    levels[from..i + len].fill(para);
                    reset_from = None;
                }
                WS | FSI | LRI | RLI | PDI => {
                    reset_from.get_or_insert(i);
                }
                RLE | LRE | RLO | LRO | PDF | BN => {
                    reset_from.get_or_insert(i);
                    levels[i..i + len].fill(prev);
                }
                _ => reset_from = None,
            }
            prev = levels[i];
        }
        if let Some(from) = reset_from {
            levels[from..].fill(para);
        }
        levels
    }

    /// The grapheme clusters of `line` in visual order, left to right, as byte ranges of the
    /// paragraph, each with whether it is drawn right-to-left (and so mirrored).
    pub fn visual_clusters(&self, line: Range<usize>) -> Vec<(Range<usize>, bool)> {
        let levels = self.line_levels(line.clone());
        let text = &self.info.text[line.clone()];
        let clusters: Vec<(Range<usize>, u8)> = text
            .grapheme_indices(true)
            .map(|(i, g)| (line.start + i..line.start + i + g.len(), levels[i]))
            .collect();
        let cluster_levels: Vec<u8> = clusters.iter().map(|c| c.1).collect();
        visual_order(&cluster_levels)
            .into_iter()
            .map(|i| (clusters[i].0.clone(), clusters[i].1 % 2 == 1))
            .collect()
    }

    /// `line` as it reads on screen, left to right: grapheme clusters reversed in right-to-left
    /// runs (so harakat stay on their letter), mirrored characters mirrored there (rule L4).
    /// Formatting characters are kept as they are; [`super::layout`] is what hides them.
    pub fn reorder_line(&self, line: Range<usize>) -> String {
        let mut out = String::with_capacity(line.len());
        for (r, rtl) in self.visual_clusters(line) {
            push_mirrored(&mut out, &self.info.text[r], rtl);
        }
        out
    }
}

/// Rule L2: the visual order (left to right) of items with the given levels, as indices.
/// Reverses every maximal run at or above each level, from the highest down to the lowest odd one.
pub fn visual_order(levels: &[u8]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..levels.len()).collect();
    let Some(&highest) = levels.iter().max() else {
        return order;
    };
    let Some(lowest_odd) = levels.iter().map(|&l| l | 1).min() else {
        return order;
    };
    let mut level = highest;
    while level >= lowest_odd && level > 0 {
        let mut i = 0;
        while i < order.len() {
            if levels[order[i]] >= level {
                let start = i;
                while i < order.len() && levels[order[i]] >= level {
                    i += 1;
                }
                order[start..i].reverse();
            } else {
                i += 1;
            }
        }
        level -= 1;
    }
    order
}

/// The character drawn for `c` in a right-to-left run (rule L4): `(` becomes `)`, `«` becomes `»`.
/// Characters that are not Bidi_Mirrored (curly quotes among them) stay as they are.
pub fn mirrored(c: char) -> char {
    unicode_bidi_mirroring::get_mirrored(c).unwrap_or(c)
}

/// Append `s` to `out`, mirroring its characters when `rtl`.
pub(crate) fn push_mirrored(out: &mut String, s: &str, rtl: bool) {
    if rtl {
        out.extend(s.chars().map(mirrored));
    } else {
        out.push_str(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Direction::*;

    /// The clusters of `s` in reverse order: how an RTL word reads left to right on screen.
    fn r(s: &str) -> String {
        s.graphemes(true).rev().collect()
    }

    fn visual(text: &str) -> String {
        let dir = paragraph_direction(text).unwrap_or(Ltr);
        BidiParagraph::new(text, dir).reorder_line(0..text.len())
    }

    #[test]
    fn majority_rtl_wins_over_a_leading_latin_name() {
        assert_eq!(paragraph_direction("Linux هو نظام تشغيل."), Some(Rtl));
        assert_eq!(
            paragraph_direction("زار Alan Turing المدينة عام 2023"),
            Some(Rtl)
        );
    }

    #[test]
    fn mostly_latin_is_ltr() {
        assert_eq!(paragraph_direction("The word سلام means peace."), Some(Ltr));
        assert_eq!(paragraph_direction("2023 was a year"), Some(Ltr));
    }

    #[test]
    fn a_tie_goes_to_the_first_strong_letter() {
        assert_eq!(paragraph_direction("ab سل"), Some(Ltr));
        assert_eq!(paragraph_direction("سل ab"), Some(Rtl));
    }

    #[test]
    fn no_strong_letter_follows_the_previous_paragraph() {
        assert_eq!(paragraph_direction("07 — 2023 (!)"), None);
        assert_eq!(
            paragraph_directions(["مرحبا", "123", "hello", "..."]),
            vec![Rtl, Rtl, Ltr, Ltr]
        );
        assert_eq!(paragraph_directions(["", "x"]), vec![Ltr, Ltr]);
    }

    #[test]
    fn rtl_words_reverse_by_cluster() {
        assert_eq!(
            visual("مرحبا بالعالم"),
            format!("{} {}", r("بالعالم"), r("مرحبا"))
        );
        // The tanween stays after its letter.
        assert_eq!(visual("دولارًا"), "ار\u{64B}الود");
    }

    #[test]
    fn brackets_mirror_in_rtl_and_curly_quotes_do_not() {
        assert_eq!(
            visual("ولد (في القاهرة) عام"),
            format!("{} ({} {}) {}", r("عام"), r("القاهرة"), r("في"), r("ولد"))
        );
        assert_eq!(
            visual("قال “مرحبا” ثم غادر."),
            format!(".{} {} ”{}“ {}", r("غادر"), r("ثم"), r("مرحبا"), r("قال"))
        );
        assert_eq!(mirrored('«'), '»');
        assert_eq!(mirrored('['), ']');
        assert_eq!(mirrored('{'), '}');
        assert_eq!(mirrored('<'), '>');
        assert_eq!(mirrored('“'), '“');
        assert_eq!(mirrored('”'), '”');
        assert_eq!(mirrored('a'), 'a');
    }

    #[test]
    fn numbers_and_latin_stay_ltr_inside_rtl() {
        assert_eq!(
            visual("زار Alan Turing المدينة عام 2023 ودفع"),
            format!(
                "{} 2023 {} {} Alan Turing {}",
                r("ودفع"),
                r("عام"),
                r("المدينة"),
                r("زار")
            )
        );
        assert_eq!(
            visual("The word سلام means peace."),
            format!("The word {} means peace.", r("سلام"))
        );
    }

    #[test]
    fn lines_are_reordered_on_their_own() {
        let text = "مرحبا بالعالم";
        let p = BidiParagraph::new(text, Rtl);
        let space = text.find(' ').unwrap();
        assert_eq!(p.reorder_line(0..space), r("مرحبا"));
        assert_eq!(p.reorder_line(space + 1..text.len()), r("بالعالم"));
        // A trailing space goes back to the paragraph level (rule L1): at the line's visual end.
        assert_eq!(p.reorder_line(0..space + 1), format!(" {}", r("مرحبا")));
    }

    #[test]
    fn l2_reverses_nested_runs() {
        assert_eq!(visual_order(&[0, 0, 1, 1, 0]), [0, 1, 3, 2, 4]);
        assert_eq!(visual_order(&[1, 1, 2, 2, 1]), [4, 2, 3, 1, 0]);
        assert_eq!(visual_order(&[]), Vec::<usize>::new());
        assert_eq!(visual_order(&[0, 0]), [0, 1]);
    }
}
