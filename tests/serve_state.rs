//! `folio serve` keeps a key's reading state between sessions: through an SSH client (russh),
//! with the server in this process on a loopback port and its data folder in a temporary one.

mod serve_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use folio::library;
use folio::serve::Access;
use folio::serve::state::key_folder_name;
use folio::store::Store;
use russh::keys::PrivateKey;
use serve_support::*;

const SEED_000: &str = "1/5 000_";
const SEED_003: &str = "4/5 003_";

/// A server that lets anyone in (with any key, or none), keeping readers' state under `data`.
fn server(data: &Path) -> TestServer {
    let (mut options, log) = options(Access::Anonymous);
    options.data = Some(data.to_path_buf());
    TestServer::start(options, log)
}

/// A reader: authenticated with `key`, or anonymously with none.
async fn reader(server: &TestServer, key: Option<&PrivateKey>) -> (Client, Term) {
    let client = match key {
        Some(key) => {
            let mut client = connect_with(server.addr, client_config()).await.unwrap();
            assert!(auth_key(&mut client, key.clone()).await, "key accepted");
            client
        }
        None => connect(server.addr).await,
    };
    let term = Term::open(&client, 80, 24).await;
    wait_status(&term, "? help").await;
    (client, term)
}

/// Quit and wait for the channel to close: the reader has saved by then.
async fn quit(term: Term) {
    term.send("q").await;
    term.wait_event("the channel to close", |e| *e == Event::Close)
        .await;
}

/// Wait for the status line to contain `text`.
async fn wait_status(term: &Term, text: &str) {
    term.wait_until(&format!("{text:?} in the status line"), |_| {
        term.status().contains(text)
    })
    .await;
}

/// Add a bookmark where the reader is, and wait until it says so.
async fn bookmark(term: &Term) {
    term.send("m").await;
    wait_status(term, "Bookmarked").await;
}

fn state_file(data: &Path, key: &PrivateKey) -> PathBuf {
    data.join("serve/readers")
        .join(key_folder_name(key.public_key()))
        .join("state.json")
}

/// The excerpts of the bookmarks kept on disk for `key`, in article order.
fn kept_excerpts(data: &Path, key: &PrivateKey) -> Vec<String> {
    let (store, warning) = Store::open(state_file(data, key));
    assert!(warning.is_none(), "{warning:?}");
    store
        .state
        .articles
        .values()
        .flat_map(|a| a.bookmarks.iter().map(|b| b.excerpt.clone()))
        .collect()
}

/// The first few words of an excerpt, as a picker row shows them.
fn opening(excerpt: &str) -> String {
    excerpt.chars().take(12).collect()
}

fn readers_folders(data: &Path) -> usize {
    std::fs::read_dir(data.join("serve/readers")).map_or(0, |d| d.count())
}

#[test]
fn a_keys_bookmark_read_mark_and_place_survive_a_reconnect_and_no_other_reader_sees_them() {
    let data = tempfile::tempdir().unwrap();
    let server = server(data.path());
    let (mine, other) = (test_key(), test_key());
    let seeds = library::load_seeds();
    let key_001 = seeds.articles[1].key.clone();
    run(Duration::from_secs(180), async {
        let (_client, term) = reader(&server, Some(&mine)).await;
        // Article 2 marked read, then article 4 read four lines down and bookmarked there.
        term.send("2").await;
        wait_status(&term, "2/5 001_").await;
        term.send("u").await;
        term.send("4").await;
        wait_status(&term, SEED_003).await;
        term.send("l").await;
        term.send("jjjjj").await;
        wait_status(&term, " lines 6-").await;
        bookmark(&term).await;
        quit(term).await;

        let excerpts = kept_excerpts(data.path(), &mine);
        assert_eq!(excerpts.len(), 1, "{excerpts:?}");
        let (store, _) = Store::open(state_file(data.path(), &mine));
        assert!(store.article(&key_001).is_some_and(|a| a.read));

        // Back with the same key: the same article, at the same place, with the bookmark.
        let (_client, term) = reader(&server, Some(&mine)).await;
        wait_status(&term, SEED_003).await;
        wait_status(&term, " lines 6-").await;
        term.send("M").await;
        term.wait_for(" Bookmarks (").await;
        let screen = term.wait_for(&opening(&excerpts[0])).await;
        assert!(screen.contains("4 "), "{screen}");
        term.send("\x1b").await;
        term.wait_until("the picker to close", |s| !s.contains(" Bookmarks ("))
            .await;
        quit(term).await;

        // Another key starts afresh: the first article, at its top, no bookmarks.
        let (_client, term) = reader(&server, Some(&other)).await;
        wait_status(&term, SEED_000).await;
        term.send("M").await;
        wait_status(&term, "No bookmarks yet").await;
        quit(term).await;
    });
    assert_eq!(readers_folders(data.path()), 2, "one folder per key");
    let (store, _) = Store::open(state_file(data.path(), &other));
    assert!(
        store
            .state
            .articles
            .values()
            .all(|a| a.bookmarks.is_empty() && !a.read),
        "{:?}",
        store.state
    );
    let log = server.log();
    assert!(
        log.contains(&format!(
            "reading state {}",
            key_folder_name(mine.public_key())
        )),
        "{log}"
    );
    assert!(
        !log.contains(&*data.path().to_string_lossy()),
        "the log names no state paths when all is well:\n{log}"
    );
}

#[test]
fn a_reader_who_drops_the_connection_finds_their_place_again() {
    let data = tempfile::tempdir().unwrap();
    let server = server(data.path());
    let key = test_key();
    run(Duration::from_secs(120), async {
        let (client, term) = reader(&server, Some(&key)).await;
        term.send("4").await;
        wait_status(&term, SEED_003).await;
        term.send("l").await;
        term.send("jjjjj").await;
        wait_status(&term, " lines 6-").await;
        // No quit: the network goes. The reader saves where it was as it ends.
        drop(term);
        drop(client);
        let start = std::time::Instant::now();
        while server.reader_threads() > 0 {
            assert!(start.elapsed() < PATIENCE, "the reader never ended");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let (_client, term) = reader(&server, Some(&key)).await;
        wait_status(&term, SEED_003).await;
        wait_status(&term, " lines 6-").await;
        quit(term).await;
    });
}

#[test]
fn an_anonymous_readers_state_lasts_their_session_only() {
    let data = tempfile::tempdir().unwrap();
    let server = server(data.path());
    run(Duration::from_secs(120), async {
        let (_client, term) = reader(&server, None).await;
        term.send("4").await;
        wait_status(&term, SEED_003).await;
        term.send("l").await;
        term.send("jjjj").await;
        wait_status(&term, " lines 5-").await;
        bookmark(&term).await;
        // Within the session it is there.
        term.send("M").await;
        term.wait_for(" Bookmarks (").await;
        term.send("\x1b").await;
        term.wait_until("the picker to close", |s| !s.contains(" Bookmarks ("))
            .await;
        quit(term).await;

        let (_client, term) = reader(&server, None).await;
        wait_status(&term, SEED_000).await;
        term.send("M").await;
        wait_status(&term, "No bookmarks yet").await;
        quit(term).await;
    });
    assert_eq!(readers_folders(data.path()), 0, "nothing kept on disk");
}

#[test]
fn two_sessions_with_one_key_at_once_both_keep_their_bookmarks() {
    let data = tempfile::tempdir().unwrap();
    let server = server(data.path());
    let key = test_key();
    run(Duration::from_secs(180), async {
        // Two devices, both open before either bookmarks.
        let (_phone, phone) = reader(&server, Some(&key)).await;
        let (_laptop, laptop) = reader(&server, Some(&key)).await;
        phone.send("l").await;
        phone.send("jjj").await;
        wait_status(&phone, " lines 4-").await;
        bookmark(&phone).await;
        laptop.send("4").await;
        wait_status(&laptop, SEED_003).await;
        laptop.send("l").await;
        laptop.send("jjjjjj").await;
        wait_status(&laptop, " lines 7-").await;
        bookmark(&laptop).await;
        // Both leave: each one's last save merges with what the other saved.
        quit(phone).await;
        quit(laptop).await;

        let excerpts = kept_excerpts(data.path(), &key);
        assert_eq!(excerpts.len(), 2, "{excerpts:?}");

        let (_client, term) = reader(&server, Some(&key)).await;
        term.send("M").await;
        term.wait_for(" Bookmarks (").await;
        for excerpt in &excerpts {
            term.wait_for(&opening(excerpt)).await;
        }
        quit(term).await;
    });
}

#[test]
fn past_max_readers_a_new_key_reads_with_its_state_kept_for_the_session_only() {
    let data = tempfile::tempdir().unwrap();
    let (mut options, log) = options(Access::Anonymous);
    options.data = Some(data.path().to_path_buf());
    options.max_readers = 1;
    let server = TestServer::start(options, log);
    let (first, second) = (test_key(), test_key());
    run(Duration::from_secs(120), async {
        let (_client, term) = reader(&server, Some(&first)).await;
        quit(term).await;
        let (_client, term) = reader(&server, Some(&second)).await;
        wait_status(&term, "no room to keep").await;
        bookmark(&term).await;
        quit(term).await;
    });
    assert_eq!(readers_folders(data.path()), 1);
    assert!(!state_file(data.path(), &second).exists());
    assert!(server.log().contains("--max-readers"), "{}", server.log());
}

#[test]
fn an_anonymous_server_refuses_none_so_clients_offer_their_keys_first() {
    let data = tempfile::tempdir().unwrap();
    let server = server(data.path());
    run(Duration::from_secs(60), async {
        let mut client = connect_with(server.addr, client_config()).await.unwrap();
        // OpenSSH opens with "none"; were it accepted, its keys would never be offered.
        let none = client.authenticate_none("reader").await.unwrap();
        match none {
            russh::client::AuthResult::Failure {
                remaining_methods, ..
            } => {
                let offered: Vec<_> = remaining_methods.iter().cloned().collect();
                assert!(
                    offered.contains(&russh::MethodKind::PublicKey)
                        && offered.contains(&russh::MethodKind::KeyboardInteractive),
                    "{offered:?}"
                );
            }
            other => panic!("none was accepted: {other:?}"),
        }
        // Without a key, keyboard-interactive lets the reader in, asking nothing.
        assert!(auth_anonymous(&mut client, "reader").await.unwrap());
    });
}
