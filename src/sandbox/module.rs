//! Loading an evaluator module: checking it against the guest ABI (guest-abi.md §1, §4), making its mutable
//! globals reachable, and compiling it. Every problem is found at startup, one readable line each.

use super::{reach, wasi, Settings};
use std::fmt;
use wasmi::{CompilationMode, Config, Engine, ExternType, Linker, Module, ValType};

/// A compiled evaluator module that passed every check, with what the host needs to run it.
pub struct LoadedModule {
    pub(super) engine: Engine,
    pub(super) module: Module,
    pub(super) linker: Linker<wasi::HostState>,
    /// Export names under which the module's mutable globals are reachable, in index order.
    pub(super) global_exports: Vec<String>,
    /// `_initialize` or `_start`, whichever runs once after instantiation.
    pub(super) initializer: Option<&'static str>,
    /// Set when the module's code can change tables or drop segments (see [`reach::Analysis`]).
    pub(super) mutates_tables_or_segments: Option<&'static str>,
}

/// What `wasmshim check` prints, and what startup logs when it refuses a module.
#[derive(Debug, Default)]
pub struct Report {
    /// Each export as `name: kind signature`.
    pub exports: Vec<String>,
    /// Each import as `module.name: kind signature`.
    pub imports: Vec<String>,
    /// The declared memory: initial pages and maximum, if the module has one.
    pub memory: Option<String>,
    /// Pages of memory declared initially.
    pub initial_pages: Option<u64>,
    /// The function run once after instantiation, if any.
    pub initializer: Option<&'static str>,
    /// Facts worth knowing that do not refuse the module.
    pub notes: Vec<String>,
    /// Every reason the module cannot be served; empty means servable.
    pub problems: Vec<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, title: &str, items: &[String]| -> fmt::Result {
            writeln!(f, "{title}:{}", if items.is_empty() { " none" } else { "" })?;
            items.iter().try_for_each(|item| writeln!(f, "  {item}"))
        };
        list(f, "exports", &self.exports)?;
        list(f, "imports", &self.imports)?;
        writeln!(f, "memory: {}", self.memory.as_deref().unwrap_or("none"))?;
        writeln!(f, "initialiser: {}", self.initializer.unwrap_or("none"))?;
        for note in &self.notes {
            writeln!(f, "note: {note}")?;
        }
        if self.problems.is_empty() {
            write!(f, "verdict: servable")
        } else {
            list(f, "problems", &self.problems)?;
            write!(f, "verdict: refused")
        }
    }
}

/// Checks and compiles `bytes`. Returns the module and its report, or the report with every problem listed.
#[allow(clippy::result_large_err)] // runs once at startup; the report is the answer, not an exceptional path
pub fn load(bytes: &[u8], settings: &Settings) -> Result<(LoadedModule, Report), Report> {
    let mut report = Report::default();
    if let Some(problem) = header_problem(bytes) {
        report.problems.push(problem);
        return Err(report);
    }
    let mut config = Config::default();
    config
        .consume_fuel(true)
        // Fuel slices need every function translated up front: under lazy translation fuel can run out
        // inside translation, and that error cannot be resumed (guest-abi.md §6).
        .compilation_mode(CompilationMode::Eager)
        .set_max_recursion_depth(settings.max_call_depth)
        .set_max_cached_stacks(settings.pool_size.max(2));
    let engine = Engine::new(&config);
    let original = match Module::new(&engine, bytes) {
        Ok(module) => module,
        Err(error) => {
            report.problems.push(format!("not a valid WebAssembly module: {error}"));
            return Err(report);
        }
    };
    describe(&original, &mut report);
    check_exports(&original, &mut report);
    check_imports(&original, &mut report);
    check_memory(&original, settings.max_memory_pages, &mut report);
    if reach::uses_reserved_export_name(bytes) {
        report.problems.push(format!(
            "exports a global whose name starts with `{}`, which the host reserves",
            reach::GLOBAL_EXPORT_PREFIX
        ));
    }
    if !report.problems.is_empty() {
        return Err(report);
    }
    let analysis = match reach::analyse(bytes) {
        Ok(analysis) => analysis,
        Err(error) => {
            report.problems.push(format!("could not read the module's sections: {error}"));
            return Err(report);
        }
    };
    if !analysis.mutable_reference_globals.is_empty() {
        report.problems.push(format!(
            "defines mutable reference-typed globals (indices {:?}): their values cannot be restored from a \
             snapshot; keep function references in tables or in immutable globals",
            analysis.mutable_reference_globals
        ));
        return Err(report);
    }
    if let Some(op) = analysis.mutates_tables_or_segments {
        report.notes.push(format!(
            "its code uses `{op}`, which changes state a memory snapshot does not cover: \
             every request gets a fresh instance (slower, still isolated)"
        ));
    }
    let module = match reach::expose_mutable_globals(bytes, &analysis.mutable_globals)
        .and_then(|rewritten| Module::new(&engine, &rewritten[..]).map_err(|e| e.to_string()))
    {
        Ok(module) => module,
        Err(error) => {
            report.problems.push(format!("could not make the module's globals reachable: {error}"));
            return Err(report);
        }
    };
    let mut linker = Linker::new(&engine);
    if let Err(error) = wasi::add_to_linker(&mut linker) {
        report.problems.push(format!("internal error while providing WASI: {error}"));
        return Err(report);
    }
    let loaded = LoadedModule {
        engine,
        module,
        linker,
        global_exports: analysis
            .mutable_globals
            .iter()
            .map(|index| format!("{}{index}", reach::GLOBAL_EXPORT_PREFIX))
            .collect(),
        initializer: report.initializer,
        mutates_tables_or_segments: analysis.mutates_tables_or_segments,
    };
    Ok((loaded, report))
}

fn header_problem(bytes: &[u8]) -> Option<String> {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        return Some("not a WebAssembly module: the file does not start with the `\\0asm` magic bytes".into());
    }
    match bytes[4..8] {
        [1, 0, 0, 0] => None,
        [_, _, 1, 0] => Some("a WebAssembly component, not a core module: build a core module (e.g. target wasm32-wasip1 or wasm32-unknown-unknown)".into()),
        _ => Some(format!("unsupported WebAssembly binary version {:?}", &bytes[4..8])),
    }
}

fn describe(module: &Module, report: &mut Report) {
    for export in module.exports() {
        report.exports.push(format!("{}: {}", export.name(), extern_type(export.ty())));
        if export.name() == "_initialize" {
            report.initializer = Some("_initialize");
        }
    }
    if report.initializer.is_none() && module.get_export("_start").is_some() {
        report.initializer = Some("_start");
    }
    for import in module.imports() {
        report.imports.push(format!("{}.{}: {}", import.module(), import.name(), extern_type(import.ty())));
    }
}

fn check_exports(module: &Module, report: &mut Report) {
    let expect_func = |name: &str, params: &[ValType], results: &[ValType], report: &mut Report| {
        let wanted = signature(params, results);
        match module.get_export(name) {
            None => {
                report.problems.push(format!("missing export `{name}`: the module must export `{name}: func {wanted}`"))
            }
            Some(ExternType::Func(ty)) if ty.params() == params && ty.results() == results => {}
            Some(ExternType::Func(ty)) => report.problems.push(format!(
                "export `{name}` has the wrong signature: found func {}, expected func {wanted}",
                signature(ty.params(), ty.results())
            )),
            Some(other) => {
                report.problems.push(format!("export `{name}` is a {}, expected func {wanted}", extern_type(&other)))
            }
        }
    };
    expect_func("alloc", &[ValType::I32], &[ValType::I32], report);
    expect_func("evaluate", &[ValType::I32, ValType::I32], &[ValType::I32], report);
    for name in ["_initialize", "_start"] {
        if let Some(ExternType::Func(ty)) = module.get_export(name) {
            if !ty.params().is_empty() || !ty.results().is_empty() {
                report.problems.push(format!(
                    "export `{name}` has the wrong signature: found func {}, expected func () -> ()",
                    signature(ty.params(), ty.results())
                ));
            }
        }
    }
    match module.get_export("memory") {
        Some(ExternType::Memory(_)) => {}
        Some(other) => report.problems.push(format!("export `memory` is a {}, expected a memory", extern_type(&other))),
        None => {
            report.problems.push("memory is not exported: the module must export its linear memory as `memory`".into())
        }
    }
}

fn check_imports(module: &Module, report: &mut Report) {
    let provided: Vec<&str> = wasi::provided_functions().collect();
    for import in module.imports() {
        let name = format!("{}.{}", import.module(), import.name());
        if import.module() != wasi::WASI_MODULE {
            report.problems.push(format!(
                "imports `{name}`, which is not provided: only `{}` functions are available to guests",
                wasi::WASI_MODULE
            ));
        } else if !provided.contains(&import.name()) || !matches!(import.ty(), ExternType::Func(_)) {
            report.problems.push(format!("imports `{name}`, which is not part of WASI preview 1 as provided here"));
        }
    }
}

fn check_memory(module: &Module, max_pages: u32, report: &mut Report) {
    let Some(ExternType::Memory(memory)) = module.get_export("memory") else { return };
    let max = memory.maximum().map_or("no maximum".to_string(), |max| format!("maximum {max} pages"));
    report.memory = Some(format!("{} pages initially ({} KiB), {max}", memory.minimum(), memory.minimum() * 64));
    report.initial_pages = Some(memory.minimum());
    if memory.minimum() > u64::from(max_pages) {
        report.problems.push(format!(
            "memory declares {} pages initially, above the cap of {max_pages} pages \
             (FUNCTION_WASM_MAX_MEMORY_PAGES)",
            memory.minimum()
        ));
    }
}

fn extern_type(ty: &ExternType) -> String {
    match ty {
        ExternType::Func(func) => format!("func {}", signature(func.params(), func.results())),
        ExternType::Memory(memory) => format!("memory ({} pages initially)", memory.minimum()),
        ExternType::Global(global) => format!("global {:?}", global.content()),
        ExternType::Table(_) => "table".to_string(),
    }
}

fn signature(params: &[ValType], results: &[ValType]) -> String {
    let list = |types: &[ValType]| types.iter().map(|t| format!("{t:?}").to_lowercase()).collect::<Vec<_>>().join(", ");
    format!("({}) -> ({})", list(params), list(results))
}
