// 1-bit greyscale PNG (ISO/IEC 15948 / W3C PNG 2nd ed.), the format of the
// card-face AP's name, address, My Number and security-code images
// (card-apdu.md §6). Written here with zlib because cairo writes only 8-bit
// colour PNGs.
#pragma once

#include <cstdint>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"

namespace openmyna::card::faces {

// A black-and-white picture, row-major, one byte per pixel: 1 = ink (black),
// 0 = paper (white).
struct Bitmap {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> ink;  // width * height entries

  Bitmap() = default;
  Bitmap(int w, int h)
      : width(w), height(h), ink(static_cast<std::size_t>(w) * h, 0) {}
  std::uint8_t& at(int x, int y) {
    return ink[static_cast<std::size_t>(y) * width + x];
  }
  std::uint8_t at(int x, int y) const {
    return ink[static_cast<std::size_t>(y) * width + x];
  }
};

// PNG: signature, IHDR (bit depth 1, colour type 0 = greyscale, no
// interlace), one zlib-compressed IDAT (filter type 0 on every row), IEND.
// Sample value 0 is black (ink), 1 white. Fails (kInvalidArgument) on an
// empty or inconsistent bitmap, kRender if zlib fails.
Result<Bytes> EncodePng1Bit(const Bitmap& bitmap);

}  // namespace openmyna::card::faces
