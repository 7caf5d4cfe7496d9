//! The real `folio serve` binary against what it cannot trust: file names, settings and user
//! names holding terminal controls and bidi overrides, and running out of file descriptors.
//! (The SSH client is russh; the OpenSSH client has its own tests.)

mod serve_support;

use std::io::Read;
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serve_support::{Term, Trusting, client_config, run};

const FOLIO: &str = env!("CARGO_BIN_EXE_folio");
const PATIENCE: Duration = serve_support::PATIENCE;

/// `folio serve` in the background, everything it writes to stderr kept as bytes.
struct Serve {
    child: Child,
    addr: SocketAddr,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl Serve {
    /// Start `folio serve ARGS` in `home`; `files` caps its open files (soft and hard), if given.
    fn start(home: &Path, args: &[&std::ffi::OsStr], files: Option<u64>) -> Serve {
        let mut command = Command::new(FOLIO);
        command
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
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
        Serve {
            child,
            addr,
            stderr,
        }
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    fn wait_stderr(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.stderr();
            if s.contains(text) {
                return s;
            }
            assert!(start.elapsed() < PATIENCE, "waited for {text:?}:\n{s}");
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Processor time the server has used (user and system), from its /proc stat.
    fn cpu(&self) -> Duration {
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

    /// SIGTERM, and everything it wrote to stderr once it has exited.
    fn terminate(mut self) -> Vec<u8> {
        // SAFETY: kill(2) on the child we started, with a valid signal.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let start = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            assert!(start.elapsed() < PATIENCE, "folio serve did not stop");
            thread::sleep(Duration::from_millis(20));
        }
        thread::sleep(Duration::from_millis(100));
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Characters that must never reach a terminal raw: C0 controls but newline, DEL, C1 controls,
/// bidi embeddings, overrides, isolates and marks, and invisible format characters.
fn raw_controls(text: &str) -> Vec<String> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c,
                    '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200F}'
                    | '\u{061C}' | '\u{2060}' | '\u{FEFF}')
        })
        .map(|c| format!("U+{:04X}", c as u32))
        .collect()
}

#[test]
fn nothing_hostile_in_names_reaches_stderr_raw() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let hostile = "\u{202E}gpj\u{200B}\x1b[31m";
    let lib = home.join(format!("lib{hostile}"));
    std::fs::create_dir_all(&lib).unwrap();
    std::fs::write(lib.join("ok.txt"), "A title\n\nSome text to read.\n").unwrap();
    // A manifest entry for a file that is not there: a warning quoting its name.
    std::fs::write(
        lib.join("sources.toml"),
        "[[source]]\nfile = \"\\u202Eevil\\u001b]0;owned\\u0007\\u2066.txt\"\ntitle = \"x\"\n",
    )
    .unwrap();
    // Settings that do not fit: a warning naming the file.
    let config = home.join(format!("config{hostile}.toml"));
    std::fs::write(&config, "reader = 5\n").unwrap();
    let key = home.join(format!("host{hostile}key"));

    let serve = Serve::start(
        home,
        &[
            "--anonymous".as_ref(),
            "--host-key".as_ref(),
            key.as_os_str(),
            "--config".as_ref(),
            config.as_os_str(),
            lib.as_os_str(),
        ],
        None,
    );
    // A user name with the same in it reaches the log (stderr, as there is no --log).
    run(Duration::from_secs(60), async {
        let mut client = russh::client::connect(Arc::new(client_config()), serve.addr, Trusting)
            .await
            .expect("connects");
        let auth = client
            .authenticate_none(format!("ro{hostile}ot\u{9b}2J"))
            .await
            .expect("auth none");
        assert!(auth.success());
        let term = Term::open(&client, 80, 24).await;
        term.wait_for("ok.txt").await;
        term.send("q").await;
        term.wait_event("the channel to close", |e| {
            *e == serve_support::Event::Close
        })
        .await;
    });
    serve.wait_stderr("(quit)");
    let bytes = serve.terminate();
    let text = String::from_utf8(bytes).expect("stderr is UTF-8");
    assert_eq!(raw_controls(&text), Vec::<String>::new(), "{text}");
    // Everything is still said, visibly.
    for shown in [
        "there is no article '<RLO>evil␛]0;owned␇<LRI>.txt'",
        "config<RLO>gpj<U+200B>␛[31m.toml",
        "host<RLO>gpj<U+200B>␛[31mkey, made now",
        "user=ro<RLO>gpj<U+200B>␛[31mot<U+009B>2J anonymous",
    ] {
        assert!(text.contains(shown), "{shown:?} not in:\n{text}");
    }
}

#[test]
fn out_of_file_descriptors_the_server_waits_without_spinning_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let serve = Serve::start(
        dir.path(),
        &[
            "--anonymous".as_ref(),
            "--max-sessions".as_ref(),
            "100".as_ref(),
            "--max-per-address".as_ref(),
            "100".as_ref(),
            "--host-key".as_ref(),
            dir.path().join("key").as_os_str(),
        ],
        Some(40),
    );
    run(Duration::from_secs(120), async {
        // Readers until one cannot get in: every descriptor the server may open is a session.
        let mut sessions = Vec::new();
        loop {
            assert!(sessions.len() < 40, "never ran out:\n{}", serve.stderr());
            let attempt = tokio::time::timeout(Duration::from_secs(3), async {
                let client = serve_support::connect_with(serve.addr, client_config()).await?;
                Ok::<_, russh::Error>(client)
            })
            .await;
            let Ok(Ok(mut client)) = attempt else { break };
            if !client
                .authenticate_none("reader")
                .await
                .is_ok_and(|a| a.success())
            {
                break;
            }
            let term = Term::open(&client, 80, 24).await;
            term.wait_for("1/5 000_").await;
            sessions.push((client, term));
        }
        assert!(
            !sessions.is_empty(),
            "no session at all:\n{}",
            serve.stderr()
        );
        serve.wait_stderr("accept failed");
        // Connections keep waiting in the kernel's queue while the server cannot accept them:
        // it must wait for descriptors, not spin on accept.
        let _waiting: Vec<_> = {
            let mut v = Vec::new();
            for _ in 0..5 {
                v.push(tokio::net::TcpStream::connect(serve.addr).await.unwrap());
            }
            v
        };
        let before = serve.cpu();
        tokio::time::sleep(Duration::from_secs(3)).await;
        let used = serve.cpu() - before;
        assert!(
            used < Duration::from_millis(1500),
            "the server used {used:?} of processor time in 3 s while out of descriptors"
        );
        // One line for the first failure, a count for the rest (another line per 10 s).
        let failures = serve.stderr().matches("accept failed").count();
        assert!(failures <= 3, "{failures} lines:\n{}", serve.stderr());
        // Readers leave; the server accepts again and a new reader gets in.
        for (_, term) in sessions.drain(..4.min(sessions.len())) {
            term.send("q").await;
            term.wait_event("the channel to close", |e| {
                *e == serve_support::Event::Close
            })
            .await;
        }
        drop(_waiting);
        let start = Instant::now();
        let mut client = loop {
            let attempt = tokio::time::timeout(
                Duration::from_secs(5),
                serve_support::connect_with(serve.addr, client_config()),
            )
            .await;
            if let Ok(Ok(client)) = attempt {
                break client;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "no reader got in again:\n{}",
                serve.stderr()
            );
        };
        assert!(client.authenticate_none("reader").await.unwrap().success());
        let term = Term::open(&client, 80, 24).await;
        term.wait_for("1/5 000_").await;
    });
}
