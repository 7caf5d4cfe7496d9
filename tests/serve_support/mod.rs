//! Helpers for the `folio serve` tests: a server in this process on a loopback port, an SSH
//! client (russh) whose session output is read through a terminal emulator, and a few tools to
//! misbehave as clients do.

#![allow(dead_code)]

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use folio::config::Settings;
use folio::library;
use folio::serve::{Access, Content, Log, Options, Server};
use russh::client::{self, DisconnectReason, Handle};
use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use russh::{ChannelMsg, ChannelWriteHalf};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

mod process;
#[allow(unused_imports)] // Not every test binary starts the real server.
pub use process::ServeProcess;

/// How long to wait for anything before failing: a deadlock guard for slow shared machines,
/// not a speed target.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A runtime for the clients of one test.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Run a test's client side, failing if it takes longer than `limit`.
pub fn run<F: Future<Output = ()>>(limit: Duration, test: F) {
    runtime().block_on(async {
        tokio::time::timeout(limit, test)
            .await
            .expect("the test finished in time");
    });
}

/// A distinct ed25519 key for each call (not secret: tests only).
pub fn test_key() -> PrivateKey {
    static NEXT: AtomicU8 = AtomicU8::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    PrivateKey::from(Ed25519Keypair::from_seed(&[n; 32]))
}

/// Options for a server on a free loopback port, logging into memory.
pub fn options(access: Access) -> (Options, Arc<Mutex<Vec<u8>>>) {
    let (log, buf) = Log::memory();
    let mut options = Options::new("127.0.0.1:0".parse().unwrap(), access, test_key());
    options.log = log;
    (options, buf)
}

/// A server in this process, and what it logged.
pub struct TestServer {
    pub server: Option<Server>,
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<u8>>>,
}

impl TestServer {
    pub fn start(options: Options, log: Arc<Mutex<Vec<u8>>>) -> TestServer {
        let content = Content {
            library: Arc::new(library::load_seeds()),
            settings: Settings::defaults(),
        };
        let server = Server::start(options, content).expect("the server starts");
        let addr = server.local_addr();
        TestServer {
            server: Some(server),
            addr,
            log,
        }
    }

    pub fn anonymous() -> TestServer {
        let (options, log) = options(Access::Anonymous);
        TestServer::start(options, log)
    }

    pub fn log(&self) -> String {
        String::from_utf8_lossy(&self.log.lock().unwrap()).into_owned()
    }

    pub fn open_connections(&self) -> usize {
        self.server.as_ref().map_or(0, |s| s.open_connections())
    }

    pub fn open_sessions(&self) -> usize {
        self.server.as_ref().map_or(0, |s| s.open_sessions())
    }

    pub fn startups(&self) -> usize {
        self.server.as_ref().map_or(0, |s| s.startups())
    }

    pub fn reader_threads(&self) -> usize {
        self.server.as_ref().map_or(0, |s| s.reader_threads())
    }

    /// Wait until the log has a line containing `text`.
    pub async fn wait_log(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let log = self.log();
            if log.contains(text) {
                return log;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "waited for {text:?} in the log:\n{log}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Wait, blocking this thread, until the log has a line containing `text`.
    pub fn wait_log_blocking(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let log = self.log();
            if log.contains(text) {
                return log;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "waited for {text:?} in the log:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Wait until `n` connections are open.
    pub async fn wait_connections(&self, n: usize) {
        let start = Instant::now();
        while self.open_connections() != n {
            assert!(
                start.elapsed() < PATIENCE,
                "waited for {n} open connections; {} are open; log:\n{}",
                self.open_connections(),
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn shutdown(&mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A client that trusts any host key (these tests check the server, not the client).
pub struct Trusting;

impl client::Handler for Trusting {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        _key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

pub type Client = Handle<Trusting>;

/// A client that keeps what the server said when it disconnected.
pub struct Told(pub Arc<Mutex<Option<String>>>);

impl client::Handler for Told {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        _key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(true)
    }

    async fn disconnected(
        &mut self,
        reason: DisconnectReason<Self::Error>,
    ) -> Result<(), Self::Error> {
        match reason {
            DisconnectReason::ReceivedDisconnect(info) => {
                *self.0.lock().unwrap() = Some(info.message);
                Ok(())
            }
            DisconnectReason::Error(e) => Err(e),
        }
    }
}

/// Connect without authenticating, keeping the reason the server gives if it disconnects.
pub async fn connect_told(
    addr: SocketAddr,
) -> (
    Result<Handle<Told>, russh::Error>,
    Arc<Mutex<Option<String>>>,
) {
    let told = Arc::new(Mutex::new(None));
    let client = client::connect(Arc::new(client_config()), addr, Told(told.clone())).await;
    (client, told)
}

/// Wait until the server has said why it disconnected.
pub async fn wait_told(told: &Mutex<Option<String>>) -> String {
    let start = Instant::now();
    loop {
        if let Some(reason) = told.lock().unwrap().clone() {
            return reason;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "the server never said why it disconnected"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Make room for `n` open files in this process (its soft limit, up to the hard one).
pub fn raise_fd_limit(n: u64) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct we pass.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        if limit.rlim_cur < n {
            limit.rlim_cur = n.min(limit.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
    }
    assert!(
        limit.rlim_cur >= n,
        "this test needs {n} open files; the limit is {}",
        limit.rlim_cur
    );
}

pub fn client_config() -> client::Config {
    client::Config {
        inactivity_timeout: Some(Duration::from_secs(120)),
        nodelay: true,
        ..Default::default()
    }
}

/// Connect without authenticating.
pub async fn connect_with(
    addr: SocketAddr,
    config: client::Config,
) -> Result<Client, russh::Error> {
    client::connect(Arc::new(config), addr, Trusting).await
}

/// Connect and log in anonymously as `reader`.
pub async fn connect(addr: SocketAddr) -> Client {
    connect_as(addr, client_config()).await
}

pub async fn connect_as(addr: SocketAddr, config: client::Config) -> Client {
    let mut client = connect_with(addr, config).await.expect("connects");
    assert!(
        auth_anonymous(&mut client, "reader")
            .await
            .expect("keyboard-interactive runs"),
        "anonymous login refused"
    );
    client
}

/// Log in without a key as `user`, the way an anonymous server lets readers in
/// (keyboard-interactive, asked nothing); whether the server let us in.
pub async fn auth_anonymous<H: client::Handler>(
    client: &mut Handle<H>,
    user: impl Into<String>,
) -> Result<bool, russh::Error> {
    let reply = client
        .authenticate_keyboard_interactive_start(user, None::<String>)
        .await?;
    Ok(matches!(
        reply,
        client::KeyboardInteractiveAuthResponse::Success
    ))
}

/// Authenticate with `key`; whether the server let us in.
pub async fn auth_key(client: &mut Client, key: PrivateKey) -> bool {
    let key = PrivateKeyWithHashAlg::new(Arc::new(key), None);
    client
        .authenticate_publickey("reader", key)
        .await
        .expect("the publickey exchange runs")
        .success()
}

/// What the server said on a channel, besides screen output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Success,
    Failure,
    Stderr(String),
    ExitStatus(u32),
    Eof,
    Close,
}

/// A session channel whose output is fed to a terminal emulator.
pub struct Term {
    pub write: ChannelWriteHalf<client::Msg>,
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    events: Arc<Mutex<Vec<Event>>>,
    seen: usize,
    reader: JoinHandle<()>,
}

impl Term {
    /// Open a session channel (no pty yet).
    pub async fn channel(client: &Client, cols: u16, rows: u16) -> Term {
        let channel = client
            .channel_open_session()
            .await
            .expect("a session channel");
        let (mut read, write) = channel.split();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(nz(rows), nz(cols), 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let events = Arc::new(Mutex::new(Vec::new()));
        let reader = {
            let (parser, raw, events) = (parser.clone(), raw.clone(), events.clone());
            tokio::spawn(async move {
                while let Some(msg) = read.wait().await {
                    let event = match msg {
                        ChannelMsg::Data { data } => {
                            parser.lock().unwrap().process(&data);
                            raw.lock().unwrap().extend_from_slice(&data);
                            continue;
                        }
                        ChannelMsg::ExtendedData { data, .. } => {
                            Event::Stderr(String::from_utf8_lossy(&data).into_owned())
                        }
                        ChannelMsg::Success => Event::Success,
                        ChannelMsg::Failure => Event::Failure,
                        ChannelMsg::ExitStatus { exit_status } => Event::ExitStatus(exit_status),
                        ChannelMsg::Eof => Event::Eof,
                        ChannelMsg::Close => Event::Close,
                        _ => continue,
                    };
                    events.lock().unwrap().push(event);
                }
            })
        };
        Term {
            write,
            parser,
            raw,
            events,
            seen: 0,
            reader,
        }
    }

    /// Open a session with a `cols`×`rows` pty and a shell: the reader.
    pub async fn open(client: &Client, cols: u16, rows: u16) -> Term {
        let mut term = Term::channel(client, cols, rows).await;
        term.write
            .request_pty(true, "xterm-256color", cols as u32, rows as u32, 0, 0, &[])
            .await
            .expect("pty request sent");
        assert_eq!(term.next_reply().await, Event::Success, "pty granted");
        term.write
            .request_shell(true)
            .await
            .expect("shell request sent");
        assert_eq!(term.next_reply().await, Event::Success, "shell granted");
        term
    }

    /// The next success or failure reply.
    pub async fn next_reply(&mut self) -> Event {
        let start = Instant::now();
        loop {
            let events = self.events.lock().unwrap().clone();
            if let Some((i, e)) = events
                .iter()
                .enumerate()
                .skip(self.seen)
                .find(|(_, e)| matches!(e, Event::Success | Event::Failure))
            {
                self.seen = i + 1;
                return e.clone();
            }
            assert!(start.elapsed() < PATIENCE, "no reply; events: {events:?}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub fn events(&self) -> Vec<Event> {
        self.events.lock().unwrap().clone()
    }

    /// Wait until an event satisfies `ok`.
    pub async fn wait_event(&self, what: &str, ok: impl Fn(&Event) -> bool) -> Vec<Event> {
        let start = Instant::now();
        loop {
            let events = self.events();
            if events.iter().any(&ok) {
                return events;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "waited for {what}; events: {events:?}; screen:\n{}",
                self.screen()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Type `keys` in one packet.
    pub async fn send(&self, keys: &str) {
        self.write
            .data_bytes(keys.as_bytes().to_vec())
            .await
            .expect("keys sent");
    }

    pub async fn resize(&self, cols: u16, rows: u16) {
        self.parser
            .lock()
            .unwrap()
            .screen_mut()
            .set_size(nz(rows), nz(cols));
        self.write
            .window_change(cols as u32, rows as u32, 0, 0)
            .await
            .expect("window change sent");
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    pub fn rows(&self) -> Vec<String> {
        let p = self.parser.lock().unwrap();
        let (_, cols) = p.screen().size();
        p.screen().rows(0, cols.get()).collect()
    }

    pub fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        f(self.parser.lock().unwrap().screen())
    }

    /// Everything the server wrote to the channel.
    pub fn output(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }

    pub fn output_len(&self) -> usize {
        self.raw.lock().unwrap().len()
    }

    pub async fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "waited for {what}; the screen shows:\n{screen}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub async fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text))
            .await
    }

    /// The status line (last row).
    pub fn status(&self) -> String {
        self.rows().last().cloned().unwrap_or_default()
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// Whether the text has Arabic letters (in any form, shaped or not).
pub fn has_arabic(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{0600}'..='\u{06FF}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}'))
}

/// A TCP relay to `target` that can stop reading from the server while still passing the
/// client's bytes on: the server sees a client that no longer reads.
pub struct StallingProxy {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    task: JoinHandle<()>,
}

impl StallingProxy {
    pub async fn start(target: SocketAddr) -> StallingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let task = tokio::spawn(async move {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let server = TcpStream::connect(target).await.unwrap();
            let (mut client_read, mut client_write) = client.into_split();
            let (mut server_read, mut server_write) = server.into_split();
            let up = tokio::spawn(async move {
                let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
            });
            let mut buf = vec![0u8; 4096];
            loop {
                if flag.load(Ordering::SeqCst) {
                    // Hold the socket open and never read again.
                    std::future::pending::<()>().await;
                }
                match tokio::time::timeout(Duration::from_millis(20), server_read.read(&mut buf))
                    .await
                {
                    Ok(Ok(0)) | Ok(Err(_)) => break,
                    Ok(Ok(n)) => {
                        if client_write.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    Err(_) => {}
                }
            }
            up.abort();
        });
        StallingProxy { addr, stop, task }
    }

    /// From now on, read nothing more from the server.
    pub fn stop_reading(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

impl Drop for StallingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Child processes of this process (an editor or pager started by a served reader would be one).
pub fn child_processes() -> Vec<String> {
    let mut children = Vec::new();
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        for task in tasks.flatten() {
            if let Ok(list) = std::fs::read_to_string(task.path().join("children")) {
                children.extend(list.split_whitespace().map(String::from));
            }
        }
    }
    children
}

fn nz(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n.max(1)).expect("not zero")
}
