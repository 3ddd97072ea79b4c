// A minimal test harness for the native tests: CHECK and CHECK_EQ record results and print each
// failure with its location; report() prints "<suite>: N passed, N failed" and gives the exit code.
#pragma once

#include <cstdio>
#include <string>

namespace check {

inline int passed = 0;
inline int failed = 0;

inline void record(bool ok, const char* what, const char* file, int line) {
  if (ok) {
    ++passed;
    return;
  }
  ++failed;
  std::printf("FAIL %s:%d: %s\n", file, line, what);
}

inline void equal(const std::string& got, const std::string& expected, const char* what, const char* file,
                  int line) {
  record(got == expected, what, file, line);
  if (got != expected) std::printf("  got:      %s\n  expected: %s\n", got.c_str(), expected.c_str());
}

inline int report(const char* suite) {
  std::printf("%s: %d passed, %d failed\n", suite, passed, failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace check

#define CHECK(condition) ::check::record((condition), #condition, __FILE__, __LINE__)
#define CHECK_EQ(got, expected) ::check::equal((got), (expected), #got, __FILE__, __LINE__)
