//! A TCP stream that folio can cut from outside.
//!
//! The SSH library writes to the socket from its own task. A client that stops reading makes that
//! write wait forever, and a polite disconnect would queue behind it. [`Killable`] wraps the
//! stream so that [`KillSwitch::kill`] makes every pending and later read and write fail at once:
//! the SSH session ends and the socket is closed.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use futures::task::AtomicWaker;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Cuts one connection.
#[derive(Debug, Default)]
pub struct KillSwitch {
    killed: AtomicBool,
    read: AtomicWaker,
    write: AtomicWaker,
}

impl KillSwitch {
    pub fn new() -> Arc<KillSwitch> {
        Arc::new(KillSwitch::default())
    }

    /// Fail every read and write on the stream from now on.
    pub fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
        self.read.wake();
        self.write.wake();
    }

    pub fn is_killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }
}

fn cut() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, "connection cut by folio")
}

/// A stream whose reads and writes fail once its [`KillSwitch`] is thrown.
pub struct Killable<S> {
    inner: S,
    switch: Arc<KillSwitch>,
}

impl<S> Killable<S> {
    pub fn new(inner: S, switch: Arc<KillSwitch>) -> Killable<S> {
        Killable { inner, switch }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Killable<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.switch.read.register(cx.waker());
        if self.switch.is_killed() {
            return Poll::Ready(Err(cut()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Killable<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.switch.write.register(cx.waker());
        if self.switch.is_killed() {
            return Poll::Ready(Err(cut()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.switch.write.register(cx.waker());
        if self.switch.is_killed() {
            return Poll::Ready(Err(cut()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.switch.is_killed() {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn a_kill_wakes_a_blocked_read() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (a, _b) = tokio::io::duplex(16);
            let switch = KillSwitch::new();
            let mut s = Killable::new(a, switch.clone());
            let reader = tokio::spawn(async move {
                let mut buf = [0u8; 4];
                s.read(&mut buf).await
            });
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            switch.kill();
            let r = tokio::time::timeout(std::time::Duration::from_secs(5), reader)
                .await
                .expect("the read ends")
                .unwrap();
            assert_eq!(r.unwrap_err().kind(), io::ErrorKind::ConnectionAborted);
        });
    }

    #[test]
    fn a_kill_wakes_a_write_stuck_on_a_full_peer() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            // The peer never reads: the second write waits for room that never comes.
            let (a, _b) = tokio::io::duplex(16);
            let switch = KillSwitch::new();
            let mut s = Killable::new(a, switch.clone());
            let writer = tokio::spawn(async move {
                s.write_all(&[0u8; 16]).await?;
                s.write_all(&[0u8; 16]).await
            });
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            switch.kill();
            let r = tokio::time::timeout(std::time::Duration::from_secs(5), writer)
                .await
                .expect("the write ends")
                .unwrap();
            assert!(r.is_err());
        });
    }
}
