//! What folio prints on stdout and stderr about user data (file names, config values, manifest
//! entries) never carries a raw control, bidi control or invisible character.

use std::process::Command;

use folio::text::sanitize::{is_bidi_control, is_invisible_format};

fn raw_chars(s: &str) -> Vec<char> {
    s.chars()
        .filter(|&c| (c.is_control() && c != '\n') || is_bidi_control(c) || is_invisible_format(c))
        .collect()
}

fn folio(args: &[&str], home: &std::path::Path) -> (String, String, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .output()
        .expect("run folio");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

#[test]
fn hostile_names_and_config_values_are_printed_visibly() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    let evil = "a\u{202E}\u{202A}b\u{200B}\u{1b}]0;x\u{7}.txt";
    std::fs::write(lib.join(evil), "Title\n\nBody.\n").unwrap();
    std::fs::write(lib.join("plain.txt"), "Other\n\nBody.\n").unwrap();
    // A manifest naming a missing file with controls in its name, and a bad hotkey.
    std::fs::write(
        lib.join("sources.toml"),
        "[[source]]\nfile = \"gone\\u001b[2J\\u202e.txt\"\n",
    )
    .unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[ui]\ntheme = \"dark\\u001b]0;pwned\\u0007\"\n[keys]\n\"quit\\u001b\" = [\"q\"]\nhelp = [\"\\u202e\"]\n",
    )
    .unwrap();
    let lib = lib.to_str().unwrap();
    let config = config.to_str().unwrap();
    for args in [
        vec!["--config", config, "--dump", lib],
        vec!["--config", config, "--dump", "--logical", lib],
        vec!["--config", config, "--dump", "--plain", lib],
        vec!["--config", config, "--list", lib],
        vec!["--config", config, "--list", "--json", lib],
        vec!["--config", config, "--print-config"],
    ] {
        let (stdout, stderr, code) = folio(&args, dir.path());
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert_eq!(
            raw_chars(&stdout),
            Vec::<char>::new(),
            "{args:?} stdout:\n{stdout}"
        );
        assert_eq!(
            raw_chars(&stderr),
            Vec::<char>::new(),
            "{args:?} stderr:\n{stderr}"
        );
        assert!(
            stderr.contains("␛"),
            "{args:?}: the config's ESC is not shown: {stderr}"
        );
    }
    let (stdout, stderr, _) = folio(&["--dump", lib], dir.path());
    assert!(
        stdout.contains("==> a<RLO><LRE>b<U+200B>␛]0;x␇.txt <=="),
        "{stdout}"
    );
    assert!(stderr.contains("gone␛[2J<RLO>.txt"), "{stderr}");
    // JSON keeps the data, escaped.
    let (stdout, _, _) = folio(&["--list", "--json", lib], dir.path());
    assert!(stdout.contains("\\u202e"), "{stdout}");
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(rows.to_string().contains('\u{202E}'));
}

#[test]
fn a_missing_path_with_controls_is_reported_visibly() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no\u{202E}such\u{1b}[2J");
    let (_, stderr, code) = folio(&["--dump", missing.to_str().unwrap()], dir.path());
    assert_eq!(code, Some(2));
    assert_eq!(raw_chars(&stderr), Vec::<char>::new(), "{stderr}");
    assert!(stderr.contains("no<RLO>such␛[2J"), "{stderr}");
}

#[test]
fn a_config_named_on_the_command_line_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.toml");
    for args in [
        vec!["--config", missing.to_str().unwrap(), "--dump"],
        vec!["--config", missing.to_str().unwrap(), "--print-config"],
    ] {
        let (stdout, stderr, code) = folio(&args, dir.path());
        assert_eq!(code, Some(2), "{args:?}: {stdout}");
        assert!(stderr.contains("missing.toml"), "{stderr}");
        assert!(stdout.is_empty());
    }
}
