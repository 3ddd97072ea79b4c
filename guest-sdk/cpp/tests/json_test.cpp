// Native tests of the JSON layer: parsing (kinds, big integers, escapes, UTF-8, depth limit, errors),
// writing (escaping, Python float repr, integers), and the Value and Object types.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include <wasmshim/json.hpp>
#include <wasmshim/json_parse.hpp>
#include <wasmshim/json_write.hpp>
#include <wasmshim/number_text.hpp>

#include "check.hpp"

using wasmshim::Value;

namespace {

Value parsed(const std::string& text) {
  Value v;
  std::string error;
  CHECK(wasmshim::parse_json(text, v, error));
  return v;
}

// The parse error for text ("" when it parses).
std::string parse_error(const std::string& text) {
  Value v;
  std::string error;
  return wasmshim::parse_json(text, v, error) ? std::string() : error;
}

std::string round_trip(const std::string& text) { return wasmshim::to_json(parsed(text)); }

std::string repr(double x) {
  std::string out;
  wasmshim::append_float_repr(x, out);
  return out;
}

std::string nested(int depth) {
  return std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']');
}

void test_number_kinds() {
  CHECK(parsed("1").is_int());
  CHECK(parsed("1.0").is_float());
  CHECK(parsed("1e2").is_float());
  CHECK(parsed("1E-2").is_float());
  CHECK(parsed("-0").is_int());  // Python's json: -0 is the int 0
  CHECK_EQ(round_trip("-0"), "0");
  CHECK(parsed("-0.0").is_float() && std::signbit(parsed("-0.0").as_double()));
  CHECK_EQ(round_trip("-0.0"), "-0.0");
  CHECK(!parsed("true").is_number());
  int64_t i = 0;
  CHECK(parsed("-9223372036854775808").get_int64(&i) && i == INT64_MIN);
  CHECK(parsed("9223372036854775807").get_int64(&i) && i == INT64_MAX);
  CHECK(parsed("9223372036854775808").is_big_int());
  CHECK(parsed("-9223372036854775809").is_big_int());
  CHECK_EQ(round_trip("123456789012345678901234567890"), "123456789012345678901234567890");
  CHECK(parsed("123456789012345678901234567890").as_double() == 1.2345678901234568e29);
  CHECK(std::isinf(parsed("1e400").as_double()));                         // Python's json gives inf too
  CHECK(parsed("18014399583223809").as_double() == 18014399583223808.0);  // correctly rounded
  CHECK(parsed("0.1").as_double() == 0.1);
}

void test_float_repr() {
  const struct {
    double x;
    const char* text;
  } kCases[] = {
      // Expected texts are Python's repr().
      {0.1, "0.1"},
      {1e-05, "1e-05"},
      {1e+16, "1e+16"},
      {1.0, "1.0"},
      {-0.0, "-0.0"},
      {0.0, "0.0"},
      {5e-324, "5e-324"},
      {1.7976931348623157e+308, "1.7976931348623157e+308"},
      {2.2250738585072014e-308, "2.2250738585072014e-308"},
      {1000000000000000.0, "1000000000000000.0"},
      {123456789.125, "123456789.125"},
      {0.0001, "0.0001"},
      {1e+22, "1e+22"},
      {7.120236347223045e-307, "7.120236347223045e-307"},  // 2^-1017: the shortest is above the nearest
      {4.440892098500626e-16, "4.440892098500626e-16"},
      {9007199254740992.0, "9007199254740992.0"},
      {-2.5, "-2.5"},
      {100.0, "100.0"},
      {1e-07, "1e-07"},
      {0.6666666666666666, "0.6666666666666666"},
      {1e+301, "1e+301"},
  };
  for (const auto& c : kCases) CHECK_EQ(repr(c.x), c.text);
  CHECK_EQ(wasmshim::to_json(Value(std::nan(""))), "null");
  CHECK_EQ(wasmshim::to_json(Value(HUGE_VAL)), "null");
}

// A deterministic stream of 64-bit values (splitmix64), so that failures reproduce.
uint64_t next_random(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15u);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return z ^ (z >> 31);
}

// repr through the exact bignum path only, the reference the fast path must agree with.
std::string exact_repr(double x) {
  const wasmshim::detail::Decimal d = wasmshim::detail::shortest_decimal(std::fabs(x));
  char text[wasmshim::kMaxFloatRepr];
  return std::string(
      text, wasmshim::detail::format_decimal(d.digits.data(), static_cast<int>(d.digits.size()), d.point,
                                             std::signbit(x), text));
}

// The 128-bit fast path of format_float_repr gives the exact path's text: on short decimals (the
// numbers people type, where it answers), on random bit patterns, and next to powers of two and ten.
void test_float_repr_fast_path() {
  uint64_t state = 42;
  std::vector<double> xs;
  char text[64];
  for (int i = 0; i < 20000; ++i) {
    // d digits, then a decimal point somewhere, an exponent sometimes.
    const uint64_t r = next_random(&state);
    const int digits = 1 + static_cast<int>(r % 17);
    const uint64_t mantissa = next_random(&state) % 100000000000000000u;
    const int scale = static_cast<int>((r >> 8) % 40) - 25;
    std::snprintf(text, sizeof text, "%.*llue%d", digits, static_cast<unsigned long long>(mantissa), scale);
    xs.push_back(std::strtod(text, nullptr));
  }
  for (int i = 0; i < 20000; ++i) {
    double x;
    const uint64_t bits = next_random(&state) & 0x7FFFFFFFFFFFFFFFu;
    std::memcpy(&x, &bits, sizeof x);
    if (std::isfinite(x)) xs.push_back(x);
  }
  for (int p = -80; p <= 80; ++p) {
    const double two = std::ldexp(1.0, p);
    const double ten = std::pow(10.0, p / 4);
    for (const double x : {two, std::nextafter(two, 0.0), std::nextafter(two, 1e300), ten,
                           std::nextafter(ten, 0.0), std::nextafter(ten, 1e300)}) {
      xs.push_back(x);
    }
  }
  int mismatches = 0;
  for (const double x : xs) {
    std::string got;
    wasmshim::append_float_repr(x, got);
    const std::string expected = exact_repr(x);
    if (got != expected && ++mismatches <= 5) CHECK_EQ(got, expected);
    if (std::strtod(got.c_str(), nullptr) != x && ++mismatches <= 5) CHECK_EQ(got, "a text that reads back");
  }
  CHECK(mismatches == 0);
}

// parse_double agrees with strtod on JSON number literals: fast-path ones (short, exponents near 22) and
// those it hands to strtod (long, huge or tiny).
void test_parse_double() {
  const char* kLiterals[] = {"0.0",
                             "-0.0",
                             "0.1",
                             "1e22",
                             "1e23",
                             "1.5e30",
                             "9007199254740993.0",
                             "1e-22",
                             "1e-23",
                             "123.456e-5",
                             "1E+2",
                             "-2.5",
                             "1e400",
                             "1e-400",
                             "4.9e-324",
                             "0.30000000000000004",
                             "8.98846567431158e307",
                             "123456789012345678901.5"};
  for (const char* literal : kLiterals) {
    CHECK(wasmshim::parse_double(literal) == std::strtod(literal, nullptr));
    CHECK(std::signbit(wasmshim::parse_double(literal)) == std::signbit(std::strtod(literal, nullptr)));
  }
  uint64_t state = 7;
  char text[64];
  int mismatches = 0;
  for (int i = 0; i < 50000; ++i) {
    const uint64_t r = next_random(&state);
    const int digits = 1 + static_cast<int>(r % 19);
    const unsigned long long mantissa = next_random(&state) % 10000000000000000000u;
    const int exponent = static_cast<int>((r >> 8) % 80) - 40;
    std::snprintf(text, sizeof text, "%s%.*llu.%llue%d", (r >> 20) & 1 ? "-" : "", digits, mantissa,
                  static_cast<unsigned long long>(r >> 40), exponent);
    if (wasmshim::parse_double(text) != std::strtod(text, nullptr) && ++mismatches <= 5) CHECK_EQ(text, "");
  }
  CHECK(mismatches == 0);
}

void test_integers() {
  CHECK_EQ(wasmshim::to_json(Value(0)), "0");
  CHECK_EQ(wasmshim::to_json(Value(-42)), "-42");
  CHECK_EQ(wasmshim::to_json(Value(INT64_MIN)), "-9223372036854775808");
  CHECK_EQ(wasmshim::to_json(Value(INT64_MAX)), "9223372036854775807");
}

void test_strings() {
  CHECK_EQ(wasmshim::to_json(Value("a\"b\\c/d")), R"("a\"b\\c/d")");
  CHECK_EQ(wasmshim::to_json(Value("\b\f\n\r\t")), R"("\b\f\n\r\t")");
  CHECK_EQ(wasmshim::to_json(Value(std::string("\x01\x1f\x7f", 3))), "\"\\u0001\\u001f\x7f\"");
  CHECK_EQ(wasmshim::to_json(Value(std::string("nul\0byte", 8))), R"("nul\u0000byte")");
  CHECK_EQ(wasmshim::to_json(Value("é 😀")), "\"é 😀\"");
  // Invalid UTF-8 from the author never reaches the host: one U+FFFD per bad byte.
  CHECK_EQ(wasmshim::to_json(Value("a\xff"
                                   "b\xc3")),
           "\"a\xEF\xBF\xBD"
           "b\xEF\xBF\xBD\"");
  CHECK_EQ(parsed(R"("\u00e9\ud83d\ude00\/")").as_string(), "é😀/");
  CHECK_EQ(parsed(R"("\"\\\b\f\n\r\t")").as_string(), "\"\\\b\f\n\r\t");
  CHECK_EQ(round_trip(R"("\u0000")"), R"("\u0000")");
}

void test_parse_errors() {
  const char* kInvalid[] = {
      "",
      " ",
      "[1,]",
      "{\"a\"}",
      "{\"a\":1,}",
      "01",
      "1.",
      ".5",
      "+1",
      "-",
      "1e",
      "nul",
      "tru",
      "\"abc",
      "[1 2]",
      "1 2",
      "{1:2}",
      "NaN",
      "Infinity",
      "[",
      "\"\\x\"",
      "\"\\u12\"",
      "'a'",
      "\"a\tb\"",
      "\"\\ud800\"",
      "\"\\udc00\"",
      "\"\\ud800\\u0041\"",
      "\"\\ud800x\"",
  };
  for (const char* text : kInvalid) {
    const std::string error = parse_error(text);
    check::record(!error.empty(), text, __FILE__, __LINE__);
  }
  CHECK_EQ(parse_error("[1,]"), "unexpected character at byte 3");
  CHECK_EQ(parse_error("[1] x"), "unexpected data after the JSON value at byte 4");
}

void test_utf8() {
  CHECK_EQ(parsed("\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\"").as_string(),
           "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80");
  const char* kInvalid[] = {
      "\"\xff\"",              // not a lead byte
      "\"\x80\"",              // stray continuation byte
      "\"\xc0\xaf\"",          // overlong '/'
      "\"\xe0\x80\xaf\"",      // overlong '/' in three bytes
      "\"\xed\xa0\x80\"",      // UTF-16 surrogate encoded in UTF-8
      "\"\xf4\x90\x80\x80\"",  // beyond U+10FFFF
      "\"\xe2\x82\"",          // truncated before the closing quote
      "\"\xe2\x82",            // truncated at the end of input
  };
  for (const char* text : kInvalid) CHECK(parse_error(text).rfind("invalid UTF-8 in string", 0) == 0);
}

void test_depth_limit() {
  CHECK(parse_error(nested(128)).empty());
  CHECK(parse_error(nested(129)).rfind("JSON nested too deeply", 0) == 0);
  CHECK(parse_error("[" + nested(128) + "]").rfind("JSON nested too deeply", 0) == 0);
  std::string objects;
  for (int i = 0; i < 129; ++i) objects += "{\"a\":";
  objects += "1" + std::string(129, '}');
  CHECK(!parse_error(objects).empty());
  // Hostile input fails cleanly instead of recursing 100000 deep.
  CHECK(!parse_error(std::string(100000, '[')).empty());
  Value v;
  std::string error;
  CHECK(wasmshim::parse_json(nested(129), v, error, 129));
}

void test_objects() {
  CHECK_EQ(round_trip(R"( { "b" : 1 , "a" : [ true , false , null ] , "c" : {} } )"),
           R"({"b":1,"a":[true,false,null],"c":{}})");
  // Repeated keys: the first position, the last value (Python's json).
  CHECK_EQ(round_trip(R"({"a":1,"b":2,"a":3})"), R"({"a":3,"b":2})");
  std::string many = "{";
  for (int i = 0; i < 20; ++i) many += "\"k" + std::to_string(i % 7) + "\":" + std::to_string(i) + ",";
  many += "\"z\":0}";
  CHECK_EQ(round_trip(many), R"({"k0":14,"k1":15,"k2":16,"k3":17,"k4":18,"k5":19,"k6":13,"z":0})");
  const Value v = parsed(R"({"b":1,"a":2,"c":3})");
  const auto sorted = v.as_object().sorted_members();
  CHECK(sorted.size() == 3 && sorted[0]->first == "a" && sorted[1]->first == "b" && sorted[2]->first == "c");
  CHECK(v.find("a") != nullptr && v.find("a")->is_int());
  CHECK(v.find("x") == nullptr);
  CHECK(Value(1).find("a") == nullptr);
  wasmshim::Object o;
  o.set("x", Value(1));
  o.set("y", Value(2));
  o.set("x", Value("replaced"));
  CHECK_EQ(wasmshim::to_json(Value(o)), R"({"x":"replaced","y":2})");
}

void test_value_semantics() {
  const Value original = parsed(R"({"list":[1,"two",3.5,{"big":123456789012345678901234567890}]})");
  Value copy = original;
  CHECK_EQ(wasmshim::to_json(copy), wasmshim::to_json(original));
  Value moved = std::move(copy);
  CHECK_EQ(wasmshim::to_json(moved), wasmshim::to_json(original));
  moved = Value("now a string");
  CHECK_EQ(wasmshim::to_json(moved), "\"now a string\"");
  moved = original;
  CHECK_EQ(wasmshim::to_json(moved), wasmshim::to_json(original));
  Value big = Value::big_int("-99999999999999999999");
  Value big_copy = big;
  CHECK(big_copy.is_big_int() && big_copy.digits() == "-99999999999999999999");
  // Reading the wrong kind gives empty values, not a crash.
  CHECK(Value(1).as_string().empty());
  CHECK(Value("x").as_array().empty());
  CHECK(Value().as_object().empty());
  CHECK(!Value(1).as_bool());
  CHECK(Value("3").as_double() == 0);
  int64_t i = 0;
  CHECK(!Value(1.0).get_int64(&i));
}

}  // namespace

int main() {
  test_number_kinds();
  test_float_repr();
  test_float_repr_fast_path();
  test_parse_double();
  test_integers();
  test_strings();
  test_parse_errors();
  test_utf8();
  test_depth_limit();
  test_objects();
  test_value_semantics();
  return check::report("json_test");
}
