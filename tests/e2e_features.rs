//! End to end: right-to-left reading, sources, memory across runs, copy and external programs,
//! through the real binary in a pseudo-terminal.

mod support;

use std::process::Command;

use support::Pty;

fn folio(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(args)
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn status(pty: &Pty) -> String {
    pty.rows().last().cloned().unwrap_or_default()
}

/// The line number the status line shows for the top of the reading column.
fn top_line(pty: &Pty) -> usize {
    let s = status(pty);
    let at = s.find(" lines ").expect("status shows the lines");
    s[at + 7..]
        .split('-')
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

const SEED_003: &str = "seeds/003_9421ad859a52f834.txt";

#[test]
fn the_arabic_half_of_003_reads_right_to_left_exactly_as_dump_prints_it() {
    let mut pty = Pty::spawn(&[], 100, 30);
    pty.wait_for("1/5 000_");
    pty.send("4l}");
    pty.wait_until("the Arabic section", |_| top_line(&pty) > 1);
    // At 100×30 the reading column is 60 wide, from column 38.
    let path = format!("{}/{SEED_003}", env!("CARGO_MANIFEST_DIR"));
    let dump = folio(&["--dump", "--width", "60", &path]);
    let dump: Vec<&str> = dump.lines().collect();
    let top = top_line(&pty) - 1;
    let mut arabic_rows = 0;
    for i in 0..27 {
        let shown = pty.text_at(1 + i as u16, 38, 60);
        let expected = dump.get(top + i).copied().unwrap_or("");
        assert_eq!(shown, expected, "row {}", i + 1);
        if expected
            .chars()
            .any(|c| ('\u{FE70}'..='\u{FEFF}').contains(&c))
        {
            arabic_rows += 1;
            // Flush right: the last cell of the column is drawn.
            assert_ne!(
                pty.text_at(1 + i as u16, 97, 1),
                "",
                "row {} is flush right",
                i + 1
            );
        }
    }
    assert!(arabic_rows >= 10, "{arabic_rows} Arabic rows");
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
    pty.assert_restored();
}

#[test]
fn list_json_agrees_with_the_list_pane() {
    let json = folio(&["--list", "--json"]);
    let sources: serde_json::Value = serde_json::from_str(&json).unwrap();
    // The seeds are five sources of one article each.
    let sources = sources.as_array().unwrap();
    assert_eq!(sources.len(), 5);
    let rows: Vec<&serde_json::Value> = sources
        .iter()
        .flat_map(|s| s["articles"].as_array().unwrap())
        .collect();
    assert_eq!(rows.len(), 5);
    let mut pty = Pty::spawn(&[], 100, 30);
    pty.wait_for("1/5 000_");
    let screen = pty.rows();
    for (i, row) in rows.iter().enumerate() {
        let line = &screen[1 + 2 * i];
        let key = row["key"].as_str().unwrap();
        let hotkey = row["hotkey"].as_str().unwrap();
        assert!(line.starts_with(&format!("│{key}{hotkey} ")), "{line}");
        let title: String = row["title"].as_str().unwrap().chars().take(20).collect();
        assert!(line.contains(&title), "{line} lacks {title}");
        let facts = &screen[2 + 2 * i];
        let minutes = row["reading_minutes"].as_u64().unwrap();
        assert!(facts.contains(&format!("{minutes} min")), "{facts}");
        let langs: Vec<String> = row["languages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_uppercase())
            .collect();
        assert!(facts.contains(&langs.join("+")), "{facts}");
    }
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn hotkeys_sections_and_the_jump_prompt() {
    let mut pty = Pty::spawn(&[], 100, 30);
    pty.wait_for("1/5 000_");
    pty.send("d");
    pty.wait_for("5/5 004_");
    pty.send("p");
    pty.wait_for("4/5 003_");
    pty.send("l}");
    pty.wait_until("the Arabic section", |_| top_line(&pty) > 1);
    let arabic_top = top_line(&pty);
    pty.send("{");
    pty.wait_until("back to the top", |_| top_line(&pty) == 1);
    pty.send("\x7f"); // Backspace
    pty.wait_until("back to the Arabic section", |_| {
        top_line(&pty) == arabic_top
    });
    pty.send("'");
    pty.wait_for("Jump to:");
    pty.send("c"); // source 2 is labelled with its hotkey
    pty.wait_for("2/5 001_");
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn quitting_and_reopening_lands_on_the_same_paragraph() {
    let home = tempfile::tempdir().unwrap();
    let home_path = home.path().to_path_buf();
    let mut pty = Pty::spawn_in(&[], 100, 30, home);
    pty.wait_for("1/5 000_");
    pty.send("4l}jj");
    pty.wait_until("scrolled into the Arabic section", |_| top_line(&pty) > 3);
    let before = pty.rows()[1].clone();
    pty.send("m");
    pty.wait_for("Bookmarked");
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
    // The state is a snapshot and a journal of what changed since.
    let folder = home_path.join("state/folio");
    let state = std::fs::read_to_string(folder.join("state.json")).unwrap()
        + &std::fs::read_to_string(folder.join("state.json.journal")).unwrap_or_default();
    assert!(state.contains("003_9421ad859a52f834.txt"), "{state}");

    let home = tempfile::TempDir::new_in(home_path.parent().unwrap()).unwrap();
    copy_dir(&home_path, home.path());
    let mut pty = Pty::spawn_in(&[], 100, 30, home);
    pty.wait_for("4/5 003_");
    assert_eq!(pty.rows()[1], before, "the same line is at the top");
    pty.send("M");
    pty.wait_for("Bookmarks (Enter jumps");
    pty.send("q");
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn y_copies_the_paragraph_with_osc52() {
    let mut pty = Pty::spawn(&[], 100, 30);
    pty.wait_for("1/5 000_");
    pty.send("y");
    pty.wait_for("Copied the paragraph");
    let out = String::from_utf8_lossy(&pty.output()).into_owned();
    let at = out.find("\x1b]52;c;").expect("an OSC 52 sequence");
    let end = out[at..].find('\x07').unwrap();
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD
        .decode(&out[at + 7..at + end])
        .unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(text.starts_with("Moscow (IP) - A large number"), "{text}");
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn e_opens_the_editor_and_the_reader_comes_back() {
    let home = tempfile::tempdir().unwrap();
    let script = home.path().join("editor.sh");
    let copy = home.path().join("edited.txt");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ncp \"$1\" '{}'\necho EDITOR-RAN\n",
            copy.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let script = script.to_str().unwrap().to_string();
    let mut pty = Pty::spawn_with(&[], 100, 30, home, &[("VISUAL", &script)]);
    pty.wait_for("1/5 000_");
    pty.send("2e");
    pty.wait_until("the reader to come back", |s| {
        copy.exists() && s.contains("2/5 001_") && !s.contains("EDITOR-RAN")
    });
    let text = std::fs::read_to_string(&copy).unwrap();
    assert!(text.contains("Hamas chief"), "{text}");
    pty.with_screen(|s| assert!(s.alternate_screen()));
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
    pty.assert_restored();
}

#[test]
fn e_writes_a_built_in_article_to_a_private_file_never_through_a_planted_link() {
    let home = tempfile::tempdir().unwrap();
    let tmp = home.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let victim = home.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let used = home.path().join("used-path.txt");
    let copy = home.path().join("edited.txt");
    let script = home.path().join("editor.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s' \"$1\" > '{}'\ncp \"$1\" '{}'\n",
            used.display(),
            copy.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let script = script.to_str().unwrap().to_string();
    let mut pty = Pty::spawn_with(
        &[],
        100,
        30,
        home,
        &[("VISUAL", &script), ("TMPDIR", tmp.to_str().unwrap())],
    );
    pty.wait_for("1/5 000_");
    // Where folio used to write a built-in article: a name anyone could guess and plant first.
    let name = "001_4e1852c0d95101e1.txt";
    let planted = tmp.join(format!("folio-{}-{name}", pty.pid()));
    std::os::unix::fs::symlink(&victim, &planted).unwrap();
    pty.send("2e");
    pty.wait_until("the reader to come back", |s| {
        copy.exists() && s.contains("2/5 001_")
    });
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let text = std::fs::read_to_string(&copy).unwrap();
    assert!(text.contains("Hamas chief"), "{text}");
    let used = std::path::PathBuf::from(std::fs::read_to_string(&used).unwrap());
    assert_ne!(used, planted);
    assert_eq!(
        used.file_name().unwrap(),
        name,
        "the editor shows the article's name"
    );
    let folder = used.parent().unwrap();
    assert_eq!(folder.parent(), Some(tmp.as_path()));
    let folder_name = folder.file_name().unwrap().to_str().unwrap();
    assert!(folder_name.starts_with("folio-"), "{folder_name}");
    assert_ne!(folder_name, format!("folio-{}", pty.pid()));
    // The copy and its folder are gone; only the planted link is left.
    assert!(!folder.exists(), "{} was not removed", folder.display());
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(left, vec![planted]);
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
    pty.assert_restored();
}

#[test]
fn no_color_draws_without_colours_and_ascii_borders_are_ascii() {
    let mut pty = Pty::spawn(&["--ascii"], 100, 30);
    pty.wait_for("1/5 000_");
    let screen = pty.screen();
    assert!(screen.starts_with("+ Library (5) ---"), "{screen}");
    assert!(!screen.contains('╭'));
    pty.send("q");
    pty.wait_exit();

    // A locale that is not UTF-8 falls back to ASCII borders by itself.
    let mut pty = Pty::spawn_env(&[], 100, 30, &[("LANG", "C")]);
    pty.wait_for("1/5 000_");
    assert!(
        pty.screen().starts_with("+ Library (5) ---"),
        "{}",
        pty.screen()
    );
    pty.send("q");
    pty.wait_exit();

    let mut pty = Pty::spawn_env(&[], 100, 30, &[("NO_COLOR", "1")]);
    pty.wait_for("1/5 000_");
    let out = String::from_utf8_lossy(&pty.output()).into_owned();
    assert!(
        !out.contains("\x1b[38;5;"),
        "a 256-colour escape under NO_COLOR"
    );
    assert!(
        !out.contains("\x1b[48;5;"),
        "a 256-colour escape under NO_COLOR"
    );
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn print_config_and_plain_dump() {
    let config = folio(&["--print-config"]);
    assert!(
        config.contains("[reader]") && config.contains("width = 100"),
        "{config}"
    );
    let path = format!(
        "{}/seeds/001_4e1852c0d95101e1.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let plain = folio(&["--dump", "--plain", &path]);
    assert!(plain.contains("Hamas chief, Russia FM discuss escalations"));
    assert!(!plain.contains("Leave a Reply"), "boilerplate removed");
    assert!(!plain.contains("WordPress Ads"));
    let dump = folio(&["--dump", &path]);
    assert!(
        dump.contains("Leave a Reply"),
        "the reader shows it, dimmed"
    );
}

#[test]
fn a_paste_fills_a_prompt_and_never_acts_as_keys() {
    let mut pty = Pty::spawn(&[], 100, 30);
    pty.wait_for("1/5 000_");
    pty.send("f");
    pty.wait_for("Filter:");
    // `q` inside a paste must not quit.
    pty.send("\x1b[200~diplomats q\x1b[201~");
    pty.wait_for("Filter: diplomats q");
    pty.send("\x7f\x7f\r");
    pty.wait_for("1/5 matching");
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
}
