//! The app alone: budgets and sharing that no screen shows.

use super::*;
use crate::library::parse_article;

/// Readers of one library (SSH sessions) at one width hold one layout between them.
#[test]
fn readers_of_one_library_share_their_layouts() {
    let library = Arc::new(crate::library::load_seeds());
    let readers: Vec<App> = (0..100)
        .map(|_| App::new(library.clone(), Settings::defaults(), 100, 30))
        .collect();
    let first = readers[0].layout() as *const DocumentLayout;
    assert!(!readers[0].layout().lines.is_empty());
    assert!(readers.iter().all(|r| std::ptr::eq(r.layout(), first)));
    // Another width is another layout; another library of the same names shares nothing.
    let other = App::new(library.clone(), Settings::defaults(), 90, 30);
    assert!(!std::ptr::eq(other.layout(), first));
    let again = App::new(
        Arc::new(crate::library::load_seeds()),
        Settings::defaults(),
        100,
        30,
    );
    assert!(!std::ptr::eq(again.layout(), first));
}

/// A resize storm over a large article once kept one layout per width (gigabytes).
#[test]
fn the_layout_cache_stays_within_its_byte_budget() {
    let para = "Words of a long article, and some Arabic: مرحبا بالعالم. ".repeat(40);
    let text = vec![para; 100].join("\n\n"); // about 330 KB
    let article = parse_article("big.txt", Origin::Embedded, text.as_bytes());
    let library = Arc::new(Library {
        articles: vec![article],
        warnings: Vec::new(),
    });
    let mut app = App::new(library, Settings::defaults(), 100, 30);
    let one = app.layout().heap_bytes();
    let budget = reader::LAYOUT_CACHE_BYTES;
    // Each width takes a sixth of the budget or more: a dozen widths must evict.
    assert!(one > budget / 6, "the test article is too small: {one}");
    assert!(one < budget / 3, "the test article is too big: {one}");
    for cols in 70..82 {
        app.resize(cols, 30);
        assert!(
            app.cached_layout_bytes() <= budget,
            "{} bytes cached after resizing to {cols}",
            app.cached_layout_bytes()
        );
        assert!(!app.layout().lines.is_empty());
    }
    // Going back to a recent width is still served from the cache.
    let before = app.layout() as *const DocumentLayout;
    app.resize(80, 30);
    app.resize(81, 30);
    assert!(std::ptr::eq(before, app.layout()));
}
