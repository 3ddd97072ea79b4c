// UTF-8 decoding and encoding: the one place that decides what valid UTF-8 is.
// The JSON parser uses it to reject invalid input, the writer to keep every reply valid UTF-8
// (the host refuses replies that are not), and evaluators to walk strings code point by code point.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace wasmshim::utf8 {

// Decodes the code point that starts at s[*pos] (requires *pos < n) and moves *pos past it.
// Returns -1 for a byte that does not start a valid sequence (stray continuation byte, overlong
// form, UTF-16 surrogate, beyond U+10FFFF, truncated); *pos then moves one byte so callers can go on.
inline int32_t decode(const char* s, std::size_t n, std::size_t* pos) {
  const auto* u = reinterpret_cast<const unsigned char*>(s);
  const std::size_t i = *pos;
  const uint32_t lead = u[i];
  *pos = i + 1;
  if (lead < 0x80) return static_cast<int32_t>(lead);
  std::size_t len;
  uint32_t cp;
  uint32_t min;
  if ((lead & 0xE0) == 0xC0) {
    len = 2, cp = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    len = 3, cp = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    len = 4, cp = lead & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (n - i < len) return -1;
  for (std::size_t k = 1; k < len; ++k) {
    const uint32_t b = u[i + k];
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  *pos = i + len;
  return static_cast<int32_t>(cp);
}

// Appends the UTF-8 encoding of a Unicode scalar value (the caller guarantees it is one).
inline void encode(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace wasmshim::utf8
