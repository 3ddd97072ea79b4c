//! (d) Arbitrary WebAssembly modules (wasm-smith) into `Evaluator::start` (the module checks, the rewrite that
//! exports every mutable global, instantiation, the initialiser, the snapshot) and, when a module is accepted, two
//! evaluations under a tight fuel budget. Three quarters of the modules are shaped to the guest ABI (`memory`,
//! `alloc`, `evaluate`, sometimes `_initialize`) so that they get past the checks; half may import a few WASI
//! functions.
//!
//! Checked: nothing panics; an accepted module gives the same outcome and uses the same fuel on both requests
//! (guest-abi.md §4: "the same module, request and configuration always give the same reply and use the same fuel"),
//! and its pool is full afterwards.

#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use std::time::Duration;
use wasm_smith::{Config, Module};
use wasmshim::sandbox::{Evaluator, Settings};

const ABI_EXPORTS: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "alloc") (param i32) (result i32) unreachable)
  (func (export "evaluate") (param i32 i32) (result i32) unreachable))"#;

const ABI_EXPORTS_WITH_INIT: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "alloc") (param i32) (result i32) unreachable)
  (func (export "evaluate") (param i32 i32) (result i32) unreachable)
  (func (export "_initialize") unreachable))"#;

const WASI_IMPORTS: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func (param i32 i32 i32 i32) (result i32))))"#;

fn module(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let mut config = Config {
        simd_enabled: false,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        gc_enabled: false,
        exceptions_enabled: false,
        custom_page_sizes_enabled: false,
        memory64_enabled: u.arbitrary()?,
        wide_arithmetic_enabled: u.arbitrary()?,
        max_memories: 1,
        max_memory32_bytes: 32 * 65536,
        max_memory64_bytes: 32 * 65536,
        max_table_elements: 1000,
        max_funcs: 20,
        max_instructions: 200,
        max_data_segments: 10,
        max_element_segments: 10,
        ..Config::default()
    };
    config.exports = match u.int_in_range(0..=3)? {
        0 => None,
        1 => Some(wat::parse_str(ABI_EXPORTS_WITH_INIT).expect("valid WAT")),
        _ => Some(wat::parse_str(ABI_EXPORTS).expect("valid WAT")),
    };
    if u.arbitrary()? {
        config.available_imports = Some(wat::parse_str(WASI_IMPORTS).expect("valid WAT"));
    } else {
        config.max_imports = 0;
    }
    Ok(Module::new(config, u)?.to_bytes())
}

fuzz_target!(|data: &[u8]| {
    let Ok(bytes) = module(&mut Unstructured::new(data)) else { return };
    let settings = Settings {
        fuel: 200_000,
        init_fuel: 200_000,
        deadline: Duration::from_secs(5),
        max_memory_pages: 32,
        max_call_depth: 200,
        pool_size: 1,
        queue_timeout: Duration::from_secs(5),
        ..Settings::default()
    };
    let Ok((evaluator, _)) = Evaluator::start(&bytes, settings) else { return };
    let body = br#"{"response":"x","answer":1}"#;
    let first = evaluator.evaluate("eval", body);
    let second = evaluator.evaluate("eval", body);
    assert_eq!(first.reply, second.reply, "the same request gave two different outcomes");
    assert_eq!(first.fuel_used, second.fuel_used, "the same request used different fuel");
    assert_eq!(evaluator.idle(), 1, "the pool lost its instance");
});
