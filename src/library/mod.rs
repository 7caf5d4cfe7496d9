//! Articles and where they come from: embedded seeds, files, folders, the sources manifest.
//! Parsing raw text into title, outlet, sections, paragraphs and language is a pure function of the text.
//!
//! - [`parse_article`]: bytes → [`Article`] (the rules are documented in `parse.rs`; `.md`
//!   files go to [`parse_markdown`]);
//! - [`html::parse_html`]: a saved web page → [`Article`] (readability extraction, `html.rs`);
//!   [`parse_by_extension`] picks the front end for a file;
//! - [`build`]: document events (`pulldown_cmark::Event`) → the document model, for every
//!   structured front end (Markdown, HTML);
//! - [`rules`]: the data behind the heuristics (boilerplate, captions, agencies, months);
//! - [`parse_manifest`] / [`apply_manifest`]: `sources.toml`, what a folder's owner states;
//! - [`load_seeds`] / [`load_paths`]: the only I/O, building a [`Library`];
//! - [`open_paths`] / [`fill`]: a folder of any size opened as [`Body::NotLoaded`] stubs from
//!   its file names and the [`cache`] of metadata, then filled in the background;
//! - [`list_rows`] / [`format_list`]: `--list`;
//! - [`index`]: the library search index, in folio's cache folder;
//! - [`Source`] and `sources.rs`: a library is a list of sources (an outlet, a folder, a feed,
//!   a file), each holding a contiguous run of the library's articles, newest first where dates
//!   are known.

use std::ops::Range;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::text::Direction;
pub use crate::text::block::{Block, BlockKind, Link};

pub mod cache;
mod clues;
mod doc;
mod fill;
pub mod html;
pub mod index;
pub mod large;
mod list;
mod load;
mod manifest;
mod markdown;
mod parse;
pub mod rules;
mod seeds;
mod sources;

pub use doc::{Built, MAX_DEPTH, build};
pub use fill::{
    BATCH_EVERY, BATCH_MAX, DEFER_FROM, FIRST_SCREEN, FillPlan, FillReport, Opened, fill,
    load_article, load_metadata, load_source_metadata, open_paths, open_sources,
};
pub use large::LargeText;
pub use list::{ListRow, ListSource, format_list, list_rows, list_sources};
pub use load::{
    LARGE_FILE_BYTES, LoadError, LoadFailure, is_article_name, load_paths, load_sources,
};
pub use manifest::{
    Manifest, Outlet, SourceEntry, apply_entry, apply_manifest, claim_outlets, parse_manifest,
};
pub use markdown::{build_markdown, options as markdown_options, parse_markdown};
pub use parse::{
    TITLE_MAX, WPM_AR, WPM_EN, WPM_FA, WPM_HE, WPM_UR, WRAP_MAX, count_words, parse_article,
};
pub use seeds::load_seeds;
pub(crate) use sources::permute;
pub use sources::{NOT_FETCHED, Source, SourceKind, SourceSpec, date_key};

/// Parse a file's bytes with the front end its extension names: HTML for `.html` and `.htm`,
/// the text parser (plain text, Markdown-lite for `.md`) for anything else.
pub fn parse_by_extension(file_name: &str, origin: Origin, bytes: &[u8]) -> Article {
    if html::is_html_name(file_name) {
        html::parse_html(file_name, origin, bytes)
    } else {
        parse_article(file_name, origin, bytes)
    }
}

/// Where an article was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Built into the binary (the seeds).
    Embedded,
    File(PathBuf),
}

/// The language of a paragraph or section, as its letters tell it (see `clues::lang_of`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Latin letters (folio reads them as English).
    En,
    /// Arabic letters with nothing of Persian or Urdu spelling.
    Ar,
    /// Persian: Arabic letters spelt with پ چ ژ گ and the Persian yeh and kaf (ی ک).
    Fa,
    /// Urdu: Arabic letters with ٹ ڈ ڑ ں ے ہ.
    Ur,
    /// Hebrew letters.
    He,
    /// Text in another script, or with no letters.
    Other,
}

impl Lang {
    /// Every language folio names, in the order of its codes.
    pub const ALL: [Lang; 6] = [
        Lang::En,
        Lang::Ar,
        Lang::Fa,
        Lang::Ur,
        Lang::He,
        Lang::Other,
    ];

    /// The code `--list`, `--list --json` and `sources.toml` use: `en`, `ar`, `fa`, `ur`, `he`,
    /// `other`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ar => "ar",
            Lang::Fa => "fa",
            Lang::Ur => "ur",
            Lang::He => "he",
            Lang::Other => "other",
        }
    }

    /// The language a code names, whatever its case and surrounding spaces; `None` for a code
    /// folio does not know, and for `other`, which names no language.
    pub fn from_code(code: &str) -> Option<Lang> {
        let code = code.trim().to_lowercase();
        Lang::ALL
            .into_iter()
            .find(|l| *l != Lang::Other && l.code() == code)
    }

    /// The direction the language is written in; `None` for [`Lang::Other`].
    pub fn direction(self) -> Option<Direction> {
        match self {
            Lang::En => Some(Direction::Ltr),
            Lang::Ar | Lang::Fa | Lang::Ur | Lang::He => Some(Direction::Rtl),
            Lang::Other => None,
        }
    }
}

/// What a paragraph is, which decides how it is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParagraphKind {
    /// The article's headline, when the text has one.
    Title,
    /// A heading inside the article (e.g. a Markdown `#` line).
    Heading,
    /// Metadata lines that are not body text: breadcrumbs, section labels, datelines on a line of their own.
    Meta,
    Body,
    /// Site furniture: "Leave a Reply", "Related Articles", "Read More:" lists… Shown dimmed at the end.
    Boilerplate,
}

/// One paragraph of sanitized text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paragraph {
    pub text: String,
    pub kind: ParagraphKind,
    pub lang: Lang,
    pub dir: Direction,
    /// Its place in the document model: block kind, containers, inline styles.
    pub block: Block,
}

/// Consecutive body paragraphs in one language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Section {
    pub lang: Lang,
    pub dir: Direction,
    /// Indexes into [`Article::paragraphs`].
    pub paragraphs: Range<usize>,
    pub words: usize,
    pub reading_minutes: u32,
}

/// Whether an article's text is in memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Body {
    /// Read and parsed: `paragraphs` (or `large`), `sections` and `links` are the article's.
    #[default]
    Loaded,
    /// A stub: what the list shows is known (title, outlet, languages, words — or only the file
    /// name until the file is read), the text is not. `paragraphs` and `links` are empty and
    /// `sections` keep their languages and word counts with empty paragraph ranges. The app
    /// asks for the text when the article is opened.
    NotLoaded,
}

/// An article as folio understands it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Article {
    /// What reading positions, marks and bookmarks are kept under: `seed:NAME` for a built-in
    /// seed, the file's absolute path (as the loader resolved it) otherwise. Stable across runs.
    pub key: String,
    /// File name (no folders), e.g. `003_9421ad859a52f834.txt`.
    pub file_name: String,
    pub origin: Origin,
    pub title: String,
    pub outlet: Option<String>,
    pub date: Option<String>,
    pub dateline: Option<String>,
    pub url: Option<String>,
    /// A letter that jumps to this article, from the sources manifest.
    pub hotkey: Option<char>,
    /// The article's main language as the sources manifest declares it; `None` when it does not
    /// (the languages found in the text are in [`Article::sections`]).
    pub language: Option<Lang>,
    /// In reading order, boilerplate last.
    pub paragraphs: Vec<Paragraph>,
    pub sections: Vec<Section>,
    pub words: usize,
    pub reading_minutes: u32,
    /// The file was not valid UTF-8 (bad bytes show as U+FFFD).
    pub had_invalid_utf8: bool,
    /// A file too large to read whole: mapped, its paragraphs (lines) found around the place
    /// being read; `paragraphs` and `sections` are then empty.
    pub large: Option<std::sync::Arc<LargeText>>,
    /// The article's links (and image sources), numbered in reading order.
    pub links: Vec<Link>,
    /// Whether the text above is in memory, or only the article's metadata.
    pub body: Body,
    /// Who wrote it, when the source says (an HTML page's byline).
    pub author: Option<String>,
    /// What the user should know about how the article was read (an HTML page with no
    /// article found in it is shown whole); one line each, sanitized.
    pub warnings: Vec<String>,
    /// The index of its source in [`Library::sources`].
    pub source: usize,
}

impl Article {
    /// Whether the text is in memory (see [`Body`]).
    pub fn is_loaded(&self) -> bool {
        self.body == Body::Loaded
    }

    /// Let go of the text, keeping what the list shows: the article becomes a stub.
    pub fn unload(&mut self) {
        self.paragraphs = Vec::new();
        self.links = Vec::new();
        self.large = None;
        for s in &mut self.sections {
            s.paragraphs = 0..0;
        }
        self.body = Body::NotLoaded;
    }

    /// Take the text of `loaded` (the same file, read now) into this stub, keeping what the
    /// stub says of the article (title, outlet, hotkey, declared language…).
    pub fn take_body(&mut self, loaded: Article) {
        self.paragraphs = loaded.paragraphs;
        self.sections = loaded.sections;
        self.links = loaded.links;
        self.large = loaded.large;
        self.dateline = loaded.dateline;
        self.author = loaded.author;
        self.warnings = loaded.warnings;
        self.had_invalid_utf8 = loaded.had_invalid_utf8;
        self.body = Body::Loaded;
        if let Some(lang) = self.language {
            parse::declare_language(self, lang);
        }
    }

    /// Take what the list shows from `fresh` (this file's stub, read now by the fill): title,
    /// outlet, date, languages, words. Keeps the key, hotkey and, when loaded, the text.
    pub fn take_meta(&mut self, fresh: Article) {
        self.title = fresh.title;
        self.outlet = fresh.outlet;
        self.date = fresh.date;
        self.dateline = fresh.dateline;
        self.url = fresh.url;
        self.author = fresh.author;
        self.language = fresh.language;
        self.words = fresh.words;
        self.reading_minutes = fresh.reading_minutes;
        self.had_invalid_utf8 = fresh.had_invalid_utf8;
        if !self.is_loaded() {
            self.sections = fresh.sections;
        }
    }

    /// Bytes of text held in memory (a mapped file counts nothing).
    pub fn text_bytes(&self) -> usize {
        self.paragraphs.iter().map(|p| p.text.len()).sum()
    }

    /// The article's languages: the declared one first, then those of its sections in order of
    /// appearance, each once.
    pub fn languages(&self) -> Vec<Lang> {
        let mut langs: Vec<Lang> = Vec::new();
        for lang in self
            .language
            .into_iter()
            .chain(self.sections.iter().map(|s| s.lang))
        {
            if !langs.contains(&lang) {
                langs.push(lang);
            }
        }
        langs
    }

    /// The paragraphs that are not boilerplate (boilerplate comes last).
    pub fn content(&self) -> &[Paragraph] {
        let n = self
            .paragraphs
            .iter()
            .take_while(|p| p.kind != ParagraphKind::Boilerplate)
            .count();
        &self.paragraphs[..n]
    }

    /// The paragraphs as layout takes them ([`crate::text::document::layout_blocks`]), with or
    /// without boilerplate.
    pub fn doc_paras(
        &self,
        boilerplate: bool,
    ) -> impl Iterator<Item = crate::text::document::DocPara<'_>> {
        self.paragraphs
            .iter()
            .enumerate()
            .filter(move |(_, p)| boilerplate || p.kind != ParagraphKind::Boilerplate)
            .map(|(index, p)| crate::text::document::DocPara {
                index,
                text: &p.text,
                dir: p.dir,
                block: &p.block,
            })
    }

    /// The article laid out as the reader shows it: its blocks, then its links list before
    /// any boilerplate.
    pub fn layout(
        &self,
        boilerplate: bool,
        opts: &crate::text::LayoutOptions,
    ) -> crate::text::document::DocumentLayout {
        crate::text::document::layout_blocks(
            self.doc_paras(boilerplate),
            &self.links,
            self.content().len(),
            opts,
        )
    }

    /// The boilerplate paragraphs, in their order.
    pub fn boilerplate(&self) -> &[Paragraph] {
        &self.paragraphs[self.content().len()..]
    }
}

/// The articles folio has open, and what it had to say about loading them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Library {
    /// Every source's articles, one source after the other (see [`Source::articles`]).
    pub articles: Vec<Article>,
    /// The sources, in the order the list shows them. Empty in a library made by hand: the app
    /// then treats each article as a source of its own ([`Library::ensure_sources`]).
    pub sources: Vec<Source>,
    /// One line each, for the user: a malformed or inconsistent sources manifest, a file in a
    /// folder that could not be read. The library opens regardless.
    pub warnings: Vec<String>,
}
