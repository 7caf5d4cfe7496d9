//! Keys, and the keymap that binds them to [`Action`]s.
//!
//! Keys are folio's own type, so the app does not depend on the terminal library; each front end
//! converts its input events into [`Key`]s. The default keymap ships as `assets/keymap.toml`,
//! embedded in the binary; a user's `[keys]` table is laid over it action by action.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::Deserialize;

use super::Action;

/// A key other than a printable character.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCode {
    Char(char),
    Enter,
    Tab,
    BackTab,
    Backspace,
    Esc,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Insert,
    Delete,
    F(u8),
}

/// A key press: a code and the modifiers that matter. For printable characters the shift state
/// is already in the character (`G`, `?`), so `shift` is only set for named keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            ctrl: false,
            alt: false,
            shift: false,
        }
    }

    pub const fn char(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: true,
            alt: false,
            shift: false,
        }
    }

    /// Build a key from a front end's view of it, normalising the shift state of characters
    /// (`Shift+g` and `G` are the same key; `Ctrl+D` is `Ctrl+d`).
    pub fn new(code: KeyCode, ctrl: bool, alt: bool, shift: bool) -> Key {
        match code {
            KeyCode::Char(c) => {
                let c = if ctrl && c.is_ascii_uppercase() {
                    c.to_ascii_lowercase()
                } else {
                    c
                };
                Key {
                    code: KeyCode::Char(c),
                    ctrl,
                    alt,
                    shift: false,
                }
            }
            // Terminals report Shift-Tab as BackTab, some with Shift set too: one key either way.
            KeyCode::Tab | KeyCode::BackTab if shift || code == KeyCode::BackTab => Key {
                code: KeyCode::BackTab,
                ctrl,
                alt,
                shift: false,
            },
            code => Key {
                code,
                ctrl,
                alt,
                shift,
            },
        }
    }

    /// Parse a key as written in a keymap: `j`, `G`, `?`, `Space`, `Enter`, `Tab`, `S-Tab`,
    /// `Backspace`, `Esc`, `Up`, `PageDown`, `Home`, `F5`, `C-d` (or `Ctrl-d`), `A-x` (or `Alt-x`).
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut rest = s;
        let (mut ctrl, mut alt, mut shift) = (false, false, false);
        loop {
            let lower = rest.to_ascii_lowercase();
            let prefix = ["c-", "ctrl-", "a-", "alt-", "s-", "shift-"]
                .into_iter()
                .find(|p| lower.starts_with(p) && rest.len() > p.len());
            let Some(p) = prefix else { break };
            match p.as_bytes()[0] {
                b'c' => ctrl = true,
                b'a' => alt = true,
                _ => shift = true,
            }
            rest = &rest[p.len()..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "space" => KeyCode::Char(' '),
                "enter" | "return" => KeyCode::Enter,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "backspace" | "bs" => KeyCode::Backspace,
                "esc" | "escape" => KeyCode::Esc,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "insert" | "ins" => KeyCode::Insert,
                "delete" | "del" => KeyCode::Delete,
                f if f.starts_with('f') && f.len() > 1 => match f[1..].parse::<u8>() {
                    Ok(n @ 1..=24) => KeyCode::F(n),
                    _ => return Err(format!("unknown key '{s}'")),
                },
                _ => return Err(format!("unknown key '{s}'")),
            },
        };
        Ok(Key::new(code, ctrl, alt, shift))
    }
}

impl fmt::Display for Key {
    /// How the help overlay shows a key: `j`, `Ctrl-d`, `PgDn`, `Space`, `↓`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        if self.shift {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("S-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::Insert => f.write_str("Ins"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::F(n) => write!(f, "F{n}"),
        }
    }
}

/// The embedded default keymap.
pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// Keys bound to actions.
#[derive(Clone, Debug, Default)]
pub struct Keymap {
    by_key: HashMap<Key, Action>,
    /// For the help overlay: each action with its keys, in help order.
    by_action: Vec<(Action, Vec<Key>)>,
}

/// The `[keys]` table of a keymap or config file: action name → keys.
pub type KeyTable = BTreeMap<toml::Spanned<String>, Vec<toml::Spanned<String>>>;

#[derive(Deserialize)]
struct KeymapFile {
    keys: KeyTable,
}

impl Keymap {
    /// The default keymap. It is part of the binary and tested, so it cannot fail.
    pub fn default_keymap() -> Keymap {
        let (map, errors) = Keymap::from_toml(DEFAULT_KEYMAP, None);
        debug_assert!(errors.is_empty(), "{errors:?}");
        map
    }

    /// Build a keymap from a TOML text with a `[keys]` table, laid over `base` action by action
    /// (an action named in the table loses its base keys). Unknown actions and keys are reported
    /// with their line and skipped.
    pub fn from_toml(text: &str, base: Option<&Keymap>) -> (Keymap, Vec<String>) {
        match toml::from_str::<KeymapFile>(text) {
            Ok(file) => Keymap::from_table(&file.keys, text, base),
            Err(e) => (
                base.cloned().unwrap_or_default(),
                vec![format!("keymap: {}", e.message())],
            ),
        }
    }

    /// Lay a parsed `[keys]` table (with spans into `source`) over `base`.
    pub fn from_table(
        table: &KeyTable,
        source: &str,
        base: Option<&Keymap>,
    ) -> (Keymap, Vec<String>) {
        let mut errors = Vec::new();
        let mut bindings: Vec<(Action, Vec<Key>)> =
            base.map(|b| b.by_action.clone()).unwrap_or_default();
        for (name, keys) in table {
            let Some(action) = Action::from_name(name.get_ref()) else {
                let line = line_of(source, name.span().start);
                errors.push((
                    line,
                    format!("line {line}: unknown action '{}'", name.get_ref()),
                ));
                continue;
            };
            let mut parsed = Vec::new();
            for key in keys {
                match Key::parse(key.get_ref()) {
                    Ok(k) => parsed.push(k),
                    Err(e) => {
                        let line = line_of(source, key.span().start);
                        errors.push((line, format!("line {line}: {e}")));
                    }
                }
            }
            match bindings.iter_mut().find(|(a, _)| *a == action) {
                Some((_, ks)) => *ks = parsed,
                None => bindings.push((action, parsed)),
            }
        }
        // A key the table binds leaves whatever action had it before.
        let named: Vec<Action> = table
            .keys()
            .filter_map(|n| Action::from_name(n.get_ref()))
            .collect();
        let mut by_key = HashMap::new();
        let (theirs, ours): (Vec<_>, Vec<_>) =
            bindings.iter().partition(|(a, _)| named.contains(a));
        for (action, keys) in ours.into_iter().chain(theirs) {
            for key in keys {
                by_key.insert(*key, *action);
            }
        }
        for (action, keys) in &mut bindings {
            keys.retain(|k| by_key.get(k) == Some(action));
        }
        // A keymap with no way out is refused: quit keeps the keys it had before.
        if !by_key.values().any(|a| *a == Action::Quit) {
            let restore: Vec<Key> = match base {
                Some(b) if !b.keys(Action::Quit).is_empty() => b.keys(Action::Quit).to_vec(),
                _ => vec![Key::char('q'), Key::ctrl('c')],
            };
            for key in &restore {
                by_key.insert(*key, Action::Quit);
            }
            for (action, keys) in &mut bindings {
                if *action == Action::Quit {
                    *keys = restore.clone();
                } else {
                    keys.retain(|k| !restore.contains(k));
                }
            }
            if !bindings.iter().any(|(a, _)| *a == Action::Quit) {
                bindings.push((Action::Quit, restore.clone()));
            }
            let line = table
                .keys()
                .find(|n| *n.get_ref() == Action::Quit.name())
                .map_or(1, |n| line_of(source, n.span().start));
            let keys: Vec<String> = restore.iter().map(|k| k.to_string()).collect();
            errors.push((
                line,
                format!(
                    "line {line}: this keymap leaves no key to quit; quit keeps {}",
                    keys.join(", ")
                ),
            ));
        }
        let order = Action::all();
        bindings.sort_by_key(|(a, _)| order.iter().position(|o| o == a));
        // In the order the user wrote them.
        errors.sort_by_key(|(line, _)| *line);
        let errors = errors.into_iter().map(|(_, e)| e).collect();
        (
            Keymap {
                by_key,
                by_action: bindings,
            },
            errors,
        )
    }

    pub fn action(&self, key: &Key) -> Option<Action> {
        self.by_key.get(key).copied()
    }

    /// Keys bound to `action`, in the keymap's order.
    pub fn keys(&self, action: Action) -> &[Key] {
        self.by_action
            .iter()
            .find(|(a, _)| *a == action)
            .map(|(_, k)| k.as_slice())
            .unwrap_or(&[])
    }

    /// Every bound action with its keys, in help order.
    pub fn bindings(&self) -> impl Iterator<Item = (Action, &[Key])> {
        self.by_action
            .iter()
            .filter(|(_, k)| !k.is_empty())
            .map(|(a, k)| (*a, k.as_slice()))
    }

    /// The first key for an action, as help text (`?` for help), or `-` if unbound.
    pub fn hint(&self, action: Action) -> String {
        self.keys(action)
            .first()
            .map(|k| k.to_string())
            .unwrap_or_else(|| "-".into())
    }
}

/// 1-based line number of a byte offset.
pub fn line_of(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_keys_people_write() {
        assert_eq!(Key::parse("j"), Ok(Key::char('j')));
        assert_eq!(Key::parse("G"), Ok(Key::char('G')));
        assert_eq!(Key::parse("Space"), Ok(Key::char(' ')));
        assert_eq!(Key::parse("C-d"), Ok(Key::ctrl('d')));
        assert_eq!(Key::parse("Ctrl-D"), Ok(Key::ctrl('d')));
        assert_eq!(Key::parse("S-Tab"), Ok(Key::plain(KeyCode::BackTab)));
        assert_eq!(Key::parse("PageDown"), Ok(Key::plain(KeyCode::PageDown)));
        assert_eq!(Key::parse("F5"), Ok(Key::plain(KeyCode::F(5))));
        assert_eq!(Key::parse("-"), Ok(Key::char('-')));
        assert!(Key::parse("Hyper-x").is_err());
        assert!(Key::parse("F99").is_err());
    }

    #[test]
    fn shifted_characters_are_the_character() {
        assert_eq!(
            Key::new(KeyCode::Char('G'), false, false, true),
            Key::char('G')
        );
        assert_eq!(
            Key::new(KeyCode::Char('D'), true, false, true),
            Key::ctrl('d')
        );
    }

    #[test]
    fn default_keymap_has_the_documented_keys() {
        let km = Keymap::default_keymap();
        let cases = [
            ("j", Action::MoveDown),
            ("Down", Action::MoveDown),
            ("k", Action::MoveUp),
            ("Tab", Action::FocusNext),
            ("h", Action::FocusList),
            ("l", Action::FocusReader),
            ("Enter", Action::Open),
            ("Space", Action::PageDown),
            ("PageDown", Action::PageDown),
            ("b", Action::PageUp),
            ("C-d", Action::HalfPageDown),
            ("C-u", Action::HalfPageUp),
            ("g", Action::Top),
            ("Home", Action::Top),
            ("G", Action::Bottom),
            ("End", Action::Bottom),
            ("1", Action::Source(1)),
            ("9", Action::Source(9)),
            ("0", Action::Source(10)),
            ("]", Action::NextSource),
            ("[", Action::PrevSource),
            ("?", Action::ToggleHelp),
            ("q", Action::Quit),
            ("C-c", Action::Quit),
        ];
        for (key, action) in cases {
            assert_eq!(km.action(&Key::parse(key).unwrap()), Some(action), "{key}");
        }
        let (_, errors) = Keymap::from_toml(DEFAULT_KEYMAP, None);
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn user_table_overrides_per_action_and_reports_mistakes_by_line() {
        let base = Keymap::default_keymap();
        let user = "[keys]\nquit = [\"x\"]\nfly = [\"f\"]\nmove_down = [\"Hyper-j\", \"n\"]\n";
        let (km, errors) = Keymap::from_toml(user, Some(&base));
        assert_eq!(km.action(&Key::char('x')), Some(Action::Quit));
        assert_eq!(
            km.action(&Key::char('q')),
            None,
            "quit's old keys are replaced"
        );
        assert_eq!(km.action(&Key::char('n')), Some(Action::MoveDown));
        assert_eq!(
            km.action(&Key::char('k')),
            Some(Action::MoveUp),
            "untouched"
        );
        assert_eq!(
            errors,
            vec![
                "line 3: unknown action 'fly'".to_string(),
                "line 4: unknown key 'Hyper-j'".to_string()
            ]
        );
    }

    #[test]
    fn a_keymap_with_no_way_to_quit_is_refused() {
        let base = Keymap::default_keymap();
        let (km, errors) = Keymap::from_toml("[keys]\nquit = []\n", Some(&base));
        assert_eq!(km.action(&Key::char('q')), Some(Action::Quit));
        assert_eq!(km.action(&Key::ctrl('c')), Some(Action::Quit));
        assert_eq!(
            errors,
            vec!["line 2: this keymap leaves no key to quit; quit keeps q, Ctrl-c".to_string()]
        );
        // Taking quit's keys for other actions leaves it none: quit gets them back.
        let (km, errors) =
            Keymap::from_toml("[keys]\nhelp = [\"q\"]\ncancel = [\"C-c\"]\n", Some(&base));
        assert_eq!(km.action(&Key::char('q')), Some(Action::Quit));
        assert_eq!(km.action(&Key::ctrl('c')), Some(Action::Quit));
        assert!(km.keys(Action::ToggleHelp).is_empty());
        assert_eq!(errors.len(), 1, "{errors:?}");
        // Rebinding quit to another key is fine.
        let (km, errors) = Keymap::from_toml("[keys]\nquit = [\"x\"]\n", Some(&base));
        assert_eq!(km.action(&Key::char('x')), Some(Action::Quit));
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn a_key_rebound_elsewhere_leaves_its_old_action() {
        let base = Keymap::default_keymap();
        let (km, errors) = Keymap::from_toml("[keys]\nbottom = [\"j\"]\n", Some(&base));
        assert!(errors.is_empty());
        assert_eq!(km.action(&Key::char('j')), Some(Action::Bottom));
        assert!(!km.keys(Action::MoveDown).contains(&Key::char('j')));
        assert!(
            km.keys(Action::MoveDown)
                .contains(&Key::plain(KeyCode::Down))
        );
    }

    #[test]
    fn key_display_is_readable() {
        assert_eq!(Key::ctrl('d').to_string(), "Ctrl-d");
        assert_eq!(Key::char(' ').to_string(), "Space");
        assert_eq!(Key::plain(KeyCode::PageDown).to_string(), "PgDn");
    }
}
