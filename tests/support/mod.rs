//! Run the real `folio` binary in a pseudo-terminal and read its screen through a terminal
//! emulator, as a user would see it.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// How long to wait for the screen to show something before failing. Generous: CI machines are
/// shared and slow; this is a deadlock guard, not a speed target.
pub const PATIENCE: Duration = Duration::from_secs(30);

pub struct Pty {
    parser: Arc<Mutex<vt100::Parser>>,
    /// Every byte folio wrote, to check the modes it set and reset.
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
    /// The temporary home folio runs with, removed when the test ends.
    _home: Option<tempfile::TempDir>,
    /// When the program last wrote, and when keys were last sent: how long a screen has been
    /// quiet (the benchmarks time steps by it).
    last_output: Arc<Mutex<Instant>>,
    sent: Instant,
    /// A condition on the screen checked as each piece of output arrives, and when output first
    /// met it; and whether the program's side has closed. For timing to the byte.
    watch: Arc<(Mutex<Watch>, std::sync::Condvar)>,
}

/// A condition on the screen.
type ScreenCheck = Box<dyn Fn(&vt100::Screen) -> bool + Send>;

/// What [`Pty::wait_met`] waits for, kept by the reader thread.
#[derive(Default)]
struct Watch {
    check: Option<ScreenCheck>,
    met: Option<Instant>,
    closed: bool,
}

impl Pty {
    /// Start folio with `args` in a `cols`×`rows` terminal, with an empty home so no user config
    /// or state leaks in.
    pub fn spawn(args: &[&str], cols: u16, rows: u16) -> Pty {
        let home = tempfile::tempdir().expect("temp home");
        Pty::spawn_in(args, cols, rows, home)
    }

    /// Start folio with extra environment variables.
    pub fn spawn_env(args: &[&str], cols: u16, rows: u16, env: &[(&str, &str)]) -> Pty {
        let home = tempfile::tempdir().expect("temp home");
        Pty::spawn_with(args, cols, rows, home, env)
    }

    pub fn spawn_in(args: &[&str], cols: u16, rows: u16, home: tempfile::TempDir) -> Pty {
        Pty::spawn_with(args, cols, rows, home, &[])
    }

    pub fn spawn_with(
        args: &[&str],
        cols: u16,
        rows: u16,
        home: tempfile::TempDir,
        env: &[(&str, &str)],
    ) -> Pty {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_folio"));
        cmd.args(args);
        Pty::clean_env(&mut cmd, &home, env);
        Pty::start(cmd, cols, rows, Some(home))
    }

    /// Start an interactive shell with job control (`sh -i`), in the same clean environment,
    /// whose prompt is [`PROMPT`]. Start folio in it with [`Pty::start_folio`], so that Ctrl-z
    /// and `fg` work as they do for a user.
    pub fn shell(cols: u16, rows: u16) -> Pty {
        let home = tempfile::tempdir().expect("temp home");
        let mut cmd = CommandBuilder::new("sh");
        cmd.arg("-i");
        Pty::clean_env(&mut cmd, &home, &[("PS1", PROMPT)]);
        cmd.env_remove("ENV");
        let pty = Pty::start(cmd, cols, rows, Some(home));
        pty.wait_for(PROMPT);
        pty
    }

    /// In a [`Pty::shell`], type the command that starts folio with `args`; returns folio's pid
    /// once it has drawn its first frame.
    pub fn start_folio(&mut self, args: &[&str]) -> u32 {
        let mut line = shell_quote(env!("CARGO_BIN_EXE_folio"));
        for arg in args {
            line.push(' ');
            line.push_str(&shell_quote(arg));
        }
        line.push('\r');
        self.send(&line);
        let shell = self.pid();
        let start = Instant::now();
        let folio = loop {
            if let Some(pid) = child_of(shell) {
                break pid;
            }
            if start.elapsed() > PATIENCE {
                panic!("folio did not start; the screen shows:\n{}", self.screen());
            }
            thread::sleep(Duration::from_millis(20));
        };
        self.wait_until("folio's first frame", |s| s.contains(" help"));
        folio
    }

    fn clean_env(cmd: &mut CommandBuilder, home: &tempfile::TempDir, env: &[(&str, &str)]) {
        cmd.env("TERM", "xterm-256color");
        cmd.env("LANG", "C.UTF-8");
        cmd.env_remove("LC_ALL");
        cmd.env_remove("LC_CTYPE");
        cmd.env("HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", home.path().join("config"));
        cmd.env("XDG_STATE_HOME", home.path().join("state"));
        cmd.env("XDG_DATA_HOME", home.path().join("data"));
        cmd.env("XDG_CACHE_HOME", home.path().join("cache"));
        cmd.env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
    }

    /// Run another program (e.g. OpenSSH's `ssh`) in a `cols`×`rows` terminal with `home` as
    /// its home.
    pub fn spawn_program(program: &str, args: &[String], cols: u16, rows: u16, home: &Path) -> Pty {
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home);
        cmd.env_remove("SSH_AUTH_SOCK");
        Pty::start(cmd, cols, rows, None)
    }

    /// A command with a clean environment whose home is `home`: no user config, state, cache,
    /// history or pager options, a UTF-8 locale, a common terminal type. What the benchmarks
    /// run folio and its peers with, so both see the same.
    pub fn clean_command(
        program: &Path,
        args: &[impl AsRef<std::ffi::OsStr>],
        home: &Path,
    ) -> CommandBuilder {
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.env_clear();
        cmd.env("PATH", std::env::var_os("PATH").unwrap_or_default());
        cmd.env("TERM", "xterm-256color");
        cmd.env("LANG", "C.UTF-8");
        cmd.env("LC_ALL", "C.UTF-8");
        cmd.env("HOME", home);
        for (var, dir) in [
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_STATE_HOME", "state"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_CACHE_HOME", "cache"),
        ] {
            cmd.env(var, home.join(dir));
        }
        cmd.env("LESS", "");
        cmd.env("LESSHISTFILE", "-");
        cmd.cwd(home);
        cmd
    }

    /// Run any command in a `cols`×`rows` terminal, its environment as the caller set it.
    pub fn start_command(cmd: CommandBuilder, cols: u16, rows: u16) -> Pty {
        Pty::start(cmd, cols, rows, None)
    }

    fn start(cmd: CommandBuilder, cols: u16, rows: u16, home: Option<tempfile::TempDir>) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let child = pair.slave.spawn_command(cmd).expect("spawn in a pty");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(nz(rows), nz(cols), 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let last_output = Arc::new(Mutex::new(Instant::now()));
        let watch = Arc::new((Mutex::new(Watch::default()), std::sync::Condvar::new()));
        {
            let (parser, raw, last_output) = (parser.clone(), raw.clone(), last_output.clone());
            let watch = watch.clone();
            thread::spawn(move || {
                let mut buf = [0u8; 16384];
                loop {
                    let n = reader.read(&mut buf).unwrap_or(0);
                    let at = Instant::now();
                    let (lock, cv) = &*watch;
                    if n == 0 {
                        lock.lock().unwrap().closed = true;
                        cv.notify_all();
                        break;
                    }
                    let mut parser = parser.lock().unwrap();
                    parser.process(&buf[..n]);
                    raw.lock().unwrap().extend_from_slice(&buf[..n]);
                    *last_output.lock().unwrap() = at;
                    let mut w = lock.lock().unwrap();
                    if w.met.is_none() && w.check.as_ref().is_some_and(|c| c(parser.screen())) {
                        w.met = Some(at);
                    }
                    cv.notify_all();
                }
            });
        }
        Pty {
            parser,
            raw,
            writer,
            master: pair.master,
            child,
            _home: home,
            last_output,
            sent: Instant::now(),
            watch,
        }
    }

    /// Wait up to `patience` until the screen meets `check`; returns when the output that met it
    /// arrived (now, if the screen meets it already), or `Err(true)` if the program's side closed
    /// first, `Err(false)` on timeout.
    pub fn wait_met(
        &self,
        patience: Duration,
        check: impl Fn(&vt100::Screen) -> bool + Send + 'static,
    ) -> Result<Instant, bool> {
        let (lock, cv) = &*self.watch;
        // The reader thread takes the screen's lock, then the watch's: never the other way here.
        {
            let mut w = lock.lock().unwrap();
            w.check = Some(Box::new(check));
            w.met = None;
        }
        // A copy of the screen as it is, taken before the watch's lock.
        let screen = self.parser.lock().unwrap().screen().clone();
        let already = {
            let w = lock.lock().unwrap();
            w.check.as_ref().is_some_and(|check| check(&screen))
        };
        let mut w = lock.lock().unwrap();
        if already {
            w.check = None;
            return Ok(Instant::now());
        }
        let start = Instant::now();
        let result = loop {
            if let Some(at) = w.met {
                break Ok(at);
            }
            if w.closed {
                break Err(true);
            }
            let left = patience.saturating_sub(start.elapsed());
            if left.is_zero() {
                break Err(false);
            }
            w = cv.wait_timeout(w, left).unwrap().0;
        };
        w.check = None;
        result
    }

    /// When the program last wrote.
    pub fn last_output(&self) -> Instant {
        *self.last_output.lock().unwrap()
    }

    /// Resize the terminal, clearing the emulated screen first so whatever shows afterwards
    /// was drawn for the new size.
    pub fn resize_cleared(&mut self, cols: u16, rows: u16) {
        {
            let mut p = self.parser.lock().unwrap();
            p.screen_mut().set_size(nz(rows), nz(cols));
            p.process(b"\x1b[H\x1b[2J");
        }
        self.resize(cols, rows);
    }

    /// Whether the program has exited (without waiting).
    pub fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// How many bytes the program has written so far.
    pub fn len(&self) -> usize {
        self.raw.lock().unwrap().len()
    }

    /// The bytes written since the program had written `start`.
    pub fn bytes_since(&self, start: usize) -> Vec<u8> {
        self.raw.lock().unwrap()[start..].to_vec()
    }

    /// When the screen last changed or keys were last sent, whichever is later.
    pub fn last_activity(&self) -> Instant {
        (*self.last_output.lock().unwrap()).max(self.sent)
    }

    pub fn home(&self) -> Option<&Path> {
        self._home.as_ref().map(|h| h.path())
    }

    /// Type bytes as a user would (keys as the terminal sends them: `\r` for Enter,
    /// `\x1b[B` for Down…).
    pub fn send(&mut self, keys: &str) {
        // One write, so keys typed together arrive together.
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
        self.sent = Instant::now();
    }

    /// The screen as text, one line per row, trailing blanks trimmed.
    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Rows of the screen, each exactly `cols` wide (blank cells as spaces).
    pub fn rows(&self) -> Vec<String> {
        let p = self.parser.lock().unwrap();
        let (_, cols) = p.screen().size();
        p.screen().rows(0, cols.get()).collect()
    }

    /// The text of `width` cells of `row` from column `col`, as drawn (combining marks stay on
    /// their cell; the second half of a wide character adds nothing), trailing blanks trimmed.
    pub fn text_at(&self, row: u16, col: u16, width: u16) -> String {
        let p = self.parser.lock().unwrap();
        let mut out = String::new();
        for c in col..col + width {
            match p.screen().cell(row, c) {
                Some(cell) if cell.is_wide_continuation() => {}
                Some(cell) if cell.has_contents() => out.push_str(cell.contents()),
                _ => out.push(' '),
            }
        }
        out.trim_end().to_string()
    }

    pub fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        f(self.parser.lock().unwrap().screen())
    }

    /// Everything folio has written so far.
    pub fn output(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }

    /// Wait until the screen satisfies `ok`; panic with the screen if it never does.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            if start.elapsed() > PATIENCE {
                panic!("waited {PATIENCE:?} for {what}; the screen shows:\n{screen}");
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Wait until the screen shows `text`.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text))
    }

    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.parser
            .lock()
            .unwrap()
            .screen_mut()
            .set_size(nz(rows), nz(cols));
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize pty");
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("folio's pid")
    }

    /// Wait for folio to exit; returns its exit code.
    pub fn wait_exit(&mut self) -> u32 {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for folio") {
                // Let the reader thread take the last bytes.
                thread::sleep(Duration::from_millis(100));
                return status.exit_code();
            }
            if start.elapsed() > PATIENCE {
                let _ = self.child.kill();
                panic!("folio did not exit; the screen shows:\n{}", self.screen());
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Send a signal to folio, e.g. `libc::SIGTERM`.
    pub fn signal(&self, signal: i32) {
        signal_pid(self.pid(), signal);
    }

    /// Wait until `ok` holds for the emulated terminal (its mode, cursor, screen).
    pub fn wait_until_screen(&self, what: &str, ok: impl Fn(&vt100::Screen) -> bool) {
        let start = Instant::now();
        while !self.with_screen(&ok) {
            if start.elapsed() > PATIENCE {
                panic!(
                    "waited {PATIENCE:?} for {what}; the screen shows:\n{}",
                    self.screen()
                );
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Assert the terminal was given back: main screen, cursor shown, bidi mode reset.
    pub fn assert_restored(&self) {
        self.with_screen(|s| {
            assert!(!s.alternate_screen(), "still on the alternate screen");
            assert!(!s.hide_cursor(), "cursor still hidden");
        });
        let out = String::from_utf8_lossy(&self.output()).into_owned();
        let entered = out.find("\x1b[8l").expect("explicit bidi mode was set");
        let reset = out.rfind("\x1b[8h").expect("bidi mode was reset");
        assert!(reset > entered, "bidi mode reset before it was set");
        assert!(out.rfind("\x1b[?1049l") > out.rfind("\x1b[?1049h"));
    }
}

/// The prompt of [`Pty::shell`].
pub const PROMPT: &str = "folio-test$ ";

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Send `signal` to process `pid`.
pub fn signal_pid(pid: u32, signal: i32) {
    // SAFETY: kill(2) with a pid we started and a valid signal number has no memory effects.
    let rc = unsafe { libc::kill(pid as libc::pid_t, signal) };
    assert_eq!(rc, 0, "kill({pid}, {signal}) failed");
}

/// The fields of /proc/PID/stat after the command name: state, parent, …; None once the
/// process is gone.
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    Some(after_name.split_whitespace().map(String::from).collect())
}

/// The state letter of a process (`S` sleeping, `R` running, `T` stopped, `Z` exited but not
/// yet reaped); None once it is gone.
pub fn process_state(pid: u32) -> Option<char> {
    stat_fields(pid)?.first()?.chars().next()
}

/// Wait until process `pid` is in `state` (see [`process_state`]).
pub fn wait_for_state(pid: u32, state: char) {
    let start = Instant::now();
    while process_state(pid) != Some(state) {
        if start.elapsed() > PATIENCE {
            panic!("process {pid} is {:?}, not {state:?}", process_state(pid));
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// Wait until process `pid` has exited.
pub fn wait_for_exit(pid: u32) {
    let start = Instant::now();
    while !matches!(process_state(pid), None | Some('Z')) {
        if start.elapsed() > PATIENCE {
            panic!("process {pid} is still {:?}", process_state(pid));
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// A child process of `parent`, if it has one.
fn child_of(parent: u32) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.find_map(|entry| {
        let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
        let fields = stat_fields(pid)?;
        (fields.get(1)?.parse::<u32>().ok()? == parent).then_some(pid)
    })
}

fn nz(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n.max(1)).expect("not zero")
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}

/// Keys as a terminal sends them.
pub mod keys {
    pub const DOWN: &str = "\x1b[B";
    pub const UP: &str = "\x1b[A";
    pub const PAGE_DOWN: &str = "\x1b[6~";
    pub const PAGE_UP: &str = "\x1b[5~";
    pub const HOME: &str = "\x1b[H";
    pub const END: &str = "\x1b[F";
    pub const ENTER: &str = "\r";
    pub const TAB: &str = "\t";
    pub const CTRL_C: &str = "\x03";
    pub const CTRL_D: &str = "\x04";
    pub const ESC: &str = "\x1b";
}
