// The municipality's issuance ledger of convenience-store certificates
// (issue 11, item 6): one row per document the issuer handed to the centre,
// written in the same transaction as the records it was built from. The
// centre's request id is unique (a second document for one session is a
// conflict). The kiosk's print confirmation marks the row printed; a
// document that was never printed (its session cancelled, timed out, ended
// while the issuer worked, or never confirmed by the session's deadline)
// keeps its row, marked void: no certificate came out and no fee was taken.
// So the rows that stand printed are exactly the printed documents.
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
  // The end of the session's deadline: unless printed by then, the row is
  // void (VoidUnprintedKonbiniIssuances). nullopt: rows of before 0034.
  std::optional<TimePoint> print_by;
  // Set when the centre confirmed the kiosk printed it.
  std::optional<TimePoint> printed_at;
  // Set when the document was never printed (VoidKonbiniIssuance): the fee
  // was not taken.
  std::optional<TimePoint> voided_at;
  std::string void_reason;  // "cancelled", "timed_out", "dropped" or
                            // "unconfirmed"
  // The residents whose data the document carries (the requester and the
  // chosen members): written with the row (table
  // konbini_issuance_residents, migration 0035), read by
  // KonbiniIssuanceResidents; not part of the row's doc.
  std::vector<std::string> residents;
};

// Why a handed-over document was never printed.
inline constexpr std::string_view kVoidCancelled = "cancelled";  // the kiosk
inline constexpr std::string_view kVoidTimedOut = "timed_out";   // no step
inline constexpr std::string_view kVoidDropped = "dropped";  // session ended
                                                             // while issuing
// No print confirmation by print_by (the centre vanished, or its void was
// lost or came before the row).
inline constexpr std::string_view kVoidUnconfirmed = "unconfirmed";
bool IsKonbiniVoidReason(std::string_view reason);

// kConflict when the request id already has a row. Writes row.residents
// beside it.
Status RecordKonbiniIssuance(RegistryTx& tx, const KonbiniIssuance& row);
// The residents recorded with the row of `request_id`, sorted.
Result<std::vector<std::string>> KonbiniIssuanceResidents(
    RegistryTx& tx, std::string_view request_id);
// A municipality's rows, oldest first.
Result<std::vector<KonbiniIssuance>> ListKonbiniIssuances(
    RegistryTx& tx, std::string_view municipality_code);
// The row of the centre's request id (unique), or nullopt.
Result<std::optional<KonbiniIssuance>> FindKonbiniIssuance(
    RegistryTx& tx, std::string_view request_id);
// Marks the row of `request_id` + `issuer_request_id` of `municipality_code`
// void at `at` for `reason` (IsKonbiniVoidReason). kNotFound without such a
// row, kConflict when it is void already, kInvalidInput for another reason.
// A row marked printed may still be voided: the centre voids only what it
// did not let a kiosk print (its confirmation's answer may have been lost).
Status VoidKonbiniIssuance(RegistryTx& tx, std::string_view municipality_code,
                           std::string_view request_id,
                           std::string_view issuer_request_id,
                           std::string_view reason, TimePoint at);
// Marks that row printed at `at` (the kiosk's print confirmation). Ok when
// it was already; kNotFound without such a row; kConflict when it is void
// (then nothing may be printed).
Status MarkKonbiniIssuancePrinted(RegistryTx& tx,
                                  std::string_view municipality_code,
                                  std::string_view request_id,
                                  std::string_view issuer_request_id,
                                  TimePoint at);
// Whether VoidUnprintedKonbiniIssuances would void anything now: a read,
// which a sweep can run outside any write transaction.
Result<bool> HasUnprintedKonbiniIssuances(RegistryTx& tx,
                                          std::string_view municipality_code,
                                          TimePoint now);
// Voids, for kVoidUnconfirmed at `now`, every row of `municipality_code`
// neither printed nor void whose print_by is before `now`, and returns them
// as they are now.
Result<std::vector<KonbiniIssuance>> VoidUnprintedKonbiniIssuances(
    RegistryTx& tx, std::string_view municipality_code, TimePoint now);

}  // namespace openmyna::registry
