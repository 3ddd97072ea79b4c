// Compact JSON writer for wasmshim::Value. Output is always valid UTF-8 JSON, whatever the author put
// in a string: quotes, backslashes and control characters are escaped, invalid UTF-8 becomes U+FFFD.
#pragma once

#include <cmath>
#include <cstring>
#include <string>
#include <string_view>

#include "json.hpp"
#include "number_text.hpp"
#include "utf8.hpp"

namespace wasmshim {

namespace detail {

// Collects output in a buffer on the stack and appends it to a string in chunks. Under the host's fuel
// metering every call into libc++'s std::string costs its whole function body (push_back is about
// 120 fuel a character); a write here is an inline store, and the string sees one append per 256
// bytes. Flushes when destroyed.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer() { flush(); }

  void put(char c) {
    if (size_ == sizeof buffer_) flush();
    buffer_[size_++] = c;
  }

  void write(const char* s, std::size_t n) {
    if (n > sizeof buffer_ - size_) {
      flush();
      if (n > sizeof buffer_) {
        out_.append(s, n);
        return;
      }
    }
    std::memcpy(buffer_ + size_, s, n);
    size_ += n;
  }
  void write(std::string_view s) { write(s.data(), s.size()); }
  // A string literal, its length known at compile time (no strlen).
  template <std::size_t N>
  void literal(const char (&s)[N]) {
    write(s, N - 1);
  }

  void flush() {
    if (size_ != 0) out_.append(buffer_, size_);
    size_ = 0;
  }

 private:
  std::string& out_;
  std::size_t size_ = 0;
  char buffer_[256];
};

// Writes the escape for an ASCII byte that cannot stand in a JSON string as itself.
inline void write_escape(unsigned char c, Writer& w) {
  switch (c) {
    case '"': w.literal("\\\""); break;
    case '\\': w.literal("\\\\"); break;
    case '\b': w.literal("\\b"); break;
    case '\f': w.literal("\\f"); break;
    case '\n': w.literal("\\n"); break;
    case '\r': w.literal("\\r"); break;
    case '\t': w.literal("\\t"); break;
    default: {
      const char text[6] = {'\\', 'u', '0', '0', "0123456789abcdef"[c >> 4], "0123456789abcdef"[c & 15]};
      w.write(text, sizeof text);
    }
  }
}

// Writes the byte at p that needs more than a copy (an escape, or a UTF-8 sequence that is copied when
// valid and replaced by U+FFFD when not) and returns the position after what it consumed. Kept out of
// line: the plain-byte loop of write_string then stays a few instructions per byte.
[[gnu::noinline]] inline const char* write_special(const char* p, const char* end, Writer& w) {
  const unsigned char c = static_cast<unsigned char>(*p);
  if (c < 0x80) {
    write_escape(c, w);
    return p + 1;
  }
  std::size_t length = 0;
  if (utf8::decode(p, static_cast<std::size_t>(end - p), &length) < 0) {
    w.literal("\xEF\xBF\xBD");  // U+FFFD REPLACEMENT CHARACTER for the invalid byte
  } else {
    w.write(p, length);
  }
  return p + length;
}

// Writes s as a quoted JSON string: runs of plain bytes in one copy each.
inline void write_string(std::string_view s, Writer& w) {
  w.put('"');
  const char* p = s.data();
  const char* const end = p + s.size();
  for (;;) {
    const char* run = p;
    p = skip_plain(p, end);
    w.write(run, static_cast<std::size_t>(p - run));
    if (p == end) break;
    p = write_special(p, end, w);
  }
  w.put('"');
}

inline void write_integer(int64_t v, Writer& w) {
  char text[20];
  const std::size_t n = format_integer(v, text);
  w.write(text, n);
}

inline void write_value(const Value& v, Writer& w);

// Writes an object as compact JSON, members in their order.
inline void write_object(const Object& object, Writer& w) {
  w.put('{');
  bool first = true;
  for (const Object::Member& member : object) {
    if (!first) w.put(',');
    first = false;
    write_string(member.first, w);
    w.put(':');
    write_value(member.second, w);
  }
  w.put('}');
}

// Writes v as compact JSON: integers without a decimal point, floats as Python's repr (non-finite
// floats, which JSON cannot spell, as null).
inline void write_value(const Value& v, Writer& w) {
  switch (v.kind()) {
    case Value::Kind::Null: w.literal("null"); break;
    case Value::Kind::Bool:
      if (v.as_bool()) {
        w.literal("true");
      } else {
        w.literal("false");
      }
      break;
    case Value::Kind::Int: {
      int64_t i = 0;
      if (v.get_int64(&i)) {
        write_integer(i, w);
      } else {
        w.write(v.digits());
      }
      break;
    }
    case Value::Kind::Float: {
      const double d = v.as_double();
      if (std::isfinite(d)) {
        char text[kMaxFloatRepr];
        w.write(text, format_float_repr(d, text));
      } else {
        w.literal("null");
      }
      break;
    }
    case Value::Kind::String: write_string(v.as_string(), w); break;
    case Value::Kind::Array: {
      w.put('[');
      bool first = true;
      for (const Value& item : v.as_array()) {
        if (!first) w.put(',');
        first = false;
        write_value(item, w);
      }
      w.put(']');
      break;
    }
    case Value::Kind::Object: write_object(v.as_object(), w); break;
  }
}

}  // namespace detail

// Appends s as a quoted JSON string.
inline void append_json_string(std::string_view s, std::string& out) {
  detail::Writer w(out);
  detail::write_string(s, w);
}

// Appends an object as compact JSON, members in their order.
inline void append_json(const Object& object, std::string& out) {
  detail::Writer w(out);
  detail::write_object(object, w);
}

// Appends v as compact JSON: integers without a decimal point, floats as Python's repr
// (non-finite floats, which JSON cannot spell, as null).
inline void append_json(const Value& v, std::string& out) {
  detail::Writer w(out);
  detail::write_value(v, w);
}

// v as compact JSON text.
inline std::string to_json(const Value& v) {
  std::string out;
  append_json(v, out);
  return out;
}

}  // namespace wasmshim
