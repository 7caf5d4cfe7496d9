//! A TCP stream that folio can cut from outside, and that tells how long a write has waited.
//!
//! The SSH library writes to the socket from its own task. A client that stops reading makes that
//! write wait forever, and a polite disconnect would queue behind it. [`Killable`] wraps the
//! stream so that [`KillSwitch::kill`] makes every pending and later read and write fail at once:
//! the SSH session ends and the socket is closed. [`KillSwitch::write_stuck_for`] says how long
//! the socket has refused to take more, which is how a client that stopped reading is noticed
//! even when nothing else is waiting on it.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::task::AtomicWaker;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Cuts one connection.
#[derive(Debug)]
pub struct KillSwitch {
    killed: AtomicBool,
    read: AtomicWaker,
    write: AtomicWaker,
    born: Instant,
    /// Milliseconds after `born` (plus one) at which a write started waiting; 0 when none waits.
    write_waiting_since: AtomicU64,
}

impl KillSwitch {
    pub fn new() -> Arc<KillSwitch> {
        Arc::new(KillSwitch {
            killed: AtomicBool::new(false),
            read: AtomicWaker::new(),
            write: AtomicWaker::new(),
            born: Instant::now(),
            write_waiting_since: AtomicU64::new(0),
        })
    }

    fn now_ms(&self) -> u64 {
        self.born.elapsed().as_millis() as u64 + 1
    }

    /// A write could not go through: the socket is full.
    fn write_waits(&self) {
        let now = self.now_ms();
        let _ =
            self.write_waiting_since
                .compare_exchange(0, now, Ordering::SeqCst, Ordering::SeqCst);
    }

    /// A write went through.
    fn write_moved(&self) {
        self.write_waiting_since.store(0, Ordering::SeqCst);
    }

    /// How long the socket has taken nothing of a write that waits (zero if none waits).
    pub fn write_stuck_for(&self) -> Duration {
        match self.write_waiting_since.load(Ordering::SeqCst) {
            0 => Duration::ZERO,
            since => Duration::from_millis(self.now_ms().saturating_sub(since)),
        }
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

/// What the kernel says of a TCP socket's sending side: bytes queued and not yet acknowledged by
/// the peer, and bytes the peer has acknowledged so far. A peer that stops reading closes its
/// TCP window: bytes stay queued and the acknowledged count stops growing, however slowly an
/// honest peer on a bad link would still be moving it. Linux only; `None` elsewhere or on error.
#[cfg(target_os = "linux")]
pub fn tcp_progress(fd: std::os::fd::RawFd) -> Option<(u64, u64)> {
    let mut queued: libc::c_int = 0;
    // SAFETY: TIOCOUTQ (SIOCOUTQ) writes one int through the pointer we pass; a bad fd is an
    // error return, not undefined behaviour.
    if unsafe { libc::ioctl(fd, libc::TIOCOUTQ, &mut queued) } != 0 {
        return None;
    }
    // SAFETY: tcp_info is plain old data; getsockopt writes at most `len` bytes into it and
    // tells how many it wrote.
    let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            (&mut info as *mut libc::tcp_info).cast(),
            &mut len,
        )
    };
    let has_acked = std::mem::offset_of!(libc::tcp_info, tcpi_bytes_acked) + 8;
    if rc != 0 || (len as usize) < has_acked {
        return None;
    }
    Some((queued.max(0) as u64, info.tcpi_bytes_acked))
}

#[cfg(not(target_os = "linux"))]
pub fn tcp_progress(_fd: i32) -> Option<(u64, u64)> {
    None
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
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        match r {
            Poll::Pending => self.switch.write_waits(),
            Poll::Ready(_) => self.switch.write_moved(),
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.switch.write.register(cx.waker());
        if self.switch.is_killed() {
            return Poll::Ready(Err(cut()));
        }
        let r = Pin::new(&mut self.inner).poll_flush(cx);
        match r {
            Poll::Pending => self.switch.write_waits(),
            Poll::Ready(_) => self.switch.write_moved(),
        }
        r
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

    #[cfg(target_os = "linux")]
    #[test]
    fn tcp_progress_sees_a_peer_that_stops_reading() {
        use std::io::Write;
        use std::os::fd::AsRawFd;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut sender = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (_peer, _) = listener.accept().unwrap();
        let fd = sender.as_raw_fd();
        let (queued, _) = tcp_progress(fd).expect("tcp_info on Linux");
        assert_eq!(queued, 0);
        // The peer reads nothing: fill its window and our buffer.
        sender.set_nonblocking(true).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        for _ in 0..1000 {
            if sender.write(&chunk).is_err() {
                break;
            }
        }
        // Once the peer's receive window has grown to its full size and filled…
        std::thread::sleep(std::time::Duration::from_millis(600));
        let (queued, acked) = tcp_progress(fd).unwrap();
        assert!(queued > 0, "bytes wait for the peer");
        // …nothing more is acknowledged.
        std::thread::sleep(std::time::Duration::from_millis(300));
        let (_, acked_later) = tcp_progress(fd).unwrap();
        assert_eq!(acked, acked_later, "nothing more is acknowledged");
    }

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
            assert_eq!(switch.write_stuck_for(), Duration::ZERO);
            let mut s = Killable::new(a, switch.clone());
            let writer = tokio::spawn(async move {
                s.write_all(&[0u8; 16]).await?;
                s.write_all(&[0u8; 16]).await
            });
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            assert!(switch.write_stuck_for() >= Duration::from_millis(30));
            switch.kill();
            let r = tokio::time::timeout(std::time::Duration::from_secs(5), writer)
                .await
                .expect("the write ends")
                .unwrap();
            assert!(r.is_err());
        });
    }
}
