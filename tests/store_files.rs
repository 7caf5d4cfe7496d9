//! The state on disk: today's files still read, saves cost what changed, a killed writer's
//! leftovers are harmless and cleaned up, and articles whose files are gone are forgotten in
//! time. Fixtures are in `tests/fixtures/state/`.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use folio::store::{ArticleState, Bookmark, Position, Store};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/state")
        .join(name)
}

fn at(para: usize, byte: usize) -> Position {
    Position { para, byte }
}

fn journal_of(path: &Path) -> PathBuf {
    path.with_file_name("state.json.journal")
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn a_version_1_file_reads_and_is_kept_across_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    fs::copy(fixture("v1.json"), &path).unwrap();
    let (mut store, warning) = Store::open(path.clone());
    assert!(warning.is_none(), "{warning:?}");
    assert_eq!(store.state.version, 1);
    assert_eq!(
        store.state.last_open.as_deref(),
        Some("seed:003_9421ad859a52f834.txt")
    );
    let seed = store.article("seed:003_9421ad859a52f834.txt").unwrap();
    assert_eq!(seed.position, Some(at(12, 40)));
    assert_eq!(seed.bookmarks.len(), 2);
    assert_eq!(seed.bookmarks[0].excerpt, "وقف جرائم");
    let file = store.article("/home/reader/articles/moscow.txt").unwrap();
    assert_eq!(
        *file,
        ArticleState {
            position: Some(at(7, 120)),
            read: true,
            bookmarks: vec![],
        }
    );
    let before = store.state.articles.clone();

    // Opening and saving without a change leaves the old file as it was.
    store.save().unwrap();
    assert_eq!(
        fs::read(&path).unwrap(),
        fs::read(fixture("v1.json")).unwrap()
    );

    // The first change writes the new format, with everything that was there.
    store.article_mut("seed:000_x.txt").read = true;
    store.save().unwrap();
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.starts_with(r#"{"version":2,"#), "{text}");
    let (again, warning) = Store::open(path);
    assert!(warning.is_none());
    assert_eq!(again.state.version, 2);
    let mut expected = before;
    expected.insert(
        "seed:000_x.txt".into(),
        ArticleState {
            read: true,
            ..ArticleState::default()
        },
    );
    assert_eq!(again.state.articles, expected);
}

#[test]
fn a_save_appends_what_changed_and_leaves_the_snapshot_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let (mut store, _) = Store::open(path.clone());
    for i in 0..200 {
        let a = store.article_mut(&format!("/articles/{i:04}.txt"));
        a.position = Some(at(i, 0));
        a.bookmarks.push(Bookmark {
            position: at(i, 3),
            excerpt: "a few words from where the bookmark was set".into(),
        });
    }
    store.save().unwrap();
    let snapshot = fs::read(&path).unwrap();
    let journal = fs::metadata(journal_of(&path)).unwrap().len();

    store.article_mut("/articles/0007.txt").position = Some(at(50, 2));
    store.save().unwrap();
    assert_eq!(
        fs::read(&path).unwrap(),
        snapshot,
        "the snapshot is not rewritten"
    );
    let grown = fs::metadata(journal_of(&path)).unwrap().len() - journal;
    assert!(
        grown > 0 && grown < 400,
        "one article's line, not the state: {grown} bytes of {}",
        snapshot.len()
    );
    let (again, _) = Store::open(path);
    assert_eq!(
        again.article("/articles/0007.txt").unwrap().position,
        Some(at(50, 2))
    );
    assert_eq!(again.state.articles.len(), 200);
}

#[test]
fn a_long_journal_is_folded_into_a_new_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let (mut store, _) = Store::open(path.clone());
    store.article_mut("seed:000_x.txt").read = true;
    store.save().unwrap();
    let first = fs::read(&path).unwrap();
    // Each save appends one line; past 64 KiB (the snapshot is small) they are folded.
    let mut folded = false;
    for i in 0..2000 {
        store.article_mut("seed:000_x.txt").position = Some(at(i + 1, 0));
        store.save().unwrap();
        if fs::read(&path).unwrap() != first {
            folded = true;
            break;
        }
    }
    assert!(folded, "the journal was never folded");
    let journal = fs::metadata(journal_of(&path)).unwrap().len();
    assert!(
        journal < 100,
        "a fresh journal holds its header only: {journal}"
    );
    let (again, _) = Store::open(path);
    assert_eq!(again.state.articles, store.state.articles);
    assert!(again.article("seed:000_x.txt").unwrap().read);
}

#[test]
fn a_torn_last_journal_line_is_ignored_never_fatal() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["state.json", "state.json.journal"] {
        fs::copy(fixture("journal").join(name), dir.path().join(name)).unwrap();
    }
    let path = dir.path().join("state.json");
    let (mut store, warning) = Store::open(path.clone());
    assert!(warning.is_none(), "{warning:?}");
    // The snapshot, then the two whole lines: 001 read with a bookmark, 000's bookmark
    // deleted. The torn third line (002, last_open 000) is not there.
    assert_eq!(store.state.last_open.as_deref(), Some("seed:001_y.txt"));
    let y = store.article("seed:001_y.txt").unwrap();
    assert_eq!(y.position, Some(at(6, 0)));
    assert!(y.read);
    assert_eq!(y.bookmarks[0].excerpt, "سلام");
    assert!(
        store
            .article("seed:000_x.txt")
            .unwrap()
            .bookmarks
            .is_empty()
    );
    assert!(store.article("seed:002_z.txt").is_none());
    assert_eq!(store.state.articles.len(), 2);

    // The next save cuts the torn line off before appending its own, so the journal reads
    // whole again.
    store.article_mut("seed:002_z.txt").position = Some(at(3, 0));
    store.save().unwrap();
    let journal = fs::read_to_string(journal_of(&path)).unwrap();
    assert!(
        !journal.contains(r#""para":9"#),
        "the torn line is gone: {journal}"
    );
    assert!(journal.ends_with('\n'));
    assert_eq!(journal.lines().count(), 4, "{journal}");
    let (again, warning) = Store::open(path);
    assert!(warning.is_none());
    assert_eq!(again.state.articles, store.state.articles);
    assert_eq!(
        again.article("seed:002_z.txt").unwrap().position,
        Some(at(3, 0))
    );
}

#[test]
fn a_journal_left_by_an_interrupted_fold_is_ignored() {
    // A reader folded the journal into a new snapshot and was killed before it started the
    // new journal: the old one follows the old generation and must not be replayed.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    fs::copy(fixture("journal/state.json"), &path).unwrap();
    let journal = fs::read_to_string(fixture("journal/state.json.journal")).unwrap();
    fs::write(
        journal_of(&path),
        journal.replace(r#""generation":5"#, r#""generation":4"#),
    )
    .unwrap();
    let (store, _) = Store::open(path);
    assert_eq!(store.state.last_open.as_deref(), Some("seed:000_x.txt"));
    assert_eq!(
        store.article("seed:000_x.txt").unwrap().bookmarks.len(),
        1,
        "the snapshot as it is"
    );
    assert!(!store.article("seed:001_y.txt").unwrap().read);
}

#[test]
fn temp_files_of_dead_writers_are_removed_at_open_and_live_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let (mut store, _) = Store::open(path.clone());
    store.article_mut("seed:000_x.txt").read = true;
    store.save().unwrap();

    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let live = std::process::id();
    let name = |pid: u32, file: &str| dir.path().join(format!(".{file}.{pid}.tmp"));
    let dead_snapshot = name(dead, "state.json");
    let dead_journal = name(dead, "state.json.journal");
    let live_fresh = name(live, "state.json");
    let live_stale = name(live, "state.json.journal");
    let other = dir.path().join(".notes.txt.1.tmp");
    for f in [
        &dead_snapshot,
        &dead_journal,
        &live_fresh,
        &live_stale,
        &other,
    ] {
        fs::write(f, b"half a state").unwrap();
    }
    // A temp file of a live pid that is an hour old is left over too (the pid was reused).
    fs::File::options()
        .write(true)
        .open(&live_stale)
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_secs(3600))
        .unwrap();

    let (again, warning) = Store::open(path);
    assert!(warning.is_none());
    assert!(again.article("seed:000_x.txt").unwrap().read);
    assert!(!dead_snapshot.exists(), "the dead writer's snapshot temp");
    assert!(!dead_journal.exists(), "the dead writer's journal temp");
    assert!(!live_stale.exists(), "an hour-old temp");
    assert!(
        live_fresh.exists(),
        "a live writer's fresh temp is never touched"
    );
    assert!(other.exists(), "not one of folio's files");
}

#[test]
fn a_state_in_a_newer_format_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    fs::copy(fixture("v3.json"), &path).unwrap();
    let (mut store, warning) = Store::open(path.clone());
    let warning = warning.expect("reported");
    assert!(warning.contains("newer format"), "{warning}");
    assert!(store.path().is_none(), "this run keeps positions in memory");
    store.article_mut("seed:000.txt").read = true;
    store.save().unwrap();
    assert_eq!(
        fs::read(&path).unwrap(),
        fs::read(fixture("v3.json")).unwrap()
    );
    let mut entries: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    assert_eq!(
        entries,
        ["state.json", "state.json.lock"],
        "nothing set aside or written"
    );
}

#[test]
fn a_corrupt_snapshot_is_set_aside_with_its_journal() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["state.json", "state.json.journal"] {
        fs::copy(fixture("journal").join(name), dir.path().join(name)).unwrap();
    }
    let path = dir.path().join("state.json");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, &text[..text.len() / 2]).unwrap();
    let (mut store, warning) = Store::open(path.clone());
    assert!(warning.expect("reported").contains("kept it as"));
    assert!(store.state.articles.is_empty());
    let mut aside: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".corrupt-"))
        .collect();
    aside.sort();
    assert_eq!(aside.len(), 2, "{aside:?}");
    assert!(aside[0].starts_with("state.json.corrupt-"));
    assert!(aside[1].starts_with("state.json.journal.corrupt-"));
    store.article_mut("seed:000_x.txt").read = true;
    store.save().unwrap();
    let (again, warning) = Store::open(path);
    assert!(warning.is_none(), "reported once");
    assert_eq!(again.state.articles.len(), 1);
}

#[test]
fn articles_whose_files_are_gone_are_forgotten_after_the_grace() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    fs::write(dir.path().join("here.txt"), "x").unwrap();
    let lately = now_secs() - 24 * 60 * 60;
    let text = fs::read_to_string(fixture("prune.json"))
        .unwrap()
        .replace("{DIR}", d)
        .replace("{LATELY}", &lately.to_string());
    let path = dir.path().join("state.json");
    fs::write(&path, text).unwrap();
    let (mut store, _) = Store::open(path.clone());
    assert_eq!(store.state.articles.len(), 6);
    store.compact().unwrap();

    let key = |name: &str| format!("{d}/{name}");
    let mut kept: Vec<String> = store.state.articles.keys().cloned().collect();
    kept.sort();
    let mut expected = vec![
        key("gone-lately.txt"),
        key("gone-now.txt"),
        key("here.txt"),
        key("unplugged/kept.txt"),
        "seed:000_x.txt".to_string(),
    ];
    expected.sort();
    assert_eq!(
        kept, expected,
        "only the one gone for over 30 days is forgotten"
    );
    let (again, _) = Store::open(path.clone());
    assert_eq!(again.state.articles, store.state.articles);
    // When each was first seen missing is kept for the next time.
    let snapshot: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    let since = |name: &str| snapshot["articles"][key(name)]["missing_since"].clone();
    assert_eq!(since("here.txt"), serde_json::Value::Null, "it is there");
    assert_eq!(since("gone-lately.txt"), serde_json::json!(lately));
    let now = since("gone-now.txt").as_u64().expect("noted as missing");
    assert!(now >= lately + 24 * 60 * 60 - 5);
}
