// QR codes read back by zbarimg (zbar, a decoder nobody here wrote), the
// standard's own mask choice compared with libqrencode's public encoder, and
// the format information of pattern 000 against ISO/IEC 18004:2015 Table C.1.
#include "openmyna/qr/qr_code.h"

#include <gtest/gtest.h>
#include <qrencode.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "openmyna/base/testing/shell.h"

namespace openmyna::qr {
namespace {

namespace fs = std::filesystem;

// The modules as a binary PGM at 4 px a module with the quiet zone, and what
// zbarimg decodes from it ("" when nothing).
std::string Decoded(const Modules& code) {
  const int scale = 4, side = (code.width + 2 * kQuietZone) * scale;
  const fs::path file = fs::temp_directory_path() /
                        ("qr_test." + std::to_string(::getpid()) + ".pgm");
  std::ofstream out(file, std::ios::binary);
  out << "P5\n" << side << ' ' << side << "\n255\n";
  for (int py = 0; py < side; ++py) {
    for (int px = 0; px < side; ++px) {
      const int x = px / scale - kQuietZone, y = py / scale - kQuietZone;
      const bool dark = x >= 0 && y >= 0 && x < code.width && y < code.width &&
                        code.Dark(x, y);
      out.put(static_cast<char>(dark ? 0 : 255));
    }
  }
  out.close();
  auto run = testing_tools::RunShell("zbarimg --raw -q -Sbinary " +
                                     file.string() + " 2>/dev/null");
  fs::remove(file);
  std::string data = run.status == 0 ? run.output : "";
  return data;
}

// The 15 format information bits (§7.9.1, Figure 25) of both copies, most
// significant first: around the top-left finder (row 8, columns 0-5, 7, 8;
// then column 8, rows 7, 5-0) and split beside the other two (column 8,
// rows n-1 up to n-7; then row 8, columns n-8 to n-1).
std::pair<std::string, std::string> FormatBits(const Modules& m) {
  const int n = m.width;
  std::string first, second;
  auto bit = [&](int x, int y) { return m.Dark(x, y) ? '1' : '0'; };
  for (int x : {0, 1, 2, 3, 4, 5, 7, 8}) first += bit(x, 8);
  for (int y : {7, 5, 4, 3, 2, 1, 0}) first += bit(8, y);
  for (int y = n - 1; y >= n - 7; --y) second += bit(8, y);
  for (int x = n - 8; x <= n - 1; ++x) second += bit(x, 8);
  return {first, second};
}

const std::string kTexts[] = {
    "OPENMYNA QR TEST 0123456789",
    "https://localhost:8443/api/realms/main/app?request=abc-DEF_123",
    std::string(700, 'x') + "改ざん検知用の署名",
};

TEST(QrCodeTest, BothMasksDecodeToTheData) {
  for (const std::string& text : kTexts) {
    for (Mask mask : {Mask::kLowestPenalty, Mask::kPattern000}) {
      for (Level level : {Level::kL, Level::kM, Level::kH}) {
        const auto code = Encode(text, level, mask);
        ASSERT_TRUE(code);
        EXPECT_EQ(Decoded(*code), text);
      }
    }
  }
}

TEST(QrCodeTest, TheStandardMaskIsTheEncodersOwnChoice) {
  for (const std::string& text : kTexts) {
    const auto code = Encode(text, Level::kM, Mask::kLowestPenalty);
    ASSERT_TRUE(code);
    QRcode* expected = QRcode_encodeData(
        static_cast<int>(text.size()),
        reinterpret_cast<const unsigned char*>(text.data()), 0, QR_ECLEVEL_M);
    ASSERT_NE(expected, nullptr);
    ASSERT_EQ(code->width, expected->width);
    for (int i = 0; i < expected->width * expected->width; ++i) {
      ASSERT_EQ(code->dark[static_cast<std::size_t>(i)], expected->data[i] & 1)
          << "module " << i;
    }
    QRcode_free(expected);
  }
}

// libqrencode's own mask choice (QRcode_encodeData scores all 8 patterns,
// mask.c) against ours (one encoding re-masked, mask_choice.cc), module for
// module: sign-in links with random request ids (version 6 at M) and random
// bytes of 1 to 1,200 (versions 1 to 40 with version information), every
// level.
TEST(QrCodeTest, TheStandardMaskIsTheEncodersOwnChoiceForManySymbols) {
  std::mt19937 random(20261203);
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::vector<std::string> texts;
  for (int n = 0; n < 300; ++n) {
    std::string id;
    for (int k = 0; k < 43; ++k) id += alphabet[random() % alphabet.size()];
    texts.push_back(
        "https://127.0.0.1:" + std::to_string(1024 + random() % 60000) +
        "/api/realms/main/app?request=" + id);
  }
  for (int n = 0; n < 100; ++n) {
    std::string bytes(1 + random() % 1200, '\0');
    for (char& c : bytes) c = static_cast<char>(random() % 256);
    texts.push_back(bytes);
  }
  constexpr std::pair<Level, QRecLevel> kBoth[] = {{Level::kL, QR_ECLEVEL_L},
                                                   {Level::kM, QR_ECLEVEL_M},
                                                   {Level::kQ, QR_ECLEVEL_Q},
                                                   {Level::kH, QR_ECLEVEL_H}};
  int compared = 0;
  for (const std::string& text : texts) {
    for (const auto& [level, theirs] : kBoth) {
      QRcode* expected = QRcode_encodeData(
          static_cast<int>(text.size()),
          reinterpret_cast<const unsigned char*>(text.data()), 0, theirs);
      const auto code = Encode(text, level, Mask::kLowestPenalty);
      ASSERT_EQ(expected != nullptr, code.has_value()) << text.size();
      if (!expected) continue;  // beyond version 40 at this level
      ASSERT_EQ(code->width, expected->width);
      for (int i = 0; i < expected->width * expected->width; ++i) {
        ASSERT_EQ(code->dark[static_cast<std::size_t>(i)],
                  expected->data[i] & 1)
            << "module " << i << " of a " << text.size() << "-byte symbol";
      }
      QRcode_free(expected);
      ++compared;
    }
  }
  EXPECT_GT(compared, 1400);
}

// Table C.1: error correction level and mask pattern → format information
// after the XOR with 101010000010010.
TEST(QrCodeTest, PatternZeroIsWhatTheFormatInformationSays) {
  const std::pair<Level, std::string> expected[] = {
      {Level::kL, "111011111000100"},
      {Level::kM, "101010000010010"},
      {Level::kQ, "011010101011111"},
      {Level::kH, "001011010001001"},
  };
  for (const auto& [level, bits] : expected) {
    const auto code = Encode(kTexts[1], level, Mask::kPattern000);
    ASSERT_TRUE(code);
    const auto [first, second] = FormatBits(*code);
    EXPECT_EQ(first, bits);
    EXPECT_EQ(second, bits);
  }
}

TEST(QrCodeTest, DataBeyondVersion40IsRefused) {
  // Version 40-L holds 2,953 bytes in byte mode (Table 7).
  EXPECT_TRUE(Encode(std::string(2953, 'x'), Level::kL, Mask::kPattern000));
  EXPECT_FALSE(Encode(std::string(2954, 'x'), Level::kL, Mask::kPattern000));
  EXPECT_FALSE(Encode(std::string(2954, 'x'), Level::kL, Mask::kLowestPenalty));
}

}  // namespace
}  // namespace openmyna::qr
