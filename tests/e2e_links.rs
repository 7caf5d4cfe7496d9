//! End to end: a folder of Markdown notes read through the real binary in a pseudo-terminal —
//! the outline and the heading keys, and a relative link followed from the links picker and
//! come back from with Backspace.

mod support;

use support::Pty;

/// A note with headings that links to the other note by a relative path and to the web.
const A: &str = "# Field notes

An opening paragraph about the trip, with enough words in it to wrap.

## Getting there

Read [the second note](b.md) for the route, or [the timetable](https://example.com/timetable).

A paragraph of travel details that goes on for a while, so that there is text to scroll.

A second paragraph of travel details, so that the headings are apart.

## Packing list

Boots, a coat, a notebook and a pen.

A paragraph about what not to bring, which is most things.

A last paragraph, so that the packing list can reach the top of the screen.

More text at the end of the note, line after line, to give it length.

And still more, because a heading can only reach the top if text follows it.

Filler paragraph number 1 of the packing list, so that the heading can reach the top.

Filler paragraph number 2 of the packing list, so that the heading can reach the top.

Filler paragraph number 3 of the packing list, so that the heading can reach the top.

Filler paragraph number 4 of the packing list, so that the heading can reach the top.

Filler paragraph number 5 of the packing list, so that the heading can reach the top.

Filler paragraph number 6 of the packing list, so that the heading can reach the top.

Filler paragraph number 7 of the packing list, so that the heading can reach the top.

Filler paragraph number 8 of the packing list, so that the heading can reach the top.

Filler paragraph number 9 of the packing list, so that the heading can reach the top.

Filler paragraph number 10 of the packing list, so that the heading can reach the top.
";

const B: &str = "# Second note

The route goes over the hills and down to the river.
";

fn notes() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.md"), A).unwrap();
    std::fs::write(dir.path().join("b.md"), B).unwrap();
    dir
}

fn status(pty: &Pty) -> String {
    pty.rows().last().cloned().unwrap_or_default()
}

#[test]
fn the_outline_and_the_heading_keys_in_a_folder_of_markdown_notes() {
    let dir = notes();
    let path = dir.path().to_str().unwrap();
    let mut pty = Pty::spawn(&[path], 100, 24);
    pty.wait_for("1/2 a.md");
    pty.wait_for("for the route");
    pty.send("l)");
    pty.wait_until("the status line names the heading", |_| {
        status(&pty).contains("› Getting there")
    });
    assert!(pty.rows()[1].contains("Getting there"), "{}", pty.screen());
    pty.send("O");
    pty.wait_for("Outline (Enter jumps)");
    let screen = pty.screen();
    // The current heading is marked (indented by its level under the title).
    assert!(
        screen
            .lines()
            .any(|l| l.contains('▸') && l.contains("Getting there")),
        "{screen}"
    );
    assert!(screen.contains("Packing list"), "{screen}");
    // Down one entry and jump there.
    pty.send("j\r");
    pty.wait_until("the packing list at the top", |_| {
        status(&pty).contains("› Packing list") && !pty.screen().contains("Outline (")
    });
    assert!(pty.rows()[1].contains("Packing list"), "{}", pty.screen());
    // Back to before the jump, then back up a heading.
    pty.send("\x7f");
    pty.wait_until("back under the first heading", |_| {
        status(&pty).contains("› Getting there")
    });
    pty.send("(");
    pty.wait_until("at the title", |_| !status(&pty).contains('›'));
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
    pty.assert_restored();
}

/// Needs the Markdown front end: until it fills `Article::links`, `a.md` has no links.
#[test]
fn a_relative_link_is_followed_from_the_links_picker_and_backspace_comes_back() {
    let dir = notes();
    let path = dir.path().to_str().unwrap();
    let mut pty = Pty::spawn(&[path], 100, 24);
    pty.wait_for("1/2 a.md");
    // The text is read off the loop: a key before it arrives has nothing to scroll.
    pty.wait_for("for the route");
    pty.send("lj");
    pty.wait_until("scrolled a line", |s| s.contains("lines 2-"));
    let before = pty.rows()[1].clone();
    // The web link's text is a hyperlink (OSC 8); the relative one's is not.
    let out = String::from_utf8_lossy(&pty.output()).into_owned();
    assert!(
        out.contains("\x1b]8;;https://example.com/timetable\x1b\\"),
        "no OSC 8 for the web link"
    );
    assert!(
        !out.contains("\x1b]8;;b.md"),
        "a relative path is no hyperlink"
    );
    pty.send("L");
    pty.wait_for("Links (Enter follows");
    let screen = pty.screen();
    assert!(screen.contains("the second note — b.md"), "{screen}");
    pty.send("\r");
    pty.wait_for("2/2 b.md");
    // The status line names b.md before its text is read.
    pty.wait_for("over the hills");
    pty.send("\x7f");
    pty.wait_for("1/2 a.md");
    pty.wait_until("back at the same place", |_| pty.rows()[1] == before);
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
    pty.assert_restored();
}
