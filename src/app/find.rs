//! Finding things: the search in the open article (`/`, `n`, `N`), the library search (`S`)
//! and the list filter, as the prompts submit them.

use super::{Action, App, ArticleSearch, Overlay, Picker, PromptKind, search};
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
            PromptKind::LibrarySearch => {
                let hits =
                    search::search_library(&self.library, &input, self.reader.show_boilerplate);
                if hits.is_empty() {
                    self.say(format!("Not found in the library: {}", isolate(&input)));
                    return;
                }
                self.overlay = Some(Overlay::Results {
                    query: input,
                    picker: Picker::new(hits),
                });
            }
            PromptKind::Filter => {
                self.set_filter(Some(input));
                if self.list.visible.is_empty() {
                    self.message = Some("No source matches the filter — Esc clears it".into());
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
}
