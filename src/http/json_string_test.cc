// The hand-written JSON string (json_string.h) against nlohmann::json, an
// independent serializer: every expected text is nlohmann's dump() of the
// same bytes (ensure_ascii off; strict, or error_handler_t::replace).
#include "openmyna/http/json_string.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "openmyna/http/message.h"

namespace openmyna::http {
namespace {

using nlohmann::json;

// nlohmann's text for `s`, or nullopt where its strict handler throws.
std::optional<std::string> Strict(const std::string& s) {
  try {
    return json(s).dump();
  } catch (const json::type_error&) {
    return std::nullopt;
  }
}

std::string Replaced(const std::string& s) {
  return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<std::string> Refusing(const std::string& s) {
  std::string out = "x";  // what was there before is kept
  if (!AppendJsonString(out, s, InvalidUtf8::kRefuse)) {
    EXPECT_EQ(out, "x") << "nothing appended to a refusal";
    return std::nullopt;
  }
  return out.substr(1);
}

std::string Replacing(const std::string& s) {
  std::string out;
  EXPECT_TRUE(AppendJsonString(out, s, InvalidUtf8::kReplace));
  return out;
}

void ExpectSameAsTheLibrary(const std::string& s) {
  EXPECT_EQ(Refusing(s), Strict(s)) << testing::PrintToString(s);
  EXPECT_EQ(Replacing(s), Replaced(s)) << testing::PrintToString(s);
}

TEST(JsonString, ControlsQuotesAndBackslashAsTheLibraryWritesThem) {
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls.push_back(static_cast<char>(c));
  for (const std::string& s :
       {std::string(), std::string("plain text / 123"), std::string("\"\\\""),
        std::string("a\"b\\c\b\t\n\f\r/"), controls,
        std::string("\x7f del stays"), std::string("\0nul", 4)}) {
    ExpectSameAsTheLibrary(s);
  }
  // Written out once, so that a reader sees the rules (also nlohmann's).
  EXPECT_EQ(Refusing(std::string("\b\f\x01\x1f\"\\\x7f")),
            "\"\\b\\f\\u0001\\u001f\\\"\\\\\x7f\"");
}

TEST(JsonString, MultiByteUtf8IsCopiedAsItIs) {
  for (const std::string& s :
       {std::string("番号 花子"), std::string("長野県千曲市大字杭瀬下84番地"),
        std::string("ü é ß"), std::string("\xf0\x9f\x98\x80 U+1F600"),
        std::string("\xef\xbf\xbf U+FFFF"), std::string("\xf4\x8f\xbf\xbf"),
        std::string("\xc2\x80 U+0080"), std::string("\xee\x80\x80 U+E000"),
        std::string("カード\n\"引用\"")}) {
    ASSERT_TRUE(Strict(s)) << "the library takes it";
    ExpectSameAsTheLibrary(s);
  }
}

// Not UTF-8: an invalid byte, a continuation byte alone, overlong forms, a
// surrogate, above U+10FFFF, cut short at the end or by the next byte.
TEST(JsonString, InvalidUtf8IsRefusedOrReplacedWhereTheLibraryDoes) {
  for (const std::string& s :
       {std::string("\xff"), std::string("a\x80z"), std::string("\xc0\xaf"),
        std::string("\xc1\xbf"), std::string("\xe0\x80\xaf"),
        std::string("\xed\xa0\x80"), std::string("\xf4\x90\x80\x80"),
        std::string("\xf5\x80\x80\x80"), std::string("番\xe5"),
        std::string("\xe5\x8f"), std::string("\xe5\x8fz\xf0\x9f\x98"),
        std::string("\xf0\x9f\x98\x80\xf0\x9f\x98"),
        std::string("ok\xc3\x28ok")}) {
    EXPECT_FALSE(Strict(s))
        << "the library refuses " << testing::PrintToString(s);
    ExpectSameAsTheLibrary(s);
  }
  // Written out once: one U+FFFD for a sequence cut short by another byte,
  // which is then read again.
  EXPECT_EQ(Replacing("\xe5\x8fz"), "\"\xef\xbf\xbdz\"");
}

// Every string of one and two bytes, and every string of up to four bytes
// over the bytes where the rules change (controls, quote, backslash, DEL,
// the edges of every lead and continuation range).
TEST(JsonString, EveryShortStringAsTheLibraryWritesIt) {
  int compared = 0;
  std::string s;
  for (int a = 0; a < 256; ++a) {
    s.assign(1, static_cast<char>(a));
    ExpectSameAsTheLibrary(s);
    ++compared;
    for (int b = 0; b < 256; ++b) {
      s.assign({static_cast<char>(a), static_cast<char>(b)});
      ASSERT_EQ(Refusing(s), Strict(s)) << testing::PrintToString(s);
      ASSERT_EQ(Replacing(s), Replaced(s)) << testing::PrintToString(s);
      ++compared;
    }
  }
  const std::vector<unsigned char> edges = {
      0x00, 0x0c, 0x1f, 0x22, 0x41, 0x5c, 0x7f, 0x80, 0x8f,
      0x90, 0x9f, 0xa0, 0xbf, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1,
      0xed, 0xef, 0xf0, 0xf3, 0xf4, 0xf5, 0xff};
  const std::size_t n = edges.size();
  for (std::size_t length = 3; length <= 4; ++length) {
    std::size_t total = 1;
    for (std::size_t k = 0; k < length; ++k) total *= n;
    for (std::size_t index = 0; index < total; ++index) {
      s.clear();
      for (std::size_t k = 0, rest = index; k < length; ++k, rest /= n) {
        s.push_back(static_cast<char>(edges[rest % n]));
      }
      ASSERT_EQ(Refusing(s), Strict(s)) << testing::PrintToString(s);
      ASSERT_EQ(Replacing(s), Replaced(s)) << testing::PrintToString(s);
      ++compared;
    }
  }
  EXPECT_EQ(compared, 256 + 256 * 256 + 25 * 25 * 25 + 25 * 25 * 25 * 25);
}

// A problem document (message.h) is the library's own text of the same
// members in the same order, text that is not UTF-8 replaced (RFC 9457 is
// JSON, RFC 8259 §8.1: UTF-8).
TEST(JsonString, AProblemDocumentIsTheLibrarysText) {
  const std::string title = "Bad \"request\"";
  const std::string detail = std::string("line 1\nline 2\b\f\x01 番号 \xff!");
  const Response problem = Problem(400, title, detail, "urn:example:bad");
  const nlohmann::ordered_json expected = {{"type", "urn:example:bad"},
                                           {"title", title},
                                           {"status", 400},
                                           {"detail", detail}};
  EXPECT_EQ(problem.body,
            expected.dump(-1, ' ', false, json::error_handler_t::replace));
  EXPECT_EQ(problem.content_type, "application/problem+json");
  const json parsed = json::parse(problem.body);  // valid JSON
  EXPECT_EQ(parsed.at("detail").get<std::string>(),
            "line 1\nline 2\b\f\x01 番号 \xef\xbf\xbd!");
}

}  // namespace
}  // namespace openmyna::http
