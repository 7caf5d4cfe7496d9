//! Reading articles from files and folders: the only I/O in the library.
//!
//! - A file is read as given, whatever its extension.
//! - A folder gives its `.txt`, `.md`, `.html` and `.htm` files (any letter case, not hidden,
//!   not in subfolders), sorted by name, and its `sources.toml` if there is one. Manifests are
//!   only read for folders.
//! - Each file is parsed by the front end its extension names ([`super::parse_by_extension`]).
//!   An article's warnings (an HTML page with no article found) join the library's.
//! - Paths are loaded in the order given.
//! - A path that is missing or unreadable, or a folder with no articles, is an error; a file
//!   inside a folder that cannot be read is a warning (the others still open).
//! - Files larger than [`LARGE_FILE_BYTES`] are mapped, not read: their paragraphs are found as
//!   they are read (see [`super::large`]). There is no size limit, except for HTML pages, which
//!   must be extracted whole: up to [`MAX_HTML_BYTES`], read whole however large, and refused
//!   beyond. What is not a regular file (a device, a FIFO) is refused.

use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::html::{MAX_HTML_BYTES, is_html_name};
use super::large::LargeText;
use super::manifest::{
    Manifest, apply_manifest, claim_outlets, declare_outlet_languages, parse_manifest,
};
use super::parse::large_article;
use super::sources::{NOT_FETCHED, SourceSpec, push_file, push_folder};
use super::{Library, Origin, parse_by_extension};
use crate::text::sanitize::sanitize_str;

/// Files larger than this are mapped and read a screen at a time, like less reads them,
/// instead of being parsed whole (no outlet, sections or boilerplate are found in them). News
/// articles are a few tens of KiB; parsing and laying out a MiB whole costs about a second
/// before the first frame, which is what this avoids.
pub const LARGE_FILE_BYTES: u64 = 256 * 1024;

/// The name of a folder's sources manifest.
pub const MANIFEST_NAME: &str = "sources.toml";

/// Why a path could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadFailure {
    /// The system's reason, e.g. "No such file or directory".
    Unreadable(String),
    /// Neither a regular file nor a folder (a device, a socket…).
    NotAFile,
    /// A folder with no article file.
    NoArticles,
}

/// A path folio could not open. Its `Display` is one line for stderr.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub path: PathBuf,
    pub reason: LoadFailure,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = shown(&self.path);
        match &self.reason {
            LoadFailure::Unreadable(why) => write!(f, "cannot open '{path}': {why}"),
            LoadFailure::NotAFile => write!(f, "cannot open '{path}': not a file or folder"),
            LoadFailure::NoArticles => write!(f, "no .txt, .md or .html files in '{path}'"),
        }
    }
}

impl std::error::Error for LoadError {}

/// A path as the user may see it: control characters made visible, one line.
pub(super) fn shown(path: &Path) -> String {
    sanitize_str(&path.to_string_lossy()).replace('\n', "␊")
}

/// The system's message without Rust's " (os error 2)" suffix.
pub(super) fn io_reason(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

pub(super) fn error(path: &Path, reason: LoadFailure) -> LoadError {
    LoadError {
        path: path.to_path_buf(),
        reason,
    }
}

/// Markdown up to this size is parsed whole into the document model (headings, lists, code,
/// tables, links); a larger file is mapped and read as plain text, a line at a time, like any
/// large file: whole-document parsing and layout of more would keep a reader waiting.
pub const MAX_MARKDOWN_BYTES: u64 = 8 * 1024 * 1024;

/// A file's contents: read whole, or mapped when it is large.
pub(super) enum Contents {
    Bytes(Vec<u8>),
    Large(LargeText),
}

pub(super) fn read_file(path: &Path) -> Result<Contents, LoadError> {
    let unreadable = |e: io::Error| error(path, LoadFailure::Unreadable(io_reason(&e)));
    let meta = fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(error(path, LoadFailure::NotAFile));
    }
    let html = path
        .file_name()
        .is_some_and(|n| is_html_name(&n.to_string_lossy()));
    if html && meta.len() > MAX_HTML_BYTES {
        return Err(error(
            path,
            LoadFailure::Unreadable(format!(
                "an HTML page larger than {} MiB; folio reads pages up to that size",
                MAX_HTML_BYTES >> 20
            )),
        ));
    }
    let markdown = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"));
    let limit = if html {
        MAX_HTML_BYTES
    } else if markdown {
        MAX_MARKDOWN_BYTES
    } else {
        LARGE_FILE_BYTES
    };
    if meta.len() > limit {
        return LargeText::open(path)
            .map(Contents::Large)
            .map_err(unreadable);
    }
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(unreadable)?;
    Ok(Contents::Bytes(bytes))
}

/// Bytes of a stored feed item read for its date: the tags folio writes sit in its head.
const DATE_PEEK_BYTES: u64 = 64 * 1024;

/// The publication date a stored feed item carries in its head
/// (`<meta property="article:published_time" content="…">`, as folio writes it), when it is
/// machine-readable: read without parsing the item, so a feed opens newest first before its
/// items are read. `None` when the file cannot be read or says no date.
pub(super) fn peek_item_date(path: &Path) -> Option<String> {
    const TAG: &str = "article:published_time\" content=\"";
    let mut head = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(DATE_PEEK_BYTES).read_to_end(&mut head))
        .ok()?;
    let head = String::from_utf8_lossy(&head);
    // The last one wins, as the HTML front end reads it: folio's tags come last in a page.
    let at = head.rfind(TAG)? + TAG.len();
    let date = &head[at..at + head[at..].find('"')?];
    let b = date.as_bytes();
    let shaped = b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit);
    // The day is enough to order by, and is what the front end keeps.
    shaped.then(|| date[..10].to_string())
}

/// Read and parse a folder's files on every core, in their order.
fn read_all(files: &[(String, PathBuf)]) -> Vec<Result<super::Article, LoadError>> {
    let load = |(name, file): &(String, PathBuf)| {
        read_file(file).map(|contents| article(name, file, contents))
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || files.len() < 64 {
        return files.iter().map(load).collect();
    }
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(load).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// The article in a file: the one place a file's bytes become an article.
pub(super) fn article(name: &str, path: &Path, contents: Contents) -> super::Article {
    match contents {
        Contents::Bytes(bytes) => {
            parse_by_extension(name, Origin::File(path.to_path_buf()), &bytes)
        }
        Contents::Large(text) => large_article(name, path, text),
    }
}

/// Whether a folder's file is an article: `.txt`, `.md`, `.markdown`, `.html`, `.htm` (any case), not hidden.
pub fn is_article_name(name: &str) -> bool {
    let ends_with = |suffix: &str| {
        name.len() >= suffix.len()
            && name.as_bytes()[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    };
    !name.starts_with('.')
        && (ends_with(".txt") || ends_with(".md") || ends_with(".markdown") || is_html_name(name))
}

/// The article files of a folder, sorted by name.
fn article_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, LoadError> {
    let unreadable = |e: io::Error| error(dir, LoadFailure::Unreadable(io_reason(&e)));
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        // Follows symbolic links, like opening the file does.
        if is_article_name(&name) && path.is_file() {
            files.push((name, path));
        }
    }
    files.sort();
    Ok(files)
}

/// A folder's sources manifest, if it has one; what is wrong with it goes to `warnings`.
pub(super) fn read_manifest(dir: &Path, warnings: &mut Vec<String>) -> Option<Manifest> {
    let manifest_path = dir.join(MANIFEST_NAME);
    if !manifest_path.is_file() {
        return None;
    }
    match read_file(&manifest_path) {
        Ok(Contents::Large(_)) => {
            warnings.push(format!(
                "{}: larger than {} KiB; titles and outlets are inferred",
                shown(&manifest_path),
                LARGE_FILE_BYTES >> 10
            ));
            None
        }
        Ok(Contents::Bytes(bytes)) => {
            let text = String::from_utf8_lossy(&bytes);
            Some(parse_manifest(&shown(&manifest_path), &text, warnings))
        }
        Err(e) => {
            warnings.push(format!("{e}; titles and outlets are inferred"));
            None
        }
    }
}

/// Load articles from files and folders (see the module docs for the rules), each a source
/// (see `sources.rs`). With no paths the library is empty; callers open the seeds instead.
pub fn load_paths(paths: &[PathBuf]) -> Result<Library, LoadError> {
    let specs: Vec<SourceSpec> = paths.iter().map(|p| SourceSpec::path(p)).collect();
    load_sources(&specs)
}

/// Load sources: as [`load_paths`], with what the config says of each (name, hotkey,
/// language, a feed's address). A feed's folder not made yet is a source with no articles; a
/// source of the config that cannot be opened is one too, with a warning.
pub fn load_sources(specs: &[SourceSpec]) -> Result<Library, LoadError> {
    let mut lib = Library::default();
    let mut hotkeys = Vec::new();
    for spec in specs {
        let mut spec = spec.clone();
        spec.claim_hotkey(&mut hotkeys, &mut lib.warnings);
        match load_source(&spec, &mut lib, &mut hotkeys) {
            Ok(()) => {}
            Err(_) if spec.feed.is_some() => spec.push_unopened(&mut lib, NOT_FETCHED.into()),
            Err(e) if spec.from_config => {
                lib.warnings.push(e.to_string());
                spec.push_unopened(&mut lib, e.to_string());
            }
            Err(e) => return Err(e),
        }
    }
    for article in &lib.articles {
        for w in &article.warnings {
            lib.warnings.push(format!("{}: {w}", article.file_name));
        }
    }
    // Warnings quote names and manifest text; they leave here printable, whoever shows them.
    for w in &mut lib.warnings {
        *w = crate::text::sanitize::printable(w);
    }
    // Keys are absolute paths, so the same file is the same article from any folder.
    for article in &mut lib.articles {
        if let Origin::File(path) = &article.origin {
            article.key = fs::canonicalize(path)
                .unwrap_or_else(|_| path.clone())
                .display()
                .to_string();
        }
    }
    Ok(lib)
}

/// Load one source into `lib`.
fn load_source(
    spec: &SourceSpec,
    lib: &mut Library,
    hotkeys: &mut Vec<char>,
) -> Result<(), LoadError> {
    let path = &spec.path;
    let meta =
        fs::metadata(path).map_err(|e| error(path, LoadFailure::Unreadable(io_reason(&e))))?;
    if meta.is_dir() {
        let files = article_files(path)?;
        let mut articles = Vec::new();
        let mut first_failure = None;
        for loaded in read_all(&files) {
            match loaded {
                Ok(article) => articles.push(article),
                Err(e) => {
                    lib.warnings.push(e.to_string());
                    first_failure.get_or_insert(e);
                }
            }
        }
        if articles.is_empty() {
            let e = first_failure.unwrap_or_else(|| error(path, LoadFailure::NoArticles));
            return Err(e);
        }
        // The language the config declares for the source; the manifest's, applied after, wins.
        if let Some(lang) = spec.language {
            for article in &mut articles {
                super::parse::declare_language(article, lang);
            }
        }
        let mut outlets = Vec::new();
        if let Some(manifest) = read_manifest(path, &mut lib.warnings) {
            apply_manifest(&manifest, &mut articles, hotkeys, &mut lib.warnings);
            outlets = claim_outlets(&manifest, &articles, hotkeys, &mut lib.warnings);
            declare_outlet_languages(&manifest, &outlets, &mut articles);
        }
        push_folder(lib, articles, &outlets, spec.folder_source());
    } else {
        let contents = read_file(path)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.to_string_lossy().into_owned());
        push_file(lib, article(&name, path, contents), spec);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder for one test, removed when dropped.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(tag: &str) -> Self {
            let dir =
                std::env::temp_dir().join(format!("folio-library-{tag}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
            let p = self.0.join(name);
            fs::write(&p, bytes).unwrap();
            p
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn a_missing_file_is_a_one_line_error() {
        let e = load_paths(&[PathBuf::from("no-such-file-for-folio.txt")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot open 'no-such-file-for-folio.txt': No such file or directory"
        );
        assert_eq!(e.path, PathBuf::from("no-such-file-for-folio.txt"));
    }

    #[test]
    fn a_folder_gives_its_articles_sorted_with_its_manifest() {
        let s = Scratch::new("folder");
        s.write("b.md", b"# Second article heading here\n\nBody text.\n");
        s.write("a.txt", b"First article headline is here\n\nBody text.\n");
        s.write("notes.json", b"{}");
        s.write(".hidden.txt", b"hidden");
        fs::create_dir_all(s.0.join("sub")).unwrap();
        s.write("sub/c.txt", b"nested");
        s.write(
            "sources.toml",
            b"[[source]]\nfile = \"b.md\"\nhotkey = \"b\"\noutlet = \"Somewhere\"\n\n[[source]]\nfile = \"zz.txt\"\n",
        );
        let lib = load_paths(std::slice::from_ref(&s.0)).unwrap();
        let names: Vec<&str> = lib.articles.iter().map(|a| a.file_name.as_str()).collect();
        assert_eq!(names, vec!["a.txt", "b.md"]);
        assert_eq!(lib.articles[1].title, "Second article heading here");
        assert_eq!(lib.articles[1].hotkey, Some('b'));
        assert_eq!(lib.articles[1].outlet.as_deref(), Some("Somewhere"));
        assert_eq!(lib.articles[0].origin, Origin::File(s.0.join("a.txt")));
        assert_eq!(lib.warnings.len(), 1, "{:?}", lib.warnings);
        assert!(lib.warnings[0].ends_with(
            "sources.toml line 6: there is no article 'zz.txt' beside it; entry ignored"
        ));
    }

    #[test]
    fn a_manifest_names_outlets_and_the_rest_is_the_folder_source() {
        let s = Scratch::new("outlets");
        for name in ["a.txt", "b.txt", "c.txt", "d.txt"] {
            s.write(name, format!("Headline of {name}\n\nBody.").as_bytes());
        }
        s.write(
            "sources.toml",
            b"[[source]]\nfile = \"d.txt\"\nhotkey = \"d\"\n\n[[outlet]]\nname = \"Wire\"\nhotkey = \"w\"\nfiles = [\"b.txt\", \"c.txt\", \"zz.txt\"]\n",
        );
        let lib = load_paths(std::slice::from_ref(&s.0)).unwrap();
        let sources: Vec<(&str, Option<char>, &str)> = lib
            .sources
            .iter()
            .map(|x| (x.name.as_str(), x.hotkey, x.kind_name()))
            .collect();
        let folder = s.0.file_name().unwrap().to_str().unwrap();
        assert_eq!(
            sources,
            vec![
                (folder, None, "folder"),
                ("Wire", Some('w'), "outlet"),
                ("Headline of d.txt", Some('d'), "outlet"),
            ]
        );
        let names: Vec<&str> = lib.articles.iter().map(|a| a.file_name.as_str()).collect();
        assert_eq!(names, vec!["a.txt", "b.txt", "c.txt", "d.txt"]);
        assert!(lib.sources_consistent());
        assert_eq!(lib.warnings.len(), 1, "{:?}", lib.warnings);
        assert!(lib.warnings[0].contains("outlet 'Wire' names 'zz.txt'"));
    }

    #[test]
    fn a_broken_manifest_still_opens_the_folder() {
        let s = Scratch::new("broken");
        s.write("a.txt", b"Text.");
        s.write("sources.toml", b"[[source]\nfile = 1\n");
        let lib = load_paths(std::slice::from_ref(&s.0)).unwrap();
        assert_eq!(lib.articles.len(), 1);
        assert_eq!(lib.warnings.len(), 1);
        assert!(
            lib.warnings[0].contains("sources.toml line 1: "),
            "{:?}",
            lib.warnings
        );
    }

    #[test]
    fn an_empty_folder_is_an_error() {
        let s = Scratch::new("empty");
        s.write("readme.rst", b"x");
        let e = load_paths(std::slice::from_ref(&s.0)).unwrap_err();
        assert_eq!(e.reason, LoadFailure::NoArticles);
        assert_eq!(
            e.to_string(),
            format!("no .txt, .md or .html files in '{}'", s.0.display())
        );
    }

    #[test]
    fn files_open_as_given_in_order_and_hotkeys_stay_unique_across_folders() {
        let s = Scratch::new("files");
        let one = s.write("one.text", b"One.");
        fs::create_dir_all(s.0.join("x")).unwrap();
        fs::create_dir_all(s.0.join("y")).unwrap();
        s.write("x/a.txt", b"A.");
        s.write(
            "x/sources.toml",
            b"[[source]]\nfile = \"a.txt\"\nhotkey = \"k\"\n",
        );
        s.write("y/a.txt", b"A again.");
        s.write(
            "y/sources.toml",
            b"[[source]]\nfile = \"a.txt\"\nhotkey = \"k\"\n",
        );
        let lib = load_paths(&[one, s.0.join("x"), s.0.join("y")]).unwrap();
        let names: Vec<&str> = lib.articles.iter().map(|a| a.file_name.as_str()).collect();
        assert_eq!(names, vec!["one.text", "a.txt", "a.txt"]);
        assert_eq!(lib.articles[1].hotkey, Some('k'));
        assert_eq!(lib.articles[2].hotkey, None);
        assert_eq!(lib.warnings.len(), 1);
        assert!(lib.warnings[0].ends_with("hotkey 'k' for 'a.txt' is already taken; ignored"));
    }

    #[test]
    fn a_folder_lists_html_pages_and_reads_them_as_html() {
        let s = Scratch::new("html");
        s.write(
            "Page.HTM",
            b"<html><head><title>A saved page</title></head><body><p>Text.</p></body></html>",
        );
        s.write("a.txt", b"Plain.");
        s.write(
            "nav.html",
            b"<html><body><nav><a href=\"x\">X</a></nav></body></html>",
        );
        let lib = load_paths(std::slice::from_ref(&s.0)).unwrap();
        let names: Vec<&str> = lib.articles.iter().map(|a| a.file_name.as_str()).collect();
        assert_eq!(names, vec!["Page.HTM", "a.txt", "nav.html"]);
        assert_eq!(lib.articles[0].title, "A saved page");
        // What the HTML front end had to say joins the library's warnings.
        assert_eq!(
            lib.warnings,
            vec!["nav.html: the page is all navigation; showing it as it is"]
        );
    }

    #[test]
    fn a_large_html_page_is_extracted_and_a_huge_one_refused() {
        let s = Scratch::new("html-large");
        let para = "<p>Tides rise and fall twice a day along this coast, and the harbour \
                    empties at low water.</p>\n";
        let body = para.repeat((LARGE_FILE_BYTES as usize / para.len()) + 10);
        let big = s.write(
            "big.html",
            format!(
                "<html><head><title>Big</title></head><body><article>{body}</article></body></html>"
            )
            .as_bytes(),
        );
        let lib = load_paths(std::slice::from_ref(&big)).unwrap();
        let a = &lib.articles[0];
        assert!(a.large.is_none(), "an HTML page is never mapped as lines");
        assert_eq!(a.title, "Big");
        assert!(a.paragraphs.len() > 1000, "{}", a.paragraphs.len());
        assert!(a.paragraphs.iter().all(|p| !p.text.contains('<')));

        let huge = s.0.join("huge.html");
        fs::File::create(&huge)
            .and_then(|f| f.set_len(MAX_HTML_BYTES + 1))
            .unwrap();
        let e = load_paths(std::slice::from_ref(&huge)).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "cannot open '{}': an HTML page larger than 32 MiB; folio reads pages up to that size",
                huge.display()
            )
        );
    }

    #[test]
    fn markdown_past_the_mapping_size_is_still_read_as_markdown() {
        let s = Scratch::new("md-large");
        let para = "Tides **rise** and fall twice a day along this [coast](tides.md).\n\n";
        let body = para.repeat((LARGE_FILE_BYTES as usize / para.len()) + 10);
        let big = s.write("big.md", format!("# Big notes\n\n{body}").as_bytes());
        let lib = load_paths(std::slice::from_ref(&big)).unwrap();
        let a = &lib.articles[0];
        assert!(a.large.is_none(), "parsed as Markdown, not mapped as lines");
        assert_eq!(a.title, "Big notes");
        assert!(a.paragraphs.iter().all(|p| !p.text.contains("**")));
        assert_eq!(a.links.len(), 1, "one address, one number");

        // Past the Markdown limit a file is mapped and read as lines, as any large file.
        let huge = s.0.join("huge.md");
        fs::File::create(&huge)
            .and_then(|f| f.set_len(MAX_MARKDOWN_BYTES + 1))
            .unwrap();
        let lib = load_paths(std::slice::from_ref(&huge)).unwrap();
        assert!(lib.articles[0].large.is_some());
    }

    #[test]
    fn no_paths_is_an_empty_library() {
        assert_eq!(load_paths(&[]).unwrap(), Library::default());
    }

    #[test]
    fn error_paths_are_shown_safely() {
        let e = error(Path::new("evil\u{1b}[2J.txt"), LoadFailure::NotAFile);
        assert_eq!(
            e.to_string(),
            "cannot open 'evil␛[2J.txt': not a file or folder"
        );
    }
}
