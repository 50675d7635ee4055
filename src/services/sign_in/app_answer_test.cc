// The app's POST body read by Boost.JSON against nlohmann::json, the reader
// the provider used before (an independent parser): the same fields from
// the same bodies, the same bodies refused.
#include "app_answer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace openmyna::sign_in::internal {
namespace {

using json = nlohmann::json;

// What the provider took from a body with nlohmann (provider.cc before:
// json::parse, then contains / value(name, "") / is_object); nullopt where
// nlohmann refused the body or threw for a field's type.
std::optional<AppAnswer> ByNlohmann(const std::string& body) {
  const json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  AppAnswer a;
  try {
    auto string = [&](const json& o, const char* name,
                      std::optional<std::string>& out) {
      if (o.contains(name)) out = o.value(name, std::string());
    };
    string(j, "error", a.error);
    string(j, "certificate", a.certificate);
    string(j, "signature", a.signature);
    if (const auto it = j.find("input_assist");
        it != j.end() && it->is_object()) {
      a.input_assist = true;
      string(*it, "ef0002", a.ef0002);
      string(*it, "ef0003", a.ef0003);
    }
    a.attributes = j.contains("attributes");
  } catch (const json::type_error&) {
    return std::nullopt;
  }
  return a;
}

void ExpectSameAsNlohmann(const std::string& body) {
  SCOPED_TRACE(body.substr(0, 200));
  const auto expected = ByNlohmann(body);
  const auto got = ReadAppAnswer(body);
  ASSERT_EQ(expected.has_value(), got.has_value())
      << (got ? "" : got.error().message());
  if (!expected) return;
  EXPECT_EQ(got->error, expected->error);
  EXPECT_EQ(got->certificate, expected->certificate);
  EXPECT_EQ(got->signature, expected->signature);
  EXPECT_EQ(got->input_assist, expected->input_assist);
  EXPECT_EQ(got->ef0002, expected->ef0002);
  EXPECT_EQ(got->ef0003, expected->ef0003);
  EXPECT_EQ(got->attributes, expected->attributes);
}

TEST(AppAnswerTest, ReadsWhatNlohmannRead) {
  const std::string certificate(1800, 'A'), signature(342, '_');
  for (
      const std::string& body : {
          // what `openmyna app login` posts
          "{\"certificate\":\"" + certificate + "\",\"signature\":\"" +
              signature + "\"}",
          std::string("{\"error\":\"pin_blocked\"}"),
          std::string("{\"error\":\"cancelled\",\"certificate\":\"x\"}"),
          // escapes (RFC 8259 §7), a surrogate pair, UTF-8 as is
          std::string(
              R"({"certificate":"ab\u0063\/d\\\"\n","signature":"\ud83d\ude00é"})"),
          // white space around everything
          std::string(
              " \t\r\n{ \"signature\" : \"s\" , \"certificate\":\"c\" }\n"),
          // unknown fields of every type, nested
          std::string(
              R"({"x":[1,2,{"y":null}],"certificate":"c","z":{"error":"no"},"n":-1.5e3,"t":true,"signature":"s"})"),
          // a name given twice: the last counts
          std::string(
              R"({"certificate":"first","signature":"s","certificate":"second"})"),
          std::string(R"({"error":"cancelled","error":"pin_blocked"})"),
          // input assist: an object, or ignored
          std::string(
              R"({"certificate":"c","signature":"s","input_assist":{"ef0002":"AQ","ef0003":"Ag","more":1}})"),
          std::string(
              R"({"certificate":"c","signature":"s","input_assist":"AQ"})"),
          std::string(
              R"({"certificate":"c","signature":"s","input_assist":null,"attributes":{}})"),
          std::string(R"({"attributes":null})"),
          std::string("{}"),
          // a body larger than the reader's buffer
          "{\"certificate\":\"" + std::string(20000, 'B') +
              "\",\"signature\":\"s\"}",
      }) {
    ExpectSameAsNlohmann(body);
  }
}

TEST(AppAnswerTest, RefusesWhatNlohmannRefused) {
  for (const std::string& body : {
           std::string(""),
           std::string("null"),
           std::string("[]"),
           std::string("\"certificate\""),
           std::string("{"),
           std::string(R"({"certificate":"c")"),
           std::string(R"({"certificate":"c"} x)"),
           std::string(R"({"certificate":"c"}{})"),
           std::string(R"({"certificate":'c'})"),
           std::string(R"({certificate:"c"})"),
           std::string(R"({"certificate":"c",})"),
           std::string("{\"certificate\":\"a\x01\"}"),  // control character
           std::string("{\"certificate\":\"\xff\"}"),   // not UTF-8
           std::string(R"({"certificate":"\x41"})"),    // not a JSON escape
           std::string(R"({"n":NaN})"),
           std::string("{/* comment */}"),
           // a field of another type (nlohmann's value() threw: 500 before)
           std::string(R"({"error":1})"),
           std::string(R"({"certificate":["c"],"signature":"s"})"),
           std::string(R"({"certificate":"c","signature":null})"),
           std::string(R"({"input_assist":{"ef0002":2,"ef0003":"Ag"}})"),
       }) {
    ExpectSameAsNlohmann(body);
    EXPECT_FALSE(ReadAppAnswer(body)) << body;
  }
}

TEST(AppAnswerTest, ARefusalSaysWhichFieldIsWrong) {
  const auto read = ReadAppAnswer(R"({"certificate":"c","signature":7})");
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().message(), "\"signature\" must be a string");
  EXPECT_EQ(ReadAppAnswer("[1]").error().message(),
            "the body must be a JSON object");
}

}  // namespace
}  // namespace openmyna::sign_in::internal
