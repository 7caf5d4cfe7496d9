//! The whole app under hostile input: random articles in mixed scripts, full of control and
//! bidi formatting characters, lone marks, empty and huge paragraphs, loaded from a folder by the
//! library loader, then driven by random keys, pastes, resizes and mouse events at sizes from
//! 0×0 up, with every overlay the keymap opens.
//!
//! Each case must finish (it runs on a thread with a deadline), must not panic, and after every
//! step the reader stays within its layout and the frame holds no raw control or bidi formatting
//! character.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use folio::app::{App, Key, KeyCode, Keymap, Mouse};
use folio::config::Settings;
use folio::library::{self, Library};
use folio::text::sanitize::is_bidi_control;
use folio::ui::{Screen, Theme};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// How long one case may take before it counts as a hang. Generous: debug builds on a shared
/// machine are slow, and a hang is forever.
const DEADLINE: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------------
// Hostile text.
// ---------------------------------------------------------------------------------------------

/// Pieces of text an article or a paste is built from: each script folio meets, and everything
/// that has gone wrong with text in terminals.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        // Latin words and punctuation.
        4 => "[a-zA-Z]{1,12}[ ,.;:!?()\\[\\]\"'-]{0,2}",
        1 => Just(" ".to_string()),
        // Arabic with harakat, shadda and tatweel; Arabic-Indic digits.
        3 => "[\u{0621}-\u{064A}\u{064B}-\u{0652}\u{0640}\u{0660}-\u{0669}]{1,10}",
        1 => Just("غزّة اَلسَّلَامُ عَلَيْكُمْ لا".to_string()),
        // Hebrew with points.
        1 => "[\u{05D0}-\u{05EA}\u{05B0}-\u{05BC}]{1,8}",
        // CJK and Hangul: wide, no spaces.
        2 => "[\u{4E00}-\u{4E80}\u{3041}-\u{3093}\u{AC00}-\u{AC40}。、]{1,12}",
        // Emoji: ZWJ sequences, flags, skin tones, keycaps, variation selectors.
        1 => prop::sample::select(vec![
            "👨\u{200D}👩\u{200D}👧\u{200D}👦",
            "🇵🇸🇮🇱",
            "👍🏽",
            "❤\u{FE0F}",
            "1\u{FE0F}\u{20E3}",
            "🏳\u{FE0F}\u{200D}🌈",
            "\u{1F1E6}",
        ])
        .prop_map(str::to_string),
        // Control characters: C0, DEL, C1, escape sequences.
        2 => prop::sample::select(vec![
            "\x1b", "\x1b[2J", "\x1b]0;pwned\x07", "\x07", "\x00", "\x08", "\r", "\t", "\x7f",
            "\u{9b}", "\u{85}", "\x0b", "\x0c",
        ])
        .prop_map(str::to_string),
        // Lone combining marks (Latin, Arabic harakat, enclosing, Devanagari vowel signs).
        2 => "[\u{0300}-\u{0310}\u{064B}-\u{0652}\u{20DD}\u{093E}\u{FE0F}]{1,4}",
        // Bidi formatting: embeddings, overrides, isolates, marks, zero-width characters.
        3 => "[\u{202A}-\u{202E}\u{2066}-\u{2069}\u{200B}-\u{200F}\u{061C}]{1,4}",
        // Line and paragraph separators.
        1 => prop::sample::select(vec!["\u{2028}", "\u{2029}"]).prop_map(str::to_string),
    ]
}

fn paragraph() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::collection::vec(piece(), 1..24).prop_map(|v| v.concat()),
        1 => Just(String::new()),
        // A huge paragraph: one piece over and over, no line breaks.
        1 => (piece(), 200usize..600).prop_map(|(p, n)| {
            let mut s = p.replace('\n', " ");
            s.push(' ');
            s.repeat(n)
        }),
    ]
}

/// An article file's bytes: paragraphs separated by blank or single lines, sometimes with bytes
/// that are not UTF-8.
fn article() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec((paragraph(), any::<bool>()), 0..8),
        prop::option::weighted(0.15, 0usize..64),
    )
        .prop_map(|(paras, bad_at)| {
            let mut text = String::new();
            for (p, blank) in paras {
                text.push_str(&p);
                text.push_str(if blank { "\n\n" } else { "\n" });
            }
            let mut bytes = text.into_bytes();
            if let Some(at) = bad_at {
                let at = at.min(bytes.len());
                bytes.splice(at..at, [0xFF, 0xC3]);
            }
            bytes
        })
}

#[derive(Clone, Debug)]
struct Entry {
    article: usize,
    title: Option<String>,
    hotkey: Option<char>,
}

fn entry() -> impl Strategy<Value = Entry> {
    (
        0usize..6,
        prop::option::of(prop::collection::vec(piece(), 1..5).prop_map(|v| v.concat())),
        prop::option::of(prop::sample::select(vec![
            'a', 'x', 'r', 'S', '7', 'q', 'j',
        ])),
    )
        .prop_map(|(article, title, hotkey)| Entry {
            article,
            title,
            hotkey,
        })
}

// ---------------------------------------------------------------------------------------------
// What the user does.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Step {
    /// A key the default keymap binds (`assets/keymap.toml`): every action and overlay.
    Bound(usize),
    /// A character typed into whatever is open (labels, prompts, hotkeys).
    Char(char),
    Named(KeyCode),
    Paste(String),
    Resize(u16, u16),
    Mouse(u8, u16, u16),
}

fn size() -> impl Strategy<Value = (u16, u16)> {
    prop_oneof![
        3 => prop::sample::select(vec![
            (0, 0), (1, 1), (0, 5), (5, 0), (1, 3), (3, 1), (2, 2), (10, 3), (20, 6), (40, 10),
            (80, 24), (100, 30),
        ]),
        2 => (0u16..130, 0u16..45),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (0usize..256).prop_map(Step::Bound),
        3 => prop_oneof![
            "[a-z]",
            "[\u{0621}-\u{064A}]",
            "[\u{202A}-\u{202E}\u{2066}-\u{2069}\u{200B}-\u{200F}\u{0301}\u{4E00}]",
            Just("\u{1b}".to_string()),
        ]
        .prop_map(|s| Step::Char(s.chars().next().expect("one char"))),
        2 => prop::sample::select(vec![
            KeyCode::Enter, KeyCode::Esc, KeyCode::Backspace, KeyCode::Tab, KeyCode::BackTab,
            KeyCode::Up, KeyCode::Down, KeyCode::PageUp, KeyCode::PageDown, KeyCode::Home,
            KeyCode::End, KeyCode::Left, KeyCode::Right, KeyCode::Delete, KeyCode::F(1),
        ])
        .prop_map(Step::Named),
        1 => prop::collection::vec(piece(), 0..6).prop_map(|v| Step::Paste(v.concat())),
        2 => size().prop_map(|(c, r)| Step::Resize(c, r)),
        1 => (any::<u8>(), 0u16..140, 0u16..50).prop_map(|(k, c, r)| Step::Mouse(k, c, r)),
    ]
}

#[derive(Clone, Debug)]
struct Case {
    articles: Vec<Vec<u8>>,
    manifest: Vec<Entry>,
    shape_off: bool,
    bidi: u8,
    boilerplate: bool,
    size: (u16, u16),
    steps: Vec<Step>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(article(), 1..5),
        prop::collection::vec(entry(), 0..4),
        any::<bool>(),
        0u8..3,
        any::<bool>(),
        size(),
        prop::collection::vec(step(), 0..48),
    )
        .prop_map(
            |(articles, manifest, shape_off, bidi, boilerplate, size, steps)| Case {
                articles,
                manifest,
                shape_off,
                bidi,
                boilerplate,
                size,
                steps,
            },
        )
}

// ---------------------------------------------------------------------------------------------
// Running a case.
// ---------------------------------------------------------------------------------------------

fn file_name(i: usize) -> String {
    if i % 3 == 2 {
        format!("{i:02}.md")
    } else {
        format!("{i:02}.txt")
    }
}

/// Write the case's articles (and manifest) to a fresh folder and open it as folio would.
fn load(case: &Case) -> (tempfile::TempDir, Library) {
    let dir = tempfile::tempdir().expect("temp folder");
    for (i, bytes) in case.articles.iter().enumerate() {
        std::fs::write(dir.path().join(file_name(i)), bytes).expect("write article");
    }
    if !case.manifest.is_empty() {
        let mut toml = String::new();
        for e in &case.manifest {
            toml.push_str("[[source]]\n");
            toml.push_str(&format!(
                "file = {}\n",
                folio::keymap::toml_string(&file_name(e.article))
            ));
            if let Some(t) = &e.title {
                toml.push_str(&format!("title = {}\n", folio::keymap::toml_string(t)));
            }
            if let Some(k) = e.hotkey {
                toml.push_str(&format!("hotkey = \"{k}\"\n"));
            }
        }
        std::fs::write(dir.path().join("sources.toml"), toml).expect("write manifest");
    }
    let library = library::load_paths(&[PathBuf::from(dir.path())]).expect("the folder opens");
    (dir, library)
}

fn settings(case: &Case) -> Settings {
    let toml = format!(
        "[reader]\nshape = \"{}\"\nbidi = \"{}\"\nboilerplate = {}\n",
        if case.shape_off { "off" } else { "on" },
        ["app", "terminal", "off"][case.bidi as usize],
        case.boilerplate
    );
    let settings = Settings::from_user_toml(&toml, "config.toml");
    assert!(settings.warnings.is_empty(), "{:?}", settings.warnings);
    settings
}

fn render(terminal: &mut Terminal<TestBackend>, app: &App, size: (u16, u16)) {
    terminal.backend_mut().resize(size.0, size.1);
    terminal
        .draw(|f| {
            f.render_widget(
                Screen {
                    app,
                    theme: &Theme::default(),
                },
                f.area(),
            )
        })
        .expect("draw");
}

/// Check the state and the frame after `what`; the error names the step and shows the frame.
fn check(app: &App, terminal: &Terminal<TestBackend>, what: &str) -> Result<(), String> {
    let lines = app.layout().lines.len();
    if app.top() > lines {
        return Err(format!(
            "after {what}: top {} is past the {lines} laid-out lines",
            app.top()
        ));
    }
    let buf = terminal.backend().buffer();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let s = buf[(x, y)].symbol();
            if let Some(c) = s.chars().find(|&c| c.is_control() || is_bidi_control(c)) {
                return Err(format!(
                    "after {what}: cell ({x}, {y}) holds U+{:04X} raw ({s:?}); overlay {:?}",
                    c as u32,
                    app.overlay()
                ));
            }
        }
    }
    Ok(())
}

/// Press a key.
fn press(app: &mut App, key: Key, _rows: u16) {
    app.handle_key(key);
}

/// Drive the app through the case's steps, checking after each one.
fn drive(case: &Case, library: Library) -> Result<(), String> {
    let bound: Vec<Key> = Keymap::default_keymap()
        .bindings()
        .flat_map(|(_, keys)| keys.iter().copied())
        .collect();
    let mut size = case.size;
    let mut app = App::new(Arc::new(library), settings(case), size.0, size.1);
    let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).expect("test terminal");
    render(&mut terminal, &app, size);
    check(&app, &terminal, "the first frame")?;
    for (n, step) in case.steps.iter().enumerate() {
        match step {
            Step::Bound(i) => press(&mut app, bound[i % bound.len()], size.1),
            Step::Char(c) => press(&mut app, Key::char(*c), size.1),
            Step::Named(code) => press(&mut app, Key::plain(*code), size.1),
            Step::Paste(text) => app.handle_paste(text),
            Step::Resize(cols, rows) => {
                size = (*cols, *rows);
                app.resize(size.0, size.1);
            }
            Step::Mouse(kind, col, row) => {
                let (col, row) = (*col, *row);
                app.handle_mouse(match kind % 3 {
                    0 => Mouse::ScrollUp { col, row },
                    1 => Mouse::ScrollDown { col, row },
                    _ => Mouse::Click { col, row },
                });
            }
        }
        // The front ends carry out effects; quitting ends the session.
        app.take_effects();
        render(&mut terminal, &app, size);
        check(&app, &terminal, &format!("step {n} ({step:?})"))?;
        if app.exit().is_some() {
            break;
        }
    }
    Ok(())
}

/// Run a case on its own thread: a panic or a hang fails the case instead of the whole test
/// binary.
fn run_case(case: Case) -> Result<(), TestCaseError> {
    let (_dir, library) = load(&case);
    let (tx, rx) = mpsc::channel();
    let worker = thread::Builder::new()
        .name("prop_app case".into())
        .spawn(move || {
            let result = drive(&case, library);
            let _ = tx.send(result);
        })
        .expect("spawn a case thread");
    match rx.recv_timeout(DEADLINE) {
        Ok(Ok(())) => {
            worker.join().expect("the case thread ended");
            Ok(())
        }
        Ok(Err(message)) => Err(TestCaseError::fail(message)),
        // The sender was dropped without a result: the case panicked.
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let panic = worker.join().expect_err("no result means a panic");
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(TestCaseError::fail(format!("panicked: {message}")))
        }
        // The thread is left running: it cannot be stopped, and the test has failed.
        Err(mpsc::RecvTimeoutError::Timeout) => Err(TestCaseError::fail(format!(
            "a case did not finish within {DEADLINE:?}"
        ))),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        // A failing case shrinks, but a hang costs the whole deadline per attempt.
        max_shrink_iters: 256,
        max_shrink_time: 60_000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_app_survives_hostile_text_and_input(case in case()) {
        run_case(case)?;
    }
}

/// The hostile fixtures themselves, at every size from 0×0 to a small screen, through every
/// overlay: a fixed script, so a failure here is the same every run.
#[test]
fn the_hostile_fixtures_at_tiny_sizes() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile");
    let library = library::load_paths(&[dir]).expect("the fixtures open");
    assert!(library.articles.len() >= 7, "{:?}", library.warnings);
    // Every overlay, typed into, then closed; a few moves between.
    let script = "?j\x1b'a\x1b/\u{202E}a\n]nN/x\x1bfq\u{0301}\x1bSع\nmM\njG Zz}{\x08";
    let sizes = [
        (0, 0),
        (1, 1),
        (2, 1),
        (1, 2),
        (4, 3),
        (12, 5),
        (30, 8),
        (60, 12),
    ];
    for (shape_off, bidi) in [(false, 0), (true, 1), (false, 2)] {
        for &size in &sizes {
            let case = Case {
                articles: Vec::new(),
                manifest: Vec::new(),
                shape_off,
                bidi,
                boilerplate: true,
                size,
                steps: script_steps(script),
            };
            if let Err(e) = drive(&case, library.clone()) {
                panic!("{size:?} shape_off={shape_off} bidi={bidi}: {e}");
            }
        }
    }
}

/// Keys as `Step`s: `\x1b` is Esc, `\n` Enter, `\x08` Backspace; anything else a character.
fn script_steps(script: &str) -> Vec<Step> {
    script
        .chars()
        .map(|c| match c {
            '\x1b' => Step::Named(KeyCode::Esc),
            '\n' => Step::Named(KeyCode::Enter),
            '\x08' => Step::Named(KeyCode::Backspace),
            c => Step::Char(c),
        })
        .collect()
}
