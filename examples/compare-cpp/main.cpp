// The compare evaluator (examples/README.md): numbers within atol + rtol * |answer|, strings exactly
// or case-folded and trimmed, arrays and objects element by element. Rust and Go implement the same
// behaviour; examples/cases.json holds all three to it.
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>
#include <wasmshim/wasmshim.hpp>

using wasmshim::Array;
using wasmshim::Object;
using wasmshim::Result;
using wasmshim::Value;
using namespace std::string_view_literals;

namespace {

// The params, read and type-checked once per request. The feedback texts point into params or at
// string literals, so that nothing is copied.
struct Options {
  double atol = 0;
  double rtol = 0;
  bool case_sensitive = true;
  bool trim = false;
  std::string_view correct_feedback = "Correct!"sv;
  std::string_view incorrect_feedback = "Incorrect."sv;
};

// Reads params into options. Returns the error message for the first param of the wrong type, in the
// documented order, or an empty string.
std::string read_options(const Object& params, Options* options) {
  // Names as string_views: their lengths are known at compile time (no strlen per lookup).
  struct Spec {
    std::string_view name;
    Value::Kind kind;  // Float stands for any number
    const char* type;
  };
  static constexpr Spec kSpecs[] = {
      {"atol", Value::Kind::Float, "a number"},
      {"rtol", Value::Kind::Float, "a number"},
      {"case_sensitive", Value::Kind::Bool, "a boolean"},
      {"trim", Value::Kind::Bool, "a boolean"},
      {"correct_response_feedback", Value::Kind::String, "a string"},
      {"incorrect_response_feedback", Value::Kind::String, "a string"},
  };
  if (params.empty()) return std::string();
  const Value* found[6];
  for (std::size_t i = 0; i < 6; ++i) {
    const Spec& spec = kSpecs[i];
    const Value* v = found[i] = params.find(spec.name);
    if (v == nullptr) continue;
    const bool ok = spec.kind == Value::Kind::Float ? v->is_number() : v->kind() == spec.kind;
    if (!ok) return "params." + std::string(spec.name) + " must be " + spec.type;
  }
  if (found[0] != nullptr) options->atol = found[0]->as_double();
  if (found[1] != nullptr) options->rtol = found[1]->as_double();
  if (found[2] != nullptr) options->case_sensitive = found[2]->as_bool();
  if (found[3] != nullptr) options->trim = found[3]->as_bool();
  if (found[4] != nullptr) options->correct_feedback = found[4]->as_string();
  if (found[5] != nullptr) options->incorrect_feedback = found[5]->as_string();
  return std::string();
}

bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// s without leading and trailing ASCII whitespace when trim is set.
std::string_view trimmed(std::string_view s, bool trim) {
  if (!trim) return s;
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

// Whether s is exactly a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view s) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (i >= s.size() || s[i] < '1' || s[i] > '9' || !digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool numbers_equal(double r, double a, const Options& o) {
  return std::fabs(r - a) <= o.atol + o.rtol * std::fabs(a);
}

bool strings_equal(std::string_view r, std::string_view a, const Options& o) {
  r = trimmed(r, o.trim);
  a = trimmed(a, o.trim);
  if (r.size() != a.size()) return false;
  if (o.case_sensitive) return r == a;
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (ascii_lower(r[i]) != ascii_lower(a[i])) return false;
  }
  return true;
}

bool equal(const Value& r, const Value& a, const Options& o) {
  if (a.is_number()) {
    if (r.is_number()) return numbers_equal(r.as_double(), a.as_double(), o);
    if (!r.is_string()) return false;
    const std::string_view text = trimmed(r.as_string(), o.trim);
    return is_json_number(text) && numbers_equal(wasmshim::parse_double(text), a.as_double(), o);
  }
  if (r.kind() != a.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::String: return strings_equal(r.as_string(), a.as_string(), o);
    case Value::Kind::Bool: return r.as_bool() == a.as_bool();
    case Value::Kind::Null: return true;
    case Value::Kind::Array: {
      const Array& rs = r.as_array();
      const Array& as = a.as_array();
      if (rs.size() != as.size()) return false;
      for (std::size_t i = 0; i < rs.size(); ++i) {
        if (!equal(rs[i], as[i], o)) return false;
      }
      return true;
    }
    case Value::Kind::Object: {
      // Keys are unique within an object, so equal sizes plus pairwise equal keys mean equal key sets.
      if (r.as_object().size() != a.as_object().size()) return false;
      const auto rs = r.as_object().sorted_members();
      const auto as = a.as_object().sorted_members();
      for (std::size_t i = 0; i < rs.size(); ++i) {
        if (rs[i]->first != as[i]->first || !equal(rs[i]->second, as[i]->second, o)) return false;
      }
      return true;
    }
    default: return false;  // numbers were handled above
  }
}

Result evaluate(const Value& response, const Value& answer, const Object& params) {
  Options options;
  const std::string error = read_options(params, &options);
  if (!error.empty()) return Result::error(error);
  const bool ok = equal(response, answer, options);
  return Result::eval(ok, std::string(ok ? options.correct_feedback : options.incorrect_feedback));
}

const char* type_name(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Null: return "null";
    case Value::Kind::Bool: return "boolean";
    case Value::Kind::Int:
    case Value::Kind::Float: return "number";
    case Value::Kind::String: return "string";
    case Value::Kind::Array: return "array";
    case Value::Kind::Object: return "object";
  }
  return "null";
}

Result preview(const Value& response, const Object& params) {
  Options options;
  const std::string error = read_options(params, &options);
  if (!error.empty()) return Result::error(error);
  Object shown;
  shown.set("type", Value(type_name(response)));
  shown.set("response", response.is_string() ? Value(std::string(trimmed(response.as_string(), options.trim)))
                                             : response);
  return Result::preview(Value(std::move(shown)));
}

constexpr wasmshim::SelfTest kSelfTests[] = {
    {"integer equals float", "1", "1.0", "{}", true},
    {"tolerance", "0.1001", "0.1", R"({"atol": 0.001})", true},
    {"case folding", R"("Hello ")", R"("hello")", R"({"case_sensitive": false, "trim": true})", true},
    {"arrays", R"([1, "a"])", R"([1, "b"])", "{}", false},
};

}  // namespace

WASMSHIM_EVALUATOR(wasmshim::Evaluator(evaluate).with_preview(preview).with_self_tests(kSelfTests));
