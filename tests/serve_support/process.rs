//! The real `folio serve` binary in the background: started in a home folder of the test's
//! own, its stderr collected as bytes, stopped with SIGTERM.

use std::ffi::OsStr;
use std::io::Read;
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::PATIENCE;

const FOLIO: &str = env!("CARGO_BIN_EXE_folio");

/// `folio serve` running in the background.
pub struct ServeProcess {
    child: Child,
    pub addr: SocketAddr,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl ServeProcess {
    /// Start `folio serve --listen 127.0.0.1:0 ARGS` with `home` as its home and XDG folders;
    /// `files` caps its open files (soft and hard), if given. Returns once it listens.
    pub fn start<S: AsRef<OsStr>>(home: &Path, args: &[S], files: Option<u64>) -> ServeProcess {
        let mut command = Command::new(FOLIO);
        command
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(n) = files {
            // SAFETY: setrlimit is async-signal-safe and touches nothing but the child's limit.
            unsafe {
                command.pre_exec(move || {
                    let limit = libc::rlimit {
                        rlim_cur: n,
                        rlim_max: n,
                    };
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let mut child = command.spawn().expect("start folio serve");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        {
            let stderr = stderr.clone();
            let mut pipe = child.stderr.take().unwrap();
            thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    stderr.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            });
        }
        let start = Instant::now();
        let addr = loop {
            let text = String::from_utf8_lossy(&stderr.lock().unwrap()).into_owned();
            if let Some(rest) = text.split("listening on ").nth(1)
                && let Some(line) = rest.lines().next()
                && rest.contains('\n')
            {
                break line.trim().parse().expect("an address");
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("folio serve exited with {status}:\n{text}");
            }
            assert!(
                start.elapsed() < PATIENCE,
                "folio serve never listened:\n{text}"
            );
            thread::sleep(Duration::from_millis(20));
        };
        ServeProcess {
            child,
            addr,
            stderr,
        }
    }

    /// Everything it has written to stderr so far, as bytes.
    pub fn stderr_bytes(&self) -> Vec<u8> {
        self.stderr.lock().unwrap().clone()
    }

    /// Everything it has written to stderr so far.
    pub fn log(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// Wait until its stderr holds `text`; the whole log then.
    pub fn wait_log(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let log = self.log();
            if log.contains(text) {
                return log;
            }
            assert!(start.elapsed() < PATIENCE, "waited for {text:?}:\n{log}");
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Processor time it has used (user and system), from its /proc stat.
    pub fn cpu(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        // The fields after the command name, which is in parentheses and may hold spaces.
        let fields: Vec<&str> = stat
            .rsplit(')')
            .next()
            .unwrap()
            .split_whitespace()
            .collect();
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        // SAFETY: sysconf only reads a system setting.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
        Duration::from_millis(ticks * 1000 / hz)
    }

    /// SIGTERM, then wait for it to exit (and its last words to be read); its exit code.
    pub fn stop(&mut self) -> Option<i32> {
        // SAFETY: kill(2) on the child we started, with a valid signal.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                thread::sleep(Duration::from_millis(100));
                return status.code();
            }
            if start.elapsed() > PATIENCE {
                let _ = self.child.kill();
                panic!("folio serve did not stop:\n{}", self.log());
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
