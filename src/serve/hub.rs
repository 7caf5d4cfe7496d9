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
