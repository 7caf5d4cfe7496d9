//! Layout speed: folio lays out a 1 MB article of mixed English, Arabic, CJK and emoji, and
//! prints it with `--dump`; the peer is coreutils' `fold -s` (plain word wrap, no bidi, no
//! shaping, no grapheme clusters) on the same text in the same run.
//!
//! Run with `cargo bench --bench layout`. It reports; it asserts nothing about speed.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use folio::text::document::layout_document;
use folio::text::layout::LayoutOptions;
use folio::text::{BidiMode, Direction, ShapeMode, bidi};

const PARAGRAPHS: [&str; 5] = [
    "زار Alan Turing المدينة عام 2023 ودفع 8,796 دولارًا.",
    "The word سلام means peace, and (in 2023) it was said 8,796 times.",
    "قال “مرحبا” ثم غادر. ولد (في القاهرة) عام 1952 وعاش فيها، ثم سافر إلى باريس.",
    "It was the best of times, it was the worst of times, it was the age of wisdom.",
    "日本語のテキストと English words 😀 mixed together in one paragraph.",
];

fn article(bytes: usize) -> String {
    let mut text = String::new();
    let mut i = 0;
    while text.len() < bytes {
        for _ in 0..6 {
            text.push_str(PARAGRAPHS[i % PARAGRAPHS.len()]);
            text.push(' ');
            i += 1;
        }
        text.push_str("\n\n");
    }
    text
}

/// The best of `runs` timings: the least disturbed by other work on a shared machine.
fn best(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn run(cmd: &mut Command, input: Option<&[u8]>) {
    let mut child = cmd
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::null())
        .spawn()
        .expect("start the command");
    if let Some(input) = input {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    assert!(child.wait().unwrap().success());
}

fn main() {
    let text = article(1 << 20);
    let paragraphs: Vec<&str> = text.split("\n\n").filter(|p| !p.is_empty()).collect();
    let dirs = bidi::paragraph_directions(paragraphs.iter().copied());
    let dir = tempfile_dir();
    let path = dir.join("mixed.txt");
    std::fs::write(&path, &text).unwrap();

    println!(
        "## Layout of a {} KiB mixed article at width 80 (best of 5)\n",
        text.len() / 1024
    );
    println!("| what | time | vs `fold -s -w 80` |");
    println!("|---|---:|---:|");
    let fold = best(5, || {
        run(
            Command::new("fold").args(["-s", "-w", "80"]).arg(&path),
            None,
        )
    });
    let mut rows: Vec<(String, Duration)> = Vec::new();
    let mut bidi_and_shaping = Duration::ZERO;
    for (label, shape, mode) in [
        (
            "layout, bidi = app, shape = on",
            ShapeMode::On,
            BidiMode::App,
        ),
        (
            "layout, bidi = app, shape = off",
            ShapeMode::Off,
            BidiMode::App,
        ),
        (
            "layout, bidi = terminal",
            ShapeMode::Off,
            BidiMode::Terminal,
        ),
    ] {
        let opts = LayoutOptions {
            width: 80,
            shape,
            bidi: mode,
        };
        let took = best(5, || {
            let doc = layout_document(
                paragraphs
                    .iter()
                    .zip(&dirs)
                    .enumerate()
                    .map(|(i, (p, d))| (i, *p, *d)),
                &opts,
            );
            std::hint::black_box(doc.lines.len());
        });
        if mode == BidiMode::App && shape == ShapeMode::On {
            bidi_and_shaping = took;
        }
        rows.push((label.to_string(), took));
    }
    let dump = best(5, || {
        run(
            Command::new(env!("CARGO_BIN_EXE_folio"))
                .args(["--dump", "--width", "80"])
                .arg(&path),
            None,
        )
    });
    rows.push(("`folio --dump --width 80` (whole process)".into(), dump));
    rows.push(("`fold -s -w 80` (whole process)".into(), fold));
    for (label, took) in rows {
        println!(
            "| {label} | {:.1} ms | {:.1}× |",
            took.as_secs_f64() * 1000.0,
            took.as_secs_f64() / fold.as_secs_f64()
        );
    }
    let one = best(5, || {
        let huge = PARAGRAPHS[0].repeat(4000);
        let doc = layout_document(
            [(0, huge.as_str(), Direction::Rtl)],
            &LayoutOptions {
                width: 80,
                shape: ShapeMode::On,
                bidi: BidiMode::App,
            },
        );
        std::hint::black_box(doc.lines.len());
    });
    // Linear means a KiB of one huge paragraph costs about what a KiB of the article does.
    let kib = (PARAGRAPHS[0].len() * 4000) as f64 / 1024.0;
    let article_kib = text.len() as f64 / 1024.0;
    let per_kib_para = one.as_secs_f64() / kib;
    let per_kib_article = bidi_and_shaping.as_secs_f64() / article_kib;
    let ratio = per_kib_para / per_kib_article;
    println!(
        "\nOne {kib:.0} KiB paragraph (bidi and shaping on): {:.1} ms, {:.3} ms/KiB against \
         {:.3} ms/KiB for the article: {ratio:.2}×, {}.",
        one.as_secs_f64() * 1000.0,
        per_kib_para * 1000.0,
        per_kib_article * 1000.0,
        if ratio < 2.0 {
            "so the cost stays linear"
        } else {
            "so one long paragraph costs MORE than linear"
        }
    );
    let _ = std::fs::remove_dir_all(dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("folio-layout-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
