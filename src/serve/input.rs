//! Bytes from a remote terminal to folio [`Key`]s.
//!
//! A client sends whatever its terminal produced: many keys in one packet, escape sequences cut
//! anywhere, pastes of any size. [`Decoder`] first frames the bytes into units (one character,
//! one escape sequence) in a single pass with a small, capped buffer, then hands each complete
//! unit to termina's terminal input parser, which knows what the sequences mean. Framing first
//! keeps the work linear in the input and the memory bounded whatever a client sends: the
//! parser only ever sees one short unit.
//!
//! An ESC that ends a packet is the Esc key (terminals send a key's whole sequence in one write,
//! so nothing is coming after it); any other unfinished sequence waits for the next packet, or
//! for [`Decoder::flush`] after a short wait.
//!
//! Bracketed pastes never turn into keys (a `q` in a paste must not quit): their text, up to
//! [`MAX_PASTE`] bytes, is handed over whole by [`Decoder::take_paste`] for an open prompt, and
//! the rest is skipped.

use termina::event::{KeyCode as TKey, KeyEventKind, Modifiers};
use termina::{Event, Parser};

use crate::app::{Key, KeyCode};

/// Longest escape sequence kept; longer ones are not keys and are skipped to their end.
const MAX_SEQUENCE: usize = 64;

/// Most of a paste kept; the rest is counted and dropped.
pub const MAX_PASTE: usize = 4096;

const ESC: u8 = 0x1b;
const PASTE_START: &[u8] = b"\x1b[200~";
const PASTE_END: &[u8] = b"\x1b[201~";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Between units, or collecting the unit in `seq`.
    Normal,
    /// Inside a string sequence (OSC, DCS, APC, PM, SOS): skipped up to BEL or ESC `\`.
    Str { esc: bool },
    /// Inside an overlong CSI sequence: skipped up to its final byte.
    SkipCsi,
    /// Inside a bracketed paste: skipped up to `ESC [ 201 ~`; the number is how much of that
    /// end marker has been seen.
    Paste(usize),
}

/// Turns a stream of terminal input bytes into keys. Memory use is bounded by
/// [`MAX_SEQUENCE`] whatever the input.
#[derive(Debug)]
pub struct Decoder {
    seq: Vec<u8>,
    state: State,
    parser: Parser,
    /// Bytes skipped (pastes past [`MAX_PASTE`], unknown sequences): counted, never stored.
    skipped: u64,
    /// The paste being received, capped at [`MAX_PASTE`] (its end marker included, then cut).
    paste: Vec<u8>,
    /// A finished paste, until taken.
    pasted: Option<String>,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder {
            seq: Vec::with_capacity(MAX_SEQUENCE),
            state: State::Normal,
            parser: Parser::default(),
            skipped: 0,
            paste: Vec::new(),
            pasted: None,
        }
    }

    /// The text of the last finished paste, if one finished since the last call.
    pub fn take_paste(&mut self) -> Option<String> {
        self.pasted.take()
    }

    /// How many bytes were skipped so far (pastes, strings, overlong sequences).
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Whether an unfinished sequence is waiting for more bytes (call [`Decoder::flush`] if
    /// none come soon).
    pub fn has_pending(&self) -> bool {
        !self.seq.is_empty()
    }

    /// Decode one packet. Every byte is used; an ESC at the very end is the Esc key.
    pub fn feed(&mut self, bytes: &[u8], out: &mut impl FnMut(Key)) {
        for &b in bytes {
            self.byte(b, out);
        }
        if self.seq == [ESC] {
            self.emit(out);
        }
    }

    /// Nothing more came: decode what is waiting as it stands (`ESC [` alone is Alt+[), and
    /// drop what cannot be decoded.
    pub fn flush(&mut self, out: &mut impl FnMut(Key)) {
        if !self.seq.is_empty() {
            self.emit(out);
        }
    }

    fn byte(&mut self, b: u8, out: &mut impl FnMut(Key)) {
        match self.state {
            State::Normal => self.normal(b, out),
            State::Str { esc } => {
                self.skipped += 1;
                if b == 0x07 || (esc && b == b'\\') {
                    self.state = State::Normal;
                } else {
                    self.state = State::Str { esc: b == ESC };
                }
            }
            State::SkipCsi => {
                self.skipped += 1;
                if (0x40..=0x7e).contains(&b) {
                    self.state = State::Normal;
                } else if !(0x20..=0x3f).contains(&b) {
                    // Not part of a CSI sequence after all: decode it afresh.
                    self.skipped -= 1;
                    self.state = State::Normal;
                    self.normal(b, out);
                }
            }
            State::Paste(matched) => {
                if self.paste.len() < MAX_PASTE {
                    self.paste.push(b);
                } else {
                    self.skipped += 1;
                }
                let matched = if b == PASTE_END[matched] {
                    matched + 1
                } else if b == ESC {
                    1
                } else {
                    0
                };
                self.state = if matched == PASTE_END.len() {
                    let mut text = std::mem::take(&mut self.paste);
                    if text.ends_with(PASTE_END) {
                        text.truncate(text.len() - PASTE_END.len());
                    }
                    self.pasted = Some(String::from_utf8_lossy(&text).into_owned());
                    State::Normal
                } else {
                    State::Paste(matched)
                };
            }
        }
    }

    fn normal(&mut self, b: u8, out: &mut impl FnMut(Key)) {
        let Some(&first) = self.seq.first() else {
            self.seq.push(b);
            if b != ESC && utf8_len(b) <= 1 {
                self.emit(out);
            }
            return;
        };
        if first != ESC {
            // Inside a UTF-8 character.
            if (0x80..=0xbf).contains(&b) {
                self.seq.push(b);
                if self.seq.len() == utf8_len(first) {
                    self.emit(out);
                }
            } else {
                self.skipped += self.seq.len() as u64;
                self.seq.clear();
                self.normal(b, out);
            }
            return;
        }
        match self.seq.len() {
            1 => match b {
                b'[' | b'O' => self.seq.push(b),
                b']' | b'P' | b'_' | b'^' | b'X' => {
                    self.skipped += 2;
                    self.seq.clear();
                    self.state = State::Str { esc: false };
                }
                ESC => {
                    // ESC ESC: the first is the Esc key; the second starts something new.
                    self.emit(out);
                    self.seq.push(ESC);
                }
                _ => {
                    // Alt + a key.
                    self.seq.push(b);
                    if utf8_len(b) <= 1 {
                        self.emit(out);
                    }
                }
            },
            _ => match self.seq[1] {
                b'O' if self.seq.len() == 2 => {
                    self.seq.push(b);
                    self.emit(out);
                }
                b'[' => self.csi(b, out),
                // Alt + a multi-byte character.
                _ => {
                    if (0x80..=0xbf).contains(&b) {
                        self.seq.push(b);
                        if self.seq.len() == 1 + utf8_len(self.seq[1]) {
                            self.emit(out);
                        }
                    } else {
                        self.skipped += self.seq.len() as u64;
                        self.seq.clear();
                        self.normal(b, out);
                    }
                }
            },
        }
    }

    /// The next byte of a CSI sequence (`seq` starts with `ESC [`).
    fn csi(&mut self, b: u8, out: &mut impl FnMut(Key)) {
        // `ESC [ [ A`…`E`: the Linux console's F1…F5.
        if self.seq.len() == 3 && self.seq[2] == b'[' {
            self.seq.push(b);
            self.emit(out);
            return;
        }
        match b {
            b'[' if self.seq.len() == 2 => self.seq.push(b),
            0x20..=0x3f => {
                self.seq.push(b);
                if self.seq.len() >= MAX_SEQUENCE {
                    self.skipped += self.seq.len() as u64;
                    self.seq.clear();
                    self.state = State::SkipCsi;
                }
            }
            0x40..=0x7e => {
                self.seq.push(b);
                if self.seq == PASTE_START {
                    self.skipped += self.seq.len() as u64;
                    self.seq.clear();
                    self.state = State::Paste(0);
                } else {
                    self.emit(out);
                }
            }
            _ => {
                // A control byte or ESC cuts the sequence short: drop it, decode the byte.
                self.skipped += self.seq.len() as u64;
                self.seq.clear();
                self.normal(b, out);
            }
        }
    }

    /// Hand the unit in `seq` to the terminal input parser and pass on the keys it finds.
    fn emit(&mut self, out: &mut impl FnMut(Key)) {
        self.parser.parse(&self.seq, false);
        let mut any = false;
        while let Some(event) = self.parser.pop() {
            any = true;
            if let Event::Key(k) = event
                && k.kind != KeyEventKind::Release
                && let Some(key) = key_from_termina(k.code, k.modifiers)
            {
                out(key);
            }
        }
        if !any {
            // The parser may hold an unfinished unit; a fresh one forgets it.
            self.skipped += self.seq.len() as u64;
            self.parser = Parser::default();
        }
        self.seq.clear();
    }
}

/// How many bytes the UTF-8 character starting with `b` takes (1 for ASCII and stray bytes).
fn utf8_len(b: u8) -> usize {
    match b {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => 1,
    }
}

/// termina's key to folio's. Keys folio has no name for (media keys, lone modifiers) are `None`.
pub fn key_from_termina(code: TKey, m: Modifiers) -> Option<Key> {
    let code = match code {
        TKey::Char(c) => KeyCode::Char(c),
        TKey::Enter => KeyCode::Enter,
        TKey::Tab => KeyCode::Tab,
        TKey::BackTab => KeyCode::BackTab,
        TKey::Backspace => KeyCode::Backspace,
        TKey::Escape => KeyCode::Esc,
        TKey::Up => KeyCode::Up,
        TKey::Down => KeyCode::Down,
        TKey::Left => KeyCode::Left,
        TKey::Right => KeyCode::Right,
        TKey::PageUp => KeyCode::PageUp,
        TKey::PageDown => KeyCode::PageDown,
        TKey::Home => KeyCode::Home,
        TKey::End => KeyCode::End,
        TKey::Insert => KeyCode::Insert,
        TKey::Delete => KeyCode::Delete,
        TKey::Function(n) => KeyCode::F(n),
        _ => return None,
    };
    // Shift is part of BackTab (`CSI Z` arrives as BackTab with Shift): keymaps write it `S-Tab`,
    // which is BackTab alone.
    let shift = m.contains(Modifiers::SHIFT) && code != KeyCode::BackTab;
    Some(Key::new(
        code,
        m.contains(Modifiers::CONTROL),
        m.contains(Modifiers::ALT),
        shift,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(packets: &[&[u8]]) -> Vec<Key> {
        let mut d = Decoder::new();
        let mut out = Vec::new();
        for p in packets {
            d.feed(p, &mut |k| out.push(k));
        }
        out
    }

    fn plain(c: char) -> Key {
        Key::char(c)
    }

    #[test]
    fn every_key_of_a_packet_is_decoded() {
        assert_eq!(
            keys(&[b"jjk\x1b[B\x1b[6~G"]),
            vec![
                plain('j'),
                plain('j'),
                plain('k'),
                Key::plain(KeyCode::Down),
                Key::plain(KeyCode::PageDown),
                plain('G'),
            ]
        );
    }

    #[test]
    fn control_keys_and_utf8_characters() {
        assert_eq!(
            keys(&["\r\t\x7f\x04é中".as_bytes()]),
            vec![
                Key::plain(KeyCode::Enter),
                Key::plain(KeyCode::Tab),
                Key::plain(KeyCode::Backspace),
                Key::ctrl('d'),
                plain('é'),
                plain('中'),
            ]
        );
    }

    #[test]
    fn a_lone_esc_at_the_end_of_a_packet_is_the_esc_key() {
        assert_eq!(keys(&[b"\x1b"]), vec![Key::plain(KeyCode::Esc)]);
        assert_eq!(
            keys(&[b"j\x1b"]),
            vec![plain('j'), Key::plain(KeyCode::Esc)]
        );
        assert_eq!(
            keys(&[b"\x1b\x1b"]),
            vec![Key::plain(KeyCode::Esc), Key::plain(KeyCode::Esc)]
        );
    }

    #[test]
    fn esc_followed_by_a_key_is_alt() {
        let k = keys(&[b"\x1bj"]);
        assert_eq!(k, vec![Key::new(KeyCode::Char('j'), false, true, false)]);
    }

    #[test]
    fn a_sequence_cut_between_packets_is_joined() {
        assert_eq!(keys(&[b"\x1b[", b"B"]), vec![Key::plain(KeyCode::Down)]);
        assert_eq!(
            keys(&[b"\x1b[6", b"~"]),
            vec![Key::plain(KeyCode::PageDown)]
        );
        assert_eq!(keys(&[&[0xc3], &[0xa9]]), vec![plain('é')]);
    }

    #[test]
    fn an_unfinished_sequence_is_decoded_or_dropped_on_flush() {
        let mut d = Decoder::new();
        let mut out = Vec::new();
        d.feed(b"\x1b[1;", &mut |k| out.push(k));
        assert!(d.has_pending());
        assert!(out.is_empty());
        d.flush(&mut |k| out.push(k));
        assert!(!d.has_pending());
        // The next packet starts clean.
        d.feed(b"j", &mut |k| out.push(k));
        assert_eq!(out.last(), Some(&plain('j')));
    }

    #[test]
    fn modified_and_special_keys() {
        assert_eq!(
            keys(&[b"\x1b[1;5A\x1bOP\x1b[Z\x1b[H\x1b[F"]),
            vec![
                Key::new(KeyCode::Up, true, false, false),
                Key::plain(KeyCode::F(1)),
                Key::plain(KeyCode::BackTab),
                Key::plain(KeyCode::Home),
                Key::plain(KeyCode::End),
            ]
        );
    }

    #[test]
    fn a_paste_is_handed_over_whole_and_capped() {
        let mut d = Decoder::new();
        let mut keys = Vec::new();
        let mut paste = b"\x1b[200~".to_vec();
        paste.extend("غزة q".as_bytes());
        paste.extend(b"\x1b[201~");
        for chunk in paste.chunks(3) {
            d.feed(chunk, &mut |k| keys.push(k));
        }
        assert!(keys.is_empty());
        assert_eq!(d.take_paste().as_deref(), Some("غزة q"));
        assert_eq!(d.take_paste(), None);
        let mut huge = b"\x1b[200~".to_vec();
        huge.extend(std::iter::repeat_n(b'a', 3 * MAX_PASTE));
        huge.extend(b"\x1b[201~");
        d.feed(&huge, &mut |k| keys.push(k));
        assert!(keys.is_empty());
        assert_eq!(d.take_paste().map(|p| p.len()), Some(MAX_PASTE));
    }

    #[test]
    fn a_paste_never_becomes_keys() {
        let mut paste = b"\x1b[200~".to_vec();
        paste.extend(std::iter::repeat_n(b'q', 100_000));
        paste.extend(b"\x1b[B");
        paste.extend(b"\x1b[201~j");
        // Cut the paste into packets anywhere, even inside the end marker.
        let chunks: Vec<&[u8]> = paste.chunks(7).collect();
        assert_eq!(keys(&chunks), vec![plain('j')]);
    }

    #[test]
    fn strings_and_overlong_sequences_are_skipped_in_bounded_memory() {
        let mut bytes = b"\x1b]11;rgb:0000/0000/0000\x07".to_vec();
        bytes.extend(b"\x1b[");
        bytes.extend(std::iter::repeat_n(b'1', 10_000));
        bytes.extend(b"mk");
        let mut d = Decoder::new();
        let mut out = Vec::new();
        d.feed(&bytes, &mut |k| out.push(k));
        assert_eq!(out, vec![plain('k')]);
        assert!(d.seq.capacity() <= MAX_SEQUENCE * 2);
        assert!(d.skipped() > 10_000);
    }

    #[test]
    fn stray_bytes_do_not_stop_decoding() {
        assert_eq!(
            keys(&[&[0xff, 0x80, b'j', 0xe4, b'k']]),
            vec![plain('j'), plain('k')]
        );
    }
}
