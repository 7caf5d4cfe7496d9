//! An article's links: the entries of the links picker, and where a link leads.
//!
//! A link is one of three things:
//! - an address with a scheme (`https:`, `mailto:`): copied (OSC 52) or opened with `$BROWSER`;
//! - a relative path (`other.md`, `../notes/b.md#part`) or a `file:` URL naming an article in
//!   the library: opened in the reader;
//! - a place in the article itself (`#part`): not followed; it can be copied.
//!
//! Relative paths are resolved against the folder of the article's key (the canonical path the
//! loader gave it) by their text alone — `.` and `..` are folded, percent escapes decoded — with
//! no question to the file system: the app does no I/O. A link through a symbolic link to
//! another article is therefore not recognised; its address can still be copied.

use std::path::{Component, Path, PathBuf};

use crate::library::{Article, Library, Origin};

/// Longest link text kept for the picker, in chars.
const TEXT_CHARS: usize = 200;

/// One line of the links picker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkEntry {
    /// Index into [`Article::links`]; the number drawn is one more.
    pub index: usize,
    pub text: String,
    pub url: String,
}

/// The links picker's entries for `article`.
pub fn entries(article: &Article) -> Vec<LinkEntry> {
    article
        .links
        .iter()
        .enumerate()
        .map(|(index, link)| LinkEntry {
            index,
            text: link.text.chars().take(TEXT_CHARS).collect(),
            url: link.url.clone(),
        })
        .collect()
}

/// The scheme of `url` (`https`, `mailto`), lowercased, if it has one (RFC 3986: a letter, then
/// letters, digits, `+`, `-` or `.`, then `:`). A one-letter scheme is taken for a Windows drive
/// (`C:`), not a scheme.
pub fn scheme(url: &str) -> Option<String> {
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && scheme.len() > 1;
    ok.then(|| scheme.to_ascii_lowercase())
}

/// Schemes `$BROWSER` is given; anything else (`javascript:`, `data:`) is only copied.
const BROWSABLE: &[&str] = &["http", "https", "ftp", "mailto", "gemini", "gopher", "file"];

/// Whether `url` may be handed to a browser.
pub fn browsable(url: &str) -> bool {
    scheme(url).is_some_and(|s| BROWSABLE.contains(&s.as_str()))
}

/// The file a link names, resolved against the article's folder: `None` for an address with a
/// scheme other than `file:`, a link to a place in the same article, a link from an article
/// that is not a file (a seed), or a link whose escapes do not decode to UTF-8.
pub fn local_path(article: &Article, url: &str) -> Option<PathBuf> {
    let Origin::File(_) = article.origin else {
        return None;
    };
    let rest = match scheme(url) {
        Some(s) if s == "file" => {
            // file:///path or file://localhost/path; another host is not this machine.
            let rest = url.get(5..)?;
            let rest = rest.strip_prefix("//").map_or(Some(rest), |r| {
                r.strip_prefix("localhost")
                    .or(r.starts_with('/').then_some(r))
            })?;
            rest.starts_with('/').then_some(rest)?
        }
        Some(_) => return None,
        None if url.starts_with("//") => return None,
        None => url,
    };
    let path = rest.split(['#', '?']).next().unwrap_or("");
    if path.is_empty() {
        return None;
    }
    let path = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    let base = Path::new(&article.key).parent()?;
    Some(normalize(&base.join(path.as_ref())))
}

/// `path` with `.` dropped and `..` folded into its parent, by text alone.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The article in `library` read from `path`, if one is.
pub fn article_at(library: &Library, path: &Path) -> Option<usize> {
    library
        .articles
        .iter()
        .position(|a| matches!(a.origin, Origin::File(_)) && Path::new(&a.key) == path)
}

/// The fragment of a link to a place in the same article (`#part`), decoded.
pub fn fragment(url: &str) -> Option<String> {
    let frag = url.strip_prefix('#')?;
    let frag = percent_encoding::percent_decode_str(frag)
        .decode_utf8()
        .ok()?;
    Some(frag.into_owned())
}

/// A heading's anchor as Markdown renderers make it (GitHub's rule): lowercase, spaces to
/// `-`, punctuation other than `-` and `_` dropped. Letters of any script are kept.
pub fn slug(heading: &str) -> String {
    heading
        .trim()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() || is_mark(c) => Some(c),
            _ => None,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Combining marks that slugs keep: Latin diacritics and Arabic harakat.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{064B}'..='\u{065F}' | '\u{0670}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::parse_article;

    fn article_at_key(key: &str) -> Article {
        let mut a = parse_article("a.md", Origin::File(key.into()), b"# A\n\nText.\n");
        a.key = key.into();
        a
    }

    #[test]
    fn schemes_are_told_from_paths() {
        assert_eq!(scheme("https://example.com/a"), Some("https".into()));
        assert_eq!(scheme("MailTo:x@y"), Some("mailto".into()));
        assert_eq!(scheme("b.md"), None);
        assert_eq!(scheme("notes/b:c.md"), None);
        assert_eq!(scheme("C:\\notes"), None);
        assert_eq!(scheme("1http://x"), None);
        assert!(browsable("http://x"));
        assert!(!browsable("javascript:alert(1)"));
        assert!(!browsable("b.md"));
    }

    #[test]
    fn relative_links_resolve_against_the_articles_folder() {
        let a = article_at_key("/notes/week/a.md");
        let at = |url: &str| local_path(&a, url).map(|p| p.display().to_string());
        assert_eq!(at("b.md").as_deref(), Some("/notes/week/b.md"));
        assert_eq!(at("./b.md#part").as_deref(), Some("/notes/week/b.md"));
        assert_eq!(at("../c.md?x=1").as_deref(), Some("/notes/c.md"));
        assert_eq!(at("../../../../d.md").as_deref(), Some("/d.md"));
        assert_eq!(
            at("my%20note.md").as_deref(),
            Some("/notes/week/my note.md")
        );
        assert_eq!(at("/abs/e.md").as_deref(), Some("/abs/e.md"));
        assert_eq!(at("file:///abs/f.md").as_deref(), Some("/abs/f.md"));
        assert_eq!(
            at("file://localhost/abs/g.md").as_deref(),
            Some("/abs/g.md")
        );
        assert_eq!(at("file://elsewhere/abs/g.md"), None);
        assert_eq!(at("https://example.com/b.md"), None);
        assert_eq!(at("//example.com/b.md"), None);
        assert_eq!(at("#part"), None);
        assert_eq!(at("%ff.md"), None, "not UTF-8");
        // A seed has no folder.
        let mut seed = parse_article("s.txt", Origin::Embedded, b"Text.\n");
        seed.key = "seed:s.txt".into();
        assert_eq!(local_path(&seed, "b.md"), None);
    }

    #[test]
    fn slugs_are_githubs() {
        assert_eq!(slug("Hello, World!"), "hello-world");
        assert_eq!(slug("  Links & outline_2 "), "links--outline_2");
        assert_eq!(slug("مرحبا بالعالم"), "مرحبا-بالعالم");
        assert_eq!(fragment("#hello-world").as_deref(), Some("hello-world"));
        assert_eq!(fragment("#caf%C3%A9").as_deref(), Some("café"));
        assert_eq!(fragment("b.md#x"), None);
    }
}
