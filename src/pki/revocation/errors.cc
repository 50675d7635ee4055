#include "openmyna/pki/revocation/errors.h"

using openmyna::pki::revocation::RevocationErrc;

std::string_view openmyna::ErrorTraits<RevocationErrc>::Name(
    RevocationErrc code) {
  switch (code) {
    case RevocationErrc::kInvalidParameters:
      return "invalid_parameters";
    case RevocationErrc::kCrypto:
      return "crypto";
    case RevocationErrc::kIo:
      return "io";
    case RevocationErrc::kStoreChanged:
      return "store_changed";
    case RevocationErrc::kUnorderedEntries:
      return "unordered_entries";
    case RevocationErrc::kLintFailed:
      return "lint_failed";
    case RevocationErrc::kStore:
      return "store";
  }
  return "unknown";
}
