//! Markdown → the document model → layout: never panics, never hangs, every laid-out line
//! (decorations included) fits the column, every line's text indexes its paragraph's text, and
//! nothing raw reaches what is drawn.
//!
//! The first byte picks the width (1…64); the rest is the Markdown file.

#![no_main]

use folio::library::{Origin, parse_markdown};
use folio::text::document::dump_doc_line;
use folio::text::layout::LayoutOptions;
use folio::text::sanitize::is_bidi_control;
use folio::text::{BidiMode, ShapeMode, str_width};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let width = (pick as usize % 64) + 1;
    let article = parse_markdown("fuzz.md", Origin::Embedded, bytes);
    for bidi in [BidiMode::App, BidiMode::Off] {
        let opts = LayoutOptions {
            width,
            shape: ShapeMode::On,
            bidi,
        };
        for line in &article.layout(true, &opts).lines {
            let shown = dump_doc_line(line);
            assert!(
                str_width(&shown) <= width.max(2),
                "{shown:?} is wider than {width}"
            );
            assert!(
                !shown.chars().any(|c| c.is_control() || is_bidi_control(c)),
                "{shown:?} holds a control"
            );
            if let Some(p) = article.paragraphs.get(line.para) {
                for c in &line.line.clusters {
                    assert!(c.src.end <= p.text.len() && p.text.is_char_boundary(c.src.start));
                }
            }
        }
    }
});
