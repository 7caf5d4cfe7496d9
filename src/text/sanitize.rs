//! Make text from files safe to lay out: a file is data, never a command to the terminal.
//!
//! - invalid UTF-8 is decoded lossily (each bad sequence becomes U+FFFD, and the result says so);
//! - a leading byte-order mark is dropped, CRLF becomes LF, a lone CR becomes `␍`;
//! - tabs are expanded to the next multiple of [`TAB_WIDTH`] columns;
//! - other C0 controls, DEL and C1 controls become visible placeholders (`␛`, `␡`, `<U+009B>`);
//! - line and paragraph separators (U+2028, U+2029) become LF.
//!
//! Bidi formatting characters (LRE…RLO, isolates, LRM/RLM/ALM) are *kept*, because the bidi
//! algorithm honours them; [`bidi_control_label`] names them, and layout never emits them raw.

use unicode_width::UnicodeWidthChar;

/// Columns between tab stops when tabs are expanded.
pub const TAB_WIDTH: usize = 4;

/// Text that is safe to lay out, and what was done to make it so.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sanitized {
    pub text: String,
    /// The input was not valid UTF-8; bad sequences were replaced by U+FFFD.
    pub had_invalid_utf8: bool,
    /// How many control characters were replaced by visible placeholders.
    pub replaced_controls: usize,
}

/// Decode bytes lossily and sanitize them.
pub fn sanitize_bytes(bytes: &[u8]) -> Sanitized {
    let decoded = String::from_utf8_lossy(bytes);
    let had_invalid_utf8 = matches!(decoded, std::borrow::Cow::Owned(_));
    let (text, replaced_controls) = sanitize_counting(&decoded);
    Sanitized {
        text,
        had_invalid_utf8,
        replaced_controls,
    }
}

/// Sanitize text that is already valid UTF-8.
pub fn sanitize_str(s: &str) -> String {
    sanitize_counting(s).0
}

fn sanitize_counting(s: &str) -> (String, usize) {
    let s = s.strip_prefix('\u{FEFF}').unwrap_or(s);
    let mut out = String::with_capacity(s.len());
    let mut replaced = 0;
    // Column within the current line, for tab stops.
    let mut col = 0usize;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\u{2028}' | '\u{2029}' => {
                out.push('\n');
                col = 0;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\t' => {
                let n = TAB_WIDTH - col % TAB_WIDTH;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            _ => {
                if let Some(placeholder) = control_placeholder(c) {
                    replaced += 1;
                    col += placeholder.chars().count();
                    out.push_str(&placeholder);
                } else {
                    col += c.width().unwrap_or(0);
                    out.push(c);
                }
            }
        }
    }
    (out, replaced)
}

/// The visible stand-in for a control character, or `None` if `c` is not one that must be replaced.
pub fn control_placeholder(c: char) -> Option<String> {
    let cp = c as u32;
    match cp {
        // C0: the Unicode control pictures ␀…␟ (so ESC shows as ␛, CR as ␍).
        0x00..=0x1F => char::from_u32(0x2400 + cp).map(String::from),
        0x7F => Some("\u{2421}".to_string()),
        // C1 controls have no pictures; show them as less does.
        0x80..=0x9F => Some(format!("<U+{cp:04X}>")),
        _ => None,
    }
}

/// Whether `c` is a bidi formatting character (embedding, override, isolate or mark).
pub fn is_bidi_control(c: char) -> bool {
    bidi_control_label(c).is_some()
}

/// The short name of a bidi formatting character, e.g. `RLO` for U+202E.
pub fn bidi_control_label(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{202A}' => "LRE",
        '\u{202B}' => "RLE",
        '\u{202C}' => "PDF",
        '\u{202D}' => "LRO",
        '\u{202E}' => "RLO",
        '\u{2066}' => "LRI",
        '\u{2067}' => "RLI",
        '\u{2068}' => "FSI",
        '\u{2069}' => "PDI",
        '\u{200E}' => "LRM",
        '\u{200F}' => "RLM",
        '\u{061C}' => "ALM",
        _ => return None,
    })
}

/// Characters that draw nothing yet are not bidi controls: zero-width space, word joiner and the
/// invisible operators, and a byte-order mark inside text. Echoed raw they hide what a name or a
/// query really holds.
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}'
    )
}

/// User data (a file name, a query, a config value, a client's name) as one printable line for
/// a message, a log or stderr: controls as pictures (a newline too), bidi controls by name
/// (`<RLO>`), invisible format characters by number (`<U+200B>`). Nothing it returns can move
/// the cursor, recolour the terminal or make the line read differently from what it holds.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in sanitize_str(s).chars() {
        match c {
            '\n' => out.push('␊'),
            _ if bidi_control_label(c).is_some() => {
                out.push('<');
                out.push_str(bidi_control_label(c).unwrap_or_default());
                out.push('>');
            }
            _ if prints_as_nothing(c) => out.push_str(&format!("<U+{:04X}>", c as u32)),
            _ => out.push(c),
        }
    }
    out
}

/// Format characters that draw nothing (zero-width spaces and joiners, word joiners, invisible
/// operators, the byte-order mark, interlinear annotation marks, tag characters): printed about
/// user data they could only hide something.
fn prints_as_nothing(c: char) -> bool {
    is_invisible_format(c)
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{200B}'..='\u{200D}' | '\u{2028}' | '\u{2029}'
            | '\u{2060}'..='\u{2065}' | '\u{206A}'..='\u{206F}' | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}')
}

/// Embeddings and overrides can make text read differently from what it is; they are drawn visibly.
/// Isolates and marks only nudge ordering and are drawn as nothing.
pub fn is_disguising_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible() {
        let s = sanitize_str("a\x1b]0;pwned\x07b\x1b[2J");
        assert_eq!(s, "a␛]0;pwned␇b␛[2J");
        assert!(!s.chars().any(|c| c.is_control()));
    }

    #[test]
    fn c1_controls_and_del_become_visible() {
        assert_eq!(sanitize_str("x\u{9b}31my\u{7f}"), "x<U+009B>31my␡");
    }

    #[test]
    fn line_endings_are_normalised() {
        assert_eq!(sanitize_str("a\r\nb\rc\u{2028}d"), "a\nb␍c\nd");
    }

    #[test]
    fn bom_is_dropped_only_at_start() {
        assert_eq!(sanitize_str("\u{FEFF}hi"), "hi");
    }

    #[test]
    fn tabs_expand_to_stops() {
        assert_eq!(sanitize_str("\tx\n ab\ty"), "    x\n ab y");
        assert_eq!(sanitize_str("abcd\te"), "abcd    e");
    }

    #[test]
    fn invalid_utf8_is_marked() {
        let s = sanitize_bytes(b"caf\xe9 ok");
        assert!(s.had_invalid_utf8);
        assert_eq!(s.text, "caf\u{FFFD} ok");
        let ok = sanitize_bytes("مرحبا".as_bytes());
        assert!(!ok.had_invalid_utf8);
        assert_eq!(ok.text, "مرحبا");
    }

    #[test]
    fn bidi_controls_are_kept_for_the_algorithm() {
        let s = sanitize_bytes("a\u{202E}b\u{202C}".as_bytes());
        assert_eq!(s.text, "a\u{202E}b\u{202C}");
        assert_eq!(s.replaced_controls, 0);
        assert_eq!(bidi_control_label('\u{202E}'), Some("RLO"));
        assert!(is_disguising_bidi_control('\u{202E}'));
        assert!(!is_disguising_bidi_control('\u{2066}'));
    }

    #[test]
    fn printable_shows_every_control_bidi_and_invisible_character() {
        assert_eq!(
            printable("a\u{1b}[31m\u{7}\u{202E}b\u{2066}\u{200B}\n\u{9b}"),
            "a␛[31m␇<RLO>b<LRI><U+200B>␊<U+009B>"
        );
        assert_eq!(printable("مرحبا"), "مرحبا");
        let every: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        assert!(
            !printable(&every)
                .chars()
                .any(|c| c.is_control() || is_bidi_control(c) || is_invisible_format(c))
        );
    }

    #[test]
    fn counts_replacements() {
        assert_eq!(sanitize_bytes(b"\x1b\x07ok\x00").replaced_controls, 3);
    }
}
