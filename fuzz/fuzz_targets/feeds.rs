//! What `folio import` and `folio fetch` do with text from elsewhere: an OPML file imported into
//! the config, exported and read back; and a fetched page given the item's tags. Never panics;
//! the imported feeds read back from the config as they were added, with no warning; the export
//! is printable and reads back with the same addresses; a page keeps every character of its own.

#![no_main]

use folio::config::Settings;
use folio::feeds::opml;
use folio::feeds::store::{Item, item_html};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(feeds) = opml::parse(data) {
        let added = opml::add_to_config("# mine\n[reader]\nwidth = 70\n", &feeds)
            .expect("a valid config takes any feeds");
        let settings = Settings::from_user_toml(&added.text, "config.toml");
        assert!(
            settings.warnings.is_empty(),
            "{:?}\n{}",
            settings.warnings,
            added.text
        );
        assert_eq!(settings.config.feed, added.added);
        let xml = opml::export(&settings.config.feed);
        assert!(!xml.chars().any(|c| c.is_control() && c != '\n'), "{xml}");
        let back = opml::parse(xml.as_bytes()).expect("the export is OPML");
        let urls: Vec<&str> = back.iter().map(|f| f.url.as_str()).collect();
        let want: Vec<&str> = settings
            .config
            .feed
            .iter()
            .map(|f| f.url.as_str())
            .collect();
        assert_eq!(urls, want, "{xml}");
    }

    let page = String::from_utf8_lossy(data);
    let item = Item {
        title: Some("t".into()),
        site: "s".into(),
        language: Some("ar".into()),
        page: Some(page.to_string()),
        ..Item::default()
    };
    let html = item_html(&item);
    // Only tags are added: the page is a subsequence of what is stored.
    let mut want = page.chars().peekable();
    for c in html.chars() {
        if want.peek() == Some(&c) {
            want.next();
        }
    }
    assert!(want.peek().is_none(), "the page lost text: {html:?}");
});
