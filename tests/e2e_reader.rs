//! End to end: the real binary in a pseudo-terminal, keys in, screen out.

mod support;

use std::process::Command;

use support::{Pty, keys};

const SEED_003: &str = "003_9421ad859a52f834.txt";

/// The status line (last row) of the screen.
fn status(pty: &Pty) -> String {
    pty.rows().last().cloned().unwrap_or_default()
}

#[test]
fn reads_the_seeds_jumps_between_sources_and_quits_to_an_intact_terminal() {
    let mut pty = Pty::spawn(&[], 100, 30);
    pty.wait_for("1/5 000_855e5a4968ca3ef5.txt");
    pty.with_screen(|s| assert!(s.alternate_screen(), "draws on the alternate screen"));
    let screen = pty.screen();
    let rows = pty.rows();
    for n in 1..=5 {
        let row = &rows[2 * n - 1];
        assert!(
            row.starts_with(&format!("│{n}")),
            "list shows source {n}:\n{screen}"
        );
    }
    assert!(screen.contains("? help"), "status line names the help key");

    pty.send("3");
    pty.wait_for("3/5 002_1d8038a1fe6f818a.txt");
    pty.send("]");
    pty.wait_for(&format!("4/5 {SEED_003}"));
    pty.send("[");
    pty.send("[");
    pty.wait_for("2/5 001_4e1852c0d95101e1.txt");
    pty.send("5");
    pty.wait_for("5/5 004_");
    pty.send("]");
    pty.wait_for("1/5 000_");

    // The reader scrolls to the end and back.
    pty.send("l");
    pty.send("G");
    pty.wait_until("the end of the article", |_| status(&pty).contains("100%"));
    pty.send("g");
    pty.wait_until("the top again", |_| status(&pty).contains(" line 1/"));
    pty.send(keys::PAGE_DOWN);
    pty.wait_until("a page down", |_| !status(&pty).contains(" line 1/"));

    pty.send("?");
    pty.wait_for("Keys (any key closes)");
    assert!(pty.screen().contains("Jump to the Nth source"));
    pty.send("?");
    pty.wait_until("help to close", |s| !s.contains("Keys (any key closes)"));

    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
    pty.assert_restored();
}

#[test]
fn resizing_re_lays_out_and_keeps_the_paragraph() {
    let mut pty = Pty::spawn(&[], 100, 30);
    pty.wait_for("1/5 000_");
    pty.send("l");
    pty.send(&keys::DOWN.repeat(12));
    pty.wait_until("scrolled", |_| status(&pty).contains(" line 13/"));
    // The first line of text shown, before the resize.
    let before: String = pty.rows()[1].chars().skip(38).collect::<String>();
    let first_word = before.split_whitespace().next().unwrap().to_string();
    pty.resize(80, 24);
    pty.wait_until("the status line to fit 80 columns", |_| {
        let rows = pty.rows();
        rows.len() == 24 && rows[23].trim_end().ends_with("help")
    });
    let screen = pty.screen();
    assert!(
        screen.contains(&first_word),
        "{first_word:?} from the top line is still on screen after the resize:\n{screen}"
    );
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
    pty.assert_restored();
}

#[test]
fn sigterm_restores_the_terminal() {
    let mut pty = Pty::spawn(&[], 100, 30);
    pty.wait_for("1/5 000_");
    pty.signal(libc::SIGTERM);
    assert_eq!(pty.wait_exit(), 128 + 15);
    pty.assert_restored();
}

#[test]
fn sighup_restores_the_terminal() {
    let mut pty = Pty::spawn(&[], 100, 30);
    pty.wait_for("1/5 000_");
    pty.signal(libc::SIGHUP);
    assert_eq!(pty.wait_exit(), 128 + 1);
    pty.assert_restored();
}

#[test]
fn a_panic_restores_the_terminal_and_says_why() {
    let mut pty = Pty::spawn_env(&[], 100, 30, &[("FOLIO_TEST_PANIC_KEY", "!")]);
    pty.wait_for("1/5 000_");
    pty.send("!");
    assert_eq!(pty.wait_exit(), 101, "Rust's panic exit code");
    pty.assert_restored();
    let out = String::from_utf8_lossy(&pty.output()).into_owned();
    let left = out.rfind("\x1b[?1049l").expect("left the alternate screen");
    let message = out
        .find("a test asked folio to panic")
        .expect("the panic message");
    assert!(
        message > left,
        "the message is printed after the terminal is restored"
    );
    assert!(pty.screen().contains("a test asked folio to panic"));
}

#[test]
fn ctrl_c_quits() {
    let mut pty = Pty::spawn(&[], 100, 30);
    pty.wait_for("1/5 000_");
    pty.send(keys::CTRL_C);
    assert_eq!(pty.wait_exit(), 0);
    pty.assert_restored();
}

#[test]
fn a_file_of_escape_sequences_cannot_drive_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evil.txt");
    std::fs::write(
        &path,
        b"Evil title\n\nSet title \x1b]0;PWNED\x07 clear \x1b[2J reset \x1bc ask \x1b[6n red \x1b[31mRED \xc2\x9b31m bell \xff\xfe bad \x07 osc52 \x1b]52;c;cHduZWQ=\x07 end\n",
    )
    .unwrap();
    let mut pty = Pty::spawn(&[path.to_str().unwrap()], 100, 30);
    pty.wait_for("evil.txt");
    pty.send("l");
    let screen = pty.wait_for("␛]0;PWNED␇");
    assert!(screen.contains("␛[2J"), "{screen}");
    assert!(screen.contains("<U+009B>31m"), "{screen}");
    assert!(
        screen.contains("invalid UTF-8"),
        "the status line says bytes were replaced:\n{screen}"
    );
    let out = pty.output();
    let text = String::from_utf8_lossy(&out);
    assert!(
        !text.contains("\x1b]0;PWNED"),
        "the title escape reached the terminal"
    );
    assert!(
        !text.contains("\x1b]52;"),
        "the clipboard escape reached the terminal"
    );
    // folio clears the screen itself, so look for sequences it never sends.
    assert!(
        !text.contains("\x1bc"),
        "a raw terminal reset reached the terminal"
    );
    assert!(
        !text.contains("\x1b[6n"),
        "a raw cursor query reached the terminal"
    );
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
    pty.assert_restored();
}

#[test]
fn a_missing_path_is_reported_on_stderr_with_exit_code_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_folio"))
        .arg("no/such/article.txt")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no/such/article.txt") && stderr.contains("No such file"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_missing_path_never_touches_the_terminal() {
    let mut pty = Pty::spawn(&["no/such/article.txt"], 100, 30);
    assert_eq!(pty.wait_exit(), 2);
    let out = String::from_utf8_lossy(&pty.output()).into_owned();
    assert!(out.contains("cannot open"), "{out}");
    assert!(
        !out.contains("\x1b[?1049h"),
        "entered the alternate screen: {out:?}"
    );
}
