//! Right-to-left text in the interface's own lines: quoted article text keeps its direction as a
//! block inside an English line, is cut at its logical end, and pop-ups leave no pieces of it
//! beside them.

use folio::app::Overlay;
use folio::text::layout::display_line;
use folio::text::{BidiMode, ShapeMode};

mod app_support;
use app_support::{Harness, buffer_text};

/// The reader at the first Arabic paragraph of 003, bookmarked.
fn bookmarked() -> (Harness, String) {
    let mut h = Harness::seeds(100, 30);
    h.press("4l}m");
    let message = h.app.message().unwrap().to_string();
    let excerpt = h
        .app
        .store()
        .state
        .articles
        .values()
        .flat_map(|a| a.bookmarks.iter())
        .next()
        .expect("a bookmark")
        .excerpt
        .clone();
    assert!(message.starts_with("Bookmarked: "), "{message}");
    (h, excerpt)
}

fn shown(text: &str, max: usize) -> String {
    display_line(text, max, ShapeMode::On, BidiMode::App)
}

#[test]
fn an_arabic_excerpt_in_an_english_message_keeps_the_message_left_to_right() {
    let (mut h, excerpt) = bookmarked();
    let frame = h.frame();
    let status = frame.lines().last().unwrap();
    // "Bookmarked:" stays at the left, and the excerpt follows as one right-to-left block: its
    // logical start (first word) at the block's right end, its cut end (…) at the left.
    let block = status
        .strip_prefix(" Bookmarked: ")
        .unwrap_or_else(|| panic!("the message does not read left to right: {status}"));
    let block = block.split("  ").next().unwrap();
    let first = shown(excerpt.split(' ').next().unwrap(), 40);
    assert!(
        block.ends_with(&first),
        "{status}\nthe block should end with {first}"
    );
    assert!(block.starts_with('…'), "{status}");
}

#[test]
fn the_bookmark_list_cuts_an_arabic_excerpt_at_its_logical_end() {
    let (mut h, excerpt) = bookmarked();
    h.press("M");
    assert!(matches!(h.app.overlay(), Some(Overlay::Bookmarks(_))));
    let frame = h.frame();
    let row = frame
        .lines()
        .find(|l| l.contains(" 4 During their"))
        .expect("the bookmark's row");
    // The excerpt's first word (logically) is on screen: the cut took its end.
    let first_word = excerpt.split(' ').next().unwrap();
    let first = shown(first_word, 40);
    assert!(row.contains(&first), "{row}\nlacks the first word {first}");
    // And the cut end is marked where an RTL text ends: at its left.
    let tail = row.split(" — ").nth(1).unwrap_or_default();
    assert!(tail.trim_start().starts_with('…'), "{row}");
}

#[test]
fn pop_ups_over_arabic_text_leave_no_stray_glyphs_beside_them() {
    let (mut h, _) = bookmarked();
    h.press("M");
    let buf = h.render().clone();
    let frame = buffer_text(&buf);
    let popup_rows: Vec<u16> = (0..buf.area.height)
        .filter(|&y| {
            let row = buffer_text_row(&buf, y);
            row.contains("Bookmarks (") || row.contains(" 4 During their")
        })
        .collect();
    assert!(!popup_rows.is_empty(), "{frame}");
    for y in popup_rows {
        let row = buffer_text_row(&buf, y);
        // Between the pop-up's right border and the pane's there is only blank.
        let right = row.trim_end();
        let inner = right[..right.len() - '│'.len_utf8()].trim_end();
        assert!(
            inner.ends_with('│') || inner.ends_with('╮') || inner.ends_with('╯'),
            "a glyph stands between the borders: {row}"
        );
    }
}

fn buffer_text_row(buf: &ratatui::buffer::Buffer, y: u16) -> String {
    (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect()
}
