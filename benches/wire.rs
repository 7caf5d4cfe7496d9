//! Wire benchmark: the bytes folio writes to the terminal, next to `less` showing the same text.
//!
//! Users read over SSH on slow links, where every byte folio writes costs time. This runs the
//! release binary and `less` in pseudo-terminals of the same size, on the same article, presses
//! the same keys in both, and reports the bytes each program wrote for each step.
//!
//! `less` is given exactly the lines folio shows: the article as `folio --dump --width N` lays it
//! out, N being the width of folio's reading column at that terminal size.
//!
//! Each step is measured only once the previous output has gone quiet, and ends when the
//! expected screen is up (read through a terminal emulator) and the output has been quiet again
//! for [`QUIET`]. Byte counts are deterministic; timing is not measured at all.
//!
//! Run with `cargo bench --bench wire`. Environment knobs: `WIRE_SIZES=100x30,80x24` picks the
//! terminal sizes, `WIRE_FOLIO` another folio binary to measure, `WIRE_DUMP` a folder to keep
//! every step's bytes in, for reading the escape sequences themselves.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::thread;
use std::time::{Duration, Instant};

#[path = "../tests/support/mod.rs"]
mod support;

/// How long the output must stay silent before a step counts as done.
const QUIET: Duration = Duration::from_millis(300);
/// How long to wait for an expected screen before giving up: a deadlock guard, not a target.
const PATIENCE: Duration = Duration::from_secs(20);

/// Synchronized output begin: folio opens every frame with it.
const SYNC_BEGIN: &[u8] = b"\x1b[?2026h";
/// less starts every screen update by going back to its prompt line and erasing it.
const LESS_UPDATE: &[u8] = b"\r\x1b[K";

const SEED_A: &str = "003_9421ad859a52f834.txt";
const SEED_B: &str = "000_855e5a4968ca3ef5.txt";

/// Why the full-width rows are empty.
const NO_ZOOM: &str = "no zoom mode in this build";
const NARROW_NA: &str = "below 60 columns the reader already hides the list pane";

/// Terminal sizes to measure, columns × rows, unless `WIRE_SIZES` names others (`100x30,80x24`).
const SIZES: [(u16, u16); 2] = [(100, 30), (80, 24)];

/// Below this many columns folio shows only the focused pane.
const NARROW: u16 = 60;

// Folio's default layout, mirrored so less can be given the text at the reading column's width
// (the bench checks the line count against folio's status line and says so if they differ).
const LIST_WIDTH: u16 = 36;
const MEASURE: u16 = 100;
const MARGIN: u16 = 1;

/// The list pane's width, in columns, at this terminal width.
fn list_width(cols: u16) -> u16 {
    LIST_WIDTH.clamp(16, cols / 2)
}

/// The reading column's width with the list pane shown.
fn column_width(cols: u16) -> u16 {
    if cols < NARROW {
        // Reading a narrow screen hides the list pane.
        reading_width(cols)
    } else {
        reading_width(cols - list_width(cols))
    }
}

/// The reading column's width in a reader pane this wide (borders included).
fn reading_width(pane: u16) -> u16 {
    let inner = pane.saturating_sub(2);
    let margin = MARGIN.min(inner.saturating_sub(1) / 2);
    inner.saturating_sub(2 * margin).min(MEASURE)
}

/// A program running in a pseudo-terminal (the tests' harness), with what this benchmark asks
/// of it: wait until the screen is right and quiet, and count the bytes a step wrote.
struct Pty {
    pty: support::Pty,
    what: String,
}

impl Pty {
    fn spawn(what: &str, program: &Path, args: &[&Path], size: (u16, u16), home: &Path) -> Pty {
        let (cols, rows) = size;
        let cmd = support::Pty::clean_command(program, args, home);
        Pty {
            pty: support::Pty::start_command(cmd, cols, rows),
            what: what.to_string(),
        }
    }

    fn send(&mut self, keys: &str) {
        self.pty.send(keys);
    }

    fn len(&self) -> usize {
        self.pty.len()
    }

    fn bytes_since(&self, start: usize) -> Vec<u8> {
        self.pty.bytes_since(start)
    }

    /// Rows of the screen, trailing blanks trimmed.
    fn rows(&self) -> Vec<String> {
        self.pty
            .rows()
            .into_iter()
            .map(|r| r.trim_end().to_string())
            .collect()
    }

    /// Wait until the screen satisfies `ok` and nothing has been written for [`QUIET`].
    fn settle(&self, step: &str, ok: impl Fn(&[String]) -> bool) -> Result<(), String> {
        let start = Instant::now();
        loop {
            let rows = self.rows();
            if self.pty.last_activity().elapsed() >= QUIET && ok(&rows) {
                return Ok(());
            }
            if start.elapsed() > PATIENCE {
                return Err(format!(
                    "{}: waited {PATIENCE:?} for {step}; the screen shows:\n{}",
                    self.what,
                    rows.join("\n")
                ));
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Send `keys`, wait until `ok` and quiet, and return the bytes written meanwhile.
    fn step(
        &mut self,
        step: &str,
        keys: &str,
        ok: impl Fn(&[String]) -> bool,
    ) -> Result<Vec<u8>, String> {
        let start = self.len();
        self.send(keys);
        self.settle(step, ok)?;
        Ok(self.bytes_since(start))
    }
}

/// What folio's status line says: the first line shown and the article's line count.
fn folio_position(rows: &[String]) -> Option<(usize, usize)> {
    let status = rows.last()?;
    let at = status.rfind(" lines ")?;
    let rest = &status[at + " lines ".len()..];
    let (first, rest) = rest.split_once('-')?;
    let (_, rest) = rest.split_once('/')?;
    let total: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((first.parse().ok()?, total.parse().ok()?))
}

fn folio_line(rows: &[String]) -> usize {
    folio_position(rows).map_or(0, |(line, _)| line)
}

/// Compare a screen row with a line of text, ignoring blanks (padding, trailing spaces).
fn same_text(row: &str, line: &str) -> bool {
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    squeeze(row) == squeeze(line)
}

/// One program's measurement of one step.
#[derive(Clone, Debug, Default)]
struct Measured {
    bytes: Vec<u8>,
}

impl Measured {
    fn count(&self, marker: &[u8]) -> usize {
        self.bytes
            .windows(marker.len())
            .filter(|w| *w == marker)
            .count()
    }
}

/// The steps of the report, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    FirstFrame,
    Line,
    Page,
    End,
    Switch,
    Queued,
    WideLine,
    WidePage,
}

impl Step {
    const ALL: [Step; 8] = [
        Step::FirstFrame,
        Step::Line,
        Step::Page,
        Step::End,
        Step::Switch,
        Step::Queued,
        Step::WideLine,
        Step::WidePage,
    ];

    fn label(self) -> &'static str {
        match self {
            Step::FirstFrame => "1. first frame",
            Step::Line => "2. one-line scroll (`j`)",
            Step::Page => "3. page down (Space)",
            Step::End => "4. jump to end (`G`)",
            Step::Switch => "5. switch article (folio `]`, less `:n`)",
            Step::Queued => "6. 50 × `j` in one write",
            Step::WideLine => "7a. full-width mode: one-line scroll (`j`)",
            Step::WidePage => "7b. full-width mode: page down (Space)",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Step::FirstFrame => "1-first-frame",
            Step::Line => "2-line",
            Step::Page => "3-page",
            Step::End => "4-end",
            Step::Switch => "5-switch",
            Step::Queued => "6-queued-50j",
            Step::WideLine => "7a-wide-line",
            Step::WidePage => "7b-wide-page",
        }
    }
}

/// One program's run: the bytes of each step it could take.
#[derive(Default)]
struct Run {
    steps: Vec<(Step, Measured)>,
    notes: Vec<String>,
}

impl Run {
    fn get(&self, step: Step) -> Option<&Measured> {
        self.steps.iter().find(|(s, _)| *s == step).map(|(_, m)| m)
    }

    fn put(&mut self, step: Step, bytes: Vec<u8>) {
        self.steps.push((step, Measured { bytes }));
    }
}

/// What folio did in full-width mode, which decides how less is run for the same steps.
struct Zoom {
    /// The first line shown once zoomed, and the article's line count at that width.
    position: (usize, usize),
}

struct FolioRun {
    run: Run,
    /// Full-width mode, or why it could not be measured.
    zoom: Result<Zoom, String>,
}

/// An article laid out for less: the file and its lines.
struct Text {
    path: PathBuf,
    lines: Vec<String>,
}

fn dump(folio: &Path, seed: &Path, width: u16, dir: &Path) -> Result<Text, String> {
    let out = Command::new(folio)
        .arg("--dump")
        .arg("--width")
        .arg(width.to_string())
        .arg(seed)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .output()
        .map_err(|e| format!("folio --dump: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "folio --dump failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    fs_write(&dir.join(seed.file_name().unwrap()), &out.stdout)?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(Text {
        path: dir.join(seed.file_name().unwrap()),
        lines: text.lines().map(str::to_string).collect(),
    })
}

fn fs_write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("write {}: {e}", path.display()))
}

/// folio on `a` then `b`, through every step.
fn run_folio(
    folio: &Path,
    (a, b): (&Path, &Path),
    size: (u16, u16),
    expect_lines: (usize, usize),
) -> Result<FolioRun, String> {
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let name = |p: &Path| p.file_name().unwrap().to_string_lossy().into_owned();
    let (a_name, b_name) = (name(a), name(b));
    let mut pty = Pty::spawn("folio", folio, &[a, b], size, home.path());
    let mut run = Run::default();

    let start_tag = format!("1/2 {a_name}");
    pty.settle("the first frame", |r| {
        r.last().is_some_and(|s| s.contains(&start_tag)) && folio_line(r) == 1
    })?;
    run.put(Step::FirstFrame, pty.bytes_since(0));

    // Give the reader pane the keyboard; not measured.
    pty.step("focus on the reader", "l", |_| true)?;
    let (_, total) = folio_position(&pty.rows()).unwrap_or_default();
    if total != expect_lines.0 {
        run.notes.push(format!(
            "folio shows {total} lines of {a_name}, less {}",
            expect_lines.0
        ));
    }

    let bytes = pty.step("a one-line scroll", "j", |r| folio_line(r) == 2)?;
    run.put(Step::Line, bytes);
    let bytes = pty.step("a page down", " ", |r| folio_line(r) > 2)?;
    run.put(Step::Page, bytes);
    let bytes = pty.step("the end", "G", |r| {
        r.last().is_some_and(|s| s.contains("100%"))
    })?;
    run.put(Step::End, bytes);

    let switch_tag = format!("2/2 {b_name}");
    let bytes = pty.step("the next article", "]", |r| {
        r.last().is_some_and(|s| s.contains(&switch_tag)) && folio_line(r) == 1
    })?;
    run.put(Step::Switch, bytes);
    let (_, total) = folio_position(&pty.rows()).unwrap_or_default();
    if total != expect_lines.1 {
        run.notes.push(format!(
            "folio shows {total} lines of {b_name}, less {}",
            expect_lines.1
        ));
    }

    let bytes = pty.step("50 lines down", &"j".repeat(50), |r| folio_line(r) > 1)?;
    run.put(Step::Queued, bytes);

    let zoom = if size.0 < NARROW {
        Err(NARROW_NA.to_string())
    } else {
        measure_zoom(&mut pty, &mut run, list_width(size.0))
    };
    pty.send("q");
    Ok(FolioRun { run, zoom })
}

/// Full-width reading mode, if this build has it: after `Z` the list pane's columns must show
/// something else (the reader). Titles are not relied on, so renaming them cannot fool this.
fn measure_zoom(pty: &mut Pty, run: &mut Run, list_w: u16) -> Result<Zoom, String> {
    let list_columns = |rows: &[String]| -> Vec<String> {
        let panes = &rows[..rows.len().saturating_sub(1)];
        panes
            .iter()
            .map(|r| r.chars().take(list_w as usize).collect())
            .collect()
    };
    let before = list_columns(&pty.rows());
    pty.step("full-width mode", "Z", |_| true)?;
    if list_columns(&pty.rows()) == before {
        return Err(NO_ZOOM.to_string());
    }
    // The longer lines may leave the article's last page on screen, with nothing to scroll.
    if pty.rows().last().is_some_and(|s| s.contains("100%")) {
        pty.step("the top, full width", "g", |r| folio_line(r) == 1)?;
    }
    let position = folio_position(&pty.rows()).unwrap_or_default();
    let line = position.0;
    let wide = |e: String| {
        eprintln!("wire: {e}");
        "`Z` hid the list pane, but then the reader did not scroll".to_string()
    };
    let bytes = pty
        .step("a one-line scroll, full width", "j", |r| {
            folio_line(r) == line + 1
        })
        .map_err(wide)?;
    run.put(Step::WideLine, bytes);
    let bytes = pty
        .step("a page down, full width", " ", |r| folio_line(r) > line + 1)
        .map_err(wide)?;
    run.put(Step::WidePage, bytes);
    Ok(Zoom { position })
}

/// The row less shows at the top after scrolling to `line` (0-based), given it stops at the end.
fn less_top(text: &Text, rows: u16, line: usize) -> usize {
    line.min(text.lines.len().saturating_sub(rows as usize - 1))
}

fn top_is(text: &Text, line: usize) -> impl Fn(&[String]) -> bool + '_ {
    move |r: &[String]| {
        r.first()
            .is_some_and(|top| same_text(top, text.lines.get(line).map_or("", |s| s)))
    }
}

/// less on `a` then `b`, through the steps it has.
fn run_less(less: &Path, (a, b): (&Text, &Text), size: (u16, u16)) -> Result<Run, String> {
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let rows = size.1;
    let mut pty = Pty::spawn(
        "less",
        less,
        &[a.path.as_path(), b.path.as_path()],
        size,
        home.path(),
    );
    let mut run = Run::default();
    let page = rows as usize - 1;

    pty.settle("the first screen", top_is(a, 0))?;
    run.put(Step::FirstFrame, pty.bytes_since(0));
    let bytes = pty.step("a one-line scroll", "j", top_is(a, less_top(a, rows, 1)))?;
    run.put(Step::Line, bytes);
    let bytes = pty.step("a page down", " ", top_is(a, less_top(a, rows, 1 + page)))?;
    run.put(Step::Page, bytes);
    let bytes = pty.step("the end", "G", |r| {
        r.last().is_some_and(|s| s.contains("(END)"))
    })?;
    run.put(Step::End, bytes);
    let bytes = pty.step("the next file", ":n", top_is(b, 0))?;
    run.put(Step::Switch, bytes);
    let bytes = pty.step(
        "50 lines down",
        &"j".repeat(50),
        top_is(b, less_top(b, rows, 50)),
    )?;
    run.put(Step::Queued, bytes);
    pty.send("q");
    Ok(run)
}

/// less on the text at folio's full-width column, from the line folio's full-width mode showed.
fn run_less_wide(less: &Path, text: &Text, size: (u16, u16), first: usize) -> Result<Run, String> {
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let rows = size.1;
    let mut pty = Pty::spawn("less", less, &[text.path.as_path()], size, home.path());
    let mut run = Run::default();
    pty.settle("the first screen", top_is(text, 0))?;
    let top = less_top(text, rows, first.saturating_sub(1));
    pty.step(
        "the line folio shows",
        &format!("{}g", top + 1),
        top_is(text, top),
    )?;
    let bytes = pty.step(
        "a one-line scroll",
        "j",
        top_is(text, less_top(text, rows, top + 1)),
    )?;
    run.put(Step::WideLine, bytes);
    let bytes = pty.step(
        "a page down",
        " ",
        top_is(text, less_top(text, rows, top + rows as usize)),
    )?;
    run.put(Step::WidePage, bytes);
    pty.send("q");
    Ok(run)
}

/// Where a frame's bytes go on screen: folio moves the cursor with `CSI row;col H` before each
/// run of changed cells, so every byte is charged to the pane the cursor is in.
#[derive(Default, Debug)]
struct Regions {
    list: usize,
    reader: usize,
    status: usize,
    /// Bytes outside any pane: synchronized-output markers, cursor and mode switches.
    other: usize,
    /// Changed cells written (characters), per pane.
    list_cells: usize,
    reader_cells: usize,
    status_cells: usize,
    /// Cursor moves (`CSI row;col H`): how many, and their bytes (included in the panes').
    moves: usize,
    move_bytes: usize,
    /// Screen rows the reader pane's changes touched.
    reader_rows: std::collections::BTreeSet<u16>,
}

fn regions(bytes: &[u8], size: (u16, u16), list_w: u16) -> Regions {
    let (_, rows) = size;
    let mut out = Regions::default();
    // 1-based cursor position; None until the first cursor move.
    let mut at: Option<(u16, u16)> = None;
    let mut i = 0;
    while i < bytes.len() {
        let (len, is_text, move_to) = if bytes[i] == 0x1b {
            let mut j = i + 1;
            if j < bytes.len() && bytes[j] == b'[' {
                j += 1;
                while j < bytes.len() && !(0x40..=0x7e).contains(&bytes[j]) {
                    j += 1;
                }
                let end = (j + 1).min(bytes.len());
                let seq = &bytes[i..end];
                let target = if seq.last() == Some(&b'H') {
                    let body = String::from_utf8_lossy(&seq[2..seq.len() - 1]).into_owned();
                    let mut parts = body.split(';').map(|p| p.parse::<u16>().unwrap_or(1));
                    Some((parts.next().unwrap_or(1), parts.next().unwrap_or(1)))
                } else {
                    None
                };
                (end - i, false, target)
            } else {
                ((j + 1).min(bytes.len()) - i, false, None)
            }
        } else {
            // One UTF-8 character.
            let width = match bytes[i] {
                0xf0..=0xff => 4,
                0xe0..=0xef => 3,
                0xc0..=0xdf => 2,
                _ => 1,
            };
            (width.min(bytes.len() - i), true, None)
        };
        if let Some(pos) = move_to {
            at = Some(pos);
            out.moves += 1;
            out.move_bytes += len;
        }
        let region = match at {
            None => 3,
            Some((row, _)) if row == rows => 2,
            Some((_, col)) if col <= list_w => 0,
            Some(_) => 1,
        };
        let slot = match region {
            0 => &mut out.list,
            1 => &mut out.reader,
            2 => &mut out.status,
            _ => &mut out.other,
        };
        // Mode switches after the last cell (reset style, cursor hidden, sync end) are overhead.
        let tail = bytes[i..].starts_with(b"\x1b[?");
        if tail {
            out.other += len;
        } else {
            *slot += len;
        }
        if is_text {
            match region {
                0 => out.list_cells += 1,
                1 => {
                    out.reader_cells += 1;
                    if let Some((row, _)) = at {
                        out.reader_rows.insert(row);
                    }
                }
                2 => out.status_cells += 1,
                _ => {}
            }
            if let Some((_, col)) = at.as_mut() {
                *col += 1;
            }
        }
        i += len;
    }
    out
}

fn ratio(folio: usize, less: usize) -> Option<f64> {
    (less > 0).then(|| folio as f64 / less as f64)
}

fn fmt_ratio(r: Option<f64>) -> String {
    r.map_or("–".into(), |r| format!("{r:.2}×"))
}

fn met(ok: bool) -> &'static str {
    if ok { "**met**" } else { "**not met**" }
}

struct Table {
    title: String,
    folio: FolioRun,
    less: Run,
    less_wide: Option<Run>,
    size: (u16, u16),
}

fn print_table(t: &Table) {
    println!("### {}\n", t.title);
    println!("| step | folio bytes | less bytes | ratio (folio/less) |");
    println!("|---|---:|---:|---:|");
    for step in Step::ALL {
        let wide = matches!(step, Step::WideLine | Step::WidePage);
        let less = if wide {
            t.less_wide.as_ref().and_then(|r| r.get(step))
        } else {
            t.less.get(step)
        };
        let folio = t.folio.run.get(step);
        let (f, l) = match (folio, &t.folio.zoom) {
            (None, Err(why)) if wide => {
                println!("| {} | n/a ({why}) | – | – |", step.label());
                continue;
            }
            (f, _) => (f, less),
        };
        let cell = |m: Option<&Measured>, frames: &str| match m {
            None => "–".to_string(),
            Some(m) if step == Step::Queued => format!("{} ({frames})", m.bytes.len()),
            Some(m) => m.bytes.len().to_string(),
        };
        let ff = f.map_or(0, |m| m.count(SYNC_BEGIN));
        let lf = l.map_or(0, |m| m.count(LESS_UPDATE));
        let f_cell = cell(f, &format!("{ff} frame{}", if ff == 1 { "" } else { "s" }));
        let l_cell = cell(l, &format!("{lf} update{}", if lf == 1 { "" } else { "s" }));
        let r = match (f, l) {
            (Some(f), Some(l)) => fmt_ratio(ratio(f.bytes.len(), l.bytes.len())),
            _ => "–".into(),
        };
        println!("| {} | {f_cell} | {l_cell} | {r} |", step.label());
    }
    println!();

    let bytes = |run: Option<&Run>, s: Step| run.and_then(|r| r.get(s)).map(|m| m.bytes.len());
    let page = bytes(Some(&t.folio.run), Step::Page)
        .zip(bytes(Some(&t.less), Step::Page))
        .and_then(|(f, l)| ratio(f, l));
    let wide = bytes(Some(&t.folio.run), Step::WideLine)
        .zip(bytes(t.less_wide.as_ref(), Step::WideLine))
        .and_then(|(f, l)| ratio(f, l));
    let frames = t.folio.run.get(Step::Queued).map(|m| m.count(SYNC_BEGIN));
    println!("Targets:\n");
    match page {
        Some(r) => println!(
            "- page down ≤ 1.2× less: {} — {}",
            fmt_ratio(Some(r)),
            met(r <= 1.2)
        ),
        None => println!("- page down ≤ 1.2× less: not measured"),
    }
    match wide {
        Some(r) => println!(
            "- one-line scroll in full-width mode ≤ 2× less: {} — {}",
            fmt_ratio(Some(r)),
            met(r <= 2.0)
        ),
        None => println!(
            "- one-line scroll in full-width mode ≤ 2× less: n/a ({}) — **not met**",
            t.folio
                .zoom
                .as_ref()
                .err()
                .map_or("not measured", String::as_str)
        ),
    }
    match frames {
        Some(n) => println!("- 50 queued keys → at most 3 frames: {n} — {}", met(n <= 3)),
        None => println!("- 50 queued keys → at most 3 frames: not measured"),
    }

    let (cols, rows) = t.size;
    let reader_rows = rows.saturating_sub(3);
    println!(
        "\nA page is {} lines in less (all rows but the prompt) and {reader_rows} in folio (the \
         reader pane's rows inside its borders).",
        rows - 1
    );

    let list_w = if cols < NARROW { 0 } else { list_width(cols) };
    println!("\nWhere folio's bytes go (charged to the pane the cursor is in):\n");
    println!(
        "| step | list pane | reader pane | status line | other | cursor moves (bytes) | cells \
         rewritten (list/reader/status) | reader rows touched |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for step in [
        Step::Line,
        Step::Page,
        Step::Queued,
        Step::WideLine,
        Step::WidePage,
    ] {
        if let Some(m) = t.folio.run.get(step) {
            let wide = matches!(step, Step::WideLine | Step::WidePage);
            let r = regions(&m.bytes, t.size, if wide { 0 } else { list_w });
            println!(
                "| {} | {} | {} | {} | {} | {} ({}) | {}/{}/{} | {} |",
                step.label(),
                r.list,
                r.reader,
                r.status,
                r.other,
                r.moves,
                r.move_bytes,
                r.list_cells,
                r.reader_cells,
                r.status_cells,
                r.reader_rows.len()
            );
        }
    }
    for note in t.folio.run.notes.iter().chain(&t.less.notes) {
        println!("\nNote: {note}");
    }
    println!();
}

fn dump_steps(dir: &Path, tag: &str, program: &str, run: &Run) {
    for (step, m) in &run.steps {
        let path = dir.join(format!("{tag}-{program}-{}.bin", step.slug()));
        if let Err(e) = fs_write(&path, &m.bytes) {
            eprintln!("wire: {e}");
        }
    }
}

fn parse_sizes(list: &str) -> Option<Vec<(u16, u16)>> {
    list.split(',')
        .map(|s| {
            let (c, r) = s.trim().split_once('x')?;
            let (c, r) = (c.parse::<u16>().ok()?, r.parse::<u16>().ok()?);
            (c >= 20 && r >= 5).then_some((c, r))
        })
        .collect()
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn measure(
    folio: &Path,
    less: &Path,
    seeds: &Path,
    size: (u16, u16),
    (first, second): (&str, &str),
) -> Result<Table, String> {
    let (cols, rows) = size;
    let texts = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (seed_a, seed_b) = (seeds.join(first), seeds.join(second));
    let width = column_width(cols);
    let a = dump(folio, &seed_a, width, texts.path())?;
    let b = dump(folio, &seed_b, width, texts.path())?;
    let expect = (a.lines.len(), b.lines.len());

    let folio_thread = {
        let (folio, seed_a, seed_b) = (folio.to_path_buf(), seed_a.clone(), seed_b.clone());
        thread::spawn(move || run_folio(&folio, (&seed_a, &seed_b), size, expect))
    };
    let less_run = run_less(less, (&a, &b), size);
    let folio_run = folio_thread
        .join()
        .map_err(|_| "the folio run panicked".to_string())??;
    let less_run = less_run?;

    let wide_width = reading_width(cols);
    let less_wide = match &folio_run.zoom {
        Err(_) => None,
        Ok(zoom) => {
            let wide_dir = texts.path().join("wide");
            std::fs::create_dir_all(&wide_dir).map_err(|e| e.to_string())?;
            let text = dump(folio, &seed_b, wide_width, &wide_dir)?;
            let mut run = run_less_wide(less, &text, size, zoom.position.0)?;
            if zoom.position.1 != text.lines.len() {
                run.notes.push(format!(
                    "in full-width mode folio shows {} lines of {second}; less was given it at \
                     width {wide_width}, {} lines",
                    zoom.position.1,
                    text.lines.len()
                ));
            }
            Some(run)
        }
    };

    if let Some(dir) = std::env::var_os("WIRE_DUMP") {
        let dir = PathBuf::from(dir);
        let _ = std::fs::create_dir_all(&dir);
        let tag = format!("{cols}x{rows}-{}", &first[..3]);
        dump_steps(&dir, &tag, "folio", &folio_run.run);
        dump_steps(&dir, &tag, "less", &less_run);
        if let Some(run) = &less_wide {
            dump_steps(&dir, &tag, "less", run);
        }
    }

    let mut less_run = less_run;
    if let Some(run) = &less_wide {
        less_run.notes.extend(run.notes.iter().cloned());
    }
    Ok(Table {
        title: format!(
            "{cols}×{rows}: `{first}`, then `{second}` (reading column {width}; full width \
             {wide_width})"
        ),
        folio: folio_run,
        less: less_run,
        less_wide,
        size,
    })
}

fn main() -> ExitCode {
    // `cargo bench` passes --bench; `cargo test --benches` does not, and this is a report to
    // read, not a test to pass.
    if !std::env::args().any(|a| a == "--bench") {
        println!("wire: a byte-count report, not a test; run it with `cargo bench --bench wire`");
        return ExitCode::SUCCESS;
    }
    let Some(less) = find_on_path("less") else {
        eprintln!(
            "wire: `less` was not found on PATH. This benchmark compares folio with less on the \
             same text; install less and run it again."
        );
        return ExitCode::FAILURE;
    };
    // Another build can be measured the same way without rebuilding this one.
    let folio = std::env::var_os("WIRE_FOLIO")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_folio")));
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let version = Command::new(&less)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .map(str::to_string)
        })
        .unwrap_or_default();

    println!("## Wire: bytes written to the terminal, folio vs less\n");
    println!(
        "folio {} (release build) vs {version}; TERM=xterm-256color, LESS cleared, \
         LESSHISTFILE=-. less shows the lines `folio --dump --width N` prints, N being folio's \
         reading column. Each step counts the bytes written from the key press until the screen \
         shows the expected result and the output has been quiet for {} ms.\n",
        env!("CARGO_PKG_VERSION"),
        QUIET.as_millis()
    );
    println!(
        "Frames: folio's are counted by its synchronized-output begin markers (`ESC [?2026h`); \
         less's screen updates by the `CR ESC [K` with which less erases its prompt line before \
         drawing each command's result.\n"
    );

    let mut failed = false;
    let sizes = match std::env::var("WIRE_SIZES") {
        Ok(list) => match parse_sizes(&list) {
            Some(sizes) => sizes,
            None => {
                eprintln!("wire: WIRE_SIZES wants sizes like `100x30,80x24`, not {list:?}");
                return ExitCode::FAILURE;
            }
        },
        Err(_) => SIZES.to_vec(),
    };
    for size in sizes {
        for order in [(SEED_A, SEED_B), (SEED_B, SEED_A)] {
            match measure(&folio, &less, &seeds, size, order) {
                Ok(table) => print_table(&table),
                Err(e) => {
                    eprintln!("wire: {e}");
                    failed = true;
                }
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
