//! Bidi: paragraph direction (UAX #9 P2/P3 with a majority rule) and per-line visual reordering.

use unicode_bidi::{BidiClass, bidi_class};

use super::Direction;

/// The direction of a paragraph, by folio's rule:
/// a paragraph whose strong letters are mostly right-to-left is RTL, even when it opens with a
/// Latin name or a digit; otherwise the first strong character decides (UAX #9 P2/P3).
/// Returns `None` when the paragraph has no strong letter (the caller keeps the previous direction).
pub fn paragraph_direction(text: &str) -> Option<Direction> {
    let mut ltr = 0usize;
    let mut rtl = 0usize;
    let mut first = None;
    for c in text.chars() {
        let dir = match bidi_class(c) {
            BidiClass::L => Direction::Ltr,
            BidiClass::R | BidiClass::AL => Direction::Rtl,
            _ => continue,
        };
        first.get_or_insert(dir);
        match dir {
            Direction::Ltr => ltr += 1,
            Direction::Rtl => rtl += 1,
        }
    }
    if rtl > ltr {
        Some(Direction::Rtl)
    } else if ltr > rtl {
        Some(Direction::Ltr)
    } else {
        first
    }
}

/// Directions for a run of paragraphs: a paragraph with no strong letter takes the direction of
/// the paragraph before it (LTR for the first).
pub fn paragraph_directions<'a>(paragraphs: impl IntoIterator<Item = &'a str>) -> Vec<Direction> {
    let mut previous = Direction::Ltr;
    paragraphs
        .into_iter()
        .map(|p| {
            previous = paragraph_direction(p).unwrap_or(previous);
            previous
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Direction::*;

    #[test]
    fn majority_rtl_wins_over_a_leading_latin_name() {
        assert_eq!(paragraph_direction("Linux هو نظام تشغيل."), Some(Rtl));
        assert_eq!(
            paragraph_direction("زار Alan Turing المدينة عام 2023"),
            Some(Rtl)
        );
    }

    #[test]
    fn mostly_latin_is_ltr() {
        assert_eq!(paragraph_direction("The word سلام means peace."), Some(Ltr));
        assert_eq!(paragraph_direction("2023 was a year"), Some(Ltr));
    }

    #[test]
    fn a_tie_goes_to_the_first_strong_letter() {
        assert_eq!(paragraph_direction("ab سل"), Some(Ltr));
        assert_eq!(paragraph_direction("سل ab"), Some(Rtl));
    }

    #[test]
    fn no_strong_letter_follows_the_previous_paragraph() {
        assert_eq!(paragraph_direction("07 — 2023 (!)"), None);
        assert_eq!(
            paragraph_directions(["مرحبا", "123", "hello", "..."]),
            vec![Rtl, Rtl, Ltr, Ltr]
        );
        assert_eq!(paragraph_directions(["", "x"]), vec![Ltr, Ltr]);
    }
}
