//! `--list`: one row per article, as an aligned plain-text table naming each row's source, or
//! as JSON: the sources, each with its articles ([`list_sources`],
//! `serde_json::to_string_pretty(&sources)`; fields in the order declared here).

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::clues::shorten;
use super::{Lang, Library};
use crate::text::sanitize::{is_bidi_control, printable, sanitize_str};

/// One source in the list, with its articles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ListSource {
    /// 1-based position among the sources.
    pub index: usize,
    /// The digit that jumps to it: "1"…"9", then "0" for the tenth; none after that.
    pub key: Option<String>,
    pub hotkey: Option<char>,
    pub name: String,
    /// `outlet`, `folder`, `feed` or `file`.
    pub kind: &'static str,
    /// A folder's path.
    pub path: Option<String>,
    /// A feed's address.
    pub url: Option<String>,
    pub language: Option<Lang>,
    /// Why it has no articles (a feed not fetched yet).
    pub note: Option<String>,
    pub articles: Vec<ListRow>,
}

/// One article in the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ListRow {
    /// 1-based position in the library.
    pub index: usize,
    /// The digit that jumps to its source, on the source's first article.
    pub key: Option<String>,
    /// The letter that jumps to its source, on the source's first article.
    pub hotkey: Option<char>,
    /// Its source's name when the source is a group (a folder, a feed, an outlet of several
    /// articles); none for a source that is this article alone (a seed, a file). The JSON has
    /// the article inside its source instead.
    #[serde(skip)]
    pub source: Option<String>,
    pub file: String,
    pub title: String,
    pub outlet: Option<String>,
    pub date: Option<String>,
    pub languages: Vec<Lang>,
    pub words: usize,
    pub reading_minutes: u32,
}

/// The digit key of the source at `index` (0-based).
fn digit(index: usize) -> Option<String> {
    match index {
        0..=8 => Some((index + 1).to_string()),
        9 => Some("0".to_string()),
        _ => None,
    }
}

/// The sources of a library with their articles, in its order.
pub fn list_sources(lib: &Library) -> Vec<ListSource> {
    let owned;
    let lib = if lib.sources_consistent() {
        lib
    } else {
        let mut made = lib.clone();
        made.ensure_sources();
        owned = made;
        &owned
    };
    let rows = list_rows(lib);
    lib.sources
        .iter()
        .enumerate()
        .map(|(s, source)| ListSource {
            index: s + 1,
            key: digit(s),
            hotkey: source.hotkey,
            name: source.name.clone(),
            kind: source.kind_name(),
            path: match &source.kind {
                super::SourceKind::Folder(p) => Some(p.to_string_lossy().into_owned()),
                _ => None,
            },
            url: match &source.kind {
                super::SourceKind::Feed { url } => Some(url.clone()),
                _ => None,
            },
            language: source.language,
            note: source.note.clone(),
            articles: rows[source.articles.clone()].to_vec(),
        })
        .collect()
}

/// The rows for a library, in its order.
pub fn list_rows(lib: &Library) -> Vec<ListRow> {
    let consistent = lib.sources_consistent();
    lib.articles
        .iter()
        .enumerate()
        .map(|(i, a)| {
            // A library made by hand has a source per article.
            let (s, source) = if consistent {
                (a.source, lib.sources.get(a.source))
            } else {
                (i, None)
            };
            let first = source.is_none_or(|src| src.articles.start == i);
            (i, a, s, source, first)
        })
        .map(|(i, a, s, source, first)| ListRow {
            index: i + 1,
            key: digit(s).filter(|_| first),
            hotkey: match source {
                Some(src) => src.hotkey.filter(|_| first),
                None => a.hotkey,
            },
            source: source
                .filter(|src| src.is_group())
                .map(|src| src.name.clone()),
            file: a.file_name.clone(),
            title: a.title.clone(),
            outlet: a.outlet.clone(),
            date: a.date.clone(),
            languages: a.languages(),
            words: a.words,
            reading_minutes: a.reading_minutes,
        })
        .collect()
}

/// Outlets and dates longer than this are cut in the table (JSON has them whole).
const CELL_MAX: usize = 32;

/// A cell as printed: one line, no control or bidi formatting characters.
/// One table cell: on one line, bidi controls dropped (a table has no paragraph for them to
/// steer), other controls and invisible characters shown.
fn cell(s: &str) -> String {
    let one_line: String = sanitize_str(s)
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .filter(|&c| !is_bidi_control(c))
        .collect();
    printable(&one_line)
}

/// The rows as an aligned table with a header, one article per line. The title comes last so
/// that right-to-left titles cannot disturb the alignment of the other columns.
pub fn format_list(rows: &[ListRow]) -> String {
    let header = [
        "#", "KEY", "HOTKEY", "FILE", "LANG", "WORDS", "MIN", "DATE", "OUTLET", "SOURCE", "TITLE",
    ];
    let mut table: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
    for r in rows {
        let or_dash = |s: Option<String>| s.unwrap_or_else(|| "-".to_string());
        table.push(vec![
            r.index.to_string(),
            or_dash(r.key.clone()),
            or_dash(r.hotkey.map(String::from)),
            cell(&r.file),
            r.languages
                .iter()
                .map(|&l| l.code())
                .collect::<Vec<_>>()
                .join("+"),
            r.words.to_string(),
            r.reading_minutes.to_string(),
            or_dash(r.date.as_deref().map(|d| shorten(&cell(d), CELL_MAX))),
            or_dash(r.outlet.as_deref().map(|o| shorten(&cell(o), CELL_MAX))),
            or_dash(r.source.as_deref().map(|s| shorten(&cell(s), CELL_MAX))),
            cell(&r.title),
        ]);
    }
    let columns = header.len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| table.iter().map(|row| row[c].width()).max().unwrap_or(0))
        .collect();
    // Numbers line up on the right.
    let right = |c: usize| matches!(c, 0 | 5 | 6);
    let mut out = String::new();
    for row in &table {
        let mut line = String::new();
        for (c, text) in row.iter().enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            let pad = " ".repeat(widths[c] - text.width());
            if c + 1 == columns {
                line.push_str(text);
            } else if right(c) {
                line.push_str(&pad);
                line.push_str(text);
            } else {
                line.push_str(text);
                line.push_str(&pad);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{Origin, load_seeds, parse_article};

    #[test]
    fn seed_rows() {
        let rows = list_rows(&load_seeds());
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[0].index, 1);
        assert_eq!(rows[0].key.as_deref(), Some("1"));
        assert_eq!(rows[0].hotkey, Some('r'));
        assert_eq!(rows[3].languages, vec![Lang::En, Lang::Ar]);
        assert_eq!(rows[3].words, 507);
        assert_eq!(rows[3].reading_minutes, 3);
    }

    #[test]
    fn keys_are_digits_for_the_first_ten() {
        let mut lib = Library::default();
        for i in 0..12 {
            lib.articles.push(parse_article(
                &format!("{i:02}.txt"),
                Origin::Embedded,
                b"Text.",
            ));
        }
        let keys: Vec<Option<String>> = list_rows(&lib).into_iter().map(|r| r.key).collect();
        let expected: Vec<Option<String>> = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"]
            .iter()
            .map(|k| Some(k.to_string()))
            .chain([None, None])
            .collect();
        assert_eq!(keys, expected);
    }

    #[test]
    fn table_is_aligned_with_the_title_last() {
        // A seed is a source of its own: its SOURCE cell is a dash.
        let out = format_list(&list_rows(&load_seeds()));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 6);
        assert_eq!(
            lines[0],
            "#  KEY  HOTKEY  FILE                      LANG   WORDS  MIN  DATE          OUTLET                            SOURCE  TITLE"
        );
        assert_eq!(
            lines[4],
            "4  4    p       003_9421ad859a52f834.txt  en+ar    507    3  7 December    -                                 -       During their meeting, the Russian and the Iranian presidents confirmed the need…"
        );
        assert_eq!(
            lines[3],
            "3  3    i       002_1d8038a1fe6f818a.txt  en       326    1  on Saturday   Cultural Council of the Embassy…  -       Iran calls on Muslims to unite in support of Palestinian cause"
        );
        // Every title starts in the TITLE column (all other cells here are one column a char).
        let title_col = lines[0].find("TITLE").unwrap();
        for (line, row) in lines[1..].iter().zip(list_rows(&load_seeds())) {
            let title_at = line.chars().count() - row.title.chars().count();
            assert_eq!(title_at, title_col, "{line}");
        }
        assert!(out.ends_with('\n'));
    }

    #[test]
    fn table_cells_carry_no_controls() {
        let mut lib = Library::default();
        let mut a = parse_article(
            "a.txt",
            Origin::Embedded,
            "\u{202E}Evil title here now".as_bytes(),
        );
        a.outlet = Some("Out\u{2066}let".to_string());
        lib.articles.push(a);
        let out = format_list(&list_rows(&lib));
        assert!(
            !out.chars()
                .any(|c| is_bidi_control(c) || (c.is_control() && c != '\n'))
        );
        assert!(out.contains("Evil title here now"));
        assert!(out.contains("Outlet"));
    }

    #[test]
    fn persian_urdu_and_hebrew_have_codes_in_the_table_and_json() {
        let mut lib = Library::default();
        for (name, text) in [
            ("fa.txt", "این کتاب را دیروز در تهران خریدم و خواندم."),
            ("ur.txt", "میں آپ سے ملنے آیا ہوں اور کل واپس جاؤں گا۔"),
            (
                "he.txt",
                "ראש הממשלה אמר כי השיחות היו בונות.\n\nThe talks went on.",
            ),
        ] {
            lib.articles
                .push(parse_article(name, Origin::Embedded, text.as_bytes()));
        }
        let rows = list_rows(&lib);
        let langs: Vec<Vec<Lang>> = rows.iter().map(|r| r.languages.clone()).collect();
        assert_eq!(
            langs,
            vec![vec![Lang::Fa], vec![Lang::Ur], vec![Lang::He, Lang::En]]
        );
        let table = format_list(&rows);
        let lang_cells: Vec<&str> = table
            .lines()
            .skip(1)
            .map(|l| l.split_whitespace().nth(4).unwrap_or_default())
            .collect();
        assert_eq!(lang_cells, ["fa", "ur", "he+en"]);
        let json = serde_json::to_value(&rows).unwrap();
        assert_eq!(json[2]["languages"], serde_json::json!(["he", "en"]));
        assert_eq!(json[0]["languages"], serde_json::json!(["fa"]));
        assert_eq!(json[1]["languages"], serde_json::json!(["ur"]));
    }

    #[test]
    fn json_has_a_stable_field_order() {
        let rows = list_rows(&load_seeds());
        let json = serde_json::to_string_pretty(&rows[..1]).unwrap();
        assert_eq!(
            json,
            r#"[
  {
    "index": 1,
    "key": "1",
    "hotkey": "r",
    "file": "000_855e5a4968ca3ef5.txt",
    "title": "A large number of Russian Muslims gathered outside the Palestinian embassy…",
    "outlet": "Iran Press",
    "date": "on Thursday",
    "languages": [
      "en"
    ],
    "words": 680,
    "reading_minutes": 3
  }
]"#
        );
    }
}
