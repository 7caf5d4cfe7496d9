//! Finding things: the search in the open article (`/`, `n`, `N`), the library search (`S`)
//! and the list filter, as the prompts submit them.
//!
//! The library search of a library of files is work off the loop ([`Work::SearchLibrary`]):
//! the results overlay opens at once, saying it is searching, and fills as [`Done::Hits`]
//! come in; closing it (`Esc`) or another search cancels it, and hits of an older search that
//! still arrive are dropped. Built-in seeds are searched in memory, at once.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::{
    Action, App, ArticleSearch, Cancel, Effect, Hit, Overlay, Picker, PromptKind, Searching,
    Shared, Work, search,
};
use crate::library::Origin;
use crate::text::isolate;
use crate::text::search::Query;

/// Bytes of a large article one press of `n` or `N` searches through before it stops and says
/// how far it got: a search never holds the keyboard for long, whatever the file's size.
pub const SEARCH_STEP: usize = 64 << 20;

impl App {
    pub(super) fn go_to_match(&mut self, forward: bool) {
        if self.reader.windowed() && self.reader.search.is_some() {
            self.go_to_match_in_large(forward);
            return;
        }
        let Some(search) = &self.reader.search else {
            self.say(format!(
                "No search yet — press {} to search",
                self.settings.keymap.hint(Action::Search)
            ));
            return;
        };
        if search.matches.is_empty() {
            let query = search.query.clone();
            self.say(format!("Pattern not found: {}", isolate(&query)));
            return;
        }
        let n = search.matches.len();
        let top = self.top();
        // The next match after the one shown (or after the top line), wrapping around.
        let line_of = |m: &(usize, std::ops::Range<usize>)| self.reader.line_of(m.0, m.1.start);
        let next = match search.current {
            Some(c) if forward => (c + 1) % n,
            Some(c) => (c + n - 1) % n,
            None if forward => search
                .matches
                .iter()
                .position(|m| line_of(m) >= top)
                .unwrap_or(0),
            None => search
                .matches
                .iter()
                .rposition(|m| line_of(m) < top)
                .unwrap_or(n - 1),
        };
        let wrapped = search
            .current
            .is_some_and(|c| (forward && next < c) || (!forward && next > c));
        let line = line_of(&search.matches[next]);
        if let Some(s) = &mut self.reader.search {
            s.current = Some(next);
        }
        // Only scroll when the match is off screen.
        if line < top || line >= top + self.page() {
            self.jump_to_line(line.saturating_sub(self.page() / 3));
        }
        self.message = Some(format!(
            "Match {}/{n}{}",
            next + 1,
            if wrapped { " (wrapped)" } else { "" }
        ));
    }

    pub(super) fn submit_prompt(&mut self, kind: PromptKind, input: String) {
        match kind {
            PromptKind::Search if self.reader.windowed() && !input.is_empty() => {
                self.reader.search = Some(ArticleSearch {
                    query: input,
                    matches: Vec::new(),
                    current: None,
                    article: self.list.selected,
                    boilerplate: self.reader.show_boilerplate,
                    resume: None,
                });
                self.go_to_match(true);
            }
            PromptKind::Search => {
                if input.is_empty() {
                    // Like less: an empty search repeats the last one.
                    self.go_to_match(true);
                    return;
                }
                let Some(article) = self.article() else {
                    return;
                };
                self.reader.search = Some(ArticleSearch::new(
                    &input,
                    self.list.selected,
                    article,
                    self.reader.show_boilerplate,
                ));
                self.go_to_match(true);
            }
            PromptKind::LibrarySearch => self.search_library(input),
            PromptKind::Filter => {
                if self.set_filter(Some(input)) && self.list.visible.is_empty() {
                    self.message = Some(super::NO_MATCH.into());
                }
            }
        }
    }

    /// `n` / `N` in a large article: read on from the current match (or the top of the screen)
    /// a paragraph at a time, at most [`SEARCH_STEP`] bytes per press, wrapping once at the end.
    /// Only the match found is kept (and highlighted); the file is never indexed.
    fn go_to_match_in_large(&mut self, forward: bool) {
        let (Some(text), Some(search)) = (
            self.article().and_then(|a| a.large.clone()),
            self.reader.search.clone(),
        ) else {
            return;
        };
        let Some(query) = Query::new(&search.query) else {
            self.say(format!("Pattern not found: {}", isolate(&search.query)));
            return;
        };
        let current = search.current.and_then(|c| search.matches.get(c)).cloned();
        let (mut para, mut after) = match (search.resume, &current) {
            (Some(at), _) => (text.paragraph_at(at), None),
            (None, Some((p, r))) => (text.paragraph_at(*p), Some(r.start)),
            (None, None) => {
                let top = self.reader.top_paragraph().unwrap_or(0);
                (text.paragraph_at(top), None)
            }
        };
        let start = para.start;
        let mut wrapped = false;
        let mut scanned = 0usize;
        loop {
            let body = text.text(&para);
            let hits = query.find_all(&body);
            let hit = if forward {
                hits.into_iter().find(|r| after.is_none_or(|a| r.start > a))
            } else {
                hits.into_iter()
                    .rev()
                    .find(|r| after.is_none_or(|a| r.start < a))
            };
            if let Some(range) = hit {
                let at = (para.start, range);
                if let Some(s) = &mut self.reader.search {
                    s.matches = vec![at.clone()];
                    s.current = Some(0);
                    s.resume = None;
                }
                self.reader.push_jump();
                if self.reader.go_to(at.0, at.1.start, self.page() / 3) {
                    self.mark_read(self.list.selected, true);
                }
                self.message = Some(if wrapped {
                    "Match (wrapped)".to_string()
                } else {
                    "Match".to_string()
                });
                return;
            }
            after = None;
            scanned += para.len() + 1;
            let next = if forward {
                text.next(&para)
            } else {
                text.prev(para.start)
            };
            para = match next {
                Some(p) => p,
                None if wrapped => break,
                None => {
                    wrapped = true;
                    if forward { text.first() } else { text.last() }
                }
            };
            let passed = if forward {
                para.start > start
            } else {
                para.start < start
            };
            if wrapped && passed {
                break;
            }
            if scanned >= SEARCH_STEP {
                if let Some(s) = &mut self.reader.search {
                    s.resume = Some(para.start);
                }
                let percent = para.start as f64 * 100.0 / text.len().max(1) as f64;
                self.say(format!(
                    "Not found in the next {} MiB (now at {percent:.0}%) — press {} to search on",
                    SEARCH_STEP >> 20,
                    self.settings.keymap.hint(if forward {
                        Action::SearchNext
                    } else {
                        Action::SearchPrev
                    })
                ));
                return;
            }
        }
        if let Some(s) = &mut self.reader.search {
            s.resume = None;
        }
        self.say(format!("Pattern not found: {}", isolate(&search.query)));
    }

    /// Start a library search for `query` (see the module docs).
    fn search_library(&mut self, query: String) {
        self.stop_library_search();
        let boilerplate = self.reader.show_boilerplate;
        let has_files = self
            .library
            .articles
            .iter()
            .any(|a| matches!(a.origin, Origin::File(_)));
        if !has_files {
            let hits = search::search_library(&self.library, &query, boilerplate);
            self.show_library_hits(query, hits, false);
            return;
        }
        if crate::text::search::Query::new(&query).is_none() {
            self.say(format!("Not found in the library: {}", isolate(&query)));
            return;
        }
        self.search_generation += 1;
        let generation = self.search_generation;
        let cancel: Cancel = Shared(Arc::new(AtomicBool::new(false)));
        self.searching = Some(Searching {
            generation,
            cancel: cancel.clone(),
        });
        self.effect(Effect::Work(Work::SearchLibrary {
            query: query.clone(),
            generation,
            boilerplate,
            library: Shared(self.library.clone()),
            cancel,
        }));
        self.show_library_hits(query, Vec::new(), true);
    }

    /// Open the results overlay, or say there are none.
    fn show_library_hits(&mut self, query: String, hits: Vec<Hit>, searching: bool) {
        if hits.is_empty() && !searching {
            self.say(format!("Not found in the library: {}", isolate(&query)));
            return;
        }
        self.overlay = Some(Overlay::Results {
            query,
            picker: Picker::new(hits),
            searching,
        });
    }

    /// Cancel the library search under way, if any.
    pub(super) fn stop_library_search(&mut self) {
        if let Some(searching) = self.searching.take() {
            searching.cancel.cancel();
        }
    }

    /// A batch of hits of the library search `generation` (see [`Done::Hits`]).
    pub(super) fn library_hits(&mut self, generation: u64, hits: Vec<Hit>, finished: bool) {
        if self.searching.as_ref().map(|s| s.generation) != Some(generation) {
            return;
        }
        if finished {
            self.searching = None;
        }
        let Some(Overlay::Results {
            query,
            picker,
            searching,
        }) = &mut self.overlay
        else {
            self.stop_library_search();
            return;
        };
        // Hits come from several readers at once: keep them in the library's order, and the
        // selection on the hit it was on.
        let place = |h: &Hit| (h.article, h.para, h.range.start);
        let selected = picker.items.get(picker.selected).map(place);
        picker.items.extend(hits);
        picker.items.sort_by_key(place);
        picker.items.truncate(search::MAX_HITS);
        if let Some(selected) = selected {
            picker.selected = picker
                .items
                .iter()
                .position(|h| place(h) == selected)
                .unwrap_or(0);
        }
        *searching = !finished;
        if finished && picker.items.is_empty() {
            let query = query.clone();
            self.overlay = None;
            self.say(format!("Not found in the library: {}", isolate(&query)));
        }
    }
}
