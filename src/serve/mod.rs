//! `folio serve`: the reader over SSH. `ssh -p 2222 host` lands in the reader; there is no shell,
//! no command, no file transfer and no forwarding behind it.
//!
//! Each connection is served by the SSH library's task (a [`handler::Session`] gets its
//! callbacks), a watchdog (authentication deadline, idle timeout, server shutdown), and, once the
//! client asks for a shell on a pty, one reader: an [`App`](crate::app::App) and a frame
//! [`Painter`](crate::term::Painter) driven by [`crate::term::run`] on a thread of its own, fed keys by an input task
//! and drained by an output pump that respects the client's SSH window. Everything a client can
//! make the server hold is capped: connections (those still authenticating apart from sessions,
//! see [`limits`]), pty size, queued input and output, and readers whose reading state is kept
//! on disk between sessions (those who authenticated with a key, see [`state`]).

mod conn;
mod handler;
pub mod hub;
pub mod input;
pub mod keys;
pub mod limits;
pub mod log;
pub mod output;
mod reader;
pub mod state;
pub mod stream;

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use russh::keys::{PrivateKey, PublicKey};
use russh::{MethodKind, MethodSet, SshId};
use tokio::sync::watch;

use crate::config::Settings;
use crate::library::Library;

pub use keys::{
    HOST_KEY_FILE, default_data_dir, default_host_key_path, fingerprint, is_allowed,
    load_or_create_host_key, read_authorized_keys,
};
pub use limits::{Limits, Startups};
pub use log::{Log, printable};
pub use state::ReaderStates;

/// Largest pty folio lays out for; bigger requests are clamped.
pub const MAX_COLS: u16 = 500;
pub const MAX_ROWS: u16 = 200;

/// Who may connect.
#[derive(Clone, Debug)]
pub enum Access {
    /// Anyone, with any user name, with any key or none (keyboard-interactive, asked nothing)
    /// (`--anonymous`).
    Anonymous,
    /// Holders of these keys (`--authorized-keys`); the key is checked after the client proved
    /// it holds it.
    Keys(Vec<PublicKey>),
}

/// How the server runs. [`Options::new`] gives the defaults of `folio serve`.
#[derive(Clone, Debug)]
pub struct Options {
    pub listen: SocketAddr,
    pub access: Access,
    pub host_key: PrivateKey,
    /// Sessions (authenticated connections) served at once (`--max-sessions`).
    pub max_sessions: usize,
    /// Sessions from one address at once (`--max-per-address`).
    pub max_per_address: usize,
    /// How connections that have not authenticated yet are capped (`--max-startups`); `None`
    /// scales them to the session caps ([`Startups::scaled`]).
    pub startups: Option<Startups>,
    /// A connection that sends no input (keys or pastes) for this long is closed
    /// (`--idle-timeout`).
    pub idle_timeout: Duration,
    /// A client that takes none of the reader's output for this long is disconnected.
    pub stall_timeout: Duration,
    /// A client must send its SSH greeting within this long of connecting.
    pub handshake_timeout: Duration,
    /// A client must authenticate within this long of connecting.
    pub auth_timeout: Duration,
    /// Keepalive interval; a client that answers none of three is dropped.
    pub keepalive: Duration,
    pub log: Log,
    /// The server's data folder (`--data`): readers who authenticate with a key keep their
    /// reading state in it, under `serve/readers/` (see [`state`]). `None` (the default here;
    /// `folio serve` names its XDG data folder): every reader's state lasts their session only.
    pub data: Option<PathBuf>,
    /// Readers whose state is kept, at most (`--max-readers`).
    pub max_readers: usize,
    /// With `--refresh`: the library every session reads, replaced while they read; `None`
    /// serves [`Content::library`] as it is.
    pub hub: Option<Arc<hub::Hub>>,
}

/// `folio serve`'s defaults, in one place for [`Options::new`] and the command line.
pub mod defaults {
    pub const MAX_SESSIONS: u32 = 64;
    pub const MAX_PER_ADDRESS: u32 = 8;
    pub const IDLE_TIMEOUT_SECS: u64 = 1800;
    pub const STALL_TIMEOUT_SECS: u64 = 10;
    pub const HANDSHAKE_TIMEOUT_SECS: u64 = 5;
    pub const AUTH_TIMEOUT_SECS: u64 = 20;
}

impl Options {
    pub fn new(listen: SocketAddr, access: Access, host_key: PrivateKey) -> Options {
        Options {
            listen,
            access,
            host_key,
            max_sessions: defaults::MAX_SESSIONS as usize,
            max_per_address: defaults::MAX_PER_ADDRESS as usize,
            startups: None,
            idle_timeout: Duration::from_secs(defaults::IDLE_TIMEOUT_SECS),
            stall_timeout: Duration::from_secs(defaults::STALL_TIMEOUT_SECS),
            handshake_timeout: Duration::from_secs(defaults::HANDSHAKE_TIMEOUT_SECS),
            auth_timeout: Duration::from_secs(defaults::AUTH_TIMEOUT_SECS),
            keepalive: Duration::from_secs(20),
            log: Log::stderr(),
            data: None,
            max_readers: state::DEFAULT_MAX_READERS,
            hub: None,
        }
    }
}

/// What every reader shows: one library, shared; settings copied into each reader (whose
/// colours follow its client's terminal).
#[derive(Clone)]
pub struct Content {
    pub library: Arc<Library>,
    pub settings: Settings,
}

/// State every connection shares.
pub(crate) struct Shared {
    pub options: Options,
    pub content: Content,
    pub limits: Arc<Limits>,
    pub config: Arc<russh::server::Config>,
    pub next_id: AtomicU64,
    /// Refusals and connections that never authenticated, logged without flooding the log.
    pub throttle: log::Throttle,
    /// Reader threads running.
    pub readers: Arc<AtomicUsize>,
    /// Readers' reading state, kept per key.
    pub states: ReaderStates,
}

/// What folio calls itself in the SSH protocol.
pub(crate) fn server_id() -> String {
    format!("SSH-2.0-folio_{}", env!("CARGO_PKG_VERSION"))
}

/// Clamp a pty size from the client: 0 (unknown) means the classic 80×24, anything else is kept
/// within `1..=MAX_COLS` × `1..=MAX_ROWS` so no request can make folio lay out or allocate much.
pub fn clamp_size(cols: u32, rows: u32) -> (u16, u16) {
    let cols = if cols == 0 {
        80
    } else {
        cols.min(MAX_COLS as u32) as u16
    };
    let rows = if rows == 0 {
        24
    } else {
        rows.min(MAX_ROWS as u32) as u16
    };
    (cols, rows)
}

fn ssh_config(options: &Options) -> russh::server::Config {
    // Keys first, so a client that holds one offers it (and keeps its reading state); with
    // `--anonymous`, keyboard-interactive without questions lets in everyone else.
    let mut methods = MethodSet::empty();
    methods.push(MethodKind::PublicKey);
    if let Access::Anonymous = options.access {
        methods.push(MethodKind::KeyboardInteractive);
    }
    russh::server::Config {
        server_id: SshId::Standard(server_id().into()),
        methods,
        auth_rejection_time: Duration::from_secs(1),
        // OpenSSH opens with a "none" attempt to learn the methods; answer it at once.
        auth_rejection_time_initial: Some(Duration::ZERO),
        keys: vec![options.host_key.clone()],
        // What the client may send before we make room again: keys are small, and a paste
        // waits rather than piling up.
        window_size: 64 * 1024,
        maximum_packet_size: 32 * 1024,
        max_auth_attempts: 6,
        // A client that sends nothing at all, not even keepalive replies, is gone.
        inactivity_timeout: Some(options.keepalive * 4),
        keepalive_interval: Some(options.keepalive),
        keepalive_max: 3,
        nodelay: true,
        ..Default::default()
    }
}

/// Let the server hold as many connections as the system allows this process: the soft limit
/// on file descriptors up to the hard one (many systems start programs at 1024).
pub fn raise_descriptor_limit() {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit read and write the struct we pass, nothing else.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0
                && limit.rlim_cur < limit.rlim_max
            {
                limit.rlim_cur = limit.rlim_max;
                libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            }
        }
    }
}

/// A running server. Dropping it shuts it down.
pub struct Server {
    addr: SocketAddr,
    limits: Arc<Limits>,
    readers: Arc<AtomicUsize>,
    shutdown: watch::Sender<bool>,
    thread: Option<thread::JoinHandle<()>>,
}

/// How long shutdown waits for readers to say goodbye before cutting connections.
/// (A reader gets 3 s to say goodbye, its client 2 s to close, then 2 s to be disconnected.)
const SHUTDOWN_GRACE: Duration = Duration::from_secs(8);

impl Server {
    /// Bind `options.listen` and serve `content` on threads of the server's own.
    pub fn start(options: Options, content: Content) -> io::Result<Server> {
        let listener = std::net::TcpListener::bind(options.listen)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("folio-serve")
            .enable_all()
            .build()?;
        let startups = options
            .startups
            .unwrap_or_else(|| Startups::scaled(options.max_sessions, options.max_per_address));
        let limits = Limits::new(options.max_sessions, options.max_per_address, startups);
        let readers = Arc::new(AtomicUsize::new(0));
        let shared = Arc::new(Shared {
            config: Arc::new(ssh_config(&options)),
            states: ReaderStates::new(options.data.as_deref(), options.max_readers),
            throttle: log::Throttle::new(options.log.clone(), conn::LOG_INTERVAL),
            options,
            content,
            limits: limits.clone(),
            next_id: AtomicU64::new(1),
            readers: readers.clone(),
        });
        let (shutdown, shutdown_rx) = watch::channel(false);
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let thread = thread::Builder::new()
            .name("folio-serve".into())
            .spawn(move || {
                runtime.block_on(async move {
                    conn::accept_loop(listener, shared.clone(), shutdown_rx).await;
                    // Readers are saying goodbye; wait for them, within reason.
                    let start = Instant::now();
                    while shared.limits.open() > 0 && start.elapsed() < SHUTDOWN_GRACE {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                });
                runtime.shutdown_timeout(Duration::from_secs(1));
            })?;
        Ok(Server {
            addr,
            limits,
            readers,
            shutdown,
            thread: Some(thread),
        })
    }

    /// The address the server listens on (useful after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Connections open now: those still authenticating, and sessions (a session counts until
    /// its reader thread has ended).
    pub fn open_connections(&self) -> usize {
        self.limits.open()
    }

    /// Sessions open now (authenticated; counted until their reader thread has ended).
    pub fn open_sessions(&self) -> usize {
        self.limits.sessions()
    }

    /// Connections that have not authenticated yet.
    pub fn startups(&self) -> usize {
        self.limits.startups()
    }

    /// Reader threads running now.
    pub fn reader_threads(&self) -> usize {
        self.readers.load(Ordering::SeqCst)
    }

    /// Stop accepting, tell every reader the server is shutting down, close every connection,
    /// and wait for that (a few seconds at most).
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pty_sizes_are_clamped() {
        assert_eq!(clamp_size(80, 24), (80, 24));
        assert_eq!(clamp_size(0, 0), (80, 24));
        assert_eq!(clamp_size(65535, 65535), (MAX_COLS, MAX_ROWS));
        assert_eq!(clamp_size(u32::MAX, 1), (MAX_COLS, 1));
    }
}
