//! folio's command line: picks the front end, maps errors to messages and exit codes.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;

use folio::app::{App, Exit};
use folio::config::{Settings, Toggle, default_config_path};
use folio::library::ParagraphKind;
use folio::library::{self, Article, Library};
use folio::store::{Store, default_state_path};
use folio::term::local;
use folio::text::document::layout_document;
use folio::text::layout::{LayoutOptions, dump_line, logical_line};
use folio::text::{BidiMode, ShapeMode};
use folio::ui::{ColorDepth, Theme};

/// A terminal article reader that lays out right-to-left text correctly.
///
/// With no PATH, opens the built-in seed articles. A folder opens its .txt and .md files.
#[derive(Parser, Debug)]
#[command(name = "folio", version, about, long_about = None)]
struct Cli {
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

    /// Join Arabic letters (presentation forms): on or off. Overrides the config.
    #[arg(long, value_parser = parse_shape)]
    shape: Option<ShapeMode>,
    /// Who lays out right-to-left text: app, terminal or off. Overrides the config.
    #[arg(long, value_parser = parse_bidi)]
    bidi: Option<BidiMode>,

    /// Config file to use instead of the one in your config folder.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Print the effective configuration (defaults with your config laid over) and exit.
    #[arg(long)]
    print_config: bool,
    /// Draw borders in ASCII (also automatic when the locale is not UTF-8).
    #[arg(long)]
    ascii: bool,
    /// Do not read or write reading positions, marks and bookmarks.
    #[arg(long)]
    no_state: bool,
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
    let library = if cli.paths.is_empty() {
        library::load_seeds()
    } else {
        match library::load_paths(&cli.paths) {
            Ok(lib) => lib,
            Err(e) => {
                eprintln!("folio: {e}");
                return ExitCode::from(2);
            }
        }
    };
    let config_path = cli.config.clone().or_else(default_config_path);
    let mut settings = Settings::load(config_path.as_deref(), cli.config.is_some());
    if let Some(shape) = cli.shape {
        settings.config.reader.shape = shape;
    }
    if let Some(bidi) = cli.bidi {
        settings.config.reader.bidi = bidi;
    }

    if cli.print_config {
        for w in &settings.warnings {
            eprintln!("folio: {w}");
        }
        return print_or_fail(settings.config.to_toml());
    }
    if cli.list {
        return print_or_fail(list(&library, cli.json));
    }
    if cli.dump {
        for w in &settings.warnings {
            eprintln!("folio: {w}");
        }
        let text = if cli.plain {
            plain(&library)
        } else {
            dump(&library, &settings, cli.width as usize, cli.logical)
        };
        return print_or_fail(text);
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
    let mut app = App::new(Arc::new(library), settings, 80, 24);
    if !cli.no_state
        && let Some(path) = default_state_path()
    {
        let (store, warning) = Store::open(path);
        app.attach_store(store, warning);
    }
    let result = local::run_local(&mut app, &theme);
    app.save_state();
    if let Some(message) = app
        .message
        .as_deref()
        .filter(|m| m.starts_with("Could not save"))
    {
        eprintln!("folio: {message}");
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
    let rows = library::list_rows(library);
    if json {
        let mut s = serde_json::to_string_pretty(&rows).expect("list rows serialise");
        s.push('\n');
        s
    } else {
        library::format_list(&rows)
    }
}

/// Each article's text, under a `==> file <==` header when there are several (as `head` does).
fn per_article(library: &Library, mut text: impl FnMut(&Article, &mut String)) -> String {
    let many = library.articles.len() > 1;
    let mut out = String::new();
    for (n, article) in library.articles.iter().enumerate() {
        if many {
            if n > 0 {
                out.push('\n');
            }
            out.push_str(&format!("==> {} <==\n", article.file_name));
        }
        text(article, &mut out);
    }
    out
}

/// The reading column as text: each article's lines exactly as the reader lays them out.
fn dump(library: &Library, settings: &Settings, width: usize, logical: bool) -> String {
    let opts = LayoutOptions {
        width,
        shape: settings.config.reader.shape,
        bidi: settings.config.reader.bidi,
    };
    per_article(library, |article, out| {
        let paragraphs = &article.paragraphs;
        let doc = layout_document(
            paragraphs
                .iter()
                .enumerate()
                .map(|(i, p)| (i, p.text.as_str(), p.dir)),
            &opts,
        );
        for line in &doc.lines {
            if logical {
                let para = paragraphs.get(line.para).map_or("", |p| p.text.as_str());
                if !line.gap {
                    out.push_str(&logical_line(para, &line.line));
                }
            } else {
                out.push_str(&dump_line(&line.line));
            }
            out.push('\n');
        }
    })
}

/// Logical text for other tools: one paragraph per line, a blank line between, no boilerplate.
fn plain(library: &Library) -> String {
    per_article(library, |article, out| {
        let paragraphs: Vec<String> = article
            .paragraphs
            .iter()
            .filter(|p| p.kind != ParagraphKind::Boilerplate)
            .map(|p| printable_logical(&p.text))
            .collect();
        out.push_str(&paragraphs.join("\n\n"));
        out.push('\n');
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
