#include "openmyna/pki/errors.h"

namespace openmyna {

std::string_view ErrorTraits<pki::PkiErrc>::Name(pki::PkiErrc code) {
  using pki::PkiErrc;
  switch (code) {
    case PkiErrc::kInvalidRequest:
      return "invalid_request";
    case PkiErrc::kInvalidSerial:
      return "invalid_serial";
    case PkiErrc::kInvalidReason:
      return "invalid_reason";
    case PkiErrc::kBadCertificate:
      return "bad_certificate";
    case PkiErrc::kBadSandbox:
      return "bad_sandbox";
    case PkiErrc::kLintFailed:
      return "lint_failed";
    case PkiErrc::kCrypto:
      return "crypto";
    case PkiErrc::kStore:
      return "store";
    case PkiErrc::kDuplicateSerial:
      return "duplicate_serial";
    case PkiErrc::kNotFound:
      return "not_found";
    case PkiErrc::kAlreadyRevoked:
      return "already_revoked";
    case PkiErrc::kIo:
      return "io";
    case PkiErrc::kSerialExhausted:
      return "serial_exhausted";
  }
  return "unknown";
}

}  // namespace openmyna
