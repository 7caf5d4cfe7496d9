//! Finding text, the way readers expect: case-insensitive unless the query has a capital
//! (smartcase), and for Arabic, blind to harakat and tatweel. Runs on logical text; matches are
//! byte ranges of the original text, which layout maps to visual cells.

use std::ops::Range;

/// Whether `c` is left out when matching: Arabic harakat (tashkeel), the superscript alef, and tatweel.
pub fn is_ignorable(c: char) -> bool {
    matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' | '\u{06D6}'..='\u{06ED}')
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

/// The chars that take part in matching, with their byte offsets, lowercased unless
/// `case_sensitive`.
fn fold(text: &str, case_sensitive: bool) -> impl Iterator<Item = (usize, char)> + '_ {
    text.char_indices()
        .filter(|(_, c)| !is_ignorable(*c))
        .flat_map(move |(i, c)| {
            let lower: Vec<char> = if case_sensitive {
                vec![c]
            } else {
                c.to_lowercase().collect()
            };
            lower.into_iter().map(move |l| (i, l))
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
