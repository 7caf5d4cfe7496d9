//! folio's command line: picks the front end, maps errors to messages and exit codes.

use std::io::{self, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use folio::app::{App, Exit};
use folio::config::{Settings, Toggle, default_config_path};
use folio::feeds;
use folio::library::{self, Article, Library, ParagraphKind};
use folio::serve::{self, Access};
use folio::store::{Store, default_state_path};
use folio::term::local;
use folio::text::Direction;
use folio::text::document::dump_doc_line;
use folio::text::layout::{LayoutOptions, dump_line, layout_paragraph_lines, logical_line};
use folio::text::sanitize::printable;
use folio::text::{BidiMode, ShapeMode};
use folio::ui::{ColorDepth, Theme};

/// A terminal article reader that lays out right-to-left text correctly.
///
/// With no PATH, opens the sources named in the config (its feeds and folders), or the
/// built-in seed articles when it names none. A folder opens its .txt, .md and .html files.
/// `folio serve` serves the reader over SSH; `folio fetch` fetches the feeds in the config.
#[derive(Parser, Debug)]
#[command(name = "folio", version, about, long_about = None)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    read: ReadArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    // Boxed: the serve options are many, and the other commands are small.
    Serve(Box<ServeArgs>),
    Fetch(FetchArgs),
    Import(ImportArgs),
    Export(ExportArgs),
}

/// Fetch every feed in the config into folio's data folder.
///
/// RSS, Atom and JSON Feed, over HTTP(S), asking only for what changed since the last fetch.
/// Each item is stored once, as an HTML file in a folder per feed, for reading offline. Says
/// on stderr, one line each, which feeds failed (and exits 1); the others are fetched anyway.
#[derive(Args, Debug)]
struct FetchArgs {
    /// Give up on a request (redirects included) after this many seconds.
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    timeout: Option<u64>,
    /// Config file to use instead of the one in your config folder.
    #[arg(long)]
    config: Option<PathBuf>,
}

/// Add the feeds of an OPML file (another feed reader's export) to your config.
///
/// Keeps everything already in the config, comments included, and skips feeds already there.
#[derive(Args, Debug)]
struct ImportArgs {
    /// The OPML file.
    file: PathBuf,
    /// Config file to add to instead of the one in your config folder (made if missing).
    #[arg(long)]
    config: Option<PathBuf>,
}

/// Print the feeds in your config as OPML 2.0, for another feed reader.
#[derive(Args, Debug)]
struct ExportArgs {
    /// Config file to use instead of the one in your config folder.
    #[arg(long)]
    config: Option<PathBuf>,
}

/// Reading in this terminal (the default).
#[derive(Args, Debug)]
struct ReadArgs {
    /// Files or folders to open.
    paths: Vec<PathBuf>,

    /// Print articles as the reading column lays them out, one screen line per line, and exit.
    #[arg(long)]
    dump: bool,
    /// Width of the reading column for --dump.
    #[arg(long, default_value_t = 80, requires = "dump", value_parser = clap::value_parser!(u16).range(1..))]
    width: u16,
    /// With --dump: the same lines and breaks in logical order, unpadded.
    #[arg(long, requires = "dump")]
    logical: bool,
    /// With --dump: logical text, one paragraph per line, boilerplate removed.
    #[arg(long, requires = "dump", conflicts_with = "logical")]
    plain: bool,

    /// Print the library (key, file, title, outlet, languages, words) and exit.
    #[arg(long, conflicts_with = "dump")]
    list: bool,
    /// With --list: print JSON.
    #[arg(long, requires = "list")]
    json: bool,

    /// Print the effective configuration (defaults with your config laid over) and exit.
    #[arg(long)]
    print_config: bool,
    /// Draw borders in ASCII (also automatic when the locale is not UTF-8).
    #[arg(long)]
    ascii: bool,
    /// Do not read or write reading positions, marks and bookmarks.
    #[arg(long)]
    no_state: bool,

    #[command(flatten)]
    reader: ReaderArgs,
}

/// How text is laid out, for reading here and for serving.
#[derive(Args, Debug)]
struct ReaderArgs {
    /// Join Arabic letters (presentation forms): on or off. Overrides the config.
    #[arg(long, value_parser = parse_shape)]
    shape: Option<ShapeMode>,
    /// Who lays out right-to-left text: app, terminal or off. Overrides the config.
    #[arg(long, value_parser = parse_bidi)]
    bidi: Option<BidiMode>,

    /// Config file to use instead of the one in your config folder.
    #[arg(long)]
    config: Option<PathBuf>,
}

/// Whether the locale says UTF-8 (LC_ALL, then LC_CTYPE, then LANG; unset is the C locale).
fn locale_is_utf8() -> bool {
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_default()
        .to_ascii_lowercase();
    locale.contains("utf-8") || locale.contains("utf8")
}

/// Serve the reader over SSH.
///
/// `ssh -p 2222 HOST` lands in the reader, with no shell, commands, file transfer or forwarding
/// behind it.
///
/// Say who may connect: --anonymous lets anyone in; --authorized-keys FILE lets in the holders
/// of the keys in FILE (OpenSSH's authorized_keys format). The server's host key is made on the
/// first start (ed25519, kept private in folio's data folder) and reused afterwards; its
/// fingerprint is printed at start so clients can check it.
#[derive(Args, Debug)]
struct ServeArgs {
    /// Address and port to listen on. Only this machine can connect unless you name another
    /// address here (for example 0.0.0.0:2222).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:2222")]
    listen: SocketAddr,
    /// Let anyone connect, with any user name, with any key or none (a reader with a key keeps
    /// their reading state; one without comes in by keyboard-interactive, asked nothing).
    #[arg(long, conflicts_with = "authorized_keys")]
    anonymous: bool,
    /// Let in only the holders of the keys in FILE (one OpenSSH public key a line).
    #[arg(long, value_name = "FILE")]
    authorized_keys: Option<PathBuf>,
    /// The server's private host key; made here if the file does not exist. Default: host_ed25519
    /// in the server's data folder.
    #[arg(long, value_name = "FILE")]
    host_key: Option<PathBuf>,
    /// The server's data folder: the host key, and the reading state of readers who connect
    /// with a key (in serve/readers/). Default: folio's data folder (XDG).
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Readers whose reading state is kept between sessions, at most; a new key past that is
    /// kept for its session only.
    #[arg(long, value_name = "N", default_value_t = serve::state::DEFAULT_MAX_READERS as u32, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    max_readers: u32,
    /// Readers (authenticated connections) served at once.
    #[arg(long, value_name = "N", default_value_t = serve::defaults::MAX_SESSIONS, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    max_sessions: u32,
    /// Readers served at once from one address.
    #[arg(long, value_name = "N", default_value_t = serve::defaults::MAX_PER_ADDRESS, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    max_per_address: u32,
    /// Connections still authenticating, as OpenSSH's MaxStartups: past START, each new one
    /// drops the stalest (silent ones first) with a chance of RATE percent, rising to certainty
    /// at FULL. Default: N:30:2N for N = --max-sessions, at least 10:30:100. One address may
    /// hold twice --max-per-address of them (at least 10).
    #[arg(long, value_name = "START:RATE:FULL")]
    max_startups: Option<String>,
    /// Close a connection after this many seconds without input (keys or pastes).
    #[arg(long, value_name = "SECS", default_value_t = serve::defaults::IDLE_TIMEOUT_SECS, value_parser = clap::value_parser!(u64).range(1..))]
    idle_timeout: u64,
    /// Append the log (connections, users, key fingerprints, terminal sizes, durations; never
    /// keystrokes) to FILE instead of standard error.
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Disconnect a client that takes no output for this many seconds.
    #[arg(long, hide = true, default_value_t = serve::defaults::STALL_TIMEOUT_SECS, value_parser = clap::value_parser!(u64).range(1..))]
    stall_timeout: u64,
    /// Close a connection that has not sent its SSH greeting after this many seconds.
    #[arg(long, hide = true, default_value_t = serve::defaults::HANDSHAKE_TIMEOUT_SECS, value_parser = clap::value_parser!(u64).range(1..))]
    handshake_timeout: u64,
    /// Close a connection that has not authenticated after this many seconds.
    #[arg(long, hide = true, default_value_t = serve::defaults::AUTH_TIMEOUT_SECS, value_parser = clap::value_parser!(u64).range(1..))]
    auth_timeout: u64,

    /// Every INTERVAL (such as 90s, 30m or 2h), fetch the feeds in the config and read the
    /// files and folders served again: connected readers see new articles appear. The feeds'
    /// folders are served too.
    #[arg(long, value_name = "INTERVAL", value_parser = feeds::refresh::parse_interval)]
    refresh: Option<Duration>,

    /// Files or folders to serve; the config's sources (feeds and folders) if none, else the
    /// built-in seed articles.
    paths: Vec<PathBuf>,

    #[command(flatten)]
    reader: ReaderArgs,
}

fn parse_shape(s: &str) -> Result<ShapeMode, String> {
    match s {
        "on" => Ok(ShapeMode::On),
        "off" => Ok(ShapeMode::Off),
        _ => Err("expected 'on' or 'off'".into()),
    }
}

fn parse_bidi(s: &str) -> Result<BidiMode, String> {
    match s {
        "app" => Ok(BidiMode::App),
        "terminal" => Ok(BidiMode::Terminal),
        "off" => Ok(BidiMode::Off),
        _ => Err("expected 'app', 'terminal' or 'off'".into()),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Serve(args)) => serve(*args),
        Some(Command::Fetch(args)) => match config_path(args.config) {
            Ok((path, explicit)) => feeds::command::fetch(
                path.as_deref(),
                explicit,
                None,
                args.timeout.map(Duration::from_secs),
            ),
            Err(code) => code,
        },
        Some(Command::Import(args)) => match args.config.or_else(default_config_path) {
            Some(config) => feeds::command::import(&args.file, &config),
            None => {
                warn("no config folder; name a config file with --config");
                ExitCode::from(2)
            }
        },
        Some(Command::Export(args)) => match config_path(args.config) {
            Ok((path, explicit)) => feeds::command::export(path.as_deref(), explicit),
            Err(code) => code,
        },
        None => read(cli.read),
    }
}

/// What to open: the paths given, else the sources the config names (its feeds and folders),
/// else nothing (the seeds).
fn source_specs(paths: &[PathBuf], settings: &Settings) -> Vec<library::SourceSpec> {
    if paths.is_empty() {
        settings
            .config
            .sources(feeds::store::feeds_dir().as_deref())
    } else {
        paths.iter().map(|p| library::SourceSpec::path(p)).collect()
    }
}

fn load_library(specs: &[library::SourceSpec]) -> Result<Library, ExitCode> {
    if specs.is_empty() {
        Ok(library::load_seeds())
    } else {
        library::load_sources(specs).map_err(|e| {
            warn(&e.to_string());
            ExitCode::from(2)
        })
    }
}

/// The config to read: the one named (which must be there) or the default one.
fn config_path(named: Option<PathBuf>) -> Result<(Option<PathBuf>, bool), ExitCode> {
    match named {
        Some(path) => match Settings::check_explicit(&path) {
            Ok(()) => Ok((Some(path), true)),
            Err(e) => {
                warn(&e);
                Err(ExitCode::from(2))
            }
        },
        None => Ok((default_config_path(), false)),
    }
}

fn load_settings(args: &ReaderArgs) -> Result<Settings, ExitCode> {
    // A config file named on the command line must be there: starting without it would be a
    // surprise.
    if let Some(path) = &args.config
        && let Err(e) = Settings::check_explicit(path)
    {
        warn(&e);
        return Err(ExitCode::from(2));
    }
    let config_path = args.config.clone().or_else(default_config_path);
    let mut settings = Settings::load(config_path.as_deref(), args.config.is_some());
    if let Some(shape) = args.shape {
        settings.config.reader.shape = shape;
    }
    if let Some(bidi) = args.bidi {
        settings.config.reader.bidi = bidi;
    }
    Ok(settings)
}

fn read(cli: ReadArgs) -> ExitCode {
    // Reading opens a folder from its names (and the metadata cache) and reads its files in the
    // background; printing needs every article and reads them now.
    let reading = !(cli.print_config || cli.list || cli.dump);
    let settings = match load_settings(&cli.reader) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if cli.print_config && cli.paths.is_empty() {
        // The config's sources are not opened only to print the config.
        for w in &settings.warnings {
            warn(w);
        }
        return print_or_fail(settings.to_toml());
    }
    let specs = source_specs(&cli.paths, &settings);
    let (library, fill) = if reading && !specs.is_empty() {
        let cache = library::cache::default_cache_path();
        match library::open_sources(&specs, cache.as_deref()) {
            Ok(opened) => (opened.library, opened.fill),
            Err(e) => {
                warn(&e.to_string());
                return ExitCode::from(2);
            }
        }
    } else if cli.list && !specs.is_empty() {
        // The list needs every title, not every text: one text per core at a time.
        let cache = library::cache::default_cache_path();
        match library::load_source_metadata(&specs, cache.as_deref()) {
            Ok(lib) => (lib, None),
            Err(e) => {
                warn(&e.to_string());
                return ExitCode::from(2);
            }
        }
    } else {
        match load_library(&specs) {
            Ok(lib) => (lib, None),
            Err(code) => return code,
        }
    };

    if cli.print_config {
        for w in &settings.warnings {
            warn(w);
        }
        return print_or_fail(settings.to_toml());
    }
    if cli.list || cli.dump {
        // Scripts get the text on stdout and every warning on stderr.
        for w in settings.warnings.iter().chain(&library.warnings) {
            warn(w);
        }
    }
    if cli.list {
        return print_or_fail(list(&library, cli.json));
    }
    if cli.dump {
        let mut out = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
        let result = if cli.plain {
            plain(&library, &mut out)
        } else {
            dump(
                &library,
                &settings,
                cli.width as usize,
                cli.logical,
                &mut out,
            )
        };
        return match result {
            Ok(()) => ExitCode::SUCCESS,
            // A closed pipe (`folio --dump | head`) is not an error worth a message.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => {
                warn(&e.to_string());
                ExitCode::FAILURE
            }
        };
    }
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        eprintln!("folio: not a terminal; use --dump or --list to print articles");
        return ExitCode::from(2);
    }

    let ascii = cli.ascii
        || match settings.config.ui.ascii {
            Toggle::On => true,
            Toggle::Off => false,
            Toggle::Auto => !locale_is_utf8(),
        };
    let theme = Theme::new(settings.config.ui.theme, ColorDepth::from_env(), ascii);
    let library = Arc::new(library);
    let mut app = App::new(library.clone(), settings, 80, 24);
    if !cli.no_state
        && let Some(path) = default_state_path()
    {
        let (store, warning) = Store::open(path);
        app.attach_store(store, warning);
    }
    let plan = fill.clone();
    if let Some(plan) = fill {
        app.fill_library(plan);
    }
    // The folders being read are watched: files added, changed or removed there show up.
    let lone: Vec<PathBuf> = cli.paths.iter().filter(|p| !p.is_dir()).cloned().collect();
    let result = local::run_local_with(&mut app, &theme, move |post| {
        let watching = folio::watch::watch(&library, &lone, plan, post.clone());
        drop(library);
        // Reading goes on without watching; the user is told why.
        watching
            .map_err(|e| {
                post(folio::term::Input::Done(folio::app::Done::Notice(
                    printable(&e),
                )))
            })
            .ok()
    });
    // The last save: where the reader is now.
    app.remember();
    if let Err(e) = app.store_mut().save() {
        warn(&format!("Could not save reading positions: {e}"));
    }
    match result {
        Ok(Exit::Quit) => ExitCode::SUCCESS,
        Ok(Exit::Terminated) => {
            ExitCode::from(local::stopped_by_signal().map_or(1, |s| (128 + s) as u8))
        }
        Err(e) => {
            eprintln!("folio: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `folio serve`: check the options, start the server, serve until a signal, then shut down
/// gracefully (every reader leaves the alternate screen and says why). Everything it prints about
/// files, keys and clients is made printable first: names come from anyone.
fn serve(args: ServeArgs) -> ExitCode {
    // From the start a closed stderr must not stop the server: say things, ignore failures.
    let say = |text: &str| {
        let _ = writeln!(io::stderr(), "folio: {}", serve::printable(text));
    };
    let startups =
        serve::Startups::scaled(args.max_sessions as usize, args.max_per_address as usize);
    let startups = match args.max_startups.as_deref().map(|s| startups.with_spec(s)) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => {
            say(&format!("--max-startups: {e}"));
            return ExitCode::from(2);
        }
    };
    let access = match (&args.authorized_keys, args.anonymous) {
        (Some(path), _) => match serve::read_authorized_keys(path) {
            Ok((keys, warnings)) => {
                for w in warnings {
                    say(&w);
                }
                Access::Keys(keys)
            }
            Err(e) => {
                say(&e);
                return ExitCode::from(2);
            }
        },
        (None, true) => Access::Anonymous,
        (None, false) => {
            eprintln!(
                "folio serve: say who may connect: --anonymous lets anyone in, \
                 --authorized-keys FILE lets in the holders of the keys in FILE"
            );
            return ExitCode::from(2);
        }
    };
    let settings = match load_settings(&args.reader) {
        Ok(s) => s,
        Err(code) => return code,
    };
    // The config's feeds, with --refresh: fetched every interval and served too (with files or
    // folders named on the command line, as well as them).
    let feeds = settings.config.feed.clone();
    let feeds_root = feeds::store::feeds_dir();
    if args.refresh.is_some() && !feeds.is_empty() && feeds_root.is_none() {
        say("--refresh: no data folder to keep the feeds in");
        return ExitCode::from(2);
    }
    let mut specs = source_specs(&args.paths, &settings);
    if args.refresh.is_some() && !args.paths.is_empty() {
        specs.extend(
            settings
                .config
                .sources(feeds_root.as_deref())
                .into_iter()
                .filter(|s| s.feed.is_some()),
        );
    }
    // What is served, read again after each refresh.
    let served = move || {
        if specs.is_empty() {
            Ok(library::load_seeds())
        } else {
            library::load_sources(&specs)
        }
    };
    let library = match served() {
        Ok(lib) => lib,
        Err(e) => {
            say(&e.to_string());
            return ExitCode::from(2);
        }
    };
    for w in settings.warnings.iter().chain(&library.warnings) {
        say(w);
    }

    let data = args.data.clone().or_else(serve::default_data_dir);
    let Some(key_path) = args
        .host_key
        .clone()
        .or_else(|| data.as_ref().map(|d| d.join(serve::HOST_KEY_FILE)))
    else {
        say("no data folder for the host key; name a file with --host-key or a folder with --data");
        return ExitCode::from(2);
    };
    let host_key = match serve::load_or_create_host_key(&key_path) {
        Ok(k) => k,
        Err(e) => {
            say(&e);
            return ExitCode::from(2);
        }
    };
    say(&format!(
        "host key {} {} ({}{})",
        host_key.key.algorithm(),
        serve::fingerprint(host_key.key.public_key()),
        key_path.display(),
        if host_key.created { ", made now" } else { "" }
    ));

    let log = match &args.log {
        Some(path) => match serve::Log::file(path) {
            Ok(log) => log,
            Err(e) => {
                say(&format!("cannot open log {}: {e}", path.display()));
                return ExitCode::from(2);
            }
        },
        None => serve::Log::stderr(),
    };
    let who = match &access {
        Access::Anonymous => "anyone".to_string(),
        Access::Keys(keys) => format!("{} authorized keys", keys.len()),
    };
    let mut options = serve::Options::new(args.listen, access, host_key.key);
    options.max_sessions = args.max_sessions as usize;
    options.max_per_address = args.max_per_address as usize;
    options.startups = startups;
    options.idle_timeout = Duration::from_secs(args.idle_timeout);
    options.stall_timeout = Duration::from_secs(args.stall_timeout);
    options.handshake_timeout = Duration::from_secs(args.handshake_timeout);
    options.auth_timeout = Duration::from_secs(args.auth_timeout);
    options.log = log.clone();
    match &data {
        Some(dir) => say(&format!(
            "reading state of readers with keys kept in {}",
            dir.join("serve").join("readers").display()
        )),
        None => say("no data folder: reading state lasts each session only"),
    }
    options.data = data;
    options.max_readers = args.max_readers as usize;
    let library = Arc::new(library);
    let hub = args
        .refresh
        .map(|_| Arc::new(serve::hub::Hub::new(library.clone())));
    options.hub = hub.clone();
    serve::raise_descriptor_limit();

    // Signals are caught before the server starts, so none is missed.
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = match signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
        Ok(s) => s,
        Err(e) => {
            say(&e.to_string());
            return ExitCode::FAILURE;
        }
    };
    let articles = library.articles.len();
    let content = serve::Content { library, settings };
    let server = match serve::Server::start(options, content) {
        Ok(s) => s,
        Err(e) => {
            say(&format!("cannot listen on {}: {e}", args.listen));
            return ExitCode::FAILURE;
        }
    };
    let addr = server.local_addr();
    say(&format!("listening on {addr}"));
    say(&format!(
        "serving {articles} articles to {who}; connect with: ssh -p {} {}",
        addr.port(),
        addr.ip()
    ));
    if !addr.ip().is_loopback() {
        say(&format!("{} is reachable from other machines", addr.ip()));
    }
    let refresh = match (args.refresh, hub) {
        (Some(interval), Some(hub)) => {
            if feeds.is_empty() {
                say("--refresh: no feeds in the config; the files served are read again");
            }
            let log = log.clone();
            let started = feeds::refresh::Refresh::start(
                interval,
                feeds,
                feeds_root.unwrap_or_default(),
                feeds::fetch::Limits::default(),
                served,
                move |library| hub.publish(library),
                move |text| log.line(&serve::printable(text)),
            );
            match started {
                Ok(refresh) => Some(refresh),
                Err(e) => {
                    say(&format!("--refresh: {e}"));
                    None
                }
            }
        }
        _ => None,
    };
    if let Some(signal) = signals.forever().next() {
        say(&format!("signal {signal}; shutting down"));
    }
    // No new library is handed round while the readers say goodbye.
    drop(refresh);
    server.shutdown();
    ExitCode::SUCCESS
}

/// Say something about user data on stderr: a file name, a config value or a manifest entry is
/// shown with its controls visible, never raw.
fn warn(text: &str) {
    let _ = writeln!(io::stderr(), "folio: {}", printable(text));
}

fn print_or_fail(text: String) -> ExitCode {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`folio --dump | head`) is not an error worth a message.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("folio: {e}");
            ExitCode::FAILURE
        }
    }
}

fn list(library: &Library, json: bool) -> String {
    if json {
        let sources = library::list_sources(library);
        let s = serde_json::to_string_pretty(&sources).expect("list sources serialise");
        // JSON escapes C0 controls but passes C1 controls, bidi controls and invisible
        // characters through raw; they can only stand inside strings, where `\uXXXX` is the
        // same data.
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            if c.is_control() && c != '\n'
                || folio::text::sanitize::is_bidi_control(c)
                || folio::text::sanitize::is_invisible_format(c)
            {
                out.push_str(&format!("\\u{:04x}", c as u32));
            } else {
                out.push(c);
            }
        }
        out.push('\n');
        out
    } else {
        library::format_list(&library::list_rows(library))
    }
}

/// Each article's text, under a `==> file <==` header when there are several (as `head` does),
/// written as it is made: memory stays bounded by a paragraph, whatever the article's size.
fn per_article(
    library: &Library,
    out: &mut impl Write,
    mut text: impl FnMut(&Article, &mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let many = library.articles.len() > 1;
    for (n, article) in library.articles.iter().enumerate() {
        if many {
            if n > 0 {
                out.write_all(b"\n")?;
            }
            writeln!(out, "==> {} <==", printable(&article.file_name))?;
        }
        text(article, out)?;
    }
    out.flush()
}

/// Every paragraph of an article in reading order as (index or offset, text, direction): a large
/// article's lines are read from the file one at a time.
fn paragraphs_of<'a>(
    article: &'a Article,
    boilerplate: bool,
) -> Box<dyn Iterator<Item = (usize, std::borrow::Cow<'a, str>, Direction)> + 'a> {
    match &article.large {
        Some(text) => {
            let mut next = Some(text.first());
            let mut previous = Direction::Ltr;
            Box::new(std::iter::from_fn(move || {
                let para = next.take()?;
                next = text.next(&para);
                let body = text.text(&para);
                previous = folio::text::bidi::paragraph_direction(&body).unwrap_or(previous);
                Some((para.start, body, previous))
            }))
        }
        None => Box::new(
            article
                .paragraphs
                .iter()
                .enumerate()
                .filter(move |(_, p)| boilerplate || p.kind != ParagraphKind::Boilerplate)
                .map(|(i, p)| (i, std::borrow::Cow::Borrowed(p.text.as_str()), p.dir)),
        ),
    }
}

/// The reading column as text: each article's lines exactly as the reader lays them out.
fn dump(
    library: &Library,
    settings: &Settings,
    width: usize,
    logical: bool,
    out: &mut impl Write,
) -> io::Result<()> {
    let opts = LayoutOptions {
        width,
        shape: settings.config.reader.shape,
        bidi: settings.config.reader.bidi,
    };
    per_article(library, out, |article, out| {
        if article.large.is_none() {
            // Decorations, link numbers and the links list as the reader draws them; with
            // --logical, each line's own text in logical order.
            for line in &article.layout(true, &opts).lines {
                if logical {
                    if let Some(p) = article.paragraphs.get(line.para) {
                        out.write_all(logical_line(&p.text, &line.line).as_bytes())?;
                    }
                } else {
                    out.write_all(dump_doc_line(line).as_bytes())?;
                }
                out.write_all(b"\n")?;
            }
            return Ok(());
        }
        // A large article's lines are its paragraphs and follow each other.
        for (_, text, dir) in paragraphs_of(article, true) {
            for line in layout_paragraph_lines(&text, dir, &opts).lines {
                if logical {
                    out.write_all(logical_line(&text, &line).as_bytes())?;
                } else {
                    out.write_all(dump_line(&line).as_bytes())?;
                }
                out.write_all(b"\n")?;
            }
        }
        Ok(())
    })
}

/// Logical text for other tools: one paragraph per line (a Markdown leaf's own line breaks
/// kept), a blank line between, no boilerplate.
fn plain(library: &Library, out: &mut impl Write) -> io::Result<()> {
    per_article(library, out, |article, out| {
        let large = article.large.is_some();
        for (n, (_, text, _)) in paragraphs_of(article, false).enumerate() {
            if n > 0 {
                out.write_all(if large { b"\n" } else { b"\n\n" })?;
            }
            // A Markdown leaf's own line breaks (code lines, hard breaks, a table's cells) are
            // kept as lines.
            for (k, line) in text.split('\n').enumerate() {
                if k > 0 {
                    out.write_all(b"\n")?;
                }
                out.write_all(printable_logical(line).as_bytes())?;
            }
        }
        out.write_all(b"\n")
    })
}

/// A paragraph's logical text with bidi controls made printable, as everywhere folio prints.
fn printable_logical(text: &str) -> String {
    let whole = folio::text::layout::VisualLine {
        src: 0..text.len(),
        ..Default::default()
    };
    logical_line(text, &whole)
}
