// The JSON value type evaluators work with. It keeps what Lambda Feedback's Python layer keeps:
// integers and floats are different kinds (a literal with '.', 'e' or 'E' is a float, anything else
// an integer), integers of any size survive a round trip, and object keys keep their order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace wasmshim {

class Value;

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
  static int compare_members(const void* a, const void* b);
  static std::vector<const Member*> sort_by_key(const std::vector<Member>& members);

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
  const std::size_t n = members.size();
  if (n <= 8) {
    for (Member& member : members) object.set(std::move(member.first), std::move(member.second));
    return object;
  }
  // Large objects: sorting by key makes repeated keys neighbours, which keeps parsing O(n log n)
  // where set() per member would be quadratic.
  const std::vector<const Member*> sorted = sort_by_key(members);
  std::vector<bool> dropped(n, false);
  for (std::size_t run = 0; run < n;) {
    std::size_t next = run + 1;
    while (next < n && sorted[next]->first == sorted[run]->first) {
      dropped[static_cast<std::size_t>(sorted[next] - members.data())] = true;
      ++next;
    }
    if (next - run > 1) {
      Member& first = members[static_cast<std::size_t>(sorted[run] - members.data())];
      first.second = std::move(members[static_cast<std::size_t>(sorted[next - 1] - members.data())].second);
    }
    run = next;
  }
  object.members_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!dropped[i]) object.members_.push_back(std::move(members[i]));
  }
  return object;
}

inline const Value* Object::find(std::string_view key) const {
  for (const Member& member : members_) {
    if (member.first == key) return &member.second;
  }
  return nullptr;
}

inline void Object::set(std::string key, Value value) {
  for (Member& member : members_) {
    if (member.first == key) {
      member.second = std::move(value);
      return;
    }
  }
  members_.emplace_back(std::move(key), std::move(value));
}

}  // namespace wasmshim
