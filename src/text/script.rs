//! Scripts, and the words that tell which one a paragraph is written in.
//!
//! A news paragraph is seldom in one script only: an Arabic sentence quotes an English phrase,
//! credits "Reuters, AFP", ends in a URL; an English one quotes Arabic in «guillemets». Counting
//! letters lets a long URL or quote outvote the sentence around it. So folio weighs *words*, and
//! only the words that speak for the paragraph ([`telling_words`]): not a URL or an e-mail
//! address, not a quotation (when there is text outside it), not text inside an isolate,
//! embedding or override, which the writer marked as apart from the paragraph.

use unicode_bidi::BidiClass;

use super::bidi::bidi_class_of as bidi_class;

use super::Direction;

/// The writing systems folio tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Script {
    Latin,
    /// Arabic, Persian, Urdu and the other languages written in Arabic letters.
    Arabic,
    Hebrew,
    /// Any other letters (Cyrillic, CJK, Greek…).
    Other,
}

/// The script of a letter; `None` for anything that is not a letter (digits, marks that are not
/// alphabetic, punctuation, spaces).
pub fn script_of(c: char) -> Option<Script> {
    if !c.is_alphabetic() {
        return None;
    }
    Some(if is_latin(c) {
        Script::Latin
    } else if matches!(c,
        '\u{0600}'..='\u{06FF}'
        | '\u{0750}'..='\u{077F}'
        | '\u{0870}'..='\u{08FF}'
        | '\u{FB50}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFF}')
    {
        Script::Arabic
    } else if matches!(c, '\u{0590}'..='\u{05FF}' | '\u{FB1D}'..='\u{FB4F}') {
        Script::Hebrew
    } else {
        Script::Other
    })
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c,
            'ª' | 'º'
            | '\u{00C0}'..='\u{024F}'
            | '\u{1E00}'..='\u{1EFF}'
            | '\u{2C60}'..='\u{2C7F}'
            | '\u{A720}'..='\u{A7FF}'
            | '\u{FB00}'..='\u{FB06}')
}

/// The direction a strong letter gives (bidi class L, or R/AL), `None` for any other character.
pub fn strong_direction(c: char) -> Option<Direction> {
    match bidi_class(c) {
        BidiClass::L => Some(Direction::Ltr),
        BidiClass::R | BidiClass::AL => Some(Direction::Rtl),
        _ => None,
    }
}

/// The direction of a word: that of most of its strong letters (the first one's on a tie);
/// `None` for a word with no strong letter ("2023", "—").
pub fn word_direction(word: &str) -> Option<Direction> {
    let (mut ltr, mut rtl, mut first) = (0usize, 0usize, None);
    for d in word.chars().filter_map(strong_direction) {
        first.get_or_insert(d);
        match d {
            Direction::Ltr => ltr += 1,
            Direction::Rtl => rtl += 1,
        }
    }
    match ltr.cmp(&rtl) {
        std::cmp::Ordering::Greater => Some(Direction::Ltr),
        std::cmp::Ordering::Less => Some(Direction::Rtl),
        std::cmp::Ordering::Equal => first,
    }
}

const LRE: char = '\u{202A}';
const RLE: char = '\u{202B}';
const PDF: char = '\u{202C}';
const LRO: char = '\u{202D}';
const RLO: char = '\u{202E}';
const LRI: char = '\u{2066}';
const RLI: char = '\u{2067}';
const FSI: char = '\u{2068}';
const PDI: char = '\u{2069}';

/// For each char of `text` (by index in `text.chars()`), whether it sits inside an isolate
/// (LRI, RLI, FSI … PDI) or an embedding or override (LRE, RLE, LRO, RLO … PDF). The controls
/// themselves count as inside. An unterminated one runs to the end of the paragraph, as in
/// UAX #9.
pub fn set_apart(text: &str) -> Vec<bool> {
    let mut isolates = 0usize;
    let mut embeddings = 0usize;
    text.chars()
        .map(|c| match c {
            LRI | RLI | FSI => {
                isolates += 1;
                true
            }
            PDI => {
                let inside = isolates > 0;
                isolates = isolates.saturating_sub(1);
                inside
            }
            LRE | RLE | LRO | RLO => {
                embeddings += 1;
                true
            }
            PDF => {
                let inside = embeddings > 0;
                embeddings = embeddings.saturating_sub(1);
                inside
            }
            _ => isolates > 0 || embeddings > 0,
        })
        .collect()
}

/// For each char of `text`, whether it is quoted: between `«` and `»`, `“` and `”`, `„` and
/// `“`/`”`, or a pair of `"`. Only closed quotations count (a quote left open is more likely a
/// stray mark than a quote running to the end); the marks themselves count as quoted. Single
/// quotes are left alone: `’` is also an apostrophe ("Ra’īsī").
fn quoted(text: &str) -> Vec<bool> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = vec![false; chars.len()];
    let mut open: Vec<(usize, char)> = Vec::new();
    let mut straight: Option<usize> = None;
    for (i, &c) in chars.iter().enumerate() {
        let closes = |opener: char| match opener {
            '«' => c == '»',
            '“' => c == '”',
            '„' => matches!(c, '“' | '”'),
            _ => false,
        };
        if let Some(at) = open.iter().rposition(|&(_, o)| closes(o)) {
            let start = open[at].0;
            open.truncate(at);
            out[start..=i].fill(true);
        } else if matches!(c, '«' | '“' | '„') {
            open.push((i, c));
        } else if c == '"' {
            match straight.take() {
                Some(start) => out[start..=i].fill(true),
                None => straight = Some(i),
            }
        }
    }
    out
}

/// A URL or an e-mail address: letters that say nothing of the paragraph's language.
fn is_address(word: &str) -> bool {
    word.contains("://")
        || word.to_ascii_lowercase().starts_with("www.")
        || word
            .split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
}

/// The words that tell which script and direction a paragraph is in: split at white space,
/// quotation marks and bidi controls; without URLs and e-mail addresses, without text inside
/// isolates, embeddings and overrides, and without quotations — unless the paragraph has no word
/// with a letter outside quotations (a paragraph that is one quote), when its quotations count.
pub fn telling_words(text: &str) -> Vec<&str> {
    let apart = set_apart(text);
    let words = |skip: &dyn Fn(usize) -> bool| -> Vec<&str> {
        let mut out = Vec::new();
        let mut start: Option<usize> = None;
        for (i, (at, c)) in text.char_indices().enumerate() {
            let breaks = c.is_whitespace()
                || skip(i)
                || matches!(c, '«' | '»' | '“' | '”' | '„' | '"')
                || super::sanitize::is_bidi_control(c);
            match (breaks, start) {
                (true, Some(s)) => {
                    out.push(&text[s..at]);
                    start = None;
                }
                (false, None) => start = Some(at),
                _ => {}
            }
        }
        if let Some(s) = start {
            out.push(&text[s..]);
        }
        out.retain(|w| !is_address(w));
        out
    };
    let quotes = quoted(text);
    let outside = words(&|i| apart[i] || quotes[i]);
    if outside.iter().any(|w| w.chars().any(char::is_alphabetic)) {
        outside
    } else {
        words(&|i| apart[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_of_letters() {
        assert_eq!(script_of('a'), Some(Script::Latin));
        assert_eq!(script_of('ī'), Some(Script::Latin));
        assert_eq!(script_of('ب'), Some(Script::Arabic));
        assert_eq!(script_of('پ'), Some(Script::Arabic));
        assert_eq!(script_of('ے'), Some(Script::Arabic));
        assert_eq!(script_of('ﻫ'), Some(Script::Arabic));
        assert_eq!(script_of('א'), Some(Script::Hebrew));
        assert_eq!(script_of('ש'), Some(Script::Hebrew));
        assert_eq!(script_of('Ж'), Some(Script::Other));
        assert_eq!(script_of('7'), None);
        assert_eq!(script_of('٣'), None);
        assert_eq!(script_of(' '), None);
    }

    #[test]
    fn word_directions() {
        assert_eq!(word_direction("Reuters,"), Some(Direction::Ltr));
        assert_eq!(word_direction("«مرحبا»"), Some(Direction::Rtl));
        assert_eq!(word_direction("2023"), None);
        assert_eq!(word_direction("ab\u{5D0}"), Some(Direction::Ltr));
        assert_eq!(word_direction("a\u{5D0}"), Some(Direction::Ltr));
        assert_eq!(word_direction("\u{5D0}a"), Some(Direction::Rtl));
    }

    #[test]
    fn quotations_addresses_and_isolates_do_not_tell() {
        assert_eq!(telling_words("قال \"Hello world\""), ["قال"]);
        assert_eq!(
            telling_words("He said «مرحبا بكم» twice."),
            ["He", "said", "twice."]
        );
        assert_eq!(
            telling_words("להרשמה: info@example.org https://example.org/x"),
            ["להרשמה:"]
        );
        assert_eq!(telling_words("see www.Example.com now"), ["see", "now"]);
        assert_eq!(
            telling_words("a \u{2067}מה שלום\u{2069} b \u{202E}xyz\u{202C} c"),
            ["a", "b", "c"]
        );
        // A paragraph that is all quotation is weighed by the quotation.
        assert_eq!(telling_words("“مرحبا بكم”"), ["مرحبا", "بكم"]);
        // An unclosed quote is not a quotation; nor is an apostrophe.
        assert_eq!(telling_words("he said “yes"), ["he", "said", "yes"]);
        assert_eq!(telling_words("Ra’īsī said"), ["Ra’īsī", "said"]);
        // German-style „…“ closes.
        assert_eq!(telling_words("sagte „שלום“ dann"), ["sagte", "dann"]);
        assert_eq!(telling_words(""), Vec::<&str>::new());
    }

    #[test]
    fn set_apart_marks_isolates_and_overrides() {
        let v = set_apart("a\u{2066}b\u{2069}c\u{202E}d");
        assert_eq!(v, [false, true, true, true, false, true, true]);
        // A stray PDI or PDF is not inside anything.
        assert_eq!(set_apart("\u{2069}a\u{202C}"), [false, false, false]);
    }
}
