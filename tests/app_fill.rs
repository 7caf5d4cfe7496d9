//! A folder opened from its names: the first frame lists file names, titles come as the fill's
//! batches arrive, and an article's text comes when it is opened.

mod app_support;

use std::fs;
use std::path::{Path, PathBuf};

use app_support::Harness;
use folio::app::{Done, Effect, Work};
use folio::library::{self, FillReport};

/// A folder of `n` small articles, `art-0000.txt`…, each with its own headline; and the path
/// of a metadata cache beside it.
fn folder(n: usize) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("news");
    fs::create_dir(&dir).unwrap();
    for i in 0..n {
        let body = if i % 2 == 0 {
            format!(
                "Headline number {i} about the zebra crossing\n\nThe body of article {i} has words.\n"
            )
        } else {
            format!("Headline number {i} about the market\n\nمرحبا، هذا نص المقالة رقم {i}.\n")
        };
        fs::write(dir.join(format!("art-{i:04}.txt")), body).unwrap();
    }
    let cache = root.path().join("cache").join(library::cache::FILE_NAME);
    (root, dir, cache)
}

/// The fill's reports, in the order it posted them.
fn fill_reports(plan: &library::FillPlan) -> Vec<FillReport> {
    let mut reports = Vec::new();
    library::fill(plan, |r| {
        reports.push(r);
        true
    });
    reports
}

/// Answer every article the app asked for, as a front end would.
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

fn open(dir: &Path, cache: &Path) -> (Harness, library::FillPlan) {
    let opened = library::open_paths(&[dir.to_path_buf()], Some(cache)).unwrap();
    let mut h = Harness::with(opened.library, 100, 30);
    h.app.fill_library(opened.fill.expect("a folder is filled"));
    let plan = opened_plan(&mut h);
    (h, plan)
}

/// The plan the app asked the front end to start.
fn opened_plan(h: &mut Harness) -> library::FillPlan {
    let effects = h.app.effects().to_vec();
    effects
        .into_iter()
        .find_map(|e| match e {
            Effect::Work(Work::FillLibrary(plan)) => Some(plan),
            _ => None,
        })
        .expect("the app asks for the fill")
}

#[test]
fn names_first_then_titles_as_batches_arrive() {
    let (_root, dir, cache) = folder(40);
    let (mut h, plan) = open(&dir, &cache);
    h.press("jjj");
    assert_eq!(h.app.selected(), 3);
    let frame = h.frame();
    assert!(frame.contains("art-0000"), "{frame}");
    assert!(!frame.contains("Headline number 0"), "{frame}");
    assert!(frame.contains("Reading 0 of 40 articles"), "{frame}");
    assert!(frame.contains("Loading…"), "{frame}");

    let reports = fill_reports(&plan);
    assert!(
        matches!(reports.last(), Some(FillReport::Finished { warnings }) if warnings.is_empty())
    );
    let top = h.app.list_top();
    for report in reports {
        let finished = matches!(report, FillReport::Finished { .. });
        let frame_before = h.frame();
        h.app.done(Done::Fill(report));
        if !finished {
            // Each batch shows its progress.
            let (done, total) = h.app.fill_progress().unwrap();
            assert_eq!(total, 40);
            let frame = h.frame();
            assert!(
                frame.contains(&format!("Reading {done} of 40 articles")),
                "{frame}"
            );
            assert_ne!(frame, frame_before);
        }
    }
    // The selection and the list's place are kept.
    assert_eq!(h.app.selected(), 3);
    assert_eq!(h.app.list_top(), top);
    // The folder is one source: its header, its articles under it.
    let frame = h.frame();
    assert!(frame.contains("│1  ▾ news"), "{frame}");
    assert!(
        frame.contains("│   • Headline number 0 about the"),
        "{frame}"
    );
    assert!(
        frame.contains("│   • Headline number 1 about the"),
        "{frame}"
    );
    assert!(
        frame.contains("Headline number 3 about the market ─"),
        "{frame}"
    );
    assert!(!frame.contains("Reading "), "{frame}");
    // Arabic articles carry their language's badge, as when read whole.
    let whole = library::load_paths(std::slice::from_ref(&dir)).unwrap();
    for (a, b) in h.app.library().articles.iter().zip(&whole.articles) {
        assert_eq!((&a.title, a.languages()), (&b.title, b.languages()));
    }
}

#[test]
fn opening_a_stub_loads_its_text_and_keeps_few_bodies() {
    let (_root, dir, cache) = folder(60);
    let (mut h, _plan) = open(&dir, &cache);
    // The first article was asked for at start.
    assert_eq!(load_requested(&mut h), 1);
    let frame = h.frame();
    assert!(
        frame.contains("The body of article 0 has words."),
        "{frame}"
    );
    assert!(!frame.contains("Loading…"), "{frame}");
    assert!(h.app.library().articles[0].is_loaded());

    h.press("j");
    assert!(h.frame().contains("Loading…"));
    assert_eq!(load_requested(&mut h), 1);
    let frame = h.frame();
    assert!(!frame.contains("Loading…"), "{frame}");
    assert!(h.app.library().articles[1].is_loaded());
    assert!(!h.app.layout().lines.is_empty());

    // Reading through the whole folder keeps no more than a few dozen texts.
    for _ in 0..58 {
        h.press("j");
        load_requested(&mut h);
    }
    assert_eq!(h.app.selected(), 59);
    let loaded = h
        .app
        .library()
        .articles
        .iter()
        .filter(|a| a.is_loaded())
        .count();
    assert!(loaded <= 33, "{loaded} bodies kept");
    assert!(h.app.library().articles[59].is_loaded());
    assert!(!h.app.library().articles[0].is_loaded());
    // Going back to a let-go article reads it again.
    h.press("g");
    assert_eq!(h.app.selected(), 0);
    assert_eq!(load_requested(&mut h), 1);
    assert!(h.frame().contains("The body of article 0 has words."));
}

#[test]
fn a_file_gone_before_it_is_opened_says_so() {
    let (_root, dir, cache) = folder(3);
    let (mut h, _plan) = open(&dir, &cache);
    fs::remove_file(dir.join("art-0001.txt")).unwrap();
    load_requested(&mut h);
    h.press("j");
    load_requested(&mut h);
    let frame = h.frame();
    assert!(frame.contains("cannot open"), "{frame}");
    assert!(frame.contains("art-0001.txt"), "{frame}");
}

#[test]
fn the_filter_finds_titles_that_came_with_the_fill() {
    let (_root, dir, cache) = folder(30);
    let (mut h, plan) = open(&dir, &cache);
    // Filtering by a title word before the fill finds nothing; after it, the right articles.
    h.press("fzebra");
    assert!(h.app.visible().is_empty(), "{:?}", h.app.visible());
    for report in fill_reports(&plan) {
        h.app.done(Done::Fill(report));
    }
    assert_eq!(h.app.visible().len(), 15);
    assert!(h.app.visible().iter().all(|i| i % 2 == 0));
}

#[test]
fn a_second_start_shows_cached_titles_in_its_first_frame() {
    let (_root, dir, cache) = folder(20);
    let (_h, plan) = open(&dir, &cache);
    fill_reports(&plan);
    let (mut h, plan) = open(&dir, &cache);
    let frame = h.frame();
    assert!(
        frame.contains("│   • Headline number 0 about the"),
        "{frame}"
    );
    // Nothing changed: the fill reads nothing.
    let reports = fill_reports(&plan);
    assert!(reports.iter().all(|r| match r {
        FillReport::Batch { articles, .. } => articles.is_empty(),
        FillReport::Finished { warnings } => warnings.is_empty(),
        // A folder this small is drawn whole: no stub is left to the fill.
        FillReport::Stubs { .. } => false,
    }));
}

/// Dates the first frame did not know (no cache yet) put a folder newest first once the fill
/// is over, and the selected article stays selected.
#[test]
fn the_fill_puts_a_folder_newest_first_and_the_selection_stays() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("news");
    fs::create_dir(&dir).unwrap();
    // By name: a, b, c; by date: c (newest), a, then b (undated).
    for (name, date) in [
        ("a.md", Some("2024-03-05")),
        ("b.md", None),
        ("c.md", Some("2025-01-02")),
    ] {
        let front = date.map_or(String::new(), |d| format!("---\ndate: {d}\n---\n"));
        fs::write(
            dir.join(name),
            format!("{front}# Story {name}\n\nThe body of {name}.\n"),
        )
        .unwrap();
    }
    let cache = root.path().join("cache").join(library::cache::FILE_NAME);
    let (mut h, plan) = open(&dir, &cache);
    let names = |h: &Harness| -> Vec<String> {
        h.app
            .library()
            .articles
            .iter()
            .map(|a| a.file_name.clone())
            .collect()
    };
    assert_eq!(names(&h), ["a.md", "b.md", "c.md"], "names first");
    h.press("j");
    let selected = h.app.library().articles[h.app.selected()].key.clone();
    for report in fill_reports(&plan) {
        h.app.done(Done::Fill(report));
    }
    assert_eq!(
        names(&h),
        ["c.md", "a.md", "b.md"],
        "newest first, undated last"
    );
    assert_eq!(
        h.app.library().articles[h.app.selected()].key,
        selected,
        "the selection follows its article"
    );
    assert!(h.app.library().sources_consistent());
    // The list pane draws them in that order (the reader's title is on the right).
    let frame = h.frame();
    let list: Vec<String> = frame
        .lines()
        .map(|l| l.chars().take(36).collect())
        .collect();
    let row = |t: &str| {
        list.iter()
            .position(|l| l.contains(t))
            .unwrap_or_else(|| panic!("{t}: {frame}"))
    };
    assert!(row("Story c.md") < row("Story a.md"), "{frame}");
    assert!(row("Story a.md") < row("Story b.md"), "{frame}");
}

/// A folder of more files than the first frame builds stubs for: the first frame lists the
/// first screen, the fill's first report brings the rest, and the list, the counts and the
/// article last open (among those the first frame did without) come out as a whole library
/// would have them.
#[test]
fn a_large_folder_shows_its_first_screen_then_every_article_with_the_last_one_open() {
    use folio::store::Store;
    let n = library::DEFER_FROM + 20;
    let (root, dir, cache) = folder(n);
    let state = root.path().join("state").join("state.json");
    fs::create_dir_all(state.parent().unwrap()).unwrap();
    // Warm the cache, and leave the reader on an article far down the list.
    {
        let (mut h, plan) = open(&dir, &cache);
        for report in fill_reports(&plan) {
            h.app.done(Done::Fill(report));
        }
        assert_eq!(h.app.library().articles.len(), n);
        h.app.attach_store(Store::open(state.clone()).0, None);
        h.press("G");
        let last = h.app.selected();
        assert!(last > library::FIRST_SCREEN, "{last}");
        h.app.remember();
        h.app.store_mut().save().unwrap();
    }

    let opened = library::open_paths(&[dir.to_path_buf()], Some(&cache)).unwrap();
    assert_eq!(opened.library.articles.len(), library::FIRST_SCREEN);
    let mut h = Harness::with(opened.library, 100, 30);
    h.app.attach_store(Store::open(state.clone()).0, None);
    h.app.fill_library(opened.fill.expect("a folder is filled"));
    let plan = opened_plan(&mut h);
    let frame = h.frame();
    assert!(frame.contains("Headline number"), "warm titles: {frame}");
    assert_eq!(h.app.selected(), 0, "not yet there: the first article");

    let mut reports = fill_reports(&plan).into_iter();
    let Some(stubs @ FillReport::Stubs { .. }) = reports.next() else {
        panic!("the stubs come first");
    };
    h.app.done(Done::Fill(stubs));
    let library = h.app.library();
    assert_eq!(library.articles.len(), n);
    assert!(library.sources_consistent());
    assert_eq!(h.app.visible().len(), n);
    let open = &library.articles[h.app.selected()];
    assert!(open.file_name.starts_with("art-"), "{}", open.file_name);
    assert!(
        h.app.selected() > library::FIRST_SCREEN,
        "the last article open is open again"
    );
    let frame = h.frame();
    assert!(frame.contains(&format!("{n}/{n}")), "{frame}");
    for report in reports {
        h.app.done(Done::Fill(report));
    }
    assert!(h.app.fill_progress().is_none());
    assert_eq!(h.app.library().articles.len(), n);
}

/// `G` pressed before the rest of a large folder's stubs came goes on to the end when they
/// come; a reader who moved on since stays where they are.
#[test]
fn the_end_of_a_large_folder_is_its_end_once_every_stub_came() {
    let n = library::DEFER_FROM + 20;
    let (_root, dir, cache) = folder(n);
    for (keys, at_end) in [("G", true), ("Gk", false)] {
        let (mut h, plan) = open(&dir, &cache);
        assert_eq!(h.app.library().articles.len(), library::FIRST_SCREEN);
        h.press(keys);
        let before = h.app.library().articles[h.app.selected()].key.clone();
        let mut reports = fill_reports(&plan).into_iter();
        let stubs = reports.next().expect("the stubs come first");
        assert!(matches!(stubs, FillReport::Stubs { .. }));
        h.app.done(Done::Fill(stubs));
        let now = h.app.selected();
        if at_end {
            assert_eq!(now, n - 1, "{keys}");
            assert!(h.frame().contains(&format!("{n}/{n}")), "{keys}");
        } else {
            assert_eq!(h.app.library().articles[now].key, before, "{keys}");
        }
    }
}
