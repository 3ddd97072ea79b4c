// What an evaluator author writes against: Result, SelfTest and Evaluator, and the request handling
// that turns the host's envelope {"method":...,"params":<body>} into one reply object. Nothing here
// knows about WebAssembly, so native tests drive it directly (wasmshim.hpp adds the exports).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "json.hpp"
#include "json_parse.hpp"
#include "json_write.hpp"

namespace wasmshim {

namespace detail {
// A key from a string literal, its length known at compile time: a const char* costs a strlen call.
template <std::size_t N>
std::string key(const char (&text)[N]) {
  return std::string(text, N - 1);
}
}  // namespace detail

// The outcome of an evaluation or preview: a result object, or an error object that the host turns
// into an HTTP 500 {"error":{...}} with every field kept.
class Result {
 public:
  // An eval result {"is_correct": is_correct}.
  static Result eval(bool is_correct) {
    Result r;
    r.fields_.set(detail::key("is_correct"), Value(is_correct));
    return r;
  }
  // An eval result {"is_correct": is_correct, "feedback": feedback}.
  static Result eval(bool is_correct, std::string feedback) {
    return eval(is_correct).with("feedback", Value(std::move(feedback)));
  }
  // A preview result {"preview": preview}.
  static Result preview(Value preview) {
    Result r;
    r.fields_.set(detail::key("preview"), std::move(preview));
    return r;
  }
  // An error {"message": message}; add fields such as "detail" with with().
  static Result error(std::string message) {
    Result r;
    r.error_ = true;
    r.fields_.set(detail::key("message"), Value(std::move(message)));
    return r;
  }

  // Adds or replaces a field of the result (or of the error): "feedback", "tags", "detail", ...
  Result& with(std::string key, Value value) & {
    fields_.set(std::move(key), std::move(value));
    return *this;
  }
  Result&& with(std::string key, Value value) && {
    fields_.set(std::move(key), std::move(value));
    return std::move(*this);
  }

  bool is_error() const { return error_; }
  // The result object, or the error object when is_error().
  const Object& fields() const { return fields_; }

 private:
  Result() = default;

  bool error_ = false;
  Object fields_;
};

// The evaluation function: student response, the correct answer and the params object.
using EvalFn = Result (*)(const Value& response, const Value& answer, const Object& params);
// The optional preview function: student response and params.
using PreviewFn = Result (*)(const Value& response, const Object& params);

// One self-test the healthcheck command runs. Values are JSON texts so that a test can tell an
// integer from a float ("1" versus "1.0") exactly as a request would.
struct SelfTest {
  const char* name;
  const char* response;
  const char* answer;
  const char* params;
  bool expected;
};

// An evaluator: the eval function plus the optional preview function and self-tests.
// constexpr so that WASMSHIM_EVALUATOR builds it at compile time, with no static constructor.
class Evaluator {
 public:
  constexpr explicit Evaluator(EvalFn eval) : eval_(eval) {}

  // A copy that answers preview requests with preview (without one: "preview not supported").
  constexpr Evaluator with_preview(PreviewFn preview) const {
    Evaluator e = *this;
    e.preview_ = preview;
    return e;
  }

  // A copy whose healthcheck runs tests; the array must outlive the evaluator (make it constexpr).
  template <std::size_t N>
  constexpr Evaluator with_self_tests(const SelfTest (&tests)[N]) const {
    Evaluator e = *this;
    e.tests_ = tests;
    e.test_count_ = N;
    return e;
  }

  // Handles one request envelope and appends the reply JSON to reply. Malformed input (not JSON,
  // too deep, invalid UTF-8, missing fields) becomes an error reply; nothing here traps.
  void handle(std::string_view request, std::string& reply) const {
    Value envelope;
    std::string parse_error;
    // The envelope object wraps the body, so the body may use kMaxDepth levels of its own.
    if (!parse_json(request, envelope, parse_error, kMaxDepth + 1)) {
      return append_error(Result::error("invalid request: " + parse_error), reply);
    }
    const Value* method = envelope.find("method");
    if (method == nullptr || !method->is_string()) {
      return append_error(Result::error("invalid request: no method"), reply);
    }
    const std::string_view name = method->as_string();
    if (name == "healthcheck") return append_result("healthcheck", healthcheck(), reply);
    if (name != "eval" && name != "preview") {
      return append_error(Result::error("unsupported method: " + std::string(name)), reply);
    }
    const Value* body = envelope.find("params");
    if (body == nullptr || !body->is_object()) {
      return append_error(Result::error("invalid request: the body must be a JSON object"), reply);
    }
    const Value* params = body->find("params");
    if (params != nullptr && !params->is_object()) {
      return append_error(Result::error("invalid request: params must be an object"), reply);
    }
    const Value no_params{Object()};
    const Object& param_object = (params != nullptr ? *params : no_params).as_object();
    const Value* response = body->find("response");
    if (response == nullptr)
      return append_error(Result::error("invalid request: response is required"), reply);
    if (name == "preview") {
      if (preview_ == nullptr) return append_error(Result::error("preview not supported"), reply);
      return append_outcome("preview", preview_(*response, param_object), reply);
    }
    const Value* answer = body->find("answer");
    if (answer == nullptr) return append_error(Result::error("invalid request: answer is required"), reply);
    append_outcome("eval", eval_(*response, *answer, param_object), reply);
  }

 private:
  static void append_error(const Result& error, std::string& reply) {
    detail::Writer w(reply);
    w.literal("{\"error\":");
    detail::write_object(error.fields(), w);
    w.put('}');
  }

  static void append_result(std::string_view command, const Object& result, std::string& reply) {
    detail::Writer w(reply);
    w.literal("{\"command\":\"");
    w.write(command);
    w.literal("\",\"result\":");
    detail::write_object(result, w);
    w.put('}');
  }

  static void append_outcome(std::string_view command, const Result& outcome, std::string& reply) {
    if (outcome.is_error()) return append_error(outcome, reply);
    append_result(command, outcome.fields(), reply);
  }

  // Runs one self-test; sets *error when it could not produce an is_correct.
  bool run_test(const SelfTest& test, bool* got, std::string* error) const {
    Value response, answer, params;
    std::string parse_error;
    if (!parse_json(test.response, response, parse_error) || !parse_json(test.answer, answer, parse_error) ||
        !parse_json(test.params, params, parse_error)) {
      *error = "invalid test: " + parse_error;
      return false;
    }
    if (!params.is_object()) {
      *error = "invalid test: params must be an object";
      return false;
    }
    const Result outcome = eval_(response, answer, params.as_object());
    const Value* message = outcome.fields().find("message");
    if (outcome.is_error()) {
      *error = message != nullptr ? message->as_string() : std::string("error");
      return false;
    }
    const Value* is_correct = outcome.fields().find("is_correct");
    if (is_correct == nullptr || !is_correct->is_bool()) {
      *error = "the result has no boolean is_correct";
      return false;
    }
    *got = is_correct->as_bool();
    return true;
  }

  // The healthcheck result: every self-test lands in successes, failures or errors.
  Object healthcheck() const {
    Array successes, failures, errors;
    for (std::size_t i = 0; i < test_count_; ++i) {
      const SelfTest& test = tests_[i];
      Object entry;
      entry.set(detail::key("name"), Value(test.name));
      bool got = false;
      std::string error;
      if (!run_test(test, &got, &error)) {
        entry.set(detail::key("error"), Value(std::move(error)));
        errors.emplace_back(std::move(entry));
      } else if (got != test.expected) {
        entry.set(detail::key("expected"), Value(test.expected));
        entry.set(detail::key("got"), Value(got));
        failures.emplace_back(std::move(entry));
      } else {
        successes.emplace_back(std::move(entry));
      }
    }
    Object result;
    result.set(detail::key("tests_passed"), Value(failures.empty() && errors.empty()));
    result.set(detail::key("successes"), Value(std::move(successes)));
    result.set(detail::key("failures"), Value(std::move(failures)));
    result.set(detail::key("errors"), Value(std::move(errors)));
    return result;
  }

  EvalFn eval_;
  PreviewFn preview_ = nullptr;
  const SelfTest* tests_ = nullptr;
  std::size_t test_count_ = 0;
};

}  // namespace wasmshim
