//! Small pure readers of one line or paragraph: is it a headline, a breadcrumb, a date on its
//! own, a caption? Which language? Where is the dateline, the first date, the first sentence?
//! The parser combines them; each is tested on its own here.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use super::Lang;
use super::rules::{
    ABBREVIATIONS, CAPTION_PREFIXES, DANGLING_WORDS, GENERIC_CRUMBS, MONTHS_AR, MONTHS_EN,
    WEEKDAY_LEADS_AR, WEEKDAY_LEADS_EN, WEEKDAYS_AR, WEEKDAYS_EN, agency_name,
};
use crate::text::script::{Script, script_of, telling_words};

// ---------------------------------------------------------------- scripts and language

fn is_arabic_letter(c: char) -> bool {
    matches!(c,
        '\u{0600}'..='\u{06FF}'
        | '\u{0750}'..='\u{077F}'
        | '\u{08A0}'..='\u{08FF}'
        | '\u{FB50}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFF}')
        && c.is_alphabetic()
}

/// The language of a paragraph.
///
/// 1. **Script, by words**: each word that tells ([`telling_words`]: no URL, e-mail address,
///    quotation or text set apart by bidi controls) goes to the script of most of its letters;
///    the script with most words wins, a tie going to the one seen first. Latin is
///    [`Lang::En`], Hebrew [`Lang::He`], another script (or no letter at all) [`Lang::Other`].
///    So `قال "Hello world"` is Arabic and `He said «مرحبا بكم»` English.
/// 2. **Arabic letters** are told apart by spelling ([`arabic_script_lang`]).
pub fn lang_of(text: &str) -> Lang {
    const SCRIPTS: [Script; 4] = [Script::Arabic, Script::Latin, Script::Hebrew, Script::Other];
    let mut count = [0usize; 4];
    let mut first = [usize::MAX; 4];
    for (i, word) in telling_words(text).into_iter().enumerate() {
        let Some(script) = word_script(word) else {
            continue;
        };
        let slot = SCRIPTS.iter().position(|&s| s == script).unwrap_or(3);
        count[slot] += 1;
        first[slot] = first[slot].min(i);
    }
    let best = (0..4)
        .filter(|&s| count[s] > 0)
        .max_by(|&a, &b| count[a].cmp(&count[b]).then(first[b].cmp(&first[a])));
    match best.map(|s| SCRIPTS[s]) {
        Some(Script::Arabic) => arabic_script_lang(text),
        Some(Script::Latin) => Lang::En,
        Some(Script::Hebrew) => Lang::He,
        _ => Lang::Other,
    }
}

/// The script of most of a word's letters (the first one's on a tie).
fn word_script(word: &str) -> Option<Script> {
    let mut counts: Vec<(Script, usize)> = Vec::new();
    for s in word.chars().filter_map(script_of) {
        match counts.iter_mut().find(|(c, _)| *c == s) {
            Some((_, n)) => *n += 1,
            None => counts.push((s, 1)),
        }
    }
    // `max_by_key` keeps the last of equals: look from the end so the first seen wins.
    counts
        .into_iter()
        .rev()
        .max_by_key(|&(_, n)| n)
        .map(|(s, _)| s)
}

/// Letters only Urdu spells with: tteh, ddal, rreh, noon ghunna, yeh barree, heh goal, heh
/// doachashmee.
const URDU_LETTERS: &[char] = &['ٹ', 'ڈ', 'ڑ', 'ں', 'ے', 'ۓ', 'ہ', 'ۂ', 'ۃ', 'ھ'];
/// Letters Persian (and Urdu) spell with and Arabic does not: peh, tcheh, jeh, gaf, Farsi yeh,
/// keheh.
const PERSIAN_LETTERS: &[char] = &['پ', 'چ', 'ژ', 'گ', 'ی', 'ک'];
/// Letters Arabic spells with where Persian and Urdu use others: yeh, kaf, alef maksura, teh
/// marbuta.
const ARABIC_LETTERS: &[char] = &['ي', 'ك', 'ى', 'ة'];

/// Whether an Arabic-script text has a letter that tells Arabic, Persian and Urdu apart.
pub fn shows_arabic_spelling(text: &str) -> bool {
    text.chars().any(|c| {
        URDU_LETTERS.contains(&c) || PERSIAN_LETTERS.contains(&c) || ARABIC_LETTERS.contains(&c)
    })
}

/// Which language a text in Arabic letters is in, by its spelling (letters counted in the
/// words that tell, see [`lang_of`]):
/// - **Urdu** when it has Urdu's own letters (ٹ ڈ ڑ ں ے ہ ھ), at least one for every two
///   Persian-style letters (an Urdu sentence is full of کے، نے، ہے، میں; a Persian one naming
///   Bhutto has one or two), and Persian-style spelling outweighs Arabic;
/// - **Persian** when Persian-style letters (پ چ ژ گ and the Persian yeh and kaf, ی ک)
///   outnumber Arabic's own spellings (ي ك ى ة);
/// - **Arabic** otherwise, and when nothing tells (a Persian or Urdu name in an Arabic sentence
///   does not make it Persian: its ي and ة outnumber the name's letters).
///
/// A detector such as `whatlang` would tell these apart too, from trigrams; the letters are
/// simpler, need no data, work on a two-word heading, and are how a reader tells them apart.
pub fn arabic_script_lang(text: &str) -> Lang {
    let (mut ur, mut fa, mut ar) = (0usize, 0usize, 0usize);
    for word in telling_words(text) {
        for c in word.chars() {
            if URDU_LETTERS.contains(&c) {
                ur += 1;
            } else if PERSIAN_LETTERS.contains(&c) {
                fa += 1;
            } else if ARABIC_LETTERS.contains(&c) {
                ar += 1;
            }
        }
    }
    if ur > 0 && 2 * ur >= fa && ur + fa > ar {
        Lang::Ur
    } else if fa > ar {
        Lang::Fa
    } else {
        Lang::Ar
    }
}

/// Whether the text has any letter at all (digits and punctuation alone are neutral).
pub fn has_letters(text: &str) -> bool {
    text.chars().any(char::is_alphabetic)
}

// ---------------------------------------------------------------- line shapes

/// Display columns of a string.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// The last character that is not a closing quote or bracket.
fn last_significant(t: &str) -> Option<char> {
    t.trim_end()
        .chars()
        .rev()
        .find(|c| !matches!(c, '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '*'))
}

fn ends_like_a_sentence(t: &str) -> bool {
    matches!(
        last_significant(t),
        Some('.' | ',' | ';' | ':' | '…' | '،' | '؛')
    )
}

/// Whether the line reads as a headline: 3 to 20 words, at most 160 columns, one sentence that
/// does not end in a full stop (or comma, colon…), opening with a capital, digit, quote or a
/// letter of a script without case (Arabic), and not a dateline-led lead ("Moscow (IP) - …").
pub fn reads_as_headline(t: &str) -> bool {
    let t = t.trim();
    let words = t.split_whitespace().count();
    if !(3..=20).contains(&words) || width(t) > 160 || !has_letters(t) {
        return false;
    }
    if ends_like_a_sentence(t) || has_sentence_break(t) || dateline(t).is_some() {
        return false;
    }
    t.chars()
        .find(|c| c.is_alphanumeric())
        .is_some_and(|c| !c.is_lowercase())
}

/// A one- or two-word label such as "Middle East" or "Opinion" above a headline.
pub fn is_section_label(t: &str) -> bool {
    let t = t.trim();
    let words = t.split_whitespace().count();
    (1..=2).contains(&words)
        && width(t) <= 30
        && has_letters(t)
        && !t.chars().any(|c| c.is_numeric())
        && !matches!(last_significant(t), Some('.' | ',' | ';' | ':' | '!' | '?'))
}

/// The segments of a breadcrumb line ("Site > News > Iran News > Headline"), if it is one:
/// at least two of the same separator, no empty or overlong segment, no closing full stop.
pub fn breadcrumb(t: &str) -> Option<Vec<&str>> {
    let t = t.trim();
    if width(t) > 400 || ends_like_a_sentence(t) {
        return None;
    }
    for sep in [" > ", " » ", " › ", " < ", " « "] {
        if t.matches(sep).count() >= 2 {
            let parts: Vec<&str> = t.split(sep).map(str::trim).collect();
            if parts.iter().all(|p| !p.is_empty() && width(p) <= 120) {
                return Some(parts);
            }
        }
    }
    None
}

/// Who a breadcrumb belongs to: its first segment, unless that is a generic "Home".
pub fn breadcrumb_owner(t: &str) -> Option<String> {
    let parts = breadcrumb(t)?;
    let first = parts[0];
    let generic = GENERIC_CRUMBS.iter().any(|g| g.eq_ignore_ascii_case(first));
    (!generic && has_letters(first)).then(|| first.to_string())
}

/// A picture caption ("Pic: Russian President…").
pub fn is_caption(t: &str) -> bool {
    let t = t.trim();
    width(t) <= 300
        && CAPTION_PREFIXES.iter().any(|p| {
            t.get(..p.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(p))
        })
}

/// A byline on its own: "By Jane Smith" (2 to 5 capitalised words, no digits, no full stop) or
/// an Arabic "بقلم …".
pub fn is_byline(t: &str) -> bool {
    let t = t.trim();
    if width(t) > 60 || t.chars().any(|c| c.is_numeric()) || ends_like_a_sentence(t) {
        return false;
    }
    if let Some(rest) = t.strip_prefix("بقلم") {
        return rest.starts_with([' ', ':']) && has_letters(rest);
    }
    let Some(rest) = t.strip_prefix("By ") else {
        return false;
    };
    let words: Vec<&str> = rest.split_whitespace().collect();
    (2..=5).contains(&words.len())
        && words.iter().all(|w| {
            *w == "and"
                || w.chars()
                    .find(|c| c.is_alphabetic())
                    .is_some_and(char::is_uppercase)
        })
}

/// Words that may stand with a date on a line of its own ("Updated: 7 December 2023 14:05 GMT").
const DATE_LINE_WORDS: &[&str] = &[
    "updated",
    "published",
    "posted",
    "last",
    "at",
    "am",
    "pm",
    "gmt",
    "utc",
    "local",
    "time",
    "تحديث",
    "آخر",
    "نشر",
];

/// A paragraph that is only a date or day ("7 December", "07 كانون الاول", "Thursday,
/// 7 December 2023 | 14:05 GMT").
pub fn is_date_line(t: &str) -> bool {
    let t = t.trim();
    if width(t) > 60 {
        return false;
    }
    let Some(span) = find_date_span(t) else {
        return false;
    };
    let rest = format!("{} {}", &t[..span.start], &t[span.end..]);
    rest.unicode_words().all(|w| {
        w.chars().all(|c| c.is_numeric() || c == ':' || c == '.')
            || DATE_LINE_WORDS.contains(&w.to_lowercase().as_str())
    })
}

// ---------------------------------------------------------------- datelines and outlets

/// Where a lead paragraph says it was filed from, and by whom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dateline {
    /// The place, e.g. "Moscow".
    pub place: String,
    /// The agency as written between the brackets, e.g. "IP".
    pub agency: Option<String>,
    /// Where the lead's own words begin, in bytes after leading whitespace.
    pub rest: usize,
}

impl Dateline {
    /// The outlet the agency stands for: known abbreviations are spelled out, an unknown one
    /// of 2–6 capitals is kept as written.
    pub fn outlet(&self) -> Option<String> {
        agency_outlet(self.agency.as_deref()?)
    }
}

/// The outlet an agency credit in brackets stands for: a known abbreviation or name spelled
/// out ("IP" is Iran Press), an unknown one of 2–6 capitals kept as written ("XYZ").
fn agency_outlet(abbr: &str) -> Option<String> {
    if let Some(name) = agency_name(abbr) {
        return Some(name.to_string());
    }
    let short_caps =
        (2..=6).contains(&abbr.chars().count()) && abbr.chars().all(|c| c.is_ascii_uppercase());
    short_caps.then(|| abbr.to_string())
}

fn is_dash_or_colon(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | ':')
}

/// The dateline a lead opens with: "Moscow (IP) - …", "MOSCOW, Dec 7 (Reuters) – …",
/// "طهران (إرنا) - …" (the bracket must credit an agency), or an all-capitals place before a
/// dash ("GAZA CITY — …").
pub fn dateline(t: &str) -> Option<Dateline> {
    let t = t.trim_start();
    let head_is_place = |head: &str| {
        let words = head.split_whitespace().count();
        (1..=6).contains(&words)
            && !head.contains('.')
            && head
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || is_arabic_letter(c))
    };
    let place_of = |head: &str| {
        head.split([',', '،'])
            .next()
            .unwrap_or(head)
            .trim()
            .to_string()
    };

    // "Place (AGENCY) - "
    if let Some(open) = t.find('(').filter(|&i| i <= 80) {
        let head = t[..open].trim_end();
        if let Some(close) = t[open..].find(')').map(|i| open + i) {
            let agency = t[open + 1..close].trim();
            let after = t[close + 1..].trim_start();
            if head_is_place(head)
                && after.starts_with(is_dash_or_colon)
                && agency_outlet(agency).is_some()
            {
                let rest = after.trim_start_matches(is_dash_or_colon).trim_start();
                return Some(Dateline {
                    place: place_of(head),
                    agency: Some(agency.to_string()),
                    rest: t.len() - rest.len(),
                });
            }
        }
    }
    // "PLACE — "
    for dash in [" - ", " – ", " — "] {
        if let Some(i) = t.find(dash).filter(|&i| i <= 40) {
            let head = &t[..i];
            let place = place_of(head);
            let letters: Vec<char> = place.chars().filter(|c| c.is_alphabetic()).collect();
            if head_is_place(head)
                && letters.len() >= 3
                && letters.iter().all(|c| c.is_uppercase())
                && place.split_whitespace().count() <= 4
            {
                return Some(Dateline {
                    place,
                    agency: None,
                    rest: i + dash.len(),
                });
            }
        }
    }
    None
}

/// The outlet named by a desk prefix that opens a paragraph: "Iran Press/Europe: …".
pub fn desk_outlet(t: &str) -> Option<String> {
    let (head, _) = t.trim_start().split_once(':')?;
    if width(head) > 40 {
        return None;
    }
    let name = head.split('/').next()?.trim();
    agency_name(name).map(str::to_string)
}

// ---------------------------------------------------------------- dates

fn digits_value(w: &str) -> Option<u32> {
    if w.is_empty() || w.chars().count() > 4 {
        return None;
    }
    w.chars().try_fold(0u32, |acc, c| {
        let d = c
            .to_digit(10)
            .or_else(|| ('٠'..='٩').contains(&c).then(|| c as u32 - '٠' as u32))?;
        Some(acc * 10 + d)
    })
}

fn day_number(w: &str) -> Option<u32> {
    let digits = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|s| w.strip_suffix(s))
        .unwrap_or(w);
    if digits.chars().count() > 2 {
        return None;
    }
    digits_value(digits).filter(|d| (1..=31).contains(d))
}

fn is_year(w: &str) -> bool {
    w.chars().count() == 4 && digits_value(w).is_some_and(|y| (1900..=2100).contains(&y))
}

/// Whether only spaces (and at most one comma) separate two words.
fn close_gap(gap: &str) -> bool {
    gap.chars()
        .all(|c| c.is_whitespace() || c == ',' || c == '،')
        && gap.chars().filter(|c| matches!(c, ',' | '،')).count() <= 1
        && gap.chars().count() <= 3
        && !gap.is_empty()
}

struct Words<'a> {
    text: &'a str,
    words: Vec<(usize, &'a str)>,
}

impl<'a> Words<'a> {
    fn new(text: &'a str) -> Self {
        Words {
            text,
            words: text.unicode_word_indices().collect(),
        }
    }

    fn get(&self, i: usize) -> Option<&'a str> {
        self.words.get(i).map(|w| w.1)
    }

    fn start(&self, i: usize) -> usize {
        self.words[i].0
    }

    fn end(&self, i: usize) -> usize {
        self.words[i].0 + self.words[i].1.len()
    }

    /// Whether word `i` is directly followed by word `i + 1`.
    fn adjacent(&self, i: usize) -> bool {
        i + 1 < self.words.len() && close_gap(&self.text[self.end(i)..self.start(i + 1)])
    }

    /// The number of words a month name takes at `i` (Arabic ones may take two).
    fn month_at(&self, i: usize) -> Option<usize> {
        let w = self.get(i)?;
        if MONTHS_EN.contains(&w) {
            return Some(1);
        }
        if let Some(next) = self.get(i + 1) {
            let gap = &self.text[self.end(i)..self.start(i + 1)];
            if gap.chars().all(char::is_whitespace)
                && MONTHS_AR.contains(&format!("{w} {next}").as_str())
            {
                return Some(2);
            }
        }
        MONTHS_AR.contains(&w).then_some(1)
    }

    /// A date starting at word `i`: "7 December [2023]", "October 7[, 2023]", "2023-12-07".
    /// Returns the index of its last word.
    fn date_at(&self, i: usize) -> Option<usize> {
        let w = self.get(i)?;
        let with_year = |last: usize| {
            if self.adjacent(last) && self.get(last + 1).is_some_and(is_year) {
                last + 1
            } else {
                last
            }
        };
        if day_number(w).is_some()
            && self.adjacent(i)
            && let Some(n) = self.month_at(i + 1)
        {
            // No comma between day and month.
            let gap = &self.text[self.end(i)..self.start(i + 1)];
            if gap.chars().all(char::is_whitespace) {
                return Some(with_year(i + n));
            }
        }
        if let Some(n) = self.month_at(i) {
            let last = i + n - 1;
            if self.adjacent(last) && self.get(last + 1).and_then(day_number).is_some() {
                let gap = &self.text[self.end(last)..self.start(last + 1)];
                if gap.chars().all(char::is_whitespace) {
                    return Some(with_year(last + 1));
                }
            }
        }
        if is_year(w) && i + 2 < self.words.len() {
            let iso = |j: usize, lo: u32, hi: u32| {
                self.text[self.end(j - 1)..self.start(j)] == *"-"
                    && self.get(j).is_some_and(|m| {
                        m.len() == 2 && digits_value(m).is_some_and(|v| (lo..=hi).contains(&v))
                    })
            };
            if iso(i + 1, 1, 12) && iso(i + 2, 1, 31) {
                return Some(i + 2);
            }
        }
        None
    }

    /// A day phrase at word `i`: "on Thursday", "Thursday, 7 December 2023", "اليوم الخميس".
    /// Returns its first and last word.
    fn day_at(&self, i: usize) -> Option<(usize, usize)> {
        let w = self.get(i)?;
        if WEEKDAYS_EN.contains(&w) {
            let first =
                if i > 0 && self.adjacent(i - 1) && WEEKDAY_LEADS_EN.contains(&self.get(i - 1)?) {
                    i - 1
                } else {
                    i
                };
            let last = if self.adjacent(i) {
                self.date_at(i + 1).unwrap_or(i)
            } else {
                i
            };
            return Some((first, last));
        }
        if WEEKDAYS_AR.contains(&w)
            && i > 0
            && self.adjacent(i - 1)
            && WEEKDAY_LEADS_AR.contains(&self.get(i - 1)?)
        {
            return Some((i - 1, i));
        }
        None
    }
}

/// The byte range of the first date or day phrase in the text.
pub fn find_date_span(t: &str) -> Option<std::ops::Range<usize>> {
    let words = Words::new(t);
    for i in 0..words.words.len() {
        if let Some(last) = words.date_at(i) {
            return Some(words.start(i)..words.end(last));
        }
        if let Some((first, last)) = words.day_at(i) {
            return Some(words.start(first)..words.end(last));
        }
    }
    None
}

/// The first date or day phrase in the text, as written: "7 December", "07 كانون الاول",
/// "October 7", "on Thursday", "اليوم الخميس", "2023-12-07".
pub fn find_date(t: &str) -> Option<String> {
    find_date_span(t).map(|r| t[r].to_string())
}

// ---------------------------------------------------------------- sentences and titles

/// Byte offsets just after each sentence end in the text (not including the text's end).
fn sentence_ends(t: &str) -> impl Iterator<Item = usize> + '_ {
    let chars: Vec<(usize, char)> = t.char_indices().collect();
    (0..chars.len()).filter_map(move |k| {
        let (at, c) = chars[k];
        if !matches!(c, '.' | '!' | '?' | '؟') {
            return None;
        }
        // Closing quotes after the stop belong to the sentence.
        let mut j = k + 1;
        while j < chars.len() && matches!(chars[j].1, '"' | '\'' | '”' | '’' | ')' | '»') {
            j += 1;
        }
        let end = chars.get(j).map_or(t.len(), |&(b, _)| b);
        // A break needs a space, then something that can open a sentence.
        if !chars.get(j).is_some_and(|&(_, s)| s.is_whitespace()) {
            return None;
        }
        let opener = chars[j..]
            .iter()
            .map(|&(_, c)| c)
            .find(|c| !c.is_whitespace())?;
        if opener.is_lowercase() {
            return None;
        }
        if c == '.' {
            let word = t[..at]
                .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"' || c == '“')
                .next()
                .unwrap_or("");
            let single_letter = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
            if single_letter || ABBREVIATIONS.contains(&word) {
                return None;
            }
        }
        Some(end)
    })
}

fn has_sentence_break(t: &str) -> bool {
    sentence_ends(t.trim_end()).next().is_some()
}

/// The first sentence of a paragraph.
pub fn first_sentence(t: &str) -> &str {
    let t = t.trim();
    match sentence_ends(t).next() {
        Some(end) => t[..end].trim_end(),
        None => t,
    }
}

/// The text after a lead's dateline or desk prefix ("Moscow (IP) - A large number…" gives
/// "A large number…").
pub fn strip_dateline(t: &str) -> &str {
    let t = t.trim_start();
    if let Some(dl) = dateline(t) {
        let rest = t[dl.rest..].trim_start();
        if !rest.is_empty() {
            return rest;
        }
    }
    if desk_outlet(t).is_some()
        && let Some((_, rest)) = t.split_once(':')
        && !rest.trim().is_empty()
    {
        return rest.trim_start();
    }
    t
}

/// The text cut at a word boundary to at most `max` columns, ending with `…` when cut.
/// Dangling small words and punctuation before the ellipsis are dropped.
pub fn shorten(t: &str, max: usize) -> String {
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if width(&t) <= max {
        return t;
    }
    let room = max.saturating_sub(1);
    let mut kept: Vec<&str> = Vec::new();
    let mut used = 0;
    for w in t.split(' ') {
        let add = width(w) + usize::from(!kept.is_empty());
        if used + add > room {
            break;
        }
        used += add;
        kept.push(w);
    }
    let trim = |w: &str| {
        w.trim_end_matches([',', ';', ':', '-', '–', '—', '(', '،'])
            .to_string()
    };
    while kept.len() > 1 {
        let last = trim(kept[kept.len() - 1]);
        if last.is_empty() || DANGLING_WORDS.contains(&last.to_lowercase().as_str()) {
            kept.pop();
        } else {
            break;
        }
    }
    let mut out = match kept.last() {
        Some(last) => {
            let mut s = kept[..kept.len() - 1].join(" ");
            if kept.len() > 1 {
                s.push(' ');
            }
            s.push_str(&trim(last));
            s
        }
        // One word wider than the room: cut it by grapheme.
        None => {
            let mut s = String::new();
            for g in t.graphemes(true) {
                if width(&s) + width(g) > room {
                    break;
                }
                s.push_str(g);
            }
            s
        }
    };
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_by_script() {
        assert_eq!(lang_of("Hello"), Lang::En);
        assert_eq!(lang_of("مرحبا"), Lang::Ar);
        assert_eq!(lang_of("Ebrāhīm Ra’īsī"), Lang::En);
        assert_eq!(lang_of("Linux هو نظام تشغيل"), Lang::Ar);
        assert_eq!(lang_of("Привет"), Lang::Other);
        assert_eq!(lang_of("07 — 2023"), Lang::Other);
        assert_eq!(lang_of(""), Lang::Other);
        assert_eq!(lang_of("ab سل"), Lang::En);
        assert_eq!(lang_of("سل ab"), Lang::Ar);
    }

    #[test]
    fn languages_are_weighed_by_words_not_letters() {
        // A quote, a credit or an address outweighs the sentence in letters, not in words.
        assert_eq!(lang_of("قال \"Hello world\""), Lang::Ar);
        assert_eq!(lang_of("المصدر: Reuters"), Lang::Ar);
        assert_eq!(
            lang_of("להרשמה: info@example.org https://example.org/registration"),
            Lang::He
        );
        assert_eq!(lang_of("He said «مرحبا بكم» twice."), Lang::En);
        assert_eq!(lang_of("Ebrāhīm Ra’īsī"), Lang::En);
    }

    #[test]
    fn arabic_persian_and_urdu_by_their_letters() {
        for (text, lang) in [
            (
                "وقف جرائم الاحتلال في غزة محور المحادثات بين بوتين ورئيسي",
                Lang::Ar,
            ),
            ("اقترح الرئيس الروسي تبادل وجهات النظر", Lang::Ar),
            ("رئیس‌جمهور ایران روز پنجشنبه به مسکو رفت.", Lang::Fa),
            ("منبع: ایرنا", Lang::Fa),
            ("این کتاب را دیروز خریدم", Lang::Fa),
            (
                "پاکستان کے وزیراعظم نے کہا ہے کہ مذاکرات جاری رہیں گے۔",
                Lang::Ur,
            ),
            ("میں آپ سے ملنے آیا ہوں", Lang::Ur),
            // A Persian name in an Arabic sentence does not make it Persian.
            (
                "التقى الرئيس الإيراني بوزير الخارجية عباس عراقچی في العاصمة",
                Lang::Ar,
            ),
            // An Urdu name in a Persian sentence does not make it Urdu.
            (
                "ذوالفقار علی بوتو در سال ۱۹۷۹ در پاکستان اعدام شد و بھٹو نام خانوادگی اوست",
                Lang::Fa,
            ),
            // Nothing tells: Arabic, the default.
            ("در تهران", Lang::Ar),
            ("שלום עולם", Lang::He),
            ("בְּרֵאשִׁית בָּרָא", Lang::He),
        ] {
            assert_eq!(lang_of(text), lang, "{text}");
        }
        assert!(!shows_arabic_spelling("در تهران"));
        assert!(shows_arabic_spelling("غزة"));
        assert!(shows_arabic_spelling("ایران"));
    }

    #[test]
    fn headlines() {
        assert!(reads_as_headline(
            "Hamas chief, Russia FM discuss escalations in Jerusalem, Gaza"
        ));
        assert!(reads_as_headline(
            "Senior Iranian, Russian diplomats call for cessation of Israel’s atrocities in besieged Gaza"
        ));
        assert!(reads_as_headline(
            "وقف جرائم الاحتلال في غزة محور المحادثات بين بوتين ورئيسي"
        ));
        assert!(reads_as_headline("Is this the end of the war?"));
        assert!(!reads_as_headline("Middle East"));
        assert!(!reads_as_headline(
            "During their meeting, the Russian and the Iranian presidents confirmed the need."
        ));
        assert!(!reads_as_headline(
            "Moscow (IP) - A large number of people gathered"
        ));
        assert!(!reads_as_headline("the lower case start of a wrapped line"));
        assert!(!reads_as_headline("He said so. Then he left"));
    }

    #[test]
    fn labels_breadcrumbs_captions_bylines() {
        assert!(is_section_label("Middle East"));
        assert!(is_section_label("Opinion"));
        assert!(!is_section_label("Hamas chief, Russia FM discuss"));
        assert!(!is_section_label("7 December"));

        let crumb = "Cultural Council of the Embassy of the Islamic Republic of Iran > News > Iran News > Iran calls on Muslims to unite in support of Palestinian cause";
        assert_eq!(breadcrumb(crumb).map(|p| p.len()), Some(4));
        assert_eq!(
            breadcrumb_owner(crumb).as_deref(),
            Some("Cultural Council of the Embassy of the Islamic Republic of Iran")
        );
        assert_eq!(breadcrumb_owner("Home > News > Story"), None);
        assert_eq!(breadcrumb("a > b"), None);
        assert_eq!(breadcrumb("If x > 3 and y > 4 then z."), None);

        assert!(is_caption("Pic: Russian President Vladimir Putin"));
        assert!(is_caption("PHOTO: a rally"));
        assert!(!is_caption("Picture this: a city without cars."));
        assert!(is_byline("By Jane Smith"));
        assert!(is_byline("By Jane Smith and John Doe"));
        assert!(!is_byline("By Thursday, all troops had left."));
        assert!(!is_byline("By then the rally was over"));
    }

    #[test]
    fn date_lines() {
        assert!(is_date_line("7 December"));
        assert!(is_date_line("07 كانون الاول"));
        assert!(is_date_line("Thursday, 7 December 2023 | 14:05 GMT"));
        assert!(is_date_line("Updated: 2023-12-07"));
        assert!(!is_date_line("7 December was a cold day"));
        assert!(!is_date_line("Middle East"));
    }

    #[test]
    fn dates_in_running_text() {
        let d = |t: &str| find_date(t);
        assert_eq!(
            d("The rally on Thursday evening").as_deref(),
            Some("on Thursday")
        );
        assert_eq!(d("war on October 7 after").as_deref(), Some("October 7"));
        assert_eq!(d("on Dec 7, 2023, he").as_deref(), Some("Dec 7, 2023"));
        assert_eq!(
            d("Thursday, 7 December 2023").as_deref(),
            Some("Thursday, 7 December 2023")
        );
        assert_eq!(
            d("the 7th December meeting").as_deref(),
            Some("7th December")
        );
        assert_eq!(d("07 كانون الاول").as_deref(), Some("07 كانون الاول"));
        assert_eq!(
            d("اقترح الرئيس، اليوم الخميس، تبادل").as_deref(),
            Some("اليوم الخميس")
        );
        assert_eq!(d("صلاة الجمعة").as_deref(), None);
        assert_eq!(d("filed 2023-12-07 at noon").as_deref(), Some("2023-12-07"));
        assert_eq!(d("you may 7 times").as_deref(), None);
        assert_eq!(d("in 2023 there were 7 of them"), None);
        assert_eq!(d("12 - 5 = 7"), None);
    }

    #[test]
    fn datelines_and_desks() {
        let dl = dateline("Moscow (IP) - A large number of Russian Muslims gathered").unwrap();
        assert_eq!(dl.place, "Moscow");
        assert_eq!(dl.outlet().as_deref(), Some("Iran Press"));
        let dl = dateline("MOSCOW, Dec 7 (Reuters) – Talks").unwrap();
        assert_eq!(
            (dl.place.as_str(), dl.outlet().as_deref()),
            ("MOSCOW", Some("Reuters"))
        );
        let dl = dateline("GAZA CITY — Rockets fell").unwrap();
        assert_eq!((dl.place.as_str(), dl.agency), ("GAZA CITY", None));
        let dl = dateline("طهران (إرنا) - أكد").unwrap();
        assert_eq!(
            (dl.place.as_str(), dl.outlet().as_deref()),
            ("طهران", Some("IRNA"))
        );
        assert_eq!(dateline("The head of Hamas (the group) said"), None);
        assert_eq!(dateline("Hamas chief - Russia FM"), None);
        assert_eq!(dateline("Khatibzadeh (left) - meets"), None);
        let dl = dateline("Gaza (XYZ) - Rockets").unwrap();
        assert_eq!(dl.outlet().as_deref(), Some("XYZ"));

        assert_eq!(
            desk_outlet("Iran Press/Europe: The protest").as_deref(),
            Some("Iran Press")
        );
        assert_eq!(desk_outlet("Baburin added: \"Today\""), None);
    }

    #[test]
    fn sentences() {
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(first_sentence("Mr. Smith went. Then"), "Mr. Smith went.");
        assert_eq!(
            first_sentence("The U.S. said no. Then"),
            "The U.S. said no."
        );
        assert_eq!(
            first_sentence("He said: “Go.” Then left."),
            "He said: “Go.”"
        );
        assert_eq!(first_sentence("version 1.2 is out"), "version 1.2 is out");
        assert_eq!(first_sentence("جملة أولى. جملة ثانية."), "جملة أولى.");
        assert_eq!(
            strip_dateline("Moscow (IP) - A large number"),
            "A large number"
        );
        assert_eq!(strip_dateline("GAZA CITY — Rockets fell"), "Rockets fell");
        assert_eq!(strip_dateline("Iran Press/Europe: The rally"), "The rally");
        assert_eq!(strip_dateline("Plain text - here"), "Plain text - here");
    }

    #[test]
    fn shortening() {
        assert_eq!(shorten("short title", 80), "short title");
        let s = shorten(
            "A large number of Russian Muslims gathered outside the Palestinian embassy in Moscow, expressing their anger",
            80,
        );
        assert_eq!(
            s,
            "A large number of Russian Muslims gathered outside the Palestinian embassy…"
        );
        assert!(width(&s) <= 80);
        assert_eq!(shorten("abcdefghij", 5), "abcd…");
        assert_eq!(shorten("one, two, three", 12), "one, two…");
        assert_eq!(shorten("", 5), "");
        assert_eq!(shorten("a b", 1), "…");
    }
}
