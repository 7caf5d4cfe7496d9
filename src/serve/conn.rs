//! One connection from accept to close: admission, the SSH session, and its watchdog.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use russh::Disconnect;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};

use super::handler::Session;
use super::limits::{Crowded, Cut, SessionPermit, Startup};
use super::stream::{KillSwitch, Killable};
use super::{Shared, server_id};

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

/// Why a connection closed before it authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Early {
    /// No SSH greeting within the handshake deadline.
    NoGreeting,
    /// No authentication within the deadline.
    NoAuth,
    /// Dropped to make room for a newer connection.
    Dropped(Crowded),
    /// Authenticated, but refused a session.
    Refused(super::limits::Full),
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
    pub peer: SocketAddr,
    pub started: Instant,
    pub switch: Arc<KillSwitch>,
    /// Its place among the connections that have not authenticated, until it authenticates.
    pub startup: Mutex<Option<Startup>>,
    /// Its place among the sessions, once it authenticated; the reader thread holds it too.
    pub session: Mutex<Option<Arc<SessionPermit>>>,
    /// Why it closed before authenticating, once it has.
    early: Mutex<Option<Early>>,
    pub authenticated: Signal,
    /// It authenticated, was refused a session and told why.
    pub refused: Signal,
    /// Who the client is, for the log: user name and key fingerprint.
    pub who: Mutex<String>,
    /// The SHA256 fingerprint of the key the client authenticated with (none: anonymous).
    pub key: Mutex<Option<String>>,
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

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Conn {
    pub(crate) fn new(id: u64, peer: SocketAddr) -> Conn {
        Conn {
            id,
            peer,
            started: Instant::now(),
            switch: KillSwitch::new(),
            startup: Mutex::new(None),
            session: Mutex::new(None),
            early: Mutex::new(None),
            authenticated: Signal::default(),
            refused: Signal::default(),
            who: Mutex::new(String::new()),
            key: Mutex::new(None),
            last_input: AtomicU64::new(0),
            stop: Signal::default(),
            reader_done: Signal::default(),
            reader_started: AtomicBool::new(false),
            end: Mutex::new(None),
            size: Mutex::new(None),
        }
    }

    /// Record why the connection closes before authenticating; the first reason is kept.
    pub fn close_early(&self, why: Early) {
        lock(&self.early).get_or_insert(why);
    }

    /// Cut this connection to make room for another.
    fn cut_for_room(&self, why: Crowded) {
        self.close_early(Early::Dropped(why));
        self.switch.kill();
    }

    /// The client sent input (keys or a paste; not a window change).
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

/// How often the summaries of throttled log lines are written.
pub(crate) const LOG_INTERVAL: Duration = Duration::from_secs(10);
/// Refusals being said at once; past this, sockets are just closed.
const MAX_REFUSING: usize = 64;
/// How long a refusal may take to be said and the client to close.
const REFUSE_WAIT: Duration = Duration::from_secs(2);
/// Longest wait before accepting again when the server is out of file descriptors.
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// Accept connections until shutdown.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut backoff = Duration::ZERO;
    let mut tick = tokio::time::interval(LOG_INTERVAL / 2);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let refusing = Arc::new(AtomicUsize::new(0));
    loop {
        let accepted = tokio::select! {
            _ = stopping(&mut shutdown) => break,
            _ = tick.tick() => {
                shared.throttle.flush();
                continue;
            }
            accepted = listener.accept() => accepted,
        };
        let (tcp, peer) = match accepted {
            Ok(a) => {
                backoff = Duration::ZERO;
                a
            }
            Err(e) if transient(&e) => continue,
            Err(e) => {
                // Out of file descriptors or memory: the connection waits in the kernel's queue
                // and accept would fail again at once. Free a descriptor held by the stalest
                // unauthenticated connection if there is one, else wait, longer each time.
                let freed = shared
                    .limits
                    .drop_stalest()
                    .map(|cut| cut(Crowded::Descriptors));
                backoff = (backoff * 2).clamp(Duration::from_millis(10), MAX_BACKOFF);
                shared.throttle.note("accept failures", || {
                    format!(
                        "accept failed: {e}; {}",
                        if freed.is_some() {
                            "dropped an unauthenticated connection"
                        } else {
                            "waiting"
                        }
                    )
                });
                tokio::time::sleep(backoff).await;
                continue;
            }
        };
        let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
        let conn = Arc::new(Conn::new(id, peer));
        let cut: Cut = {
            let conn: Weak<Conn> = Arc::downgrade(&conn);
            Arc::new(move |why| {
                if let Some(conn) = conn.upgrade() {
                    conn.cut_for_room(why);
                }
            })
        };
        match shared.limits.admit(peer.ip(), cut) {
            Ok(admitted) => {
                if let Some((cut, why)) = admitted.dropped {
                    cut(why);
                }
                *lock(&conn.startup) = Some(admitted.startup);
                tokio::spawn(connection(tcp, conn, shared.clone(), shutdown.clone()));
            }
            Err(full) => {
                shared
                    .throttle
                    .note("connections refused", || format!("refused {peer}: {full}"));
                refuse(tcp, full.reason(), &refusing);
            }
        }
    }
    shared.throttle.finish();
    shared.options.log.line("stopped accepting connections");
}

/// Accept errors that concern one connection only (it was reset before it was accepted).
fn transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}

/// Tell a client the server will not serve it, in SSH's own words, and close: the identification
/// line, then a disconnect message. Clients show its text ("Received disconnect from …: too many
/// sessions from your address"), where a bare close would leave them guessing.
///
/// Written by hand, as the SSH library can send a disconnect only after a full key exchange,
/// which would cost a refused client's server the exchange and show the client a handshake that
/// succeeded. Before the exchange the message travels in the clear, unpadded but for the
/// protocol's minimum, and without a MAC (RFC 4253, sections 6 and 11.1).
fn refuse(mut tcp: TcpStream, reason: &'static str, refusing: &Arc<AtomicUsize>) {
    if refusing.fetch_add(1, Ordering::SeqCst) >= MAX_REFUSING {
        refusing.fetch_sub(1, Ordering::SeqCst);
        return;
    }
    let refusing = refusing.clone();
    tokio::spawn(async move {
        let say = async {
            tcp.write_all(&refusal(reason)).await?;
            tcp.shutdown().await?;
            // Read what the client sent until it closes: closing with its bytes unread would
            // reset the connection, and a reset can discard the message before it is read.
            let mut buf = [0u8; 1024];
            let mut read = 0;
            while read < 64 * 1024 {
                match tcp.read(&mut buf).await? {
                    0 => break,
                    n => read += n,
                }
            }
            Ok::<_, io::Error>(())
        };
        let _ = tokio::time::timeout(REFUSE_WAIT, say).await;
        refusing.fetch_sub(1, Ordering::SeqCst);
    });
}

/// Our identification line and an SSH_MSG_DISCONNECT saying `reason`, as sent before any key
/// exchange.
fn refusal(reason: &str) -> Vec<u8> {
    const SSH_MSG_DISCONNECT: u8 = 1;
    let mut payload = vec![SSH_MSG_DISCONNECT];
    payload.extend((Disconnect::TooManyConnections as u32).to_be_bytes());
    payload.extend((reason.len() as u32).to_be_bytes());
    payload.extend(reason.as_bytes());
    // No language tag.
    payload.extend(0u32.to_be_bytes());
    // Length, padding length, payload and padding make a multiple of 8, with 4 to 11 bytes of
    // padding.
    let padding = 4 + (8 - (5 + payload.len() + 4) % 8) % 8;
    let mut out = format!("{}\r\n", server_id()).into_bytes();
    out.extend(((1 + payload.len() + padding) as u32).to_be_bytes());
    out.push(padding as u8);
    out.extend(payload);
    out.extend(std::iter::repeat_n(0u8, padding));
    out
}

async fn connection(
    tcp: TcpStream,
    conn: Arc<Conn>,
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
) {
    let options = &shared.options;
    #[cfg(unix)]
    let fd = std::os::fd::AsRawFd::as_raw_fd(&tcp);
    #[cfg(not(unix))]
    let fd = -1;
    let stream = Killable::new(tcp, conn.switch.clone());
    let handler = Session::new(conn.clone(), shared.clone());
    let greeting = options.handshake_timeout.min(options.auth_timeout);
    let running = match tokio::time::timeout(
        greeting,
        russh::server::run_stream(shared.config.clone(), stream, handler),
    )
    .await
    {
        Ok(Ok(running)) => running,
        Ok(Err(e)) => {
            closed(&conn, &shared, Err(e));
            return;
        }
        Err(_) => {
            conn.close_early(Early::NoGreeting);
            closed(&conn, &shared, Ok(()));
            return;
        }
    };
    if let Some(startup) = lock(&conn.startup).as_ref() {
        shared.limits.greeted(startup);
    }
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
        // Tell the reader at once, even if it is busy: it ends on its next input.
        conn.request_stop(End::ClientLeft);
    }
    closed(&conn, &shared, result);
}

/// Log how a connection ended and give up its places. A session's place is kept by its reader
/// thread until that thread has ended too.
fn closed(conn: &Conn, shared: &Shared, result: Result<(), russh::Error>) {
    let id = conn.id;
    let peer = conn.peer;
    let options = &shared.options;
    let startup = lock(&conn.startup).take();
    let session = lock(&conn.session).take();
    if !conn.authenticated.is_set() {
        let secs = |d: Duration| d.as_secs_f64();
        let early = lock(&conn.early).clone();
        let (kind, why) = match early {
            Some(Early::NoGreeting) => (
                "connections that sent no SSH greeting in time",
                format!(
                    "sent no SSH greeting within {}s",
                    secs(options.handshake_timeout.min(options.auth_timeout))
                ),
            ),
            Some(Early::NoAuth) => (
                "connections that did not authenticate in time",
                format!(
                    "did not authenticate within {}s",
                    secs(options.auth_timeout)
                ),
            ),
            Some(Early::Dropped(why)) => (
                "connections dropped to make room",
                format!("dropped to make room: {why}"),
            ),
            Some(Early::Refused(full)) => (
                "connections refused after authenticating",
                format!("refused after authenticating: {full}"),
            ),
            None => match &result {
                Err(e) if !normal_close(e) => (
                    "connections that failed the handshake",
                    format!("failed: {e}"),
                ),
                _ => (
                    "connections that left before authenticating",
                    "left".to_string(),
                ),
            },
        };
        shared.throttle.note(kind, || {
            format!(
                "#{id} {peer} closed before authenticating after {:.1}s: {why}",
                conn.started.elapsed().as_secs_f64()
            )
        });
        drop(startup);
        return;
    }
    let mut line = format!(
        "#{id} {peer} closed after {:.1}s",
        conn.started.elapsed().as_secs_f64()
    );
    let who = conn.who();
    if !who.is_empty() {
        line.push_str(&format!(" {who}"));
    }
    if let Some((cols, rows)) = *lock(&conn.size) {
        line.push_str(&format!(" {cols}x{rows}"));
    }
    if let Some(end) = conn.end() {
        line.push_str(&format!(" ({})", end.as_str()));
    }
    if let Err(e) = result
        && !normal_close(&e)
        && conn.end() != Some(End::Stalled)
    {
        line.push_str(&format!(": {e}"));
    }
    options.log.line(&line);
    drop(session);
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
            conn.close_early(Early::NoAuth);
            let _ = tokio::time::timeout(
                Duration::from_secs(1),
                handle.disconnect(Disconnect::ByApplication, "authentication timed out".into(), String::new()),
            ).await;
            conn.switch.kill();
            return;
        }
        _ = conn.refused.wait() => {
            // The client was told why; let it close, then cut what is left.
            tokio::time::sleep(LINGER).await;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn be32(b: &[u8]) -> usize {
        u32::from_be_bytes(b[..4].try_into().unwrap()) as usize
    }

    #[test]
    fn a_refusal_is_our_identification_and_one_clear_text_disconnect() {
        for reason in ["", "too many sessions from your address; try again later"] {
            let bytes = refusal(reason);
            let end = bytes.windows(2).position(|w| w == b"\r\n").unwrap();
            assert_eq!(&bytes[..end], server_id().as_bytes());
            let packet = &bytes[end + 2..];
            let length = be32(packet);
            assert_eq!(packet.len(), 4 + length);
            assert_eq!(packet.len() % 8, 0, "whole blocks");
            let padding = packet[4] as usize;
            assert!((4..12).contains(&padding), "{padding}");
            let payload = &packet[5..4 + length - padding];
            assert_eq!(payload[0], 1, "SSH_MSG_DISCONNECT");
            assert_eq!(
                be32(&payload[1..]),
                12,
                "SSH_DISCONNECT_TOO_MANY_CONNECTIONS"
            );
            let n = be32(&payload[5..]);
            assert_eq!(&payload[9..9 + n], reason.as_bytes());
            assert_eq!(&payload[9 + n..], &[0, 0, 0, 0], "no language tag");
        }
    }
}
