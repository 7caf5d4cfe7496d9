use super::*;
use crate::library::build_markdown;

fn texts(b: &Built) -> Vec<&str> {
    b.paragraphs.iter().map(|p| p.text.as_str()).collect()
}

fn styled(p: &Paragraph, f: impl Fn(&Inline) -> bool) -> Vec<&str> {
    p.block
        .spans
        .iter()
        .filter(|s| f(&s.style))
        .map(|s| &p.text[s.range.clone()])
        .collect()
}

fn items(p: &Paragraph) -> Vec<(String, Option<bool>, bool)> {
    p.block
        .containers
        .levels
        .iter()
        .filter_map(|c| match c {
            Container::Item(i) => Some((i.marker.clone(), i.task, i.first)),
            Container::Quote => None,
        })
        .collect()
}

#[test]
fn inline_styles_are_spans_of_the_text_without_markup() {
    let b = build_markdown("Some *em*, **strong**, ~~gone~~, `code` and ***both***.\n");
    let p = &b.paragraphs[0];
    assert_eq!(p.text, "Some em, strong, gone, code and both.");
    assert_eq!(styled(p, |s| s.emphasis), vec!["em", "both"]);
    assert_eq!(styled(p, |s| s.strong), vec!["strong", "both"]);
    assert_eq!(styled(p, |s| s.strike), vec!["gone"]);
    assert_eq!(styled(p, |s| s.code), vec!["code"]);
    // Sorted and not overlapping.
    assert!(
        p.block
            .spans
            .windows(2)
            .all(|w| w[0].range.end <= w[1].range.start)
    );
}

#[test]
fn links_are_numbered_after_their_text() {
    let b = build_markdown(
        "See [the docs](https://a.example/docs) and [more](x.md), then [again](https://a.example/docs).\n\n<https://b.example>\n",
    );
    assert_eq!(
        texts(&b),
        vec![
            "See the docs[1] and more[2], then again[1].",
            "https://b.example[3]"
        ]
    );
    let p = &b.paragraphs[0];
    assert_eq!(styled(p, |s| s.link_number), vec!["[1]", "[2]", "[1]"]);
    assert_eq!(styled(p, |s| s.link == Some(0)), vec!["the docs", "again"]);
    assert_eq!(b.links[0].url, "https://a.example/docs");
    assert_eq!(b.links[0].text, "the docs");
    assert_eq!(b.links[1].url, "x.md");
    assert_eq!(b.links.len(), 3);
}

#[test]
fn lists_flatten_onto_their_leaves_with_markers() {
    let b = build_markdown("- one\n- two\n  - inner\n\n    more of inner\n3. three\n4. four\n");
    assert_eq!(
        texts(&b),
        vec!["one", "two", "inner", "more of inner", "three", "four"]
    );
    assert_eq!(items(&b.paragraphs[0]), vec![("•".into(), None, true)]);
    assert_eq!(
        items(&b.paragraphs[2]),
        vec![("•".into(), None, false), ("◦".into(), None, true)]
    );
    // A second leaf of an item gets the hanging indent alone.
    assert!(!items(&b.paragraphs[3])[1].2);
    assert_eq!(items(&b.paragraphs[4]), vec![("3.".into(), None, true)]);
    assert_eq!(items(&b.paragraphs[5]), vec![("4.".into(), None, true)]);
}

#[test]
fn rtl_items_are_numbered_in_their_digits() {
    let b = build_markdown("1. أولا\n2. ثانيا\n\ntext\n\n1. یکم\n2. گفتگو\n\ntext\n\n1. first\n");
    let markers: Vec<String> = b
        .paragraphs
        .iter()
        .filter_map(|p| items(p).first().map(|i| i.0.clone()))
        .collect();
    assert_eq!(markers, vec!["١.", "٢.", "۱.", "۲.", "1."]);
}

#[test]
fn task_items() {
    let b = build_markdown("- [ ] todo\n- [x] done\n- plain\n");
    let tasks: Vec<Option<bool>> = b.paragraphs.iter().map(|p| items(p)[0].1).collect();
    assert_eq!(tasks, vec![Some(false), Some(true), None]);
    assert_eq!(texts(&b), vec!["todo", "done", "plain"]);
}

#[test]
fn quotes_nest() {
    let b = build_markdown("> outer\n>\n> > inner\n\nafter\n");
    let depth = |p: &Paragraph| p.block.containers.levels.len();
    assert_eq!(texts(&b), vec!["outer", "inner", "after"]);
    assert_eq!(
        b.paragraphs.iter().map(depth).collect::<Vec<_>>(),
        vec![1, 2, 0]
    );
}

#[test]
fn code_blocks_keep_their_text_exactly() {
    let b = build_markdown(
        "```rust\nfn main() {\n\n\tlet x = 1;  \n}\n```\n\n    indented\n      more\n",
    );
    assert_eq!(b.paragraphs[0].text, "fn main() {\n\n    let x = 1;  \n}");
    assert_eq!(
        b.paragraphs[0].block.kind,
        BlockKind::Code {
            lang: Some("rust".into())
        }
    );
    assert_eq!(b.paragraphs[1].text, "indented\n  more");
    assert_eq!(b.paragraphs[1].block.kind, BlockKind::Code { lang: None });
    // Code reads left to right, whatever its letters.
    let b = build_markdown("```\nقال\n```\n");
    assert_eq!(b.paragraphs[0].dir, Direction::Ltr);
}

#[test]
fn an_unclosed_fence_runs_to_the_end() {
    let b = build_markdown("text\n\n```\ncode\n\nstill code");
    assert_eq!(texts(&b), vec!["text", "code\n\nstill code"]);
}

#[test]
fn tables_keep_cells_and_alignment() {
    let b = build_markdown("| a | b | c |\n|:--|:-:|--:|\n| 1 | **2** | [x](u) |\n| 4 |\n");
    let p = &b.paragraphs[0];
    let BlockKind::Table(t) = &p.block.kind else {
        panic!("not a table: {:?}", p.block.kind)
    };
    assert_eq!(t.align, vec![Align::Left, Align::Center, Align::Right]);
    assert_eq!(
        t.header.as_deref(),
        Some(&["a".to_string(), "b".into(), "c".into()][..])
    );
    assert_eq!(t.rows[0], vec!["1", "2", "x[1]"]);
    assert_eq!(t.rows[1], vec!["4", "", ""]);
    assert_eq!(p.text, "a\nb\nc\n1\n2\nx[1]\n4\n\n");
}

#[test]
fn rules_images_breaks_and_html() {
    let b = build_markdown(
        "one\ntwo  \nthree<br>four <span>x</span>\n\n---\n\n![a cat](cat.png)\n\nText ![dog](d.png) here.\n\n<div>\n<b>block</b> html <!-- gone -->\n</div>\n",
    );
    assert_eq!(
        texts(&b),
        vec![
            "one two\nthree\nfour x",
            "",
            "a cat",
            "Text dog[2] here.",
            "block html"
        ]
    );
    assert_eq!(b.paragraphs[1].block.kind, BlockKind::Rule);
    assert_eq!(
        b.paragraphs[2].block.kind,
        BlockKind::Image { link: Some(0) }
    );
    assert_eq!(b.links[0].text, "a cat");
    assert_eq!(b.links[1].url, "d.png");
}

#[test]
fn footnotes_go_last() {
    let b = build_markdown("Claim[^1] here.\n\n[^1]: The source.\n\nMore text.\n");
    assert_eq!(
        texts(&b),
        vec!["Claim[^1] here.", "More text.", "The source."]
    );
    assert_eq!(
        b.paragraphs[2].block.kind,
        BlockKind::Footnote { label: "1".into() }
    );
    assert_eq!(styled(&b.paragraphs[0], |s| s.link_number), vec!["[^1]"]);
}

#[test]
fn headings_and_metadata() {
    let b = build_markdown("---\ntitle: T\n---\n# One\n\ntext\n\n### Three\n");
    assert_eq!(b.metadata.as_deref(), Some("title: T\n"));
    assert_eq!(b.headings, vec![0, 2]);
    assert_eq!(b.paragraphs[2].block.kind, BlockKind::Heading(3));
    assert_eq!(b.paragraphs[2].kind, ParagraphKind::Heading);
}

#[test]
fn controls_never_pass() {
    let b = build_markdown("bad \u{1b}[2J *x\u{7}*\n\n```\n\u{1b}]0;t\u{7}\n```\n[l](\u{1b}x)\n");
    for p in &b.paragraphs {
        assert!(
            !p.text.chars().any(|c| c.is_control() && c != '\n'),
            "{:?}",
            p.text
        );
    }
    for l in &b.links {
        assert!(!l.url.chars().any(char::is_control));
    }
}

#[test]
fn deep_nesting_is_capped() {
    let text = format!("{}deep\n", "> ".repeat(200));
    let b = build_markdown(&text);
    assert_eq!(b.paragraphs[0].text, "deep");
    assert_eq!(b.paragraphs[0].block.containers.levels.len(), MAX_DEPTH);
}

#[test]
fn events_out_of_order_do_not_panic() {
    use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
    let events = vec![
        Event::End(TagEnd::Item),
        Event::End(TagEnd::Link),
        Event::Start(Tag::TableCell),
        Event::Text(CowStr::from("x")),
        Event::Start(Tag::Item),
        Event::Start(Tag::Link {
            link_type: pulldown_cmark::LinkType::Inline,
            dest_url: "u".into(),
            title: "".into(),
            id: "".into(),
        }),
        Event::Text(CowStr::from("open")),
    ];
    let b = build(events.into_iter());
    assert_eq!(texts(&b), vec!["x", "open[1]"]);
}

#[test]
fn blocks_inside_table_cells_give_their_text() {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let events = vec![
        Event::Start(Tag::Table(vec![])),
        Event::Start(Tag::TableRow),
        Event::Start(Tag::TableCell),
        Event::Start(Tag::Paragraph),
        Event::Text("one".into()),
        Event::End(TagEnd::Paragraph),
        Event::Start(Tag::Table(vec![])),
        Event::Text(" inner".into()),
        Event::End(TagEnd::Table),
        Event::End(TagEnd::TableCell),
        Event::Start(Tag::TableCell),
        Event::Start(Tag::Heading {
            level: pulldown_cmark::HeadingLevel::H2,
            id: None,
            classes: vec![],
            attrs: vec![],
        }),
        Event::Text("two".into()),
        Event::End(TagEnd::Heading(pulldown_cmark::HeadingLevel::H2)),
        Event::End(TagEnd::TableCell),
        Event::End(TagEnd::TableRow),
        Event::End(TagEnd::Table),
        Event::Start(Tag::Heading {
            level: pulldown_cmark::HeadingLevel::H1,
            id: None,
            classes: vec![],
            attrs: vec![],
        }),
        Event::End(TagEnd::Heading(pulldown_cmark::HeadingLevel::H1)),
        Event::Text("after".into()),
    ];
    let b = build(events.into_iter());
    assert_eq!(texts(&b), vec!["one inner\ntwo", "after"]);
    let BlockKind::Table(t) = &b.paragraphs[0].block.kind else {
        panic!("{:?}", b.paragraphs[0].block.kind)
    };
    assert_eq!(t.rows, vec![vec!["one inner", "two"]]);
    // An empty heading is dropped.
    assert!(b.headings.is_empty());
}
