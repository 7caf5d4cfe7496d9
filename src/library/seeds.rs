//! The five seed articles built into folio, so it has something to show with no arguments.

use super::manifest::{apply_manifest, claim_outlets, parse_manifest};
use super::sources::{FolderSource, SourceKind, push_folder};
use super::{Library, Origin, parse_article};

/// The seeds' file names and raw text, exactly as copied from the news sites.
pub(crate) const SEEDS: [(&str, &[u8]); 5] = [
    (
        "000_855e5a4968ca3ef5.txt",
        include_bytes!("../../seeds/000_855e5a4968ca3ef5.txt"),
    ),
    (
        "001_4e1852c0d95101e1.txt",
        include_bytes!("../../seeds/001_4e1852c0d95101e1.txt"),
    ),
    (
        "002_1d8038a1fe6f818a.txt",
        include_bytes!("../../seeds/002_1d8038a1fe6f818a.txt"),
    ),
    (
        "003_9421ad859a52f834.txt",
        include_bytes!("../../seeds/003_9421ad859a52f834.txt"),
    ),
    (
        "004_cd995ce927069bad.txt",
        include_bytes!("../../seeds/004_cd995ce927069bad.txt"),
    ),
];

/// The seeds' sources manifest.
pub const SEED_MANIFEST: &str = include_str!("../../assets/sources.toml");

/// The seeds, sorted by name, with the built-in sources manifest applied.
pub fn load_seeds() -> Library {
    let mut seeds = SEEDS;
    seeds.sort_by_key(|(name, _)| *name);
    let mut articles: Vec<_> = seeds
        .iter()
        .map(|(name, bytes)| parse_article(name, Origin::Embedded, bytes))
        .collect();
    let mut lib = Library::default();
    let manifest = parse_manifest("sources.toml (built in)", SEED_MANIFEST, &mut lib.warnings);
    let mut taken = Vec::new();
    apply_manifest(&manifest, &mut articles, &mut taken, &mut lib.warnings);
    let outlets = claim_outlets(&manifest, &articles, &mut taken, &mut lib.warnings);
    // Every seed has its own hotkey: five sources of one article, in file-name order.
    let seeds = FolderSource {
        name: "seeds".into(),
        hotkey: None,
        kind: SourceKind::Outlet,
        language: None,
        empty_note: None,
    };
    push_folder(&mut lib, articles, &outlets, seeds);
    lib
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_seeds_sorted_with_hotkeys_and_no_warnings() {
        let lib = load_seeds();
        assert_eq!(lib.warnings, Vec::<String>::new());
        let names: Vec<&str> = lib.articles.iter().map(|a| a.file_name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "000_855e5a4968ca3ef5.txt",
                "001_4e1852c0d95101e1.txt",
                "002_1d8038a1fe6f818a.txt",
                "003_9421ad859a52f834.txt",
                "004_cd995ce927069bad.txt",
            ]
        );
        let keys: Vec<Option<char>> = lib.articles.iter().map(|a| a.hotkey).collect();
        assert_eq!(
            keys,
            vec![Some('r'), Some('c'), Some('i'), Some('p'), Some('d')]
        );
        assert!(lib.articles.iter().all(|a| a.origin == Origin::Embedded));
        // Five sources of one article each, keyed as their articles, drawn as article rows.
        let sources: Vec<(Option<char>, usize)> = lib
            .sources
            .iter()
            .map(|s| (s.hotkey, s.articles.start))
            .collect();
        assert_eq!(
            sources,
            vec![
                (Some('r'), 0),
                (Some('c'), 1),
                (Some('i'), 2),
                (Some('p'), 3),
                (Some('d'), 4)
            ]
        );
        assert!(lib.sources.iter().all(|s| !s.is_group()));
        assert!(lib.sources_consistent());
        assert!(
            lib.articles
                .iter()
                .all(|a| a.url.is_none() && a.language.is_none())
        );
    }

    #[test]
    fn the_manifest_only_confirms_what_the_text_shows() {
        // Outlets the manifest states are the ones the parser finds in the text itself.
        let lib = load_seeds();
        for (name, bytes) in SEEDS {
            let inferred = parse_article(name, Origin::Embedded, bytes);
            let loaded = lib.articles.iter().find(|a| a.file_name == name).unwrap();
            assert_eq!(loaded.outlet, inferred.outlet, "{name}");
            assert_eq!(loaded.title, inferred.title, "{name}");
            assert_eq!(loaded.date, inferred.date, "{name}");
        }
    }
}
