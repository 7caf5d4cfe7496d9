//! How many connections folio serves at once.
//!
//! Two kinds of connection are counted apart, because a client pays very differently for each:
//!
//! - A **startup** is a connection that has not authenticated yet. Opening one costs a client
//!   nothing but a TCP handshake, so startups never hold a place a reader needs. They are capped
//!   as OpenSSH's `MaxStartups start:rate:full` caps them, with one difference: when there are
//!   too many, the one dropped is not the newcomer but the startup that has made the least
//!   progress (never even sent an SSH greeting), oldest first. Dropping newcomers, as OpenSSH
//!   does, lets whoever holds the places keep them until their deadline, and take them again by
//!   reconnecting; dropping the stalest lets a client that is actually handshaking (a few round
//!   trips) through, while holding places means opening ever more connections.
//! - A **session** is an authenticated connection, counted against `--max-sessions` and
//!   `--max-per-address` from authentication until both its connection and its reader thread
//!   have ended, so a reader still busy after its client left keeps its place.
//!
//! An address that already holds its share of sessions, or a server that is full, is refused at
//! once: no handshake could end in a session.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

/// How startups are capped: `start:rate:full` as OpenSSH's `MaxStartups`, and a cap per address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Startups {
    /// Below this many startups, nothing is dropped.
    pub start: usize,
    /// With `start` startups, a new one drops a stale one with this probability (percent),
    /// rising linearly to certainty at `full`.
    pub rate: u8,
    /// Never more than this many startups.
    pub full: usize,
    /// Never more than this many startups from one address; its next drops its own stalest.
    pub per_address: usize,
}

impl Startups {
    /// OpenSSH's 10:30:100, scaled so that as many clients as there are sessions can handshake
    /// at once without anyone being dropped.
    pub fn scaled(max_sessions: usize, max_per_address: usize) -> Startups {
        let start = max_sessions.max(10);
        Startups {
            start,
            rate: 30,
            full: (start * 2).max(100),
            per_address: (max_per_address * 2).max(10),
        }
    }

    /// Read `START:RATE:FULL` (as OpenSSH's `MaxStartups`), keeping `per_address`.
    pub fn with_spec(self, spec: &str) -> Result<Startups, String> {
        let bad = || format!("expected START:RATE:FULL, such as 10:30:100; got {spec:?}");
        let parts: Vec<&str> = spec.split(':').collect();
        let [start, rate, full] = parts[..] else {
            return Err(bad());
        };
        let start: usize = start.parse().map_err(|_| bad())?;
        let rate: u8 = rate.parse().map_err(|_| bad())?;
        let full: usize = full.parse().map_err(|_| bad())?;
        if start == 0 || rate > 100 || full < start {
            return Err(format!(
                "in {spec:?}, START must be at least 1, RATE at most 100 and FULL at least START"
            ));
        }
        Ok(Startups {
            start,
            rate,
            full,
            ..self
        })
    }

    /// The chance, in thousandths, that a new startup drops a stale one when `n` are open.
    fn drop_chance(&self, n: usize) -> u32 {
        if n < self.start {
            return 0;
        }
        if n >= self.full {
            return 1000;
        }
        let rate = u64::from(self.rate.min(100)) * 10;
        let over = (n - self.start) as u64;
        let span = (self.full - self.start) as u64;
        (rate + (1000 - rate) * over / span) as u32
    }
}

/// Why a connection was turned away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Full {
    /// `--max-sessions` sessions are open.
    Total(usize),
    /// This many sessions are open from the same address.
    Address(usize),
}

impl Full {
    /// What the client is told.
    pub fn reason(self) -> &'static str {
        match self {
            Full::Total(_) => "the server is full; try again later",
            Full::Address(_) => "too many sessions from your address; try again later",
        }
    }
}

impl fmt::Display for Full {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Full::Total(n) => write!(f, "the server is full ({n} connections)"),
            Full::Address(n) => write!(f, "{n} connections are open from this address"),
        }
    }
}

/// Why a startup was dropped to make room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Crowded {
    /// Its address opened more startups than it may hold.
    Address,
    /// The server holds as many startups as it takes (or randomly, nearly so).
    Server,
    /// The server ran out of file descriptors.
    Descriptors,
}

impl fmt::Display for Crowded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Crowded::Address => "its address opened too many unauthenticated connections",
            Crowded::Server => "too many unauthenticated connections",
            Crowded::Descriptors => "the server ran out of file descriptors",
        })
    }
}

/// What to call to cut a startup that must make room; it is given why.
pub type Cut = Arc<dyn Fn(Crowded) + Send + Sync>;

struct Waiting {
    ip: IpAddr,
    /// It sent its SSH greeting.
    greeted: bool,
    /// It authenticated but was refused a session, and is only being seen out.
    refused: bool,
    cut: Cut,
}

#[derive(Default)]
struct Counts {
    sessions: usize,
    sessions_by_address: HashMap<IpAddr, usize>,
    /// Startups by ticket: the order they came in.
    startups: BTreeMap<u64, Waiting>,
    startups_by_address: HashMap<IpAddr, usize>,
    next_ticket: u64,
}

impl Counts {
    fn forget_startup(&mut self, ticket: u64) -> Option<Waiting> {
        let waiting = self.startups.remove(&ticket)?;
        decrement(&mut self.startups_by_address, waiting.ip);
        Some(waiting)
    }

    /// The startup to drop first: one already refused, then one that never greeted, then any;
    /// the oldest of its kind. From `ip` only, if given.
    fn stalest(&self, ip: Option<IpAddr>) -> Option<u64> {
        let candidates = || {
            self.startups
                .iter()
                .filter(move |(_, w)| ip.is_none_or(|ip| w.ip == ip))
        };
        candidates()
            .find(|(_, w)| w.refused)
            .or_else(|| candidates().find(|(_, w)| !w.greeted))
            .or_else(|| candidates().next())
            .map(|(&t, _)| t)
    }

    fn session_room(&self, ip: IpAddr, limits: &Limits) -> Result<(), Full> {
        if self.sessions >= limits.max_total {
            return Err(Full::Total(self.sessions));
        }
        let n = self.sessions_by_address.get(&ip).copied().unwrap_or(0);
        if n >= limits.max_per_address {
            return Err(Full::Address(n));
        }
        Ok(())
    }
}

fn decrement(map: &mut HashMap<IpAddr, usize>, ip: IpAddr) {
    if let Some(n) = map.get_mut(&ip) {
        *n -= 1;
        if *n == 0 {
            map.remove(&ip);
        }
    }
}

/// Counts startups and sessions; a [`Startup`] or [`SessionPermit`] is one of them.
pub struct Limits {
    max_total: usize,
    max_per_address: usize,
    startups: Startups,
    counts: Mutex<Counts>,
}

impl fmt::Debug for Limits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Limits")
            .field("max_total", &self.max_total)
            .field("max_per_address", &self.max_per_address)
            .field("startups", &self.startups)
            .finish_non_exhaustive()
    }
}

/// A new connection was let in.
pub struct Admitted {
    pub startup: Startup,
    /// A startup dropped to make room for it: cut it (it has been forgotten already).
    pub dropped: Option<(Cut, Crowded)>,
}

impl Limits {
    pub fn new(max_total: usize, max_per_address: usize, startups: Startups) -> Arc<Limits> {
        let full = startups.full.max(1);
        Arc::new(Limits {
            max_total: max_total.max(1),
            max_per_address: max_per_address.max(1),
            startups: Startups {
                start: startups.start.clamp(1, full),
                full,
                per_address: startups.per_address.max(1),
                ..startups
            },
            counts: Mutex::default(),
        })
    }

    fn counts(&self) -> MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Let in a new connection from `ip`, unless no session could come of it. `cut` ends it if
    /// it must make room later.
    pub fn admit(self: &Arc<Self>, ip: IpAddr, cut: Cut) -> Result<Admitted, Full> {
        let roll = getrandom::u32().unwrap_or(0) % 1000;
        self.admit_rolled(ip, cut, roll)
    }

    /// [`Limits::admit`] with the dice (0..1000) already rolled.
    pub fn admit_rolled(
        self: &Arc<Self>,
        ip: IpAddr,
        cut: Cut,
        roll: u32,
    ) -> Result<Admitted, Full> {
        let mut c = self.counts();
        c.session_room(ip, self)?;
        let from_ip = c.startups_by_address.get(&ip).copied().unwrap_or(0);
        let victim = if from_ip >= self.startups.per_address {
            c.stalest(Some(ip)).map(|t| (t, Crowded::Address))
        } else if roll < self.startups.drop_chance(c.startups.len()) {
            c.stalest(None).map(|t| (t, Crowded::Server))
        } else {
            None
        };
        let dropped = victim.and_then(|(t, why)| c.forget_startup(t).map(|w| (w.cut, why)));
        let ticket = c.next_ticket;
        c.next_ticket += 1;
        c.startups.insert(
            ticket,
            Waiting {
                ip,
                greeted: false,
                refused: false,
                cut,
            },
        );
        *c.startups_by_address.entry(ip).or_insert(0) += 1;
        Ok(Admitted {
            startup: Startup {
                limits: self.clone(),
                ticket,
                ip,
            },
            dropped,
        })
    }

    /// Forget the stalest startup and hand back its cut, to free what it holds.
    pub fn drop_stalest(&self) -> Option<Cut> {
        let mut c = self.counts();
        let ticket = c.stalest(None)?;
        c.forget_startup(ticket).map(|w| w.cut)
    }

    /// The startup sent its SSH greeting.
    pub fn greeted(&self, startup: &Startup) {
        if let Some(w) = self.counts().startups.get_mut(&startup.ticket) {
            w.greeted = true;
        }
    }

    /// The startup authenticated: make it a session, if there is room for one. If not, it stays
    /// a startup (first in line to be dropped) until its connection has closed.
    pub fn authenticate(self: &Arc<Self>, startup: &Startup) -> Result<SessionPermit, Full> {
        let mut c = self.counts();
        if let Err(full) = c.session_room(startup.ip, self) {
            if let Some(w) = c.startups.get_mut(&startup.ticket) {
                w.refused = true;
            }
            return Err(full);
        }
        c.forget_startup(startup.ticket);
        c.sessions += 1;
        *c.sessions_by_address.entry(startup.ip).or_insert(0) += 1;
        Ok(SessionPermit {
            limits: self.clone(),
            ip: startup.ip,
        })
    }

    /// Connections open now: startups and sessions.
    pub fn open(&self) -> usize {
        let c = self.counts();
        c.startups.len() + c.sessions
    }

    /// Sessions open now (a session whose reader is still ending counts).
    pub fn sessions(&self) -> usize {
        self.counts().sessions
    }

    /// Connections that have not authenticated yet.
    pub fn startups(&self) -> usize {
        self.counts().startups.len()
    }
}

/// One connection that has not authenticated; dropping it makes room for another.
pub struct Startup {
    limits: Arc<Limits>,
    ticket: u64,
    ip: IpAddr,
}

impl Drop for Startup {
    fn drop(&mut self) {
        self.limits.counts().forget_startup(self.ticket);
    }
}

/// One session; dropping it makes room for another.
pub struct SessionPermit {
    limits: Arc<Limits>,
    ip: IpAddr,
}

impl Drop for SessionPermit {
    fn drop(&mut self) {
        let mut c = self.limits.counts();
        c.sessions -= 1;
        decrement(&mut c.sessions_by_address, self.ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const A: &str = "127.0.0.1";
    const B: &str = "127.0.0.2";

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    /// A cut that counts how often it was called, and a log of why.
    fn counted() -> (Cut, Arc<AtomicUsize>) {
        let n = Arc::new(AtomicUsize::new(0));
        let m = n.clone();
        (
            Arc::new(move |_| {
                m.fetch_add(1, Ordering::SeqCst);
            }),
            n,
        )
    }

    fn startups(start: usize, rate: u8, full: usize, per_address: usize) -> Startups {
        Startups {
            start,
            rate,
            full,
            per_address,
        }
    }

    #[test]
    fn sessions_are_capped_in_all_and_per_address_and_freed_on_drop() {
        let limits = Limits::new(3, 2, Startups::scaled(3, 2));
        let (cut, _) = counted();
        let session = |a: &str| {
            let s = limits.admit_rolled(ip(a), cut.clone(), 999)?.startup;
            limits.authenticate(&s)
        };
        let s1 = session(A).unwrap();
        let _s2 = session(A).unwrap();
        assert_eq!(session(A).err(), Some(Full::Address(2)));
        let _s3 = session(B).unwrap();
        assert_eq!(session(B).err(), Some(Full::Total(3)));
        assert_eq!(limits.sessions(), 3);
        assert_eq!(
            limits.startups(),
            0,
            "a refused startup is gone once dropped"
        );
        drop(s1);
        assert_eq!(limits.open(), 2);
        let _s4 = session(A).unwrap();
    }

    #[test]
    fn an_address_holding_its_sessions_is_refused_at_once() {
        let limits = Limits::new(10, 1, Startups::scaled(10, 1));
        let (cut, _) = counted();
        let first = limits.admit_rolled(ip(A), cut.clone(), 999).unwrap();
        let _session = limits.authenticate(&first.startup).unwrap();
        assert_eq!(
            limits
                .admit_rolled(ip(A), cut.clone(), 999)
                .err()
                .map(|f| f.reason()),
            Some("too many sessions from your address; try again later")
        );
        assert!(limits.admit_rolled(ip(B), cut, 999).is_ok());
    }

    #[test]
    fn startups_never_take_a_sessions_place() {
        // Many silent connections from one address: none of them is a session, so the address
        // still gets its sessions.
        let limits = Limits::new(2, 2, startups(4, 30, 8, 4));
        let (cut, cuts) = counted();
        let mut silent = Vec::new();
        for _ in 0..50 {
            let a = limits.admit_rolled(ip(A), cut.clone(), 999).unwrap();
            if let Some((cut, why)) = a.dropped {
                assert_eq!(why, Crowded::Address);
                cut(why);
            }
            silent.push(a.startup);
        }
        assert_eq!(cuts.load(Ordering::SeqCst), 46);
        assert_eq!(limits.startups(), 4);
        let reader = limits.admit_rolled(ip(A), cut, 999).unwrap();
        assert!(
            reader.dropped.is_some(),
            "room is made by dropping a silent one"
        );
        let _session = limits.authenticate(&reader.startup).unwrap();
        assert_eq!(limits.sessions(), 1);
    }

    #[test]
    fn the_stalest_startup_is_dropped_first() {
        let limits = Limits::new(10, 10, startups(3, 100, 4, 100));
        let cuts: Arc<Mutex<Vec<usize>>> = Arc::default();
        let admit = |n: usize| {
            let log = cuts.clone();
            let cut: Cut = Arc::new(move |_| log.lock().unwrap().push(n));
            let a = limits.admit_rolled(ip(A), cut, 999).unwrap();
            if let Some((cut, why)) = a.dropped {
                cut(why);
            }
            a.startup
        };
        let s0 = admit(0);
        let s1 = admit(1);
        let _s2 = admit(2);
        // 0 and 1 greeted; 2 never does.
        limits.greeted(&s0);
        limits.greeted(&s1);
        // With 3 open (start, rate 100%): someone must go, and the silent one goes first.
        let s3 = admit(3);
        assert_eq!(*cuts.lock().unwrap(), vec![2]);
        limits.greeted(&s3);
        // Then the oldest of those that greeted.
        let _s4 = admit(4);
        assert_eq!(*cuts.lock().unwrap(), vec![2, 0]);
    }

    #[test]
    fn a_startup_refused_a_session_goes_before_any_other() {
        let limits = Limits::new(1, 1, startups(2, 100, 3, 100));
        let (cut, _) = counted();
        let holder = limits
            .admit_rolled(ip(A), cut.clone(), 999)
            .unwrap()
            .startup;
        let late = limits
            .admit_rolled(ip(B), cut.clone(), 999)
            .unwrap()
            .startup;
        let _session = limits.authenticate(&holder).unwrap();
        assert_eq!(limits.authenticate(&late).err(), Some(Full::Total(1)));
        let silent = limits.admit_rolled(ip(B), cut.clone(), 999).err();
        assert_eq!(
            silent,
            Some(Full::Total(1)),
            "a full server refuses at once"
        );
        drop(_session);
        let _silent = limits
            .admit_rolled(ip(B), cut.clone(), 999)
            .unwrap()
            .startup;
        let n = limits.admit_rolled(ip(B), cut, 999).unwrap();
        assert!(n.dropped.is_some());
        // The refused one was dropped (it is gone from the count), not the silent newer one.
        drop(late);
        assert_eq!(limits.startups(), 2);
    }

    #[test]
    fn drop_chance_rises_from_rate_at_start_to_certainty_at_full() {
        let s = startups(10, 30, 100, 10);
        assert_eq!(s.drop_chance(9), 0);
        assert_eq!(s.drop_chance(10), 300);
        assert_eq!(s.drop_chance(55), 650);
        assert_eq!(s.drop_chance(100), 1000);
        assert_eq!(s.drop_chance(500), 1000);
        // Below the chance, a stale one is dropped; above, nobody is.
        let limits = Limits::new(100, 100, startups(1, 30, 100, 100));
        let (cut, _) = counted();
        let _first = limits.admit_rolled(ip(A), cut.clone(), 0).unwrap();
        assert!(
            limits
                .admit_rolled(ip(B), cut.clone(), 299)
                .unwrap()
                .dropped
                .is_some()
        );
        let _second = limits.admit_rolled(ip(B), cut.clone(), 999).unwrap();
        assert!(
            limits
                .admit_rolled(ip(B), cut, 999)
                .unwrap()
                .dropped
                .is_none()
        );
    }

    #[test]
    fn startups_never_exceed_full() {
        let limits = Limits::new(100, 1000, startups(5, 30, 20, 1000));
        let (cut, cuts) = counted();
        let mut held = Vec::new();
        for i in 0..200u32 {
            let a = limits
                .admit_rolled(ip(A), cut.clone(), (i * 7919) % 1000)
                .unwrap();
            if let Some((cut, why)) = a.dropped {
                cut(why);
            }
            held.push(a.startup);
            assert!(limits.startups() <= 20);
        }
        assert_eq!(cuts.load(Ordering::SeqCst) + limits.startups(), 200);
    }

    #[test]
    fn max_startups_specs_are_read() {
        let base = Startups::scaled(64, 8);
        assert_eq!(base.start, 64);
        assert_eq!(base.full, 128);
        assert_eq!(base.per_address, 16);
        let s = base.with_spec("10:30:100").unwrap();
        assert_eq!((s.start, s.rate, s.full, s.per_address), (10, 30, 100, 16));
        for bad in [
            "10:30",
            "a:b:c",
            "10:101:100",
            "100:30:10",
            "0:30:10",
            "1:2:3:4",
        ] {
            assert!(base.with_spec(bad).is_err(), "{bad}");
        }
    }
}
