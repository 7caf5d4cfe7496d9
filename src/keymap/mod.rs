//! Keys, the actions they name, and the keymap that binds them, per context.
//!
//! The default keymap ships as `assets/keymap.toml`, embedded in the binary: `[keys]` for the
//! panes, and a table per overlay (`[keys.picker]`, `[keys.prompt]`, `[keys.jump]`,
//! `[keys.help]`, `[keys.messages]`). A user's tables are laid over it action by action. Every
//! key folio reacts to comes from here; hints and the help overlay are generated from it.
//!
//! This module sits below both `config` and `app`, so neither has to reach into the other.

mod action;
mod key;

use std::collections::HashMap;
use std::sync::OnceLock;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

pub use action::{Action, Context, MAX_SOURCE_HOTKEY};
pub use key::{Key, KeyCode};

/// The embedded default keymap.
pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// The keys of one context.
#[derive(Clone, Debug, Default)]
struct Bindings {
    by_key: HashMap<Key, Action>,
    /// Each action with its keys, in help order.
    by_action: Vec<(Action, Vec<Key>)>,
}

impl Bindings {
    fn keys(&self, action: Action) -> &[Key] {
        self.by_action
            .iter()
            .find(|(a, _)| *a == action)
            .map(|(_, k)| k.as_slice())
            .unwrap_or(&[])
    }

    /// Lay `table` (action name → keys, with spans into `source`) over these bindings. A key the
    /// table binds leaves whatever action had it before. Mistakes are reported with their line.
    fn lay_over(
        &mut self,
        context: Context,
        table: &DeTable<'_>,
        source: &str,
        errors: &mut Vec<(usize, String)>,
    ) {
        let prefix = context
            .table()
            .map(|t| format!("keys.{t}: "))
            .unwrap_or_default();
        let mut named = Vec::new();
        for (name, value) in table.iter() {
            // Counting lines is a scan of the text so far: done only for a message, or a
            // clean keymap would cost a scan per binding at every start.
            let line_at = || line_of(source, name.span().start);
            let Some(action) = Action::from_name(name.get_ref()) else {
                let line = line_at();
                errors.push((
                    line,
                    format!("line {line}: {prefix}unknown action '{}'", name.get_ref()),
                ));
                continue;
            };
            if !action.in_context(context) {
                let line = line_at();
                errors.push((
                    line,
                    format!(
                        "line {line}: {prefix}'{}' does nothing here (it belongs in {})",
                        name.get_ref(),
                        contexts_of(action)
                    ),
                ));
                continue;
            }
            let DeValue::Array(keys) = value.get_ref() else {
                let line = line_at();
                errors.push((
                    line,
                    format!("line {line}: {prefix}{action} takes a list of keys, like [\"q\"]"),
                ));
                continue;
            };
            let mut parsed = Vec::new();
            for key in keys.iter() {
                let line = || line_of(source, key.span().start);
                match key.get_ref() {
                    DeValue::String(s) => match Key::parse(s) {
                        Ok(k) => parsed.push(k),
                        Err(e) => {
                            let line = line();
                            errors.push((line, format!("line {line}: {prefix}{e}")))
                        }
                    },
                    _ => {
                        let line = line();
                        errors.push((line, format!("line {line}: {prefix}a key is a string")))
                    }
                }
            }
            named.push(action);
            match self.by_action.iter_mut().find(|(a, _)| *a == action) {
                Some((_, ks)) => *ks = parsed,
                None => self.by_action.push((action, parsed)),
            }
        }
        let mut by_key = HashMap::new();
        let (theirs, ours): (Vec<_>, Vec<_>) =
            self.by_action.iter().partition(|(a, _)| named.contains(a));
        for (action, keys) in ours.into_iter().chain(theirs) {
            for key in keys {
                by_key.insert(*key, *action);
            }
        }
        for (action, keys) in &mut self.by_action {
            keys.retain(|k| by_key.get(k) == Some(action));
        }
        self.by_key = by_key;
        let order = Action::all();
        self.by_action
            .sort_by_key(|(a, _)| order.iter().position(|o| o == a));
    }

    /// Give `action` back `keys` (taking them from whatever claimed them).
    fn restore(&mut self, action: Action, keys: &[Key]) {
        for key in keys {
            self.by_key.insert(*key, action);
        }
        for (a, ks) in &mut self.by_action {
            if *a == action {
                *ks = keys.to_vec();
            } else {
                ks.retain(|k| !keys.contains(k));
            }
        }
        if !self.by_action.iter().any(|(a, _)| *a == action) {
            self.by_action.push((action, keys.to_vec()));
        }
    }
}

fn contexts_of(action: Action) -> String {
    Context::ALL
        .iter()
        .filter(|c| action.in_context(**c))
        .map(|c| match c.table() {
            Some(t) => format!("[keys.{t}]"),
            None => "[keys]".to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Keys bound to actions, per context.
#[derive(Clone, Debug, Default)]
pub struct Keymap {
    contexts: HashMap<Context, Bindings>,
}

impl Keymap {
    /// The default keymap. It is part of the binary and tested, so it cannot fail; it is parsed
    /// once per process.
    pub fn default_keymap() -> Keymap {
        static DEFAULT: OnceLock<Keymap> = OnceLock::new();
        DEFAULT
            .get_or_init(|| {
                let (map, errors) = Keymap::from_toml(DEFAULT_KEYMAP, None);
                debug_assert!(errors.is_empty(), "{errors:?}");
                map
            })
            .clone()
    }

    /// Build a keymap from a TOML text with a `[keys]` table (and its context tables), laid over
    /// `base` action by action (an action named in a table loses its base keys in that context).
    /// Unknown actions and keys are reported with their line and skipped.
    pub fn from_toml(text: &str, base: Option<&Keymap>) -> (Keymap, Vec<String>) {
        match DeTable::parse(text) {
            Ok(doc) => match doc.get_ref().get("keys") {
                Some(keys) => Keymap::from_spanned(keys, text, base),
                None => (base.cloned().unwrap_or_default(), Vec::new()),
            },
            Err(e) => (
                base.cloned().unwrap_or_default(),
                vec![format!("keymap: {}", e.message())],
            ),
        }
    }

    /// Lay a parsed `[keys]` value (with spans into `source`) over `base`.
    pub fn from_spanned(
        keys: &Spanned<DeValue<'_>>,
        source: &str,
        base: Option<&Keymap>,
    ) -> (Keymap, Vec<String>) {
        let mut map = base.cloned().unwrap_or_default();
        let mut errors = Vec::new();
        let DeValue::Table(table) = keys.get_ref() else {
            let line = line_of(source, keys.span().start);
            return (map, vec![format!("line {line}: [keys] must be a table")]);
        };
        // The panes' actions sit in [keys] itself; the contexts' in its sub-tables.
        let mut normal = DeTable::new();
        for (name, value) in table.iter() {
            match (value.get_ref(), Context::from_table(name.get_ref())) {
                (DeValue::Table(sub), Some(context)) => {
                    map.contexts.entry(context).or_default().lay_over(
                        context,
                        sub,
                        source,
                        &mut errors,
                    );
                }
                _ => {
                    normal.insert(name.clone(), value.clone());
                }
            }
        }
        map.contexts.entry(Context::Normal).or_default().lay_over(
            Context::Normal,
            &normal,
            source,
            &mut errors,
        );
        // A keymap with no way out is refused: quit keeps the keys it had before.
        let normal = map.contexts.entry(Context::Normal).or_default();
        if normal.keys(Action::Quit).is_empty() {
            let restore = match base.map(|b| b.keys(Action::Quit)) {
                Some(keys) if !keys.is_empty() => keys.to_vec(),
                _ => vec![Key::char('q'), Key::ctrl('c')],
            };
            normal.restore(Action::Quit, &restore);
            let line = table
                .iter()
                .find(|(n, _)| *n.get_ref() == Action::Quit.name())
                .map_or(line_of(source, keys.span().start), |(n, _)| {
                    line_of(source, n.span().start)
                });
            let keys: Vec<String> = restore.iter().map(|k| k.to_string()).collect();
            errors.push((
                line,
                format!(
                    "line {line}: this keymap leaves no key to quit; quit keeps {}",
                    keys.join(", ")
                ),
            ));
        }
        // In the order the user wrote them.
        errors.sort_by_key(|(line, _)| *line);
        (map, errors.into_iter().map(|(_, e)| e).collect())
    }

    fn context(&self, context: Context) -> Option<&Bindings> {
        self.contexts.get(&context)
    }

    /// The action `key` names in the panes.
    pub fn action(&self, key: &Key) -> Option<Action> {
        self.action_in(Context::Normal, key)
    }

    /// The action `key` names in `context`.
    pub fn action_in(&self, context: Context, key: &Key) -> Option<Action> {
        self.context(context)?.by_key.get(key).copied()
    }

    /// Keys bound to `action` in the panes, in the keymap's order.
    pub fn keys(&self, action: Action) -> &[Key] {
        self.keys_in(Context::Normal, action)
    }

    pub fn keys_in(&self, context: Context, action: Action) -> &[Key] {
        self.context(context).map_or(&[], |b| b.keys(action))
    }

    /// Every bound action of the panes with its keys, in help order.
    pub fn bindings(&self) -> impl Iterator<Item = (Action, &[Key])> {
        self.bindings_in(Context::Normal)
    }

    pub fn bindings_in(&self, context: Context) -> impl Iterator<Item = (Action, &[Key])> {
        self.context(context)
            .into_iter()
            .flat_map(|b| b.by_action.iter())
            .filter(|(_, k)| !k.is_empty())
            .map(|(a, k)| (*a, k.as_slice()))
    }

    /// The first key for an action in the panes, as help text (`?` for help), or `-` if unbound.
    pub fn hint(&self, action: Action) -> String {
        self.hint_in(Context::Normal, action)
    }

    pub fn hint_in(&self, context: Context, action: Action) -> String {
        self.keys_in(context, action)
            .first()
            .map(|k| k.to_string())
            .unwrap_or_else(|| "-".into())
    }

    /// The keymap as TOML that reads back to the same bindings: what `--print-config` prints.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        for context in Context::ALL {
            let Some(b) = self.context(context) else {
                continue;
            };
            out.push_str(&match context.table() {
                Some(t) => format!("\n[keys.{t}]\n"),
                None => "[keys]\n".to_string(),
            });
            for (action, keys) in &b.by_action {
                let keys: Vec<String> = keys.iter().map(|k| toml_string(&k.to_config())).collect();
                out.push_str(&format!("{} = [{}]\n", action.name(), keys.join(", ")));
            }
        }
        out
    }
}

/// A TOML basic string, with anything that could act on a terminal (controls, bidi controls,
/// invisible characters) written as an escape: the same text when read back.
pub fn toml_string(s: &str) -> String {
    use crate::text::sanitize::{is_bidi_control, is_invisible_format};
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || is_bidi_control(c) || is_invisible_format(c) => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
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
