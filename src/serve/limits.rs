//! How many connections folio serves at once, in all and from one address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// Counts live connections; a [`Permit`] is one of them.
#[derive(Debug)]
pub struct Limits {
    max_total: usize,
    max_per_address: usize,
    counts: Mutex<Counts>,
}

/// Why a connection was turned away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Full {
    /// `--max-sessions` connections are open.
    Total(usize),
    /// This many connections are open from the same address.
    Address(usize),
}

impl std::fmt::Display for Full {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Full::Total(n) => write!(f, "the server is full ({n} connections)"),
            Full::Address(n) => write!(f, "{n} connections are open from this address"),
        }
    }
}

impl Limits {
    pub fn new(max_total: usize, max_per_address: usize) -> Arc<Limits> {
        Arc::new(Limits {
            max_total: max_total.max(1),
            max_per_address: max_per_address.max(1),
            counts: Mutex::default(),
        })
    }

    /// Count one more connection from `ip`, unless that is one too many.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Permit, Full> {
        let mut c = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if c.total >= self.max_total {
            return Err(Full::Total(c.total));
        }
        let n = c.by_address.entry(ip).or_insert(0);
        if *n >= self.max_per_address {
            return Err(Full::Address(*n));
        }
        *n += 1;
        c.total += 1;
        Ok(Permit {
            limits: self.clone(),
            ip,
        })
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.counts.lock().unwrap_or_else(|e| e.into_inner()).total
    }
}

/// One admitted connection; dropping it makes room for another.
#[derive(Debug)]
pub struct Permit {
    limits: Arc<Limits>,
    ip: IpAddr,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut c = self.limits.counts.lock().unwrap_or_else(|e| e.into_inner());
        c.total -= 1;
        if let Some(n) = c.by_address.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                c.by_address.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_in_all_and_per_address_and_frees_on_drop() {
        let limits = Limits::new(3, 2);
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        let p1 = limits.admit(a).unwrap();
        let _p2 = limits.admit(a).unwrap();
        assert_eq!(limits.admit(a).unwrap_err(), Full::Address(2));
        let _p3 = limits.admit(b).unwrap();
        assert_eq!(limits.admit(b).unwrap_err(), Full::Total(3));
        drop(p1);
        assert_eq!(limits.open(), 2);
        let _p4 = limits.admit(a).unwrap();
    }
}
