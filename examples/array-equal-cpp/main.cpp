// Port of Lambda Feedback's ArrayEqual (shared/spec/lf-functions.md section 4): are two arrays of
// numbers (or numeric strings) equal within atol + rtol * |answer|, computed like numpy in float32?
// Same results, feedback texts, error texts and quirks as the Python original (numpy 1.24 to 1.26).
// Known differences, all about inputs no real question sends:
//  * a list as atol or rtol (numpy would broadcast it) is an error reply "array-valued tolerances are
//    not supported";
//  * an integer tolerance beyond int64 is computed as the float64 it rounds to (numpy uses uint64,
//    or Python objects past 2^64);
//  * the TypeError for an object element keeps the Python 3.8/3.9 wording that lf-functions.md
//    records ("a string or a number"; Python 3.10+ says "a string or a real number").
#include <string>
#include <wasmshim/wasmshim.hpp>

#include "allclose.hpp"
#include "float32_array.hpp"
#include "python_float.hpp"

using wasmshim::Object;
using wasmshim::Result;
using wasmshim::Value;

namespace {

// The first problem of a depth-first, left-to-right walk over nested lists.
enum class Problem { None, NotANumber, Empty };

// Strings must be Python floats once stripped; numbers, booleans, null and objects pass unchecked.
Problem walk(const Value& v) {
  if (v.is_array()) {
    for (const Value& item : v.as_array()) {
      const Problem p = walk(item);
      if (p != Problem::None) return p;
    }
    return Problem::None;
  }
  if (!v.is_string()) return Problem::None;
  const std::string_view stripped = python::strip(v.as_string());
  if (stripped.empty()) return Problem::Empty;
  double ignored = 0;
  return python::to_float(stripped, &ignored) ? Problem::None : Problem::NotANumber;
}

// Any exception other than EvaluationException, as the legacy Python layer reports it.
Result generic_error(std::string detail) {
  return Result::error("An exception was raised while executing the evaluation function.")
      .with("detail", Value(std::move(detail)));
}

// numpy.array() failing: a ValueError becomes an EvaluationException with repr(e) as detail,
// anything else (TypeError, OverflowError) is the generic error with str(e).
Result conversion_error(const char* message, const numpy::PyError& error) {
  if (std::string_view(error.type) != "ValueError") return generic_error(error.message);
  return Result::error(message).with("detail",
                                     Value(std::string("ValueError(") + python::repr(error.message) + ")"));
}

Result evaluate(const Value& response, const Value& answer, const Object& params) {
  switch (walk(answer)) {
    case Problem::NotANumber: return generic_error("Answer has at least one field that is not a number.");
    case Problem::Empty: return generic_error("Answer has empty fields.");
    case Problem::None: break;
  }
  switch (walk(response)) {
    case Problem::NotANumber: return Result::eval(false, "Only numbers are permitted.");
    case Problem::Empty: return Result::eval(false, "Response has at least one empty field.");
    case Problem::None: break;
  }
  numpy::Float32Array answer_array, response_array;
  numpy::PyError error;
  if (!numpy::to_float32_array(answer, &answer_array, &error)) {
    return conversion_error("Failed to parse correct answer", error);
  }
  if (!numpy::to_float32_array(response, &response_array, &error)) {
    return conversion_error("Failed to parse response", error);
  }
  const Value zero(0);
  const Value* rtol = params.find("rtol");
  const Value* atol = params.find("atol");
  bool close = false;
  std::string numpy_error;
  if (!numpy::allclose(response_array, answer_array, rtol != nullptr ? *rtol : zero,
                       atol != nullptr ? *atol : zero, &close, &numpy_error)) {
    return generic_error(std::move(numpy_error));
  }
  const Value* feedback = params.find("feedback_for_incorrect_response");
  if (!close && feedback != nullptr && !feedback->is_null())
    return Result::eval(false).with("feedback", *feedback);
  return Result::eval(close);
}

// The legacy layer's fallback preview: the response echoed unchanged.
Result preview(const Value& response, const Object&) { return Result::preview(response); }

constexpr wasmshim::SelfTest kSelfTests[] = {
    {"equal arrays", "[1, 2, 3]", "[1, 2, 3]", "{}", true},
    {"float32 arithmetic", "[1, 2]", "[1, 2.1]", R"({"atol": 0.1})", true},
    {"float32 resolution", "[1.0000001]", "[1]", "{}", false},
    {"numeric strings", R"([" 1 ", "2_0"])", "[1, 20]", "{}", true},
    {"broadcast scalar", "5", "[5, 5, 5]", "{}", true},
};

}  // namespace

WASMSHIM_EVALUATOR(wasmshim::Evaluator(evaluate).with_preview(preview).with_self_tests(kSelfTests));
