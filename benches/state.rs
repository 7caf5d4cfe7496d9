//! The cost of one save of a large reading state after one article's position changed.
//!
//! Builds a state of 200,000 articles, each with a position, a read mark and a bookmark
//! (about 64 MB as folio used to write it), then times:
//! - before: what a save used to do, rewrite the whole state (compare it with the last saved
//!   one, pretty JSON, temp file, sync, rename, keep a copy);
//! - a whole rewrite in today's format ([`Store::compact`], which a save does once the
//!   journal has grown past a quarter of the snapshot);
//! - after: [`Store::save`], which appends the changed article to the journal and syncs it.
//!
//! Run with `cargo bench --bench state`. It reports medians; it asserts nothing about speed.

use std::path::Path;
use std::time::{Duration, Instant};

use folio::store::{Bookmark, Position, State, Store, write_atomic};

const ARTICLES: usize = 200_000;

fn build(store: &mut Store) {
    for i in 0..ARTICLES {
        let key = format!("/home/reader/feeds/{:03}/{i:06}.txt", i / 1000);
        let article = store.article_mut(&key);
        article.position = Some(Position {
            para: i % 500,
            byte: i % 70,
        });
        article.read = i % 3 == 0;
        article.bookmarks = vec![Bookmark {
            position: Position { para: 3, byte: 0 },
            excerpt: "وقف جرائم الحرب في المدينة".into(),
        }];
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// What `Store::save` did before the journal: the whole state, every time.
fn whole_rewrite(state: &State, saved: &mut State, path: &Path) {
    if state == saved && path.exists() {
        return;
    }
    let json = serde_json::to_vec_pretty(state).unwrap();
    write_atomic(path, &json).unwrap();
    *saved = state.clone();
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let (mut store, _) = Store::open(path.clone());
    build(&mut store);
    let started = Instant::now();
    store.save().unwrap();
    let first = started.elapsed();
    let key = store
        .state
        .articles
        .keys()
        .nth(ARTICLES / 2)
        .unwrap()
        .clone();
    let mut para = 1_000;
    let mut move_one = |store: &mut Store| {
        para += 1;
        store.article_mut(&key).position = Some(Position { para, byte: 0 });
    };

    // Before: the old whole rewrite, on a file of its own beside.
    let old_path = dir.path().join("old.json");
    let mut saved = State::default();
    whole_rewrite(&store.state, &mut saved, &old_path);
    let old_size = std::fs::metadata(&old_path).unwrap().len();
    let before: Vec<Duration> = (0..5)
        .map(|_| {
            move_one(&mut store);
            let t = Instant::now();
            whole_rewrite(&store.state, &mut saved, &old_path);
            t.elapsed()
        })
        .collect();
    std::fs::remove_file(&old_path).unwrap();

    let compact: Vec<Duration> = (0..5)
        .map(|_| {
            move_one(&mut store);
            let t = Instant::now();
            store.compact().unwrap();
            t.elapsed()
        })
        .collect();
    let snapshot_size = std::fs::metadata(&path).unwrap().len();

    let journal = path.with_file_name("state.json.journal");
    let journal_before = std::fs::metadata(&journal).unwrap().len();
    let after: Vec<Duration> = (0..51)
        .map(|_| {
            move_one(&mut store);
            let t = Instant::now();
            store.save().unwrap();
            t.elapsed()
        })
        .collect();
    let per_save = (std::fs::metadata(&journal).unwrap().len() - journal_before) / 51;
    let unchanged: Vec<Duration> = (0..51)
        .map(|_| {
            let t = Instant::now();
            store.save().unwrap();
            t.elapsed()
        })
        .collect();

    let t = Instant::now();
    let (reopened, _) = Store::open(path.clone());
    let open = t.elapsed();
    assert_eq!(reopened.state.articles.len(), ARTICLES);
    assert_eq!(
        reopened.article(&key).unwrap().position,
        store.article(&key).unwrap().position,
        "the last save is there"
    );

    println!("## One save of a {ARTICLES}-article state after one position changed\n");
    println!(
        "State as folio used to write it: {:.1} MB; today's snapshot: {:.1} MB; \
         one save adds {per_save} bytes to the journal. First save (writes the snapshot): {}.\n",
        old_size as f64 / 1e6,
        snapshot_size as f64 / 1e6,
        ms(first)
    );
    println!("| what | median | runs |");
    println!("|---|---:|---:|");
    println!(
        "| before: whole rewrite (pretty JSON, sync, rename) | {} | {} |",
        ms(median(before.clone())),
        before.len()
    );
    println!(
        "| whole rewrite in today's format (`compact`) | {} | {} |",
        ms(median(compact.clone())),
        compact.len()
    );
    println!(
        "| after: `save` (journal line, sync) | {} | {} |",
        ms(median(after.clone())),
        after.len()
    );
    println!(
        "| `save` with nothing changed (catch up only) | {} | {} |",
        ms(median(unchanged.clone())),
        unchanged.len()
    );
    println!("| open (snapshot and journal) | {} | 1 |", ms(open));
}
