//! A library that changes while it is read: files added, changed or removed in a folder being
//! read (the terminal front end watches them, [`crate::watch`]), new items from a fetch of the
//! feeds (the fetch key, [`Action::Fetch`]), a server's refresh (`folio serve --refresh`).
//!
//! The front end reads what changed off the loop and hands the app a [`LibraryChange`] (files
//! added, changed, removed) or a whole new library; the app keeps its place through either:
//! the selected and the open article by key, the reader's place (paragraph and byte, clamped)
//! in an article that changed under it — its text is read again through
//! [`Work::LoadArticle`] —, the list's top row, the filter, the library's read marks (kept by
//! key in the store). A removed open article says so and stays readable until the user moves
//! on.
//!
//! Work on the loop follows the change, not the library: a changed file costs a look-up of its
//! key and no file is read here; a file added or removed moves the library's articles along
//! and renumbers what names articles by index (the list, the reader's places, the bodies kept),
//! which is arithmetic on integers, not a reload. While the library's first fill is under way
//! (it names articles by index too), changes wait for its end.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::{Action, App, Effect, Overlay, Shared, Work};
use crate::library::{Article, Library, Origin};
use crate::text::document::Anchor;

/// Files of the library that changed on disk, as the front end read them again.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LibraryChange {
    /// Articles of files new to the library, as stubs (their metadata, no text). Each goes
    /// among the articles of its folder, in name order (at the end when its folder has none).
    /// One whose key the library has already counts as changed.
    pub added: Vec<Article>,
    /// Articles whose files changed, as stubs, matched by key: the list takes their metadata,
    /// and the text is read again when shown.
    pub changed: Vec<Article>,
    /// Keys of articles whose files are gone.
    pub removed: Vec<String>,
    /// The folders of the feeds fetched, with their addresses: an item of a feed with no
    /// article in the library yet finds the feed's source by them.
    pub feeds: Vec<(std::path::PathBuf, String)>,
}

impl LibraryChange {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }

    /// How many files it names.
    pub fn len(&self) -> usize {
        self.added.len() + self.changed.len() + self.removed.len()
    }
}

/// What the front end found about a changing library, applied by [`App::done`].
#[derive(Debug, PartialEq)]
pub enum Live {
    /// Files added, changed or removed.
    Changed(LibraryChange),
    /// A whole new library (a server's refresh), shared by every session that takes it.
    Library(Shared<Library>),
    /// A fetch of the feeds ([`Work::Fetch`]) is `done` feeds of `total` through; `failures`
    /// are what went wrong with the feed just fetched, one printable line each.
    Fetching {
        done: usize,
        total: usize,
        failures: Vec<String>,
    },
    /// The fetch is over: how many items are new and how many feeds failed. The new items
    /// come as a [`Live::Changed`] just before.
    Fetched {
        feeds: usize,
        new_items: usize,
        failed: usize,
    },
}

/// The app's side of a changing library.
#[derive(Debug, Default)]
pub(crate) struct LiveState {
    /// The open article's file was removed: its key. It stays in the library, readable, until
    /// the user moves to another article.
    orphan: Option<String>,
    /// Changes that came while the library's fill was under way, applied at its end.
    queued: Vec<LibraryChange>,
    /// A fetch of the feeds under way: feeds done, of how many.
    fetching: Option<(usize, usize)>,
    /// The article open when the reader last ended, not among the first frame's stubs: its
    /// key, and the article selected instead (opened if the reader is still there when the
    /// other stubs come).
    pub(super) last_open: Option<(String, usize)>,
    /// The article `G` went to in the list: if the first frame's stubs were not all of them,
    /// the end moves on when the others come.
    pub(super) bottom_at: Option<usize>,
}

/// Up to this many keys are looked up one by one; more, through a table of the library's keys.
const LINEAR_LOOKUPS: usize = 8;

/// Up to this many files added and removed at once are put in and taken out where they are;
/// more, and the library's articles are laid out anew in one pass.
const SHIFT_IN_PLACE: usize = 16;

impl App {
    /// Apply what the front end found about the library changing (see [`Live`]).
    pub fn live(&mut self, live: Live) {
        match live {
            Live::Changed(change) => self.take_change(change),
            Live::Library(library) => self.take_library(library.0),
            Live::Fetching {
                done,
                total,
                failures,
            } => {
                if self.live.fetching.is_some() {
                    self.live.fetching = Some((done, total));
                }
                for failure in failures {
                    self.keep_message(crate::text::sanitize::printable(&failure));
                }
            }
            Live::Fetched {
                feeds,
                new_items,
                failed,
            } => {
                self.live.fetching = None;
                let items = match new_items {
                    1 => "1 new item".to_string(),
                    n => format!("{n} new items"),
                };
                let feeds = match feeds {
                    1 => "1 feed".to_string(),
                    n => format!("{n} feeds"),
                };
                self.message = Some(match failed {
                    0 => format!("Fetched {feeds}: {items}"),
                    n => format!(
                        "Fetched {feeds}: {items}; {n} failed — press {} to read why",
                        self.settings.keymap.hint(Action::ShowMessages)
                    ),
                });
            }
        }
    }

    /// While the feeds are being fetched: feeds done, of how many.
    pub fn fetch_progress(&self) -> Option<(usize, usize)> {
        self.live.fetching
    }

    /// The fetch key: fetch every configured feed off the loop ([`Work::Fetch`]).
    pub(super) fn fetch_feeds(&mut self) {
        if !self.policy.run_programs {
            self.say("Feeds are fetched by the server here".into());
            return;
        }
        let feeds = self.settings.config.feed.clone();
        if feeds.is_empty() {
            self.say(
                "No feeds in the config: add [[feed]] tables, or `folio import FILE.opml`".into(),
            );
            return;
        }
        if let Some((done, total)) = self.live.fetching {
            self.say(format!("Already fetching: {done}/{total} feeds"));
            return;
        }
        self.live.fetching = Some((0, feeds.len()));
        self.effect(Effect::Work(Work::Fetch {
            feeds,
            library: Shared(self.library.clone()),
        }));
    }

    /// Keep a message for the messages view without putting it on the status line.
    fn keep_message(&mut self, message: String) {
        if self.messages.len() == super::MESSAGES_KEPT {
            self.messages.remove(0);
        }
        self.messages.push(message);
    }

    /// Apply changes that waited for the fill's end.
    pub(super) fn take_queued_changes(&mut self) {
        for change in std::mem::take(&mut self.live.queued) {
            self.take_change(change);
        }
    }

    /// Where the library's articles are, by key: `keys` looked up one at a time when they are
    /// few, through a table when they are many.
    fn indexes_of(&self, keys: &[&str]) -> Vec<Option<usize>> {
        let articles = &self.library.articles;
        if keys.len() <= LINEAR_LOOKUPS {
            return keys
                .iter()
                .map(|k| articles.iter().position(|a| a.key == *k))
                .collect();
        }
        let table: HashMap<&str, usize> = articles
            .iter()
            .enumerate()
            .map(|(i, a)| (a.key.as_str(), i))
            .collect();
        keys.iter().map(|k| table.get(k).copied()).collect()
    }

    /// Apply files added, changed and removed (see the module docs).
    pub fn take_change(&mut self, change: LibraryChange) {
        if change.is_empty() {
            return;
        }
        if self.fill.is_some() {
            self.live.queued.push(change);
            return;
        }
        let LibraryChange {
            added,
            mut changed,
            removed,
            feeds,
        } = change;
        // Added files the library has already are changed files.
        let added_keys: Vec<&str> = added.iter().map(|a| a.key.as_str()).collect();
        let present = self.indexes_of(&added_keys);
        let mut new = Vec::new();
        for (article, at) in added.into_iter().zip(present) {
            match at {
                Some(_) => changed.push(article),
                None if !new.iter().any(|a: &Article| a.key == article.key) => new.push(article),
                None => {}
            }
        }

        // A removed open article whose file is back is no longer on its way out.
        if let Some(orphan) = &self.live.orphan
            && changed.iter().any(|a| a.key == *orphan)
        {
            self.live.orphan = None;
        }
        let changed_keys: Vec<&str> = changed.iter().map(|a| a.key.as_str()).collect();
        let at = self.indexes_of(&changed_keys);
        let mut open_changed = false;
        for (fresh, index) in changed.into_iter().zip(at) {
            if let Some(index) = index {
                open_changed |= index == self.list.selected;
                self.article_changed(index, fresh);
            }
        }

        let removed_keys: Vec<&str> = removed.iter().map(String::as_str).collect();
        let mut gone: Vec<usize> = self
            .indexes_of(&removed_keys)
            .into_iter()
            .flatten()
            .collect();
        let selected = self.list.selected;
        if gone.contains(&selected) {
            gone.retain(|&i| i != selected);
            if let Some(article) = self.library.articles.get(selected)
                && self.live.orphan.as_ref() != Some(&article.key)
            {
                self.live.orphan = Some(article.key.clone());
                self.say(
                    "This article's file was removed: it stays here until you open another".into(),
                );
            }
        }
        if !new.is_empty() || !gone.is_empty() {
            self.rebuild(new, &gone, &feeds);
        }
        if open_changed && self.live.orphan.is_none() {
            self.message =
                Some("This article changed on disk: read again, at the same place".into());
        }
        if self.fill.is_none() {
            self.refresh_filter();
        }
        self.relayout();
    }

    /// Article `index`'s file changed: the list takes `fresh`'s metadata, and the text (read
    /// again when shown) and every layout of it are let go.
    fn article_changed(&mut self, index: usize, fresh: Article) {
        let library = Arc::make_mut(&mut self.library);
        let Some(article) = library.articles.get_mut(index) else {
            return;
        };
        if matches!(article.origin, Origin::Embedded) {
            return;
        }
        article.unload();
        article.take_meta(fresh);
        self.bodies.retain(|&i| i != index);
        // A read asked for before the change may bring the old text: ask again.
        self.requested.retain(|&i| i != index);
        self.reader.forget_article(index);
        if self.headings.article == Some(index) {
            self.headings = super::outline::Headings::default();
        }
        if index == self.list.selected
            && matches!(
                self.overlay,
                Some(Overlay::Links(_) | Overlay::Outline { .. })
            )
        {
            self.overlay = None;
        }
    }

    /// Add `new` articles (each in its source, in the source's order) and drop the articles at
    /// `gone`, renumbering everything that names articles by index.
    fn rebuild(&mut self, mut new: Vec<Article>, gone: &[usize], feeds: &[(PathBuf, String)]) {
        let folded = self.folded_names();
        let places = places_for(&self.library, &mut new, feeds);
        let mut order: Vec<usize> = (0..new.len()).collect();
        order.sort_by(|&a, &b| {
            // Sources that meet at a place (an empty one, the end of one and the start of
            // the next) take their articles in their own order.
            (places[a], new[a].source)
                .cmp(&(places[b], new[b].source))
                .then_with(|| in_source_order(&new[a], &new[b]))
                .then_with(|| new[a].key.cmp(&new[b].key))
        });
        let mut inserts: Vec<(usize, Article)> = Vec::with_capacity(new.len());
        let mut taken: Vec<Option<Article>> = new.drain(..).map(Some).collect();
        for i in order {
            if let Some(article) = taken[i].take() {
                inserts.push((places[i], article));
            }
        }
        let count = self.library.articles.len();
        // Where each old article goes: past the articles dropped before it and the new ones
        // placed at or before it (a new article goes before the old one at its place).
        let mut gone: Vec<usize> = gone.iter().copied().filter(|&i| i < count).collect();
        gone.sort_unstable();
        gone.dedup();
        let mut map = vec![None; count];
        let (mut g, mut k) = (0, 0);
        for (i, slot) in map.iter_mut().enumerate() {
            while k < inserts.len() && inserts[k].0 <= i {
                k += 1;
            }
            if g < gone.len() && gone[g] == i {
                g += 1;
            } else {
                *slot = Some(i - g + k);
            }
        }
        // The new articles' places in the new library, in order.
        let mut added = Vec::with_capacity(inserts.len());
        let mut dropped_before = 0;
        for (k, (place, _)) in inserts.iter().enumerate() {
            while dropped_before < gone.len() && gone[dropped_before] < *place {
                dropped_before += 1;
            }
            added.push(place - dropped_before + k);
        }
        let library = Arc::make_mut(&mut self.library);
        let articles = &mut library.articles;
        if inserts.len() + gone.len() <= SHIFT_IN_PLACE {
            // A few files: the articles after each are shifted along, none is moved one by one.
            for &i in gone.iter().rev() {
                articles.remove(i);
            }
            for (&at, (_, article)) in added.iter().zip(inserts) {
                articles.insert(at, article);
            }
        } else {
            let old = std::mem::take(articles);
            let mut next = Vec::with_capacity(old.len() + inserts.len() - gone.len());
            let mut inserts = inserts.into_iter().peekable();
            let mut g = 0;
            for (i, article) in old.into_iter().enumerate() {
                while let Some((_, a)) = inserts.next_if(|(p, _)| *p <= i) {
                    next.push(a);
                }
                if g < gone.len() && gone[g] == i {
                    g += 1;
                } else {
                    next.push(article);
                }
            }
            next.extend(inserts.map(|(_, a)| a));
            *articles = next;
        }
        library.reindex_sources();
        self.renumber(&map, &added);
        self.sources_replaced(&folded);
    }

    /// Take a whole new library (a server's refresh), keeping the place by key. The open
    /// article, if the new library lacks it, stays until the user moves on. Meant for a
    /// library read whole (as `folio serve` reads it): a fill under way is given up, its later
    /// reports (which name the old library's articles) ignored.
    pub fn take_library(&mut self, mut library: Arc<Library>) {
        let folded = self.folded_names();
        if !library.sources_consistent() {
            Arc::make_mut(&mut library).ensure_sources();
        }
        if self.fill.is_some() {
            // A fill names the old library's articles by index; the new one is whole.
            self.fill = None;
        }
        let table: HashMap<&str, usize> = library
            .articles
            .iter()
            .enumerate()
            .map(|(i, a)| (a.key.as_str(), i))
            .collect();
        let mut map: Vec<Option<usize>> = self
            .library
            .articles
            .iter()
            .map(|a| table.get(a.key.as_str()).copied())
            .collect();
        drop(table);
        let selected = self.list.selected;
        if let Some(open) = self.library.articles.get(selected)
            && map[selected].is_none()
        {
            // Kept where it was (as near as the new library allows) until the user moves on.
            let at = selected.min(library.articles.len());
            let library = Arc::make_mut(&mut library);
            // It joins the source of the article it comes before (of the last one at the end).
            let mut open = open.clone();
            open.source = library
                .articles
                .get(at)
                .or(library.articles.last())
                .map_or(NEW_SOURCE, |a| a.source);
            library.articles.insert(at, open.clone());
            library.reindex_sources();
            for m in map.iter_mut().flatten() {
                if *m >= at {
                    *m += 1;
                }
            }
            map[selected] = Some(at);
            if self.live.orphan.as_ref() != Some(&open.key) {
                self.live.orphan = Some(open.key.clone());
                self.say("This article was removed: it stays here until you open another".into());
            }
        }
        let mut known = vec![false; library.articles.len()];
        for &m in map.iter().flatten() {
            known[m] = true;
        }
        let added: Vec<usize> = (0..known.len()).filter(|&i| !known[i]).collect();
        // Every article is another value now: no layout or text of the old ones is kept.
        self.reader.forget_all();
        self.bodies.clear();
        self.requested.clear();
        self.headings = super::outline::Headings::default();
        self.library = library;
        self.renumber(&map, &added);
        self.sources_replaced(&folded);
        self.refresh_filter();
        self.relayout();
    }

    /// The library's articles moved: old article `i` is now `map[i]` (`None`: gone), and the
    /// articles at `added` are new. Renumber the list, the reader's places, the bodies kept and
    /// the reads asked for; close what lists articles by index (search results, bookmarks, the
    /// jump prompt).
    fn renumber(&mut self, map: &[Option<usize>], added: &[usize]) {
        let at = |i: usize| map.get(i).copied().flatten();
        let count = self.library.articles.len();
        let top_article = self.list.visible.get(self.list.top).copied();
        let selected = at(self.list.selected).unwrap_or_else(|| {
            // Never the case for the open article (it is kept); for safety, the nearest.
            self.list.selected.min(count.saturating_sub(1))
        });
        self.list.selected = selected;
        if self.list.filter.is_some() {
            self.list.visible = self.list.visible.iter().filter_map(|&i| at(i)).collect();
        } else {
            self.list.visible = (0..count).collect();
        }
        if let Some(row) = top_article
            .and_then(at)
            .and_then(|a| self.list.visible.iter().position(|&v| v == a))
        {
            self.list.top = row;
        }
        let positions: Vec<Option<Anchor>> = added
            .iter()
            .map(|&i| {
                let key = &self.library.articles[i].key;
                self.store
                    .article(key)
                    .and_then(|s| s.position)
                    .map(|p| Anchor {
                        para: p.para,
                        byte: p.byte,
                        gap: false,
                    })
            })
            .collect();
        self.reader.renumber(map, count, added, &positions);
        self.requested = self.requested.iter().filter_map(|&i| at(i)).collect();
        self.bodies = self.bodies.iter().filter_map(|&i| at(i)).collect();
        self.headings.article = self.headings.article.and_then(at);
        if matches!(
            self.overlay,
            Some(Overlay::Results { .. } | Overlay::Bookmarks(_) | Overlay::Jump { .. })
        ) {
            self.overlay = None;
        }
        self.stop_library_search();
        self.help = super::help::help_lines(&self.library, &self.settings.keymap);
    }

    /// The stubs the first frame did without (a large folder's past its first screen) go in
    /// at `at`: everything after moves along, and the last article open, if it is among them
    /// and the reader has not moved yet, is opened.
    pub(super) fn insert_stubs(&mut self, at: usize, articles: Vec<Article>) {
        if articles.is_empty() {
            return;
        }
        let folded = self.folded_names();
        let count = self.library.articles.len();
        let at = at.min(count);
        let m = articles.len();
        let at_bottom = self.live.bottom_at.take() == Some(self.list.selected);
        let map: Vec<Option<usize>> = (0..count)
            .map(|i| Some(if i < at { i } else { i + m }))
            .collect();
        let added: Vec<usize> = (at..at + m).collect();
        Arc::make_mut(&mut self.library).insert_stubs(at, articles);
        self.renumber(&map, &added);
        self.sources_replaced(&folded);
        if let Some((key, instead)) = self.live.last_open.take()
            && self.list.selected == if instead < at { instead } else { instead + m }
            && let Some(i) = added
                .iter()
                .copied()
                .find(|&i| self.library.articles[i].key == key)
        {
            self.list.selected = i;
            self.keep_cursor_visible();
        }
        if at_bottom
            && let Some(last) = self.list.rows.iter().rev().find_map(|row| match row {
                super::ListRow::Article(i) => Some(*i),
                super::ListRow::Source(_) => None,
            })
        {
            self.list.selected = last;
            self.keep_cursor_visible();
        }
        self.relayout();
    }

    /// The fill learnt dates the first frame did not know (a folder opened from its names, no
    /// cache yet): put each source's articles in the source's order again, newest first, once,
    /// keeping the place by renumbering as a change does.
    pub(super) fn reorder_sources(&mut self) {
        let lib = &self.library;
        if !lib.sources_consistent() {
            return;
        }
        let mut order: Vec<usize> = Vec::with_capacity(lib.articles.len());
        let mut moved = false;
        for source in &lib.sources {
            let mut members: Vec<usize> = source.articles.clone().collect();
            members.sort_by(|&a, &b| {
                in_source_order(&lib.articles[a], &lib.articles[b]).then(a.cmp(&b))
            });
            moved |= members.iter().copied().ne(source.articles.clone());
            order.extend(members);
        }
        if !moved {
            return;
        }
        let folded = self.folded_names();
        let mut map = vec![None; order.len()];
        for (new, &old) in order.iter().enumerate() {
            map[old] = Some(new);
        }
        let library = Arc::make_mut(&mut self.library);
        // Each source's articles stay within its range: the ranges hold. They are moved where
        // they are, with no second copy of a large library held beside the first.
        crate::library::permute(&mut library.articles, &order);
        self.renumber(&map, &[]);
        self.sources_replaced(&folded);
    }

    /// The user moved on from an article whose file was removed: it goes now.
    pub(super) fn settle_orphan(&mut self) {
        let Some(key) = &self.live.orphan else {
            return;
        };
        if self.article().is_some_and(|a| a.key == *key) {
            return;
        }
        let Some(key) = self.live.orphan.take() else {
            return;
        };
        if let Some(index) = self.library.articles.iter().position(|a| a.key == key) {
            self.rebuild(Vec::new(), &[index], &[]);
            if self.fill.is_none() {
                self.refresh_filter();
            }
            self.relayout();
        }
    }

    /// The article a read of `origin` asked for as `index` is for, now: `index` unless the
    /// library moved since it was asked for.
    pub(super) fn loaded_index(&self, index: usize, origin: &Origin) -> Option<usize> {
        let is = |i: usize| {
            self.library
                .articles
                .get(i)
                .is_some_and(|a| a.origin == *origin)
        };
        if is(index) {
            return Some(index);
        }
        self.requested.iter().copied().find(|&i| is(i))
    }
}

/// An article's source not known yet: the library gives it a source of its own
/// ([`Library::reindex_sources`]).
const NEW_SOURCE: usize = usize::MAX;

/// The order of articles within a source, as the loader makes it: newest first where dates
/// are known, the undated after them, by file name.
fn in_source_order(a: &Article, b: &Article) -> std::cmp::Ordering {
    use crate::library::date_key;
    use std::cmp::Ordering;
    match (date_key(a), date_key(b)) {
        (Some(x), Some(y)) => y.cmp(x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
    .then_with(|| a.file_name.cmp(&b.file_name))
}

/// Where each of `new` goes in the library's articles (an index to insert before), and its
/// source (set on each): the source of the articles of its folder (a folder's or feed's own,
/// before an outlet carved out of it), else the feed whose folder it is in (`feeds`), else the
/// folder source of its folder; in that source, where the source's order puts it. An article
/// with none of those goes at the end, in a source of its own. One pass over the library,
/// comparing bytes of paths (parsing a hundred thousand paths into components would cost more
/// than the change).
fn places_for(library: &Library, new: &mut [Article], feeds: &[(PathBuf, String)]) -> Vec<usize> {
    use crate::library::SourceKind;
    use std::os::unix::ffi::OsStrExt;
    fn folder(a: &Article) -> Option<&[u8]> {
        match &a.origin {
            Origin::File(p) => p.parent().map(|d| d.as_os_str().as_bytes()),
            Origin::Embedded => None,
        }
    }
    // Whether `path` is a file right inside `dir`.
    fn inside(path: &[u8], dir: &[u8]) -> bool {
        let name = if dir.is_empty() {
            Some(path)
        } else {
            path.strip_prefix(dir)
                .and_then(|rest| rest.strip_prefix(b"/"))
        };
        name.is_some_and(|name| !name.is_empty() && !name.contains(&b'/'))
    }
    let articles = &library.articles;
    let mut dirs: Vec<Vec<u8>> = new.iter().filter_map(folder).map(<[u8]>::to_vec).collect();
    dirs.sort_unstable();
    dirs.dedup();
    // The source each folder's articles are in (a group's first: a folder's or a feed's own).
    let mut sources: Vec<Option<usize>> = vec![None; dirs.len()];
    for a in articles {
        if let Origin::File(p) = &a.origin {
            let path = p.as_os_str().as_bytes();
            if let Some(d) = dirs.iter().position(|dir| inside(path, dir)) {
                let group = library.sources.get(a.source).is_some_and(|s| s.is_group());
                match sources[d] {
                    Some(s) if library.sources.get(s).is_some_and(|s| s.is_group()) => {}
                    Some(_) if !group => {}
                    _ => sources[d] = Some(a.source),
                }
            }
        }
    }
    for (d, dir) in dirs.iter().enumerate() {
        if sources[d].is_some() {
            continue;
        }
        let feed = feeds
            .iter()
            .find(|(f, _)| f.as_os_str().as_bytes() == dir.as_slice());
        sources[d] = library.sources.iter().position(|s| match (&s.kind, feed) {
            (SourceKind::Feed { url }, Some((_, feed_url))) => url == feed_url,
            (SourceKind::Folder(p), _) => p.as_os_str().as_bytes() == dir.as_slice(),
            _ => false,
        });
    }
    new.iter_mut()
        .map(|a| {
            let source = folder(a)
                .and_then(|f| dirs.iter().position(|dir| dir.as_slice() == f))
                .and_then(|d| sources[d]);
            let Some(source) = source.filter(|&s| s < library.sources.len()) else {
                a.source = NEW_SOURCE;
                return articles.len();
            };
            a.source = source;
            let range = library.sources[source].articles.clone();
            let members = &articles[range.clone()];
            // The first member the new article comes before, in the source's order.
            range.start
                + members.partition_point(|m| in_source_order(m, a) != std::cmp::Ordering::Greater)
        })
        .collect()
}
