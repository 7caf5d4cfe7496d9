//! The jump prompt: every source gets a short label, so any of hundreds is two keys away. A
//! source with a letter hotkey is labelled with it, so `'d` and `d` go to the same place.

use crate::keymap::{Action, Key, KeyCode};

/// Home row first, then the rows above and below.
pub const LABEL_KEYS: &str = "asdfghjklqwertyuiopzxcvbnm";

/// Labels for `count` sources: one letter each when they fit, otherwise two.
pub fn labels(count: usize) -> Vec<String> {
    labels_with_hotkeys(&vec![None; count])
}

/// Labels for sources with these hotkeys: a source with a letter hotkey is labelled with it;
/// the others get the letters left over, one each when they fit, otherwise two (and no two-letter
/// label starts with a letter that is a label of its own, so every label can be typed).
pub fn labels_with_hotkeys(hotkeys: &[Option<char>]) -> Vec<String> {
    let own = |h: &Option<char>| h.filter(|c| c.is_alphabetic());
    let taken: Vec<char> = hotkeys.iter().filter_map(own).collect();
    let free: Vec<char> = LABEL_KEYS.chars().filter(|c| !taken.contains(c)).collect();
    let unlabelled = hotkeys.iter().filter(|h| own(h).is_none()).count();
    let mut generated: Box<dyn Iterator<Item = String>> = if unlabelled <= free.len() {
        Box::new(free.clone().into_iter().map(String::from))
    } else {
        let n = free.len();
        Box::new((0..n * n).map(move |i| [free[i / n], free[i % n]].iter().collect()))
    };
    hotkeys
        .iter()
        .map(|h| match own(h) {
            Some(c) => c.to_string(),
            None => generated.next().unwrap_or_default(),
        })
        .collect()
}

/// What typing `typed` at the prompt means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Typed {
    /// Exactly one label: jump to that source.
    Jump(usize),
    /// A prefix of some labels: wait for more.
    Partial,
    /// No label starts so.
    NoMatch,
}

pub fn resolve(labels: &[String], typed: &str) -> Typed {
    if let Some(i) = labels.iter().position(|l| l == typed) {
        return Typed::Jump(i);
    }
    if labels.iter().any(|l| l.starts_with(typed)) {
        Typed::Partial
    } else {
        Typed::NoMatch
    }
}

/// A key at the jump prompt: a letter narrows the labels, `delete_back` takes one back, and
/// anything else cancels.
pub(super) fn handle(
    labels: &[String],
    typed: &mut String,
    key: Key,
    action: Option<Action>,
) -> super::Outcome {
    match (action, key.code, key.ctrl || key.alt) {
        (Some(Action::DeleteBack), _, _) if !typed.is_empty() => {
            typed.pop();
            super::Outcome::Stay
        }
        (Some(Action::Cancel), _, _) => super::Outcome::Close,
        (None, KeyCode::Char(c), false) => {
            typed.push(c);
            match resolve(labels, typed) {
                Typed::Jump(index) => super::Outcome::JumpTo(index),
                Typed::Partial => super::Outcome::Stay,
                Typed::NoMatch => super::Outcome::NoLabel(typed.clone()),
            }
        }
        _ => super::Outcome::Close,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hotkeys_are_their_sources_labels() {
        let l = labels_with_hotkeys(&[Some('r'), None, Some('d'), Some('1'), None]);
        assert_eq!(l, vec!["r", "a", "d", "s", "f"]);
        assert_eq!(resolve(&l, "d"), Typed::Jump(2));
        // With more sources than free letters, generated labels are two letters long and never
        // start with a hotkey's letter.
        let mut hotkeys = vec![Some('a')];
        hotkeys.extend(std::iter::repeat_n(None, 40));
        let l = labels_with_hotkeys(&hotkeys);
        assert_eq!(l[0], "a");
        assert!(
            l[1..]
                .iter()
                .all(|s| s.chars().count() == 2 && !s.starts_with('a'))
        );
        let unique: std::collections::HashSet<_> = l.iter().collect();
        assert_eq!(unique.len(), l.len());
    }

    #[test]
    fn few_sources_get_one_letter() {
        assert_eq!(labels(3), vec!["a", "s", "d"]);
        assert_eq!(resolve(&labels(5), "d"), Typed::Jump(2));
        assert_eq!(resolve(&labels(5), "x"), Typed::NoMatch);
    }

    #[test]
    fn hundreds_of_sources_are_two_keys_away() {
        let l = labels(300);
        assert_eq!(l.len(), 300);
        assert!(l.iter().all(|s| s.chars().count() == 2));
        let unique: std::collections::HashSet<_> = l.iter().collect();
        assert_eq!(unique.len(), 300);
        assert_eq!(resolve(&l, "a"), Typed::Partial);
        assert_eq!(resolve(&l, &l[299]), Typed::Jump(299));
    }
}
