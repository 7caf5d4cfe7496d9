//! `folio serve --refresh`: the real server fetches a feed from a loopback server every
//! interval and reads its folders again, and a connected reader sees the new articles appear
//! without reconnecting.

mod serve_support;

use std::fs;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::time::Duration;

use serve_support::{ServeProcess, Term, connect, run};

/// A loopback HTTP server answering every request with one JSON Feed item; stops with the
/// test process.
fn feed_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(100) {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let body = format!(
                r#"{{"version": "https://jsonfeed.org/version/1.1", "title": "Loopback",
                "items": [{{"id": "x1", "url": "http://127.0.0.1:{port}/x1",
                "title": "Fresh from the feed", "content_html": "<p>A body of the fresh item, long enough to read.</p>"}}]}}"#
            );
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/feed+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://127.0.0.1:{port}/feed.json")
}

#[test]
fn refresh_brings_new_articles_to_a_connected_reader() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("news");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("a.txt"), "First report\n\nThe first body.\n").unwrap();
    let config = home.path().join("config/folio/config.toml");
    fs::create_dir_all(config.parent().unwrap()).unwrap();
    fs::write(
        &config,
        format!(
            "[[feed]]\nurl = \"{}\"\nname = \"Loopback\"\n",
            feed_server()
        ),
    )
    .unwrap();
    let mut serve = ServeProcess::start(
        home.path(),
        &["--anonymous", "--refresh", "1s", dir.to_str().unwrap()],
        None,
    );
    run(Duration::from_secs(120), async {
        let client = connect(serve.addr).await;
        let term = Term::open(&client, 100, 30).await;
        term.wait_for("First report").await;
        // The feed's item, fetched on the first refresh, appears with no key pressed.
        term.wait_for("Fresh from the feed").await;
        // So does a file added to the folder served.
        fs::write(dir.join("b.txt"), "Second report\n\nThe second body.\n").unwrap();
        term.wait_for("b.txt").await;
        term.wait_for("Library (3)").await;
        // The reader still answers, its place kept: the first article is still selected.
        assert!(term.status().contains(" 1/3 "), "{}", term.status());
        term.send("q").await;
    });
    serve.wait_log("refreshed 1 feed:");
    serve.stop();
}

#[test]
fn a_bad_refresh_interval_is_a_clear_error() {
    for bad in ["30", "5x", "1.5h", "0s", "-3m"] {
        let out = Command::new(env!("CARGO_BIN_EXE_folio"))
            .args(["serve", "--anonymous", &format!("--refresh={bad}")])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--refresh"), "{bad}: {err}");
    }
}
