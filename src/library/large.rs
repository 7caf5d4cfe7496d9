//! Articles too large to read whole: the file is mapped, not read, and its paragraphs are found
//! on demand around the place being read, the way less finds lines.
//!
//! A paragraph of a large text is a line (logs and dumps have no blank lines to go by), or,
//! for a line longer than [`MAX_PARAGRAPH`] bytes, one piece of it: pieces start every
//! [`MAX_PARAGRAPH`] bytes from the line's start (moved forward to a character boundary), so
//! any place can find its paragraph by looking only near it. A paragraph is named by the byte
//! offset where it starts, which is what reading positions and bookmarks keep.
//!
//! Nothing here reads more than a few paragraphs' worth of the file for a step; there is no
//! index of the whole file, so memory does not grow with it.

use std::borrow::Cow;
use std::fs::File;
use std::io;
use std::ops::Range;
use std::path::Path;

use memmap2::Mmap;

use crate::text::sanitize::sanitize_str;

/// Longest paragraph laid out at once, in bytes: a longer line is shown in pieces.
pub const MAX_PARAGRAPH: usize = 16 * 1024;

/// Most bytes looked at to find where a line starts before giving up and cutting there: a
/// line of a gigabyte is shown in pieces counted from this far back.
const MAX_SCAN: usize = 4 * 1024 * 1024;

/// A large text file, mapped.
pub struct LargeText {
    map: Option<Mmap>,
    len: usize,
}

impl std::fmt::Debug for LargeText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LargeText({} bytes)", self.len)
    }
}

/// Two large texts are the same only if they are the same mapping.
impl PartialEq for LargeText {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for LargeText {}

impl LargeText {
    /// Map `path`. The file must not be truncated while it is read (as with less, a file
    /// that shrinks under the reader shows what is left of the mapping's pages as zeros or
    /// fails; folio maps read-only and never writes).
    pub fn open(path: &Path) -> io::Result<LargeText> {
        let file = File::open(path)?;
        let len = file.metadata()?.len() as usize;
        if len == 0 {
            return Ok(LargeText { map: None, len: 0 });
        }
        // SAFETY: the mapping is read-only and private to folio; a file changed by another
        // program while mapped is the documented hazard of every pager that maps files.
        let map = unsafe { Mmap::map(&file)? };
        Ok(LargeText {
            len: map.len(),
            map: Some(map),
        })
    }

    fn bytes(&self) -> &[u8] {
        self.map.as_deref().unwrap_or(&[])
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Where the line holding `at` starts (looking back at most [`MAX_SCAN`] bytes).
    fn line_start(&self, at: usize) -> usize {
        let bytes = self.bytes();
        let at = at.min(bytes.len());
        let from = at.saturating_sub(MAX_SCAN);
        match memchr::memrchr(b'\n', &bytes[from..at]) {
            Some(i) => from + i + 1,
            None => from,
        }
    }

    /// Where the line starting at `start` ends (its newline excluded).
    fn line_end(&self, start: usize) -> usize {
        let bytes = self.bytes();
        match memchr::memchr(b'\n', &bytes[start.min(bytes.len())..]) {
            Some(i) => start + i,
            None => bytes.len(),
        }
    }

    /// The first character boundary at or after `at`.
    fn boundary(&self, at: usize) -> usize {
        let bytes = self.bytes();
        let mut at = at.min(bytes.len());
        // UTF-8 continuation bytes are 10xxxxxx; at most three follow a lead byte.
        for _ in 0..3 {
            if at < bytes.len() && bytes[at] & 0xC0 == 0x80 {
                at += 1;
            }
        }
        at
    }

    /// The paragraph holding byte `at`: a line, or a piece of a long one.
    pub fn paragraph_at(&self, at: usize) -> Range<usize> {
        let at = at.min(self.len);
        let start = self.line_start(at);
        let end = self.line_end(start);
        let mut piece = start;
        loop {
            let next = self.boundary(piece + MAX_PARAGRAPH);
            if next >= end || next > at {
                return piece..next.min(end);
            }
            piece = next;
        }
    }

    /// The paragraph after `para`, if any.
    pub fn next(&self, para: &Range<usize>) -> Option<Range<usize>> {
        let after = if para.end < self.len && self.bytes()[para.end] == b'\n' {
            para.end + 1
        } else {
            para.end
        };
        (after < self.len).then(|| self.paragraph_at(after))
    }

    /// The paragraph before the one starting at `start`, if any.
    pub fn prev(&self, start: usize) -> Option<Range<usize>> {
        if start == 0 {
            return None;
        }
        Some(self.paragraph_at(start - 1))
    }

    /// The first paragraph.
    pub fn first(&self) -> Range<usize> {
        self.paragraph_at(0)
    }

    /// The last paragraph (a final newline ends the last line; it does not start another).
    pub fn last(&self) -> Range<usize> {
        let end = if self.bytes().last() == Some(&b'\n') {
            self.len - 1
        } else {
            self.len
        };
        self.paragraph_at(end)
    }

    /// A paragraph's text, made safe to lay out (invalid UTF-8 as U+FFFD, controls shown).
    pub fn text(&self, para: &Range<usize>) -> Cow<'_, str> {
        let bytes = &self.bytes()[para.start.min(self.len)..para.end.min(self.len)];
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        let text = String::from_utf8_lossy(bytes);
        if !may_need_sanitizing(text.as_bytes()) {
            return text;
        }
        let clean = sanitize_str(&text);
        if clean == text {
            text
        } else {
            Cow::Owned(clean)
        }
    }

    /// The first line with something on it, for a title (looking at the first few KiB only).
    pub fn title(&self) -> String {
        let mut para = self.first();
        for _ in 0..64 {
            let text = self.text(&para);
            let text = text.trim();
            if !text.is_empty() {
                return text.chars().take(200).collect();
            }
            match self.next(&para) {
                Some(p) if p.start < 64 * 1024 => para = p,
                _ => break,
            }
        }
        String::new()
    }
}

/// Whether sanitizing could change `text` (UTF-8): it holds a C0 or C1 control, DEL, a line or
/// paragraph separator (U+2028, U+2029), or starts with a byte order mark. Most lines hold none,
/// and are laid out as they are without being copied.
fn may_need_sanitizing(text: &[u8]) -> bool {
    text.starts_with("\u{FEFF}".as_bytes())
        || text.iter().enumerate().any(|(i, &b)| match b {
            0x00..=0x1F | 0x7F => true,
            // U+0080..U+009F
            0xC2 => text.get(i + 1).is_some_and(|n| (0x80..=0x9F).contains(n)),
            // U+2028, U+2029
            0xE2 => text
                .get(i + 1..i + 3)
                .is_some_and(|n| n == [0x80, 0xA8] || n == [0x80, 0xA9]),
            _ => false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Text the check lets through is text sanitizing leaves as it is.
        #[test]
        fn text_passed_over_needs_no_sanitizing(text in proptest::prelude::any::<String>()) {
            if !may_need_sanitizing(text.as_bytes()) {
                proptest::prop_assert_eq!(sanitize_str(&text), text);
            }
        }
    }

    #[test]
    fn what_sanitizing_changes_is_caught() {
        for text in [
            "a\tb",
            "\u{FEFF}x",
            "a\u{85}",
            "\u{2028}",
            "x\u{2029}",
            "\u{7F}",
            "\r",
        ] {
            assert!(may_need_sanitizing(text.as_bytes()), "{text:?}");
            assert_ne!(sanitize_str(text), text);
        }
        assert!(!may_need_sanitizing("plain مرحبا ½ \u{A0}".as_bytes()));
    }

    fn text_of(content: &[u8]) -> (tempfile::TempDir, LargeText) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.txt");
        std::fs::write(&path, content).unwrap();
        let t = LargeText::open(&path).unwrap();
        (dir, t)
    }

    /// Every paragraph from the first, by `next`.
    fn forward(t: &LargeText) -> Vec<Range<usize>> {
        let mut out = vec![t.first()];
        while let Some(p) = t.next(out.last().unwrap()) {
            out.push(p);
        }
        out
    }

    #[test]
    fn lines_are_paragraphs_both_ways() {
        let (_d, t) = text_of(b"one\n\nthree\r\nfour");
        let paras = forward(&t);
        let texts: Vec<String> = paras.iter().map(|p| t.text(p).into_owned()).collect();
        assert_eq!(texts, vec!["one", "", "three", "four"]);
        // Backward gives the same paragraphs.
        let mut back = vec![t.last()];
        while let Some(p) = t.prev(back.last().unwrap().start) {
            back.push(p);
        }
        back.reverse();
        assert_eq!(back, paras);
        assert_eq!(t.title(), "one");
    }

    #[test]
    fn a_final_newline_starts_no_paragraph() {
        let (_d, t) = text_of(b"a\nb\n");
        assert_eq!(forward(&t).len(), 2);
        assert_eq!(t.text(&t.last()), "b");
    }

    #[test]
    fn a_long_line_comes_in_pieces_found_from_anywhere() {
        let line = "ب".repeat(MAX_PARAGRAPH); // two bytes each: two and a bit pieces
        let content = format!("x\n{line}\ny");
        let (_d, t) = text_of(content.as_bytes());
        let paras = forward(&t);
        assert_eq!(paras.len(), 4, "{paras:?}");
        for p in &paras {
            assert!(p.len() <= MAX_PARAGRAPH + 3);
            assert!(content.is_char_boundary(p.start) && content.is_char_boundary(p.end));
            // Any byte inside names this paragraph.
            for at in [
                p.start,
                (p.start + p.end) / 2,
                p.end.saturating_sub(1).max(p.start),
            ] {
                assert_eq!(&t.paragraph_at(at), p, "at {at}");
            }
        }
        let joined: String = paras[1..3].iter().map(|p| t.text(p).into_owned()).collect();
        assert_eq!(joined, line);
    }

    #[test]
    fn hostile_bytes_come_out_safe() {
        let (_d, t) = text_of(b"a\x1b[2J\xff\xfeb");
        let text = t.text(&t.first());
        assert!(!text.chars().any(|c| c.is_control()), "{text:?}");
        assert!(text.contains('\u{FFFD}'));
    }

    #[test]
    fn an_empty_file_has_one_empty_paragraph() {
        let (_d, t) = text_of(b"");
        assert_eq!(t.first(), 0..0);
        assert_eq!(t.next(&t.first()), None);
        assert_eq!(t.last(), 0..0);
        assert_eq!(t.title(), "");
    }
}
