//! End to end: the folder being read changes under the reader. A file added there is listed
//! without a key pressed; the open file changed keeps the reading position; a file removed
//! drops out.

mod support;

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use support::Pty;

fn write_article(dir: &Path, name: &str, paras: usize) {
    let stem = name.trim_end_matches(".txt");
    let mut text = format!("Report {stem} from the wire\n\n");
    for i in 0..paras {
        text.push_str(&format!(
            "Paragraph {i:02} of {stem}: the talks went on late into the night.\n\n\
             الفقرة {i}: استمرت المحادثات حتى وقت متأخر من الليل.\n\n"
        ));
    }
    // Written beside and renamed, as editors and fetchers do: the reader never sees half.
    let tmp = dir.join(format!(".{name}.tmp"));
    fs::write(&tmp, text).unwrap();
    fs::rename(&tmp, dir.join(name)).unwrap();
}

/// The status line's "lines A-B/N": (A, N).
fn lines_shown(screen: &str) -> Option<(usize, usize)> {
    let at = screen.rfind("lines ")?;
    let rest = &screen[at + "lines ".len()..];
    let (range, rest) = rest.split_once('/')?;
    let first = range.split('-').next()?.parse().ok()?;
    let total = rest
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()?;
    Some((first, total))
}

#[test]
fn the_folder_being_read_changes_under_the_reader() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("news");
    fs::create_dir(&dir).unwrap();
    write_article(&dir, "a.txt", 2);
    write_article(&dir, "long.txt", 40);
    write_article(&dir, "z.txt", 2);
    let folder = dir.to_str().unwrap().to_string();
    let mut pty = Pty::spawn(&[&folder], 100, 30);
    pty.wait_until("the library filled", |s| {
        s.contains("Report z from the wire") && !s.contains("Reading ")
    });

    // A new file shows up in the list, no key pressed.
    write_article(&dir, "m.txt", 2);
    pty.wait_for("Report m from the wire");

    // Open the long article and read down into it.
    pty.send("jl");
    pty.wait_for("Paragraph 00 of long");
    for _ in 0..4 {
        pty.send(" ");
    }
    let screen = pty.wait_until("scrolled", |s| {
        lines_shown(s).is_some_and(|(first, _)| first > 40)
    });
    let (first, total) = lines_shown(&screen).unwrap();
    let top_text = pty.text_at(1, 0, 100);

    // The open file grows at its end: read again, at the same place.
    write_article(&dir, "long.txt", 60);
    let start = Instant::now();
    let screen = pty.wait_until("the longer text shown at the same place", |s| {
        lines_shown(s).is_some_and(|(f, t)| f == first && t > total)
    });
    assert!(start.elapsed() < Duration::from_secs(60));
    assert_eq!(pty.text_at(1, 0, 100), top_text, "{screen}");

    // A file removed drops out of the list.
    fs::remove_file(dir.join("z.txt")).unwrap();
    pty.wait_until("z.txt gone", |s| !s.contains("Report z from the wire"));
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}
