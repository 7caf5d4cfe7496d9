//! What the reader keeps between runs, as the app sees it: places, read marks and bookmarks in
//! the [`Store`]. The app only changes the store's data; saving it is the front end's
//! ([`Effect::Save`]).

use super::{App, BookmarkEntry, Effect};
use crate::store::{Bookmark, Position, Store};
use crate::text::document::Anchor;
use crate::text::isolate;
use crate::text::layout::logical_line;

impl App {
    /// Use `store` for reading positions, read marks and bookmarks, and go back to where the
    /// reader was last time. `warning` (e.g. a corrupt state file set aside) is shown once.
    pub fn attach_store(&mut self, store: Store, warning: Option<String>) {
        self.store = store;
        for (i, article) in self.library.articles.iter().enumerate() {
            if let Some(pos) = self.store.article(&article.key).and_then(|s| s.position) {
                self.reader.set_position(
                    i,
                    Anchor {
                        para: pos.para,
                        byte: pos.byte,
                        gap: false,
                    },
                );
            }
        }
        if let Some(last) = self.store.state.last_open.clone() {
            match self.library.articles.iter().position(|a| a.key == last) {
                Some(i) => self.list.selected = i,
                // Perhaps among the stubs the fill has yet to give.
                None => self.live.last_open = Some((last, self.list.selected)),
            }
        }
        if let Some(w) = warning {
            self.say(w);
        }
        self.recount_unread();
        self.relayout();
    }

    /// Put where the reader is into the store, to be saved: the front end calls this before
    /// saving for the last time.
    pub fn remember(&mut self) {
        let selected = self.list.selected;
        if let Some(article) = self.library.articles.get(selected) {
            let anchor = self.reader.position(selected);
            let known = self.store.article(&article.key).is_some();
            if known || anchor != Anchor::default() {
                self.store.article_mut(&article.key).position = Some(Position {
                    para: anchor.para,
                    byte: anchor.byte,
                });
            }
            self.store.state.last_open = Some(article.key.clone());
        }
    }

    /// The store, for the front end to save ([`Effect::Save`]).
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Saving failed: say so, and keep the message among the warnings.
    pub fn save_failed(&mut self, error: &std::io::Error) {
        self.say(format!("Could not save reading positions: {error}"));
    }

    /// Whether article `index` has been read.
    pub fn is_read(&self, index: usize) -> bool {
        self.library
            .articles
            .get(index)
            .and_then(|a| self.store.article(&a.key))
            .is_some_and(|s| s.read)
    }

    pub(super) fn mark_read(&mut self, index: usize, read: bool) {
        let Some(article) = self.library.articles.get(index) else {
            return;
        };
        if self.store.article(&article.key).is_some_and(|s| s.read) != read {
            let source = article.source;
            self.store.article_mut(&article.key).read = read;
            if let Some(unread) = self.unread.get_mut(source) {
                *unread = if read {
                    unread.saturating_sub(1)
                } else {
                    *unread + 1
                };
            }
            self.effect(Effect::Save);
        }
    }

    pub(super) fn bookmarks(&self) -> Vec<BookmarkEntry> {
        self.library
            .articles
            .iter()
            .enumerate()
            .flat_map(|(i, article)| {
                self.store
                    .article(&article.key)
                    .map(|s| s.bookmarks.clone())
                    .unwrap_or_default()
                    .into_iter()
                    .map(move |b| BookmarkEntry {
                        article: i,
                        position: b.position,
                        excerpt: b.excerpt,
                    })
            })
            .collect()
    }

    pub(super) fn add_bookmark(&mut self) {
        let Some(line) = self.layout().lines.get(self.top()).cloned() else {
            return;
        };
        let Some(article) = self.article() else {
            return;
        };
        let key = article.key.clone();
        let para_text = self.paragraph_text(line.para).unwrap_or_default();
        let excerpt = if line.gap {
            crate::text::truncate(&para_text, 60)
        } else {
            crate::text::truncate(&logical_line(&para_text, &line.line), 60)
        };
        let position = Position {
            para: line.para,
            byte: if line.gap { 0 } else { line.line.src.start },
        };
        let marks = &mut self.store.article_mut(&key).bookmarks;
        if marks.iter().any(|b| b.position == position) {
            self.message = Some("Already bookmarked".into());
            return;
        }
        marks.push(Bookmark {
            position,
            excerpt: excerpt.clone(),
        });
        marks.sort_by_key(|b| (b.position.para, b.position.byte));
        self.message = Some(format!("Bookmarked: {}", isolate(&excerpt)));
        self.effect(Effect::Save);
    }
}
