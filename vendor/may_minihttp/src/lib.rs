#[macro_use]
extern crate log;

mod date;
mod http_server;
mod idle;
mod request;
mod response;

pub use http_server::{ConnectionLimits, HttpServer, HttpService};
pub use request::{BodyReader, Request};
pub use response::Response;
