// Native tests of examples/array-equal-cpp: its case table (every rule and message of
// lf-functions.md section 4) plus the Python and numpy pieces it is built from. Expected values were
// produced by CPython 3.11 and numpy 1.26. Usage: array_equal_test <repository root>
#include <cmath>
#include <string>

#include "array-equal-cpp/main.cpp"
#include "case_table.hpp"
#include "check.hpp"

namespace {

// A string given as a JSON literal, so tables can spell control and non-ASCII characters plainly.
std::string js(const char* json_literal) {
  Value v;
  std::string error;
  CHECK(wasmshim::parse_json(json_literal, v, error) && v.is_string());
  return v.as_string();
}

std::string float_text(const std::string& s) {
  double d = 0;
  if (!python::to_float(s, &d)) return "ValueError";
  if (std::isnan(d)) return "nan";
  std::string out;
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  wasmshim::append_float_repr(d, out);
  return out;
}

void test_python_float() {
  const struct {
    const char* input;     // JSON string literal
    const char* expected;  // repr(float(input)), or ValueError
  } kCases[] = {
      {R"("1")", "1.0"},
      {R"(" 2.5 ")", "2.5"},
      {R"("1_000")", "1000.0"},
      {R"("1e1_0")", "10000000000.0"},
      {R"("_1")", "ValueError"},
      {R"("1_")", "ValueError"},
      {R"("1__0")", "ValueError"},
      {R"("1._5")", "ValueError"},
      {R"("1_.5")", "ValueError"},
      {R"("1.e5")", "100000.0"},
      {R"(".5")", "0.5"},
      {R"("-.5")", "-0.5"},
      {R"("5.")", "5.0"},
      {R"("+inf")", "inf"},
      {R"("-Infinity")", "-inf"},
      {R"("nAn")", "nan"},
      {R"("infinit")", "ValueError"},
      {R"("1e")", "ValueError"},
      {R"("e5")", "ValueError"},
      {R"("0x10")", "ValueError"},
      {R"("1\u0000")", "ValueError"},
      {R"("\u001c1\u001f")", "ValueError"},
      {R"("\u00851")", "1.0"},
      {R"("1e99999")", "inf"},
      {R"("-0")", "-0.0"},
      {R"("\u0661\u0662.5")", "12.5"},
      {R"("\u30001\u3000")", "1.0"},
      {R"("1,5")", "ValueError"},
      {R"("")", "ValueError"},
      {R"(" ")", "ValueError"},
      {R"("+")", "ValueError"},
      {R"("-.")", "ValueError"},
      {R"("1e+")", "ValueError"},
      {R"("1E-3")", "0.001"},
      {R"("\u0661e\u0661")", "10.0"},
      {R"("\u00b2")", "ValueError"},
      {R"("inf inity")", "ValueError"},
      {R"("++1")", "ValueError"},
      {R"("1 2")", "ValueError"},
      {R"j("nan(1)")j", "ValueError"},
  };
  for (const auto& c : kCases) CHECK_EQ(float_text(js(c.input)), c.expected);
}

void test_python_strip() {
  const struct {
    const char* input;
    const char* expected;
  } kCases[] = {
      {R"(" a ")", R"("a")"},
      {R"("\u3000a\u2003")", R"("a")"},
      {R"("\u001ca\u001f")", R"("a")"},
      {R"("\u0085\u00a0a")", R"("a")"},
      {R"("a b")", R"("a b")"},
      {R"("")", R"("")"},
      {R"("   ")", R"("")"},
      {R"("\u200ba")", R"("\u200ba")"},  // zero-width space is not space
  };
  for (const auto& c : kCases) CHECK_EQ(std::string(python::strip(js(c.input))), js(c.expected));
}

void test_python_repr() {
  const struct {
    const char* input;
    const char* expected;
  } kCases[] = {
      {R"("\u001c1")", R"("'\\x1c1'")"},
      {R"("1 ")", R"("'1 '")"},
      {R"("\t\n\r\u000b")", R"("'\\t\\n\\r\\x0b'")"},
      {R"("\u3000\u0661\u001c")", R"("'\\u3000\u0661\\x1c'")"},
      {R"("it's")", R"("\"it's\"")"},
      {R"("say \"hi\" it's")", R"("'say \"hi\" it\\'s'")"},
      {R"("back\\slash")", R"("'back\\\\slash'")"},
      {R"("\u0085\u00a0\u2028")", R"("'\\x85\\xa0\\u2028'")"},
  };
  for (const auto& c : kCases) CHECK_EQ(python::repr(js(c.input)), js(c.expected));
}

// The shape of numpy.array(json, dtype=float32) as a tuple, or the message of the error it raises.
std::string array_shape(const std::string& json) {
  Value v;
  std::string error;
  CHECK(wasmshim::parse_json(json, v, error));
  numpy::Float32Array array;
  numpy::PyError py_error;
  if (!numpy::to_float32_array(v, &array, &py_error))
    return std::string(py_error.type) + ": " + py_error.message;
  return numpy::detail::tuple_text(array.shape.data(), static_cast<int>(array.shape.size()));
}

void test_shape_discovery() {
  const std::string ragged =
      "ValueError: setting an array element with a sequence. The requested array has an "
      "inhomogeneous shape after ";
  const struct {
    const char* input;
    std::string expected;
  } kCases[] = {
      {"[[1,2],[3]]", ragged + "1 dimensions. The detected shape was (2,) + inhomogeneous part."},
      {"[[1],2]", ragged + "1 dimensions. The detected shape was (2,) + inhomogeneous part."},
      {"[1,[2]]", ragged + "1 dimensions. The detected shape was (2,) + inhomogeneous part."},
      {"[[[1,2],[3,4]],[[1,2],[3]]]",
       ragged + "2 dimensions. The detected shape was (2, 2) + inhomogeneous part."},
      {"[[1,2],[3,[4]]]", ragged + "2 dimensions. The detected shape was (2, 2) + inhomogeneous part."},
      {"[[[]],[1]]", ragged + "2 dimensions. The detected shape was (2, 1) + inhomogeneous part."},
      {"[[[1],[2]],[[3]]]", ragged + "1 dimensions. The detected shape was (2,) + inhomogeneous part."},
      {"[[[1,2]],[3]]", ragged + "2 dimensions. The detected shape was (2, 1) + inhomogeneous part."},
      {"[[1],[[2]]]", ragged + "2 dimensions. The detected shape was (2, 1) + inhomogeneous part."},
      {"[[],1]", ragged + "1 dimensions. The detected shape was (2,) + inhomogeneous part."},
      {"[[{\"a\":1},{\"b\":2}],[1]]",
       ragged + "1 dimensions. The detected shape was (2,) + inhomogeneous part."},
      {"[{\"a\":1}]", "TypeError: float() argument must be a string or a number, not 'dict'"},
      {"[null,true,\"1_0\",\" inf \"]", "(4,)"},
      {"5", "()"},
      {"[[],[]]", "(2, 0)"},
      {"[]", "(0,)"},
      {"[1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
       "00000000000"
       "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
       "0000000000"
       "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
       "00]",
       "OverflowError: int too large to convert to float"},
  };
  for (const auto& c : kCases) CHECK_EQ(array_shape(c.input), c.expected);
  const auto deep = [](int n) {
    return std::string(static_cast<std::size_t>(n), '[') + "1" +
           std::string(static_cast<std::size_t>(n), ']');
  };
  CHECK_EQ(
      array_shape(deep(32)),
      "(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)");
  const std::string too_deep =
      "ValueError: setting an array element with a sequence. The requested array would exceed "
      "the maximum number of dimension of 32.";
  CHECK_EQ(array_shape(deep(33)), too_deep);
  CHECK_EQ(array_shape(deep(128)), too_deep);
  CHECK_EQ(array_shape("[" + deep(31) + ",1]"),
           ragged + "1 dimensions. The detected shape was (2,) + inhomogeneous part.");
}

void test_float32_conversion() {
  Value v;
  std::string error;
  CHECK(
      wasmshim::parse_json("[18014399583223809, 1e39, -1e39, null, true, false, \"0.1\", 1e-46]", v, error));
  numpy::Float32Array array;
  numpy::PyError py_error;
  CHECK(numpy::to_float32_array(v, &array, &py_error));
  CHECK(array.values.size() == 8);
  CHECK(array.values[0] == 18014398509481984.0f);  // 2^54: double rounding, not 2^54 + 2^31
  CHECK(std::isinf(array.values[1]) && array.values[1] > 0);
  CHECK(std::isinf(array.values[2]) && array.values[2] < 0);
  CHECK(std::isnan(array.values[3]));
  CHECK(array.values[4] == 1.0f && array.values[5] == 0.0f);
  CHECK(array.values[6] == 0.1f);
  CHECK(array.values[7] == 0.0f);
}

std::string eval(const std::string& body) {
  std::string reply;
  wasmshim_evaluator.handle(R"({"method":"eval","params":)" + body + "}", reply);
  return reply;
}

void test_beyond_the_case_table() {
  // Inputs the HTTP layer's JSON parser may refuse, so they live here rather than in cases.json.
  CHECK_EQ(eval(R"({"response":[1e400],"answer":["inf"]})"),
           R"({"command":"eval","result":{"is_correct":true}})");
  CHECK_EQ(eval(R"({"response":[1],"answer":[1)" + std::string(400, '0') + "]}"),
           R"({"error":{"message":"An exception was raised while executing the evaluation function.",)"
           R"("detail":"int too large to convert to float"}})");
  // uint64-sized integers make the tolerance float64 too.
  CHECK_EQ(eval(R"({"response":[1],"answer":[1],"params":{"atol":18446744073709551615}})"),
           R"({"command":"eval","result":{"is_correct":true}})");
  // Negative integer tolerances below int16 force float64 as well; the band is then empty.
  CHECK_EQ(eval(R"({"response":[1],"answer":[1],"params":{"atol":-40000}})"),
           R"({"command":"eval","result":{"is_correct":false}})");
  // Broadcasting loops over the full broadcast shape.
  CHECK_EQ(eval(R"({"response":[[1],[2]],"answer":[[1,1,1],[2,2,2.5]]})"),
           R"({"command":"eval","result":{"is_correct":false}})");
  CHECK_EQ(eval(R"({"response":[[1],[2]],"answer":[[1,1,1],[2,2,2]]})"),
           R"({"command":"eval","result":{"is_correct":true}})");
  CHECK_EQ(eval(R"({"response":[1,2],"answer":[[1,2],[1,2],[1,2]]})"),
           R"({"command":"eval","result":{"is_correct":true}})");
  CHECK_EQ(eval(R"({"response":[[1,2,3]],"answer":[[[1],[2]]]})"),
           R"({"command":"eval","result":{"is_correct":false}})");
}

}  // namespace

int main(int argc, char** argv) {
  test_python_float();
  test_python_strip();
  test_python_repr();
  test_shape_discovery();
  test_float32_conversion();
  test_beyond_the_case_table();
  const std::string root = argc > 1 ? argv[1] : ".";
  const int ran = case_table::run(wasmshim_evaluator, root + "/examples/array-equal-cpp/cases.json");
  CHECK(ran > 0);
  return check::report("array_equal_test");
}
