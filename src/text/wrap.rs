//! Line breaking of one paragraph, in logical order.
//!
//! Lines break at UAX #14 opportunities (so after a space, between CJK ideographs, after a hyphen)
//! and are measured in grapheme clusters. Spaces at the end of a line do not count toward its
//! width and are not part of it; spaces at the start of a continuation line are skipped. A word
//! longer than the line is broken between grapheme clusters, never cut off, and a single cluster
//! wider than the line (a two-cell ideograph at width 1) gets a line of its own.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

use super::width::cluster_width;

/// Something the line breaker places: a grapheme cluster, or a few fused by shaping.
pub(crate) trait Breakable {
    /// Cells it takes.
    fn cells(&self) -> usize;
    /// A plain space: free at the end of a line, skipped at the start of a continuation line.
    fn is_space(&self) -> bool;
    /// A line may start with this item (UAX #14 break opportunity before it).
    fn break_before(&self) -> bool;
}

/// Greedy line breaking over `items`. Returns, for each line, the range of item indices it shows
/// (trailing spaces excluded). Always at least one line; a paragraph with nothing but spaces
/// gives one empty line `0..0`.
pub(crate) fn break_lines<T: Breakable>(items: &[T], width: usize) -> Vec<Range<usize>> {
    let width = width.max(1);
    let n = items.len();
    let mut lines = Vec::new();
    let mut start = 0;
    loop {
        let mut i = start;
        // Cells from `start` to `i`, spaces included.
        let mut used = 0;
        // One past the last non-space item of the line so far.
        let mut content_end = start;
        // Latest break opportunity with something before it: (next line's start, this line's end).
        let mut candidate: Option<(usize, usize)> = None;
        let mut next_start = None;
        while i < n {
            let item = &items[i];
            if i > start && item.break_before() && content_end > start {
                candidate = Some((i, content_end));
            }
            if item.is_space() {
                used += item.cells();
                i += 1;
                continue;
            }
            let mut after = used + item.cells();
            if after > width {
                if content_end > start {
                    // Break at the last opportunity, or before this cluster if the word is too long.
                    let (next, end) = candidate.unwrap_or((i, content_end));
                    lines.push(start..end);
                    next_start = Some(next);
                    break;
                }
                if used > 0 {
                    // Only leading spaces so far, and they push the first word out: drop them
                    // rather than leave an empty line.
                    start = i;
                    candidate = None;
                    after = item.cells();
                }
            }
            used = after;
            content_end = i + 1;
            i += 1;
        }
        match next_start {
            Some(next) => {
                start = next;
                while start < n && items[start].is_space() {
                    start += 1;
                }
                if start >= n {
                    break;
                }
            }
            None => {
                if lines.is_empty() || content_end > start {
                    lines.push(start..content_end);
                }
                break;
            }
        }
    }
    if lines.is_empty() {
        lines.push(0..0);
    }
    lines
}

/// UAX #14 break opportunities of `text` as sorted byte offsets (the end of the text included).
pub(crate) fn break_offsets(text: &str) -> impl Iterator<Item = usize> + '_ {
    unicode_linebreak::linebreaks(text).map(|(at, _)| at)
}

struct ClusterItem {
    range: Range<usize>,
    cells: usize,
    space: bool,
    brk: bool,
}

impl Breakable for ClusterItem {
    fn cells(&self) -> usize {
        self.cells
    }
    fn is_space(&self) -> bool {
        self.space
    }
    fn break_before(&self) -> bool {
        self.brk
    }
}

/// Byte ranges of the lines of ONE paragraph (no `\n` inside) wrapped at `width` columns,
/// in logical order. See the module documentation for the rules. Empty text gives `[0..0]`.
///
/// This measures the text as it is. [`super::layout`] breaks lines the same way but measures what
/// it draws (a shaped lam-alef is one cell, an override is shown as a label such as `<RLO>`).
pub fn wrap(text: &str, width: usize) -> Vec<Range<usize>> {
    let mut breaks = break_offsets(text).peekable();
    let items: Vec<ClusterItem> = text
        .grapheme_indices(true)
        .map(|(at, g)| {
            while breaks.next_if(|&b| b < at).is_some() {}
            ClusterItem {
                range: at..at + g.len(),
                cells: cluster_width(g),
                space: g == " ",
                brk: breaks.peek() == Some(&at),
            }
        })
        .collect();
    break_lines(&items, width)
        .into_iter()
        .map(|line| {
            if line.is_empty() {
                let at = items.get(line.start).map_or(text.len(), |c| c.range.start);
                at..at
            } else {
                items[line.start].range.start..items[line.end - 1].range.end
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::width::str_width;

    fn lines(text: &str, width: usize) -> Vec<&str> {
        wrap(text, width).into_iter().map(|r| &text[r]).collect()
    }

    const PROSE: &str = "It was the best of times, it was the worst of times, it was the age of \
        wisdom, it was the age of foolishness, it was the epoch of belief.";

    #[test]
    fn english_prose_at_20() {
        assert_eq!(
            lines(PROSE, 20),
            [
                "It was the best of",
                "times, it was the",
                "worst of times, it",
                "was the age of",
                "wisdom, it was the",
                "age of foolishness,",
                "it was the epoch of",
                "belief.",
            ]
        );
    }

    #[test]
    fn english_prose_at_40_and_80() {
        assert_eq!(
            lines(PROSE, 40),
            [
                "It was the best of times, it was the",
                "worst of times, it was the age of",
                "wisdom, it was the age of foolishness,",
                "it was the epoch of belief.",
            ]
        );
        assert_eq!(
            lines(PROSE, 80),
            [
                "It was the best of times, it was the worst of times, it was the age of wisdom,",
                "it was the age of foolishness, it was the epoch of belief.",
            ]
        );
    }

    #[test]
    fn every_line_fits_and_nothing_is_lost() {
        for width in 1..=90 {
            let ls = lines(PROSE, width);
            for l in &ls {
                assert!(str_width(l) <= width, "{width}: {l:?}");
                assert!(!l.starts_with(' ') && !l.ends_with(' '));
            }
            assert_eq!(
                ls.concat().replace(" ", ""),
                PROSE.replace(' ', ""),
                "{width}"
            );
        }
    }

    #[test]
    fn a_word_longer_than_the_line_is_broken_not_cut() {
        assert_eq!(
            lines("a supercalifragilistic word", 8),
            ["a", "supercal", "ifragili", "stic", "word"]
        );
        assert_eq!(lines("abcdef", 1), ["a", "b", "c", "d", "e", "f"]);
    }

    #[test]
    fn trailing_spaces_do_not_count() {
        // "abc   " fits in 3 columns: the spaces hang past the edge.
        assert_eq!(lines("abc    def", 3), ["abc", "def"]);
        assert_eq!(lines("abc   ", 3), ["abc"]);
        assert_eq!(wrap("abc   ", 3), vec![0..3usize]);
        assert_eq!(lines("ab cd", 5), ["ab cd"]);
    }

    #[test]
    fn continuation_lines_skip_leading_spaces_but_the_first_keeps_them() {
        assert_eq!(lines("  ab cd", 5), ["  ab", "cd"]);
        assert_eq!(lines("ab     cd", 4), ["ab", "cd"]);
    }

    #[test]
    fn empty_and_blank_text_give_one_empty_line() {
        assert_eq!(wrap("", 10), vec![0..0usize]);
        assert_eq!(wrap("    ", 2), vec![0..0usize]);
    }

    #[test]
    fn cjk_and_emoji_take_two_cells_and_break_between_ideographs() {
        assert_eq!(lines("日本語のテキスト", 6), ["日本語", "のテキ", "スト"]);
        assert_eq!(lines("日本語", 5), ["日本", "語"]);
        assert_eq!(
            lines("I 😀 you 👩\u{200D}💻", 4),
            ["I 😀", "you", "👩\u{200D}💻"]
        );
    }

    #[test]
    fn a_cluster_wider_than_the_line_gets_its_own_line() {
        assert_eq!(lines("日本", 1), ["日", "本"]);
        assert_eq!(lines("a日b", 1), ["a", "日", "b"]);
    }

    #[test]
    fn combining_marks_take_no_cell_and_stay_on_their_letter() {
        let text = "e\u{301}e\u{301}e\u{301}e\u{301}";
        assert_eq!(lines(text, 2), ["e\u{301}e\u{301}", "e\u{301}e\u{301}"]);
        let arabic = "دولارًا دولارًا";
        assert_eq!(lines(arabic, 6), ["دولارًا", "دولارًا"]);
        assert_eq!(lines("دولارًا", 4), ["دولا", "رًا"]);
    }

    #[test]
    fn breaks_after_hyphens_and_not_before_punctuation() {
        assert_eq!(lines("well-known fact", 6), ["well-", "known", "fact"]);
        assert_eq!(lines("wait (what)?", 10), ["wait", "(what)?"]);
    }
}
