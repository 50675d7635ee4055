// Text bitmaps (pango/cairo) and the JPEG 2000 photo (openjpeg), checked
// with independent tools: opj_decompress decodes the JP2 we wrote.
#include "openmyna/card/faces/images.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "openmyna/card/faces/errors.h"
#include "testing/test_support.h"
#include "testing_paths.h"

namespace openmyna::card::faces {
namespace {

using test_support::ReadFile;
using test_support::ReadPgm;
using test_support::RunTool;
using test_support::TempDir;
using test_support::WriteFile;

std::size_t InkCount(const Bitmap& b) {
  std::size_t n = 0;
  for (auto v : b.ink) n += v;
  return n;
}

TEST(ImagesTest, JapaneseTextLeavesInkInsideTheImage) {
  Bitmap b = RenderTextBitmap("山田　太郎", 512, 64, 44).value();
  ASSERT_EQ(b.width, 512);
  ASSERT_EQ(b.height, 64);
  // Five full-width characters at ≤ 44 px: clearly more than a dot, far
  // less than a filled box.
  EXPECT_GT(InkCount(b), 500u);
  EXPECT_LT(InkCount(b), 512u * 64u / 2);
  // Ink starts at the left and stops well before the right edge (5 glyphs
  // of ≤ 44 px ≈ 220 px).
  int rightmost = 0;
  for (int y = 0; y < b.height; ++y) {
    for (int x = 0; x < b.width; ++x) {
      if (b.at(x, y)) rightmost = std::max(rightmost, x);
    }
  }
  EXPECT_GT(rightmost, 150);
  EXPECT_LT(rightmost, 260);
}

TEST(ImagesTest, DifferentTextDifferentPicture) {
  Bitmap a = RenderTextBitmap("山田　太郎", 512, 64, 44).value();
  Bitmap b = RenderTextBitmap("番号　花子", 512, 64, 44).value();
  EXPECT_NE(a.ink, b.ink);
}

TEST(ImagesTest, TwelveDigitsFitSeventyTwoByTwelve) {
  Bitmap b = RenderTextBitmap("123456789018", 72, 12, 12).value();
  EXPECT_GT(InkCount(b), 60u);
  // Ink spreads across the width: digits in both the first and last sixth.
  bool left = false, right = false;
  for (int y = 0; y < 12; ++y) {
    for (int x = 0; x < 12; ++x) left |= b.at(x, y) != 0;
    for (int x = 60; x < 72; ++x) right |= b.at(x, y) != 0;
  }
  EXPECT_TRUE(left);
  EXPECT_TRUE(right);
}

TEST(ImagesTest, LongAddressWrapsInsteadOfFailing) {
  std::string address;
  for (int i = 0; i < 4; ++i) address += "東京都千代田区霞が関２－１－２";
  Bitmap b = RenderTextBitmap(address, 640, 96, 28).value();
  // Ink on more than one text line: rows with ink in the top and bottom
  // thirds.
  bool top = false, bottom = false;
  for (int x = 0; x < 640; ++x) {
    for (int y = 0; y < 32; ++y) top |= b.at(x, y) != 0;
    for (int y = 64; y < 96; ++y) bottom |= b.at(x, y) != 0;
  }
  EXPECT_TRUE(top);
  EXPECT_TRUE(bottom);
}

TEST(ImagesTest, BadTextInputFailsCleanly) {
  EXPECT_TRUE(
      RenderTextBitmap("", 10, 10, 10).error().Is(FacesErrc::kInvalidArgument));
  EXPECT_FALSE(RenderTextBitmap("\xFF", 10, 10, 10));
  EXPECT_FALSE(RenderTextBitmap("abc", 0, 10, 10));
  std::string huge(2000, 'W');
  auto r = RenderTextBitmap(huge, 24, 12, 12);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().Is(FacesErrc::kRender));
}

TEST(ImagesTest, Jp2DecodesWithOpjDecompressToThePortrait) {
  GrayImage portrait = PlaceholderPortrait(180, 240);
  Bytes jp2 = EncodeJp2(portrait, 12.0f).value();
  // JP2 signature box (ISO/IEC 15444-1 I.5.1).
  ASSERT_GT(jp2.size(), 12u);
  EXPECT_EQ(Bytes(jp2.begin(), jp2.begin() + 12),
            FromHex("00 00 00 0C 6A 50 20 20 0D 0A 87 0A").value());
  EXPECT_LT(jp2.size(), 180u * 240u / 6);  // compressed
  TempDir dir;
  WriteFile(dir / "photo.jp2", jp2);
  auto r = RunTool("opj_decompress -i " + (dir / "photo.jp2") + " -o " +
                   (dir / "photo.pgm"));
  ASSERT_EQ(r.status, 0) << r.output;
  GrayImage decoded = ReadPgm(dir / "photo.pgm");
  ASSERT_EQ(decoded.width, 180);
  ASSERT_EQ(decoded.height, 240);
  double error = 0;
  for (std::size_t i = 0; i < decoded.pixels.size(); ++i) {
    error += std::abs(int(decoded.pixels[i]) - int(portrait.pixels[i]));
  }
  EXPECT_LT(error / decoded.pixels.size(), 4.0);  // lossy but faithful
  // The silhouette is there: the centre is darker than the top corner.
  EXPECT_LT(decoded.pixels[120 * 180 + 90] + 40, decoded.pixels[5 * 180 + 5]);
}

TEST(ImagesTest, PhotoFromAPngMadeByPython) {
  // A 4×2 RGB PNG, left half black, right half white, written by Python's
  // zlib (independent of cairo's writer).
  TempDir dir;
  auto r = RunTool(
      "/usr/bin/python3 -c \"import zlib,struct,sys\n"
      "def c(t,b): return struct.pack('>I',len(b))+t+b+struct.pack('>I',"
      "zlib.crc32(t+b)&0xffffffff)\n"
      "row=b'\\x00'+bytes([0,0,0,0,0,0,255,255,255,255,255,255])\n"
      "sys.stdout.buffer.write(b'\\x89PNG\\r\\n\\x1a\\n'+c(b'IHDR',"
      "struct.pack('>IIBBBBB',4,2,8,2,0,0,0))+c(b'IDAT',zlib.compress(row*2))"
      "+c(b'IEND',b''))\" > " +
      (dir / "in.png"));
  ASSERT_EQ(r.status, 0) << r.output;
  GrayImage photo = PhotoFromPng(ReadFile(dir / "in.png"), 40, 20).value();
  ASSERT_EQ(photo.width, 40);
  EXPECT_LT(photo.pixels[10 * 40 + 5], 40);    // left: dark
  EXPECT_GT(photo.pixels[10 * 40 + 35], 215);  // right: light
  auto bad = PhotoFromPng(ToBytes("not a png"), 40, 20);
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().Is(FacesErrc::kInvalidImage));
}

TEST(ImagesTest, Jp2RefusesEmptyImages) {
  EXPECT_FALSE(EncodeJp2(GrayImage{}, 10.0f));
  EXPECT_FALSE(EncodeJp2(PlaceholderPortrait(8, 8), 0.5f));
}

}  // namespace
}  // namespace openmyna::card::faces
