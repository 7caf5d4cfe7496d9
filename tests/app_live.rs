//! A library that changes while it is read: files added, changed and removed reach the app as
//! a change set (or a whole new library), and the reader keeps its place.

mod app_support;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use app_support::Harness;
use folio::app::{Done, Effect, Key, KeyCode, LibraryChange, Live, Shared, Work};
use folio::library::{self, Library};
use folio::watch::read_stub;

/// A folder with `names` as short articles, each titled by its name.
fn folder(names: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("news");
    fs::create_dir(&dir).unwrap();
    for name in names {
        write_article(&dir, name, 3);
    }
    (root, dir)
}

/// Write article `name`: a headline and `paras` paragraphs, Arabic and English.
fn write_article(dir: &Path, name: &str, paras: usize) {
    let stem = name.trim_end_matches(".txt");
    let mut text = format!("Report {stem} from the wire\n\n");
    for i in 0..paras {
        text.push_str(&format!(
            "Paragraph {i} of {stem}: the talks went on late into the night, and the delegates \
             spoke at length about water, roads and the schools of the valley.\n\n\
             الفقرة {i}: استمرت المحادثات حتى وقت متأخر من الليل.\n\n"
        ));
    }
    fs::write(dir.join(name), text).unwrap();
}

fn key_of(dir: &Path, name: &str) -> String {
    fs::canonicalize(dir)
        .unwrap()
        .join(name)
        .display()
        .to_string()
}

fn stub(dir: &Path, name: &str) -> folio::library::Article {
    read_stub(&dir.join(name), key_of(dir, name)).expect("the file reads")
}

fn open(dir: &Path) -> Harness {
    Harness::with(library::load_paths(&[dir.to_path_buf()]).unwrap(), 100, 30)
}

fn names(h: &Harness) -> Vec<String> {
    h.app
        .visible()
        .iter()
        .map(|&i| h.app.library().articles[i].file_name.clone())
        .collect()
}

fn selected_name(h: &Harness) -> String {
    h.app.article().unwrap().file_name.clone()
}

fn change(h: &mut Harness, change: LibraryChange) {
    h.app.done(Done::Live(Live::Changed(change)));
}

/// Answer every article read the app asked for, as a front end would; how many.
fn load_requested(h: &mut Harness) -> usize {
    let mut answered = 0;
    for effect in h.app.take_effects() {
        if let Effect::Work(Work::LoadArticle { index, path }) = effect {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let article = library::load_article(&path, &name).map(Box::new);
            h.app.done(Done::Loaded { index, article });
            answered += 1;
        }
    }
    answered
}

/// The paragraph at the top of the reading column.
fn top_para(h: &Harness) -> usize {
    h.app.layout().lines[h.app.top()].para
}

#[test]
fn an_added_file_joins_its_folder_in_name_order_and_the_selection_stays() {
    let (_root, dir) = folder(&["a.txt", "c.txt", "e.txt"]);
    let mut h = open(&dir);
    h.press("j");
    assert_eq!(selected_name(&h), "c.txt");
    h.press("u"); // c is read
    write_article(&dir, "b.txt", 2);
    write_article(&dir, "f.txt", 2);
    change(
        &mut h,
        LibraryChange {
            added: vec![stub(&dir, "f.txt"), stub(&dir, "b.txt")],
            ..LibraryChange::default()
        },
    );
    assert_eq!(names(&h), ["a.txt", "b.txt", "c.txt", "e.txt", "f.txt"]);
    assert_eq!(selected_name(&h), "c.txt");
    assert!(h.app.is_read(h.app.selected()), "read marks go by key");
    let frame = h.frame();
    assert!(frame.contains("Report b from the wire"), "{frame}");
    assert!(frame.contains("Report f from the wire"), "{frame}");
    // An added file the library has is a changed one: listed once.
    change(
        &mut h,
        LibraryChange {
            added: vec![stub(&dir, "b.txt")],
            ..LibraryChange::default()
        },
    );
    assert_eq!(names(&h).len(), 5);
}

#[test]
fn the_filter_holds_over_a_change() {
    let (_root, dir) = folder(&["apple.txt", "banana.txt", "cherry.txt"]);
    let mut h = open(&dir);
    h.press("fcherry");
    h.key(Key::new(KeyCode::Enter, false, false, false));
    assert_eq!(h.app.filter(), Some("cherry"));
    assert_eq!(names(&h), ["cherry.txt"]);
    write_article(&dir, "cherry-pie.txt", 1);
    write_article(&dir, "date.txt", 1);
    change(
        &mut h,
        LibraryChange {
            added: vec![stub(&dir, "cherry-pie.txt"), stub(&dir, "date.txt")],
            ..LibraryChange::default()
        },
    );
    assert_eq!(h.app.filter(), Some("cherry"));
    let shown = names(&h);
    assert!(shown.contains(&"cherry-pie.txt".to_string()), "{shown:?}");
    assert!(!shown.contains(&"date.txt".to_string()), "{shown:?}");
    assert_eq!(selected_name(&h), "cherry.txt");
}

#[test]
fn the_open_article_changed_under_the_reader_keeps_its_place() {
    let (_root, dir) = folder(&["a.txt", "long.txt", "z.txt"]);
    write_article(&dir, "long.txt", 40);
    let mut h = open(&dir);
    h.press("jl");
    for _ in 0..5 {
        h.key(Key::new(KeyCode::PageDown, false, false, false));
    }
    let para = top_para(&h);
    assert!(para > 10, "scrolled down to paragraph {para}");
    // The file grows at the end (and a file before it goes, so indexes move too).
    write_article(&dir, "long.txt", 60);
    fs::remove_file(dir.join("a.txt")).unwrap();
    change(
        &mut h,
        LibraryChange {
            changed: vec![stub(&dir, "long.txt")],
            removed: vec![key_of(&dir, "a.txt")],
            ..LibraryChange::default()
        },
    );
    assert_eq!(selected_name(&h), "long.txt");
    assert_eq!(names(&h), ["long.txt", "z.txt"]);
    // Its text is read again off the loop, and shown at the same place.
    assert_eq!(load_requested(&mut h), 1);
    assert_eq!(top_para(&h), para);
    assert!(
        h.app.layout().lines.len() > 200,
        "the new text is laid out: {} lines",
        h.app.layout().lines.len()
    );
    // Cut short under the reader: the place is clamped to what is there.
    write_article(&dir, "long.txt", 2);
    change(
        &mut h,
        LibraryChange {
            changed: vec![stub(&dir, "long.txt")],
            ..LibraryChange::default()
        },
    );
    assert_eq!(load_requested(&mut h), 1);
    assert!(h.app.top() < h.app.layout().lines.len());
    let frame = h.frame();
    assert!(frame.contains("Paragraph 1 of long"), "{frame}");
}

#[test]
fn a_removed_open_article_stays_until_the_user_moves_on() {
    let (_root, dir) = folder(&["a.txt", "b.txt", "c.txt"]);
    let mut h = open(&dir);
    h.press("j");
    assert_eq!(selected_name(&h), "b.txt");
    fs::remove_file(dir.join("b.txt")).unwrap();
    change(
        &mut h,
        LibraryChange {
            removed: vec![key_of(&dir, "b.txt")],
            ..LibraryChange::default()
        },
    );
    assert_eq!(names(&h), ["a.txt", "b.txt", "c.txt"]);
    assert!(h.app.message().unwrap().contains("removed"));
    let frame = h.frame();
    assert!(
        frame.contains("Paragraph 0 of b"),
        "still readable: {frame}"
    );
    h.press("j");
    assert_eq!(selected_name(&h), "c.txt");
    assert_eq!(names(&h), ["a.txt", "c.txt"]);
}

#[test]
fn a_whole_new_library_keeps_the_place_by_key() {
    let (_root, dir) = folder(&["b.txt", "c.txt", "long.txt"]);
    write_article(&dir, "long.txt", 40);
    let mut h = open(&dir);
    h.press("jjl");
    for _ in 0..3 {
        h.key(Key::new(KeyCode::PageDown, false, false, false));
    }
    let para = top_para(&h);
    write_article(&dir, "a.txt", 1);
    let fresh = library::load_paths(std::slice::from_ref(&dir)).unwrap();
    h.app
        .done(Done::Live(Live::Library(Shared(Arc::new(fresh)))));
    assert_eq!(names(&h), ["a.txt", "b.txt", "c.txt", "long.txt"]);
    assert_eq!(selected_name(&h), "long.txt");
    assert_eq!(top_para(&h), para);
    // A library without the open article keeps it until the user moves on.
    let without = Library {
        articles: library::load_paths(std::slice::from_ref(&dir))
            .unwrap()
            .articles
            .into_iter()
            .filter(|a| a.file_name != "long.txt")
            .collect(),
        // Made by hand: the app gives each article a source of its own.
        sources: Vec::new(),
        warnings: Vec::new(),
    };
    h.app
        .done(Done::Live(Live::Library(Shared(Arc::new(without)))));
    assert_eq!(selected_name(&h), "long.txt");
    h.press("h");
    h.press("k");
    assert_eq!(names(&h), ["a.txt", "b.txt", "c.txt"]);
}

#[test]
fn the_fetch_key_shows_progress_and_failures_go_to_the_messages() {
    let (_root, dir) = folder(&["a.txt"]);
    // No feeds: the key says how to get some.
    let mut h = open(&dir);
    h.press("F");
    assert!(h.app.message().unwrap().contains("No feeds"));
    assert!(h.app.effects().is_empty());

    let mut settings = folio::config::Settings::defaults();
    settings.config.feed = vec![
        folio::feeds::Feed::new("http://127.0.0.1:1/a"),
        folio::feeds::Feed::new("http://127.0.0.1:1/b"),
    ];
    let mut h = Harness::configured(
        library::load_paths(std::slice::from_ref(&dir)).unwrap(),
        settings,
        100,
        30,
    );
    h.app.take_effects();
    h.press("F");
    assert!(matches!(
        h.app.take_effects().as_slice(),
        [Effect::Work(Work::Fetch { feeds, .. })] if feeds.len() == 2
    ));
    assert!(h.frame().contains("Fetching 0/2 feeds"));
    h.app.done(Done::Live(Live::Fetching {
        done: 1,
        total: 2,
        failures: vec!["127.0.0.1: connection refused \u{1b}[2J".into()],
    }));
    assert!(h.frame().contains("Fetching 1/2 feeds"));
    // Keys still work meanwhile; a second fetch waits for the first.
    h.press("F");
    assert!(h.app.message().unwrap().contains("Already fetching"));
    write_article(&dir, "b.txt", 1);
    change(
        &mut h,
        LibraryChange {
            added: vec![stub(&dir, "b.txt")],
            ..LibraryChange::default()
        },
    );
    h.app.done(Done::Live(Live::Fetched {
        feeds: 2,
        new_items: 1,
        failed: 1,
    }));
    let frame = h.frame();
    assert!(!frame.contains("Fetching"), "{frame}");
    assert!(
        frame.contains("Fetched 2 feeds: 1 new item; 1 failed"),
        "{frame}"
    );
    assert_eq!(names(&h), ["a.txt", "b.txt"]);
    let failure = h
        .app
        .messages()
        .iter()
        .find(|m| m.contains("connection refused"))
        .expect("the failure is kept");
    assert!(!failure.contains('\u{1b}'), "sanitized: {failure:?}");
}

#[test]
fn changes_that_come_during_the_fill_wait_for_its_end() {
    let (root, dir) = folder(&["a.txt", "c.txt"]);
    let cache = root.path().join("cache.json");
    let opened = library::open_paths(std::slice::from_ref(&dir), Some(&cache)).unwrap();
    let mut h = Harness::with(opened.library, 100, 30);
    let plan = opened.fill.unwrap();
    h.app.fill_library(plan.clone());
    write_article(&dir, "b.txt", 1);
    change(
        &mut h,
        LibraryChange {
            added: vec![stub(&dir, "b.txt")],
            ..LibraryChange::default()
        },
    );
    assert_eq!(names(&h), ["a.txt", "c.txt"], "not yet");
    library::fill(&plan, |report| {
        h.app.done(Done::Fill(report));
        true
    });
    assert_eq!(names(&h), ["a.txt", "b.txt", "c.txt"]);
    let titles: Vec<&str> = h
        .app
        .library()
        .articles
        .iter()
        .map(|a| a.title.as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "Report a from the wire",
            "Report b from the wire",
            "Report c from the wire"
        ]
    );
}

#[test]
fn a_removed_open_article_whose_file_comes_back_stays() {
    let (_root, dir) = folder(&["a.txt", "b.txt", "c.txt"]);
    let mut h = open(&dir);
    h.press("j");
    fs::remove_file(dir.join("b.txt")).unwrap();
    change(
        &mut h,
        LibraryChange {
            removed: vec![key_of(&dir, "b.txt")],
            ..LibraryChange::default()
        },
    );
    // Saved again (an editor's delete and write, seen in two batches).
    write_article(&dir, "b.txt", 5);
    change(
        &mut h,
        LibraryChange {
            added: vec![stub(&dir, "b.txt")],
            ..LibraryChange::default()
        },
    );
    assert_eq!(load_requested(&mut h), 1, "its new text is read");
    h.press("j");
    assert_eq!(selected_name(&h), "c.txt");
    assert_eq!(names(&h), ["a.txt", "b.txt", "c.txt"]);
}
