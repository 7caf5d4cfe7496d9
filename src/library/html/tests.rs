use pulldown_cmark::{
    Alignment, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Tag, TagEnd,
};

use super::*;
use crate::text::block::{Align, Container};

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/html")
        .join(name);
    std::fs::read(path).unwrap()
}

fn page(name: &str) -> Page {
    read_page(&String::from_utf8_lossy(&fixture(name)))
}

fn article(name: &str) -> Article {
    parse_html(name, Origin::Embedded, &fixture(name))
}

/// The events a fragment of a body maps to.
fn events(body: &str) -> Vec<Event<'static>> {
    let doc = Document::from(format!("<html><body>{body}</body></html>"));
    let body = doc.body().unwrap();
    map_children(&body)
}

fn text(t: &str) -> Event<'static> {
    Event::Text(CowStr::from(t.to_string()))
}

fn start(tag: Tag<'static>) -> Event<'static> {
    Event::Start(tag)
}

fn end(tag: TagEnd) -> Event<'static> {
    Event::End(tag)
}

fn link(url: &str) -> Tag<'static> {
    Tag::Link {
        link_type: LinkType::Inline,
        dest_url: CowStr::from(url.to_string()),
        title: CowStr::from(""),
        id: CowStr::from(""),
    }
}

fn para(inner: Vec<Event<'static>>) -> Vec<Event<'static>> {
    let mut v = vec![start(Tag::Paragraph)];
    v.extend(inner);
    v.push(end(TagEnd::Paragraph));
    v
}

/// All the text of an article, paragraphs joined by newlines.
fn all_text(a: &Article) -> String {
    a.paragraphs
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// No control character, other than the line breaks of a code block or a table.
fn assert_printable(what: &str, s: &str, lines: bool) {
    assert!(
        !s.chars().any(|c| c.is_control() && !(lines && c == '\n')),
        "{what} holds a control character: {s:?}"
    );
}

// ---------------------------------------------------------------- whole pages

#[test]
fn a_news_page_gives_its_metadata() {
    let a = article("news.html");
    assert_eq!(a.title, "Harbour town votes to rebuild its sea wall");
    assert_eq!(a.author.as_deref(), Some("Maria Okafor"));
    assert_eq!(a.outlet.as_deref(), Some("The Coastal Courier"));
    assert_eq!(a.date.as_deref(), Some("2024-03-05"));
    assert_eq!(
        a.url.as_deref(),
        Some("https://courier.example/news/2024/03/sea-wall"),
        "the canonical link wins over og:url"
    );
    assert_eq!(a.language, Some(Lang::En), "en-GB is English");
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
}

#[test]
fn a_news_page_drops_its_furniture() {
    let a = article("news.html");
    let all = all_text(&a);
    for furniture in [
        "cookies",
        "Share on Twitter",
        "Related stories",
        "Storm damage bill",
        "All rights reserved",
        "Weather",
        "Privacy",
        "dataLayer",
        "font-family",
    ] {
        assert!(
            !all.contains(furniture),
            "{furniture:?} is still in:\n{all}"
        );
    }
    assert!(all.contains("Residents of Porthmere voted on Tuesday to spend £4.2 million"));
    assert!(all.contains("name the builder in July."));
}

#[test]
fn a_news_page_keeps_its_structure() {
    let a = article("news.html");
    let kinds: Vec<(&str, &BlockKind, usize)> = a
        .paragraphs
        .iter()
        .map(|p| {
            (
                p.text.as_str(),
                &p.block.kind,
                p.block.containers.levels.len(),
            )
        })
        .collect();
    let find = |needle: &str| {
        kinds
            .iter()
            .find(|(t, _, _)| t.starts_with(needle))
            .unwrap_or_else(|| panic!("no paragraph starts with {needle:?}: {kinds:#?}"))
    };
    assert_eq!(find("What the plan includes").1, &BlockKind::Heading(2));
    assert_eq!(
        a.paragraphs
            .iter()
            .find(|p| p.text.starts_with("What the plan"))
            .unwrap()
            .kind,
        ParagraphKind::Heading
    );
    let item = a
        .paragraphs
        .iter()
        .find(|p| p.text.starts_with("A new concrete core"))
        .unwrap();
    match item.block.containers.levels.as_slice() {
        [Container::Item(i)] => assert_eq!(i.marker, "2."),
        other => panic!("not a numbered item: {other:?}"),
    }
    let quote = a
        .paragraphs
        .iter()
        .find(|p| p.text.contains("We cannot keep patching"))
        .unwrap();
    assert_eq!(quote.block.containers.levels, vec![Container::Quote]);
    // The byline line is metadata, not body text.
    let byline = a
        .paragraphs
        .iter()
        .find(|p| p.text.starts_with("By Maria Okafor"))
        .unwrap();
    assert_eq!(byline.kind, ParagraphKind::Meta);
    // Links as written, relative ones too, and the image's source.
    let urls: Vec<&str> = a.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(
        urls,
        vec![
            "/glossary/surge",
            "https://council.example/plans/sea-wall.pdf",
            "images/wall-2024.jpg"
        ]
    );
    assert_eq!(a.links[0].text, "storm surge");
    assert_eq!(a.links[2].text, "The damaged sea wall at high tide");
    // A figure's image is an image block, its caption a paragraph after it.
    let image = a
        .paragraphs
        .iter()
        .position(|p| p.block.kind == BlockKind::Image { link: Some(2) })
        .unwrap();
    assert_eq!(
        a.paragraphs[image].text,
        "The damaged sea wall at high tide"
    );
    assert_eq!(
        a.paragraphs[image + 1].text,
        "The wall after the February storms."
    );
}

#[test]
fn a_news_page_maps_to_events() {
    let p = page("news.html");
    let strong = p.events.windows(3).any(|w| {
        w == [
            start(Tag::Strong),
            text("£4.2 million"),
            end(TagEnd::Strong),
        ]
    });
    assert!(strong, "{:?}", p.events);
    let struck = p.events.windows(3).any(|w| {
        w == [
            start(Tag::Strikethrough),
            text("no"),
            end(TagEnd::Strikethrough),
        ]
    });
    assert!(struck);
    assert!(p.events.contains(&start(Tag::List(Some(1)))));
    assert!(p.events.contains(&start(Tag::BlockQuote(None))));
    assert!(p.events.contains(&start(Tag::Heading {
        level: HeadingLevel::H2,
        id: None,
        classes: Vec::new(),
        attrs: Vec::new()
    })));
}

#[test]
fn an_arabic_page_is_right_to_left() {
    let a = article("arabic.html");
    assert_eq!(a.title, "افتتاح مكتبة عامة جديدة في الإسكندرية");
    assert_eq!(a.language, Some(Lang::Ar), "ar-EG is Arabic");
    assert_eq!(a.outlet.as_deref(), Some("صحيفة المدينة"));
    assert_eq!(a.date.as_deref(), Some("2024-04-10"));
    assert!(!a.paragraphs.is_empty());
    for p in &a.paragraphs {
        assert_eq!(p.dir, Direction::Rtl, "{:?}", p.text);
        assert_eq!(p.lang, Lang::Ar, "{:?}", p.text);
    }
    assert_eq!(a.sections.len(), 1);
    assert_eq!(a.sections[0].dir, Direction::Rtl);
    let all = all_text(&a);
    assert!(!all.contains("الرئيسية"), "navigation kept:\n{all}");
    assert!(!all.contains("جميع الحقوق"), "footer kept:\n{all}");
    let items: Vec<&str> = a
        .paragraphs
        .iter()
        .filter(|p| !p.block.containers.is_empty())
        .map(|p| p.text.as_str())
        .collect();
    assert_eq!(
        items,
        vec![
            "إعارة الكتب لمدة أسبوعين",
            "قاعة للقراءة مفتوحة حتى العاشرة مساء",
            "ورش عمل أسبوعية للأطفال"
        ]
    );
    assert_eq!(a.links[0].url, "/events/book-fair");
    assert_eq!(a.links[0].text, "مايو");
}

#[test]
fn dir_decides_an_ambiguous_paragraph() {
    // A paragraph opening with a Latin name reads as its page declares.
    let html = "<html dir=\"rtl\"><body><p>Reuters: قالت الوزارة</p></body></html>";
    let a = parse_html("a.html", Origin::Embedded, html.as_bytes());
    assert_eq!(a.paragraphs[0].dir, Direction::Rtl);
    let html = "<html lang=\"ar\"><body><p>Reuters: قالت الوزارة</p></body></html>";
    let a = parse_html("a.html", Origin::Embedded, html.as_bytes());
    assert_eq!(a.paragraphs[0].dir, Direction::Rtl);
    let html = "<html><body><p>Reuters: قالت الوزارة</p></body></html>";
    let a = parse_html("a.html", Origin::Embedded, html.as_bytes());
    assert_eq!(a.paragraphs[0].dir, Direction::Ltr);
}

#[test]
fn languages_come_from_the_primary_subtag() {
    for (lang, want) in [
        ("ar-EG", Some(Lang::Ar)),
        ("fa_IR", Some(Lang::Fa)),
        (" HE ", Some(Lang::He)),
        ("ur", Some(Lang::Ur)),
        ("de-DE", None),
        ("", None),
    ] {
        let html = format!("<html lang=\"{lang}\"><body><p>Text.</p></body></html>");
        assert_eq!(read_page(&html).lang, want, "{lang:?}");
    }
    let p = read_page("<html lang=\"fa\"><body><p>Text.</p></body></html>");
    assert_eq!(
        p.dir,
        Some(Direction::Rtl),
        "a Persian page reads right to left"
    );
    let p = read_page("<html lang=\"ar\"><body dir=\"ltr\"><p>Text.</p></body></html>");
    assert_eq!(p.dir, Some(Direction::Ltr), "dir wins over lang");
}

#[test]
fn a_page_of_navigation_falls_back_and_says_so() {
    let a = article("navigation.html");
    assert_eq!(a.title, "Site map");
    assert_eq!(a.warnings.len(), 1, "{:?}", a.warnings);
    assert!(
        a.warnings[0].contains("no article found"),
        "{:?}",
        a.warnings
    );
    let all = all_text(&a);
    assert!(!all.contains("Home"), "the <nav> is dropped:\n{all}");
    assert!(!all.contains("var x"), "scripts are dropped:\n{all}");
    assert!(all.contains("Archive"), "{all}");
}

#[test]
fn a_page_with_only_a_nav_shows_it_rather_than_nothing() {
    let html = "<html><head><title>Index</title></head><body><nav><a href=\"a.html\">First</a> \
                <a href=\"b.html\">Second</a></nav></body></html>";
    let a = parse_html("index.html", Origin::Embedded, html.as_bytes());
    assert_eq!(
        a.warnings,
        vec!["the page is all navigation; showing it as it is"]
    );
    assert_eq!(all_text(&a), "First[1] Second[2]");
    assert_eq!(a.links.len(), 2);
}

#[test]
fn an_empty_page_is_titled_by_its_file() {
    for html in ["", "<html></html>", "<script>x</script>", "<body> <p> </p>"] {
        let a = parse_html("empty-page.html", Origin::Embedded, html.as_bytes());
        assert_eq!(a.title, "empty-page", "{html:?}");
        assert!(a.paragraphs.is_empty(), "{html:?}");
        assert_eq!(a.words, 0);
        assert_eq!(a.warnings, vec!["the page has no text"], "{html:?}");
    }
    let a = parse_html("e.html", Origin::Embedded, b"\x00\x1b");
    assert_eq!(all_text(&a), "\u{241b}");
    assert_eq!(a.title, "e");
}

#[test]
fn tables_keep_header_alignment_and_shape() {
    let p = page("structure.html");
    let at = p
        .events
        .iter()
        .position(|e| matches!(e, Event::Start(Tag::Table(_))))
        .unwrap();
    assert_eq!(
        p.events[at],
        start(Tag::Table(vec![
            Alignment::Left,
            Alignment::Center,
            Alignment::Right
        ]))
    );
    assert_eq!(p.events[at + 1], start(Tag::TableHead));
    // The caption is a paragraph before the table.
    assert_eq!(
        &p.events[at - 3..at],
        &para(vec![text("High water at Porthmere, March 2024")])[..]
    );
    let a = article("structure.html");
    let table = a
        .paragraphs
        .iter()
        .find_map(|p| match &p.block.kind {
            BlockKind::Table(t) => Some(t),
            _ => None,
        })
        .unwrap();
    assert_eq!(table.align, vec![Align::Left, Align::Center, Align::Right]);
    assert_eq!(
        table.header,
        Some(vec!["Day".into(), "Time".into(), "Height (m)".into()])
    );
    assert_eq!(table.rows.len(), 3);
    // A colspan leaves an empty cell, so every row has every column.
    assert_eq!(table.rows[2], vec!["Wednesday", "no reading", ""]);
}

#[test]
fn pre_keeps_its_text_exactly_with_its_language() {
    let p = page("structure.html");
    let at = p
        .events
        .iter()
        .position(|e| matches!(e, Event::Start(Tag::CodeBlock(_))))
        .unwrap();
    assert_eq!(
        p.events[at],
        start(Tag::CodeBlock(CodeBlockKind::Fenced(CowStr::from(
            "python"
        ))))
    );
    // Entities decode; the tab is expanded to its stop; the blank line stays.
    assert_eq!(
        p.events[at + 1],
        text(
            "def next_high(tides, now):\n    for day, time, height in tides:\n    if (day, time) > now:\n            return day, time, height\n\n    return None\n"
        )
    );
    assert_eq!(p.events[at + 2], end(TagEnd::CodeBlock));
}

#[test]
fn nested_lists_and_tasks() {
    let p = page("structure.html");
    let lists: Vec<&Event> = p
        .events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::Start(Tag::List(_) | Tag::Item)
                    | Event::End(TagEnd::List(_) | TagEnd::Item)
                    | Event::TaskListMarker(_)
            )
        })
        .collect();
    use Event::{End, Start};
    let want = [
        Start(Tag::List(None)),
        Start(Tag::Item), // The tide:
        Start(Tag::List(None)),
        Start(Tag::Item),
        End(TagEnd::Item),
        Start(Tag::Item), // the height, and
        Start(Tag::List(Some(3))),
        Start(Tag::Item),
        End(TagEnd::Item),
        Start(Tag::Item),
        End(TagEnd::Item),
        End(TagEnd::List(true)),
        End(TagEnd::Item),
        End(TagEnd::List(false)),
        End(TagEnd::Item),
        Start(Tag::Item), // the forecast
        End(TagEnd::Item),
        Start(Tag::Item),
        Event::TaskListMarker(true),
        End(TagEnd::Item),
        Start(Tag::Item),
        Event::TaskListMarker(false),
        End(TagEnd::Item),
        End(TagEnd::List(false)),
    ];
    assert_eq!(lists, want.iter().collect::<Vec<_>>());
    let a = article("structure.html");
    let spring = a
        .paragraphs
        .iter()
        .find(|p| p.text == "whether it is a spring tide")
        .unwrap();
    let markers: Vec<&str> = spring
        .block
        .containers
        .levels
        .iter()
        .map(|c| match c {
            Container::Item(i) => i.marker.as_str(),
            Container::Quote => ">",
        })
        .collect();
    assert_eq!(markers, vec!["•", "◦", "3."]);
    assert!(p.events.contains(&Event::Rule));
    assert_eq!(a.links.last().unwrap().url, "tides/other-harbours.html");
}

#[test]
fn malformed_markup_is_repaired_and_made_safe() {
    let bytes = fixture("malformed.html");
    let a = parse_html("malformed.html", Origin::Embedded, &bytes);
    assert!(a.had_invalid_utf8);
    assert_eq!(a.title, "Broken ␛[31mpage␛[0m & soup");
    assert_eq!(a.outlet.as_deref(), Some("Evil␛]0;owned␇ Site"));
    let all = all_text(&a);
    assert!(all.contains("<entities> &amp; © © 😀"), "{all}");
    assert!(all.contains("ESC ␛[2J here"), "{all}");
    assert!(!all.contains("not text"), "a script's text leaked:\n{all}");
    assert!(!all.contains("color: red"), "a style's text leaked:\n{all}");
    for p in &a.paragraphs {
        let lines = matches!(p.block.kind, BlockKind::Code { .. } | BlockKind::Table(_));
        assert_printable("a paragraph", &p.text, lines);
    }
    for l in &a.links {
        assert_printable("a link", &l.url, false);
        assert_printable("a link's text", &l.text, false);
        assert!(!l.url.starts_with("javascript"), "{l:?}");
    }
    let dirty = a.links.iter().find(|l| l.text == "dirty link").unwrap();
    assert_eq!(dirty.url, "http://x.example/␛[1mpathq");
    // The script link keeps its text only.
    assert!(all.contains("A script link, a dirty link"), "{all}");
    let code = a
        .paragraphs
        .iter()
        .find(|p| matches!(p.block.kind, BlockKind::Code { .. }))
        .unwrap();
    assert_eq!(code.text, "line one\n    indented ␛[0m line\n\nafter blank");
    // The 1×1 tracking image is dropped; the other keeps its alt text.
    assert_eq!(
        a.links.iter().filter(|l| l.url.ends_with(".gif")).count(),
        0
    );
    assert!(a.links.iter().any(|l| l.text == "alt with ␛[7m escape"));
}

#[test]
fn a_base_does_not_rewrite_relative_links() {
    let html = "<html><head><base href=\"https://elsewhere.example/dir/\"></head><body><article>\
                <p>Read <a href=\"other.html\">the other article</a> first; it explains the \
                background to this one at greater length than there is room for here.</p>\
                </article></body></html>";
    let a = parse_html("a.html", Origin::Embedded, html.as_bytes());
    assert_eq!(a.links[0].url, "other.html");
}

#[test]
fn a_page_with_too_many_elements_is_read_without_extraction() {
    let html = format!(
        "<html><body><nav><a href=\"/\">Home</a></nav><article><p>Start.</p>{}</article></body></html>",
        "<span>x</span>".repeat(MAX_ELEMENTS)
    );
    let a = parse_html("big.html", Origin::Embedded, html.as_bytes());
    assert_eq!(a.warnings.len(), 1);
    assert!(
        a.warnings[0].starts_with("more than 60000 elements"),
        "{:?}",
        a.warnings
    );
    assert!(a.paragraphs[0].text.starts_with("Start."));
    assert!(!all_text(&a).contains("Home"));
}

#[test]
fn the_date_falls_back_to_a_time_element() {
    let p = read_page(
        "<html><body><time datetime=\"2023-12-07T14:05\">7 Dec</time><p>Text.</p></body></html>",
    );
    assert_eq!(p.date.as_deref(), Some("2023-12-07"));
    let p = read_page(
        "<html><head><meta property=\"article:published_time\" content=\"Thursday 7 December\">\
         </head><body><p>Text.</p></body></html>",
    );
    assert_eq!(p.date.as_deref(), Some("Thursday 7 December"));
    // Failing metadata, a date phrase in the lead, not a day in a table.
    let a = parse_html(
        "a.html",
        Origin::Embedded,
        "<p>The council met on Tuesday.</p><table><tr><th>Day</th></tr><tr><td>Monday</td></tr></table>"
            .as_bytes(),
    );
    assert_eq!(a.date.as_deref(), Some("on Tuesday"));
    assert_eq!(article("structure.html").date, None);
}

// ---------------------------------------------------------------- the mapping

#[test]
fn white_space_collapses_and_breaks_stay() {
    assert_eq!(
        events("<p>  one \n\t two <br> three<br><br></p>"),
        para(vec![text("one two"), Event::HardBreak, text("three")])
    );
    assert_eq!(events("<p> \n </p><p><em> </em></p>"), vec![]);
}

#[test]
fn inline_elements_map_to_their_events() {
    assert_eq!(
        events("<p>a <i>b</i> <b>c</b> <del>d</del> <code> x  y </code> <q>e</q></p>"),
        para(vec![
            text("a "),
            start(Tag::Emphasis),
            text("b"),
            end(TagEnd::Emphasis),
            text(" "),
            start(Tag::Strong),
            text("c"),
            end(TagEnd::Strong),
            text(" "),
            start(Tag::Strikethrough),
            text("d"),
            end(TagEnd::Strikethrough),
            text(" "),
            Event::Code(CowStr::from("x y")),
            text(" “e”"),
        ])
    );
}

#[test]
fn a_block_inside_an_inline_element_splits_it() {
    assert_eq!(
        events("<a href=\"u\">one<div>two</div>three</a>"),
        [
            para(vec![start(link("u")), text("one"), end(TagEnd::Link)]),
            para(vec![start(link("u")), text("two"), end(TagEnd::Link)]),
            para(vec![start(link("u")), text("three"), end(TagEnd::Link)]),
        ]
        .concat()
    );
}

#[test]
fn links_in_links_and_script_links_keep_their_text() {
    assert_eq!(
        events("<p><a href=\"a\">x <a href=\"javascript:void(0)\">y</a></a></p>"),
        para(vec![
            start(link("a")),
            text("x "),
            end(TagEnd::Link),
            text("y")
        ])
    );
    assert_eq!(
        events("<p><a href=\" JavaScript:alert(1)\">y</a><a href=\"\">z</a></p>"),
        para(vec![text("yz")])
    );
}

#[test]
fn images_inline_and_as_data() {
    let img = Tag::Image {
        link_type: LinkType::Inline,
        dest_url: CowStr::from("p.png"),
        title: CowStr::from(""),
        id: CowStr::from(""),
    };
    assert_eq!(
        events("<img data-src=\"p.png\" alt=\" A  picture \">"),
        para(vec![start(img), text("A picture"), end(TagEnd::Image)])
    );
    assert_eq!(
        events("<p><img src=\"data:image/png;base64,AAAA\" alt=\"inline\"></p>"),
        para(vec![
            start(Tag::Emphasis),
            text("inline"),
            end(TagEnd::Emphasis)
        ])
    );
    assert_eq!(events("<img src=\"data:image/png;base64,AAAA\">"), vec![]);
}

#[test]
fn lists_nested_straight_in_lists_join_the_item_before() {
    assert_eq!(
        events("<ul><li>a</li><ul><li>b</li></ul><li>c</li></ul>"),
        vec![
            start(Tag::List(None)),
            start(Tag::Item),
            text("a"),
            start(Tag::List(None)),
            start(Tag::Item),
            text("b"),
            end(TagEnd::Item),
            end(TagEnd::List(false)),
            end(TagEnd::Item),
            start(Tag::Item),
            text("c"),
            end(TagEnd::Item),
            end(TagEnd::List(false)),
        ]
    );
}

#[test]
fn a_loose_item_has_paragraphs() {
    assert_eq!(
        events("<ol start=\"7\"><li><p>one</p><p>two</p></li></ol>"),
        [
            vec![start(Tag::List(Some(7))), start(Tag::Item)],
            para(vec![text("one")]),
            para(vec![text("two")]),
            vec![end(TagEnd::Item), end(TagEnd::List(true))],
        ]
        .concat()
    );
}

#[test]
fn headings_and_cells_are_inline() {
    assert_eq!(
        events("<h3>A <div>b</div><br>c</h3>"),
        vec![
            start(Tag::Heading {
                level: HeadingLevel::H3,
                id: None,
                classes: Vec::new(),
                attrs: Vec::new()
            }),
            text("A b c"),
            end(TagEnd::Heading(HeadingLevel::H3)),
        ]
    );
    assert_eq!(events("<h2> </h2>"), vec![]);
}

#[test]
fn a_layout_table_is_read_as_its_cells_blocks() {
    assert_eq!(
        events("<table><tr><td><p>one</p></td><td><ul><li>two</li></ul></td></tr></table>"),
        [
            para(vec![text("one")]),
            vec![
                start(Tag::List(None)),
                start(Tag::Item),
                text("two"),
                end(TagEnd::Item),
                end(TagEnd::List(false)),
            ],
        ]
        .concat()
    );
}

#[test]
fn a_table_without_a_header_has_rows_only() {
    assert_eq!(
        events("<table><tr><td>a<td>b</tr><tr><td>c</tr></table>"),
        vec![
            start(Tag::Table(vec![Alignment::None, Alignment::None])),
            start(Tag::TableRow),
            start(Tag::TableCell),
            text("a"),
            end(TagEnd::TableCell),
            start(Tag::TableCell),
            text("b"),
            end(TagEnd::TableCell),
            end(TagEnd::TableRow),
            start(Tag::TableRow),
            start(Tag::TableCell),
            text("c"),
            end(TagEnd::TableCell),
            start(Tag::TableCell),
            end(TagEnd::TableCell),
            end(TagEnd::TableRow),
            end(TagEnd::Table),
        ]
    );
}

#[test]
fn a_huge_colspan_is_capped() {
    let e = events("<table><tr><td colspan=\"99999999\">a</td></tr></table>");
    assert_eq!(
        e.iter().filter(|e| **e == start(Tag::TableCell)).count(),
        map::MAX_COLUMNS
    );
}

#[test]
fn deep_nesting_costs_no_stack() {
    let depth = 5_000;
    let html = format!(
        "<p>top</p>{}deep{}",
        "<div><b>".repeat(depth),
        "</b></div>".repeat(depth)
    );
    let e = events(&html);
    assert_eq!(e[..3], para(vec![text("top")])[..]);
    assert!(
        e.iter()
            .any(|e| matches!(e, Event::Text(t) if t.contains("deep")))
    );
    let a = parse_html("deep.html", Origin::Embedded, html.as_bytes());
    assert!(all_text(&a).contains("deep"));
}

#[test]
fn control_characters_never_reach_the_events() {
    let e = events(
        "<p title=x>a\u{1b}[2J\u{7}b\u{85}c\u{2028}d</p><pre>x\u{1b}\r\ny\u{2029}z</pre>\
         <a href=\"u\u{1b}\nv\">l</a><img src=\"i\u{9b}\" alt=\"\u{1b}\">",
    );
    for ev in &e {
        let (s, code) = match ev {
            Event::Text(t) => (t.to_string(), false),
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                (dest_url.to_string(), false)
            }
            _ => continue,
        };
        let code = code || s.starts_with('x');
        assert_printable("an event", &s, code);
    }
    assert!(e.contains(&text("a␛[2J␇b<U+0085>c d")), "{e:?}");
    assert!(e.contains(&text("x␛\ny\nz\n")), "{e:?}");
}

// ---------------------------------------------------------------- never panics, never leaks

use proptest::prelude::*;

/// What must hold of any page: nothing raw in what folio draws, counts that add up, and the
/// same article from the same bytes.
fn check_page(bytes: &[u8]) -> Result<(), TestCaseError> {
    let a = parse_html("page.html", Origin::Embedded, bytes);
    let raw = |s: &str, lines: bool| s.chars().any(|c| c.is_control() && !(lines && c == '\n'));
    prop_assert!(!a.title.is_empty());
    prop_assert!(!raw(&a.title, false), "title {:?}", a.title);
    for field in [&a.outlet, &a.date, &a.url, &a.author]
        .into_iter()
        .flatten()
    {
        prop_assert!(!raw(field, false), "metadata {field:?}");
    }
    for w in &a.warnings {
        prop_assert!(!raw(w, false), "warning {w:?}");
    }
    for p in &a.paragraphs {
        // Line breaks are the model's own: code and table lines, hard breaks.
        prop_assert!(!raw(&p.text, true), "paragraph {:?}", p.text);
        for s in &p.block.spans {
            prop_assert!(p.text.get(s.range.clone()).is_some(), "span off the text");
        }
    }
    for l in &a.links {
        prop_assert!(!raw(&l.url, false), "link {:?}", l.url);
        prop_assert!(!raw(&l.text, true), "link text {:?}", l.text);
    }
    prop_assert_eq!(a.words, a.sections.iter().map(|s| s.words).sum::<usize>());
    prop_assert_eq!(&a, &parse_html("page.html", Origin::Embedded, bytes));
    Ok(())
}

/// Pieces of markup, good and bad, to make tag soup of.
const SOUP: &[&str] = &[
    "<p>",
    "</p>",
    "<div class=\"share\">",
    "</div>",
    "<ul>",
    "</ul>",
    "<ol start=\"99999999999999999999999\">",
    "</ol>",
    "<li>",
    "</li>",
    "<table>",
    "</table>",
    "<tr>",
    "<td colspan=\"4000\">",
    "<th style=\"text-align:right\">",
    "<thead>",
    "<pre>",
    "</pre>",
    "<code class=\"language-\u{1b}[1m\">",
    "</code>",
    "<a href=\"\u{1b}]8;;x\u{7}\">",
    "<a href=\"javascript:x\">",
    "</a>",
    "<img src=\"i.png\" alt=\"\u{9b}2J\">",
    "<img>",
    "<br>",
    "<hr>",
    "<h1>",
    "</h1>",
    "<h3>",
    "<blockquote>",
    "</blockquote>",
    "<script>",
    "</script>",
    "<style>",
    "</style>",
    "<!--",
    "-->",
    "&amp;",
    "&#27;",
    "&#x9b;",
    "&#0;",
    "&nbsp;",
    "\u{1b}[2J",
    "\u{7}",
    "\t",
    "\n",
    "\r",
    "\u{2028}",
    "\u{85}",
    "\u{202e}",
    "word",
    "كلمة عربية",
    "<html lang=\"ar\" dir=\"rtl\">",
    "<title>",
    "</title>",
    "<meta property=\"og:title\" content=\"\u{1b}x\">",
    "<meta name=\"author\" content=\"\u{0}y\">",
    "<link rel=\"canonical\" href=\"\u{1b}c\">",
    "<nav>",
    "</nav>",
    "<input type=\"checkbox\" checked>",
    "<em>",
    "</em>",
    "<b>",
    "</b>",
    "<s>",
    "<q>",
    "<time datetime=\"2024-01-01\u{1b}\">",
    "<body>",
    "<base href=\"http://x/\">",
    "<svg>",
    "<math>",
    "<template>",
    "<noscript>",
    "<caption>",
    "<dl><dt>",
    "<dd>",
    "<figure>",
    "<figcaption>",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn arbitrary_bytes_never_panic_or_leak_controls(
        bytes in proptest::collection::vec(any::<u8>(), 0..1500)
    ) {
        check_page(&bytes)?;
    }

    #[test]
    fn tag_soup_never_panics_or_leaks_controls(
        parts in proptest::collection::vec(
            prop_oneof![
                4 => proptest::sample::select(SOUP).prop_map(str::to_string),
                1 => "[\\x00-\\x7f]{0,6}",
            ],
            0..300,
        )
    ) {
        check_page(parts.concat().as_bytes())?;
    }
}

#[test]
fn charsets_are_found_in_headers_and_pages() {
    assert_eq!(
        charset_in("text/html; charset=windows-1256").as_deref(),
        Some("windows-1256")
    );
    assert_eq!(
        charset_in("<meta charset=\"UTF-8\">").as_deref(),
        Some("utf-8")
    );
    assert_eq!(charset_in("text/html"), None);
    // "مرحبا" in windows-1256.
    let bytes = [0xe3, 0xd1, 0xcd, 0xc8, 0xc7];
    assert_eq!(
        decode_page(&bytes, Some("text/html; charset=windows-1256")),
        "مرحبا"
    );
    assert_eq!(decode_page("مرحبا".as_bytes(), None), "مرحبا");
}

#[test]
fn a_page_saved_in_the_charset_it_names_is_read_in_it() {
    // An Arabic page saved as windows-1256, as many Arabic sites still serve them.
    let (text, _, _) = encoding_rs::WINDOWS_1256.encode(
        "<html lang=\"ar\"><head><meta charset=\"windows-1256\"><title>مرحبا بالعالم</title></head>\
         <body><article><p>هذه فقرة عربية قصيرة عن الميناء والمد والجزر في الشتاء.</p></article></body></html>",
    );
    assert!(std::str::from_utf8(&text).is_err(), "not UTF-8");
    let a = parse_html("page.html", Origin::Embedded, &text);
    assert_eq!(a.title, "مرحبا بالعالم");
    assert!(!a.had_invalid_utf8);
    assert!(a.paragraphs.iter().any(|p| p.text.contains("الميناء")));
    // A page that is UTF-8 stays UTF-8 whatever it says (a feed's stored page was decoded).
    let utf8 = "<html><head><meta charset=\"windows-1256\"><title>مرحبا</title></head><body><p>نص</p></body></html>";
    assert_eq!(
        parse_html("u.html", Origin::Embedded, utf8.as_bytes()).title,
        "مرحبا"
    );
}

#[test]
fn an_empty_list_item_keeps_its_marker_and_nothing_else_blank() {
    // Found by the fuzzer: an item with no text is kept, with its bullet, as a browser draws
    // it; any other blank leaf is dropped.
    let a = parse_html("p.html", Origin::Embedded, b"<ul><p><r");
    assert!(!a.paragraphs.is_empty());
    for p in &a.paragraphs {
        if p.text.trim().is_empty() {
            assert!(
                matches!(
                    p.block.containers.levels.last(),
                    Some(Container::Item(item)) if item.first && item.marker == "\u{2022}"
                ),
                "blank {p:?}"
            );
        }
    }
}
