//! The cost on the loop of a library that changes while it is read, at 100,000 articles.
//!
//! Builds a library of 100,000 stubs in one folder (one real file read, its stub copied under
//! 100,000 names: the app holds stubs of a big folder), opens it in the app, and times what
//! [`App::take_change`] costs for one file changed, one added and one removed, against taking
//! a whole new library ([`App::take_library`], what a change would cost if it rebuilt the
//! library and matched every article by key).
//!
//! Run with `cargo bench --bench live`. It reports medians; it asserts nothing about speed.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use folio::app::{App, LibraryChange};
use folio::config::Settings;
use folio::library::{Article, Library, Origin};
use folio::watch::read_stub;

const ARTICLES: usize = 100_000;
const ROUNDS: usize = 15;

/// A change made to the app in round N.
type Change = Box<dyn FnMut(&mut App, usize)>;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn named(template: &Article, dir: &std::path::Path, i: usize) -> Article {
    let mut a = template.clone();
    let name = format!("art-{i:06}.txt");
    let path: PathBuf = dir.join(&name);
    a.key = path.display().to_string();
    a.origin = Origin::File(path);
    a.file_name = name;
    a.title = format!("Headline number {i}");
    a
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("art-000000.txt");
    std::fs::write(
        &file,
        "Headline\n\nThe body of a small article, with a few words.\n\nمرحبا بالعالم.\n",
    )
    .unwrap();
    let template = read_stub(&file, file.display().to_string()).unwrap();
    let library = Library {
        articles: (0..ARTICLES)
            .map(|i| named(&template, dir.path(), i * 2))
            .collect(),
        // One folder, as `folio FOLDER` opens it.
        sources: vec![folio::library::Source {
            name: "wire".into(),
            hotkey: None,
            kind: folio::library::SourceKind::Folder(dir.path().to_path_buf()),
            language: None,
            articles: 0..ARTICLES,
            note: None,
        }],
        warnings: Vec::new(),
    };
    let mut app = App::new(Arc::new(library), Settings::defaults(), 120, 40);
    app.take_effects();

    let time = |label: &str, app: &mut App, mut change: Change| {
        let times: Vec<Duration> = (0..ROUNDS)
            .map(|round| {
                let started = Instant::now();
                change(app, round);
                let took = started.elapsed();
                app.take_effects();
                took
            })
            .collect();
        println!("{label:<44} {}", ms(median(times)));
    };

    let (t, d) = (template.clone(), dir.path().to_path_buf());
    time(
        "one file changed",
        &mut app,
        Box::new(move |app, round| {
            let mut fresh = named(&t, &d, (ARTICLES / 2 + round) * 2);
            fresh.title = format!("Changed in round {round}");
            app.take_change(LibraryChange {
                changed: vec![fresh],
                ..LibraryChange::default()
            });
        }),
    );
    let (t, d) = (template.clone(), dir.path().to_path_buf());
    time(
        "one file added (mid-folder)",
        &mut app,
        Box::new(move |app, round| {
            app.take_change(LibraryChange {
                added: vec![named(&t, &d, (ARTICLES / 3 + round) * 2 + 1)],
                ..LibraryChange::default()
            });
        }),
    );
    let d = dir.path().to_path_buf();
    time(
        "one file removed",
        &mut app,
        Box::new(move |app, round| {
            let key = d
                .join(format!("art-{:06}.txt", (ARTICLES / 4 + round) * 2))
                .display()
                .to_string();
            app.take_change(LibraryChange {
                removed: vec![key],
                ..LibraryChange::default()
            });
        }),
    );
    let whole = Arc::new(app.library().clone());
    time(
        "a whole new library, matched by key",
        &mut app,
        Box::new(move |app, _| app.take_library(whole.clone())),
    );
}
