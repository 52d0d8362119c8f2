//! What the benchmarks share: their command line and the median.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

/// `[--studies N] [--runs R] [--dir DIR]`.
pub struct Args {
    pub studies: Option<usize>,
    pub runs: usize,
    pub dir: Option<PathBuf>,
}

/// Parse the arguments of the bench called `name`, with `runs` runs by default.
pub fn parse_args(name: &str, runs: usize) -> Args {
    let mut args = Args {
        studies: None,
        runs,
        dir: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .unwrap_or_else(|| usage(name, &format!("{a} needs a value")))
        };
        match a.as_str() {
            "--studies" => {
                args.studies = Some(
                    value()
                        .parse()
                        .unwrap_or_else(|_| usage(name, "--studies N")),
                )
            }
            "--runs" => args.runs = value().parse().unwrap_or_else(|_| usage(name, "--runs R")),
            "--dir" => args.dir = Some(PathBuf::from(value())),
            "-h" | "--help" => usage(name, ""),
            other => usage(name, &format!("unknown argument {other}")),
        }
    }
    args.runs = args.runs.max(1);
    args
}

pub fn usage(name: &str, msg: &str) -> ! {
    if !msg.is_empty() {
        eprintln!("{name}: {msg}");
    }
    eprintln!(
        "usage: cargo run --release --example {name} [-- --studies N] [--runs R] [--dir DIR]"
    );
    std::process::exit(2)
}

pub fn median(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v[v.len() / 2]
}
