//! `folio fetch`, `folio import` and `folio export`: the feeds' commands as the command line
//! runs them. What they print of a feed (its name, an address, a server's answer) is data and
//! goes out printable.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use super::fetch::{Limits, Outcome, fetch_all};
use super::store::feeds_dir;
use super::{Feed, opml};
use crate::config::Settings;
use crate::store::write_atomic;
use crate::text::sanitize::printable;

fn say(out: &mut impl Write, text: &str) {
    let _ = writeln!(out, "{}", printable(text));
}

fn warn(text: &str) {
    say(&mut io::stderr().lock(), &format!("folio: {text}"));
}

/// The feeds of the config at `config` (its warnings said on stderr).
fn configured_feeds(config: Option<&Path>, explicit: bool) -> Vec<Feed> {
    let settings = Settings::load(config, explicit);
    for w in &settings.warnings {
        warn(w);
    }
    settings.config.feed
}

/// `folio fetch`: fetch every configured feed into `data` (folio's data folder's `feeds` when
/// `None`), one line per feed on stdout as each finishes, one line per failure on stderr.
/// Fails (exit 1) when any feed failed; the others are fetched all the same.
pub fn fetch(
    config: Option<&Path>,
    explicit: bool,
    data: Option<&Path>,
    timeout: Option<Duration>,
) -> ExitCode {
    let feeds = configured_feeds(config, explicit);
    if feeds.is_empty() {
        warn(&format!(
            "no feeds in {}: add [[feed]] tables, or `folio import FILE.opml`",
            config.map_or("the config".into(), |p| p.display().to_string())
        ));
        return ExitCode::SUCCESS;
    }
    let Some(root) = data.map(Path::to_path_buf).or_else(feeds_dir) else {
        warn("no data folder to keep feeds in");
        return ExitCode::from(2);
    };
    let mut limits = Limits::default();
    if let Some(t) = timeout {
        limits = limits.with_timeout(t);
    }
    // Lines from worker threads, whole.
    let lock = Mutex::new(());
    let report = |o: &Outcome| {
        let _held = lock.lock();
        match &o.result {
            Ok(r) if r.not_modified => say(
                &mut io::stdout().lock(),
                &format!("{}: not modified", o.name),
            ),
            Ok(r) => {
                say(
                    &mut io::stdout().lock(),
                    &format!(
                        "{}: {} new, {} already stored",
                        o.name, r.new_items, r.known_items
                    ),
                );
                for p in &r.page_failures {
                    warn(&format!("{}: kept the summary: {p}", o.name));
                }
            }
            Err(e) => warn(&format!("{}: {}", o.name, e.message)),
        }
    };
    let outcomes = fetch_all(&feeds, &root, &limits, &report);
    let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
    let new: usize = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().ok())
        .map(|r| r.new_items)
        .sum();
    say(
        &mut io::stdout().lock(),
        &format!(
            "{} feeds fetched, {new} new items, {failed} failed; items in {}",
            outcomes.len(),
            root.display()
        ),
    );
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `folio import FILE`: add the OPML file's feeds to the config at `config` (made if missing),
/// keeping what is written there, and say what was added.
pub fn import(file: &Path, config: &Path) -> ExitCode {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            warn(&format!("cannot read {}: {e}", file.display()));
            return ExitCode::from(2);
        }
    };
    let feeds = match opml::parse(&bytes) {
        Ok(f) => f,
        Err(e) => {
            warn(&format!("{}: {e}", file.display()));
            return ExitCode::from(2);
        }
    };
    let text = match std::fs::read_to_string(config) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            warn(&format!("cannot read {}: {e}", config.display()));
            return ExitCode::from(2);
        }
    };
    let added = match opml::add_to_config(&text, &feeds) {
        Ok(a) => a,
        Err(e) => {
            warn(&format!("{}: {e}; nothing imported", config.display()));
            return ExitCode::from(2);
        }
    };
    for (feed, reason) in &added.refused {
        warn(&format!("skipped {}: {reason}", feed.display_name()));
    }
    if !added.added.is_empty()
        && let Err(e) = write_atomic(config, added.text.as_bytes())
    {
        warn(&format!(
            "cannot write {}: {e}; nothing imported",
            config.display()
        ));
        return ExitCode::FAILURE;
    }
    let mut out = io::stdout().lock();
    for feed in &added.added {
        say(
            &mut out,
            &format!("added {} ({})", feed.display_name(), feed.url),
        );
    }
    say(
        &mut out,
        &format!(
            "{} feeds added to {}, {} already there, {} skipped",
            added.added.len(),
            config.display(),
            added.present.len(),
            added.refused.len()
        ),
    );
    ExitCode::SUCCESS
}

/// `folio export`: the configured feeds as OPML 2.0 on stdout.
pub fn export(config: Option<&Path>, explicit: bool) -> ExitCode {
    let feeds = configured_feeds(config, explicit);
    let mut out = io::stdout().lock();
    match out
        .write_all(opml::export(&feeds).as_bytes())
        .and_then(|_| out.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            warn(&e.to_string());
            ExitCode::FAILURE
        }
    }
}
