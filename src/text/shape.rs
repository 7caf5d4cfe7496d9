//! Arabic shaping: letters become the presentation forms a terminal can draw joined.
//!
//! Most terminals draw each Arabic letter in its isolated form, so words look broken apart.
//! folio converts letters to their initial, medial, final or isolated presentation forms with
//! `ar-reshaper`, configured to
//! - keep harakat (the crate deletes them by default),
//! - form only the lam-alef ligatures (U+FEF5..U+FEFC), which every Arabic font has and which
//!   take one cell, and none of the word or sentence ligatures such as "الله" or "ﷺ" that would
//!   make a word unreadable in a narrow cell.
//!
//! Shaping works on runs of Arabic letters and harakat, so joining never crosses a space, a digit,
//! a ZWNJ or anything else; a ZWJ next to a run makes the letter beside it join towards it, as
//! in the Persian abbreviation "ه‍.ش" (initial heh) or a lone "ب‍", and is then drawn as nothing. Every run is aligned back to the original text: each shaped letter
//! with its harakat stands for one original letter with its harakat, a lam-alef ligature for the
//! lam, the alef and their harakat. [`Shaped`] keeps that alignment so that layout can report
//! exactly which logical bytes each drawn cell shows. Widths stay exact: presentation forms take
//! one cell, harakat none.

use std::ops::Range;
use std::sync::OnceLock;

use ar_reshaper::prelude::LigatureNames;
use ar_reshaper::{ArabicReshaper, ReshaperConfig};

const ZWJ: char = '\u{200D}';

/// Longest run (in chars) shaped in one go; longer "words" are shaped in pieces, so that
/// pathological input cannot make shaping slow.
const MAX_RUN: usize = 256;

/// Text after shaping, with the way back to the original.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shaped {
    /// The shaped text.
    pub text: String,
    /// The shaped letters, in order: each is a letter (or lam-alef) with its harakat, in both texts.
    /// Between them the text was copied unchanged.
    segments: Vec<Segment>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Segment {
    orig: Range<usize>,
    shaped: Range<usize>,
}

impl Shaped {
    /// Text left as it is.
    pub fn unshaped(text: &str) -> Shaped {
        Shaped {
            text: text.to_string(),
            segments: Vec::new(),
        }
    }

    /// Whether shaping left the text as it was (it had no Arabic letters).
    pub fn is_unchanged(&self) -> bool {
        self.segments.is_empty()
    }

    /// Where original byte offset `orig` falls in the shaped text, or `None` when it is inside a
    /// shaped letter (between a letter and its harakat, or between the lam and alef of a ligature).
    pub fn to_shaped(&self, orig: usize) -> Option<usize> {
        let i = self.segments.partition_point(|s| s.orig.start <= orig);
        self.to_shaped_after(orig, i)
    }

    /// [`Shaped::to_shaped`], given `i`: how many segments start at or before `orig`.
    fn to_shaped_after(&self, orig: usize, i: usize) -> Option<usize> {
        let Some(s) = i.checked_sub(1).map(|i| &self.segments[i]) else {
            return Some(orig);
        };
        if orig == s.orig.start {
            Some(s.shaped.start)
        } else if orig < s.orig.end {
            None
        } else {
            Some(s.shaped.end + (orig - s.orig.end))
        }
    }

    /// [`Shaped::to_shaped`] for offsets asked in increasing order, in linear time overall.
    pub(crate) fn cursor(&self) -> ShapedCursor<'_> {
        ShapedCursor {
            shaped: self,
            next: 0,
        }
    }

    /// Where shaped byte offset `shaped` falls in the original text, or `None` when it is inside
    /// a shaped letter.
    pub fn to_original(&self, shaped: usize) -> Option<usize> {
        let i = self.segments.partition_point(|s| s.shaped.start <= shaped);
        let Some(s) = i.checked_sub(1).map(|i| &self.segments[i]) else {
            return Some(shaped);
        };
        if shaped == s.shaped.start {
            Some(s.orig.start)
        } else if shaped < s.shaped.end {
            None
        } else {
            Some(s.orig.end + (shaped - s.shaped.end))
        }
    }

    /// The original bytes that a range of shaped bytes stands for, widened to whole shaped letters
    /// (a lam-alef ligature covers both letters).
    pub fn original_range(&self, shaped: Range<usize>) -> Range<usize> {
        self.widen(shaped, |s| &s.shaped, |s| &s.orig)
    }

    /// The shaped bytes that draw a range of original bytes, widened to whole shaped letters.
    pub fn shaped_range(&self, orig: Range<usize>) -> Range<usize> {
        self.widen(orig, |s| &s.orig, |s| &s.shaped)
    }

    fn widen(
        &self,
        r: Range<usize>,
        from: impl Fn(&Segment) -> &Range<usize>,
        to: impl Fn(&Segment) -> &Range<usize>,
    ) -> Range<usize> {
        let map = |pos: usize, round_up: bool| {
            let i = self.segments.partition_point(|s| from(s).start <= pos);
            let Some(s) = i.checked_sub(1).map(|i| &self.segments[i]) else {
                return pos;
            };
            let (f, t) = (from(s), to(s));
            if pos == f.start {
                t.start
            } else if pos < f.end {
                if round_up { t.end } else { t.start }
            } else {
                t.end + (pos - f.end)
            }
        };
        let start = map(r.start, false);
        let end = map(r.end, true).max(start);
        start..end
    }
}

/// See [`Shaped::cursor`].
pub(crate) struct ShapedCursor<'a> {
    shaped: &'a Shaped,
    /// How many segments start at or before the offset asked last.
    next: usize,
}

impl ShapedCursor<'_> {
    /// [`Shaped::to_shaped`]; fastest when `orig` is at or after the offset asked last.
    pub(crate) fn shaped_at(&mut self, orig: usize) -> Option<usize> {
        let segments = &self.shaped.segments;
        if self.next > 0 && segments[self.next - 1].orig.start > orig {
            self.next = segments.partition_point(|s| s.orig.start <= orig);
        }
        while segments
            .get(self.next)
            .is_some_and(|s| s.orig.start <= orig)
        {
            self.next += 1;
        }
        self.shaped.to_shaped_after(orig, self.next)
    }
}

fn reshaper() -> &'static ArabicReshaper {
    static RESHAPER: OnceLock<ArabicReshaper> = OnceLock::new();
    RESHAPER.get_or_init(|| {
        // The default config forms lam-alef and also the "الله" word ligature, and deletes harakat.
        let mut config = ReshaperConfig {
            delete_harakat: false,
            ..ReshaperConfig::default()
        };
        config.update_ligature(LigatureNames::ARABIC_LIGATURE_ALLAH, false);
        config.to_reshaper()
    })
}

/// Whether ar-reshaper knows `c` as a letter it can shape (ZWJ, which it also lists, excluded).
fn is_letter(c: char) -> bool {
    static LETTERS: OnceLock<Vec<char>> = OnceLock::new();
    if !('\u{0621}'..='\u{06FF}').contains(&c) {
        return false;
    }
    LETTERS
        .get_or_init(|| {
            let mut v: Vec<char> = ar_reshaper::letters::letters_db::LETTERS_ARABIC
                .iter()
                .map(|(c, _)| *c)
                .filter(|&c| c != '\u{200D}')
                .collect();
            v.sort_unstable();
            v
        })
        .binary_search(&c)
        .is_ok()
}

/// Harakat as ar-reshaper sees them, less the few in its ranges that are not combining marks
/// (U+06E5, U+06E6 small waw/yeh, U+08E2): those end a run instead, so every haraka fed to
/// the reshaper belongs to the grapheme cluster of its letter.
fn is_haraka(c: char) -> bool {
    matches!(c,
        '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E4}'
        | '\u{06E7}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06ED}'
        | '\u{08D4}'..='\u{08E1}'
        | '\u{08E3}'..='\u{08FF}')
}

fn is_lam_alef(c: char) -> bool {
    ('\u{FEF5}'..='\u{FEFC}').contains(&c)
}

/// Whether `text` has anything to shape.
pub fn needs_shaping(text: &str) -> bool {
    text.chars().any(is_letter)
}

/// Shape the Arabic in `text`; everything else is copied unchanged.
pub fn shape(text: &str) -> Shaped {
    if !needs_shaping(text) {
        return Shaped::unshaped(text);
    }
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    let mut segments = Vec::new();
    let mut copied = 0; // bytes of `text` already handled
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if !is_letter(c) {
            continue;
        }
        // A run: a letter, then letters and harakat.
        let mut end = at + c.len_utf8();
        let mut count = 1;
        let mut prev_base = c;
        while let Some(&(i, n)) = chars.peek() {
            let letter = is_letter(n);
            if !(letter || is_haraka(n)) {
                break;
            }
            // Cut very long runs before a letter, never inside a lam-alef.
            if letter && count >= MAX_RUN && prev_base != '\u{0644}' {
                break;
            }
            if letter {
                prev_base = n;
            }
            count += 1;
            end = i + n.len_utf8();
            chars.next();
        }
        out.push_str(&text[copied..at]);
        let run = &text[at..end];
        // A ZWJ on either side makes the letter there join towards it ("ه‍.ش" shows the
        // initial heh). The ZWJ itself stays in the text, outside the run, for layout to draw
        // as nothing.
        let (before, after) = (text[..at].ends_with(ZWJ), text[end..].starts_with(ZWJ));
        let base = out.len();
        with_shaped_run(run, before, after, |shaped| match shaped {
            Some((shaped, segs)) => {
                segments.extend(segs.iter().map(|s| Segment {
                    orig: at + s.orig.start..at + s.orig.end,
                    shaped: base + s.shaped.start..base + s.shaped.end,
                }));
                out.push_str(shaped);
            }
            // Never expected; if the reshaper ever surprises us the run is shown unshaped.
            None => out.push_str(run),
        });
        copied = end;
    }
    out.push_str(&text[copied..]);
    Shaped {
        text: out,
        segments,
    }
}

/// A run shaped, with its alignment; `None` when the reshaper's output could not be aligned.
type ShapedRun = Option<(String, Vec<Segment>)>;

/// Runs already shaped on this thread, by whether they are joined before and after (see
/// [`reshape_joined`]), then by their text. Words recur (articles, prepositions, names), so
/// most runs of an article are shaped once: the reshaper is the slowest step of laying out
/// Arabic.
type RunCache = [std::collections::HashMap<String, ShapedRun>; 4];

/// Most runs kept for each way of joining; a full map is emptied, so the cache stays within a
/// few hundred KiB per thread.
const RUN_CACHE_LEN: usize = 2048;

/// Longest run kept, in bytes: long runs seldom recur, and are shaped each time.
const RUN_CACHE_MAX_BYTES: usize = 64;

fn view(shaped: &ShapedRun) -> Option<(&str, &[Segment])> {
    shaped
        .as_ref()
        .map(|(s, segs)| (s.as_str(), segs.as_slice()))
}

/// Call `f` with `run` shaped and aligned (see [`reshape_joined`] and [`align`]), from the
/// thread's cache when the run was shaped before.
fn with_shaped_run<R>(
    run: &str,
    before: bool,
    after: bool,
    f: impl FnOnce(Option<(&str, &[Segment])>) -> R,
) -> R {
    thread_local! {
        static RUNS: std::cell::RefCell<RunCache> = std::cell::RefCell::default();
    }
    let fresh = || -> ShapedRun {
        let shaped = reshape_joined(run, before, after);
        align(run, &shaped).map(|segs| (shaped, segs))
    };
    if run.len() > RUN_CACHE_MAX_BYTES {
        return f(view(&fresh()));
    }
    RUNS.with_borrow_mut(|runs| {
        let map = &mut runs[usize::from(before) * 2 + usize::from(after)];
        if !map.contains_key(run) {
            if map.len() >= RUN_CACHE_LEN {
                map.clear();
            }
            map.insert(run.to_string(), fresh());
        }
        f(view(&map[run]))
    })
}

/// Shape a run of letters and harakat, joined at its start and/or end to a neighbour that is
/// not shaped (a ZWJ). The reshaper is shown a tatweel there, which joins on both sides and has
/// no forms of its own, and the tatweel is taken off again. (Shown the ZWJ itself, ar-reshaper
/// 1.5 drops it before looking for ligatures and then indexes past its output: "‍لا" panics.)
fn reshape_joined(run: &str, before: bool, after: bool) -> String {
    const TATWEEL: char = '\u{0640}';
    if !before && !after {
        return reshaper().reshape(run);
    }
    let mut joined = String::with_capacity(run.len() + 4);
    if before {
        joined.push(TATWEEL);
    }
    joined.push_str(run);
    if after {
        joined.push(TATWEEL);
    }
    let shaped = reshaper().reshape(&joined);
    let trimmed = match (before, after) {
        (true, true) => shaped
            .strip_prefix(TATWEEL)
            .and_then(|s| s.strip_suffix(TATWEEL)),
        (true, false) => shaped.strip_prefix(TATWEEL),
        _ => shaped.strip_suffix(TATWEEL),
    };
    match trimmed {
        Some(t) => t.to_string(),
        // Never expected; shaped on its own the run is at worst unjoined at that end.
        None => reshaper().reshape(run),
    }
}

/// Pair each shaped letter (with its harakat) with the original letter(s) and harakat it stands for.
fn align(orig: &str, shaped: &str) -> Option<Vec<Segment>> {
    let mut o = orig.char_indices().peekable();
    let mut s = shaped.char_indices().peekable();
    let mut segs = Vec::new();
    while let Some((s_at, sc)) = s.next() {
        let (o_at, oc) = o.next()?;
        if is_haraka(sc) || is_haraka(oc) {
            return None;
        }
        let mut harakat = 0;
        while o.next_if(|&(_, c)| is_haraka(c)).is_some() {
            harakat += 1;
        }
        if is_lam_alef(sc) {
            if oc != '\u{0644}' {
                return None;
            }
            o.next_if(|&(_, c)| matches!(c, '\u{0622}' | '\u{0623}' | '\u{0625}' | '\u{0627}'))?;
            while o.next_if(|&(_, c)| is_haraka(c)).is_some() {
                harakat += 1;
            }
        }
        let mut shaped_harakat = 0;
        while s.next_if(|&(_, c)| is_haraka(c)).is_some() {
            shaped_harakat += 1;
        }
        if harakat != shaped_harakat {
            return None;
        }
        let o_end = o.peek().map_or(orig.len(), |&(i, _)| i);
        let s_end = s.peek().map_or(shaped.len(), |&(i, _)| i);
        segs.push(Segment {
            orig: o_at..o_end,
            shaped: s_at..s_end,
        });
    }
    if o.next().is_some() {
        return None;
    }
    Some(segs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_maps_as_to_shaped_does_in_any_order() {
        let text = "قال لا، بالعربية: \u{644}\u{64E}\u{627} و a ب\u{200D}";
        let s = shape(text);
        let mut forward = s.cursor();
        for at in 0..=text.len() {
            assert_eq!(forward.shaped_at(at), s.to_shaped(at), "{at}");
        }
        let mut back = s.cursor();
        for at in (0..=text.len()).rev() {
            assert_eq!(back.shaped_at(at), s.to_shaped(at), "{at}");
        }
    }

    #[test]
    fn a_run_shaped_again_comes_from_the_cache_unchanged() {
        for text in [
            "سلام",
            "ب\u{200D}",
            "\u{200D}ب",
            "\u{200D}ب\u{200D}",
            "لا",
            "ب",
        ] {
            let uncached = reshape_joined(
                text.trim_matches(ZWJ),
                text.starts_with(ZWJ),
                text.ends_with(ZWJ),
            );
            let first = shape(text);
            let again = shape(text);
            assert_eq!(first, again, "{text:?}");
            assert!(first.text.contains(&uncached), "{text:?}: {first:?}");
        }
        // The same letters joined differently are kept apart.
        assert_ne!(shape("ب\u{200D}").text, shape("ب").text);
    }
    use crate::text::width::{cluster_width, str_width};
    use unicode_segmentation::UnicodeSegmentation;

    fn is_presentation_form(c: char) -> bool {
        ('\u{FB50}'..='\u{FDFF}').contains(&c) || ('\u{FE70}'..='\u{FEFF}').contains(&c)
    }

    #[test]
    fn letters_become_joined_presentation_forms() {
        let s = shape("سلام");
        // seen initial, lam-alef final, meem isolated
        assert_eq!(s.text, "\u{FEB3}\u{FEFC}\u{FEE1}");
        assert_eq!(str_width(&s.text), 3);
        let s = shape("مرحبا");
        assert_eq!(s.text, "\u{FEE3}\u{FEAE}\u{FEA3}\u{FE92}\u{FE8E}");
        assert!(s.text.chars().all(is_presentation_form));
    }

    #[test]
    fn lam_alef_is_one_cell_in_all_its_forms() {
        for (word, lig) in [
            ("لا", '\u{FEFB}'),
            ("سلا", '\u{FEFC}'),
            ("لأ", '\u{FEF7}'),
            ("لإ", '\u{FEF9}'),
            ("لآ", '\u{FEF5}'),
            ("سلآ", '\u{FEF6}'),
        ] {
            let s = shape(word);
            assert_eq!(s.text.chars().last(), Some(lig), "{word}");
            assert_eq!(str_width(&s.text), str_width(word) - 1, "{word}");
        }
    }

    #[test]
    fn harakat_are_kept_and_take_no_cell() {
        let word = "دولارًا";
        let s = shape(word);
        assert_eq!(s.text, "\u{FEA9}\u{FEED}\u{FEFB}\u{FEAD}\u{064B}\u{FE8D}");
        assert_eq!(str_width(&s.text), 5);
        let s = shape("كَتَبَ");
        assert_eq!(s.text.chars().filter(|&c| is_haraka(c)).count(), 3);
        assert_eq!(str_width(&s.text), 3);
        // A haraka between lam and alef stays with the ligature.
        let s = shape("لَا");
        assert_eq!(s.text, "\u{FEFB}\u{064E}");
        assert_eq!(s.original_range(0..s.text.len()), 0.."لَا".len());
        assert_eq!(s.to_shaped(2), None);
    }

    #[test]
    fn no_word_or_sentence_ligatures() {
        assert_eq!(shape("الله").text, "\u{FE8D}\u{FEDF}\u{FEE0}\u{FEEA}");
        assert_eq!(str_width(&shape("الله").text), 4);
        let salla = "صلى الله عليه وسلم";
        assert!(!shape(salla).text.contains('\u{FDFA}'));
        assert_eq!(str_width(&shape(salla).text), str_width(salla));
    }

    #[test]
    fn joining_stops_at_spaces_digits_and_zwnj() {
        assert_eq!(shape("ب ب").text, "\u{FE8F} \u{FE8F}");
        assert_eq!(shape("ب1ب").text, "\u{FE8F}1\u{FE8F}");
        // Persian "mi-" prefix: ZWNJ keeps the yeh final and the next letter initial.
        let s = shape("می\u{200C}خواهم");
        assert!(s.text.contains('\u{200C}'));
        assert!(s.text.starts_with("\u{FEE3}"));
    }

    #[test]
    fn a_zwj_makes_the_letter_beside_it_join() {
        // Heh before a ZWJ takes its initial form, not the isolated one.
        let s = shape("ه\u{200D}.ش");
        assert_eq!(s.text, "\u{FEEB}\u{200D}.\u{FEB5}");
        assert_eq!(shape("ه").text, "\u{FEE9}");
        assert_eq!(shape("ب\u{200D}").text, "\u{FE91}\u{200D}");
        // After a ZWJ, the final form; between two, the medial.
        assert_eq!(shape("\u{200D}ب").text, "\u{200D}\u{FE90}");
        assert_eq!(shape("\u{200D}ب\u{200D}").text, "\u{200D}\u{FE92}\u{200D}");
        // A ZWJ between two letters keeps them joined, and keeps lam and alef apart letters.
        assert_eq!(shape("ل\u{200D}ا").text, "\u{FEDF}\u{200D}\u{FE8E}");
        // A ZWJ before a lam-alef (which the reshaper itself cannot take) joins it too.
        assert_eq!(shape("\u{200D}لا").text, "\u{200D}\u{FEFC}");
        assert_eq!(
            shape("\u{200D}لَا\u{200D}").text,
            "\u{200D}\u{FEFC}\u{064E}\u{200D}"
        );
        // Offsets still map both ways across the joiner.
        let text = "ه\u{200D}.ش";
        for (i, _) in text.char_indices() {
            if let Some(j) = s.to_shaped(i) {
                assert_eq!(s.to_original(j), Some(i));
            }
        }
        assert_eq!(s.to_shaped(2), Some(3));
    }

    #[test]
    fn a_zwnj_keeps_persian_letters_apart_and_stays_in_place() {
        // "می‌شود": meem initial, yeh final, ZWNJ, sheen initial, waw final, dal isolated.
        let s = shape("می\u{200C}شود");
        assert_eq!(s.text, "\u{FEE3}\u{FBFD}\u{200C}\u{FEB7}\u{FEEE}\u{FEA9}");
        // Without the ZWNJ the yeh would join the sheen.
        assert_eq!(shape("میشود").text.chars().nth(1), Some('\u{FBFF}'));
    }

    #[test]
    fn other_text_is_untouched() {
        let text = "Hello, 世界 (2023) 😀";
        let s = shape(text);
        assert_eq!(s.text, text);
        assert_eq!(s.to_shaped(5), Some(5));
        assert_eq!(s.original_range(3..7), 3..7);
    }

    #[test]
    fn offsets_map_both_ways() {
        let text = "قال سلام 12";
        let s = shape(text);
        for (i, _) in text.char_indices() {
            if let Some(j) = s.to_shaped(i) {
                assert_eq!(s.to_original(j), Some(i));
            }
        }
        // "سلام": the lam and the alef are one shaped letter.
        let lam = text.find("سلام").unwrap() + 2;
        let alef = lam + 2;
        assert!(s.to_shaped(lam).is_some());
        assert_eq!(s.to_shaped(alef), None);
        let lig = s.to_shaped(lam).unwrap();
        assert_eq!(s.original_range(lig..lig + 3), lam..alef + 2);
        assert_eq!(s.shaped_range(alef..alef + 2), lig..lig + 3);
        // After the Arabic the offsets shift by a constant.
        let digits = text.find("12").unwrap();
        let shaped_digits = s.text.find("12").unwrap();
        assert_eq!(s.to_shaped(digits), Some(shaped_digits));
        assert_eq!(
            s.original_range(shaped_digits..s.text.len()),
            digits..text.len()
        );
    }

    #[test]
    fn a_lone_haraka_is_left_alone() {
        let s = shape("\u{064B}ب");
        assert_eq!(s.text, "\u{064B}\u{FE8F}");
    }

    #[test]
    fn every_letter_form_is_one_cell() {
        for (letter, forms) in ar_reshaper::letters::letters_db::LETTERS_ARABIC.iter() {
            if *letter == '\u{200D}' {
                continue;
            }
            for c in [
                *letter,
                forms.isolated,
                forms.initial,
                forms.medial,
                forms.end,
            ] {
                if c != '\0' {
                    assert_eq!(cluster_width(c.encode_utf8(&mut [0; 4])), 1, "{c:?}");
                }
            }
        }
    }

    #[test]
    fn shaped_clusters_match_original_clusters() {
        let text = "قالَ الطالبُ: لا، إلى المدرسةِ 2023.";
        let s = shape(text);
        let orig_clusters = text.graphemes(true).count();
        let shaped_clusters = s.text.graphemes(true).count();
        let lam_alefs = s.text.chars().filter(|&c| is_lam_alef(c)).count();
        assert_eq!(shaped_clusters + lam_alefs, orig_clusters);
        assert_eq!(str_width(&s.text) + lam_alefs, str_width(text));
    }

    #[test]
    fn long_runs_are_shaped_in_pieces() {
        let text = "ب".repeat(1000);
        let s = shape(&text);
        assert_eq!(str_width(&s.text), 1000);
        assert_eq!(s.original_range(0..s.text.len()), 0..text.len());
    }
}
