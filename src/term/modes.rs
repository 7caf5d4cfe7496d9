//! Terminal modes folio sets on start and undoes on every exit path, written to any writer
//! (the local terminal, or a network channel).

use std::io::{self, Write};

use crossterm::QueueableCommand;
use crossterm::cursor::{Hide, Show};
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};

use crate::text::BidiMode;

/// Explicit bidi mode (`CSI 8 l`) and LTR presentation (`CSI 1 SP k`): terminals that implement
/// the BiDi recommendation (VTE, WezTerm) must not reorder folio's already-visual lines again.
const BIDI_EXPLICIT: &[u8] = b"\x1b[8l\x1b[1 k";
/// Back to implicit mode and the default presentation direction.
const BIDI_IMPLICIT: &[u8] = b"\x1b[8h\x1b[0 k";

/// Enter the alternate screen, hide the cursor, take pastes as pastes (so a pasted text is
/// never read as commands), and tell the terminal how to treat bidi.
pub fn enter<W: Write>(w: &mut W, bidi: BidiMode) -> io::Result<()> {
    w.queue(EnterAlternateScreen)?
        .queue(Hide)?
        .queue(EnableBracketedPaste)?;
    if bidi != BidiMode::Terminal {
        w.write_all(BIDI_EXPLICIT)?;
    }
    w.flush()
}

/// Report mouse wheel and clicks.
pub fn enable_mouse<W: Write>(w: &mut W) -> io::Result<()> {
    w.queue(EnableMouseCapture)?;
    w.flush()
}

/// Undo [`enter`] (and [`enable_mouse`]). Every step is attempted even when one fails.
pub fn leave<W: Write>(w: &mut W, bidi: BidiMode) -> io::Result<()> {
    let mut result = w.queue(DisableMouseCapture).map(|_| ());
    result = result.and(w.queue(DisableBracketedPaste).map(|_| ()));
    if bidi != BidiMode::Terminal {
        result = result.and(w.write_all(BIDI_IMPLICIT));
    }
    result = result.and(w.queue(Show).map(|_| ()));
    result = result.and(w.queue(LeaveAlternateScreen).map(|_| ()));
    result.and(w.flush())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_bidi_switches_a_bidi_terminal_to_explicit_mode_and_back() {
        let mut out = Vec::new();
        enter(&mut out, BidiMode::App).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.contains("\x1b[?1049h"), "{s:?}");
        assert!(s.contains("\x1b[?25l"), "{s:?}");
        assert!(s.contains("\x1b[8l\x1b[1 k"), "{s:?}");
        let mut out = Vec::new();
        leave(&mut out, BidiMode::App).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.contains("\x1b[8h\x1b[0 k"), "{s:?}");
        assert!(s.contains("\x1b[?1049l"), "{s:?}");
        assert!(s.contains("\x1b[?25h"), "{s:?}");
    }

    #[test]
    fn terminal_bidi_leaves_the_terminal_in_implicit_mode() {
        let mut out = Vec::new();
        enter(&mut out, BidiMode::Terminal).unwrap();
        leave(&mut out, BidiMode::Terminal).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(!s.contains("\x1b[8l"), "{s:?}");
    }
}
