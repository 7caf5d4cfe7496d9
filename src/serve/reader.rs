//! One served reader: its own app state and frame [`Painter`] over the channel, driven by
//! [`crate::term::run`] on a thread of its own, with an input task in front and an output pump
//! behind.
//!
//! ```text
//! SSH data ──► input task (Decoder, ESC wait) ──keys──► reader thread (App, Painter)
//!                                                         │ frames
//! SSH channel ◄── pump (window-aware, stall timeout) ◄────┘ (small bounded queue)
//! ```

use std::io::{self, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::time::Duration;

use bytes::Bytes;
use russh::ChannelWriteHalf;
use russh::server::Msg;
use tokio::sync::{mpsc as amps, watch};

use super::Shared;
use super::conn::{Conn, End};
use super::input::Decoder;
use super::output::{FrameWriter, PumpEnd, QUEUE_FRAMES, pump};
use crate::app::{App, Exit};
use crate::term::{Input, Painter, modes, run};
use crate::ui::{ColorDepth, Theme};

/// Keys waiting for the reader. More are dropped: a client cannot queue unbounded work.
const KEY_QUEUE: usize = 256;
/// Input packets waiting for the decoder; when full, the connection stops reading for a moment.
const PACKET_QUEUE: usize = 16;
/// How long an unfinished escape sequence waits for the rest of it.
const ESC_WAIT: Duration = Duration::from_millis(30);
/// Stack for a reader's thread: layout is not deeply recursive.
const READER_STACK: usize = 1024 * 1024;
/// Least time between two resizes passed to the reader. A client may send window changes as
/// fast as it likes; the reader lays out for at most one new size this often, the latest.
const RESIZE_GAP: Duration = Duration::from_millis(100);

/// What the SSH handler feeds a running reader.
pub(crate) struct ReaderInput {
    pub packets: amps::Sender<Vec<u8>>,
    pub size: watch::Sender<(u16, u16)>,
}

/// Start a reader of `size` on `channel`.
pub(crate) fn start(
    conn: Arc<Conn>,
    shared: Arc<Shared>,
    channel: ChannelWriteHalf<Msg>,
    size: (u16, u16),
    term: String,
) -> io::Result<ReaderInput> {
    let (frames_tx, frames_rx) = amps::channel::<Bytes>(QUEUE_FRAMES);
    let (keys_tx, keys_rx) = mpsc::sync_channel::<Input>(KEY_QUEUE);
    // Work off the loop posts through the input task's sender, never keeping it: the reader
    // must see its input close when the connection goes.
    let keys_tx = Arc::new(keys_tx);
    let post = crate::work::weak_poster(Arc::downgrade(&keys_tx));
    let (packets_tx, packets_rx) = amps::channel::<Vec<u8>>(PACKET_QUEUE);
    let (size_tx, size_rx) = watch::channel(size);

    {
        let conn = conn.clone();
        let shared = shared.clone();
        // The session's place goes with the thread: it is free only once the thread has ended,
        // so readers still busy after their clients left cannot pile up past the limits.
        let place = conn
            .session
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let running = Running::start(shared.readers.clone());
        std::thread::Builder::new()
            .name(format!("folio-reader-{}", conn.id))
            .stack_size(READER_STACK)
            .spawn(move || {
                reader_thread(&conn, &shared, frames_tx, (keys_rx, post), size, &term);
                drop(running);
                drop(place);
            })?;
    }
    conn.reader_started
        .store(true, std::sync::atomic::Ordering::SeqCst);
    tokio::spawn(input_task(conn.clone(), packets_rx, size_rx, keys_tx));
    tokio::spawn(async move {
        let stall = shared.options.stall_timeout;
        match pump(frames_rx, channel, stall).await {
            PumpEnd::Done => {}
            PumpEnd::Gone => conn.set_end(End::ClientLeft),
            PumpEnd::Stalled => conn.cut_stalled(&shared),
        }
        conn.reader_done.fire();
    });
    Ok(ReaderInput {
        packets: packets_tx,
        size: size_tx,
    })
}

/// Counts a running reader thread while it lives.
struct Running(Arc<AtomicUsize>);

impl Running {
    fn start(count: Arc<AtomicUsize>) -> Running {
        count.fetch_add(1, Ordering::SeqCst);
        Running(count)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Decode packets into keys and pass them, and size changes, to the reader. Ends when the
/// connection's handler goes away or the reader is asked to stop, and then tells the reader to
/// end: a reader busy with queued input stops at the end of what was queued.
async fn input_task(
    conn: Arc<Conn>,
    packets: amps::Receiver<Vec<u8>>,
    size: watch::Receiver<(u16, u16)>,
    keys: impl std::ops::Deref<Target = SyncSender<Input>>,
) {
    forward_input(&conn, packets, size, &keys).await;
    // If the queue is full the reader is busy with it, and finds the queue closed after.
    let _ = keys.try_send(Input::Terminate);
}

async fn forward_input(
    conn: &Conn,
    mut packets: amps::Receiver<Vec<u8>>,
    mut size: watch::Receiver<(u16, u16)>,
    keys: &SyncSender<Input>,
) {
    let mut decoder = Decoder::new();
    // The latest size not yet passed on, and when a resize was last passed on.
    let mut resize: Option<(u16, u16)> = None;
    let mut resized: Option<tokio::time::Instant> = None;
    loop {
        if let Some((cols, rows)) = resize
            && resized.is_none_or(|t| t.elapsed() >= RESIZE_GAP)
        {
            match keys.try_send(Input::Resize(cols, rows)) {
                Ok(()) => {
                    resize = None;
                    resized = Some(tokio::time::Instant::now());
                }
                Err(TrySendError::Full(_)) => {}
                Err(TrySendError::Disconnected(_)) => return,
            }
        }
        // When a size waits: until the gap has passed, or a little while if the queue was full.
        let soon = tokio::time::Instant::now() + ESC_WAIT;
        let resize_at = resized.map_or(soon, |t| (t + RESIZE_GAP).max(soon));
        let mut gone = false;
        let mut send = |key| {
            if let Err(TrySendError::Disconnected(_)) = keys.try_send(Input::Key(key)) {
                gone = true;
            }
        };
        tokio::select! {
            biased;
            _ = conn.stop.wait() => return,
            changed = size.changed() => {
                if changed.is_err() {
                    return;
                }
                resize = Some(*size.borrow_and_update());
            }
            packet = packets.recv() => match packet {
                Some(bytes) => {
                    decoder.feed(&bytes, &mut send);
                    if let Some(text) = decoder.take_paste()
                        && let Err(TrySendError::Disconnected(_)) = keys.try_send(Input::Paste(text))
                    {
                        return;
                    }
                }
                None => return,
            },
            _ = tokio::time::sleep(ESC_WAIT), if decoder.has_pending() => decoder.flush(&mut send),
            _ = tokio::time::sleep_until(resize_at), if resize.is_some() => {}
        }
        if gone {
            return;
        }
    }
}

/// The reader itself: enter the alternate screen, run the app until it ends, leave the alternate
/// screen and say why it ended. A panic in the app ends this reader only, still saying goodbye.
fn reader_thread(
    conn: &Conn,
    shared: &Shared,
    frames: amps::Sender<Bytes>,
    (keys, post): (Receiver<Input>, crate::work::Poster),
    (cols, rows): (u16, u16),
    term: &str,
) {
    let content = &shared.content;
    // Colours as the client's terminal can show them (its TERM came with the pty request).
    let theme = Theme::new(
        content.settings.config.ui.theme,
        ColorDepth::detect(false, None, Some(term)),
        false,
    );
    let bidi = content.settings.config.reader.bidi;
    let mut writer = FrameWriter::new(frames);
    if modes::enter(&mut writer, bidi).is_err() {
        return;
    }
    let mut painter = Painter::new(writer, cols, rows);
    // The client's TERM decides, as for colours; a served reader never draws in ASCII.
    painter.set_hyperlinks(crate::term::hyperlink::enabled(
        content.settings.config.ui.hyperlinks,
        term,
        theme.ascii,
    ));
    // The reader's state: their key's folder, or this session only. Opening and saving read
    // and write files, here on the reader's own thread, off the async runtime.
    let key = conn.key.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let opened = shared.states.open(key.as_deref());
    if let Some(line) = &opened.log {
        shared.options.log.line(&format!("#{} {line}", conn.id));
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // With a hub, the library served now, and every later one as it comes.
        let library = match &shared.options.hub {
            Some(hub) => hub.join(post.clone()),
            None => content.library.clone(),
        };
        let mut app = App::new(library, content.settings.clone(), cols, rows);
        app.set_policy(crate::app::Policy::SERVED);
        app.attach_store(opened.store, opened.message);
        let exit = run(&mut painter, &mut app, &theme, &keys, post);
        // The last save: where the reader is now, however the session ended.
        app.remember();
        if let Err(e) = app.store_mut().save() {
            shared
                .options
                .log
                .line(&format!("#{} could not save reading state: {e}", conn.id));
        }
        exit
    }));
    if let Ok(Ok(Exit::Quit)) = outcome {
        conn.set_end(End::Quit);
    }
    if outcome.is_err() {
        shared.options.log.line(&format!(
            "#{} reader failed; see the message above",
            conn.id
        ));
    }
    // The painter writes through to the channel's frame writer.
    let writer = painter.writer();
    let _ = modes::leave(writer, bidi);
    let farewell = match conn.end() {
        Some(End::Idle) => Some(format!(
            "folio: closed after {} without input",
            human(shared.options.idle_timeout)
        )),
        Some(End::Shutdown) => Some("folio: the server is shutting down".to_string()),
        _ if outcome.is_err() => Some("folio: the reader failed; sorry".to_string()),
        _ => None,
    };
    if let Some(text) = farewell {
        let _ = write!(writer, "\r\n{text}\r\n");
        let _ = writer.flush();
    }
}

/// `30 minutes`, `2 s`.
fn human(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 120 && s.is_multiple_of(60) {
        format!("{} minutes", s / 60)
    } else {
        format!("{} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[tokio::test]
    async fn a_storm_of_window_changes_reaches_the_reader_as_a_few_resizes_ending_with_the_last() {
        let conn = Arc::new(Conn::new(1, "127.0.0.1:1".parse().unwrap()));
        let (packets_tx, packets_rx) = amps::channel::<Vec<u8>>(PACKET_QUEUE);
        let (size_tx, size_rx) = watch::channel((80, 24));
        let (keys_tx, keys_rx) = mpsc::sync_channel::<Input>(KEY_QUEUE);
        let task = tokio::spawn(input_task(conn, packets_rx, size_rx, Arc::new(keys_tx)));
        let start = Instant::now();
        for i in 0..200u16 {
            size_tx.send((100 + i % 50, 30)).unwrap();
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        size_tx.send((120, 40)).unwrap();
        let storm = start.elapsed();
        tokio::time::sleep(RESIZE_GAP * 3).await;
        drop(size_tx);
        drop(packets_tx);
        task.await.unwrap();

        let inputs: Vec<Input> = keys_rx.try_iter().collect();
        let resizes: Vec<&Input> = inputs
            .iter()
            .filter(|i| matches!(i, Input::Resize(..)))
            .collect();
        let most = (storm.as_millis() / RESIZE_GAP.as_millis()) as usize + 2;
        assert!(
            resizes.len() <= most,
            "{} resizes in {storm:?}",
            resizes.len()
        );
        assert_eq!(
            resizes.last(),
            Some(&&Input::Resize(120, 40)),
            "the last size wins"
        );
        assert_eq!(
            inputs.last(),
            Some(&Input::Terminate),
            "then the reader is told to end"
        );
    }
}
