use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/html")
        .join(name);
    std::fs::read(path).unwrap()
}

#[test]
fn explore() {
    for name in [
        "news.html",
        "arabic.html",
        "navigation.html",
        "structure.html",
        "malformed.html",
    ] {
        let bytes = fixture(name);
        let page = read_page(&String::from_utf8_lossy(&bytes));
        println!(
            "==== {name}\n{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
            page.title,
            page.author,
            page.outlet,
            page.date,
            page.lang,
            page.dir,
            page.url,
            page.fallback
        );
        for e in &page.events {
            println!("  {e:?}");
        }
    }
}
