//! Sources: a library is a list of them, and each holds a contiguous run of the library's
//! articles, so an article's index means the same everywhere in the app.
//!
//! - The seeds are five outlets of one article each, named and keyed by the built-in
//!   `sources.toml`.
//! - A folder (on the command line, or `[[folder]]` in the config) is one source, named by the
//!   config or by the folder's own name. Its `sources.toml` may carve outlets out of it
//!   (`[[outlet]] name, hotkey, language, files`), and an entry with its own `hotkey` is a
//!   source of one article (that is how the seeds keep their keys). The folder's sources come in
//!   the order of their first file, so a folder whose manifest names no outlet keeps its order.
//! - A feed of the config is its stored folder; a feed not fetched yet is a source with no
//!   articles and a note saying so.
//! - A file given by itself is a source of its own.
//!
//! Inside a source, articles with a machine-readable date (`YYYY-MM-DD…`, as feed items and
//! most saved pages carry) come first, newest first; the others follow in file-name order.

use std::ops::Range;
use std::path::{Path, PathBuf};

use super::manifest::Outlet;
use super::{Article, Lang, Library};
use crate::text::sanitize::sanitize_str;

/// What a source is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// An outlet: a seed, or a group named in a folder's `sources.toml`.
    Outlet,
    /// A folder of articles.
    Folder(PathBuf),
    /// A feed's stored items.
    Feed { url: String },
    /// A file opened by itself.
    File,
}

/// A source of articles: an outlet, a folder, a feed or a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// What the list calls it: sanitized, one line.
    pub name: String,
    /// A character that jumps to it.
    pub hotkey: Option<char>,
    pub kind: SourceKind,
    /// The language its articles are declared in, when the config or manifest says.
    pub language: Option<Lang>,
    /// Its articles, as a range of [`Library::articles`].
    pub articles: Range<usize>,
    /// Why it has no articles, for the user (a feed not fetched yet).
    pub note: Option<String>,
}

impl Source {
    /// Whether the list shows it as a group under a header: a folder or a feed, or an outlet of
    /// other than one article. A source of one article that is neither (a seed, a file) is
    /// shown as its article's row alone.
    pub fn is_group(&self) -> bool {
        matches!(self.kind, SourceKind::Folder(_) | SourceKind::Feed { .. })
            || self.articles.len() != 1
    }

    /// What `--list` calls its kind.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            SourceKind::Outlet => "outlet",
            SourceKind::Folder(_) => "folder",
            SourceKind::Feed { .. } => "feed",
            SourceKind::File => "file",
        }
    }
}

/// A source the loader is asked to open: a path, with what the config says of it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceSpec {
    pub path: PathBuf,
    pub name: Option<String>,
    pub hotkey: Option<char>,
    pub language: Option<Lang>,
    /// A feed's address: `path` is then its stored folder, which may not exist yet.
    pub feed: Option<String>,
    /// Named in the config: a path that cannot be opened is an empty source with a note and a
    /// warning, not an error that stops folio.
    pub from_config: bool,
}

impl SourceSpec {
    /// A path given on the command line: named by itself.
    pub fn path(path: &Path) -> SourceSpec {
        SourceSpec {
            path: path.to_path_buf(),
            ..SourceSpec::default()
        }
    }
}

/// The note of a feed with no stored items.
pub const NOT_FETCHED: &str = "not fetched yet: run folio fetch";

impl SourceSpec {
    /// What the folder's own source is, before its articles are known.
    pub(super) fn folder_source(&self) -> FolderSource {
        let name = match &self.name {
            Some(name) => clean_name(name, &folder_name(&self.path)),
            None => folder_name(&self.path),
        };
        let kind = match &self.feed {
            Some(url) => SourceKind::Feed { url: url.clone() },
            None => SourceKind::Folder(self.path.clone()),
        };
        FolderSource {
            name,
            hotkey: self.hotkey,
            kind,
            language: self.language,
            empty_note: self.feed.is_some().then(|| NOT_FETCHED.to_string()),
        }
    }

    /// A source that could not be opened, with why (for a source named in the config).
    pub(super) fn push_unopened(&self, lib: &mut Library, why: String) {
        let mut folder = self.folder_source();
        folder.empty_note = Some(why);
        push_folder(lib, Vec::new(), &[], folder);
    }

    /// The hotkey the config gives, unless it is `taken` (then dropped with a warning).
    pub(super) fn claim_hotkey(&mut self, taken: &mut Vec<char>, warnings: &mut Vec<String>) {
        if let Some(key) = self.hotkey {
            if taken.contains(&key) {
                warnings.push(format!(
                    "hotkey '{key}' of source '{}' is already taken; ignored",
                    self.folder_source().name
                ));
                self.hotkey = None;
            } else {
                taken.push(key);
            }
        }
    }
}

/// An article's date when it is machine-readable (it starts `YYYY-MM-DD`), for ordering:
/// such dates sort as text.
pub fn date_key(article: &Article) -> Option<&str> {
    date_key_of(article.date.as_deref())
}

/// [`date_key`] of a date as written.
pub fn date_key_of(date: Option<&str>) -> Option<&str> {
    let date = date?;
    let b = date.as_bytes();
    let digits = |r: Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    (digits(0..4) && b.get(4) == Some(&b'-') && digits(5..7) && b.get(7) == Some(&b'-'))
        .then_some(())
        .filter(|_| digits(8..10))
        .map(|_| date)
}

/// A source's name as the user may see it: printable, one line, trimmed; `fallback` when blank.
pub(super) fn clean_name(name: &str, fallback: &str) -> String {
    let name = sanitize_str(name).replace('\n', " ");
    let name = name.trim();
    if name.is_empty() {
        fallback.to_string()
    } else {
        name.to_string()
    }
}

/// A folder's name, for a source the config does not name.
pub(super) fn folder_name(path: &Path) -> String {
    let shown = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string_lossy().into_owned());
    clean_name(&shown, "folder")
}

/// Order `members` (indexes into `articles`, in file-name order) newest first where dates are
/// known, the undated after them in their order.
fn newest_first(articles: &[Article], members: &mut [usize]) {
    members.sort_by(|&a, &b| {
        newer_first(date_key(&articles[a]), date_key(&articles[b])).then(a.cmp(&b))
    });
}

/// Two [`date_key`]s, the newer first; an article with a date before one without.
pub(super) fn newer_first(a: Option<&str>, b: Option<&str>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(x), Some(y)) => y.cmp(x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    }
}

/// How a folder's articles fall into sources.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Group {
    /// An `[[outlet]]` of the manifest (its index there).
    Outlet(usize),
    /// An article with its own hotkey.
    Single,
    /// What is left: the folder's (or feed's) own source.
    Rest,
}

/// Split a folder's articles (in file-name order) into groups, in the order of their first
/// file, each with its members newest first. Outlets claim their files first; an article with
/// its own hotkey and no outlet is a group of its own; the rest is one group (none when
/// nothing is left).
pub(super) fn group_folder(articles: &[Article], outlets: &[Outlet]) -> Vec<(Group, Vec<usize>)> {
    let mut owner: Vec<Option<usize>> = vec![None; articles.len()];
    for (o, outlet) in outlets.iter().enumerate() {
        for file in &outlet.files {
            let wanted = super::parse::display_file_name(file);
            if let Some(i) = articles.iter().position(|a| a.file_name == wanted)
                && owner[i].is_none()
            {
                owner[i] = Some(o);
            }
        }
    }
    // Groups in the order of their first article.
    let mut groups: Vec<(Group, Vec<usize>)> = Vec::new();
    for (i, article) in articles.iter().enumerate() {
        let group = match owner[i] {
            Some(o) => Group::Outlet(o),
            None if article.hotkey.is_some() => {
                groups.push((Group::Single, vec![i]));
                continue;
            }
            None => Group::Rest,
        };
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, members)) => members.push(i),
            None => groups.push((group, vec![i])),
        }
    }
    for (_, members) in &mut groups {
        newest_first(articles, members);
    }
    groups
}

/// What the folder's own source (its [`Group::Rest`]) is.
pub(super) struct FolderSource {
    pub name: String,
    pub hotkey: Option<char>,
    pub kind: SourceKind,
    pub language: Option<Lang>,
    /// Push the source even with no article (a feed not fetched yet), with this note.
    pub empty_note: Option<String>,
}

/// Append a folder's articles (in file-name order, manifest applied) to `lib` as its sources
/// (see [`group_folder`]). Returns, for each article appended in order, its place in
/// `articles`.
pub(super) fn push_folder(
    lib: &mut Library,
    articles: Vec<Article>,
    outlets: &[Outlet],
    folder: FolderSource,
) -> Vec<usize> {
    let groups = group_folder(&articles, outlets);
    // The articles are put in their order where they are and then moved over whole: an
    // article is a few hundred bytes, and a folder of 100,000 copied twice over would touch
    // (and keep as the peak) tens of megabytes more before the first frame.
    let order: Vec<usize> = groups.iter().flat_map(|(_, m)| m.iter().copied()).collect();
    let mut articles = articles;
    permute(&mut articles, &order);
    let base = lib.articles.len();
    let mut sources = Vec::with_capacity(groups.len());
    let mut at = base;
    for (group, members) in &groups {
        let source = lib.sources.len() + sources.len();
        let range = at..at + members.len();
        for article in &mut articles[range.start - base..range.end - base] {
            article.source = source;
        }
        let head = &articles[range.start - base];
        let (name, hotkey, kind, language) = match group {
            Group::Outlet(o) => (
                outlets[*o].name.clone(),
                outlets[*o].hotkey,
                SourceKind::Outlet,
                outlets[*o].language,
            ),
            Group::Single => (
                clean_name(
                    head.outlet.as_deref().unwrap_or(&head.title),
                    &head.file_name,
                ),
                head.hotkey,
                SourceKind::Outlet,
                head.language,
            ),
            Group::Rest => (
                folder.name.clone(),
                folder.hotkey,
                folder.kind.clone(),
                folder.language,
            ),
        };
        at = range.end;
        sources.push(Source {
            name,
            hotkey,
            kind,
            language,
            articles: range,
            note: None,
        });
    }
    let pushed_rest = groups.iter().any(|(g, _)| *g == Group::Rest);
    if lib.articles.is_empty() {
        lib.articles = articles;
    } else {
        lib.articles.append(&mut articles);
    }
    lib.sources.extend(sources);
    if !pushed_rest && let Some(note) = folder.empty_note {
        let at = lib.articles.len();
        lib.sources.push(Source {
            name: folder.name,
            hotkey: folder.hotkey,
            kind: folder.kind,
            language: folder.language,
            articles: at..at,
            note: Some(note),
        });
    }
    order
}

/// Put `items` in `order`: afterwards `items[k]` is what was at `order[k]`. `order` is a
/// permutation; each item is swapped into place once, with no second copy of the vector.
pub(crate) fn permute<T>(items: &mut [T], order: &[usize]) {
    debug_assert_eq!(items.len(), order.len());
    let mut done = vec![false; items.len()];
    for start in 0..items.len() {
        if done[start] {
            continue;
        }
        let mut k = start;
        loop {
            done[k] = true;
            let from = order[k];
            if from == start {
                break;
            }
            items.swap(k, from);
            k = from;
        }
    }
}

/// Append one file's article as a source of its own.
pub(super) fn push_file(lib: &mut Library, mut article: Article, spec: &SourceSpec) {
    let at = lib.articles.len();
    article.source = lib.sources.len();
    let name = clean_name(
        spec.name.as_deref().unwrap_or(&article.title),
        &article.file_name,
    );
    lib.sources.push(Source {
        name,
        hotkey: spec.hotkey.or(article.hotkey),
        kind: SourceKind::File,
        language: spec.language,
        articles: at..at + 1,
        note: None,
    });
    lib.articles.push(article);
}

impl Library {
    /// Put `articles` (of one source, in its order) in at index `at` (clamped to the end),
    /// where the fill says they go ([`FillReport::Stubs`](super::FillReport::Stubs)).
    pub fn insert_stubs(&mut self, at: usize, articles: Vec<Article>) {
        let at = at.min(self.articles.len());
        if articles.len() > self.articles.len() {
            // The many go where they are; the few around them move (a hundred thousand
            // articles are tens of megabytes).
            let mut old = std::mem::replace(&mut self.articles, articles);
            let back = old.split_off(at);
            self.articles.reserve(old.len() + back.len());
            self.articles.splice(0..0, old);
            self.articles.extend(back);
        } else {
            self.articles.splice(at..at, articles);
        }
        self.reindex_sources();
    }

    /// Whether `sources` holds every article once, in order: each source's range follows the
    /// last, the ranges cover `articles`, and each article names its source.
    pub fn sources_consistent(&self) -> bool {
        let mut next = 0;
        for (s, source) in self.sources.iter().enumerate() {
            if source.articles.start != next
                || source.articles.end < next
                || source.articles.end > self.articles.len()
            {
                return false;
            }
            if self.articles[source.articles.clone()]
                .iter()
                .any(|a| a.source != s)
            {
                return false;
            }
            next = source.articles.end;
        }
        // With no sources, only an empty library is consistent.
        next == self.articles.len()
    }

    /// Give a library made by hand (with no sources, or sources that do not match its
    /// articles) one source per article, as files opened one by one.
    pub fn ensure_sources(&mut self) {
        if self.sources_consistent() {
            return;
        }
        self.sources = self
            .articles
            .iter_mut()
            .enumerate()
            .map(|(i, article)| {
                article.source = i;
                Source {
                    name: clean_name(&article.title, &article.file_name),
                    hotkey: article.hotkey,
                    kind: SourceKind::File,
                    language: article.language,
                    articles: i..i + 1,
                    note: None,
                }
            })
            .collect();
    }

    /// Make the sources' ranges follow the articles again after articles were put in or taken
    /// out where they belong (each in its source's run, as a changing library does): an article
    /// whose source is `usize::MAX` (or past the sources) becomes a source of its own, a file,
    /// after the others, so it must come last. A source left with no articles keeps its place,
    /// empty; one that has articles loses its note ("not fetched yet").
    pub fn reindex_sources(&mut self) {
        for (i, article) in self.articles.iter_mut().enumerate() {
            if article.source >= self.sources.len() {
                article.source = self.sources.len();
                self.sources.push(Source {
                    name: clean_name(&article.title, &article.file_name),
                    hotkey: None,
                    kind: SourceKind::File,
                    language: article.language,
                    articles: i..i + 1,
                    note: None,
                });
            }
        }
        let mut at = 0;
        for (s, source) in self.sources.iter_mut().enumerate() {
            let start = at;
            while at < self.articles.len() && self.articles[at].source == s {
                at += 1;
            }
            source.articles = start..at;
            if start < at {
                source.note = None;
            }
        }
        // Articles out of their sources' order would be a fault of the caller; the list then
        // shows each article as a source of its own rather than lose one.
        if !self.sources_consistent() {
            self.ensure_sources();
        }
    }

    /// The source of article `index`.
    pub fn source_of(&self, index: usize) -> Option<&Source> {
        self.sources.get(self.articles.get(index)?.source)
    }

    /// Order each source's articles newest first again (dates learnt after opening), and make
    /// the ranges follow the articles (some were left out): for a library no one holds
    /// indexes into yet.
    pub fn regroup(&mut self) {
        let mut ranges = Vec::with_capacity(self.sources.len());
        let mut at = 0;
        for s in 0..self.sources.len() {
            let start = at;
            while at < self.articles.len() && self.articles[at].source == s {
                at += 1;
            }
            ranges.push(start..at);
        }
        let mut order = Vec::with_capacity(self.articles.len());
        for range in &ranges {
            let mut members: Vec<usize> = range.clone().collect();
            newest_first(&self.articles, &mut members);
            order.extend(members);
        }
        // Articles not in any source's run (none, in a library a loader made) keep their place
        // at the end.
        order.extend(at..self.articles.len());
        let mut slots: Vec<Option<Article>> = std::mem::take(&mut self.articles)
            .into_iter()
            .map(Some)
            .collect();
        self.articles = order.into_iter().filter_map(|i| slots[i].take()).collect();
        for (source, range) in self.sources.iter_mut().zip(ranges) {
            source.articles = range;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{Origin, parse_article};

    fn article(name: &str, date: Option<&str>, hotkey: Option<char>) -> Article {
        let mut a = parse_article(name, Origin::Embedded, b"Some text here.");
        a.date = date.map(str::to_string);
        a.hotkey = hotkey;
        a
    }

    fn folder(name: &str) -> FolderSource {
        FolderSource {
            name: name.into(),
            hotkey: None,
            kind: SourceKind::Folder(PathBuf::from(name)),
            language: None,
            empty_note: None,
        }
    }

    use proptest::strategy::{Just, Strategy};

    proptest::proptest! {
        #[test]
        fn permuting_in_place_gives_what_picking_in_order_gives(
            order in (0usize..40).prop_flat_map(|n| {
                Just((0..n).collect::<Vec<usize>>()).prop_shuffle()
            })
        ) {
            let items: Vec<String> = (0..order.len()).map(|i| format!("item {i}")).collect();
            let picked: Vec<String> = order.iter().map(|&i| items[i].clone()).collect();
            let mut permuted = items;
            permute(&mut permuted, &order);
            proptest::prop_assert_eq!(permuted, picked);
        }
    }

    fn names(lib: &Library, s: usize) -> Vec<&str> {
        lib.articles[lib.sources[s].articles.clone()]
            .iter()
            .map(|a| a.file_name.as_str())
            .collect()
    }

    #[test]
    fn machine_readable_dates_only() {
        assert_eq!(
            date_key(&article("a", Some("2024-03-05"), None)),
            Some("2024-03-05")
        );
        assert_eq!(
            date_key(&article("a", Some("2024-03-05T10:00:00Z"), None)),
            Some("2024-03-05T10:00:00Z")
        );
        assert_eq!(date_key(&article("a", Some("5 March 2024"), None)), None);
        assert_eq!(date_key(&article("a", Some("2024-3-5"), None)), None);
        assert_eq!(date_key(&article("a", None, None)), None);
    }

    #[test]
    fn a_folder_is_one_source_newest_first_undated_after_by_name() {
        let mut lib = Library::default();
        let articles = vec![
            article("a.txt", None, None),
            article("b.html", Some("2024-01-02"), None),
            article("c.html", Some("2025-06-30"), None),
            article("d.txt", None, None),
        ];
        let order = push_folder(&mut lib, articles, &[], folder("news"));
        assert_eq!(order, vec![2, 1, 0, 3]);
        assert_eq!(lib.sources.len(), 1);
        assert_eq!(lib.sources[0].name, "news");
        assert_eq!(names(&lib, 0), vec!["c.html", "b.html", "a.txt", "d.txt"]);
        assert!(lib.sources[0].is_group());
        assert!(lib.sources_consistent());
    }

    #[test]
    fn outlets_and_hotkeyed_entries_are_sources_of_their_own_the_rest_last() {
        let mut lib = Library::default();
        // A source before this folder: indexes continue after it.
        push_file(
            &mut lib,
            article("lone.txt", None, None),
            &SourceSpec::default(),
        );
        let articles = vec![
            article("a.txt", None, None),
            article("b.txt", None, Some('b')),
            article("c.txt", Some("2024-01-01"), None),
            article("d.txt", Some("2024-02-01"), None),
            article("e.txt", None, None),
        ];
        let outlets = vec![Outlet {
            name: "Wire".into(),
            hotkey: Some('w'),
            language: Some(Lang::Ar),
            files: vec!["c.txt".into(), "d.txt".into(), "gone.txt".into()],
            line: 1,
        }];
        let order = push_folder(&mut lib, articles, &outlets, folder("box"));
        assert_eq!(order, vec![0, 4, 1, 3, 2]);
        let kinds: Vec<(&str, Option<char>, usize)> = lib
            .sources
            .iter()
            .map(|s| (s.name.as_str(), s.hotkey, s.articles.len()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("Some text here.", None, 1),
                ("box", None, 2),
                ("Some text here.", Some('b'), 1),
                ("Wire", Some('w'), 2),
            ]
        );
        assert_eq!(names(&lib, 1), vec!["a.txt", "e.txt"]);
        assert_eq!(names(&lib, 3), vec!["d.txt", "c.txt"]);
        assert_eq!(lib.sources[3].language, Some(Lang::Ar));
        assert!(!lib.sources[0].is_group() && !lib.sources[2].is_group());
        assert!(lib.sources[1].is_group() && lib.sources[3].is_group());
        assert!(lib.sources_consistent());
        assert_eq!(lib.source_of(4).map(|s| s.name.as_str()), Some("Wire"));
    }

    #[test]
    fn a_feed_with_nothing_stored_is_an_empty_source_that_says_so() {
        let mut lib = Library::default();
        let mut feed = folder("Example");
        feed.kind = SourceKind::Feed {
            url: "https://example.com/rss".into(),
        };
        feed.empty_note = Some(NOT_FETCHED.into());
        push_folder(&mut lib, Vec::new(), &[], feed);
        assert_eq!(lib.sources.len(), 1);
        assert_eq!(lib.sources[0].articles, 0..0);
        assert_eq!(lib.sources[0].note.as_deref(), Some(NOT_FETCHED));
        assert!(lib.sources[0].is_group());
        assert!(lib.sources_consistent());
    }

    #[test]
    fn a_library_made_by_hand_gets_a_source_per_article() {
        let mut lib = Library {
            articles: vec![article("a", None, Some('x')), article("b", None, None)],
            ..Library::default()
        };
        assert!(!lib.sources_consistent());
        lib.ensure_sources();
        assert!(lib.sources_consistent());
        assert_eq!(lib.sources.len(), 2);
        assert_eq!(lib.sources[0].hotkey, Some('x'));
        assert_eq!(lib.articles[1].source, 1);
    }

    #[test]
    fn regroup_follows_articles_left_out_and_dates_learnt() {
        let mut lib = Library::default();
        let articles = vec![
            article("a.txt", None, None),
            article("b.txt", None, None),
            article("c.txt", None, None),
        ];
        push_folder(&mut lib, articles, &[], folder("f"));
        push_file(
            &mut lib,
            article("z.txt", None, None),
            &SourceSpec::default(),
        );
        lib.articles.remove(0);
        lib.articles[1].date = Some("2024-05-05".into());
        lib.regroup();
        assert_eq!(lib.sources[0].articles, 0..2);
        assert_eq!(names(&lib, 0), vec!["c.txt", "b.txt"]);
        assert_eq!(lib.sources[1].articles, 2..3);
        assert!(lib.sources_consistent());
    }
}
