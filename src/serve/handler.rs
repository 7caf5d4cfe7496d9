//! The SSH side of one connection: authentication, and the one thing a client may do, which is
//! to open a session channel, ask for a pty and a shell, and get the reader. Commands,
//! subsystems (sftp), port forwarding, agent and X11 forwarding are all refused with a failure
//! reply, and where the client can show it, a line saying why.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use russh::keys::PublicKey;
use russh::server::{Auth, ChannelOpenHandle, Handler, Msg, PublicKeyOffer, VerifiedPublicKey};
use russh::{
    Channel, ChannelId, ChannelOpenFailure, ChannelWriteHalf, Disconnect, MethodKind, MethodSet,
    Pty,
};

use super::conn::{Conn, Early, End};
use super::reader::{self, ReaderInput};
use super::{Access, Shared, clamp_size, fingerprint, is_allowed};

/// The session channel, from open to close.
struct Chan {
    id: ChannelId,
    /// Taken by the reader when it starts.
    writer: Option<ChannelWriteHalf<Msg>>,
    pty: Option<(u16, u16)>,
    /// The client's terminal type, from its pty request (for colours).
    term: String,
    reader: Option<ReaderInput>,
}

/// russh's handler for one connection.
pub(crate) struct Session {
    conn: Arc<Conn>,
    shared: Arc<Shared>,
    chan: Option<Chan>,
}

/// Stderr, for the lines that say why a request was refused.
const STDERR: u32 = 1;

impl Session {
    /// Refuse a channel the reader has no use for, and log it.
    async fn refuse_channel(
        &self,
        reply: ChannelOpenHandle,
        what: &str,
    ) -> Result<(), russh::Error> {
        self.log(what);
        reply
            .reject(ChannelOpenFailure::AdministrativelyProhibited)
            .await;
        Ok(())
    }

    pub fn new(conn: Arc<Conn>, shared: Arc<Shared>) -> Session {
        Session {
            conn,
            shared,
            chan: None,
        }
    }

    fn log(&self, what: &str) {
        self.shared
            .options
            .log
            .line(&format!("#{} {what}", self.conn.id));
    }

    fn our_channel(&mut self, id: ChannelId) -> Option<&mut Chan> {
        self.chan.as_mut().filter(|c| c.id == id)
    }

    fn allowed(&self, key: &PublicKey) -> bool {
        match &self.shared.options.access {
            Access::Anonymous => true,
            Access::Keys(keys) => is_allowed(keys, key),
        }
    }

    fn remember(&self, who: String) {
        *self.conn.who.lock().unwrap_or_else(|e| e.into_inner()) = who;
    }

    /// Refuse a channel request with a failure reply and a line on the client's stderr.
    fn refuse(
        &mut self,
        channel: ChannelId,
        session: &mut russh::server::Session,
        what: &str,
        why: &str,
    ) -> Result<(), russh::Error> {
        self.log(&format!("refused {what}"));
        session.extended_data(channel, STDERR, format!("folio: {why}\r\n").into_bytes())?;
        session.channel_failure(channel)
    }

    fn anonymous(&self) -> bool {
        matches!(self.shared.options.access, Access::Anonymous)
    }

    /// Refuse this attempt, naming the methods that may work: a key, and with `--anonymous`
    /// keyboard-interactive (which asks nothing).
    fn reject(&self) -> Auth {
        let methods: &[MethodKind] = if self.anonymous() {
            &[MethodKind::PublicKey, MethodKind::KeyboardInteractive]
        } else {
            &[MethodKind::PublicKey]
        };
        Auth::Reject {
            proceed_with_methods: Some(MethodSet::from(methods)),
            partial_success: false,
        }
    }

    fn stop_reader(&mut self, end: End) {
        if self.chan.as_ref().is_some_and(|c| c.reader.is_some()) {
            self.conn.request_stop(end);
        }
    }
}

/// A name from the client as the log shows it: [`super::printable`], and short.
fn printable(s: &str) -> String {
    let mut shown = super::printable(&s.chars().take(32).collect::<String>());
    if s.chars().nth(32).is_some() {
        shown.push('…');
    }
    shown
}

impl Handler for Session {
    type Error = russh::Error;

    /// Never enough, even with `--anonymous`: OpenSSH opens with "none" and would stop there,
    /// never offering the keys its user holds, so a reader with a key would lose their reading
    /// state (see [`super::state`]). Refused, it tries its keys, and then keyboard-interactive,
    /// which lets anyone in without a question when the server is anonymous.
    async fn auth_none(&mut self, _user: &str) -> Result<Auth, Self::Error> {
        Ok(self.reject())
    }

    /// With `--anonymous`: in at once, asked nothing. A reader who comes in this way has no
    /// key, and their reading state lasts their session.
    async fn auth_keyboard_interactive<'a>(
        &'a mut self,
        user: &str,
        _submethods: &str,
        _response: Option<russh::server::Response<'a>>,
    ) -> Result<Auth, Self::Error> {
        if self.anonymous() {
            self.remember(format!("user={} anonymous", printable(user)));
            Ok(Auth::Accept)
        } else {
            Ok(self.reject())
        }
    }

    /// Every offered key may go on to a signature. Access is decided only in
    /// [`Handler::auth_publickey`], once the client has proved it holds the key; answering offers
    /// alike also keeps the server from telling anyone which public keys it would let in.
    async fn auth_publickey_offered(
        &mut self,
        _user: &str,
        _offer: PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        Ok(Auth::Accept)
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        let print = fingerprint(key.public_key);
        if self.allowed(key.public_key) {
            self.remember(format!("user={} key={print}", printable(user)));
            // Their reading state is kept under this key (see `super::state`).
            *self.conn.key.lock().unwrap_or_else(|e| e.into_inner()) = Some(print);
            Ok(Auth::Accept)
        } else {
            self.log(&format!(
                "rejected key {print} for user={}",
                printable(user)
            ));
            Ok(self.reject())
        }
    }

    /// The client is who it says and may read: give it a session's place, or tell it why not.
    async fn auth_succeeded(
        &mut self,
        session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        let conn = &self.conn;
        let admitted = {
            let startup = conn.startup.lock().unwrap_or_else(|e| e.into_inner());
            match startup.as_ref() {
                Some(startup) => self.shared.limits.authenticate(startup),
                // Never authenticated twice; treat it as the server being full.
                None => Err(super::limits::Full::Total(self.shared.limits.sessions())),
            }
        };
        match admitted {
            Ok(permit) => {
                *conn.session.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(permit));
                // Its startup place is free now.
                conn.startup
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take();
                conn.authenticated.fire();
                self.log(&format!(
                    "connected from {} and authenticated {}",
                    conn.peer,
                    conn.who()
                ));
            }
            Err(full) => {
                conn.close_early(Early::Refused(full));
                session.disconnect(Disconnect::TooManyConnections, full.reason(), "")?;
                conn.refused.fire();
            }
        }
        Ok(())
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        if self.chan.is_some() {
            self.log("refused a second session channel");
            reply
                .reject(ChannelOpenFailure::Other {
                    code: 4,
                    reason: "folio serves one reader per connection".into(),
                })
                .await;
            return Ok(());
        }
        let id = channel.id();
        // Requests and data reach us through the handler's callbacks; only the writing half
        // is kept. Dropping the reading half means nothing queues up for it.
        let (read, write) = channel.split();
        drop(read);
        self.chan = Some(Chan {
            id,
            writer: Some(write),
            pty: None,
            term: String::new(),
            reader: None,
        });
        reply.accept().await;
        Ok(())
    }

    async fn channel_open_x11(
        &mut self,
        _channel: Channel<Msg>,
        _originator_address: &str,
        _originator_port: u32,
        reply: ChannelOpenHandle,
        _session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        self.refuse_channel(reply, "refused an X11 channel").await
    }

    async fn channel_open_direct_tcpip(
        &mut self,
        _channel: Channel<Msg>,
        _host_to_connect: &str,
        _port_to_connect: u32,
        _originator_address: &str,
        _originator_port: u32,
        reply: ChannelOpenHandle,
        _session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        self.refuse_channel(reply, "refused port forwarding (direct-tcpip)")
            .await
    }

    async fn channel_open_forwarded_tcpip(
        &mut self,
        _channel: Channel<Msg>,
        _host_to_connect: &str,
        _port_to_connect: u32,
        _originator_address: &str,
        _originator_port: u32,
        reply: ChannelOpenHandle,
        _session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        self.refuse_channel(reply, "refused a forwarded-tcpip channel")
            .await
    }

    async fn channel_open_direct_streamlocal(
        &mut self,
        _channel: Channel<Msg>,
        _socket_path: &str,
        reply: ChannelOpenHandle,
        _session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        self.refuse_channel(reply, "refused socket forwarding (direct-streamlocal)")
            .await
    }

    async fn tcpip_forward(
        &mut self,
        _address: &str,
        _port: &mut u32,
        _session: &mut russh::server::Session,
    ) -> Result<bool, Self::Error> {
        self.log("refused remote port forwarding (tcpip-forward)");
        Ok(false)
    }

    async fn streamlocal_forward(
        &mut self,
        _socket_path: &str,
        _session: &mut russh::server::Session,
    ) -> Result<bool, Self::Error> {
        self.log("refused remote socket forwarding (streamlocal-forward)");
        Ok(false)
    }

    async fn agent_request(
        &mut self,
        _channel: ChannelId,
        _session: &mut russh::server::Session,
    ) -> Result<bool, Self::Error> {
        self.log("refused agent forwarding");
        Ok(false)
    }

    async fn x11_request(
        &mut self,
        channel: ChannelId,
        _single_connection: bool,
        _x11_auth_protocol: &str,
        _x11_auth_cookie: &str,
        _x11_screen_number: u32,
        session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        self.log("refused X11 forwarding");
        session.channel_failure(channel)
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        _variable_name: &str,
        _variable_value: &str,
        session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        // Nothing runs that could use it.
        session.channel_failure(channel)
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        term: &str,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(Pty, u32)],
        session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        match self.our_channel(channel) {
            Some(chan) if chan.reader.is_none() => {
                chan.pty = Some(clamp_size(col_width, row_height));
                // A terminal type is a short name; keep no more than one.
                chan.term = term.chars().take(64).collect();
                session.channel_success(channel)
            }
            _ => session.channel_failure(channel),
        }
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        let Some(chan) = self.our_channel(channel) else {
            return session.channel_failure(channel);
        };
        if chan.reader.is_some() {
            return session.channel_failure(channel);
        }
        let Some(size) = chan.pty else {
            self.refuse(
                channel,
                session,
                "a shell without a pty",
                "the reader needs a terminal; connect with ssh -t",
            )?;
            session.eof(channel)?;
            return session.close(channel);
        };
        let Some(writer) = chan.writer.take() else {
            return session.channel_failure(channel);
        };
        let term = chan.term.clone();
        match reader::start(self.conn.clone(), self.shared.clone(), writer, size, term) {
            Ok(input) => {
                if let Some(chan) = self.our_channel(channel) {
                    chan.reader = Some(input);
                }
                *self.conn.size.lock().unwrap_or_else(|e| e.into_inner()) = Some(size);
                self.conn.touch();
                self.log(&format!("reader started {}x{}", size.0, size.1));
                session.channel_success(channel)
            }
            Err(e) => {
                self.log(&format!("could not start a reader: {e}"));
                session.extended_data(
                    channel,
                    STDERR,
                    b"folio: the server is too busy; try again later\r\n".to_vec(),
                )?;
                session.channel_failure(channel)?;
                session.close(channel)
            }
        }
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        _data: &[u8],
        session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        self.refuse(
            channel,
            session,
            "a command (exec)",
            "this server shows the reader only; it runs no commands",
        )
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        let what = format!("subsystem {}", printable(name));
        self.refuse(
            channel,
            session,
            &what,
            "this server shows the reader only; it has no subsystems",
        )
    }

    async fn window_change_request(
        &mut self,
        channel: ChannelId,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        // Not input: a window change does not keep a connection from the idle timeout. Only
        // the latest size waits for the reader (a watch channel keeps one value).
        let size = clamp_size(col_width, row_height);
        if let Some(chan) = self.our_channel(channel) {
            match &chan.reader {
                Some(reader) => {
                    let _ = reader.size.send(size);
                }
                None => {
                    if chan.pty.is_some() {
                        chan.pty = Some(size);
                    }
                }
            }
        }
        Ok(())
    }

    async fn data(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        _session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        self.conn.touch();
        let Some(packets) = self
            .our_channel(channel)
            .and_then(|c| c.reader.as_ref())
            .map(|r| r.packets.clone())
        else {
            return Ok(());
        };
        // Waiting here while the queue is full stops this connection's reading, so a client
        // that sends faster than its input is decoded is held back by TCP instead of queued
        // without end. The decoder never waits (it drops keys the reader has no room for), so
        // the wait is short. No packet is dropped: a lost one could hold the end of a paste.
        let _ = packets.send(data.to_vec()).await;
        Ok(())
    }

    async fn channel_eof(
        &mut self,
        channel: ChannelId,
        _session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        if self.our_channel(channel).is_some() {
            self.stop_reader(End::ClientLeft);
        }
        Ok(())
    }

    async fn channel_close(
        &mut self,
        channel: ChannelId,
        _session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        if self.our_channel(channel).is_some() {
            self.stop_reader(End::ClientLeft);
            // Only one reader per connection: once its channel is gone there is nothing more
            // this connection can do.
            if !self.conn.reader_started.load(Ordering::SeqCst) {
                self.conn.reader_done.fire();
            }
        }
        Ok(())
    }
}
