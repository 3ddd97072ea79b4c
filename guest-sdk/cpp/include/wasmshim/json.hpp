// The JSON value type evaluators work with. It keeps what Lambda Feedback's Python layer keeps:
// integers and floats are different kinds (a literal with '.', 'e' or 'E' is a float, anything else
// an integer), integers of any size survive a round trip, and object keys keep their order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace wasmshim {

class Value;

namespace detail {
class Parser;

// Whether byte c stands for itself inside a JSON string literal (parsing and writing): printable ASCII
// except '"' and '\\'. A table, so that the scanning loops, which the host charges per byte, stay a
// load and a branch.
inline constexpr struct PlainBytes {
  bool table[256];
  constexpr PlainBytes() : table() {
    for (int c = 0x20; c < 0x80; ++c) table[c] = c != '"' && c != '\\';
  }
  bool operator[](unsigned char c) const { return table[c]; }
} kPlain{};

// The first byte in [p, end) that is not plain (kPlain), or end. Eight bytes at a time, with the usual
// word tricks: a byte below 0x20, a '"', a '\\' or one from 0x80 up sets the top bit of its lane, and
// the lowest lane set is exactly the first such byte (carries only run upwards). The last, shorter
// word is padded with plain bytes. No byte-by-byte loop: the host charges one about 17 fuel per byte,
// these about 5.
inline const char* skip_plain(const char* p, const char* end) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "lanes are numbered from the low byte");
  constexpr uint64_t kOnes = 0x0101010101010101u;
  constexpr uint64_t kHigh = 0x8080808080808080u;
  for (;;) {
    const std::size_t n = end - p < 8 ? static_cast<std::size_t>(end - p) : 8;
    uint64_t x = kOnes * 'a';
    std::memcpy(&x, p, n);
    const uint64_t quote = x ^ (kOnes * '"');
    const uint64_t backslash = x ^ (kOnes * '\\');
    const uint64_t special =
        ((((x - kOnes * 0x20) | (quote - kOnes) | (backslash - kOnes)) & ~x) | x) & kHigh;
    if (special != 0) return p + __builtin_ctzll(special) / 8;
    if (n < 8) return end;
    p += 8;
  }
}

// a == b for the short keys of JSON objects: lengths first, then the bytes eight or four at a time
// (loads of unaligned words are single instructions in WebAssembly). A libc memcmp call costs about
// 100 fuel, more than comparing a typical key this way.
inline bool same_text(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  const auto same8 = [](const char* p, const char* q) {
    uint64_t u, v;
    std::memcpy(&u, p, 8);
    std::memcpy(&v, q, 8);
    return u == v;
  };
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      if (!same8(x + i, y + i)) return false;
    }
    return same8(x + n - 8, y + n - 8);  // the last eight bytes, overlapping what was compared
  }
  if (n >= 4) {
    uint32_t u[2], v[2];
    std::memcpy(&u[0], x, 4);
    std::memcpy(&u[1], x + n - 4, 4);
    std::memcpy(&v[0], y, 4);
    std::memcpy(&v[1], y + n - 4, 4);
    return u[0] == v[0] && u[1] == v[1];
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (x[i] != y[i]) return false;
  }
  return true;
}
}  // namespace detail

// A JSON array.
using Array = std::vector<Value>;

// A JSON object: members in the order they were written, each key once.
// A vector rather than a map because evaluators read a handful of keys and echo objects in order.
class Object {
 public:
  using Member = std::pair<std::string, Value>;

  Object() = default;

  // Builds an object from members that may repeat a key: like Python's json, the first occurrence
  // keeps its place and the last value wins.
  static Object from_members(std::vector<Member> members);

  // The value stored under key, or nullptr.
  const Value* find(std::string_view key) const;

  // Stores value under key, replacing an existing value in place or appending a new member.
  void set(std::string key, Value value);

  // The members ordered by key, for comparing objects whatever order their keys were written in.
  std::vector<const Member*> sorted_members() const { return sort_by_key(members_); }

  std::size_t size() const { return members_.size(); }
  bool empty() const { return members_.empty(); }
  std::vector<Member>::const_iterator begin() const { return members_.begin(); }
  std::vector<Member>::const_iterator end() const { return members_.end(); }

 private:
  friend class detail::Parser;

  static int compare_members(const void* a, const void* b);
  static std::vector<const Member*> sort_by_key(const std::vector<Member>& members);
  // Resolves repeated keys in members_ as from_members() describes.
  void merge_repeated_keys() {
    if (members_.size() > 8) return merge_repeated_keys_sorted();
    if (members_.size() > 1) merge_repeated_keys_small();
  }
  void merge_repeated_keys_small();
  void merge_repeated_keys_sorted();
  // Removes the members whose flag in dropped (one per member) is set, keeping the order.
  void erase_dropped(const unsigned char* dropped);

  std::vector<Member> members_;
};

// One JSON value. Reading it as the wrong kind gives an empty or zero value rather than a trap,
// because student input is arbitrary: check kind() (or is_*()) first when the kind matters.
class Value {
 public:
  enum class Kind : unsigned char { Null, Bool, Int, Float, String, Array, Object };

  Value() noexcept : kind_(Kind::Null) {}
  // Value(nullptr) is null (without this overload it would pick the const char* one).
  Value(std::nullptr_t) noexcept : kind_(Kind::Null) {}
  Value(bool b) noexcept : kind_(Kind::Bool) { bool_ = b; }
  // Any integer type becomes an Int (values must fit in int64).
  template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Value(T i) noexcept : kind_(Kind::Int) {
    int_ = static_cast<int64_t>(i);
  }
  Value(double d) noexcept : kind_(Kind::Float) { float_ = d; }
  Value(const char* s) : kind_(Kind::String) { new (&string_) std::string(s); }
  Value(std::string s) : kind_(Kind::String) { new (&string_) std::string(std::move(s)); }
  Value(wasmshim::Array a) : kind_(Kind::Array) { new (&array_) wasmshim::Array(std::move(a)); }
  Value(wasmshim::Object o) : kind_(Kind::Object) { new (&object_) wasmshim::Object(std::move(o)); }

  // An integer beyond int64, kept as its decimal digits (optional '-') so it is written back unchanged.
  static Value big_int(std::string digits) {
    Value v(std::move(digits));
    v.kind_ = Kind::Int;
    v.big_ = true;
    return v;
  }

  Value(const Value& other) { copy_from(other); }
  Value(Value&& other) noexcept { move_from(std::move(other)); }
  Value& operator=(const Value& other) {
    if (this != &other) {
      Value copy(other);
      destroy();
      move_from(std::move(copy));
    }
    return *this;
  }
  Value& operator=(Value&& other) noexcept {
    if (this != &other) {
      destroy();
      move_from(std::move(other));
    }
    return *this;
  }
  ~Value() { destroy(); }

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::Null; }
  bool is_bool() const { return kind_ == Kind::Bool; }
  bool is_int() const { return kind_ == Kind::Int; }
  bool is_float() const { return kind_ == Kind::Float; }
  // Int or Float; booleans are not numbers.
  bool is_number() const { return kind_ == Kind::Int || kind_ == Kind::Float; }
  bool is_string() const { return kind_ == Kind::String; }
  bool is_array() const { return kind_ == Kind::Array; }
  bool is_object() const { return kind_ == Kind::Object; }
  // An Int too large for int64 (its text is digits()).
  bool is_big_int() const { return kind_ == Kind::Int && big_; }

  bool as_bool() const { return kind_ == Kind::Bool && bool_; }
  // The number as a double, correctly rounded for integers (inf when an integer exceeds the double
  // range); 0 for non-numbers.
  double as_double() const {
    if (kind_ == Kind::Float) return float_;
    if (kind_ != Kind::Int) return 0;
    return big_ ? std::strtod(string_.c_str(), nullptr) : static_cast<double>(int_);
  }
  // Stores the integer in *out when this is an Int that fits in int64.
  bool get_int64(int64_t* out) const {
    if (kind_ != Kind::Int || big_) return false;
    *out = int_;
    return true;
  }
  // The text of a string; empty for other kinds.
  const std::string& as_string() const { return kind_ == Kind::String ? string_ : empty_string(); }
  // The decimal digits of a big Int (see big_int); empty for other values.
  const std::string& digits() const { return is_big_int() ? string_ : empty_string(); }
  const wasmshim::Array& as_array() const { return kind_ == Kind::Array ? array_ : empty_array(); }
  const wasmshim::Object& as_object() const { return kind_ == Kind::Object ? object_ : empty_object(); }

  // Member lookup on an object; nullptr when this is not an object or has no such key.
  const Value* find(std::string_view key) const {
    return kind_ == Kind::Object ? object_.find(key) : nullptr;
  }

 private:
  friend class detail::Parser;

  // For the parser, which builds values where they will live (moving a Value costs a switch over
  // its kinds): this value becomes a string holding text, or an empty array or object, returned for
  // filling in.
  std::string& make_string(std::string_view text) {
    destroy();
    new (&string_) std::string(text.data(), text.size());
    kind_ = Kind::String;
    return string_;
  }
  wasmshim::Array& make_array() {
    destroy();
    new (&array_) wasmshim::Array();
    kind_ = Kind::Array;
    return array_;
  }
  wasmshim::Object& make_object() {
    destroy();
    new (&object_) wasmshim::Object();
    kind_ = Kind::Object;
    return object_;
  }

  static const std::string& empty_string() {
    static const std::string empty;
    return empty;
  }
  static const wasmshim::Array& empty_array() {
    static const wasmshim::Array empty;
    return empty;
  }
  static const wasmshim::Object& empty_object() {
    static const wasmshim::Object empty;
    return empty;
  }

  bool holds_string() const { return kind_ == Kind::String || (kind_ == Kind::Int && big_); }

  void copy_from(const Value& other) {
    kind_ = other.kind_;
    big_ = other.big_;
    switch (kind_) {
      case Kind::Null: break;
      case Kind::Bool: bool_ = other.bool_; break;
      case Kind::Int:
        if (big_) {
          new (&string_) std::string(other.string_);
        } else {
          int_ = other.int_;
        }
        break;
      case Kind::Float: float_ = other.float_; break;
      case Kind::String: new (&string_) std::string(other.string_); break;
      case Kind::Array: new (&array_) wasmshim::Array(other.array_); break;
      case Kind::Object: new (&object_) wasmshim::Object(other.object_); break;
    }
  }

  void move_from(Value&& other) noexcept {
    kind_ = other.kind_;
    big_ = other.big_;
    switch (kind_) {
      case Kind::Null: break;
      case Kind::Bool: bool_ = other.bool_; break;
      case Kind::Int:
        if (big_) {
          new (&string_) std::string(std::move(other.string_));
        } else {
          int_ = other.int_;
        }
        break;
      case Kind::Float: float_ = other.float_; break;
      case Kind::String: new (&string_) std::string(std::move(other.string_)); break;
      case Kind::Array: new (&array_) wasmshim::Array(std::move(other.array_)); break;
      case Kind::Object: new (&object_) wasmshim::Object(std::move(other.object_)); break;
    }
  }

  void destroy() noexcept {
    if (holds_string()) {
      string_.~basic_string();
    } else if (kind_ == Kind::Array) {
      array_.~vector();
    } else if (kind_ == Kind::Object) {
      object_.~Object();
    }
    kind_ = Kind::Null;
    big_ = false;
  }

  Kind kind_;
  bool big_ = false;
  union {
    bool bool_;
    int64_t int_;
    double float_;
    std::string string_;
    wasmshim::Array array_;
    wasmshim::Object object_;
  };
};

inline int Object::compare_members(const void* a, const void* b) {
  const Member* x = *static_cast<const Member* const*>(a);
  const Member* y = *static_cast<const Member* const*>(b);
  const int c = x->first.compare(y->first);
  if (c != 0) return c;
  return x < y ? -1 : (x > y ? 1 : 0);  // same key: members of one vector, in member order
}

inline std::vector<const Object::Member*> Object::sort_by_key(const std::vector<Member>& members) {
  std::vector<const Member*> sorted;
  sorted.reserve(members.size());
  for (const Member& member : members) sorted.push_back(&member);
  // qsort rather than std::sort: one small libc function instead of a template instantiation per use.
  std::qsort(sorted.data(), sorted.size(), sizeof(const Member*), compare_members);
  return sorted;
}

inline Object Object::from_members(std::vector<Member> members) {
  Object object;
  object.members_ = std::move(members);
  object.merge_repeated_keys();
  return object;
}

// Small objects (nearly all): compares every pair, earlier occurrences first. Nothing allocates or moves
// unless a key repeats.
inline void Object::merge_repeated_keys_small() {
  const std::size_t n = members_.size();
  unsigned char dropped[8] = {};
  bool any = false;
  for (std::size_t i = 1; i < n; ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (dropped[j] == 0 && detail::same_text(members_[j].first, members_[i].first)) {
        members_[j].second = std::move(members_[i].second);
        dropped[i] = 1;
        any = true;
        break;
      }
    }
  }
  if (any) erase_dropped(dropped);
}

// Large objects: sorting by key makes repeated keys neighbours, which keeps parsing O(n log n) where
// comparing every pair would be quadratic.
[[gnu::noinline]] inline void Object::merge_repeated_keys_sorted() {
  const std::size_t n = members_.size();
  std::vector<unsigned char> dropped(n, 0);
  const std::vector<const Member*> sorted = sort_by_key(members_);
  bool any = false;
  for (std::size_t run = 0; run < n;) {
    std::size_t next = run + 1;
    while (next < n && sorted[next]->first == sorted[run]->first) {
      dropped[static_cast<std::size_t>(sorted[next] - members_.data())] = 1;
      any = true;
      ++next;
    }
    if (next - run > 1) {
      Member& first = members_[static_cast<std::size_t>(sorted[run] - members_.data())];
      first.second = std::move(members_[static_cast<std::size_t>(sorted[next - 1] - members_.data())].second);
    }
    run = next;
  }
  if (any) erase_dropped(dropped.data());
}

inline void Object::erase_dropped(const unsigned char* dropped) {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < members_.size(); ++i) {
    if (dropped[i] == 0) {
      if (kept != i) members_[kept] = std::move(members_[i]);
      ++kept;
    }
  }
  members_.erase(members_.begin() + static_cast<std::ptrdiff_t>(kept), members_.end());
}

inline const Value* Object::find(std::string_view key) const {
  for (const Member& member : members_) {
    if (detail::same_text(member.first, key)) return &member.second;
  }
  return nullptr;
}

inline void Object::set(std::string key, Value value) {
  for (Member& member : members_) {
    if (detail::same_text(member.first, key)) {
      member.second = std::move(value);
      return;
    }
  }
  // Room for a few members at once: growing 1, 2, 4 would allocate three times and move every member.
  if (members_.empty()) members_.reserve(4);
  members_.emplace_back(std::move(key), std::move(value));
}

}  // namespace wasmshim
