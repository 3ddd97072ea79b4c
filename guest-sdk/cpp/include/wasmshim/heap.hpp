// The guest's memory allocator: segregated free lists over a bump region. A WebAssembly build replaces
// malloc and friends with it (wasmshim.hpp), because the fuel the host charges follows the code a call
// runs through, and wasmi charges a function's straight-line blocks in full on entry: dlmalloc's
// malloc cost about 2,600 fuel per call and free about 700, half of all the fuel of a small request.
// Here an allocation is a class lookup plus a list pop or a pointer bump (about 40 fuel), a free is a
// list push (about 10).
//
// Blocks never merge or split: memory is restored from the host's snapshot after every request, so
// fragmentation cannot build up, and without restores a freed block serves the next request of its
// size class. Sizes are rounded to 16-byte steps up to 256 bytes and to quarter powers of two above,
// so a block wastes at most a quarter of its size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace wasmshim::heap {

// Every payload is aligned for any fundamental type (max_align_t is 16 bytes on wasm32) and sits after
// a header of the same size that records its class.
inline constexpr std::size_t kAlign = 16;
inline constexpr std::size_t kHeader = kAlign;
// 16 classes of 16-byte steps (block sizes 16..256), then 4 classes per power of two up to 2^32.
inline constexpr unsigned kSmallClasses = 16;
inline constexpr unsigned kClasses = kSmallClasses + 4 * (32 - 8);
// Above this payload size a request cannot be satisfied in a 32-bit address space (and the rounding
// below would overflow).
inline constexpr std::size_t kMaxPayload = std::size_t{1} << 30;

// The class of a block of `bytes` bytes (header included, 0 < bytes <= 2^31).
inline unsigned class_of(std::size_t bytes) {
  if (bytes <= 256) return static_cast<unsigned>((bytes + 15) / 16 - 1);
  const unsigned k =
      31u - static_cast<unsigned>(__builtin_clz(static_cast<uint32_t>(bytes - 1)));  // 2^k < bytes
  const std::size_t step = std::size_t{1} << (k - 2);
  const unsigned quarter = static_cast<unsigned>((bytes - (std::size_t{1} << k) + step - 1) >> (k - 2));
  return kSmallClasses + 4 * (k - 8) + quarter - 1;
}

// The block size of a class: the largest block class_of maps to it.
inline std::size_t class_size(unsigned cls) {
  if (cls < kSmallClasses) return (cls + 1) * std::size_t{16};
  const unsigned k = (cls - kSmallClasses) / 4 + 8;
  const unsigned quarter = (cls - kSmallClasses) % 4 + 1;
  return (std::size_t{1} << k) + quarter * (std::size_t{1} << (k - 2));
}

// The bump region: [start, end) is the heap's, [next, end) of it not handed out yet. `more` may move
// start past the old end when the memory after it is not the heap's.
struct Region {
  uintptr_t start = 0;
  uintptr_t end = 0;
};

// The allocator state. `more` extends the region by at least `missing` bytes after its end and returns
// false when memory is exhausted; on its first call the region is {0, 0} and it sets both ends.
class Heap {
 public:
  using More = bool (*)(Region* region, std::size_t missing);

  constexpr explicit Heap(More more) : more_(more) {}

  // size writable bytes aligned to kAlign, or nullptr when memory is exhausted.
  void* allocate(std::size_t size) {
    if (size > kMaxPayload) return nullptr;
    // A free block holds its list link, so every payload has room for one (malloc(0) included).
    const unsigned cls = class_of((size < sizeof(Free) ? sizeof(Free) : size) + kHeader);
    if (Free* block = free_[cls]) {
      free_[cls] = block->next;
      return block;
    }
    const std::size_t bytes = class_size(cls);
    if (region_.end - next_ < bytes && !extend(bytes)) return nullptr;
    auto* header = reinterpret_cast<uint32_t*>(next_);
    *header = cls;
    next_ += bytes;
    return reinterpret_cast<char*>(header) + kHeader;
  }

  // Returns a block from allocate or allocate_aligned (nullptr is ignored) to its class's free list.
  void release(void* p) {
    if (p == nullptr) return;
    unsigned cls;
    Free* block = static_cast<Free*>(block_of(p, &cls));
    block->next = free_[cls];
    free_[cls] = block;
  }

  // The bytes p may hold.
  static std::size_t capacity(void* p) {
    unsigned cls;
    const char* block = static_cast<const char*>(block_of(p, &cls));
    return class_size(cls) - kHeader - static_cast<std::size_t>(static_cast<char*>(p) - block);
  }

  // Grows p to size bytes, keeping its contents (C realloc, including realloc(nullptr, n)).
  void* reallocate(void* p, std::size_t size) {
    if (p == nullptr) return allocate(size);
    const std::size_t have = capacity(p);
    if (size <= have) return p;
    void* grown = allocate(size);
    if (grown == nullptr) return nullptr;
    std::memcpy(grown, p, have);
    release(p);
    return grown;
  }

  // size bytes at an address that is a multiple of align (a power of two): for align <= kAlign a plain
  // block; above, a block with room for an aligned payload, and a second header in front of that
  // payload that leads release() and capacity() back to the block.
  void* allocate_aligned(std::size_t align, std::size_t size) {
    if (align <= kAlign) return allocate(size);
    if (size > kMaxPayload || align > kMaxPayload) return nullptr;
    char* p = static_cast<char*>(allocate(size + align));
    if (p == nullptr) return nullptr;
    char* aligned = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(p) + align - 1) & ~(align - 1));
    if (aligned != p) {
      auto* header = reinterpret_cast<uint32_t*>(aligned - kHeader);
      header[0] = kShifted;
      header[1] = static_cast<uint32_t>(aligned - p);
    }
    return aligned;
  }

  // Makes sure that at least bytes can be allocated from the bump region without growing it (the
  // reservation WASMSHIM_HEAP_RESERVE makes at initialisation). False when memory is exhausted.
  bool reserve(std::size_t bytes) { return region_.end - next_ >= bytes || extend(bytes); }

  // The bytes of the current bump region handed out so far (for tests and for tuning the reservation).
  std::size_t used() const { return static_cast<std::size_t>(next_ - region_.start); }

 private:
  struct Free {
    Free* next;
  };
  // Marks the header in front of an over-aligned payload; the next word is the distance to the block.
  static constexpr uint32_t kShifted = 0x80000000u;

  // The block payload p lies in (p itself unless it was over-aligned), and its class.
  static void* block_of(void* p, unsigned* cls) {
    auto* header = reinterpret_cast<uint32_t*>(static_cast<char*>(p) - kHeader);
    if (header[0] == kShifted) {
      p = static_cast<char*>(p) - header[1];
      header = reinterpret_cast<uint32_t*>(static_cast<char*>(p) - kHeader);
    }
    *cls = header[0];
    return p;
  }

  bool extend(std::size_t bytes) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!more_(&region_, bytes - (region_.end - next_))) return false;
      // A region that `more` had to start elsewhere (someone else grew memory in between) leaves the
      // rest of the old one unused.
      if (next_ < region_.start) next_ = (region_.start + kAlign - 1) & ~uintptr_t{kAlign - 1};
      if (region_.end - next_ >= bytes) return true;
    }
    return false;
  }

  More more_;
  Free* free_[kClasses] = {};
  Region region_;
  uintptr_t next_ = 0;
};

}  // namespace wasmshim::heap
