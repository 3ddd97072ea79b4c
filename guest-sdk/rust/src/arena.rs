//! The bump arena behind the guest's allocator, as address arithmetic (tested natively).
//!
//! Nothing is ever reclaimed except the most recent allocation (freed or resized in place): the host restores
//! linear memory after every request (guest-abi.md §3), which frees everything at once.

/// The size of a WebAssembly page.
pub(crate) const PAGE: usize = 64 * 1024;

/// Free addresses `[next, end)`; `end` moves up a page at a time through a `grow(pages) -> bool` callback.
#[derive(Debug)]
pub(crate) struct Arena {
    next: usize,
    end: usize,
}

impl Arena {
    pub(crate) const fn new(next: usize, end: usize) -> Self {
        Arena { next, end }
    }

    /// Whether `new` has not been given real bounds yet (both zero).
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn is_unset(&self) -> bool {
        self.end == 0
    }

    /// `size` bytes at a multiple of `align` (a power of two) if they fit without growing memory.
    #[inline(always)]
    pub(crate) fn bump(&mut self, size: usize, align: usize) -> Option<usize> {
        let start = self.next.checked_add(align - 1)? & !(align - 1);
        let end = start.checked_add(size)?;
        if end > self.end {
            return None;
        }
        self.next = end;
        Some(start)
    }

    /// `size` bytes at a multiple of `align` (a power of two), or `None` when memory cannot grow.
    #[inline]
    pub(crate) fn alloc(&mut self, size: usize, align: usize, grow: impl FnMut(usize) -> bool) -> Option<usize> {
        let start = self.next.checked_add(align - 1)? & !(align - 1);
        self.extend_to(start.checked_add(size)?, grow).then_some(start)
    }

    /// Frees `[addr, addr + size)`: reclaimed only if it is the most recent allocation.
    #[inline]
    pub(crate) fn free(&mut self, addr: usize, size: usize) {
        if addr + size == self.next {
            self.next = addr;
        }
    }

    /// Resizes the most recent allocation in place; `false` (nothing changed) for any other allocation or
    /// when memory cannot grow.
    #[inline]
    pub(crate) fn resize(
        &mut self,
        addr: usize,
        size: usize,
        new_size: usize,
        grow: impl FnMut(usize) -> bool,
    ) -> bool {
        addr + size == self.next && addr.checked_add(new_size).is_some_and(|end| self.extend_to(end, grow))
    }

    /// Makes sure at least `bytes` are free without growing later.
    pub(crate) fn reserve(&mut self, bytes: usize, grow: impl FnMut(usize) -> bool) -> bool {
        let next = self.next;
        let ok = next.checked_add(bytes).is_some_and(|end| self.extend_to(end, grow));
        self.next = next;
        ok
    }

    /// Moves `next` to `new_next`, growing memory first if it lies beyond `end`.
    #[inline]
    fn extend_to(&mut self, new_next: usize, grow: impl FnMut(usize) -> bool) -> bool {
        if new_next > self.end && !self.grow_to(new_next, grow) {
            return false;
        }
        self.next = new_next;
        true
    }

    /// Grows memory so that `end` reaches at least `new_end`, by whole pages.
    #[cold]
    #[inline(never)]
    fn grow_to(&mut self, new_end: usize, mut grow: impl FnMut(usize) -> bool) -> bool {
        let pages = (new_end - self.end).div_ceil(PAGE);
        let Some(end) = pages.checked_mul(PAGE).and_then(|bytes| self.end.checked_add(bytes)) else {
            return false;
        };
        if !grow(pages) {
            return false;
        }
        self.end = end;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// A growth callback that records each request and grants it while `limit` pages remain.
    fn grower<'a>(log: &'a mut Vec<usize>, limit: usize) -> impl FnMut(usize) -> bool + 'a {
        move |pages| {
            let granted: usize = log.iter().sum();
            log.push(pages);
            if granted + pages > limit {
                log.pop();
                return false;
            }
            true
        }
    }

    #[test]
    fn allocations_are_aligned_and_consecutive() {
        let mut arena = Arena::new(1001, 2 * PAGE);
        let mut log = Vec::new();
        assert_eq!(arena.alloc(3, 1, grower(&mut log, 0)), Some(1001));
        assert_eq!(arena.alloc(8, 8, grower(&mut log, 0)), Some(1008));
        assert_eq!(arena.alloc(0, 4, grower(&mut log, 0)), Some(1016));
        assert_eq!(arena.alloc(1, 16, grower(&mut log, 0)), Some(1024));
        assert!(log.is_empty());
    }

    #[test]
    fn bump_allocates_only_without_growing() {
        let mut arena = Arena::new(PAGE - 10, PAGE);
        assert_eq!(arena.bump(3, 1), Some(PAGE - 10));
        assert_eq!(arena.bump(4, 4), Some(PAGE - 4));
        assert_eq!(arena.bump(1, 1), None);
        assert_eq!(arena.bump(usize::MAX, 1), None);
        assert_eq!(arena.alloc(1, 1, |_| true), Some(PAGE));
        // Without bounds nothing fits.
        assert_eq!(Arena::new(0, 0).bump(1, 1), None);
    }

    #[test]
    fn memory_grows_by_whole_pages_when_needed() {
        let mut arena = Arena::new(PAGE - 10, PAGE);
        let mut log = Vec::new();
        assert_eq!(arena.alloc(10, 1, grower(&mut log, 10)), Some(PAGE - 10));
        assert_eq!(arena.alloc(1, 1, grower(&mut log, 10)), Some(PAGE));
        assert_eq!(arena.alloc(2 * PAGE, 1, grower(&mut log, 10)), Some(PAGE + 1));
        assert_eq!(log, [1, 2]);
    }

    #[test]
    fn out_of_memory_leaves_the_arena_unchanged() {
        let mut arena = Arena::new(100, PAGE);
        let mut log = Vec::new();
        assert_eq!(arena.alloc(3 * PAGE, 8, grower(&mut log, 2)), None);
        assert_eq!(arena.alloc(usize::MAX - 50, 1, grower(&mut log, 2)), None);
        assert_eq!(arena.alloc(1, 1, grower(&mut log, 2)), Some(100));
        assert!(log.is_empty());
    }

    #[test]
    fn only_the_latest_allocation_is_reclaimed() {
        let mut arena = Arena::new(0, PAGE);
        let a = arena.alloc(16, 8, |_| false).unwrap();
        let b = arena.alloc(16, 8, |_| false).unwrap();
        arena.free(a, 16);
        assert_eq!(arena.alloc(1, 1, |_| false), Some(32));
        arena.free(32, 1);
        arena.free(b, 16);
        assert_eq!(arena.alloc(1, 1, |_| false), Some(b));
    }

    #[test]
    fn the_latest_allocation_resizes_in_place() {
        let mut arena = Arena::new(0, PAGE);
        let a = arena.alloc(8, 8, |_| false).unwrap();
        let mut log = Vec::new();
        assert!(arena.resize(a, 8, PAGE + 8, grower(&mut log, 1)));
        assert_eq!(log, [1]);
        assert!(arena.resize(a, PAGE + 8, 4, |_| false));
        assert_eq!(arena.alloc(1, 1, |_| false), Some(4));
        assert!(!arena.resize(a, 4, 100, |_| true), "not the latest any more");
        assert!(!arena.resize(4, 1, 3 * PAGE, |_| false), "cannot grow");
    }

    #[test]
    fn reserve_grows_once_and_keeps_next() {
        let mut arena = Arena::new(PAGE + 100, 2 * PAGE);
        let mut log = Vec::new();
        assert!(arena.reserve(PAGE, grower(&mut log, 4)));
        assert!(arena.reserve(PAGE, grower(&mut log, 4)));
        assert_eq!(log, [1]);
        assert_eq!(arena.alloc(PAGE, 1, grower(&mut log, 4)), Some(PAGE + 100));
        assert_eq!(log, [1]);
        assert!(!arena.reserve(10 * PAGE, grower(&mut log, 4)));
    }
}
