// Error codes of the pki_revocation library (see base/result.h).
#pragma once

#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna::pki::revocation {

enum class RevocationErrc {
  kInvalidParameters = 1,  // a CRL/OCSP parameter is missing or malformed
  kCrypto = 2,             // OpenSSL reported a failure
  kIo = 3,                 // writing or reading a file failed
  kStoreChanged = 4,       // no longer produced (CRLs are written in one walk)
  kUnorderedEntries = 5,   // the store yielded serials out of order
  kLintFailed = 6,         // the CRL linter refused a CRL
  kStore = 7,              // the certificate store failed
};

}  // namespace openmyna::pki::revocation

template <>
struct openmyna::ErrorTraits<openmyna::pki::revocation::RevocationErrc> {
  static constexpr std::string_view kLibrary = "pki.revocation";
  static std::string_view Name(openmyna::pki::revocation::RevocationErrc code);
};
