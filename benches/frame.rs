//! Frame time against what is on screen, not against the data: the library-search results list
//! with 1,000 hits should draw in about the time of a screenful, and the list pane with 1,000
//! articles in about the time of a screenful. Medians of many frames on a TestBackend.
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
}
