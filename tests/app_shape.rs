//! The app's shape as a user meets it: keys from the keymap in every context, messages kept,
//! full-width mode that changes nothing else, and config mistakes that cost only themselves.

use folio::app::{Key, KeyCode, Overlay};
use folio::config::Settings;
use folio::library::{self, Library, Origin, parse_article};

mod app_support;
use app_support::{Harness, buffer_text};

fn settings(toml: &str) -> Settings {
    let s = Settings::from_user_toml(toml, "config.toml");
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    s
}

#[test]
fn full_width_twice_changes_nothing_else() {
    let mut h = Harness::seeds(100, 30);
    // Near the end of an article, where a taller column clamps the top.
    h.press("lG");
    h.press("kkkkk");
    let (top, selected, list_top) = (h.app.top(), h.app.selected(), h.app.list_top());
    h.press("ZZ");
    assert_eq!(h.app.top(), top, "the reading place moved");
    assert_eq!(h.app.selected(), selected);
    assert_eq!(h.app.list_top(), list_top, "the list scrolled");
    // The last article selected: its list still starts at the top, with no empty rows.
    let mut h = Harness::seeds(100, 30);
    h.press("5ZZ");
    assert_eq!(h.app.list_top(), 0);
    let frame = h.frame();
    assert!(
        frame.contains("1r"),
        "the first source scrolled out of view:\n{frame}"
    );
}

#[test]
fn every_warning_is_kept_and_the_status_line_counts_them() {
    let mut lib = library::load_seeds();
    lib.warnings = vec!["first warning".into(), "second warning".into()];
    let mut h = Harness::with(lib, 100, 30);
    let frame = h.frame();
    assert!(
        frame.contains("2 warnings — press : to read them"),
        "{frame}"
    );
    h.press("j");
    let frame = h.frame();
    assert!(frame.contains("2 msg (:)"), "the count is gone:\n{frame}");
    h.press(":");
    assert!(matches!(h.app.overlay(), Some(Overlay::Messages(_))));
    let frame = h.frame();
    assert!(
        frame.contains("first warning") && frame.contains("second warning"),
        "{frame}"
    );
    // Messages shown later join them.
    h.key(Key::plain(KeyCode::Esc));
    h.press("9");
    assert!(h.app.messages().last().unwrap().contains("no source 9"));
}

#[test]
fn picker_keys_come_from_their_own_context() {
    let s = settings("[keys.picker]\ndelete = [\"x\"]\nchoose = [\"o\"]\n");
    let mut h = Harness::configured(library::load_seeds(), s, 100, 30);
    h.press("lmM");
    let frame = h.frame();
    assert!(frame.contains("Bookmarks (o jumps, x deletes)"), "{frame}");
    // `d` is no longer delete: it closes the list, as an unbound key does.
    h.press("d");
    assert!(h.app.overlay().is_none());
    h.press("Mx");
    assert!(h.app.overlay().is_none(), "the last bookmark was deleted");
    assert_eq!(h.app.message(), Some("Bookmark deleted"));
}

#[test]
fn prompt_and_jump_keys_come_from_their_own_context() {
    let s = settings(
        "[keys.prompt]\nsubmit = [\"Tab\"]\nclear_input = [\"C-w\"]\n[keys.jump]\ncancel = [\"C-g\"]\n",
    );
    let mut h = Harness::configured(library::load_seeds(), s, 100, 30);
    h.press("l/Gaza");
    h.key(Key::ctrl('w'));
    h.press("Moscow");
    let frame = h.frame();
    assert!(frame.contains("/Moscow"), "{frame}");
    assert!(
        frame.contains("Tab · Esc"),
        "the hint does not follow the keymap:\n{frame}"
    );
    h.key(Key::plain(KeyCode::Tab));
    assert_eq!(h.app.search().map(|s| s.query.as_str()), Some("Moscow"));
    h.press("'");
    h.key(Key::ctrl('g'));
    assert!(h.app.overlay().is_none());
}

#[test]
fn list_digits_follow_the_keymap() {
    let s = settings("[keys]\nsource_1 = [\"!\"]\n");
    let mut h = Harness::configured(library::load_seeds(), s, 100, 30);
    let frame = h.frame();
    assert!(frame.contains("│!r •"), "{frame}");
    h.press("3!");
    assert_eq!(h.app.selected(), 0);
}

#[test]
fn one_bad_value_costs_only_itself_and_names_its_line() {
    let s = Settings::from_user_toml(
        "[reader]\nwidth = \"wide\"\nmargin = 3\n[ui]\ntheme = \"light\"\n",
        "config.toml",
    );
    assert_eq!(s.config.reader.margin, 3);
    assert_eq!(s.config.ui.theme, folio::config::ThemeName::Light);
    assert_eq!(s.config.reader.width, 100);
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(
        s.warnings[0].starts_with("config.toml: line 2: reader.width: "),
        "{:?}",
        s.warnings
    );
}

#[test]
fn the_printed_config_holds_every_key_and_reads_back() {
    let s = settings("[keys]\nquit = [\"x\", \"C-c\"]\n[keys.picker]\ndelete = [\"Delete\"]\n");
    let printed = s.to_toml();
    assert!(printed.contains("[keys]"), "{printed}");
    assert!(printed.contains("[keys.picker]"), "{printed}");
    let again = settings(&printed);
    for context in folio::keymap::Context::ALL {
        let a: Vec<_> = s.keymap.bindings_in(context).collect();
        let b: Vec<_> = again.keymap.bindings_in(context).collect();
        assert_eq!(a, b, "{context:?}");
    }
    assert_eq!(again.config, s.config);
}

/// A thousand hits open as a list that pages by what it shows.
#[test]
fn a_thousand_results_open_and_page_by_the_screen() {
    let text = format!("Title\n\n{}\n", "needle and hay. ".repeat(1000));
    let lib = Library {
        articles: vec![parse_article("n.txt", Origin::Embedded, text.as_bytes())],
        warnings: Vec::new(),
        sources: Vec::new(),
    };
    let mut h = Harness::with(lib, 100, 30);
    h.press("Sneedle").key(Key::plain(KeyCode::Enter));
    let Some(Overlay::Results { picker, .. }) = h.app.overlay() else {
        panic!("no results");
    };
    assert_eq!(picker.items.len(), 1000);
    let frame = buffer_text(h.render());
    assert!(frame.contains("1000 matches"), "{frame}");
    // Paging moves by what the list shows.
    h.key(Key::plain(KeyCode::PageDown));
    let Some(Overlay::Results { picker, .. }) = h.app.overlay() else {
        panic!("no results");
    };
    assert!(
        picker.selected > 1 && picker.selected < 40,
        "{}",
        picker.selected
    );
}
