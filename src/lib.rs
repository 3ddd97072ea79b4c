//! wasmshim: serves Lambda Feedback evaluation functions compiled to WebAssembly, speaking Shimmy's HTTP API.
//!
//! Three layers, each knowing only the one below it:
//! [`http`] (may_minihttp: connections, limits) → [`protocol`] (Shimmy's semantics) → [`sandbox`] (wasmi).
//! [`config`] resolves the settings; [`logging`] writes the log; [`listener`] binds the port; [`shutdown`]
//! stops the server gracefully;
//! [`health`] is the probe behind `wasmshim health`.

pub mod config;
pub mod health;
pub mod http;
pub mod listener;
pub mod logging;
pub mod protocol;
pub mod sandbox;
pub mod shutdown;

/// The demo evaluator embedded in the binary (the `compare-rust` example), served when no module is configured.
pub const EMBEDDED_EVALUATOR: &[u8] = include_bytes!("embedded/compare-rust.wasm");
