//! The list pane's state: which articles it shows (all, or those the filter keeps), which one
//! is selected, and which row is at its top.

use super::search::ArticleFilter;
use crate::library::Library;

#[derive(Debug, Default)]
pub(crate) struct List {
    /// The article selected in the list, which is the one the reader shows.
    pub selected: usize,
    /// First row of `visible` shown in the list pane.
    pub top: usize,
    /// Articles the list shows, in order (all of them unless filtered).
    pub visible: Vec<usize>,
    /// The list filter, when one is set.
    pub filter: Option<String>,
    /// Articles the pane shows at once.
    capacity: usize,
    /// What answers the filter, kept from key to key.
    finder: ArticleFilter,
}

impl List {
    pub fn new(articles: usize) -> List {
        List {
            visible: (0..articles).collect(),
            capacity: 1,
            ..List::default()
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity.max(1)
    }

    /// The pane now shows `capacity` articles at once.
    pub fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity.max(1);
        self.keep_selection_visible();
    }

    /// The row of the selected article among those shown.
    fn row(&self) -> usize {
        self.visible
            .iter()
            .position(|&i| i == self.selected)
            .unwrap_or(0)
    }

    pub fn keep_selection_visible(&mut self) {
        let cap = self.capacity();
        let row = self.row();
        if row < self.top {
            self.top = row;
        } else if row >= self.top + cap {
            self.top = row + 1 - cap;
        }
        // Never scroll past the last screenful: no empty rows below the last article.
        self.top = self.top.min(self.visible.len().saturating_sub(cap));
    }

    /// The article `delta` rows from the selected one, clamped to the list.
    pub fn moved(&self, delta: isize) -> Option<usize> {
        if self.visible.is_empty() {
            return None;
        }
        let row = self
            .row()
            .saturating_add_signed(delta)
            .min(self.visible.len() - 1);
        Some(self.visible[row])
    }

    /// Keep only the articles matching `filter` (all with `None` or an empty filter). Returns
    /// the article to select when the selected one is filtered out.
    pub fn set_filter(&mut self, library: &Library, filter: Option<String>) -> Option<usize> {
        self.visible = self.finder.filter(library, filter.as_deref().unwrap_or(""));
        self.filter = filter.filter(|f| !f.is_empty());
        self.top = 0;
        let first = self
            .visible
            .first()
            .copied()
            .filter(|_| !self.visible.contains(&self.selected));
        self.keep_selection_visible();
        first
    }

    /// The filter is opening: get its index ready before the first key needs it.
    pub fn prepare_filter(&mut self, library: &Library) {
        self.finder.prepare(library);
    }

    /// The library's metadata changed (its fill): run the filter again, keeping the selection
    /// and, as far as it can, the rows shown.
    pub fn refresh(&mut self, library: &Library) {
        self.finder.forget();
        if let Some(filter) = &self.filter {
            self.visible = self.finder.filter(library, filter);
            self.keep_selection_visible();
        }
    }

    /// The article shown at row `row` of the pane, counting from its top.
    pub fn at_row(&self, row: usize) -> Option<usize> {
        self.visible.get(self.top + row).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_row_never_leaves_empty_rows_below_the_last_article() {
        let mut list = List::new(5);
        list.set_capacity(3);
        list.selected = 4;
        list.keep_selection_visible();
        assert_eq!(list.top, 2);
        // A taller pane shows everything from the first row.
        list.set_capacity(10);
        assert_eq!(list.top, 0);
        list.set_capacity(3);
        assert_eq!(list.top, 2);
    }
}
