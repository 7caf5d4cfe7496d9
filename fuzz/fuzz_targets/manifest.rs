//! `sources.toml` text → `Manifest`, applied to the seed articles: never panics, what it lets
//! through is single-line and printable, and hotkeys stay letters, one per article or outlet.
//!
//! The seed articles' file names are in the seed corpus, so entries do match articles.

#![no_main]

use std::sync::OnceLock;

use folio::library::{Article, Lang, apply_manifest, claim_outlets, load_seeds, parse_manifest};
use libfuzzer_sys::fuzz_target;

fn seeds() -> &'static [Article] {
    static SEEDS: OnceLock<Vec<Article>> = OnceLock::new();
    // As a folder's articles are before its manifest is applied: the seeds' own manifest gave
    // them hotkeys, which a second manifest must not meet as if they were already taken.
    SEEDS.get_or_init(|| {
        let mut articles = load_seeds().articles;
        for a in &mut articles {
            a.hotkey = None;
        }
        articles
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut warnings = Vec::new();
    let manifest = parse_manifest("news/sources.toml", &text, &mut warnings);
    for e in &manifest.entries {
        for field in [&e.title, &e.outlet, &e.date, &e.url].into_iter().flatten() {
            assert!(
                !field.chars().any(|c| c.is_control()),
                "a manifest field holds a control character: {field:?}"
            );
            assert_eq!(field.trim(), field, "a manifest field is not trimmed");
            assert!(!field.is_empty(), "a blank manifest field was kept");
        }
        if let Some(k) = e.hotkey {
            assert!(k.is_ascii_alphabetic(), "hotkey {k:?} is not a letter");
        }
        assert!(matches!(e.language, None | Some(Lang::En) | Some(Lang::Ar)));
        assert!(e.line >= 1);
    }

    let mut articles = seeds().to_vec();
    let mut taken = Vec::new();
    apply_manifest(&manifest, &mut articles, &mut taken, &mut warnings);
    let mut keys: Vec<char> = articles.iter().filter_map(|a| a.hotkey).collect();
    let given = keys.len();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), given, "two articles got the same hotkey");
    for a in &articles {
        assert!(!a.title.is_empty(), "a manifest emptied a title");
    }
    for o in &manifest.outlets {
        assert!(
            !o.name.is_empty() && !o.name.chars().any(|c| c.is_control()),
            "an outlet's name is blank or holds a control character: {:?}",
            o.name
        );
        assert!(o.line >= 1);
    }
    let outlets = claim_outlets(&manifest, &articles, &mut taken, &mut warnings);
    let mut keys: Vec<char> = articles
        .iter()
        .filter_map(|a| a.hotkey)
        .chain(outlets.iter().filter_map(|o| o.hotkey))
        .collect();
    let given = keys.len();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), given, "an outlet took a hotkey already taken");
    // Warnings reach the status line and stderr: the manifest's text must not arrive raw.
    for w in &warnings {
        assert!(
            !w.chars().any(|c| c.is_control() && c != '\n'),
            "a warning holds a control character: {w:?}"
        );
    }
});
