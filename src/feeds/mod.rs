//! Feeds the user follows: declared in the config (`[[feed]]`), imported from and exported to
//! OPML ([`opml`]), fetched over HTTP(S) by `folio fetch` ([`fetch`]) and kept offline as one
//! HTML file per item in folio's data folder ([`store`]).
//!
//! This is front-end-side code: it reads the network and writes files. The reader itself
//! (`app/`) never calls it directly; a front end runs [`fetch::fetch_all`] off the loop and
//! hands the per-feed outcomes back.
//!
//! On disk, under [`store::feeds_dir`]: a folder per feed named by a safe [`slug`] of its name,
//! holding one `.html` file per item, named by a hash of the item's guid (or link) so an item is
//! stored once ([`item_file_name`]), and `feed.json`, the feed's state (ETag, Last-Modified,
//! when it was last fetched and what went wrong). Every file is written to a temp file and
//! renamed, so a failed or interrupted fetch never loses or corrupts what was stored before.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub mod command;
pub mod fetch;
pub mod opml;
pub mod refresh;
pub mod store;

/// One `[[feed]]` of the config.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feed {
    /// The feed's address: `http://` or `https://`.
    pub url: String,
    /// What the source is called; the address's host when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// One character that jumps to the source in the reader.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hotkey: Option<String>,
    /// The language of its articles (a BCP 47 tag such as `ar` or `en-GB`), when the feed does
    /// not say or says wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl Feed {
    /// A feed with only its address.
    pub fn new(url: &str) -> Feed {
        Feed {
            url: url.to_string(),
            name: None,
            hotkey: None,
            language: None,
        }
    }

    /// What is wrong with this entry, if anything: an address that is not http(s), an empty
    /// name, a hotkey that is not one character, a language that is not a tag.
    pub fn check(&self) -> Result<(), String> {
        // The URL parser would quietly percent-encode or drop these; kept raw, they would reach
        // the config, the exported OPML and every message that names the feed. What folio would
        // show differently from what it holds (a control, a bidi control, an invisible format
        // character) is refused, as is a space.
        if self.url.contains(char::is_whitespace)
            || crate::text::sanitize::printable(&self.url) != self.url
        {
            return Err(format!(
                "url '{}' holds spaces or control characters",
                self.url
            ));
        }
        let url = url::Url::parse(&self.url).map_err(|e| format!("url '{}': {e}", self.url))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "url '{}': only http and https addresses can be fetched",
                self.url
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(format!("url '{}': no host", self.url));
        }
        check_name_and_hotkey(self.name.as_deref(), self.hotkey.as_deref())?;
        if let Some(lang) = &self.language
            && !is_language_tag(lang)
        {
            return Err(format!(
                "language '{lang}' is not a language tag (such as \"ar\" or \"en-GB\")"
            ));
        }
        Ok(())
    }

    /// What the source is called: its name, or its address's host.
    pub fn display_name(&self) -> String {
        match &self.name {
            Some(name) if !name.trim().is_empty() => name.trim().to_string(),
            _ => url::Url::parse(&self.url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_else(|| self.url.clone()),
        }
    }
}

/// What a source entry of the config (`[[feed]]`, `[[folder]]`) may name itself and be jumped
/// to by: a name that is not blank, a hotkey of one visible character.
pub fn check_name_and_hotkey(name: Option<&str>, hotkey: Option<&str>) -> Result<(), String> {
    if name.is_some_and(|n| n.trim().is_empty()) {
        return Err("name is empty".into());
    }
    if let Some(key) = hotkey {
        let mut chars = key.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_control() && !c.is_whitespace() => {}
            _ => return Err(format!("hotkey '{key}' must be one character")),
        }
    }
    Ok(())
}

/// A BCP 47 tag's shape: letters, digits and hyphens, starting with 2 or 3 letters.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split(['-', '_']);
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
        && tag.len() <= 35
}

/// The longest slug, in characters: folder names stay well inside every file system's limit
/// (255 bytes) whatever the script.
const SLUG_CHARS: usize = 48;

/// A folder name for a source: the name's words (letters and digits of any script, lower-cased,
/// with the marks on them, so Arabic harakat do not split a word), runs of anything else as one
/// `-`, at most [`SLUG_CHARS`] grapheme clusters; `feed` when nothing is left. Never `.`/`..`,
/// never hidden, never a path separator, no control, bidi or invisible character.
pub fn slug(name: &str) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    let mut out = String::new();
    let mut dash = false;
    let mut count = 0;
    for g in name.graphemes(true) {
        if count >= SLUG_CHARS {
            break;
        }
        if g.chars().next().is_some_and(char::is_alphanumeric) {
            if dash && !out.is_empty() {
                out.push('-');
                count += 1;
            }
            dash = false;
            // The marks of a letter stay; joiners, bidi and other invisible characters go.
            for c in g.chars().filter(|&c| {
                !c.is_control()
                    && !crate::text::sanitize::is_bidi_control(c)
                    && !crate::text::sanitize::is_invisible_format(c)
                    && !matches!(c, '\u{200C}' | '\u{200D}' | '\u{00AD}')
            }) {
                out.extend(c.to_lowercase());
            }
            count += 1;
        } else {
            dash = true;
        }
    }
    if out.is_empty() { "feed".into() } else { out }
}

/// The folder of each feed, in order: its [`slug`], and where two feeds' slugs meet, the later
/// one's slug with a short hash of its address, so no two feeds share a folder.
pub fn folders(feeds: &[Feed]) -> Vec<String> {
    let mut taken = std::collections::HashSet::new();
    feeds
        .iter()
        .map(|f| {
            let mut s = slug(&f.display_name());
            if !taken.insert(s.clone()) {
                s = format!("{s}-{}", &hash_hex(&f.url)[..8]);
                taken.insert(s.clone());
            }
            s
        })
        .collect()
}

/// The file an item is stored in: 16 bytes of SHA-256 of its key (guid, or link), in hex, with
/// `.html`. The same item fetched again lands on the same name, so it is stored once.
pub fn item_file_name(key: &str) -> String {
    format!("{}.html", &hash_hex(key)[..32])
}

fn hash_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_keep_letters_of_any_script() {
        assert_eq!(slug("The Guardian — World"), "the-guardian-world");
        assert_eq!(slug("  BBC  News!  "), "bbc-news");
        assert_eq!(slug("الجزيرة نت"), "الجزيرة-نت");
        // Harakat stay on their letter; a Persian zero-width non-joiner goes.
        assert_eq!(slug("مُحَمَّد"), "مُحَمَّد");
        assert_eq!(slug("می\u{200c}خواهم"), "میخواهم");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug(".hidden"), "hidden");
        assert_eq!(slug("\u{202e}evil\u{1b}[2J"), "evil-2j");
        assert_eq!(slug("!!!"), "feed");
        assert_eq!(slug(""), "feed");
        let long = slug(&"أ".repeat(500));
        assert_eq!(long.chars().count(), SLUG_CHARS);
        assert!(long.len() < 255);
    }

    #[test]
    fn feeds_that_slug_alike_get_their_own_folders() {
        let mut a = Feed::new("https://a.example/feed");
        a.name = Some("News".into());
        let mut b = Feed::new("https://b.example/feed");
        b.name = Some("news!".into());
        let f = folders(&[a, b]);
        assert_eq!(f[0], "news");
        assert!(
            f[1].starts_with("news-") && f[1].len() == "news-".len() + 8,
            "{f:?}"
        );
    }

    #[test]
    fn item_names_are_stable_hashes() {
        let a = item_file_name("https://example.com/a");
        assert_eq!(a, item_file_name("https://example.com/a"));
        assert_ne!(a, item_file_name("https://example.com/b"));
        assert_eq!(a.len(), 32 + ".html".len());
        assert!(
            a.trim_end_matches(".html")
                .chars()
                .all(|c| c.is_ascii_hexdigit())
        );
        // SHA-256 of the empty string, so the name does not change between versions.
        assert_eq!(item_file_name(""), "e3b0c44298fc1c149afbf4c8996fb924.html");
    }

    #[test]
    fn entries_are_checked() {
        assert!(Feed::new("https://example.com/rss").check().is_ok());
        assert!(Feed::new("ftp://example.com/rss").check().is_err());
        assert!(Feed::new("not a url").check().is_err());
        assert!(Feed::new("https://example.com/a\u{0}b").check().is_err());
        assert!(Feed::new("https://example.com/a b").check().is_err());
        assert!(Feed::new("https://example.com/\u{202e}x").check().is_err());
        assert!(Feed::new("https://a.ex\u{206e}b/").check().is_err());
        assert!(Feed::new("https://ar.example/wiki/مقالة").check().is_ok());
        let mut f = Feed::new("http://example.com/rss");
        f.hotkey = Some("ab".into());
        assert!(f.check().unwrap_err().contains("one character"));
        f.hotkey = Some("ج".into());
        assert!(f.check().is_ok());
        f.language = Some("arabic!".into());
        assert!(f.check().is_err());
        f.language = Some("ar-EG".into());
        assert!(f.check().is_ok());
        f.name = Some("  ".into());
        assert!(f.check().is_err());
    }

    #[test]
    fn a_feed_without_a_name_is_called_by_its_host() {
        assert_eq!(
            Feed::new("https://www.example.com/x").display_name(),
            "www.example.com"
        );
    }
}
