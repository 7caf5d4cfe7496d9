//! OPML, the list of feeds every feed reader imports and exports: reading one ([`parse`]),
//! adding its feeds to the user's config without disturbing what is written there
//! ([`add_to_config`], with `toml_edit` so comments and layout survive), and writing the
//! configured feeds as OPML 2.0 ([`export`]).

use quick_xml::Reader;
use quick_xml::escape::escape;
use quick_xml::events::{BytesStart, Event};

use super::Feed;
use crate::text::sanitize::printable;

/// The feeds of an OPML document: every `<outline>` with an `xmlUrl`, at any depth (categories
/// are flattened), named by its `text` or else its `title`, in document order. Outlines that
/// repeat an address are dropped. An error says why the text is not OPML.
pub fn parse(bytes: &[u8]) -> Result<Vec<Feed>, String> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut feeds: Vec<Feed> = Vec::new();
    let mut saw_root = false;
    loop {
        let event = reader.read_event().map_err(|e| {
            format!(
                "not well-formed XML at byte {}: {e}",
                reader.error_position()
            )
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.local_name();
                if !saw_root {
                    if !name.as_ref().eq_ignore_ascii_case("opml") {
                        return Err(format!(
                            "not an OPML file: its root element is <{}>",
                            name.as_ref()
                        ));
                    }
                    saw_root = true;
                } else if name.as_ref() == "outline"
                    && let Some(feed) = outline_feed(&e)
                    && !feeds.iter().any(|f| f.url == feed.url)
                {
                    feeds.push(feed);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root {
        return Err("not an OPML file: no <opml> element".into());
    }
    Ok(feeds)
}

/// The feed an `<outline>` names, if it has an `xmlUrl`.
fn outline_feed(e: &BytesStart<'_>) -> Option<Feed> {
    let mut url = None;
    let mut text = None;
    let mut title = None;
    let mut language = None;
    for attr in e.attributes().flatten() {
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map(|v| v.into_owned())
            .unwrap_or_else(|_| attr.value.to_string());
        let value = value.trim().to_string();
        if value.is_empty() {
            continue;
        }
        match attr.key.local_name().as_ref() {
            "xmlUrl" | "xmlurl" => url = Some(value),
            "text" => text = Some(value),
            "title" => title = Some(value),
            "language" => language = Some(value),
            _ => {}
        }
    }
    let mut feed = Feed::new(&url?);
    feed.name = text.or(title);
    feed.language = language;
    Some(feed)
}

/// What [`add_to_config`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Added {
    /// The config text with the new feeds appended.
    pub text: String,
    /// The feeds added, in order.
    pub added: Vec<Feed>,
    /// Feeds whose address the config already has.
    pub present: Vec<Feed>,
    /// Feeds that cannot be followed, with the reason (an address that is not http(s)…).
    pub refused: Vec<(Feed, String)>,
}

/// Append `feeds` to a config text as `[[feed]]` tables, keeping every comment, value and
/// layout already there and skipping feeds whose address is already listed. A language that is
/// not a language tag is dropped (the feed is still added). Refuses a config that is not TOML
/// or whose `feed` is not a list of tables: the user's file is never rewritten from a guess.
pub fn add_to_config(config: &str, feeds: &[Feed]) -> Result<Added, String> {
    let mut doc: toml_edit::DocumentMut = config
        .parse()
        .map_err(|e: toml_edit::TomlError| format!("the config is not valid TOML: {e}"))?;
    if doc.get("feed").is_none() {
        doc.insert(
            "feed",
            toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()),
        );
    }
    let Some(list) = doc.get_mut("feed").and_then(|i| i.as_array_of_tables_mut()) else {
        return Err("`feed` in the config is not a list of [[feed]] tables".into());
    };
    let mut known: Vec<String> = list
        .iter()
        .filter_map(|t| t.get("url").and_then(|u| u.as_str()).map(str::to_string))
        .collect();
    let mut out = Added::default();
    for feed in feeds {
        let mut feed = feed.clone();
        feed.hotkey = None;
        if feed.language.as_deref().is_some_and(|l| {
            let mut f = Feed::new("http://x");
            f.language = Some(l.to_string());
            f.check().is_err()
        }) {
            feed.language = None;
        }
        if known.contains(&feed.url) {
            out.present.push(feed);
            continue;
        }
        if let Err(reason) = feed.check() {
            out.refused.push((feed, reason));
            continue;
        }
        let mut table = toml_edit::Table::new();
        table.insert("url", toml_edit::value(feed.url.as_str()));
        if let Some(name) = &feed.name {
            table.insert("name", toml_edit::value(name.as_str()));
        }
        if let Some(language) = &feed.language {
            table.insert("language", toml_edit::value(language.as_str()));
        }
        list.push(table);
        known.push(feed.url.clone());
        out.added.push(feed);
    }
    out.text = doc.to_string();
    Ok(out)
}

/// The feeds as an OPML 2.0 document: one `<outline type="rss">` each, with `text` and `title`
/// (the name), `xmlUrl` and, when set, `language`. Every value is made printable (a config
/// value is the user's data; XML cannot hold most controls even escaped) and XML-escaped.
pub fn export(feeds: &[Feed]) -> String {
    let attr = |s: &str| escape(printable(s)).into_owned();
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    <title>folio feeds</title>\n  </head>\n  <body>\n",
    );
    for feed in feeds {
        let name = attr(&feed.display_name());
        out.push_str(&format!(
            "    <outline type=\"rss\" text=\"{name}\" title=\"{name}\" xmlUrl=\"{}\"",
            attr(&feed.url)
        ));
        if let Some(language) = &feed.language {
            out.push_str(&format!(" language=\"{}\"", attr(language)));
        }
        out.push_str("/>\n");
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NESTED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="News">
      <outline text="World &amp; More" type="rss" xmlUrl="https://news.example/rss"/>
      <outline title="الجزيرة" type="rss" xmlUrl="https://aljazeera.example/ar.xml" language="ar"/>
      <outline text="Deeper">
        <outline text="Deep" xmlUrl="http://deep.example/atom"/>
      </outline>
    </outline>
    <outline text="Not a feed" htmlUrl="https://site.example/"/>
    <outline text="Again" xmlUrl="https://news.example/rss"/>
  </body>
</opml>"#;

    #[test]
    fn nested_categories_are_flattened() {
        let feeds = parse(NESTED.as_bytes()).unwrap();
        let got: Vec<(&str, Option<&str>)> = feeds
            .iter()
            .map(|f| (f.url.as_str(), f.name.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("https://news.example/rss", Some("World & More")),
                ("https://aljazeera.example/ar.xml", Some("الجزيرة")),
                ("http://deep.example/atom", Some("Deep")),
            ]
        );
        assert_eq!(feeds[1].language.as_deref(), Some("ar"));
    }

    #[test]
    fn what_is_not_opml_is_refused() {
        assert!(
            parse(b"<html><body/></html>")
                .unwrap_err()
                .contains("<html>")
        );
        assert!(parse(b"<opml><body><outline").unwrap_err().contains("XML"));
        assert!(parse(b"").unwrap_err().contains("no <opml>"));
    }

    #[test]
    fn adding_keeps_comments_and_skips_known_addresses() {
        let config = "# my settings\n[reader]\nwidth = 72 # narrow\n\n[[feed]]\nurl = \"https://news.example/rss\" # the old one\n";
        let feeds = parse(NESTED.as_bytes()).unwrap();
        let mut bad = Feed::new("file:///etc/passwd");
        bad.name = Some("local".into());
        let mut all = feeds.clone();
        all.push(bad);
        let added = add_to_config(config, &all).unwrap();
        assert!(added.text.starts_with(config), "{}", added.text);
        assert_eq!(added.added.len(), 2);
        assert_eq!(added.present.len(), 1);
        assert_eq!(added.refused.len(), 1);
        let s = crate::config::Settings::from_user_toml(&added.text, "c.toml");
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        assert_eq!(s.config.feed.len(), 3);
        assert_eq!(s.config.reader.width, 72);
        // Adding again adds nothing.
        let again = add_to_config(&added.text, &feeds).unwrap();
        assert!(again.added.is_empty());
        assert_eq!(again.text, added.text);
    }

    #[test]
    fn an_address_with_controls_is_refused_not_written_to_the_config() {
        // Found by the `feeds` fuzz target: the URL parser accepts it by percent-encoding.
        let opml = "<opml><body><outline text=\"x\" xmlUrl=\"https://news.example/&#x1f;&#x1;a\"/></body></opml>";
        let feeds = parse(opml.as_bytes()).unwrap();
        assert_eq!(feeds.len(), 1);
        let added = add_to_config("", &feeds).unwrap();
        assert!(added.added.is_empty());
        assert_eq!(added.refused.len(), 1);
        assert!(!added.text.contains('\u{1f}'));
    }

    #[test]
    fn a_config_that_is_not_toml_or_has_another_feed_is_left_alone() {
        assert!(add_to_config("[reader\n", &[]).is_err());
        assert!(add_to_config("feed = 3\n", &[]).is_err());
    }

    #[test]
    fn export_escapes_and_reads_back() {
        let mut a = Feed::new("https://news.example/rss?a=1&b=2");
        a.name = Some("Tom & \"Jerry\" <News>\u{1b}[2J".into());
        let mut b = Feed::new("https://aljazeera.example/ar.xml");
        b.name = Some("الجزيرة".into());
        b.language = Some("ar".into());
        let xml = export(&[a.clone(), b.clone()]);
        assert!(!xml.contains('\u{1b}'), "{xml}");
        assert!(xml.contains("&amp;b=2"), "{xml}");
        let back = parse(xml.as_bytes()).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].url, a.url);
        assert_eq!(back[0].name.as_deref(), Some("Tom & \"Jerry\" <News>␛[2J"));
        assert_eq!(back[1], b);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn feed() -> impl Strategy<Value = Feed> {
            (
                "[a-z]{1,8}",
                "[a-z0-9/._?=&%-]{0,16}",
                proptest::option::of(any::<String>()),
                proptest::option::of("[a-z]{2}(-[A-Z]{2})?"),
            )
                .prop_map(|(host, path, name, language)| {
                    let mut f = Feed::new(&format!("https://{host}.example/{path}"));
                    f.name = name;
                    f.language = language;
                    f
                })
        }

        proptest! {
            /// Whatever the names hold (quotes, controls, bidi controls, Arabic), feeds added to
            /// a config read back as they were added, and the config's export reads back as OPML
            /// with the same addresses, printable.
            #[test]
            fn import_and_export_keep_every_feed(feeds in proptest::collection::vec(feed(), 0..6)) {
                let added = add_to_config("# mine\n[reader]\nwidth = 70\n", &feeds).unwrap();
                let s = crate::config::Settings::from_user_toml(&added.text, "c.toml");
                prop_assert!(s.warnings.is_empty(), "{:?}\n{}", s.warnings, added.text);
                prop_assert_eq!(&s.config.feed, &added.added);
                prop_assert_eq!(added.added.len() + added.present.len() + added.refused.len(), feeds.len());
                let xml = export(&s.config.feed);
                prop_assert!(!xml.chars().any(|c| c.is_control() && c != '\n'), "{}", xml);
                let back = parse(xml.as_bytes()).unwrap();
                let urls: Vec<&str> = back.iter().map(|f| f.url.as_str()).collect();
                let want: Vec<&str> = s.config.feed.iter().map(|f| f.url.as_str()).collect();
                prop_assert_eq!(urls, want);
            }
        }
    }
}
