//! Frames from a reader's thread to its SSH channel.
//!
//! The reader's frame [`Painter`](crate::term::Painter) writes into a [`FrameWriter`]; each flush (one frame) goes into
//! a small bounded queue. [`pump`] takes frames from the queue and writes them to the channel in
//! pieces no larger than a packet, each waiting for the client's SSH window. When the client stops
//! reading, the window closes, the pump waits, the queue fills and the reader's thread blocks on
//! its next frame: nothing piles up. A piece that cannot be written within the stall timeout ends
//! the connection.

use std::io::{self, Write};
use std::time::Duration;

use bytes::Bytes;
use russh::ChannelWriteHalf;
use russh::server::Msg;
use tokio::sync::mpsc;

/// Frames waiting for the channel, per reader.
pub const QUEUE_FRAMES: usize = 4;

/// Largest piece written at once; also a packet's worth for most clients.
const PIECE: usize = 32 * 1024;

/// A `Write` for the reader's terminal: collects one frame, queues it on flush.
pub struct FrameWriter {
    buf: Vec<u8>,
    queue: mpsc::Sender<Bytes>,
    /// The channel is gone and that was reported once; output is dropped from now on, so
    /// clean-up code (the terminal showing its cursor when dropped) has nothing to complain
    /// about.
    gone: bool,
}

impl FrameWriter {
    pub fn new(queue: mpsc::Sender<Bytes>) -> FrameWriter {
        FrameWriter {
            buf: Vec::with_capacity(16 * 1024),
            queue,
            gone: false,
        }
    }
}

impl Write for FrameWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    /// Queue the frame, waiting while the queue is full. Fails once the channel is gone.
    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let frame = Bytes::from(std::mem::take(&mut self.buf));
        // Keep a modest buffer for the next frame, not the largest one ever drawn.
        self.buf = Vec::with_capacity(16 * 1024);
        if self.gone {
            return Ok(());
        }
        if self.queue.blocking_send(frame).is_err() {
            self.gone = true;
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the client is gone",
            ));
        }
        Ok(())
    }
}

/// How the pump ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PumpEnd {
    /// The reader finished and everything was written; the channel is closed.
    Done,
    /// The channel or connection went away.
    Gone,
    /// The client did not take a piece within the stall timeout.
    Stalled,
}

/// Write queued frames to the channel until the reader's side of the queue is dropped, then send
/// exit status 0, EOF and close.
pub async fn pump(
    mut queue: mpsc::Receiver<Bytes>,
    channel: ChannelWriteHalf<Msg>,
    stall: Duration,
) -> PumpEnd {
    while let Some(mut frame) = queue.recv().await {
        while !frame.is_empty() {
            let piece = frame.split_to(frame.len().min(PIECE));
            match tokio::time::timeout(stall, channel.data_bytes(piece)).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return PumpEnd::Gone,
                Err(_) => return PumpEnd::Stalled,
            }
        }
    }
    let close = async {
        channel.exit_status(0).await?;
        channel.eof().await?;
        channel.close().await
    };
    match tokio::time::timeout(stall, close).await {
        Ok(Ok(())) => PumpEnd::Done,
        Ok(Err(_)) => PumpEnd::Gone,
        Err(_) => PumpEnd::Stalled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_is_queued_on_flush_and_a_gone_channel_is_reported_once() {
        let (tx, mut rx) = mpsc::channel(2);
        let mut w = FrameWriter::new(tx);
        w.write_all(b"frame one").unwrap();
        w.flush().unwrap();
        w.flush().unwrap();
        assert_eq!(rx.try_recv().unwrap(), Bytes::from_static(b"frame one"));
        assert!(rx.try_recv().is_err(), "an empty flush queues nothing");
        drop(rx);
        w.write_all(b"frame two").unwrap();
        assert_eq!(w.flush().unwrap_err().kind(), io::ErrorKind::BrokenPipe);
        w.write_all(b"clean-up").unwrap();
        w.flush().unwrap();
    }
}
