// Compact JSON writer for wasmshim::Value. Output is always valid UTF-8 JSON, whatever the author put
// in a string: quotes, backslashes and control characters are escaped, invalid UTF-8 becomes U+FFFD.
#pragma once

#include <cmath>
#include <string>
#include <string_view>

#include "json.hpp"
#include "number_text.hpp"
#include "utf8.hpp"

namespace wasmshim {

// Appends s as a quoted JSON string.
inline void append_json_string(std::string_view s, std::string& out) {
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const std::size_t start = i;
      if (utf8::decode(s.data(), s.size(), &i) < 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER for the invalid byte
      } else {
        out.append(s.data() + start, i - start);
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += "0123456789abcdef"[c >> 4];
          out += "0123456789abcdef"[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

inline void append_json(const Value& v, std::string& out);

// Appends an object as compact JSON, members in their order.
inline void append_json(const Object& object, std::string& out) {
  out += '{';
  bool first = true;
  for (const Object::Member& member : object) {
    if (!first) out += ',';
    first = false;
    append_json_string(member.first, out);
    out += ':';
    append_json(member.second, out);
  }
  out += '}';
}

// Appends v as compact JSON: integers without a decimal point, floats as Python's repr
// (non-finite floats, which JSON cannot spell, as null).
inline void append_json(const Value& v, std::string& out) {
  switch (v.kind()) {
    case Value::Kind::Null: out += "null"; break;
    case Value::Kind::Bool: out += v.as_bool() ? "true" : "false"; break;
    case Value::Kind::Int: {
      int64_t i = 0;
      if (v.get_int64(&i)) {
        append_integer(i, out);
      } else {
        out += v.digits();
      }
      break;
    }
    case Value::Kind::Float: {
      const double d = v.as_double();
      if (std::isfinite(d)) {
        append_float_repr(d, out);
      } else {
        out += "null";
      }
      break;
    }
    case Value::Kind::String: append_json_string(v.as_string(), out); break;
    case Value::Kind::Array: {
      out += '[';
      bool first = true;
      for (const Value& item : v.as_array()) {
        if (!first) out += ',';
        first = false;
        append_json(item, out);
      }
      out += ']';
      break;
    }
    case Value::Kind::Object: append_json(v.as_object(), out); break;
  }
}

// v as compact JSON text.
inline std::string to_json(const Value& v) {
  std::string out;
  append_json(v, out);
  return out;
}

}  // namespace wasmshim
