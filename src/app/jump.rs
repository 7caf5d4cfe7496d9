//! Labels for the jump prompt: every source gets a short key, so any of hundreds is two keys away.

/// Home row first, then the rows above and below.
pub const LABEL_KEYS: &str = "asdfghjklqwertyuiopzxcvbnm";

/// Labels for `count` sources: one letter each when they fit, otherwise two.
pub fn labels(count: usize) -> Vec<String> {
    let keys: Vec<char> = LABEL_KEYS.chars().collect();
    let n = keys.len();
    if count <= n {
        return keys.iter().take(count).map(|c| c.to_string()).collect();
    }
    (0..count.min(n * n))
        .map(|i| [keys[i / n], keys[i % n]].iter().collect())
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

#[cfg(test)]
mod tests {
    use super::*;

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
