//! The reader pane's state: the open article laid out for the reading column, where in it the
//! reader is (and was, in every article), the jumps to go back to, and the search in it.

use std::sync::Arc;

use super::search::ArticleSearch;
use crate::library::{Article, LargeText};
use crate::text::document::{Anchor, DocLine, DocumentLayout, layout_document};
use crate::text::layout::{LayoutOptions, layout_paragraph};
use crate::text::{Direction, bidi};

/// A large article is laid out a window at a time: this many screens on either side of the
/// screen shown (and up to twice as many before the window lets go of paragraphs). One is
/// enough for any key to find its lines laid out, and opening or jumping to the end lays out
/// little more than the screen it shows: each screen laid out ahead costs the first frame and
/// `G` as much as the screen itself.
const WINDOW_PAGES: usize = 1;

/// A window of a large article: the paragraphs laid out around the place being read. Its lines'
/// `para` is the byte offset where their paragraph starts.
#[derive(Debug)]
struct Window {
    text: Arc<LargeText>,
    opts: LayoutOptions,
    /// The first and last paragraphs laid out (byte ranges of the file).
    first: std::ops::Range<usize>,
    last: std::ops::Range<usize>,
}

impl Window {
    fn lay_out(&self, para: &std::ops::Range<usize>) -> Vec<DocLine> {
        let text = self.text.text(para);
        let dir = bidi::paragraph_direction(&text).unwrap_or(Direction::Ltr);
        layout_paragraph(&text, dir, &self.opts)
            .lines
            .into_iter()
            .map(|mut line| {
                // Lines know their bytes in the paragraph's text; the paragraph is named by where
                // it starts in the file, so a place survives any width.
                line.dir = dir;
                DocLine {
                    para: para.start,
                    gap: false,
                    line,
                    ..DocLine::default()
                }
            })
            .collect()
    }

    fn at_end(&self) -> bool {
        self.text.next(&self.last).is_none()
    }
}

/// Bytes of laid-out articles kept besides the one shown, so switching back and forth does not
/// lay out again. A budget of bytes, not a count: one huge article or a burst of resizes must not
/// pile up layouts (each width of a 15 MB article is hundreds of megabytes).
pub(crate) const LAYOUT_CACHE_BYTES: usize = 64 << 20;

/// How many jumps `jump_back` remembers.
const JUMP_HISTORY: usize = 100;

/// The layouts any reader in this process holds, by article, options and boilerplate: a
/// hundred readers of one article at one width (a hundred SSH sessions over one library) share
/// one layout. Weak references: a layout lives as long as some reader holds it, and no longer.
/// An article is known by its address in its library as well as its key, so two libraries with
/// the same names (tests, a reloaded folder) never share; an address cannot be reused while a
/// reader holds a layout of it, since that reader holds its library too.
type SharedKey = (usize, String, LayoutOptions, bool);

fn shared_layout(
    article: Option<&Article>,
    key: LayoutKey,
    make: impl FnOnce() -> DocumentLayout,
) -> Arc<DocumentLayout> {
    static SHARED: std::sync::Mutex<Vec<(SharedKey, std::sync::Weak<DocumentLayout>)>> =
        std::sync::Mutex::new(Vec::new());
    let Some(article) = article else {
        return Arc::new(make());
    };
    let shared_key = (
        article as *const Article as usize,
        article.key.clone(),
        key.opts,
        key.boilerplate,
    );
    let found = {
        let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
        shared.retain(|(_, weak)| weak.strong_count() > 0);
        shared
            .iter()
            .find(|(k, _)| *k == shared_key)
            .and_then(|(_, weak)| weak.upgrade())
    };
    if let Some(layout) = found {
        return layout;
    }
    // Laid out without the lock held: another reader may lay out the same text meanwhile,
    // and the first to finish is kept.
    let layout = Arc::new(make());
    let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(existing) = shared
        .iter()
        .find(|(k, _)| *k == shared_key)
        .and_then(|(_, weak)| weak.upgrade())
    {
        return existing;
    }
    shared.push((shared_key, Arc::downgrade(&layout)));
    layout
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct LayoutKey {
    article: usize,
    opts: LayoutOptions,
    boilerplate: bool,
}

#[derive(Debug, Default)]
pub(crate) struct Reader {
    /// The open article laid out (empty while the reader is hidden).
    layout: Arc<DocumentLayout>,
    /// Recently used layouts, least recent first, with their sizes in bytes.
    cache: Vec<(LayoutKey, Arc<DocumentLayout>, usize)>,
    /// Changes whenever `layout` is replaced, so a front end can tell a scroll from a relayout.
    epoch: u64,
    /// The article shown.
    article: usize,
    /// First line of the layout shown at the top of the reading column.
    top: usize,
    /// Lines the reading column shows.
    page: usize,
    /// For a large article: the part of it laid out.
    window: Option<Window>,
    /// Where the reader was in each article.
    positions: Vec<Anchor>,
    /// Where the reader was before each jump (article, place), most recent last.
    jumps: Vec<(usize, Anchor)>,
    /// The search in the open article, with its matches.
    pub search: Option<ArticleSearch>,
    /// Whether boilerplate paragraphs are laid out (dimmed) or hidden.
    pub show_boilerplate: bool,
    /// The article shown is a stub whose text has not come yet: the layout says so, and
    /// scrolling it remembers nothing.
    loading: bool,
}

/// What the reading column shows while an article's text is read.
pub(crate) const LOADING: &str = "Loading…";

impl Reader {
    pub fn new(articles: usize, show_boilerplate: bool) -> Reader {
        Reader {
            positions: vec![Anchor::default(); articles],
            show_boilerplate,
            ..Reader::default()
        }
    }

    pub fn layout(&self) -> &DocumentLayout {
        &self.layout
    }

    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    pub fn top(&self) -> usize {
        self.top
    }

    pub fn page(&self) -> usize {
        self.page.max(1)
    }

    /// Whether the article shown is laid out a window at a time (a large article).
    pub fn windowed(&self) -> bool {
        self.window.is_some()
    }

    pub fn max_top(&self) -> usize {
        self.layout.lines.len().saturating_sub(self.page())
    }

    /// For a large article: how far through it the bottom of the screen is, as a fraction.
    pub fn fraction_read(&self) -> Option<f64> {
        let window = self.window.as_ref()?;
        let bottom = (self.top + self.page()).min(self.layout.lines.len());
        let end = match self.layout.lines.get(bottom) {
            Some(l) => l.para + l.line.src.start,
            None if window.at_end() => window.text.len(),
            None => window.last.end,
        };
        Some(end as f64 / window.text.len().max(1) as f64)
    }

    /// Lay a large article out around the remembered place: a few screens, not the file.
    fn show_window(&mut self, text: Arc<LargeText>, opts: LayoutOptions) {
        let anchor = self.position(self.article);
        let para = text.paragraph_at(anchor.para);
        let window = Window {
            text,
            opts,
            first: para.clone(),
            last: para.clone(),
        };
        let lines = window.lay_out(&para);
        self.window = Some(window);
        self.layout = Arc::new(DocumentLayout { lines });
        self.epoch += 1;
        self.top = self.layout.find(anchor);
        // Just what the screen needs: a screen above the top for `G` (which moves the top up
        // from the last line) and the screen itself with one line after it (whose place the
        // status line tells). The next key fills the window.
        let page = self.page.max(1);
        self.fill_window_with(page, 1);
    }

    /// Lay out more of a large article so the window holds a few screens on either side of the
    /// top, and let go of what is far from it.
    fn fill_window(&mut self) {
        let want = self.page.max(1) * WINDOW_PAGES;
        self.fill_window_with(want, want);
    }

    /// [`Reader::fill_window`], laying out until `before` lines precede the top and `after`
    /// lines follow the screen (or the article ends).
    fn fill_window_with(&mut self, before: usize, after: usize) {
        let Some(window) = &mut self.window else {
            return;
        };
        let page = self.page.max(1);
        let want = page * WINDOW_PAGES;
        let layout = Arc::make_mut(&mut self.layout);
        // Before the top.
        while self.top < before {
            let Some(prev) = window.text.prev(window.first.start) else {
                break;
            };
            let lines = window.lay_out(&prev);
            self.top += lines.len();
            window.first = prev;
            layout.lines.splice(0..0, lines);
        }
        // After it.
        while layout.lines.len() < self.top + page + after {
            let Some(next) = window.text.next(&window.last) else {
                break;
            };
            layout.lines.extend(window.lay_out(&next));
            window.last = next;
        }
        // Far before the top: drop whole paragraphs.
        while self.top > 2 * want {
            let first = layout.lines[0].para;
            let n = layout.lines.iter().take_while(|l| l.para == first).count();
            if n >= self.top {
                break;
            }
            layout.lines.drain(..n);
            self.top -= n;
            window.first = window.text.paragraph_at(layout.lines[0].para);
        }
        // Far after it.
        while layout.lines.len() > self.top + page + 2 * want {
            let last = layout.lines[layout.lines.len() - 1].para;
            let n = layout
                .lines
                .iter()
                .rev()
                .take_while(|l| l.para == last)
                .count();
            if layout.lines.len() - n < self.top + page + want {
                break;
            }
            layout.lines.truncate(layout.lines.len() - n);
            window.last = window
                .text
                .paragraph_at(layout.lines[layout.lines.len() - 1].para);
        }
    }

    pub fn cached_bytes(&self) -> usize {
        self.cache.iter().map(|(_, _, b)| b).sum()
    }

    /// Where the reader is, as an anchor that survives a change of width.
    pub fn here(&self) -> Anchor {
        self.layout.anchor(self.top)
    }

    /// Set where the reader is in `article` without showing it.
    pub fn set_position(&mut self, article: usize, anchor: Anchor) {
        if let Some(p) = self.positions.get_mut(article) {
            *p = anchor;
        }
    }

    pub fn position(&self, article: usize) -> Anchor {
        self.positions.get(article).copied().unwrap_or_default()
    }

    /// Show `article` (index `index`) laid out with `opts` — or nothing, when the reader is
    /// hidden — from the cache when possible, at the place remembered for it.
    pub fn show(
        &mut self,
        index: usize,
        article: Option<&Article>,
        opts: Option<LayoutOptions>,
        page: usize,
    ) {
        self.page = page;
        self.article = index;
        self.loading = false;
        let Some(opts) = opts else {
            if !self.layout.lines.is_empty() {
                self.layout = Arc::default();
                self.epoch += 1;
            }
            self.top = 0;
            return;
        };
        if let Some(text) = article.and_then(|a| a.large.clone()) {
            self.show_window(text, opts);
            return;
        }
        self.window = None;
        let key = LayoutKey {
            article: index,
            opts,
            boilerplate: self.show_boilerplate,
        };
        // A stub with no layout kept: say it is coming, and cache nothing.
        if article.is_some_and(|a| !a.is_loaded()) && !self.cache.iter().any(|(k, ..)| *k == key) {
            self.loading = true;
            self.layout = Arc::new(layout_document([(0, LOADING, Direction::Ltr)], &opts));
            self.epoch += 1;
            self.top = 0;
            return;
        }
        let layout = match self.cache.iter().position(|(k, _, _)| *k == key) {
            Some(i) => {
                let entry = self.cache.remove(i);
                let layout = entry.1.clone();
                self.cache.push(entry);
                layout
            }
            None => {
                // Let go of what the old layout holds before making the new one.
                self.layout = Arc::default();
                let layout = shared_layout(article, key, || match article {
                    Some(article) => article.layout(key.boilerplate, &key.opts),
                    None => DocumentLayout::default(),
                });
                let bytes = layout.heap_bytes();
                self.cache.push((key, layout.clone(), bytes));
                layout
            }
        };
        // Evict least recently used layouts until the cache fits its budget; the layout shown
        // stays alive through `self.layout` even when it alone is over budget.
        let mut total = self.cached_bytes();
        while total > LAYOUT_CACHE_BYTES && !self.cache.is_empty() {
            total -= self.cache.remove(0).2;
        }
        if !Arc::ptr_eq(&self.layout, &layout) {
            self.layout = layout;
            self.epoch += 1;
        }
        self.top = self.layout.find(self.position(index)).min(self.max_top());
        self.refresh_search(index, article);
    }

    /// Keep the search's matches in step with the open article.
    fn refresh_search(&mut self, index: usize, article: Option<&Article>) {
        let stale = self
            .search
            .as_ref()
            .is_some_and(|s| s.article != index || s.boilerplate != self.show_boilerplate);
        if stale && let (Some(old), Some(article)) = (&self.search, article) {
            let query = old.query.clone();
            self.search = Some(ArticleSearch::new(
                &query,
                index,
                article,
                self.show_boilerplate,
            ));
        }
    }

    /// Scroll so that line `top` is at the top, and remember the place (a relayout that clamps
    /// the top, as a taller full-width column does near the end, remembers nothing: leaving
    /// and entering full width keeps the place). Returns whether the end is now on screen.
    pub fn scroll_to(&mut self, top: usize) -> bool {
        if self.layout.lines.is_empty() || self.loading {
            return false;
        }
        if let Some(window) = &self.window {
            if top == usize::MAX {
                // The end of a large article: lay out its last paragraph and what comes before.
                let text = window.text.clone();
                let opts = window.opts;
                let last = text.last();
                let anchor = Anchor {
                    para: last.start,
                    byte: last.len(),
                    gap: false,
                };
                self.set_position(self.article, anchor);
                self.show_window(text, opts);
                self.top = self.max_top();
            } else {
                self.top = top.min(self.layout.lines.len().saturating_sub(1));
                self.fill_window();
            }
            let at_end = self.window.as_ref().is_some_and(Window::at_end);
            self.top = self.top.min(if at_end {
                self.max_top()
            } else {
                self.layout.lines.len().saturating_sub(1)
            });
            let here = self.here();
            self.set_position(self.article, here);
            return at_end && self.top == self.max_top();
        }
        self.top = top.min(self.max_top());
        let here = self.here();
        self.set_position(self.article, here);
        self.top == self.max_top()
    }

    /// Go to a place in the open article (for a large one, lay out around it), with `context`
    /// lines above it on screen. Returns whether the end is now on screen.
    pub fn go_to(&mut self, para: usize, byte: usize, context: usize) -> bool {
        if self.loading {
            // The text is coming: it opens at this place.
            self.set_position(
                self.article,
                Anchor {
                    para,
                    byte,
                    gap: false,
                },
            );
            return false;
        }
        let anchor = Anchor {
            para,
            byte,
            gap: false,
        };
        if let Some(window) = &self.window {
            let (text, opts) = (window.text.clone(), window.opts);
            self.set_position(self.article, anchor);
            self.show_window(text, opts);
        }
        let line = self.layout.find(anchor);
        self.scroll_to(line.saturating_sub(context))
    }

    /// Remember where the reader is, so `jump_back` can return here.
    pub fn push_jump(&mut self) {
        let here = (self.article, self.position(self.article));
        if self.jumps.last() != Some(&here) {
            if self.jumps.len() == JUMP_HISTORY {
                self.jumps.remove(0);
            }
            self.jumps.push(here);
        }
    }

    pub fn pop_jump(&mut self) -> Option<(usize, Anchor)> {
        self.jumps.pop()
    }

    /// Article `index` changed on disk: let go of every layout of it (the one shown too), so
    /// the next [`Reader::show`] lays out its new text at the place remembered. A search in
    /// it is found again in the new text.
    pub fn forget_article(&mut self, index: usize) {
        self.cache.retain(|(k, ..)| k.article != index);
        if self.article == index {
            self.layout = Arc::default();
            self.window = None;
            self.epoch += 1;
            if let Some(s) = &mut self.search {
                s.article = usize::MAX;
            }
        }
    }

    /// Every article is another value now (a new library): let go of every layout.
    pub fn forget_all(&mut self) {
        self.cache.clear();
        self.layout = Arc::default();
        self.window = None;
        self.epoch += 1;
        if let Some(s) = &mut self.search {
            s.article = usize::MAX;
        }
    }

    /// The library's articles moved: old article `i` is now `map[i]` (`None`: gone), `count`
    /// in all, those at `added` new with the places in `positions` (from the store).
    pub fn renumber(
        &mut self,
        map: &[Option<usize>],
        count: usize,
        added: &[usize],
        positions: &[Option<Anchor>],
    ) {
        let at = |i: usize| map.get(i).copied().flatten();
        let mut moved = vec![Anchor::default(); count];
        for (i, anchor) in self.positions.iter().enumerate() {
            if let Some(j) = at(i) {
                moved[j] = *anchor;
            }
        }
        for (&i, anchor) in added.iter().zip(positions) {
            if let (Some(slot), Some(anchor)) = (moved.get_mut(i), anchor) {
                *slot = *anchor;
            }
        }
        self.positions = moved;
        self.jumps = self
            .jumps
            .iter()
            .filter_map(|&(i, anchor)| Some((at(i)?, anchor)))
            .collect();
        self.cache = std::mem::take(&mut self.cache)
            .into_iter()
            .filter_map(|(mut key, layout, bytes)| {
                key.article = at(key.article)?;
                Some((key, layout, bytes))
            })
            .collect();
        if let Some(article) = at(self.article) {
            self.article = article;
        }
        if let Some(s) = &mut self.search {
            s.article = at(s.article).unwrap_or(usize::MAX);
        }
    }

    /// The paragraph at the top of the reading column (after a gap: the one the gap precedes).
    pub fn top_paragraph(&self) -> Option<usize> {
        self.layout.lines.get(self.top).map(|l| l.para)
    }

    /// The line that shows a place in the open article.
    pub fn line_of(&self, para: usize, byte: usize) -> usize {
        self.layout.find(Anchor {
            para,
            byte,
            gap: false,
        })
    }

    /// Line of the first paragraph of the next (`forward`) or previous section that is laid out.
    pub fn section_target(&self, article: &Article, forward: bool) -> Option<usize> {
        let here = self.top_paragraph()?;
        let starts = article
            .sections
            .iter()
            .filter_map(|s| self.layout.first_line_of(s.paragraphs.start));
        if forward {
            starts
                .into_iter()
                .find(|&line| line > self.top && self.layout.lines[line].para > here)
        } else {
            starts.into_iter().rfind(|&line| line < self.top)
        }
    }

    /// The section the top of the reading column is in (index, section), for articles with
    /// more than one.
    pub fn current_section<'a>(
        &self,
        article: &'a Article,
    ) -> Option<(usize, &'a crate::library::Section)> {
        if article.sections.len() < 2 {
            return None;
        }
        let para = self.top_paragraph()?;
        article
            .sections
            .iter()
            .enumerate()
            .rfind(|(_, s)| s.paragraphs.start <= para)
            .or_else(|| article.sections.first().map(|s| (0, s)))
    }
}
