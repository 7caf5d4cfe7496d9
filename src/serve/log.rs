//! The server's log: one line per event, with a UTC timestamp. It says who connected, how they
//! authenticated, their terminal size and how long they stayed; it never records what they typed.
//!
//! Every line goes through [`printable`], so nothing a client or a file name supplies reaches the
//! log raw. Events a client can cause as often as it likes (refusals, connections that never
//! authenticate) go through a [`Throttle`]: one line each interval, then a count.

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub use crate::text::sanitize::printable;

/// Where log lines go. Cheap to clone; lines from many connections never interleave.
#[derive(Clone)]
pub struct Log {
    sink: Arc<Mutex<Box<dyn Write + Send>>>,
}

impl std::fmt::Debug for Log {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Log")
    }
}

impl Log {
    /// Log to standard error.
    pub fn stderr() -> Log {
        Log::to(Box::new(io::stderr()))
    }

    /// Append to a file, creating it (readable by its owner only) if needed.
    pub fn file(path: &Path) -> io::Result<Log> {
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        Ok(Log::to(Box::new(options.open(path)?)))
    }

    /// Log to any writer.
    pub fn to(sink: Box<dyn Write + Send>) -> Log {
        Log {
            sink: Arc::new(Mutex::new(sink)),
        }
    }

    /// Log into memory; the buffer shows what was logged.
    pub fn memory() -> (Log, Arc<Mutex<Vec<u8>>>) {
        let buf = Arc::new(Mutex::new(Vec::new()));
        (Log::to(Box::new(Shared(buf.clone()))), buf)
    }

    /// Write one line, made [`printable`]. A log that cannot be written is not worth stopping
    /// the server for.
    pub fn line(&self, text: &str) {
        let line = format!("{} {}\n", timestamp(SystemTime::now()), printable(text));
        let mut sink = self.sink.lock().unwrap_or_else(|e| e.into_inner());
        let _ = sink.write_all(line.as_bytes());
        let _ = sink.flush();
    }
}

/// Log lines about events a client can cause as often as it likes: of each kind, the first in
/// an interval is written whole, the others are counted and summed up in one line when the
/// interval ends ([`Throttle::flush`], called now and then by the server). So the log holds at
/// most two lines per kind per interval, however many connections a client opens.
pub struct Throttle {
    log: Log,
    interval: Duration,
    kinds: Mutex<BTreeMap<&'static str, Interval>>,
}

/// One kind's interval: when its whole line was written, and the events since.
struct Interval {
    since: Instant,
    more: u64,
}

impl Throttle {
    pub fn new(log: Log, interval: Duration) -> Throttle {
        Throttle {
            log,
            interval,
            kinds: Mutex::default(),
        }
    }

    /// One event of `kind`: written whole as `line()` if it is the first of its kind in its
    /// interval, otherwise counted.
    pub fn note(&self, kind: &'static str, line: impl FnOnce() -> String) {
        let mut kinds = self.kinds.lock().unwrap_or_else(|e| e.into_inner());
        self.summarize(&mut kinds, false);
        match kinds.get_mut(kind) {
            Some(interval) => interval.more += 1,
            None => {
                kinds.insert(
                    kind,
                    Interval {
                        since: Instant::now(),
                        more: 0,
                    },
                );
                self.log.line(&line());
            }
        }
    }

    /// Write the counts of intervals that are over.
    pub fn flush(&self) {
        let mut kinds = self.kinds.lock().unwrap_or_else(|e| e.into_inner());
        self.summarize(&mut kinds, false);
    }

    /// Write every count now, intervals over or not (the server is stopping).
    pub fn finish(&self) {
        let mut kinds = self.kinds.lock().unwrap_or_else(|e| e.into_inner());
        self.summarize(&mut kinds, true);
    }

    fn summarize(&self, kinds: &mut BTreeMap<&'static str, Interval>, all: bool) {
        kinds.retain(|kind, interval| {
            let elapsed = interval.since.elapsed();
            if elapsed < self.interval && !all {
                return true;
            }
            if interval.more > 0 {
                self.log.line(&format!(
                    "and {} more {kind} in the {:.0}s after that",
                    interval.more,
                    elapsed.as_secs_f64().ceil()
                ));
            }
            false
        });
    }
}

struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `2024-05-01T12:34:56Z`.
fn timestamp(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_utc_dates() {
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_709_210_096);
        assert_eq!(timestamp(t), "2024-02-29T12:34:56Z");
    }

    #[test]
    fn printable_text_has_no_control_bidi_or_invisible_characters() {
        let hostile =
            "a\u{202E}txt.exe\u{202C}\x1b[31m\u{9b}2J\u{200B}\u{2066}x\u{2069}\r\nb\u{7}\u{FEFF}";
        let shown = printable(hostile);
        assert_eq!(
            shown,
            "a<RLO>txt.exe<PDF>␛[31m<U+009B>2J<U+200B><LRI>x<PDI>␊b␇<U+FEFF>"
        );
        // Arabic and other letters are kept as they are.
        assert_eq!(printable("قارئ reader"), "قارئ reader");
    }

    #[test]
    fn log_lines_are_printable() {
        let (log, buf) = Log::memory();
        log.line("user=ro\u{202E}ot\x1b]0;x\x07");
        let text = String::from_utf8(buf.lock().unwrap().clone()).unwrap();
        assert!(text.ends_with("Z user=ro<RLO>ot␛]0;x␇\n"), "{text:?}");
    }

    #[test]
    fn a_throttle_writes_one_line_per_kind_then_a_count() {
        let (log, buf) = Log::memory();
        let throttle = Throttle::new(log, Duration::from_millis(200));
        for i in 0..50 {
            throttle.note("refused", || format!("refused #{i}"));
        }
        throttle.note("dropped", || "dropped #0".into());
        throttle.note("dropped", || "dropped #1".into());
        throttle.flush();
        let text = || String::from_utf8(buf.lock().unwrap().clone()).unwrap();
        assert_eq!(text().lines().count(), 2, "{}", text());
        assert!(text().contains("refused #0") && text().contains("dropped #0"));
        std::thread::sleep(Duration::from_millis(250));
        throttle.flush();
        let lines = text();
        assert_eq!(lines.lines().count(), 4, "{lines}");
        assert!(lines.contains("and 49 more refused in the"), "{lines}");
        assert!(lines.contains("and 1 more dropped in the"), "{lines}");
        // A new interval starts with a whole line again; a stopping server writes its counts.
        throttle.note("refused", || "refused again".into());
        throttle.note("refused", || "refused and again".into());
        throttle.finish();
        assert!(text().contains("refused again\n"), "{}", text());
        assert!(
            text().ends_with("and 1 more refused in the 1s after that\n"),
            "{}",
            text()
        );
    }

    #[test]
    fn memory_log_keeps_lines() {
        let (log, buf) = Log::memory();
        log.line("hello");
        let text = String::from_utf8(buf.lock().unwrap().clone()).unwrap();
        assert!(text.ends_with("Z hello\n"), "{text:?}");
    }
}
