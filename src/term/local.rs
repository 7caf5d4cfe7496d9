//! The local terminal front end: raw mode, a guard that always restores the terminal (normal
//! exit, error, panic, SIGTERM, SIGHUP), suspending to the shell (Ctrl-z, SIGTSTP), and threads
//! that feed keys and signals to the loop.

use std::io::{self, BufWriter, Stdout, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Mutex, Once, OnceLock, PoisonError};
use std::thread;
use std::time::Duration;

use crossterm::event::{self, Event, KeyEventKind, KeyModifiers, MouseEventKind};
use crossterm::terminal;

use super::{FrontEnd, Input, Painter, Resumed, modes, run_with};
use crate::app::{App, Exit, ExternalFile, ExternalProgram, Key, KeyCode, Mouse};
use crate::text::BidiMode;
use crate::ui::Theme;

/// Set while the terminal is in folio's modes, so restoring twice is harmless.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// The bidi mode the terminal was entered with (as a number, for the panic hook).
static BIDI: AtomicU8 = AtomicU8::new(0);
/// The signal that stopped the reader, if any.
static SIGNAL: OnceLock<i32> = OnceLock::new();
/// Set while the terminal is lent out (to another program, or to the shell while suspended):
/// the input thread must not read its keys.
static PAUSED: AtomicBool = AtomicBool::new(false);
/// Held by the input thread while it polls or reads the terminal. Taking it after setting
/// [`PAUSED`] waits until the thread has stopped reading.
static READING: Mutex<()> = Mutex::new(());
/// For tests of the panic path: the key named by `FOLIO_TEST_PANIC_KEY` makes the reader panic
/// while the terminal is in raw mode on the alternate screen.
static PANIC_REQUESTED: AtomicBool = AtomicBool::new(false);
const TEST_PANIC_KEY: &str = "FOLIO_TEST_PANIC_KEY";

fn bidi_from_u8(v: u8) -> BidiMode {
    match v {
        1 => BidiMode::Terminal,
        2 => BidiMode::Off,
        _ => BidiMode::App,
    }
}

/// Put the terminal back as we found it. Safe to call from anywhere, any number of times.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut out = io::stdout();
        let _ = modes::leave(&mut out, bidi_from_u8(BIDI.load(Ordering::SeqCst)));
        let _ = terminal::disable_raw_mode();
    }
}

/// Restores the terminal when dropped, whatever way the reader ends.
pub struct Guard(());

impl Guard {
    /// Raw mode and folio's modes (mouse reports if `mouse`), until the guard is dropped.
    pub fn enter(bidi: BidiMode, mouse: bool) -> io::Result<Guard> {
        install_panic_hook();
        BIDI.store(
            match bidi {
                BidiMode::App => 0,
                BidiMode::Terminal => 1,
                BidiMode::Off => 2,
            },
            Ordering::SeqCst,
        );
        let guard = Guard(());
        take_terminal(bidi, mouse)?;
        Ok(guard)
    }
}

/// Raw mode and folio's modes, marked active as soon as raw mode is on so that a failure half
/// way is still undone by [`restore`].
fn take_terminal(bidi: BidiMode, mouse: bool) -> io::Result<()> {
    terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut out = io::stdout();
    modes::enter(&mut out, bidi)?;
    if mouse {
        modes::enable_mouse(&mut out)?;
    }
    Ok(())
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Restore the terminal before the previous hook prints the panic, so the message is readable.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

/// Convert crossterm's key event to folio's.
pub fn key_from_crossterm(k: event::KeyEvent) -> Option<Key> {
    use event::KeyCode as C;
    let code = match k.code {
        C::Char(c) => KeyCode::Char(c),
        C::Enter => KeyCode::Enter,
        C::Tab => KeyCode::Tab,
        C::BackTab => KeyCode::BackTab,
        C::Backspace => KeyCode::Backspace,
        C::Esc => KeyCode::Esc,
        C::Up => KeyCode::Up,
        C::Down => KeyCode::Down,
        C::Left => KeyCode::Left,
        C::Right => KeyCode::Right,
        C::PageUp => KeyCode::PageUp,
        C::PageDown => KeyCode::PageDown,
        C::Home => KeyCode::Home,
        C::End => KeyCode::End,
        C::Insert => KeyCode::Insert,
        C::Delete => KeyCode::Delete,
        C::F(n) => KeyCode::F(n),
        _ => return None,
    };
    let m = k.modifiers;
    Some(Key::new(
        code,
        m.contains(KeyModifiers::CONTROL),
        m.contains(KeyModifiers::ALT),
        m.contains(KeyModifiers::SHIFT),
    ))
}

fn mouse_from_crossterm(m: event::MouseEvent) -> Option<Mouse> {
    let (col, row) = (m.column, m.row);
    Some(match m.kind {
        MouseEventKind::ScrollUp => Mouse::ScrollUp { col, row },
        MouseEventKind::ScrollDown => Mouse::ScrollDown { col, row },
        MouseEventKind::Down(event::MouseButton::Left) => Mouse::Click { col, row },
        _ => return None,
    })
}

fn spawn_input(tx: Sender<Input>) {
    let panic_key = std::env::var(TEST_PANIC_KEY)
        .ok()
        .and_then(|k| k.chars().next())
        .map(Key::char);
    thread::spawn(move || {
        loop {
            let reading = READING.lock().unwrap_or_else(PoisonError::into_inner);
            if PAUSED.load(Ordering::SeqCst) {
                drop(reading);
                thread::sleep(Duration::from_millis(20));
                continue;
            }
            // Poll briefly so a pause takes effect soon after it is asked for.
            match event::poll(Duration::from_millis(50)) {
                Ok(false) => continue,
                Ok(true) => {}
                Err(_) => {
                    let _ = tx.send(Input::Terminate);
                    return;
                }
            }
            let input = match event::read() {
                Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => {
                    match key_from_crossterm(k) {
                        Some(key) => Input::Key(key),
                        None => continue,
                    }
                }
                Ok(Event::Resize(cols, rows)) => Input::Resize(cols, rows),
                Ok(Event::Mouse(m)) => match mouse_from_crossterm(m) {
                    Some(mouse) => Input::Mouse(mouse),
                    None => continue,
                },
                Ok(Event::Paste(text)) => Input::Paste(text),
                Ok(_) => continue,
                // The terminal is gone.
                Err(_) => Input::Terminate,
            };
            drop(reading);
            let input = match input {
                Input::Key(k) if Some(k) == panic_key => {
                    PANIC_REQUESTED.store(true, Ordering::SeqCst);
                    Input::Terminate
                }
                other => other,
            };
            let stop = input == Input::Terminate;
            if tx.send(input).is_err() || stop {
                return;
            }
        }
    });
}

/// The command for `$EDITOR` (or `$VISUAL`, then `vi`), `$PAGER` (then `less`) or `$BROWSER`
/// (then `xdg-open`, or `open` on macOS).
fn external_command(program: ExternalProgram) -> String {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    match program {
        ExternalProgram::Editor => var("VISUAL")
            .or_else(|| var("EDITOR"))
            .unwrap_or_else(|| "vi".into()),
        ExternalProgram::Pager => var("PAGER").unwrap_or_else(|| "less".into()),
        ExternalProgram::Browser => var("BROWSER").unwrap_or_else(|| {
            if cfg!(target_os = "macos") {
                "open".into()
            } else {
                "xdg-open".into()
            }
        }),
    }
}

/// Most bytes of an article's name kept in its temporary copy's file name.
const MAX_NAME: usize = 100;

/// `name` made safe as one file name: no folders, no control characters, not `.` or `..`, not
/// too long for the file system.
fn safe_file_name(name: &str) -> String {
    let mut safe = String::new();
    for c in name.chars() {
        if safe.len() + c.len_utf8() > MAX_NAME {
            break;
        }
        safe.push(if c == '/' || c == '\\' || c.is_control() {
            '_'
        } else {
            c
        });
    }
    if safe.trim_matches('.').is_empty() {
        "article.txt".into()
    } else {
        safe
    }
}

/// Write `text` to a new file named like the article in a new folder only this user can read,
/// so nobody can plant a link there for folio to write through. The folder goes when the
/// returned [`tempfile::TempDir`] is dropped.
fn temporary_copy(name: &str, text: &str) -> io::Result<(tempfile::TempDir, PathBuf)> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    // tempfile leaves the folder's mode to the umask unless told.
    let dir = tempfile::Builder::new()
        .prefix("folio-")
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()?;
    let path = dir.path().join(safe_file_name(name));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)?;
    file.write_all(text.as_bytes())?;
    Ok((dir, path))
}

/// The local terminal as a front end: it lends the terminal to other programs and to the shell,
/// and takes it back.
struct Local {
    bidi: BidiMode,
    mouse: bool,
    /// The loop's input, to tell it the screen's size after a stop (a shell does not pass on
    /// resizes to a stopped job).
    input: Sender<Input>,
    /// What to start once the first frame is out, and what it gave back, kept until the end.
    on_start: Option<OnStart>,
    kept: Option<Box<dyn std::any::Any>>,
}

type OnStart = Box<dyn FnOnce(super::Poster) -> Box<dyn std::any::Any>>;

impl Local {
    /// Stop reading keys and put the terminal back as we found it, for someone else to use.
    fn lend(&self) {
        PAUSED.store(true, Ordering::SeqCst);
        // Wait for the input thread to finish its poll: it must not read keys meant for others.
        drop(READING.lock().unwrap_or_else(PoisonError::into_inner));
        restore();
    }

    /// Take the terminal back after [`Local::lend`].
    fn take_back(&self) {
        let _ = take_terminal(self.bidi, self.mouse);
        PAUSED.store(false, Ordering::SeqCst);
    }
}

impl FrontEnd for Local {
    fn poster(&self) -> super::Poster {
        crate::work::poster(self.input.clone())
    }

    fn started(&mut self) {
        if let Some(start) = self.on_start.take() {
            self.kept = Some(start(self.poster()));
        }
    }

    /// Hand the terminal to another program, then take it back.
    fn open(&mut self, program: ExternalProgram, file: &ExternalFile) -> Option<String> {
        // A built-in article goes to a fresh private folder, removed when `_copy` is dropped.
        let (path, _copy) = match file {
            ExternalFile::Path(p) => (p.clone(), None),
            // An address, never an option: `-x` would read as one.
            ExternalFile::Url(url) if url.starts_with('-') => {
                return Some("Not opening a link that starts with '-'".into());
            }
            ExternalFile::Url(url) => (url.into(), None),
            ExternalFile::Text { name, text } => match temporary_copy(name, text) {
                Ok((dir, path)) => (path, Some(dir)),
                Err(e) => return Some(format!("Could not write a temporary copy: {e}")),
            },
        };
        let command = external_command(program);
        self.lend();
        // Through the shell, so `EDITOR="code --wait"` works; the path is an argument, never code.
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{command} \"$1\""))
            .arg("folio")
            .arg(&path)
            .status();
        self.take_back();
        match status {
            Ok(s) if s.success() => None,
            Ok(s) => Some(format!("{command} exited with {s}")),
            Err(e) => Some(format!("Could not start {command}: {e}")),
        }
    }

    /// Give the terminal back to the shell and stop until the shell resumes us (`fg`).
    fn suspend(&mut self) -> Resumed {
        let size = terminal::size().ok();
        self.lend();
        let stopped = stop();
        if !wait_for_the_terminal() {
            // Told to end while stopped: the terminal stays as the shell has it.
            return Resumed::Ended;
        }
        self.take_back();
        // The window may have been resized while we were stopped, unseen by us.
        if let Ok((cols, rows)) = terminal::size()
            && Some((cols, rows)) != size
        {
            let _ = self.input.send(Input::Resize(cols, rows));
        }
        match stopped {
            Ok(()) => Resumed::Redraw,
            Err(e) => Resumed::Refused(format!("Could not suspend: {e}")),
        }
    }
}

/// Stop this process as the terminal's Ctrl-z would: SIGTSTP with its default action, for the
/// moment replacing the handler that turns it into [`Input::Suspend`]. Returns once continued.
/// The kernel ignores it when no shell could resume us (an orphaned process group, e.g. folio
/// started directly by a terminal window), so the reader is never left stopped for good.
fn stop() -> io::Result<()> {
    use signal_hook::consts::SIGTSTP;
    // One stop at a time: two at once could put back each other's handlers in the wrong order.
    static STOPPING: Mutex<()> = Mutex::new(());
    let _one = STOPPING.lock().unwrap_or_else(PoisonError::into_inner);
    // SAFETY: sigaction structs are plain data and all-zero is a valid value; we swap in the
    // default action, raise the signal in this thread, and put back exactly what was there.
    unsafe {
        let mut default: libc::sigaction = std::mem::zeroed();
        default.sa_sigaction = libc::SIG_DFL;
        let mut previous: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(SIGTSTP, &default, &mut previous) != 0 {
            return Err(io::Error::last_os_error());
        }
        // Delivered to this thread before `raise` returns: the process stops right here.
        let raised = signal_hook::low_level::raise(SIGTSTP);
        libc::sigaction(SIGTSTP, &previous, std::ptr::null_mut());
        raised
    }
}

/// After a stop: wait until the terminal is ours again. `fg` makes us the terminal's foreground
/// at once; continued in the background (`bg`, `kill -CONT`), folio must not draw over the
/// shell, so it waits. False when a signal said to end meanwhile (a shell's `kill %1`).
fn wait_for_the_terminal() -> bool {
    use std::os::fd::AsRawFd;
    let tty = std::fs::File::open("/dev/tty").ok();
    loop {
        if SIGNAL.get().is_some() {
            return false;
        }
        let Some(tty) = &tty else {
            return true;
        };
        // SAFETY: tcgetpgrp and getpgrp only read process state; the descriptor is open.
        let (foreground, ours) = unsafe { (libc::tcgetpgrp(tty.as_raw_fd()), libc::getpgrp()) };
        if foreground < 0 || foreground == ours {
            return true;
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// Turn signals into input for the loop. Only the local front end does this: a server must
/// never stop on SIGTSTP.
fn spawn_signals(tx: Sender<Input>) -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP};
    let mut signals =
        signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGTSTP])?;
    thread::spawn(move || {
        for signal in signals.forever() {
            if signal != SIGTSTP {
                let _ = SIGNAL.set(signal);
                let _ = tx.send(Input::Terminate);
                return;
            }
            if PAUSED.load(Ordering::SeqCst) {
                // Another program has the terminal (Ctrl-z there stops its whole process
                // group): stop with it, so the shell gets the terminal back.
                let _ = stop();
            } else if tx.send(Input::Suspend).is_err() {
                return;
            }
        }
    });
    Ok(())
}

/// The signal that stopped the reader, if one did.
pub fn stopped_by_signal() -> Option<i32> {
    SIGNAL.get().copied()
}

/// Run the reader in this process's terminal.
pub fn run_local(app: &mut App, theme: &Theme) -> io::Result<Exit> {
    run_local_with(app, theme, |_| ())
}

/// [`run_local`], handing `start` the loop's poster once the first frame is out (to watch the
/// folders being read, say); what it returns is kept until the reader ends.
pub fn run_local_with<T: 'static>(
    app: &mut App,
    theme: &Theme,
    start: impl FnOnce(super::Poster) -> T + 'static,
) -> io::Result<Exit> {
    let (tx, rx) = mpsc::channel();
    spawn_signals(tx.clone())?;
    let bidi = app.settings().config.reader.bidi;
    let mouse = app.settings().config.ui.mouse;
    let guard = Guard::enter(bidi, mouse)?;
    let (cols, rows) = terminal::size()?;
    let out: BufWriter<Stdout> = BufWriter::with_capacity(64 * 1024, io::stdout());
    let mut painter = Painter::new(out, cols, rows);
    let term = std::env::var("TERM").unwrap_or_default();
    painter.set_scroll_regions(!term.is_empty() && term != "dumb");
    painter.set_hyperlinks(super::hyperlink::enabled(
        app.settings().config.ui.hyperlinks,
        &term,
        theme.ascii,
    ));
    app.resize(cols, rows);
    let mut local = Local {
        bidi,
        mouse,
        input: tx.clone(),
        on_start: Some(Box::new(move |post| Box::new(start(post)))),
        kept: None,
    };
    spawn_input(tx);
    let result = run_with(&mut painter, app, theme, &rx, &mut local);
    let _ = painter.writer().flush();
    if PANIC_REQUESTED.load(Ordering::SeqCst) {
        panic!("a test asked folio to panic ({TEST_PANIC_KEY})");
    }
    drop(painter);
    drop(guard);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_names_become_one_plain_file_name() {
        assert_eq!(safe_file_name("001_4e18.txt"), "001_4e18.txt");
        assert_eq!(safe_file_name("../../.bashrc"), ".._.._.bashrc");
        assert_eq!(safe_file_name("a\x1b]0;x\x07b\u{9b}c\n"), "a_]0;x_b_c_");
        assert_eq!(safe_file_name(".."), "article.txt");
        assert_eq!(safe_file_name(""), "article.txt");
        let long = safe_file_name(&"é".repeat(200));
        assert!(long.len() <= MAX_NAME && long.chars().all(|c| c == 'é'));
    }

    #[test]
    fn a_temporary_copy_lives_in_a_private_folder_that_goes_away() {
        use std::os::unix::fs::PermissionsExt;
        let (dir, path) = temporary_copy("a/b.txt", "سلام").unwrap();
        assert_eq!(path.parent(), Some(dir.path()));
        assert_eq!(path.file_name().unwrap(), "a_b.txt");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "سلام");
        let folder = dir.path().file_name().unwrap().to_str().unwrap();
        assert!(folder.starts_with("folio-"), "{folder}");
        assert_ne!(folder, format!("folio-{}", std::process::id()));
        let mode = std::fs::metadata(dir.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "{mode:o}");
        // A second copy of the same article gets a folder of its own.
        let (other, _) = temporary_copy("a/b.txt", "").unwrap();
        assert_ne!(other.path(), dir.path());
        let folder = dir.path().to_path_buf();
        drop(dir);
        assert!(!folder.exists());
    }
}
