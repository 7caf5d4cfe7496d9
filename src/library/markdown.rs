//! The Markdown front end: `.md` / `.markdown` files → [`Article`].
//!
//! CommonMark with the GitHub extensions people use (tables, strikethrough, task lists,
//! footnotes, autolinks), parsed by `pulldown-cmark` and built into the document model by
//! [`super::doc::build`]. `pulldown-cmark` links only `<…>` autolinks; a bare URL or e-mail
//! address in the text (as GitHub links them) is found by `linkify`, which knows where a URL ends
//! (trailing punctuation, balanced parentheses), and becomes a link like any other. Front matter (YAML between `---` lines, or TOML between `+++` lines)
//! gives:
//!
//! - `title`; otherwise the first heading; otherwise the plain-text rules (the lead's first
//!   sentence, then the file name);
//! - `date`; otherwise the first date phrase in the text, as for plain text;
//! - `outlet`, `site`, `publisher` or `author` (the first present) → the outlet;
//! - `url` or `link`;
//! - `lang` or `language` (`ar`, `fa-IR`, `en_US`…) → the declared language, which decides the
//!   direction of paragraphs that do not say it themselves.
//!
//! Sections, words and reading time are counted as for plain text.

use linkify::{LinkFinder, LinkKind};
use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

use super::clues::{find_date, first_sentence, shorten, strip_dateline};
use super::doc::{Built, build};
use super::parse::{declare_language, display_file_name, file_stem, minutes, sections};
use super::{Article, Lang, Origin, ParagraphKind, TITLE_MAX};
use crate::text::sanitize::{sanitize_bytes, sanitize_str};

/// The parser's options: what folio reads in a Markdown file.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
}

/// Markdown source → the document model.
pub fn build_markdown(text: &str) -> Built {
    build(autolinks(Parser::new_ext(text, options())))
}

/// Bare URLs in text (outside links, code, HTML and front matter) as links. The parser splits
/// text at characters that could be markup (`_`), so neighbouring pieces are joined first.
fn autolinks<'a>(events: impl Iterator<Item = Event<'a>>) -> impl Iterator<Item = Event<'a>> {
    let mut finder = LinkFinder::new();
    finder.kinds(&[LinkKind::Url, LinkKind::Email]);
    Autolinks {
        events: events.peekable(),
        finder,
        inside: 0,
        queue: std::collections::VecDeque::new(),
    }
}

struct Autolinks<'a, I: Iterator<Item = Event<'a>>> {
    events: std::iter::Peekable<I>,
    finder: LinkFinder,
    /// Inside a link or image, a code block, an HTML block or front matter.
    inside: usize,
    queue: std::collections::VecDeque<Event<'a>>,
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Autolinks<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(event) = self.queue.pop_front() {
            return Some(event);
        }
        let event = self.events.next()?;
        match &event {
            Event::Start(
                Tag::Link { .. }
                | Tag::Image { .. }
                | Tag::CodeBlock(_)
                | Tag::HtmlBlock
                | Tag::MetadataBlock(_),
            ) => self.inside += 1,
            Event::End(
                TagEnd::Link
                | TagEnd::Image
                | TagEnd::CodeBlock
                | TagEnd::HtmlBlock
                | TagEnd::MetadataBlock(_),
            ) => self.inside = self.inside.saturating_sub(1),
            Event::Text(first) if self.inside == 0 => {
                let mut text = first.to_string();
                while let Some(Event::Text(more)) = self.events.peek() {
                    text.push_str(more);
                    self.events.next();
                }
                if !text.contains("://") && !text.contains('@') {
                    return Some(Event::Text(CowStr::from(text)));
                }
                for span in self.finder.spans(&text) {
                    let piece = CowStr::from(span.as_str().to_string());
                    if let Some(kind) = span.kind() {
                        let (link_type, dest_url) = match kind {
                            LinkKind::Email => {
                                (LinkType::Email, CowStr::from(format!("mailto:{piece}")))
                            }
                            _ => (LinkType::Autolink, piece.clone()),
                        };
                        self.queue.push_back(Event::Start(Tag::Link {
                            link_type,
                            dest_url,
                            title: CowStr::from(""),
                            id: CowStr::from(""),
                        }));
                        self.queue.push_back(Event::Text(piece));
                        self.queue.push_back(Event::End(TagEnd::Link));
                    } else {
                        self.queue.push_back(Event::Text(piece));
                    }
                }
                return self.queue.pop_front();
            }
            _ => {}
        }
        Some(event)
    }
}

/// What front matter says about an article.
#[derive(Debug, Default, PartialEq, Eq)]
struct FrontMatter {
    title: Option<String>,
    date: Option<String>,
    outlet: Option<String>,
    url: Option<String>,
    lang: Option<Lang>,
}

/// Flat `key: value` (YAML) or `key = "value"` (TOML) pairs of a front matter block. Only
/// top-level scalar keys are read, which is all folio needs, so YAML is read by hand rather
/// than with a YAML library; TOML goes through the `toml` crate and falls back to the same
/// reading when it does not parse.
fn front_matter(block: &str) -> FrontMatter {
    let mut pairs: Vec<(String, String)> = Vec::new();
    if let Ok(table) = block.parse::<toml::Table>() {
        for (k, v) in table {
            let value = match v {
                toml::Value::String(s) => s,
                toml::Value::Datetime(d) => d.to_string(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Array(a) => a
                    .iter()
                    .filter_map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => continue,
            };
            pairs.push((k.to_lowercase(), value));
        }
    } else {
        for line in block.lines() {
            if line.starts_with([' ', '\t', '-', '#']) {
                continue;
            }
            let Some((k, v)) = line.split_once(':').or_else(|| line.split_once('=')) else {
                continue;
            };
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(v);
            pairs.push((k.trim().to_lowercase(), v.to_string()));
        }
    }
    let get = |keys: &[&str]| {
        keys.iter().find_map(|key| {
            pairs
                .iter()
                .find(|(k, v)| k == key && !v.trim().is_empty())
                .map(|(_, v)| sanitize_str(v.trim()).replace('\n', " "))
        })
    };
    FrontMatter {
        title: get(&["title"]),
        date: get(&["date", "published"]),
        outlet: get(&["outlet", "site", "publisher", "author"]),
        url: get(&["url", "link"]),
        lang: get(&["lang", "language"]).and_then(|code| {
            let base = code.split(['-', '_']).next().unwrap_or("");
            Lang::from_code(base)
        }),
    }
}

/// Parse a Markdown article. Never panics.
pub fn parse_markdown(file_name: &str, origin: Origin, bytes: &[u8]) -> Article {
    let clean = sanitize_bytes(bytes);
    let file_name = display_file_name(file_name);
    let built = build_markdown(&clean.text);
    let meta = built
        .metadata
        .as_deref()
        .map(front_matter)
        .unwrap_or_default();
    let mut paragraphs = built.paragraphs;

    let title = match (&meta.title, built.headings.first()) {
        (Some(t), first) => {
            // A heading that opens the text and repeats the front matter's title is the
            // title, as for a page whose first heading repeats its `<title>`.
            if first == Some(&0) && paragraphs[0].text.replace('\n', " ").trim() == t.trim() {
                paragraphs[0].kind = ParagraphKind::Title;
            }
            t.clone()
        }
        (None, Some(&h)) => {
            if h == 0 {
                paragraphs[0].kind = ParagraphKind::Title;
            }
            paragraphs[h].text.replace('\n', " ")
        }
        (None, None) => {
            let lead = paragraphs
                .iter()
                .find(|p| !p.text.trim().is_empty())
                .map(|p| {
                    shorten(
                        first_sentence(strip_dateline(&p.text.replace('\n', " "))),
                        TITLE_MAX,
                    )
                })
                .unwrap_or_default();
            if lead.is_empty() {
                file_stem(&file_name)
            } else {
                lead
            }
        }
    };
    let date = meta
        .date
        .clone()
        .or_else(|| paragraphs.iter().find_map(|p| find_date(&p.text)));
    let sections = sections(&mut paragraphs[..]);
    let words = sections.iter().map(|s| s.words).sum();
    let reading_minutes = minutes(sections.iter().map(|s| (s.words, s.lang)));
    let key = match &origin {
        Origin::File(path) => path.display().to_string(),
        Origin::Embedded => format!("seed:{file_name}"),
    };
    let mut article = Article {
        key,
        file_name,
        origin,
        title,
        outlet: meta.outlet,
        date,
        dateline: None,
        url: meta.url,
        hotkey: None,
        language: None,
        paragraphs,
        sections,
        words,
        reading_minutes,
        had_invalid_utf8: clean.had_invalid_utf8,
        large: None,
        links: built.links,
        body: super::Body::Loaded,
        author: None,
        warnings: Vec::new(),
        source: 0,
    };
    if let Some(lang) = meta.lang {
        declare_language(&mut article, lang);
    }
    article
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Direction;

    #[test]
    fn yaml_front_matter_gives_title_date_outlet_language() {
        let text = "---\ntitle: \"Notes from Gaza\"\ndate: 2024-01-07\nauthor: Someone\nlang: ar-EG\ntags:\n  - a\n---\n\nReuters: قالت الوزارة\n\n# عنوان\n";
        let a = parse_markdown("a.md", Origin::Embedded, text.as_bytes());
        assert_eq!(a.title, "Notes from Gaza");
        assert_eq!(a.date.as_deref(), Some("2024-01-07"));
        assert_eq!(a.outlet.as_deref(), Some("Someone"));
        assert_eq!(a.language, Some(Lang::Ar));
        assert_eq!(a.paragraphs.len(), 2);
        assert_eq!(a.paragraphs[0].dir, Direction::Rtl);
        // The heading is not the title when front matter names one.
        assert_eq!(a.paragraphs[1].kind, ParagraphKind::Heading);
    }

    #[test]
    fn toml_front_matter() {
        let text = "+++\ntitle = \"TOML title\"\nlanguage = \"fa\"\n+++\n\nمتن\n";
        let a = parse_markdown("a.md", Origin::Embedded, text.as_bytes());
        assert_eq!(a.title, "TOML title");
        assert_eq!(a.language, Some(Lang::Fa));
    }

    #[test]
    fn title_falls_back_to_the_first_heading_then_the_lead() {
        let a = parse_markdown("a.md", Origin::Embedded, b"# First\n\nBody.\n\n## Second\n");
        assert_eq!(a.title, "First");
        assert_eq!(a.paragraphs[0].kind, ParagraphKind::Title);
        let a = parse_markdown(
            "a.md",
            Origin::Embedded,
            b"Intro *text*. More.\n\n## Later\n",
        );
        assert_eq!(a.title, "Later");
        assert_eq!(a.paragraphs[0].kind, ParagraphKind::Body);
        let a = parse_markdown("a.md", Origin::Embedded, b"Just **a** lead. More.\n");
        assert_eq!(a.title, "Just a lead.");
        let a = parse_markdown("notes.md", Origin::Embedded, b"");
        assert_eq!(a.title, "notes");
    }

    #[test]
    fn bare_urls_are_links() {
        let b = build_markdown(
            "See https://example.com/a_(b), or [this](https://x.y) and `https://code.example`.\n",
        );
        assert_eq!(
            b.paragraphs[0].text,
            "See https://example.com/a_(b)[1], or this[2] and https://code.example."
        );
        assert_eq!(b.links[0].url, "https://example.com/a_(b)");
        assert_eq!(b.links.len(), 2);
        let b = build_markdown("```\nhttps://in.code\n```\n");
        assert!(b.links.is_empty());
        let b = build_markdown("Write to desk@example.org.\n");
        assert_eq!(b.paragraphs[0].text, "Write to desk@example.org[1].");
        assert_eq!(b.links[0].url, "mailto:desk@example.org");
    }

    #[test]
    fn words_and_sections_are_counted() {
        let a = parse_markdown(
            "a.md",
            Origin::Embedded,
            "# Title here\n\none two three\n\nواحد اثنان ثلاثة\n".as_bytes(),
        );
        assert_eq!(a.words, 8);
        assert_eq!(a.sections.len(), 2);
        assert_eq!(a.sections[1].lang, Lang::Ar);
        assert!(a.reading_minutes >= 1);
    }
}
