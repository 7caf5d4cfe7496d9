//! The cost of opening a saved web page: parse, extract (readability), map and build.
//!
//! Times [`parse_html`] on the test fixtures (a news page, an Arabic page) and on made-up pages
//! of growing size: an article of plain paragraphs inside a typical page (nav, sidebar,
//! footer, ten levels of wrappers) at 100 KiB, 1 MiB and 8 MiB; the same at 32 MiB, the most
//! folio reads; a page whose element count is past what readability is given
//! (`MAX_ELEMENTS`); and 4 MiB of tags nested as deep as they go, which the nesting guard
//! flattens.
//!
//! Run with `cargo bench --bench html`. It reports medians; it asserts nothing about speed.

use std::time::{Duration, Instant};

use folio::library::Origin;
use folio::library::html::parse_html;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/html")
        .join(name);
    std::fs::read(path).unwrap()
}

/// A page whose article is about `bytes` long.
fn page(bytes: usize) -> Vec<u8> {
    let para = "<p>Residents of the harbour town voted on Tuesday to rebuild the sea wall, after a \
                winter of <a href=\"/storms\">storms</a> left the promenade closed for \
                <em>months</em>.</p>\n";
    let article = para.repeat(bytes / para.len() + 1);
    let wrap = "<div class=\"wrapper\">".repeat(10);
    let unwrap = "</div>".repeat(10);
    let nav = "<nav><ul>".to_string()
        + &"<li><a href=\"/section\">Section</a></li>".repeat(40)
        + "</ul></nav>";
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>A long page</title>\
         <meta property=\"og:site_name\" content=\"Courier\"></head><body>{nav}{wrap}\
         <article><h1>A long page</h1>{article}</article>{unwrap}\
         <aside>Related</aside><footer>Footer</footer></body></html>"
    )
    .into_bytes()
}

fn time(label: &str, bytes: &[u8], runs: usize) {
    let mut times = Vec::new();
    let mut paragraphs = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let article = parse_html("page.html", Origin::Embedded, bytes);
        times.push(started.elapsed());
        paragraphs = article.paragraphs.len();
    }
    println!(
        "{label:<40} {:>8.1} KiB {:>7} paragraphs  median {:>10} of {runs}",
        bytes.len() as f64 / 1024.0,
        paragraphs,
        ms(median(times))
    );
}

fn main() {
    time("news fixture", &fixture("news.html"), 21);
    time("arabic fixture", &fixture("arabic.html"), 21);
    time("page, 100 KiB article", &page(100 << 10), 11);
    time("page, 1 MiB article", &page(1 << 20), 5);
    time("page, 8 MiB article", &page(8 << 20), 3);
    time("page, 32 MiB article", &page(31 << 20), 1);
    let many = format!(
        "<html><body><article>{}</article></body></html>",
        "<p>Short <b>x</b></p>".repeat(40_000)
    );
    time("page of 80,000 elements", many.as_bytes(), 3);
    let depth = (4 << 20) / "<div><b>x</b></div>".len();
    let deep = format!(
        "{}x{}",
        "<div><b>x".repeat(depth),
        "</b></div>".repeat(depth)
    );
    time("4 MiB nested as deep as it goes", deep.as_bytes(), 1);
}
