//! Raw bytes → an HTML page's `Article`: never panics, nothing raw reaches the fields folio
//! draws, and the parse is a pure function of the bytes.
//!
//! The input is the page as it would be saved; the corpus seeds are the test fixtures.

#![no_main]

use folio::library::html::parse_html;
use folio::library::{BlockKind, Origin};
use folio::text::block::Container;
use libfuzzer_sys::fuzz_target;

/// No control character; `lines` allows the line breaks the document model keeps (code and
/// table lines, hard breaks).
fn printable(what: &str, s: &str, lines: bool) {
    assert!(
        !s.chars().any(|c| c.is_control() && !(lines && c == '\n')),
        "{what} holds a control character: {s:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let article = parse_html("page.html", Origin::Embedded, data);

    assert!(!article.title.is_empty(), "an article always has a title");
    printable("title", &article.title, false);
    for field in [
        &article.outlet,
        &article.date,
        &article.url,
        &article.author,
    ]
    .into_iter()
    .flatten()
    {
        printable("a metadata field", field, false);
    }
    for w in &article.warnings {
        printable("a warning", w, false);
    }
    for p in &article.paragraphs {
        printable("a paragraph", &p.text, true);
        // A rule has no text, an image may have no alt text, a table only empty cells, and an
        // empty list item keeps its marker (as a browser draws its bullet).
        let empty_item = matches!(
            p.block.containers.levels.last(),
            Some(Container::Item(item)) if item.first
        );
        assert!(
            !p.text.trim().is_empty()
                || empty_item
                || matches!(
                    p.block.kind,
                    BlockKind::Rule | BlockKind::Image { .. } | BlockKind::Table(_)
                ),
            "a blank paragraph was kept"
        );
        for s in &p.block.spans {
            assert!(p.text.get(s.range.clone()).is_some(), "a span off its text");
        }
    }
    for l in &article.links {
        printable("a link", &l.url, false);
        printable("a link's text", &l.text, true);
    }
    assert_eq!(
        article.words,
        article.sections.iter().map(|s| s.words).sum::<usize>()
    );
    let again = parse_html("page.html", Origin::Embedded, data);
    assert_eq!(article, again, "parsing the same bytes twice differed");
});
