//! Pure text: no ratatui, no crossterm, no I/O.
//!
//! Data flows one way: raw bytes are made safe by [`sanitize`], paragraphs are
//! measured by grapheme cluster ([`width`]), wrapped in logical order ([`wrap`]),
//! optionally shaped ([`shape`]) and reordered for display ([`bidi`]); [`layout`]
//! ties these together into visual lines for a given width.

pub mod bidi;
pub mod block;
pub mod document;
pub mod layout;
pub mod sanitize;
pub mod script;
pub mod search;
pub mod shape;
pub mod width;
pub mod wrap;

pub use layout::{
    Cluster, LaidParagraph, LayoutOptions, VisualLine, dump_line, layout_paragraph, logical_line,
};
pub use width::{cluster_width, str_width, truncate};

use serde::{Deserialize, Serialize};

/// `text` as an isolate (FSI … PDI): what an interface string wraps around text it quotes (a
/// title, an excerpt, a query), so the quoted text takes its own direction and the sentence
/// around it keeps its own. Layout draws the isolate marks as nothing.
pub fn isolate(text: &str) -> String {
    format!("\u{2068}{text}\u{2069}")
}

/// `text` without what its isolates hold, for deciding the direction of the text around them
/// (UAX #9 P2 skips isolates). An unclosed isolate runs to the end.
pub fn outside_isolates(text: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{2066}' | '\u{2067}' | '\u{2068}' => depth += 1,
            '\u{2069}' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The direction of a paragraph or of a run of text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    #[default]
    Ltr,
    Rtl,
}

/// Who lays out right-to-left text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BidiMode {
    /// folio reorders each line itself and aligns RTL lines flush right.
    #[default]
    App,
    /// The terminal does bidi (mlterm, Konsole): folio sends logical order, unshaped.
    Terminal,
    /// No bidi at all: logical order, flush left.
    Off,
}

/// Whether Arabic letters are converted to presentation forms before layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ShapeMode {
    #[default]
    On,
    Off,
}
