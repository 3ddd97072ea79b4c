// Native tests of the allocator behind the WebAssembly build's malloc (heap.hpp), over a fixed arena
// that stands in for linear memory: size classes, alignment, reuse of freed blocks, realloc, aligned
// allocation, and a clean nullptr when memory runs out.
#include <cstdint>
#include <cstring>
#include <vector>
#include <wasmshim/heap.hpp>

#include "check.hpp"

namespace {

using wasmshim::heap::Heap;
using wasmshim::heap::Region;

// The stand-in for linear memory: 1 MiB, handed out in 64 KiB "pages" like memory.grow.
alignas(64) unsigned char arena[1 << 20];
int grows = 0;

bool more(Region* region, std::size_t missing) {
  constexpr std::size_t kPage = 64 * 1024;
  const auto begin = reinterpret_cast<uintptr_t>(arena);
  if (region->end == 0) region->start = region->end = begin + 16;  // data before the heap
  const std::size_t pages = (missing + kPage - 1) / kPage;
  if (region->end + pages * kPage > begin + sizeof arena) return false;
  region->end += pages * kPage;
  ++grows;
  return true;
}

void test_classes() {
  using wasmshim::heap::class_of;
  using wasmshim::heap::class_size;
  // Every block size maps to a class whose size holds it, and no smaller class would.
  for (std::size_t bytes = 1; bytes <= (std::size_t{1} << 20); bytes += bytes < 4096 ? 1 : 997) {
    const unsigned cls = class_of(bytes);
    CHECK(cls < wasmshim::heap::kClasses);
    CHECK(class_size(cls) >= bytes);
    if (cls > 0) CHECK(class_size(cls - 1) < bytes);
    // At most a quarter of a block is rounding (16 bytes for the small classes).
    CHECK(class_size(cls) - bytes < (bytes <= 256 ? 16 : bytes / 4 + 1));
  }
  CHECK(class_of(std::size_t{1} << 31) < wasmshim::heap::kClasses);
}

void test_allocate_and_reuse() {
  Heap heap(more);
  std::vector<char*> blocks;
  for (std::size_t size : {0, 1, 15, 16, 17, 100, 255, 256, 1000, 5000, 70000}) {
    char* p = static_cast<char*>(heap.allocate(size));
    CHECK(p != nullptr);
    CHECK(reinterpret_cast<uintptr_t>(p) % wasmshim::heap::kAlign == 0);
    CHECK(Heap::capacity(p) >= size);
    std::memset(p, 0xAB, size);  // writable, and (under ASan) inside the arena
    blocks.push_back(p);
  }
  for (std::size_t i = 1; i < blocks.size(); ++i) CHECK(blocks[i] != blocks[i - 1]);
  // A freed block serves the next request of its class, before the bump region does.
  const std::size_t used = heap.used();
  heap.release(blocks[5]);                 // 100 bytes
  CHECK(heap.allocate(110) == blocks[5]);  // 110 bytes: the same class as 100
  CHECK(heap.used() == used);
  heap.release(nullptr);  // ignored, like free(nullptr)
}

void test_reallocate() {
  Heap heap(more);
  char* p = static_cast<char*>(heap.reallocate(nullptr, 10));
  CHECK(p != nullptr);
  std::memcpy(p, "0123456789", 10);
  CHECK(heap.reallocate(p, 12) == p);  // still fits its block
  char* q = static_cast<char*>(heap.reallocate(p, 1000));
  CHECK(q != p && std::memcmp(q, "0123456789", 10) == 0);
  CHECK(heap.allocate(10) == p);  // the old block was freed
}

void test_aligned() {
  Heap heap(more);
  for (std::size_t align : {16, 32, 64, 256, 4096}) {
    void* p = heap.allocate_aligned(align, 100);
    CHECK(p != nullptr && reinterpret_cast<uintptr_t>(p) % align == 0);
    CHECK(Heap::capacity(p) >= 100);
    std::memset(p, 1, 100);
    heap.release(p);
    // The block went back to its own class: an allocation of that size finds it again.
    CHECK(heap.allocate(100 + align) != nullptr);
  }
}

void test_reserve_and_exhaustion() {
  Heap heap(more);
  grows = 0;
  CHECK(heap.reserve(100 * 1024));
  const int after_reserve = grows;
  for (int i = 0; i < 50; ++i) CHECK(heap.allocate(1000) != nullptr);  // 50 KiB: inside the reserve
  CHECK(grows == after_reserve);
  CHECK(heap.allocate(2u << 20) == nullptr);  // more than the arena: nullptr, no trap
  CHECK(heap.allocate(wasmshim::heap::kMaxPayload + 1) == nullptr);
  CHECK(heap.allocate(1000) != nullptr);  // and the heap still works
}

}  // namespace

int main() {
  test_classes();
  test_allocate_and_reuse();
  test_reallocate();
  test_aligned();
  test_reserve_and_exhaustion();
  return check::report("heap_test");
}
