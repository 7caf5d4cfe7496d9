//! The parse of each seed, pinned, and the edge cases.

use proptest::prelude::*;

use super::*;
use crate::text::Direction::{self, Ltr, Rtl};
use ParagraphKind::{Body, Boilerplate, Heading, Meta, Title};

/// The seeds as files, parsed without the sources manifest.
use crate::library::seeds::SEEDS;

fn seed(prefix: &str) -> Article {
    let (name, bytes) = SEEDS
        .iter()
        .find(|(name, _)| name.starts_with(prefix))
        .expect("seed exists");
    parse_article(name, Origin::Embedded, bytes)
}

fn parse(name: &str, text: &str) -> Article {
    parse_article(name, Origin::Embedded, text.as_bytes())
}

fn kinds(a: &Article) -> Vec<ParagraphKind> {
    a.paragraphs.iter().map(|p| p.kind).collect()
}

fn texts(ps: &[Paragraph]) -> Vec<&str> {
    ps.iter().map(|p| p.text.as_str()).collect()
}

fn section_shape(a: &Article) -> Vec<(Lang, std::ops::Range<usize>)> {
    a.sections
        .iter()
        .map(|s| (s.lang, s.paragraphs.clone()))
        .collect()
}

// ---------------------------------------------------------------- the seeds

#[test]
fn seed_000_dateline_lead_gives_outlet_and_derived_title() {
    let a = seed("000");
    assert_eq!(
        a.title,
        "A large number of Russian Muslims gathered outside the Palestinian embassy…"
    );
    assert_eq!(a.outlet.as_deref(), Some("Iran Press"));
    assert_eq!(a.dateline.as_deref(), Some("Moscow"));
    assert_eq!(a.date.as_deref(), Some("on Thursday"));
    // The lead stays body text, dateline and all: nothing is Title.
    assert!(
        a.paragraphs[0]
            .text
            .starts_with("Moscow (IP) - A large number")
    );
    assert_eq!(&kinds(&a)[..3], &[Body, Body, Body]);
    assert!(!kinds(&a).contains(&Title));
    assert_eq!(section_shape(&a), vec![(Lang::En, 0..18)]);
    assert_eq!(
        texts(a.boilerplate()),
        vec![
            "Read More:",
            "Mashal: Ceasefire will not work without accepting Resistance's conditions",
            "Netanyahu rejects Biden's ceasefire offer",
        ]
    );
    assert_eq!(a.content().len(), 18);
    assert!(
        a.paragraphs
            .iter()
            .all(|p| p.lang == Lang::En && p.dir == Ltr)
    );
    assert_eq!(a.words, 680);
    assert_eq!(a.reading_minutes, 3);
    assert!(!a.had_invalid_utf8);
}

#[test]
fn seed_001_section_label_then_headline() {
    let a = seed("001");
    assert_eq!(
        a.title,
        "Hamas chief, Russia FM discuss escalations in Jerusalem, Gaza"
    );
    // "Anadolu reported" credits the news, not the page: no outlet.
    assert_eq!(a.outlet, None);
    assert_eq!(a.date, None);
    assert_eq!(a.dateline, None);
    assert_eq!(&kinds(&a)[..3], &[Meta, Title, Body]);
    assert_eq!(a.paragraphs[0].text, "Middle East");
    assert_eq!(section_shape(&a), vec![(Lang::En, 0..10)]);
    assert_eq!(
        texts(a.boilerplate()),
        vec![
            "READ: Russia warns Israel against supplying Ukraine with defensive gear",
            "Leave a Reply",
            "Your email address will not be published.",
            "Related Articles",
            "Back to top button",
            "WordPress Ads",
        ]
    );
    assert_eq!(a.words, 294);
    assert_eq!(a.reading_minutes, 1);
}

#[test]
fn seed_002_headline_then_breadcrumb() {
    let a = seed("002");
    assert_eq!(
        a.title,
        "Iran calls on Muslims to unite in support of Palestinian cause"
    );
    assert_eq!(
        a.outlet.as_deref(),
        Some("Cultural Council of the Embassy of the Islamic Republic of Iran")
    );
    assert_eq!(a.date.as_deref(), Some("on Saturday"));
    assert_eq!(a.dateline, None);
    assert_eq!(&kinds(&a)[..3], &[Title, Meta, Body]);
    assert!(a.paragraphs[1].text.contains(" > News > Iran News > "));
    assert_eq!(section_shape(&a), vec![(Lang::En, 0..14)]);
    assert!(a.boilerplate().is_empty());
    assert_eq!(a.words, 326);
}

#[test]
fn seed_003_english_then_arabic() {
    let a = seed("003");
    // The first line is a standfirst ending in a full stop, not a headline.
    assert_eq!(
        a.title,
        "During their meeting, the Russian and the Iranian presidents confirmed the need…"
    );
    assert_eq!(a.outlet, None);
    assert_eq!(a.date.as_deref(), Some("7 December"));
    assert_eq!(a.dateline, None);
    assert_eq!(a.paragraphs.len(), 18, "one paragraph per line");
    assert_eq!(&kinds(&a)[..3], &[Body, Meta, Body]);
    assert_eq!(a.paragraphs[1].text, "7 December");
    assert_eq!(a.paragraphs[8].kind, Meta);
    assert!(a.paragraphs[8].text.starts_with("Pic: Russian President"));
    assert_eq!(section_shape(&a), vec![(Lang::En, 0..9), (Lang::Ar, 9..18)]);
    assert_eq!(
        a.paragraphs[9].text,
        "وقف جرائم الاحتلال في غزة محور المحادثات بين بوتين ورئيسي"
    );
    assert_eq!(&kinds(&a)[9..13], &[Heading, Body, Meta, Body]);
    assert_eq!(a.paragraphs[11].text, "07 كانون الاول");
    assert_eq!((a.sections[0].dir, a.sections[1].dir), (Ltr, Rtl));
    assert!(
        a.paragraphs[9..]
            .iter()
            .all(|p| p.lang == Lang::Ar && p.dir == Rtl)
    );
    assert!(a.boilerplate().is_empty());
    assert_eq!((a.sections[0].words, a.sections[1].words), (294, 213));
    assert_eq!(
        (a.sections[0].reading_minutes, a.sections[1].reading_minutes),
        (1, 1)
    );
    // 294 words at 230 wpm and 213 at 150 wpm: 2.7 minutes.
    assert_eq!(a.reading_minutes, 3);
    assert_eq!(a.languages(), vec![Lang::En, Lang::Ar]);
}

#[test]
fn seed_004_headline_with_notice_and_source_link() {
    let a = seed("004");
    assert_eq!(
        a.title,
        "Senior Iranian, Russian diplomats call for cessation of Israel’s atrocities in besieged Gaza"
    );
    assert_eq!(a.outlet, None);
    // The day of the meeting comes first; "October 7" recalls an earlier event.
    assert_eq!(a.date.as_deref(), Some("on Wednesday"));
    assert_eq!(&kinds(&a)[..3], &[Title, Body, Body]);
    assert_eq!(section_shape(&a), vec![(Lang::En, 0..12)]);
    assert_eq!(
        texts(a.boilerplate()),
        vec![
            "This news has been collected from reliable news agencies in the country. Click to enter the source.",
            "Source link",
        ]
    );
}

#[test]
fn seeds_keep_every_line() {
    for (name, bytes) in SEEDS {
        let a = parse_article(name, Origin::Embedded, bytes);
        let raw = std::str::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = raw
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(a.paragraphs.len(), lines.len(), "{name}");
        for line in lines {
            assert!(
                a.paragraphs.iter().any(|p| p.text == line),
                "{name}: lost {line:?}"
            );
        }
    }
}

// ---------------------------------------------------------------- edge cases

#[test]
fn empty_and_blank_files_are_titled_by_file_name() {
    for text in ["", "\n\n", "  \n\t\n \u{a0}\n", "\u{feff}"] {
        let a = parse("notes.txt", text);
        assert_eq!(a.title, "notes", "{text:?}");
        assert!(a.paragraphs.is_empty() && a.sections.is_empty());
        assert_eq!((a.words, a.reading_minutes), (0, 0));
        assert_eq!((a.outlet, a.date, a.dateline), (None, None, None));
    }
    assert_eq!(parse("", "").title, "Untitled");
    assert_eq!(parse(".txt", "").title, ".txt");
}

#[test]
fn one_line() {
    let a = parse("a.txt", "Gaza talks resume in Cairo");
    assert_eq!(a.title, "Gaza talks resume in Cairo");
    assert_eq!(kinds(&a), vec![Title]);
    assert_eq!(section_shape(&a), vec![(Lang::En, 0..1)]);
    assert_eq!(a.reading_minutes, 1);

    let a = parse("a.txt", "Just a sentence.");
    assert_eq!(a.title, "Just a sentence.");
    assert_eq!(kinds(&a), vec![Body]);

    // Two words label nothing when nothing follows them.
    let a = parse(
        "a.txt",
        "Hello world

Leave a Reply
",
    );
    assert_eq!(a.title, "Hello world");
    assert_eq!(kinds(&a), vec![Body, Boilerplate]);
}

#[test]
fn crlf_bom_and_no_blank_lines() {
    let a = parse(
        "a.txt",
        "\u{feff}Talks between the two presidents end in Moscow\r\nThe presidents met on Thursday and agreed on many things that matter a great deal to everyone involved in them.\r\nThey will meet again next year, officials said after the long meeting in the Kremlin today.\r\n",
    );
    assert_eq!(a.title, "Talks between the two presidents end in Moscow");
    assert_eq!(kinds(&a), vec![Title, Body, Body]);
    assert!(a.paragraphs.iter().all(|p| !p.text.contains('\r')));
    assert_eq!(a.date.as_deref(), Some("on Thursday"));
}

#[test]
fn only_arabic() {
    let a = parse(
        "a.txt",
        "وقف جرائم الاحتلال في غزة محور المحادثات\n\nاقترح الرئيس الروسي، فلاديمير بوتين، اليوم الخميس، تبادل وجهات النظر.\n",
    );
    assert_eq!(a.title, "وقف جرائم الاحتلال في غزة محور المحادثات");
    assert_eq!(kinds(&a), vec![Title, Body]);
    assert_eq!(section_shape(&a), vec![(Lang::Ar, 0..2)]);
    assert_eq!(a.sections[0].dir, Rtl);
    assert_eq!(a.date.as_deref(), Some("اليوم الخميس"));
    assert_eq!(a.languages(), vec![Lang::Ar]);
}

#[test]
fn invalid_utf8_is_flagged_and_kept_visible() {
    let a = parse_article("a.txt", Origin::Embedded, b"caf\xe9 au lait.\n");
    assert!(a.had_invalid_utf8);
    assert_eq!(a.paragraphs[0].text, "caf\u{FFFD} au lait.");
}

#[test]
fn escape_sequences_are_sanitized() {
    let a = parse_article(
        "evil\x1b[31m.txt",
        Origin::Embedded,
        b"\x1b[2J\x1b]0;pwned\x07\n\n\x1b[31mred text\x1b[0m.\n",
    );
    assert_eq!(a.file_name, "evil␛[31m.txt");
    for p in &a.paragraphs {
        assert!(!p.text.chars().any(char::is_control), "{:?}", p.text);
    }
    assert!(!a.title.chars().any(char::is_control));
    assert_eq!(a.paragraphs[1].text, "␛[31mred text␛[0m.");
}

#[test]
fn hard_wrapped_prose_is_joined() {
    let text = "\
Wrapped prose gets joined back into paragraphs

The rally on Thursday evening was attended by a large number of Russian
citizens and prominent political and religious figures who rallied in
front of the Palestinian embassy in Moscow.

Short line one
Short line two
";
    let a = parse("a.txt", text);
    assert_eq!(
        texts(&a.paragraphs),
        vec![
            "Wrapped prose gets joined back into paragraphs",
            "The rally on Thursday evening was attended by a large number of Russian citizens and prominent political and religious figures who rallied in front of the Palestinian embassy in Moscow.",
            "Short line one",
            "Short line two",
        ]
    );
    assert_eq!(kinds(&a)[0], Title);
}

#[test]
fn a_title_directly_above_wrapped_text_is_not_joined() {
    let text = "\
A short headline over text
The rally on Thursday evening was attended by a large number of Russian
citizens and prominent political and religious figures who rallied.
";
    let a = parse("a.txt", text);
    assert_eq!(a.paragraphs.len(), 2);
    assert_eq!(kinds(&a), vec![Title, Body]);

    let a = parse(
        "a.txt",
        "Diplomats meet to discuss Gaza ceasefire\nOfficials expect a long night\n",
    );
    assert_eq!(kinds(&a), vec![Title, Body]);
}

#[test]
fn wrapped_arabic_is_joined() {
    let text = "وقف جرائم الاحتلال في غزة\n\nاقترح الرئيس الروسي، فلاديمير بوتين، خلال لقائه الرئيس الإيراني، إبراهيم\nرئيسي، اليوم الخميس، تبادل وجهات النظر بشأن الوضع في المنطقة.\n";
    let a = parse("a.txt", text);
    assert_eq!(kinds(&a), vec![Title, Body]);
    assert!(a.paragraphs[1].text.contains("إبراهيم رئيسي"));
}

#[test]
fn markdown_headings_and_lists() {
    let text = "\
# Putin and Raisi meet in Moscow

Intro paragraph that is wrapped at a narrow width and goes on
for a second line here.

## Key points

- stop the bombardment
- send aid to Gaza,
  which is besieged
1. first
2) second

#hashtag is not a heading
";
    let a = parse("a.md", text);
    assert_eq!(a.title, "Putin and Raisi meet in Moscow");
    // List markers are the items' containers now, not their text.
    assert_eq!(
        texts(&a.paragraphs),
        vec![
            "Putin and Raisi meet in Moscow",
            "Intro paragraph that is wrapped at a narrow width and goes on for a second line here.",
            "Key points",
            "stop the bombardment",
            "send aid to Gaza, which is besieged",
            "first",
            "second",
            "#hashtag is not a heading",
        ]
    );
    assert_eq!(
        kinds(&a),
        vec![Title, Body, Heading, Body, Body, Body, Body, Body]
    );
}

#[test]
fn markdown_closing_hashes_and_plain_text_hashes() {
    let a = parse("a.md", "## Title with closing hashes ##\n\n# #tag\n");
    assert_eq!(
        texts(&a.paragraphs),
        vec!["Title with closing hashes", "#tag"]
    );
    assert_eq!(kinds(&a), vec![Title, Heading]);
    // In plain text a `#` line is text.
    let a = parse("a.txt", "# Not markdown here at all\n");
    assert_eq!(a.paragraphs[0].text, "# Not markdown here at all");
}

#[test]
fn neutral_paragraphs_join_the_section_around_them() {
    let text = "2023\n\nاقترح الرئيس الروسي تبادل وجهات النظر.\n\n12345\n\nوصل الرئيس إلى موسكو.\n\nEnglish again here.\n";
    let a = parse("a.txt", text);
    assert_eq!(section_shape(&a), vec![(Lang::Ar, 0..4), (Lang::En, 4..5)]);
    assert_eq!(a.paragraphs[2].lang, Lang::Other);
    assert_eq!(a.paragraphs[2].dir, Rtl);
}

#[test]
fn boilerplate_is_moved_last_never_dropped() {
    let text = "Headline about the rally in Moscow\n\nRead more: Another story\n\nBody one.\n\nShare this\n\nBody two.\n";
    let a = parse("a.txt", text);
    assert_eq!(
        texts(&a.paragraphs),
        vec![
            "Headline about the rally in Moscow",
            "Body one.",
            "Body two.",
            "Read more: Another story",
            "Share this",
        ]
    );
    assert_eq!(kinds(&a), vec![Title, Body, Body, Boilerplate, Boilerplate]);
    assert_eq!(section_shape(&a), vec![(Lang::En, 0..3)]);
}

#[test]
fn link_titles_stop_at_real_sentences() {
    let text = "Read More:\n\nA linked story title\n\nThis is a real sentence of the article, and it ends properly.\n";
    let a = parse("a.txt", text);
    assert_eq!(
        texts(a.boilerplate()),
        vec!["Read More:", "A linked story title"]
    );
    assert_eq!(
        texts(a.content()),
        vec!["This is a real sentence of the article, and it ends properly."]
    );
}

#[test]
fn body_sentences_mentioning_boilerplate_words_stay() {
    let text = "Headline of a story about websites\n\nHe said the related articles were read more often than the rest.\n\nSource link rot is a known problem, researchers said.\n\nLeave a reply, the sign said.\n\nReading the report took hours.\n\nRelated talks: none were held.\n";
    let a = parse("a.txt", text);
    assert!(a.boilerplate().is_empty(), "{:?}", texts(a.boilerplate()));
}

#[test]
fn reading_time() {
    assert_eq!(minutes([(0, Lang::En)]), 0);
    assert_eq!(minutes([(1, Lang::En)]), 1);
    assert_eq!(minutes([(230, Lang::En)]), 1);
    assert_eq!(minutes([(345, Lang::En)]), 2);
    assert_eq!(minutes([(300, Lang::Ar)]), 2);
    assert_eq!(minutes([(230, Lang::En), (150, Lang::Ar)]), 2);
}

#[test]
fn reading_time_per_language() {
    assert_eq!(minutes([(300, Lang::Fa)]), 2);
    assert_eq!(minutes([(300, Lang::Ur)]), 2);
    assert_eq!(minutes([(370, Lang::He)]), 2);
    assert_eq!(minutes([(460, Lang::En)]), 2);
    // 555 words: 3 minutes in Hebrew, 4 in Arabic, Persian and Urdu, 2 in English.
    assert_eq!(minutes([(555, Lang::He)]), 3);
    assert_eq!(minutes([(555, Lang::Fa)]), 4);
    assert_eq!(minutes([(555, Lang::En)]), 2);
}

#[test]
fn lists_numbered_in_arabic_indic_and_persian_digits_are_items() {
    let items = "\
أهم ما جاء في البيان الختامي للقمة العربية الطارئة:
١. وقف إطلاق النار فوراً في جميع المناطق والمدن
٢. إدخال المساعدات الإنسانية دون أي قيود أو شروط
٣. الإفراج عن جميع المحتجزين والأسرى من الطرفين
";
    let a = parse("a.txt", items);
    assert_eq!(a.paragraphs.len(), 4, "{:?}", texts(&a.paragraphs));
    assert!(a.paragraphs[1].text.starts_with("١. وقف"));
    assert!(a.paragraphs[3].text.starts_with("٣. الإفراج"));
    // The same lines without their numbers are hard-wrapped prose, joined: the block is one
    // that would have been merged.
    let unnumbered = items
        .replace("١. ", "")
        .replace("٢. ", "")
        .replace("٣. ", "");
    assert!(parse("a.txt", &unnumbered).paragraphs.len() < 4);

    let persian = "\
مهم‌ترین تصمیم‌های نشست امروز دولت در تهران چنین است:
۱. افزایش حقوق کارمندان دولت از ابتدای سال آینده
۲- ساخت ده هزار واحد مسکونی در استان‌های محروم کشور
۳) کاهش تعرفه واردات دارو و تجهیزات پزشکی بیمارستان‌ها
";
    let a = parse("a.txt", persian);
    assert_eq!(a.paragraphs.len(), 4, "{:?}", texts(&a.paragraphs));
    let urdu = "\
اجلاس میں درج ذیل فیصلے کیے گئے جن کا اعلان آج کیا گیا:
۱۔ سرکاری ملازمین کی تنخواہوں میں اضافہ کیا جائے گا
۲۔ بجلی کی قیمتوں میں کمی کا اعلان اگلے ہفتے ہوگا
";
    assert_eq!(parse("a.txt", urdu).paragraphs.len(), 3);
    // Mixed digit systems, or four digits, are not a list number.
    assert!(!is_list_item("١2. x"));
    assert!(!is_list_item("۱۴۰۲. سال"));
    assert!(!is_list_item("2- x"));
    assert!(is_list_item("٩) x"));
}

#[test]
fn persian_urdu_and_hebrew_sections_and_reading_time() {
    let text = "\
رئیس‌جمهور ایران روز پنجشنبه برای دیدار با همتای روس خود به مسکو رفت.

در تهران

این سفر به دعوت رسمی رئیس‌جمهور روسیه انجام شد و دو طرف درباره وضعیت منطقه گفت‌وگو کردند.

پاکستان کے وزیراعظم نے کہا ہے کہ مذاکرات جاری رہیں گے۔

ראש הממשלה אמר כי השיחות היו בונות.

The talks will go on next week.
";
    let a = parse("a.txt", text);
    assert_eq!(
        section_shape(&a),
        vec![
            (Lang::Fa, 0..3),
            (Lang::Ur, 3..4),
            (Lang::He, 4..5),
            (Lang::En, 5..6)
        ]
    );
    // The bare Arabic-script heading took its section's language.
    assert_eq!(a.paragraphs[1].lang, Lang::Fa);
    let dirs: Vec<Direction> = a.sections.iter().map(|s| s.dir).collect();
    assert_eq!(
        dirs,
        vec![
            Direction::Rtl,
            Direction::Rtl,
            Direction::Rtl,
            Direction::Ltr
        ]
    );
    let fa_words = a.sections[0].words;
    assert_eq!(
        a.sections[0].reading_minutes,
        minutes([(fa_words, Lang::Fa)])
    );
    assert_eq!(a.languages(), vec![Lang::Fa, Lang::Ur, Lang::He, Lang::En]);
}

#[test]
fn an_arabic_paragraph_quoting_english_stays_in_its_section() {
    let a = parse(
        "a.txt",
        "قالت الوزارة في بيان إن المحادثات مستمرة.\n\nقال \"We will not back down from our demands\"\n\nوأضاف أن الوفد سيعود غدا.\n",
    );
    assert_eq!(section_shape(&a), vec![(Lang::Ar, 0..3)]);
    assert!(a.paragraphs.iter().all(|p| p.dir == Rtl));
}

#[test]
fn a_declared_language_settles_a_paragraph_that_could_go_either_way() {
    let mut a = parse("a.txt", "Reuters: قالت الوزارة\n");
    assert_eq!(a.paragraphs[0].dir, Ltr);
    declare_language(&mut a, Lang::Ar);
    assert_eq!(a.language, Some(Lang::Ar));
    assert_eq!(a.paragraphs[0].dir, Rtl);
    assert_eq!(a.sections[0].dir, Rtl);
    declare_language(&mut a, Lang::En);
    assert_eq!(a.paragraphs[0].dir, Ltr);
    // A clear paragraph keeps its direction whatever is declared.
    let mut a = parse("a.txt", "قالت وزارة الخارجية إن المحادثات مستمرة.\n");
    declare_language(&mut a, Lang::En);
    assert_eq!(a.paragraphs[0].dir, Rtl);
}

// ---------------------------------------------------------------- never panics, never loses text

/// Every whitespace-separated word of every non-blank sanitized line is in some paragraph.
/// (Markdown is markup: there only the title and sections are checked.)
fn check_keeps_text(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let a = parse_article(name, Origin::Embedded, bytes);
    let clean = sanitize_bytes(bytes).text;
    // Markdown is markup: its words are checked by the document builder's own tests.
    let markdown = name.ends_with(".md");
    for line in clean.lines().filter(|l| !l.trim().is_empty() && !markdown) {
        for word in line.split_whitespace() {
            prop_assert!(
                a.paragraphs.iter().any(|p| p.text.contains(word)),
                "lost {word:?} of {line:?}"
            );
        }
    }
    prop_assert!(!a.title.is_empty());
    prop_assert!(!a.title.contains('\n'));
    let content = a.content().len();
    let covered: usize = a.sections.iter().map(|s| s.paragraphs.len()).sum();
    prop_assert_eq!(covered, content);
    Ok(())
}

fn line_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("Read More:".to_string()),
        Just("Middle East".to_string()),
        Just("# Heading here".to_string()),
        Just("- item".to_string()),
        Just("7 December".to_string()),
        Just("Moscow (IP) - The rally began.".to_string()),
        Just("A > B > C".to_string()),
        Just("وقف جرائم الاحتلال في غزة".to_string()),
        Just("\u{feff}\r\u{1b}[2J\t".to_string()),
        "[a-zA-Z ,.]{0,90}",
        "[ابتثجحخدذرزسشصضطظعغفقكلمنهوي ،.0-9]{0,90}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        check_keeps_text("a.txt", &bytes)?;
        check_keeps_text("a.md", &bytes)?;
    }

    #[test]
    fn arbitrary_lines(lines in proptest::collection::vec(line_strategy(), 0..30), crlf in any::<bool>()) {
        let text = lines.join(if crlf { "\r\n" } else { "\n" });
        check_keeps_text("a.txt", text.as_bytes())?;
        check_keeps_text("a.md", text.as_bytes())?;
    }
}
