//! The `log` backend: readable lines for development, one JSON object per line for production.

use crate::config::LogFormat;
use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

struct Logger {
    format: LogFormat,
}

impl log::Log for Logger {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        // may and may_minihttp log routine events (every epoll registration) at info: keep only their warnings.
        let ours = metadata.target().starts_with("wasmshim");
        metadata.level() <= log::max_level() && (ours || metadata.level() <= log::Level::Warn)
    }

    fn log(&self, record: &log::Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let line = match self.format {
            LogFormat::Development => format!("{} {:<5} {}\n", timestamp(), record.level(), record.args()),
            LogFormat::Production => {
                let mut line = serde_json::json!({
                    "time": timestamp(),
                    "level": record.level().as_str().to_ascii_lowercase(),
                    "message": record.args().to_string(),
                })
                .to_string();
                line.push('\n');
                line
            }
        };
        // One write per line so lines from different threads do not interleave.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }

    fn flush(&self) {}
}

/// Installs the logger. Called once at startup; later calls are ignored.
pub fn init(level: log::LevelFilter, format: LogFormat) {
    if log::set_boxed_logger(Box::new(Logger { format })).is_ok() {
        log::set_max_level(level);
    }
}

/// UTC time as RFC 3339 with milliseconds, computed without a date crate.
fn timestamp() -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = now.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        now.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_are_rfc3339() {
        let stamp = super::timestamp();
        assert_eq!(stamp.len(), 24, "{stamp}");
        assert!(stamp.starts_with("20") && stamp.ends_with('Z'), "{stamp}");
    }
}
