// The municipality's issuance ledger of convenience-store certificates
// (issue 11, item 6): one row per document the issuer handed to the centre,
// written in the same transaction as the records it was built from. The
// centre's request id is unique (a second document for one session is a
// conflict). A document that was never printed (its session cancelled,
// timed out, or ended while the issuer worked) keeps its row, marked void:
// no certificate came out and no fee was taken.
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
  // Set when the document was never printed (VoidKonbiniIssuance): the fee
  // was not taken.
  std::optional<TimePoint> voided_at;
  std::string void_reason;  // "cancelled", "timed_out" or "dropped"
};

// Why a handed-over document was never printed.
inline constexpr std::string_view kVoidCancelled = "cancelled";  // the kiosk
inline constexpr std::string_view kVoidTimedOut = "timed_out";   // no step
inline constexpr std::string_view kVoidDropped = "dropped";  // session ended
                                                             // while issuing
bool IsKonbiniVoidReason(std::string_view reason);

// kConflict when the request id already has a row.
Status RecordKonbiniIssuance(RegistryTx& tx, const KonbiniIssuance& row);
// A municipality's rows, oldest first.
Result<std::vector<KonbiniIssuance>> ListKonbiniIssuances(
    RegistryTx& tx, std::string_view municipality_code);
// The row of the centre's request id (unique), or nullopt.
Result<std::optional<KonbiniIssuance>> FindKonbiniIssuance(
    RegistryTx& tx, std::string_view request_id);
// Marks the row of `request_id` + `issuer_request_id` of `municipality_code`
// void at `at` for `reason` (IsKonbiniVoidReason). kNotFound without such a
// row, kConflict when it is void already, kInvalidInput for another reason.
Status VoidKonbiniIssuance(RegistryTx& tx, std::string_view municipality_code,
                           std::string_view request_id,
                           std::string_view issuer_request_id,
                           std::string_view reason, TimePoint at);

}  // namespace openmyna::registry
