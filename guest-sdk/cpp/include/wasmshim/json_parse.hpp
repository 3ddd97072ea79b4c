// Strict JSON parser (RFC 8259) into wasmshim::Value. Every failure is a message, never a trap:
// bad syntax, invalid UTF-8, lone surrogate escapes and nesting past a depth limit (which keeps the
// 64 KiB guest stack safe from hostile input like 100000 opening brackets).
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "json.hpp"
#include "number_text.hpp"
#include "utf8.hpp"

namespace wasmshim {

// Nesting limit for a request body, as in the ABI: arrays and objects 128 deep parse, 129 do not.
inline constexpr unsigned kMaxDepth = 128;

namespace detail {

// Recursive-descent parser over one buffer; depth_ counts the arrays and objects currently open.
class Parser {
 public:
  Parser(std::string_view text, unsigned max_depth)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), max_depth_(max_depth) {}

  // Parses the whole text into out; out is left as it was when the text is not one JSON value.
  bool parse(Value& out, std::string& error) {
    skip_space();
    Value parsed;
    if (!value(parsed)) {
      error = error_;
      return false;
    }
    skip_space();
    if (p_ != end_) {
      fail("unexpected data after the JSON value");
      error = error_;
      return false;
    }
    out = std::move(parsed);
    return true;
  }

 private:
  bool fail(const char* what) {
    error_ = what;
    error_ += " at byte ";
    append_unsigned(static_cast<uint64_t>(p_ - begin_), error_);
    return false;
  }

  // Most calls find no space at all, and leave before the loop.
  void skip_space() {
    if (p_ != end_ && static_cast<unsigned char>(*p_) > ' ') return;
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) {
      return fail("invalid literal");
    }
    p_ += word.size();
    return true;
  }

  // Parses a value into out, which the caller passes as null; strings, arrays and objects are built
  // in place. Every helper for one kind of value is a function of its own: the host charges a call
  // for all the straight-line code of the function it enters, so a switch that inlined them all
  // would cost every value the price of every kind.
  bool value(Value& out) {
    if (p_ == end_) return fail("unexpected end of input");
    const char c = *p_;
    if (c == '"') return string_value(out);
    if (c == '-' || (c >= '0' && c <= '9')) return number(out);
    if (c == '{') return object(out);
    if (c == '[') return array(out);
    return literal(out);
  }

  [[gnu::noinline]] bool literal(Value& out) {
    const auto is = [this](std::string_view word) {
      return static_cast<std::size_t>(end_ - p_) >= word.size() && std::string_view(p_, word.size()) == word;
    };
    switch (*p_) {
      case 't': out = Value(true); break;
      case 'f': out = Value(false); break;
      case 'n': break;
      default: return fail("unexpected character");
    }
    const std::string_view word = *p_ == 't' ? "true" : *p_ == 'f' ? "false" : "null";
    if (!is(word)) return fail("invalid literal");
    p_ += word.size();
    return true;
  }

  // A string value: a plain one is constructed from the input in one go.
  bool string_value(Value& out) {
    std::string_view plain;
    if (plain_string(&plain)) {
      out.make_string(plain);
      return true;
    }
    return string_rest(out.make_string(plain));
  }

  bool enter() {
    if (++depth_ > max_depth_) return fail("JSON nested too deeply");
    ++p_;
    skip_space();
    return true;
  }

  [[gnu::noinline]] bool array(Value& out) {
    if (!enter()) return false;
    Array& items = out.make_array();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
    } else {
      // Room for a few items at once: growing 1, 2, 4 would allocate three times and move every item.
      items.reserve(4);
      for (;;) {
        items.emplace_back();
        if (!value(items.back())) return false;
        skip_space();
        if (p_ == end_) return fail("unterminated array");
        if (*p_ == ']') {
          ++p_;
          break;
        }
        if (*p_ != ',') return fail("expected ',' or ']'");
        ++p_;
        skip_space();
      }
    }
    --depth_;
    return true;
  }

  [[gnu::noinline]] bool object(Value& out) {
    if (!enter()) return false;
    Object& object = out.make_object();
    std::vector<Object::Member>& members = object.members_;
    if (p_ != end_ && *p_ == '}') {
      ++p_;
    } else {
      members.reserve(4);  // as for arrays
      for (;;) {
        if (p_ == end_ || *p_ != '"') return fail("expected a string key");
        std::string_view plain;
        const bool is_plain = plain_string(&plain);
        members.emplace_back(std::piecewise_construct, std::forward_as_tuple(plain.data(), plain.size()),
                             std::forward_as_tuple());
        if (!is_plain && !string_rest(members.back().first)) return false;
        skip_space();
        if (p_ == end_ || *p_ != ':') return fail("expected ':'");
        ++p_;
        skip_space();
        if (!value(members.back().second)) return false;
        skip_space();
        if (p_ == end_) return fail("unterminated object");
        if (*p_ == '}') {
          ++p_;
          break;
        }
        if (*p_ != ',') return fail("expected ',' or '}'");
        ++p_;
        skip_space();
      }
    }
    --depth_;
    object.merge_repeated_keys();
    return true;
  }

  bool digits() {
    const char* start = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ != start;
  }

  // Integers that fit in int64 are stored as such, larger ones as their text; a literal with a
  // fraction or exponent is a float, correctly rounded (1e400 becomes inf, as in Python).
  bool number(Value& out) {
    const char* start = p_;
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ != end_ && *p_ == '0') {
      ++p_;
    } else if (!digits()) {
      return fail("invalid number");
    }
    bool is_float = false;
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (!digits()) return fail("invalid number");
      is_float = true;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!digits()) return fail("invalid number");
      is_float = true;
    }
    const std::string_view text(start, static_cast<std::size_t>(p_ - start));
    if (is_float) {
      out = Value(parse_double(text));
      return true;
    }
    // Accumulate the magnitude; int64 holds -2^63 .. 2^63-1.
    const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
    uint64_t magnitude = 0;
    for (const char* d = start + (negative ? 1 : 0); d != p_; ++d) {
      const uint64_t digit = static_cast<uint64_t>(*d - '0');
      if (magnitude > (limit - digit) / 10) {
        out = Value::big_int(std::string(text));
        return true;
      }
      magnitude = magnitude * 10 + digit;
    }
    out = Value(negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude));
    return true;
  }

  bool hex4(uint32_t* out) {
    if (end_ - p_ < 4) return fail("truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = *p_++;
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return fail("invalid \\u escape");
      }
    }
    *out = v;
    return true;
  }

  // \uXXXX, combining a surrogate pair; a lone surrogate has no UTF-8 form and is an error.
  bool unicode_escape(std::string& out) {
    uint32_t cp = 0;
    if (!hex4(&cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("lone low surrogate in \\u escape");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low = 0;
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return fail("lone high surrogate in \\u escape");
      p_ += 2;
      if (!hex4(&low)) return false;
      if (low < 0xDC00 || low > 0xDFFF) return fail("lone high surrogate in \\u escape");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    utf8::encode(cp, out);
    return true;
  }

  // Scans a string literal from its opening quote. True when it is plain (printable ASCII up to the
  // closing quote, the common case): *text then views its contents in the input. Otherwise *text holds
  // the plain start, and string_rest() continues from the first byte that needs decoding.
  bool plain_string(std::string_view* text) {
    const char* run = ++p_;  // past the opening quote
    p_ = skip_plain(p_, end_);
    *text = std::string_view(run, static_cast<std::size_t>(p_ - run));
    if (p_ != end_ && *p_ == '"') {
      ++p_;
      return true;
    }
    return false;
  }

  // The rest of a string literal from its first escape, non-ASCII byte or control character.
  [[gnu::noinline]] bool string_rest(std::string& out) {
    for (;;) {
      const char* run = p_;
      p_ = skip_plain(p_, end_);
      out.append(run, static_cast<std::size_t>(p_ - run));
      if (p_ == end_) return fail("unterminated string");
      const unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return fail("control character in string");
      if (c >= 0x80) {
        std::size_t pos = static_cast<std::size_t>(p_ - begin_);
        const std::size_t start = pos;
        if (utf8::decode(begin_, static_cast<std::size_t>(end_ - begin_), &pos) < 0) {
          return fail("invalid UTF-8 in string");
        }
        out.append(begin_ + start, pos - start);
        p_ = begin_ + pos;
        continue;
      }
      ++p_;  // backslash
      if (p_ == end_) return fail("unterminated string");
      const char e = *p_++;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u':
          if (!unicode_escape(out)) return false;
          break;
        default: --p_; return fail("invalid escape");
      }
    }
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  unsigned depth_ = 0;
  unsigned max_depth_;
  std::string error_;
};

}  // namespace detail

// Parses one JSON text into out. On failure returns false and sets error to a short reason with
// the byte offset. max_depth bounds how many arrays and objects may be open at once.
inline bool parse_json(std::string_view text, Value& out, std::string& error,
                       unsigned max_depth = kMaxDepth) {
  return detail::Parser(text, max_depth).parse(out, error);
}

}  // namespace wasmshim
