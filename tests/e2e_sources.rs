//! End to end: with no PATH, folio opens the sources the config names (a fetched feed, a feed
//! not fetched yet, a folder), shows them as groups in the list pane, and its keys act on them.

mod support;

use std::fs;

use folio::feeds::store::{Item, item_html};
use support::Pty;

#[test]
fn no_path_opens_the_config_sources_as_groups() {
    let home = tempfile::tempdir().unwrap();
    let feed = home.path().join("data/folio/feeds/example");
    fs::create_dir_all(&feed).unwrap();
    for (file, title, date) in [
        (
            "0a.html",
            "Older item from the feed",
            "2024-01-05T08:00:00Z",
        ),
        (
            "0b.html",
            "Newest item from the feed",
            "2025-02-01T08:00:00Z",
        ),
    ] {
        let item = Item {
            title: Some(title.into()),
            published: Some(date.into()),
            site: "Example".into(),
            content: format!("<p>{title} has a body of a few words.</p>"),
            ..Item::default()
        };
        fs::write(feed.join(file), item_html(&item)).unwrap();
    }
    let news = home.path().join("news");
    fs::create_dir_all(&news).unwrap();
    fs::write(news.join("a.txt"), "First headline of the news\n\nBody.\n").unwrap();
    fs::write(news.join("b.txt"), "Second headline of the news\n\nBody.\n").unwrap();
    let config = home.path().join("config/folio");
    fs::create_dir_all(&config).unwrap();
    fs::write(
        config.join("config.toml"),
        "[[feed]]\nurl = \"https://example.com/rss\"\nname = \"Example\"\n\n\
         [[feed]]\nurl = \"https://later.example/rss\"\nname = \"Later\"\n\n\
         [[folder]]\npath = \"~/news\"\nname = \"News\"\nhotkey = \"w\"\n",
    )
    .unwrap();
    let mut pty = Pty::spawn_in(&[], 100, 30, home);
    // The feed's items are listed newest first from the first frame, by the dates in their
    // heads; their titles come with the fill.
    let first = pty.wait_for("1  ▾ Example");
    let at = |screen: &str, what: &str| screen.find(what).unwrap_or(usize::MAX);
    assert!(at(&first, "0b.html") < at(&first, "0a.html"), "{first}");
    let screen = pty.wait_until("the titles", |s| {
        s.contains("• Newest item") && !s.contains("Reading ")
    });
    assert!(screen.contains("2  ▾ Later"), "{screen}");
    assert!(screen.contains("not fetched yet"), "{screen}");
    assert!(screen.contains("3w ▾ News"), "{screen}");
    // Newest first: the newest item is the first row under the feed's header.
    let rows = pty.rows();
    let newest = rows.iter().position(|r| r.contains("Newest item")).unwrap();
    let older = rows.iter().position(|r| r.contains("Older item")).unwrap();
    assert!(newest < older, "{screen}");
    // The folder's hotkey opens its first article; A marks it all read; - folds it.
    pty.send("w");
    pty.wait_for("First headline of the news  ");
    pty.send("A");
    pty.wait_for("2 articles, all read");
    pty.send("-");
    pty.wait_for("3w ▸ News");
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
    pty.assert_restored();
}
