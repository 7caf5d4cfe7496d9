//! The whole app on ratatui's TestBackend at a fixed size: keys in, frames out.

use std::sync::Arc;

use folio::app::{App, Focus, Key, KeyCode};
use folio::config::Settings;
use folio::library::{self, ParagraphKind};
use folio::term::draw;
use folio::text::Direction;
use folio::ui::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

mod app_support;
use app_support::{Harness, buffer_text};

#[test]
fn first_frame() {
    let mut h = Harness::seeds(100, 30);
    insta::assert_snapshot!(h.frame());
}

#[test]
fn after_3_the_third_source_is_open() {
    let mut h = Harness::seeds(100, 30);
    h.press("3");
    assert_eq!(h.app.selected(), 2);
    insta::assert_snapshot!(h.frame());
}

#[test]
fn after_bracket_the_next_source_is_open() {
    let mut h = Harness::seeds(100, 30);
    h.press("]");
    assert_eq!(h.app.selected(), 1);
    insta::assert_snapshot!(h.frame());
}

#[test]
fn after_g_the_reader_is_at_the_end() {
    let mut h = Harness::seeds(100, 30);
    h.press("lG");
    assert_eq!(h.app.focus(), Focus::Reader);
    let frame = h.frame();
    assert!(frame.lines().last().unwrap().contains("100%"), "{frame}");
    insta::assert_snapshot!(frame);
}

#[test]
fn help_overlay_lists_the_keymap() {
    let mut h = Harness::seeds(100, 30);
    h.press("?");
    let frame = h.frame();
    assert!(frame.contains("Keys (any key closes)"));
    for (keys, description) in h.app.help_lines().iter().take(20) {
        assert!(
            frame.contains(description.as_str()),
            "{description} missing:\n{frame}"
        );
        assert!(frame.contains(keys.as_str()), "{keys} missing:\n{frame}");
    }
    insta::assert_snapshot!(frame);
    h.press("?");
    assert!(!h.frame().contains("Keys (any key closes)"));
}

#[test]
fn j_and_k_move_in_the_focused_pane() {
    let mut h = Harness::seeds(100, 30);
    h.press("jj");
    assert_eq!(h.app.selected(), 2);
    h.press("k");
    assert_eq!(h.app.selected(), 1);
    h.key(Key::plain(KeyCode::Tab)).press("jjj");
    assert_eq!(h.app.selected(), 1, "in the reader, j scrolls");
    assert_eq!(h.app.top(), 3);
    h.key(Key::plain(KeyCode::Up));
    assert_eq!(h.app.top(), 2);
    h.key(Key::plain(KeyCode::Enter));
    assert_eq!(h.app.focus(), Focus::Reader);
    h.press("h");
    assert_eq!(h.app.focus(), Focus::List);
}

#[test]
fn scrolling_stops_at_both_ends() {
    let mut h = Harness::seeds(100, 30);
    h.press("l");
    h.press("k");
    assert_eq!(h.app.top(), 0);
    h.key(Key::ctrl('d'));
    let half = h.app.top();
    assert_eq!(half, h.app.page() / 2);
    h.press("G");
    let end = h.app.top();
    assert_eq!(end + h.app.page(), h.app.layout().lines.len());
    h.press(" ");
    assert_eq!(h.app.top(), end, "no scrolling past the end");
    h.press("b");
    assert_eq!(h.app.top(), end - (h.app.page() - 1));
}

#[test]
fn each_article_keeps_its_place() {
    let mut h = Harness::seeds(100, 30);
    h.press("l").press(&"j".repeat(7));
    h.press("2");
    assert_eq!(h.app.top(), 0);
    h.press("1");
    assert_eq!(h.app.top(), 7);
}

#[test]
fn resize_keeps_the_same_paragraph_at_the_top() {
    let mut h = Harness::seeds(100, 30);
    h.press("l").press(&"j".repeat(15));
    let before = h.app.layout().anchor(h.app.top());
    h.app.resize(70, 20);
    let after = h.app.layout().anchor(h.app.top());
    assert_eq!(before.para, after.para);
    h.app.resize(160, 40);
    assert_eq!(h.app.layout().anchor(h.app.top()).para, before.para);
}

#[test]
fn a_narrow_screen_shows_one_pane_and_keeps_the_place() {
    let mut h = Harness::seeds(100, 30);
    h.press("l").press(&"j".repeat(9));
    let anchor = h.app.layout().anchor(h.app.top());
    h.app.resize(40, 20);
    assert_eq!(
        h.app.geometry().list.width,
        0,
        "the focused reader takes the screen"
    );
    h.press("h");
    assert_eq!(h.app.geometry().column.width, 0);
    assert!(
        h.app.layout().lines.is_empty(),
        "nothing is laid out for a hidden reader"
    );
    let frame = h.frame();
    assert!(!frame.lines().last().unwrap().contains("line "), "{frame}");
    h.press("l");
    assert_eq!(h.app.layout().anchor(h.app.top()).para, anchor.para);
}

#[test]
fn sources_out_of_range_say_so() {
    let mut h = Harness::seeds(100, 30);
    h.press("9");
    assert_eq!(h.app.selected(), 0);
    assert!(h.app.message().unwrap().contains("no source 9"));
}

#[test]
fn the_arabic_half_of_003_is_flush_right() {
    let mut h = Harness::seeds(100, 30);
    h.press("4l");
    let article = h.app.article().unwrap();
    assert_eq!(article.file_name, "003_9421ad859a52f834.txt");
    let first_arabic = article
        .paragraphs
        .iter()
        .position(|p| p.dir == Direction::Rtl && p.kind != ParagraphKind::Boilerplate)
        .expect("003 has Arabic");
    let line = h.app.layout().first_line_of(first_arabic).unwrap();
    for _ in 0..line {
        h.press("j");
    }
    let frame = h.frame();
    let column = h.app.geometry().column;
    let right_edge = (column.x + column.width) as usize;
    let rows: Vec<&str> = frame.lines().collect();
    let mut rtl_rows = 0;
    for (i, doc_line) in h.app.layout().lines[h.app.top()..]
        .iter()
        .take(column.height as usize)
        .enumerate()
    {
        if doc_line.gap || doc_line.line.dir != Direction::Rtl {
            continue;
        }
        rtl_rows += 1;
        let row = rows[column.y as usize + i];
        let text_end = row
            .chars()
            .take(right_edge)
            .collect::<String>()
            .trim_end()
            .chars()
            .count();
        assert_eq!(text_end, right_edge, "row {i} is not flush right:\n{frame}");
    }
    assert!(rtl_rows >= 10, "{rtl_rows} Arabic rows on screen:\n{frame}");
    insta::assert_snapshot!(frame);
}

#[test]
fn draw_wraps_frames_in_synchronized_output() {
    let app = App::new(
        Arc::new(library::load_seeds()),
        Settings::defaults(),
        80,
        24,
    );
    let mut painter = folio::term::Painter::new(Vec::<u8>::new(), 80, 24);
    draw(&mut painter, &app, &Theme::default(), None).unwrap();
    let out = String::from_utf8_lossy(painter.writer()).into_owned();
    assert!(out.starts_with("\x1b[?2026h"), "{:?}", &out[..20]);
    assert!(out.ends_with("\x1b[?2026l"), "{out:?}");
    // The frame on the wire is the frame the widgets drew.
    let nz = |n: u16| std::num::NonZeroU16::new(n).unwrap();
    let mut vt = vt100::Parser::new(nz(24), nz(80), 0);
    vt.process(out.as_bytes());
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let theme = Theme::default();
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
    let expected = buffer_text(terminal.backend().buffer());
    let shown: Vec<String> = vt
        .screen()
        .rows(0, 80)
        .map(|r| r.trim_end().to_string())
        .collect();
    assert_eq!(shown.join("\n"), expected.trim_end_matches('\n'));
}
