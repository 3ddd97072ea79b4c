// Native tests of examples/compare-cpp: the shared table examples/cases.json (which Rust and Go must
// pass too) plus the rules it does not pin down. Usage: compare_test <repository root>
#include <string>

#include "case_table.hpp"
#include "check.hpp"
#include "compare-cpp/main.cpp"

namespace {

std::string eval(const std::string& body) {
  std::string reply;
  wasmshim_evaluator.handle(R"({"method":"eval","params":)" + body + "}", reply);
  return reply;
}

const char* const kCorrect = R"({"command":"eval","result":{"is_correct":true,"feedback":"Correct!"}})";
const char* const kIncorrect = R"({"command":"eval","result":{"is_correct":false,"feedback":"Incorrect."}})";

void test_numbers() {
  CHECK_EQ(eval(R"({"response":1e400,"answer":1e400})"), kIncorrect);  // inf - inf is NaN
  CHECK_EQ(eval(R"({"response":"-0","answer":0})"), kCorrect);
  CHECK_EQ(eval(R"({"response":"1.5e+3","answer":1500})"), kCorrect);
  CHECK_EQ(eval(R"({"response":"1.","answer":1})"), kIncorrect);
  CHECK_EQ(eval(R"({"response":"0x10","answer":16})"), kIncorrect);
  CHECK_EQ(eval(R"({"response":"","answer":0})"), kIncorrect);
  CHECK_EQ(eval(R"({"response":"1e","answer":1})"), kIncorrect);
  CHECK_EQ(eval(R"({"response":"-","answer":0})"), kIncorrect);
  CHECK_EQ(eval(R"({"response":" 2 ","answer":2,"params":{"trim":false}})"), kIncorrect);
  CHECK_EQ(eval(R"({"response":105,"answer":-100,"params":{"rtol":0.05}})"), kIncorrect);
  CHECK_EQ(eval(R"({"response":-105,"answer":-100,"params":{"rtol":0.05}})"), kCorrect);
}

void test_structures() {
  CHECK_EQ(eval(R"({"response":{"a":1,"b":2},"answer":{"a":1,"c":2}})"), kIncorrect);
  CHECK_EQ(eval(R"({"response":{"a":1,"a":2},"answer":{"a":2}})"), kCorrect);  // the last value wins
  CHECK_EQ(eval(R"({"response":[[[["x"]]]],"answer":[[[["X"]]]],"params":{"case_sensitive":false}})"),
           kCorrect);
  CHECK_EQ(eval(R"({"response":null,"answer":null})"), kCorrect);
  CHECK_EQ(eval(R"({"response":[],"answer":{}})"), kIncorrect);
  std::string wide_r = "{", wide_a = "{";
  for (int i = 0; i < 50; ++i) {
    wide_r += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":" + std::to_string(i);
    wide_a +=
        (i ? "," : "") + std::string("\"k") + std::to_string(49 - i) + "\":" + std::to_string(49 - i) + ".0";
  }
  CHECK_EQ(eval(R"({"response":)" + wide_r + R"(},"answer":)" + wide_a + "}}"), kCorrect);
}

void test_preview() {
  std::string reply;
  wasmshim_evaluator.handle(R"({"method":"preview","params":{"response":123456789012345678901234567890}})",
                            reply);
  CHECK_EQ(
      reply,
      R"({"command":"preview","result":{"preview":{"type":"number","response":123456789012345678901234567890}}})");
  reply.clear();
  wasmshim_evaluator.handle(R"({"method":"preview","params":{"response":"a\u0000b"}})", reply);
  CHECK_EQ(reply, R"({"command":"preview","result":{"preview":{"type":"string","response":"a\u0000b"}}})");
}

}  // namespace

int main(int argc, char** argv) {
  test_numbers();
  test_structures();
  test_preview();
  const std::string root = argc > 1 ? argv[1] : ".";
  const int ran = case_table::run(wasmshim_evaluator, root + "/examples/cases.json");
  CHECK(ran > 0);
  return check::report("compare_test");
}
