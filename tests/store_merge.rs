//! Two folios on one state: each save merges with what the other saved, so neither loses
//! the other's read marks, bookmarks or bookmark deletions.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use folio::app::{App, Overlay};
use folio::config::Settings;
use folio::library;
use folio::store::{Bookmark, Position, Store};

fn at(para: usize) -> Position {
    Position { para, byte: 0 }
}

fn bookmark(store: &mut Store, key: &str, para: usize) {
    let marks = &mut store.article_mut(key).bookmarks;
    marks.push(Bookmark {
        position: at(para),
        excerpt: format!("words at {para}"),
    });
    marks.sort_by_key(|b| (b.position.para, b.position.byte));
}

fn unbookmark(store: &mut Store, key: &str, para: usize) {
    store
        .article_mut(key)
        .bookmarks
        .retain(|b| b.position != at(para));
}

fn marks(store: &Store, key: &str) -> Vec<usize> {
    store
        .article(key)
        .map(|a| a.bookmarks.iter().map(|b| b.position.para).collect())
        .unwrap_or_default()
}

#[test]
fn two_readers_keep_both_bookmarks_and_both_read_marks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let (mut one, _) = Store::open(path.clone());
    let (mut two, _) = Store::open(path.clone());

    bookmark(&mut one, "seed:a", 3);
    one.article_mut("seed:a").read = true;
    one.save().unwrap();
    bookmark(&mut two, "seed:b", 5);
    two.article_mut("seed:b").read = true;
    // Both bookmark the same article too.
    bookmark(&mut two, "seed:c", 2);
    two.save().unwrap();
    bookmark(&mut one, "seed:c", 8);
    one.save().unwrap();
    // Quitting saves once more each, with nothing new.
    one.save().unwrap();
    two.save().unwrap();

    let (after, _) = Store::open(path);
    assert_eq!(marks(&after, "seed:a"), [3]);
    assert_eq!(marks(&after, "seed:b"), [5]);
    assert_eq!(marks(&after, "seed:c"), [2, 8]);
    assert!(after.article("seed:a").unwrap().read);
    assert!(after.article("seed:b").unwrap().read);
    // A save takes the other's changes in: each reader now sees what the other did before it.
    assert_eq!(marks(&two, "seed:a"), [3]);
    assert_eq!(marks(&one, "seed:c"), [2, 8]);
    assert!(one.article("seed:b").unwrap().read);
}

#[test]
fn a_deleted_bookmark_stays_deleted_and_one_added_elsewhere_survives() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let (mut setup, _) = Store::open(path.clone());
    for para in [1, 2] {
        bookmark(&mut setup, "seed:z", para);
    }
    setup.save().unwrap();

    let (mut one, _) = Store::open(path.clone());
    let (mut two, _) = Store::open(path.clone());
    unbookmark(&mut one, "seed:z", 1);
    one.save().unwrap();
    // The other still has 1 in its state: adding 3 must not bring 1 back.
    assert_eq!(marks(&two, "seed:z"), [1, 2]);
    bookmark(&mut two, "seed:z", 3);
    two.save().unwrap();
    assert_eq!(marks(&two, "seed:z"), [2, 3], "it sees the deletion");
    two.save().unwrap();
    // Now the other way round: one deletes 2 while two adds 4.
    unbookmark(&mut one, "seed:z", 2);
    bookmark(&mut two, "seed:z", 4);
    two.save().unwrap();
    one.save().unwrap();
    one.save().unwrap();
    two.save().unwrap();

    let (after, _) = Store::open(path);
    assert_eq!(marks(&after, "seed:z"), [3, 4]);
    assert_eq!(marks(&one, "seed:z"), [3, 4]);
    assert_eq!(marks(&two, "seed:z"), [3, 4]);
}

#[test]
fn a_reader_restating_where_it_was_does_not_undo_the_others_place() {
    // The reader restates the position of every article it knows at each save: a reader
    // that never opened an article says "its start", and one that has not moved says where
    // it was when it opened. Neither is a change of its own to write over the other's.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let (mut setup, _) = Store::open(path.clone());
    setup.article_mut("seed:y").position = Some(at(2));
    setup.save().unwrap();

    let (mut one, _) = Store::open(path.clone());
    let (mut two, _) = Store::open(path.clone());
    one.article_mut("seed:x").position = Some(at(9));
    one.article_mut("seed:y").position = Some(at(7));
    one.save().unwrap();
    two.article_mut("seed:w").read = true;
    two.save().unwrap(); // takes x in
    two.article_mut("seed:x").position = Some(at(0));
    two.article_mut("seed:y").position = Some(at(2));
    two.save().unwrap();
    let (after, _) = Store::open(path.clone());
    assert_eq!(after.article("seed:x").unwrap().position, Some(at(9)));
    assert_eq!(after.article("seed:y").unwrap().position, Some(at(7)));
    // A move of its own is written.
    two.article_mut("seed:x").position = Some(at(4));
    two.save().unwrap();
    let (after, _) = Store::open(path);
    assert_eq!(after.article("seed:x").unwrap().position, Some(at(4)));
}

fn reader(path: &Path) -> App {
    let mut app = App::new(
        Arc::new(library::load_seeds()),
        Settings::defaults(),
        100,
        30,
    );
    app.attach_store(Store::open(path.to_path_buf()).0, None);
    app
}

fn press(app: &mut App, keys: &str) {
    for c in keys.chars() {
        app.handle_key(folio::app::Key::char(c));
    }
}

fn top_para(app: &App) -> usize {
    app.layout().lines[app.top()].para
}

#[test]
fn two_whole_readers_bookmark_read_and_quit_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let mut one = reader(&path);
    let mut two = reader(&path);

    press(&mut one, "4l}jj");
    let para_one = top_para(&one);
    press(&mut one, "m");
    press(&mut two, "2ljjjj");
    let para_two = top_para(&two);
    press(&mut two, "m");
    press(&mut one, "u");
    press(&mut two, "u");
    // Quitting: each front end remembers the place and saves, as main does.
    for app in [&mut one, &mut two] {
        app.remember();
        app.store_mut().save().unwrap();
    }

    let mut again = reader(&path);
    assert!(again.is_read(3), "the first reader's read mark");
    assert!(again.is_read(1), "the second reader's read mark");
    press(&mut again, "M");
    let Some(Overlay::Bookmarks(list)) = again.overlay() else {
        panic!("no bookmarks");
    };
    let articles: Vec<usize> = list.items.iter().map(|b| b.article).collect();
    assert_eq!(articles, [1, 3], "both bookmarks");
    press(&mut again, "\x1b");
    // Each reader's place, though the other restated its own view of that article.
    press(&mut again, "4");
    assert_eq!(top_para(&again), para_one);
    press(&mut again, "2");
    assert_eq!(top_para(&again), para_two);
}

const WRITER: &str = "FOLIO_TEST_STATE_WRITER";
const ROUNDS: usize = 150;

/// One of the writers: bookmarks its own places in a shared article (deleting every fourth
/// one again), reads and moves in articles of its own, saves after each step, folds the
/// journal now and then, and quits and reopens now and then.
fn write_as(id: usize, path: &Path) {
    let shared = "seed:shared";
    let (mut store, warning) = Store::open(path.to_path_buf());
    assert!(warning.is_none(), "{warning:?}");
    for i in 0..ROUNDS {
        let para = id * 10_000 + i;
        bookmark(&mut store, shared, para);
        if i % 4 == 3 {
            unbookmark(&mut store, shared, para - 1);
        }
        let own = format!("seed:writer-{id}-{i}");
        store.article_mut(&own).read = true;
        store.article_mut(&own).position = Some(at(i + 1));
        if i % 25 == 24 {
            store.compact().unwrap();
        } else {
            store.save().unwrap();
        }
        if i % 40 == 39 {
            store = Store::open(path.to_path_buf()).0;
        }
    }
}

fn expected_marks(id: usize) -> BTreeSet<usize> {
    (0..ROUNDS)
        .filter(|i| i % 4 != 2)
        .map(|i| id * 10_000 + i)
        .collect()
}

#[test]
fn two_processes_saving_at_once_lose_nothing() {
    // Run again as one of the writers, the parent test below having started us.
    if let Ok(spec) = std::env::var(WRITER) {
        let (id, path) = spec.split_once(':').unwrap();
        write_as(id.parse().unwrap(), Path::new(path));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = [1, 2]
        .iter()
        .map(|id| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "two_processes_saving_at_once_lose_nothing",
                    "--test-threads=1",
                ])
                .env(WRITER, format!("{id}:{}", path.display()))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a writer failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let (after, warning) = Store::open(path);
    assert!(warning.is_none(), "{warning:?}");
    let got: BTreeSet<usize> = marks(&after, "seed:shared").into_iter().collect();
    let want: BTreeSet<usize> = expected_marks(1)
        .union(&expected_marks(2))
        .copied()
        .collect();
    assert_eq!(
        got.difference(&want).collect::<Vec<_>>(),
        Vec::<&usize>::new(),
        "deleted bookmarks came back"
    );
    assert_eq!(
        want.difference(&got).collect::<Vec<_>>(),
        Vec::<&usize>::new(),
        "bookmarks were lost"
    );
    for id in [1, 2] {
        for i in 0..ROUNDS {
            let a = after
                .article(&format!("seed:writer-{id}-{i}"))
                .unwrap_or_else(|| panic!("writer {id} lost article {i}"));
            assert!(a.read);
            assert_eq!(a.position, Some(at(i + 1)));
        }
    }
}
