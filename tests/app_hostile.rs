//! Hostile text and odd sizes against the whole app on a TestBackend: every overlay draws at any
//! size, nothing raw reaches a cell, and no title can stop the next frame.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use folio::app::{Key, KeyCode};
use folio::library::{Library, Origin, parse_article};

mod app_support;
use app_support::{Harness, raw_cells};

fn library(files: &[(&str, &str)]) -> Library {
    Library {
        articles: files
            .iter()
            .map(|(name, text)| parse_article(name, Origin::Embedded, text.as_bytes()))
            .collect(),
        warnings: Vec::new(),
        sources: Vec::new(),
    }
}

/// Run `f` on a thread and fail, rather than hang, if it does not finish in time.
fn finishes<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("{what} did not finish: a hang"))
}

const SIZES: &[(u16, u16)] = &[
    (0, 0),
    (1, 0),
    (0, 1),
    (1, 1),
    (2, 2),
    (5, 3),
    (10, 4),
    (20, 6),
    (25, 10),
    (100, 0),
    (100, 1),
    (100, 2),
    (3, 30),
    (200, 60),
];

/// Keys that open each overlay, from the default keymap.
fn open_overlay(h: &mut Harness, which: &str) {
    match which {
        "help" => {
            h.press("?");
        }
        "jump" => {
            h.press("'");
        }
        "search prompt" => {
            h.press("l/ab");
        }
        "filter prompt" => {
            h.press("fab");
        }
        "results" => {
            h.press("Sthe").key(Key::plain(KeyCode::Enter));
        }
        "bookmarks" => {
            h.press("lmM");
        }
        other => unreachable!("{other}"),
    }
}

const OVERLAYS: &[&str] = &[
    "help",
    "jump",
    "search prompt",
    "filter prompt",
    "results",
    "bookmarks",
];

#[test]
fn every_overlay_draws_at_every_size_opened_before_or_after_the_resize() {
    for &overlay in OVERLAYS {
        for &(cols, rows) in SIZES {
            // Opened at a normal size, then the terminal shrinks (the jump prompt once panicked
            // at 0 rows and lost the reading position).
            let mut h = Harness::seeds(100, 30);
            open_overlay(&mut h, overlay);
            assert!(h.app.overlay().is_some(), "{overlay} did not open");
            h.resize(cols, rows);
            h.render();
            h.resize(100, 30);
            h.render();
            // Opened at that size.
            let mut h = Harness::seeds(cols, rows);
            open_overlay(&mut h, overlay);
            h.render();
        }
    }
}

#[test]
fn queries_with_bidi_controls_never_reach_a_cell_raw() {
    let hostile = "\u{202E}\u{202A}ab\u{2066}c\u{200B}\u{1b}[2J";
    // The filter pane's title echoes the filter.
    let mut h = Harness::seeds(100, 30);
    h.press("f");
    h.app.handle_paste(hostile);
    let buf = h.render();
    assert_eq!(raw_cells(buf), vec![]);
    // The library search results' title echoes the query; the article holds it so there is a hit.
    // (A paste keeps no control characters, so the article holds the query without ESC.)
    let query = "\u{202E}\u{202A}ab\u{2066}c\u{200B}";
    let mut h = Harness::with(
        library(&[("a.txt", &format!("Title\n\nBody with {query} inside.\n"))]),
        100,
        30,
    );
    h.press("S");
    h.app.handle_paste(query);
    h.key(Key::plain(KeyCode::Enter));
    assert!(
        matches!(h.app.overlay(), Some(folio::app::Overlay::Results { .. })),
        "no results for the hostile query"
    );
    let buf = h.render();
    assert_eq!(raw_cells(buf), vec![]);
    let text = app_support::buffer_text(buf);
    assert!(text.contains("<RLO>"), "the override is not shown:\n{text}");
}

#[test]
fn file_names_with_controls_are_shown_as_pictures() {
    let mut h = Harness::with(
        library(&[("x\u{202E}txt.exe\u{200B}\u{7}.txt", "Title\n\nBody.\n")]),
        100,
        30,
    );
    let buf = h.render();
    assert_eq!(raw_cells(buf), vec![]);
    let text = app_support::buffer_text(buf);
    assert!(text.contains("x<RLO>txt.exe<U+200B>"), "{text}");
}

/// Six RLO once hung the reader before its first frame; so did a lone combining mark as a title in
/// a terminal 25 columns wide or less, and 16 RLO pasted into the search prompt.
#[test]
fn no_title_or_paste_can_stop_the_next_frame() {
    let rlo = "\u{202E}".repeat(6);
    for title in [rlo.clone(), "\u{301}".into(), "\u{202E}".repeat(40)] {
        for &(cols, rows) in SIZES {
            let title = title.clone();
            finishes(
                &format!("a frame with title {title:?} at {cols}x{rows}"),
                move || {
                    let text = format!("{title}\n\nBody.\n");
                    let mut h = Harness::with(library(&[("t.txt", &text)]), cols, rows);
                    let buf = h.render();
                    assert_eq!(raw_cells(buf), vec![]);
                    h.press("l/");
                    h.app.handle_paste(&"\u{202E}".repeat(16));
                    let buf = h.render();
                    assert_eq!(raw_cells(buf), vec![]);
                    h.key(Key::plain(KeyCode::Enter));
                    h.render();
                    h.key(Key::plain(KeyCode::Esc)).press("q");
                    assert!(h.app.exit().is_some(), "q did not quit");
                },
            );
        }
    }
}
