//! Load benchmark for `folio serve`: many readers at once over SSH on loopback.
//!
//! Starts the real `folio serve` binary, opens `FOLIO_LOAD_SESSIONS` (default 100) sessions
//! with 80×24 ptys from this process, and reports:
//! - the server's resident memory (VmRSS from its /proc status) before and with the sessions
//!   open, and per session;
//! - how long the sessions took to get their first frame;
//! - key-to-frame latency (p50, p99, max) over `FOLIO_LOAD_ROUNDS` (default 30) rounds in which
//!   every session presses a key at the same moment and waits for the frame it causes;
//! - the server's peak memory while `FOLIO_LOAD_STALLED` (default 20) clients stop reading and
//!   are sent full-screen redraws anyway, and how long until all of them are dropped (the
//!   server runs with a 3 s stall timeout);
//! - with `FOLIO_LOAD_SILENT` (default 500) TCP connections open that never say anything (on a
//!   fresh server with its default caps), how long a new reader takes to get its first frame;
//! - the server's resident and peak memory (VmRSS, VmHWM) before and after one reader, in a
//!   1 MiB article (the Arabic and English seed, repeated), is sent `FOLIO_LOAD_STORM` (default
//!   200) window changes to ever new widths, one every 10 ms, and no keys (on a fresh server).
//!
//! `FOLIO_LOAD_PARTS` picks what runs: any of `load`, `silent`, `storm`, comma-separated (all by
//! default). `FOLIO_LOAD_BIN` names another folio binary to measure instead of this build's (to
//! compare with an older build). Run with `cargo bench --bench serve_load`. Not a test: nothing here passes or
//! fails.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use russh::client::{self, Handle};
use russh::keys::PublicKeyOrCertificate;
use russh::{ChannelMsg, ChannelWriteHalf};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The end of a frame: folio wraps every frame in synchronized output.
const FRAME_END: &[u8] = b"\x1b[?2026l";

struct Trusting;

impl client::Handler for Trusting {
    type Error = russh::Error;

    async fn check_server_key(&mut self, _: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

/// One reader session: its key writer and a count of frames received.
struct Reader {
    _client: Handle<Trusting>,
    write: ChannelWriteHalf<client::Msg>,
    frames: watch::Receiver<u64>,
}

impl Reader {
    async fn open(addr: SocketAddr) -> Result<Reader, russh::Error> {
        let config = Arc::new(client::Config {
            nodelay: true,
            inactivity_timeout: Some(Duration::from_secs(300)),
            ..Default::default()
        });
        let mut client = client::connect(config, addr, Trusting).await?;
        // As an anonymous server lets readers in: keyboard-interactive, asked nothing.
        let auth = client
            .authenticate_keyboard_interactive_start("bench", None::<String>)
            .await?;
        if !matches!(auth, client::KeyboardInteractiveAuthResponse::Success) {
            return Err(russh::Error::NotAuthenticated);
        }
        let channel = client.channel_open_session().await?;
        let (mut read, write) = channel.split();
        write
            .request_pty(false, "xterm-256color", 80, 24, 0, 0, &[])
            .await?;
        write.request_shell(false).await?;
        let (tx, frames) = watch::channel(0u64);
        tokio::spawn(async move {
            let mut tail: Vec<u8> = Vec::new();
            let mut count = 0u64;
            while let Some(msg) = read.wait().await {
                if let ChannelMsg::Data { data } = msg {
                    tail.extend_from_slice(&data);
                    let found = tail
                        .windows(FRAME_END.len())
                        .filter(|w| *w == FRAME_END)
                        .count();
                    if found > 0 {
                        count += found as u64;
                        let _ = tx.send(count);
                    }
                    let keep = tail.len().min(FRAME_END.len() - 1);
                    tail.drain(..tail.len() - keep);
                }
            }
        });
        Ok(Reader {
            _client: client,
            write,
            frames,
        })
    }

    /// Wait until at least `n` frames have arrived.
    async fn wait_frames(&mut self, n: u64) {
        let _ =
            tokio::time::timeout(Duration::from_secs(60), self.frames.wait_for(|&c| c >= n)).await;
    }

    /// Press `key`; how long until the frame it causes arrives.
    async fn press(&mut self, key: &str) -> Duration {
        let before = *self.frames.borrow();
        let start = Instant::now();
        let _ = self.write.data_bytes(key.as_bytes().to_vec()).await;
        self.wait_frames(before + 1).await;
        start.elapsed()
    }
}

/// A TCP relay to `target` that stops reading from the server once `stop` is set, while still
/// passing the client's bytes on: to the server, a client that stopped reading.
async fn stalling_proxy(target: SocketAddr, stop: watch::Receiver<bool>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let Ok((client, _)) = listener.accept().await else {
            return;
        };
        let Ok(server) = TcpStream::connect(target).await else {
            return;
        };
        let (mut client_read, mut client_write) = client.into_split();
        let (mut server_read, mut server_write) = server.into_split();
        tokio::spawn(async move {
            let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
        });
        let mut buf = vec![0u8; 4096];
        loop {
            if *stop.borrow() {
                // Keep the socket, never read again; ends with the runtime.
                std::future::pending::<()>().await;
            }
            match tokio::time::timeout(Duration::from_millis(20), server_read.read(&mut buf)).await
            {
                Ok(Ok(0)) | Ok(Err(_)) => return,
                Ok(Ok(n)) => {
                    if client_write.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                }
                Err(_) => {}
            }
        }
    });
    addr
}

fn rss_kib(pid: u32) -> u64 {
    status_kib(pid, "VmRSS:")
}

/// A memory figure (in KiB) from the process's /proc status, such as `VmHWM:`.
fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `folio serve` with room for `connections` readers, or its default caps if `None`.
fn start_server(dir: &std::path::Path, connections: Option<usize>) -> (Child, SocketAddr) {
    start_serving(dir, connections, &[])
}

/// [`start_server`] serving `paths` instead of the seeds.
fn start_serving(
    dir: &std::path::Path,
    connections: Option<usize>,
    paths: &[std::path::PathBuf],
) -> (Child, SocketAddr) {
    let bin =
        std::env::var_os("FOLIO_LOAD_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_folio").into());
    let mut command = Command::new(bin);
    command.args(["serve", "--anonymous", "--listen", "127.0.0.1:0"]);
    if let Some(n) = connections {
        let limit = (n + 10).to_string();
        command.args(["--max-sessions", &limit, "--max-per-address", &limit]);
    }
    let mut child = command
        .args(["--stall-timeout", "3"])
        .arg("--host-key")
        .arg(dir.join("host_ed25519"))
        .arg("--log")
        .arg(dir.join("log"))
        .args(paths)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start folio serve");
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut addr = None;
    for line in stderr.by_ref() {
        let Ok(line) = line else { break };
        if let Some(a) = line.strip_prefix("folio: listening on ") {
            addr = Some(a.trim().parse().expect("an address"));
            break;
        }
    }
    // Keep draining what the server says, so it never writes into a closed pipe.
    std::thread::spawn(move || stderr.for_each(drop));
    (child, addr.expect("folio serve listens"))
}

fn main() {
    // `cargo test --benches` runs this without `--bench`: nothing to measure then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("serve_load: run with `cargo bench --bench serve_load`");
        return;
    }
    let parts = std::env::var("FOLIO_LOAD_PARTS").unwrap_or_else(|_| "load,silent,storm".into());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    for part in parts.split(',') {
        match part.trim() {
            "load" => load(&runtime),
            "silent" => silent(&runtime, env_usize("FOLIO_LOAD_SILENT", 500)),
            "storm" => storm(&runtime, env_usize("FOLIO_LOAD_STORM", 200)),
            other => eprintln!("serve_load: no part {other:?} (load, silent, storm)"),
        }
    }
}

/// Stop the server we started.
fn stop(mut server: Child) {
    // SAFETY: kill(2) on the child we started, with a valid signal.
    unsafe { libc::kill(server.id() as libc::pid_t, libc::SIGTERM) };
    let _ = server.wait();
}

/// Many readers at once, then clients that stop reading.
fn load(runtime: &tokio::runtime::Runtime) {
    let sessions = env_usize("FOLIO_LOAD_SESSIONS", 100);
    let rounds = env_usize("FOLIO_LOAD_ROUNDS", 30);
    let stalled = env_usize("FOLIO_LOAD_STALLED", 20);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (server, addr) = start_server(dir.path(), Some(sessions + stalled));
    let pid = server.id();

    runtime.block_on(async {
        // One session first, so the server's one-time costs are not counted per session.
        {
            let mut warm = Reader::open(addr).await.expect("a warm-up session");
            warm.wait_frames(1).await;
            let _ = warm.write.data_bytes(b"q".to_vec()).await;
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
        let rss_before = rss_kib(pid);

        let start = Instant::now();
        let opened: Vec<_> = (0..sessions)
            .map(|_| {
                tokio::spawn(async move {
                    let t = Instant::now();
                    let mut r = Reader::open(addr).await?;
                    r.wait_frames(1).await;
                    Ok::<_, russh::Error>((r, t.elapsed()))
                })
            })
            .collect();
        let mut readers = Vec::new();
        let mut first_frame = Vec::new();
        for task in opened {
            match task.await.expect("the task ran") {
                Ok((r, t)) => {
                    readers.push(r);
                    first_frame.push(t);
                }
                Err(e) => eprintln!("a session failed: {e}"),
            }
        }
        let all_open = start.elapsed();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let rss_open = rss_kib(pid);

        // Into the reading column, so j and k scroll.
        for r in &mut readers {
            r.press("l").await;
        }
        let mut latencies = Vec::with_capacity(rounds * readers.len());
        for round in 0..rounds {
            let key = if round % 2 == 0 { "j" } else { "k" };
            let tasks: Vec<_> = readers
                .drain(..)
                .map(|mut r| {
                    tokio::spawn(async move {
                        let d = r.press(key).await;
                        (r, d)
                    })
                })
                .collect();
            for t in tasks {
                let (r, d) = t.await.expect("the task ran");
                readers.push(r);
                latencies.push(d);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let rss_loaded = rss_kib(pid);
        latencies.sort();
        first_frame.sort();

        let n = readers.len();
        for r in &readers {
            let _ = r.write.data_bytes(b"q".to_vec()).await;
        }
        drop(readers);
        tokio::time::sleep(Duration::from_secs(4)).await;
        let rss_closed = rss_kib(pid);

        // Clients that stop reading while the server keeps drawing for them.
        let (stop, stop_rx) = watch::channel(false);
        let mut slow = Vec::new();
        for _ in 0..stalled {
            let proxy = stalling_proxy(addr, stop_rx.clone()).await;
            if let Ok(mut r) = Reader::open(proxy).await {
                r.wait_frames(1).await;
                slow.push(r);
            }
        }
        let stalled_open = slow.len();
        let _ = stop.send(true);
        let stall_start = Instant::now();
        let mut rss_peak = rss_kib(pid);
        let mut dropped_after = None;
        // Each client asks for a redraw every 10 ms; a client whose own writes back up (the
        // server stopped reading it once it was cut) just stops asking.
        const REDRAWS: u32 = 400;
        let senders: Vec<_> = slow
            .drain(..)
            .map(|r| {
                tokio::spawn(async move {
                    for i in 0..REDRAWS {
                        let cols = if i % 2 == 0 { 121 } else { 120 };
                        let sent = tokio::time::timeout(
                            Duration::from_secs(1),
                            r.write.window_change(cols, 40, 0, 0),
                        )
                        .await;
                        if !matches!(sent, Ok(Ok(()))) {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                    r
                })
            })
            .collect();
        while stall_start.elapsed() < Duration::from_secs(30) {
            tokio::time::sleep(Duration::from_millis(100)).await;
            rss_peak = rss_peak.max(rss_kib(pid));
            let log = std::fs::read_to_string(dir.path().join("log")).unwrap_or_default();
            if log.matches("took no output").count() >= stalled_open {
                dropped_after = Some(stall_start.elapsed());
                break;
            }
        }
        for s in senders {
            if let Ok(r) = s.await {
                slow.push(r);
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        let rss_after_stall = rss_kib(pid);
        drop(slow);

        println!("folio serve load: {n} of {sessions} sessions, 80x24, loopback");
        println!(
            "  all sessions had their first frame after {} (per session: p50 {}, max {})",
            ms(all_open),
            ms(percentile(&first_frame, 0.5)),
            ms(percentile(&first_frame, 1.0)),
        );
        println!(
            "  server RSS: {rss_before} KiB before, {rss_open} KiB with {n} open, \
             {rss_loaded} KiB after the key rounds, {rss_closed} KiB after they closed"
        );
        if n > 0 {
            println!(
                "  server memory per session: {:.0} KiB",
                rss_open.saturating_sub(rss_before) as f64 / n as f64
            );
        }
        println!(
            "  key-to-frame latency over {} presses ({rounds} rounds, all sessions at once): \
             p50 {}, p99 {}, max {}",
            latencies.len(),
            ms(percentile(&latencies, 0.5)),
            ms(percentile(&latencies, 0.99)),
            ms(percentile(&latencies, 1.0)),
        );
        println!(
            "  {stalled_open} clients that stopped reading, sent {REDRAWS} redraws each at 120x40: \
             server RSS peak {rss_peak} KiB ({} KiB above the idle server), {rss_after_stall} KiB \
             after; all dropped {}",
            rss_peak.saturating_sub(rss_closed),
            match dropped_after {
                Some(d) => format!(
                    "{:.1} s after they stopped reading (stall timeout 3 s)",
                    d.as_secs_f64()
                ),
                None => "— not all within the wait".to_string(),
            }
        );
    });

    stop(server);
}

/// Make room for `n` open files in this process.
fn raise_fd_limit(n: u64) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct we pass.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < n {
            limit.rlim_cur = n.min(limit.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// How long a reader takes to get its first frame while `n` silent connections are open.
fn silent(runtime: &tokio::runtime::Runtime, n: usize) {
    raise_fd_limit(n as u64 + 256);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (server, addr) = start_server(dir.path(), None);
    runtime.block_on(async {
        // The server's one-time costs first.
        let quiet = {
            let t = Instant::now();
            let mut r = Reader::open(addr).await.expect("a first reader");
            r.wait_frames(1).await;
            let _ = r.write.data_bytes(b"q".to_vec()).await;
            t.elapsed()
        };
        tokio::time::sleep(Duration::from_secs(1)).await;
        let mut sockets = Vec::with_capacity(n);
        for _ in 0..n {
            match TcpStream::connect(addr).await {
                Ok(s) => sockets.push(s),
                Err(e) => {
                    eprintln!("a silent connection failed: {e}");
                    break;
                }
            }
        }
        // Let the server take every one of them in before the reader comes.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let mut times = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            match Reader::open(addr).await {
                Ok(mut r) => {
                    r.wait_frames(1).await;
                    times.push(t.elapsed());
                    let _ = r.write.data_bytes(b"q".to_vec()).await;
                }
                Err(e) => eprintln!("the reader could not get in: {e}"),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        times.sort();
        println!(
            "folio serve with {} silent connections open (default caps): a reader's first frame \
             in p50 {}, max {} over {} readers (with none open: {})",
            sockets.len(),
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 1.0)),
            times.len(),
            ms(quiet),
        );
        drop(sockets);
    });
    stop(server);
}

/// Memory before and after a storm of window changes on one reader in a large article.
fn storm(runtime: &tokio::runtime::Runtime, n: usize) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let seed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/seeds/003_9421ad859a52f834.txt"
    ))
    .expect("the Arabic and English seed");
    let articles = dir.path().join("articles");
    std::fs::create_dir_all(&articles).unwrap();
    let big = seed.repeat((1 << 20) / seed.len() + 1);
    std::fs::write(articles.join("big.txt"), &big).unwrap();
    let (server, addr) = start_serving(dir.path(), None, &[articles]);
    let pid = server.id();
    runtime.block_on(async {
        let mut r = Reader::open(addr).await.expect("a reader");
        r.wait_frames(1).await;
        // Into the reading column.
        r.press("l").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (rss_before, hwm_before) = (rss_kib(pid), status_kib(pid, "VmHWM:"));
        let frames_before = *r.frames.borrow();
        let start = Instant::now();
        for i in 0..n as u32 {
            let cols = 60 + (i * 37) % 440;
            let _ = r.write.window_change(cols, 50, 0, 0).await;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let sent = start.elapsed();
        let frames = *r.frames.borrow() - frames_before;
        // How long until the reader, busy with what the storm gave it, answers a key.
        let answer = r.press("j").await;
        let (rss_after, hwm_after) = (rss_kib(pid), status_kib(pid, "VmHWM:"));
        println!(
            "folio serve, {n} window changes (60..500 columns x 50 rows, one per 10 ms) in {} on \
             one reader in a {} KiB article, no keys: {frames} frames drawn meanwhile; a key \
             pressed after the storm was answered {} later; server VmRSS {rss_before} KiB \
             before, {rss_after} KiB after; VmHWM {hwm_before} KiB before, {hwm_after} KiB \
             after",
            ms(sent),
            big.len() / 1024,
            ms(answer),
        );
        let _ = r.write.data_bytes(b"q".to_vec()).await;
    });
    stop(server);
}
