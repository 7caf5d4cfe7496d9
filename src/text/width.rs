//! Terminal cell widths, measured one grapheme cluster at a time.
//!
//! A terminal draws a grapheme cluster (a letter with its combining marks, an emoji sequence)
//! in one, two or no cells. Measuring a whole string at once can mislead: `unicode-width` counts
//! the string `"لا"` as one cell because a font would draw the lam-alef ligature, but a terminal
//! draws the two letters in two cells. So folio always measures each cluster on its own and adds.

use unicode_segmentation::{GraphemeIndices, UnicodeSegmentation};
use unicode_width::UnicodeWidthStr;

use super::sanitize::is_bidi_control;

/// Width in terminal cells of ONE grapheme cluster: 0, 1 or 2.
///
/// CJK ideographs and emoji take 2 cells, letters 1, a combining mark alone 0.
/// A cluster made only of a bidi formatting character takes 0 cells (layout shows some of them
/// as labels, and measures the label instead).
pub fn cluster_width(g: &str) -> usize {
    let Some(first) = g.chars().next() else {
        return 0;
    };
    if first.is_control() || (is_bidi_control(first) && g.len() == first.len_utf8()) {
        0
    } else if g.len() == 1 {
        1
    } else {
        g.width().min(2)
    }
}

/// Width in terminal cells of a string: the sum of its clusters' widths.
pub fn str_width(s: &str) -> usize {
    if s.is_ascii() {
        return s.bytes().filter(|b| !b.is_ascii_control()).count();
    }
    let mut chars = s.chars();
    if let (Some(_), None) = (chars.next(), chars.next()) {
        // One character is one cluster (a shaped letter, most often).
        return cluster_width(s);
    }
    clusters(s).map(|(_, g)| cluster_width(g)).sum()
}

/// The extended grapheme clusters of `text` with their byte offsets: exactly
/// `text.grapheme_indices(true)`, but without running the segmentation rules over plain text.
///
/// Between two *simple* characters (see [`is_simple`]: ASCII but CR and LF, and the letters of
/// the Arabic and Hebrew alphabets) there is always a cluster boundary: every character that
/// joins what is before or after it (a mark, a joiner, a prepended sign, a regional indicator,
/// an emoji, a virama's consonant) is none of these. So a simple character followed by another
/// is a cluster of its own, and everything else is handed to `unicode-segmentation` a stretch
/// at a time, each stretch starting and ending between two simple characters: no rule looks
/// back past a simple character, so the stretch is cut exactly as the whole text is.
pub fn clusters(text: &str) -> Clusters<'_> {
    Clusters {
        text,
        pos: 0,
        stretch: None,
    }
}

/// A character with a cluster boundary on both sides of it whenever its neighbour is one too.
fn is_simple(c: char) -> bool {
    (c.is_ascii() && c != '\r' && c != '\n')
        || matches!(c, '\u{5D0}'..='\u{5EA}' | '\u{620}'..='\u{64A}')
}

/// The character starting at byte `at` of `text`, if any.
fn char_at(text: &str, at: usize) -> Option<char> {
    text.get(at..)?.chars().next()
}

/// The iterator [`clusters`] returns.
pub struct Clusters<'a> {
    text: &'a str,
    /// Where the next cluster after the current stretch starts.
    pos: usize,
    /// A stretch being segmented by the full rules, and where it starts.
    stretch: Option<(usize, GraphemeIndices<'a>)>,
}

impl<'a> Iterator for Clusters<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        if let Some((base, stretch)) = self.stretch.as_mut() {
            if let Some((at, g)) = stretch.next() {
                return Some((*base + at, g));
            }
            self.stretch = None;
        }
        let at = self.pos;
        let c = char_at(self.text, at)?;
        let after = at + c.len_utf8();
        let next = char_at(self.text, after);
        if is_simple(c) && next.is_none_or(is_simple) {
            self.pos = after;
            return Some((at, &self.text[at..after]));
        }
        // The stretch ends at the first place between two simple characters.
        let (mut prev, mut end, mut next) = (c, after, next);
        while let Some(n) = next {
            if is_simple(prev) && is_simple(n) {
                break;
            }
            prev = n;
            end += n.len_utf8();
            next = char_at(self.text, end);
        }
        self.pos = end;
        let mut stretch = self.text[at..end].grapheme_indices(true);
        let first = stretch.next().map(|(i, g)| (at + i, g));
        self.stretch = Some((at, stretch));
        first
    }
}

/// `s` cut at a grapheme-cluster boundary so that it fits in `max` columns, ending with `…` when
/// anything was cut. A two-cell cluster that does not fit is dropped whole, never halved.
pub fn truncate(s: &str, max: usize) -> String {
    if str_width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let room = max - 1; // one cell for the ellipsis
    let mut used = 0;
    let mut end = 0;
    for (i, g) in s.grapheme_indices(true) {
        let w = cluster_width(g);
        if used + w > room {
            break;
        }
        used += w;
        end = i + g.len();
    }
    let mut out = String::with_capacity(end + '…'.len_utf8());
    out.push_str(&s[..end]);
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clusters_are_measured_one_by_one() {
        assert_eq!(cluster_width("a"), 1);
        assert_eq!(cluster_width("中"), 2);
        assert_eq!(cluster_width("😀"), 2);
        assert_eq!(cluster_width("👩\u{200D}💻"), 2);
        assert_eq!(cluster_width("e\u{301}"), 1);
        assert_eq!(cluster_width("\u{301}"), 0);
        assert_eq!(cluster_width("رً"), 1);
        assert_eq!(cluster_width(""), 0);
    }

    /// The fast cluster iterator against `unicode-segmentation` on the whole text.
    fn same_clusters(text: &str) {
        let fast: Vec<(usize, &str)> = clusters(text).collect();
        let full: Vec<(usize, &str)> = text.grapheme_indices(true).collect();
        assert_eq!(fast, full, "{text:?}");
    }

    #[test]
    fn clusters_are_the_grapheme_clusters() {
        for text in [
            "",
            "a",
            "hello world",
            "\r\n",
            "a\r\nb\r",
            "\r\u{301}",
            "e\u{301}a",
            "ae\u{301}\u{302}b",
            "\u{301}abc",
            "دولارًا and مرحبا",
            "x\u{600}1 \u{6DD}23",
            "🇸🇦🇺x🇸🇦",
            "a\u{200D}b 👩\u{200D}💻!",
            "क्षि a",
            "\u{2067}مرحبا\u{2069} \u{202E}abc\u{202C}",
            "a\u{1F3FB}b",
            "\u{627}\u{644}\u{644}\u{651}\u{647} \u{5E9}\u{5B8}\u{5DC}\u{5D5}\u{5B9}\u{5DD}",
            "\u{644}\u{200D}\u{627}\u{640}\u{64B}",
        ] {
            same_clusters(text);
        }
    }

    #[test]
    fn simple_characters_always_part() {
        let simple: Vec<char> = ('\0'..'\u{80}')
            .chain('\u{5D0}'..='\u{5EA}')
            .chain('\u{620}'..='\u{64A}')
            .filter(|&c| is_simple(c))
            .collect();
        assert_eq!(simple.len(), 126 + 27 + 43);
        for &a in &simple {
            for &b in &simple {
                let mut s = String::new();
                s.push(a);
                s.push(b);
                assert_eq!(s.graphemes(true).count(), 2, "{s:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn clusters_match_on_any_text(text in "[ a-z\r\n0-9\u{300}-\u{36F}\u{591}-\u{5F4}\u{600}-\u{6FF}\u{200B}-\u{200F}\u{2066}-\u{2069}\u{1F1E6}-\u{1F1FF}\u{1F3FB}\u{1F469}\u{0915}\u{094D}\u{0937}]{0,40}") {
            same_clusters(&text);
        }

        #[test]
        fn clusters_match_on_any_string(text in proptest::prelude::any::<String>()) {
            same_clusters(&text);
        }
    }

    #[test]
    fn lam_alef_is_two_cells_until_it_is_shaped() {
        // The trap: as one string unicode-width calls this a single cell.
        assert_eq!(UnicodeWidthStr::width("لا"), 1);
        assert_eq!(str_width("لا"), 2);
        assert_eq!(str_width("\u{FEFB}"), 1);
        assert_eq!(str_width("سلام"), 4);
    }

    #[test]
    fn bidi_controls_take_no_cell() {
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
        ] {
            assert_eq!(cluster_width(c.encode_utf8(&mut [0; 4])), 0, "{c:?}");
        }
        assert_eq!(str_width("a\u{202E}bc\u{202C}"), 3);
    }

    #[test]
    fn string_width_sums_clusters() {
        assert_eq!(str_width("hello"), 5);
        assert_eq!(str_width("日本語"), 6);
        assert_eq!(str_width("مرحبا بالعالم"), 13);
        assert_eq!(str_width("دولارًا"), 6);
        assert_eq!(str_width("a😀b"), 4);
        assert_eq!(str_width(""), 0);
    }

    #[test]
    fn truncate_cuts_at_cluster_boundaries() {
        assert_eq!(truncate("hello", 5), "hello");
        assert_eq!(truncate("hello", 10), "hello");
        assert_eq!(truncate("hello world", 6), "hello…");
        assert_eq!(truncate("hello", 1), "…");
        assert_eq!(truncate("hello", 0), "");
        // A two-cell cluster that would overflow is dropped whole.
        assert_eq!(truncate("日本語", 4), "日…");
        assert_eq!(truncate("日本語", 5), "日本…");
        // Marks stay on their letter.
        assert_eq!(truncate("e\u{301}e\u{301}e\u{301}", 2), "e\u{301}…");
        assert_eq!(truncate("دولارًا", 5), "دولا…");
        assert_eq!(truncate("دولارًا!", 6), "دولارً…");
        for max in 0..8 {
            assert!(str_width(&truncate("日本語 text", max)) <= max);
        }
    }
}
