//! Reading state kept per key: a reader who authenticated with a public key finds their reading
//! positions, read marks and bookmarks again in their next session, from any device.
//!
//! Each such reader has a folder `serve/readers/sha256-HEX/` in the server's data folder, where
//! HEX is the SHA256 digest of their public key (the one `ssh-keygen -l` shows in base64) in
//! lowercase hexadecimal: a name made only of `[0-9a-f]`, so it is safe on every file system,
//! case-insensitive ones included, and nothing a client sends (user name, terminal type) ever
//! becomes part of a path. The folder holds an ordinary [`Store`] (`state.json`, its journal and
//! lock), with the local reader's format and guarantees: atomic writes, a damaged file set
//! aside, and a three-way merge under a lock, so two sessions with the same key at once (two
//! devices), in this server or in another on the same data folder, lose nothing. Each session
//! opens a `Store` of its own; the lock is a `flock` on a file each of them opens, which
//! excludes the other sessions of this process as well as other processes.
//!
//! Readers let in without a key (`--anonymous`, by keyboard-interactive that asks nothing) have
//! no key, and their state lives in their session only.
//!
//! What a reader can make the server keep is bounded. Within a folder the store's own caps apply
//! (see [`crate::store`]): only articles of the served library are remembered, and articles gone
//! from it are forgotten after a grace. The number of folders is capped ([`ReaderStates::new`],
//! `--max-readers`): with `--anonymous` anyone may bring a new key at every connection, so once
//! the cap is reached a new key's state is kept for its session only, and the reader is told.
//! Readers already known are never pushed out to make room: a stranger cannot erase a regular
//! reader's bookmarks by bringing many keys. With `--authorized-keys` the keys in the file bound
//! the folders anyway.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;

use russh::keys::ssh_key::Fingerprint;
use russh::keys::{HashAlg, PublicKey};

use crate::store::Store;

/// Readers' folders kept by default (`--max-readers`).
pub const DEFAULT_MAX_READERS: usize = 1000;

/// What a reader folder's name starts with.
const PREFIX: &str = "sha256-";

/// The snapshot's name inside a reader's folder.
const STATE_FILE: &str = "state.json";

/// The folder name for the key with SHA256 `fingerprint` (`SHA256:` and base64, as OpenSSH
/// prints it): `sha256-` and the digest in lowercase hex. `None` for anything else, so no
/// other text can name a folder.
pub fn folder_name(fingerprint: &str) -> Option<String> {
    let parsed = Fingerprint::from_str(fingerprint).ok()?;
    if parsed.algorithm() != HashAlg::Sha256 {
        return None;
    }
    Some(name_of_digest(parsed.as_bytes()))
}

/// The folder name for `key`.
pub fn key_folder_name(key: &PublicKey) -> String {
    name_of_digest(key.fingerprint(HashAlg::Sha256).as_bytes())
}

fn name_of_digest(digest: &[u8]) -> String {
    use std::fmt::Write;
    let mut name = String::with_capacity(PREFIX.len() + digest.len() * 2);
    name.push_str(PREFIX);
    for b in digest {
        let _ = write!(name, "{b:02x}");
    }
    name
}

/// Whether `name` is a reader folder's name (as [`folder_name`] makes them).
fn is_folder_name(name: &str) -> bool {
    name.strip_prefix(PREFIX).is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// A served reader's state, as opened for one session.
pub struct Opened {
    pub store: Store,
    /// For the reader's status line (no server path in it).
    pub message: Option<String>,
    /// For the server's log.
    pub log: Option<String>,
}

/// Where the server keeps readers' state, and how many readers it keeps it for.
#[derive(Debug)]
pub struct ReaderStates {
    /// `<data>/serve/readers`; `None`: every reader's state lives in their session only.
    root: Option<PathBuf>,
    max: usize,
    /// Held while a new reader's folder is counted and made, so two new readers at once in
    /// this server cannot both take the last place.
    making: Mutex<()>,
}

impl ReaderStates {
    /// Keep state under `data` (the server's data folder) for at most `max` readers; with no
    /// `data`, keep none.
    pub fn new(data: Option<&Path>, max: usize) -> ReaderStates {
        ReaderStates {
            root: data.map(|d| d.join("serve").join("readers")),
            max,
            making: Mutex::new(()),
        }
    }

    /// The folder readers' state is kept in, if any.
    pub fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    /// The state for a session: the folder of the key with `fingerprint`, or (no key, no data
    /// folder, no room) one that lives in the session only. Reads files: call it off the async
    /// runtime.
    pub fn open(&self, fingerprint: Option<&str>) -> Opened {
        let session_only = |message: Option<String>, log: Option<String>| Opened {
            store: Store::in_memory(),
            message,
            log,
        };
        let (Some(root), Some(fingerprint)) = (&self.root, fingerprint) else {
            return session_only(None, None);
        };
        let Some(name) = folder_name(fingerprint) else {
            return session_only(
                None,
                Some("reading state kept for this session only: not a SHA256 key".into()),
            );
        };
        let folder = root.join(&name);
        match self.make_room(root, &folder) {
            Ok(true) => {}
            Ok(false) => {
                return session_only(
                    Some(
                        "This server has no room to keep your reading state: it lasts this \
                         session only"
                            .into(),
                    ),
                    Some(format!(
                        "reading state kept for this session only: {} readers' folders already (--max-readers)",
                        self.max
                    )),
                );
            }
            Err(e) => {
                return session_only(
                    Some(
                        "The server cannot keep your reading state now: positions and \
                         bookmarks last for this session only"
                            .into(),
                    ),
                    Some(format!(
                        "reading state kept for this session only: cannot make {}: {e}",
                        folder.display()
                    )),
                );
            }
        }
        let (store, warning) = Store::open(folder.join(STATE_FILE));
        // The store's message names files on the server: the log gets it, the reader a
        // plain version.
        let message = warning.as_ref().map(|_| {
            "Your saved reading state could not be read; the server set it aside and started afresh"
                .to_string()
        });
        let log = match warning {
            Some(w) => format!("reading state {name}: {w}"),
            None => format!("reading state {name}"),
        };
        Opened {
            store,
            message,
            log: Some(log),
        }
    }

    /// Make sure `folder` exists, making it if the cap allows. `Ok(false)`: no room.
    fn make_room(&self, root: &Path, folder: &Path) -> io::Result<bool> {
        if folder.is_dir() {
            return Ok(true);
        }
        let _making = self.making.lock().unwrap_or_else(|e| e.into_inner());
        if folder.is_dir() {
            return Ok(true);
        }
        make_private_dir(root)?;
        if count_folders(root)? >= self.max {
            return Ok(false);
        }
        make_private_dir(folder).map(|()| true)
    }
}

/// Readers' folders in `root`; other files are not counted.
fn count_folders(root: &Path) -> io::Result<usize> {
    let mut n = 0;
    for entry in fs::read_dir(root)? {
        let entry = entry?;
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && entry.file_name().to_str().is_some_and(is_folder_name) {
            n += 1;
        }
    }
    Ok(n)
}

/// Make `dir` and its parents, readable by the server's user only where they are new.
fn make_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Bookmark;
    use russh::keys::PrivateKey;
    use russh::keys::ssh_key::private::Ed25519Keypair;

    fn key(n: u8) -> PublicKey {
        PrivateKey::from(Ed25519Keypair::from_seed(&[n; 32]))
            .public_key()
            .clone()
    }

    #[test]
    fn a_fingerprint_becomes_a_hex_name_with_nothing_of_base64_in_it() {
        // A digest of 0xfb bytes is "+/v7..." in base64: both characters a file name must not
        // carry as they are.
        let digest = [0xfbu8; 32];
        let fingerprint = Fingerprint::Sha256(digest).to_string();
        assert!(fingerprint.starts_with("SHA256:+/"), "{fingerprint}");
        let name = folder_name(&fingerprint).unwrap();
        assert_eq!(name, format!("sha256-{}", "fb".repeat(32)));
        assert!(is_folder_name(&name));
        assert!(
            name.bytes()
                .all(|b| b == b'-' || b.is_ascii_digit() || b.is_ascii_lowercase())
        );
    }

    #[test]
    fn a_key_and_its_printed_fingerprint_name_the_same_folder_and_two_keys_two() {
        let (a, b) = (key(1), key(2));
        let printed = crate::serve::fingerprint(&a);
        assert_eq!(folder_name(&printed).unwrap(), key_folder_name(&a));
        assert_ne!(key_folder_name(&a), key_folder_name(&b));
        // Base64 tells digits apart by letter case; the name does not rely on it, so a file
        // system that ignores case cannot merge two readers' folders.
        let name = folder_name(&Fingerprint::Sha256([0xAB; 32]).to_string()).unwrap();
        assert_eq!(name, format!("sha256-{}", "ab".repeat(32)));
        assert_eq!(
            key_folder_name(&a),
            key_folder_name(&a).to_ascii_lowercase()
        );
    }

    #[test]
    fn only_sha256_fingerprints_name_a_folder() {
        let md5ish = Fingerprint::Sha512([1; 64]).to_string();
        for bad in [
            "",
            "SHA256:",
            "SHA256:../../etc",
            "sha256-0000",
            "../readers",
            md5ish.as_str(),
            "SHA256:not base64 at all!",
        ] {
            assert_eq!(folder_name(bad), None, "{bad:?}");
        }
        assert!(!is_folder_name("sha256-"));
        assert!(!is_folder_name(&format!("sha256-{}", "AB".repeat(32))));
        assert!(!is_folder_name(&format!("sha512-{}", "ab".repeat(32))));
    }

    fn bookmark(store: &mut Store, article: &str, excerpt: &str) {
        store.article_mut(article).bookmarks.push(Bookmark {
            position: crate::store::Position { para: 1, byte: 0 },
            excerpt: excerpt.into(),
        });
    }

    #[test]
    fn a_key_finds_its_state_again_and_another_key_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let states = ReaderStates::new(Some(dir.path()), 10);
        let (a, b) = (
            crate::serve::fingerprint(&key(1)),
            crate::serve::fingerprint(&key(2)),
        );
        let mut first = states.open(Some(&a));
        assert_eq!(first.message, None);
        bookmark(&mut first.store, "seed:000.txt", "kept");
        first.store.save().unwrap();
        drop(first);

        let again = states.open(Some(&a));
        assert_eq!(
            again.store.article("seed:000.txt").unwrap().bookmarks[0].excerpt,
            "kept"
        );
        let other = states.open(Some(&b));
        assert!(other.store.article("seed:000.txt").is_none());
        let anonymous = states.open(None);
        assert!(anonymous.store.path().is_none(), "no folder without a key");
        let folder = dir
            .path()
            .join("serve/readers")
            .join(key_folder_name(&key(1)));
        assert!(folder.join(STATE_FILE).is_file());
    }

    #[test]
    fn two_sessions_with_one_key_in_one_process_both_keep_their_bookmarks() {
        let dir = tempfile::tempdir().unwrap();
        let states = ReaderStates::new(Some(dir.path()), 10);
        let fp = crate::serve::fingerprint(&key(3));
        let mut phone = states.open(Some(&fp));
        let mut laptop = states.open(Some(&fp));
        bookmark(&mut phone.store, "seed:000.txt", "from the phone");
        phone.store.save().unwrap();
        bookmark(&mut laptop.store, "seed:001.txt", "from the laptop");
        laptop.store.save().unwrap();
        phone.store.save().unwrap();
        let later = states.open(Some(&fp));
        assert_eq!(later.store.state.articles.len(), 2);
        assert_eq!(
            phone.store.state.articles, later.store.state.articles,
            "each session takes in what the other saved"
        );
    }

    #[test]
    fn sessions_with_one_key_saving_at_the_same_time_on_threads_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let states = ReaderStates::new(Some(dir.path()), 10);
        let fp = crate::serve::fingerprint(&key(4));
        const EACH: usize = 20;
        std::thread::scope(|s| {
            for device in 0..3 {
                let (states, fp) = (&states, &fp);
                s.spawn(move || {
                    let mut session = states.open(Some(fp));
                    for i in 0..EACH {
                        bookmark(&mut session.store, &format!("seed:{device}-{i}"), "here");
                        session.store.save().unwrap();
                    }
                });
            }
        });
        let later = states.open(Some(&fp));
        assert_eq!(later.store.state.articles.len(), 3 * EACH);
        assert!(
            later
                .store
                .state
                .articles
                .values()
                .all(|a| a.bookmarks.len() == 1)
        );
    }

    #[test]
    fn past_the_cap_a_new_key_is_kept_for_its_session_only_and_known_keys_stay() {
        let dir = tempfile::tempdir().unwrap();
        let states = ReaderStates::new(Some(dir.path()), 2);
        let fps: Vec<String> = (10..13)
            .map(|n| crate::serve::fingerprint(&key(n)))
            .collect();
        for fp in &fps[..2] {
            let mut opened = states.open(Some(fp));
            bookmark(&mut opened.store, "seed:000.txt", "mine");
            opened.store.save().unwrap();
        }
        // Stray files do not count, and do not stop the count.
        fs::write(dir.path().join("serve/readers/notes.txt"), "x").unwrap();
        let third = states.open(Some(&fps[2]));
        assert!(third.store.path().is_none());
        assert!(third.message.unwrap().contains("no room"));
        assert!(third.log.unwrap().contains("--max-readers"));
        for fp in &fps[..2] {
            let opened = states.open(Some(fp));
            assert!(opened.store.path().is_some());
            assert_eq!(
                opened
                    .store
                    .article("seed:000.txt")
                    .unwrap()
                    .bookmarks
                    .len(),
                1
            );
        }
    }

    #[test]
    fn a_damaged_state_is_set_aside_and_the_reader_told_without_a_path() {
        let dir = tempfile::tempdir().unwrap();
        let states = ReaderStates::new(Some(dir.path()), 10);
        let fp = crate::serve::fingerprint(&key(20));
        let folder = dir
            .path()
            .join("serve/readers")
            .join(folder_name(&fp).unwrap());
        fs::create_dir_all(&folder).unwrap();
        fs::write(folder.join(STATE_FILE), b"{\"articles\": {\"x\": tru").unwrap();
        let opened = states.open(Some(&fp));
        let message = opened.message.unwrap();
        assert!(message.contains("set it aside"), "{message}");
        assert!(
            !message.contains(&*dir.path().to_string_lossy()),
            "{message}"
        );
        assert!(opened.log.unwrap().contains(".corrupt-"));
        assert!(opened.store.path().is_some(), "it goes on keeping state");
        let aside = fs::read_dir(&folder)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
            .count();
        assert_eq!(aside, 1);
    }

    #[cfg(unix)]
    #[test]
    fn readers_folders_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let states = ReaderStates::new(Some(dir.path()), 10);
        let fp = crate::serve::fingerprint(&key(30));
        let opened = states.open(Some(&fp));
        let folder = opened.store.path().unwrap().parent().unwrap().to_path_buf();
        let mode = fs::metadata(&folder).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }
}
