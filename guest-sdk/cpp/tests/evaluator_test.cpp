// Native tests of request handling: the envelope, the three methods, replies and error replies,
// self-tests, malformed input, and the ABI's length-prefixed reply buffer.
#include <cstdlib>
#include <cstring>
#include <string>
#include <wasmshim/wasmshim.hpp>

#include "check.hpp"

using wasmshim::Object;
using wasmshim::Result;
using wasmshim::Value;

namespace {

// Correct when response equals answer as JSON text; reports the params it saw as an extra field.
Result echo_eval(const Value& response, const Value& answer, const Object& params) {
  if (response.as_string() == "fail")
    return Result::error("cannot evaluate").with("detail", Value("on purpose"));
  const bool ok = wasmshim::to_json(response) == wasmshim::to_json(answer);
  return Result::eval(ok, ok ? "yes" : "no").with("params_seen", Value(params));
}

Result upper_preview(const Value& response, const Object&) {
  std::string s = response.as_string();
  for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return Result::preview(Value(s));
}

constexpr wasmshim::SelfTest kTests[] = {
    {"passes", "1", "1", "{}", true},         {"fails", "1", "2", "{}", true},
    {"errors", R"("fail")", "1", "{}", true}, {"bad json", "[", "1", "{}", true},
    {"bad params", "1", "1", "[]", true},
};

constexpr wasmshim::Evaluator kPlain(echo_eval);
constexpr wasmshim::Evaluator kFull =
    wasmshim::Evaluator(echo_eval).with_preview(upper_preview).with_self_tests(kTests);

std::string handle(const wasmshim::Evaluator& evaluator, const std::string& request) {
  std::string reply;
  evaluator.handle(request, reply);
  return reply;
}

std::string eval_request(const std::string& body) { return R"({"method":"eval","params":)" + body + "}"; }

// The error message of an error reply, or "<not an error>".
std::string error_message(const std::string& reply) {
  Value v;
  std::string error;
  if (!wasmshim::parse_json(reply, v, error) || v.find("error") == nullptr) return "<not an error>";
  return v.find("error")->find("message")->as_string();
}

void test_eval() {
  CHECK_EQ(handle(kPlain, eval_request(R"({"response":[1,2.0],"answer":[1,2.0],"params":{"k":"v"}})")),
           R"({"command":"eval","result":{"is_correct":true,"feedback":"yes","params_seen":{"k":"v"}}})");
  CHECK_EQ(handle(kPlain, eval_request(R"({"answer":2,"response":1})")),
           R"({"command":"eval","result":{"is_correct":false,"feedback":"no","params_seen":{}}})");
  CHECK_EQ(handle(kPlain, eval_request(R"({"response":"fail","answer":1})")),
           R"({"error":{"message":"cannot evaluate","detail":"on purpose"}})");
  // The body is used as the client sent it: 1 and 1.0 stay different.
  CHECK_EQ(handle(kPlain, eval_request(R"({"response":1,"answer":1.0})")),
           R"({"command":"eval","result":{"is_correct":false,"feedback":"no","params_seen":{}}})");
}

void test_preview() {
  CHECK_EQ(handle(kPlain, R"({"method":"preview","params":{"response":"x"}})"),
           R"({"error":{"message":"preview not supported"}})");
  CHECK_EQ(handle(kFull, R"({"method":"preview","params":{"response":"abc","params":{}}})"),
           R"({"command":"preview","result":{"preview":"ABC"}})");
}

void test_healthcheck() {
  CHECK_EQ(
      handle(kPlain, R"({"method":"healthcheck","params":{}})"),
      R"({"command":"healthcheck","result":{"tests_passed":true,"successes":[],"failures":[],"errors":[]}})");
  CHECK_EQ(handle(kFull, R"({"method":"healthcheck","params":{}})"),
           R"({"command":"healthcheck","result":{"tests_passed":false,"successes":[{"name":"passes"}],)"
           R"("failures":[{"name":"fails","expected":true,"got":false}],)"
           R"("errors":[{"name":"errors","error":"cannot evaluate"},)"
           R"({"name":"bad json","error":"invalid test: unexpected end of input at byte 1"},)"
           R"({"name":"bad params","error":"invalid test: params must be an object"}]}})");
}

void test_malformed_requests() {
  CHECK_EQ(error_message(handle(kPlain, "not json")), "invalid request: invalid literal at byte 0");
  CHECK_EQ(error_message(handle(kPlain, "[]")), "invalid request: no method");
  CHECK_EQ(error_message(handle(kPlain, R"({"params":{}})")), "invalid request: no method");
  CHECK_EQ(error_message(handle(kPlain, R"({"method":"grade","params":{}})")), "unsupported method: grade");
  CHECK_EQ(error_message(handle(kPlain, R"({"method":"eval","params":[1]})")),
           "invalid request: the body must be a JSON object");
  CHECK_EQ(error_message(handle(kPlain, eval_request(R"({"answer":1})"))),
           "invalid request: response is required");
  CHECK_EQ(error_message(handle(kPlain, eval_request(R"({"response":1})"))),
           "invalid request: answer is required");
  CHECK_EQ(error_message(handle(kPlain, eval_request(R"({"response":1,"answer":1,"params":"x"})"))),
           "invalid request: params must be an object");
  CHECK_EQ(error_message(handle(kPlain, eval_request("{\"response\":\"\xff\",\"answer\":1}"))),
           "invalid request: invalid UTF-8 in string at byte 39");
  // The body may nest 128 levels (the envelope's own object does not count); 129 is an error reply.
  const std::string deep128 = std::string(127, '[') + std::string(127, ']');
  CHECK(handle(kPlain, eval_request(R"({"response":)" + deep128 + R"(,"answer":1})"))
            .rfind("{\"command\"", 0) == 0);
  const std::string deep129 = std::string(128, '[') + std::string(128, ']');
  CHECK(error_message(handle(kPlain, eval_request(R"({"response":)" + deep129 + R"(,"answer":1})")))
            .rfind("invalid request: JSON nested too deeply", 0) == 0);
  CHECK(error_message(handle(kPlain, eval_request(std::string(1000000, '[')))).rfind("invalid request:", 0) ==
        0);
}

void test_abi_reply_buffer() {
  const std::string request = eval_request(R"({"response":1,"answer":1})");
  // The host writes the request into memory from alloc, and evaluate frees it.
  char* buffer = static_cast<char*>(wasmshim::abi::alloc(static_cast<uint32_t>(request.size())));
  std::memcpy(buffer, request.data(), request.size());
  const uint32_t out = wasmshim::abi::evaluate(kPlain, buffer, static_cast<uint32_t>(request.size()));
  // evaluate returns the reply's address as a wasm32 pointer; natively that is its low 32 bits.
  CHECK(out == static_cast<uint32_t>(reinterpret_cast<uintptr_t>(wasmshim::abi::reply_buffer.data())));
  const std::string& reply = wasmshim::abi::reply_buffer;
  const std::string expected =
      R"({"command":"eval","result":{"is_correct":true,"feedback":"yes","params_seen":{}}})";
  CHECK(reply.size() == expected.size() + 4);
  const uint32_t length = static_cast<uint32_t>(static_cast<unsigned char>(reply[0])) |
                          static_cast<uint32_t>(static_cast<unsigned char>(reply[1])) << 8 |
                          static_cast<uint32_t>(static_cast<unsigned char>(reply[2])) << 16 |
                          static_cast<uint32_t>(static_cast<unsigned char>(reply[3])) << 24;
  CHECK(length == expected.size());
  CHECK_EQ(reply.substr(4), expected);
}

}  // namespace

int main() {
  test_eval();
  test_preview();
  test_healthcheck();
  test_malformed_requests();
  test_abi_reply_buffer();
  return check::report("evaluator_test");
}
