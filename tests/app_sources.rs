//! Sources in the list pane: headers with counts and fold markers, folding, `]` / `[`, digits
//! and hotkeys, mark all read, the filter over groups, drawn on ratatui's TestBackend.

use std::path::PathBuf;
use std::sync::Arc;

use folio::app::{App, Effect, Key, KeyCode, ListRow};
use folio::config::Settings;
use folio::library::{Library, NOT_FETCHED, Origin, Source, SourceKind, parse_article};
use ratatui::layout::Rect;

mod app_support;
use app_support::{buffer_text, styled_text};

const COLS: u16 = 100;
const ROWS: u16 = 24;

/// A source of articles made from (file, text) pairs.
fn push(
    lib: &mut Library,
    name: &str,
    hotkey: Option<char>,
    kind: SourceKind,
    files: &[(&str, &str)],
) {
    let start = lib.articles.len();
    let source = lib.sources.len();
    for (file, text) in files {
        let mut a = parse_article(file, Origin::Embedded, text.as_bytes());
        a.source = source;
        lib.articles.push(a);
    }
    let note = files.is_empty().then(|| NOT_FETCHED.to_string());
    lib.sources.push(Source {
        name: name.into(),
        hotkey,
        kind,
        language: None,
        articles: start..lib.articles.len(),
        note,
    });
}

/// Two folders (one with an Arabic name), a seed-like source of one article, and a feed not
/// fetched yet.
fn library() -> Library {
    let mut lib = Library::default();
    push(
        &mut lib,
        "World desk",
        Some('w'),
        SourceKind::Folder(PathBuf::from("world")),
        &[
            (
                "w1.txt",
                "Harbour reopens after the storm\n\nShips came back today.",
            ),
            (
                "w2.txt",
                "Rail strike ends with a deal\n\nTrains run again.",
            ),
            (
                "w3.txt",
                "New bridge opens to traffic\n\nCars crossed at dawn.",
            ),
        ],
    );
    push(
        &mut lib,
        "الجزيرة نت",
        Some('j'),
        SourceKind::Folder(PathBuf::from("aljazeera")),
        &[
            (
                "a1.txt",
                "افتتاح الميناء بعد العاصفة\n\nعادت السفن اليوم إلى الميناء.",
            ),
            ("a2.txt", "انتهاء الإضراب باتفاق\n\nعادت القطارات إلى العمل."),
        ],
    );
    push(
        &mut lib,
        "Lone file",
        None,
        SourceKind::File,
        &[("lone.txt", "A file on its own\n\nJust one.")],
    );
    push(
        &mut lib,
        "Example feed",
        Some('x'),
        SourceKind::Feed {
            url: "https://example.com/rss".into(),
        },
        &[],
    );
    assert!(lib.sources_consistent());
    lib
}

fn app() -> App {
    App::new(Arc::new(library()), Settings::defaults(), COLS, ROWS)
}

fn press(app: &mut App, keys: &str) {
    for c in keys.chars() {
        app.handle_key(Key::char(c));
    }
}

fn list_area(app: &App) -> Rect {
    let g = app.geometry().list;
    Rect::new(g.x, g.y, g.width, g.height)
}

#[test]
fn the_list_pane_shows_sources_with_counts_and_folds() {
    let mut app = app();
    // Read one article of the world desk, then fold the Arabic source.
    press(&mut app, "ju");
    press(&mut app, "jj");
    assert_eq!(
        app.selected(),
        3,
        "j passes the header into the next source"
    );
    press(&mut app, "-");
    let buf = app_support::render(&app, COLS, ROWS);
    insta::assert_snapshot!("sources_frame", buffer_text(&buf));
    insta::assert_snapshot!("sources_list_styles", styled_text(&buf, list_area(&app)));
}

#[test]
fn ascii_markers_fold_and_unfold() {
    let mut app = app();
    press(&mut app, "-");
    let theme = folio::ui::Theme::new(
        folio::config::ThemeName::Dark,
        folio::ui::ColorDepth::TrueColor,
        true,
    );
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(COLS, ROWS)).unwrap();
    terminal
        .draw(|f| {
            f.render_widget(
                folio::ui::Screen {
                    app: &app,
                    theme: &theme,
                },
                f.area(),
            )
        })
        .unwrap();
    let text = buffer_text(terminal.backend().buffer());
    assert!(text.contains("1w + World desk"), "{text}");
    assert!(text.contains("2j - "), "{text}");
}

#[test]
fn folding_keeps_the_selection_and_unfolding_restores_the_rows() {
    let mut app = app();
    press(&mut app, "j");
    assert_eq!(app.selected(), 1);
    press(&mut app, "-");
    assert_eq!(app.selected(), 1, "the reader keeps its article");
    assert_eq!(app.list_cursor(), Some(0));
    assert_eq!(app.list_rows()[0], ListRow::Source(0));
    assert!(app.is_folded(0));
    // Down from the folded header: the first article of the next source.
    press(&mut app, "j");
    assert_eq!(app.selected(), 3);
    press(&mut app, "k");
    assert_eq!(app.selected(), 3, "nothing above but a folded header");
    // A source of one article does not fold.
    press(&mut app, "jjj");
    assert_eq!(app.selected(), 5);
    press(&mut app, "-");
    assert!(!app.is_folded(2));
    assert!(app.message().unwrap().contains("does not fold"));
    // Jumping into the folded source unfolds it.
    press(&mut app, "1");
    assert!(!app.is_folded(0));
    assert_eq!(app.list_rows().len(), 9);
}

#[test]
fn brackets_digits_and_hotkeys_go_to_a_source_first_unread_article() {
    let mut app = app();
    // Read the first article of the world desk: `1` goes to the second, its first unread.
    press(&mut app, "u");
    press(&mut app, "2");
    assert_eq!(app.selected(), 3);
    press(&mut app, "1");
    assert_eq!(app.selected(), 1);
    press(&mut app, "]");
    assert_eq!(app.selected(), 3);
    press(&mut app, "]");
    assert_eq!(app.selected(), 5, "the lone file");
    // The feed has no articles: `]` passes it and comes round to the first source.
    press(&mut app, "]");
    assert_eq!(app.selected(), 1);
    press(&mut app, "[");
    assert_eq!(app.selected(), 5);
    press(&mut app, "w");
    assert_eq!(app.selected(), 1);
    press(&mut app, "j");
    assert_eq!(
        app.selected(),
        2,
        "hotkey j is bound to move_down, not the source"
    );
    // The feed's hotkey and digit say why there is nothing to open.
    press(&mut app, "x");
    assert_eq!(app.selected(), 2);
    assert!(
        app.message().unwrap().contains(NOT_FETCHED),
        "{:?}",
        app.message()
    );
    press(&mut app, "4");
    assert!(app.message().unwrap().contains(NOT_FETCHED));
    press(&mut app, "5");
    assert_eq!(
        app.message(),
        Some("There is no source 5: the library has 4")
    );
}

#[test]
fn mark_all_read_marks_the_selected_source_and_saves() {
    let mut app = app();
    app.take_effects();
    assert_eq!(app.source_unread(0), 3);
    press(&mut app, "A");
    assert_eq!(app.source_unread(0), 0);
    assert_eq!(app.source_unread(1), 2, "other sources are untouched");
    assert!((0..3).all(|i| app.is_read(i)));
    assert!(!app.is_read(3));
    assert!(app.take_effects().contains(&Effect::Save));
    assert_eq!(
        app.message(),
        Some("\u{2068}World desk\u{2069}: marked 3 articles read")
    );
    press(&mut app, "A");
    assert_eq!(
        app.message(),
        Some("\u{2068}World desk\u{2069}: everything was read already")
    );
    // Marking one unread counts again.
    press(&mut app, "u");
    assert_eq!(app.source_unread(0), 1);
}

#[test]
fn the_filter_shows_a_header_over_matching_articles_only() {
    let mut app = app();
    press(&mut app, "f");
    press(&mut app, "bridge");
    app.handle_key(Key::plain(KeyCode::Enter));
    assert_eq!(app.visible(), &[2]);
    assert_eq!(app.list_rows(), &[ListRow::Source(0), ListRow::Article(2)]);
    assert_eq!(app.selected(), 2);
    let text = buffer_text(&app_support::render(&app, COLS, ROWS));
    assert!(text.contains("World desk"), "{text}");
    assert!(!text.contains("Example feed"), "{text}");
}

#[test]
fn the_jump_prompt_labels_sources() {
    let mut app = app();
    press(&mut app, "'");
    let text = buffer_text(&app_support::render(&app, COLS, ROWS));
    assert!(text.contains("w World desk"), "{text}");
    assert!(text.contains("x Example feed"), "{text}");
    // The file is labelled with its article's title, as its row shows it.
    assert!(text.contains("A file on its own"), "{text}");
    press(&mut app, "j");
    assert_eq!(app.selected(), 3);
}

#[test]
fn a_jump_to_a_source_the_filter_hides_clears_the_filter() {
    let mut app = app();
    press(&mut app, "f");
    press(&mut app, "bridge");
    app.handle_key(Key::plain(KeyCode::Enter));
    assert_eq!(app.selected(), 2);
    press(&mut app, "3");
    assert_eq!(app.selected(), 5, "the lone file opens");
    assert_eq!(app.filter(), None);
    assert_eq!(app.list_cursor(), Some(app.list_rows().len() - 2));
}

#[test]
fn a_library_of_feeds_not_fetched_yet_draws_and_takes_every_key() {
    let mut lib = Library::default();
    push(
        &mut lib,
        "Example feed",
        Some('x'),
        SourceKind::Feed {
            url: "https://example.com/rss".into(),
        },
        &[],
    );
    let mut app = App::new(Arc::new(lib), Settings::defaults(), COLS, ROWS);
    for keys in [
        "j", "k", "]", "[", "1", "x", "-", "A", "u", "G", "g", "'", "x",
    ] {
        press(&mut app, keys);
        app_support::render(&app, COLS, ROWS);
    }
    app.handle_key(Key::plain(KeyCode::Enter));
    let text = buffer_text(&app_support::render(&app, COLS, ROWS));
    assert!(text.contains("1x ▾ Example feed"), "{text}");
    assert!(text.contains("not fetched yet"), "{text}");
}
