//! Fetching feeds over HTTP(S) and storing their new items ([`fetch_all`]).
//!
//! Polite and bounded: conditional requests (the ETag and Last-Modified of the last answer are
//! sent back, and a 304 costs nothing more), a connect timeout and an overall one per request
//! (redirects included), a size cap per response (a response that says it is larger is refused
//! unread; one that does not say is cut off at the cap), at most [`Limits::max_redirects`]
//! redirects followed by hand so a loop is named as one, and at most [`Limits::per_host`]
//! requests to one host at once, with a few feeds fetched in parallel.
//!
//! RSS 0.9x/1.0/2.0, Atom and JSON Feed are read by `feed-rs`. An item that carries only a
//! summary has its linked page fetched (same limits) and stored whole, for the HTML front end to
//! extract the article from when it is read; if that fails, the summary is kept.
//!
//! Every feed gets an [`Outcome`]: what was stored, or a [`FetchError`] saying in one line what
//! went wrong ([`Failure`] says which kind). One feed failing never stops the others, and
//! nothing stored before is lost: items are only ever added, each written then renamed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use url::Url;

use super::store::{FeedState, Item, store_item};
use super::{Feed, folders, item_file_name};

/// How far a fetch may go.
#[derive(Clone, Debug)]
pub struct Limits {
    /// To open a connection.
    pub connect_timeout: Duration,
    /// For a whole request, from the first connection to the last byte, redirects included.
    pub timeout: Duration,
    /// The largest response body read; of a compressed (gzip) response, the largest it may
    /// grow to once decompressed, so a small bomb is refused like a large body.
    pub max_bytes: u64,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    /// Requests to one host at once.
    pub per_host: usize,
    /// Feeds fetched at once.
    pub parallel: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_bytes: 16 * 1024 * 1024,
            max_redirects: 5,
            per_host: 2,
            parallel: 4,
        }
    }
}

impl Limits {
    /// These limits with an overall timeout of `timeout` (the connect timeout no longer).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.connect_timeout = self.connect_timeout.min(timeout);
        self
    }
}

/// What kind of thing went wrong, for a front end that treats them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The host's name does not resolve.
    HostNotFound,
    /// Nothing listens there, or the connection could not be made.
    Refused,
    /// The TLS handshake failed (a bad certificate, or not TLS at all).
    Tls,
    /// No (complete) answer within the timeout.
    Timeout,
    /// An HTTP status other than success or not-modified.
    Status(u16),
    /// A body over [`Limits::max_bytes`].
    TooLarge,
    /// More than [`Limits::max_redirects`] redirects.
    TooManyRedirects,
    /// A redirect back to an address already visited.
    RedirectLoop,
    /// A bad redirect, a broken connection, a protocol error.
    Http,
    /// A web page where a feed was expected.
    HtmlPage,
    /// Not a feed: malformed XML or JSON, or neither RSS, Atom nor JSON Feed.
    NotAFeed,
    /// The items could not be written.
    Storage,
}

/// Why a feed (or page) could not be fetched: a kind and one line for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchError {
    pub failure: Failure,
    pub message: String,
}

impl FetchError {
    fn new(failure: Failure, message: impl Into<String>) -> FetchError {
        FetchError {
            failure,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// What one feed's fetch stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The server answered 304: nothing changed since the last fetch.
    pub not_modified: bool,
    /// Items stored now.
    pub new_items: usize,
    /// Items in the feed that were stored before.
    pub known_items: usize,
    /// Linked pages that could not be fetched (their items keep the summary), one line each.
    pub page_failures: Vec<String>,
}

/// One feed's fetch.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The feed's name (its data: make it printable before showing it).
    pub name: String,
    pub url: String,
    /// Where its items are.
    pub folder: PathBuf,
    pub result: Result<Report, FetchError>,
}

/// Fetch every feed into its folder under `root` (see [`folders`]), a few at once, and say how
/// each went, in the order of `feeds`. `on_outcome` hears of each feed as soon as it is done
/// (from a worker thread), so a front end can show progress.
pub fn fetch_all(
    feeds: &[Feed],
    root: &Path,
    limits: &Limits,
    on_outcome: &(dyn Fn(&Outcome) + Sync),
) -> Vec<Outcome> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_connect(Some(limits.connect_timeout))
        .timeout_global(Some(limits.timeout))
        .user_agent(concat!("folio/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let names = folders(feeds);
    let slots = HostSlots::new(limits.per_host.max(1));
    let pending: Mutex<Vec<usize>> = Mutex::new((0..feeds.len()).collect());
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; feeds.len()]);
    let workers = limits.parallel.clamp(1, feeds.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    // The next feed whose host has a free slot, so a few hosts are fetched at
                    // once rather than one host's feeds queueing behind each other.
                    let i = {
                        let mut pending = pending.lock().unwrap_or_else(|e| e.into_inner());
                        if pending.is_empty() {
                            break;
                        }
                        let at = pending
                            .iter()
                            .position(|&i| slots.is_free(&host_of(&feeds[i].url)))
                            .unwrap_or(0);
                        pending.remove(at)
                    };
                    let ctx = Ctx {
                        agent: &agent,
                        limits,
                        slots: &slots,
                    };
                    let folder = root.join(&names[i]);
                    let outcome = Outcome {
                        name: feeds[i].display_name(),
                        url: feeds[i].url.clone(),
                        result: fetch_feed(&ctx, &feeds[i], &folder),
                        folder,
                    };
                    on_outcome(&outcome);
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(outcome);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|o| o.expect("every feed was fetched"))
        .collect()
}

/// What every request needs.
struct Ctx<'a> {
    agent: &'a ureq::Agent,
    limits: &'a Limits,
    slots: &'a HostSlots,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Fetch one feed and store its new items; the feed's state is saved whatever happens.
fn fetch_feed(ctx: &Ctx<'_>, feed: &Feed, folder: &Path) -> Result<Report, FetchError> {
    let mut state = FeedState::load(folder);
    if state.url != feed.url {
        // Another feed's state (the folder changed hands): its validators are not ours.
        state = FeedState {
            url: feed.url.clone(),
            ..FeedState::default()
        };
    }
    let result = fetch_and_store(ctx, feed, folder, &mut state);
    let now = now_secs();
    state.last_fetch = Some(now);
    match &result {
        Ok(_) => {
            state.last_success = Some(now);
            state.last_error = None;
        }
        Err(e) => state.last_error = Some(e.message.clone()),
    }
    if let Err(e) = state.save(folder) {
        // The items are stored; without the state the next fetch is a full one.
        if result.is_ok() {
            return Err(FetchError::new(
                Failure::Storage,
                format!(
                    "cannot write {}: {e}",
                    folder.join(super::store::STATE_FILE).display()
                ),
            ));
        }
    }
    result
}

const FEED_TYPES: &str = "application/rss+xml, application/atom+xml, application/feed+json, \
                          application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5";
const PAGE_TYPES: &str = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5";

fn fetch_and_store(
    ctx: &Ctx<'_>,
    feed: &Feed,
    folder: &Path,
    state: &mut FeedState,
) -> Result<Report, FetchError> {
    let got = get(
        ctx,
        &feed.url,
        FEED_TYPES,
        Some((state.etag.as_deref(), state.last_modified.as_deref())),
    )?;
    let Got::Body(body) = got else {
        return Ok(Report {
            not_modified: true,
            ..Report::default()
        });
    };
    if looks_like_html(&body) {
        return Err(FetchError::new(
            Failure::HtmlPage,
            format!(
                "{} is a web page, not a feed (look on it for the feed's own address)",
                body.url
            ),
        ));
    }
    let parsed = feed_rs::parser::Builder::new()
        .base_uri(Some(body.url.as_str()))
        // No made-up ids: an item without a guid is known by its link (see `item_key`).
        .id_generator(|_, _, _| String::new())
        .build()
        .parse(body.bytes.as_slice())
        .map_err(|e| FetchError::new(Failure::NotAFeed, format!("not a feed: {e}")))?;

    // The config's word first, then the item's, then the feed's.
    let language = |entry: &feed_rs::model::Entry| {
        [&feed.language, &entry.language, &parsed.language]
            .into_iter()
            .flatten()
            .map(|l| l.trim())
            .find(|l| !l.is_empty())
            .map(str::to_string)
    };
    let site = feed.display_name();
    let mut report = Report::default();
    for entry in &parsed.entries {
        let Some(key) = item_key(entry) else {
            continue;
        };
        let name = item_file_name(&key);
        if folder.join(&name).exists() {
            report.known_items += 1;
            continue;
        }
        let mut item = item_of(entry, &site, language(entry));
        let has_content = entry
            .content
            .as_ref()
            .and_then(|c| c.body.as_deref())
            .is_some_and(|b| !b.trim().is_empty());
        if !has_content && let Some(link) = &item.link {
            match fetch_page(ctx, link) {
                Ok(page) => item.page = Some(page),
                // Say which page, once.
                Err(e) if e.message.contains(link.as_str()) => report.page_failures.push(e.message),
                Err(e) => report.page_failures.push(format!("{link}: {e}")),
            }
        }
        store_item(folder, &name, &item).map_err(|e| {
            FetchError::new(
                Failure::Storage,
                format!("cannot write {}: {e}", folder.join(&name).display()),
            )
        })?;
        report.new_items += 1;
    }
    // Only now that the items are stored: a fetch cut short above is repeated in full.
    state.etag = body.etag;
    state.last_modified = body.last_modified;
    Ok(report)
}

/// What an item is known by: its guid, or else its link.
fn item_key(entry: &feed_rs::model::Entry) -> Option<String> {
    let id = entry.id.trim();
    if !id.is_empty() {
        return Some(id.to_string());
    }
    entry
        .links
        .first()
        .map(|l| l.href.trim().to_string())
        .filter(|l| !l.is_empty())
}

/// An entry as folio stores it (its page not yet fetched).
fn item_of(entry: &feed_rs::model::Entry, site: &str, language: Option<String>) -> Item {
    let link = entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(entry.links.first())
        .map(|l| l.href.clone());
    let content = entry
        .content
        .as_ref()
        .and_then(|c| {
            let body = c.body.as_deref()?;
            Some(if c.content_type.essence().to_string() == "text/plain" {
                plain_to_html(body)
            } else {
                body.to_string()
            })
        })
        .filter(|b| !b.trim().is_empty())
        .or_else(|| entry.summary.as_ref().map(text_html))
        .unwrap_or_default();
    Item {
        title: entry
            .title
            .as_ref()
            .map(|t| t.content.trim().to_string())
            .filter(|t| !t.is_empty()),
        published: entry.published.or(entry.updated).map(|d| d.to_rfc3339()),
        author: entry
            .authors
            .iter()
            .find_map(|p| p.name.clone().or(p.email.clone()))
            .filter(|a| !a.trim().is_empty()),
        site: site.to_string(),
        language,
        link,
        content,
        page: None,
    }
}

/// A feed's text as HTML: HTML as it is, plain text escaped, a blank line a new paragraph.
fn text_html(text: &feed_rs::model::Text) -> String {
    if text.content_type.essence().to_string() == "text/plain" {
        plain_to_html(&text.content)
    } else {
        text.content.clone()
    }
}

fn plain_to_html(text: &str) -> String {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", quick_xml::escape::escape(p)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether a body is a web page rather than a feed: served as HTML, or opening as one.
fn looks_like_html(body: &Body) -> bool {
    let served_html = body
        .content_type
        .as_deref()
        .is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("text/html"));
    let start: String = String::from_utf8_lossy(&body.bytes[..body.bytes.len().min(512)])
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(14)
        .collect::<String>()
        .to_ascii_lowercase();
    served_html && !start.starts_with("<?xml") && !start.starts_with('{')
        || start.starts_with("<!doctype html")
        || start.starts_with("<html")
}

/// A linked page's HTML, decoded to UTF-8.
fn fetch_page(ctx: &Ctx<'_>, link: &str) -> Result<String, FetchError> {
    let Got::Body(body) = get(ctx, link, PAGE_TYPES, None)? else {
        return Err(FetchError::new(Failure::Http, "unexpected 304"));
    };
    let html = body.content_type.as_deref().is_none_or(|t| {
        let t = t.trim().to_ascii_lowercase();
        t.starts_with("text/html") || t.starts_with("application/xhtml")
    });
    if !html {
        return Err(FetchError::new(
            Failure::Http,
            format!(
                "not a web page ({})",
                body.content_type.as_deref().unwrap_or("")
            ),
        ));
    }
    Ok(crate::library::html::decode_page(
        &body.bytes,
        body.content_type.as_deref(),
    ))
}

/// A response worth reading.
struct Body {
    bytes: Vec<u8>,
    content_type: Option<String>,
    /// Where it came from after redirects.
    url: Url,
    etag: Option<String>,
    last_modified: Option<String>,
}

enum Got {
    NotModified,
    Body(Body),
}

/// GET `url`, following redirects by hand within the limits, holding a slot of the host for
/// each request. `validators` (ETag, Last-Modified) make the request conditional.
fn get(
    ctx: &Ctx<'_>,
    url: &str,
    accept: &str,
    validators: Option<(Option<&str>, Option<&str>)>,
) -> Result<Got, FetchError> {
    let limits = ctx.limits;
    let mut url = Url::parse(url)
        .map_err(|e| FetchError::new(Failure::Http, format!("bad address '{url}': {e}")))?;
    let mut visited = vec![url.clone()];
    let mut deadline: Option<Instant> = None;
    for hop in 0..=limits.max_redirects {
        let _slot = ctx.slots.acquire(host_of(url.as_str()));
        // The clock starts once a slot is held: waiting behind other requests is not the
        // server's slowness.
        let deadline = *deadline.get_or_insert_with(|| Instant::now() + limits.timeout);
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(timeout(limits));
        }
        let mut request = ctx.agent.get(url.as_str()).header("Accept", accept);
        if let Some((etag, modified)) = validators {
            if let Some(etag) = etag {
                request = request.header("If-None-Match", etag);
            }
            if let Some(modified) = modified {
                request = request.header("If-Modified-Since", modified);
            }
        }
        let mut response = request
            .config()
            .timeout_global(Some(remaining))
            .build()
            .call()
            .map_err(|e| classify(e, &url, limits))?;
        let status = response.status();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        if status.is_redirection() && status.as_u16() != 304 {
            let Some(location) = header("location") else {
                return Err(FetchError::new(
                    Failure::Http,
                    format!("{url}: HTTP {} without a Location", status.as_u16()),
                ));
            };
            let next = url.join(&location).map_err(|e| {
                FetchError::new(
                    Failure::Http,
                    format!("{url}: bad redirect '{location}': {e}"),
                )
            })?;
            if !matches!(next.scheme(), "http" | "https") {
                return Err(FetchError::new(
                    Failure::Http,
                    format!("{url}: redirect to '{next}', which is not http(s)"),
                ));
            }
            if visited.contains(&next) {
                return Err(FetchError::new(
                    Failure::RedirectLoop,
                    format!("redirect loop: {url} sends back to {next}"),
                ));
            }
            if hop == limits.max_redirects {
                return Err(FetchError::new(
                    Failure::TooManyRedirects,
                    format!(
                        "more than {} redirects (the last to {next})",
                        limits.max_redirects
                    ),
                ));
            }
            visited.push(next.clone());
            url = next;
            continue;
        }
        if status.as_u16() == 304 {
            return Ok(Got::NotModified);
        }
        if !status.is_success() {
            return Err(FetchError::new(
                Failure::Status(status.as_u16()),
                format!(
                    "{url}: HTTP {} {}",
                    status.as_u16(),
                    status.canonical_reason().unwrap_or("")
                )
                .trim_end()
                .to_string(),
            ));
        }
        let content_type = header("content-type");
        let etag = header("etag");
        let last_modified = header("last-modified");
        // A compressed body is decompressed as it is read (the client asked for gzip), and
        // has no length here: the limit below counts decompressed bytes.
        if let Some(length) = response.body().content_length()
            && length > limits.max_bytes
        {
            return Err(too_large(&url, limits));
        }
        let bytes = response
            .body_mut()
            .with_config()
            .limit(limits.max_bytes)
            .read_to_vec()
            .map_err(|e| classify(e, &url, limits))?;
        return Ok(Got::Body(Body {
            bytes,
            content_type,
            url,
            etag,
            last_modified,
        }));
    }
    unreachable!("the last hop returns")
}

fn timeout(limits: &Limits) -> FetchError {
    FetchError::new(
        Failure::Timeout,
        format!(
            "no complete answer within {} s",
            limits.timeout.as_secs_f64()
        ),
    )
}

fn too_large(url: &Url, limits: &Limits) -> FetchError {
    FetchError::new(
        Failure::TooLarge,
        format!(
            "{url}: the response is larger than {} MiB; refused",
            limits.max_bytes as f64 / (1024.0 * 1024.0)
        ),
    )
}

/// One line for what the HTTP client reported.
fn classify(e: ureq::Error, url: &Url, limits: &Limits) -> FetchError {
    let host = url.host_str().unwrap_or("");
    let at = match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    };
    match e {
        ureq::Error::HostNotFound => {
            FetchError::new(Failure::HostNotFound, format!("host not found: {host}"))
        }
        ureq::Error::Timeout(_) => timeout(limits),
        ureq::Error::BodyExceedsLimit(_) => too_large(url, limits),
        ureq::Error::ConnectionFailed => {
            FetchError::new(Failure::Refused, format!("cannot connect to {at}"))
        }
        ureq::Error::Rustls(e) => {
            FetchError::new(Failure::Tls, format!("TLS with {at} failed: {e}"))
        }
        ureq::Error::Tls(e) => FetchError::new(Failure::Tls, format!("TLS with {at} failed: {e}")),
        ureq::Error::Io(e) => match e.kind() {
            std::io::ErrorKind::ConnectionRefused => {
                FetchError::new(Failure::Refused, format!("connection refused by {at}"))
            }
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => timeout(limits),
            // The system resolver's failure comes as a plain I/O error.
            _ if e.to_string().contains("failed to lookup address") => {
                FetchError::new(Failure::HostNotFound, format!("host not found: {host}"))
            }
            _ if e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) => {
                FetchError::new(Failure::Tls, format!("TLS with {at} failed: {e}"))
            }
            _ => FetchError::new(Failure::Http, format!("{at}: {e}")),
        },
        e => FetchError::new(Failure::Http, format!("{url}: {e}")),
    }
}

/// `host:port` of an address: what the per-host limit counts.
fn host_of(url: &str) -> String {
    Url::parse(url)
        .ok()
        .map(|u| {
            format!(
                "{}:{}",
                u.host_str().unwrap_or(""),
                u.port_or_known_default().unwrap_or(0)
            )
        })
        .unwrap_or_default()
}

/// At most so many requests to one host at once.
struct HostSlots {
    per_host: usize,
    busy: Mutex<HashMap<String, usize>>,
    freed: Condvar,
}

/// A held slot; dropping it frees it.
struct Slot<'a> {
    slots: &'a HostSlots,
    host: String,
}

impl HostSlots {
    fn new(per_host: usize) -> HostSlots {
        HostSlots {
            per_host,
            busy: Mutex::new(HashMap::new()),
            freed: Condvar::new(),
        }
    }

    fn is_free(&self, host: &str) -> bool {
        let busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        busy.get(host).copied().unwrap_or(0) < self.per_host
    }

    /// Wait for a slot of `host`. A thread holds at most one slot at a time, so this cannot
    /// deadlock.
    fn acquire(&self, host: String) -> Slot<'_> {
        let mut busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        while busy.get(&host).copied().unwrap_or(0) >= self.per_host {
            busy = self.freed.wait(busy).unwrap_or_else(|e| e.into_inner());
        }
        *busy.entry(host.clone()).or_insert(0) += 1;
        Slot { slots: self, host }
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut busy = self.slots.busy.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = busy.get_mut(&self.host) {
            *n -= 1;
            if *n == 0 {
                busy.remove(&self.host);
            }
        }
        self.slots.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_pages_are_told_from_feeds() {
        let body = |ct: Option<&str>, text: &str| Body {
            bytes: text.as_bytes().to_vec(),
            content_type: ct.map(str::to_string),
            url: Url::parse("http://x/").unwrap(),
            etag: None,
            last_modified: None,
        };
        assert!(looks_like_html(&body(None, "  <!DOCTYPE html><html>")));
        assert!(looks_like_html(&body(
            Some("text/html; charset=utf-8"),
            "<p>hi"
        )));
        // Feeds served with the wrong type are still feeds.
        assert!(!looks_like_html(&body(
            Some("text/html"),
            "<?xml version=\"1.0\"?><rss/>"
        )));
        assert!(!looks_like_html(&body(
            Some("application/rss+xml"),
            "<rss version=\"2.0\">"
        )));
    }

    #[test]
    fn plain_text_becomes_escaped_paragraphs() {
        assert_eq!(
            plain_to_html("a < b\n\n\nc & d\n"),
            "<p>a &lt; b</p>\n<p>c &amp; d</p>"
        );
    }

    /// A loopback server that answers one request with `body`, gzip-compressed, and keeps
    /// the request's head.
    fn gzip_server(body: Vec<u8>) -> (String, std::thread::JoinHandle<String>) {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/feed.xml", listener.local_addr().unwrap());
        let thread = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            gz.write_all(&body).unwrap();
            let gz = gz.finish().unwrap();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n\
                 Content-Encoding: gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                gz.len()
            );
            let _ = stream.write_all(&gz);
            String::from_utf8_lossy(&head).into_owned()
        });
        (url, thread)
    }

    fn rss(description: &str) -> Vec<u8> {
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Packed</title>\
             <item><title>مرحبا</title><guid isPermaLink=\"false\">one</guid>\
             <description>{description}</description></item></channel></rss>"
        )
        .into_bytes()
    }

    fn fetch_one(url: String, limits: &Limits) -> (Outcome, tempfile::TempDir) {
        let root = tempfile::tempdir().unwrap();
        let feed = Feed {
            url,
            name: Some("Packed".into()),
            hotkey: None,
            language: None,
        };
        let mut outcomes = fetch_all(&[feed], root.path(), limits, &|_| {});
        (outcomes.remove(0), root)
    }

    #[test]
    fn a_gzip_feed_is_asked_for_decompressed_and_stored() {
        let (url, server) = gzip_server(rss("A summary that travelled compressed."));
        let (outcome, _root) = fetch_one(url, &Limits::default());
        let head = server.join().unwrap().to_ascii_lowercase();
        assert!(head.contains("accept-encoding: gzip"), "{head}");
        let report = outcome.result.expect("fetched");
        assert_eq!(report.new_items, 1);
        let stored: Vec<String> = std::fs::read_dir(&outcome.folder)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name() != super::super::store::STATE_FILE)
            .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
            .collect();
        assert!(
            stored.iter().any(|t| t.contains("travelled compressed")),
            "{stored:?}"
        );
    }

    #[test]
    fn a_gzip_body_over_the_cap_once_decompressed_is_refused() {
        // About 4 KiB on the wire, 2 MiB once decompressed, over a 1 MiB cap.
        let (url, server) = gzip_server(rss(&" ".repeat(2 * 1024 * 1024)));
        let limits = Limits {
            max_bytes: 1024 * 1024,
            ..Limits::default()
        };
        let (outcome, _root) = fetch_one(url, &limits);
        server.join().unwrap();
        let err = outcome.result.expect_err("refused");
        assert_eq!(err.failure, Failure::TooLarge, "{err}");
        assert!(err.message.contains("larger than 1 MiB"), "{err}");
    }

    #[test]
    fn host_slots_bound_requests_per_host() {
        let slots = HostSlots::new(2);
        let a = slots.acquire("a:80".into());
        let b = slots.acquire("a:80".into());
        assert!(!slots.is_free("a:80"));
        assert!(slots.is_free("b:80"));
        drop(a);
        assert!(slots.is_free("a:80"));
        drop(b);
        assert!(slots.busy.lock().unwrap().is_empty());
    }
}
