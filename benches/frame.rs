//! Frame time against what is on screen, not against the data: the library-search results list
//! with 1,000 hits should draw in about the time of a screenful, and the list pane with 1,000
//! articles in about the time of a screenful. Medians of many frames on a TestBackend.
//!
//! Also: a whole frame of the reader on a painter, with a screenful of links, hyperlinks (OSC 8)
//! on and off, in time and in bytes.
//!
//! Run: `cargo bench --bench frame`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use folio::app::{App, Key, KeyCode};
use folio::config::Settings;
use folio::library::{Library, Origin, parse_article};
use folio::ui::{Screen, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const FRAMES: usize = 300;

fn library(articles: usize, needles_each: usize) -> Library {
    Library {
        articles: (0..articles)
            .map(|i| {
                let text = format!(
                    "Article number {i}\n\n{}\n\nقال الوزير إن المحادثات مستمرة.\n",
                    "a needle in the hay. ".repeat(needles_each)
                );
                parse_article(&format!("{i:05}.txt"), Origin::Embedded, text.as_bytes())
            })
            .collect(),
        warnings: Vec::new(),
        sources: Vec::new(),
    }
}

fn median_frame(app: &App) -> Duration {
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let theme = Theme::default();
    let mut times: Vec<Duration> = (0..FRAMES)
        .map(|_| {
            let start = Instant::now();
            terminal
                .draw(|f| f.render_widget(Screen { app, theme: &theme }, f.area()))
                .unwrap();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[FRAMES / 2]
}

fn with_results(hits: usize) -> App {
    let mut app = App::new(Arc::new(library(1, hits)), Settings::defaults(), 100, 30);
    for c in "Sneedle".chars() {
        app.handle_key(Key::char(c));
    }
    app.handle_key(Key::plain(KeyCode::Enter));
    app
}

fn main() {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("| what | median frame | ratio |");
    println!("|---|---:|---:|");
    let few = median_frame(&with_results(40));
    let many = median_frame(&with_results(1000));
    println!(
        "| results list, 40 hits (a screenful) | {:.3} ms | 1.00× |",
        ms(few)
    );
    println!(
        "| results list, 1,000 hits | {:.3} ms | {:.2}× |",
        ms(many),
        ms(many) / ms(few)
    );
    let small = App::new(Arc::new(library(20, 3)), Settings::defaults(), 100, 30);
    let big = App::new(Arc::new(library(1000, 3)), Settings::defaults(), 100, 30);
    let small_t = median_frame(&small);
    let big_t = median_frame(&big);
    println!(
        "| list pane, 20 articles (a screenful) | {:.3} ms | 1.00× |",
        ms(small_t)
    );
    println!(
        "| list pane, 1,000 articles | {:.3} ms | {:.2}× |",
        ms(big_t),
        ms(big_t) / ms(small_t)
    );
    hyperlink_frames();
}

/// An article whose text is one link in three words, each to its own address.
fn linked_library() -> Library {
    use folio::library::Link;
    use folio::text::block::{Inline, Span};
    let words: Vec<String> = (0..3000).map(|i| format!("word{i}")).collect();
    let text = words.join(" ");
    let mut article = parse_article("links.md", Origin::Embedded, text.as_bytes());
    let para = article
        .paragraphs
        .iter()
        .position(|p| p.text.starts_with("word0"))
        .expect("the paragraph of words");
    let mut at = 0;
    for (i, w) in words.iter().enumerate() {
        if i % 3 == 0 {
            let k = article.links.len();
            article.links.push(Link {
                url: format!("https://example.com/{w}"),
                text: w.clone(),
            });
            article.paragraphs[para].block.spans.push(Span {
                range: at..at + w.len(),
                style: Inline {
                    link: Some(k),
                    ..Inline::default()
                },
            });
        }
        at += w.len() + 1;
    }
    Library {
        articles: vec![article],
        warnings: Vec::new(),
        sources: Vec::new(),
    }
}

/// Median time and bytes of a whole frame (drawn from scratch) of the reader on a painter.
fn painted_frame(app: &App, hyperlinks: bool) -> (Duration, usize) {
    use folio::term::{Painter, draw};
    let theme = Theme::default();
    let mut painter = Painter::new(Vec::new(), 100, 30);
    painter.set_hyperlinks(hyperlinks);
    let mut bytes = 0;
    let mut times: Vec<Duration> = (0..FRAMES)
        .map(|_| {
            painter.invalidate();
            let start = Instant::now();
            draw(&mut painter, app, &theme, None).unwrap();
            let took = start.elapsed();
            bytes = std::mem::take(painter.writer()).len();
            took
        })
        .collect();
    times.sort();
    (times[times.len() / 2], bytes)
}

fn hyperlink_frames() {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut app = App::new(Arc::new(linked_library()), Settings::defaults(), 100, 30);
    app.handle_key(Key::plain(KeyCode::Enter));
    let (off, off_bytes) = painted_frame(&app, false);
    let (on, on_bytes) = painted_frame(&app, true);
    let links = folio::term::hyperlink::regions(&app).len();
    println!();
    println!("| reader frame, {links} links on screen | median frame | bytes |");
    println!("|---|---:|---:|");
    println!("| hyperlinks off | {:.3} ms | {off_bytes} |", ms(off));
    println!(
        "| hyperlinks on | {:.3} ms ({:.2}×) | {on_bytes} ({:.2}×) |",
        ms(on),
        ms(on) / ms(off),
        on_bytes as f64 / off_bytes as f64
    );
}
