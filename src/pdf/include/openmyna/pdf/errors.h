// Error codes of the PDF building blocks (see base/result.h).
#pragma once

#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna::pdf {

enum class PdfErrc {
  kInvalidInput = 1,  // data that cannot be drawn (e.g. too long for a QR)
  kBadSignature = 2,  // no signature, or one that does not cover the file
  kMalformed = 3,     // not a PDF this library can extend (no trailer, ...)
  kInternal = 4,      // cairo failed
};

}  // namespace openmyna::pdf

template <>
struct openmyna::ErrorTraits<openmyna::pdf::PdfErrc> {
  static constexpr std::string_view kLibrary = "pdf";
  static std::string_view Name(openmyna::pdf::PdfErrc code);
};
