// The convenience-store centre's certificate -> resident mapping dates
// (issue 11 items 3 and 7, docs/konbini.md "Next-day mapping"). A
// municipality feeds the mapping in a batch, so a certificate is usable at
// the kiosk from the JST day after its issue; a row here sets another day
// for one certificate. The sandbox's sample data dates the sample card's
// mapping in the past (SeedSampleData), so that the card `up` plugs can be
// used at once; every other card keeps the next-day rule.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "openmyna/base/result.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry {

struct KonbiniMapping {
  std::string certificate_serial;  // lower-case hex, as certificates are kept
  std::string usable_from;         // JST date YYYY-MM-DD
  std::string reason;              // why the default is not used
};

// Adds or replaces the row of the certificate.
Status PutKonbiniMapping(RegistryTx& tx, const KonbiniMapping& mapping);
Result<std::optional<KonbiniMapping>> GetKonbiniMapping(
    RegistryTx& tx, std::string_view certificate_serial);

}  // namespace openmyna::registry
