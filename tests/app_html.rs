//! A saved web page in the whole app: the article readability finds in it, drawn with its
//! styles, and nothing of the page's furniture.

use folio::library::{Library, Origin, parse_by_extension};
use ratatui::layout::Rect;

mod app_support;
use app_support::{Harness, styled_text};

fn page(name: &str) -> Library {
    let path = format!("{}/tests/fixtures/html/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(path).unwrap();
    Library {
        articles: vec![parse_by_extension(name, Origin::Embedded, &bytes)],
        warnings: Vec::new(),
        sources: Vec::new(),
    }
}

fn reader(name: &str) -> String {
    let mut h = Harness::with(page(name), 100, 40);
    h.press("l");
    let buf = h.render().clone();
    let column = h.app.geometry().column;
    styled_text(
        &buf,
        Rect::new(column.x, column.y, column.width, column.height),
    )
}

#[test]
fn a_news_page_in_the_reader_with_its_styles() {
    let shown = reader("news.html");
    // The article, not the page around it, and never a tag.
    assert!(shown.contains("Porthmere"), "{shown}");
    for furniture in ["cookie", "Cookie", "Share on", "Subscribe", "<p", "</"] {
        assert!(!shown.contains(furniture), "{furniture:?} in:\n{shown}");
    }
    insta::assert_snapshot!(shown);
}

#[test]
fn an_arabic_page_reads_right_to_left_with_its_styles() {
    let shown = reader("arabic.html");
    insta::assert_snapshot!(shown);
}
