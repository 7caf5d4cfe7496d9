//! Feeds end to end: the real `folio` binary fetching from a loopback HTTP server that this test
//! starts (127.0.0.1 only), with its config and data folders in a temporary home; OPML import
//! and export through the binary.
//!
//! The server is a few dozen lines over std's `TcpListener` rather than an HTTP crate: the
//! failures it must act out (never answering, a 100 MB body streamed until the client hangs up,
//! answering TLS with plain text) are below what an HTTP server library lets a handler do.

use std::collections::HashMap;
use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

mod support;

/// A request as the server saw it.
#[derive(Clone, Debug)]
struct Request {
    path: String,
    headers: HashMap<String, String>,
}

/// How the server answers.
enum Reply {
    /// A status, headers and a body (Content-Length is added).
    Full(u16, Vec<(&'static str, String)>, Vec<u8>),
    /// Nothing at all, for a while (bounded), then the connection is closed.
    Silent,
    /// A 200 with a body of `bytes` zeros streamed until the client hangs up; the length is
    /// declared in advance when `declared`.
    Huge { bytes: u64, declared: bool },
}

fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
    Reply::Full(
        200,
        vec![("Content-Type", content_type.into())],
        body.into(),
    )
}

fn redirect(to: &str) -> Reply {
    Reply::Full(302, vec![("Location", to.into())], Vec::new())
}

type Routes = dyn Fn(&Request) -> Reply + Send + Sync;

/// A loopback HTTP/1.1 server, one thread per connection, `Connection: close`. It stops when
/// dropped; each connection is bounded in time, and the server in connections.
struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<Request>>>,
}

const MAX_CONNECTIONS: usize = 500;
const SILENCE: Duration = Duration::from_secs(10);

impl Server {
    fn start(routes: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let routes: Arc<Routes> = Arc::new(routes);
        let (s, l) = (stop.clone(), log.clone());
        thread::spawn(move || {
            for stream in listener.incoming().take(MAX_CONNECTIONS) {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (routes, log, stop) = (routes.clone(), l.clone(), s.clone());
                thread::spawn(move || serve(stream, &*routes, &log, &stop));
            }
        });
        Server { port, stop, log }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn requests(&self, path: &str) -> Vec<Request> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(mut stream: TcpStream, routes: &Routes, log: &Mutex<Vec<Request>>, stop: &AtomicBool) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        if head.first() == Some(&0x16) {
            // A TLS handshake: answer in plain HTTP, as a misconfigured server would.
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
            return;
        }
        if head.len() > 64 * 1024 {
            return;
        }
    }
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.split("\r\n");
    let path = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or("/")
        .to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let request = Request { path, headers };
    log.lock().unwrap().push(request.clone());
    match routes(&request) {
        Reply::Full(status, headers, body) => {
            let mut out = format!("HTTP/1.1 {status} X\r\nConnection: close\r\n");
            for (k, v) in headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
            let _ = stream.write_all(out.as_bytes());
            let _ = stream.write_all(&body);
        }
        Reply::Silent => {
            let until = Instant::now() + SILENCE;
            while Instant::now() < until && !stop.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_millis(50));
            }
        }
        Reply::Huge { bytes, declared } => {
            let mut out = String::from(
                "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/rss+xml\r\n",
            );
            if declared {
                out.push_str(&format!("Content-Length: {bytes}\r\n"));
            }
            out.push_str("\r\n");
            if stream.write_all(out.as_bytes()).is_err() {
                return;
            }
            let chunk = vec![b' '; 64 * 1024];
            let mut sent = 0;
            while sent < bytes && !stop.load(Ordering::SeqCst) {
                if stream.write_all(&chunk).is_err() {
                    break;
                }
                sent += chunk.len() as u64;
            }
        }
    }
}

// ---- The feeds served -------------------------------------------------------------------------

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/feeds")
}

/// A feed from `tests/fixtures/feeds`, its links pointing at `base` (the server).
fn fixture(name: &str, base: &str) -> String {
    fs::read_to_string(fixtures().join(name))
        .unwrap()
        .replace("{base}", base)
}

/// "مقال كامل" and more, in windows-1256, as an older Arabic site serves it.
fn arabic_page_1256() -> Vec<u8> {
    let (bytes, _, _) = encoding_rs::WINDOWS_1256
        .encode("<html><head><title>صفحة</title></head><body><article><p>مقال كامل من الصفحة.</p></article></body></html>");
    bytes.into_owned()
}

/// The server of the good feeds (and the pages they link to).
fn good_routes(base: Arc<Mutex<String>>) -> impl Fn(&Request) -> Reply + Send + Sync + 'static {
    move |r: &Request| {
        let base = base.lock().unwrap().clone();
        match r.path.as_str() {
            "/en.rss" => {
                if r.headers.get("if-none-match").map(String::as_str) == Some("\"en-v1\"") {
                    Reply::Full(304, vec![("ETag", "\"en-v1\"".into())], Vec::new())
                } else {
                    Reply::Full(
                        200,
                        vec![
                            ("Content-Type", "application/rss+xml".into()),
                            ("ETag", "\"en-v1\"".into()),
                        ],
                        fixture("en.rss", &base).into_bytes(),
                    )
                }
            }
            "/ar.atom" => {
                let lm = "Mon, 30 Nov 2026 01:00:00 GMT";
                if r.headers.get("if-modified-since").map(String::as_str) == Some(lm) {
                    Reply::Full(304, Vec::new(), Vec::new())
                } else {
                    Reply::Full(
                        200,
                        vec![
                            ("Content-Type", "application/atom+xml".into()),
                            ("Last-Modified", lm.into()),
                        ],
                        fixture("ar.atom", &base).into_bytes(),
                    )
                }
            }
            "/feed.json" => ok("application/feed+json", fixture("feed.json", &base)),
            "/pages/en-1.html" => ok(
                "text/html; charset=utf-8",
                "<!DOCTYPE html><html><head><title>Page one</title></head><body><article><p>The whole page of story two.</p></article></body></html>",
            ),
            "/pages/ar-1.html" => ok("text/html; charset=windows-1256", arabic_page_1256()),
            _ => Reply::Full(404, Vec::new(), b"not here".to_vec()),
        }
    }
}

// ---- Running folio ----------------------------------------------------------------------------

/// A temporary home: config and data folders inside it.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("config/folio/config.toml")
    }

    fn write_config(&self, text: &str) {
        fs::create_dir_all(self.config().parent().unwrap()).unwrap();
        fs::write(self.config(), text).unwrap();
    }

    fn feeds(&self) -> PathBuf {
        self.dir.path().join("data/folio/feeds")
    }

    fn folio(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_folio"))
            .args(args)
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .output()
            .expect("run folio")
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn feed_entry(url: &str, name: &str) -> String {
    format!("[[feed]]\nurl = \"{url}\"\nname = \"{name}\"\n\n")
}

/// The `.html` files of a folder, by name, with their text.
fn items(folder: &Path) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn find<'a>(items: &'a [(String, String)], needle: &str) -> &'a str {
    &items
        .iter()
        .find(|(_, t)| t.contains(needle))
        .unwrap_or_else(|| panic!("no item holds {needle:?}: {items:#?}"))
        .1
}

// ---- Tests ------------------------------------------------------------------------------------

#[test]
fn fetch_stores_english_and_arabic_items_once_and_a_304_stores_nothing() {
    // The feeds link to pages on the server itself, whose port is known once it runs.
    let base = Arc::new(Mutex::new(String::new()));
    let server = Server::start(good_routes(base.clone()));
    *base.lock().unwrap() = server.url("");

    let home = Home::new();
    home.write_config(&format!(
        "{}{}{}",
        feed_entry(&server.url("/en.rss"), "Example News"),
        feed_entry(&server.url("/ar.atom"), "أخبار"),
        feed_entry(&server.url("/feed.json"), "JSON Example"),
    ));
    let out = home.folio(&["fetch"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("Example News: 3 new, 0 already stored"),
        "{stdout}"
    );
    assert!(
        stdout.contains("أخبار: 2 new, 0 already stored"),
        "{stdout}"
    );
    assert!(
        stdout.contains("JSON Example: 2 new, 0 already stored"),
        "{stdout}"
    );
    // The page that is gone: the summary is kept, and said so.
    assert!(
        stderr.contains("Example News: kept the summary:"),
        "{stderr}"
    );
    assert!(stderr.contains("HTTP 404"), "{stderr}");

    let en = items(&home.feeds().join("example-news"));
    assert_eq!(en.len(), 3, "{en:#?}");
    let full = find(&en, "The whole first story");
    assert!(
        full.contains("<title>Full story &amp; more</title>"),
        "{full}"
    );
    assert!(
        full.contains("<link rel=\"canonical\" href=\"http://127.0.0.1:"),
        "{full}"
    );
    assert!(
        full.contains("article:published_time\" content=\"2026-11-30T01:00:00+00:00\""),
        "{full}"
    );
    assert!(
        full.contains("<meta property=\"og:site_name\" content=\"Example News\">"),
        "{full}"
    );
    assert!(full.contains("<html lang=\"en\">"), "{full}");
    // A summary-only item holds the linked page, with the charset first in its head and the
    // feed's tags last, where they outweigh the page's.
    let paged = find(&en, "The whole page of story two.");
    assert!(
        paged.contains("<head>\n<meta charset=\"utf-8\">\n<title>Page one</title>"),
        "{paged}"
    );
    assert!(
        paged.contains("<link rel=\"canonical\" href=\"http://127.0.0.1:")
            && paged.find("<title>Page one</title>").unwrap()
                < paged.find("<title>Only a summary</title>").unwrap(),
        "{paged}"
    );
    assert!(
        find(&en, "Summary three stays.").contains("<title>A summary whose page is gone</title>")
    );

    let ar = items(&home.feeds().join("أخبار"));
    assert_eq!(ar.len(), 2, "{ar:#?}");
    let first = find(&ar, "هذا نص الخبر الأول كاملاً.");
    assert!(first.contains("<title>عنوان الخبر الأول</title>"), "{first}");
    assert!(
        first.contains("<meta name=\"author\" content=\"كاتب\">"),
        "{first}"
    );
    assert!(first.contains("<html lang=\"ar\">"), "{first}");
    // The windows-1256 page, stored as UTF-8, told the feed's language.
    let page = find(&ar, "مقال كامل من الصفحة.");
    assert!(page.contains("<title>خبر بملخص فقط</title>"), "{page}");
    assert!(page.starts_with("<html lang=\"ar\"><head>"), "{page}");

    let json = items(&home.feeds().join("json-example"));
    assert_eq!(json.len(), 2, "{json:#?}");
    assert!(find(&json, "<p>JSON body.</p>").contains("<title>A JSON item</title>"));
    let arabic = find(&json, "<p>نص عربي.</p>\n<p>فقرة ثانية.</p>");
    assert!(arabic.contains("<title>مقال بالعربية</title>"), "{arabic}");
    // feed-rs reads a JSON Feed's language for the whole feed only, not per item: this one
    // declares none.
    assert!(arabic.contains("<html>"), "{arabic}");

    let state: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(home.feeds().join("example-news/feed.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(state["etag"], "\"en-v1\"");
    assert!(state["last_error"].is_null());

    // Again: the RSS and Atom servers answer 304, the JSON one the same items; nothing new.
    let before: Vec<_> = [&en, &ar, &json].iter().map(|v| v.len()).collect();
    let out = home.folio(&["fetch"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("Example News: not modified"), "{stdout}");
    assert!(stdout.contains("أخبار: not modified"), "{stdout}");
    assert!(
        stdout.contains("JSON Example: 0 new, 2 already stored"),
        "{stdout}"
    );
    let en_again = server.requests("/en.rss");
    assert_eq!(en_again.len(), 2);
    assert_eq!(
        en_again[1].headers.get("if-none-match").map(String::as_str),
        Some("\"en-v1\"")
    );
    assert_eq!(
        server.requests("/ar.atom")[1]
            .headers
            .get("if-modified-since")
            .map(String::as_str),
        Some("Mon, 30 Nov 2026 01:00:00 GMT")
    );
    // Pages of stored items are not fetched again.
    assert_eq!(server.requests("/pages/en-1.html").len(), 1);
    let after: Vec<_> = ["example-news", "أخبار", "json-example"]
        .iter()
        .map(|f| items(&home.feeds().join(f)).len())
        .collect();
    assert_eq!(before, after);
    assert_eq!(
        items(&home.feeds().join("example-news")),
        en,
        "stored items unchanged"
    );
}

#[test]
fn every_failure_gets_one_line_and_the_other_feeds_still_fetch() {
    let server = Server::start(|r: &Request| match r.path.as_str() {
        "/good.rss" => ok(
            "application/rss+xml",
            "<rss version=\"2.0\"><channel><title>Good</title><item><title>Fine</title><guid>g1</guid><description>Fine item.</description><link>http://127.0.0.1:9/never</link></item></channel></rss>",
        ),
        "/error.rss" => Reply::Full(500, Vec::new(), b"oops".to_vec()),
        "/broken.rss" => ok(
            "application/rss+xml",
            "<rss><channel><item><title>x</channel>",
        ),
        "/page.html" => ok(
            "text/html",
            "<!DOCTYPE html><html><body>Welcome</body></html>",
        ),
        "/huge-declared" => Reply::Huge {
            bytes: 100 * 1024 * 1024,
            declared: true,
        },
        "/huge-streamed" => Reply::Huge {
            bytes: 100 * 1024 * 1024,
            declared: false,
        },
        "/loop-a" => redirect("/loop-b"),
        "/loop-b" => redirect("/loop-a"),
        p if p.starts_with("/hop/") => {
            let n: u32 = p[5..].parse().unwrap_or(0);
            redirect(&format!("/hop/{}", n + 1))
        }
        "/slow" => Reply::Silent,
        _ => Reply::Full(404, Vec::new(), Vec::new()),
    });
    // A port nothing listens on.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    // A host name the resolver refuses without asking the network (a label over 63 bytes).
    let bad_host = format!("http://{}.invalid/feed", "a".repeat(70));
    let feeds = [
        ("good", server.url("/good.rss")),
        ("dns", bad_host),
        ("refused", format!("http://127.0.0.1:{closed}/feed")),
        ("tls", format!("https://127.0.0.1:{}/good.rss", server.port)),
        ("notfound", server.url("/missing.rss")),
        ("error", server.url("/error.rss")),
        ("broken", server.url("/broken.rss")),
        ("page", server.url("/page.html")),
        ("declared", server.url("/huge-declared")),
        ("streamed", server.url("/huge-streamed")),
        ("loop", server.url("/loop-a")),
        ("hops", server.url("/hop/0")),
        ("slow", server.url("/slow")),
    ];
    let home = Home::new();
    home.write_config(
        &feeds
            .iter()
            .map(|(name, url)| feed_entry(url, name))
            .collect::<String>(),
    );
    let out = home.folio(&["fetch", "--timeout", "3"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("good: 1 new, 0 already stored"), "{stdout}");
    assert!(
        stdout.contains("13 feeds fetched, 1 new items, 12 failed"),
        "{stdout}"
    );

    let line = |name: &str| -> String {
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with(&format!("folio: {name}: ")))
            .collect();
        assert_eq!(lines.len(), 1, "one line for {name}:\n{stderr}");
        lines[0].to_string()
    };
    let expect = [
        ("dns", "host not found"),
        ("refused", "connection refused"),
        ("tls", "TLS"),
        ("notfound", "HTTP 404"),
        ("error", "HTTP 500"),
        ("broken", "not a feed"),
        ("page", "is a web page, not a feed"),
        ("declared", "larger than 16 MiB"),
        ("streamed", "larger than 16 MiB"),
        ("loop", "redirect loop"),
        ("hops", "more than 5 redirects"),
        // The client gave up: the server stays silent for 10 s, then hangs up.
        ("slow", "no complete answer within 3 s"),
    ];
    for (name, words) in expect {
        let l = line(name);
        assert!(l.contains(words), "{name}: {l}");
    }
    // Every line printable: no controls from the servers reach the terminal.
    assert!(
        !stderr.chars().any(|c| c.is_control() && c != '\n'),
        "{stderr:?}"
    );
    // The huge responses were not read whole.
    assert!(items(&home.feeds().join("good")).len() == 1);
    for failed in ["error", "broken", "slow"] {
        let state = fs::read_to_string(home.feeds().join(failed).join("feed.json")).unwrap();
        assert!(state.contains("last_error"), "{state}");
        assert!(items(&home.feeds().join(failed)).is_empty());
    }
}

#[test]
fn a_failed_fetch_leaves_earlier_items_intact() {
    let broken = Arc::new(AtomicBool::new(false));
    let b = broken.clone();
    let server = Server::start(move |r: &Request| {
        match (r.path.as_str(), b.load(Ordering::SeqCst)) {
        ("/flaky.rss", false) => Reply::Full(
            200,
            vec![("Content-Type", "application/rss+xml".into()), ("ETag", "\"v1\"".into())],
            b"<rss version=\"2.0\"><channel><title>F</title><item><title>One</title><guid>1</guid><content:encoded xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">&lt;p&gt;Kept.&lt;/p&gt;</content:encoded></item></channel></rss>".to_vec(),
        ),
        ("/flaky.rss", true) if r.headers.contains_key("if-none-match") => {
            ok("application/rss+xml", "<rss><channel><item><title>half")
        }
        _ => Reply::Full(500, Vec::new(), Vec::new()),
    }
    });
    let home = Home::new();
    home.write_config(&feed_entry(&server.url("/flaky.rss"), "Flaky"));
    let out = home.folio(&["fetch"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let folder = home.feeds().join("flaky");
    let before = items(&folder);
    assert_eq!(before.len(), 1);
    assert!(before[0].1.contains("<p>Kept.</p>"), "{before:?}");

    broken.store(true, Ordering::SeqCst);
    let out = home.folio(&["fetch"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("folio: Flaky: not a feed"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(items(&folder), before, "the stored item is as it was");
    let names: Vec<String> = fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.len(),
        2,
        "the item and feed.json, no temp files: {names:?}"
    );
    let state: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(folder.join("feed.json")).unwrap()).unwrap();
    assert_eq!(
        state["etag"], "\"v1\"",
        "the validators of the last good answer stay"
    );
    assert!(state["last_error"].as_str().unwrap().contains("not a feed"));
}

#[test]
fn opml_import_keeps_the_config_and_export_round_trips() {
    let home = Home::new();
    home.write_config("# my settings\n[reader]\nwidth = 72 # narrow\n\n[[feed]]\nurl = \"https://news.example/rss\"\nname = \"News\"\n");
    let opml = fixtures().join("subs.opml");
    let out = home.folio(&["import", opml.to_str().unwrap()]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("added الجزيرة (https://aljazeera.example/ar.xml)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("added Bits & Bytes (https://bits.example/atom)"),
        "{stdout}"
    );
    assert!(stdout.contains("2 feeds added to"), "{stdout}");
    assert!(stdout.contains("1 already there, 1 skipped"), "{stdout}");
    assert!(stderr.contains("skipped Local file: "), "{stderr}");
    let config = fs::read_to_string(home.config()).unwrap();
    assert!(
        config.starts_with("# my settings\n[reader]\nwidth = 72 # narrow\n"),
        "{config}"
    );

    // Importing again adds nothing and leaves the file as it is.
    let out = home.folio(&["import", opml.to_str().unwrap()]);
    assert!(
        text(&out.stdout).contains("0 feeds added"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(fs::read_to_string(home.config()).unwrap(), config);

    // Export, import the export into an empty config, export again: the same document.
    let exported = home.folio(&["export"]);
    assert!(exported.status.success());
    let exported = text(&exported.stdout);
    assert!(
        exported.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">"),
        "{exported}"
    );
    assert!(exported.contains("text=\"Bits &amp; Bytes\""), "{exported}");
    let again = Home::new();
    let file = again.dir.path().join("out.opml");
    fs::write(&file, &exported).unwrap();
    let out = again.folio(&["import", file.to_str().unwrap()]);
    assert!(
        text(&out.stdout).contains("3 feeds added"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(text(&again.folio(&["export"]).stdout), exported);

    // What is not OPML is refused, and the config is not touched.
    let bad = home.dir.path().join("bad.opml");
    fs::write(&bad, "<html><body>no</body></html>").unwrap();
    let out = home.folio(&["import", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not an OPML file"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(fs::read_to_string(home.config()).unwrap(), config);
}

#[test]
fn fetch_without_feeds_says_how_to_add_them() {
    let home = Home::new();
    let out = home.folio(&["fetch"]);
    assert!(out.status.success());
    assert!(
        text(&out.stderr).contains("folio import FILE.opml"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn at_most_two_requests_reach_one_host_at_once() {
    // Each feed's answer waits until a second request is in flight (or two seconds pass), so a
    // client that asked one at a time shows as 1 and one that asked three at once as 3.
    let in_flight = Arc::new(Mutex::new((0usize, 0usize)));
    let counts = in_flight.clone();
    let server = Server::start(move |r: &Request| {
        if !r.path.starts_with("/f/") {
            return Reply::Full(404, Vec::new(), Vec::new());
        }
        {
            let mut c = counts.lock().unwrap();
            c.0 += 1;
            c.1 = c.1.max(c.0);
        }
        let until = Instant::now() + Duration::from_secs(2);
        while counts.lock().unwrap().0 < 2 && Instant::now() < until {
            thread::sleep(Duration::from_millis(10));
        }
        thread::sleep(Duration::from_millis(100));
        counts.lock().unwrap().0 -= 1;
        ok(
            "application/rss+xml",
            format!(
                "<rss version=\"2.0\"><channel><title>t</title><item><title>i</title><guid>{}</guid><description>&lt;p&gt;x&lt;/p&gt;</description></item></channel></rss>",
                r.path
            ),
        )
    });
    let home = Home::new();
    home.write_config(
        &(0..6)
            .map(|i| feed_entry(&server.url(&format!("/f/{i}")), &format!("feed {i}")))
            .collect::<String>(),
    );
    let out = home.folio(&["fetch"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(server.requests("/f/0").len(), 1);
    let (now, most) = *in_flight.lock().unwrap();
    assert_eq!(now, 0);
    assert_eq!(most, 2, "requests to one host at once");
}

/// The fetch key in the reader: progress on the status line while a slow feed is fetched,
/// keys still answered meanwhile, the failure in the messages view, the new items listed.
#[test]
fn the_fetch_key_fetches_in_the_background_and_lists_the_new_items() {
    let base = Arc::new(Mutex::new(String::new()));
    let good = good_routes(base.clone());
    let slow_base = base.clone();
    let server = Server::start(move |r: &Request| {
        if r.path == "/slow.json" {
            thread::sleep(Duration::from_millis(2500));
            let base = slow_base.lock().unwrap().clone();
            return ok("application/feed+json", fixture("feed.json", &base));
        }
        good(r)
    });
    *base.lock().unwrap() = server.url("");
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config/folio/config.toml");
    fs::create_dir_all(config.parent().unwrap()).unwrap();
    fs::write(
        &config,
        format!(
            "{}{}{}",
            feed_entry(&server.url("/en.rss"), "Example News"),
            feed_entry(&server.url("/missing.rss"), "Missing"),
            feed_entry(&server.url("/slow.json"), "Slow JSON"),
        ),
    )
    .unwrap();
    // With no PATH, folio opens the configured feeds: none fetched yet.
    let mut pty = support::Pty::spawn_with(&[], 100, 30, home, &[]);
    pty.wait_for("Library (0)");
    assert!(pty.screen().contains("not fetched yet"), "{}", pty.screen());
    pty.send("F");
    pty.wait_for("Fetching 2/3 feeds");
    // Keys still work meanwhile: the help opens and closes.
    pty.send("?");
    pty.wait_for("Keys (any key closes)");
    pty.send("?");
    pty.wait_until("the help closed", |s| !s.contains("Keys (any key closes)"));
    let screen = pty.wait_for("Fetched 3 feeds: 5 new items; 1 failed");
    assert!(screen.contains("Library (5)"), "{screen}");
    assert!(screen.contains("Full story & more"), "{screen}");
    assert!(screen.contains("A JSON item"), "{screen}");
    // The items are in their feeds' sources, with their counts; the feed that failed is
    // still waiting for its first fetch.
    let rows = pty.rows();
    let header = |name: &str| rows.iter().find(|r| r.contains(name)).cloned();
    let news = header("Example News").expect("the feed's header");
    assert!(!news.contains("0/0"), "{screen}");
    assert!(
        header("Missing").is_some_and(|r| r.contains("0/0")),
        "{screen}"
    );
    pty.send(":");
    pty.wait_for("Missing: ");
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}
