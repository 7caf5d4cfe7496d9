//! The list filter, one keystroke at a time, over a large library.
//!
//! Builds libraries of 10,000 and 100,000 articles from short generated texts (titles of 5 to
//! 12 words, English, Arabic with and without harakat and hamza, and both mixed; some with an
//! agency's outlet), then types a 6-letter query one key at a time, many times over, and
//! reports the median and 99th percentile time per keystroke:
//! - before: the filter as it was, a whole pass over the library that folds and splits every
//!   title again on each keystroke (kept below as [`before`]);
//! - after: the filter the list keeps ([`ArticleFilter`]), alone;
//! - after: the whole app, `/` in the list, then each letter through [`App::handle_key`], which
//!   filters the list and selects its first article.
//!
//! The two queries are typed in turn, so the first key of each is a whole pass over the
//! library (the one before cannot narrow it). The first use, which builds the filter's index,
//! is reported apart.
//!
//! Each row also gives the median processor time per key, all threads together: on a machine
//! shared with other work, the wall-clock time includes waiting for a core.
//!
//! Run with `cargo bench --bench filter`. It asserts nothing about speed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use folio::app::search::ArticleFilter;
use folio::app::{App, Key, KeyCode};
use folio::config::Settings;
use folio::library::{Library, Origin, parse_article};

/// Times each query is typed from the start.
const ROUNDS: usize = 30;
/// The same for the old filter, which takes most of a second a key on a large library.
const ROUNDS_BEFORE: usize = 5;

const QUERIES: [&str; 2] = ["minist", "الوزير"];

const ENGLISH: &[&str] = &[
    "talks",
    "minister",
    "ministers",
    "sanctions",
    "ceasefire",
    "Gaza",
    "Moscow",
    "Tehran",
    "election",
    "protest",
    "economy",
    "oil",
    "prices",
    "summit",
    "court",
    "ruling",
    "border",
    "refugees",
    "drought",
    "budget",
    "parliament",
    "strike",
    "workers",
    "hospital",
    "students",
    "energy",
    "grid",
    "storm",
    "flood",
    "trade",
    "deal",
    "tariffs",
    "museum",
    "reopens",
    "after",
    "years",
    "new",
    "city",
    "council",
    "rejects",
    "plan",
    "vote",
    "report",
    "says",
    "police",
    "river",
    "water",
    "vaccine",
    "football",
    "final",
    "in",
    "of",
    "on",
    "the",
    "as",
    "over",
];

const ARABIC: &[&str] = &[
    "الوزير",
    "الوزراء",
    "المحادثات",
    "مُحادثات",
    "إيران",
    "ايران",
    "ایران",
    "أمريكا",
    "الاقتصاد",
    "الانتخابات",
    "غزة",
    "القمة",
    "السَّلام",
    "الحرب",
    "النفط",
    "الأسعار",
    "البرلمان",
    "اللاجئين",
    "الحدود",
    "المحكمة",
    "قرار",
    "الطلاب",
    "الجامعة",
    "الطاقة",
    "العاصفة",
    "الفيضانات",
    "التجارة",
    "اتفاق",
    "الرئيس",
    "يلتقي",
    "يرفض",
    "تستضيف",
    "مؤتمر",
    "مستشفى",
    "الشرطة",
    "المياه",
    "رئيس",
    "طهران",
    "موسكو",
    "بيروت",
    "في",
    "من",
    "على",
    "إلى",
];

/// A small, fixed pseudo-random sequence (xorshift), so every run builds the same library.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn words(&mut self, from: &[&str], n: usize) -> Vec<String> {
        (0..n)
            .map(|_| from[self.below(from.len())].to_string())
            .collect()
    }
}

fn article_text(dice: &mut Dice) -> String {
    let n = 5 + dice.below(8);
    let title = match dice.below(10) {
        0..=4 => {
            let mut words = dice.words(ENGLISH, n);
            let first = &mut words[0];
            *first = first[..1].to_uppercase() + &first[1..];
            words.join(" ")
        }
        5..=8 => dice.words(ARABIC, n).join(" "),
        _ => {
            let mut words = dice.words(ENGLISH, n / 2);
            words[0] = words[0][..1].to_uppercase() + &words[0][1..];
            words.extend(dice.words(ARABIC, n - n / 2));
            words.join(" ")
        }
    };
    let lead = match dice.below(4) {
        0 => "Moscow (AFP) - The talks went on into the night.",
        1 => "Tehran (IP) - The ministers met again on Sunday.",
        2 => "قالت الوزارة إن القمة ستعقد غدا.",
        _ => "The council met and said nothing new.",
    };
    format!("{title}\n\n{lead}\n")
}

fn library(articles: usize) -> Library {
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
    Library {
        articles: (0..articles)
            .map(|i| {
                let text = article_text(&mut dice);
                let name = format!("{i:06}_{:08x}.txt", dice.below(1 << 31));
                parse_article(&name, Origin::Embedded, text.as_bytes())
            })
            .collect(),
        warnings: Vec::new(),
        sources: Vec::new(),
    }
}

/// The filter as it was before the index: every keystroke folds each article's title, outlet
/// and file name again, splits it into chars, scores it with a new matcher, and sorts.
fn before(library: &Library, filter: &str) -> Vec<usize> {
    folio::app::search::filter_by_whole_pass(library, filter)
}

/// The first `n` chars of `query`, for n = 1 to its length: what the prompt holds after each
/// key.
fn prefixes(query: &str) -> Vec<String> {
    let chars: Vec<char> = query.chars().collect();
    (1..=chars.len())
        .map(|n| chars[..n].iter().collect())
        .collect()
}

struct Times {
    all: Vec<Duration>,
    /// Per keystroke position, over the rounds.
    per_key: Vec<Vec<Duration>>,
    /// Processor time per key, all threads together.
    cpu: Vec<Duration>,
}

impl Times {
    fn new(keys: usize) -> Times {
        Times {
            all: Vec::new(),
            per_key: vec![Vec::new(); keys],
            cpu: Vec::new(),
        }
    }

    /// Times `f` as key `key` of a query.
    fn time<T>(&mut self, key: usize, f: impl FnOnce() -> T) -> T {
        let (start, start_cpu) = (Instant::now(), cpu_time());
        let out = f();
        let (t, cpu) = (start.elapsed(), cpu_time() - start_cpu);
        self.all.push(t);
        self.per_key[key].push(t);
        self.cpu.push(cpu);
        out
    }

    fn row(&self, what: &str, articles: usize, query: &str) -> String {
        let per_key: Vec<String> = self
            .per_key
            .iter()
            .map(|t| format!("{:.2}", ms(quantile(t, 0.5))))
            .collect();
        format!(
            "| {what} | {articles} | {query} | {:.2} ms | {:.2} ms | {:.2} ms | {} |",
            ms(quantile(&self.all, 0.5)),
            ms(quantile(&self.all, 0.99)),
            ms(quantile(&self.cpu, 0.5)),
            per_key.join(" · ")
        )
    }
}

fn quantile(times: &[Duration], q: f64) -> Duration {
    let mut times = times.to_vec();
    times.sort();
    let i = ((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1;
    times[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Processor time this process has used, all threads together: on a machine shared with other
/// work, it shows what the filter costs apart from waiting for a core.
fn cpu_time() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

fn time_before(library: &Library) -> Vec<Times> {
    let mut times: Vec<Times> = QUERIES
        .iter()
        .map(|q| Times::new(prefixes(q).len()))
        .collect();
    for _ in 0..ROUNDS_BEFORE {
        for (query, times) in QUERIES.iter().zip(&mut times) {
            for (k, typed) in prefixes(query).iter().enumerate() {
                std::hint::black_box(times.time(k, || before(library, typed)));
            }
        }
    }
    times
}

/// The filter the list keeps, typing each query in turn, round after round, as a reader who
/// types one, clears it and types the other: the first key of each query is a whole pass, the
/// others narrow. Returns also the first use, which builds the index.
fn time_after(library: &Library) -> (Duration, Vec<Times>) {
    let mut filter = ArticleFilter::default();
    let start = Instant::now();
    std::hint::black_box(filter.filter(library, "x"));
    let first = start.elapsed();
    let mut times: Vec<Times> = QUERIES
        .iter()
        .map(|q| Times::new(prefixes(q).len()))
        .collect();
    for _ in 0..ROUNDS {
        for (query, times) in QUERIES.iter().zip(&mut times) {
            for (k, typed) in prefixes(query).iter().enumerate() {
                std::hint::black_box(times.time(k, || filter.filter(library, typed)));
            }
        }
    }
    (first, times)
}

/// The same through the app: `/`, the letters, Esc, for each query in turn. Returns also the
/// first letter ever typed, which builds the index.
/// A key, and in a large library the filter's answer from off the loop, run here and taken:
/// the time until the list shows what the key keeps.
fn key_answered(app: &mut App, key: Key) {
    app.handle_key(key);
    for effect in app.take_effects() {
        if let folio::app::Effect::Work(folio::app::Work::Filter(job)) = effect
            && let Some(done) = job.run()
        {
            app.done(done);
        }
    }
}

fn time_app(library: &Arc<Library>) -> (Duration, Vec<Times>) {
    let mut app = App::new(library.clone(), Settings::defaults(), 100, 30);
    app.handle_key(Key::char('/'));
    let start = Instant::now();
    key_answered(&mut app, Key::char('x'));
    let first = start.elapsed();
    app.handle_key(Key::plain(KeyCode::Esc));
    let mut times: Vec<Times> = QUERIES
        .iter()
        .map(|q| Times::new(prefixes(q).len()))
        .collect();
    for _ in 0..ROUNDS {
        for (query, times) in QUERIES.iter().zip(&mut times) {
            app.handle_key(Key::char('/'));
            for (k, c) in query.chars().enumerate() {
                times.time(k, || key_answered(&mut app, Key::char(c)));
            }
            std::hint::black_box(app.visible().len());
            app.handle_key(Key::plain(KeyCode::Esc));
        }
    }
    (first, times)
}

fn main() {
    println!(
        "| what | articles | query | median per key | p99 per key | median processor time per key | median by key, 1st to 6th (ms) |"
    );
    println!("|---|---:|---|---:|---:|---:|---|");
    let mut firsts = Vec::new();
    for articles in [10_000, 100_000] {
        let library = Arc::new(library(articles));
        let rows = [
            ("before: the filter", time_before(&library)),
            ("after: the filter", {
                let (first, times) = time_after(&library);
                firsts.push(format!(
                    "filter's first use, {articles} articles: {:.1} ms",
                    ms(first)
                ));
                times
            }),
            ("after: app, `/` then each key", {
                let (first, times) = time_app(&library);
                firsts.push(format!(
                    "app's first filter key, {articles} articles: {:.1} ms",
                    ms(first)
                ));
                times
            }),
        ];
        for (what, times) in rows {
            for (query, times) in QUERIES.iter().zip(times) {
                println!("{}", times.row(what, articles, query));
            }
        }
    }
    println!();
    for first in firsts {
        println!("{first} (builds the index)");
    }
}
