//! Paragraphs × width → visual lines: the one place wrapping, shaping and bidi meet.
//!
//! [`layout_paragraph`] shapes a paragraph (when asked), wraps it in logical order, then reorders
//! each line for display. It works on *units*: a grapheme cluster of the logical text, or a few
//! fused by shaping (a lam-alef ligature is one unit standing for two letters). Each unit knows the
//! logical bytes it stands for, so search and copy can map between what is read and what is drawn.
//!
//! What reaches the screen never carries a control or bidi formatting character:
//! - isolates and marks (LRI, RLI, FSI, PDI, LRM, RLM, ALM) steer the bidi algorithm and are
//!   drawn as nothing (zero-width units with empty `vis`, kept in `clusters` so every logical
//!   cluster is accounted for);
//! - embeddings and overrides (LRE, RLE, LRO, RLO, PDF) can disguise text, so they are drawn as
//!   labels such as `<RLO>`: one unit as wide as its label, never reversed or mirrored, placed at
//!   the lower of the levels on either side of it, outside the text it governs;
//! - a control character that slipped past sanitizing is drawn as its picture (`␛`);
//! - a combining mark with no letter to sit on is drawn on a dotted circle (`◌́`), one cell wide,
//!   so no cell is ever empty yet printing; so is a lone spacing mark (`◌ा`, two cells); a stray
//!   joiner (ZWJ, ZWNJ) and an invisible character (zero-width space, word joiner) are drawn as
//!   nothing, and so is a ZWJ ending a cluster, lest it fuse the cluster with its new neighbour
//!   on screen, and a ZWNJ ending one once shaping or reordering has used it;
//! - a regional indicator that is not half of a flag is followed by a ZWNJ on reordered lines
//!   and wherever a hidden character could put it beside another,
//!   so that the terminal cannot pair it with a neighbour into a flag the text never had;
//! - on reordered lines, a space that lands at either end of the line (from inside an isolate)
//!   is drawn as nothing, so RTL lines stay flush right.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

use super::bidi::{BidiParagraph, push_mirrored, resolves_all_ltr, resolves_all_rtl, visual_order};
use super::sanitize::{control_placeholder, is_disguising_bidi_control};
use super::shape::{Shaped, shape};
use super::width::{clusters, str_width};
use super::wrap::{Breakable, break_lines, break_offsets};
use super::{BidiMode, Direction, ShapeMode};

/// How to lay text out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LayoutOptions {
    /// Columns available to the text (the reading column), at least 1.
    pub width: usize,
    pub shape: ShapeMode,
    pub bidi: BidiMode,
}

/// One grapheme cluster as drawn on a visual line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// Bytes of [`VisualLine::text`] that draw this cluster.
    pub vis: Range<usize>,
    /// Column of the cluster's first cell, counted from the start of the line's text (indent excluded).
    pub col: usize,
    /// Cells the cluster takes: 0, 1 or 2 (more only for a visible label such as `<RLO>`).
    pub width: usize,
    /// Bytes of the paragraph's logical (unshaped) text this cluster stands for.
    pub src: Range<usize>,
}

/// One screen line of a laid-out paragraph.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct VisualLine {
    /// What to draw, in visual (left-to-right screen) order; shaped when shaping is on;
    /// free of control and bidi formatting characters; no padding, no trailing spaces (the
    /// leading spaces of a paragraph's first line are kept, and in an RTL line they sit at its
    /// right end).
    pub text: String,
    /// Blank columns before `text` (non-zero for RTL lines, which sit flush right).
    pub indent: usize,
    /// Columns `text` takes.
    pub width: usize,
    /// Bytes of the paragraph's logical text that this line shows (trailing spaces excluded).
    pub src: Range<usize>,
    /// Direction of the paragraph the line belongs to.
    pub dir: Direction,
    /// Clusters in visual order.
    pub clusters: Vec<Cluster>,
}

/// A paragraph laid out at one width.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaidParagraph {
    pub dir: Direction,
    /// At least one line; an empty paragraph gives one empty line.
    pub lines: Vec<VisualLine>,
}

/// How one logical cluster is drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Look {
    /// As it is (shaped when shaping is on).
    Text,
    /// A plain space: free at the end of a line.
    Space,
    /// Not at all: an isolate, a mark, a stray joiner.
    Hidden,
    /// An embedding or override, drawn as its label (`<RLO>`).
    Override(&'static str),
    /// A control character, drawn as its picture.
    Picture(String),
    /// A combining mark with nothing to sit on, drawn on a dotted circle.
    Dotted,
    /// A regional indicator that is not half of a flag. Reordering can draw it beside another
    /// one ("🇸🇦" then a lone "🇺" reversed reads "🇺🇸🇦" on screen: the terminal would pair
    /// 🇺🇸, a flag the text never had), so it is drawn followed by a ZWNJ, after which no
    /// terminal that follows UAX #29 pairs it.
    LoneFlag,
}

/// How units are drawn on a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Drawing {
    /// The line is reordered by folio.
    reordered: bool,
    /// Lone regional indicators are guarded: on screen, reordering or a hidden isolate can put
    /// one beside another.
    guard_flags: bool,
    /// Joiners (ZWJ, ZWNJ) ending a cluster have done their work (shaping was done, or the
    /// order changed) and are drawn as nothing.
    drop_joiners: bool,
}

impl Drawing {
    /// Logical order, as `--dump --logical` prints it.
    const LOGICAL: Drawing = Drawing {
        reordered: false,
        guard_flags: false,
        drop_joiners: false,
    };
}

const DOTTED_CIRCLE: char = '\u{25CC}';

/// The visible label of an embedding or override.
fn override_label(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{202A}' => "<LRE>",
        '\u{202B}' => "<RLE>",
        '\u{202C}' => "<PDF>",
        '\u{202D}' => "<LRO>",
        '\u{202E}' => "<RLO>",
        _ => return None,
    })
}

/// Whether `c` would join the cluster before it (a combining mark, a joiner, a variation selector).
fn extends(c: char) -> bool {
    // Nothing below the combining diacritics joins, nor does a letter of the Arabic or Hebrew
    // alphabets: the common cases, answered without segmenting.
    if c < '\u{300}' || matches!(c, '\u{5D0}'..='\u{5EA}' | '\u{620}'..='\u{64A}') {
        return false;
    }
    let mut buf = [0u8; 8];
    buf[0] = b'a';
    let len = 1 + c.encode_utf8(&mut buf[1..]).len();
    std::str::from_utf8(&buf[..len]).is_ok_and(|s| s.graphemes(true).nth(1).is_none())
}

/// How the logical text `g` (one cluster, or a few fused by shaping) is drawn.
fn look(g: &str) -> Look {
    let Some(first) = g.chars().next() else {
        return Look::Hidden;
    };
    if g.len() == first.len_utf8() {
        if let Some(label) = override_label(first) {
            debug_assert!(is_disguising_bidi_control(first));
            return Look::Override(label);
        }
        if super::sanitize::is_bidi_control(first)
            || super::sanitize::is_invisible_format(first)
            || matches!(first, '\u{200C}' | '\u{200D}')
        {
            return Look::Hidden;
        }
        if first == ' ' {
            return Look::Space;
        }
    }
    if first.is_control() {
        return Look::Picture(
            g.chars()
                .map(|c| control_placeholder(c).unwrap_or_else(|| c.to_string()))
                .collect(),
        );
    }
    // A mark with nothing to sit on: non-spacing (no cell of its own) or spacing (U+093E, one
    // cell), or a lone emoji modifier (a two-cell swatch, which drawn bare fuses with whatever
    // is drawn before it once a hidden character between them is gone).
    if extends(first) {
        return Look::Dotted;
    }
    if is_regional_indicator(first) && g.chars().filter(|&c| is_regional_indicator(c)).count() == 1
    {
        return Look::LoneFlag;
    }
    Look::Text
}

fn is_regional_indicator(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

impl Look {
    /// Cells the unit takes on screen, given the cells of its (shaped) text.
    fn cells(&self, text_cells: usize) -> usize {
        match self {
            Look::Text | Look::LoneFlag => text_cells,
            Look::Space => 1,
            // The circle's cell, and the mark's if it is a spacing one.
            Look::Dotted => (1 + text_cells).min(2),
            Look::Hidden => 0,
            Look::Override(label) => label.len(),
            Look::Picture(p) => str_width(p),
        }
    }

    /// Append what is drawn for the unit whose (shaped) text is `shown`.
    fn draw(&self, out: &mut String, shown: &str, rtl: bool, how: Drawing) {
        match self {
            // A joiner ending a cluster joins nothing; drawn, it could fuse this cluster with
            // whatever lands next to it on screen (an emoji after a reversed emoji). A ZWNJ
            // ending a letter's cluster ("ی‌" in "می‌شود") kept letters apart in shaping; once
            // shaped or reordered it has nothing left to do, and in visual order it would sit
            // on the wrong side of its letter.
            Look::Text => {
                // Every joiner ending it: one left would fuse it with its neighbour.
                let mut shown = shown.trim_end_matches('\u{200D}');
                if how.drop_joiners
                    && shown.ends_with('\u{200C}')
                    && shown.starts_with(char::is_alphabetic)
                {
                    shown = shown.trim_end_matches(['\u{200C}', '\u{200D}']);
                }
                push_mirrored(out, shown, rtl);
            }
            Look::LoneFlag => {
                Look::Text.draw(out, shown, rtl, how);
                if how.guard_flags {
                    out.push('\u{200C}');
                }
            }
            Look::Space => out.push(' '),
            Look::Hidden => {}
            Look::Override(label) => out.push_str(label),
            Look::Picture(p) => out.push_str(p),
            Look::Dotted => {
                out.push(DOTTED_CIRCLE);
                out.push_str(shown);
            }
        }
    }
}

/// A grapheme cluster of the logical text, or a few fused by shaping.
struct Unit {
    /// Logical (unshaped) bytes.
    src: Range<usize>,
    /// Shaped bytes (the same as `src` when not shaping).
    shown: Range<usize>,
    cells: usize,
    look: Look,
    /// A line may start here (UAX #14).
    brk: bool,
}

impl Breakable for Unit {
    fn cells(&self) -> usize {
        self.cells
    }
    fn is_space(&self) -> bool {
        self.look == Look::Space
    }
    fn break_before(&self) -> bool {
        self.brk
    }
}

/// Cut `text` into units. With `shaped`, clusters whose boundary falls inside a shaped letter
/// (a lam-alef ligature) are fused.
fn units(text: &str, shaped: Option<&Shaped>) -> Vec<Unit> {
    let shown_text = shaped.map_or(text, |s| s.text.as_str());
    let mut cursor = shaped.map(Shaped::cursor);
    let mut to_shown = |pos: usize| cursor.as_mut().map_or(Some(pos), |c| c.shaped_at(pos));
    let mut breaks = break_offsets(text).peekable();
    let mut units = Vec::with_capacity(text.len() / 2 + 1);
    // A unit from its logical bytes and where they start and end in the shaped text.
    let mut finish = |src: Range<usize>, start: Option<usize>, end: Option<usize>| {
        let shown = match (start, end) {
            (Some(a), Some(b)) => a..b,
            _ => shaped.map_or(src.clone(), |s| s.shaped_range(src.clone())),
        };
        let text_cells = str_width(&shown_text[shown.clone()]);
        let look = look(&text[src.clone()]);
        while breaks.next_if(|&b| b < src.start).is_some() {}
        Unit {
            brk: breaks.peek() == Some(&src.start),
            cells: look.cells(text_cells),
            look,
            src,
            shown,
        }
    };
    // The unit being gathered, and where it starts in the shaped text.
    let mut pending: Option<(Range<usize>, Option<usize>)> = None;
    for (at, g) in clusters(text) {
        let end = at + g.len();
        let here = to_shown(at);
        match pending.as_mut() {
            Some((p, _)) if here.is_none() => p.end = end,
            _ => {
                if let Some((p, start)) = pending.replace((at..end, here)) {
                    units.push(finish(p, start, here));
                }
            }
        }
    }
    if let Some((p, start)) = pending {
        let end = to_shown(p.end);
        units.push(finish(p, start, end));
    }
    units
}

/// Lay out one paragraph (no `\n` inside) of direction `dir` at `opts.width` columns.
///
/// - [`BidiMode::App`]: shaped when `opts.shape` is on, wrapped in logical order, each line
///   reordered for display; RTL lines sit flush right (`indent = width - line width`).
/// - [`BidiMode::Terminal`]: the terminal does bidi and shaping, so lines stay logical and
///   unshaped, flush left.
/// - [`BidiMode::Off`]: logical order, flush left, shaped when `opts.shape` is on.
///
/// In every mode, bidi formatting and control characters are drawn as described in the module
/// documentation, never raw.
pub fn layout_paragraph(text: &str, dir: Direction, opts: &LayoutOptions) -> LaidParagraph {
    lay_out(text, dir, opts, true, true)
}

/// [`layout_paragraph`] for a caller that only prints the lines (`folio --dump`): the same
/// lines, each with its `clusters` left empty, which is quicker to make.
pub fn layout_paragraph_lines(text: &str, dir: Direction, opts: &LayoutOptions) -> LaidParagraph {
    lay_out(text, dir, opts, true, false)
}

/// [`layout_paragraph`]. With `shortcut`, a paragraph that resolves wholly to one bidi level
/// skips the bidi algorithm (tests compare both ways); without `keep_clusters`, lines have no
/// clusters.
fn lay_out(
    text: &str,
    dir: Direction,
    opts: &LayoutOptions,
    shortcut: bool,
    keep_clusters: bool,
) -> LaidParagraph {
    let width = opts.width.max(1);
    let shaped = (opts.shape == ShapeMode::On && opts.bidi != BidiMode::Terminal)
        .then(|| shape(text))
        .filter(|s| !s.is_unchanged());
    let shown_text = shaped.as_ref().map_or(text, |s| s.text.as_str());
    let units = units(text, shaped.as_ref());
    let reordered = opts.bidi == BidiMode::App;
    // A paragraph that resolves wholly to one level (most English paragraphs, and Arabic ones
    // with no Latin word or number) needs no bidi run: its lines read in logical order or
    // wholly reversed.
    let bidi = reordered.then(|| {
        if shortcut && resolves_all_ltr(text, dir) {
            Levels::Uniform(0)
        } else if shortcut && resolves_all_rtl(text, dir) {
            Levels::Uniform(1)
        } else {
            Levels::Resolved(BidiParagraph::new(text, dir))
        }
    });
    let how = Drawing {
        reordered,
        guard_flags: reordered || has_hidden(text),
        drop_joiners: reordered || shaped.is_some(),
    };
    // The paragraph's own leading spaces (an indent) are kept; they end at this byte.
    let indent_end = text.len() - text.trim_start_matches(' ').len();
    let lines = break_lines(&units, width)
        .into_iter()
        .map(|range| {
            let mut line = build_line(
                &units[range],
                shown_text,
                bidi.as_ref(),
                how,
                indent_end,
                keep_clusters,
            );
            line.dir = dir;
            if reordered && dir == Direction::Rtl && line.width > 0 {
                line.indent = width.saturating_sub(line.width);
            }
            line
        })
        .collect();
    LaidParagraph { dir, lines }
}

/// The bidi levels of a paragraph's characters.
enum Levels<'a> {
    /// As the bidi algorithm resolved them.
    Resolved(BidiParagraph<'a>),
    /// All the same.
    Uniform(u8),
}

/// One visual line from the units it shows (in logical order), reordered by `bidi` when given.
///
/// Reordering can move a space to either end of a line (a space just inside an isolate lands
/// at the line's far side); drawn there, it would push an RTL line one column in from the right
/// margin. So in reordered lines, spaces at either visual end are drawn as nothing (kept as
/// zero-width clusters, so every logical cluster is still accounted for), except the
/// paragraph's own leading spaces, which end at byte `indent_end`.
fn build_line(
    units: &[Unit],
    shown_text: &str,
    bidi: Option<&Levels>,
    how: Drawing,
    indent_end: usize,
    keep_clusters: bool,
) -> VisualLine {
    let (Some(first), Some(last)) = (units.first(), units.last()) else {
        return VisualLine::default();
    };
    let src = first.src.start..last.src.end;
    let (order, levels) = match bidi {
        Some(Levels::Resolved(bidi)) => {
            let levels = unit_levels(units, bidi, src.clone());
            (visual_order(&levels), Some(levels))
        }
        Some(&Levels::Uniform(level)) => {
            let levels = vec![level; units.len()];
            (visual_order(&levels), Some(levels))
        }
        None => ((0..units.len()).collect(), None),
    };
    let mut blank = vec![false; units.len()];
    if how.reordered {
        let stray_space = |i: usize| units[i].look == Look::Space && units[i].src.end > indent_end;
        let invisible = |i: usize| units[i].cells == 0;
        for ends in [
            &mut order.iter() as &mut dyn Iterator<Item = &usize>,
            &mut order.iter().rev(),
        ] {
            for &i in ends.take_while(|&&i| stray_space(i) || invisible(i)) {
                blank[i] = stray_space(i);
            }
        }
    }
    let mut out = String::with_capacity(src.len() + src.len() / 2);
    let mut clusters = Vec::with_capacity(if keep_clusters { units.len() } else { 0 });
    let mut col = 0;
    for i in order {
        let unit = &units[i];
        let rtl = levels.as_ref().is_some_and(|l| l[i] % 2 == 1);
        let start = out.len();
        let cells = if blank[i] {
            0
        } else {
            unit.look
                .draw(&mut out, &shown_text[unit.shown.clone()], rtl, how);
            unit.cells
        };
        if keep_clusters {
            clusters.push(Cluster {
                vis: start..out.len(),
                col,
                width: cells,
                src: unit.src.clone(),
            });
        }
        col += cells;
    }
    VisualLine {
        text: out,
        indent: 0,
        width: col,
        src,
        dir: Direction::Ltr,
        clusters,
    }
}

/// The resolved level of each unit of a line. An embedding or override label takes the lower of
/// the levels on either side of it, so it stays outside the text it governs.
fn unit_levels(units: &[Unit], bidi: &BidiParagraph, line: Range<usize>) -> Vec<u8> {
    let byte_levels = bidi.line_levels(line.clone());
    let mut levels: Vec<u8> = units
        .iter()
        .map(|u| byte_levels[u.src.start - line.start])
        .collect();
    let is_label = |u: &Unit| matches!(u.look, Look::Override(_));
    if units.iter().any(is_label) {
        let para = bidi.paragraph_level();
        let mut before = vec![para; units.len()];
        let mut last = para;
        for (i, u) in units.iter().enumerate() {
            before[i] = last;
            if !is_label(u) {
                last = levels[i];
            }
        }
        let mut after = para;
        for (i, u) in units.iter().enumerate().rev() {
            if is_label(u) {
                levels[i] = before[i].min(after);
            } else {
                after = levels[i];
            }
        }
    }
    levels
}

/// One line of `folio --dump`: the indent as spaces, then the text.
pub fn dump_line(line: &VisualLine) -> String {
    let mut out = String::with_capacity(line.indent + line.text.len());
    out.extend(std::iter::repeat_n(' ', line.indent));
    out.push_str(&line.text);
    out
}

/// The logical, unshaped text of a line (`para_text[line.src]`) with bidi formatting and control
/// characters made printable as on screen: for `folio --dump --logical`, which prints the same
/// lines with the same breaks in logical order.
pub fn logical_line(para_text: &str, line: &VisualLine) -> String {
    let text = para_text.get(line.src.clone()).unwrap_or_default();
    let mut out = String::with_capacity(text.len());
    let how = Drawing {
        guard_flags: has_hidden(para_text),
        ..Drawing::LOGICAL
    };
    for g in text.graphemes(true) {
        look(g).draw(&mut out, g, false, how);
    }
    out
}

/// Whether `text` holds characters drawn as nothing (isolates, marks, invisible characters):
/// hiding one can put two lone regional indicators side by side, which a terminal pairs.
fn has_hidden(text: &str) -> bool {
    text.chars()
        .any(|c| super::sanitize::is_bidi_control(c) || super::sanitize::is_invisible_format(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::bidi::paragraph_direction;
    use crate::text::sanitize::is_bidi_control;
    use crate::text::shape::shape;
    use Direction::*;

    /// The clusters of `s` in reverse order: how an RTL word reads left to right on screen.
    fn r(s: &str) -> String {
        s.graphemes(true).rev().collect()
    }

    /// `r` of the shaped word.
    fn rs(s: &str) -> String {
        r(&shape(s).text)
    }

    fn pad(indent: usize, s: &str) -> String {
        format!("{}{s}", " ".repeat(indent))
    }

    fn opts(width: usize, shape: ShapeMode, bidi: BidiMode) -> LayoutOptions {
        LayoutOptions { width, shape, bidi }
    }

    fn lay(text: &str, o: LayoutOptions) -> LaidParagraph {
        let dir = paragraph_direction(text).unwrap_or(Ltr);
        layout_paragraph(text, dir, &o)
    }

    /// What `folio --dump` prints for the paragraph.
    fn screen(text: &str, o: LayoutOptions) -> Vec<String> {
        lay(text, o).lines.iter().map(dump_line).collect()
    }

    /// Unshaped, folio doing bidi.
    fn plain(text: &str, width: usize) -> Vec<String> {
        screen(text, opts(width, ShapeMode::Off, BidiMode::App))
    }

    /// Shaped, folio doing bidi.
    fn shaped(text: &str, width: usize) -> Vec<String> {
        screen(text, opts(width, ShapeMode::On, BidiMode::App))
    }

    fn logical(text: &str, o: LayoutOptions) -> Vec<String> {
        lay(text, o)
            .lines
            .iter()
            .map(|l| logical_line(text, l))
            .collect()
    }

    const TURING: &str = "زار Alan Turing المدينة عام 2023 ودفع 8,796 دولارًا.";

    // ----- golden cases: unshaped, width 40 -----

    #[test]
    fn golden_two_arabic_words() {
        assert_eq!(
            plain("مرحبا بالعالم", 40),
            [pad(27, &format!("{} {}", r("بالعالم"), r("مرحبا")))]
        );
    }

    #[test]
    fn golden_curly_quotes_are_not_mirrored() {
        assert_eq!(
            plain("قال “مرحبا” ثم غادر.", 40),
            [pad(
                20,
                &format!(".{} {} ”{}“ {}", r("غادر"), r("ثم"), r("مرحبا"), r("قال"))
            )]
        );
    }

    #[test]
    fn golden_brackets_are_mirrored() {
        assert_eq!(
            plain("ولد (في القاهرة) عام", 40),
            [pad(
                20,
                &format!("{} ({} {}) {}", r("عام"), r("القاهرة"), r("في"), r("ولد"))
            )]
        );
    }

    #[test]
    fn golden_latin_and_numbers_inside_rtl_over_two_lines() {
        let p = lay(TURING, opts(40, ShapeMode::Off, BidiMode::App));
        assert_eq!(p.dir, Rtl);
        let lines: Vec<String> = p.lines.iter().map(dump_line).collect();
        assert_eq!(
            lines,
            [
                pad(
                    3,
                    &format!(
                        "{} 2023 {} {} Alan Turing {}",
                        r("ودفع"),
                        r("عام"),
                        r("المدينة"),
                        r("زار")
                    )
                ),
                pad(27, &format!(".{} 8,796", r("دولارًا"))),
            ]
        );
        // The tanween stays after its letter: "رً" reversed as one cluster.
        assert!(p.lines[1].text.contains("ار\u{64B}ال"));
        assert_eq!(p.lines[0].indent, 3);
        assert_eq!(p.lines[1].indent, 27);
    }

    #[test]
    fn golden_ltr_paragraph_with_an_arabic_word() {
        assert_eq!(
            plain("The word سلام means peace.", 40),
            [format!("The word {} means peace.", r("سلام"))]
        );
    }

    #[test]
    fn golden_rtl_by_majority_despite_a_leading_latin_word() {
        assert_eq!(
            plain("Linux هو نظام تشغيل.", 40),
            [pad(
                20,
                &format!(".{} {} {} Linux", r("تشغيل"), r("نظام"), r("هو"))
            )]
        );
    }

    // ----- the same at other widths -----

    #[test]
    fn turing_at_20_and_80() {
        assert_eq!(
            plain(TURING, 20),
            [
                pad(5, &format!("Alan Turing {}", r("زار"))),
                pad(4, &format!("2023 {} {}", r("عام"), r("المدينة"))),
                pad(2, &format!(".{} 8,796 {}", r("دولارًا"), r("ودفع"))),
            ]
        );
        assert_eq!(
            plain(TURING, 80),
            [pad(
                29,
                &format!(
                    ".{} 8,796 {} 2023 {} {} Alan Turing {}",
                    r("دولارًا"),
                    r("ودفع"),
                    r("عام"),
                    r("المدينة"),
                    r("زار")
                )
            )]
        );
    }

    #[test]
    fn logical_dump_has_the_same_breaks() {
        let o = opts(20, ShapeMode::On, BidiMode::App);
        assert_eq!(
            logical(TURING, o),
            ["زار Alan Turing", "المدينة عام 2023", "ودفع 8,796 دولارًا."]
        );
        let o = opts(40, ShapeMode::Off, BidiMode::App);
        assert_eq!(
            logical(TURING, o),
            ["زار Alan Turing المدينة عام 2023 ودفع", "8,796 دولارًا."]
        );
    }

    #[test]
    fn brackets_mirror_on_each_line_of_a_wrapped_paragraph() {
        assert_eq!(
            plain("ولد (في القاهرة) عام", 12),
            [
                pad(5, &format!("{}) {}", r("في"), r("ولد"))),
                format!("{} ({}", r("عام"), r("القاهرة")),
            ]
        );
    }

    #[test]
    fn ltr_prose_is_untouched_at_20_40_80() {
        let text = "The quick brown fox jumps over the lazy dog, and then it naps for a while.";
        assert_eq!(
            plain(text, 20),
            [
                "The quick brown fox",
                "jumps over the lazy",
                "dog, and then it",
                "naps for a while."
            ]
        );
        assert_eq!(
            plain(text, 40),
            [
                "The quick brown fox jumps over the lazy",
                "dog, and then it naps for a while."
            ]
        );
        assert_eq!(plain(text, 80), [text]);
        assert_eq!(shaped(text, 80), [text]);
    }

    // ----- shaping -----

    #[test]
    fn shaped_words_are_presentation_forms_and_stay_flush_right() {
        let lines = shaped("مرحبا بالعالم", 40);
        assert_eq!(
            lines,
            [pad(27, &format!("{} {}", rs("بالعالم"), rs("مرحبا")))]
        );
        assert_eq!(
            lines[0].trim_start(),
            "\u{FEE2}\u{FEDF}\u{FE8E}\u{FECC}\u{FEDF}\u{FE8E}\u{FE91} \u{FE8E}\u{FE92}\u{FEA3}\u{FEAE}\u{FEE3}"
        );
    }

    #[test]
    fn shaped_lam_alef_is_one_cell_and_maps_to_both_letters() {
        let text = "سلام عليكم";
        let p = lay(text, opts(40, ShapeMode::On, BidiMode::App));
        let line = &p.lines[0];
        assert_eq!(
            dump_line(line),
            pad(31, &format!("{} {}", rs("عليكم"), rs("سلام")))
        );
        assert_eq!(line.width, 9);
        let lam_alef = line
            .clusters
            .iter()
            .find(|c| &line.text[c.vis.clone()] == "\u{FEFC}")
            .unwrap();
        assert_eq!(lam_alef.width, 1);
        assert_eq!(&text[lam_alef.src.clone()], "لا");
        assert_eq!(logical_line(text, line), text);
        // Unshaped, the same words take one more cell.
        let p = lay(text, opts(40, ShapeMode::Off, BidiMode::App));
        assert_eq!(p.lines[0].width, 10);
    }

    #[test]
    fn shaping_keeps_harakat_and_widths_exact() {
        let text = "كَتَبَ الوَلَدُ دَرْسًا";
        let p = lay(text, opts(80, ShapeMode::On, BidiMode::App));
        let line = &p.lines[0];
        assert_eq!(line.width, str_width(&line.text));
        assert_eq!(line.width, str_width(text));
        assert_eq!(
            line.text
                .chars()
                .filter(|c| ('\u{064B}'..='\u{0652}').contains(c))
                .count(),
            text.chars()
                .filter(|c| ('\u{064B}'..='\u{0652}').contains(c))
                .count()
        );
        assert_eq!(
            line.text,
            format!("{} {} {}", rs("دَرْسًا"), rs("الوَلَدُ"), rs("كَتَبَ"))
        );
        assert_eq!(logical_line(text, line), text);
    }

    #[test]
    fn shaped_turing_at_40() {
        // "دولارًا" shaped has a lam-alef: one cell less than unshaped.
        assert_eq!(
            shaped(TURING, 40),
            [
                pad(
                    3,
                    &format!(
                        "{} 2023 {} {} Alan Turing {}",
                        rs("ودفع"),
                        rs("عام"),
                        rs("المدينة"),
                        rs("زار")
                    )
                ),
                pad(28, &format!(".{} 8,796", rs("دولارًا"))),
            ]
        );
    }

    #[test]
    fn lines_break_inside_a_long_arabic_word_between_clusters() {
        let word = "بالمستشفيات";
        let lines = plain(word, 4);
        assert_eq!(
            lines,
            [pad(0, &r("بالم")), pad(0, &r("ستشف")), pad(1, &r("يات"))]
        );
        // Shaped, a lam-alef is never split.
        let text = "ولا";
        let p = lay(text, opts(1, ShapeMode::On, BidiMode::App));
        let srcs: Vec<&str> = p.lines.iter().map(|l| &text[l.src.clone()]).collect();
        assert_eq!(srcs, ["و", "لا"]);
    }

    // ----- modes -----

    #[test]
    fn terminal_mode_sends_logical_unshaped_text_flush_left() {
        let o = opts(40, ShapeMode::On, BidiMode::Terminal);
        assert_eq!(
            screen(TURING, o),
            ["زار Alan Turing المدينة عام 2023 ودفع", "8,796 دولارًا."]
        );
        let p = lay("مرحبا", o);
        assert_eq!(p.lines[0].indent, 0);
        assert_eq!(p.lines[0].dir, Rtl);
    }

    #[test]
    fn off_mode_is_logical_and_shaped_if_asked() {
        let o = opts(40, ShapeMode::On, BidiMode::Off);
        assert_eq!(
            screen("سلام عليكم", o),
            [format!("{} {}", shape("سلام").text, shape("عليكم").text)]
        );
        let o = opts(40, ShapeMode::Off, BidiMode::Off);
        assert_eq!(screen("سلام (عليكم)", o), ["سلام (عليكم)"]);
    }

    // ----- bidi controls -----

    #[test]
    fn overrides_are_shown_and_obeyed() {
        let text = "a\u{202E}bc\u{202C}d";
        assert_eq!(plain(text, 40), ["a<RLO>cb<PDF>d"]);
        let p = lay(text, opts(40, ShapeMode::Off, BidiMode::App));
        assert_eq!(p.lines[0].width, 14);
        assert_eq!(
            logical(text, opts(40, ShapeMode::Off, BidiMode::App)),
            ["a<RLO>bc<PDF>d"]
        );
        // Without folio's bidi nothing is reordered, but the labels still show.
        assert_eq!(
            screen(text, opts(40, ShapeMode::Off, BidiMode::Terminal)),
            ["a<RLO>bc<PDF>d"]
        );
        // An override disguising a file name.
        assert_eq!(plain("file\u{202E}fdp.exe", 40), ["file<RLO>exe.pdf"]);
        // Labels are never mirrored or reversed inside an RTL run.
        assert_eq!(
            plain("\u{202B}مرحبا\u{202C}", 40),
            [pad(25, &format!("<PDF>{}<RLE>", r("مرحبا")))]
        );
    }

    #[test]
    fn a_label_wider_than_the_line_gets_its_own_line() {
        assert_eq!(plain("ab\u{202D}cd", 3), ["ab", "<LRO>", "cd"]);
    }

    #[test]
    fn isolates_and_marks_vanish() {
        let text = "He said \u{2067}مرحبا بك\u{2069} twice.";
        assert_eq!(
            plain(text, 80),
            [format!("He said {} {} twice.", r("بك"), r("مرحبا"))]
        );
        assert_eq!(plain("a\u{200E}b\u{200F}c\u{061C}d", 10), ["abcd"]);
        assert_eq!(
            logical(
                "x\u{2068}y\u{2069}z",
                opts(10, ShapeMode::Off, BidiMode::App)
            ),
            ["xyz"]
        );
        // Hidden, but still accounted for in the clusters (zero cells, nothing drawn).
        let p = lay("a\u{200E}b", opts(10, ShapeMode::Off, BidiMode::App));
        let hidden = &p.lines[0].clusters[1];
        assert_eq!(
            (hidden.width, hidden.vis.len(), hidden.src.clone()),
            (0, 0, 1..4)
        );
    }

    #[test]
    fn no_control_or_bidi_character_is_ever_emitted() {
        let controls: String = [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
        ]
        .iter()
        .flat_map(|&c| [c, 'x', 'ب', ' '])
        .collect();
        let text = format!("{controls} \u{1b}[2J \u{7} end");
        for bidi in [BidiMode::App, BidiMode::Terminal, BidiMode::Off] {
            for shape in [ShapeMode::On, ShapeMode::Off] {
                for width in [1, 5, 20, 80] {
                    let p = lay(&text, opts(width, shape, bidi));
                    for line in &p.lines {
                        for s in [dump_line(line), logical_line(&text, line)] {
                            assert!(
                                !s.chars().any(|c| is_bidi_control(c) || c.is_control()),
                                "{bidi:?} {shape:?} {width}: {s:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    // ----- odd clusters -----

    #[test]
    fn a_lone_combining_mark_sits_on_a_dotted_circle() {
        assert_eq!(plain("\u{301}abc", 10), ["◌\u{301}abc"]);
        let p = lay("\u{64B}بب", opts(10, ShapeMode::On, BidiMode::App));
        let line = &p.lines[0];
        assert_eq!(line.width, 3);
        assert!(line.text.ends_with("◌\u{64B}"));
        assert_eq!(logical_line("\u{64B}بب", line), "◌\u{64B}بب");
    }

    #[test]
    fn golden_a_lone_spacing_mark_sits_on_a_dotted_circle() {
        assert_eq!(plain("\u{93E}ab", 10), ["◌\u{93E}ab"]);
        let p = lay("\u{93E}ab", opts(10, ShapeMode::Off, BidiMode::App));
        assert_eq!(p.lines[0].width, 4);
        assert_eq!(p.lines[0].clusters[0].width, 2);
        // On its letter it is drawn as it is.
        assert_eq!(plain("क\u{93E}b", 10), ["क\u{93E}b"]);
    }

    #[test]
    fn golden_zwj_joins_the_letter_before_it() {
        // The Persian abbreviation "ه‍.ش": initial heh, then the dot, then sheen, right to left.
        assert_eq!(shaped("ه\u{200D}.ش", 10), [pad(7, "\u{FEB5}.\u{FEEB}")]);
        assert_eq!(shaped("ب\u{200D}", 10), [pad(9, "\u{FE91}")]);
        // Unshaped, the joiner is drawn as nothing all the same.
        assert_eq!(plain("ب\u{200D}", 10), [pad(9, "ب")]);
    }

    #[test]
    fn golden_zwnj_keeps_letters_apart_and_is_drawn_as_nothing() {
        let word = "می\u{200C}شود";
        assert_eq!(
            shaped(word, 10),
            [pad(5, "\u{FEA9}\u{FEEE}\u{FEB7}\u{FBFD}\u{FEE3}")]
        );
        assert_eq!(plain(word, 10), [pad(5, "دوشیم")]);
        // Still accounted for: the yeh's cluster stands for the ZWNJ too.
        let p = lay(word, opts(10, ShapeMode::On, BidiMode::App));
        let yeh = p.lines[0]
            .clusters
            .iter()
            .find(|c| &p.lines[0].text[c.vis.clone()] == "\u{FBFD}")
            .unwrap();
        assert_eq!(&word[yeh.src.clone()], "ی\u{200C}");
        // A terminal that shapes gets it, in logical order, where it belongs.
        assert_eq!(
            screen(word, opts(10, ShapeMode::On, BidiMode::Terminal)),
            [word]
        );
    }

    #[test]
    fn golden_a_space_inside_an_isolate_never_ends_a_line() {
        // In an RTL paragraph, the space opening an RTL isolate lands at the right end.
        let text = "\u{2067} مرحبا\u{2069} بك";
        assert_eq!(
            plain(text, 20),
            [pad(12, &format!("{} {}", r("بك"), r("مرحبا")))]
        );
        let p = lay(text, opts(20, ShapeMode::Off, BidiMode::App));
        assert_eq!((p.lines[0].width, p.lines[0].indent), (8, 12));
        // In an LTR paragraph, the space closing an RTL isolate lands at the left end.
        assert_eq!(
            plain("\u{2067}مرحبا \u{2069}is hello", 20),
            [format!("{}is hello", r("مرحبا"))]
        );
        // A paragraph's own indent stays, at its right end when RTL.
        assert_eq!(plain("  مرحبا", 10), [pad(3, &format!("{}  ", r("مرحبا")))]);
    }

    #[test]
    fn golden_a_lone_regional_indicator_never_pairs_on_screen() {
        // "🇸🇦", a mark, then a lone "🇺": reversed, the lone one would sit left of the flag and
        // the terminal would read 🇺🇸 then 🇦.
        let text = "مرحبا 🇸🇦\u{200F}🇺";
        let lines = plain(text, 20);
        assert_eq!(lines, [pad(11, &format!("🇺\u{200C}🇸🇦 {}", r("مرحبا")))]);
        let drawn: Vec<&str> = lines[0].trim_start().graphemes(true).collect();
        assert_eq!(&drawn[..2], ["🇺\u{200C}", "🇸🇦"]);
        // An override reverses a flag and a lone indicator.
        assert_eq!(plain("\u{202E}🇸🇦🇺\u{202C}", 20), ["<RLO>🇺\u{200C}🇸🇦<PDF>"]);
        // In logical order nothing is added.
        assert_eq!(
            screen("🇸🇦🇺", opts(20, ShapeMode::Off, BidiMode::Off)),
            ["🇸🇦🇺"]
        );
    }

    /// Found by fuzzing: what is drawn measures what the layout counts, even when a hidden
    /// character sat between a letter and a lone emoji modifier, or a cluster ended in two
    /// joiners.
    #[test]
    fn lone_modifiers_and_doubled_joiners_do_not_fuse_on_screen() {
        for text in ["a\u{200E}🏽", "👨\u{200D}\u{200D}👦", "x\u{2066}🏿y"] {
            for line in lay(text, opts(20, ShapeMode::Off, BidiMode::App)).lines {
                assert_eq!(
                    line.width,
                    str_width(&line.text),
                    "{text:?} drew {:?}",
                    line.text
                );
            }
        }
        assert_eq!(plain("a\u{200E}🏽", 20), ["a\u{25CC}🏽"]);
    }

    #[test]
    fn cjk_and_emoji_take_two_cells() {
        let p = lay("日本語 and 😀 here", opts(9, ShapeMode::Off, BidiMode::App));
        let lines: Vec<String> = p.lines.iter().map(dump_line).collect();
        assert_eq!(lines, ["日本語", "and 😀", "here"]);
        assert_eq!(p.lines[0].width, 6);
        assert_eq!(p.lines[1].width, 6);
        assert_eq!(p.lines[1].clusters[4].col, 4);
        assert_eq!(p.lines[1].clusters[4].width, 2);
    }

    #[test]
    fn empty_and_blank_paragraphs_give_one_empty_line() {
        for text in ["", "   "] {
            let p = lay(text, opts(10, ShapeMode::On, BidiMode::App));
            assert_eq!(p.lines.len(), 1);
            let line = &p.lines[0];
            assert_eq!((line.text.as_str(), line.width, line.indent), ("", 0, 0));
            assert_eq!(line.src, 0..0);
            assert!(line.clusters.is_empty());
        }
    }

    #[test]
    fn clusters_map_screen_cells_to_logical_bytes() {
        let text = "The word سلام means peace.";
        let p = lay(text, opts(80, ShapeMode::Off, BidiMode::App));
        let line = &p.lines[0];
        // On screen: "The word مالس means peace." — the seen (first letter) is drawn at column 12.
        let seen = line
            .clusters
            .iter()
            .find(|c| &text[c.src.clone()] == "س")
            .unwrap();
        assert_eq!(seen.col, 12);
        assert_eq!(&line.text[seen.vis.clone()], "س");
        let meem = line
            .clusters
            .iter()
            .find(|c| &text[c.src.clone()] == "م")
            .unwrap();
        assert_eq!(meem.col, 9);
        assert_eq!(line.src, 0..text.len());
    }

    #[test]
    fn rtl_paragraph_with_leading_latin_line() {
        // Latin words inside an RTL paragraph stay LTR and the line sits flush right.
        let text = "استخدم Rust و Go في المشروع";
        let lines = plain(text, 80);
        assert_eq!(
            lines,
            [pad(
                80 - str_width(text),
                &format!(
                    "{} {} Go {} Rust {}",
                    r("المشروع"),
                    r("في"),
                    r("و"),
                    r("استخدم")
                )
            )]
        );
    }

    #[test]
    fn width_zero_is_treated_as_one() {
        assert_eq!(plain("ab", 0), ["a", "b"]);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        const LETTERS: &[char] = &[
            'ا', 'أ', 'إ', 'آ', 'ب', 'ت', 'ح', 'د', 'ر', 'س', 'ع', 'ل', 'ل', 'ل', 'م', 'ن', 'ه',
            'و', 'ي', 'ى', 'ة', 'ء', 'ـ', 'پ', 'گ',
        ];
        const HARAKAT: &[char] = &[
            '\u{064B}', '\u{064E}', '\u{064F}', '\u{0650}', '\u{0651}', '\u{0652}', '\u{0670}',
        ];

        fn arabic_word() -> impl Strategy<Value = String> {
            prop::collection::vec(
                (
                    prop::sample::select(LETTERS),
                    prop::option::weighted(0.3, prop::sample::select(HARAKAT)),
                ),
                1..10,
            )
            .prop_map(|v| {
                v.into_iter()
                    .flat_map(|(l, h)| std::iter::once(l).chain(h))
                    .collect()
            })
        }

        fn token() -> impl Strategy<Value = String> {
            prop_oneof![
                6 => arabic_word(),
                3 => "[a-zA-Z]{1,12}",
                2 => "[0-9]{1,4}(,[0-9]{3})?",
                6 => prop::sample::select(vec![" ", " ", "  ", "   "]).prop_map(String::from),
                2 => prop::sample::select(vec!["(", ")", "[", "]", "«", "»", "{", "}", "<", ">"])
                    .prop_map(String::from),
                2 => prop::sample::select(vec![".", ",", "!", "?", "؟", "،", "“", "”", ":", "-"])
                    .prop_map(String::from),
                1 => prop::sample::select(vec!["日本語", "中", "テキスト"]).prop_map(String::from),
                1 => prop::sample::select(vec!["😀", "👩\u{200D}💻", "🇸🇦", "❤\u{FE0F}"])
                    .prop_map(String::from),
                1 => prop::sample::select(HARAKAT).prop_map(String::from),
                1 => prop::sample::select(vec![
                    "\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{202E}", "\u{2066}",
                    "\u{2067}", "\u{2068}", "\u{2069}", "\u{200E}", "\u{200F}", "\u{061C}",
                ])
                .prop_map(String::from),
                1 => prop::sample::select(vec!["e\u{301}", "\u{301}", "\u{200C}", "\u{200D}"])
                    .prop_map(String::from),
                // Joiners beside Arabic letters, as Persian writes them.
                2 => prop::sample::select(vec![
                    "ه\u{200D}", "\u{200D}ش", "ب\u{200D}", "ل\u{200D}ا", "می\u{200C}شود",
                    "\u{200C}", "\u{200D}",
                ])
                .prop_map(String::from),
                // Regional indicators one at a time, so that pairs and lone ones both occur.
                2 => prop::sample::select(vec!["\u{1F1F8}", "\u{1F1E6}", "\u{1F1FA}", "\u{200F}"])
                    .prop_map(String::from),
                // Spacing marks, alone and on their letter.
                1 => prop::sample::select(vec!["\u{93E}", "\u{903}", "क\u{93E}", "\u{BBE}"])
                    .prop_map(String::from),
            ]
        }

        fn paragraph() -> impl Strategy<Value = String> {
            prop::collection::vec(token(), 0..40).prop_map(|v| v.concat())
        }

        fn non_space_clusters(s: &str) -> Vec<&str> {
            s.graphemes(true).filter(|g| *g != " ").collect()
        }

        fn check(text: &str, o: LayoutOptions) -> Result<(), TestCaseError> {
            let dir = paragraph_direction(text).unwrap_or(Ltr);
            let p = layout_paragraph(text, dir, &o);
            prop_assert!(!p.lines.is_empty());
            let want = non_space_clusters(text);

            // Lines cover every non-space cluster once, in logical order.
            let by_lines: Vec<&str> = p
                .lines
                .iter()
                .flat_map(|l| non_space_clusters(&text[l.src.clone()]))
                .collect();
            prop_assert_eq!(&by_lines, &want);

            // So do the lines' clusters, whatever their visual order.
            let mut srcs: Vec<Range<usize>> = p
                .lines
                .iter()
                .flat_map(|l| l.clusters.iter().map(|c| c.src.clone()))
                .collect();
            srcs.sort_by_key(|r| r.start);
            for pair in srcs.windows(2) {
                prop_assert!(pair[0].end <= pair[1].start, "clusters overlap: {:?}", pair);
            }
            let by_clusters: Vec<&str> = srcs
                .iter()
                .flat_map(|r| non_space_clusters(&text[r.clone()]))
                .collect();
            prop_assert_eq!(&by_clusters, &want);

            for pair in p.lines.windows(2) {
                prop_assert!(pair[0].src.end <= pair[1].src.start);
                prop_assert!(pair[0].src.start < pair[1].src.start);
            }

            for line in &p.lines {
                let drawn = line.clusters.iter().filter(|c| c.width > 0).count();
                prop_assert!(
                    line.width <= o.width || drawn == 1,
                    "line too wide: {:?} ({} > {})",
                    line.text,
                    line.width,
                    o.width
                );
                prop_assert_eq!(line.width, str_width(&line.text), "{:?}", line.text);
                let mut col = 0;
                let mut at = 0;
                for c in &line.clusters {
                    prop_assert_eq!(c.col, col);
                    prop_assert_eq!(c.vis.start, at);
                    prop_assert!(c.src.start >= line.src.start && c.src.end <= line.src.end);
                    col += c.width;
                    at = c.vis.end;
                }
                prop_assert_eq!(col, line.width);
                prop_assert_eq!(at, line.text.len());
                // Spaces end the drawn text only when they led the paragraph, or a bidi control
                // moved them there (a space opening an RTL embedding in an LTR paragraph), or
                // they are not plain spaces (a space carrying a joiner).
                let logical = logical_line(text, line);
                prop_assert!(
                    !line.text.ends_with(' ')
                        || logical.starts_with(' ')
                        || logical.ends_with(' ')
                        || text[line.src.clone()].chars().any(is_bidi_control),
                    "trailing space in {:?}",
                    line.text
                );
                prop_assert!(
                    !line
                        .text
                        .chars()
                        .any(|c| is_bidi_control(c) || c.is_control()),
                    "raw control in {:?}",
                    line.text
                );
                let logical = logical_line(text, line);
                prop_assert!(
                    !logical
                        .chars()
                        .any(|c| is_bidi_control(c) || c.is_control())
                );
                if o.bidi == BidiMode::App {
                    // No plain space at either visual end, but the paragraph's own indent.
                    let indent_end = text.len() - text.trim_start_matches(' ').len();
                    let drawn: Vec<&Cluster> =
                        line.clusters.iter().filter(|c| c.width > 0).collect();
                    for c in [drawn.first(), drawn.last()].into_iter().flatten() {
                        prop_assert!(
                            &text[c.src.clone()] != " " || c.src.end <= indent_end,
                            "a space at the end of {:?}",
                            line.text
                        );
                    }
                    // The terminal pairs regional indicators as it sees them: every flag it
                    // sees must be one the text has.
                    let is_ri = |c: &char| ('\u{1F1E6}'..='\u{1F1FF}').contains(c);
                    let flags = |s: &str| -> Vec<String> {
                        s.graphemes(true)
                            .map(|g| g.chars().filter(is_ri).collect::<String>())
                            .filter(|f| f.chars().count() > 1)
                            .collect()
                    };
                    let known = flags(text);
                    for f in flags(&line.text) {
                        prop_assert!(known.contains(&f), "{:?} pairs into {:?}", line.text, f);
                    }
                }
                // No drawn cluster starts with a mark (an emoji modifier too) that would fall on
                // the cell before it.
                for c in &line.clusters {
                    let first = line.text[c.vis.clone()].chars().next();
                    prop_assert!(
                        !first.is_some_and(extends),
                        "{:?} starts with a mark in {:?}",
                        &line.text[c.vis.clone()],
                        line.text
                    );
                }
                match (o.bidi, line.dir) {
                    (BidiMode::App, Rtl) if line.width > 0 => {
                        prop_assert_eq!(line.indent, o.width.saturating_sub(line.width))
                    }
                    _ => prop_assert_eq!(line.indent, 0),
                }
                if o.bidi != BidiMode::App && o.shape == ShapeMode::Off {
                    // In logical order and unshaped, the screen is the logical dump.
                    prop_assert_eq!(&line.text, &logical);
                }
            }
            Ok(())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn nothing_lost_nothing_overflows(text in paragraph(), width in 1usize..=80) {
                for bidi in [BidiMode::App, BidiMode::Off, BidiMode::Terminal] {
                    for shape in [ShapeMode::On, ShapeMode::Off] {
                        check(&text, opts(width, shape, bidi))?;
                    }
                }
            }
        }
    }
}

/// A short text from an article (a title, an excerpt) as one line for the interface: cut to
/// `max` columns in logical order at a grapheme boundary (with `…`), then shaped and reordered
/// like the reading column, so an Arabic title reads right to left in the list and status line.
/// Bidi controls never come out raw.
///
/// The result is never wider than `max` as drawn (labels such as `<RLO>` and dotted circles
/// count), and the work is bounded by `max`, not by the length of `text`: only a prefix of a few
/// clusters per column is ever looked at.
pub fn display_line(text: &str, max: usize, shape: ShapeMode, bidi: BidiMode) -> String {
    if max == 0 {
        return String::new();
    }
    // No cluster is drawn in fewer than zero cells, and few are zero: a title longer than this
    // many clusters is cut whatever it holds, so nothing past them needs laying out.
    let limit = max.saturating_mul(4).saturating_add(64);
    let head = match text.grapheme_indices(true).nth(limit) {
        Some((at, _)) => &text[..at],
        None => text,
    };
    let one_line: String = head
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect();
    // The text around isolates decides; a title with none decides as a paragraph would.
    let dir = super::bidi::paragraph_direction(&super::outside_isolates(&one_line))
        .or_else(|| super::bidi::paragraph_direction(&one_line))
        .unwrap_or(Direction::Ltr);
    let opts = LayoutOptions {
        width: usize::MAX / 4,
        shape,
        bidi,
    };
    let first_line = |s: &str| {
        layout_paragraph(s, dir, &opts)
            .lines
            .into_iter()
            .next()
            .unwrap_or_default()
    };
    let whole = first_line(&one_line);
    if whole.width <= max && head.len() == text.len() {
        return whole.text;
    }
    // Too long: keep the longest logical prefix whose clusters, as drawn, leave a cell for `…`.
    // Cells are measured on the laid-out line, so labels and dotted circles count as drawn.
    let mut drawn: Vec<(usize, usize)> = whole
        .clusters
        .iter()
        .map(|c| (c.src.end, c.width))
        .collect();
    drawn.sort_unstable();
    let ends: Vec<usize> = std::iter::once(0)
        .chain(drawn.iter().map(|&(end, _)| end))
        .collect();
    let mut used = 0;
    let mut keep = 0; // clusters kept
    for &(_, cells) in &drawn {
        if used + cells > max - 1 {
            break;
        }
        used += cells;
        keep += 1;
    }
    // Shaping may draw a shorter prefix differently (a ligature cut in two): each pass drops
    // one more cluster, so this ends, at worst with `…` alone.
    loop {
        let mut cut = one_line[..ends[keep]].to_string();
        cut.push('…');
        let line = first_line(&cut);
        if line.width <= max || keep == 0 {
            return if line.width <= max {
                line.text
            } else {
                String::new()
            };
        }
        keep -= 1;
    }
}

#[cfg(test)]
mod display_line_tests {
    use super::*;

    #[test]
    fn latin_titles_are_cut_with_an_ellipsis() {
        let t = display_line(
            "Hamas chief, Russia FM discuss",
            12,
            ShapeMode::Off,
            BidiMode::App,
        );
        assert_eq!(t, "Hamas chief…");
        assert_eq!(
            display_line("Short", 12, ShapeMode::Off, BidiMode::App),
            "Short"
        );
    }

    #[test]
    fn arabic_titles_read_right_to_left() {
        let t = display_line("مرحبا بالعالم", 40, ShapeMode::Off, BidiMode::App);
        assert_eq!(t, "ملاعلاب ابحرم");
        // Cut in logical order: the start of the title survives, at the right end.
        let t = display_line("مرحبا بالعالم", 8, ShapeMode::Off, BidiMode::App);
        assert_eq!(t, "…ب ابحرم");
        assert!(crate::text::width::str_width(&t) <= 8);
    }

    /// Titles that draw wider than they measure (labels, dotted circles) once hung the reader.
    #[test]
    fn titles_wider_as_drawn_than_as_measured_are_cut_and_return() {
        let rlo6 = "\u{202E}".repeat(6);
        let rlo16 = "\u{202E}".repeat(16);
        let mark = "\u{301}".to_string();
        for text in [
            rlo6.as_str(),
            rlo16.as_str(),
            mark.as_str(),
            "a\u{202E}\u{202D}b",
        ] {
            for max in 0..=40 {
                for (shape, bidi) in [
                    (ShapeMode::On, BidiMode::App),
                    (ShapeMode::Off, BidiMode::Off),
                    (ShapeMode::Off, BidiMode::Terminal),
                ] {
                    let t = display_line(text, max, shape, bidi);
                    let w = crate::text::width::str_width(&t);
                    assert!(w <= max, "{text:?} at {max}: {t:?} is {w} wide");
                }
            }
        }
        // Six RLO labels take 30 cells: at 12 columns two fit, then the ellipsis.
        assert_eq!(
            display_line(&rlo6, 12, ShapeMode::On, BidiMode::App),
            "<RLO><RLO>…"
        );
        assert_eq!(
            display_line(&mark, 1, ShapeMode::On, BidiMode::App),
            "\u{25CC}\u{301}"
        );
        assert_eq!(display_line(&rlo6, 3, ShapeMode::On, BidiMode::App), "…");
    }

    #[test]
    fn only_a_prefix_of_a_huge_title_is_laid_out() {
        let huge = "word ".repeat(400_000);
        let t = display_line(&huge, 20, ShapeMode::On, BidiMode::App);
        assert_eq!(t, "word word word word…");
        let zero = "\u{200B}".repeat(100_000);
        let t = display_line(&zero, 10, ShapeMode::On, BidiMode::App);
        assert!(crate::text::width::str_width(&t) <= 10);
    }

    #[test]
    fn the_extends_shortcut_agrees_with_segmentation() {
        let slow = |c: char| {
            let s = format!("a{c}");
            s.graphemes(true).nth(1).is_none()
        };
        for c in ('\0'..'\u{300}')
            .chain('\u{5D0}'..='\u{5EA}')
            .chain('\u{620}'..='\u{64A}')
        {
            assert!(!slow(c), "{c:?}");
            assert!(!extends(c), "{c:?}");
        }
        for c in [
            '\u{301}',
            '\u{64B}',
            '\u{670}',
            '\u{200D}',
            '\u{93E}',
            '\u{1F3FB}',
        ] {
            assert!(slow(c) && extends(c), "{c:?}");
        }
    }

    proptest::proptest! {
        /// The shortcut for paragraphs that resolve wholly right to left draws exactly what the
        /// bidi algorithm would, on Arabic and Hebrew text (the mixed proptest below covers text
        /// the shortcut does not take).
        #[test]
        fn the_all_rtl_shortcut_draws_what_bidi_draws(
            text in "[ .,:!()«»\u{AD}\u{60C}\u{627}\u{644}\u{645}\u{64B}\u{651}\u{5D0}\u{5B8}\u{200C}\u{200D}\u{1F600}]{0,60}",
            width in 1usize..30,
            shaped in proptest::bool::ANY,
        ) {
            let shape = if shaped { ShapeMode::On } else { ShapeMode::Off };
            for dir in [Direction::Rtl, Direction::Ltr] {
                let o = LayoutOptions { width, shape, bidi: BidiMode::App };
                proptest::prop_assert_eq!(lay_out(&text, dir, &o, true, true), lay_out(&text, dir, &o, false, true));
            }
        }

        /// Lines made without their clusters are the same lines.
        #[test]
        fn lines_without_clusters_are_the_same_lines(
            text in "[ a-z1.()\u{301}\u{627}\u{644}\u{645}\u{64B}\u{661}\u{5D0}\u{2067}\u{2069}\u{202E}\u{1F1E6}\u{1F600}]{0,60}",
            width in 1usize..30,
            rtl in proptest::bool::ANY,
        ) {
            let dir = if rtl { Direction::Rtl } else { Direction::Ltr };
            for bidi in [BidiMode::App, BidiMode::Off, BidiMode::Terminal] {
                let o = LayoutOptions { width, shape: ShapeMode::On, bidi };
                let mut full = layout_paragraph(&text, dir, &o);
                for line in &mut full.lines {
                    line.clusters.clear();
                }
                proptest::prop_assert_eq!(layout_paragraph_lines(&text, dir, &o), full);
            }
        }
    }

    proptest::proptest! {
        /// The shortcut for paragraphs that resolve wholly left to right draws exactly what the
        /// bidi algorithm would, on mixed text, in every mode.
        #[test]
        fn the_all_ltr_shortcut_draws_what_bidi_draws(
            text in "[ a-zA-Z0-9.,()\u{2013}\u{301}\u{E9}\u{A0}\u{200B}-\u{200F}\u{627}\u{644}\u{645}\u{64B}\u{661}\u{5D0}\u{2067}\u{2069}\u{202E}\u{1F1E6}\u{1F600}]{0,60}",
            width in 1usize..30,
            rtl in proptest::bool::ANY,
            shaped in proptest::bool::ANY,
        ) {
            let dir = if rtl { Direction::Rtl } else { Direction::Ltr };
            let shape = if shaped { ShapeMode::On } else { ShapeMode::Off };
            for bidi in [BidiMode::App, BidiMode::Off, BidiMode::Terminal] {
                let o = LayoutOptions { width, shape, bidi };
                proptest::prop_assert_eq!(lay_out(&text, dir, &o, true, true), lay_out(&text, dir, &o, false, true));
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn display_line_always_fits(text in "[a\u{202A}-\u{202E}\u{2066}-\u{2069}\u{301}\u{93E} \u{644}\u{627}\u{628}\u{200D}\u{200C}\u{1F1E6}\u{4E2D}\n\u{1b}]{0,40}", max in 0usize..30) {
            for (shape, bidi) in [(ShapeMode::On, BidiMode::App), (ShapeMode::Off, BidiMode::Terminal), (ShapeMode::On, BidiMode::Off)] {
                let t = display_line(&text, max, shape, bidi);
                proptest::prop_assert!(crate::text::width::str_width(&t) <= max);
                proptest::prop_assert!(!t.chars().any(|c| c.is_control() || crate::text::sanitize::is_bidi_control(c)));
            }
        }
    }

    #[test]
    fn controls_never_come_out_raw() {
        let t = display_line("a\u{202E}bc\n\u{2066}d", 40, ShapeMode::Off, BidiMode::App);
        assert!(
            !t.chars()
                .any(|c| crate::text::sanitize::is_bidi_control(c) || c.is_control())
        );
    }
}
