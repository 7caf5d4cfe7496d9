//! Search inside the open article, across the library, and the list filter.

use std::ops::Range;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::library::{Article, Library, ParagraphKind};
use crate::text::search::{Query, fold_str};
use crate::text::truncate;

/// A search in the open article: the query and where it matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArticleSearch {
    pub query: String,
    /// (paragraph, byte range in its logical text), in reading order.
    pub matches: Vec<(usize, Range<usize>)>,
    /// The match last jumped to.
    pub current: Option<usize>,
    /// The article and boilerplate setting the matches were found for.
    pub(crate) article: usize,
    pub(crate) boilerplate: bool,
    /// In a large article, searched a step at a time: where the next step starts, when the last
    /// one ran out of budget before finding anything.
    pub(crate) resume: Option<usize>,
}

impl ArticleSearch {
    pub fn new(query: &str, article_index: usize, article: &Article, boilerplate: bool) -> Self {
        let matches = match Query::new(query) {
            Some(q) => article
                .paragraphs
                .iter()
                .enumerate()
                .filter(|(_, p)| boilerplate || p.kind != ParagraphKind::Boilerplate)
                .flat_map(|(i, p)| q.find_all(&p.text).into_iter().map(move |r| (i, r)))
                .collect(),
            None => Vec::new(),
        };
        ArticleSearch {
            query: query.to_string(),
            matches,
            current: None,
            article: article_index,
            boilerplate,
            resume: None,
        }
    }

    /// Matches in paragraph `para`.
    pub fn in_paragraph(&self, para: usize) -> impl Iterator<Item = (usize, &Range<usize>)> {
        let start = self.matches.partition_point(|(p, _)| *p < para);
        self.matches[start..]
            .iter()
            .enumerate()
            .take_while(move |(_, (p, _))| *p == para)
            .map(move |(i, (_, r))| (start + i, r))
    }
}

/// One match somewhere in the library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub article: usize,
    pub para: usize,
    pub range: Range<usize>,
    /// The match with some words around it, on one line.
    pub context: String,
}

/// At most this many library hits are listed.
pub const MAX_HITS: usize = 1000;

/// Search every article's paragraphs (boilerplate included only when shown).
pub fn search_library(library: &Library, query: &str, boilerplate: bool) -> Vec<Hit> {
    let Some(q) = Query::new(query) else {
        return Vec::new();
    };
    let mut hits = Vec::new();
    for (a, article) in library.articles.iter().enumerate() {
        for (p, para) in article.paragraphs.iter().enumerate() {
            if !boilerplate && para.kind == ParagraphKind::Boilerplate {
                continue;
            }
            for range in q.find_all(&para.text) {
                hits.push(Hit {
                    article: a,
                    para: p,
                    context: context(&para.text, &range, 30),
                    range,
                });
                if hits.len() == MAX_HITS {
                    return hits;
                }
            }
        }
    }
    hits
}

/// The text around `range`, about `around` characters each side, cut at spaces.
fn context(text: &str, range: &Range<usize>, around: usize) -> String {
    let before: String = {
        let head = &text[..range.start];
        let start = head
            .char_indices()
            .rev()
            .nth(around)
            .map(|(i, _)| i)
            .unwrap_or(0);
        let mut s = &head[start..];
        if start > 0
            && let Some(sp) = s.find(' ')
        {
            s = &s[sp + 1..];
        }
        let ellipsis = if start > 0 { "…" } else { "" };
        format!("{ellipsis}{s}")
    };
    let after = truncate(&text[range.end..], around);
    format!("{before}{}{after}", &text[range.clone()])
}

/// Articles matching a fuzzy filter on title, outlet and file name, best first; all articles,
/// in library order, for an empty filter.
pub fn filter_articles(library: &Library, filter: &str) -> Vec<usize> {
    if filter.trim().is_empty() {
        return (0..library.articles.len()).collect();
    }
    // Arabic-script and Hebrew spellings are folded as in-article search folds them (ایران
    // finds إيران); nucleo folds case and Latin accents itself.
    let pattern = Pattern::parse(&fold_str(filter), CaseMatching::Smart, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut scored: Vec<(u32, usize)> = library
        .articles
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let hay = fold_str(&format!(
                "{} {} {}",
                a.title,
                a.outlet.as_deref().unwrap_or(""),
                a.file_name
            ));
            let score = pattern.score(Utf32Str::new(&hay, &mut buf), &mut matcher)?;
            Some((score, i))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::load_seeds;

    #[test]
    fn article_search_finds_english_and_arabic() {
        let lib = load_seeds();
        let a = &lib.articles[3];
        let s = ArticleSearch::new("putin", 3, a, true);
        assert!(s.matches.len() >= 3, "{:?}", s.matches);
        let ar = ArticleSearch::new("غزة", 3, a, true);
        assert!(!ar.matches.is_empty());
        for (p, r) in &ar.matches {
            assert!(a.paragraphs[*p].text[r.clone()].starts_with('غ'));
        }
        // Sorted, so per-paragraph lookups work.
        assert!(ar.matches.windows(2).all(|w| w[0].0 <= w[1].0));
        let first_para = ar.matches[0].0;
        assert!(ar.in_paragraph(first_para).count() >= 1);
    }

    #[test]
    fn hidden_boilerplate_is_not_searched() {
        let lib = load_seeds();
        let a = &lib.articles[1];
        assert!(
            !ArticleSearch::new("Leave a Reply", 1, a, true)
                .matches
                .is_empty()
        );
        assert!(
            ArticleSearch::new("Leave a Reply", 1, a, false)
                .matches
                .is_empty()
        );
    }

    #[test]
    fn library_search_gives_context() {
        let lib = load_seeds();
        let hits = search_library(&lib, "Lavrov", true);
        assert!(hits.iter().any(|h| h.article == 1));
        assert!(hits.iter().all(|h| h.context.contains("Lavrov")));
        assert!(hits.iter().all(|h| h.context.chars().count() < 120));
    }

    #[test]
    fn persian_spelling_finds_arabic_in_the_article_and_the_library() {
        let lib = load_seeds();
        let a = &lib.articles[3];
        // Seed 003 writes "الإيراني" with hamza and Arabic yeh; a Persian reader types ایرانی.
        let s = ArticleSearch::new("ایرانی", 3, a, true);
        assert!(s.matches.len() >= 3, "{:?}", s.matches);
        for (p, r) in &s.matches {
            assert_eq!(&a.paragraphs[*p].text[r.clone()], "إيراني");
        }
        let hits = search_library(&lib, "ایرانی", true);
        assert_eq!(hits.len(), s.matches.len());

        let mut lib = Library::default();
        for (name, text) in [
            ("a.txt", "Talks in Moscow\n\nThe talks went on."),
            (
                "b.txt",
                "إيران تستضيف القمة\n\nقالت الوزارة إن القمة ستعقد غدا.",
            ),
        ] {
            lib.articles.push(crate::library::parse_article(
                name,
                crate::library::Origin::Embedded,
                text.as_bytes(),
            ));
        }
        assert_eq!(filter_articles(&lib, "ایران"), vec![1]);
    }

    #[test]
    fn filter_is_fuzzy_and_ranked() {
        let lib = load_seeds();
        assert_eq!(filter_articles(&lib, "").len(), 5);
        let hamas = filter_articles(&lib, "hmas rusia");
        assert_eq!(hamas.first(), Some(&1), "{hamas:?}");
        let by_file = filter_articles(&lib, "003_94");
        assert_eq!(by_file.first(), Some(&3));
        assert!(filter_articles(&lib, "zzzzqqq").is_empty());
    }
}
