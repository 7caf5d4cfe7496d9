//! The list pane's state: which articles it shows (all, or those the filter keeps), under
//! which source headers, which sources are folded, which article is selected, and which row is
//! at its top.
//!
//! Rows are built from the articles shown, in their order (library order, or best match first
//! under a filter): a source shown as a group (a folder, a feed, an outlet of several articles)
//! gets a header row where its first article shown would be, with all its articles shown under
//! it (none when it is folded); a source of one article that is not a folder or feed (a seed,
//! a file) is its article's row alone. A source with no articles (a feed not fetched yet) is a
//! header alone, unless a filter is set.
//!
//! The selection is always an article; the cursor is its row, or its source's header when the
//! source is folded.

use std::sync::{Arc, Mutex};

use super::search::ArticleFilter;
use crate::library::Library;

/// One row of the list pane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListRow {
    /// A source's header (its index in the library's sources).
    Source(usize),
    /// An article (its index in the library).
    Article(usize),
}

/// Not shown, in [`List`]'s row index.
const NONE: usize = usize::MAX;

#[derive(Debug, Default)]
pub(crate) struct List {
    /// The article selected in the list, which is the one the reader shows.
    pub selected: usize,
    /// First of `rows` shown in the list pane.
    pub top: usize,
    /// Articles the list shows, in order (all of them unless filtered).
    pub visible: Vec<usize>,
    /// What the pane shows, in order: headers and articles.
    pub rows: Vec<ListRow>,
    /// Which sources are folded, by index.
    pub folded: Vec<bool>,
    /// The row of each article and of each source's header, when shown (`NONE` otherwise):
    /// the cursor is found without a search.
    article_rows: Vec<usize>,
    source_rows: Vec<usize>,
    /// The list filter, when one is set.
    pub filter: Option<String>,
    /// Rows the pane shows at once.
    capacity: usize,
    /// What answers the filter, kept from key to key; shared with the work that answers it
    /// off the loop in a large library ([`crate::app::Work::Filter`]).
    finder: Arc<Mutex<ArticleFilter>>,
}

/// From this many articles, the filter is answered off the loop: the key's frame (the prompt
/// with the letter typed) is drawn at once, and the list follows when the filter has scored.
pub const FILTER_OFF_LOOP_FROM: usize = 16_384;

impl List {
    pub fn new(library: &Library) -> List {
        let mut list = List {
            visible: (0..library.articles.len()).collect(),
            folded: vec![false; library.sources.len()],
            capacity: 1,
            ..List::default()
        };
        list.build_rows(library);
        list
    }

    pub fn capacity(&self) -> usize {
        self.capacity.max(1)
    }

    /// The pane now shows `capacity` rows at once.
    pub fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity.max(1);
        self.keep_selection_visible_rows();
    }

    /// Build the rows from the articles shown (see the module docs), and the index of where
    /// each is.
    pub fn build_rows(&mut self, library: &Library) {
        self.fill_rows(library);
        self.article_rows.clear();
        self.article_rows.resize(library.articles.len(), NONE);
        self.source_rows.clear();
        self.source_rows.resize(library.sources.len(), NONE);
        for (at, row) in self.rows.iter().enumerate() {
            let slot = match *row {
                ListRow::Article(i) => self.article_rows.get_mut(i),
                ListRow::Source(s) => self.source_rows.get_mut(s),
            };
            if let Some(slot) = slot {
                *slot = at;
            }
        }
    }

    fn fill_rows(&mut self, library: &Library) {
        let sources = &library.sources;
        self.folded.resize(sources.len(), false);
        let grouped = |s: usize| sources.get(s).is_some_and(|s| s.is_group());
        self.rows.clear();
        if self.filter.is_none() {
            // Library order: every source in turn, empty ones included.
            for (s, source) in sources.iter().enumerate() {
                if source.is_group() {
                    self.rows.push(ListRow::Source(s));
                    if self.folded[s] {
                        continue;
                    }
                }
                self.rows
                    .extend(source.articles.clone().map(ListRow::Article));
            }
            if sources.is_empty() {
                self.rows
                    .extend(self.visible.iter().map(|&i| ListRow::Article(i)));
            }
            return;
        }
        // Best match first: a group where its best article is, with its other matches under it.
        let source_of = |i: usize| library.articles.get(i).map_or(usize::MAX, |a| a.source);
        let mut members: std::collections::HashMap<usize, Vec<usize>> = Default::default();
        for &i in &self.visible {
            let s = source_of(i);
            if grouped(s) {
                members.entry(s).or_default().push(i);
            }
        }
        for &i in &self.visible {
            let s = source_of(i);
            if !grouped(s) {
                self.rows.push(ListRow::Article(i));
            } else if let Some(list) = members.remove(&s) {
                self.rows.push(ListRow::Source(s));
                if !self.folded[s] {
                    self.rows.extend(list.into_iter().map(ListRow::Article));
                }
            }
        }
    }

    /// The row of the cursor: the selected article's, or its source's header when the article
    /// is not shown (folded); none when neither is shown (filtered out).
    pub fn cursor(&self, library: &Library) -> Option<usize> {
        let shown = |row: Option<&usize>| row.copied().filter(|&r| r != NONE);
        shown(self.article_rows.get(self.selected)).or_else(|| {
            let source = library.articles.get(self.selected)?.source;
            shown(self.source_rows.get(source))
        })
    }

    /// Keep the cursor in the pane, given the cursor row.
    pub fn keep_row_visible(&mut self, row: usize) {
        let cap = self.capacity();
        if row < self.top {
            self.top = row;
        } else if row >= self.top + cap {
            self.top = row + 1 - cap;
        }
        // Never scroll past the last screenful: no empty rows below the last article.
        self.top = self.top.min(self.rows.len().saturating_sub(cap));
    }

    /// Keep the selected article's row (when it has one) in the pane.
    fn keep_selection_visible_rows(&mut self) {
        let row = self
            .article_rows
            .get(self.selected)
            .copied()
            .filter(|&r| r != NONE);
        match row {
            Some(row) => self.keep_row_visible(row),
            None => {
                self.top = self
                    .top
                    .min(self.rows.len().saturating_sub(self.capacity()))
            }
        }
    }

    /// The article `delta` article rows from the cursor, clamped to the articles shown;
    /// headers are passed over. From a header, one step down is the article after it. Walks
    /// only the rows it passes.
    pub fn moved(&self, library: &Library, delta: isize) -> Option<usize> {
        let article = |r: &ListRow| match r {
            ListRow::Article(i) => Some(*i),
            ListRow::Source(_) => None,
        };
        let Some(cursor) = self.cursor(library) else {
            return self.rows.iter().find_map(article);
        };
        let on_article = self.rows[cursor] == ListRow::Article(self.selected);
        let mut found = on_article.then_some(self.selected);
        let steps = delta.unsigned_abs();
        let passed: Box<dyn Iterator<Item = usize> + '_> = if delta >= 0 {
            Box::new(self.rows[cursor + 1..].iter().filter_map(article))
        } else {
            Box::new(self.rows[..cursor].iter().rev().filter_map(article))
        };
        for (n, i) in passed.enumerate() {
            found = Some(i);
            if n + 1 >= steps {
                break;
            }
        }
        found
    }

    /// Keep only the articles matching `filter` (all with `None` or an empty filter). Returns
    /// the article to select when the selected one is filtered out.
    pub fn set_filter(&mut self, library: &Library, filter: Option<String>) -> Option<usize> {
        let visible = self
            .finder()
            .filter(library, filter.as_deref().unwrap_or(""));
        self.filtered(library, filter, visible)
    }

    /// The filter is `filter`, which keeps `visible` (what [`ArticleFilter::filter`] gave):
    /// the article to select when the selected one is no longer shown.
    pub fn filtered(
        &mut self,
        library: &Library,
        filter: Option<String>,
        visible: Vec<usize>,
    ) -> Option<usize> {
        self.visible = visible;
        self.filter = filter.filter(|f| !f.is_empty());
        self.build_rows(library);
        self.top = 0;
        self.visible
            .first()
            .copied()
            .filter(|_| !self.visible.contains(&self.selected))
    }

    /// The filter is opening: get its index ready before the first key needs it.
    pub fn prepare_filter(&mut self, library: &Library) {
        self.finder().prepare(library);
    }

    /// The filter, locked (work off the loop may be using it: then this waits for it).
    fn finder(&self) -> std::sync::MutexGuard<'_, ArticleFilter> {
        self.finder.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The filter to answer off the loop, when `library` is large and its index is ready or
    /// being built ([`FILTER_OFF_LOOP_FROM`]).
    pub fn off_loop_finder(&self, library: &Library) -> Option<Arc<Mutex<ArticleFilter>>> {
        let count = library.articles.len();
        (count >= FILTER_OFF_LOOP_FROM && self.finder().ready_for(count))
            .then(|| Arc::clone(&self.finder))
    }

    /// The library's metadata changed (its fill): run the filter again, keeping the selection
    /// and, as far as it can, the rows shown.
    pub fn refresh(&mut self, library: &Library) {
        self.finder().forget();
        if let Some(filter) = &self.filter {
            let visible = self.finder().filter(library, filter);
            self.visible = visible;
            self.build_rows(library);
        }
    }

    /// Fold or unfold source `source`.
    pub fn set_folded(&mut self, library: &Library, source: usize, folded: bool) {
        if let Some(f) = self.folded.get_mut(source) {
            *f = folded;
            self.build_rows(library);
        }
    }

    /// The row shown at row `row` of the pane, counting from its top.
    pub fn at_row(&self, row: usize) -> Option<ListRow> {
        self.rows.get(self.top + row).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{Origin, SourceKind, parse_article};

    fn library(groups: &[usize]) -> Library {
        let mut lib = Library::default();
        for (s, &n) in groups.iter().enumerate() {
            let start = lib.articles.len();
            for k in 0..n {
                let mut a = parse_article(
                    &format!("{s}-{k}.txt"),
                    Origin::Embedded,
                    format!("Article {k} of source {s}").as_bytes(),
                );
                a.source = s;
                lib.articles.push(a);
            }
            lib.sources.push(crate::library::Source {
                name: format!("source {s}"),
                hotkey: None,
                kind: if n == 1 {
                    SourceKind::File
                } else {
                    SourceKind::Folder(format!("f{s}").into())
                },
                language: None,
                articles: start..lib.articles.len(),
                note: None,
            });
        }
        assert!(lib.sources_consistent());
        lib
    }

    #[test]
    fn groups_get_headers_single_files_do_not_and_folding_hides_articles() {
        use ListRow::{Article as A, Source as S};
        let lib = library(&[1, 3, 0, 2]);
        let mut list = List::new(&lib);
        assert_eq!(
            list.rows,
            vec![A(0), S(1), A(1), A(2), A(3), S(2), S(3), A(4), A(5)]
        );
        list.set_folded(&lib, 1, true);
        assert_eq!(list.rows, vec![A(0), S(1), S(2), S(3), A(4), A(5)]);
        // The selected article folded away: the cursor is its source's header.
        list.selected = 2;
        assert_eq!(list.cursor(&lib), Some(1));
        // j from the header goes to the next article shown, k to the one above.
        assert_eq!(list.moved(&lib, 1), Some(4));
        assert_eq!(list.moved(&lib, -1), Some(0));
        list.selected = 0;
        assert_eq!(list.moved(&lib, 1), Some(4));
        assert_eq!(list.moved(&lib, 9), Some(5));
    }

    #[test]
    fn under_a_filter_a_group_sits_where_its_best_match_is() {
        use ListRow::{Article as A, Source as S};
        let lib = library(&[1, 3, 1]);
        let mut list = List::new(&lib);
        list.filter = Some("x".into());
        // Best first: article 3 (source 1), then 4 (source 2), then 0, then 1 (source 1).
        list.visible = vec![3, 4, 0, 1];
        list.build_rows(&lib);
        assert_eq!(list.rows, vec![S(1), A(3), A(1), A(4), A(0)]);
    }

    #[test]
    fn the_top_row_never_leaves_empty_rows_below_the_last_article() {
        let lib = library(&[1, 1, 1, 1, 1]);
        let mut list = List::new(&lib);
        list.set_capacity(3);
        list.selected = 4;
        list.keep_selection_visible_rows();
        assert_eq!(list.top, 2);
        // A taller pane shows everything from the first row.
        list.set_capacity(10);
        assert_eq!(list.top, 0);
        list.set_capacity(3);
        assert_eq!(list.top, 2);
    }
}
