//! Feed items kept offline: one folder per feed under [`feeds_dir`], one small HTML document per
//! item (see [`item_html`]), and the feed's state in `feed.json` beside them. Every file is
//! written to a temp file in the same folder and renamed over its name, so an interrupted or
//! failed fetch leaves what was stored before as it was; an item already stored is never
//! rewritten.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use quick_xml::escape::escape;
use serde::{Deserialize, Serialize};

use crate::store::write_atomic;

/// The name of a feed's state file, beside its items.
pub const STATE_FILE: &str = "feed.json";

/// Where fetched feeds are kept: `feeds` in folio's data folder (under `XDG_DATA_HOME` where it
/// is set).
pub fn feeds_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "folio").map(|d| d.data_dir().join("feeds"))
}

/// What folio remembers of a feed between fetches.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FeedState {
    /// The address fetched (the folder's feed, should two configs disagree).
    pub url: String,
    /// The validators of the last full answer, sent back so an unchanged feed costs a 304.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// When the feed was last fetched, and last fetched without an error (seconds since 1970).
    pub last_fetch: Option<u64>,
    pub last_success: Option<u64>,
    /// Why the last fetch failed; `None` after a success.
    pub last_error: Option<String>,
}

impl FeedState {
    /// The state in `folder`, or an empty one when there is none or it cannot be read (the
    /// worst that costs is a full fetch instead of a conditional one).
    pub fn load(folder: &Path) -> FeedState {
        fs::read(folder.join(STATE_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Write the state atomically.
    pub fn save(&self, folder: &Path) -> io::Result<()> {
        let json = serde_json::to_vec_pretty(self).expect("feed state serialises");
        write_atomic(&folder.join(STATE_FILE), &json)
    }
}

/// One item as folio stores it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Item {
    pub title: Option<String>,
    /// RFC 3339, when the feed gives a date.
    pub published: Option<String>,
    pub author: Option<String>,
    /// The feed's name.
    pub site: String,
    pub language: Option<String>,
    /// The item's web page.
    pub link: Option<String>,
    /// The item's HTML: its full content, or its summary.
    pub content: String,
    /// The linked page's whole HTML, fetched because the feed gave only a summary.
    pub page: Option<String>,
}

/// An item as an HTML document the HTML front end reads: `<title>`, `<meta>` for the date,
/// author, site name and language, a canonical link, and the content in `<article>`. When the
/// linked page was fetched, the page itself is stored (decoded to UTF-8) with `<meta charset>`
/// first in its `<head>` and these tags last, where they outweigh the page's own (readability
/// keeps the last of a repeated `<meta>`), so the front end extracts the article from the page
/// and still files it under the feed's name, title and date.
pub fn item_html(item: &Item) -> String {
    const CHARSET: &str = "<meta charset=\"utf-8\">\n";
    let mut head = String::new();
    let attr = |s: &str| escape(s).into_owned();
    if let Some(title) = &item.title {
        head.push_str(&format!("<title>{}</title>\n", attr(title)));
        head.push_str(&format!(
            "<meta property=\"og:title\" content=\"{}\">\n",
            attr(title)
        ));
    }
    if let Some(date) = &item.published {
        head.push_str(&format!(
            "<meta property=\"article:published_time\" content=\"{}\">\n<meta name=\"date\" content=\"{}\">\n",
            attr(date),
            attr(date)
        ));
    }
    if let Some(author) = &item.author {
        head.push_str(&format!(
            "<meta name=\"author\" content=\"{}\">\n",
            attr(author)
        ));
    }
    head.push_str(&format!(
        "<meta property=\"og:site_name\" content=\"{}\">\n",
        attr(&item.site)
    ));
    if let Some(lang) = &item.language {
        head.push_str(&format!(
            "<meta http-equiv=\"content-language\" content=\"{}\">\n",
            attr(lang)
        ));
    }
    if let Some(link) = &item.link {
        head.push_str(&format!(
            "<link rel=\"canonical\" href=\"{}\">\n",
            attr(link)
        ));
    }
    let lang = item
        .language
        .as_deref()
        .map(|l| format!(" lang=\"{}\"", attr(l)))
        .unwrap_or_default();
    match &item.page {
        Some(page) => with_head(page, CHARSET, &head, &lang),
        None => format!(
            "<!DOCTYPE html>\n<html{lang}>\n<head>\n{CHARSET}{head}</head>\n<body>\n<article>\n{}\n</article>\n</body>\n</html>\n",
            item.content
        ),
    }
}

/// `page` with `first` put first inside its `<head>` and `last` last in it (both after
/// `<head>` when its end is not found; before everything, in a head of their own, when it has
/// none), and `lang` on its `<html>` when that does not say its language.
fn with_head(page: &str, first: &str, last: &str, lang: &str) -> String {
    // Only the start of a page is searched: a head is near the top.
    let mut end = page.len().min(64 * 1024);
    while !page.is_char_boundary(end) {
        end -= 1;
    }
    let lower = page[..end].to_ascii_lowercase();
    let Some(head_at) = tag_end(&lower, "<head") else {
        return format!(
            "<!DOCTYPE html>\n<html{lang}>\n<head>\n{first}{last}</head>\n{page}\n</html>\n"
        );
    };
    let head_end = lower[head_at..].find("</head").map(|i| head_at + i);
    let mut out = String::with_capacity(page.len() + first.len() + last.len() + lang.len() + 2);
    let html_tag = lower.find("<html").filter(|&h| {
        h < head_at
            && tag_end(&lower[h..], "<html").is_some_and(|e| !lower[h..h + e].contains("lang="))
    });
    match html_tag {
        Some(h) if !lang.is_empty() => {
            let after = h + "<html".len();
            out.push_str(&page[..after]);
            out.push_str(lang);
            out.push_str(&page[after..head_at]);
        }
        _ => out.push_str(&page[..head_at]),
    }
    out.push('\n');
    out.push_str(first);
    match head_end {
        Some(head_end) => {
            out.push_str(&page[head_at..head_end]);
            out.push_str(last);
            out.push_str(&page[head_end..]);
        }
        None => {
            out.push_str(last);
            out.push_str(&page[head_at..]);
        }
    }
    out
}

/// Where the first `tag` element's start tag ends (after its `>`) in lower-cased `html`; `<head`
/// does not match `<header`.
fn tag_end(html: &str, tag: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = html[from..].find(tag) {
        let start = from + i;
        let after = html.as_bytes().get(start + tag.len()).copied();
        if matches!(after, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/')) {
            return html[start..].find('>').map(|j| start + j + 1);
        }
        from = start + tag.len();
    }
    None
}

/// Store an item as `name` in `folder` unless a file of that name is there already. `Ok(true)`
/// when it was written now.
pub fn store_item(folder: &Path, name: &str, item: &Item) -> io::Result<bool> {
    let path = folder.join(name);
    if path.exists() {
        return Ok(false);
    }
    write_atomic(&path, item_html(item).as_bytes())?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> Item {
        Item {
            title: Some("A \"quoted\" <title> & more".into()),
            published: Some("2026-11-30T01:00:00+00:00".into()),
            author: Some("Ada".into()),
            site: "Example".into(),
            language: Some("ar".into()),
            link: Some("https://example.com/a?x=1&y=2".into()),
            content: "<p>مرحبا</p>".into(),
            page: None,
        }
    }

    #[test]
    fn an_item_is_a_small_html_document_with_its_metadata() {
        let html = item_html(&item());
        assert!(
            html.starts_with("<!DOCTYPE html>\n<html lang=\"ar\">"),
            "{html}"
        );
        assert!(
            html.contains("<title>A &quot;quoted&quot; &lt;title&gt; &amp; more</title>"),
            "{html}"
        );
        assert!(
            html.contains("<link rel=\"canonical\" href=\"https://example.com/a?x=1&amp;y=2\">"),
            "{html}"
        );
        assert!(
            html.contains("content=\"2026-11-30T01:00:00+00:00\""),
            "{html}"
        );
        assert!(
            html.contains("<meta name=\"author\" content=\"Ada\">"),
            "{html}"
        );
        assert!(
            html.contains("<meta property=\"og:site_name\" content=\"Example\">"),
            "{html}"
        );
        assert!(
            html.contains("<article>\n<p>مرحبا</p>\n</article>"),
            "{html}"
        );
    }

    #[test]
    fn a_fetched_page_gets_the_charset_first_and_the_tags_last_in_its_head() {
        let mut it = item();
        it.page =
            Some("<html><HEAD data-x=1><title>Page</title></HEAD><body>B</body></html>".into());
        let html = item_html(&it);
        let ours = html.find("<title>A &quot;").unwrap();
        let theirs = html.find("<title>Page").unwrap();
        assert!(theirs < ours, "ours last in the head: {html}");
        assert!(
            html.contains("y=2\">\n</HEAD><body>B</body></html>"),
            "{html}"
        );
        assert!(
            html.starts_with("<html lang=\"ar\"><HEAD data-x=1>\n<meta charset=\"utf-8\">"),
            "{html}"
        );
        // A page without a head gets one.
        it.page = Some("<p>just a fragment</p>".into());
        let html = item_html(&it);
        assert!(html.contains("</head>\n<p>just a fragment</p>"), "{html}");
        // The feed's language goes on a page's <html> that does not say its own.
        it.page = Some("<!doctype html><html class=x><head></head><body>B</body></html>".into());
        let html = item_html(&it);
        assert!(
            html.starts_with("<!doctype html><html lang=\"ar\" class=x><head>\n<meta"),
            "{html}"
        );
        it.page = Some("<html lang=en><head></head></html>".into());
        let html = item_html(&it);
        assert!(html.starts_with("<html lang=en><head>\n<meta"), "{html}");
        // A head past a multi-byte letter at the search's edge is still found.
        it.page = Some(format!("<head>{}", "ب".repeat(40_000)));
        assert!(item_html(&it).starts_with("<head>\n<meta"));
        // <header> is not <head>.
        it.page = Some("<header>h</header><head><title>t</title></head>".into());
        let html = item_html(&it);
        assert!(
            html.starts_with("<header>h</header><head>\n<meta"),
            "{html}"
        );
    }

    #[test]
    fn an_item_is_stored_once_and_state_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("example");
        assert!(store_item(&folder, "a.html", &item()).unwrap());
        let mut other = item();
        other.content = "changed".into();
        assert!(!store_item(&folder, "a.html", &other).unwrap());
        let stored = fs::read_to_string(folder.join("a.html")).unwrap();
        assert!(stored.contains("مرحبا"));
        let state = FeedState {
            url: "https://example.com/rss".into(),
            etag: Some("\"abc\"".into()),
            last_fetch: Some(5),
            ..FeedState::default()
        };
        state.save(&folder).unwrap();
        assert_eq!(FeedState::load(&folder), state);
        fs::write(folder.join(STATE_FILE), b"{not json").unwrap();
        assert_eq!(FeedState::load(&folder), FeedState::default());
        let names: Vec<_> = fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "no temp files left: {names:?}");
    }
}
