//! The runtime core per request, against its physical baseline, in one invocation:
//! for each module, the whole alloc+evaluate+restore round trip (`full`), the same without restore (`off`),
//! a fresh instance instead of a restore (`fresh`), the restore alone (`Evaluator::measure_restore`, the real
//! code path), and a plain memcpy of the snapshot's bytes. Each figure is the median of ROUNDS rounds of N requests; the spread (min..max of the
//! rounds) shows the machine's noise. Also: module size, pages after initialisation, fuel per request, and
//! whether 10,000 requests grew memory (any growth replaces an instance, so `replaced` counts it).
//!
//! Usage: sandbox [--quick] MODULE_NAME=PATH.wasm[:BODY_JSON] ...

use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmshim::sandbox::{Evaluator, Settings, SnapshotStrategy};

struct Stats {
    median: f64,
    min: f64,
    max: f64,
}

fn stats(mut rounds: Vec<f64>) -> Stats {
    rounds.sort_by(|a, b| a.partial_cmp(b).unwrap());
    Stats { median: rounds[rounds.len() / 2], min: rounds[0], max: rounds[rounds.len() - 1] }
}

fn fmt(stats: &Stats) -> String {
    format!("{:.2} ({:.2}..{:.2})", stats.median, stats.min, stats.max)
}

fn start(bytes: &[u8], snapshot: SnapshotStrategy) -> Arc<Evaluator> {
    let settings = Settings { pool_size: 1, snapshot, ..Settings::default() };
    Evaluator::start(bytes, settings).unwrap_or_else(|report| panic!("refused:\n{report}")).0
}

/// Microseconds per request, one value per round.
/// With `check`, every reply must be a success (not with `off`: state then leaks, and a guest that counts
/// requests may answer differently).
fn per_request(evaluator: &Arc<Evaluator>, body: &[u8], rounds: usize, n: usize, check: bool) -> Vec<f64> {
    for _ in 0..n / 10 + 1 {
        evaluator.evaluate("eval", body);
    }
    (0..rounds)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..n {
                let evaluation = evaluator.evaluate("eval", body);
                assert!(!check || evaluation.reply.is_ok(), "{:?}", evaluation.reply.err());
            }
            started.elapsed().as_secs_f64() * 1e6 / n as f64
        })
        .collect()
}

/// A plain copy of `bytes`, between buffers placed so that source and target do not alias modulo 4 KiB
/// (adjacent heap blocks do, which makes a naive memcpy benchmark ten times slower than real copies).
fn memcpy(bytes: usize, rounds: usize, n: usize) -> Vec<f64> {
    let source_block = vec![7u8; bytes + 4096];
    let mut target_block = vec![0u8; bytes + 4096];
    let source = &source_block[..bytes];
    let target = &mut target_block[2048..2048 + bytes];
    (0..rounds)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..n {
                target.copy_from_slice(std::hint::black_box(source));
                std::hint::black_box(&mut *target);
            }
            started.elapsed().as_secs_f64() * 1e6 / n as f64
        })
        .collect()
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    args.retain(|a| a != "--quick");
    let (rounds, n, growth_requests) = if quick { (5, 200, 1_000) } else { (15, 1_000, 10_000) };
    println!("| module | size (bytes) | pages after init | fuel/request | full µs | off µs | restore µs | memcpy µs | restore/memcpy | fresh µs | replaced in {growth_requests} |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for arg in args {
        let (name, rest) = arg.split_once('=').expect("NAME=PATH[:BODY]");
        let (path, body) = match rest.split_once(':') {
            Some((path, body)) => (path.to_string(), body.to_string()),
            None => (rest.to_string(), r#"{"response": 1, "answer": 1}"#.to_string()),
        };
        let bytes = if path.ends_with(".wat") { wat::parse_file(&path).unwrap() } else { std::fs::read(&path).unwrap() };
        let body = body.as_bytes();
        let (full, startup) = Evaluator::start(&bytes, Settings { pool_size: 1, ..Settings::default() }).unwrap();
        let fuel = full.evaluate("eval", body).fuel_used;
        let full_us = per_request(&full, body, rounds, n, true);
        let off_us = per_request(&start(&bytes, SnapshotStrategy::Off), body, rounds, n, false);
        let fresh_us = per_request(&start(&bytes, SnapshotStrategy::Fresh), body, rounds, (n / 10).max(20), true);
        let snapshot_bytes = startup.pages_after_init as usize * 65536;
        let memcpy_us = memcpy(snapshot_bytes, rounds, n);
        let restore: Vec<f64> =
            (0..rounds).map(|_| full.measure_restore(n as u32).as_secs_f64() * 1e6 / n as f64).collect();
        let (full_s, off_s, restore_s, memcpy_s, fresh_s) =
            (stats(full_us), stats(off_us), stats(restore), stats(memcpy_us), stats(fresh_us));
        let before = full.replaced();
        for _ in 0..growth_requests {
            full.evaluate("eval", body);
        }
        let grew = full.replaced() - before;
        println!(
            "| {name} | {} | {} | {fuel} | {} | {} | {} | {} | {:.2} | {} | {grew} |",
            bytes.len(),
            startup.pages_after_init,
            fmt(&full_s),
            fmt(&off_s),
            fmt(&restore_s),
            fmt(&memcpy_s),
            restore_s.median / memcpy_s.median,
            fmt(&fresh_s),
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
