//! Bytes from an SSH client → keys and pastes: never panics, work and output stay linear in the
//! input, and a paste never exceeds its cap.
//!
//! Input: the bytes a client sends, cut into packets at each 0xFF byte (never valid UTF-8, so it
//! costs the decoder nothing to lose it); after a packet an odd-length packet also flushes, as
//! the server does when nothing more arrives in time.

#![no_main]

use folio::serve::input::{Decoder, MAX_PASTE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut decoder = Decoder::new();
    let mut keys = 0usize;
    let mut fed = 0usize;
    for packet in data.split(|&b| b == 0xFF) {
        decoder.feed(packet, &mut |_| keys += 1);
        fed += packet.len();
        if packet.len() % 2 == 1 {
            decoder.flush(&mut |_| keys += 1);
        }
        if let Some(paste) = decoder.take_paste() {
            assert!(
                paste.chars().count() <= MAX_PASTE,
                "a paste of {} chars passed the cap",
                paste.chars().count()
            );
        }
        assert!(keys <= fed, "{keys} keys from {fed} bytes");
        assert!(
            decoder.skipped() as usize <= fed,
            "skipped more than was fed"
        );
    }
    decoder.flush(&mut |_| keys += 1);
    assert!(keys <= fed, "{keys} keys from {fed} bytes");
});
