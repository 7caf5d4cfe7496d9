//! End to end: the real binary in a pseudo-terminal, keys in, screen out.

mod support;

use std::process::Command;

use support::{PROMPT, Pty, keys, process_state, signal_pid, wait_for_exit, wait_for_state};

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
    pty.wait_until("the top again", |_| status(&pty).contains(" lines 1-"));
    pty.send(keys::PAGE_DOWN);
    pty.wait_until("a page down", |_| !status(&pty).contains(" lines 1-"));

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
    pty.wait_until("scrolled", |_| status(&pty).contains(" lines 13-"));
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
    pty.wait_for("␛]0;PWNED␇");
    // The whole frame, not one caught halfway through painting.
    let screen = pty.wait_for("invalid UTF-8");
    assert!(screen.contains("␛]0;PWNED␇"), "{screen}");
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

const CTRL_Z: &str = "\x1a";

/// Folio in a shell, stopped by `stop` (Ctrl-z, or a signal), with the shell in charge of the
/// terminal. Returns the shell, folio's pid, and how much folio had written before it resumes.
fn suspended(stop: impl FnOnce(&mut Pty, u32)) -> (Pty, u32) {
    let mut pty = Pty::shell(100, 30);
    let folio = pty.start_folio(&[]);
    pty.wait_for("1/5 000_");
    stop(&mut pty, folio);
    wait_for_state(folio, 'T');
    pty.wait_until_screen("folio to give the terminal back", |s| {
        !s.alternate_screen() && !s.hide_cursor()
    });
    pty.wait_until("the shell's prompt", |s| s.matches(PROMPT).count() >= 2);
    (pty, folio)
}

/// `fg` in the shell; folio must take the terminal back and draw the whole screen again.
fn resume(pty: &mut Pty, folio: u32) {
    let before = pty.output().len();
    pty.send("fg\r");
    pty.wait_until_screen("folio to take the terminal back", |s| {
        s.alternate_screen() && s.contents().contains("1/5 000_")
    });
    assert_ne!(process_state(folio), Some('T'));
    // Nothing changed while stopped, so only a full redraw sends the list and status line.
    let after = String::from_utf8_lossy(&pty.output()[before..]).into_owned();
    assert!(
        after.contains("\x1b[?1049h")
            && after.contains("Library (5)")
            && after.contains("1/5 000_"),
        "no full redraw after fg: {after:?}"
    );
}

/// Quit folio in the shell, then leave the shell with folio's exit status.
fn quit_folio_and_shell(pty: &mut Pty, folio: u32) -> u32 {
    pty.send("q");
    wait_for_exit(folio);
    pty.send("exit\r");
    pty.wait_exit()
}

#[test]
fn ctrl_z_suspends_to_the_shell_and_fg_resumes_in_raw_mode_with_a_full_redraw() {
    let (mut pty, folio) = suspended(|pty, _| pty.send(CTRL_Z));
    resume(&mut pty, folio);
    // Raw mode again: a key arrives without Enter and is not echoed.
    pty.send("j");
    pty.wait_for("2/5 001_");
    assert_eq!(quit_folio_and_shell(&mut pty, folio), 0);
    pty.assert_restored();
}

#[test]
fn a_resize_while_suspended_is_laid_out_on_resume() {
    let (mut pty, folio) = suspended(|pty, _| pty.send(CTRL_Z));
    // The shell has the terminal: the resize is signalled to it, not to folio.
    pty.resize(80, 24);
    pty.send("fg\r");
    pty.wait_until("the status line to fit 80 columns", |_| {
        let rows = pty.rows();
        pty.with_screen(|s| s.alternate_screen())
            && rows.len() == 24
            && rows[23].trim_end().ends_with("help")
            && rows[0].trim_end().ends_with('╮')
    });
    assert_eq!(quit_folio_and_shell(&mut pty, folio), 0);
    pty.assert_restored();
}

#[test]
fn kill_tstp_suspends_like_ctrl_z() {
    let (mut pty, folio) = suspended(|_, folio| signal_pid(folio, libc::SIGTSTP));
    resume(&mut pty, folio);
    pty.send("j");
    pty.wait_for("2/5 001_");
    // And again, to show the signal is still caught after the first stop.
    signal_pid(folio, libc::SIGTSTP);
    wait_for_state(folio, 'T');
    pty.wait_until_screen("the main screen", |s| !s.alternate_screen());
    pty.send("fg\r");
    pty.wait_until_screen("the alternate screen", |s| {
        s.alternate_screen() && s.contents().contains("2/5 001_")
    });
    assert_eq!(quit_folio_and_shell(&mut pty, folio), 0);
    pty.assert_restored();
}

#[test]
fn sigterm_and_sighup_with_an_overlay_open_restore_the_terminal() {
    for (signal, code) in [(libc::SIGTERM, 128 + 15), (libc::SIGHUP, 128 + 1)] {
        let mut pty = Pty::spawn(&[], 100, 30);
        pty.wait_for("1/5 000_");
        pty.send("?");
        pty.wait_for("Keys (any key closes)");
        pty.signal(signal);
        assert_eq!(pty.wait_exit(), code, "signal {signal}");
        pty.assert_restored();
    }
}

#[test]
fn sigterm_and_sighup_after_suspend_and_fg_restore_the_terminal() {
    for (signal, code) in [(libc::SIGTERM, 128 + 15), (libc::SIGHUP, 128 + 1)] {
        let (mut pty, folio) = suspended(|pty, _| pty.send(CTRL_Z));
        resume(&mut pty, folio);
        signal_pid(folio, signal);
        wait_for_exit(folio);
        pty.wait_until_screen("the main screen", |s| {
            !s.alternate_screen() && !s.hide_cursor()
        });
        pty.send("exit\r");
        assert_eq!(pty.wait_exit(), code, "signal {signal}");
        pty.assert_restored();
    }
}

#[test]
fn killed_while_suspended_it_ends_without_taking_the_terminal_back() {
    let (mut pty, folio) = suspended(|pty, _| pty.send(CTRL_Z));
    let before = pty.output().len();
    // What a shell's `kill %1` does to a stopped job.
    signal_pid(folio, libc::SIGTERM);
    signal_pid(folio, libc::SIGCONT);
    wait_for_exit(folio);
    let after = String::from_utf8_lossy(&pty.output()[before..]).into_owned();
    assert!(
        !after.contains("\x1b[?1049h"),
        "folio drew over the shell: {after:?}"
    );
    pty.with_screen(|s| assert!(!s.alternate_screen() && !s.hide_cursor()));
    // The job was in the background when it ended: its status comes from `wait`.
    pty.send("wait %1; exit\r");
    assert_eq!(pty.wait_exit(), 128 + 15);
    pty.assert_restored();
}
