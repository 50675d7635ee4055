// The authorization page's QR code: the SVG's path, read back module by
// module, is exactly libqrencode's matrix for the same text (level M, one
// 8-bit segment, the encoder's own mask choice: QRcode_encodeData), inside a
// 4-module quiet zone at 4 px per module. (zbar reads the rendered page in
// tests/sign_in and tests/web.)
#include "qr_svg.h"

#include <gtest/gtest.h>
#include <qrencode.h>

#include <regex>
#include <string>
#include <vector>

namespace openmyna::sign_in {
namespace {

using Grid = std::vector<std::vector<int>>;

// The modules libqrencode sets dark (bit 0), offset by the quiet zone.
Grid Expected(const std::string& text, int& modules) {
  QRcode* code = QRcode_encodeData(
      static_cast<int>(text.size()),
      reinterpret_cast<const unsigned char*>(text.c_str()), 0, QR_ECLEVEL_M);
  EXPECT_NE(code, nullptr);
  modules = code->width + 8;
  Grid grid(modules, std::vector<int>(modules, 0));
  for (int y = 0; y < code->width; ++y) {
    for (int x = 0; x < code->width; ++x) {
      grid[y + 4][x + 4] = code->data[y * code->width + x] & 1;
    }
  }
  QRcode_free(code);
  return grid;
}

// How many times the path covers each module: every subpath must be a
// one-module-high rectangle "Mx yhNv1h-Nz".
Grid Painted(const std::string& svg, int modules) {
  Grid grid(modules, std::vector<int>(modules, 0));
  const auto d = svg.find(" d=\"");
  EXPECT_NE(d, std::string::npos);
  const std::string path = svg.substr(d + 4, svg.find('"', d + 4) - d - 4);
  static const std::regex run(R"(M(\d+) (\d+)h(\d+)v1h-(\d+)z)");
  std::size_t covered = 0;
  for (std::sregex_iterator it(path.begin(), path.end(), run), end; it != end;
       ++it) {
    const int x = std::stoi((*it)[1]), y = std::stoi((*it)[2]);
    const int w = std::stoi((*it)[3]);
    EXPECT_EQ(w, std::stoi((*it)[4]));
    for (int i = 0; i < w; ++i) {
      if (y < modules && x + i < modules) ++grid[y][x + i];
    }
    covered += it->length();
  }
  EXPECT_EQ(covered, path.size()) << "not only runs: " << path;
  return grid;
}

TEST(QrSvg, PathIsTheEncodersMatrixInAQuietZone) {
  for (const std::string& text :
       {std::string("A"),
        std::string("https://127.0.0.1:8391/api/realms/main/app/requests/"
                    "3q2-7wQZx0m5b8vD1uYkE9sJ4hT6nLcR2aPfGiWjXoV"),
        std::string(600, 'z')}) {
    int modules = 0;
    const Grid want = Expected(text, modules);
    const std::string svg = QrSvg(text);
    ASSERT_FALSE(svg.empty());
    const std::string px = std::to_string(modules * 4);
    EXPECT_NE(svg.find("width=\"" + px + "\" height=\"" + px + "\""),
              std::string::npos)
        << svg.substr(0, 200);
    EXPECT_NE(svg.find("viewBox=\"0 0 " + std::to_string(modules) + " " +
                       std::to_string(modules) + "\""),
              std::string::npos);
    EXPECT_EQ(Painted(svg, modules), want) << text;
  }
}

TEST(QrSvg, TooLongForAQrCodeIsEmpty) {
  EXPECT_EQ(QrSvg(std::string(8000, 'x')), "");
}

}  // namespace
}  // namespace openmyna::sign_in
