// Runs a case table (examples/README.md "Case tables") against an Evaluator natively: each case's
// request goes through Evaluator::handle in the host's envelope, and the reply must equal the expected
// one as JSON values (integers and floats distinct, object key order ignored). Cases whose outcome
// the host decides (4xx statuses, raw_request, params.cases) are skipped: tests/examples.rs runs
// the full tables through the real server.
#pragma once

#include <cstdio>
#include <string>
#include <wasmshim/evaluator.hpp>

#include "check.hpp"

namespace case_table {

// Strict JSON equality: kinds must match (1 and 1.0 differ), floats compare by value.
inline bool json_equal(const wasmshim::Value& a, const wasmshim::Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case wasmshim::Value::Kind::Null: return true;
    case wasmshim::Value::Kind::Bool: return a.as_bool() == b.as_bool();
    case wasmshim::Value::Kind::Int: return wasmshim::to_json(a) == wasmshim::to_json(b);
    case wasmshim::Value::Kind::Float: return a.as_double() == b.as_double();
    case wasmshim::Value::Kind::String: return a.as_string() == b.as_string();
    case wasmshim::Value::Kind::Array: {
      const wasmshim::Array& x = a.as_array();
      const wasmshim::Array& y = b.as_array();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (!json_equal(x[i], y[i])) return false;
      }
      return true;
    }
    case wasmshim::Value::Kind::Object: {
      if (a.as_object().size() != b.as_object().size()) return false;
      for (const wasmshim::Object::Member& member : a.as_object()) {
        const wasmshim::Value* other = b.find(member.first);
        if (other == nullptr || !json_equal(member.second, *other)) return false;
      }
      return true;
    }
  }
  return false;
}

inline bool read_file(const std::string& path, std::string* text) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  char buffer[65536];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text->append(buffer, n);
  std::fclose(f);
  return true;
}

// The host's part of a case: whether the guest sees it at all.
inline bool reaches_guest(const wasmshim::Value& c) {
  const wasmshim::Value* status = c.find("status");
  int64_t code = 0;
  if (status == nullptr || !status->get_int64(&code) || (code != 200 && code != 500)) return false;
  if (c.find("raw_request") != nullptr) return false;
  const wasmshim::Value* request = c.find("request");
  const wasmshim::Value* params = request != nullptr ? request->find("params") : nullptr;
  return params == nullptr || params->find("cases") == nullptr;
}

// Runs every case of the table at path that reaches the guest; returns how many ran.
inline int run(const wasmshim::Evaluator& evaluator, const std::string& path) {
  std::string text, error;
  wasmshim::Value table;
  if (!read_file(path, &text) || !wasmshim::parse_json(text, table, error)) {
    std::printf("cannot read case table %s %s\n", path.c_str(), error.c_str());
    CHECK(false);
    return 0;
  }
  const wasmshim::Value* cases = table.find("cases");
  CHECK(cases != nullptr && cases->is_array());
  if (cases == nullptr) return 0;
  int ran = 0;
  for (const wasmshim::Value& c : cases->as_array()) {
    if (!reaches_guest(c)) continue;
    const std::string name = c.find("name") != nullptr ? c.find("name")->as_string() : "?";
    const wasmshim::Value* command = c.find("command");
    std::string method = command != nullptr ? command->as_string() : "eval";
    for (char& ch : method) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    if (method.empty()) method = "eval";
    const wasmshim::Value* request = c.find("request");
    std::string reply_text;
    evaluator.handle("{\"method\":\"" + method + "\",\"params\":" +
                         (request != nullptr ? wasmshim::to_json(*request) : std::string("{}")) + "}",
                     reply_text);
    wasmshim::Value reply;
    CHECK(wasmshim::parse_json(reply_text, reply, error));
    int64_t status = reply.find("error") != nullptr ? 500 : 200;
    if (method == "healthcheck" && status == 500) {
      // The host answers a healthcheck the guest cannot run with an empty passing result.
      status = 200;
      wasmshim::parse_json(
          R"({"command":"healthcheck","result":{"tests_passed":true,"successes":[],"failures":[],"errors":[]}})",
          reply, error);
    }
    int64_t expected_status = 0;
    c.find("status")->get_int64(&expected_status);
    const bool ok = status == expected_status && json_equal(reply, *c.find("reply"));
    check::record(ok, name.c_str(), path.c_str(), 0);
    if (!ok) {
      std::printf("  got:      %lld %s\n  expected: %lld %s\n", static_cast<long long>(status),
                  wasmshim::to_json(reply).c_str(), static_cast<long long>(expected_status),
                  wasmshim::to_json(*c.find("reply")).c_str());
    }
    ++ran;
  }
  return ran;
}

}  // namespace case_table
