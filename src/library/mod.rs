//! Articles and where they come from: embedded seeds, files, folders, the sources manifest.
//! Parsing raw text into title, outlet, sections, paragraphs and language is a pure function of the text.
//!
//! - [`parse_article`]: bytes → [`Article`] (the rules are documented in `parse.rs`);
//! - [`rules`]: the data behind the heuristics (boilerplate, captions, agencies, months);
//! - [`parse_manifest`] / [`apply_manifest`]: `sources.toml`, what a folder's owner states;
//! - [`load_seeds`] / [`load_paths`]: the only I/O, building a [`Library`];
//! - [`list_rows`] / [`format_list`]: `--list`;
//! - [`index`]: the library search index, in folio's cache folder.

use std::ops::Range;
use std::path::PathBuf;

use serde::Serialize;

use crate::text::Direction;
pub use crate::text::block::{Block, BlockKind, Link};

mod clues;
pub mod index;
pub mod large;
mod list;
mod load;
mod manifest;
mod parse;
pub mod rules;
mod seeds;

pub use large::LargeText;
pub use list::{ListRow, format_list, list_rows};
pub use load::{LARGE_FILE_BYTES, LoadError, LoadFailure, load_paths};
pub use manifest::{Manifest, SourceEntry, apply_manifest, parse_manifest};
pub use parse::{
    TITLE_MAX, WPM_AR, WPM_EN, WPM_FA, WPM_HE, WPM_UR, WRAP_MAX, count_words, parse_article,
};
pub use seeds::load_seeds;

/// Where an article was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Built into the binary (the seeds).
    Embedded,
    File(PathBuf),
}

/// The language of a paragraph or section, as its letters tell it (see `clues::lang_of`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
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
}

impl Article {
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

    /// The boilerplate paragraphs, in their order.
    pub fn boilerplate(&self) -> &[Paragraph] {
        &self.paragraphs[self.content().len()..]
    }
}

/// The articles folio has open, and what it had to say about loading them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Library {
    pub articles: Vec<Article>,
    /// One line each, for the user: a malformed or inconsistent sources manifest, a file in a
    /// folder that could not be read. The library opens regardless.
    pub warnings: Vec<String>,
}
