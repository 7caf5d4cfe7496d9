//! End to end: a folder of a few thousand articles opens from its names, fills in its titles in
//! the background, and opens from the metadata cache the next time.

mod support;

use std::fs;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use support::Pty;

const ARTICLES: usize = 2000;

/// Reading a couple of thousand files in a debug build on a busy machine takes a while.
const FILL_PATIENCE: Duration = Duration::from_secs(240);

fn write_folder(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    for i in 0..ARTICLES {
        let text = format!(
            "Headline number {i:04} from the generated folder\n\n{}\n",
            "Words of a small article. ".repeat(8)
        );
        fs::write(dir.join(format!("art-{i:04}.txt")), text).unwrap();
    }
}

/// Wait until the library is filled: the first title shows and the status line counts no more.
fn wait_filled(pty: &Pty) {
    let start = Instant::now();
    loop {
        let screen = pty.screen();
        if screen.contains("Headline number 0000") && !screen.contains("Reading ") {
            return;
        }
        assert!(
            start.elapsed() < FILL_PATIENCE,
            "the library never filled; the screen shows:\n{screen}"
        );
        thread::sleep(Duration::from_millis(50));
    }
}

/// The bytes folio wrote before its first status line's count of files read, as text.
fn first_frame(pty: &Pty) -> String {
    let raw = String::from_utf8_lossy(&pty.output()).into_owned();
    let marker = format!("Reading 0 of {} articles", "2,000");
    let end = raw
        .find(&marker)
        .unwrap_or_else(|| panic!("no first frame counting the files:\n{raw}"));
    raw[..end].to_string()
}

#[test]
fn a_big_folder_shows_names_first_then_titles_and_starts_from_the_cache_next_time() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("news");
    write_folder(&dir);
    let folder = dir.to_str().unwrap().to_string();
    let cache_home = root.path().join("cache");
    let env = [("XDG_CACHE_HOME", cache_home.to_str().unwrap())];
    let cache = cache_home.join("folio").join("metadata.json");

    // Cold: file names first, titles once the files are read.
    let mut pty = Pty::spawn_with(&[&folder], 100, 30, tempfile::tempdir().unwrap(), &env);
    wait_filled(&pty);
    let first = first_frame(&pty);
    assert!(first.contains("art-0000"), "{first}");
    assert!(!first.contains("Headline number"), "{first}");
    // The open article's text came too.
    pty.wait_for("Words of a small article");
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
    assert!(cache.is_file(), "no cache at {}", cache.display());

    // Warm, another home with the same cache: the titles are in the first frame.
    let mut pty = Pty::spawn_with(&[&folder], 100, 30, tempfile::tempdir().unwrap(), &env);
    wait_filled(&pty);
    let first = first_frame(&pty);
    assert!(first.contains("Headline number 0000"), "{first}");
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}
