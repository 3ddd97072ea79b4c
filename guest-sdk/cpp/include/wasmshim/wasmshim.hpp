// The one header an evaluator includes. It brings in the JSON value type and Result/Evaluator, and
// defines WASMSHIM_EVALUATOR, the macro line that turns an Evaluator into a wasmshim guest module
// (guest ABI v0: exports alloc and evaluate; memory and _initialize come from the wasi reactor).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "evaluator.hpp"
#include "heap.hpp"
#include "json.hpp"
#include "json_parse.hpp"
#include "json_write.hpp"

// Bytes of heap set aside during _initialize. They land in the host's snapshot, and ordinary requests
// then never grow memory (growing forces a fresh instance); every 64 KiB of them also makes each
// per-request restore copy 64 KiB more. Define it before including this header to change it.
#ifndef WASMSHIM_HEAP_RESERVE
#define WASMSHIM_HEAP_RESERVE (48 * 1024)
#endif

// Capacity the reply buffer gets during _initialize, so that a typical reply is written without one
// reallocation.
#ifndef WASMSHIM_REPLY_RESERVE
#define WASMSHIM_REPLY_RESERVE 1024
#endif

namespace wasmshim::abi {

// The reply of the last request: [u32 little-endian length][JSON bytes]. It must outlive evaluate()
// because the host reads it afterwards; the next request (or the snapshot reset) replaces it.
inline std::string reply_buffer;

// ABI alloc: len writable bytes for the request, 0 when out of memory. Never a fixed-size buffer.
inline void* alloc(uint32_t len) { return std::malloc(len); }

// ABI evaluate: handles the request the host wrote at [request, request+len) and returns the address
// of the length-prefixed reply.
inline uint32_t evaluate(const Evaluator& evaluator, char* request, uint32_t len) {
  reply_buffer.assign(4, '\0');
  evaluator.handle(std::string_view(request, len), reply_buffer);
  // The host hands alloc's buffer to evaluate, so it is ours to free; a host that skips the
  // snapshot reset then does not leak one request buffer per call.
  std::free(request);
  const uint32_t n = static_cast<uint32_t>(reply_buffer.size() - 4);
  for (int i = 0; i < 4; ++i) reply_buffer[static_cast<std::size_t>(i)] = static_cast<char>(n >> (8 * i));
  return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(reply_buffer.data()));
}

}  // namespace wasmshim::abi

#if defined(__wasm__)
extern "C" unsigned char __heap_base;  // set by the linker: the first byte after data and stack

namespace wasmshim::abi {

// The heap owns linear memory from __heap_base up and extends it with memory.grow. Once malloc is the
// heap's, nothing else in the module grows memory (wasi-libc's sbrk serves only its own malloc, which
// is then not linked); if something did, the heap starts a new region after it.
inline bool grow_memory(heap::Region* region, std::size_t missing) {
  constexpr std::size_t kPage = 65536;
  constexpr std::size_t kMaxPages = 65535;  // 65536 pages would put the end at 2^32, past uintptr_t
  const std::size_t pages = __builtin_wasm_memory_size(0);
  if (pages > kMaxPages) return false;
  const uintptr_t end = pages * kPage;
  if (region->end == 0) {
    region->start = reinterpret_cast<uintptr_t>(&__heap_base);
    region->end = end;
    if (end - region->start >= missing) return true;
    missing -= end - region->start;
  } else if (region->end != end) {
    region->start = region->end = end;
  }
  const std::size_t more = missing / kPage + (missing % kPage != 0);
  if (more > kMaxPages - pages || __builtin_wasm_memory_grow(0, more) == static_cast<std::size_t>(-1))
    return false;
  region->end = end + more * kPage;
  return true;
}

// Constant-initialised: usable by static constructors in any order.
inline heap::Heap heap{grow_memory};

// Runs in _initialize (a static object of the macro): sets aside WASMSHIM_HEAP_RESERVE bytes and the
// reply buffer's capacity, so that both land in the host's snapshot.
struct Reservation {
  Reservation() {
    if (!heap.reserve(WASMSHIM_HEAP_RESERVE)) __builtin_trap();
    reply_buffer.reserve(WASMSHIM_REPLY_RESERVE);
  }
};

}  // namespace wasmshim::abi

// The memory functions, when the module may use bulk memory (-mbulk-memory): one memory.copy or
// memory.fill instruction instead of wasi-libc's C loops, which cost about 350 fuel per call even for
// a few bytes. libc++'s strings and vectors call them for every copy. Without bulk memory the
// builtins would compile back into calls to these very functions, so libc's stay.
#if defined(__wasm_bulk_memory__)
#define WASMSHIM_DETAIL_MEMORY_FUNCTIONS                                \
  extern "C" void* memcpy(void* dst, const void* src, std::size_t n) {  \
    return __builtin_memcpy(dst, src, n);                               \
  }                                                                     \
  extern "C" void* memmove(void* dst, const void* src, std::size_t n) { \
    return __builtin_memmove(dst, src, n);                              \
  }                                                                     \
  extern "C" void* memset(void* dst, int c, std::size_t n) { return __builtin_memset(dst, c, n); }
#else
#define WASMSHIM_DETAIL_MEMORY_FUNCTIONS
#endif

// The exports. Their C symbols carry a wasmshim_ prefix so that an author may name their own
// function evaluate; export_name gives the ABI names.
// malloc and its family are wasmshim::heap's (heap.hpp says why); defining them here keeps wasi-libc's
// dlmalloc out of the module. Out of memory traps (a guest must trap, never loop): operator new is
// replaced by malloc-or-trap, and libc++'s verbose abort by a plain trap. Both are standard override
// points, and libc++'s own versions would link printf and stderr (about 13 KB) only to print a
// message nobody reads.
#define WASMSHIM_DETAIL_EXPORTS(evaluator)                                                                  \
  extern "C" void* malloc(std::size_t size) { return ::wasmshim::abi::heap.allocate(size); }                \
  extern "C" void free(void* p) { ::wasmshim::abi::heap.release(p); }                                       \
  extern "C" void* calloc(std::size_t count, std::size_t size) {                                            \
    if (size != 0 && count > static_cast<std::size_t>(-1) / size) return nullptr;                           \
    void* p = ::wasmshim::abi::heap.allocate(count * size);                                                 \
    return p != nullptr ? std::memset(p, 0, count * size) : nullptr;                                        \
  }                                                                                                         \
  extern "C" void* realloc(void* p, std::size_t size) { return ::wasmshim::abi::heap.reallocate(p, size); } \
  extern "C" void* aligned_alloc(std::size_t align, std::size_t size) {                                     \
    return ::wasmshim::abi::heap.allocate_aligned(align, size);                                             \
  }                                                                                                         \
  extern "C" int posix_memalign(void** out, std::size_t align, std::size_t size) {                          \
    if (align < sizeof(void*) || (align & (align - 1)) != 0) return 22; /* EINVAL */                        \
    void* p = ::wasmshim::abi::heap.allocate_aligned(align, size);                                          \
    if (p == nullptr) return 48; /* ENOMEM */                                                               \
    *out = p;                                                                                               \
    return 0;                                                                                               \
  }                                                                                                         \
  extern "C" std::size_t malloc_usable_size(void* p) {                                                      \
    return p != nullptr ? ::wasmshim::heap::Heap::capacity(p) : 0;                                          \
  }                                                                                                         \
  /* wasi-libc's own callers (atexit, for static destructors) use these names. */                           \
  extern "C" void* __libc_malloc(std::size_t size) { return malloc(size); }                                 \
  extern "C" void* __libc_calloc(std::size_t count, std::size_t size) { return calloc(count, size); }       \
  extern "C" void __libc_free(void* p) { free(p); }                                                         \
  WASMSHIM_DETAIL_MEMORY_FUNCTIONS                                                                          \
  void* operator new(std::size_t size) {                                                                    \
    if (void* p = std::malloc(size)) return p;                                                              \
    __builtin_trap();                                                                                       \
  }                                                                                                         \
  void* operator new[](std::size_t size) { return operator new(size); }                                     \
  void operator delete(void* p) noexcept { std::free(p); }                                                  \
  void operator delete[](void* p) noexcept { std::free(p); }                                                \
  void operator delete(void* p, std::size_t) noexcept { std::free(p); }                                     \
  void operator delete[](void* p, std::size_t) noexcept { std::free(p); }                                   \
  _LIBCPP_BEGIN_NAMESPACE_STD                                                                               \
  void __libcpp_verbose_abort(const char*, ...) { __builtin_trap(); }                                       \
  _LIBCPP_END_NAMESPACE_STD                                                                                 \
  static const ::wasmshim::abi::Reservation wasmshim_reservation;                                           \
  extern "C" __attribute__((export_name("alloc"))) void* wasmshim_alloc(uint32_t len) {                     \
    return ::wasmshim::abi::alloc(len);                                                                     \
  }                                                                                                         \
  extern "C" __attribute__((export_name("evaluate"))) uint32_t wasmshim_evaluate(char* request,             \
                                                                                 uint32_t len) {            \
    return ::wasmshim::abi::evaluate(evaluator, request, len);                                              \
  }
#else
// Native builds (unit tests) get the evaluator object only.
#define WASMSHIM_DETAIL_EXPORTS(evaluator)
#endif

// The macro line: WASMSHIM_EVALUATOR(wasmshim::Evaluator(eval).with_preview(p).with_self_tests(t));
// Defines the constant wasmshim_evaluator (native tests call wasmshim_evaluator.handle) and, in a
// WebAssembly build, the ABI exports, malloc and the heap reservation. Use it once, in one source file.
#define WASMSHIM_EVALUATOR(...)                                            \
  static constexpr ::wasmshim::Evaluator wasmshim_evaluator = __VA_ARGS__; \
  WASMSHIM_DETAIL_EXPORTS(wasmshim_evaluator)
