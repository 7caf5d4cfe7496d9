//! Finding text, the way readers expect: case-insensitive unless the query has a capital
//! (smartcase); for Arabic-script text, blind to harakat and tatweel, to how hamza and yeh are
//! written, to Persian against Arabic spelling and to presentation forms; for Hebrew, blind to
//! niqqud and cantillation. Runs on logical text; matches are byte ranges of the original
//! text, which layout maps to visual cells.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

/// Whether `c` is left out when matching: Arabic harakat (tashkeel), the superscript alef,
/// tatweel, Quranic marks and the presentation forms of harakat; Hebrew points and
/// cantillation (U+0591–U+05C7, less the punctuation among them: maqaf, paseq, sof pasuq,
/// nun hafukha).
pub fn is_ignorable(c: char) -> bool {
    matches!(c,
        '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{0640}'
        | '\u{06D6}'..='\u{06ED}'
        | '\u{FE70}'..='\u{FE72}'
        | '\u{FE74}'
        | '\u{FE76}'..='\u{FE7F}'
        | '\u{0591}'..='\u{05BD}'
        | '\u{05BF}'
        | '\u{05C1}'..='\u{05C2}'
        | '\u{05C4}'..='\u{05C5}'
        | '\u{05C7}')
}

/// The letter `c` is matched as. Arabic-script readers take these as one letter, and texts
/// (and keyboards) mix them: alef with hamza above or below, with madda, or wasla is bare alef
/// (أ إ آ ٱ → ا); alef maksura and the Persian yeh are yeh (ى ی → ي); the Persian keheh is kaf
/// (ک → ك). So `ایران` finds `إيران` and `ايران`.
pub fn fold_letter(c: char) -> char {
    match c {
        'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
        'ى' | 'ی' => 'ي',
        'ک' => 'ك',
        _ => c,
    }
}

/// The letters an Arabic presentation form stands for (text copied from a PDF often has them):
/// `ﻫ` is `ه`, the ligature `ﻻ` is `لا`. `None` for any other character.
fn presentation_letters(c: char) -> Option<&'static [char]> {
    static FORMS: OnceLock<HashMap<char, Vec<char>>> = OnceLock::new();
    if !matches!(c, '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}') {
        return None;
    }
    FORMS
        .get_or_init(|| {
            let mut map = HashMap::new();
            for (letter, forms) in ar_reshaper::letters::letters_db::LETTERS_ARABIC.iter() {
                for form in [forms.isolated, forms.initial, forms.medial, forms.end] {
                    if form != '\0' && form != *letter {
                        map.entry(form).or_insert_with(|| vec![*letter]);
                    }
                }
            }
            for (forms, alef) in [
                (['\u{FEF5}', '\u{FEF6}'], 'آ'),
                (['\u{FEF7}', '\u{FEF8}'], 'أ'),
                (['\u{FEF9}', '\u{FEFA}'], 'إ'),
                (['\u{FEFB}', '\u{FEFC}'], 'ا'),
            ] {
                for form in forms {
                    map.insert(form, vec!['ل', alef]);
                }
            }
            map
        })
        .get(&c)
        .map(Vec::as_slice)
}

/// `s` as matching sees it, without case folding: ignorable marks dropped, presentation forms
/// spelt out, letters folded ([`fold_letter`]). For fuzzy filters that fold case themselves.
pub fn fold_str(s: &str) -> String {
    fold(s, true).map(|(_, c)| c).collect()
}

/// A query ready to match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    folded: Vec<char>,
    case_sensitive: bool,
    /// Its words ([`query_words`]): a text that lacks one is passed over without folding it
    /// char by char.
    parts: Vec<(String, WordPart)>,
}

impl Query {
    /// `None` for a query with nothing to match.
    pub fn new(query: &str) -> Option<Query> {
        let case_sensitive = query.chars().any(char::is_uppercase);
        let folded: Vec<char> = fold(query, case_sensitive).map(|(_, c)| c).collect();
        (!folded.is_empty()).then(|| Query {
            folded,
            case_sensitive,
            parts: query_words(query),
        })
    }

    /// Every non-overlapping match in `text`, as byte ranges of `text`.
    pub fn find_all(&self, text: &str) -> Vec<Range<usize>> {
        if !may_match(&self.parts, text) {
            return Vec::new();
        }
        let hay: Vec<(usize, char)> = fold(text, self.case_sensitive).collect();
        let n = self.folded.len();
        let mut out = Vec::new();
        let mut i = 0;
        while i + n <= hay.len() {
            if hay[i..i + n]
                .iter()
                .map(|(_, c)| *c)
                .eq(self.folded.iter().copied())
            {
                let start = hay[i].0;
                // The match ends after the last matched char and any marks that sit on it.
                let end = hay.get(i + n).map_or(text.len(), |(b, _)| *b);
                let end = text[..end]
                    .trim_end_matches(|c: char| c.is_whitespace())
                    .len()
                    .max(start + 1);
                let end = end.min(text.len());
                out.push(start..trim_to_boundary(text, end));
                i += n;
            } else {
                i += 1;
            }
        }
        out
    }
}

fn trim_to_boundary(text: &str, mut end: usize) -> usize {
    while !text.is_char_boundary(end) {
        end += 1;
    }
    end
}

/// The chars that take part in matching, each with the byte offset of the original char it
/// comes from (one original char can give two: a lam-alef ligature, a capital that lowercases
/// to two), lowercased unless `case_sensitive`.
fn fold(text: &str, case_sensitive: bool) -> impl Iterator<Item = (usize, char)> + '_ {
    text.char_indices().flat_map(move |(i, c)| {
        let mut folded = Vec::new();
        fold_char(c, case_sensitive, &mut |l| folded.push(l));
        folded.into_iter().map(move |l| (i, l))
    })
}

/// The chars `c` is matched as, one by one, in order: its letters when it is a presentation
/// form, ignorable marks dropped, letters folded, lowercased unless `case_sensitive`.
fn fold_char(c: char, case_sensitive: bool, out: &mut impl FnMut(char)) {
    let one = [c];
    let spelt: &[char] = presentation_letters(c).unwrap_or(&one);
    for &c in spelt {
        if is_ignorable(c) {
            continue;
        }
        let c = fold_letter(c);
        if case_sensitive {
            out(c);
        } else {
            c.to_lowercase().for_each(&mut *out);
        }
    }
}

/// Characters a word is read through, as if they were not there: Markdown's inline markup
/// (`**bold**`, `_em_`, `` `code` ``, `~~struck~~`), which an article's text may have lost
/// inside a word (`foo**bar**` is drawn as `foobar`).
fn is_word_markup(c: char) -> bool {
    matches!(c, '*' | '_' | '`' | '~')
}

/// The words of `text` as a full-text index keeps them: folded as matching folds them, case
/// included ([`Query`] without a capital), with [`is_word_markup`] dropped; a word is a run of
/// letters and digits, anything else parts words. Each word goes to `word`, in order, until it
/// returns `false`.
///
/// What [`Query::find_all`] finds in a text, the same query's [`query_words`] find among the
/// text's words: folding is done a character at a time, so a match's folded text lies whole in
/// the text's folded text, and each of its words lies in one of the text's words.
pub fn words(text: &str, mut word: impl FnMut(&str) -> bool) {
    let mut buf = String::new();
    let mut end_word = |buf: &mut String| {
        let more = buf.is_empty() || word(buf);
        buf.clear();
        more
    };
    for c in text.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                buf.push(c.to_ascii_lowercase());
            } else if !is_word_markup(c) && !end_word(&mut buf) {
                return;
            }
            continue;
        }
        let mut more = true;
        fold_char(c, false, &mut |l| {
            if l.is_alphanumeric() {
                buf.push(l);
            } else if more && !is_word_markup(l) {
                more = end_word(&mut buf);
            }
        });
        if !more {
            return;
        }
    }
    end_word(&mut buf);
}

/// Where a query's word must lie in a word of the text, which depends on whether the query
/// parts it from what comes before and after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WordPart {
    /// Parted on both sides: the whole word.
    Whole,
    /// Parted before only (the query's last word): the word starts with it.
    Prefix,
    /// Parted after only (the query's first word): the word ends with it.
    Suffix,
    /// Parted on neither side (a one-word query): anywhere in the word.
    Inside,
}

impl WordPart {
    /// Whether the text's word `word` holds the query's word `part` this way.
    pub fn holds(self, word: &str, part: &str) -> bool {
        match self {
            WordPart::Whole => word == part,
            WordPart::Prefix => word.starts_with(part),
            WordPart::Suffix => word.ends_with(part),
            WordPart::Inside => word.contains(part),
        }
    }
}

/// The words of a query (as [`words`] splits text), each with where it must lie in a word of a
/// text the query matches. Empty when the query has no letter or digit: then any text may
/// match and only reading it tells.
pub fn query_words(query: &str) -> Vec<(String, WordPart)> {
    let mut found = Vec::new();
    let mut chars = Vec::new();
    for c in query.chars() {
        fold_char(c, false, &mut |l| {
            if !is_word_markup(l) {
                chars.push(l);
            }
        });
    }
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_alphanumeric() {
            i += 1;
        }
        let part = match (start > 0, i < chars.len()) {
            (true, true) => WordPart::Whole,
            (true, false) => WordPart::Prefix,
            (false, true) => WordPart::Suffix,
            (false, false) => WordPart::Inside,
        };
        found.push((chars[start..i].iter().collect(), part));
    }
    found
}

/// Whether `text` may hold a match for the query whose [`query_words`] are `parts`: every part
/// lies in one of its words. `false` means it holds none; `true` has to be checked with
/// [`Query::find_all`].
pub fn may_match(parts: &[(String, WordPart)], text: &str) -> bool {
    let mut missing: Vec<&(String, WordPart)> = parts.iter().collect();
    if missing.is_empty() {
        return true;
    }
    words(text, |word| {
        missing.retain(|(part, how)| !how.holds(word, part));
        !missing.is_empty()
    });
    missing.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(q: &str, text: &str) -> Vec<String> {
        Query::new(q)
            .unwrap()
            .find_all(text)
            .into_iter()
            .map(|r| text[r].to_string())
            .collect()
    }

    #[test]
    fn smartcase() {
        assert_eq!(
            find("gaza", "Gaza and GAZA and gaza"),
            vec!["Gaza", "GAZA", "gaza"]
        );
        assert_eq!(find("Gaza", "Gaza and GAZA and gaza"), vec!["Gaza"]);
    }

    #[test]
    fn arabic_ignores_harakat_and_tatweel() {
        // The query without marks finds the word with tanween and shadda, marks included.
        assert_eq!(find("دولارا", "ودفع 8,796 دولارًا."), vec!["دولارًا"]);
        assert_eq!(find("غزة", "على غزّة اليوم"), vec!["غزّة"]);
        assert_eq!(find("غزة", "غـــزة"), vec!["غـــزة"]);
        // And a query with marks finds the bare word.
        assert_eq!(find("غزّة", "في غزة"), vec!["غزة"]);
    }

    #[test]
    fn arabic_script_spellings_find_each_other() {
        // Persian spelling finds Arabic spelling, with and without hamza.
        assert_eq!(
            find("ایران", "زار إيران ثم ايران وأخيرا ایران"),
            vec!["إيران", "ايران", "ایران"]
        );
        assert_eq!(find("إيران", "به ایران"), vec!["ایران"]);
        // Alef maksura and yeh, keheh and kaf, wasla and madda.
        assert_eq!(find("علي", "قال على"), vec!["على"]);
        assert_eq!(find("كتاب", "این کتاب"), vec!["کتاب"]);
        assert_eq!(find("الله", "ٱللَّه"), vec!["ٱللَّه"]);
        assert_eq!(find("امن", "آمن"), vec!["آمن"]);
        // Different letters stay different.
        assert!(find("ايران", "ابران").is_empty());
    }

    #[test]
    fn presentation_forms_are_matched_as_their_letters() {
        // "ﻻ" is one 3-byte char that folds to the two 2-byte letters "لا": the match covers
        // exactly the original bytes.
        let text = "ﻻ بأس";
        let q = Query::new("لا").unwrap();
        assert_eq!(q.find_all(text), vec![0..3]);
        // A query for one half of the ligature takes the whole ligature.
        assert_eq!(Query::new("ل").unwrap().find_all("ﻻ"), vec![0..3]);
        // Shaped text copied from a PDF: "ﺳﻼﻡ" (seen, lam-alef, meem).
        assert_eq!(find("سلام", "قال ﺳﻼﻡ"), vec!["ﺳﻼﻡ"]);
    }

    #[test]
    fn hebrew_ignores_niqqud_and_cantillation() {
        assert_eq!(find("בראשית", "בְּרֵאשִׁית בָּרָא"), vec!["בְּרֵאשִׁית"]);
        assert_eq!(find("ברא", "בְּרֵאשִׁ֖ית בָּרָ֣א"), vec!["בְּרֵא", "בָּרָ֣א"]);
        assert_eq!(find("שָׁלוֹם", "שלום עליכם"), vec!["שלום"]);
        // The maqaf is punctuation, not a point.
        assert!(find("כלבו", "כל־בו").is_empty());
    }

    #[test]
    fn folded_matches_land_on_the_drawn_word_in_an_rtl_line() {
        use crate::text::layout::{LayoutOptions, layout_paragraph};
        use crate::text::{BidiMode, Direction, ShapeMode};
        use unicode_segmentation::UnicodeSegmentation;
        let text = "وصل الرئيس إلى إيران أمس";
        let range = Query::new("ایران").unwrap().find_all(text);
        assert_eq!(
            range,
            vec![text.find("إيران").unwrap()..text.find(" أمس").unwrap()]
        );
        let opts = LayoutOptions {
            width: 40,
            shape: ShapeMode::On,
            bidi: BidiMode::App,
        };
        let p = layout_paragraph(text, Direction::Rtl, &opts);
        let line = &p.lines[0];
        let mut hit: Vec<_> = line
            .clusters
            .iter()
            .filter(|c| c.src.start >= range[0].start && c.src.end <= range[0].end)
            .collect();
        hit.sort_by_key(|c| c.col);
        // The cells are contiguous and draw the shaped word, right to left.
        assert!(hit.windows(2).all(|w| w[0].col + w[0].width == w[1].col));
        let drawn: String = hit.iter().map(|c| &line.text[c.vis.clone()]).collect();
        let word: String = crate::text::shape::shape("إيران")
            .text
            .graphemes(true)
            .rev()
            .collect();
        assert_eq!(drawn, word);
        // "أمس" is drawn left of it, "إلى" right of it.
        let col_of = |w: &str| {
            let at = text.find(w).unwrap();
            line.clusters
                .iter()
                .find(|c| c.src.start == at)
                .unwrap()
                .col
        };
        assert!(col_of("أمس") < hit[0].col && col_of("إلى") > hit[hit.len() - 1].col);
    }

    #[test]
    fn fold_str_spells_out_and_folds() {
        assert_eq!(fold_str("ایران"), "ايران");
        assert_eq!(fold_str("ﻻ"), "لا");
        assert_eq!(fold_str("Gaza غزّة"), "Gaza غزة");
    }

    fn all_words(text: &str) -> Vec<String> {
        let mut found = Vec::new();
        words(text, |w| {
            found.push(w.to_string());
            true
        });
        found
    }

    #[test]
    fn words_fold_as_search_folds() {
        assert_eq!(
            all_words("Gaza, GAZA and gaza."),
            ["gaza", "gaza", "and", "gaza"]
        );
        // Harakat and tatweel are not there; hamza, yeh and kaf fold; presentation forms are
        // spelt out.
        assert_eq!(all_words("الْعَرَبِيَّةُ غـــزة"), ["العربية", "غزة"]);
        assert_eq!(
            all_words("إيران ایران کتاب على"),
            ["ايران", "ايران", "كتاب", "علي"]
        );
        assert_eq!(all_words("ﻻ ﺳﻼﻡ"), ["لا", "سلام"]);
        assert_eq!(all_words("בְּרֵאשִׁית"), ["בראשית"]);
        // Markdown's markup inside a word is read through; other punctuation parts words.
        assert_eq!(
            all_words("foo**bar** snake_case x-y 0.5%"),
            ["foobar", "snakecase", "x", "y", "0", "5"]
        );
        // The callback stops it.
        let mut seen = 0;
        words("a b c d", |_| {
            seen += 1;
            seen < 2
        });
        assert_eq!(seen, 2);
    }

    #[test]
    fn query_words_say_where_each_word_lies() {
        use WordPart::*;
        let q = |s: &str| query_words(s);
        assert_eq!(q("minist"), [("minist".to_string(), Inside)]);
        assert_eq!(
            q("Talks went on"),
            [
                ("talks".to_string(), Suffix),
                ("went".to_string(), Whole),
                ("on".to_string(), Prefix)
            ]
        );
        assert_eq!(q(" gaza"), [("gaza".to_string(), Prefix)]);
        assert_eq!(q("الْوَزِير "), [("الوزير".to_string(), Suffix)]);
        assert!(q("...").is_empty());
        assert!(q("\u{064B}").is_empty());
    }

    #[test]
    fn may_match_rules_out_only_what_cannot_match() {
        let parts = query_words("talks went");
        assert!(may_match(&parts, "The talks went on."));
        // Both words there, not together: only reading tells; one missing: no.
        assert!(may_match(&parts, "went to the talks"));
        assert!(!may_match(&parts, "The talks ended."));
        assert!(!may_match(&query_words("ایران"), "زار العراق"));
        assert!(may_match(&query_words("ایران"), "زار إِيرَانَ"));
        assert!(may_match(&query_words("..."), "anything"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Whatever `/` finds in a text, the text's words hold the query's words: the index
        /// and the quick check never rule out a text that matches.
        #[test]
        fn what_search_finds_the_words_hold(
            text in proptest::collection::vec(proptest::prelude::any::<proptest::sample::Index>(), 1..40),
            start in proptest::prelude::any::<proptest::sample::Index>(),
            len in 1usize..12,
        ) {
            const CHARS: &[&str] = &[
                "a", "b", "G", "Z", " ", " ", ".", "-", "*", "_", "\n", "é", "e\u{301}", "İ",
                "ß", "ا", "أ", "ي", "ی", "ى", "ک", "ك", "ل", "ـ", "\u{064E}", "\u{0651}", "ﻻ",
                "ﺳ", "ש", "\u{05B8}", "1", "٣", "\u{200C}",
            ];
            let text: String = text.iter().map(|i| CHARS[i.index(CHARS.len())]).collect();
            let chars: Vec<char> = text.chars().collect();
            let from = start.index(chars.len());
            let query: String = chars[from..(from + len).min(chars.len())].iter().collect();
            if let Some(q) = Query::new(&query)
                && !q.find_all(&text).is_empty()
            {
                proptest::prop_assert!(
                    may_match(&query_words(&query), &text),
                    "{:?} in {:?}", query, text
                );
            }
        }
    }

    #[test]
    fn empty_queries_match_nothing() {
        assert!(Query::new("").is_none());
        assert!(Query::new("\u{064B}").is_none());
    }

    #[test]
    fn ranges_are_char_boundaries() {
        let text = "İstanbul and istanbul";
        for r in Query::new("i̇stanbul").unwrap().find_all(text) {
            assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        }
    }
}
