// The UTF-8 check (utf8.h) against Python's own decoder, an independent
// implementation of the same table (Unicode §3.9, table 3-7): for every
// string in the table below, bytes.decode("utf-8") must accept exactly the
// strings IsUtf8 accepts, and decode(errors="replace") must put one U+FFFD
// exactly where Utf8SequenceAt marks an invalid part (Unicode's "maximal
// subpart" practice, which CPython follows).
#include "openmyna/base/utf8.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "openmyna/base/testing/shell.h"

namespace openmyna {
namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

// `text` with each invalid part replaced by U+FFFD, as Utf8SequenceAt cuts
// them.
std::string Replaced(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      out.push_back(text[i++]);
      continue;
    }
    const Utf8Sequence sequence = Utf8SequenceAt(text, i);
    if (sequence.valid) {
      out.append(text.substr(i, sequence.length));
    } else {
      out += "\xEF\xBF\xBD";
    }
    i += sequence.length;
  }
  return out;
}

// Every string of one and two bytes, and every string of three and four
// bytes over the bytes where the table's ranges begin and end.
std::vector<std::string> Table() {
  std::vector<std::string> table;
  for (int a = 0; a < 256; ++a) {
    table.emplace_back(1, static_cast<char>(a));
    for (int b = 0; b < 256; ++b) {
      table.push_back({static_cast<char>(a), static_cast<char>(b)});
    }
  }
  const std::string edges(
      "\x00\x41\x7F\x80\x8F\x90\x9F\xA0\xBF\xC0\xC1\xC2\xDF\xE0\xE1\xEC\xED"
      "\xEE\xEF\xF0\xF1\xF3\xF4\xF5\xFF",
      25);
  for (const char a : edges) {
    for (const char b : edges) {
      for (const char c : edges) {
        table.push_back({a, b, c});
        for (const char d : edges) table.push_back({a, b, c, d});
      }
    }
  }
  return table;
}

TEST(Utf8, AgreesWithPythonsDecoder) {
  std::random_device rd;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("om-utf8-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  const std::vector<std::string> table = Table();
  ASSERT_EQ(table.size(), 256u + 65536u + 15625u + 390625u);
  {
    std::ofstream in(dir / "in");
    for (const std::string& s : table) in << Hex(s) << '\n';
  }
  {
    std::ofstream script(dir / "decode.py");
    script << "import sys\n"
              "for line in sys.stdin:\n"
              "    b = bytes.fromhex(line.strip())\n"
              "    try:\n"
              "        b.decode('utf-8')\n"
              "        ok = 1\n"
              "    except UnicodeDecodeError:\n"
              "        ok = 0\n"
              "    r = b.decode('utf-8', 'replace').encode('utf-8')\n"
              "    print(ok, r.hex())\n";
  }
  const auto run =
      testing_tools::RunShell("python3 " + (dir / "decode.py").string() +
                              " < " + (dir / "in").string());
  std::filesystem::remove_all(dir);
  ASSERT_EQ(run.status, 0) << "python3 did not run";
  std::istringstream answers(run.output);
  std::size_t accepted = 0, mismatches = 0;
  for (const std::string& s : table) {
    int ok = -1;
    std::string replaced;
    ASSERT_TRUE(answers >> ok) << "python3 stopped at " << Hex(s);
    if (!s.empty() && !(answers.peek() == '\n')) answers >> replaced;
    accepted += ok;
    if (IsUtf8(s) != (ok == 1) || Hex(Replaced(s)) != replaced) {
      if (++mismatches <= 10) {
        ADD_FAILURE() << Hex(s) << ": python " << ok << " " << replaced
                      << ", ours " << IsUtf8(s) << " " << Hex(Replaced(s));
      }
    }
  }
  EXPECT_EQ(mismatches, 0u);
  // The table holds both kinds (a check on the check): ASCII pairs alone
  // are 16,384 accepted strings; 0x80 alone is refused.
  EXPECT_GT(accepted, 16384u);
  EXPECT_LT(accepted, table.size());
}

TEST(Utf8, NamedCases) {
  EXPECT_TRUE(IsUtf8(""));
  EXPECT_TRUE(IsUtf8("マイナポータル"));
  EXPECT_TRUE(IsUtf8("\xF0\x9F\x98\x80"));        // U+1F600
  EXPECT_TRUE(IsUtf8("\xF4\x8F\xBF\xBF"));        // U+10FFFF
  EXPECT_TRUE(IsUtf8("\xEE\x80\x80"));            // U+E000, after surrogates
  EXPECT_FALSE(IsUtf8("\xC1\xBF"));               // overlong
  EXPECT_FALSE(IsUtf8("\xE0\x80\xAF"));           // overlong
  EXPECT_FALSE(IsUtf8("\xF0\x80\x80\xAF"));       // overlong
  EXPECT_FALSE(IsUtf8("\xED\xA0\x80"));           // U+D800, a surrogate
  EXPECT_FALSE(IsUtf8("\xF4\x90\x80\x80"));       // U+110000
  EXPECT_FALSE(IsUtf8("\xE3\x83"));               // cut short
  EXPECT_FALSE(IsUtf8("\x80"));                   // lone continuation
  EXPECT_FALSE(IsUtf8(std::string("a\xFF", 2)));  // never in UTF-8
}

}  // namespace
}  // namespace openmyna
