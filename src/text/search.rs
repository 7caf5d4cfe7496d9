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
}

impl Query {
    /// `None` for a query with nothing to match.
    pub fn new(query: &str) -> Option<Query> {
        let case_sensitive = query.chars().any(char::is_uppercase);
        let folded: Vec<char> = fold(query, case_sensitive).map(|(_, c)| c).collect();
        (!folded.is_empty()).then_some(Query {
            folded,
            case_sensitive,
        })
    }

    /// Every non-overlapping match in `text`, as byte ranges of `text`.
    pub fn find_all(&self, text: &str) -> Vec<Range<usize>> {
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
        let spelt: Vec<char> = match presentation_letters(c) {
            Some(letters) => letters.to_vec(),
            None => vec![c],
        };
        let folded: Vec<char> = spelt
            .into_iter()
            .filter(|&c| !is_ignorable(c))
            .map(fold_letter)
            .flat_map(|c| {
                if case_sensitive {
                    vec![c]
                } else {
                    c.to_lowercase().collect()
                }
            })
            .collect();
        folded.into_iter().map(move |l| (i, l))
    })
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
