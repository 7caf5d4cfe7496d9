//! The help overlay's lines and the warnings about the keymap, built once per keymap.

use super::{Action, Context, Key, Keymap};
use crate::library::Library;
use crate::text::isolate;

/// Sources whose letter hotkey a keymap binding shadows.
pub(super) fn shadowed_hotkeys(library: &Library, keymap: &Keymap) -> Vec<String> {
    library
        .sources
        .iter()
        .filter_map(|s| {
            let c = s.hotkey?;
            let action = keymap.action(&Key::char(c))?;
            // A source shown as its article is called by the article's file, as the list does.
            let name = match library.articles.get(s.articles.start) {
                Some(a) if !s.is_group() => &a.file_name,
                _ => &s.name,
            };
            Some(format!(
                "hotkey '{c}' of {} is taken by {action}; use the jump prompt instead",
                isolate(name)
            ))
        })
        .collect()
}

/// Lines of the help overlay: each bound action with its keys, the panes' first, then each
/// overlay's under its own heading. The ten source jumps share one line, and the sources' own
/// letter hotkeys get one.
pub(super) fn help_lines(library: &Library, keymap: &Keymap) -> Vec<(String, String)> {
    let mut lines = Vec::new();
    let mut source_keys: Vec<String> = Vec::new();
    for (action, keys) in keymap.bindings() {
        let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        if let Action::Source(_) = action {
            if source_keys.is_empty() {
                lines.push((String::new(), "Jump to the Nth source".to_string()));
            }
            source_keys.extend(keys);
            continue;
        }
        lines.push((keys.join(", "), action.description()));
    }
    if let Some(line) = lines.iter_mut().find(|(k, _)| k.is_empty()) {
        let digits = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"];
        line.0 = if source_keys == digits {
            "1…9, 0".to_string()
        } else {
            source_keys.join(" ")
        };
    }
    let letters: Vec<String> = library
        .sources
        .iter()
        .filter_map(|s| s.hotkey)
        .filter(|c| keymap.action(&Key::char(*c)).is_none())
        .map(String::from)
        .collect();
    if !letters.is_empty() {
        lines.push((letters.join(" "), "Jump to source by its letter".into()));
    }
    for context in [Context::Picker, Context::Prompt, Context::Jump] {
        let bound: Vec<(String, String)> = keymap
            .bindings_in(context)
            .map(|(action, keys)| {
                let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
                (keys.join(", "), action.description_in(context))
            })
            .collect();
        if !bound.is_empty() {
            lines.push((String::new(), format!("{}:", context.title())));
            lines.extend(bound);
        }
    }
    lines
}
