//! Articles too large to read whole: mapped, laid out a few screens at a time around the place
//! read, whatever their size; `--dump` streams them.

use std::io::Write;
use std::process::Command;

use folio::app::{Key, KeyCode};
use folio::library::{LARGE_FILE_BYTES, load_paths};

mod app_support;
use app_support::Harness;

/// A file of numbered lines, English and Arabic, larger than the threshold for mapping.
fn large_file(dir: &std::path::Path, lines: usize) -> std::path::PathBuf {
    let path = dir.join("big.log");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..lines {
        if i % 10 == 7 {
            writeln!(f, "{i:07} قال الوزير إن المحادثات مستمرة في غزة اليوم").unwrap();
        } else {
            writeln!(
                f,
                "{i:07} the quick brown fox jumps over the lazy dog again and again"
            )
            .unwrap();
        }
    }
    f.flush().unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() > LARGE_FILE_BYTES);
    path
}

#[test]
fn a_large_file_opens_at_its_start_and_g_goes_to_its_end_laying_out_a_window() {
    let dir = tempfile::tempdir().unwrap();
    let path = large_file(dir.path(), 60_000);
    let lib = load_paths(&[path]).unwrap();
    assert!(lib.articles[0].large.is_some());
    assert_eq!(
        lib.articles[0].title,
        "0000000 the quick brown fox jumps over the lazy dog again and again"
    );
    let mut h = Harness::with(lib, 100, 30);
    h.press("l");
    let frame = h.frame();
    assert!(frame.contains("0000001 the quick"), "{frame}");
    assert!(frame.lines().last().unwrap().contains(" 0% "), "{frame}");
    let page = h.app.page();
    assert!(
        h.app.layout().lines.len() <= page * 12,
        "{} lines laid out",
        h.app.layout().lines.len()
    );
    h.press("G");
    let frame = h.frame();
    assert!(frame.contains("0059999 the quick"), "{frame}");
    assert!(frame.lines().last().unwrap().contains(" 100% "), "{frame}");
    assert!(h.app.layout().lines.len() <= page * 12);
    // Back up a line at a time, far past what the window held: the place moves up steadily and
    // the window stays a few screens.
    let para_at_top = |h: &Harness| h.app.layout().lines[h.app.top()].para;
    let at_end = para_at_top(&h);
    let mut last = at_end;
    for _ in 0..(page * 20) {
        h.press("k");
        let now = para_at_top(&h);
        assert!(now <= last, "scrolling up moved down");
        assert!(h.app.layout().lines.len() <= page * 12);
        last = now;
    }
    assert!(last < at_end - page * 5 * 40, "{last} vs {at_end}");
    // And down again, line by line.
    for _ in 0..(page * 20) {
        h.press("j");
        assert!(h.app.layout().lines.len() <= page * 12);
    }
    assert_eq!(para_at_top(&h), at_end);
    h.press("g");
    assert!(h.frame().contains("0000000 the quick"));
}

#[test]
fn the_place_in_a_large_file_survives_a_resize() {
    let dir = tempfile::tempdir().unwrap();
    let path = large_file(dir.path(), 40_000);
    let mut h = Harness::with(load_paths(&[path]).unwrap(), 100, 30);
    h.press("l");
    for _ in 0..3 {
        h.key(Key::plain(KeyCode::PageDown));
    }
    let top = h.app.layout().lines[h.app.top()].clone();
    h.resize(50, 20);
    let after = &h.app.layout().lines[h.app.top()];
    assert_eq!(after.para, top.para, "another paragraph at the top");
    h.resize(100, 30);
    assert_eq!(h.app.layout().lines[h.app.top()].para, top.para);
}

#[test]
fn dump_streams_a_large_file_line_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = large_file(dir.path(), 40_000);
    let out = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(["--dump", "--width", "100"])
        .arg(&path)
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 40_000);
    assert_eq!(
        lines[0],
        "0000000 the quick brown fox jumps over the lazy dog again and again"
    );
    // An Arabic line sits flush right in the column, reordered.
    assert!(
        lines[7].starts_with(' ') && lines[7].ends_with("0000007"),
        "{}",
        lines[7]
    );
}

#[test]
fn a_directory_or_a_fifo_is_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.txt");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let out = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(["--dump"])
        .arg(&fifo)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a file or folder"));
}

#[test]
fn search_in_a_large_file_reads_on_from_the_screen_and_wraps() {
    let dir = tempfile::tempdir().unwrap();
    let path = large_file(dir.path(), 60_000);
    let mut h = Harness::with(load_paths(&[path]).unwrap(), 100, 30);
    h.press("l/0045678");
    h.key(Key::plain(KeyCode::Enter));
    assert_eq!(h.app.message(), Some("Match"));
    let frame = h.frame();
    assert!(frame.contains("0045678 the quick"), "{frame}");
    // The next match of a common word is further down; N goes back to the one before.
    h.press("/lazy");
    h.key(Key::plain(KeyCode::Enter));
    let first = h.app.layout().lines[h.app.top()].para;
    h.press("n");
    let second = h.app.layout().lines[h.app.top()].para;
    assert!(second > first, "{second} after {first}");
    h.press("N");
    assert_eq!(h.app.layout().lines[h.app.top()].para, first);
    // From the end, the next match wraps to the start.
    h.press("G/0000003");
    h.key(Key::plain(KeyCode::Enter));
    assert_eq!(h.app.message(), Some("Match (wrapped)"));
    assert!(h.frame().contains("0000003 the quick"));
    // What is nowhere is said so, and the place stays.
    let here = h.app.top();
    h.press("/nowhere-at-all");
    h.key(Key::plain(KeyCode::Enter));
    assert!(
        h.app.message().unwrap().starts_with("Pattern not found"),
        "{:?}",
        h.app.message()
    );
    assert_eq!(h.app.top(), here);
}
