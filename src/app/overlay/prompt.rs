//! One-line prompts in the status line: search the article, search the library, filter the
//! list. A small line editor: characters type, and the `[keys.prompt]` context names the rest.

use super::{MAX_PROMPT, Outcome};
use crate::keymap::{Action, Key, KeyCode};

/// What a prompt in the status line is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptKind {
    Search,
    LibrarySearch,
    Filter,
}

impl PromptKind {
    /// What the prompt says before the input.
    pub fn label(self) -> &'static str {
        match self {
            PromptKind::Search => "/",
            PromptKind::LibrarySearch => "Search the library: ",
            PromptKind::Filter => "Filter: ",
        }
    }
}

pub(super) fn handle(
    kind: PromptKind,
    input: &mut String,
    key: Key,
    action: Option<Action>,
) -> Outcome {
    match action {
        Some(Action::Cancel) => return Outcome::Cancelled(kind),
        Some(Action::Submit) => return Outcome::Submit(kind, std::mem::take(input)),
        Some(Action::DeleteBack) => {
            input.pop();
        }
        Some(Action::ClearInput) => input.clear(),
        _ => match key.code {
            KeyCode::Char(c) if !key.ctrl && !key.alt && !c.is_control() => {
                if input.chars().count() < MAX_PROMPT {
                    input.push(c);
                }
            }
            // Other keys do nothing while typing.
            _ => return Outcome::Stay,
        },
    }
    Outcome::Edited
}
