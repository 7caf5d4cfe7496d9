//! Bidi: paragraph direction ([`paragraph_direction_in`]) and per-line visual reordering.

use std::ops::Range;

use unicode_bidi::{BidiClass, BidiDataSource, BidiInfo, Level};
use unicode_segmentation::UnicodeSegmentation;

use super::Direction;
use super::script::{strong_direction, telling_words, word_direction};

impl Direction {
    /// The other direction.
    pub fn opposite(self) -> Direction {
        match self {
            Direction::Ltr => Direction::Rtl,
            Direction::Rtl => Direction::Ltr,
        }
    }
}

/// The direction of the first strong letter, skipping isolates (LRI, RLI, FSI) and everything
/// up to their matching PDI: UAX #9 rule P2. `None` when there is none (P3 would say LTR).
pub fn first_strong(text: &str) -> Option<Direction> {
    let mut isolates = 0usize;
    for c in text.chars() {
        match c {
            '\u{2066}'..='\u{2068}' => isolates += 1,
            '\u{2069}' => isolates = isolates.saturating_sub(1),
            _ if isolates == 0 => {
                if let Some(d) = strong_direction(c) {
                    return Some(d);
                }
            }
            _ => {}
        }
    }
    None
}

/// The direction of a paragraph, by folio's rule. This is the one place it is decided.
///
/// 1. **The first strong letter** decides (UAX #9 P2: letters inside isolates are skipped), so
///    `قال "Hello world"` and `المصدر: Reuters, AFP` are RTL and `He said «مرحبا»` is LTR.
/// 2. **Unless the paragraph is clearly in the other direction**, weighing words, not letters:
///    of the words that tell ([`telling_words`]: no URLs, e-mail addresses, quotations or text
///    set apart by bidi controls), more than twice as many go the other way. So `Reuters — قالت
///    وزارة الخارجية…` and `Linux هو نظام تشغيل.` are RTL, and `«مرحبا» he told the crowd` is LTR.
/// 3. **Context** (the direction of the section the paragraph sits in, or of the article's
///    declared language) moves that bar: when it is the other direction, as many words that way
///    as the first letter's way are enough (`Reuters: قالت الوزارة` in an Arabic article is
///    RTL); when it is the first letter's direction, it takes more than three times as many
///    (`تصویر: AFP / Getty Images` in an Urdu article stays RTL).
///
/// A word goes the way of most of its strong letters ([`word_direction`]). Returns `None` when
/// the paragraph has no strong letter outside isolates (the caller keeps the context or the
/// previous paragraph's direction).
pub fn paragraph_direction_in(text: &str, context: Option<Direction>) -> Option<Direction> {
    one_way(text).unwrap_or_else(|| weigh(text, context))
}

/// [`paragraph_direction_in`] by its rules, word by word.
fn weigh(text: &str, context: Option<Direction>) -> Option<Direction> {
    let lead = first_strong(text)?;
    let (mut with, mut against) = (0usize, 0usize);
    for w in telling_words(text) {
        match word_direction(w) {
            Some(d) if d == lead => with += 1,
            Some(_) => against += 1,
            None => {}
        }
    }
    let other = lead.opposite();
    let switch = against > 0
        && match context {
            Some(c) if c == other => against >= with,
            None => against > 2 * with,
            Some(_) => against > 3 * with,
        };
    Some(if switch { other } else { lead })
}

/// The direction of a paragraph whose strong letters all go one way and that has no isolate
/// (the first letter decides and no word goes the other way, whatever the context), without
/// weighing its words: `Some(None)` when it has no strong letter, `None` when it is mixed.
fn one_way(text: &str) -> Option<Option<Direction>> {
    if text.is_ascii() {
        return Some(
            text.bytes()
                .any(|b| b.is_ascii_alphabetic())
                .then_some(Direction::Ltr),
        );
    }
    let (mut ltr, mut rtl) = (false, false);
    for c in text.chars() {
        if matches!(c, '\u{2066}'..='\u{2069}') {
            return None;
        }
        match strong_direction(c) {
            Some(Direction::Ltr) => ltr = true,
            Some(Direction::Rtl) => rtl = true,
            None => {}
        }
        if ltr && rtl {
            return None;
        }
    }
    Some(if rtl {
        Some(Direction::Rtl)
    } else if ltr {
        Some(Direction::Ltr)
    } else {
        None
    })
}

/// [`paragraph_direction_in`] with nothing known of the paragraph's surroundings.
pub fn paragraph_direction(text: &str) -> Option<Direction> {
    paragraph_direction_in(text, None)
}

/// Directions for a run of paragraphs with nothing declared: see [`paragraph_directions_in`].
pub fn paragraph_directions<'a>(paragraphs: impl IntoIterator<Item = &'a str>) -> Vec<Direction> {
    paragraph_directions_in(paragraphs, None)
}

/// Directions for the paragraphs of one article, in reading order. `declared` is the direction
/// of the article's declared language (a manifest's `language`, later Markdown front matter or
/// HTML `lang`/`dir`), if any.
///
/// Each paragraph is decided by [`paragraph_direction_in`] with, as context, the direction of
/// its section: the direction both its nearest neighbours with strong letters take on their
/// own (or the one neighbour's, at either end); where the neighbours disagree (a paragraph
/// between an English and an Arabic part), the declared direction. A paragraph with no strong
/// letter takes the direction of the paragraph before it (for the first: the declared
/// direction, else LTR).
pub fn paragraph_directions_in<'a>(
    paragraphs: impl IntoIterator<Item = &'a str>,
    declared: Option<Direction>,
) -> Vec<Direction> {
    let texts: Vec<&str> = paragraphs.into_iter().collect();
    let own: Vec<Option<Direction>> = texts.iter().map(|t| paragraph_direction(t)).collect();
    let mut before: Vec<Option<Direction>> = Vec::with_capacity(own.len());
    let mut last = None;
    for d in &own {
        before.push(last);
        last = d.or(last);
    }
    let mut after: Vec<Option<Direction>> = vec![None; own.len()];
    let mut next = None;
    for (i, d) in own.iter().enumerate().rev() {
        after[i] = next;
        next = d.or(next);
    }
    let mut previous = declared.unwrap_or_default();
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let section = match (before[i], after[i]) {
                (Some(a), Some(b)) if a != b => None,
                (a, b) => a.or(b),
            };
            previous = paragraph_direction_in(t, section.or(declared)).unwrap_or(previous);
            previous
        })
        .collect()
}

/// Whether every character of a paragraph of direction `dir` resolves to level 1 (UAX #9), so
/// that its lines read wholly reversed and the algorithm need not run: the paragraph is
/// right-to-left and its only strong characters are right-to-left (R, AL), with no number and
/// no embedding, override or isolate: marks take the class of what they follow (W1), and every
/// neutral sits between right-to-left characters or the paragraph's ends (N1).
pub fn resolves_all_rtl(text: &str, dir: Direction) -> bool {
    use BidiClass::*;
    dir == Direction::Rtl
        && text.chars().all(|c| {
            matches!(
                bidi_class_of(c),
                R | AL | NSM | WS | ON | CS | ES | ET | BN | S | B
            )
        })
}

/// Code points below this have their bidi class in a table: Latin, Greek, Cyrillic, Hebrew
/// and Arabic, the letters folio meets most.
const TABLED: usize = 0x800;

/// The bidi class of `c`, as [`unicode_bidi::bidi_class`] gives it, but from a table (built
/// once from that function) for the first [`TABLED`] code points instead of a search.
pub fn bidi_class_of(c: char) -> BidiClass {
    static LOW: std::sync::OnceLock<Vec<BidiClass>> = std::sync::OnceLock::new();
    let i = c as usize;
    if i < TABLED {
        LOW.get_or_init(|| {
            (0..TABLED as u32)
                .map(|i| unicode_bidi::bidi_class(char::from_u32(i).expect("below surrogates")))
                .collect()
        })[i]
    } else {
        unicode_bidi::bidi_class(c)
    }
}

/// unicode-bidi's own data, looked up through [`bidi_class_of`].
struct TabledBidiData;

impl BidiDataSource for TabledBidiData {
    fn bidi_class(&self, c: char) -> BidiClass {
        bidi_class_of(c)
    }
}

/// Whether every character of a paragraph of direction `dir` resolves to level 0 (UAX #9), so
/// that its lines read in logical order and the algorithm need not run: the paragraph is
/// left-to-right and holds nothing right-to-left (R, AL), no Arabic-Indic digit (AN) and no
/// embedding, override or isolate. Then every European number follows a left-to-right letter
/// or the start of the paragraph and so becomes L (rule W7), every neutral sits between L on
/// both sides (N1), and nothing is raised (I1).
pub fn resolves_all_ltr(text: &str, dir: Direction) -> bool {
    use BidiClass::*;
    dir == Direction::Ltr
        && text.chars().all(|c| {
            c.is_ascii()
                || !matches!(
                    bidi_class_of(c),
                    R | AL | AN | RLE | LRE | RLO | LRO | PDF | RLI | LRI | FSI | PDI
                )
        })
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
            info: BidiInfo::new_with_data_source(&TabledBidiData, text, Some(level)),
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
    // Hebrew and Arabic letters, marks and presentation forms have no mirror: the common case
    // in a right-to-left run, answered without a table search.
    if matches!(c, '\u{590}'..='\u{6FF}' | '\u{FE70}'..='\u{FEFF}') {
        return c;
    }
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
    fn the_class_table_is_the_crate_s_data() {
        for i in 0..(TABLED as u32 + 16) {
            let c = char::from_u32(i).unwrap();
            assert_eq!(bidi_class_of(c), unicode_bidi::bidi_class(c), "{c:?}");
        }
        assert_eq!(bidi_class_of('\u{FEFB}'), BidiClass::AL);
    }

    #[test]
    fn the_mirroring_shortcut_skips_only_characters_without_a_mirror() {
        for c in ('\u{590}'..='\u{6FF}').chain('\u{FE70}'..='\u{FEFF}') {
            assert_eq!(unicode_bidi_mirroring::get_mirrored(c), None, "{c:?}");
        }
        assert_eq!(mirrored('('), ')');
        assert_eq!(mirrored('«'), '»');
    }

    #[test]
    fn all_ltr_is_exactly_level_zero_everywhere() {
        for text in [
            "plain English, 2023 and 8,796.",
            "café naïve — “quoted” (brackets) 1/2 +3 -4 5% #6",
            "\u{301}starts with a mark",
            "12 begins with a number",
            "tab\there and U+2029\u{2029}there",
            "zero\u{200B}width and soft\u{AD}hyphen",
        ] {
            assert!(resolves_all_ltr(text, Ltr), "{text:?}");
            let p = BidiParagraph::new(text, Ltr);
            assert!(
                p.line_levels(0..text.len()).iter().all(|&l| l == 0),
                "{text:?}"
            );
        }
        for text in ["a سلام", "a \u{2067}b\u{2069}", "x \u{202E}y", "a \u{661}"] {
            assert!(!resolves_all_ltr(text, Ltr), "{text:?}");
        }
        assert!(!resolves_all_ltr("plain", Rtl));
    }

    #[test]
    fn all_rtl_is_exactly_level_one_everywhere() {
        for text in [
            "مرحبا بالعالم.",
            "قال: «نعم» (حقًا)! ، ؟",
            "\u{651}عمّان\tو\u{AD}",
            "שָׁלוֹם עולם",
        ] {
            assert!(resolves_all_rtl(text, Rtl), "{text:?}");
            let p = BidiParagraph::new(text, Rtl);
            assert!(
                p.line_levels(0..text.len()).iter().all(|&l| l == 1),
                "{text:?}"
            );
        }
        for text in ["مرحبا a", "عام 2023", "عام ٢٠٢٣", "x \u{2066}y\u{2069}"] {
            assert!(!resolves_all_rtl(text, Rtl), "{text:?}");
        }
        assert!(!resolves_all_rtl("مرحبا", Ltr));
    }

    proptest::proptest! {
        /// Whenever the shortcut says every level is 1, the full algorithm agrees.
        #[test]
        fn all_rtl_agrees_with_the_algorithm(text in "[ .,:;!?()«»\u{2013}\u{AD}\t\u{2029}\u{60C}\u{61F}\u{627}-\u{629}\u{644}\u{64B}\u{651}\u{5D0}\u{5B8}\u{200B}-\u{200F}a1\u{661}\u{2067}\u{2069}]{0,30}") {
            if resolves_all_rtl(&text, Rtl) {
                let p = BidiParagraph::new(&text, Rtl);
                proptest::prop_assert!(p.line_levels(0..text.len()).iter().all(|&l| l == 1));
            }
        }

        /// Whenever the shortcut says every level is 0, the full algorithm agrees.
        #[test]
        fn all_ltr_agrees_with_the_algorithm(text in "[ a-zA-Z0-9.,:;/+%#$()\u{2013}\u{300}-\u{302}\u{A0}\u{AD}\u{200B}-\u{200F}\u{2029}\u{E9}\u{627}-\u{629}\u{660}-\u{662}\u{6F0}\u{2066}-\u{2069}\u{202A}-\u{202E}]{0,30}") {
            if resolves_all_ltr(&text, Ltr) {
                let p = BidiParagraph::new(&text, Ltr);
                proptest::prop_assert!(p.line_levels(0..text.len()).iter().all(|&l| l == 0));
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn one_way_paragraphs_are_decided_as_by_weighing_words(text in "[ a-zA-Z0-9.,:«»\u{E9}\u{301}\u{627}\u{644}\u{645}\u{64B}\u{661}\u{5D0}\u{2066}-\u{2069}\u{200F}]{0,30}") {
            for context in [None, Some(Ltr), Some(Rtl)] {
                proptest::prop_assert_eq!(paragraph_direction_in(&text, context), weigh(&text, context));
            }
        }
    }

    #[test]
    fn ascii_paragraphs_are_decided_as_before() {
        for (text, dir) in [
            ("plain English", Some(Ltr)),
            ("2023 - 42", None),
            ("", None),
            ("  (see http://x.example) ", Some(Ltr)),
        ] {
            assert_eq!(paragraph_direction(text), dir, "{text:?}");
            for context in [None, Some(Ltr), Some(Rtl)] {
                assert_eq!(paragraph_direction_in(text, context), dir, "{text:?}");
            }
        }
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

    /// Real sentences in both directions, with what folio decides for them, alone (`None`) or
    /// in a section or article of a known direction.
    #[test]
    fn paragraph_direction_table() {
        let table: &[(&str, Option<Direction>, Option<Direction>)] = &[
            // Arabic: a quote, a credit, a URL, a Latin name first, numbers.
            ("قال \"Hello world\"", None, Some(Rtl)),
            (
                "قال “We will not back down” ثم غادر القاعة.",
                None,
                Some(Rtl),
            ),
            ("المصدر: Reuters, AFP", None, Some(Rtl)),
            ("المصدر: Reuters, AFP", Some(Ltr), Some(Ltr)),
            (
                "للمزيد: https://www.aljazeera.net/news/2023/12/7/story",
                None,
                Some(Rtl),
            ),
            (
                "Reuters — قالت وزارة الخارجية الروسية إن المحادثات ستستمر.",
                None,
                Some(Rtl),
            ),
            ("Linux هو نظام تشغيل.", None, Some(Rtl)),
            ("Reuters: قالت الوزارة", None, Some(Ltr)),
            ("Reuters: قالت الوزارة", Some(Rtl), Some(Rtl)),
            (
                "\"We will win\" قال المتحدث باسم الجيش أمس.",
                None,
                Some(Rtl),
            ),
            (
                "أعلنت منظمة الصحة العالمية (WHO) حالة الطوارئ.",
                None,
                Some(Rtl),
            ),
            ("قُتل 25 شخصًا وأصيب 120 آخرون في الهجوم.", None, Some(Rtl)),
            ("١٢٣ قتيلاً في غزة حتى الآن", None, Some(Rtl)),
            (
                "قال \u{2066}Hello world, how are you today my friends\u{2069} ثم غادر",
                None,
                Some(Rtl),
            ),
            // Persian.
            (
                "به گزارش BBC Persian، این نشست در تهران برگزار شد.",
                None,
                Some(Rtl),
            ),
            (
                "iPhone 15 در ایران هنوز به‌صورت رسمی عرضه نشده است.",
                None,
                Some(Rtl),
            ),
            (
                "می‌شود گفت که Tehran Times این خبر را تأیید کرد.",
                None,
                Some(Rtl),
            ),
            ("منبع: ایرنا", None, Some(Rtl)),
            // Urdu.
            (
                "وزیراعظم نے کہا کہ \"We will not back down\" اور اجلاس ختم ہو گیا۔",
                None,
                Some(Rtl),
            ),
            ("تصویر: AFP / Getty Images", Some(Rtl), Some(Rtl)),
            ("تصویر: AFP / Getty Images", None, Some(Ltr)),
            // Hebrew.
            (
                "להרשמה: info@example.org https://example.org/register",
                None,
                Some(Rtl),
            ),
            (
                "ראש הממשלה אמר כי \"the talks were constructive\" ועזב את החדר.",
                None,
                Some(Rtl),
            ),
            ("2024 הייתה שנה קשה לכלכלה הישראלית.", None, Some(Rtl)),
            ("בְּרֵאשִׁית בָּרָא אֱלֹהִים", None, Some(Rtl)),
            // English quoting each, credits and URLs.
            ("He said «مرحبا بكم» and left the room.", None, Some(Ltr)),
            (
                "He said «مرحبا بكم» and left the room.",
                Some(Rtl),
                Some(Ltr),
            ),
            ("«مرحبا بكم» he told the crowd in Doha.", None, Some(Ltr)),
            ("The word سلام means peace.", None, Some(Ltr)),
            ("The Persian word «دوست» means friend.", None, Some(Ltr)),
            (
                "Urdu speakers greet with “آپ کیسے ہیں” every morning.",
                None,
                Some(Ltr),
            ),
            (
                "Israeli officials said \"שלום עכשיו\" was painted on the wall.",
                None,
                Some(Ltr),
            ),
            (
                "Prime Minister Benjamin Netanyahu (בנימין נתניהו) spoke on Sunday.",
                None,
                Some(Ltr),
            ),
            ("Source: Al Jazeera (الجزيرة)", None, Some(Ltr)),
            (
                "Visit https://example.org/ar/مقالة for the Arabic version.",
                None,
                Some(Ltr),
            ),
            (
                "He wrote \u{2067}שלום לכולם וברוכים הבאים לכנס\u{2069} on the board.",
                None,
                Some(Ltr),
            ),
            ("سلام means peace", None, Some(Rtl)),
            ("سلام means peace", Some(Ltr), Some(Ltr)),
            ("2023 was a year of war.", None, Some(Ltr)),
            (
                "Ebrāhīm Ra’īsī arrived in Moscow on Thursday.",
                None,
                Some(Ltr),
            ),
            ("https://example.org/news", None, Some(Ltr)),
            // No strong letter: the caller decides.
            ("07 — 2023 (!)", None, None),
            ("١٢/٠٧/٢٠٢٣", Some(Rtl), None),
            ("\u{2067}مرحبا\u{2069}", None, None),
        ];
        assert!(table.len() >= 30);
        for (text, context, want) in table {
            assert_eq!(
                paragraph_direction_in(text, *context),
                *want,
                "{text:?} in context {context:?}"
            );
        }
    }

    #[test]
    fn first_strong_skips_isolates_not_overrides() {
        assert_eq!(first_strong("\u{2066}abc\u{2069} שלום"), Some(Rtl));
        assert_eq!(first_strong("\u{2068}abc שלום"), None);
        assert_eq!(first_strong("\u{202E}abc\u{202C} שלום"), Some(Ltr));
        assert_eq!(first_strong("12 — «»"), None);
    }

    #[test]
    fn a_paragraph_takes_its_sections_direction_when_it_could_go_either_way() {
        let ar = "قالت وزارة الخارجية إن المحادثات مستمرة.";
        let en = "The ministry said the talks would go on.";
        let either = "Reuters: قالت الوزارة";
        assert_eq!(
            paragraph_directions_in([ar, either, ar], None),
            vec![Rtl, Rtl, Rtl]
        );
        assert_eq!(
            paragraph_directions_in([en, either, en], None),
            vec![Ltr, Ltr, Ltr]
        );
        // At the edge of a section, the neighbour it has.
        assert_eq!(paragraph_directions_in([either, ar], None), vec![Rtl, Rtl]);
        // Between an English and an Arabic part, the declared language decides.
        assert_eq!(
            paragraph_directions_in([en, either, ar], None),
            vec![Ltr, Ltr, Rtl]
        );
        assert_eq!(
            paragraph_directions_in([en, either, ar], Some(Rtl)),
            vec![Ltr, Rtl, Rtl]
        );
        // Alone, only the declared language says anything.
        assert_eq!(paragraph_directions_in([either], None), vec![Ltr]);
        assert_eq!(paragraph_directions_in([either], Some(Rtl)), vec![Rtl]);
        // A paragraph with no letters follows the one before it, the first the declaration.
        assert_eq!(
            paragraph_directions_in(["2023", en], Some(Rtl)),
            vec![Rtl, Ltr]
        );
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
