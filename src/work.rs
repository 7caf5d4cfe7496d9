//! Work off the loop: what the app asks for as [`Effect::Work`](crate::app::Effect::Work) and a
//! front end starts here. Each job runs on a thread of its own, reads what it must, and posts
//! what it finds back into the loop's input as [`Input::Done`]; a job whose loop has gone (the
//! post fails) stops.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::app::search::{Hit, MAX_HITS, hits_in_article};
use crate::app::{Done, Work};
use crate::library::index::{self, FileRef, Refresh, Search, SearchIndex};
use crate::library::{Article, Library, Origin};
use crate::term::Input;
use crate::text::search::Query;

/// Posts input into a loop; `false` once the loop has gone.
pub type Poster = Arc<dyn Fn(Input) -> bool + Send + Sync>;

/// A poster over a channel's sender.
pub fn poster(tx: std::sync::mpsc::Sender<Input>) -> Poster {
    Arc::new(move |input| tx.send(input).is_ok())
}

/// A poster over a bounded channel whose sender someone else owns: a worker waits while the
/// loop catches up, and stops once the owner has dropped the sender (the loop's input closed).
pub fn weak_poster(tx: std::sync::Weak<std::sync::mpsc::SyncSender<Input>>) -> Poster {
    Arc::new(move |input| tx.upgrade().is_some_and(|tx| tx.send(input).is_ok()))
}

/// Start `work`; what it finds goes to `post`.
pub fn start(work: Work, post: Poster) {
    let job: Box<dyn FnOnce() + Send> = match work {
        Work::FillLibrary(plan) => Box::new(move || {
            crate::library::fill(&plan, |report| post(Input::Done(Done::Fill(report))));
        }),
        Work::Filter(job) => Box::new(move || {
            if let Some(done) = job.run() {
                post(Input::Done(done));
            }
        }),
        Work::LoadArticle { index, path } => Box::new(move || {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let article = crate::library::load_article(&path, &name).map(Box::new);
            post(Input::Done(Done::Loaded { index, article }));
        }),
        Work::SearchLibrary {
            query,
            generation,
            boilerplate,
            library,
            cancel,
        } => {
            let ended = post.clone();
            let job = move || {
                let index = index::default_dir().map(|dir| index::shared(&dir));
                let notice = |message: String| {
                    post(Input::Done(Done::Notice(message)));
                };
                let refresh = search_files(
                    &library.0,
                    &query,
                    boilerplate,
                    index,
                    &cancel.0,
                    |hits, finished| {
                        post(Input::Done(Done::Hits {
                            generation,
                            hits,
                            finished,
                        }))
                    },
                    notice,
                );
                // The index is brought up to date without holding the library: while this
                // job holds it, the app's next change to it (a fill batch, an article's
                // text) would copy the whole library first.
                drop(library);
                if let Some((index, refresh)) = refresh {
                    refresh_index(&index, refresh, notice);
                }
            };
            let spawned = std::thread::Builder::new()
                .name("folio-search".into())
                .spawn(job);
            // No thread to be had: the search ends with what it has, which is nothing.
            if spawned.is_err() {
                ended(Input::Done(Done::Hits {
                    generation,
                    hits: Vec::new(),
                    finished: true,
                }));
            }
            return;
        }
        Work::Fetch { feeds, library } => Box::new(move || {
            // The keys are taken and the library let go at once: while the work holds it, a
            // change on the loop would copy the whole library.
            let known = crate::feeds::refresh::keys(&library.0);
            drop(library);
            let limits = crate::feeds::fetch::Limits::default();
            crate::feeds::refresh::fetch_for_reader(&feeds, &known, None, &limits, &|live| {
                post(Input::Done(Done::Live(live)))
            });
        }),
    };
    // A thread that cannot start is work not done: the reader goes on without it.
    let _ = std::thread::Builder::new()
        .name("folio-work".into())
        .spawn(job);
}

/// Hits go to the loop at most this often (the first at once), so a search that finds much
/// does not flood it with one input per file.
const BATCH_EVERY: Duration = Duration::from_millis(40);

/// What a search was given to search through: the index ([`index::shared`]), or why there is
/// none; `None` when there is no place for one.
pub type IndexOpened = Option<Result<(Arc<SearchIndex>, Option<String>), String>>;

/// The library search: the built-in articles in memory, the files through `index` (or,
/// without one, by reading them all). Hits go to `post` in batches, the last `finished`;
/// then the index is brought up to date. Returns when all that is done.
pub fn search_library(
    library: &Library,
    query: &str,
    boilerplate: bool,
    index: IndexOpened,
    cancel: &AtomicBool,
    post: impl Fn(Vec<Hit>, bool) -> bool + Sync,
    notice: impl Fn(String) + Sync,
) {
    if let Some((index, refresh)) =
        search_files(library, query, boilerplate, index, cancel, post, &notice)
    {
        refresh_index(&index, refresh, notice);
    }
}

/// Bring the index up to date with what a search found it lacking.
fn refresh_index(index: &SearchIndex, refresh: Refresh, notice: impl Fn(String)) {
    // The index is worth bringing up to date even when nobody waits for this search.
    let keep_going = AtomicBool::new(false);
    if let Err(e) = refresh.run(index, &keep_going) {
        notice(crate::text::sanitize::printable(&format!(
            "The library search index could not be updated: {e}"
        )));
    }
}

/// [`search_library`] up to its last batch of hits: what the index lacks is returned, to be
/// brought up to date once the library is no longer needed.
fn search_files(
    library: &Library,
    query: &str,
    boilerplate: bool,
    index: IndexOpened,
    cancel: &AtomicBool,
    post: impl Fn(Vec<Hit>, bool) -> bool + Sync,
    notice: impl Fn(String) + Sync,
) -> Option<(Arc<SearchIndex>, Refresh)> {
    let Some(q) = Query::new(query) else {
        post(Vec::new(), true);
        return None;
    };
    let batch: Mutex<(Vec<Hit>, Option<Instant>)> = Mutex::new((Vec::new(), None));
    let found = |hits: Vec<Hit>| {
        let mut batch = batch.lock().unwrap_or_else(|e| e.into_inner());
        batch.0.extend(hits);
        if batch.1.is_some_and(|last| last.elapsed() < BATCH_EVERY) {
            return true;
        }
        batch.1 = Some(Instant::now());
        post(std::mem::take(&mut batch.0), false)
    };
    let hits_in = |i: usize, article: &Article| hits_in_article(i, article, &q, boilerplate);
    let search = Search::new(
        &hits_in,
        &found,
        &notice,
        &library.articles,
        cancel,
        MAX_HITS,
    );

    // Built-in articles are in memory.
    let mut count = 0;
    for (i, article) in library.articles.iter().enumerate() {
        if article.origin == Origin::Embedded && count < MAX_HITS {
            let hits = hits_in(i, article);
            count += hits.len();
            if !hits.is_empty() && !found(hits) {
                return None;
            }
        }
    }
    // Borrowed from the articles: a search copies no key or path.
    let files = FileRef::of(&library.articles);
    let refresh = match index {
        Some(Ok((index, message))) => {
            if let Some(message) = message {
                notice(message);
            }
            let refresh = index.search(&files, query, &search);
            Some((index, refresh))
        }
        Some(Err(message)) => {
            // Said once: every search would otherwise say it again.
            static SAID: AtomicBool = AtomicBool::new(false);
            if !SAID.swap(true, std::sync::atomic::Ordering::Relaxed) {
                notice(message);
            }
            index::search_without_index(&files, query, &search);
            None
        }
        None => {
            index::search_without_index(&files, query, &search);
            None
        }
    };
    let rest = std::mem::take(&mut batch.lock().unwrap_or_else(|e| e.into_inner()).0);
    post(rest, true);
    refresh
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worker's search of a folder gives what the in-memory search gives, over batches the
    /// last of which is finished; once with no index, once through the index it built.
    #[test]
    fn the_worker_finds_what_the_search_in_memory_finds() {
        let root = tempfile::tempdir().unwrap();
        let folder = root.path().join("articles");
        std::fs::create_dir(&folder).unwrap();
        for i in 0..150 {
            let text = if i % 7 == 0 {
                format!("Report {i}\n\nThe talks in غَزّة went on.\n\nMore talks.\n")
            } else {
                format!("Report {i}\n\nNothing to see.\n")
            };
            std::fs::write(folder.join(format!("{i:03}.txt")), text).unwrap();
        }
        let library = crate::library::load_paths(&[folder]).unwrap();
        let index_dir = root.path().join("cache").join("index");
        for query in ["talks", "غزة", "talks", "nothing at all"] {
            let expected = crate::app::search::search_library(&library, query, true);
            let (index, _) = SearchIndex::open(&index_dir).unwrap();
            let posts = Mutex::new(Vec::new());
            search_library(
                &library,
                query,
                true,
                Some(Ok((Arc::new(index), None))),
                &AtomicBool::new(false),
                |hits, finished| {
                    posts.lock().unwrap().push((hits, finished));
                    true
                },
                |m| panic!("{m}"),
            );
            let posts = posts.into_inner().unwrap();
            assert!(posts.last().unwrap().1, "the last batch is finished");
            assert_eq!(posts.iter().filter(|p| p.1).count(), 1);
            let mut hits: Vec<Hit> = posts.into_iter().flat_map(|p| p.0).collect();
            hits.sort_by_key(|h| (h.article, h.para, h.range.start));
            assert_eq!(hits, expected, "{query}");
        }
    }
}
