//! A title or excerpt fitted to `max` columns for the interface: never panics, never wider than
//! `max` as drawn, never a raw control or bidi formatting character, in every mode.
//!
//! Input: the first byte is `max` (0…255); the rest is the text (lossy UTF-8, line feeds kept:
//! titles from manifests and excerpts may hold them).

#![no_main]

use folio::text::layout::display_line;
use folio::text::sanitize::is_bidi_control;
use folio::text::width::str_width;
use folio::text::{BidiMode, ShapeMode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&max, rest)) = data.split_first() else {
        return;
    };
    let max = max as usize;
    let text = String::from_utf8_lossy(rest);
    for bidi in [BidiMode::App, BidiMode::Terminal, BidiMode::Off] {
        for shape in [ShapeMode::On, ShapeMode::Off] {
            let line = display_line(&text, max, shape, bidi);
            assert!(
                str_width(&line) <= max,
                "{line:?} is {} columns, more than {max} ({shape:?}, {bidi:?})",
                str_width(&line)
            );
            assert!(
                !line.chars().any(|c| c.is_control() || is_bidi_control(c)),
                "raw control in {line:?} ({shape:?}, {bidi:?})"
            );
        }
    }
});
