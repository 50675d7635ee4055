// Replays the APDU transcripts of testdata/transcripts/ against a fresh
// personalised card. Format (docs/card.md "Transcripts"): one exchange per
// pair of lines, "> <command hex>" then "< <response hex>"; in a response,
// "[n]" stands for n bytes of any value (signatures, random data); "#"
// starts a comment. The expected bytes are typed from card-apdu.md §9.2 and
// §11, not produced by the kernel.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "openmyna/base/rng.h"
#include "openmyna/card/card.h"
#include "testing/test_card.h"

namespace openmyna::card::testing {
namespace {

namespace fs = std::filesystem;

struct Expected {
  Bytes bytes;
  std::vector<bool> wildcard;  // per byte
};

Expected ParseResponse(const std::string& text) {
  Expected e;
  std::istringstream in(text);
  std::string token;
  while (in >> token) {
    if (token.front() == '[' && token.back() == ']') {
      const std::size_t n = std::stoul(token.substr(1, token.size() - 2));
      e.bytes.insert(e.bytes.end(), n, 0);
      e.wildcard.insert(e.wildcard.end(), n, true);
    } else {
      auto b = FromHex(token);
      EXPECT_TRUE(b.has_value()) << token;
      Append(e.bytes, *b);
      e.wildcard.insert(e.wildcard.end(), b->size(), false);
    }
  }
  return e;
}

bool Matches(const Expected& e, const Bytes& got) {
  if (e.bytes.size() != got.size()) return false;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (!e.wildcard[i] && e.bytes[i] != got[i]) return false;
  }
  return true;
}

class TranscriptTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TranscriptTest, Replays) {
  const fs::path path = fs::path("testdata/transcripts") / GetParam();
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  DeterministicRng rng(51);
  auto card = Card::FromImage(PersonalizedImage(), rng);
  card->PowerOn();
  std::string line;
  std::optional<std::string> command;
  int line_no = 0, exchanges = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (auto hash = line.find('#'); hash != std::string::npos) {
      line.resize(hash);
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto start = line.find_first_not_of(" \t");
    const char dir = line[start];
    const std::string rest = line.substr(start + 1);
    if (dir == '>') {
      ASSERT_FALSE(command) << path << ":" << line_no << ": two commands";
      command = rest;
    } else if (dir == '<') {
      ASSERT_TRUE(command) << path << ":" << line_no << ": no command";
      auto apdu = FromHex(*command);
      ASSERT_TRUE(apdu.has_value()) << path << ":" << line_no;
      const Bytes got = card->Transmit(*apdu);
      const Expected want = ParseResponse(rest);
      EXPECT_TRUE(Matches(want, got))
          << path << ":" << line_no << "\n  command  " << *command
          << "\n  expected " << rest << "\n  got      "
          << ToHex(got, ' ', true);
      command.reset();
      ++exchanges;
    } else if (line.substr(start) == "!reset") {
      card->Reset();
    } else {
      FAIL() << path << ":" << line_no << ": bad line";
    }
  }
  EXPECT_GT(exchanges, 0);
}

std::vector<std::string> Transcripts() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator("testdata/transcripts")) {
    if (entry.path().extension() == ".apdu") {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(CardApdu, TranscriptTest,
                         ::testing::ValuesIn(Transcripts()),
                         [](const auto& param_info) {
                           std::string name = param_info.param.substr(
                               0, param_info.param.size() - 5);
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c)))
                               c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace openmyna::card::testing
