//! `folio serve` through an SSH client (russh), with the server in this process on a loopback
//! port: sessions, refusals, authentication and limits. The session's output is read through a
//! terminal emulator, as the user would see it.

mod serve_support;

use std::time::{Duration, Instant};

use folio::serve::{Access, fingerprint};
use serve_support::*;

const SEED_003: &str = "4/5 003_9421ad859a52f834.txt";

#[test]
fn a_session_reads_keys_resizes_and_quits_to_an_intact_terminal() {
    let server = TestServer::anonymous();
    run(Duration::from_secs(120), async {
        let client = connect(server.addr).await;
        let term = Term::open(&client, 80, 24).await;
        term.wait_for("1/5 000_").await;
        term.with_screen(|s| assert!(s.alternate_screen(), "draws on the alternate screen"));
        assert!(
            term.status().trim_end().ends_with("? help"),
            "{}",
            term.status()
        );

        term.send("4").await;
        term.wait_for(SEED_003).await;
        term.send("}").await;
        term.wait_until("the Arabic section", has_arabic).await;

        // Every key of a packet counts: four lines down in one write.
        term.send("l").await;
        term.send("g").await;
        term.wait_until("the top", |_| term.status().contains(" lines 1-"))
            .await;
        term.send("jjjj").await;
        term.wait_until("four lines down", |_| term.status().contains(" lines 5-"))
            .await;

        // A lone ESC is the Esc key: it closes the help overlay.
        term.send("?").await;
        term.wait_for("Keys (any key closes)").await;
        term.send("\x1b").await;
        term.wait_until("help to close", |s| !s.contains("Keys (any key closes)"))
            .await;

        // Keys that do nothing are not logged.
        term.send("XKCD").await;
        term.wait_until("a message for D", |_| {
            term.status().contains("D does nothing")
        })
        .await;

        term.resize(100, 30).await;
        term.wait_until("the status line at 100×30", |_| {
            let rows = term.rows();
            rows.len() == 30 && rows[29].trim_end().ends_with("? help") && rows[0].ends_with('╮')
        })
        .await;

        term.send("q").await;
        term.wait_event("the channel to close", |e| *e == Event::Close)
            .await;
        assert!(
            term.events().contains(&Event::ExitStatus(0)),
            "{:?}",
            term.events()
        );
        term.with_screen(|s| {
            assert!(!s.alternate_screen(), "left the alternate screen");
            assert!(!s.hide_cursor(), "cursor shown again");
        });
        let out = String::from_utf8_lossy(&term.output()).into_owned();
        assert!(out.contains("\x1b[8l"), "explicit bidi mode set");
        assert!(
            out.rfind("\x1b[8h") > out.rfind("\x1b[8l"),
            "bidi mode reset"
        );
    });
    let log = server.wait_log_blocking("(quit)");
    assert!(log.contains("user=reader anonymous"), "{log}");
    assert!(log.contains("reader started 80x24"), "{log}");
    assert!(log.contains("closed after"), "{log}");
    assert!(log.contains("(quit)"), "{log}");
    assert!(
        !log.contains("XKCD"),
        "keystrokes must not be logged:\n{log}"
    );
}

#[test]
fn commands_subsystems_forwarding_agent_and_x11_are_refused() {
    let server = TestServer::anonymous();
    run(Duration::from_secs(120), async {
        let client = connect(server.addr).await;

        let mut exec = Term::channel(&client, 80, 24).await;
        exec.write.exec(true, "cat /etc/passwd").await.unwrap();
        assert_eq!(exec.next_reply().await, Event::Failure, "exec refused");
        let events = exec
            .wait_event("a line saying why", |e| matches!(e, Event::Stderr(_)))
            .await;
        assert!(
            events
                .iter()
                .any(|e| matches!(e, Event::Stderr(s) if s.contains("runs no commands"))),
            "{events:?}"
        );
        drop(exec);

        // One session channel per connection: the rest on fresh connections.
        let client = connect(server.addr).await;
        let mut sftp = Term::channel(&client, 80, 24).await;
        sftp.write.request_subsystem(true, "sftp").await.unwrap();
        assert_eq!(sftp.next_reply().await, Event::Failure, "sftp refused");
        sftp.write.agent_forward(true).await.unwrap();
        assert_eq!(
            sftp.next_reply().await,
            Event::Failure,
            "agent forwarding refused"
        );
        sftp.write
            .request_x11(true, false, "MIT-MAGIC-COOKIE-1", "00", 0)
            .await
            .unwrap();
        assert_eq!(
            sftp.next_reply().await,
            Event::Failure,
            "X11 forwarding refused"
        );

        let direct = client
            .channel_open_direct_tcpip("127.0.0.1", 22, "127.0.0.1", 5555)
            .await;
        assert!(direct.is_err(), "direct-tcpip refused");
        let remote = client.tcpip_forward("127.0.0.1", 0).await;
        assert!(remote.is_err(), "tcpip-forward refused");

        // The connection survives all that and still serves the reader.
        let client = connect(server.addr).await;
        let term = Term::open(&client, 80, 24).await;
        term.wait_for("1/5 000_").await;
    });
    let log = server.log();
    for refusal in [
        "refused a command (exec)",
        "refused subsystem sftp",
        "refused agent forwarding",
        "refused X11 forwarding",
        "refused port forwarding (direct-tcpip)",
        "refused remote port forwarding (tcpip-forward)",
    ] {
        assert!(log.contains(refusal), "{refusal:?} not in the log:\n{log}");
    }
    assert!(
        !log.contains("/etc/passwd"),
        "commands are not logged:\n{log}"
    );
}

#[test]
fn a_shell_without_a_pty_is_refused_with_a_message() {
    let server = TestServer::anonymous();
    run(Duration::from_secs(60), async {
        let client = connect(server.addr).await;
        let mut term = Term::channel(&client, 80, 24).await;
        term.write.request_shell(true).await.unwrap();
        assert_eq!(term.next_reply().await, Event::Failure);
        let events = term
            .wait_event("the channel to close", |e| *e == Event::Close)
            .await;
        assert!(
            events
                .iter()
                .any(|e| matches!(e, Event::Stderr(s) if s.contains("ssh -t"))),
            "{events:?}"
        );
    });
    assert!(server.log().contains("refused a shell without a pty"));
}

#[test]
fn only_keys_in_authorized_keys_get_in() {
    let allowed = test_key();
    let stranger = test_key();
    let (options, log) = options(Access::Keys(vec![allowed.public_key().clone()]));
    let server = TestServer::start(options, log);
    run(Duration::from_secs(60), async {
        let mut client = connect_with(server.addr, client_config()).await.unwrap();
        let none = client.authenticate_none("reader").await.unwrap();
        assert!(
            !none.success(),
            "no anonymous access with --authorized-keys"
        );
        assert!(
            !auth_key(&mut client, stranger.clone()).await,
            "a key not in the file is rejected"
        );
        assert!(
            auth_key(&mut client, allowed.clone()).await,
            "the listed key gets in"
        );
        let term = Term::open(&client, 80, 24).await;
        term.wait_for("1/5 000_").await;
    });
    let log = server.log();
    assert!(
        log.contains(&format!(
            "rejected key {}",
            fingerprint(stranger.public_key())
        )),
        "{log}"
    );
    assert!(
        log.contains(&format!("key={}", fingerprint(allowed.public_key()))),
        "{log}"
    );
}

#[test]
fn served_sessions_start_no_editor_or_pager() {
    let server = TestServer::anonymous();
    run(Duration::from_secs(60), async {
        let client = connect(server.addr).await;
        let term = Term::open(&client, 80, 24).await;
        term.wait_for("1/5 000_").await;
        let before = child_processes();
        term.send("l").await;
        // e (editor) and o (pager) on the open article: refused with a message; nothing starts
        // and the reader carries on.
        for key in ["e", "o"] {
            term.send(key).await;
            term.wait_until("the refusal", |_| {
                term.status().contains("disabled on this server")
            })
            .await;
            assert_eq!(child_processes(), before, "{key} started no process");
            term.with_screen(|s| assert!(s.alternate_screen(), "the reader is still up"));
            assert!(
                !term.events().contains(&Event::Close),
                "the session is still open"
            );
            term.send("2").await;
            term.wait_for("2/5 001_").await;
            term.send("1").await;
            term.wait_for("1/5 000_").await;
        }
    });
}

#[test]
fn a_hundred_sessions_all_get_their_first_frame() {
    const SESSIONS: usize = 100;
    let (mut options, log) = options(Access::Anonymous);
    options.max_sessions = SESSIONS + 10;
    options.max_per_address = SESSIONS + 10;
    let server = TestServer::start(options, log);
    let addr = server.addr;
    run(Duration::from_secs(240), async {
        let mut tasks = Vec::new();
        for _ in 0..SESSIONS {
            tasks.push(tokio::spawn(async move {
                let client = connect(addr).await;
                let term = Term::open(&client, 80, 24).await;
                term.wait_for("1/5 000_").await;
                (client, term)
            }));
        }
        let mut sessions = Vec::new();
        for t in tasks {
            sessions.push(t.await.expect("a session got its first frame"));
        }
        assert_eq!(sessions.len(), SESSIONS);
        assert_eq!(server.open_connections(), SESSIONS);
        // Each has its own reader state.
        sessions[0].1.send("3").await;
        sessions[0].1.wait_for("3/5 002_").await;
        assert!(sessions[1].1.screen().contains("1/5 000_"));
        for (_, term) in &sessions {
            term.send("q").await;
        }
        for (_, term) in &sessions {
            term.wait_event("the channel to close", |e| *e == Event::Close)
                .await;
        }
        drop(sessions);
        server.wait_connections(0).await;
    });
}

#[test]
fn a_client_that_stops_reading_is_dropped_and_others_are_still_served() {
    let (mut options, log) = options(Access::Anonymous);
    options.stall_timeout = Duration::from_secs(2);
    let server = TestServer::start(options, log);
    run(Duration::from_secs(120), async {
        let healthy = connect(server.addr).await;
        let healthy = Term::open(&healthy, 80, 24).await;
        healthy.wait_for("1/5 000_").await;

        // A small window: the server may send little before the client must take it.
        let proxy = StallingProxy::start(server.addr).await;
        let config = russh::client::Config {
            window_size: 32 * 1024,
            ..client_config()
        };
        let stalled_client = connect_as(proxy.addr, config).await;
        let stalled = Term::open(&stalled_client, 120, 40).await;
        stalled.wait_for("1/5 000_").await;
        proxy.stop_reading();

        // Make the server draw full screens for a client that takes none of them.
        let start = Instant::now();
        let mut n = 0u32;
        while !server.log().contains("took no output") {
            assert!(
                start.elapsed() < PATIENCE,
                "never dropped:\n{}",
                server.log()
            );
            if n < 200 {
                let cols = if n.is_multiple_of(2) { 121 } else { 120 };
                if stalled.write.window_change(cols, 40, 0, 0).await.is_err() {
                    n = 200;
                }
                n += 1;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        server.wait_connections(1).await;

        // The other reader never noticed.
        healthy.send("5").await;
        healthy.wait_for("5/5 004_").await;
        // And newcomers are served.
        let fresh = connect(server.addr).await;
        let fresh = Term::open(&fresh, 80, 24).await;
        fresh.wait_for("1/5 000_").await;
    });
    let log = server.log();
    assert!(log.contains("(client stopped reading)"), "{log}");
}

#[test]
fn a_client_whose_tcp_connection_stops_draining_is_cut_even_with_a_huge_window() {
    // Here the client grants a window far larger than the socket buffers, so the server's
    // writes stop at the TCP level: the connection must be cut, not politely closed.
    let (mut options, log) = options(Access::Anonymous);
    options.stall_timeout = Duration::from_secs(2);
    let server = TestServer::start(options, log);
    run(Duration::from_secs(120), async {
        let proxy = StallingProxy::start(server.addr).await;
        let config = russh::client::Config {
            window_size: 1 << 30,
            ..client_config()
        };
        let client = connect_as(proxy.addr, config).await;
        let term = Term::open(&client, 500, 200).await;
        term.wait_for("1/5 000_").await;
        proxy.stop_reading();
        let start = Instant::now();
        let mut n = 0u32;
        while !server.log().contains("took no output") {
            assert!(
                start.elapsed() < PATIENCE,
                "never dropped:\n{}",
                server.log()
            );
            if n < 400 {
                let cols = if n.is_multiple_of(2) { 499 } else { 500 };
                if term.write.window_change(cols, 200, 0, 0).await.is_err() {
                    n = 400;
                }
                n += 1;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        server.wait_connections(0).await;
        let fresh = connect(server.addr).await;
        let fresh = Term::open(&fresh, 80, 24).await;
        fresh.wait_for("1/5 000_").await;
    });
}

#[test]
fn a_huge_paste_and_a_flood_of_keys_leave_the_reader_responsive() {
    let server = TestServer::anonymous();
    run(Duration::from_secs(120), async {
        let client = connect(server.addr).await;
        let term = Term::open(&client, 80, 24).await;
        term.wait_for("1/5 000_").await;
        // A bracketed paste of a megabyte of q: nothing in it is a key.
        let mut paste = b"\x1b[200~".to_vec();
        paste.extend(std::iter::repeat_n(b'q', 1 << 20));
        paste.extend(b"\x1b[201~");
        term.write.data_bytes(paste).await.unwrap();
        term.send("3").await;
        term.wait_for("3/5 002_").await;
        assert!(
            !term.events().contains(&Event::Close),
            "the paste did not quit"
        );
        // Half a megabyte of keys (x does nothing but say so): the reader takes what it has
        // room for, drops the rest, and stays responsive.
        term.write
            .data_bytes(b"x".repeat(512 * 1024))
            .await
            .unwrap();
        // Keys past the queue's room are dropped, so press until it shows.
        let start = Instant::now();
        while !term.screen().contains("5/5 004_") {
            assert!(
                start.elapsed() < PATIENCE,
                "unresponsive:\n{}",
                term.screen()
            );
            term.send("5").await;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        term.send("q").await;
        term.wait_event("the channel to close", |e| *e == Event::Close)
            .await;
    });
}

#[test]
fn huge_pty_requests_are_clamped() {
    let server = TestServer::anonymous();
    run(Duration::from_secs(120), async {
        let client = connect(server.addr).await;
        let mut term = Term::channel(&client, 500, 200).await;
        term.write
            .request_pty(true, "xterm", 65535, 65535, 0, 0, &[])
            .await
            .unwrap();
        assert_eq!(term.next_reply().await, Event::Success);
        term.write.request_shell(true).await.unwrap();
        assert_eq!(term.next_reply().await, Event::Success);
        term.wait_until("a 500×200 frame", |_| {
            let rows = term.rows();
            rows[199].trim_end().ends_with("? help")
        })
        .await;
        term.write.window_change(70000, 0, 0, 0).await.unwrap();
        term.resize(500, 24).await;
        term.wait_until("a 500×24 frame", |_| {
            term.rows()[23].trim_end().ends_with("? help")
        })
        .await;
        // The server is fine and serves others.
        let other = connect(server.addr).await;
        let other = Term::open(&other, 80, 24).await;
        other.wait_for("1/5 000_").await;
    });
    assert!(server.log().contains("reader started 500x200"));
}

#[test]
fn an_idle_reader_is_closed_with_a_message() {
    let (mut options, log) = options(Access::Anonymous);
    options.idle_timeout = Duration::from_secs(3);
    let server = TestServer::start(options, log);
    run(Duration::from_secs(60), async {
        let client = connect(server.addr).await;
        let term = Term::open(&client, 80, 24).await;
        term.wait_for("1/5 000_").await;
        // Input resets the clock: 2 s after a key, 3.5 s after the start, still open.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        term.send("2").await;
        let pressed = Instant::now();
        term.wait_for("2/5 001_").await;
        tokio::time::sleep(Duration::from_secs(2).saturating_sub(pressed.elapsed())).await;
        assert!(
            !term.events().contains(&Event::Close),
            "closed despite input"
        );
        term.wait_event("the channel to close", |e| *e == Event::Close)
            .await;
        term.with_screen(|s| assert!(!s.alternate_screen()));
        assert!(
            term.screen().contains("folio: closed after"),
            "{}",
            term.screen()
        );
    });
    server.wait_log_blocking("(idle)");
}

#[test]
fn shutdown_says_goodbye_to_every_reader() {
    let mut server = TestServer::anonymous();
    run(Duration::from_secs(60), async {
        let a = connect(server.addr).await;
        let a = Term::open(&a, 80, 24).await;
        let b = connect(server.addr).await;
        let b = Term::open(&b, 90, 20).await;
        a.wait_for("1/5 000_").await;
        b.wait_for("1/5 000_").await;
        let start = Instant::now();
        tokio::task::block_in_place(|| server.shutdown());
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "shutdown is bounded"
        );
        for term in [&a, &b] {
            term.wait_event("the channel to close", |e| *e == Event::Close)
                .await;
            term.with_screen(|s| assert!(!s.alternate_screen()));
            assert!(term.screen().contains("shutting down"), "{}", term.screen());
        }
    });
}

#[test]
fn connections_are_capped_per_address() {
    let (mut options, log) = options(Access::Anonymous);
    options.max_per_address = 2;
    let server = TestServer::start(options, log);
    run(Duration::from_secs(60), async {
        let _a = connect(server.addr).await;
        let _b = connect(server.addr).await;
        let third = connect_with(server.addr, client_config()).await;
        assert!(
            third.is_err(),
            "a third connection from one address is refused"
        );
    });
    assert!(
        server
            .log()
            .contains("connections are open from this address"),
        "{}",
        server.log()
    );
}

#[test]
fn a_client_must_authenticate_in_time() {
    let (mut options, log) = options(Access::Keys(vec![test_key().public_key().clone()]));
    options.auth_timeout = Duration::from_secs(1);
    let server = TestServer::start(options, log);
    run(Duration::from_secs(60), async {
        // Silent after connecting: not even an SSH greeting.
        let mut silent = tokio::net::TcpStream::connect(server.addr).await.unwrap();
        // Through the handshake, then never authenticating.
        let idle = connect_with(server.addr, client_config()).await.unwrap();
        let start = Instant::now();
        let mut buf = [0u8; 256];
        loop {
            use tokio::io::AsyncReadExt;
            match tokio::time::timeout(PATIENCE, silent.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break,
                Ok(Ok(_)) => continue,
                Err(_) => panic!("the silent connection was never closed"),
            }
        }
        assert!(start.elapsed() < Duration::from_secs(10));
        while !idle.is_closed() {
            assert!(
                start.elapsed() < PATIENCE,
                "the unauthenticated client was never closed"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        server.wait_connections(0).await;
    });
    let log = server.log();
    assert!(
        log.contains("did not authenticate within 1s") || log.contains("no SSH greeting"),
        "{log}"
    );
}

#[test]
fn a_paste_fills_the_search_prompt_and_never_acts_as_keys() {
    let server = TestServer::anonymous();
    run(Duration::from_secs(60), async {
        let client = connect(server.addr).await;
        let term = Term::open(&client, 100, 30).await;
        term.wait_for("1/5 000_").await;
        term.send("4l/").await;
        term.wait_until("the search prompt", |_| term.status().starts_with("/"))
            .await;
        // A paste with a `q` in it: it must not quit, only fill the prompt.
        term.send("\x1b[200~غزة q\x1b[201~").await;
        term.send("\x7f\x7f\r").await;
        term.wait_until("the pasted search to run", |_| {
            term.status().contains("Match 1/")
        })
        .await;
        assert!(
            !term.events().contains(&Event::Close),
            "the paste did not quit"
        );
        term.send("q").await;
        term.wait_event("the channel to close", |e| *e == Event::Close)
            .await;
    });
}

/// Open `n` TCP connections that never say anything.
async fn silent_sockets(addr: std::net::SocketAddr, n: usize) -> Vec<tokio::net::TcpStream> {
    let mut sockets = Vec::with_capacity(n);
    for _ in 0..n {
        sockets.push(
            tokio::net::TcpStream::connect(addr)
                .await
                .expect("a TCP connection"),
        );
    }
    sockets
}

#[test]
fn five_hundred_silent_connections_do_not_keep_a_reader_out() {
    // Room for the 500 sockets on both ends, in this one process.
    raise_fd_limit(2048);
    // Per-address caps high enough that the server-wide cap on unauthenticated connections is
    // what holds them, as it would with 500 addresses.
    let (mut options, log) = options(Access::Anonymous);
    options.max_per_address = 1000;
    let server = TestServer::start(options, log);
    run(Duration::from_secs(120), async {
        let silent = silent_sockets(server.addr, 500).await;
        // Let the server take them all in, so the reader comes after every one of them.
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(
            server.startups() <= 128,
            "{} unauthenticated connections held",
            server.startups()
        );
        let start = Instant::now();
        let client = connect(server.addr).await;
        let term = Term::open(&client, 80, 24).await;
        term.wait_for("1/5 000_").await;
        // A deadlock guard for a loaded machine, not the target (see benches/serve_load.rs).
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the first frame took {:?}",
            start.elapsed()
        );
        assert_eq!(server.open_sessions(), 1);
        drop(silent);
    });
    // Hundreds of connections were dropped; the log says so in a few lines, not hundreds.
    let log = server.log();
    assert!(log.contains("dropped to make room"), "{log}");
    assert!(
        log.lines().count() < 20,
        "{} lines:\n{log}",
        log.lines().count()
    );
}

#[test]
fn silent_connections_do_not_lock_their_address_out() {
    // The default caps: 8 sessions from one address.
    let server = TestServer::anonymous();
    run(Duration::from_secs(60), async {
        let mut silent = silent_sockets(server.addr, 8).await;
        let start = Instant::now();
        while server.startups() < 8 {
            assert!(start.elapsed() < PATIENCE, "the server never took them in");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let first = connect(server.addr).await;
        let first = Term::open(&first, 80, 24).await;
        first.wait_for("1/5 000_").await;
        // Nor do many more, however many are opened again.
        silent.extend(silent_sockets(server.addr, 40).await);
        let second = connect(server.addr).await;
        let second = Term::open(&second, 80, 24).await;
        second.wait_for("1/5 000_").await;
        assert_eq!(server.open_sessions(), 2);
        assert!(server.startups() <= 16, "{}", server.startups());
        drop(silent);
    });
}

#[test]
fn a_client_refused_a_session_is_told_why() {
    let (mut options, log) = options(Access::Anonymous);
    options.max_per_address = 1;
    let server = TestServer::start(options, log);
    run(Duration::from_secs(60), async {
        // Through the handshake before the address's one session is taken...
        let (late, told) = connect_told(server.addr).await;
        let mut late = late.expect("the handshake");
        let first = connect(server.addr).await;
        // ...it authenticates, and is told why it cannot read.
        let _ = auth_anonymous(&mut late, "reader").await;
        let reason = wait_told(&told).await;
        assert_eq!(
            reason,
            "too many sessions from your address; try again later"
        );
        // Later ones are told at once, without a handshake.
        let (refused, told) = connect_told(server.addr).await;
        assert!(refused.is_err(), "refused");
        assert_eq!(
            wait_told(&told).await,
            "too many sessions from your address; try again later"
        );
        // The one in reads on.
        let term = Term::open(&first, 80, 24).await;
        term.wait_for("1/5 000_").await;
        server.wait_connections(1).await;
    });
    server.wait_log_blocking(
        "refused after authenticating: 1 connections are open from this address",
    );

    let (mut one, log) = serve_support::options(Access::Anonymous);
    one.max_sessions = 1;
    let server = TestServer::start(one, log);
    run(Duration::from_secs(60), async {
        let _first = connect(server.addr).await;
        let (refused, told) = connect_told(server.addr).await;
        assert!(refused.is_err(), "refused");
        assert_eq!(
            wait_told(&told).await,
            "the server is full; try again later"
        );
    });
}

#[test]
fn reader_threads_end_with_their_clients_and_keep_their_place_until_then() {
    let server = TestServer::anonymous();
    run(Duration::from_secs(120), async {
        for _ in 0..3 {
            let mut sessions = Vec::new();
            for _ in 0..4 {
                let client = connect(server.addr).await;
                let term = Term::open(&client, 200, 60).await;
                term.wait_for("1/5 000_").await;
                term.send("4l").await;
                sessions.push((client, term));
            }
            assert_eq!(server.reader_threads(), 4);
            // Keep the readers busy laying out, then leave without a word.
            for (_, term) in &sessions {
                for cols in [500, 301, 499, 302] {
                    let _ = term.write.window_change(cols, 200, 0, 0).await;
                }
            }
            drop(sessions);
            // Until its reader thread has ended, a session keeps its place.
            let start = Instant::now();
            loop {
                let open = server.open_sessions();
                let readers = server.reader_threads();
                assert!(
                    open > 0 || readers == 0,
                    "{readers} reader threads run with no session counted"
                );
                if open == 0 {
                    break;
                }
                assert!(
                    start.elapsed() < PATIENCE,
                    "{open} sessions still open; log:\n{}",
                    server.log()
                );
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    });
}

#[test]
fn a_storm_of_window_changes_is_not_input_and_is_closed_when_idle() {
    let (mut options, log) = options(Access::Anonymous);
    options.idle_timeout = Duration::from_secs(2);
    let server = TestServer::start(options, log);
    run(Duration::from_secs(60), async {
        let client = connect(server.addr).await;
        let term = Term::open(&client, 100, 30).await;
        term.wait_for("1/5 000_").await;
        term.send("4l").await;
        term.wait_for(SEED_003).await;
        // Window changes to ever new widths for three times the idle timeout, and no keys.
        let mut sent = 0;
        for i in 0..200u32 {
            if term.events().contains(&Event::Close) {
                break;
            }
            let cols = 60 + (i * 37) % 440;
            if term.write.window_change(cols, 40, 0, 0).await.is_err() {
                break;
            }
            sent += 1;
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        term.wait_event("the channel to close", |e| *e == Event::Close)
            .await;
        assert!(
            sent < 200,
            "the storm kept the reader open: it closed only after all {sent} window changes"
        );
        let out = String::from_utf8_lossy(&term.output()).into_owned();
        assert!(
            out.contains("folio: closed after 2 s without input"),
            "{out}"
        );
    });
    server.wait_log_blocking("(idle)");
}
