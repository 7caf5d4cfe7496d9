//! Config files as users write them, good and bad: a bad file is reported with its line and
//! never stops the reader.

use std::path::Path;

use folio::app::{Action, Key};
use folio::config::{Config, Settings, ThemeName};
use folio::text::ShapeMode;

fn load(name: &str) -> Settings {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(name);
    Settings::load(Some(&path), true)
}

#[test]
fn a_good_file_is_laid_over_the_defaults() {
    let s = load("good.toml");
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_eq!(s.config.reader.width, 72);
    assert_eq!(s.config.reader.shape, ShapeMode::Off);
    assert_eq!(s.config.ui.theme, ThemeName::Light);
    assert_eq!(s.config.reader.margin, Config::default().reader.margin);
    assert_eq!(s.keymap.action(&Key::char('x')), Some(Action::Quit));
    assert_eq!(s.keymap.action(&Key::char('q')), None);
}

#[test]
fn a_syntax_error_names_the_line_and_keeps_defaults() {
    let s = load("bad_syntax.toml");
    assert_eq!(s.config, Config::default());
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(
        s.warnings[0].contains("bad_syntax.toml: line 2"),
        "{:?}",
        s.warnings
    );
}

#[test]
fn unknown_fields_and_bad_values_are_reported() {
    let s = load("unknown_field.toml");
    assert_eq!(s.config, Config::default());
    assert!(s.warnings[0].contains("widht"), "{:?}", s.warnings);
    let s = load("bad_value.toml");
    assert_eq!(s.config, Config::default());
    assert!(s.warnings[0].contains("sideways"), "{:?}", s.warnings);
    let s = load("zero_width.toml");
    assert_eq!(s.config.reader.width, 100);
    assert!(s.warnings[0].contains("at least 1"), "{:?}", s.warnings);
}

#[test]
fn unknown_actions_and_keys_are_reported_with_their_lines() {
    let s = load("bad_keys.toml");
    assert_eq!(
        s.warnings,
        vec![
            format!(
                "{}: line 3: unknown action 'teleport'",
                fixture("bad_keys.toml")
            ),
            format!(
                "{}: line 4: unknown key 'Hyper-j'",
                fixture("bad_keys.toml")
            ),
        ]
    );
    // What was good still applies.
    assert_eq!(s.keymap.action(&Key::char('n')), Some(Action::MoveDown));
    assert_eq!(s.keymap.action(&Key::char('q')), Some(Action::Quit));
}

#[test]
fn a_missing_file_named_on_the_command_line_is_reported() {
    let s = load("no_such_file.toml");
    assert_eq!(s.config, Config::default());
    assert!(
        s.warnings[0].contains("no_such_file.toml"),
        "{:?}",
        s.warnings
    );
    // At the default place, a missing file is simply no file.
    let quiet = Settings::load(Some(Path::new("no/such/config.toml")), false);
    assert!(quiet.warnings.is_empty());
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(name)
        .display()
        .to_string()
}
