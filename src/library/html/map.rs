//! An article's DOM → the pulldown-cmark event stream the document model is built from.
//!
//! The Markdown front end and this one meet at [`pulldown_cmark::Event`]: whatever HTML says,
//! it comes out as the events a Markdown text saying the same would give, so one builder makes
//! the blocks of both.
//!
//! - Blocks: `<p>` and the generic containers (`<div>`, `<section>`, `<article>`, …) give
//!   paragraphs of their inline content; `<h1>`–`<h6>` headings; `<blockquote>` quotes;
//!   `<ul>`/`<ol start>` lists of `<li>` items (tight unless an item holds a paragraph-like
//!   block; a leading checkbox is a task marker; a list nested straight in a list joins the item
//!   before it); `<pre>` code blocks, text kept exactly, the language from a `language-x` or
//!   `lang-x` class on the `<pre>` or its `<code>`; `<table>` tables (header from `<thead>` or a
//!   first row of `<th>`, alignment from `align` or a `text-align` style, `colspan` as empty
//!   cells, a `<caption>` as a paragraph before it; a table whose cells hold paragraphs or lists
//!   is laid out the way the page is, as its cells' blocks in order); `<hr>` rules;
//!   `<dt>`/`<dd>`, `<figcaption>` paragraphs.
//! - Inline: `<em>`/`<i>`/`<cite>`, `<strong>`/`<b>`, `<s>`/`<del>`/`<strike>`,
//!   `<code>`/`<kbd>`/`<samp>`/`<tt>` (inline code), `<a href>` links (the href as written;
//!   `javascript:` links and links in links keep their text only), `<img>` images (alt text and
//!   `src`, or `data-src`; an inline `data:` image keeps its alt text only), `<br>` hard breaks,
//!   `<q>` in quotation marks. Anything else is transparent: its content is mapped.
//! - Dropped: scripts, styles, `<noscript>`, `<template>`, embedded objects and media, form
//!   controls, `<nav>`, and 1×1 tracking images.
//! - Whitespace collapses as a browser collapses it (outside `<pre>`); paragraphs with nothing
//!   but whitespace are dropped. A block inside an inline element (`<a><div>…</div></a>`)
//!   closes the inline element's paragraph and reopens it after.
//! - All text and every URL is sanitized ([`sanitize_str`]): no control character reaches the
//!   events; URLs and alt text are on one line.
//! - Elements nested deeper than [`MAX_DEPTH`] are taken as plain text, so no page can exhaust
//!   the stack.

use dom_query::NodeRef;
use pulldown_cmark::{Alignment, BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel};
use pulldown_cmark::{LinkType, Tag, TagEnd};

use crate::text::sanitize::sanitize_str;

/// Elements nested deeper than this below the article's root are read as plain text.
pub const MAX_DEPTH: usize = 128;
/// URLs longer than this (in bytes) are not kept as links: their text is.
pub const MAX_URL_BYTES: usize = 4096;
/// A table has at most this many columns; cells beyond are dropped.
pub const MAX_COLUMNS: usize = 256;

/// What is dropped with all its content.
const DROPPED: &[&str] = &[
    "script", "style", "noscript", "template", "head", "title", "meta", "link", "base", "svg",
    "math", "iframe", "frame", "frameset", "object", "embed", "applet", "canvas", "audio", "video",
    "source", "track", "map", "area", "button", "select", "textarea", "option", "datalist",
    "dialog", "nav", "param", "input",
];

/// Attributes [`mark_for_extraction`] sets, which readability keeps where it strips classes
/// and presentational attributes.
const LANG_MARK: &str = "data-folio-lang";
const ALIGN_MARK: &str = "data-folio-align";
const TASK_MARK: &str = "data-folio-task";

/// Blocks that make a list item loose (its inline runs become paragraphs), and a table cell a
/// layout cell.
const PARAGRAPH_LIKE: &[&str] = &[
    "p",
    "div",
    "blockquote",
    "pre",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "figure",
    "hr",
    "dl",
    "section",
    "article",
];

/// Where the inline content being gathered ends up.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    /// Inline runs become paragraphs: the page, a quote, a loose list item.
    Blocks,
    /// Inline runs go straight into the container: a tight list item.
    Tight,
    /// Everything is inline (a heading, a table cell): blocks inside only separate words.
    Inline,
}

/// The state of a walk over one article's DOM.
struct Mapper {
    events: Vec<Event<'static>>,
    /// Inline events since the last block boundary.
    run: Vec<Event<'static>>,
    /// The inline elements open around the current point, outermost first; reopened in the
    /// next run after a block boundary splits them.
    open: Vec<Tag<'static>>,
    /// The run ends in white space (or is at its start): the next space is dropped.
    after_space: bool,
    context: Context,
    /// Inside a link: links nested in it keep their text only.
    in_link: bool,
    /// The task marker of the list item about to be mapped.
    task: Option<bool>,
}

/// The events for the children of `root` (the article's content element, or the page's body).
pub fn map_children(root: &NodeRef) -> Vec<Event<'static>> {
    let mut m = Mapper {
        events: Vec::new(),
        run: Vec::new(),
        open: Vec::new(),
        after_space: true,
        context: Context::Blocks,
        in_link: false,
        task: None,
    };
    m.children(root, 0);
    m.flush();
    m.events
}

fn name_of(node: &NodeRef) -> String {
    node.node_name()
        .map(|n| n.to_ascii_lowercase())
        .unwrap_or_default()
}

fn heading_level(name: &str) -> Option<HeadingLevel> {
    Some(match name {
        "h1" => HeadingLevel::H1,
        "h2" => HeadingLevel::H2,
        "h3" => HeadingLevel::H3,
        "h4" => HeadingLevel::H4,
        "h5" => HeadingLevel::H5,
        "h6" => HeadingLevel::H6,
        _ => return None,
    })
}

/// HTML's white space (what collapses outside `<pre>`), and the Unicode line and paragraph
/// separators, which would otherwise break a line inside a paragraph.
fn is_html_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | '\r' | '\u{c}' | '\u{2028}' | '\u{2029}'
    )
}

/// Text on one line with white space collapsed and trimmed, sanitized.
pub fn one_line(s: &str) -> String {
    let collapsed: Vec<&str> = s.split(is_html_space).filter(|w| !w.is_empty()).collect();
    sanitize_str(&collapsed.join(" "))
}

/// A URL as written, without the white space HTML strips from it, sanitized; `None` when it
/// is empty, too long, or a script.
pub fn clean_url(raw: &str) -> Option<String> {
    let url: String = raw
        .trim_matches(is_html_space)
        .chars()
        .filter(|&c| !is_html_space(c) || c == ' ')
        .collect();
    let scheme = url
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let refused = url.contains(':') && matches!(scheme.trim(), "javascript" | "vbscript");
    (!url.is_empty() && url.len() <= MAX_URL_BYTES && !refused).then(|| sanitize_str(&url))
}

/// Copy what the mapping reads from classes and presentational attributes (a code block's
/// language, a cell's alignment, a task item's checkbox) into attributes readability keeps.
pub fn mark_for_extraction(doc: &dom_query::Document) {
    for node in doc.select("pre, code").nodes() {
        if let Some(lang) = code_lang(node) {
            node.set_attr(LANG_MARK, &lang);
        }
    }
    for node in doc.select("td, th").nodes() {
        let mark = match cell_align(node) {
            Alignment::None => continue,
            Alignment::Left => "left",
            Alignment::Center => "center",
            Alignment::Right => "right",
        };
        node.set_attr(ALIGN_MARK, mark);
    }
    for node in doc.select("li").nodes() {
        if let Some(done) = task_of(node) {
            node.set_attr(TASK_MARK, if done { "x" } else { " " });
        }
    }
}

/// A task item's state: a checkbox before any text in the item.
fn task_of(item: &NodeRef) -> Option<bool> {
    if let Some(mark) = item.attr(TASK_MARK) {
        return Some(mark.as_ref() == "x");
    }
    for child in item.children_it(false) {
        if child.is_text() {
            if child.text().chars().all(is_html_space) {
                continue;
            }
            return None;
        }
        if child.is_element() {
            let checkbox = name_of(&child) == "input"
                && child
                    .attr("type")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("checkbox"));
            return checkbox.then(|| child.has_attr("checked"));
        }
    }
    None
}

/// The language a `<pre>` or `<code>` class names: `language-rust`, `lang-sh`.
fn code_lang(node: &NodeRef) -> Option<String> {
    if let Some(lang) = node.attr(LANG_MARK) {
        return Some(lang.to_string());
    }
    let class = node.attr("class")?;
    class.split_whitespace().find_map(|c| {
        let lang = c
            .strip_prefix("language-")
            .or_else(|| c.strip_prefix("lang-"))?;
        (!lang.is_empty()).then(|| one_line(lang))
    })
}

/// A table cell's alignment: its `align` attribute or a `text-align` in its style.
fn cell_align(node: &NodeRef) -> Alignment {
    let from_word = |w: &str| match w.trim().to_ascii_lowercase().as_str() {
        "left" | "start" => Some(Alignment::Left),
        "center" | "middle" => Some(Alignment::Center),
        "right" | "end" => Some(Alignment::Right),
        _ => None,
    };
    if let Some(a) = node
        .attr(ALIGN_MARK)
        .or_else(|| node.attr("align"))
        .and_then(|a| from_word(&a))
    {
        return a;
    }
    node.attr("style")
        .and_then(|style| {
            style.split(';').find_map(|decl| {
                let (prop, value) = decl.split_once(':')?;
                (prop.trim().eq_ignore_ascii_case("text-align"))
                    .then(|| from_word(value.trim_end_matches("!important")))
                    .flatten()
            })
        })
        .unwrap_or(Alignment::None)
}

/// Whether `node` has a descendant element named in `names` (looking at most [`MAX_DEPTH`]
/// levels down, breadth first, so a deep page costs no stack).
fn has_descendant(node: &NodeRef, names: &[&str]) -> bool {
    let mut level = node.element_children();
    for _ in 0..MAX_DEPTH {
        if level.is_empty() {
            return false;
        }
        if level.iter().any(|n| names.contains(&name_of(n).as_str())) {
            return true;
        }
        level = level.iter().flat_map(|n| n.element_children()).collect();
    }
    false
}

/// Whether `end` closes `tag`.
fn is_start_of(tag: &Tag<'_>, end: &TagEnd) -> bool {
    &tag.to_end() == end
}

impl Mapper {
    // ------------------------------------------------------------ inline runs

    /// Start a run: the inline elements still open are reopened in it.
    fn reopen(&mut self) {
        self.run = self.open.iter().cloned().map(Event::Start).collect();
        self.after_space = true;
    }

    fn push_text(&mut self, raw: &str) {
        let mut out = String::new();
        for c in raw.chars() {
            if is_html_space(c) {
                if !self.after_space {
                    out.push(' ');
                    self.after_space = true;
                }
            } else {
                out.push(c);
                self.after_space = false;
            }
        }
        if !out.is_empty() {
            self.run.push(Event::Text(CowStr::from(sanitize_str(&out))));
        }
    }

    fn push_break(&mut self) {
        if self.context == Context::Inline {
            self.push_text(" ");
            return;
        }
        trim_run_end(&mut self.run);
        self.run.push(Event::HardBreak);
        self.after_space = true;
    }

    /// End the current run: it becomes a paragraph (or goes straight into a tight item) if it
    /// has any content; a new run starts with the open inline elements reopened.
    fn flush(&mut self) {
        let mut run = std::mem::take(&mut self.run);
        for tag in self.open.iter().rev() {
            run.push(Event::End(tag.to_end()));
        }
        let run = tidy_run(run);
        if has_content(&run) {
            match self.context {
                Context::Blocks => {
                    self.events.push(Event::Start(Tag::Paragraph));
                    self.events.extend(run);
                    self.events.push(Event::End(TagEnd::Paragraph));
                }
                Context::Tight => {
                    // Two runs in one tight item (blocks inside an inline element) are two
                    // lines of it.
                    if ends_inline(&self.events) {
                        self.events.push(Event::HardBreak);
                    }
                    self.events.extend(run);
                }
                Context::Inline => self.events.extend(run),
            }
        }
        self.reopen();
    }

    /// The inline events of `node`'s content alone, tidied (a heading's, a cell's).
    fn inline_of(&mut self, node: &NodeRef, depth: usize) -> Vec<Event<'static>> {
        let saved_run = std::mem::take(&mut self.run);
        let saved_open = std::mem::take(&mut self.open);
        let saved_context = self.context;
        let saved_space = self.after_space;
        self.context = Context::Inline;
        self.after_space = true;
        self.children(node, depth);
        let run = tidy_run(std::mem::replace(&mut self.run, saved_run));
        self.open = saved_open;
        self.context = saved_context;
        self.after_space = saved_space;
        run
    }

    /// Map `node`'s children in `context`, then end the run they leave.
    fn contained(&mut self, node: &NodeRef, depth: usize, context: Context) {
        let saved = std::mem::replace(&mut self.context, context);
        let saved_open = std::mem::take(&mut self.open);
        self.reopen();
        if let Some(done) = self.task.take() {
            self.run.push(Event::TaskListMarker(done));
        }
        self.children(node, depth);
        self.flush();
        self.context = saved;
        self.open = saved_open;
        self.reopen();
    }

    // ------------------------------------------------------------ the walk

    fn children(&mut self, node: &NodeRef, depth: usize) {
        for child in node.children_it(false) {
            self.node(&child, depth + 1);
        }
    }

    fn node(&mut self, node: &NodeRef, depth: usize) {
        if node.is_text() {
            self.push_text(&node.text());
            return;
        }
        if !node.is_element() {
            return;
        }
        if depth > MAX_DEPTH {
            self.push_text(" ");
            self.push_text(&node.text());
            self.push_text(" ");
            return;
        }
        let name = name_of(node);
        let name = name.as_str();
        if DROPPED.contains(&name) {
            return;
        }
        if self.context == Context::Inline {
            return self.inline_element(node, name, depth);
        }
        match name {
            _ if heading_level(name).is_some() => self.heading(node, name, depth),
            "blockquote" => self.quote(node, depth),
            "ul" | "ol" | "menu" => self.list(node, name, depth),
            "pre" | "listing" | "xmp" | "plaintext" => self.pre(node),
            "table" => self.table(node, depth),
            "hr" => {
                self.flush();
                self.events.push(Event::Rule);
            }
            "p" | "div" | "section" | "article" | "main" | "header" | "footer" | "aside"
            | "address" | "center" | "figure" | "figcaption" | "details" | "summary" | "dl"
            | "dt" | "dd" | "body" | "html" | "form" | "fieldset" | "legend" | "hgroup"
            | "search" | "li" | "tr" | "td" | "th" | "caption" | "thead" | "tbody" | "tfoot" => {
                self.flush();
                match name {
                    "dt" => self.wrapped(node, depth, Tag::Strong),
                    _ => self.children(node, depth),
                }
                self.flush();
            }
            _ => self.inline_element(node, name, depth),
        }
    }

    /// Map the children of `node` inside the inline element `tag`.
    fn wrapped(&mut self, node: &NodeRef, depth: usize, tag: Tag<'static>) {
        self.run.push(Event::Start(tag.clone()));
        self.open.push(tag.clone());
        self.children(node, depth);
        self.open.pop();
        self.run.push(Event::End(tag.to_end()));
    }

    fn inline_element(&mut self, node: &NodeRef, name: &str, depth: usize) {
        match name {
            "br" => self.push_break(),
            "wbr" => {}
            "em" | "i" | "cite" | "dfn" | "var" => self.wrapped(node, depth, Tag::Emphasis),
            "strong" | "b" => self.wrapped(node, depth, Tag::Strong),
            "s" | "del" | "strike" => self.wrapped(node, depth, Tag::Strikethrough),
            "code" | "kbd" | "samp" | "tt" => {
                let text = one_line(&node.text());
                if !text.is_empty() {
                    self.run.push(Event::Code(CowStr::from(text)));
                    self.after_space = false;
                }
            }
            "a" => match node.attr("href").and_then(|h| clean_url(&h)) {
                Some(url) if !self.in_link => {
                    let tag = Tag::Link {
                        link_type: LinkType::Inline,
                        dest_url: CowStr::from(url),
                        title: CowStr::from(
                            node.attr("title").map(|t| one_line(&t)).unwrap_or_default(),
                        ),
                        id: CowStr::from(""),
                    };
                    self.in_link = true;
                    self.wrapped(node, depth, tag);
                    self.in_link = false;
                }
                _ => self.children(node, depth),
            },
            "img" => self.image(node),
            "q" => {
                self.push_text("“");
                self.children(node, depth);
                self.push_text("”");
            }
            // Blocks inside a heading or a cell: words apart, nothing more.
            _ if self.context == Context::Inline
                && (PARAGRAPH_LIKE.contains(&name)
                    || matches!(name, "li" | "ul" | "ol" | "tr" | "td" | "th" | "dt" | "dd")) =>
            {
                self.push_text(" ");
                self.children(node, depth);
                self.push_text(" ");
            }
            _ => self.children(node, depth),
        }
    }

    fn image(&mut self, node: &NodeRef) {
        let tiny = |a: &str| node.attr(a).is_some_and(|v| matches!(v.trim(), "0" | "1"));
        if tiny("width") && tiny("height") {
            return;
        }
        let alt = node.attr("alt").map(|a| one_line(&a)).unwrap_or_default();
        let src = ["src", "data-src"]
            .iter()
            .filter_map(|a| node.attr(a))
            .find(|s| !s.trim().is_empty());
        let url = src
            .filter(|s| !s.trim_start().to_ascii_lowercase().starts_with("data:"))
            .and_then(|s| clean_url(&s));
        match url {
            Some(url) => {
                let tag = Tag::Image {
                    link_type: LinkType::Inline,
                    dest_url: CowStr::from(url),
                    title: CowStr::from(
                        node.attr("title").map(|t| one_line(&t)).unwrap_or_default(),
                    ),
                    id: CowStr::from(""),
                };
                self.run.push(Event::Start(tag.clone()));
                if !alt.is_empty() {
                    self.run.push(Event::Text(CowStr::from(alt)));
                }
                self.run.push(Event::End(tag.to_end()));
                self.after_space = false;
            }
            None if !alt.is_empty() => {
                self.run.push(Event::Start(Tag::Emphasis));
                self.push_text(&alt);
                self.run.push(Event::End(TagEnd::Emphasis));
            }
            None => {}
        }
    }

    // ------------------------------------------------------------ blocks

    fn heading(&mut self, node: &NodeRef, name: &str, depth: usize) {
        self.flush();
        let Some(level) = heading_level(name) else {
            return;
        };
        let run = self.inline_of(node, depth);
        if has_content(&run) {
            self.events.push(Event::Start(Tag::Heading {
                level,
                id: None,
                classes: Vec::new(),
                attrs: Vec::new(),
            }));
            self.events.extend(run);
            self.events.push(Event::End(TagEnd::Heading(level)));
        }
    }

    fn quote(&mut self, node: &NodeRef, depth: usize) {
        self.flush();
        let mark = self.events.len();
        self.events
            .push(Event::Start(Tag::BlockQuote(None::<BlockQuoteKind>)));
        self.contained(node, depth, Context::Blocks);
        if self.events.len() == mark + 1 {
            self.events.truncate(mark);
        } else {
            self.events.push(Event::End(TagEnd::BlockQuote(None)));
        }
    }

    fn list(&mut self, node: &NodeRef, name: &str, depth: usize) {
        self.flush();
        let ordered = name == "ol";
        let start = ordered.then(|| {
            node.attr("start")
                .and_then(|s| s.trim().parse::<u64>().ok())
                .unwrap_or(1)
        });
        let mark = self.events.len();
        self.events.push(Event::Start(Tag::List(start)));
        let mut item_open = false;
        for child in node.children_it(false) {
            if child.is_text() {
                if child.text().chars().all(is_html_space) {
                    continue;
                }
            } else if !child.is_element() {
                continue;
            }
            let child_name = name_of(&child);
            if DROPPED.contains(&child_name.as_str()) {
                continue;
            }
            let is_item = child_name == "li";
            let is_list = matches!(child_name.as_str(), "ul" | "ol" | "menu");
            // A list straight inside a list belongs to the item before it.
            if is_item || !item_open {
                if item_open {
                    self.events.push(Event::End(TagEnd::Item));
                }
                self.events.push(Event::Start(Tag::Item));
                item_open = true;
            }
            if is_item {
                let loose = has_child_named(&child, PARAGRAPH_LIKE);
                let context = if loose {
                    Context::Blocks
                } else {
                    Context::Tight
                };
                self.task = task_of(&child);
                self.contained(&child, depth + 1, context);
            } else if is_list {
                self.list(&child, &child_name, depth + 1);
            } else {
                let saved = std::mem::replace(&mut self.context, Context::Tight);
                self.node(&child, depth + 1);
                self.flush();
                self.context = saved;
            }
        }
        if item_open {
            self.events.push(Event::End(TagEnd::Item));
        }
        if self.events.len() == mark + 1 {
            self.events.truncate(mark);
        } else {
            self.events.push(Event::End(TagEnd::List(ordered)));
        }
    }

    fn pre(&mut self, node: &NodeRef) {
        self.flush();
        let lang = code_lang(node).or_else(|| {
            node.element_children()
                .iter()
                .find(|c| name_of(c) == "code")
                .and_then(code_lang)
        });
        let mut text = String::new();
        pre_text(node, &mut text);
        let mut text = sanitize_str(&text);
        if text.trim().is_empty() {
            return;
        }
        if !text.ends_with('\n') {
            text.push('\n');
        }
        let kind = CodeBlockKind::Fenced(CowStr::from(lang.unwrap_or_default()));
        self.events.push(Event::Start(Tag::CodeBlock(kind)));
        self.events.push(Event::Text(CowStr::from(text)));
        self.events.push(Event::End(TagEnd::CodeBlock));
    }

    fn table(&mut self, node: &NodeRef, depth: usize) {
        self.flush();
        let mut rows: Vec<(NodeRef, bool)> = Vec::new();
        let mut captions = Vec::new();
        for child in node.element_children() {
            match name_of(&child).as_str() {
                "caption" => captions.push(child),
                "tr" => rows.push((child, false)),
                section @ ("thead" | "tbody" | "tfoot") => {
                    for row in child.element_children() {
                        if name_of(&row) == "tr" {
                            rows.push((row, section == "thead"));
                        }
                    }
                }
                _ => {}
            }
        }
        // A layout table: its cells' blocks, in order.
        let layout = rows.iter().flat_map(|(r, _)| cells_of(r)).any(|c| {
            has_descendant(
                &c,
                &[
                    "p",
                    "ul",
                    "ol",
                    "pre",
                    "blockquote",
                    "table",
                    "h1",
                    "h2",
                    "h3",
                    "h4",
                    "h5",
                    "h6",
                ],
            )
        });
        if layout || rows.is_empty() {
            for caption in &captions {
                self.contained(caption, depth, Context::Blocks);
            }
            for (row, _) in &rows {
                for cell in cells_of(row) {
                    self.contained(&cell, depth + 2, Context::Blocks);
                }
            }
            return;
        }
        for caption in &captions {
            self.contained(caption, depth, Context::Blocks);
        }
        // Header: the <thead> rows, else a first row of <th> alone.
        let header_rows = rows.iter().take_while(|(_, head)| *head).count();
        let header_rows = if header_rows > 0 {
            1.min(header_rows)
        } else {
            let first = cells_of(&rows[0].0);
            usize::from(!first.is_empty() && first.iter().all(|c| name_of(c) == "th"))
        };
        let mut grid: Vec<Vec<(Vec<Event<'static>>, Alignment)>> = Vec::new();
        for (row, _) in &rows {
            let mut cells = Vec::new();
            for cell in cells_of(row) {
                if cells.len() >= MAX_COLUMNS {
                    break;
                }
                let span = cell
                    .attr("colspan")
                    .and_then(|s| s.trim().parse::<usize>().ok())
                    .unwrap_or(1)
                    .clamp(1, MAX_COLUMNS);
                let align = cell_align(&cell);
                cells.push((self.inline_of(&cell, depth + 2), align));
                for _ in 1..span {
                    if cells.len() >= MAX_COLUMNS {
                        break;
                    }
                    cells.push((Vec::new(), Alignment::None));
                }
            }
            grid.push(cells);
        }
        let columns = grid.iter().map(Vec::len).max().unwrap_or(0);
        if columns == 0 {
            return;
        }
        let align_row = &grid[0];
        let aligns: Vec<Alignment> = (0..columns)
            .map(|i| align_row.get(i).map_or(Alignment::None, |c| c.1))
            .collect();
        self.events.push(Event::Start(Tag::Table(aligns)));
        for (i, cells) in grid.into_iter().enumerate() {
            let head = i < header_rows;
            let (start, end) = if head {
                (Tag::TableHead, TagEnd::TableHead)
            } else {
                (Tag::TableRow, TagEnd::TableRow)
            };
            self.events.push(Event::Start(start));
            let n = cells.len();
            for (run, _) in cells
                .into_iter()
                .chain((n..columns).map(|_| (Vec::new(), Alignment::None)))
            {
                self.events.push(Event::Start(Tag::TableCell));
                self.events.extend(run);
                self.events.push(Event::End(TagEnd::TableCell));
            }
            self.events.push(Event::End(end));
        }
        self.events.push(Event::End(TagEnd::Table));
    }
}

/// A table row's cells.
fn cells_of<'a>(row: &NodeRef<'a>) -> Vec<NodeRef<'a>> {
    row.element_children()
        .into_iter()
        .filter(|c| matches!(name_of(c).as_str(), "td" | "th"))
        .collect()
}

/// Whether `item` has a child element named in `names` (a paragraph-like block makes a list
/// item loose; nested lists do not).
fn has_child_named(item: &NodeRef, names: &[&str]) -> bool {
    item.element_children().iter().any(|c| {
        let name = name_of(c);
        names.contains(&name.as_str())
    })
}

/// The text of a `<pre>` exactly: text nodes as they are, `<br>` as a line break; nested
/// elements deeper than [`MAX_DEPTH`] by their text.
fn pre_text(node: &NodeRef, out: &mut String) {
    let mut stack: Vec<(NodeRef, usize)> = node.children_it(true).map(|c| (c, 1)).collect();
    while let Some((n, depth)) = stack.pop() {
        if n.is_text() {
            out.push_str(&n.text());
        } else if n.is_element() {
            let name = name_of(&n);
            if name == "br" {
                out.push('\n');
            } else if DROPPED.contains(&name.as_str()) {
                continue;
            } else if depth > MAX_DEPTH {
                out.push_str(&n.text());
            } else {
                stack.extend(n.children_it(true).map(|c| (c, depth + 1)));
            }
        }
    }
}

/// Whether a run has anything to show: a word, inline code, an image, a task marker.
pub fn has_content(run: &[Event<'_>]) -> bool {
    run.iter().any(|e| match e {
        Event::Text(t) => !t.trim().is_empty(),
        Event::Code(_) | Event::TaskListMarker(_) => true,
        Event::Start(Tag::Image { .. }) => true,
        _ => false,
    })
}

/// Whether the events end inside inline content (text, not a block's end).
fn ends_inline(events: &[Event<'_>]) -> bool {
    matches!(
        events.last(),
        Some(
            Event::Text(_)
                | Event::Code(_)
                | Event::TaskListMarker(_)
                | Event::End(
                    TagEnd::Emphasis
                        | TagEnd::Strong
                        | TagEnd::Strikethrough
                        | TagEnd::Link
                        | TagEnd::Image
                )
        )
    )
}

/// Drop the white space a run ends in (before its closing tags).
fn trim_run_end(run: &mut Vec<Event<'static>>) {
    let Some(i) = run.iter().rposition(|e| !matches!(e, Event::End(_))) else {
        return;
    };
    if let Event::Text(t) = &run[i] {
        let trimmed = t.trim_end_matches(' ');
        if trimmed.is_empty() {
            run.remove(i);
        } else if trimmed.len() != t.len() {
            run[i] = Event::Text(CowStr::from(trimmed.to_string()));
        }
    }
}

/// A run made ready to emit: no white space at either end, no hard break at either end, no
/// empty inline element (`<em> </em>`), adjacent texts joined.
fn tidy_run(run: Vec<Event<'static>>) -> Vec<Event<'static>> {
    let mut out: Vec<Event<'static>> = Vec::with_capacity(run.len());
    // Adjacent texts are gathered here and joined once (joining pairwise would copy a long
    // paragraph of many pieces again for every piece).
    let mut text: Option<String> = None;
    for e in run {
        if let Event::Text(t) = &e {
            text.get_or_insert_with(String::new).push_str(t);
            continue;
        }
        if let Some(t) = text.take() {
            out.push(Event::Text(CowStr::from(t)));
        }
        match e {
            Event::End(end) => {
                // An inline element with nothing in it goes (an image is something).
                if let Some(Event::Start(tag)) = out.last()
                    && is_start_of(tag, &end)
                    && !matches!(tag, Tag::Image { .. })
                {
                    out.pop();
                    continue;
                }
                out.push(Event::End(end));
            }
            other => out.push(other),
        }
    }
    if let Some(t) = text {
        out.push(Event::Text(CowStr::from(t)));
    }
    // Hard breaks and spaces at the ends.
    trim_end_of(&mut out, true);
    trim_end_of(&mut out, false);
    // Removing ends may have emptied elements again.
    let mut tidy: Vec<Event<'static>> = Vec::with_capacity(out.len());
    for e in out {
        if let Event::End(end) = &e
            && let Some(Event::Start(tag)) = tidy.last()
            && is_start_of(tag, end)
            && !matches!(tag, Tag::Image { .. })
        {
            tidy.pop();
            continue;
        }
        tidy.push(e);
    }
    tidy
}

/// Drop hard breaks and spaces from the start (`front`) or the end of a leaf's events, looking
/// past the tags that open (at the start) or close (at the end) around them; an image's tag
/// counts as content.
fn trim_end_of(out: &mut Vec<Event<'static>>, front: bool) {
    loop {
        let at = if front {
            out.iter()
                .position(|e| !matches!(e, Event::Start(t) if !matches!(t, Tag::Image { .. })))
        } else {
            out.iter().rposition(|e| !matches!(e, Event::End(_)))
        };
        match at.map(|i| (i, &out[i])) {
            Some((i, Event::HardBreak)) => {
                out.remove(i);
            }
            Some((i, Event::Text(t)))
                if (front && t.starts_with(' ')) || (!front && t.ends_with(' ')) =>
            {
                let trimmed = if front {
                    t.trim_start_matches(' ')
                } else {
                    t.trim_end_matches(' ')
                }
                .to_string();
                if trimmed.is_empty() {
                    out.remove(i);
                } else {
                    out[i] = Event::Text(CowStr::from(trimmed));
                    break;
                }
            }
            _ => break,
        }
    }
}
