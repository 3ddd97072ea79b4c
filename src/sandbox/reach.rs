//! Makes every piece of guest state the snapshot must restore reachable from the host.
//!
//! wasmi only hands out handles to *exported* globals, but the state that must be reset after every request
//! includes non-exported mutable globals too (the shadow stack pointer of C, C++ and Rust; Go's SP and g
//! registers). [`expose_mutable_globals`] rewrites the module's bytes so that every mutable global it defines is
//! also exported under a reserved name, before the module is compiled.
//!
//! Tables and passive segments are state as well; [`analyse`] finds code that can change them, so that such a
//! module gets a fresh instance after every request instead of a restore.

use std::ops::Range;
use wasmparser::{ExternalKind, Operator, Parser, Payload, TypeRef};

/// Prefix of the export names the host adds for mutable globals; the global's index follows.
pub const GLOBAL_EXPORT_PREFIX: &str = "__wasmshim_global_";

/// What the host needs to know about a module's bytes before compiling them.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Indices (in the global index space) of the mutable globals the module defines.
    pub mutable_globals: Vec<u32>,
    /// Mutable globals holding references (`funcref`, `externref`): their values are handles into one
    /// instance's store and cannot be copied into another, so such modules are refused.
    pub mutable_reference_globals: Vec<u32>,
    /// The first instruction found that changes a table or drops a segment, if any: such state cannot be
    /// restored by copying memory, so instances of this module are replaced after every request.
    pub mutates_tables_or_segments: Option<&'static str>,
}

/// Reads what [`Analysis`] describes. The bytes must already have passed wasmi's validation.
pub fn analyse(bytes: &[u8]) -> Result<Analysis, String> {
    let mut analysis = Analysis::default();
    let mut imported_globals = 0u32;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(|e| e.to_string())? {
            Payload::ImportSection(reader) => {
                for import in reader {
                    if matches!(import.map_err(|e| e.to_string())?.ty, TypeRef::Global(_)) {
                        imported_globals += 1;
                    }
                }
            }
            Payload::GlobalSection(reader) => {
                for (i, global) in reader.into_iter().enumerate() {
                    let ty = global.map_err(|e| e.to_string())?.ty;
                    if ty.mutable {
                        analysis.mutable_globals.push(imported_globals + i as u32);
                        if ty.content_type.is_reference_type() {
                            analysis.mutable_reference_globals.push(imported_globals + i as u32);
                        }
                    }
                }
            }
            Payload::CodeSectionEntry(body) if analysis.mutates_tables_or_segments.is_none() => {
                let mut ops = body.get_operators_reader().map_err(|e| e.to_string())?;
                while !ops.eof() {
                    if let Some(name) = state_changing(&ops.read().map_err(|e| e.to_string())?) {
                        analysis.mutates_tables_or_segments = Some(name);
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(analysis)
}

/// Names an instruction that changes a table or drops a segment.
fn state_changing(op: &Operator) -> Option<&'static str> {
    Some(match op {
        Operator::TableSet { .. } => "table.set",
        Operator::TableGrow { .. } => "table.grow",
        Operator::TableFill { .. } => "table.fill",
        Operator::TableCopy { .. } => "table.copy",
        Operator::TableInit { .. } => "table.init",
        Operator::ElemDrop { .. } => "elem.drop",
        Operator::DataDrop { .. } => "data.drop",
        _ => return None,
    })
}

/// Returns the module bytes with an export `__wasmshim_global_<index>` added for each global in `globals`.
/// A module without an export section gets one (it will be refused later for lacking `evaluate` anyway).
pub fn expose_mutable_globals(bytes: &[u8], globals: &[u32]) -> Result<Vec<u8>, String> {
    if globals.is_empty() {
        return Ok(bytes.to_vec());
    }
    let mut added = Vec::new();
    for &index in globals {
        let name = format!("{GLOBAL_EXPORT_PREFIX}{index}");
        write_leb(&mut added, name.len() as u32);
        added.extend_from_slice(name.as_bytes());
        added.push(0x03); // export kind: global
        write_leb(&mut added, index);
    }
    let sections = sections(bytes)?;
    let mut out = Vec::with_capacity(bytes.len() + added.len() + 16);
    out.extend_from_slice(&bytes[..8]);
    let export = sections.iter().position(|s| s.id == EXPORT_SECTION);
    // Without an export section, insert one before the first section that must follow it.
    let insert_before = sections.iter().position(|s| s.id != 0 && section_order(s.id) > section_order(EXPORT_SECTION));
    for (i, section) in sections.iter().enumerate() {
        if export.is_none() && insert_before == Some(i) {
            write_section(&mut out, EXPORT_SECTION, 0, &[], &added, globals.len() as u32);
        }
        if export == Some(i) {
            let contents = &bytes[section.contents.clone()];
            let (count, count_len) = read_leb(contents)?;
            write_section(&mut out, EXPORT_SECTION, count, &contents[count_len..], &added, globals.len() as u32);
        } else {
            out.extend_from_slice(&bytes[section.whole.clone()]);
        }
    }
    if export.is_none() && insert_before.is_none() {
        write_section(&mut out, EXPORT_SECTION, 0, &[], &added, globals.len() as u32);
    }
    Ok(out)
}

/// True if the module already uses an export name the host reserves for itself.
pub fn uses_reserved_export_name(bytes: &[u8]) -> bool {
    Parser::new(0).parse_all(bytes).any(|payload| match payload {
        Ok(Payload::ExportSection(reader)) => reader.into_iter().any(|e| {
            e.map(|e| e.kind == ExternalKind::Global && e.name.starts_with(GLOBAL_EXPORT_PREFIX)).unwrap_or(false)
        }),
        _ => false,
    })
}

const EXPORT_SECTION: u8 = 7;

/// One top-level section: its id, its whole encoding and the range of its contents.
struct Section {
    id: u8,
    whole: Range<usize>,
    contents: Range<usize>,
}

/// Splits a module into its top-level sections (the 8-byte header is not included).
fn sections(bytes: &[u8]) -> Result<Vec<Section>, String> {
    let mut sections = Vec::new();
    let mut at = 8;
    while at < bytes.len() {
        let id = bytes[at];
        let (len, len_size) = read_leb(&bytes[at + 1..])?;
        let start = at + 1 + len_size;
        let end = start
            .checked_add(len as usize)
            .filter(|&end| end <= bytes.len())
            .ok_or("section runs past the end of the module")?;
        sections.push(Section { id, whole: at..end, contents: start..end });
        at = end;
    }
    Ok(sections)
}

/// The position of a section id in the order the binary format requires (custom sections excluded).
fn section_order(id: u8) -> u8 {
    match id {
        1..=5 => id,
        13 => 6,         // tag
        6 | 7 => id + 1, // global, export
        8 => 9,          // start
        9 => 10,         // element
        12 => 11,        // data count
        10 => 12,        // code
        11 => 13,        // data
        _ => 0,
    }
}

fn write_section(out: &mut Vec<u8>, id: u8, count: u32, entries: &[u8], added: &[u8], added_count: u32) {
    let mut contents = Vec::with_capacity(entries.len() + added.len() + 5);
    write_leb(&mut contents, count + added_count);
    contents.extend_from_slice(entries);
    contents.extend_from_slice(added);
    out.push(id);
    write_leb(out, contents.len() as u32);
    out.extend_from_slice(&contents);
}

fn write_leb(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Reads an unsigned LEB128 `u32`; returns it and the number of bytes it used.
fn read_leb(bytes: &[u8]) -> Result<(u32, usize), String> {
    let mut value = 0u32;
    for (i, &byte) in bytes.iter().enumerate().take(5) {
        value |= u32::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok((value, i + 1));
        }
    }
    Err("malformed LEB128 length".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wasm(text: &str) -> Vec<u8> {
        wat::parse_str(text).unwrap()
    }

    #[test]
    fn finds_defined_mutable_globals_after_imported_ones() {
        let bytes = wasm(
            r#"(module
                (import "m" "g" (global i32))
                (global (mut i32) (i32.const 1))
                (global i32 (i32.const 2))
                (global (mut i64) (i64.const 3)))"#,
        );
        assert_eq!(analyse(&bytes).unwrap().mutable_globals, vec![1, 3]);
    }

    #[test]
    fn exposed_globals_are_exported_and_the_module_still_validates() {
        let bytes = wasm(
            r#"(module (memory (export "memory") 1)
                (global $sp (mut i32) (i32.const 1024))
                (func (export "f") (result i32) global.get $sp))"#,
        );
        let out = expose_mutable_globals(&bytes, &[0]).unwrap();
        let exports: Vec<String> = Parser::new(0)
            .parse_all(&out)
            .filter_map(|p| match p.unwrap() {
                Payload::ExportSection(r) => {
                    Some(r.into_iter().map(|e| e.unwrap().name.to_string()).collect::<Vec<_>>())
                }
                _ => None,
            })
            .flatten()
            .collect();
        assert_eq!(exports, ["memory", "f", "__wasmshim_global_0"]);
        wasmparser::Validator::new().validate_all(&out).unwrap();
    }

    #[test]
    fn a_module_without_exports_gets_an_export_section_in_order() {
        let bytes = wasm(r#"(module (global (mut i32) (i32.const 0)) (func) (start 0))"#);
        let out = expose_mutable_globals(&bytes, &[0]).unwrap();
        wasmparser::Validator::new().validate_all(&out).unwrap();
    }

    #[test]
    fn table_and_segment_mutations_are_detected() {
        let bytes = wasm(
            r#"(module (table 1 funcref) (memory 1) (data "x")
                (func (data.drop 0)))"#,
        );
        assert_eq!(analyse(&bytes).unwrap().mutates_tables_or_segments, Some("data.drop"));
        let plain = wasm(r#"(module (memory 1) (func (drop (i32.load (i32.const 0)))))"#);
        assert_eq!(analyse(&plain).unwrap().mutates_tables_or_segments, None);
    }
}
