//! The HTML front end: a saved web page (`.html`, `.htm`) → [`Article`].
//!
//! A pure function of the bytes, like [`super::parse_article`]:
//!
//! 1. **Parse** the page with html5ever (through `dom_query`): entities decode, malformed markup
//!    is repaired the way a browser repairs it. Bytes that are not UTF-8 show as U+FFFD.
//!    Elements nested past [`nesting::MAX_NESTING`] lose their tags first, because parsing and
//!    extraction cost grows with the square of the depth.
//! 2. **Extract** the article the way Firefox's reader view does, with `dom_smoothie` (a port of
//!    Readability.js): navigation, scripts, styles, footers, share widgets, cookie banners and
//!    the rest of the page's furniture are dropped. A `<base>` is ignored first, so relative
//!    links stay as written.
//! 3. **Fall back** when extraction fails or finds nothing but links (a page that is all
//!    navigation): the body's text without its scripts, styles, navigation, header, footer and
//!    asides; and when even that is empty, the whole body. The article then carries a warning
//!    that says so ([`Article::warnings`]).
//! 4. **Map** the article's DOM onto pulldown-cmark events ([`map`]), which the document builder
//!    shared with the Markdown front end ([`super::build`]) turns into blocks and links. A
//!    heading before the text that repeats the title is the article's `Title`; a short line
//!    with the byline or a date alone is `Meta`.
//! 5. **Metadata**: title from JSON-LD, `og:title` and the like, else `<title>` (cleaned of the
//!    site's name by readability); author from the byline; outlet from `og:site_name`; date
//!    from `article:published_time`, else the first `<time datetime>` (an ISO date keeps its
//!    day: `2024-03-05`); URL from `<link rel="canonical">`, else `og:url`; language from
//!    `<html lang>`'s primary subtag (`ar-EG` → Arabic); direction from `dir` on `<html>`,
//!    `<body>` or the article, else the language's. The declared direction is the context in
//!    which each paragraph's own direction is decided (see
//!    [`paragraph_directions_in`](crate::text::bidi::paragraph_directions_in)).
//!
//! Everything that reaches the article is sanitized: hostile markup cannot put a control
//! character on the terminal.

use dom_query::Document;
use pulldown_cmark::{Event, Tag, TagEnd};

use super::clues::{find_date, is_byline, is_date_line, shorten, width};
use super::doc::build;
use super::parse::{declare_direction, display_file_name, file_stem, minutes, sections};
use super::{Article, Lang, Origin, ParagraphKind};
use crate::text::Direction;
use crate::text::block::BlockKind;

pub mod map;
pub mod nesting;
#[cfg(test)]
mod tests;

pub use map::map_children;

/// HTML files up to this size are read whole and extracted; larger ones are refused with a
/// message. Saved news pages are a few hundred KiB to a few MiB (inline styles and scripts
/// included).
pub const MAX_HTML_BYTES: u64 = 32 * 1024 * 1024;

/// Pages with more elements than this are not scored by readability (its cost grows with the
/// page, several passes over every element): their body's text is read instead.
pub const MAX_ELEMENTS: usize = 60_000;

/// A byline, dateline or date phrase is looked for in this many paragraphs at the top of the
/// article.
const META_LEAD: usize = 4;

/// Metadata strings (title, author, outlet) are cut to this many columns.
pub const META_MAX: usize = 200;

/// Whether a file name is an HTML page's.
pub fn is_html_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower.ends_with(".html") || lower.ends_with(".htm")
}

/// What folio reads from a page: its metadata and its article as events.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    pub title: Option<String>,
    pub author: Option<String>,
    pub outlet: Option<String>,
    pub date: Option<String>,
    /// The language `<html lang>` declares, when folio knows it.
    pub lang: Option<Lang>,
    /// The direction the page declares (`dir`), or its language's.
    pub dir: Option<Direction>,
    pub url: Option<String>,
    pub events: Vec<Event<'static>>,
    /// What was shown instead of an extracted article, for the user; `None` when readability
    /// found the article.
    pub fallback: Option<String>,
}

/// The elements dropped from the body when it is read whole: the page's furniture.
const CHROME: &str = "script, style, noscript, template, nav, header, footer, aside, form, \
     [role=navigation], [role=banner], [role=contentinfo], [role=complementary], \
     [aria-hidden=true]";

/// Read a page: metadata and article. Never panics.
pub fn read_page(html: &str) -> Page {
    let html = nesting::limit_nesting(html);
    let html = html.as_ref();
    let doc = Document::from(html);
    let declared = Declared::of(&doc);
    doc.select("base").remove();
    map::mark_for_extraction(&doc);

    let cfg = dom_smoothie::Config {
        max_elements_to_parse: MAX_ELEMENTS,
        ..Default::default()
    };
    let mut page = Page::default();
    let mut byline = None;
    let mut published = None;
    let mut too_large = false;
    if let Ok(mut readability) = dom_smoothie::Readability::with_document(doc, None, Some(cfg)) {
        let meta = readability.get_article_metadata(readability.parse_json_ld());
        page.title = meta_text(&meta.title);
        page.outlet = meta.site_name.as_deref().and_then(meta_text);
        byline = meta.byline;
        published = meta.published_time;
        match readability.parse() {
            Ok(article) => {
                byline = article.byline.or(byline);
                let root = readability.doc.select("#readability-page-1");
                if let Some(root) = root.nodes().first() {
                    page.events = map_children(root);
                }
                page.dir = article.dir.as_deref().and_then(direction);
            }
            Err(dom_smoothie::ReadabilityError::TooManyElements(..)) => too_large = true,
            Err(_) => {}
        }
    }
    page.author = byline.as_deref().and_then(meta_text);
    page.date = published
        .as_deref()
        .or(declared.time.as_deref())
        .and_then(date_of);
    page.url = declared.url.clone();
    page.lang = declared.lang;
    page.dir = declared
        .dir
        .or(page.dir)
        .or(page.lang.and_then(Lang::direction));

    if !map::has_content(&page.events) || mostly_links(&page.events) {
        let doc = Document::from(html);
        doc.select(CHROME).remove();
        let body = doc.body();
        let events = body.as_ref().map(map_children).unwrap_or_default();
        if map::has_content(&events) {
            page.events = events;
            page.fallback = Some(if too_large {
                format!(
                    "more than {MAX_ELEMENTS} elements, too many to look for the article in; \
                     showing the page's text without navigation"
                )
            } else {
                "no article found in the page; showing its text without navigation".into()
            });
        } else {
            let doc = Document::from(html);
            doc.select("script, style, noscript, template").remove();
            // The mapping drops navigation; here it is what the page has.
            for nav in doc.select("nav").nodes() {
                nav.rename("div");
            }
            page.events = doc.body().as_ref().map(map_children).unwrap_or_default();
            page.fallback = Some(if map::has_content(&page.events) {
                "the page is all navigation; showing it as it is".into()
            } else {
                "the page has no text".into()
            });
        }
    }
    page
}

/// What the page declares about itself outside the article, read before readability changes
/// the document.
#[derive(Default)]
struct Declared {
    lang: Option<Lang>,
    dir: Option<Direction>,
    url: Option<String>,
    time: Option<String>,
}

impl Declared {
    fn of(doc: &Document) -> Declared {
        let first_attr = |selector: &str, attr: &str| -> Option<String> {
            doc.select(selector)
                .nodes()
                .iter()
                .find_map(|n| n.attr(attr).map(|v| v.to_string()))
                .filter(|v| !v.trim().is_empty())
        };
        let canonical = doc.select("link[href]").nodes().iter().find_map(|n| {
            let rel = n.attr("rel")?;
            rel.split_ascii_whitespace()
                .any(|r| r.eq_ignore_ascii_case("canonical"))
                .then(|| n.attr("href"))
                .flatten()
                .map(|h| h.to_string())
        });
        let og_url = doc.select("meta[content]").nodes().iter().find_map(|n| {
            n.attr("property")
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("og:url"))
                .then(|| n.attr("content").map(|c| c.to_string()))
                .flatten()
        });
        let lang = first_attr("html", "lang").and_then(|code| {
            let primary = code.trim().split(['-', '_']).next().unwrap_or_default();
            Lang::from_code(primary)
        });
        let dir = first_attr("html", "dir")
            .or_else(|| first_attr("body", "dir"))
            .and_then(|d| direction(&d));
        Declared {
            lang,
            dir,
            url: canonical.or(og_url).and_then(|u| map::clean_url(&u)),
            time: first_attr("time[datetime]", "datetime"),
        }
    }
}

fn direction(dir: &str) -> Option<Direction> {
    match dir.trim().to_ascii_lowercase().as_str() {
        "rtl" => Some(Direction::Rtl),
        "ltr" => Some(Direction::Ltr),
        _ => None,
    }
}

/// A metadata string on one line, sanitized, at most [`META_MAX`] columns; `None` when empty.
fn meta_text(raw: &str) -> Option<String> {
    let t = map::one_line(raw);
    (!t.is_empty()).then(|| shorten(&t, META_MAX))
}

/// A date as the page gives it: an ISO date-time keeps its day (`2024-03-05`).
fn date_of(raw: &str) -> Option<String> {
    let t = map::one_line(raw);
    let b = t.as_bytes();
    let iso = b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if iso {
        return Some(t[..10].to_string());
    }
    (!t.is_empty()).then(|| shorten(&t, 40))
}

/// Whether most of the text in the events is link text: what readability returns for a page
/// of navigation.
fn mostly_links(events: &[Event<'_>]) -> bool {
    let (mut all, mut linked, mut depth) = (0usize, 0usize, 0usize);
    for e in events {
        match e {
            Event::Start(Tag::Link { .. }) => depth += 1,
            Event::End(TagEnd::Link) => depth = depth.saturating_sub(1),
            Event::Text(t) | Event::Code(t) => {
                let n = t.chars().filter(|c| !c.is_whitespace()).count();
                all += n;
                if depth > 0 {
                    linked += n;
                }
            }
            _ => {}
        }
    }
    all > 0 && linked * 10 >= all * 9
}

/// Parse an HTML page's bytes into an article. Never panics.
pub fn parse_html(file_name: &str, origin: Origin, bytes: &[u8]) -> Article {
    let (html, had_invalid_utf8) = match std::str::from_utf8(bytes) {
        Ok(text) => (std::borrow::Cow::Borrowed(text), false),
        // Not UTF-8: a page saved in the charset it names (windows-1256 for many Arabic
        // sites); with none named, or one unknown, bad bytes show as U+FFFD.
        Err(_) => match declared_encoding(bytes, None) {
            Some(encoding) if encoding != encoding_rs::UTF_8 => {
                let (text, _, bad) = encoding.decode(bytes);
                (text, bad)
            }
            _ => (String::from_utf8_lossy(bytes), true),
        },
    };
    let page = read_page(&html);
    article_of(page, file_name, origin, had_invalid_utf8)
}

/// HTML bytes as text, in the charset the response (`content_type`) or the page names, UTF-8
/// otherwise; a byte-order mark wins.
pub fn decode_page(bytes: &[u8], content_type: Option<&str>) -> String {
    let encoding = declared_encoding(bytes, content_type).unwrap_or(encoding_rs::UTF_8);
    encoding.decode(bytes).0.into_owned()
}

/// The charset a response's content type or, failing that, the page's first KiB names.
fn declared_encoding(
    bytes: &[u8],
    content_type: Option<&str>,
) -> Option<&'static encoding_rs::Encoding> {
    content_type
        .and_then(charset_in)
        .or_else(|| charset_in(&String::from_utf8_lossy(&bytes[..bytes.len().min(1024)])))
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()))
}

/// The value after `charset=` in a text, if any.
fn charset_in(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let at = lower.find("charset=")? + "charset=".len();
    let value: String = lower[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    (!value.is_empty()).then_some(value)
}

/// The article a page makes.
fn article_of(page: Page, file_name: &str, origin: Origin, had_invalid_utf8: bool) -> Article {
    let file_name = display_file_name(file_name);
    let built = build(page.events.into_iter());
    let mut paragraphs = built.paragraphs;
    let title = page.title.clone().or_else(|| {
        built
            .headings
            .first()
            .map(|&h| shorten(&paragraphs[h].text.replace('\n', " "), META_MAX))
    });
    // The headline, when the article repeats it before its text.
    let first_text = paragraphs
        .iter()
        .position(|p| p.kind != ParagraphKind::Heading)
        .unwrap_or(paragraphs.len());
    if let Some(t) = &title
        && let Some(&h) = built.headings.iter().find(|&&h| h < first_text)
        && same_words(t, &paragraphs[h].text)
    {
        paragraphs[h].kind = ParagraphKind::Title;
    }
    // Bylines and datelines sit at the top.
    let author = page.author.as_deref();
    for p in paragraphs.iter_mut().take(META_LEAD) {
        if p.kind == ParagraphKind::Body
            && p.block.kind == BlockKind::Text
            && p.block.containers.is_empty()
            && is_meta(&p.text, author)
        {
            p.kind = ParagraphKind::Meta;
        }
    }
    // Failing the page's metadata, a date phrase at the top of the text ("on Tuesday"), not
    // one in a table or a list further down.
    let date = page.date.or_else(|| {
        paragraphs
            .iter()
            .take(META_LEAD)
            .filter(|p| p.block.kind == BlockKind::Text && p.block.containers.is_empty())
            .find_map(|p| find_date(&p.text))
    });
    let sections = sections(&mut paragraphs[..]);
    let words = sections.iter().map(|s| s.words).sum();
    let reading_minutes = minutes(sections.iter().map(|s| (s.words, s.lang)));
    let key = match &origin {
        Origin::File(path) => path.display().to_string(),
        Origin::Embedded => format!("seed:{file_name}"),
    };
    let title = title.unwrap_or_else(|| file_stem(&file_name));
    let mut article = Article {
        key,
        title,
        origin,
        outlet: page.outlet,
        date,
        dateline: None,
        url: page.url,
        hotkey: None,
        language: page.lang,
        paragraphs,
        sections,
        words,
        reading_minutes,
        had_invalid_utf8,
        large: None,
        links: built.links,
        author: page.author,
        warnings: page.fallback.into_iter().collect(),
        file_name,
        body: super::Body::Loaded,
        source: 0,
    };
    if page.dir.is_some() {
        declare_direction(&mut article, page.dir);
    }
    article
}

/// A byline or a date on its own: "By Jane Smith", "5 March 2024", or a short line with the
/// page's author in it ("By Jane Smith, 5 March 2024").
fn is_meta(text: &str, author: Option<&str>) -> bool {
    is_byline(text)
        || is_date_line(text)
        || author.is_some_and(|a| width(text) <= 100 && text.contains(a))
}

/// The same words, whatever the case and spacing.
fn same_words(a: &str, b: &str) -> bool {
    let fold = |s: &str| {
        s.split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    };
    fold(a) == fold(b)
}
