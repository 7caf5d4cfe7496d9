//! Golden strings: Markdown built into the model and laid out at 20, 40 and 80 columns, as
//! `--dump` prints it (decorations at their columns, right-to-left lines reordered and flush
//! right, unshaped so the letters can be read back).

use crate::library::build_markdown;
use crate::text::document::{DocPara, dump_doc_line, layout_blocks};
use crate::text::layout::LayoutOptions;
use crate::text::str_width;
use crate::text::{BidiMode, ShapeMode};

fn at(md: &str, width: usize) -> String {
    let b = build_markdown(md);
    let opts = LayoutOptions {
        width,
        shape: ShapeMode::Off,
        bidi: BidiMode::App,
    };
    let doc = layout_blocks(
        b.paragraphs.iter().enumerate().map(|(index, p)| DocPara {
            index,
            text: &p.text,
            dir: p.dir,
            block: &p.block,
        }),
        &b.links,
        b.paragraphs.len(),
        &opts,
    );
    let mut out = String::new();
    for line in &doc.lines {
        let shown = dump_doc_line(line);
        // Layout gives a cluster wider than the line (`<RLO>` at 3 columns) a line of its own:
        // the one overflow allowed.
        let visible = line.line.clusters.iter().filter(|c| c.width > 0).count();
        assert!(
            str_width(&shown) <= width || visible == 1,
            "{shown:?} is wider than {width}"
        );
        // Every line's text is its paragraph's: the src ranges index the logical text.
        if let Some(p) = b.paragraphs.get(line.para) {
            assert!(line.line.src.end <= p.text.len());
            for c in &line.line.clusters {
                assert!(p.text.is_char_boundary(c.src.start) && p.text.is_char_boundary(c.src.end));
            }
        }
        out.push('|');
        out.push_str(&shown);
        out.push_str("|\n");
    }
    out
}

/// The three widths, one after the other, each line fenced in `|` so blanks show.
fn golden(md: &str) -> String {
    [20, 40, 80]
        .iter()
        .map(|&w| format!("--- {w}\n{}", at(md, w)))
        .collect()
}

#[test]
fn prose_with_styles_and_links() {
    insta::assert_snapshot!(golden(
        "Some *emphasis*, **strong** and `code` with [a link](https://example.com/page) in a sentence that wraps.\n"
    ));
}

#[test]
fn mixed_direction_link_text() {
    insta::assert_snapshot!(golden(
        "قرأت [تقرير Reuters](https://example.com/r) عن غزة أمس.\n\nThe [بيان الوزارة](https://example.com/b) was short.\n"
    ));
}

#[test]
fn headings_ltr_and_rtl() {
    insta::assert_snapshot!(golden(
        "# A first-level heading that is long\n\n## Second\n\n# عنوان المقال الرئيسي الطويل جدا\n\n### فرعي\n"
    ));
}

#[test]
fn lists_ltr() {
    insta::assert_snapshot!(golden(
        "- one\n- two, which is long enough to wrap under its own text\n  - nested item\n    1. deep numbered\n- [ ] todo\n- [x] done\n\n3. three\n4. four\n"
    ));
}

#[test]
fn arabic_list_has_its_marker_on_the_right() {
    insta::assert_snapshot!(golden(
        "- البند الأول من القائمة وهو طويل بما يكفي ليلتف\n- الثاني\n\nنص\n\n1. أولا\n2. ثانيا\n\nمتن\n\n1. یکم\n2. گفتگو\n"
    ));
}

#[test]
fn quotes_ltr_nested() {
    insta::assert_snapshot!(golden(
        "> A quoted paragraph long enough to wrap at twenty columns.\n>\n> > A nested quote.\n>\n> - a list in the quote\n"
    ));
}

#[test]
fn arabic_quote_has_its_bar_on_the_right() {
    insta::assert_snapshot!(golden(
        "> قال المتحدث إن المحادثات ستستمر غدا في القاهرة.\n>\n> > اقتباس داخل اقتباس\n"
    ));
}

#[test]
fn code_never_reflows() {
    insta::assert_snapshot!(golden(
        "```rust\nfn main() {\n\n\tlet greeting = \"a long string that is longer than forty columns for sure\";\n    println!(\"{greeting}\");\n}\n```\n"
    ));
}

#[test]
fn tables_ltr() {
    insta::assert_snapshot!(golden(
        "| Name | Count | Notes |\n|:-----|------:|:-----:|\n| alpha | 1 | the first row |\n| beta | 22222 | a longer note that has to wrap |\n"
    ));
}

#[test]
fn arabic_table_lays_its_columns_right_to_left() {
    insta::assert_snapshot!(golden(
        "| المدينة | السكان | ملاحظات |\n|---|--:|---|\n| القاهرة | 10 | العاصمة |\n| الإسكندرية | 5 | على البحر المتوسط |\n"
    ));
}

#[test]
fn a_table_too_wide_becomes_records() {
    let header = (1..=12).map(|i| format!("column{i}")).collect::<Vec<_>>();
    let row = (1..=12).map(|i| format!("value{i}")).collect::<Vec<_>>();
    let md = format!(
        "| {} |\n|{}|\n| {} |\n| {} |\n",
        header.join(" | "),
        ["---"; 12].join("|"),
        row.join(" | "),
        row.join(" | ")
    );
    let narrow = at(&md, 20);
    assert!(narrow.contains("|column1: value1|"), "{narrow}");
    insta::assert_snapshot!(golden(&md));
}

#[test]
fn rules_images_and_footnotes() {
    insta::assert_snapshot!(golden(
        "Before.\n\n---\n\n![A cat asleep on a keyboard](cat.png)\n\n![قطة نائمة](cat2.png)\n\nA claim.[^n]\n\n[^n]: Its source.\n"
    ));
}

#[test]
fn deep_nesting_stays_in_the_column() {
    let quotes = format!("{}deep quote text\n", "> ".repeat(50));
    let mut lists = String::new();
    for depth in 0..50 {
        lists.push_str(&"  ".repeat(depth));
        lists.push_str("- item\n");
    }
    for width in [1, 2, 5, 20, 80] {
        // `at` checks every line against the width; the text is there, whatever the depth.
        assert!(at(&quotes, width).contains('d'));
        assert!(at(&lists, width).contains('i'));
    }
    // At 80 columns, no more than the drawn depth: 8 bars.
    let shown = at(&quotes, 80);
    let line = shown.lines().find(|l| l.contains("deep")).unwrap();
    assert_eq!(
        line.matches('│').count(),
        crate::text::document::MAX_DRAWN_DEPTH
    );
}

mod properties {
    use super::at;
    use proptest::prelude::*;

    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "# ",
                "### ",
                "> ",
                ">> ",
                "- ",
                "* ",
                "1. ",
                "2) ",
                "- [ ] ",
                "- [x] ",
                "```",
                "```rust",
                "    ",
                "\t",
                "|",
                "| a | b |",
                "|---|:-:|",
                "---",
                "***",
                "*",
                "**",
                "_",
                "~~",
                "`",
                "[",
                "]",
                "(",
                ")",
                "[x](y)",
                "![a](b.png)",
                "<https://x.y>",
                "[^1]",
                "[^1]: ",
                "<br>",
                "<div>",
                "</div>",
                "<!--",
                "-->",
                "\\",
                "  \n",
                "\n",
                "\n\n",
                " ",
                "word",
                "قال",
                "یکم",
                "שלום",
                "١.",
                "\u{202E}",
                "\u{1b}[2J",
                "+++",
                "title: x",
            ])
            .prop_map(str::to_string),
            "[a-z ]{0,12}",
            any::<String>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any Markdown builds without panicking and lays out within the column at any width
        /// (`at` checks each line's width and that its text indexes its paragraph).
        #[test]
        fn any_markdown_builds_and_fits(
            tokens in proptest::collection::vec(token(), 0..60),
            width in 1usize..100,
        ) {
            let md: String = tokens.concat();
            // A two-cell letter alone on a one-column line is the one overflow layout allows.
            let _ = at(&md, width.max(2));
        }
    }
}

#[test]
fn anchors_in_blocks_survive_a_change_of_width() {
    use crate::text::document::DocumentLayout;
    let md = "# Title\n\n> - a quoted item long enough to wrap several times at twenty columns\n\n```\nfirst line of code that is long\nsecond\n```\n\n| a | b |\n|---|---|\n| one two three | four five six |\n| seven | eight |\n";
    let b = build_markdown(md);
    let lay = |width| -> DocumentLayout {
        let opts = LayoutOptions {
            width,
            shape: ShapeMode::Off,
            bidi: BidiMode::App,
        };
        layout_blocks(
            b.paragraphs.iter().enumerate().map(|(index, p)| DocPara {
                index,
                text: &p.text,
                dir: p.dir,
                block: &p.block,
            }),
            &b.links,
            b.paragraphs.len(),
            &opts,
        )
    };
    let (narrow, wide) = (lay(20), lay(80));
    for (i, line) in narrow.lines.iter().enumerate() {
        if line.gap || line.line.src.is_empty() {
            continue;
        }
        let anchor = narrow.anchor(i);
        let j = wide.find(anchor);
        let found = &wide.lines[j];
        assert_eq!(found.para, line.para, "line {i}");
        assert!(
            found.line.src.start <= anchor.byte,
            "line {i}: {:?} does not hold byte {}",
            found.line.src,
            anchor.byte
        );
    }
    // The text drawn is the paragraph's text: decorations are not in it.
    let quoted = narrow.lines.iter().find(|l| l.para == 1 && !l.gap).unwrap();
    assert!(quoted.decos.iter().any(|d| d.text.contains('│')));
    assert!(!quoted.line.text.contains('│') && !quoted.line.text.contains('•'));
}
