//! The state on disk: a snapshot, a journal beside it, a lock, and atomic writes.
//!
//! - `state.json`, the snapshot, one JSON object:
//!   `{"version":2,"generation":G,"last_open":KEY,"articles":{KEY:{"position":{"para":P,"byte":B},
//!   "read":R,"bookmarks":[{"position":..,"excerpt":..}],"changed":SECS,"missing_since":SECS}}}`.
//!   Version 1, from folio before the journal, is the same without `generation`, `changed` and
//!   `missing_since`; it reads as generation 0, which no journal follows. Readers of version 1
//!   ignore fields they do not know, so an older folio still reads a version 2 snapshot (though
//!   not the saves in the journal since).
//! - `state.json.journal`: a first line `{"folio_journal":2,"generation":G}` naming the snapshot
//!   it follows, then one line per save, `{"last_open":KEY,"articles":{KEY:RECORD or null}}`,
//!   giving in full each article that save changed (null: forgotten). A journal whose generation
//!   is not the snapshot's was left by a compaction cut short, and is ignored; so is a last line
//!   without its newline (a writer killed mid-append), which the next writer cuts off.
//! - `state.json.lock`: locked (flock) around every read and write of the two above. It is never
//!   removed: removing a lock file lets two writers lock two different files.
//! - `.state.json.PID.tmp`, `.state.json.journal.PID.tmp`: a whole file being written, renamed
//!   over the real one once synced. One left by a writer that was killed is removed at open.

use std::collections::BTreeMap;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::{ArticleState, Bookmark, Entry, Position};

pub(super) const VERSION: u32 = 2;

/// A temp file this old is left over: a save holds the lock for seconds at most.
const STALE_TEMP: Duration = Duration::from_secs(10 * 60);

/// The files beside one state.
#[derive(Clone, Debug)]
pub(super) struct Paths {
    pub folder: PathBuf,
    pub snapshot: PathBuf,
    pub journal: PathBuf,
    pub lock: PathBuf,
}

impl Paths {
    pub fn new(snapshot: &Path) -> Paths {
        let folder = folder_of(snapshot).to_path_buf();
        let name = name_of(snapshot);
        Paths {
            journal: folder.join(format!("{name}.journal")),
            lock: folder.join(format!("{name}.lock")),
            snapshot: snapshot.to_path_buf(),
            folder,
        }
    }
}

fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".into())
}

/// An exclusive lock on the state, held until dropped.
pub(super) struct Lock(#[allow(dead_code)] File);

impl Lock {
    pub fn take(path: &Path) -> io::Result<Lock> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        loop {
            match file.lock() {
                Ok(()) => return Ok(Lock(file)),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

/// Tells one file from its replacement: another reader's compaction renames a new snapshot in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct FileId {
    pub len: u64,
    modified: Option<SystemTime>,
    inode: u64,
    device: u64,
}

impl FileId {
    fn of(meta: &Metadata) -> FileId {
        #[cfg(unix)]
        let (inode, device) = {
            use std::os::unix::fs::MetadataExt;
            (meta.ino(), meta.dev())
        };
        #[cfg(not(unix))]
        let (inode, device) = (0, 0);
        FileId {
            len: meta.len(),
            modified: meta.modified().ok(),
            inode,
            device,
        }
    }
}

/// How far this reader has read the files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Mark {
    /// The snapshot as read or written; `None` when there was none.
    pub snapshot: Option<FileId>,
    /// 0 for no snapshot of this format (none, or version 1): the next save writes one.
    pub generation: u64,
    /// How far the journal has been read, when it follows the snapshot.
    pub journal: Option<u64>,
}

impl Mark {
    pub fn snapshot_len(&self) -> u64 {
        self.snapshot.map_or(0, |s| s.len)
    }
}

/// One article as stored.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Record {
    position: Option<Position>,
    read: bool,
    bookmarks: Vec<Bookmark>,
    changed: u64,
    missing_since: Option<u64>,
}

impl From<Record> for Entry {
    fn from(r: Record) -> Entry {
        Entry {
            article: ArticleState {
                position: r.position,
                read: r.read,
                bookmarks: r.bookmarks,
            },
            changed: r.changed,
            missing_since: r.missing_since,
            own: None,
        }
    }
}

#[derive(Serialize)]
struct RecordOut<'a> {
    position: &'a Option<Position>,
    read: bool,
    bookmarks: &'a [Bookmark],
    #[serde(skip_serializing_if = "is_zero")]
    changed: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    missing_since: Option<u64>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl<'a> From<&'a Entry> for RecordOut<'a> {
    fn from(e: &'a Entry) -> RecordOut<'a> {
        RecordOut {
            position: &e.article.position,
            read: e.article.read,
            bookmarks: &e.article.bookmarks,
            changed: e.changed,
            missing_since: e.missing_since,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SnapshotIn {
    version: u32,
    generation: u64,
    last_open: Option<String>,
    articles: BTreeMap<String, Record>,
}

#[derive(Serialize)]
struct SnapshotOut<'a> {
    version: u32,
    generation: u64,
    last_open: &'a Option<String>,
    articles: AllArticles<'a>,
}

struct AllArticles<'a>(&'a BTreeMap<String, Entry>);

impl Serialize for AllArticles<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, e)| (k, RecordOut::from(e))))
    }
}

#[derive(Serialize, Deserialize)]
struct Header {
    folio_journal: u32,
    generation: u64,
}

/// One save in the journal.
#[derive(Deserialize)]
pub(super) struct Line {
    #[serde(default)]
    pub last_open: Option<String>,
    #[serde(default)]
    pub articles: BTreeMap<String, Option<Record>>,
}

#[derive(Serialize)]
struct LineOut<'a> {
    last_open: &'a Option<String>,
    articles: BTreeMap<&'a str, Option<RecordOut<'a>>>,
}

/// The journal line for a save that changed `articles` (`None`: forgotten).
pub(super) fn line<'a>(
    last_open: &'a Option<String>,
    articles: impl Iterator<Item = (&'a str, Option<&'a Entry>)>,
) -> io::Result<Vec<u8>> {
    let out = LineOut {
        last_open,
        articles: articles.map(|(k, e)| (k, e.map(RecordOut::from))).collect(),
    };
    let mut bytes = serde_json::to_vec(&out).map_err(io::Error::other)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Everything on disk, read at open or after another reader compacted.
#[derive(Debug, Default)]
pub(super) struct Disk {
    /// The snapshot's format (0: there was none).
    pub version: u32,
    pub last_open: Option<String>,
    pub articles: BTreeMap<String, Entry>,
    pub mark: Mark,
}

#[derive(Debug)]
pub(super) enum LoadError {
    Io(io::Error),
    Corrupt(serde_json::Error),
    TooNew(u32),
}

impl From<io::Error> for LoadError {
    fn from(e: io::Error) -> LoadError {
        LoadError::Io(e)
    }
}

/// Read the snapshot and replay the journal that follows it.
pub(super) fn load(paths: &Paths) -> Result<Disk, LoadError> {
    let mut file = match File::open(&paths.snapshot) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Disk::default()),
        Err(e) => return Err(e.into()),
    };
    let id = FileId::of(&file.metadata()?);
    let mut bytes = Vec::with_capacity(id.len as usize);
    file.read_to_end(&mut bytes)?;
    let snapshot: SnapshotIn = serde_json::from_slice(&bytes).map_err(LoadError::Corrupt)?;
    drop(bytes);
    if snapshot.version > VERSION {
        return Err(LoadError::TooNew(snapshot.version));
    }
    let version = snapshot.version.max(1);
    let generation = if version >= 2 { snapshot.generation } else { 0 };
    let mut last_open = snapshot.last_open;
    let mut articles: BTreeMap<String, Entry> = snapshot
        .articles
        .into_iter()
        .map(|(k, r)| (k, Entry::from(r)))
        .collect();
    let journal = match generation {
        0 => None,
        g => read_journal(&paths.journal, g, None)?,
    };
    let mut mark = Mark {
        snapshot: Some(id),
        generation,
        journal: None,
    };
    if let Some(journal) = journal {
        for line in journal.lines {
            last_open = line.last_open;
            for (key, record) in line.articles {
                match record {
                    Some(r) => articles.insert(key, r.into()),
                    None => articles.remove(&key),
                };
            }
        }
        mark.journal = Some(journal.end);
    }
    Ok(Disk {
        version,
        last_open,
        articles,
        mark,
    })
}

/// What others wrote since `mark`.
pub(super) enum Since {
    /// Saves appended to the journal, and the mark past them.
    Lines(Vec<Line>, Mark),
    /// The files were replaced (another reader compacted): everything, read afresh.
    Reload(Disk),
}

/// Read what was written since `mark`. Cheap when others only appended: a look at the
/// snapshot's metadata and the journal's header and new lines.
pub(super) fn read_since(paths: &Paths, mark: &Mark) -> Result<Since, LoadError> {
    let now = match fs::metadata(&paths.snapshot) {
        Ok(meta) => Some(FileId::of(&meta)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    if now != mark.snapshot {
        return load(paths).map(Since::Reload);
    }
    let Some(offset) = mark.journal else {
        // No journal follows the snapshot: there is nothing to read, the next write replaces it.
        return Ok(Since::Lines(Vec::new(), mark.clone()));
    };
    match read_journal(&paths.journal, mark.generation, Some(offset))? {
        Some(journal) => Ok(Since::Lines(
            journal.lines,
            Mark {
                journal: Some(journal.end),
                ..mark.clone()
            },
        )),
        None => load(paths).map(Since::Reload),
    }
}

struct JournalRead {
    lines: Vec<Line>,
    /// Just past the last whole line.
    end: u64,
}

/// Read the journal from `from` (`None`: after its header), if it follows snapshot
/// `generation`. `None` when it is absent or follows another snapshot.
fn read_journal(
    path: &Path,
    generation: u64,
    from: Option<u64>,
) -> io::Result<Option<JournalRead>> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let header_end = match read_header(&mut file)? {
        Some((h, end)) if h.folio_journal == VERSION && h.generation == generation => end,
        _ => return Ok(None),
    };
    let start = from.unwrap_or(header_end);
    let len = file.metadata()?.len();
    if start < header_end || start > len {
        return Ok(None);
    }
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::with_capacity((len - start) as usize);
    file.read_to_end(&mut bytes)?;
    // A last line without its newline was torn by a writer that died: not read, and cut off
    // by the next writer.
    let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let lines = bytes[..whole]
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .filter_map(|l| serde_json::from_slice(l).ok())
        .collect();
    Ok(Some(JournalRead {
        lines,
        end: start + whole as u64,
    }))
}

fn read_header(file: &mut File) -> io::Result<Option<(Header, u64)>> {
    let mut head = Vec::with_capacity(128);
    Read::take(&mut *file, 128).read_to_end(&mut head)?;
    let Some(nl) = head.iter().position(|&b| b == b'\n') else {
        return Ok(None);
    };
    Ok(serde_json::from_slice::<Header>(&head[..nl])
        .ok()
        .map(|h| (h, nl as u64 + 1)))
}

/// The journal's generation, if it has a readable header.
fn journal_generation(path: &Path) -> Option<u64> {
    let mut file = File::open(path).ok()?;
    read_header(&mut file).ok()?.map(|(h, _)| h.generation)
}

/// A generation no snapshot or journal beside it has used.
pub(super) fn next_generation(paths: &Paths, current: u64) -> u64 {
    current.max(journal_generation(&paths.journal).unwrap_or(0)) + 1
}

/// Append one save's line at `end`, cutting off a torn line left there first, and sync it.
/// Returns the new end.
pub(super) fn append(paths: &Paths, end: u64, line: &[u8]) -> io::Result<u64> {
    let mut file = OpenOptions::new().write(true).open(&paths.journal)?;
    let len = file.metadata()?.len();
    if len < end {
        return Err(io::Error::other("the reading-state journal shrank"));
    }
    if len > end {
        file.set_len(end)?;
    }
    file.seek(SeekFrom::Start(end))?;
    file.write_all(line)?;
    file.sync_data()?;
    Ok(end + line.len() as u64)
}

/// Write a whole snapshot of generation `generation`. Returns its identity.
pub(super) fn write_snapshot(
    paths: &Paths,
    generation: u64,
    last_open: &Option<String>,
    articles: &BTreeMap<String, Entry>,
) -> io::Result<FileId> {
    let out = SnapshotOut {
        version: VERSION,
        generation,
        last_open,
        articles: AllArticles(articles),
    };
    write_atomic_with(&paths.snapshot, |w| {
        serde_json::to_writer(w, &out).map_err(io::Error::other)
    })?;
    Ok(FileId::of(&fs::metadata(&paths.snapshot)?))
}

/// Start an empty journal after snapshot `generation`. Returns where its lines begin.
pub(super) fn reset_journal(paths: &Paths, generation: u64) -> io::Result<u64> {
    let mut header = serde_json::to_vec(&Header {
        folio_journal: VERSION,
        generation,
    })
    .map_err(io::Error::other)?;
    header.push(b'\n');
    write_atomic(&paths.journal, &header)?;
    Ok(header.len() as u64)
}

/// Write `bytes` to `path` so that a reader sees either the old file or the whole new one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// [`write_atomic`], with the bytes written by `write`: a temp file in the same folder,
/// synced, then renamed over `path`.
fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<&File>) -> io::Result<()>,
) -> io::Result<()> {
    let dir = folder_of(path);
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{}.{}.tmp", name_of(path), std::process::id()));
    let result = (|| {
        let file = File::create(&tmp)?;
        let mut w = BufWriter::with_capacity(1 << 16, &file);
        write(&mut w)?;
        w.flush()?;
        drop(w);
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        // Make the rename itself durable where the platform allows.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Remove the temp files of writers that died mid-save: those whose process is gone, and
/// any older than [`STALE_TEMP`]. Call with the lock held, so no folio is writing one.
pub(super) fn remove_stale_temps(paths: &Paths, now: SystemTime) {
    let names = [name_of(&paths.snapshot), name_of(&paths.journal)];
    let Ok(entries) = fs::read_dir(&paths.folder) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        let Some(pid) = names.iter().find_map(|n| temp_pid(file_name, n)) else {
            continue;
        };
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let old = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > STALE_TEMP);
        if old || !process_alive(pid) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The pid in a temp file's name `.NAME.PID.tmp`.
fn temp_pid(file_name: &str, name: &str) -> Option<u32> {
    file_name
        .strip_prefix('.')?
        .strip_prefix(name)?
        .strip_prefix('.')?
        .strip_suffix(".tmp")?
        .parse()
        .ok()
}

/// Whether process `pid` is running (or cannot be told: then it counts as running).
fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        if pid <= 0 {
            return false;
        }
        // SAFETY: signal 0 only asks whether the process exists; nothing is sent.
        if unsafe { libc::kill(pid, 0) } == 0 {
            return true;
        }
        io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Rename an unreadable file out of the way, with a timestamp.
pub(super) fn set_aside(path: &Path, stamp: u64) -> io::Result<PathBuf> {
    let aside = path.with_file_name(format!("{}.corrupt-{stamp}", name_of(path)));
    fs::rename(path, &aside)?;
    Ok(aside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_give_their_pid() {
        assert_eq!(temp_pid(".state.json.123.tmp", "state.json"), Some(123));
        assert_eq!(
            temp_pid(".state.json.journal.77.tmp", "state.json.journal"),
            Some(77)
        );
        assert_eq!(temp_pid(".state.json.journal.77.tmp", "state.json"), None);
        assert_eq!(temp_pid("state.json.123.tmp", "state.json"), None);
        assert_eq!(temp_pid(".state.json.lock", "state.json"), None);
        assert_eq!(temp_pid(".state.json.x.tmp", "state.json"), None);
    }

    #[test]
    fn this_process_is_alive_and_a_finished_one_is_not() {
        assert!(process_alive(std::process::id()));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!process_alive(pid));
        assert!(!process_alive(0));
    }
}
