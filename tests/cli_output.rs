//! What folio prints on stdout and stderr about user data (file names, config values, manifest
//! entries) never carries a raw control, bidi control or invisible character.

use std::process::Command;

use folio::text::sanitize::{is_bidi_control, is_invisible_format};

fn raw_chars(s: &str) -> Vec<char> {
    s.chars()
        .filter(|&c| (c.is_control() && c != '\n') || is_bidi_control(c) || is_invisible_format(c))
        .collect()
}

fn folio(args: &[&str], home: &std::path::Path) -> (String, String, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .output()
        .expect("run folio");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

#[test]
fn hostile_names_and_config_values_are_printed_visibly() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    let evil = "a\u{202E}\u{202A}b\u{200B}\u{1b}]0;x\u{7}.txt";
    std::fs::write(lib.join(evil), "Title\n\nBody.\n").unwrap();
    std::fs::write(lib.join("plain.txt"), "Other\n\nBody.\n").unwrap();
    // A manifest naming a missing file with controls in its name, and a bad hotkey.
    std::fs::write(
        lib.join("sources.toml"),
        "[[source]]\nfile = \"gone\\u001b[2J\\u202e.txt\"\n",
    )
    .unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[ui]\ntheme = \"dark\\u001b]0;pwned\\u0007\"\n[keys]\n\"quit\\u001b\" = [\"q\"]\nhelp = [\"\\u202e\"]\n",
    )
    .unwrap();
    let lib = lib.to_str().unwrap();
    let config = config.to_str().unwrap();
    for args in [
        vec!["--config", config, "--dump", lib],
        vec!["--config", config, "--dump", "--logical", lib],
        vec!["--config", config, "--dump", "--plain", lib],
        vec!["--config", config, "--list", lib],
        vec!["--config", config, "--list", "--json", lib],
        vec!["--config", config, "--print-config"],
    ] {
        let (stdout, stderr, code) = folio(&args, dir.path());
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert_eq!(
            raw_chars(&stdout),
            Vec::<char>::new(),
            "{args:?} stdout:\n{stdout}"
        );
        assert_eq!(
            raw_chars(&stderr),
            Vec::<char>::new(),
            "{args:?} stderr:\n{stderr}"
        );
        assert!(
            stderr.contains("␛"),
            "{args:?}: the config's ESC is not shown: {stderr}"
        );
    }
    let (stdout, stderr, _) = folio(&["--dump", lib], dir.path());
    assert!(
        stdout.contains("==> a<RLO><LRE>b<U+200B>␛]0;x␇.txt <=="),
        "{stdout}"
    );
    assert!(stderr.contains("gone␛[2J<RLO>.txt"), "{stderr}");
    // JSON keeps the data, escaped.
    let (stdout, _, _) = folio(&["--list", "--json", lib], dir.path());
    assert!(stdout.contains("\\u202e"), "{stdout}");
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(rows.to_string().contains('\u{202E}'));
}

#[test]
fn a_missing_path_with_controls_is_reported_visibly() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no\u{202E}such\u{1b}[2J");
    let (_, stderr, code) = folio(&["--dump", missing.to_str().unwrap()], dir.path());
    assert_eq!(code, Some(2));
    assert_eq!(raw_chars(&stderr), Vec::<char>::new(), "{stderr}");
    assert!(stderr.contains("no<RLO>such␛[2J"), "{stderr}");
}

#[test]
fn a_config_named_on_the_command_line_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.toml");
    for args in [
        vec!["--config", missing.to_str().unwrap(), "--dump"],
        vec!["--config", missing.to_str().unwrap(), "--print-config"],
    ] {
        let (stdout, stderr, code) = folio(&args, dir.path());
        assert_eq!(code, Some(2), "{args:?}: {stdout}");
        assert!(stderr.contains("missing.toml"), "{stderr}");
        assert!(stdout.is_empty());
    }
}

/// `--list --json` reports sources and their articles: with no PATH, the config's feeds (their
/// stored items, newest first; one not fetched yet says so) and folders.
#[test]
fn list_json_reports_the_config_sources_and_their_articles() {
    use folio::feeds::store::{Item, item_html};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let feed = data.join("folio/feeds/example");
    std::fs::create_dir_all(&feed).unwrap();
    for (file, title, date) in [
        ("0a.html", "Older item", "2024-01-05T08:00:00Z"),
        ("0b.html", "Newest item", "2025-02-01T08:00:00Z"),
    ] {
        let item = Item {
            title: Some(title.into()),
            published: Some(date.into()),
            site: "Example".into(),
            content: format!("<p>{title} has a body of a few words.</p>"),
            ..Item::default()
        };
        std::fs::write(feed.join(file), item_html(&item)).unwrap();
    }
    std::fs::write(feed.join("feed.json"), "{}").unwrap();
    let news = dir.path().join("news");
    std::fs::create_dir_all(&news).unwrap();
    std::fs::write(news.join("a.txt"), "First headline here\n\nBody.\n").unwrap();
    std::fs::write(news.join("b.txt"), "Second headline here\n\nBody.\n").unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[feed]]\nurl = \"https://example.com/rss\"\nname = \"Example\"\nhotkey = \"e\"\n\n\
             [[feed]]\nurl = \"https://later.example/rss\"\nname = \"Later\"\n\n\
             [[folder]]\npath = \"{}\"\nname = \"News\"\nhotkey = \"n\"\n",
            news.display()
        ),
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_folio"))
            .args(args)
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", &data)
            .env("XDG_CACHE_HOME", dir.path().join("cache"))
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .output()
            .expect("run folio");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let config = config.to_str().unwrap();
    let json = run(&["--config", config, "--list", "--json"]);
    let sources: serde_json::Value = serde_json::from_str(&json).unwrap();
    let sources = sources.as_array().unwrap();
    let summary: Vec<(&str, &str, &str, usize)> = sources
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap(),
                s["kind"].as_str().unwrap(),
                s["key"].as_str().unwrap(),
                s["articles"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("Example", "feed", "1", 2),
            ("Later", "feed", "2", 0),
            ("News", "folder", "3", 2)
        ]
    );
    assert_eq!(sources[0]["hotkey"], "e");
    assert_eq!(sources[0]["url"], "https://example.com/rss");
    let titles: Vec<&str> = sources[0]["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, vec!["Newest item", "Older item"], "newest first");
    assert_eq!(sources[1]["note"], "not fetched yet: run folio fetch");
    assert_eq!(sources[2]["hotkey"], "n");
    assert_eq!(sources[2]["path"], news.to_str().unwrap());
    // The table names each row's source.
    let table = run(&["--config", config, "--list"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].contains("SOURCE"), "{table}");
    assert_eq!(lines.len(), 5, "{table}");
    assert!(
        lines[1].contains("Example") && lines[1].contains("Newest item"),
        "{table}"
    );
    assert!(
        lines[4].contains("News") && lines[4].contains("Second headline"),
        "{table}"
    );
}
