//! Configuration: defaults embedded from `assets/config.toml`, with the user's TOML laid over them
//! value by value. A bad user file never stops the reader: it is reported, and defaults are used.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::feeds::Feed;
use crate::keymap::{Keymap, line_of};
use crate::text::{BidiMode, ShapeMode};

/// The embedded defaults.
pub const DEFAULT_CONFIG: &str = include_str!("../assets/config.toml");

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub reader: ReaderConfig,
    pub list: ListConfig,
    pub ui: UiConfig,
    /// The feeds the user follows (`[[feed]]` entries), in the order written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub feed: Vec<Feed>,
    /// Folders opened as sources when folio is given no path (`[[folder]]` entries), in the
    /// order written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub folder: Vec<FolderEntry>,
}

/// One `[[folder]]` of the config: a folder of articles, as a source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FolderEntry {
    /// The folder: absolute, from the home folder (`~/news`), or from the current folder.
    pub path: PathBuf,
    /// What the source is called; the folder's name when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// One character that jumps to the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hotkey: Option<String>,
    /// The language of its articles: `en`, `ar`, `fa`, `ur` or `he`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl FolderEntry {
    /// What is wrong with this entry, if anything: an empty path or name, a hotkey that is not
    /// one character, a language folio does not know.
    pub fn check(&self) -> Result<(), String> {
        if self.path.as_os_str().is_empty() {
            return Err("path is empty".into());
        }
        crate::feeds::check_name_and_hotkey(self.name.as_deref(), self.hotkey.as_deref())?;
        if let Some(lang) = &self.language
            && crate::library::Lang::from_code(lang).is_none()
        {
            return Err(format!(
                "language '{lang}' is not one of en, ar, fa, ur, he"
            ));
        }
        Ok(())
    }

    /// The folder, with a leading `~` as the home folder.
    pub fn resolved_path(&self) -> PathBuf {
        let home = || directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
        match self.path.strip_prefix("~") {
            Ok(rest) => home().map_or_else(|| self.path.clone(), |h| h.join(rest)),
            Err(_) => self.path.clone(),
        }
    }
}

impl Config {
    /// The sources the config names, feeds first then folders, as the library opens them;
    /// `feeds_dir` is where fetched feeds are stored.
    pub fn sources(&self, feeds_dir: Option<&Path>) -> Vec<crate::library::SourceSpec> {
        use crate::library::{Lang, SourceSpec};
        let one_char = |h: &Option<String>| h.as_deref().and_then(|h| h.chars().next());
        let mut specs = Vec::new();
        if let Some(dir) = feeds_dir {
            let folders = crate::feeds::folders(&self.feed);
            for (feed, folder) in self.feed.iter().zip(folders) {
                let language = feed
                    .language
                    .as_deref()
                    .and_then(|l| Lang::from_code(l.split(['-', '_']).next().unwrap_or(l)));
                specs.push(SourceSpec {
                    path: dir.join(folder),
                    name: Some(feed.display_name()),
                    hotkey: one_char(&feed.hotkey),
                    language,
                    feed: Some(feed.url.clone()),
                    from_config: true,
                });
            }
        }
        for folder in &self.folder {
            specs.push(SourceSpec {
                path: folder.resolved_path(),
                name: folder.name.clone(),
                hotkey: one_char(&folder.hotkey),
                language: folder.language.as_deref().and_then(Lang::from_code),
                feed: None,
                from_config: true,
            });
        }
        specs
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiConfig {
    /// `dark`, `light`, `basic` (16 colours) or `mono`.
    pub theme: ThemeName,
    /// Wheel scrolls the pane under the pointer, click selects in the list.
    pub mouse: bool,
    /// Draw borders with ASCII only: `auto` (when the locale is not UTF-8), `on` or `off`.
    pub ascii: Toggle,
    /// OSC 8 hyperlinks on link text: `auto` (unless the terminal is dumb, the Linux console
    /// or folio draws in ASCII), `on` or `off`.
    pub hyperlinks: Toggle,
}

/// The built-in themes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeName {
    Dark,
    Light,
    Basic,
    Mono,
}

/// On, off, or decided from the environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Toggle {
    Auto,
    On,
    Off,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReaderConfig {
    /// Widest reading column.
    pub width: usize,
    /// Blank columns on each side of the text.
    pub margin: usize,
    pub shape: ShapeMode,
    pub bidi: BidiMode,
    /// Show site furniture (dimmed, at the end) rather than hide it.
    pub boilerplate: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListConfig {
    pub width: usize,
}

/// Everything the user's files decided, and what was wrong with them.
#[derive(Clone, Debug)]
pub struct Settings {
    pub config: Config,
    pub keymap: Keymap,
    pub warnings: Vec<String>,
}

impl Config {
    /// The effective configuration as TOML (for `--print-config`).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("config serialises")
    }
}

impl Default for Config {
    fn default() -> Self {
        static DEFAULT: OnceLock<Config> = OnceLock::new();
        DEFAULT
            .get_or_init(|| {
                toml::from_str(DEFAULT_CONFIG).expect("embedded default config is valid")
            })
            .clone()
    }
}

/// Where the user's config lives when `--config` is not given.
pub fn default_config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "folio").map(|d| d.config_dir().join("config.toml"))
}

impl Settings {
    /// Defaults only.
    pub fn defaults() -> Settings {
        Settings {
            config: Config::default(),
            keymap: Keymap::default_keymap(),
            warnings: Vec::new(),
        }
    }

    /// Defaults with the user's file laid over them. A missing file at the default place is
    /// not an error; a file named with `--config` that is missing is reported (the front end
    /// refuses to start with it: see [`Settings::check_explicit`]).
    pub fn load(path: Option<&Path>, explicit: bool) -> Settings {
        let Some(path) = path else {
            return Settings::defaults();
        };
        match std::fs::read_to_string(path) {
            Ok(text) => Settings::from_user_toml(&text, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => Settings::defaults(),
            Err(e) => {
                let mut s = Settings::defaults();
                s.warnings
                    .push(format!("{}: {e}; using defaults", path.display()));
                s
            }
        }
    }

    /// A config file named on the command line must be there and readable.
    pub fn check_explicit(path: &Path) -> Result<(), String> {
        std::fs::read_to_string(path)
            .map(|_| ())
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Lay a user config text over the defaults, value by value: a value that is wrong (unknown,
    /// of the wrong type, out of range) is reported with its line and skipped; the rest applies.
    /// `name` names the file in messages.
    pub fn from_user_toml(text: &str, name: &str) -> Settings {
        let mut settings = Settings::defaults();
        let doc = match DeTable::parse(text) {
            Ok(doc) => doc,
            Err(e) => {
                settings
                    .warnings
                    .push(crate::text::sanitize::printable(&describe(name, text, &e)));
                return settings;
            }
        };
        let mut merged = default_table().clone();
        for (key, value) in doc.get_ref().iter() {
            if matches!(key.get_ref().as_ref(), "keys" | "feed" | "folder") {
                continue;
            }
            let leaves: Vec<(String, Option<&str>, &Spanned<DeValue<'_>>)> = match value.get_ref() {
                DeValue::Table(table) => table
                    .iter()
                    .map(|(k, v)| (key.get_ref().to_string(), Some(k.get_ref().as_ref()), v))
                    .collect(),
                _ => vec![(key.get_ref().to_string(), None, value)],
            };
            for (section, field, value) in leaves {
                let line = line_of(text, value.span().start);
                let path = match field {
                    Some(f) => format!("{section}.{f}"),
                    None => section.clone(),
                };
                match try_value(&merged, &section, field, value) {
                    Ok(trial) => merged = trial,
                    Err(message) => settings.warnings.push(format!(
                        "{name}: line {line}: {path}: {message}; keeping the default"
                    )),
                }
            }
        }
        settings.config = Config::deserialize(toml::Value::Table(merged))
            .expect("every value was checked as it was laid over the defaults");
        if settings.config.reader.width == 0 {
            settings.warnings.push(format!(
                "{name}: reader.width must be at least 1; using 100"
            ));
            settings.config.reader.width = 100;
        }
        if let Some(feeds) = doc.get_ref().get("feed") {
            let (feeds, errors) =
                entries_from_spanned(feeds, text, "feed", Feed::check, |f: &Feed| f.url.clone());
            settings.config.feed = feeds;
            settings
                .warnings
                .extend(errors.into_iter().map(|e| format!("{name}: {e}")));
        }
        if let Some(folders) = doc.get_ref().get("folder") {
            let (folders, errors) = entries_from_spanned(
                folders,
                text,
                "folder",
                FolderEntry::check,
                |f: &FolderEntry| f.path.display().to_string(),
            );
            settings.config.folder = folders;
            settings
                .warnings
                .extend(errors.into_iter().map(|e| format!("{name}: {e}")));
        }
        if let Some(keys) = doc.get_ref().get("keys") {
            let (keymap, errors) = Keymap::from_spanned(keys, text, Some(&settings.keymap));
            settings.keymap = keymap;
            settings
                .warnings
                .extend(errors.into_iter().map(|e| format!("{name}: {e}")));
        }
        // Warnings quote the user's text; they leave here printable, whoever shows them.
        for w in &mut settings.warnings {
            *w = crate::text::sanitize::printable(w);
        }
        settings
    }

    /// The effective configuration and keymap as TOML: what `--print-config` prints.
    pub fn to_toml(&self) -> String {
        format!("{}\n{}", self.config.to_toml(), self.keymap.to_toml())
    }
}

/// The defaults as a TOML table, parsed once.
fn default_table() -> &'static toml::Table {
    static TABLE: OnceLock<toml::Table> = OnceLock::new();
    TABLE.get_or_init(|| toml::from_str(DEFAULT_CONFIG).expect("embedded default config"))
}

/// `base` with one value set, if the configuration it makes is valid.
fn try_value(
    base: &toml::Table,
    section: &str,
    field: Option<&str>,
    value: &Spanned<DeValue<'_>>,
) -> Result<toml::Table, String> {
    let value = toml::Value::deserialize(ValueDeserializer::from(value.clone()))
        .map_err(|e| e.message().to_string())?;
    let mut trial = base.clone();
    match field {
        Some(field) => match trial.get_mut(section) {
            Some(toml::Value::Table(t)) => {
                t.insert(field.to_string(), value);
            }
            _ => return Err(format!("there is no section [{section}]")),
        },
        None => {
            trial.insert(section.to_string(), value);
        }
    }
    Config::deserialize(toml::Value::Table(trial.clone()))
        .map(|_| trial)
        .map_err(|e| e.message().to_string())
}

/// An array of tables such as `[[feed]]` or `[[folder]]` (`what`): each entry that is wrong
/// (not a table, an unknown or mistyped field, what `check` refuses, the same `key` as an
/// earlier entry) is reported with its line and skipped; the others are kept in order.
fn entries_from_spanned<T: serde::de::DeserializeOwned>(
    value: &Spanned<DeValue<'_>>,
    text: &str,
    what: &str,
    check: impl Fn(&T) -> Result<(), String>,
    key: impl Fn(&T) -> String,
) -> (Vec<T>, Vec<String>) {
    let mut kept: Vec<T> = Vec::new();
    let mut errors = Vec::new();
    let DeValue::Array(entries) = value.get_ref() else {
        errors.push(format!(
            "line {}: {what}: write each {what} as a [[{what}]] table; {what}s ignored",
            line_of(text, value.span().start)
        ));
        return (kept, errors);
    };
    for entry in entries {
        let line = line_of(text, entry.span().start);
        let parsed = T::deserialize(ValueDeserializer::from(entry.clone()))
            .map_err(|e| e.message().to_string())
            .and_then(|t| check(&t).map(|()| t));
        match parsed {
            Ok(t) if kept.iter().any(|k| key(k) == key(&t)) => errors.push(format!(
                "line {line}: {what}: '{}' is already listed; entry ignored",
                key(&t)
            )),
            Ok(t) => kept.push(t),
            Err(message) => errors.push(format!("line {line}: {what}: {message}; entry ignored")),
        }
    }
    (kept, errors)
}

fn describe(name: &str, text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => format!(
            "{name}: line {}: {}; using defaults",
            line_of(text, span.start),
            e.message()
        ),
        None => format!("{name}: {}; using defaults", e.message()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keymap::{Action, Key};

    #[test]
    fn defaults_parse() {
        let c = Config::default();
        assert_eq!(c.reader.width, 100);
        assert_eq!(c.reader.margin, 1);
        assert_eq!(c.reader.shape, ShapeMode::On);
        assert_eq!(c.reader.bidi, BidiMode::App);
    }

    #[test]
    fn user_values_are_laid_over_defaults() {
        let s = Settings::from_user_toml("[reader]\nwidth = 72\nshape = \"off\"\n", "config.toml");
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        assert_eq!(s.config.reader.width, 72);
        assert_eq!(s.config.reader.shape, ShapeMode::Off);
        assert_eq!(
            s.config.reader.margin, 1,
            "untouched values keep their default"
        );
    }

    #[test]
    fn a_broken_file_falls_back_to_defaults_with_the_line() {
        let s = Settings::from_user_toml("[reader]\nwidth = = 3\n", "config.toml");
        assert_eq!(s.config, Config::default());
        assert_eq!(s.warnings.len(), 1);
        assert!(
            s.warnings[0].starts_with("config.toml: line 2:"),
            "{:?}",
            s.warnings
        );
    }

    #[test]
    fn the_effective_config_prints_and_reads_back() {
        let s = Settings::from_user_toml("[ui]\ntheme = \"light\"\n", "c.toml");
        let printed = s.config.to_toml();
        assert!(printed.contains("theme = \"light\""), "{printed}");
        let again: Config = toml::from_str(&printed).unwrap();
        assert_eq!(again, s.config);
    }

    #[test]
    fn a_wrong_value_is_reported() {
        let s = Settings::from_user_toml("[reader]\nbidi = \"sideways\"\n", "c.toml");
        assert_eq!(s.config, Config::default());
        assert!(s.warnings[0].contains("sideways"), "{:?}", s.warnings);
        let s = Settings::from_user_toml("[reader]\nwidht = 3\n", "c.toml");
        assert!(s.warnings[0].contains("widht"), "{:?}", s.warnings);
    }

    #[test]
    fn warnings_quote_the_users_text_printably() {
        let s = Settings::from_user_toml(
            "[keys]\nquit = [\"\\u001b[2J\"]\n\"\\u202e\" = [\"x\"]\n[ui]\ntheme = \"\\u0007\"\n",
            "c.toml",
        );
        assert_eq!(s.warnings.len(), 4, "{:?}", s.warnings);
        for w in &s.warnings {
            assert!(
                !w.chars()
                    .any(|c| c.is_control() || crate::text::sanitize::is_bidi_control(c)),
                "{w:?}"
            );
        }
        assert!(
            s.warnings.iter().any(|w| w.contains("␛[2J")),
            "{:?}",
            s.warnings
        );
    }

    #[test]
    fn feeds_are_read_and_a_bad_entry_is_skipped_with_its_line() {
        let text = "[reader]\nwidth = 80\n\n[[feed]]\nurl = \"https://example.com/rss\"\nname = \"Example\"\nhotkey = \"e\"\n\n[[feed]]\nurl = \"ftp://nope\"\n\n[[feed]]\nurl = \"https://aljazeera.example/ar\"\nname = \"الجزيرة\"\nlanguage = \"ar\"\n\n[[feed]]\nurl = \"https://example.com/rss\"\n\n[[feed]]\nurll = \"https://x.example\"\n";
        let s = Settings::from_user_toml(text, "c.toml");
        assert_eq!(s.config.reader.width, 80);
        let urls: Vec<&str> = s.config.feed.iter().map(|f| f.url.as_str()).collect();
        assert_eq!(
            urls,
            vec!["https://example.com/rss", "https://aljazeera.example/ar"]
        );
        assert_eq!(s.config.feed[0].hotkey.as_deref(), Some("e"));
        assert_eq!(s.config.feed[1].language.as_deref(), Some("ar"));
        assert_eq!(s.warnings.len(), 3, "{:?}", s.warnings);
        assert!(
            s.warnings[0].starts_with("c.toml: line 9: feed: url 'ftp://nope'"),
            "{:?}",
            s.warnings
        );
        assert!(
            s.warnings[1]
                .starts_with("c.toml: line 17: feed: 'https://example.com/rss' is already listed"),
            "{:?}",
            s.warnings
        );
        assert!(
            s.warnings[2].starts_with("c.toml: line 20: feed:") && s.warnings[2].contains("urll"),
            "{:?}",
            s.warnings
        );
    }

    #[test]
    fn feeds_print_with_the_config_and_read_back() {
        let s = Settings::from_user_toml(
            "[[feed]]\nurl = \"https://example.com/rss\"\nname = \"Example\"\n",
            "c.toml",
        );
        let printed = s.config.to_toml();
        assert!(printed.contains("[[feed]]"), "{printed}");
        let again: Config = toml::from_str(&printed).unwrap();
        assert_eq!(again, s.config);
        assert!(!Config::default().to_toml().contains("feed"));
    }

    #[test]
    fn folders_are_read_and_a_bad_entry_is_skipped_with_its_line() {
        let text = "[[folder]]\npath = \"/srv/news\"\nname = \"News\"\nhotkey = \"n\"\n\n[[folder]]\npath = \"/srv/x\"\nhotkey = \"xy\"\n\n[[folder]]\npath = \"~/ar\"\nlanguage = \"ar\"\n\n[[folder]]\npath = \"/srv/news\"\n\n[[folder]]\npathh = \"/y\"\n";
        let s = Settings::from_user_toml(text, "c.toml");
        let paths: Vec<&Path> = s.config.folder.iter().map(|f| f.path.as_path()).collect();
        assert_eq!(paths, vec![Path::new("/srv/news"), Path::new("~/ar")]);
        assert_eq!(s.warnings.len(), 3, "{:?}", s.warnings);
        assert!(s.warnings[0].starts_with("c.toml: line 6: folder: hotkey 'xy'"));
        assert!(
            s.warnings[1].starts_with("c.toml: line 14: folder: '/srv/news' is already listed")
        );
        assert!(
            s.warnings[2].starts_with("c.toml: line 17: folder:")
                && s.warnings[2].contains("pathh")
        );
        let specs = s.config.sources(Some(Path::new("/data/feeds")));
        assert_eq!(specs.len(), 2);
        assert_eq!(specs[0].name.as_deref(), Some("News"));
        assert_eq!(specs[0].hotkey, Some('n'));
        assert_eq!(specs[1].language, Some(crate::library::Lang::Ar));
        assert!(!specs[1].path.starts_with("~"), "{:?}", specs[1].path);
        assert!(specs.iter().all(|s| s.from_config && s.feed.is_none()));
    }

    #[test]
    fn feeds_are_sources_in_their_stored_folders() {
        let text = "[[feed]]\nurl = \"https://example.com/rss\"\nname = \"Example\"\nhotkey = \"e\"\nlanguage = \"ar-EG\"\n";
        let s = Settings::from_user_toml(text, "c.toml");
        let specs = s.config.sources(Some(Path::new("/data/feeds")));
        assert_eq!(specs.len(), 1);
        assert_eq!(specs[0].path, Path::new("/data/feeds/example"));
        assert_eq!(specs[0].feed.as_deref(), Some("https://example.com/rss"));
        assert_eq!(specs[0].language, Some(crate::library::Lang::Ar));
        assert_eq!(specs[0].hotkey, Some('e'));
    }

    #[test]
    fn feed_that_is_not_a_list_of_tables_is_reported() {
        let s = Settings::from_user_toml("feed = \"https://example.com\"\n", "c.toml");
        assert!(s.config.feed.is_empty());
        assert!(s.warnings[0].contains("[[feed]]"), "{:?}", s.warnings);
    }

    #[test]
    fn keys_in_the_config_rebind_actions() {
        let s = Settings::from_user_toml("[keys]\nquit = [\"x\"]\nnope = [\"y\"]\n", "c.toml");
        assert_eq!(s.keymap.action(&Key::char('x')), Some(Action::Quit));
        assert_eq!(
            s.warnings,
            vec!["c.toml: line 3: unknown action 'nope'".to_string()]
        );
    }
}
