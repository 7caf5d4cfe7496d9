//! What each action does: [`update`] applies one to the app.

use super::{
    Action, App, Effect, Exit, ExternalProgram, Focus, ListRow, Overlay, Picker, PromptKind, jump,
    links, outline,
};

/// The article of a list row, if it is one.
fn article_row(row: &ListRow) -> Option<usize> {
    match row {
        ListRow::Article(i) => Some(*i),
        ListRow::Source(_) => None,
    }
}

/// Apply an action to the state.
pub fn update(app: &mut App, action: Action) {
    let page = app.page() as isize;
    match action {
        Action::Quit => app.exit = Some(Exit::Quit),
        Action::Fetch => app.fetch_feeds(),
        Action::ToggleHelp => {
            app.overlay = match app.overlay {
                Some(Overlay::Help(_)) => None,
                _ => Some(Overlay::Help(0)),
            }
        }
        Action::ShowMessages => {
            if app.messages.is_empty() {
                app.message = Some("No messages".into());
            } else {
                let last = app.messages.len().saturating_sub(app.overlay_page());
                app.overlay = Some(Overlay::Messages(last));
            }
        }
        Action::FocusNext => app.set_focus(match app.focus {
            Focus::List => Focus::Reader,
            Focus::Reader if app.zoom => Focus::Reader,
            Focus::Reader => Focus::List,
        }),
        Action::FocusList => {
            let was_zoomed = std::mem::take(&mut app.zoom);
            if app.focus == Focus::List && was_zoomed {
                app.relayout();
            }
            app.set_focus(Focus::List);
        }
        Action::FocusReader | Action::Open => app.set_focus(Focus::Reader),
        Action::MoveDown => match app.focus {
            Focus::List => app.move_selection(1),
            Focus::Reader => app.scroll_by(1),
        },
        Action::MoveUp => match app.focus {
            Focus::List => app.move_selection(-1),
            Focus::Reader => app.scroll_by(-1),
        },
        // Keep one line of context when paging, as most readers do.
        Action::PageDown => app.scroll_by((page - 1).max(1)),
        Action::PageUp => app.scroll_by(-(page - 1).max(1)),
        Action::HalfPageDown => app.scroll_by((page / 2).max(1)),
        Action::HalfPageUp => app.scroll_by(-(page / 2).max(1)),
        Action::Top => match app.focus {
            Focus::List => {
                if let Some(first) = app.list.rows.iter().find_map(article_row) {
                    app.select(first)
                }
            }
            Focus::Reader => app.scroll_to(0),
        },
        Action::Bottom => match app.focus {
            Focus::List => {
                if let Some(last) = app.list.rows.iter().rev().find_map(article_row) {
                    app.select(last);
                    app.live.bottom_at = Some(last);
                }
            }
            Focus::Reader => app.scroll_to(usize::MAX),
        },
        Action::Source(n) => {
            let source = n as usize - 1;
            let count = app.library.sources.len();
            if source < count {
                app.jump_to_source(source);
            } else {
                app.say(format!("There is no source {n}: the library has {count}"));
            }
        }
        Action::NextSource | Action::PrevSource => {
            let forward = action == Action::NextSource;
            match app.next_source(forward) {
                Some(source) => app.jump_to_source(source),
                None => app.message = Some("No other source has articles".into()),
            }
        }
        Action::ToggleFold => app.toggle_fold(),
        Action::MarkSourceRead => app.mark_source_read(),
        Action::NextSection | Action::PrevSection => {
            let forward = action == Action::NextSection;
            match app
                .article()
                .and_then(|a| app.reader.section_target(a, forward))
            {
                Some(line) => app.jump_to_line(line),
                None => {
                    app.message = Some(if forward {
                        "This is the last section".into()
                    } else {
                        "This is the first section".into()
                    })
                }
            }
        }
        Action::NextHeading | Action::PrevHeading => {
            let forward = action == Action::NextHeading;
            match app.heading_target(forward) {
                Some(line) => app.jump_to_line(line),
                None if app.headings.list.is_empty() => {
                    app.message = Some("This article has no headings".into())
                }
                None => {
                    app.message = Some(if forward {
                        "No heading after this one".into()
                    } else {
                        "No heading before this one".into()
                    })
                }
            }
        }
        Action::Outline => {
            let entries = match app.article() {
                Some(article) => outline::entries(article, &app.headings),
                None => Vec::new(),
            };
            if entries.is_empty() {
                app.message = Some("This article has no headings or sections".into());
            } else {
                let current = app
                    .reader
                    .top_paragraph()
                    .and_then(|para| outline::current_entry(&entries, para));
                let mut picker = Picker::new(entries);
                picker.selected = current.unwrap_or(0);
                app.overlay = Some(Overlay::Outline { picker, current });
            }
        }
        Action::Links => {
            let entries = app.article().map(links::entries).unwrap_or_default();
            if entries.is_empty() {
                app.message = Some("This article has no links".into());
            } else {
                app.overlay = Some(Overlay::Links(Picker::new(entries)));
            }
        }
        Action::JumpBack => app.jump_back(),
        Action::JumpPrompt => {
            let hotkeys: Vec<Option<char>> = app.library.sources.iter().map(|s| s.hotkey).collect();
            app.overlay = Some(Overlay::Jump {
                labels: jump::labels_with_hotkeys(&hotkeys),
                typed: String::new(),
            })
        }
        Action::ToggleBoilerplate => {
            app.reader.show_boilerplate = !app.reader.show_boilerplate;
            app.relayout();
            app.message = Some(if app.reader.show_boilerplate {
                "Boilerplate shown (dimmed)".into()
            } else {
                "Boilerplate hidden".into()
            });
        }
        Action::Search => {
            let kind = match app.focus {
                Focus::List if !app.zoom => PromptKind::Filter,
                _ => PromptKind::Search,
            };
            let input = match kind {
                PromptKind::Filter => app.list.filter.clone().unwrap_or_default(),
                _ => String::new(),
            };
            if kind == PromptKind::Filter {
                app.list.prepare_filter(&app.library);
            }
            app.overlay = Some(Overlay::Prompt { kind, input });
        }
        Action::Filter => {
            app.list.prepare_filter(&app.library);
            app.overlay = Some(Overlay::Prompt {
                kind: PromptKind::Filter,
                input: app.list.filter.clone().unwrap_or_default(),
            })
        }
        Action::LibrarySearch => {
            app.overlay = Some(Overlay::Prompt {
                kind: PromptKind::LibrarySearch,
                input: String::new(),
            })
        }
        Action::SearchNext => app.go_to_match(true),
        Action::SearchPrev => app.go_to_match(false),
        Action::Cancel => {
            if app.list.filter.is_some() {
                app.set_filter(None);
                app.message = Some("Filter cleared".into());
            } else if app.reader.search.is_some() {
                app.reader.search = None;
                app.message = Some("Search cleared".into());
            }
        }
        Action::ToggleRead => {
            let read = !app.is_read(app.list.selected);
            app.mark_read(app.list.selected, read);
            app.message = Some(if read { "Marked read" } else { "Marked unread" }.into());
        }
        Action::AddBookmark => app.add_bookmark(),
        Action::ListBookmarks => {
            let items = app.bookmarks();
            if items.is_empty() {
                app.message = Some(format!(
                    "No bookmarks yet — press {} to add one",
                    app.settings.keymap.hint(Action::AddBookmark)
                ));
            } else {
                app.overlay = Some(Overlay::Bookmarks(Picker::new(items)));
            }
        }
        Action::CopyParagraph | Action::CopyArticle => {
            let (text, what) = if action == Action::CopyParagraph {
                (app.top_paragraph_text(), "paragraph")
            } else {
                (app.article_text(), "article")
            };
            match text {
                Some(text) => {
                    app.message = Some(format!(
                        "Copied the {what} ({} characters) to the clipboard",
                        text.chars().count()
                    ));
                    app.effect(Effect::Clipboard(text));
                }
                None if app.article().is_some_and(|a| a.large.is_some()) => app.say(
                    "This article is too large to copy whole: copy a paragraph, or open it with e"
                        .into(),
                ),
                None => {}
            }
        }
        Action::OpenEditor => app.open_external(ExternalProgram::Editor),
        Action::OpenPager => app.open_external(ExternalProgram::Pager),
        Action::Suspend => {
            if app.policy.suspend {
                app.effect(Effect::Suspend);
            } else {
                app.say("Suspending is disabled on this server".into());
            }
        }
        Action::ToggleZoom => {
            app.zoom = !app.zoom;
            if app.zoom {
                app.focus = Focus::Reader;
            }
            app.relayout();
        }
        // These name keys of overlays; the panes never see them.
        Action::Choose
        | Action::Delete
        | Action::CopyLink
        | Action::OpenBrowser
        | Action::Submit
        | Action::DeleteBack
        | Action::ClearInput => {}
    }
}
