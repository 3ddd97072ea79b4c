// The pieces of Python's string handling that ArrayEqual depends on: str.strip(), float(str) and
// repr(str) (which appears in the error details numpy passes on). Strings are valid UTF-8 here:
// they come from the SDK's parser.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <wasmshim/utf8.hpp>

namespace python {

// str.isspace() (Python 3.11, Unicode 14): the characters str.strip() removes.
inline bool is_space(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 ||
         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

// The value 0..9 of a Unicode decimal digit (category Nd, Unicode 14), or -1. float() accepts them all:
// "١٢" is 12.0. Every Nd block is ten consecutive code points, so the table holds each block's zero.
inline int decimal_digit(uint32_t cp) {
  static constexpr uint32_t kZeros[] = {
      0x30,    0x660,   0x6F0,   0x7C0,   0x966,   0x9E6,   0xA66,   0xAE6,   0xB66,   0xBE6,   0xC66,
      0xCE6,   0xD66,   0xDE6,   0xE50,   0xED0,   0xF20,   0x1040,  0x1090,  0x17E0,  0x1810,  0x1946,
      0x19D0,  0x1A80,  0x1A90,  0x1B50,  0x1BB0,  0x1C40,  0x1C50,  0xA620,  0xA8D0,  0xA900,  0xA9D0,
      0xA9F0,  0xAA50,  0xABF0,  0xFF10,  0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0,
      0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60,
      0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
  };
  for (uint32_t zero : kZeros) {
    if (cp >= zero && cp < zero + 10) return static_cast<int>(cp - zero);
  }
  return -1;
}

// s.strip(): s without leading and trailing Unicode whitespace.
inline std::string_view strip(std::string_view s) {
  std::size_t begin = 0;
  while (begin < s.size()) {
    std::size_t next = begin;
    if (!is_space(static_cast<uint32_t>(wasmshim::utf8::decode(s.data(), s.size(), &next)))) break;
    begin = next;
  }
  std::size_t end = s.size();
  while (end > begin) {
    std::size_t start = end - 1;  // back up to the first byte of the last code point
    while (start > begin && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    std::size_t next = start;
    if (!is_space(static_cast<uint32_t>(wasmshim::utf8::decode(s.data(), s.size(), &next)))) break;
    end = start;
  }
  return s.substr(begin, end - begin);
}

namespace detail {

inline bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

inline bool equals_ignoring_case(std::string_view s, std::string_view lower_word) {
  if (s.size() != lower_word.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i] >= 'A' && s[i] <= 'Z' ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
    if (c != lower_word[i]) return false;
  }
  return true;
}

// float()'s grammar on ASCII text without underscores or surrounding space: [sign] then inf,
// infinity or nan in any case, or digits with an optional '.' (at least one digit in all) and an
// optional exponent e[sign]digits.
inline bool is_float_literal(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  const std::string_view word = s.substr(i);
  if (equals_ignoring_case(word, "inf") || equals_ignoring_case(word, "infinity") ||
      equals_ignoring_case(word, "nan")) {
    return true;
  }
  std::size_t digits = 0;
  for (; i < s.size() && is_ascii_digit(s[i]); ++i) ++digits;
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && is_ascii_digit(s[i]); ++i) ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    const std::size_t start = i;
    while (i < s.size() && is_ascii_digit(s[i])) ++i;
    if (i == start) return false;
  }
  return i == s.size();
}

}  // namespace detail

// float(s) for a str, as CPython computes it: non-ASCII whitespace becomes ' ' and Unicode digits
// become ASCII; then '_' is only allowed between two digits and is dropped; then ASCII whitespace
// (not \x1c-\x1f, which str.strip() would remove) is stripped and the rest must be a float literal.
// Returns false where Python raises ValueError.
inline bool to_float(std::string_view s, double* out) {
  std::string ascii;
  for (std::size_t i = 0; i < s.size();) {
    const auto cp = static_cast<uint32_t>(wasmshim::utf8::decode(s.data(), s.size(), &i));
    const int digit = decimal_digit(cp);
    if (cp < 0x80) {
      ascii += static_cast<char>(cp);
    } else if (is_space(cp)) {
      ascii += ' ';
    } else if (digit >= 0) {
      ascii += static_cast<char>('0' + digit);
    } else {
      return false;
    }
  }
  std::string text;
  char prev = '\0';
  for (std::size_t i = 0; i < ascii.size(); prev = ascii[i++]) {
    if (ascii[i] == '_') {
      if (!detail::is_ascii_digit(prev)) return false;
      continue;
    }
    if (prev == '_' && !detail::is_ascii_digit(ascii[i])) return false;
    text += ascii[i];
  }
  if (prev == '_') return false;
  const auto is_c_space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && is_c_space(text[begin])) ++begin;
  while (end > begin && is_c_space(text[end - 1])) --end;
  text = text.substr(begin, end - begin);
  if (!detail::is_float_literal(text)) return false;
  *out = std::strtod(text.c_str(), nullptr);  // the literal is validated: strtod parses all of it
  return true;
}

// repr(s) as Python writes it: single quotes unless s holds a single quote and no double quote;
// backslash escapes for the quote, backslash, \t \n \r and other non-printable characters. Printable
// means what str.isprintable() says for the characters that can occur here (ASCII, Unicode
// whitespace, Unicode digits); any other non-ASCII character is kept as it is.
inline std::string repr(std::string_view s) {
  const bool double_quoted = s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos;
  const char quote = double_quoted ? '"' : '\'';
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(1, quote);
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t start = i;
    const auto cp = static_cast<uint32_t>(wasmshim::utf8::decode(s.data(), s.size(), &i));
    if (cp == static_cast<uint32_t>(quote) || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA1) || (cp > 0xFF && is_space(cp))) {
      // \xNN up to U+00FF, \uNNNN above; every such character here is below U+10000.
      const int width = cp <= 0xFF ? 2 : 4;
      out += width == 2 ? "\\x" : "\\u";
      for (int shift = 4 * (width - 1); shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 15];
    } else {
      out.append(s.data() + start, i - start);
    }
  }
  out += quote;
  return out;
}

}  // namespace python
