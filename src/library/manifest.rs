//! The sources manifest, `sources.toml`: what a folder's owner says about its articles.
//!
//! ```toml
//! [[source]]
//! file = "003_9421ad859a52f834.txt"   # required: a file name in the same folder
//! title = "…"                          # optional, each of these
//! outlet = "…"
//! date = "…"
//! url = "https://…"
//! language = "ar"                      # "en", "ar", "fa", "ur" or "he", any case
//! hotkey = "p"                         # one letter a–z or A–Z
//! ```
//!
//! An outlet groups some of the folder's files into a source of their own, with a name and a
//! hotkey (see `sources.rs`); the rest of the folder stays the folder's source, and an entry
//! with its own `hotkey` is a source of one article:
//!
//! ```toml
//! [[outlet]]
//! name = "Wire service"                # required
//! files = ["a.html", "b.html"]         # required: file names in the same folder
//! hotkey = "w"                         # optional: one letter a–z or A–Z
//! language = "ar"                      # optional
//! ```
//!
//! Whatever an entry omits is inferred from the text. Nothing in a manifest stops the library
//! from opening: a manifest that is not valid TOML, or has a field folio does not know, is
//! ignored as a whole with one warning naming the file, line and reason; a bad value (a digit
//! or a taken letter as hotkey, an unknown language) or an entry for a file that is not there
//! is ignored with a warning, and the rest applies.

use std::collections::HashMap;

use serde::Deserialize;
use toml::Spanned;

use super::{Article, Lang};
use crate::text::sanitize::sanitize_str;

/// One `[[source]]` entry, checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceEntry {
    pub file: String,
    pub title: Option<String>,
    pub outlet: Option<String>,
    pub date: Option<String>,
    pub url: Option<String>,
    pub language: Option<Lang>,
    pub hotkey: Option<char>,
    /// The line the entry starts on, for warnings.
    pub line: usize,
}

/// One `[[outlet]]`, checked: a source made of some of the folder's files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outlet {
    /// Sanitized, one line, not blank.
    pub name: String,
    pub hotkey: Option<char>,
    pub language: Option<Lang>,
    /// File names in the folder, as written.
    pub files: Vec<String>,
    /// The line the outlet starts on, for warnings.
    pub line: usize,
}

/// A parsed manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    /// What warnings call the manifest, e.g. `news/sources.toml`.
    pub name: String,
    pub entries: Vec<SourceEntry>,
    pub outlets: Vec<Outlet>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[serde(default)]
    source: Vec<Spanned<RawEntry>>,
    #[serde(default)]
    outlet: Vec<Spanned<RawOutlet>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutlet {
    name: String,
    files: Vec<String>,
    hotkey: Option<String>,
    language: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    file: String,
    title: Option<String>,
    outlet: Option<String>,
    date: Option<String>,
    url: Option<String>,
    language: Option<String>,
    hotkey: Option<String>,
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Text from a manifest, made safe and single-line; `None` when blank.
fn field(value: Option<String>) -> Option<String> {
    let v = sanitize_str(&value?).replace('\n', " ");
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// Parse a manifest. `name` is how warnings refer to it. Problems become warnings.
pub fn parse_manifest(name: &str, text: &str, warnings: &mut Vec<String>) -> Manifest {
    let name = sanitize_str(name);
    let mut manifest = Manifest {
        name: name.clone(),
        entries: Vec::new(),
        outlets: Vec::new(),
    };
    let raw: RawManifest = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let at = e
                .span()
                .map(|s| format!(" line {}", line_of(text, s.start)))
                .unwrap_or_default();
            let reason = sanitize_str(e.message().trim()).replace('\n', " ");
            warnings.push(format!(
                "{name}{at}: {reason}; ignoring the manifest, titles and outlets are inferred"
            ));
            return manifest;
        }
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for spanned in raw.source {
        let line = line_of(text, spanned.span().start);
        let raw = spanned.into_inner();
        let file = raw.file.clone();
        let shown = sanitize_str(&file);
        if let Some(first) = seen.get(&file) {
            warnings.push(format!(
                "{name} line {line}: '{shown}' is already described on line {first}; ignoring this entry"
            ));
            continue;
        }
        seen.insert(file.clone(), line);
        let language = raw.language.and_then(|l| match Lang::from_code(&l) {
            Some(lang) => Some(lang),
            None => {
                warnings.push(format!(
                    "{name} line {line}: language '{}' for '{shown}' is not one of en, ar, fa, ur, he; ignored",
                    sanitize_str(&l)
                ));
                None
            }
        });
        let hotkey = raw.hotkey.and_then(|h| {
            let mut chars = h.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii_alphabetic() => Some(c),
                (Some(c), None) if c.is_ascii_digit() => {
                    warnings.push(format!(
                        "{name} line {line}: hotkey '{c}' for '{shown}' is a digit, and 1…9, 0 are reserved for the first ten articles; ignored"
                    ));
                    None
                }
                _ => {
                    warnings.push(format!(
                        "{name} line {line}: hotkey '{}' for '{shown}' is not one letter a–z or A–Z; ignored",
                        sanitize_str(&h)
                    ));
                    None
                }
            }
        });
        manifest.entries.push(SourceEntry {
            file,
            title: field(raw.title),
            outlet: field(raw.outlet),
            date: field(raw.date),
            url: field(raw.url),
            language,
            hotkey,
            line,
        });
    }
    for spanned in raw.outlet {
        let line = line_of(text, spanned.span().start);
        let raw = spanned.into_inner();
        let Some(outlet_name) = field(Some(raw.name)) else {
            warnings.push(format!(
                "{name} line {line}: an outlet needs a name; ignored"
            ));
            continue;
        };
        let language = raw.language.and_then(|l| {
            let lang = Lang::from_code(&l);
            if lang.is_none() {
                warnings.push(format!(
                    "{name} line {line}: language '{}' for outlet '{outlet_name}' is not one of en, ar, fa, ur, he; ignored",
                    sanitize_str(&l)
                ));
            }
            lang
        });
        let hotkey = raw.hotkey.and_then(|h| {
            let mut chars = h.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii_alphabetic() => Some(c),
                _ => {
                    warnings.push(format!(
                        "{name} line {line}: hotkey '{}' for outlet '{outlet_name}' is not one letter a–z or A–Z; ignored",
                        sanitize_str(&h)
                    ));
                    None
                }
            }
        });
        manifest.outlets.push(Outlet {
            name: outlet_name,
            hotkey,
            language,
            files: raw.files,
            line,
        });
    }
    manifest
}

/// The manifest's outlets with their hotkeys given out: a letter already `taken` in the
/// library is dropped with a warning; a file named that is not among `articles` is warned of.
pub fn claim_outlets(
    manifest: &Manifest,
    articles: &[Article],
    taken: &mut Vec<char>,
    warnings: &mut Vec<String>,
) -> Vec<Outlet> {
    let mut outlets = manifest.outlets.clone();
    for outlet in &mut outlets {
        if let Some(key) = outlet.hotkey {
            if taken.contains(&key) {
                warnings.push(format!(
                    "{} line {}: hotkey '{key}' for outlet '{}' is already taken; ignored",
                    manifest.name, outlet.line, outlet.name
                ));
                outlet.hotkey = None;
            } else {
                taken.push(key);
            }
        }
        for file in &outlet.files {
            let wanted = super::parse::display_file_name(file);
            if !articles.iter().any(|a| a.file_name == wanted) {
                warnings.push(format!(
                    "{} line {}: outlet '{}' names '{}', which is not beside it; ignored",
                    manifest.name,
                    outlet.line,
                    outlet.name,
                    sanitize_str(file)
                ));
            }
        }
    }
    outlets
}

/// Declare each outlet's language on its files' articles, unless the manifest's own entry for
/// a file names a language (which wins, as it is applied after). Returns what was declared, as
/// entries, for whoever applies the manifest again to articles read later (the fill).
pub fn declare_outlet_languages(
    manifest: &Manifest,
    outlets: &[Outlet],
    articles: &mut [Article],
) -> Vec<SourceEntry> {
    let mut declared = Vec::new();
    for outlet in outlets {
        let Some(lang) = outlet.language else {
            continue;
        };
        for file in &outlet.files {
            let wanted = super::parse::display_file_name(file);
            let own = manifest.entries.iter().any(|e| {
                e.language.is_some() && super::parse::display_file_name(&e.file) == wanted
            });
            if own {
                continue;
            }
            if let Some(article) = articles.iter_mut().find(|a| a.file_name == wanted) {
                let entry = SourceEntry {
                    file: wanted,
                    language: Some(lang),
                    ..SourceEntry::default()
                };
                apply_entry(&entry, article);
                declared.push(entry);
            }
        }
    }
    declared
}

/// Apply a manifest to the articles of its folder: what an entry states replaces what was
/// inferred. `taken` holds hotkeys already given in the library; a letter that is taken is
/// ignored with a warning. Entries for files that are not among `articles` are warned about.
pub fn apply_manifest(
    manifest: &Manifest,
    articles: &mut [Article],
    taken: &mut Vec<char>,
    warnings: &mut Vec<String>,
) {
    let name = &manifest.name;
    for entry in &manifest.entries {
        let wanted = super::parse::display_file_name(&entry.file);
        let Some(article) = articles.iter_mut().find(|a| a.file_name == wanted) else {
            warnings.push(format!(
                "{name} line {}: there is no article '{}' beside it; entry ignored",
                entry.line,
                sanitize_str(&entry.file)
            ));
            continue;
        };
        apply_entry(entry, article);
        if let Some(key) = entry.hotkey {
            if taken.contains(&key) {
                warnings.push(format!(
                    "{name} line {}: hotkey '{key}' for '{}' is already taken; ignored",
                    entry.line, article.file_name
                ));
            } else {
                taken.push(key);
                article.hotkey = Some(key);
            }
        }
    }
}

/// What an entry says of its article, all but its hotkey (which must be unique in a library,
/// and is given out by [`apply_manifest`]).
pub fn apply_entry(entry: &SourceEntry, article: &mut Article) {
    if let Some(title) = &entry.title {
        article.title = title.clone();
    }
    if let Some(outlet) = &entry.outlet {
        article.outlet = Some(outlet.clone());
    }
    if let Some(date) = &entry.date {
        article.date = Some(date.clone());
    }
    if let Some(url) = &entry.url {
        article.url = Some(url.clone());
    }
    if let Some(lang) = entry.language {
        super::parse::declare_language(article, lang);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{Origin, parse_article};

    fn articles(names: &[&str]) -> Vec<Article> {
        names
            .iter()
            .map(|n| parse_article(n, Origin::Embedded, b"Some words here."))
            .collect()
    }

    #[test]
    fn entries_override_what_was_inferred() {
        let text = r#"
# comment
[[source]]
file = "a.txt"
title = "A title"
outlet = "Outlet"
date = "7 December 2023"
url = "https://example.org/a"
language = "AR"
hotkey = "p"

[[source]]
file = "b.txt"
"#;
        let mut warnings = Vec::new();
        let m = parse_manifest("sources.toml", text, &mut warnings);
        assert_eq!(warnings, Vec::<String>::new());
        assert_eq!(m.entries.len(), 2);
        assert_eq!(m.entries[0].line, 3);
        assert_eq!(m.entries[1].line, 12);

        let mut arts = articles(&["a.txt", "b.txt"]);
        let mut taken = Vec::new();
        apply_manifest(&m, &mut arts, &mut taken, &mut warnings);
        assert_eq!(warnings, Vec::<String>::new());
        let a = &arts[0];
        assert_eq!(a.title, "A title");
        assert_eq!(a.outlet.as_deref(), Some("Outlet"));
        assert_eq!(a.date.as_deref(), Some("7 December 2023"));
        assert_eq!(a.url.as_deref(), Some("https://example.org/a"));
        assert_eq!(a.language, Some(Lang::Ar));
        assert_eq!(a.languages(), vec![Lang::Ar, Lang::En]);
        assert_eq!(a.hotkey, Some('p'));
        assert_eq!(arts[1].title, "Some words here.");
        assert_eq!(taken, vec!['p']);
    }

    #[test]
    fn persian_urdu_and_hebrew_are_languages_too() {
        let text = "[[source]]\nfile = \"a.txt\"\nlanguage = \"FA\"\n\n[[source]]\nfile = \"b.txt\"\nlanguage = \" ur \"\n\n[[source]]\nfile = \"c.txt\"\nlanguage = \"he\"\n\n[[source]]\nfile = \"d.txt\"\nlanguage = \"other\"\n";
        let mut warnings = Vec::new();
        let m = parse_manifest("sources.toml", text, &mut warnings);
        let langs: Vec<Option<Lang>> = m.entries.iter().map(|e| e.language).collect();
        assert_eq!(
            langs,
            vec![Some(Lang::Fa), Some(Lang::Ur), Some(Lang::He), None]
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("language 'other' for 'd.txt'"));
        let mut arts = articles(&["a.txt", "b.txt", "c.txt", "d.txt"]);
        apply_manifest(&m, &mut arts, &mut Vec::new(), &mut warnings);
        assert_eq!(arts[2].language, Some(Lang::He));
        assert_eq!(arts[2].languages(), vec![Lang::He, Lang::En]);
    }

    #[test]
    fn entries_match_files_whose_names_hold_controls() {
        let text = "[[source]]\nfile = \"a\\u001b\\u202e.txt\"\ntitle = \"Named\"\n";
        let mut warnings = Vec::new();
        let m = parse_manifest("sources.toml", text, &mut warnings);
        let mut arts = articles(&["a\u{1b}\u{202e}.txt", "b.txt"]);
        apply_manifest(&m, &mut arts, &mut Vec::new(), &mut warnings);
        assert_eq!(warnings, Vec::<String>::new());
        assert_eq!(arts[0].title, "Named");
    }

    #[test]
    fn malformed_manifest_is_one_warning_with_its_line() {
        let text = "[[source]]\nfile = \"a.txt\"\nhotkey = p\n";
        let mut warnings = Vec::new();
        let m = parse_manifest("news/sources.toml", text, &mut warnings);
        assert!(m.entries.is_empty());
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("news/sources.toml line 3: "),
            "{}",
            warnings[0]
        );
        assert!(warnings[0].ends_with("titles and outlets are inferred"));
    }

    #[test]
    fn unknown_fields_and_wrong_types_are_malformed() {
        for text in [
            "[[source]]\nfile = \"a.txt\"\nhotky = \"p\"\n",
            "[[source]]\nfile = \"a.txt\"\nhotkey = 5\n",
            "[[source]]\ntitle = \"no file\"\n",
            "[[sources]]\nfile = \"a.txt\"\n",
        ] {
            let mut warnings = Vec::new();
            let m = parse_manifest("sources.toml", text, &mut warnings);
            assert!(m.entries.is_empty());
            assert_eq!(warnings.len(), 1, "{text}: {warnings:?}");
            assert!(
                warnings[0].starts_with("sources.toml line "),
                "{}",
                warnings[0]
            );
        }
    }

    #[test]
    fn bad_values_are_warned_about_and_ignored() {
        let text = r#"
[[source]]
file = "a.txt"
hotkey = "1"
language = "fr"

[[source]]
file = "b.txt"
hotkey = "ab"

[[source]]
file = "c.txt"
hotkey = "x"

[[source]]
file = "d.txt"
hotkey = "x"

[[source]]
file = "a.txt"
title = "again"

[[source]]
file = "missing.txt"
"#;
        let mut warnings = Vec::new();
        let m = parse_manifest("sources.toml", text, &mut warnings);
        let mut arts = articles(&["a.txt", "b.txt", "c.txt", "d.txt"]);
        apply_manifest(&m, &mut arts, &mut Vec::new(), &mut warnings);
        assert_eq!(
            warnings,
            vec![
                "sources.toml line 2: language 'fr' for 'a.txt' is not one of en, ar, fa, ur, he; ignored",
                "sources.toml line 2: hotkey '1' for 'a.txt' is a digit, and 1…9, 0 are reserved for the first ten articles; ignored",
                "sources.toml line 7: hotkey 'ab' for 'b.txt' is not one letter a–z or A–Z; ignored",
                "sources.toml line 19: 'a.txt' is already described on line 2; ignoring this entry",
                "sources.toml line 15: hotkey 'x' for 'd.txt' is already taken; ignored",
                "sources.toml line 23: there is no article 'missing.txt' beside it; entry ignored",
            ]
        );
        let keys: Vec<Option<char>> = arts.iter().map(|a| a.hotkey).collect();
        assert_eq!(keys, vec![None, None, Some('x'), None]);
        assert_eq!(arts[0].title, "Some words here.");
        assert_eq!(arts[0].language, None);
    }

    #[test]
    fn manifest_text_is_sanitized_and_single_line() {
        let text =
            "[[source]]\nfile = \"a.txt\"\ntitle = \"evil\\u001b[2J\\nnext\"\noutlet = \"  \"\n";
        let mut warnings = Vec::new();
        let m = parse_manifest("sources.toml", text, &mut warnings);
        assert_eq!(m.entries[0].title.as_deref(), Some("evil␛[2J next"));
        assert_eq!(m.entries[0].outlet, None);
    }

    #[test]
    fn an_empty_manifest_is_fine() {
        let mut warnings = Vec::new();
        let m = parse_manifest("sources.toml", "# nothing yet\n", &mut warnings);
        assert!(m.entries.is_empty() && warnings.is_empty());
    }
}
