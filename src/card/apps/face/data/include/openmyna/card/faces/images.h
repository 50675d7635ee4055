// The pictures of the card-face AP (card-apdu.md §6): text rendered in a
// Japanese font as 1-bit bitmaps (pango + cairo, font "Noto Sans CJK JP"
// from Debian's fonts-noto-cjk), and the greyscale face photo encoded as
// JPEG 2000 in a JP2 file (ISO/IEC 15444-1 Annex I) with openjpeg.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/card/faces/png.h"

namespace openmyna::card::faces {

// The font every card-face image uses.
inline constexpr std::string_view kCardFont = "Noto Sans CJK JP";

// Renders UTF-8 `text` black on white into a width × height bitmap, without
// anti-aliasing (threshold at 50 %). The text is wrapped at character
// boundaries and the largest font size ≤ `max_font_px` whose layout fits is
// chosen. Fails with kInvalidArgument on empty or non-UTF-8 text or a size
// ≤ 0, and with kRender when no font size ≥ 4 px fits.
Result<Bitmap> RenderTextBitmap(std::string_view text, int width, int height,
                                int max_font_px);

// A greyscale picture, row-major, 0 = black, 255 = white.
struct GrayImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;
};

// A neutral portrait silhouette (head and shoulders, mid grey on light
// grey), drawn with cairo: the face photo when the profile gives none.
GrayImage PlaceholderPortrait(int width, int height);

// Decodes a PNG photo (any PNG cairo reads: grey, RGB, RGBA) and scales it
// to fill width × height (centre crop), in greyscale (ITU-R BT.601 luma).
// Fails with kInvalidImage when `png` is not a readable PNG.
Result<GrayImage> PhotoFromPng(ByteView png, int width, int height);

// JPEG 2000 in the JP2 box format (signature box "jP  "), one greyscale
// 8-bit component, lossy 9/7 wavelet at `compression_ratio`:1 (≥ 1).
// Fails with kInvalidArgument on an empty image, kRender if openjpeg fails.
Result<Bytes> EncodeJp2(const GrayImage& image, float compression_ratio);

}  // namespace openmyna::card::faces
