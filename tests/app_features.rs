//! Sources, sections, search, filter, memory and copy, driven through the app's state and drawn
//! on ratatui's TestBackend.

use std::sync::Arc;

use folio::app::{App, Effect, Focus, Key, KeyCode, Mouse, Overlay, Policy};
use folio::config::Settings;
use folio::library::{self, Lang, ParagraphKind};
use folio::store::Store;
use folio::text::Direction;
use folio::ui::Theme;
use ratatui::buffer::Buffer;

mod app_support;
use app_support::{Harness, buffer_text};

fn app() -> App {
    App::new(
        Arc::new(library::load_seeds()),
        Settings::defaults(),
        100,
        30,
    )
}

fn press(app: &mut App, keys: &str) {
    for c in keys.chars() {
        app.handle_key(Key::char(c));
    }
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(Key::plain(code));
}

fn render(app: &App) -> Buffer {
    app_support::render(app, 100, 30)
}

/// The paragraph shown on the top line of the reading column.
fn top_para(app: &App) -> usize {
    app.layout().lines[app.top()].para
}

#[test]
fn next_section_in_003_lands_on_the_first_arabic_paragraph() {
    let mut app = app();
    press(&mut app, "4");
    let article = app.article().unwrap();
    assert_eq!(article.sections.len(), 2);
    assert_eq!(article.sections[1].lang, Lang::Ar);
    let arabic = article.sections[1].paragraphs.start;
    assert_eq!(article.paragraphs[arabic].dir, Direction::Rtl);
    assert_eq!(app.current_section().map(|(i, _)| i), Some(0));
    press(&mut app, "}");
    assert_eq!(top_para(&app), arabic);
    assert!(!app.layout().lines[app.top()].gap);
    assert_eq!(app.current_section().map(|(i, _)| i), Some(1));
    let status = buffer_text(&render(&app))
        .lines()
        .last()
        .unwrap()
        .to_string();
    assert!(status.contains("AR §2/2 · 1 min"), "{status}");
    // With room, the section's word count too.
    app.resize(120, 30);
    let status = buffer_text(&app_support::render(&app, 120, 30));
    let words = app.article().unwrap().sections[1].words;
    assert!(
        status.contains(&format!("AR §2/2 · {words} words")),
        "{status}"
    );
    press(&mut app, "}");
    assert_eq!(app.message(), Some("This is the last section"));
    press(&mut app, "{");
    assert_eq!(app.top(), 0);
    // Backspace returns to where we were before the last jump: the Arabic section.
    key(&mut app, KeyCode::Backspace);
    assert_eq!(top_para(&app), arabic);
}

#[test]
fn hotkeys_land_where_the_help_says() {
    let mut app = app();
    let help = app.help_lines();
    // Letter hotkeys from the seeds' sources.toml.
    let letters = help
        .iter()
        .find(|(_, d)| d.contains("its letter"))
        .map(|(k, _)| k.clone())
        .unwrap();
    for (i, letter) in letters.split(' ').enumerate() {
        let c = letter.chars().next().unwrap();
        let want = app
            .library()
            .articles
            .iter()
            .position(|a| a.hotkey == Some(c))
            .unwrap();
        press(&mut app, letter);
        assert_eq!(app.selected(), want, "letter {c} (#{i})");
    }
    for n in 1..=5u8 {
        press(&mut app, &n.to_string());
        assert_eq!(app.selected(), n as usize - 1);
    }
    press(&mut app, "]");
    assert_eq!(app.selected(), 0, "] wraps to the first source");
    press(&mut app, "[");
    assert_eq!(app.selected(), 4);
    key(&mut app, KeyCode::Backspace);
    assert_eq!(app.selected(), 0, "back before the last jump");
}

#[test]
fn the_jump_prompt_labels_every_source() {
    let mut app = app();
    press(&mut app, "'");
    let Some(Overlay::Jump { labels, .. }) = app.overlay() else {
        panic!("no jump prompt");
    };
    assert_eq!(labels.len(), 5);
    let frame = buffer_text(&render(&app));
    assert!(frame.contains("Jump to:"), "{frame}");
    // A source with a hotkey is labelled with it: source 2's is `c`, as on the list.
    assert_eq!(labels[1], "c");
    press(&mut app, "c");
    assert_eq!(app.selected(), 1);
    assert!(app.overlay().is_none());
    press(&mut app, "'x");
    assert!(app.message().unwrap().contains("No source"));
}

#[test]
fn the_list_shows_keys_titles_outlets_languages_and_time() {
    let app = app();
    let frame = buffer_text(&render(&app));
    let rows: Vec<&str> = frame.lines().collect();
    for (i, a) in app.library().articles.iter().enumerate() {
        let row = rows[1 + 2 * i];
        let key = format!("│{}{} ", i + 1, a.hotkey.unwrap());
        assert!(row.starts_with(&key), "{row}");
        let start: String = a.title.chars().take(15).collect();
        assert!(row.contains(&start), "{row} lacks {start}");
        let facts = rows[2 + 2 * i];
        assert!(
            facts.contains(&format!("{} min", a.reading_minutes)),
            "{facts}"
        );
    }
    assert!(
        rows[8].contains("EN+AR"),
        "003 is marked EN+AR: {}",
        rows[8]
    );
    assert!(rows[2].contains("Iran Press"), "{}", rows[2]);
    assert!(
        !frame.contains("Middle East ·"),
        "no section label as a title"
    );
}

#[test]
fn boilerplate_is_dimmed_and_z_hides_it() {
    let mut app = app();
    press(&mut app, "2");
    let article = app.article().unwrap();
    let boiler: Vec<usize> = article
        .paragraphs
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind == ParagraphKind::Boilerplate)
        .map(|(i, _)| i)
        .collect();
    assert!(!boiler.is_empty());
    let with = app.layout().lines.len();
    assert!(app.layout().lines.iter().any(|l| boiler.contains(&l.para)));
    press(&mut app, "z");
    assert!(app.layout().lines.len() < with);
    assert!(
        !app.layout()
            .lines
            .iter()
            .any(|l| boiler.contains(&l.para) && !l.gap)
    );
    press(&mut app, "z");
    assert_eq!(app.layout().lines.len(), with);
}

#[test]
fn search_highlights_matches_inside_an_arabic_line() {
    let mut app = app();
    press(&mut app, "4l/");
    for c in "غزة".chars() {
        app.handle_key(Key::char(c));
    }
    key(&mut app, KeyCode::Enter);
    let search = app.search().cloned().expect("a search");
    assert!(search.matches.len() >= 5, "{:?}", search.matches);
    assert_eq!(search.current, Some(0));
    let buf = render(&app);
    let theme = Theme::default();
    // A mask of the screen: `#` where the current match is drawn, `+` other matches.
    let column = app.geometry().column;
    let mut mask = String::new();
    let mut marked_rows = 0;
    for y in column.y..column.y + column.height {
        let mut row = String::new();
        let mut symbols = String::new();
        for x in 0..buf.area.width {
            let cell = &buf[(x, y)];
            let c = if cell.bg == theme.matched_current.bg.unwrap() {
                '#'
            } else if cell.bg == theme.matched.bg.unwrap() {
                '+'
            } else {
                '.'
            };
            if c != '.' {
                symbols.push_str(cell.symbol());
            }
            row.push(c);
        }
        if !symbols.is_empty() {
            marked_rows += 1;
            // The highlighted cells hold the shaped letters of غزة, visually ة ز غ: the ghain
            // (its initial or medial form) is the rightmost.
            let last = symbols
                .chars()
                .rfind(|c| !('\u{064B}'..='\u{065F}').contains(c));
            assert!(
                matches!(last, Some('\u{FECD}'..='\u{FED0}')),
                "row {y}: highlighted {symbols:?} is not غزة drawn right to left"
            );
        }
        mask.push_str(row.trim_end_matches('.'));
        mask.push('\n');
    }
    assert!(marked_rows >= 3, "matches are highlighted:\n{mask}");
    let frame = buffer_text(&buf);
    insta::assert_snapshot!("arabic_search_frame", frame);
    insta::assert_snapshot!("arabic_search_mask", mask);
    press(&mut app, "n");
    assert_eq!(app.search().unwrap().current, Some(1));
    key(&mut app, KeyCode::Esc);
    assert!(app.search().is_none());
}

#[test]
fn smartcase_search_and_n_wraps() {
    let mut app = app();
    press(&mut app, "l/putin");
    key(&mut app, KeyCode::Enter);
    assert!(app.search().unwrap().matches.is_empty(), "000 has no Putin");
    assert!(app.message().unwrap().contains("not found"));
    press(&mut app, "4/Putin");
    key(&mut app, KeyCode::Enter);
    let n = app.search().unwrap().matches.len();
    assert!(n >= 3);
    for _ in 0..n {
        press(&mut app, "n");
    }
    assert!(app.message().unwrap().contains("wrapped"));
}

#[test]
fn typing_after_slash_in_the_list_filters_it() {
    let mut app = app();
    assert_eq!(app.focus(), Focus::List);
    press(&mut app, "/diplomats");
    assert_eq!(app.visible(), vec![4]);
    assert_eq!(app.selected(), 4);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.filter(), Some("diplomats"));
    let frame = buffer_text(&render(&app));
    assert!(frame.contains("1/5 matching"), "{frame}");
    key(&mut app, KeyCode::Esc);
    assert!(app.filter().is_none());
    assert_eq!(app.visible().len(), 5);
}

#[test]
fn library_search_opens_the_article_at_the_match() {
    let mut app = app();
    press(&mut app, "SLavrov");
    key(&mut app, KeyCode::Enter);
    let Some(Overlay::Results { picker, .. }) = app.overlay() else {
        panic!("no results");
    };
    assert!(picker.items.iter().all(|h| h.article == 1));
    let hit = picker.items[1].clone();
    press(&mut app, "j");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.selected(), 1);
    assert_eq!(app.focus(), Focus::Reader);
    let shown: Vec<usize> = app.layout().lines[app.top()..app.top() + app.page()]
        .iter()
        .map(|l| l.para)
        .collect();
    assert!(
        shown.contains(&hit.para),
        "the match's paragraph is on screen"
    );
}

#[test]
fn reopening_returns_to_the_same_paragraph_and_keeps_marks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let mut first = app();
    first.attach_store(Store::open(path.clone()).0, None);
    press(&mut first, "4l");
    press(&mut first, "}");
    press(&mut first, "jj");
    let para = top_para(&first);
    press(&mut first, "m");
    press(&mut first, "2u");
    first.remember();
    first.store_mut().save().unwrap();
    // Reopen at another width: same article, same paragraph.
    let mut again = App::new(
        Arc::new(library::load_seeds()),
        Settings::defaults(),
        80,
        24,
    );
    let (store, warning) = Store::open(path);
    assert!(warning.is_none());
    again.attach_store(store, None);
    assert_eq!(again.selected(), 1, "the last open article");
    assert!(again.is_read(1));
    press(&mut again, "4");
    assert_eq!(top_para(&again), para);
    press(&mut again, "M");
    let Some(Overlay::Bookmarks(p)) = again.overlay() else {
        panic!("no bookmarks");
    };
    assert_eq!(p.items.len(), 1);
    assert_eq!(p.items[0].article, 3);
}

#[test]
fn a_corrupt_state_file_is_reported_once_and_the_reader_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, "{ not json").unwrap();
    let mut app = app();
    let (store, warning) = Store::open(path.clone());
    app.attach_store(store, warning);
    assert!(app.message().unwrap().contains("unreadable"));
    app.remember();
    app.store_mut().save().unwrap();
    let (_, warning) = Store::open(path);
    assert!(warning.is_none());
}

#[test]
fn copy_sends_logical_text_never_the_shaped_visual_one() {
    let mut app = app();
    press(&mut app, "4l}y");
    let para = top_para(&app);
    let logical = app.article().unwrap().paragraphs[para].text.clone();
    match clipboard(&mut app).as_slice() {
        [Effect::Clipboard(text)] => {
            assert_eq!(text, &logical);
            assert!(text.contains("وقف"), "logical Arabic, unshaped: {text}");
        }
        other => panic!("{other:?}"),
    }
    press(&mut app, "Y");
    match clipboard(&mut app).as_slice() {
        [Effect::Clipboard(text)] => assert!(text.starts_with("During their meeting")),
        other => panic!("{other:?}"),
    }
}

/// What the app asked for besides saving, taken from its queue.
fn clipboard(app: &mut App) -> Vec<Effect> {
    app.take_effects()
        .into_iter()
        .filter(|e| *e != Effect::Save)
        .collect()
}

#[test]
fn served_sessions_refuse_to_start_programs() {
    let mut app = app();
    app.set_policy(Policy::SERVED);
    press(&mut app, "e");
    assert!(clipboard(&mut app).is_empty());
    assert!(app.message().unwrap().contains("disabled"));
    app.set_policy(Policy::LOCAL);
    press(&mut app, "o");
    assert!(matches!(
        clipboard(&mut app).as_slice(),
        [Effect::External { .. }]
    ));
}

#[test]
fn served_sessions_refuse_to_suspend() {
    let mut app = app();
    app.set_policy(Policy::SERVED);
    app.handle_key(Key::ctrl('z'));
    assert!(clipboard(&mut app).is_empty());
    assert!(app.message().unwrap().contains("disabled"));
    app.set_policy(Policy::LOCAL);
    app.handle_key(Key::ctrl('z'));
    assert_eq!(clipboard(&mut app), vec![Effect::Suspend]);
}

#[test]
fn the_mouse_scrolls_the_pane_under_it_and_clicks_select() {
    let mut app = app();
    let g = *app.geometry();
    app.handle_mouse(Mouse::ScrollDown {
        col: g.reader.x + 5,
        row: 5,
    });
    assert_eq!(app.top(), 3);
    app.handle_mouse(Mouse::ScrollDown { col: 2, row: 5 });
    assert_eq!(app.selected(), 1);
    app.handle_mouse(Mouse::Click { col: 3, row: 7 });
    assert_eq!(app.selected(), 3);
}

#[test]
fn full_width_mode_hides_the_list() {
    let mut app = app();
    press(&mut app, "Z");
    assert!(app.zoom());
    assert_eq!(app.geometry().list.width, 0);
    assert_eq!(app.focus(), Focus::Reader);
    let frame = buffer_text(&render(&app));
    assert!(!frame.contains("Library ("), "{frame}");
    press(&mut app, "Z");
    assert!(app.geometry().list.width > 0);
}

/// An article with no text says so, rather than showing a blank pane that looks like a fault.
#[test]
fn an_empty_article_says_it_has_no_text() {
    let library = folio::library::Library {
        articles: vec![folio::library::parse_article(
            "empty.txt",
            folio::library::Origin::Embedded,
            b"",
        )],
        sources: Vec::new(),
        warnings: Vec::new(),
    };
    let mut h = Harness::with(library, 80, 12);
    let frame = h.frame();
    assert!(frame.contains("This article has no text."), "{frame}");
}

/// An article holding only site furniture, hidden, names the key that shows it.
#[test]
fn an_article_of_only_boilerplate_names_the_key_that_shows_it() {
    // Built by hand: the parser only calls furniture what follows a body.
    let mut article = folio::library::parse_article(
        "furniture.txt",
        folio::library::Origin::Embedded,
        b"Leave a Reply\n\nRelated Articles\n",
    );
    for p in &mut article.paragraphs {
        p.kind = ParagraphKind::Boilerplate;
    }
    let library = folio::library::Library {
        articles: vec![article],
        sources: Vec::new(),
        warnings: Vec::new(),
    };
    let mut h = Harness::with(library, 80, 12);
    // Shown (the default), it is read as it is.
    let frame = h.frame();
    assert!(frame.contains("Related Articles"), "{frame}");
    assert!(!frame.contains("Only site furniture"), "{frame}");
    h.press("z");
    let frame = h.frame();
    assert!(
        frame.contains("Only site furniture here: z shows it."),
        "{frame}"
    );
}

/// A library of `n` articles, every seventh about a harbour, each with its own file name.
fn many(n: usize) -> library::Library {
    let articles = (0..n)
        .map(|i| {
            let title = if i % 7 == 3 {
                format!("Harbour report {i}")
            } else {
                format!("Council notes {i}")
            };
            let text = format!("{title}\n\nThe body of article {i}.\n");
            library::parse_article(
                &format!("a{i:06}.txt"),
                library::Origin::Embedded,
                text.as_bytes(),
            )
        })
        .collect();
    library::Library {
        articles,
        warnings: Vec::new(),
        sources: Vec::new(),
    }
}

/// In a large library the filter is answered off the loop: each key's frame shows the
/// prompt at once, the list follows when the answer comes, and an answer overtaken by a
/// later key is dropped. What is kept is what filtering on the loop keeps.
#[test]
fn a_large_librarys_filter_is_answered_off_the_loop_as_the_loop_would_answer_it() {
    use folio::app::{Done, Work};
    let n = folio::app::FILTER_OFF_LOOP_FROM + 100;
    let mut small = App::new(Arc::new(many(n)), Settings::defaults(), 100, 30);
    let mut h = Harness::with(many(n), 100, 30);
    h.press("f");
    // The index is built off the loop from the moment the prompt opens.
    let jobs = |h: &mut Harness| -> Vec<folio::app::FilterJob> {
        h.app
            .take_effects()
            .into_iter()
            .filter_map(|e| match e {
                Effect::Work(Work::Filter(job)) => Some(job),
                _ => None,
            })
            .collect()
    };
    jobs(&mut h);
    h.press("har");
    let queued = jobs(&mut h);
    assert_eq!(queued.len(), 3, "one job a key");
    assert_eq!(h.app.visible().len(), n, "the list waits for the answer");
    assert!(h.frame().contains("Filter: har"));
    // The first two were overtaken: they do nothing; the last is taken.
    let mut answers: Vec<Done> = queued.into_iter().filter_map(|j| j.run()).collect();
    assert_eq!(answers.len(), 1);
    h.app.done(answers.pop().unwrap());
    let kept = h.app.visible().to_vec();
    assert_eq!(kept.len(), (0..n).filter(|i| i % 7 == 3).count());
    assert!(
        kept.iter()
            .all(|&i| h.app.library().articles[i].title.starts_with("Harbour"))
    );
    assert!(
        h.app.library().articles[h.app.selected()]
            .title
            .starts_with("Harbour")
    );
    // The loop's own answer (the job's thread is not there, as when its index failed) is
    // the same.
    small.handle_key(Key::parse("f").unwrap());
    for c in ["h", "a", "r"] {
        small.handle_key(Key::parse(c).unwrap());
    }
    for effect in small.take_effects() {
        if let Effect::Work(Work::Filter(job)) = effect
            && let Some(Done::Filtered {
                generation,
                query,
                count,
                ..
            }) = job.run()
        {
            small.done(Done::Filtered {
                generation,
                query,
                count,
                visible: None,
            });
        }
    }
    assert_eq!(small.visible(), kept.as_slice());
    // Esc while an answer is on its way: the answer is dropped.
    h.press("o");
    let late = jobs(&mut h);
    h.app.handle_key(Key::parse("Esc").unwrap());
    for job in late {
        if let Some(done) = job.run() {
            h.app.done(done);
        }
    }
    assert_eq!(h.app.visible().len(), n);
}
