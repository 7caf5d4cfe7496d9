//! folio's visual reordering against the Unicode conformance data (BidiCharacterTest.txt), so
//! that a regression in reordering cannot land.
//!
//! The fixture is a trimmed copy of the file (its header says how it was trimmed). Each case
//! gives code points, a paragraph direction, the resolved paragraph level, the resolved level of
//! each character (`x` for those removed by rule X9) and the visual order of the others.
//!
//! folio reorders grapheme clusters, not characters, so that a mark stays on its letter
//! (rule L3's spirit; the file leaves L3 out). So the test compares, at the paragraph level the
//! file gives, the order of clusters and whether each is drawn right to left. A case in which
//! one cluster's characters resolved to different levels could not be drawn by cluster; none
//! of the fixture's cases does, and the test fails if one ever did.

use std::collections::HashMap;

use folio::text::Direction;
use folio::text::bidi::{BidiParagraph, first_strong};
use unicode_segmentation::UnicodeSegmentation;

const DATA: &str = include_str!("fixtures/bidi/BidiCharacterTest.txt");

/// One test case of the file.
struct Case {
    line: usize,
    text: String,
    /// Field 1: 0 LTR, 1 RTL, 2 auto.
    direction: u8,
    /// Field 2.
    paragraph_level: u8,
    /// Field 3, by character: `None` for `x`.
    levels: Vec<Option<u8>>,
    /// Field 4: character indices, left to right.
    order: Vec<usize>,
}

fn cases() -> Vec<Case> {
    DATA.lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(i, l)| {
            let f: Vec<&str> = l.split(';').collect();
            assert_eq!(f.len(), 5, "line {}", i + 1);
            let text = f[0]
                .split_whitespace()
                .map(|h| char::from_u32(u32::from_str_radix(h, 16).unwrap()).unwrap())
                .collect();
            Case {
                line: i + 1,
                text,
                direction: f[1].parse().unwrap(),
                paragraph_level: f[2].parse().unwrap(),
                levels: f[3].split_whitespace().map(|l| l.parse().ok()).collect(),
                order: f[4]
                    .split_whitespace()
                    .map(|i| i.parse().unwrap())
                    .collect(),
            }
        })
        .collect()
}

/// What the file expects and what folio does, each as (cluster, drawn right to left) left to
/// right; an error when the case cannot be drawn by cluster.
type Order = Vec<(usize, bool)>;

fn compare(case: &Case) -> Result<(Order, Order), String> {
    let text = &case.text;
    // Char index → cluster, and byte offset → cluster.
    let mut cluster_of_char = Vec::new();
    let mut cluster_at_byte = HashMap::new();
    for (k, (at, g)) in text.grapheme_indices(true).enumerate() {
        cluster_at_byte.insert(at, k);
        cluster_of_char.extend(std::iter::repeat_n(k, g.chars().count()));
    }
    // Each cluster's level: that of its characters that X9 keeps, which must agree.
    let clusters = cluster_at_byte.len();
    let mut level: Vec<Option<u8>> = vec![None; clusters];
    for (ch, l) in case.levels.iter().enumerate() {
        let Some(l) = *l else { continue };
        match level[cluster_of_char[ch]] {
            Some(other) if other != l => {
                return Err(format!(
                    "cluster {} has levels {other} and {l}",
                    cluster_of_char[ch]
                ));
            }
            _ => level[cluster_of_char[ch]] = Some(l),
        }
    }
    let mut expected: Vec<(usize, bool)> = Vec::new();
    for &ch in &case.order {
        let k = cluster_of_char[ch];
        if expected.last().map(|e| e.0) != Some(k) {
            expected.push((k, level[k].is_some_and(|l| l % 2 == 1)));
        }
    }
    let dir = if case.paragraph_level == 1 {
        Direction::Rtl
    } else {
        Direction::Ltr
    };
    let folio: Vec<(usize, bool)> = BidiParagraph::new(text, dir)
        .visual_clusters(0..text.len())
        .into_iter()
        .map(|(r, rtl)| (cluster_at_byte[&r.start], rtl))
        // Clusters made only of characters X9 removes are not in the file's order.
        .filter(|(k, _)| level[*k].is_some())
        .collect();
    Ok((expected, folio))
}

#[test]
fn visual_order_matches_bidi_character_test() {
    let cases = cases();
    // The fixture's 3181 cases, with room for a trim that keeps a few less.
    assert!(cases.len() >= 3000, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let outcome = match compare(case) {
            Ok((expected, folio)) if expected == folio => continue,
            Ok((expected, folio)) => format!("expected {expected:?}\n  folio    {folio:?}"),
            Err(e) => e,
        };
        failures.push(format!(
            "line {}: {:?} at level {}\n  {outcome}",
            case.line, case.text, case.paragraph_level
        ));
    }
    let shown: Vec<&String> = failures.iter().take(10).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{shown:#?}",
        failures.len(),
        cases.len()
    );
}

/// Rule P2/P3: where the file lets the algorithm find the paragraph direction, folio's first
/// strong letter (isolates skipped) finds the same.
#[test]
fn first_strong_letter_matches_the_auto_direction_cases() {
    let mut checked = 0;
    for case in cases().iter().filter(|c| c.direction == 2) {
        let level = match first_strong(&case.text) {
            Some(Direction::Rtl) => 1,
            Some(Direction::Ltr) | None => 0,
        };
        assert_eq!(level, case.paragraph_level, "line {}", case.line);
        checked += 1;
    }
    assert!(checked >= 20, "{checked} auto-direction cases");
}
