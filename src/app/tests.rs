//! The app alone: budgets and sharing that no screen shows.

use super::*;
use crate::library::parse_article;

/// Readers of one library (SSH sessions) at one width hold one layout between them.
#[test]
fn readers_of_one_library_share_their_layouts() {
    let library = Arc::new(crate::library::load_seeds());
    let readers: Vec<App> = (0..100)
        .map(|_| App::new(library.clone(), Settings::defaults(), 100, 30))
        .collect();
    let first = readers[0].layout() as *const DocumentLayout;
    assert!(!readers[0].layout().lines.is_empty());
    assert!(readers.iter().all(|r| std::ptr::eq(r.layout(), first)));
    // Another width is another layout; another library of the same names shares nothing.
    let other = App::new(library.clone(), Settings::defaults(), 90, 30);
    assert!(!std::ptr::eq(other.layout(), first));
    let again = App::new(
        Arc::new(crate::library::load_seeds()),
        Settings::defaults(),
        100,
        30,
    );
    assert!(!std::ptr::eq(again.layout(), first));
}

/// A resize storm over a large article once kept one layout per width (gigabytes).
#[test]
fn the_layout_cache_stays_within_its_byte_budget() {
    let para = "Words of a long article, and some Arabic: مرحبا بالعالم. ".repeat(40);
    let text = vec![para; 100].join("\n\n"); // about 330 KB
    let article = parse_article("big.txt", Origin::Embedded, text.as_bytes());
    let library = Arc::new(Library {
        articles: vec![article],
        warnings: Vec::new(),
        sources: Vec::new(),
    });
    let mut app = App::new(library, Settings::defaults(), 100, 30);
    let one = app.layout().heap_bytes();
    let budget = reader::LAYOUT_CACHE_BYTES;
    // Each width takes a sixth of the budget or more: a dozen widths must evict.
    assert!(one > budget / 6, "the test article is too small: {one}");
    assert!(one < budget / 3, "the test article is too big: {one}");
    for cols in 70..82 {
        app.resize(cols, 30);
        assert!(
            app.cached_layout_bytes() <= budget,
            "{} bytes cached after resizing to {cols}",
            app.cached_layout_bytes()
        );
        assert!(!app.layout().lines.is_empty());
    }
    // Going back to a recent width is still served from the cache.
    let before = app.layout() as *const DocumentLayout;
    app.resize(80, 30);
    app.resize(81, 30);
    assert!(std::ptr::eq(before, app.layout()));
}

/// A library of articles read from files (the files need not exist: the app does no I/O).
fn file_library() -> Arc<Library> {
    let articles = [
        "Talks in Moscow\n\nThe talks went on.",
        "Gaza\n\nThe talks ended.",
    ]
    .iter()
    .enumerate()
    .map(|(i, text)| {
        let name = format!("{i}.txt");
        let mut a = parse_article(
            &name,
            Origin::File(std::path::PathBuf::from(&name)),
            text.as_bytes(),
        );
        a.key = format!("/library/{name}");
        a
    })
    .collect();
    Arc::new(Library {
        articles,
        warnings: Vec::new(),
        sources: Vec::new(),
    })
}

fn type_keys(app: &mut App, keys: &str) {
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\u{1b}' => KeyCode::Esc,
            c => KeyCode::Char(c),
        };
        app.handle_key(Key::new(code, false, false, false));
    }
}

/// The search the app asked for, with its generation and cancel flag.
fn started_search(app: &mut App) -> (u64, Cancel) {
    let effects = app.take_effects();
    let searches: Vec<_> = effects
        .into_iter()
        .filter_map(|e| match e {
            Effect::Work(Work::SearchLibrary {
                generation, cancel, ..
            }) => Some((generation, cancel)),
            _ => None,
        })
        .collect();
    assert_eq!(searches.len(), 1, "one search is started");
    searches.into_iter().next().unwrap()
}

fn hit(article: usize, para: usize) -> Hit {
    Hit {
        article,
        para,
        range: 4..9,
        context: "The talks".into(),
    }
}

fn results(app: &App) -> Option<(Vec<(usize, usize)>, bool)> {
    match app.overlay() {
        Some(Overlay::Results {
            picker, searching, ..
        }) => Some((
            picker.items.iter().map(|h| (h.article, h.para)).collect(),
            *searching,
        )),
        _ => None,
    }
}

/// `S` on a library of files asks for the search off the loop; hits stream in over several
/// batches, in the library's order whatever order they come in, until the last.
#[test]
fn library_search_hits_stream_in() {
    let mut app = App::new(file_library(), Settings::defaults(), 100, 30);
    type_keys(&mut app, "Stalks\n");
    let (generation, cancel) = started_search(&mut app);
    assert_eq!(results(&app), Some((vec![], true)));
    app.done(Done::Hits {
        generation,
        hits: vec![hit(1, 1)],
        finished: false,
    });
    assert_eq!(results(&app), Some((vec![(1, 1)], true)));
    // The selection is on that hit; an earlier one arriving keeps it there.
    app.done(Done::Hits {
        generation,
        hits: vec![hit(0, 1)],
        finished: false,
    });
    assert_eq!(results(&app), Some((vec![(0, 1), (1, 1)], true)));
    app.done(Done::Hits {
        generation,
        hits: vec![hit(0, 0)],
        finished: true,
    });
    assert_eq!(results(&app), Some((vec![(0, 0), (0, 1), (1, 1)], false)));
    assert!(!cancel.is_cancelled());
    match app.overlay() {
        Some(Overlay::Results { picker, .. }) => assert_eq!(picker.selected, 2),
        other => panic!("{other:?}"),
    }
    // Enter opens the selected hit.
    type_keys(&mut app, "\n");
    assert_eq!(app.overlay(), None);
    assert_eq!(app.selected(), 1);
}

/// `Esc` cancels the search under way, and what it still sends is dropped; a new search
/// replaces an old one the same way.
#[test]
fn escape_cancels_a_library_search() {
    let mut app = App::new(file_library(), Settings::defaults(), 100, 30);
    type_keys(&mut app, "Stalks\n");
    let (first, cancel) = started_search(&mut app);
    app.done(Done::Hits {
        generation: first,
        hits: vec![hit(0, 1)],
        finished: false,
    });
    type_keys(&mut app, "\u{1b}");
    assert!(cancel.is_cancelled());
    assert_eq!(app.overlay(), None);
    app.done(Done::Hits {
        generation: first,
        hits: vec![hit(1, 1)],
        finished: true,
    });
    assert_eq!(app.overlay(), None);
    assert_eq!(app.message(), None);

    // A second search: the first one's late batches do not reach its results.
    type_keys(&mut app, "Sgaza\n");
    let (second, _) = started_search(&mut app);
    assert_ne!(first, second);
    app.done(Done::Hits {
        generation: first,
        hits: vec![hit(0, 0)],
        finished: false,
    });
    assert_eq!(results(&app), Some((vec![], true)));
    app.done(Done::Hits {
        generation: second,
        hits: Vec::new(),
        finished: true,
    });
    // Nothing found: the overlay closes and says so.
    assert_eq!(app.overlay(), None);
    assert!(
        app.message()
            .unwrap()
            .starts_with("Not found in the library")
    );
}

#[test]
fn a_replaced_library_keeps_its_folds_and_counts_again() {
    use crate::library::{Source, SourceKind};
    let make = |n: usize| {
        let mut lib = Library::default();
        for i in 0..n {
            let mut a = parse_article(&format!("{i}.txt"), Origin::Embedded, b"Text here.");
            a.key = format!("k{i}");
            lib.articles.push(a);
        }
        lib.sources.push(Source {
            name: "news".into(),
            hotkey: None,
            kind: SourceKind::Folder("news".into()),
            language: None,
            articles: 0..n,
            note: None,
        });
        Arc::new(lib)
    };
    let mut app = App::new(make(2), Settings::defaults(), 100, 30);
    update(&mut app, Action::ToggleFold);
    assert!(app.is_folded(0));
    let folded = app.folded_names();
    app.library = make(3);
    app.sources_replaced(&folded);
    assert!(app.is_folded(0), "the fold is kept by name");
    assert_eq!(app.source_unread(0), 3);
    assert_eq!(app.visible().len(), 3);
    update(&mut app, Action::ToggleFold);
    assert_eq!(app.list_rows().len(), 4, "the header and three articles");
}
