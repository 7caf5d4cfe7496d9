//! folio's command line: picks the front end, maps errors to messages and exit codes.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;

use folio::app::{App, Exit};
use folio::config::{Settings, default_config_path};
use folio::library::{self, Library};
use folio::term::local;
use folio::text::document::layout_document;
use folio::text::layout::{LayoutOptions, dump_line, logical_line};
use folio::text::{BidiMode, ShapeMode};
use folio::ui::Theme;

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

    if cli.list {
        return print_or_fail(list(&library, cli.json));
    }
    if cli.dump {
        for w in &settings.warnings {
            eprintln!("folio: {w}");
        }
        return print_or_fail(dump(&library, &settings, cli.width as usize, cli.logical));
    }
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        eprintln!("folio: not a terminal; use --dump or --list to print articles");
        return ExitCode::from(2);
    }

    let mut app = App::new(Arc::new(library), settings, 80, 24);
    let theme = Theme::default();
    match local::run_local(&mut app, &theme) {
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

/// The reading column as text: each article's lines exactly as the reader lays them out.
fn dump(library: &Library, settings: &Settings, width: usize, logical: bool) -> String {
    let opts = LayoutOptions {
        width,
        shape: settings.config.reader.shape,
        bidi: settings.config.reader.bidi,
    };
    let many = library.articles.len() > 1;
    let mut out = String::new();
    for (n, article) in library.articles.iter().enumerate() {
        if many {
            if n > 0 {
                out.push('\n');
            }
            out.push_str(&format!("==> {} <==\n", article.file_name));
        }
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
    }
    out
}
