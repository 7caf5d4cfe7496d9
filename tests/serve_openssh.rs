//! The real `folio serve` binary with the real OpenSSH client, as a user would connect: a pinned
//! host key, BatchMode, `ssh -tt` in a pseudo-terminal. Also the command line's own checks.
//!
//! Needs `ssh` and `ssh-keygen` (Debian: openssh-client). Without them these tests fail when `CI`
//! is set, and are skipped with a note otherwise.

mod serve_support;
mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serve_support::{PATIENCE, ServeProcess, has_arabic};
use support::Pty;

const FOLIO: &str = env!("CARGO_BIN_EXE_folio");

/// Whether OpenSSH's client is here. In CI its absence is a failure, not a skip.
fn have_ssh() -> bool {
    let found = ["ssh", "ssh-keygen"].iter().all(|tool| {
        Command::new(tool)
            .arg("-V")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    });
    if !found {
        if std::env::var_os("CI").is_some() {
            panic!("ssh or ssh-keygen is not installed; CI needs the openssh-client package");
        }
        // Straight to stderr, past the test harness's capture, so the skip is seen.
        let _ = writeln!(
            std::io::stderr(),
            "note: ssh or ssh-keygen is not installed (openssh-client); skipping this test"
        );
    }
    found
}

/// `folio serve` running in the background in a folder of its own.
struct Serve {
    process: ServeProcess,
    addr: SocketAddr,
    dir: Option<tempfile::TempDir>,
}

impl Serve {
    fn start_in(dir: tempfile::TempDir, args: &[&str]) -> Serve {
        let process = ServeProcess::start(dir.path(), args, None);
        Serve {
            addr: process.addr,
            process,
            dir: Some(dir),
        }
    }

    fn log(&self) -> String {
        self.process.log()
    }

    fn wait_log(&self, text: &str) -> String {
        self.process.wait_log(text)
    }

    fn home(&self) -> &Path {
        self.dir.as_ref().expect("running").path()
    }

    /// A known_hosts file that pins the server's key, read from the `.pub` beside it.
    fn known_hosts(&self, key: &Path) -> PathBuf {
        let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
        let path = self.home().join("known_hosts");
        std::fs::write(
            &path,
            format!("[127.0.0.1]:{} {}", self.addr.port(), public.trim()),
        )
        .unwrap();
        path
    }

    /// Options for `ssh` that ignore the machine's config and pin the host key. Not
    /// BatchMode: it turns keyboard-interactive off, and that is how an anonymous server lets
    /// readers without a key in (it asks nothing, so nothing waits for an answer).
    fn ssh_args(&self, key: &Path, extra: &[&str]) -> Vec<String> {
        let known = self.known_hosts(key);
        let mut args: Vec<String> = [
            "-F",
            "/dev/null",
            "-o",
            "PasswordAuthentication=no",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "GlobalKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.push("-o".into());
        args.push(format!("UserKnownHostsFile={}", known.display()));
        args.push("-p".into());
        args.push(self.addr.port().to_string());
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    }

    fn ssh(&self, key: &Path, extra: &[&str]) -> Output {
        Command::new("ssh")
            .args(self.ssh_args(key, extra))
            .env("HOME", self.home())
            .env_remove("SSH_AUTH_SOCK")
            .stdin(Stdio::null())
            .output()
            .expect("run ssh")
    }

    /// SIGTERM; the exit code, the log, and the folder the server used.
    fn terminate(mut self) -> (Option<i32>, String, tempfile::TempDir) {
        let code = self.process.stop();
        (code, self.log(), self.dir.take().unwrap())
    }
}

fn host_key_in(dir: &Path) -> PathBuf {
    dir.join("host_ed25519")
}

fn keygen(path: &Path) {
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "folio test", "-f"])
        .arg(path)
        .output()
        .expect("run ssh-keygen");
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn openssh_reads_jumps_to_the_arabic_section_quits_and_is_told_of_shutdown() {
    if !have_ssh() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = host_key_in(dir.path());
    let key_arg = key.to_str().unwrap().to_string();
    let serve = Serve::start_in(dir, &["--anonymous", "--host-key", &key_arg]);
    let log = serve.log();
    assert!(log.contains("host key ssh-ed25519 SHA256:"), "{log}");

    let args = serve.ssh_args(&key, &["-tt", "reader@127.0.0.1"]);
    let mut ssh = Pty::spawn_program("ssh", &args, 100, 30, serve.home());
    ssh.wait_for("1/5 000_");
    ssh.with_screen(|s| assert!(s.alternate_screen()));
    ssh.send("4");
    ssh.wait_for("4/5 003_9421ad859a52f834.txt");
    ssh.send("}");
    ssh.wait_until("the Arabic section", has_arabic);
    ssh.send("q");
    assert_eq!(ssh.wait_exit(), 0, "ssh exits cleanly after q");
    ssh.with_screen(|s| {
        assert!(!s.alternate_screen(), "back on the main screen");
        assert!(!s.hide_cursor(), "cursor shown");
    });
    serve.wait_log("(quit)");

    // A second reader is told when the server stops.
    let mut ssh = Pty::spawn_program("ssh", &args, 80, 24, serve.home());
    ssh.wait_for("1/5 000_");
    let (code, log, _dir) = serve.terminate();
    assert_eq!(code, Some(0), "folio serve exits 0 on SIGTERM:\n{log}");
    assert!(log.contains("(server shutdown)"), "{log}");
    ssh.wait_for("folio: the server is shutting down");
    ssh.wait_exit();
    ssh.with_screen(|s| assert!(!s.alternate_screen()));
}

#[test]
fn openssh_commands_sftp_and_port_forwarding_are_refused() {
    if !have_ssh() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = host_key_in(dir.path());
    let key_arg = key.to_str().unwrap().to_string();
    let serve = Serve::start_in(dir, &["--anonymous", "--host-key", &key_arg]);

    let out = serve.ssh(&key, &["reader@127.0.0.1", "cat", "/etc/hostname"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a command fails");
    assert!(stderr.contains("exec request failed"), "{stderr}");
    assert!(out.stdout.is_empty(), "no command ran");

    let out = serve.ssh(&key, &["-s", "reader@127.0.0.1", "sftp"]);
    assert!(!out.status.success(), "sftp fails");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("subsystem request failed"),
        "{out:?}"
    );

    // -L: the forward listens on the client side; a connection through it is refused by the
    // server and closed.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let forward = format!("127.0.0.1:{port}:127.0.0.1:{}", serve.addr.port());
    // At the default log level, so that ssh reports the refusal.
    let args: Vec<String> = serve
        .ssh_args(&key, &["-N", "-L", &forward, "reader@127.0.0.1"])
        .into_iter()
        .map(|a| {
            if a == "LogLevel=ERROR" {
                "LogLevel=INFO".into()
            } else {
                a
            }
        })
        .collect();
    let mut tunnel = Command::new("ssh")
        .args(args)
        .env("HOME", serve.home())
        .env_remove("SSH_AUTH_SOCK")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ssh -L");
    let start = Instant::now();
    let mut stream = loop {
        if let Ok(s) = TcpStream::connect(("127.0.0.1", port)) {
            break s;
        }
        assert!(start.elapsed() < PATIENCE, "ssh -L never listened");
        thread::sleep(Duration::from_millis(50));
    };
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut buf = [0u8; 64];
    let n = stream.read(&mut buf).unwrap_or(0);
    assert_eq!(n, 0, "nothing comes through the tunnel");
    serve.wait_log("refused port forwarding (direct-tcpip)");
    let _ = tunnel.kill();
    let out = tunnel.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("administratively prohibited"), "{stderr}");
}

#[test]
fn openssh_is_told_why_a_full_server_refuses_it() {
    if !have_ssh() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = host_key_in(dir.path());
    let key_arg = key.to_str().unwrap().to_string();
    let serve = Serve::start_in(
        dir,
        &[
            "--anonymous",
            "--host-key",
            &key_arg,
            "--max-per-address",
            "1",
        ],
    );
    let args = serve.ssh_args(&key, &["-tt", "reader@127.0.0.1"]);
    let mut first = Pty::spawn_program("ssh", &args, 80, 24, serve.home());
    first.wait_for("1/5 000_");
    // The address's one reader is in: the next is refused, and ssh says why.
    let out = serve.ssh(&key, &["reader@127.0.0.1"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "refused");
    assert!(
        stderr.contains("too many sessions from your address; try again later"),
        "{stderr}"
    );
    serve.wait_log("refused 127.0.0.1");
    first.send("q");
    assert_eq!(first.wait_exit(), 0);
}

#[test]
fn openssh_key_login_lets_in_listed_keys_only() {
    if !have_ssh() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good");
    let bad = dir.path().join("bad");
    keygen(&good);
    keygen(&bad);
    let authorized = dir.path().join("authorized_keys");
    std::fs::copy(good.with_extension("pub"), &authorized).unwrap();
    let key = host_key_in(dir.path());
    let args = [
        "--authorized-keys",
        authorized.to_str().unwrap(),
        "--host-key",
        key.to_str().unwrap(),
    ]
    .map(String::from);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let serve = Serve::start_in(dir, &args);
    assert!(serve.log().contains("1 authorized keys"), "{}", serve.log());

    let bad_arg = bad.to_str().unwrap();
    let out = serve.ssh(
        &key,
        &[
            "-o",
            "IdentitiesOnly=yes",
            "-i",
            bad_arg,
            "-tt",
            "reader@127.0.0.1",
        ],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Permission denied"), "{stderr}");

    let good_arg = good.to_str().unwrap();
    let args = serve.ssh_args(
        &key,
        &[
            "-o",
            "IdentitiesOnly=yes",
            "-i",
            good_arg,
            "-tt",
            "reader@127.0.0.1",
        ],
    );
    let mut ssh = Pty::spawn_program("ssh", &args, 80, 24, serve.home());
    ssh.wait_for("1/5 000_");
    ssh.send("q");
    assert_eq!(ssh.wait_exit(), 0);
    let log = serve.wait_log("(quit)");
    assert!(log.contains("user=reader key=SHA256:"), "{log}");
}

#[test]
fn serve_asks_who_may_connect_and_keeps_its_host_key() {
    // No access choice: a message and exit code 2, before anything is made or bound.
    let out = Command::new(FOLIO).arg("serve").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--anonymous") && stderr.contains("--authorized-keys"),
        "{stderr}"
    );

    let out = Command::new(FOLIO)
        .args(["serve", "--anonymous", "--authorized-keys", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    let out = Command::new(FOLIO)
        .args(["serve", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--listen",
        "--anonymous",
        "--authorized-keys",
        "--host-key",
        "--max-sessions",
        "--idle-timeout",
        "--log",
    ] {
        assert!(help.contains(flag), "{flag} in:\n{help}");
    }
    assert!(
        help.contains("127.0.0.1:2222"),
        "loopback is the default:\n{help}"
    );

    // The host key is made in the data folder, private, and the same on the next start.
    let dir = tempfile::tempdir().unwrap();
    let serve = Serve::start_in(dir, &["--anonymous"]);
    let first = serve.log();
    let key = serve.home().join("data").join("folio").join("host_ed25519");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    assert!(first.contains("made now"), "{first}");
    let fingerprint = |log: &str| {
        log.split_whitespace()
            .find(|w| w.starts_with("SHA256:"))
            .unwrap()
            .to_string()
    };
    let fp = fingerprint(&first);
    let (code, _, dir) = serve.terminate();
    assert_eq!(code, Some(0));
    let again = Serve::start_in(dir, &["--anonymous"]);
    assert!(!again.log().contains("made now"), "{}", again.log());
    assert_eq!(fingerprint(&again.log()), fp);
}

/// The real binary keeps a key's reading state in its XDG data folder (the test's home): a
/// second `ssh` with the same key opens where the first left, and the log names the folder by
/// the key's hex digest, never a path.
#[test]
fn openssh_a_key_finds_its_article_again_in_the_next_session() {
    if !have_ssh() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("mine");
    keygen(&mine);
    let key = host_key_in(dir.path());
    let serve = Serve::start_in(dir, &["--anonymous", "--host-key", key.to_str().unwrap()]);
    assert!(
        serve
            .log()
            .contains("reading state of readers with keys kept in"),
        "{}",
        serve.log()
    );
    let args = serve.ssh_args(
        &key,
        &[
            "-o",
            "IdentitiesOnly=yes",
            "-i",
            mine.to_str().unwrap(),
            "-tt",
            "reader@127.0.0.1",
        ],
    );
    let mut ssh = Pty::spawn_program("ssh", &args, 80, 24, serve.home());
    ssh.wait_for("1/5 000_");
    ssh.send("4");
    ssh.wait_for("4/5 003_");
    ssh.send("q");
    assert_eq!(ssh.wait_exit(), 0);

    let mut again = Pty::spawn_program("ssh", &args, 80, 24, serve.home());
    again.wait_for("4/5 003_");
    again.send("q");
    assert_eq!(again.wait_exit(), 0);

    let log = serve.wait_log("reading state sha256-");
    let readers = serve.home().join("data/folio/serve/readers");
    let folders: Vec<String> = std::fs::read_dir(&readers)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(folders.len(), 1, "{folders:?}");
    assert!(
        log.contains(&format!("reading state {}", folders[0])),
        "{log}"
    );
    assert!(readers.join(&folders[0]).join("state.json").is_file());
}
