//! One connection from accept to close: admission, the SSH session, and its watchdog.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use russh::Disconnect;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};

use super::Shared;
use super::handler::Session;
use super::limits::Permit;
use super::stream::{KillSwitch, Killable};

/// Why a reader ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// The user quit.
    Quit,
    /// The client closed the channel or the connection.
    ClientLeft,
    /// No input for the idle timeout.
    Idle,
    /// The server is shutting down.
    Shutdown,
    /// The client stopped taking output.
    Stalled,
}

impl End {
    fn as_str(self) -> &'static str {
        match self {
            End::Quit => "quit",
            End::ClientLeft => "client left",
            End::Idle => "idle",
            End::Shutdown => "server shutdown",
            End::Stalled => "client stopped reading",
        }
    }
}

/// A one-way flag that tasks can wait for.
#[derive(Debug, Default)]
pub(crate) struct Signal {
    set: AtomicBool,
    notify: Notify,
}

impl Signal {
    pub fn fire(&self) {
        self.set.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    pub fn is_set(&self) -> bool {
        self.set.load(Ordering::SeqCst)
    }

    pub async fn wait(&self) {
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_set() {
                return;
            }
            notified.await;
        }
    }
}

/// What the parts of one connection share.
pub(crate) struct Conn {
    pub id: u64,
    pub started: Instant,
    pub switch: Arc<KillSwitch>,
    pub authenticated: Signal,
    /// Who the client is, for the log: user name and key fingerprint.
    pub who: Mutex<String>,
    /// Milliseconds from `started` to the last input.
    last_input: AtomicU64,
    /// Asks the reader to say goodbye and end; the reason is in `end`.
    pub stop: Signal,
    /// The reader has ended and its channel is closed (or gone).
    pub reader_done: Signal,
    pub reader_started: AtomicBool,
    end: Mutex<Option<End>>,
    /// The terminal size the reader started with, for the log.
    pub size: Mutex<Option<(u16, u16)>>,
}

impl Conn {
    fn new(id: u64) -> Conn {
        Conn {
            id,
            started: Instant::now(),
            switch: KillSwitch::new(),
            authenticated: Signal::default(),
            who: Mutex::new(String::new()),
            last_input: AtomicU64::new(0),
            stop: Signal::default(),
            reader_done: Signal::default(),
            reader_started: AtomicBool::new(false),
            end: Mutex::new(None),
            size: Mutex::new(None),
        }
    }

    /// The client sent input.
    pub fn touch(&self) {
        let ms = self.started.elapsed().as_millis() as u64;
        self.last_input.store(ms, Ordering::Relaxed);
    }

    fn last_input(&self) -> Instant {
        self.started + Duration::from_millis(self.last_input.load(Ordering::Relaxed))
    }

    /// Record why the reader ends; the first reason given is the one kept.
    pub fn set_end(&self, end: End) {
        let mut e = self.end.lock().unwrap_or_else(|e| e.into_inner());
        if e.is_none() {
            *e = Some(end);
        }
    }

    pub fn end(&self) -> Option<End> {
        *self.end.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Ask the reader to end for `end`.
    pub fn request_stop(&self, end: End) {
        self.set_end(end);
        self.stop.fire();
    }

    /// The client took no output for the stall timeout: log it and cut the connection.
    pub fn cut_stalled(&self, shared: &Shared) {
        if self.switch.is_killed() {
            return;
        }
        self.set_end(End::Stalled);
        shared.options.log.line(&format!(
            "#{} took no output for {}s; disconnected",
            self.id,
            shared.options.stall_timeout.as_secs_f64()
        ));
        self.switch.kill();
    }

    pub fn who(&self) -> String {
        self.who.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Resolves once the server is shutting down (or its handle is gone).
async fn stopping(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Accept connections until shutdown.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let log = &shared.options.log;
    loop {
        let accepted = tokio::select! {
            _ = stopping(&mut shutdown) => break,
            accepted = listener.accept() => accepted,
        };
        let (tcp, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of file descriptors and the like: wait a little rather than spin.
                log.line(&format!("accept failed: {e}"));
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let permit = match shared.limits.admit(peer.ip()) {
            Ok(p) => p,
            Err(full) => {
                log.line(&format!("refused {peer}: {full}"));
                drop(tcp);
                continue;
            }
        };
        let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(connection(
            tcp,
            peer,
            id,
            permit,
            shared.clone(),
            shutdown.clone(),
        ));
    }
    shared.options.log.line("stopped accepting connections");
}

async fn connection(
    tcp: TcpStream,
    peer: SocketAddr,
    id: u64,
    permit: Permit,
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
) {
    let log = shared.options.log.clone();
    let conn = Arc::new(Conn::new(id));
    log.line(&format!("#{id} connected from {peer}"));
    #[cfg(unix)]
    let fd = std::os::fd::AsRawFd::as_raw_fd(&tcp);
    #[cfg(not(unix))]
    let fd = -1;
    let stream = Killable::new(tcp, conn.switch.clone());
    let handler = Session::new(conn.clone(), shared.clone());
    let auth_timeout = shared.options.auth_timeout;
    let running = match tokio::time::timeout(
        auth_timeout,
        russh::server::run_stream(shared.config.clone(), stream, handler),
    )
    .await
    {
        Ok(Ok(running)) => running,
        Ok(Err(e)) => {
            log.line(&format!("#{id} handshake failed: {e}"));
            return;
        }
        Err(_) => {
            log.line(&format!(
                "#{id} sent no SSH greeting within {}s; closed",
                auth_timeout.as_secs()
            ));
            return;
        }
    };
    let dog = tokio::spawn(watchdog(
        conn.clone(),
        shared.clone(),
        running.handle(),
        shutdown,
    ));
    let stall = tokio::spawn(stall_watch(conn.clone(), shared.clone(), fd));
    let result = running.await;
    dog.abort();
    stall.abort();
    conn.switch.kill();
    if conn.reader_started.load(Ordering::SeqCst) {
        conn.set_end(End::ClientLeft);
    }
    let mut line = format!(
        "#{id} {peer} closed after {:.1}s",
        conn.started.elapsed().as_secs_f64()
    );
    let who = conn.who();
    if !who.is_empty() {
        line.push_str(&format!(" {who}"));
    }
    if let Some((cols, rows)) = *conn.size.lock().unwrap_or_else(|e| e.into_inner()) {
        line.push_str(&format!(" {cols}x{rows}"));
    }
    if let Some(end) = conn.end() {
        line.push_str(&format!(" ({})", end.as_str()));
    } else if !conn.authenticated.is_set() {
        line.push_str(" (not authenticated)");
    }
    if let Err(e) = result
        && !normal_close(&e)
        && conn.end() != Some(End::Stalled)
    {
        line.push_str(&format!(": {e}"));
    }
    log.line(&line);
    drop(permit);
}

/// Whether a session error is just the client going away.
fn normal_close(e: &russh::Error) -> bool {
    match e {
        russh::Error::Disconnect => true,
        russh::Error::IO(e) => matches!(
            e.kind(),
            std::io::ErrorKind::UnexpectedEof
                | std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::BrokenPipe
        ),
        _ => false,
    }
}

/// Cut the connection when the client has taken none of what was sent for the stall timeout:
/// it stopped reading, or its network is gone. The output pump notices a client that stops
/// granting SSH window; this notices one whose TCP connection stopped draining, even when
/// everything folio sent so far fit in the socket's buffers and nothing waits in folio: bytes
/// queued in the kernel and none of them acknowledged for the whole timeout, or a write to the
/// socket waiting that long.
async fn stall_watch(conn: Arc<Conn>, shared: Arc<Shared>, fd: i32) {
    let stall = shared.options.stall_timeout;
    let tick = (stall / 8).clamp(Duration::from_millis(50), Duration::from_secs(1));
    let mut acked = 0;
    let mut moved = Instant::now();
    loop {
        tokio::time::sleep(tick).await;
        if conn.switch.is_killed() {
            return;
        }
        match super::stream::tcp_progress(fd) {
            Some((queued, now_acked)) if queued > 0 && now_acked == acked => {}
            Some((_, now_acked)) => {
                acked = now_acked;
                moved = Instant::now();
            }
            None => moved = Instant::now(),
        }
        if moved.elapsed() >= stall || conn.switch.write_stuck_for() >= stall {
            conn.cut_stalled(&shared);
            return;
        }
    }
}

/// How long a reader may take to say goodbye before the connection is cut anyway.
const GOODBYE: Duration = Duration::from_secs(3);
/// How long a client may keep a connection open after its reader ended before it is closed.
const LINGER: Duration = Duration::from_secs(2);

/// Enforce the authentication deadline and the idle timeout, and end the connection on server
/// shutdown: the reader first says goodbye (leaves the alternate screen, says why), then the
/// connection is closed, then cut if the client does not let go.
async fn watchdog(
    conn: Arc<Conn>,
    shared: Arc<Shared>,
    handle: russh::server::Handle,
    mut shutdown: watch::Receiver<bool>,
) {
    let options = &shared.options;
    let log = &options.log;
    let id = conn.id;

    let deadline = tokio::time::Instant::from_std(conn.started + options.auth_timeout);
    tokio::select! {
        _ = tokio::time::sleep_until(deadline) => {
            log.line(&format!(
                "#{id} did not authenticate within {}s; closed",
                options.auth_timeout.as_secs()
            ));
            let _ = tokio::time::timeout(
                Duration::from_secs(1),
                handle.disconnect(Disconnect::ByApplication, "authentication timed out".into(), String::new()),
            ).await;
            conn.switch.kill();
            return;
        }
        _ = conn.authenticated.wait() => {}
        _ = stopping(&mut shutdown) => {
            conn.switch.kill();
            return;
        }
    }
    conn.touch();

    let end = loop {
        let idle_at = tokio::time::Instant::from_std(conn.last_input() + options.idle_timeout);
        tokio::select! {
            _ = tokio::time::sleep_until(idle_at) => {
                if conn.last_input() + options.idle_timeout <= Instant::now() {
                    break Some(End::Idle);
                }
            }
            _ = stopping(&mut shutdown) => break Some(End::Shutdown),
            _ = conn.reader_done.wait() => break None,
        }
    };
    let reader = conn.reader_started.load(Ordering::SeqCst);
    let message = match end {
        Some(End::Idle) => {
            log.line(&format!(
                "#{id} idle for {}s; closing",
                options.idle_timeout.as_secs()
            ));
            "closed for lack of input"
        }
        Some(End::Shutdown) => "the server is shutting down",
        _ => "goodbye",
    };
    if let Some(end) = end
        && reader
    {
        conn.request_stop(end);
        let _ = tokio::time::timeout(GOODBYE, conn.reader_done.wait()).await;
    }
    if reader {
        // The reader's channel is closed: a client closes the connection itself now. Let it, as
        // a disconnect arriving right behind the goodbye can make a client exit before it has
        // written the goodbye to its terminal (OpenSSH does).
        tokio::time::sleep(LINGER).await;
    }
    let _ = tokio::time::timeout(
        Duration::from_secs(1),
        handle.disconnect(Disconnect::ByApplication, message.into(), String::new()),
    )
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    conn.switch.kill();
}
