//! Markdown articles in the whole app: what the reader draws, styles included, and the tricky
//! inputs in `tests/fixtures/markdown/`.

use folio::library::{Library, Origin, parse_article};
use folio::text::document::dump_doc_line;
use folio::text::layout::LayoutOptions;
use folio::text::str_width;
use folio::text::{BidiMode, ShapeMode};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

mod app_support;
use app_support::{Harness, raw_cells, styled_text};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/markdown/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(path).unwrap()
}

fn library(name: &str) -> Library {
    Library {
        articles: vec![parse_article(name, Origin::Embedded, &fixture(name))],
        warnings: Vec::new(),
        sources: Vec::new(),
    }
}

#[test]
fn a_markdown_article_in_the_reader_with_its_styles() {
    let mut h = Harness::with(library("article.md"), 100, 40);
    h.press("l");
    let buf = h.render().clone();
    let column = h.app.geometry().column;
    let area = Rect::new(column.x, column.y, column.width, column.height);
    let shown = styled_text(&buf, area);
    // Never literal markup.
    assert!(!shown.contains("**") && !shown.contains("~~"), "{shown}");
    insta::assert_snapshot!(shown);
}

#[test]
fn the_tricky_fixtures_open_and_fit_the_column() {
    for name in [
        "article.md",
        "unclosed_fence.md",
        "deep_lists.md",
        "deep_quotes.md",
        "wide_table.md",
    ] {
        let lib = library(name);
        let article = &lib.articles[0];
        assert!(!article.paragraphs.is_empty(), "{name}");
        for width in [1, 2, 10, 20, 40, 80, 200] {
            let opts = LayoutOptions {
                width,
                shape: ShapeMode::On,
                bidi: BidiMode::App,
            };
            for line in &article.layout(true, &opts).lines {
                let shown = dump_doc_line(line);
                // A two-cell letter alone on a one-column line is the only overflow.
                assert!(
                    str_width(&shown) <= width.max(2),
                    "{name} at {width}: {shown:?}"
                );
            }
        }
        // The whole app draws it without trouble at a small size too.
        let mut h = Harness::with(lib.clone(), 30, 12);
        h.press("lG");
        let buf = h.render().clone();
        assert!(raw_cells(&buf).is_empty(), "{name}");
        assert!(h.app.top() <= h.app.layout().lines.len());
    }
}

#[test]
fn an_unclosed_fence_is_code_to_the_end() {
    let lib = library("unclosed_fence.md");
    let last = lib.articles[0].paragraphs.last().unwrap();
    assert_eq!(last.text, "def f():\n    return 1\n\n\n    # still code");
}

#[test]
fn a_table_too_wide_for_any_column_becomes_records() {
    let lib = library("wide_table.md");
    let opts = LayoutOptions {
        width: 80,
        shape: ShapeMode::Off,
        bidi: BidiMode::App,
    };
    let lines: Vec<String> = lib.articles[0]
        .layout(true, &opts)
        .lines
        .iter()
        .map(dump_doc_line)
        .collect();
    assert!(lines.iter().any(|l| l == "c0: r0v0"), "{lines:#?}");
    assert!(lines.iter().any(|l| l == "c199: r2v199"));
}

/// `app` drawn at `cols`×`rows` with `theme`.
fn render_with(app: &folio::app::App, theme: &folio::ui::Theme, cols: u16, rows: u16) -> Buffer {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(cols, rows)).unwrap();
    terminal
        .draw(|f| f.render_widget(folio::ui::Screen { app, theme }, f.area()))
        .unwrap();
    terminal.backend().buffer().clone()
}

/// The cell showing the first character of `text` on the screen.
fn cell_of<'a>(buf: &'a Buffer, text: &str) -> &'a ratatui::buffer::Cell {
    let rows = app_support::buffer_text(buf);
    let (y, line) = rows
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(text))
        .unwrap_or_else(|| panic!("{text:?} not on screen:\n{rows}"));
    let x = unicode_width::UnicodeWidthStr::width(&line[..line.find(text).unwrap()]);
    &buf[(x as u16, y as u16)]
}

#[test]
fn without_colour_styles_stay_and_colours_go() {
    use folio::config::ThemeName;
    use folio::ui::{ColorDepth, Theme};
    use ratatui::style::{Color, Modifier};
    let mut h = Harness::with(library("article.md"), 100, 40);
    h.press("l");
    let mono = Theme::new(ThemeName::Dark, ColorDepth::Mono, false);
    let buf = render_with(&h.app, &mono, 100, 40);
    for cell in buf.content() {
        assert!(
            cell.fg == Color::Reset && cell.bg == Color::Reset,
            "{cell:?}"
        );
    }
    assert!(
        cell_of(&buf, "emphasis")
            .modifier
            .contains(Modifier::ITALIC)
    );
    assert!(cell_of(&buf, "strong,").modifier.contains(Modifier::BOLD));
    assert!(
        cell_of(&buf, "struck")
            .modifier
            .contains(Modifier::CROSSED_OUT)
    );
    assert!(
        cell_of(&buf, "a link")
            .modifier
            .contains(Modifier::UNDERLINED)
    );
    // With colour, the link takes the accent.
    let dark = Theme::new(ThemeName::Dark, ColorDepth::TrueColor, false);
    let buf = render_with(&h.app, &dark, 100, 40);
    assert_ne!(cell_of(&buf, "a link").fg, Color::Reset);
    // The ASCII theme draws bars and bullets in ASCII.
    let ascii = Theme::new(ThemeName::Dark, ColorDepth::Ansi16, true);
    let text = app_support::buffer_text(&render_with(&h.app, &ascii, 100, 40));
    assert!(text.contains("| A quoted line."), "{text}");
    assert!(text.contains("* [x] done"), "{text}");
}

/// `folio --dump` with `args` on the article fixture: stdout.
fn dump(args: &[&str]) -> String {
    let home = tempfile::tempdir().unwrap();
    let path = format!(
        "{}/tests/fixtures/markdown/article.md",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_folio"))
        .arg("--dump")
        .args(args)
        .arg(path)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .output()
        .expect("run folio");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn dump_prints_what_the_reader_draws_and_plain_the_logical_text() {
    let drawn = dump(&["--width", "40"]);
    for expected in [
        "Some emphasis, strong, struck and code,",
        "│ A quoted line.",
        "• [x] done",
        "      1. nested",
        "Key │ Value",
        "[1] https://example.com/a",
    ] {
        assert!(
            drawn.lines().any(|l| l.starts_with(expected)),
            "{expected:?} not in\n{drawn}"
        );
    }
    assert!(!drawn.contains("**") && !drawn.contains("~~") && !drawn.contains("```"));
    // The plain text has no decorations: no bars, bullets or links list.
    let plain = dump(&["--plain"]);
    assert!(plain.contains("\nA quoted line.\n"), "{plain}");
    assert!(plain.contains("\ndone\n"), "{plain}");
    assert!(!plain.contains('│') && !plain.contains('•') && !plain.contains("https://"));
}
