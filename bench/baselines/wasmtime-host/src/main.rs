//! Bench-only baseline: the same guest ABI as wasmshim, on wasmtime (Cranelift JIT, pooling allocator with
//! copy-on-write memory images) with a NEW instance for every request, behind a minimal HTTP/1.1 server.
//!
//! Per request: a fresh `Store` + WASI preview1 context, `InstancePre::instantiate` from the pool, `_initialize`
//! if the module exports it, `alloc(len)`, write `{"method":"eval","params":<body>}`, `evaluate(ptr, len)`,
//! read `[u32 LE length][bytes]`. A CPU deadline (epoch interruption, 30 s like wasmshim's default timeout)
//! bounds every call, the pool caps memory at 256 pages (wasmshim's default cap).
//!
//! The HTTP side is deliberately small: one thread per connection (keep-alive), `Content-Length` bodies only, and
//! a semaphore that lets as many evaluations run at once as there are cores (wasmshim's default pool size).
//! It checks that the body is a JSON object and that the reply is JSON, then sends the guest's reply as is;
//! it does none of Shimmy's cases, µEd or auth handling.
//!
//! Usage: wasmtime-host MODULE.wasm [PORT] (env WORKERS: concurrent evaluations, default the number of cores)

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, InstancePre, Linker, Module, PoolingAllocationConfig, Store,
};
use wasmtime_wasi::p1::{self, WasiP1Ctx};
use wasmtime_wasi::WasiCtxBuilder;

const MAX_PAGES: usize = 256;
const MAX_REPLY: u32 = 8 << 20;
const MAX_BODY: usize = 8 << 20;
const EPOCH_TICK: Duration = Duration::from_millis(10);
const DEADLINE_TICKS: u64 = 3_000; // 30 s

struct Semaphore {
    free: Mutex<usize>,
    ready: Condvar,
}

impl Semaphore {
    fn acquire(&self) {
        let mut free = self.free.lock().unwrap();
        while *free == 0 {
            free = self.ready.wait(free).unwrap();
        }
        *free -= 1;
    }
    fn release(&self) {
        *self.free.lock().unwrap() += 1;
        self.ready.notify_one();
    }
}

struct Host {
    pre: InstancePre<WasiP1Ctx>,
    engine: Engine,
    has_initialize: bool,
    permits: Semaphore,
}

impl Host {
    fn evaluate(&self, method: &str, body: &[u8]) -> Result<Vec<u8>, String> {
        self.permits.acquire();
        let result = self.run(method, body);
        self.permits.release();
        result
    }

    fn run(&self, method: &str, body: &[u8]) -> Result<Vec<u8>, String> {
        let wasi = WasiCtxBuilder::new().build_p1();
        let mut store = Store::new(&self.engine, wasi);
        store.set_epoch_deadline(DEADLINE_TICKS);
        let instance = self.pre.instantiate(&mut store).map_err(|e| format!("instantiate: {e}"))?;
        if self.has_initialize {
            let init = instance.get_typed_func::<(), ()>(&mut store, "_initialize").map_err(|e| e.to_string())?;
            init.call(&mut store, ()).map_err(|e| format!("_initialize: {e}"))?;
        }
        let memory = instance.get_memory(&mut store, "memory").ok_or("no memory export")?;
        let alloc = instance.get_typed_func::<i32, i32>(&mut store, "alloc").map_err(|e| e.to_string())?;
        let evaluate =
            instance.get_typed_func::<(i32, i32), i32>(&mut store, "evaluate").map_err(|e| e.to_string())?;
        let mut envelope = Vec::with_capacity(body.len() + 32);
        envelope.extend_from_slice(b"{\"method\":\"");
        envelope.extend_from_slice(method.as_bytes());
        envelope.extend_from_slice(b"\",\"params\":");
        envelope.extend_from_slice(body);
        envelope.push(b'}');
        let ptr = alloc.call(&mut store, envelope.len() as i32).map_err(|e| format!("alloc: {e}"))?;
        if ptr == 0 {
            return Err("alloc failed".into());
        }
        memory.write(&mut store, ptr as u32 as usize, &envelope).map_err(|e| format!("write: {e}"))?;
        let out = evaluate.call(&mut store, (ptr, envelope.len() as i32)).map_err(|e| format!("evaluate: {e}"))?;
        let mut len = [0u8; 4];
        memory.read(&store, out as u32 as usize, &mut len).map_err(|e| format!("reply length: {e}"))?;
        let len = u32::from_le_bytes(len);
        if len > MAX_REPLY {
            return Err("reply too large".into());
        }
        let mut reply = vec![0u8; len as usize];
        memory.read(&store, out as u32 as usize + 4, &mut reply).map_err(|e| format!("reply: {e}"))?;
        Ok(reply)
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let module_path = args.first().expect("usage: wasmtime-host MODULE.wasm [PORT]");
    let port: u16 = args.get(1).map(|p| p.parse().expect("port")).unwrap_or(8080);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let workers: usize = std::env::var("WORKERS").ok().and_then(|w| w.parse().ok()).unwrap_or(cores);

    let mut pooling = PoolingAllocationConfig::default();
    let slots = (workers * 2 + 2) as u32;
    pooling.total_core_instances(slots).total_memories(slots).total_tables(slots);
    pooling.max_memory_size(MAX_PAGES << 16);
    pooling.table_elements(100_000);
    pooling.max_core_instance_size(4 << 20);
    let mut config = Config::new();
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling));
    config.epoch_interruption(true);
    let engine = Engine::new(&config).expect("engine");
    let module = Module::from_file(&engine, module_path).expect("module");
    let mut linker: Linker<WasiP1Ctx> = Linker::new(&engine);
    p1::add_to_linker_sync(&mut linker, |ctx| ctx).expect("wasi");
    let pre = linker.instantiate_pre(&module).expect("instantiate_pre");
    let has_initialize = module.get_export("_initialize").is_some();
    let host = Arc::new(Host {
        pre,
        engine: engine.clone(),
        has_initialize,
        permits: Semaphore { free: Mutex::new(workers), ready: Condvar::new() },
    });
    // Check the module once before serving.
    host.evaluate("healthcheck", b"{}").unwrap_or_else(|e| panic!("the module does not answer: {e}"));

    std::thread::spawn(move || loop {
        std::thread::sleep(EPOCH_TICK);
        engine.increment_epoch();
    });

    let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind");
    eprintln!("wasmtime-host: {module_path} on 127.0.0.1:{port}, {workers} concurrent evaluations");
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let host = Arc::clone(&host);
        std::thread::spawn(move || {
            let _ = serve(&host, stream);
        });
    }
}

fn serve(host: &Host, stream: TcpStream) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(64 << 10, stream);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let request_line = line.trim_end().to_string();
        let mut parts = request_line.split(' ');
        let method = parts.next().unwrap_or("").to_string();
        let path = parts.next().unwrap_or("").to_string();
        let http10 = parts.next() == Some("HTTP/1.0");
        let (mut length, mut command, mut close) = (0usize, String::from("eval"), http10);
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let value = value.trim();
                match name.trim().to_ascii_lowercase().as_str() {
                    "content-length" => length = value.parse().unwrap_or(usize::MAX),
                    "command" => command = value.to_string(),
                    "connection" => close = value.eq_ignore_ascii_case("close"),
                    _ => {}
                }
            }
        }
        if length > MAX_BODY {
            respond(&mut writer, 413, br#"{"error":{"message":"body too large"}}"#, true)?;
            return Ok(());
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body)?;
        let (status, reply) = if method == "GET" && path == "/health" {
            (200, br#"{"status":"ok"}"#.to_vec())
        } else {
            handle(host, &command, &body)
        };
        respond(&mut writer, status, &reply, close)?;
        if close {
            return Ok(());
        }
    }
}

fn handle(host: &Host, command: &str, body: &[u8]) -> (u16, Vec<u8>) {
    if !matches!(command, "eval" | "preview" | "healthcheck") {
        return (400, br#"{"error":{"message":"unknown command"}}"#.to_vec());
    }
    let body: &[u8] = if body.is_empty() { b"{}" } else { body };
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(_)) => {}
        _ => return (400, br#"{"error":{"message":"the body must be a JSON object"}}"#.to_vec()),
    }
    match host.evaluate(command, body) {
        Ok(reply) => match serde_json::from_slice::<serde_json::Value>(&reply) {
            Ok(value) if value.get("error").is_none() => (200, reply),
            Ok(_) => (500, reply),
            Err(_) => (500, br#"{"error":{"message":"reply is not JSON"}}"#.to_vec()),
        },
        Err(message) => (500, serde_json::json!({"error": {"message": message}}).to_string().into_bytes()),
    }
}

fn respond(writer: &mut TcpStream, status: u16, body: &[u8], close: bool) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        413 => "Payload Too Large",
        _ => "Internal Server Error",
    };
    let connection = if close { "close" } else { "keep-alive" };
    let mut out = Vec::with_capacity(body.len() + 128);
    write!(
        out,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: {connection}\r\n\r\n",
        body.len()
    )?;
    out.extend_from_slice(body);
    writer.write_all(&out)
}
