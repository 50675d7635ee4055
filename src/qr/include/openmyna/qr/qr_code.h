// QR codes (ISO/IEC 18004:2015) as module matrices, encoded by libqrencode:
// one 8-bit byte segment at the smallest version that holds it. The pages
// that draw codes (pdf's documents, the sign-in page's SVG, the printed
// card face) draw these
// modules; they do not call libqrencode themselves.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace openmyna::qr {

// Error correction level (§7.5.1): L 7 %, M 15 %, Q 25 %, H 30 % of the
// codewords can be restored.
enum class Level { kL, kM, kQ, kH };

// The data mask (§7.8).
enum class Mask {
  // The standard's rule (§7.8.3): the encoder masks the symbol with each of
  // the 8 patterns and keeps the one of lowest penalty (no long runs, no
  // finder-like patterns, balanced dark and light); the same symbol as
  // libqrencode's own choice, scored faster (mask_choice.h). Use it for
  // codes a camera reads off a screen or paper without further guarantees.
  kLowestPenalty,
  // Pattern 000 ((i + j) mod 2 = 0, a checkerboard) without scoring: a
  // deviation from §7.8.3 that saves the scoring of 8 maskings. A reader
  // takes the mask from the format information (§7.9.1) whichever it is;
  // use it only where a test backs the reading of degraded prints (konbini
  // documents: pdf_test).
  kPattern000,
};

// The symbol without its quiet zone (§6.3.8: 4 modules around it, the
// drawer's to add): `width` × `width` modules, row by row.
struct Modules {
  int width = 0;
  std::vector<std::uint8_t> dark;  // 1 = dark module
  bool Dark(int x, int y) const {
    return dark[static_cast<std::size_t>(y) * width + x] != 0;
  }
};

inline constexpr int kQuietZone = 4;  // modules, §6.3.8

// `data` as a QR code; nullopt when it does not fit version 40 at `level`
// (or libqrencode fails).
std::optional<Modules> Encode(std::string_view data, Level level, Mask mask);

}  // namespace openmyna::qr
