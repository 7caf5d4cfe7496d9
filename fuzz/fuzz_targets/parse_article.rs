//! Raw bytes → `Article`: never panics, nothing raw reaches the fields folio draws, and the
//! parse is a pure function of the bytes.
//!
//! The first byte picks the file name (`.txt`, or `.md` for the Markdown front end); the rest
//! is the file's content, so seed files work as they are (their first byte is just lost).

#![no_main]

use folio::library::{Origin, ParagraphKind, parse_article};
use libfuzzer_sys::fuzz_target;

fn printable(what: &str, s: &str) {
    assert!(
        !s.chars().any(|c| c.is_control()),
        "{what} holds a control character: {s:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let name = if pick & 1 == 0 {
        "article.txt"
    } else {
        "article.md"
    };
    let article = parse_article(name, Origin::Embedded, bytes);

    assert!(!article.title.is_empty(), "an article always has a title");
    printable("title", &article.title);
    for field in [
        &article.outlet,
        &article.date,
        &article.dateline,
        &article.url,
    ]
    .into_iter()
    .flatten()
    {
        printable("a metadata field", field);
    }
    for p in &article.paragraphs {
        // Markdown leaves keep line breaks (hard breaks, code, a table's cells), and a rule or
        // an empty list item has no text.
        let lines = p.text.replace('\n', "");
        printable("a paragraph", &lines);
        assert!(
            !p.text.trim().is_empty() || p.block != Default::default(),
            "a blank paragraph was kept"
        );
        for span in &p.block.spans {
            assert!(span.range.end <= p.text.len() && p.text.is_char_boundary(span.range.start));
        }
    }
    for link in &article.links {
        printable("a link", &link.url);
        printable("a link's text", &link.text);
    }
    // Boilerplate comes last, after everything else.
    let content = article.content().len();
    assert!(
        article.paragraphs[content..]
            .iter()
            .all(|p| p.kind == ParagraphKind::Boilerplate)
    );
    // Sections cover content paragraphs only, in order, without overlapping.
    let mut end = 0;
    for s in &article.sections {
        assert!(s.paragraphs.start >= end && s.paragraphs.start < s.paragraphs.end);
        assert!(
            s.paragraphs.end <= content,
            "a section reaches into boilerplate"
        );
        end = s.paragraphs.end;
    }
    assert_eq!(
        article.words,
        article.sections.iter().map(|s| s.words).sum::<usize>()
    );
    let again = parse_article(name, Origin::Embedded, bytes);
    assert_eq!(article, again, "parsing the same bytes twice differed");
});
