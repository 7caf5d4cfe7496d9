//! The server's host key and the keys allowed in.
//!
//! The host key is made once (ed25519) and kept in folio's data folder with mode 0600, so clients
//! see the same key on every start and can pin it. Its SHA256 fingerprint is printed at start,
//! in the form `ssh` shows.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::ssh_key::{AuthorizedKeys, LineEnding};
use russh::keys::{HashAlg, PrivateKey, PublicKey};

/// The host key's name in the server's data folder.
pub const HOST_KEY_FILE: &str = "host_ed25519";

/// The server's data folder when `--data` is not given: folio's XDG data folder.
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "folio").map(|d| d.data_dir().to_path_buf())
}

/// Where the host key lives when neither `--host-key` nor `--data` is given.
pub fn default_host_key_path() -> Option<PathBuf> {
    default_data_dir().map(|d| d.join(HOST_KEY_FILE))
}

/// A key's SHA256 fingerprint as OpenSSH prints it (`SHA256:…`).
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// The host key and whether it was made just now.
pub struct HostKey {
    pub key: PrivateKey,
    pub created: bool,
}

/// Load the host key at `path`, or make a new ed25519 key there if there is none.
pub fn load_or_create_host_key(path: &Path) -> Result<HostKey, String> {
    match fs::symlink_metadata(path) {
        Ok(_) => load_host_key(path).map(|key| HostKey {
            key,
            created: false,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_host_key(path),
        Err(e) => Err(format!("cannot read host key {}: {e}", path.display())),
    }
}

fn load_host_key(path: &Path) -> Result<PrivateKey, String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = fs::metadata(path)
            .map_err(|e| format!("cannot read host key {}: {e}", path.display()))?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(format!(
                "host key {} can be read by others (mode {mode:03o}); make it private with chmod 600",
                path.display()
            ));
        }
    }
    let text = fs::read_to_string(path)
        .map_err(|e| format!("cannot read host key {}: {e}", path.display()))?;
    let key = PrivateKey::from_openssh(text.as_bytes()).map_err(|e| {
        format!(
            "host key {} is not an OpenSSH private key: {e}",
            path.display()
        )
    })?;
    if key.is_encrypted() {
        return Err(format!(
            "host key {} is protected by a passphrase; folio needs an unencrypted key",
            path.display()
        ));
    }
    Ok(key)
}

fn create_host_key(path: &Path) -> Result<HostKey, String> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        format!("cannot {what} host key {}: {e}", path.display())
    };
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| fail("make", &e))?;
    let mut key = PrivateKey::from(Ed25519Keypair::from_seed(&seed));
    seed.fill(0);
    key.set_comment("folio host key");
    let pem = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| fail("encode", &e))?;

    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder
            .create(dir)
            .map_err(|e| fail("make a folder for", &e))?;
    }
    // Write a private temporary file, then link it into place: a reader never sees half a key,
    // and two servers starting at once keep the first key.
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(&tmp)?;
        f.write_all(pem.as_bytes())?;
        f.sync_all()
    };
    let written = write();
    let linked = written.and_then(|_| fs::hard_link(&tmp, path));
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return load_host_key(path).map(|key| HostKey {
                key,
                created: false,
            });
        }
        Err(e) => return Err(fail("write", &e)),
    }
    // The public half beside it, for known_hosts files. Not needed to serve.
    if let Ok(public) = key.public_key().to_openssh() {
        let _ = fs::write(path.with_extension("pub"), format!("{public}\n"));
    }
    Ok(HostKey { key, created: true })
}

/// Read an `authorized_keys` file. Options before a key are ignored: a served reader can do
/// nothing they would restrict. Lines that are not keys are reported and skipped; a file with no
/// usable key is an error, so a typo does not lock everyone out silently.
pub fn read_authorized_keys(path: &Path) -> Result<(Vec<PublicKey>, Vec<String>), String> {
    let text = fs::read_to_string(path)
        .map_err(|e| format!("cannot read authorized keys {}: {e}", path.display()))?;
    let mut keys = Vec::new();
    let mut warnings = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match AuthorizedKeys::new(line).next() {
            Some(Ok(entry)) => keys.push(entry.public_key().clone()),
            Some(Err(e)) => warnings.push(format!(
                "{} line {}: not a key folio can use ({e}); skipped",
                path.display(),
                n + 1
            )),
            None => {}
        }
    }
    if keys.is_empty() {
        return Err(format!("no usable keys in {}", path.display()));
    }
    Ok((keys, warnings))
}

/// Whether `key` is one of `allowed` (comments do not matter).
pub fn is_allowed(allowed: &[PublicKey], key: &PublicKey) -> bool {
    allowed.iter().any(|k| k.key_data() == key.key_data())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_key_is_made_private_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("host_ed25519");
        let first = load_or_create_host_key(&path).unwrap();
        assert!(first.created);
        assert_eq!(first.key.algorithm(), russh::keys::Algorithm::Ed25519);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let again = load_or_create_host_key(&path).unwrap();
        assert!(!again.created);
        assert_eq!(
            fingerprint(first.key.public_key()),
            fingerprint(again.key.public_key())
        );
        assert!(fingerprint(again.key.public_key()).starts_with("SHA256:"));
    }

    #[cfg(unix)]
    #[test]
    fn a_host_key_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("host_ed25519");
        load_or_create_host_key(&path).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = load_or_create_host_key(&path).err().unwrap();
        assert!(err.contains("chmod 600"), "{err}");
    }

    #[test]
    fn authorized_keys_are_read_with_options_and_comments() {
        let dir = tempfile::tempdir().unwrap();
        let key = load_or_create_host_key(&dir.path().join("k")).unwrap().key;
        let public = key.public_key().to_openssh().unwrap();
        let path = dir.path().join("authorized_keys");
        fs::write(
            &path,
            format!("# readers\n\nrestrict,pty {public} someone@example\nnot a key\n"),
        )
        .unwrap();
        let (keys, warnings) = read_authorized_keys(&path).unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(is_allowed(&keys, key.public_key()));
        let other = load_or_create_host_key(&dir.path().join("k2")).unwrap().key;
        assert!(!is_allowed(&keys, other.public_key()));
    }

    #[test]
    fn an_authorized_keys_file_without_keys_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("authorized_keys");
        fs::write(&path, "# nobody yet\n").unwrap();
        assert!(read_authorized_keys(&path).is_err());
    }
}
