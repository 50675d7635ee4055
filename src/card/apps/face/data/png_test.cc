// The 1-bit PNG writer, read back by an independent decoder (Python's zlib
// in testdata/png_info.py) and checked by pngcheck.
#include "openmyna/card/faces/png.h"

#include <gtest/gtest.h>

#include "testing/test_support.h"
#include "testing_paths.h"

namespace openmyna::card::faces {
namespace {

using test_support::PngInfoCommand;
using test_support::RunTool;
using test_support::TempDir;
using test_support::WriteFile;

TEST(PngTest, PythonDecodesThePixelsWeWrote) {
  // A 10×3 pattern whose width is not a multiple of 8 (pad bits).
  const char* rows[] = {"#.#.#.#.##", "..........", "#########."};
  Bitmap bitmap(10, 3);
  for (int y = 0; y < 3; ++y) {
    for (int x = 0; x < 10; ++x) bitmap.at(x, y) = rows[y][x] == '#';
  }
  Bytes png = EncodePng1Bit(bitmap).value();
  TempDir dir;
  WriteFile(dir / "p.png", png);
  auto r = RunTool(PngInfoCommand(dir / "p.png"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, std::string("10 3 1 0\n") + rows[0] + "\n" + rows[1] +
                          "\n" + rows[2] + "\n");
  auto check = RunTool("pngcheck " + (dir / "p.png"));
  EXPECT_EQ(check.status, 0) << check.output;
  EXPECT_NE(check.output.find("10x3, 1-bit grayscale"), std::string::npos)
      << check.output;
}

TEST(PngTest, RefusesEmptyOrInconsistentBitmaps) {
  EXPECT_FALSE(EncodePng1Bit(Bitmap()));
  Bitmap bad(4, 4);
  bad.ink.pop_back();
  EXPECT_FALSE(EncodePng1Bit(bad));
}

}  // namespace
}  // namespace openmyna::card::faces
