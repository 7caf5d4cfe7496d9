//! Finding things: the search in the open article (`/`, `n`, `N`), the library search (`S`)
//! and the list filter, as the prompts submit them.

use super::{Action, App, ArticleSearch, Overlay, Picker, PromptKind, search};
use crate::text::isolate;

impl App {
    pub(super) fn go_to_match(&mut self, forward: bool) {
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
            PromptKind::Search if self.reader.windowed() => {
                self.say(format!(
                    "Searching articles over {} MiB is not available yet: open it in the pager with {}",
                    crate::library::LARGE_FILE_BYTES >> 20,
                    self.settings.keymap.hint(Action::OpenPager)
                ));
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
}
