// The one header an evaluator includes. It brings in the JSON value type and Result/Evaluator, and
// defines WASMSHIM_EVALUATOR, the macro line that turns an Evaluator into a wasmshim guest module
// (guest ABI v0: exports alloc and evaluate; memory and _initialize come from the wasi reactor).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

#include "evaluator.hpp"
#include "json.hpp"
#include "json_parse.hpp"
#include "json_write.hpp"

// Bytes of heap malloc'ed and freed during _initialize. The allocator keeps them, they land in the
// host's snapshot, and ordinary requests then never grow memory (growing forces a fresh instance).
// Define it before including this header to change it.
#ifndef WASMSHIM_HEAP_RESERVE
#define WASMSHIM_HEAP_RESERVE (256 * 1024)
#endif

namespace wasmshim::abi {

// Reserves WASMSHIM_HEAP_RESERVE bytes of heap when constructed (a static object: runs in _initialize).
// The pointer goes through a volatile so the compiler cannot delete the malloc/free pair as dead code.
struct HeapReservation {
  HeapReservation() {
    void* volatile block = std::malloc(WASMSHIM_HEAP_RESERVE);
    std::free(block);
  }
};

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
// The exports. Their C symbols carry a wasmshim_ prefix so that an author may name their own
// function evaluate; export_name gives the ABI names.
// Out of memory traps (a guest must trap, never loop): operator new is replaced by malloc-or-trap, and
// libc++'s verbose abort by a plain trap. Both are standard override points, and libc++'s own versions
// would link printf and stderr (about 13 KB) only to print a message nobody reads.
#define WASMSHIM_DETAIL_EXPORTS(evaluator)                                                       \
  void* operator new(std::size_t size) {                                                         \
    if (void* p = std::malloc(size)) return p;                                                   \
    __builtin_trap();                                                                            \
  }                                                                                              \
  void* operator new[](std::size_t size) { return operator new(size); }                          \
  void operator delete(void* p) noexcept { std::free(p); }                                       \
  void operator delete[](void* p) noexcept { std::free(p); }                                     \
  void operator delete(void* p, std::size_t) noexcept { std::free(p); }                          \
  void operator delete[](void* p, std::size_t) noexcept { std::free(p); }                        \
  _LIBCPP_BEGIN_NAMESPACE_STD                                                                    \
  void __libcpp_verbose_abort(const char*, ...) { __builtin_trap(); }                            \
  _LIBCPP_END_NAMESPACE_STD                                                                      \
  static const ::wasmshim::abi::HeapReservation wasmshim_heap_reservation;                       \
  extern "C" __attribute__((export_name("alloc"))) void* wasmshim_alloc(uint32_t len) {          \
    return ::wasmshim::abi::alloc(len);                                                          \
  }                                                                                              \
  extern "C" __attribute__((export_name("evaluate"))) uint32_t wasmshim_evaluate(char* request,  \
                                                                                 uint32_t len) { \
    return ::wasmshim::abi::evaluate(evaluator, request, len);                                   \
  }
#else
// Native builds (unit tests) get the evaluator object only.
#define WASMSHIM_DETAIL_EXPORTS(evaluator)
#endif

// The macro line: WASMSHIM_EVALUATOR(wasmshim::Evaluator(eval).with_preview(p).with_self_tests(t));
// Defines the constant wasmshim_evaluator (native tests call wasmshim_evaluator.handle) and, in a
// WebAssembly build, the ABI exports and the heap reservation. Use it once, in one source file.
#define WASMSHIM_EVALUATOR(...)                                            \
  static constexpr ::wasmshim::Evaluator wasmshim_evaluator = __VA_ARGS__; \
  WASMSHIM_DETAIL_EXPORTS(wasmshim_evaluator)
