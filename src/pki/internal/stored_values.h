// (internal) The enums the certificate stores (SQLite and PostgreSQL) read
// back from pki_certificates: a value neither store writes (a corrupt row,
// or one a newer version wrote) is refused as kStore naming the column and
// the value, never read as a default (a CA kind left as it was, a reason
// read as "unspecified", which a CRL or an OCSP answer would then carry).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "openmyna/base/result.h"
#include "openmyna/pki/errors.h"
#include "openmyna/pki/names.h"
#include "openmyna/pki/revocation_reason.h"

namespace openmyna::pki::internal {

// The `ca` column: "sign" or "auth" (names.h CaKindName).
inline Result<CaKind> StoredCaKind(std::string_view text) {
  CaKind kind;
  if (ParseCaKind(text, kind)) return kind;
  return Fail(PkiErrc::kStore, "pki_certificates.ca: unknown CA kind \"" +
                                   std::string(text) + "\"");
}

// The `reason` column of a revoked row: the CRLReason's ENUMERATED value
// (RFC 5280 §5.3.1: 0-6, 8-10). A NULL reads as 0 in both stores'
// accessors: unspecified, as an absent reasonCode.
inline Result<RevocationReason> StoredReason(std::int64_t value) {
  if (value >= 0 && value <= 10) {
    if (auto reason = ReasonFromValue(static_cast<int>(value))) return *reason;
  }
  return Fail(PkiErrc::kStore,
              "pki_certificates.reason: unknown revocation reason " +
                  std::to_string(value));
}

}  // namespace openmyna::pki::internal
