// Error codes of the pki library (see openmyna/base/result.h for the scheme).
//
// Input errors are named kInvalid.../kBad... so that the CLI maps them to
// exit code 2; everything else is an operational failure (exit code 3).
// Expected outcomes (a revoked certificate, a chain that does not verify)
// are values, never errors (architecture.md §6).
#pragma once

#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna::pki {

enum class PkiErrc {
  kInvalidRequest = 1,    // an IssueRequest field is malformed or missing
  kInvalidSerial = 2,     // a serial number that is not positive hex
  kInvalidReason = 3,     // an unknown or disallowed CRLReason name/value
  kBadCertificate = 4,    // DER/PEM that does not parse as a certificate
  kBadSandbox = 5,        // DIR has no sandbox, or sandbox.json is damaged
  kLintFailed = 6,        // the linter refused a certificate or CRL
  kCrypto = 7,            // OpenSSL reported a failure
  kStore = 8,             // the certificate store failed (SQLite)
  kDuplicateSerial = 9,   // Put() with a serial that already exists
  kNotFound = 10,         // no certificate with that serial
  kAlreadyRevoked = 11,   // Revoke() on a certificate revoked for good
  kIo = 12,               // file system failure
  kSerialExhausted = 13,  // no unique serial after many attempts
};

}  // namespace openmyna::pki

namespace openmyna {
template <>
struct ErrorTraits<pki::PkiErrc> {
  static constexpr std::string_view kLibrary = "pki";
  static std::string_view Name(pki::PkiErrc code);
};
}  // namespace openmyna
