//! Links, the outline and the heading keys, on articles built by hand as the Markdown and HTML
//! front ends will build them: links in `Article::links`, link spans on paragraphs, headings
//! with levels.

use std::sync::Arc;

use folio::app::{
    App, Effect, ExternalFile, ExternalProgram, Focus, Key, KeyCode, OutlineKind, Overlay, Policy,
};
use folio::config::Settings;
use folio::library::{Article, BlockKind, Library, Link, Origin, parse_article};
use folio::text::block::{Inline, Span};

mod app_support;
use app_support::buffer_text;

const A: &str = "# Field notes

An opening paragraph about the trip, long enough to wrap onto a second line at this width so that the reader has something to scroll through.

## Getting there

Read the second note for the route, or the official page for the timetable, and the packing list further down.

Another paragraph of travel details that goes on for a while, so that the headings are far enough apart to scroll between them.

## Packing list

Boots, a coat, a notebook and a pen. The rest can be bought there, as the guide at the official page says.

## الوصول

هذه فقرة عربية عن الطريق إلى المدينة، وهي طويلة بما يكفي لتلتف على أكثر من سطر واحد في هذا العرض.

وفقرة عربية أخرى عن المكان والناس والطعام، تكمل الحديث عن الرحلة.

فقرة رقم 1 عن الرحلة: الطريق طويل والجبال عالية، والناس في القرى كرماء، والطعام طيب، والجو بارد في الليل ودافئ في النهار.

فقرة رقم 2 عن الرحلة: الطريق طويل والجبال عالية، والناس في القرى كرماء، والطعام طيب، والجو بارد في الليل ودافئ في النهار.

فقرة رقم 3 عن الرحلة: الطريق طويل والجبال عالية، والناس في القرى كرماء، والطعام طيب، والجو بارد في الليل ودافئ في النهار.

فقرة رقم 4 عن الرحلة: الطريق طويل والجبال عالية، والناس في القرى كرماء، والطعام طيب، والجو بارد في الليل ودافئ في النهار.

فقرة رقم 5 عن الرحلة: الطريق طويل والجبال عالية، والناس في القرى كرماء، والطعام طيب، والجو بارد في الليل ودافئ في النهار.

فقرة رقم 6 عن الرحلة: الطريق طويل والجبال عالية، والناس في القرى كرماء، والطعام طيب، والجو بارد في الليل ودافئ في النهار.

فقرة رقم 7 عن الرحلة: الطريق طويل والجبال عالية، والناس في القرى كرماء، والطعام طيب، والجو بارد في الليل ودافئ في النهار.
";

const B: &str = "# Second note

The route goes over the hills and down to the river.

More about the route, at length, so the note has a body.
";

/// Paragraph index of the first paragraph that contains `needle`.
fn para_with(a: &Article, needle: &str) -> usize {
    a.paragraphs
        .iter()
        .position(|p| p.text.contains(needle))
        .unwrap_or_else(|| panic!("no paragraph with {needle}"))
}

/// Make the text `needle` of its paragraph a link to `links[k]`.
fn link_text(a: &mut Article, needle: &str, k: usize) {
    let i = para_with(a, needle);
    let start = a.paragraphs[i].text.find(needle).unwrap();
    let spans = &mut a.paragraphs[i].block.spans;
    spans.push(Span {
        range: start..start + needle.len(),
        style: Inline {
            link: Some(k),
            ..Inline::default()
        },
    });
    spans.sort_by_key(|s| s.range.start);
}

fn article(name: &str, text: &str) -> Article {
    let key = format!("/notes/{name}");
    let mut a = parse_article(name, Origin::File(key.clone().into()), text.as_bytes());
    a.key = key;
    a
}

/// Two notes in one folder; the first links to the second by a relative path, to the web, to
/// a heading of its own and to a note that is not there.
fn library() -> Library {
    let mut a = article("a.md", A);
    a.links = vec![
        Link {
            url: "b.md".into(),
            text: "the second note".into(),
        },
        Link {
            url: "https://example.com/timetable?x=1".into(),
            text: "the official page".into(),
        },
        Link {
            url: "#packing-list".into(),
            text: "the packing list".into(),
        },
        Link {
            url: "../missing.md".into(),
            text: "a lost note".into(),
        },
    ];
    link_text(&mut a, "the second note", 0);
    link_text(&mut a, "the official page", 1);
    link_text(&mut a, "the packing list", 2);
    // Levels, as the Markdown front end gives them.
    for p in &mut a.paragraphs {
        if p.text == "Getting there" || p.text == "Packing list" || p.text == "الوصول" {
            p.block.kind = BlockKind::Heading(2);
        }
    }
    let b = article("b.md", B);
    Library {
        articles: vec![a, b],
        warnings: Vec::new(),
        sources: Vec::new(),
    }
}

const COLS: u16 = 100;
const ROWS: u16 = 24;

fn notes() -> App {
    let mut app = App::new(Arc::new(library()), Settings::defaults(), COLS, ROWS);
    app.handle_key(Key::char('l'));
    app
}

fn press(app: &mut App, keys: &str) {
    for c in keys.chars() {
        app.handle_key(Key::char(c));
    }
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(Key::plain(code));
}

fn frame(app: &App) -> String {
    buffer_text(&app_support::render(app, COLS, ROWS))
}

fn top_para(app: &App) -> usize {
    app.layout().lines[app.top()].para
}

fn status(app: &App) -> String {
    frame(app).lines().last().unwrap().to_string()
}

#[test]
fn the_article_was_built_as_the_tests_need() {
    let lib = library();
    let a = &lib.articles[0];
    assert_eq!(a.sections.len(), 2, "English, then Arabic");
    assert_eq!(a.paragraphs[0].text, "Field notes");
    let headings = a
        .paragraphs
        .iter()
        .filter(|p| matches!(p.block.kind, BlockKind::Heading(2)))
        .count();
    assert_eq!(headings, 3);
}

#[test]
fn the_links_picker_lists_number_text_and_address() {
    let mut app = notes();
    press(&mut app, "L");
    let Some(Overlay::Links(picker)) = app.overlay() else {
        panic!("no links picker: {:?}", app.message());
    };
    assert_eq!(picker.items.len(), 4);
    assert_eq!(picker.items[1].url, "https://example.com/timetable?x=1");
    let shown = frame(&app);
    assert!(shown.contains("1 the second note — b.md"), "{shown}");
    assert!(
        shown.contains("2 the official page — https://example.com/timetable?x=1"),
        "{shown}"
    );
    insta::assert_snapshot!("links_picker", shown);
    // Any other key closes it.
    press(&mut app, "x");
    assert!(app.overlay().is_none());
    // An article without links says so.
    press(&mut app, "2L");
    assert!(app.overlay().is_none());
    assert_eq!(app.message(), Some("This article has no links"));
}

#[test]
fn y_copies_the_address_over_osc_52() {
    let mut app = notes();
    press(&mut app, "Lj");
    app.take_effects();
    press(&mut app, "y");
    assert_eq!(
        app.take_effects(),
        vec![Effect::Clipboard(
            "https://example.com/timetable?x=1".into()
        )]
    );
    assert!(app.overlay().is_none());
    assert!(app.message().unwrap().contains("Copied link 2"));
}

#[test]
fn o_opens_the_browser_locally_and_is_refused_when_served() {
    let mut app = notes();
    press(&mut app, "Lj");
    app.take_effects();
    press(&mut app, "o");
    assert_eq!(
        app.take_effects(),
        vec![Effect::External {
            program: ExternalProgram::Browser,
            file: ExternalFile::Url("https://example.com/timetable?x=1".into()),
        }]
    );
    let mut served = notes();
    served.set_policy(Policy::SERVED);
    press(&mut served, "Lj");
    served.take_effects();
    press(&mut served, "o");
    assert!(served.take_effects().is_empty());
    assert!(
        served
            .message()
            .unwrap()
            .contains("disabled on this server"),
        "{:?}",
        served.message()
    );
    // Enter on an address, served: copied instead of opened.
    press(&mut served, "Lj");
    key(&mut served, KeyCode::Enter);
    assert_eq!(
        served.take_effects(),
        vec![Effect::Clipboard(
            "https://example.com/timetable?x=1".into()
        )]
    );
    // A relative path that is no article is not handed to a browser either.
    press(&mut app, "LG");
    app.take_effects();
    key(&mut app, KeyCode::Enter);
    assert!(app.take_effects().is_empty());
    assert!(
        app.message()
            .unwrap()
            .contains("not an article in the library"),
        "{:?}",
        app.message()
    );
}

#[test]
fn a_relative_link_opens_the_other_article_and_backspace_comes_back() {
    let mut app = notes();
    // Somewhere in the middle of the first note.
    press(&mut app, "jjjjj");
    let (top, para) = (app.top(), top_para(&app));
    assert!(top > 0);
    press(&mut app, "L");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.selected(), 1, "{:?}", app.message());
    assert_eq!(app.article().unwrap().file_name, "b.md");
    assert_eq!(app.top(), 0, "opened at its start");
    assert_eq!(app.focus(), Focus::Reader);
    key(&mut app, KeyCode::Backspace);
    assert_eq!(app.selected(), 0);
    assert_eq!((app.top(), top_para(&app)), (top, para), "the same place");
}

#[test]
fn a_fragment_link_jumps_to_its_heading() {
    let mut app = notes();
    press(&mut app, "Ljj");
    key(&mut app, KeyCode::Enter);
    let a = app.article().unwrap();
    assert_eq!(top_para(&app), para_with(a, "Packing list"));
    key(&mut app, KeyCode::Backspace);
    assert_eq!(app.top(), 0);
}

#[test]
fn the_outline_lists_headings_and_sections_and_jumps() {
    let mut app = notes();
    press(&mut app, "O");
    let Some(Overlay::Outline { picker, current }) = app.overlay() else {
        panic!("no outline: {:?}", app.message());
    };
    let kinds: Vec<(OutlineKind, &str)> = picker
        .items
        .iter()
        .map(|e| (e.kind, e.text.as_str()))
        .collect();
    assert_eq!(kinds[0], (OutlineKind::Section(0), "Field notes"));
    assert_eq!(kinds[1], (OutlineKind::Heading(1), "Field notes"));
    assert_eq!(kinds[2], (OutlineKind::Heading(2), "Getting there"));
    assert_eq!(kinds[3], (OutlineKind::Heading(2), "Packing list"));
    assert_eq!(kinds[4].0, OutlineKind::Section(1));
    assert_eq!(kinds[5], (OutlineKind::Heading(2), "الوصول"));
    assert_eq!(kinds.len(), 6);
    assert_eq!(*current, Some(1), "the title is where the reader is");
    let shown = frame(&app);
    assert!(shown.contains("▸ Field notes"), "{shown}");
    assert!(shown.contains("  Getting there"), "{shown}");
    assert!(shown.contains("§2 AR"), "{shown}");
    insta::assert_snapshot!("outline", shown);
    // Down to "Packing list", and jump.
    press(&mut app, "jj");
    key(&mut app, KeyCode::Enter);
    assert!(app.overlay().is_none());
    let a = app.article().unwrap();
    let packing = para_with(a, "Packing list");
    assert_eq!(top_para(&app), packing);
    assert!(!app.layout().lines[app.top()].gap);
    // Now the outline marks it.
    press(&mut app, "O");
    let Some(Overlay::Outline { current, picker }) = app.overlay() else {
        panic!("no outline");
    };
    assert_eq!(*current, Some(3));
    assert_eq!(picker.selected, 3);
    key(&mut app, KeyCode::Esc);
    // Backspace returns to before the jump.
    key(&mut app, KeyCode::Backspace);
    assert_eq!(app.top(), 0);
}

#[test]
fn parens_move_between_headings_and_the_status_line_names_the_current_one() {
    let mut app = notes();
    let a = app.article().unwrap().clone();
    let getting = para_with(&a, "Getting there");
    let packing = para_with(&a, "Packing list");
    let arabic = para_with(&a, "الوصول");
    assert!(
        !status(&app).contains('›'),
        "under the title: no heading named"
    );
    press(&mut app, ")");
    assert_eq!(top_para(&app), getting);
    assert!(
        status(&app).contains("Field notes › Getting there"),
        "{}",
        status(&app)
    );
    press(&mut app, ")");
    assert_eq!(top_para(&app), packing);
    press(&mut app, ")");
    assert_eq!(top_para(&app), arabic);
    press(&mut app, "j");
    // Scrolled past the heading: still under it.
    assert_eq!(app.current_heading().map(|(p, _)| p), Some(arabic));
    press(&mut app, "(");
    assert_eq!(top_para(&app), arabic, "back to the heading scrolled past");
    press(&mut app, "(");
    assert_eq!(top_para(&app), packing);
    press(&mut app, "((");
    assert_eq!(app.top(), 0);
    press(&mut app, "(");
    assert_eq!(app.message(), Some("No heading before this one"));
    press(&mut app, "G)");
    assert_eq!(app.message(), Some("No heading after this one"));
}

#[test]
fn new_keys_are_in_the_help() {
    let app = notes();
    let help = app.help_lines();
    for (keys, what) in [
        ("L", "List the article's links"),
        ("O", "Outline: headings and sections"),
        (")", "Next heading"),
        ("(", "Previous heading"),
        ("y", "Copy the link's address (OSC 52)"),
        ("o", "Open the link in $BROWSER"),
    ] {
        assert!(
            help.iter().any(|(k, d)| k == keys && d == what),
            "{keys} {what} not in {help:?}"
        );
    }
}

#[test]
fn hyperlink_regions_cover_web_link_text_only() {
    use folio::term::hyperlink::regions;
    let mut app = notes();
    // Bring the paragraph with the links into view.
    press(&mut app, ")");
    let found = regions(&app);
    let column = app.geometry().column;
    assert!(!found.is_empty());
    for r in &found {
        assert!(
            r.url.starts_with("https://"),
            "{r:?}: no hyperlink for a relative path"
        );
        assert!(r.cols.start >= column.x && r.cols.end <= column.x + column.width);
    }
    // The cells of the region hold the link's text.
    let buf = app_support::render(&app, COLS, ROWS);
    let r = &found[0];
    let text: String = (r.cols.clone())
        .map(|x| buf[(x, r.row)].symbol().to_string())
        .collect();
    assert!("the official page".starts_with(text.trim()), "{text:?}");
    assert!(text.len() > 3, "{text:?}");
    // Nothing while a list is drawn over the reader.
    press(&mut app, "L");
    assert!(regions(&app).is_empty());
}

#[test]
fn the_frame_carries_osc_8_on_web_link_text_when_hyperlinks_are_on() {
    use folio::term::{Painter, draw};
    use folio::ui::Theme;
    let mut app = notes();
    let theme = Theme::default();
    let mut painter = Painter::new(Vec::new(), COLS, ROWS);
    painter.set_hyperlinks(true);
    // The second note has no links.
    press(&mut app, "2");
    draw(&mut painter, &app, &theme, None).unwrap();
    let first = std::mem::take(painter.writer());
    assert!(
        !first.windows(4).any(|w| w == b"\x1b]8;"),
        "no link on screen, no OSC 8"
    );
    press(&mut app, "1)");
    draw(&mut painter, &app, &theme, None).unwrap();
    let out = String::from_utf8(std::mem::take(painter.writer())).unwrap();
    let open = "\x1b]8;;https://example.com/timetable?x=1\x1b\\";
    let at = out.find(open).expect("the web link is a hyperlink");
    assert!(out[at + open.len()..].starts_with("the"), "{out:?}");
    assert!(
        !out.contains("\x1b]8;;b.md"),
        "no hyperlink for a relative path"
    );
    // Off: the same frame has none.
    let mut plain = Painter::new(Vec::new(), COLS, ROWS);
    draw(&mut plain, &app, &theme, None).unwrap();
    assert!(!plain.writer().windows(4).any(|w| w == b"\x1b]8;"));
}

#[test]
fn a_markdown_title_heading_is_not_named_twice_on_the_status_line() {
    // Long enough after the second heading for it to reach the top.
    // Front matter names the title, and the first heading repeats it.
    let text = format!(
        "---\ntitle: Harbour notes\n---\n# Harbour notes\n\nThe first paragraph.\n\n## Tides\n\n{}",
        "More about the tides.\n\n".repeat(40)
    );
    let article =
        folio::library::parse_article("note.md", folio::library::Origin::Embedded, text.as_bytes());
    assert_eq!(article.title, "Harbour notes");
    let library = folio::library::Library {
        articles: vec![article],
        warnings: Vec::new(),
        sources: Vec::new(),
    };
    let mut app = App::new(Arc::new(library), Settings::defaults(), COLS, ROWS);
    app.handle_key(Key::char('l'));
    let line = status(&app);
    assert!(line.contains("Harbour notes"), "{line}");
    assert!(
        !line.contains('›'),
        "the title heading is the title: {line}"
    );
    press(&mut app, ")");
    let line = status(&app);
    assert!(line.contains("Harbour notes › Tides"), "{line}");
}
