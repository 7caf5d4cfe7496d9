//! Overlays that only scroll: help and the messages view. Any key they do not use closes them.

use crate::keymap::Action;

pub(super) fn handle(
    scroll: &mut usize,
    action: Option<Action>,
    lines: usize,
    page: usize,
) -> super::Outcome {
    let max = lines.saturating_sub(page.max(1));
    let page = page.max(1);
    *scroll = match action {
        Some(Action::Quit) => return super::Outcome::Pass,
        Some(Action::MoveDown) => (*scroll + 1).min(max),
        Some(Action::MoveUp) => scroll.saturating_sub(1),
        Some(Action::PageDown) => (*scroll + page).min(max),
        Some(Action::PageUp) => scroll.saturating_sub(page),
        Some(Action::Top) => 0,
        Some(Action::Bottom) => max,
        _ => return super::Outcome::Close,
    };
    super::Outcome::Stay
}
