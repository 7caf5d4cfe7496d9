//! Keys as folio knows them: its own type, so the app does not depend on the terminal library;
//! each front end converts its input events into [`Key`]s.

use std::fmt;

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

impl Key {
    /// The key as a keymap writes it (`C-d`, `Space`, `PageDown`, `S-Tab`): what `Key::parse`
    /// reads back.
    pub fn to_config(&self) -> String {
        let mut out = String::new();
        if self.ctrl {
            out.push_str("C-");
        }
        if self.alt {
            out.push_str("A-");
        }
        if self.shift {
            out.push_str("S-");
        }
        match self.code {
            KeyCode::Char(' ') => out.push_str("Space"),
            KeyCode::Char(c) => out.push(c),
            KeyCode::BackTab => out.push_str("S-Tab"),
            KeyCode::F(n) => out.push_str(&format!("F{n}")),
            code => out.push_str(match code {
                KeyCode::Enter => "Enter",
                KeyCode::Tab => "Tab",
                KeyCode::Backspace => "Backspace",
                KeyCode::Esc => "Esc",
                KeyCode::Up => "Up",
                KeyCode::Down => "Down",
                KeyCode::Left => "Left",
                KeyCode::Right => "Right",
                KeyCode::PageUp => "PageUp",
                KeyCode::PageDown => "PageDown",
                KeyCode::Home => "Home",
                KeyCode::End => "End",
                KeyCode::Insert => "Insert",
                _ => "Delete",
            }),
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_written_for_a_config_read_back() {
        for s in [
            "j",
            "G",
            "?",
            "Space",
            "Enter",
            "Tab",
            "S-Tab",
            "Backspace",
            "Esc",
            "Up",
            "Down",
            "Left",
            "Right",
            "PageUp",
            "PageDown",
            "Home",
            "End",
            "Insert",
            "Delete",
            "F5",
            "C-d",
            "A-x",
            "S-Up",
            "C-A-Delete",
        ] {
            let key = Key::parse(s).unwrap();
            assert_eq!(Key::parse(&key.to_config()), Ok(key), "{s}");
        }
    }
}
