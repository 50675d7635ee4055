#include "openmyna/qr/qr_code.h"

#include <qrencode.h>

#include <memory>

#include "mask_choice.h"
#include "qrencode_mask.h"

namespace openmyna::qr {
namespace {

// In the order of Level's values.
constexpr QRecLevel kLevels[] = {QR_ECLEVEL_L, QR_ECLEVEL_M, QR_ECLEVEL_Q,
                                 QR_ECLEVEL_H};

}  // namespace

std::optional<Modules> Encode(std::string_view data, Level level, Mask mask) {
  // Version 0: the smallest that holds the data (qrencode.h).
  std::unique_ptr<QRinput, decltype(&QRinput_free)> input(
      QRinput_new2(0, kLevels[static_cast<int>(level)]), &QRinput_free);
  if (!input || QRinput_append(
                    input.get(), QR_MODE_8, static_cast<int>(data.size()),
                    reinterpret_cast<const unsigned char*>(data.data())) != 0) {
    return std::nullopt;
  }
  // Both masks start from pattern 000; the standard's choice re-masks that
  // one encoding by a faster scorer (mask_choice.h), the same symbol.
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeMask(input.get(), 0), &QRcode_free);
  if (!code) return std::nullopt;
  Modules out;
  out.width = code->width;
  if (mask == Mask::kLowestPenalty) {
    out.dark = LowestPenaltyModules(*code, kLevels[static_cast<int>(level)]);
    return out;
  }
  const std::size_t count = static_cast<std::size_t>(code->width) * code->width;
  out.dark.resize(count);
  // Bit 0 of each byte: dark module (qrencode.h).
  for (std::size_t i = 0; i < count; ++i) out.dark[i] = code->data[i] & 1;
  return out;
}

}  // namespace openmyna::qr
