//! Configuration: every setting is an environment variable (Shimmy's names where Shimmy has one) with a
//! matching command-line flag; flags win over variables. [`OPTIONS`] is the single table that `--help`, the
//! README's configuration table and the parser all follow.

use crate::sandbox::{Settings, SnapshotStrategy};
use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// One setting: its variable, its flag, its default and what it means.
pub struct Opt {
    /// Environment variable name.
    pub env: &'static str,
    /// Long flag name, without the leading `--`.
    pub flag: &'static str,
    /// The default, as it would be written in the variable ("" for none).
    pub default: &'static str,
    /// True when Shimmy reads the same variable.
    pub shimmy: bool,
    /// One line for `--help` and the README.
    pub help: &'static str,
}

/// Every setting wasmshim reads.
pub const OPTIONS: &[Opt] = &[
    Opt { env: "FUNCTION_INTERFACE", flag: "interface", default: "wasm", shimmy: true, help: "worker interface; only `wasm` is supported (`rpc` and `file` are refused)" },
    Opt { env: "FUNCTION_WASM_MODULE", flag: "module", default: "", shimmy: true, help: "path of the evaluator module (.wasm); empty serves the embedded demo evaluator" },
    Opt { env: "FUNCTION_COMMAND", flag: "command-path", default: "", shimmy: true, help: "module path used when FUNCTION_WASM_MODULE is unset (Shimmy's worker command)" },
    Opt { env: "FUNCTION_MAX_PROCS", flag: "max-procs", default: "0", shimmy: true, help: "instances kept warm; 0 means one per CPU" },
    Opt { env: "FUNCTION_WORKER_SEND_TIMEOUT", flag: "timeout", default: "30s", shimmy: true, help: "wall-clock deadline per evaluation (Go duration: 500ms, 30s, 1m)" },
    Opt { env: "FUNCTION_WASM_MAX_MEMORY_PAGES", flag: "max-memory-pages", default: "256", shimmy: true, help: "guest memory cap in 64 KiB pages" },
    Opt { env: "FUNCTION_WASM_SNAPSHOT_STRATEGY", flag: "snapshot-strategy", default: "full", shimmy: true, help: "reset between requests: `full` (restore the snapshot), `fresh` (new instance per request), `off` (no reset; measurements only, state leaks)" },
    Opt { env: "FUNCTION_WASM_PROFILE", flag: "profile", default: "generic", shimmy: true, help: "guest profile; only `generic` is supported" },
    Opt { env: "FUNCTION_WASM_ALLOWED_ENV", flag: "allowed-env", default: "", shimmy: true, help: "comma-separated environment variables the guest may read" },
    Opt { env: "FUNCTION_WASM_COMPILE_CACHE", flag: "compile-cache", default: "", shimmy: true, help: "accepted for compatibility and ignored (an interpreter has no compile cache)" },
    Opt { env: "FUNCTION_WASM_FUEL", flag: "fuel", default: "1000000000", shimmy: false, help: "fuel (deterministic CPU budget) per request" },
    Opt { env: "FUNCTION_WASM_INIT_FUEL", flag: "init-fuel", default: "1000000000", shimmy: false, help: "fuel for the module's initialiser (_initialize or _start)" },
    Opt { env: "FUNCTION_WASM_MAX_REPLY_BYTES", flag: "max-reply-bytes", default: "8388608", shimmy: false, help: "largest evaluator reply accepted, in bytes" },
    Opt { env: "FUNCTION_WASM_MAX_CALL_DEPTH", flag: "max-call-depth", default: "4096", shimmy: false, help: "deepest guest call stack before the evaluation traps" },
    Opt { env: "FUNCTION_QUEUE_TIMEOUT", flag: "queue-timeout", default: "10s", shimmy: false, help: "how long a request waits for a free instance before a 503 (Go duration)" },
    Opt { env: "FUNCTION_MAX_BODY_BYTES", flag: "max-body-bytes", default: "8388608", shimmy: false, help: "largest request body accepted, in bytes (larger: 413)" },
    Opt { env: "HTTP_HOST", flag: "host", default: "0.0.0.0", shimmy: true, help: "address to listen on" },
    Opt { env: "HTTP_PORT", flag: "port", default: "8080", shimmy: true, help: "port to listen on" },
    Opt { env: "HTTP_IDLE_TIMEOUT", flag: "idle-timeout", default: "60s", shimmy: false, help: "close a connection that sends nothing for this long, takes this long to send its headers, or stalls this long in a body or in reading a reply (Go duration)" },
    Opt { env: "HTTP_SHUTDOWN_TIMEOUT", flag: "shutdown-timeout", default: "10s", shimmy: false, help: "on SIGTERM/SIGINT, how long in-flight requests may take to finish (Go duration)" },
    Opt { env: "AUTH_KEY", flag: "auth-key", default: "", shimmy: true, help: "when set, requests must carry this value in the `api-key` header" },
    Opt { env: "LOG_LEVEL", flag: "log-level", default: "info", shimmy: true, help: "debug, info, warn or error" },
    Opt { env: "LOG_FORMAT", flag: "log-format", default: "development", shimmy: true, help: "`development` (readable lines) or `production` (one JSON object per line)" },
];

/// A setting that could not be understood. Names the variable and the flag so the operator can find it.
#[derive(Debug)]
pub struct ConfigError {
    env: &'static str,
    flag: &'static str,
    value: String,
    why: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {} (--{}) value {:?}: {}", self.env, self.flag, self.value, self.why)
    }
}

impl std::error::Error for ConfigError {}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Readable lines for a terminal.
    Development,
    /// One JSON object per line, for log collectors.
    Production,
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The module to serve; `None` serves the embedded demo evaluator.
    pub module: Option<PathBuf>,
    /// What the sandbox layer needs.
    pub sandbox: Settings,
    /// Listen address, `host:port`.
    pub listen: String,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Idle and header-read timeout per connection.
    pub idle_timeout: Duration,
    /// Bound on finishing in-flight requests at shutdown.
    pub shutdown_timeout: Duration,
    /// The `api-key` clients must send, if any.
    pub auth_key: Option<String>,
    /// Lowest level logged.
    pub log_level: log::LevelFilter,
    /// Log line format.
    pub log_format: LogFormat,
    /// True when FUNCTION_WASM_COMPILE_CACHE was set (it is ignored; startup warns once).
    pub compile_cache_ignored: bool,
}

/// Raw values by variable name: the environment overlaid with flags.
#[derive(Default)]
pub struct RawValues(HashMap<&'static str, String>);

impl RawValues {
    /// Reads every variable of [`OPTIONS`] from the process environment.
    pub fn from_env() -> Self {
        let mut values = HashMap::new();
        for opt in OPTIONS {
            if let Ok(value) = std::env::var(opt.env) {
                values.insert(opt.env, value);
            }
        }
        Self(values)
    }

    /// Sets the value of the option whose flag is `flag`; false when no such flag exists.
    pub fn set_flag(&mut self, flag: &str, value: String) -> bool {
        match OPTIONS.iter().find(|opt| opt.flag == flag) {
            Some(opt) => {
                self.0.insert(opt.env, value);
                true
            }
            None => false,
        }
    }

    fn get(&self, env: &'static str) -> (&'static Opt, &str) {
        let opt = OPTIONS.iter().find(|opt| opt.env == env).expect("every variable read is in OPTIONS");
        (opt, self.0.get(env).map(String::as_str).unwrap_or(opt.default))
    }

    fn parse<T>(&self, env: &'static str, parse: impl FnOnce(&str) -> Result<T, String>) -> Result<T, ConfigError> {
        let (opt, value) = self.get(env);
        parse(value.trim()).map_err(|why| ConfigError { env: opt.env, flag: opt.flag, value: value.to_string(), why })
    }

    /// Resolves and checks every setting.
    pub fn resolve(&self) -> Result<Config, ConfigError> {
        self.parse("FUNCTION_INTERFACE", |v| match v {
            "" | "wasm" => Ok(()),
            "rpc" | "file" => Err(format!(
                "wasmshim runs WebAssembly evaluators only; `{v}` workers need Shimmy. Build the evaluator as a \
                 .wasm module (see guest-sdk/) and set FUNCTION_INTERFACE=wasm"
            )),
            _ => Err("expected `wasm`".into()),
        })?;
        self.parse("FUNCTION_WASM_PROFILE", |v| match v {
            "" | "generic" => Ok(()),
            _ => Err("expected `generic`, the only profile wasmshim supports".into()),
        })?;
        let module = [self.get("FUNCTION_WASM_MODULE").1, self.get("FUNCTION_COMMAND").1]
            .into_iter()
            .map(str::trim)
            .find(|path| !path.is_empty())
            .map(PathBuf::from);
        let max_procs: usize = self.parse("FUNCTION_MAX_PROCS", number)?;
        let pool_size =
            if max_procs == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { max_procs };
        let max_memory_pages: u32 = self.parse("FUNCTION_WASM_MAX_MEMORY_PAGES", |v| {
            number(v).and_then(
                |n: u32| if (1..=65536).contains(&n) { Ok(n) } else { Err("expected 1 to 65536 pages".into()) },
            )
        })?;
        let snapshot = self.parse("FUNCTION_WASM_SNAPSHOT_STRATEGY", |v| match v {
            "" | "full" => Ok(SnapshotStrategy::Full),
            "fresh" => Ok(SnapshotStrategy::Fresh),
            "off" => Ok(SnapshotStrategy::Off),
            _ => Err("expected `full`, `fresh` or `off`".into()),
        })?;
        let environment: Vec<String> = self.parse("FUNCTION_WASM_ALLOWED_ENV", |v| {
            Ok(v.split(',')
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .filter_map(|name| std::env::var(name).ok().map(|value| format!("{name}={value}")))
                .collect())
        })?;
        let sandbox = Settings {
            fuel: self.parse("FUNCTION_WASM_FUEL", positive)?,
            init_fuel: self.parse("FUNCTION_WASM_INIT_FUEL", positive)?,
            deadline: self.parse("FUNCTION_WORKER_SEND_TIMEOUT", positive_duration)?,
            max_memory_pages,
            max_reply_bytes: self.parse("FUNCTION_WASM_MAX_REPLY_BYTES", positive)?,
            max_call_depth: self.parse("FUNCTION_WASM_MAX_CALL_DEPTH", positive)?,
            pool_size,
            queue_timeout: self.parse("FUNCTION_QUEUE_TIMEOUT", parse_duration)?,
            snapshot,
            environment: Arc::from(environment),
        };
        let host = self.get("HTTP_HOST").1.trim().to_string();
        let port: u16 = self.parse("HTTP_PORT", number)?;
        let auth_key = Some(self.get("AUTH_KEY").1.to_string()).filter(|key| !key.is_empty());
        Ok(Config {
            module,
            sandbox,
            listen: if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") },
            max_body_bytes: self.parse("FUNCTION_MAX_BODY_BYTES", positive)?,
            idle_timeout: self.parse("HTTP_IDLE_TIMEOUT", positive_duration)?,
            shutdown_timeout: self.parse("HTTP_SHUTDOWN_TIMEOUT", parse_duration)?,
            auth_key,
            log_level: self.parse("LOG_LEVEL", |v| match v.to_ascii_lowercase().as_str() {
                "debug" => Ok(log::LevelFilter::Debug),
                "info" | "" => Ok(log::LevelFilter::Info),
                "warn" | "warning" => Ok(log::LevelFilter::Warn),
                "error" => Ok(log::LevelFilter::Error),
                _ => Err("expected debug, info, warn or error".into()),
            })?,
            log_format: self.parse("LOG_FORMAT", |v| match v {
                "development" | "" => Ok(LogFormat::Development),
                "production" => Ok(LogFormat::Production),
                _ => Err("expected `development` or `production`".into()),
            })?,
            compile_cache_ignored: !self.get("FUNCTION_WASM_COMPILE_CACHE").1.trim().is_empty(),
        })
    }
}

fn number<T: std::str::FromStr>(value: &str) -> Result<T, String> {
    value.parse().map_err(|_| "expected a whole number".to_string())
}

fn positive<T: std::str::FromStr + PartialOrd + Default>(value: &str) -> Result<T, String> {
    number(value).and_then(|n: T| if n > T::default() { Ok(n) } else { Err("expected a number above 0".into()) })
}

fn positive_duration(value: &str) -> Result<Duration, String> {
    parse_duration(value).and_then(|d| if d.is_zero() { Err("expected a duration above 0".into()) } else { Ok(d) })
}

/// Parses a Go duration (`time.ParseDuration`): a sequence of decimal numbers with units `ns`, `us`, `µs`,
/// `ms`, `s`, `m`, `h`, such as `30s`, `1.5s`, `2m30s`; `0` alone is allowed.
pub fn parse_duration(value: &str) -> Result<Duration, String> {
    const EXPECTED: &str = "expected a Go duration such as 500ms, 30s or 1m";
    if value == "0" {
        return Ok(Duration::ZERO);
    }
    let mut rest = value;
    let mut total = 0f64;
    if rest.is_empty() {
        return Err(EXPECTED.into());
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let amount: f64 = rest[..digits].parse().map_err(|_| EXPECTED.to_string())?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(EXPECTED.into()),
        };
        rest = &rest[unit_len..];
        total += amount * seconds;
    }
    Duration::try_from_secs_f64(total).map_err(|_| EXPECTED.to_string())
}

/// The options part of `--help`, generated from [`OPTIONS`].
pub fn help_text() -> String {
    let mut text = String::from("Options (each flag has an environment variable; flags win):\n");
    for opt in OPTIONS {
        let default = if opt.default.is_empty() { String::new() } else { format!(" [default: {}]", opt.default) };
        text.push_str(&format!("  --{:<20} {}{}\n  {:<22} {}\n", opt.flag, opt.env, default, "", opt.help));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut raw = RawValues::default();
        for (flag, value) in pairs {
            assert!(raw.set_flag(flag, value.to_string()), "unknown flag {flag}");
        }
        raw.resolve()
    }

    #[test]
    fn go_durations_parse() {
        assert_eq!(parse_duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("1m").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_duration("1h2m3s").unwrap(), Duration::from_secs(3723));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_duration("0").unwrap(), Duration::ZERO);
        for bad in ["", "30", "s", "1d", "-1s", "1.2.3s"] {
            assert!(parse_duration(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn defaults_resolve() {
        let config = resolve(&[]).unwrap();
        assert_eq!(config.sandbox.max_memory_pages, 256);
        assert_eq!(config.sandbox.deadline, Duration::from_secs(30));
        assert_eq!(config.listen, "0.0.0.0:8080");
        assert_eq!(config.max_body_bytes, 8 * 1024 * 1024);
        assert!(config.module.is_none());
        assert!(config.sandbox.pool_size >= 1);
    }

    #[test]
    fn a_malformed_value_names_its_variable_and_flag() {
        let error = resolve(&[("timeout", "30")]).unwrap_err().to_string();
        assert!(error.contains("FUNCTION_WORKER_SEND_TIMEOUT") && error.contains("--timeout"), "{error}");
        let error = resolve(&[("interface", "rpc")]).unwrap_err().to_string();
        assert!(error.contains("WebAssembly evaluators only"), "{error}");
        assert!(resolve(&[("snapshot-strategy", "sometimes")]).is_err());
        assert!(resolve(&[("max-memory-pages", "0")]).is_err());
        assert!(resolve(&[("fuel", "-5")]).is_err());
    }

    #[test]
    fn the_module_falls_back_to_function_command() {
        let config = resolve(&[("command-path", "/x.wasm")]).unwrap();
        assert_eq!(config.module, Some(PathBuf::from("/x.wasm")));
        let config = resolve(&[("command-path", "/x.wasm"), ("module", "/y.wasm")]).unwrap();
        assert_eq!(config.module, Some(PathBuf::from("/y.wasm")));
    }

    #[test]
    fn every_flag_and_variable_is_unique() {
        for (i, a) in OPTIONS.iter().enumerate() {
            for b in &OPTIONS[i + 1..] {
                assert!(a.env != b.env && a.flag != b.flag, "{} / {}", a.env, b.env);
            }
        }
    }
}
