#include "qr_svg.h"

#include <qrencode.h>

#include <charconv>
#include <memory>

// libqrencode's encoder with a given mask pattern: exported by the library
// and kept in Debian's symbols file since 3.2.0 (QRcode_encodeMask@Base),
// but declared in its qrencode_inner.h, which is not installed (as in
// pdf/draw.cc).
extern "C" QRcode* QRcode_encodeMask(QRinput* input, int mask);

namespace openmyna::sign_in {
namespace {

// Mask pattern 000 ((i + j) mod 2 = 0, ISO/IEC 18004:2015 §7.8.2). The
// encoder's own choice scores the whole symbol under all 8 masks (§7.8.3):
// 9% of serve's CPU per sign-in (bench/sign_in, session 8); a reader takes
// the mask from the format information (§7.9.1) whichever it is.
constexpr int kMask = 0;

constexpr int kQuiet = 4;  // modules of quiet zone (ISO/IEC 18004 §6.3.8)
constexpr int kScale = 4;  // px per module

void Append(std::string& out, int n) {
  char buffer[12];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, n).ptr;
  out.append(buffer, end);
}

}  // namespace

std::string QrSvg(const std::string& text) {
  std::unique_ptr<QRinput, decltype(&QRinput_free)> input(
      QRinput_new2(0, QR_ECLEVEL_M), &QRinput_free);  // the smallest version
  if (!input || QRinput_append(
                    input.get(), QR_MODE_8, static_cast<int>(text.size()),
                    reinterpret_cast<const unsigned char*>(text.data())) != 0) {
    return {};
  }
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeMask(input.get(), kMask), &QRcode_free);
  if (!code) return {};
  const int width = code->width;
  const int modules = width + 2 * kQuiet;
  std::string svg;
  svg.reserve(static_cast<std::size_t>(width) * width * 4 + 400);
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"";
  Append(svg, modules * kScale);
  svg += "\" height=\"";
  Append(svg, modules * kScale);
  svg += "\" viewBox=\"0 0 ";
  Append(svg, modules);
  svg += " ";
  Append(svg, modules);
  svg +=
      "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" "
      "height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"";
  // Bit 0 of each byte: dark module (qrencode.h).
  const unsigned char* data = code->data;
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width;) {
      if ((data[y * width + x] & 1) == 0) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < width && (data[y * width + x + run] & 1) != 0) ++run;
      svg += 'M';
      Append(svg, x + kQuiet);
      svg += ' ';
      Append(svg, y + kQuiet);
      svg += 'h';
      Append(svg, run);
      svg += "v1h-";
      Append(svg, run);
      svg += 'z';
      x += run;
    }
  }
  svg += "\"/></svg>";
  return svg;
}

}  // namespace openmyna::sign_in
