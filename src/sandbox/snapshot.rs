//! The one immutable snapshot per module (guest-abi.md §3): memory bytes, memory size and every mutable
//! global, taken right after initialisation. Every instance is put back to it after every request.

use super::instance::Instance;
use wasmi::Val;

/// The state every request starts from. Shared (behind an `Arc`) by all instances of a module.
pub struct Snapshot {
    /// The bytes of linear memory.
    pub memory: Vec<u8>,
    /// The memory size in pages.
    pub pages: u64,
    /// The value of each mutable global, in the order of the module's global exports.
    pub globals: Vec<Val>,
}

impl Snapshot {
    /// Copies the state of a freshly initialised instance.
    pub fn take(instance: &Instance) -> Self {
        Self {
            memory: instance.memory.data(&instance.store).to_vec(),
            pages: instance.memory.size(&instance.store),
            globals: instance.globals.iter().map(|global| global.get(&instance.store)).collect(),
        }
    }
}
