//! The `wasmshim` command line: `serve` (the default), `run`, `check`, `health`, `version`.

use std::io::{Read, Write};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmshim::config::{self, Config, RawValues};
use wasmshim::sandbox::Evaluator;
use wasmshim::{health, http, listener, logging, protocol, shutdown, EMBEDDED_EVALUATOR};

const USAGE: &str = "\
wasmshim: serve Lambda Feedback evaluation functions compiled to WebAssembly, with Shimmy's HTTP API.

Usage:
  wasmshim [serve] [OPTIONS]                 serve the module over HTTP (the embedded demo evaluator if none)
  wasmshim run [OPTIONS] [--command CMD] [FILE|-]
                                             send one request body (FILE or stdin) to the module and print
                                             the reply; CMD is eval (default), preview or healthcheck
  wasmshim check [OPTIONS] MODULE            check a module against the guest ABI and print the report;
                                             exit 0 if servable, 1 if refused, 2 on a usage error
  wasmshim health [--url URL]                exit 0 if a server answers GET /health (for container health
                                             checks); URL defaults to http://127.0.0.1:$HTTP_PORT/health
  wasmshim version                           print the version
";

/// Coroutine stack size, in machine words (may's unit): 1 MiB of address space, of which a connection touches
/// only what it uses. may's default of 32 KiB is far too small: parsing JSON nested 128 deep (serde_json's
/// limit, with arbitrary precision and ordered maps) takes about 450 KiB in a debug build.
const COROUTINE_STACK_WORDS: usize = 1024 * 1024 / std::mem::size_of::<usize>();

/// How many finished coroutines may keeps for reuse. may's default is 1,000, all created at start-up (about 20 ms)
/// and handed out first-in first-out, so over time every one of them is used and keeps the stack pages its
/// connection touched: the resident size grew by ~23 MB over the first quarter million requests of the soak test.
/// With 8, start-up is faster and the kept stacks hold a few hundred KB (more only after deep requests); a
/// connection beyond them gets a freshly mapped stack (a few microseconds) that is unmapped when it closes.
const COROUTINE_POOL_CAPACITY: usize = 8;

/// A command line that could not be understood: exit 2.
struct UsageError(String);

impl<T: std::fmt::Display> From<T> for UsageError {
    fn from(error: T) -> Self {
        UsageError(error.to_string())
    }
}

enum Subcommand {
    Serve,
    Run { command: protocol::Command, input: Option<String> },
    Check { module: String },
    Health { url: Option<String> },
    Version,
    Help,
}

fn main() -> ExitCode {
    match parse_args() {
        Ok((subcommand, raw)) => match subcommand {
            Subcommand::Help => {
                print!("{USAGE}\n{}", config::help_text());
                ExitCode::SUCCESS
            }
            Subcommand::Version => {
                println!("wasmshim {}", env!("CARGO_PKG_VERSION"));
                ExitCode::SUCCESS
            }
            Subcommand::Health { url } => health(url, &raw),
            other => match raw.resolve() {
                Ok(config) => match other {
                    Subcommand::Serve => serve(config),
                    Subcommand::Run { command, input } => run(config, command, input),
                    Subcommand::Check { module } => check(config, &module),
                    _ => unreachable!("handled above"),
                },
                Err(error) => {
                    eprintln!("wasmshim: {error}");
                    ExitCode::from(2)
                }
            },
        },
        Err(UsageError(message)) => {
            eprintln!("wasmshim: {message}\n\n{USAGE}\nRun `wasmshim --help` for every option.");
            ExitCode::from(2)
        }
    }
}

fn parse_args() -> Result<(Subcommand, RawValues), UsageError> {
    use lexopt::prelude::*;
    let mut raw = RawValues::from_env();
    let mut parser = lexopt::Parser::from_env();
    let mut name: Option<String> = None;
    let mut command = protocol::Command::Eval;
    let mut positional: Vec<String> = Vec::new();
    let mut url = None;
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => return Ok((Subcommand::Help, raw)),
            Short('V') | Long("version") => return Ok((Subcommand::Version, raw)),
            Long("command") if name.as_deref() == Some("run") => {
                let value = parser.value()?.string()?;
                command = protocol::Command::from_header(Some(value.as_bytes())).ok_or_else(|| {
                    UsageError(format!("unknown command {value:?}: use eval, preview or healthcheck"))
                })?;
            }
            Long("url") if name.as_deref() == Some("health") => url = Some(parser.value()?.string()?),
            Long(flag) => {
                let flag = flag.to_string();
                let value = parser.value()?.string()?;
                if !raw.set_flag(&flag, value) {
                    return Err(UsageError(format!("unknown option --{flag}")));
                }
            }
            Value(value) if name.is_none() => name = Some(value.string()?),
            Value(value) => positional.push(value.string()?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let at_most_one = |what: &str| -> Result<Option<String>, UsageError> {
        match positional.len() {
            0 | 1 => Ok(positional.first().cloned()),
            _ => Err(UsageError(format!("expected at most one {what}, got {}", positional.len()))),
        }
    };
    let subcommand = match name.as_deref().unwrap_or("serve") {
        "serve" if positional.is_empty() => Subcommand::Serve,
        "run" => Subcommand::Run { command, input: at_most_one("input file")? },
        "check" => Subcommand::Check {
            module: at_most_one("module")?.ok_or_else(|| UsageError("check needs a MODULE path".into()))?,
        },
        "health" if positional.is_empty() => Subcommand::Health { url },
        "version" => Subcommand::Version,
        "help" => Subcommand::Help,
        other => return Err(UsageError(format!("unknown subcommand or argument {other:?}"))),
    };
    Ok((subcommand, raw))
}

/// Reads the configured module, or the embedded demo evaluator when none is configured.
fn module_bytes(config: &Config) -> Result<(Vec<u8>, String), String> {
    match &config.module {
        Some(path) => std::fs::read(path)
            .map(|bytes| (bytes, path.display().to_string()))
            .map_err(|e| format!("cannot read the module {}: {e}", path.display())),
        None => Ok((EMBEDDED_EVALUATOR.to_vec(), "the embedded demo evaluator (examples/compare-rust)".into())),
    }
}

fn serve(config: Config) -> ExitCode {
    // Before any thread starts, so that every thread inherits the blocked signals (see shutdown.rs).
    let signals = shutdown::block_termination_signals();
    logging::init(config.log_level, config.log_format);
    if config.compile_cache_ignored {
        log::warn!(
            "FUNCTION_WASM_COMPILE_CACHE is set but ignored: wasmi is an interpreter and compiles nothing to cache"
        );
    }
    let (bytes, source) = match module_bytes(&config) {
        Ok(found) => found,
        Err(message) => {
            log::error!("{message}");
            return ExitCode::FAILURE;
        }
    };
    if config.module.is_none() {
        log::info!("no module configured (FUNCTION_WASM_MODULE): serving {source}");
    }
    may::config()
        .set_workers(config.sandbox.pool_size.max(2))
        .set_stack_size(COROUTINE_STACK_WORDS)
        .set_pool_capacity(COROUTINE_POOL_CAPACITY);
    let loaded = Instant::now();
    let (evaluator, startup) = match Evaluator::start(&bytes, config.sandbox.clone()) {
        Ok(started) => started,
        Err(report) => {
            log::error!("the module {source} cannot be served:\n{report}");
            return ExitCode::FAILURE;
        }
    };
    for note in &startup.report.notes {
        log::warn!("{source}: {note}");
    }
    log::info!(
        "loaded {source} in {:?}: {} pages after initialisation, {} fuel to initialise, {} instances",
        loaded.elapsed(),
        startup.pages_after_init,
        startup.init_fuel_used,
        config.sandbox.pool_size
    );
    let socket = match listener::bind_exclusive(&config.listen) {
        Ok(listener) => listener,
        Err(error) => {
            log::error!("cannot listen on {}: {error} (set HTTP_HOST / HTTP_PORT)", config.listen);
            return ExitCode::FAILURE;
        }
    };
    let stop_accepting = listener::Listener::of(&socket);
    let shared = http::Shared::new(
        Arc::clone(&evaluator),
        protocol::Settings { auth_key: config.auth_key.clone() },
        config.max_body_bytes,
    );
    let limits = may_minihttp::ConnectionLimits { idle_timeout: config.idle_timeout, max_head_bytes: 64 * 1024 };
    if let Err(error) = may_minihttp::HttpServer(http::Service(Arc::clone(&shared))).start_on(socket, limits) {
        log::error!("cannot start the HTTP server: {error}");
        return ExitCode::FAILURE;
    }
    log::info!("listening on http://{}", config.listen);
    let signal = signals.wait();
    let in_flight = shared.in_flight.load(Ordering::SeqCst);
    log::info!(
        "received {signal}: no longer accepting connections; waiting up to {:?} for {in_flight} in-flight requests",
        config.shutdown_timeout
    );
    stop_accepting.stop();
    shared.draining.store(true, Ordering::Relaxed);
    let deadline = Instant::now() + config.shutdown_timeout;
    while shared.in_flight.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let left = shared.in_flight.load(Ordering::SeqCst);
    if left > 0 {
        log::warn!("shutting down with {left} requests still running after {:?}", config.shutdown_timeout);
    } else {
        log::info!("all in-flight requests finished; exiting");
    }
    ExitCode::SUCCESS
}

fn run(mut config: Config, command: protocol::Command, input: Option<String>) -> ExitCode {
    logging::init(config.log_level.min(log::LevelFilter::Warn), config.log_format);
    let mut body = Vec::new();
    let read = match input.as_deref() {
        None | Some("-") => std::io::stdin().read_to_end(&mut body).map(|_| ()),
        Some(path) => std::fs::read(path).map(|bytes| body = bytes),
    };
    if let Err(error) = read {
        eprintln!("wasmshim run: cannot read the request body: {error}");
        return ExitCode::from(2);
    }
    let (bytes, source) = match module_bytes(&config) {
        Ok(found) => found,
        Err(message) => {
            eprintln!("wasmshim run: {message}");
            return ExitCode::FAILURE;
        }
    };
    config.sandbox.pool_size = 1;
    let evaluator = match Evaluator::start(&bytes, config.sandbox.clone()) {
        Ok((evaluator, _)) => evaluator,
        Err(report) => {
            eprintln!("wasmshim run: the module {source} cannot be served:\n{report}");
            return ExitCode::FAILURE;
        }
    };
    let headers = [("command", command.as_str().as_bytes())];
    let request = protocol::Request { method: "POST", path: "/", headers: &headers, body: &body };
    let mut evaluate = |command: protocol::Command, body: &[u8]| {
        let evaluation = evaluator.evaluate(command.as_str(), body);
        if !evaluation.output.is_empty() {
            eprintln!("guest output: {}", evaluation.output);
        }
        evaluation
            .reply
            .map_err(|error| protocol::EvalFailure { kind: protocol::FailureKind::Failed, message: error.to_string() })
    };
    let reply = protocol::handle(&request, &protocol::Settings { auth_key: None }, &mut evaluate);
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(&reply.body);
    let _ = stdout.write_all(b"\n");
    if reply.status == 200 {
        ExitCode::SUCCESS
    } else {
        eprintln!("wasmshim run: the request failed with HTTP status {}", reply.status);
        ExitCode::FAILURE
    }
}

fn check(mut config: Config, module: &str) -> ExitCode {
    let bytes = match std::fs::read(module) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("wasmshim check: cannot read {module}: {error}");
            return ExitCode::FAILURE;
        }
    };
    config.sandbox.pool_size = 1;
    let started = Instant::now();
    match Evaluator::start(&bytes, config.sandbox) {
        Ok((_, startup)) => {
            println!("module: {module} ({} bytes)", bytes.len());
            println!("{}", startup.report);
            println!(
                "initialised: {} fuel, {} pages after initialisation, checked in {:?}",
                startup.init_fuel_used,
                startup.pages_after_init,
                started.elapsed()
            );
            ExitCode::SUCCESS
        }
        Err(report) => {
            println!("module: {module} ({} bytes)", bytes.len());
            println!("{report}");
            ExitCode::FAILURE
        }
    }
}

/// `GET /health` over a plain TCP connection, so container images need no curl.
fn health(url: Option<String>, raw: &RawValues) -> ExitCode {
    let url = url.unwrap_or_else(|| {
        let port = raw.resolve().map(|c| c.listen.rsplit(':').next().unwrap_or("8080").to_string());
        format!("http://127.0.0.1:{}/health", port.unwrap_or_else(|_| "8080".into()))
    });
    match health::get_status(&url, Duration::from_secs(3)) {
        Ok(200) => ExitCode::SUCCESS,
        Ok(status) => {
            eprintln!("wasmshim health: {url} answered HTTP {status}");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("wasmshim health: {url}: {error}");
            ExitCode::FAILURE
        }
    }
}
