//! The real `folio serve` binary against what it cannot trust: file names, settings and user
//! names holding terminal controls and bidi overrides, and running out of file descriptors.
//! (The SSH client is russh; the OpenSSH client has its own tests.)

mod serve_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serve_support::{ServeProcess, Term, Trusting, auth_anonymous, client_config, run};

const PATIENCE: Duration = serve_support::PATIENCE;

/// Characters that must never reach a terminal raw: C0 controls but newline, DEL, C1 controls,
/// bidi embeddings, overrides, isolates and marks, and invisible format characters.
fn raw_controls(text: &str) -> Vec<String> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c,
                    '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200F}'
                    | '\u{061C}' | '\u{2060}' | '\u{FEFF}')
        })
        .map(|c| format!("U+{:04X}", c as u32))
        .collect()
}

#[test]
fn nothing_hostile_in_names_reaches_stderr_raw() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let hostile = "\u{202E}gpj\u{200B}\x1b[31m";
    let lib = home.join(format!("lib{hostile}"));
    std::fs::create_dir_all(&lib).unwrap();
    std::fs::write(lib.join("ok.txt"), "A title\n\nSome text to read.\n").unwrap();
    // A manifest entry for a file that is not there: a warning quoting its name.
    std::fs::write(
        lib.join("sources.toml"),
        "[[source]]\nfile = \"\\u202Eevil\\u001b]0;owned\\u0007\\u2066.txt\"\ntitle = \"x\"\n",
    )
    .unwrap();
    // Settings that do not fit: a warning naming the file.
    let config = home.join(format!("config{hostile}.toml"));
    std::fs::write(&config, "reader = 5\n").unwrap();
    let key = home.join(format!("host{hostile}key"));

    let mut serve = ServeProcess::start(
        home,
        &[
            "--anonymous".as_ref(),
            "--host-key".as_ref(),
            key.as_os_str(),
            "--config".as_ref(),
            config.as_os_str(),
            lib.as_os_str(),
        ],
        None,
    );
    // A user name with the same in it reaches the log (stderr, as there is no --log).
    run(Duration::from_secs(60), async {
        let mut client = russh::client::connect(Arc::new(client_config()), serve.addr, Trusting)
            .await
            .expect("connects");
        let auth = auth_anonymous(&mut client, format!("ro{hostile}ot\u{9b}2J"))
            .await
            .expect("anonymous login");
        assert!(auth);
        let term = Term::open(&client, 80, 24).await;
        term.wait_for("ok.txt").await;
        term.send("q").await;
        term.wait_event("the channel to close", |e| {
            *e == serve_support::Event::Close
        })
        .await;
    });
    serve.wait_log("(quit)");
    serve.stop();
    let bytes = serve.stderr_bytes();
    let text = String::from_utf8(bytes).expect("stderr is UTF-8");
    assert_eq!(raw_controls(&text), Vec::<String>::new(), "{text}");
    // Everything is still said, visibly.
    for shown in [
        "there is no article '<RLO>evil␛]0;owned␇<LRI>.txt'",
        "config<RLO>gpj<U+200B>␛[31m.toml",
        "host<RLO>gpj<U+200B>␛[31mkey, made now",
        "user=ro<RLO>gpj<U+200B>␛[31mot<U+009B>2J anonymous",
    ] {
        assert!(text.contains(shown), "{shown:?} not in:\n{text}");
    }
}

#[test]
fn out_of_file_descriptors_the_server_waits_without_spinning_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let serve = ServeProcess::start(
        dir.path(),
        &[
            "--anonymous".as_ref(),
            "--max-sessions".as_ref(),
            "100".as_ref(),
            "--max-per-address".as_ref(),
            "100".as_ref(),
            "--host-key".as_ref(),
            dir.path().join("key").as_os_str(),
        ],
        Some(40),
    );
    run(Duration::from_secs(120), async {
        // Readers until one cannot get in: every descriptor the server may open is a session.
        let mut sessions = Vec::new();
        loop {
            assert!(sessions.len() < 40, "never ran out:\n{}", serve.log());
            let attempt = tokio::time::timeout(Duration::from_secs(3), async {
                let client = serve_support::connect_with(serve.addr, client_config()).await?;
                Ok::<_, russh::Error>(client)
            })
            .await;
            let Ok(Ok(mut client)) = attempt else { break };
            if !auth_anonymous(&mut client, "reader").await.is_ok_and(|a| a) {
                break;
            }
            let term = Term::open(&client, 80, 24).await;
            term.wait_for("1/5 000_").await;
            sessions.push((client, term));
        }
        assert!(!sessions.is_empty(), "no session at all:\n{}", serve.log());
        serve.wait_log("accept failed");
        // Connections keep waiting in the kernel's queue while the server cannot accept them:
        // it must wait for descriptors, not spin on accept.
        let _waiting: Vec<_> = {
            let mut v = Vec::new();
            for _ in 0..5 {
                v.push(tokio::net::TcpStream::connect(serve.addr).await.unwrap());
            }
            v
        };
        let before = serve.cpu();
        tokio::time::sleep(Duration::from_secs(3)).await;
        let used = serve.cpu() - before;
        assert!(
            used < Duration::from_millis(1500),
            "the server used {used:?} of processor time in 3 s while out of descriptors"
        );
        // One line for the first failure, a count for the rest (another line per 10 s).
        let failures = serve.log().matches("accept failed").count();
        assert!(failures <= 3, "{failures} lines:\n{}", serve.log());
        // Readers leave; the server accepts again and a new reader gets in.
        for (_, term) in sessions.drain(..4.min(sessions.len())) {
            term.send("q").await;
            term.wait_event("the channel to close", |e| {
                *e == serve_support::Event::Close
            })
            .await;
        }
        drop(_waiting);
        let start = Instant::now();
        let mut client = loop {
            let attempt = tokio::time::timeout(
                Duration::from_secs(5),
                serve_support::connect_with(serve.addr, client_config()),
            )
            .await;
            if let Ok(Ok(client)) = attempt {
                break client;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "no reader got in again:\n{}",
                serve.log()
            );
        };
        assert!(auth_anonymous(&mut client, "reader").await.unwrap());
        let term = Term::open(&client, 80, 24).await;
        term.wait_for("1/5 000_").await;
    });
}
