//! One paragraph × every mode at a width from 0 to 200: never panics, no line is wider than the
//! column unless it holds a single cluster that cannot fit, and nothing drawn is a control or
//! bidi formatting character.
//!
//! Input: the first byte picks the width (0…200), the second the paragraph direction; the rest
//! is the text (lossy UTF-8), split at line feeds into paragraphs as the parser would.

#![no_main]

use folio::text::layout::{LayoutOptions, layout_paragraph, logical_line};
use folio::text::sanitize::is_bidi_control;
use folio::text::width::str_width;
use folio::text::{BidiMode, Direction, ShapeMode};
use libfuzzer_sys::fuzz_target;

/// A defect this target found, now fixed (the flag stays false so the check runs): a cluster that starts with an emoji modifier (U+1F3FB…U+1F3FF), drawn
/// after a control picture, a bidi label or a hidden mark, fuses with what is drawn before it,
/// so the drawn text measures less than the layout counts (`"a\u{200E}🏽"` lays out as 3 columns
/// and draws as `"a🏽"`, 2). While set, lines holding a modifier skip the width comparison (and
/// only it); set it to false once the layout is fixed.
const SKIP_WIDTH_CHECK_WITH_EMOJI_MODIFIERS: bool = false;

/// A defect this target found, now fixed (the flag stays false so the check runs): a cluster ending in two zero-width joiners loses only the last when
/// drawn, so the one left fuses it with the next cluster (`"👨\u{200D}\u{200D}👦"` lays out as 4
/// columns and draws as one 2-column family emoji). While set, lines holding a joiner skip the
/// width comparison (and only it); set it to false once the layout is fixed.
const SKIP_WIDTH_CHECK_WITH_JOINERS: bool = false;

fn has_emoji_modifier(s: &str) -> bool {
    s.chars().any(|c| ('\u{1F3FB}'..='\u{1F3FF}').contains(&c))
}

fn raw(s: &str) -> bool {
    s.chars().any(|c| c.is_control() || is_bidi_control(c))
}

fuzz_target!(|data: &[u8]| {
    let [w, d, rest @ ..] = data else {
        return;
    };
    let width = *w as usize % 201;
    let dir = if d & 1 == 0 {
        Direction::Ltr
    } else {
        Direction::Rtl
    };
    let text = String::from_utf8_lossy(rest);
    for para in text.split('\n') {
        for bidi in [BidiMode::App, BidiMode::Terminal, BidiMode::Off] {
            for shape in [ShapeMode::On, ShapeMode::Off] {
                let opts = LayoutOptions { width, shape, bidi };
                check(para, dir, &opts);
            }
        }
    }
});

fn check(text: &str, dir: Direction, opts: &LayoutOptions) {
    let laid = layout_paragraph(text, dir, opts);
    let cols = opts.width.max(1);
    assert!(!laid.lines.is_empty(), "a paragraph gave no line");
    let mut prev_end = 0;
    for line in &laid.lines {
        let drawn = line.clusters.iter().filter(|c| c.width > 0).count();
        assert!(
            line.width <= cols || drawn == 1,
            "line wider than {cols} with {drawn} clusters: {:?} ({opts:?})",
            line.text
        );
        assert!(
            !raw(&line.text),
            "raw control drawn: {:?} ({opts:?})",
            line.text
        );
        let known = (SKIP_WIDTH_CHECK_WITH_EMOJI_MODIFIERS && has_emoji_modifier(&line.text))
            || (SKIP_WIDTH_CHECK_WITH_JOINERS && line.text.contains('\u{200D}'));
        if !known {
            assert_eq!(
                line.width,
                str_width(&line.text),
                "{:?} ({opts:?})",
                line.text
            );
        }
        assert!(
            line.indent + line.width <= cols || drawn == 1,
            "indented past the column: {:?} ({opts:?})",
            line.text
        );
        assert!(line.src.start >= prev_end, "lines overlap ({opts:?})");
        assert!(line.src.end <= text.len());
        prev_end = line.src.end;
        let (mut col, mut at) = (0, 0);
        for c in &line.clusters {
            assert_eq!(c.col, col);
            assert_eq!(c.vis.start, at);
            assert!(c.src.start >= line.src.start && c.src.end <= line.src.end);
            col += c.width;
            at = c.vis.end;
        }
        assert_eq!(col, line.width);
        assert_eq!(at, line.text.len());
        let logical = logical_line(text, line);
        assert!(!raw(&logical), "raw control in logical text: {logical:?}");
    }
}
