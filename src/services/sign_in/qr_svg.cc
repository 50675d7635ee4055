#include "qr_svg.h"

#include <charconv>

#include "openmyna/qr/qr_code.h"

namespace openmyna::sign_in {
namespace {

constexpr int kQuiet = qr::kQuietZone;
constexpr int kScale = 4;  // px per module

void Append(std::string& out, int n) {
  char buffer[12];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, n).ptr;
  out.append(buffer, end);
}

}  // namespace

std::string QrSvg(const std::string& text) {
  // The standard's mask choice (ISO/IEC 18004 §7.8.3): a phone's camera
  // reads this code off a screen.
  const auto code = qr::Encode(text, qr::Level::kM, qr::Mask::kLowestPenalty);
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
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width;) {
      if (!code->Dark(x, y)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < width && code->Dark(x + run, y)) ++run;
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
