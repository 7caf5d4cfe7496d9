//! `folio serve --refresh`: one library for every session, replaced while they read. A new
//! library goes to each connected session as input ([`Live::Library`]), through the poster its
//! work off the loop uses; the session keeps its place by key. Sessions that have ended drop
//! out when the next library is handed round.

use std::sync::{Arc, Mutex};

use crate::app::{Done, Live, Shared};
use crate::library::Library;
use crate::term::Input;
use crate::work::Poster;

/// The library served now, and the sessions to tell of the next one.
pub struct Hub {
    library: Mutex<Arc<Library>>,
    sessions: Mutex<Vec<Poster>>,
}

impl Hub {
    pub fn new(library: Arc<Library>) -> Hub {
        Hub {
            library: Mutex::new(library),
            sessions: Mutex::new(Vec::new()),
        }
    }

    /// The library now; `post` hears of every later one.
    pub fn join(&self, post: Poster) -> Arc<Library> {
        // Held while the library is read: a library published meanwhile reaches this session.
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.push(post);
        self.library().clone()
    }

    /// The library served now.
    pub fn library(&self) -> Arc<Library> {
        self.library
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Serve `library` from now on, and hand it to every session connected. A session whose
    /// input is full waits for its reader to take some.
    pub fn publish(&self, library: Arc<Library>) {
        *self.library.lock().unwrap_or_else(|e| e.into_inner()) = library.clone();
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.retain(|post| {
            post(Input::Done(Done::Live(Live::Library(Shared(
                library.clone(),
            )))))
        });
    }

    /// Sessions told of new libraries (those that ended are counted until the next one).
    pub fn sessions(&self) -> usize {
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Hub({} sessions)", self.sessions())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn a_published_library_reaches_every_session_and_ended_ones_drop_out() {
        let hub = Hub::new(Arc::new(Library::default()));
        let got = Arc::new(AtomicUsize::new(0));
        let open = {
            let got = got.clone();
            let post: Poster = Arc::new(move |input| {
                if let Input::Done(Done::Live(Live::Library(library))) = input {
                    got.fetch_add(library.0.articles.len(), Ordering::SeqCst);
                }
                true
            });
            post
        };
        let ended: Poster = Arc::new(|_| false);
        assert!(hub.join(open.clone()).articles.is_empty());
        hub.join(ended);
        assert_eq!(hub.sessions(), 2);
        let library = crate::library::load_seeds();
        let count = library.articles.len();
        hub.publish(Arc::new(library));
        assert_eq!(got.load(Ordering::SeqCst), count);
        assert_eq!(hub.sessions(), 1, "the ended session dropped out");
        // A session joining now starts from the new library.
        assert_eq!(hub.join(open).articles.len(), count);
    }
}
