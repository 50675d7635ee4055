#include "openmyna/pdf/errors.h"

namespace openmyna {

std::string_view ErrorTraits<pdf::PdfErrc>::Name(pdf::PdfErrc code) {
  using pdf::PdfErrc;
  switch (code) {
    case PdfErrc::kInvalidInput:
      return "invalid_input";
    case PdfErrc::kBadSignature:
      return "bad_signature";
    case PdfErrc::kMalformed:
      return "malformed";
    case PdfErrc::kInternal:
      return "internal";
  }
  return "unknown";
}

}  // namespace openmyna
