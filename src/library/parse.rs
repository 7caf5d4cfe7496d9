//! Raw article text → [`Article`]: paragraphs, their kinds and languages, title, outlet,
//! dateline, date, sections and reading time. A pure function of the bytes and the file name.
//!
//! The rules, in the order they are applied:
//!
//! 1. **Sanitize** the bytes ([`sanitize_bytes`]): nothing from the file reaches the terminal raw.
//! 2. **Paragraphs.** Blank lines separate blocks. Inside a block each line is its own paragraph,
//!    except that hard-wrapped prose is joined with spaces: a line joins the one before it when
//!    the block is no wider than [`WRAP_MAX`] columns, the line before is at least half as wide
//!    as the widest line, and the next word would not have fitted on it. Headings, list items,
//!    breadcrumbs, date lines, captions, bylines and boilerplate are never joined, and neither is
//!    a headline on the first line of a two-line opening block (title above a standfirst).
//!    A list item's indented continuation lines join it; list markers are kept in the text.
//!    (`.md` and `.markdown` files go to the Markdown front end instead: see `markdown.rs`.)
//! 3. **Boilerplate** ([`rules::BOILERPLATE`]) is marked, including the link titles after a
//!    "Read More:"-style paragraph, and moved after everything else, in its order.
//! 4. **Meta**: breadcrumbs, dates on a line of their own, picture captions, bylines, and one-
//!    or two-word section labels ("Middle East") above the headline.
//! 5. **Title**: the first paragraph that is neither boilerplate nor meta is the title if it is
//!    reads as a headline ([`clues::reads_as_headline`]). Otherwise the
//!    title is derived from the lead's first sentence (dateline and desk prefix removed),
//!    shortened at a word boundary to [`TITLE_MAX`] columns with `…`, and no paragraph is marked
//!    `Title`. An article with no text at all is titled by its file name without extension.
//! 6. **Headings** in plain text: a headline-like paragraph where the language changes, followed
//!    by more text in its language (the Arabic headline halfway through a bilingual page).
//! 7. **Language** by script and spelling ([`clues::lang_of`]: English, Arabic, Persian, Urdu,
//!    Hebrew); **direction** by
//!    [`paragraph_directions_in`](crate::text::bidi::paragraph_directions_in), each paragraph
//!    in the context of its section and of the language a manifest declares
//!    ([`declare_language`] decides them again then).
//! 8. **Sections**: consecutive non-boilerplate paragraphs in one language. Paragraphs with no
//!    letters (digits, punctuation) join the section around them, and so does an Arabic-script
//!    paragraph with no letter that tells Arabic, Persian and Urdu apart ("در تهران") inside a
//!    Persian or Urdu section.
//! 9. **Reading time**: per language, in words a minute ([`WPM_EN`] for English and other
//!    scripts, [`WPM_AR`], [`WPM_FA`], [`WPM_UR`], [`WPM_HE`]), rounded to the nearest minute
//!    and at least 1 when there is any word.
//! 10. **Dateline and outlet**: a lead opening "Moscow (IP) - " gives the dateline "Moscow" and
//!     the outlet the agency stands for ([`rules::AGENCIES`]); otherwise a desk prefix in the
//!     first three body paragraphs ("Iran Press/Europe: "); otherwise the owner of a breadcrumb.
//!     A credit inside the text ("…, Anadolu reported") names where the *news* came from, not
//!     who published the page, so it does not make an outlet.
//! 11. **Date**: the first date or day phrase in reading order, boilerplate excluded, as written:
//!     "7 December", "07 كانون الاول", "October 7", "on Thursday", "اليوم الخميس". It is the
//!     earliest phrase in the text, so a day phrase in the lead ("on Wednesday") wins over a
//!     full date later on that recalls an earlier event ("on October 7").

use std::path::Path;
use std::sync::OnceLock;

use unicode_segmentation::UnicodeSegmentation;

use super::clues::{
    breadcrumb, breadcrumb_owner, dateline, desk_outlet, find_date, first_sentence, has_letters,
    is_byline, is_caption, is_date_line, is_section_label, lang_of, reads_as_headline, shorten,
    strip_dateline, width,
};
use super::large::LargeText;
use super::rules::{self, BOILERPLATE, MAX_LINK_TITLE_WIDTH, MAX_LINK_TITLES, Match};
use super::{Article, Lang, Origin, Paragraph, ParagraphKind, Section};
use crate::text::Direction;
use crate::text::bidi::{paragraph_direction, paragraph_directions_in};
use crate::text::sanitize::{sanitize_bytes, sanitize_str};

/// A block wider than this is not hard-wrapped prose: its lines stay separate paragraphs.
pub const WRAP_MAX: usize = 100;
/// A derived title is at most this many columns.
pub const TITLE_MAX: usize = 80;
/// Reading speed for English and other scripts, in words a minute.
pub const WPM_EN: usize = 230;
/// Reading speed for Arabic, in words a minute.
pub const WPM_AR: usize = 150;
/// Reading speed for Persian, in words a minute. The standardized reading texts (IReST) have
/// no Persian; Persian is read in the same letters, and its words are counted like Arabic ones
/// (a ZWNJ-joined word such as "می‌شود" is one), so folio takes the Arabic figure.
pub const WPM_FA: usize = WPM_AR;
/// Reading speed for Urdu, in words a minute: like Persian, no standardized figure, so the
/// Arabic one. Urdu writes many short function words apart ("کے", "نے", "ہے"), which if
/// anything makes this a little slow.
pub const WPM_UR: usize = WPM_AR;
/// Reading speed for Hebrew, in words a minute: the IReST figure for adults reading Hebrew
/// aloud is 187 ± 29, where English is 228 ± 30 and Arabic 138 ± 20; folio's English (230)
/// and Arabic (150) figures are close to those, so Hebrew is 185.
pub const WPM_HE: usize = 185;

/// A paragraph as split from the text, before it is classified.
#[derive(Debug)]
struct Raw {
    text: String,
    /// A list item (Markdown or plain text).
    item: bool,
}

/// Parse an article's raw bytes. Never panics; keeps every non-blank line's text.
pub fn parse_article(file_name: &str, origin: Origin, bytes: &[u8]) -> Article {
    if is_markdown(file_name) {
        return super::markdown::parse_markdown(file_name, origin, bytes);
    }
    let clean = sanitize_bytes(bytes);
    let file_name = display_file_name(file_name);
    let raws = split_paragraphs(&clean.text);
    let (kinds, title_at) = classify(&raws);

    // Content in reading order, then boilerplate in its order.
    let order: Vec<usize> = (0..raws.len())
        .filter(|&i| kinds[i] != ParagraphKind::Boilerplate)
        .chain((0..raws.len()).filter(|&i| kinds[i] == ParagraphKind::Boilerplate))
        .collect();
    let dirs = paragraph_directions_in(order.iter().map(|&i| raws[i].text.as_str()), None);
    let mut paragraphs: Vec<Paragraph> = order
        .iter()
        .zip(dirs)
        .map(|(&i, dir)| Paragraph {
            text: raws[i].text.clone(),
            kind: kinds[i],
            lang: lang_of(&raws[i].text),
            dir,
            block: Default::default(),
        })
        .collect();
    let content = paragraphs
        .iter()
        .take_while(|p| p.kind != ParagraphKind::Boilerplate)
        .count();
    let sections = sections(&mut paragraphs[..content]);
    let words = sections.iter().map(|s| s.words).sum();
    let reading_minutes = minutes(sections.iter().map(|s| (s.words, s.lang)));

    let body: Vec<&Paragraph> = paragraphs[..content]
        .iter()
        .filter(|p| p.kind == ParagraphKind::Body)
        .collect();
    let lead_dateline = body.first().and_then(|p| dateline(&p.text));
    let outlet = lead_dateline
        .as_ref()
        .and_then(|d| d.outlet())
        .or_else(|| body.iter().take(3).find_map(|p| desk_outlet(&p.text)))
        .or_else(|| {
            paragraphs[..content]
                .iter()
                .filter(|p| p.kind == ParagraphKind::Meta)
                .find_map(|p| breadcrumb_owner(&p.text))
        });
    let date = paragraphs[..content]
        .iter()
        .find_map(|p| find_date(&p.text));

    let title = match title_at {
        Some(i) => raws[i].text.clone(),
        None => {
            let lead = body
                .first()
                .copied()
                .or(paragraphs.first())
                .map(|p| shorten(first_sentence(strip_dateline(&p.text)), TITLE_MAX))
                .unwrap_or_default();
            if lead.is_empty() {
                file_stem(&file_name)
            } else {
                lead
            }
        }
    };

    let key = match &origin {
        Origin::File(path) => path.display().to_string(),
        Origin::Embedded => format!("seed:{file_name}"),
    };
    Article {
        key,
        file_name,
        origin,
        title,
        outlet,
        date,
        dateline: lead_dateline.map(|d| d.place),
        url: None,
        hotkey: None,
        language: None,
        paragraphs,
        sections,
        words,
        reading_minutes,
        had_invalid_utf8: clean.had_invalid_utf8,
        large: None,
        links: Vec::new(),
        body: super::Body::Loaded,
        author: None,
        warnings: Vec::new(),
        source: 0,
    }
}

/// An article too large to read whole: its title from its first line, its paragraphs found
/// as it is read (see [`super::large`]).
pub fn large_article(file_name: &str, path: &std::path::Path, text: LargeText) -> Article {
    let file_name = display_file_name(file_name);
    let title = match text.title() {
        t if t.is_empty() => file_stem(&file_name),
        t => t,
    };
    // About six bytes a word: a reading time to show, not to count on.
    let words = text.len() / 6;
    Article {
        key: path.display().to_string(),
        file_name,
        origin: Origin::File(path.to_path_buf()),
        title,
        outlet: None,
        date: None,
        dateline: None,
        url: None,
        hotkey: None,
        language: None,
        paragraphs: Vec::new(),
        sections: Vec::new(),
        words,
        reading_minutes: (words / WPM_EN).max(1) as u32,
        had_invalid_utf8: false,
        large: Some(std::sync::Arc::new(text)),
        links: Vec::new(),
        body: super::Body::Loaded,
        author: None,
        warnings: Vec::new(),
        source: 0,
    }
}

/// A file's name as folio keeps it (`Article::file_name`): on one line, controls as pictures. A
/// manifest names files as they are on disk, so it is matched through this too.
pub(crate) fn display_file_name(raw: &str) -> String {
    one_line(&sanitize_str(raw))
}

fn one_line(s: &str) -> String {
    s.replace('\n', " ")
}

fn is_markdown(file_name: &str) -> bool {
    let lower = file_name.to_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

pub(crate) fn file_stem(file_name: &str) -> String {
    let stem = Path::new(file_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match (stem.trim().is_empty(), file_name.trim().is_empty()) {
        (false, _) => stem,
        (true, false) => file_name.to_string(),
        (true, true) => "Untitled".to_string(),
    }
}

// ---------------------------------------------------------------- splitting

/// What a line is, before joining.
enum Shape {
    Item,
    Plain,
}

fn shape(line: &str) -> Shape {
    let t = line.trim();
    if is_list_item(t) {
        Shape::Item
    } else {
        Shape::Plain
    }
}

/// A list item: a bullet, or a number of one to three digits and `.` or `)`, then a space.
/// The number may be in Western (`1.`), Arabic-Indic (`١.`) or Persian (`۱.`) digits, all of one
/// kind; after Arabic-Indic and Persian digits a dash (`١- `) or the Urdu full stop (`۱۔ `)
/// closes the number too, as Arabic, Persian and Urdu lists often write it.
fn is_list_item(t: &str) -> bool {
    if ["- ", "* ", "+ ", "• ", "· "]
        .iter()
        .any(|m| t.starts_with(m))
    {
        return true;
    }
    let Some(zero) = t.chars().next().and_then(digit_zero) else {
        return false;
    };
    let digits: Vec<char> = t
        .chars()
        .take_while(|&c| digit_zero(c) == Some(zero))
        .collect();
    let rest = &t[digits.iter().map(|c| c.len_utf8()).sum::<usize>()..];
    let closers: &[&str] = if zero == '0' {
        &[". ", ") "]
    } else {
        &[". ", ") ", "- ", "۔ "]
    };
    (1..=3).contains(&digits.len()) && closers.iter().any(|c| rest.starts_with(c))
}

/// The zero of the decimal digits `c` belongs to, for the digit systems list numbers use.
fn digit_zero(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some('0'),
        '\u{0660}'..='\u{0669}' => Some('\u{0660}'),
        '\u{06F0}'..='\u{06F9}' => Some('\u{06F0}'),
        _ => None,
    }
}

/// A line that is always a paragraph of its own.
fn stands_alone(t: &str) -> bool {
    boilerplate(t).is_some()
        || breadcrumb(t).is_some()
        || is_date_line(t)
        || is_caption(t)
        || is_byline(t)
}

fn first_word_width(t: &str) -> usize {
    t.split_whitespace().next().map_or(0, width)
}

fn ends_in_dangling_word(t: &str) -> bool {
    t.split_whitespace().last().is_some_and(|w| {
        w.ends_with([',', '،']) || rules::DANGLING_WORDS.contains(&w.to_lowercase().as_str())
    })
}

fn split_paragraphs(text: &str) -> Vec<Raw> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut first_block = true;
    while i < lines.len() {
        if lines[i].trim().is_empty() {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && !lines[i].trim().is_empty() {
            i += 1;
        }
        split_block(&lines[start..i], first_block, &mut out);
        first_block = false;
    }
    out
}

fn split_block(lines: &[&str], first_block: bool, out: &mut Vec<Raw>) {
    let widest = lines.iter().map(|l| width(l.trim())).max().unwrap_or(0);
    let mut current: Option<Raw> = None;
    let mut previous_line = "";
    for (k, &line) in lines.iter().enumerate() {
        let t = line.trim();
        let shape = shape(line);
        let join = match (&current, &shape) {
            (Some(cur), Shape::Plain) => {
                let prev = previous_line.trim();
                let indent = line.len() - line.trim_start().len();
                if stands_alone(prev) || stands_alone(t) {
                    false
                } else if cur.item && indent >= 2 {
                    true
                } else {
                    let wraps = widest <= WRAP_MAX
                        && width(prev) * 2 >= widest
                        && width(prev) >= 20
                        && width(prev) + 1 + first_word_width(t) > widest;
                    // "Headline\nStandfirst" opening a file is two paragraphs.
                    let title_above = first_block
                        && k == 1
                        && lines.len() == 2
                        && reads_as_headline(prev)
                        && !ends_in_dangling_word(prev)
                        && !t.starts_with(|c: char| c.is_lowercase());
                    wraps && !title_above
                }
            }
            _ => false,
        };
        if join {
            if let Some(cur) = current.as_mut() {
                cur.text.push(' ');
                cur.text.push_str(t);
            }
        } else {
            out.extend(current.take());
            current = Some(match shape {
                Shape::Item => Raw {
                    text: t.to_string(),
                    item: true,
                },
                Shape::Plain => Raw {
                    text: t.to_string(),
                    item: false,
                },
            });
        }
        previous_line = line;
    }
    out.extend(current);
}

// ---------------------------------------------------------------- classifying

/// Case-insensitive comparison key: whitespace collapsed, lower case.
fn fold(t: &str) -> String {
    t.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The boilerplate patterns, folded once (and, for whole lines, without trailing punctuation).
fn folded_patterns() -> &'static [(String, &'static rules::Boilerplate)] {
    static FOLDED: OnceLock<Vec<(String, &'static rules::Boilerplate)>> = OnceLock::new();
    FOLDED.get_or_init(|| {
        BOILERPLATE
            .iter()
            .map(|b| match b.how {
                Match::Line => (bare(&fold(b.text)), b),
                Match::Prefix => (fold(b.text), b),
            })
            .collect()
    })
}

/// A folded line without trailing `:` `.` `…` and spaces.
fn bare(s: &str) -> String {
    s.trim_end_matches(|c: char| matches!(c, ':' | '.' | '…') || c.is_whitespace())
        .to_string()
}

/// Paragraphs longer than this (in bytes) are only compared by their start: no boilerplate
/// pattern is nearly this long.
const BOILERPLATE_HEAD: usize = 300;

/// The boilerplate pattern a paragraph matches, if any.
fn boilerplate(t: &str) -> Option<&'static rules::Boilerplate> {
    let t = t.trim();
    let long = t.len() > BOILERPLATE_HEAD;
    let head = if long {
        let mut end = BOILERPLATE_HEAD;
        while !t.is_char_boundary(end) {
            end -= 1;
        }
        &t[..end]
    } else {
        t
    };
    let folded = fold(head);
    let whole = bare(&folded);
    folded_patterns().iter().find_map(|(pattern, b)| {
        let hit = match b.how {
            Match::Line => !long && whole == *pattern,
            Match::Prefix => folded.strip_prefix(pattern.as_str()).is_some_and(|rest| {
                b.text.ends_with(|c: char| !c.is_alphanumeric())
                    || !rest.starts_with(char::is_alphanumeric)
            }),
        };
        hit.then_some(*b)
    })
}

/// A short unpunctuated line that reads as the title of a linked article.
fn is_link_title(raw: &Raw) -> bool {
    let t = raw.text.trim();
    width(t) <= MAX_LINK_TITLE_WIDTH
        && has_letters(t)
        && !matches!(
            t.chars().last(),
            Some('.' | ',' | ';' | ':' | '…' | '،' | '؛')
        )
        && first_sentence(t).len() == t.len()
}

/// The kind of each paragraph, and which one is the title.
fn classify(raws: &[Raw]) -> (Vec<ParagraphKind>, Option<usize>) {
    use ParagraphKind::*;
    let n = raws.len();
    let mut kinds = vec![Body; n];

    let mut i = 0;
    while i < n {
        if let Some(b) = boilerplate(&raws[i].text) {
            kinds[i] = Boilerplate;
            if b.takes_links {
                let mut taken = 0;
                while i + 1 < n && taken < MAX_LINK_TITLES && is_link_title(&raws[i + 1]) {
                    i += 1;
                    taken += 1;
                    kinds[i] = Boilerplate;
                }
            }
        }
        i += 1;
    }

    for (raw, kind) in raws.iter().zip(kinds.iter_mut()) {
        if *kind == Boilerplate {
            continue;
        }
        let t = raw.text.as_str();
        if breadcrumb(t).is_some() || is_date_line(t) || is_caption(t) || is_byline(t) {
            *kind = Meta;
        }
    }

    let mut title = None;
    for (i, raw) in raws.iter().enumerate() {
        let labels_something = || kinds[i + 1..].iter().any(|&k| k != Boilerplate);
        match kinds[i] {
            Boilerplate | Meta => continue,
            Body if !raw.item && is_section_label(&raw.text) && labels_something() => {
                kinds[i] = Meta;
                continue;
            }
            Heading => title = Some(i),
            Body if !raw.item && reads_as_headline(&raw.text) => title = Some(i),
            _ => {}
        }
        break;
    }
    if let Some(i) = title {
        kinds[i] = Title;
    }

    // A headline where the language changes, with more text in that language after it.
    let content: Vec<usize> = (0..n).filter(|&i| kinds[i] != Boilerplate).collect();
    let langs: Vec<Option<Lang>> = raws
        .iter()
        .map(|r| has_letters(&r.text).then(|| lang_of(&r.text)))
        .collect();
    let mut previous: Option<Lang> = None;
    for (k, &i) in content.iter().enumerate() {
        let Some(lang) = langs[i] else { continue };
        let changes = previous.is_some_and(|p| p != lang);
        let continues = content[k + 1..]
            .iter()
            .find_map(|&j| langs[j])
            .is_some_and(|next| next == lang);
        if kinds[i] == Body
            && !raws[i].item
            && changes
            && continues
            && reads_as_headline(&raws[i].text)
        {
            kinds[i] = Heading;
        }
        previous = Some(lang);
    }

    (kinds, title)
}

// ---------------------------------------------------------------- sections and reading time

/// Words as Unicode word boundaries count them ("8,796" and "Russia’s" are one word each).
pub fn count_words(t: &str) -> usize {
    t.unicode_words().count()
}

fn wpm(lang: Lang) -> usize {
    match lang {
        Lang::Ar => WPM_AR,
        Lang::Fa => WPM_FA,
        Lang::Ur => WPM_UR,
        Lang::He => WPM_HE,
        Lang::En | Lang::Other => WPM_EN,
    }
}

/// Minutes to read runs of words in their languages: rounded to the nearest minute, at least 1
/// when there is any word, 0 when there is none.
pub fn minutes(parts: impl IntoIterator<Item = (usize, Lang)>) -> u32 {
    let mut seconds = 0usize;
    let mut words = 0usize;
    for (w, lang) in parts {
        words += w;
        seconds += w * 60 / wpm(lang);
    }
    if words == 0 {
        return 0;
    }
    u32::try_from((seconds + 30) / 60)
        .unwrap_or(u32::MAX)
        .max(1)
}

/// The sections of the content paragraphs. An Arabic-script paragraph that does not show
/// which language it is in takes the language of the Persian or Urdu section it sits in.
pub(super) fn sections(paragraphs: &mut [Paragraph]) -> Vec<Section> {
    // Language runs. A paragraph without letters belongs to the run it is in; a run of them at
    // the start takes the language of the first paragraph with letters after it. An Arabic
    // paragraph with no Arabic spelling counts as one without letters next to Persian or Urdu.
    let langs: Vec<Option<Lang>> = paragraphs
        .iter()
        .map(|p| has_letters(&p.text).then_some(p.lang))
        .collect();
    // The nearest language before and after each paragraph that says what it is.
    let telling: Vec<Option<Lang>> = paragraphs
        .iter()
        .zip(&langs)
        .map(|(p, l)| l.filter(|_| !is_bare_arabic(p)))
        .collect();
    let mut before = vec![None; telling.len()];
    for i in 1..telling.len() {
        before[i] = telling[i - 1].or(before[i - 1]);
    }
    let mut after = vec![None; telling.len()];
    for i in (0..telling.len().saturating_sub(1)).rev() {
        after[i] = telling[i + 1].or(after[i + 1]);
    }
    let persian_like = |l: Option<Lang>| matches!(l, Some(Lang::Fa | Lang::Ur));
    let mut langs_in_runs = langs.clone();
    for (i, p) in paragraphs.iter().enumerate() {
        if !is_bare_arabic(p) {
            continue;
        }
        let (b, a) = (before[i], after[i]);
        langs_in_runs[i] = match (persian_like(b), persian_like(a)) {
            (true, true) if b != a => langs[i],
            (true, _) => b,
            (_, true) => a,
            _ => langs[i],
        };
    }
    for (p, lang) in paragraphs.iter_mut().zip(&langs_in_runs) {
        if let Some(l) = lang {
            p.lang = *l;
        }
    }
    let mut runs: Vec<(Option<Lang>, usize, usize)> = Vec::new();
    for (i, lang) in langs_in_runs.into_iter().enumerate() {
        match runs.last_mut() {
            Some(run) => match (run.0, lang) {
                (_, None) => run.2 = i + 1,
                (None, Some(l)) => *run = (Some(l), run.1, i + 1),
                (Some(a), Some(l)) if a == l => run.2 = i + 1,
                _ => runs.push((lang, i, i + 1)),
            },
            None => runs.push((lang, i, i + 1)),
        }
    }
    runs.into_iter()
        .map(|(lang, start, end)| {
            let lang = lang.unwrap_or(Lang::Other);
            let ps = &paragraphs[start..end];
            let words = ps.iter().map(|p| count_words(&p.text)).sum();
            let dir = ps
                .iter()
                .find(|p| paragraph_direction(&p.text).is_some())
                .unwrap_or(&ps[0])
                .dir;
            Section {
                lang,
                dir,
                paragraphs: start..end,
                words,
                reading_minutes: minutes([(words, lang)]),
            }
        })
        .collect()
}

/// An Arabic-script paragraph whose letters say nothing of Arabic, Persian or Urdu spelling.
fn is_bare_arabic(p: &Paragraph) -> bool {
    p.lang == Lang::Ar && !super::clues::shows_arabic_spelling(&p.text)
}

/// Record the language a manifest declares for `article` and decide its paragraphs' directions
/// again in that light: an ambiguous paragraph ("Reuters: قالت الوزارة") takes the declared
/// direction when its section does not say otherwise.
pub(crate) fn declare_language(article: &mut Article, lang: Lang) {
    article.language = Some(lang);
    declare_direction(article, lang.direction());
}

/// Decide `article`'s paragraph directions again in the context of the direction its source
/// declares (a language's, or an HTML page's `dir`); code stays left to right.
pub(crate) fn declare_direction(article: &mut Article, declared: Option<Direction>) {
    let dirs =
        paragraph_directions_in(article.paragraphs.iter().map(|p| p.text.as_str()), declared);
    for (p, dir) in article.paragraphs.iter_mut().zip(dirs) {
        // Code reads left to right whatever language the article is in.
        if !matches!(p.block.kind, super::BlockKind::Code { .. }) {
            p.dir = dir;
        }
    }
    for s in &mut article.sections {
        let ps = &article.paragraphs[s.paragraphs.clone()];
        if let Some(p) = ps
            .iter()
            .find(|p| paragraph_direction(&p.text).is_some())
            .or(ps.first())
        {
            s.dir = p.dir;
        }
    }
}

#[cfg(test)]
mod tests;
