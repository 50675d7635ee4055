// The municipality's issuance ledger of convenience-store certificates
// (issue 11, item 6): one row per document the issuer handed to the centre,
// written in the same transaction as the records it was built from. The
// centre's request id is unique (a second document for one session is a
// conflict).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry {

struct KonbiniIssuance {
  std::string issuer_request_id;
  std::string request_id;  // the centre's session
  std::string issuer_instance;
  std::string municipality_code;
  std::string subject_id;   // resident id of the requester
  std::string certificate;  // "juminhyo", "inkan", ...
  int copies = 1;
  int fee_yen = 0;  // per copy × copies
  TimePoint at;
};

// kConflict when the request id already has a row.
Status RecordKonbiniIssuance(RegistryTx& tx, const KonbiniIssuance& row);
// A municipality's rows, oldest first.
Result<std::vector<KonbiniIssuance>> ListKonbiniIssuances(
    RegistryTx& tx, std::string_view municipality_code);
// The row of the centre's request id (unique), or nullopt.
Result<std::optional<KonbiniIssuance>> FindKonbiniIssuance(
    RegistryTx& tx, std::string_view request_id);

}  // namespace openmyna::registry
