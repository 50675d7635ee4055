#include "openmyna/registry/konbini_ledger.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "record_rows.h"

namespace openmyna::registry {
namespace {

std::int64_t Seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
}

std::optional<TimePoint> OptionalTime(const nlohmann::json& j,
                                      const char* name) {
  if (!j.contains(name)) return std::nullopt;
  return TimePoint(std::chrono::seconds(j.at(name).get<std::int64_t>()));
}

SqlParam OptionalSeconds(std::optional<TimePoint> t) {
  if (!t) return nullptr;
  return Seconds(*t);
}

// The row of those ids of that municipality, or kNotFound.
Result<KonbiniIssuance> RowOf(RegistryTx& tx,
                              std::string_view municipality_code,
                              std::string_view request_id,
                              std::string_view issuer_request_id) {
  OPENMYNA_ASSIGN_OR_RETURN(auto row, FindKonbiniIssuance(tx, request_id));
  if (!row || row->issuer_request_id != issuer_request_id ||
      row->municipality_code != municipality_code) {
    return Fail(RegistryErrc::kNotFound,
                "no ledger row of request " + std::string(request_id) +
                    " issued as " + std::string(issuer_request_id) + " by " +
                    std::string(municipality_code));
  }
  return *std::move(row);
}

Status MarkVoid(RegistryTx& tx, KonbiniIssuance& row, std::string_view reason,
                TimePoint at) {
  row.voided_at = at;
  row.void_reason = std::string(reason);
  return internal::Done(tx.connection().Query(
      "UPDATE konbini_issuances SET voided_at = $1, doc = $2 WHERE "
      "request_id = $3 AND voided_at IS NULL",
      {Seconds(at), internal::Doc(row), row.request_id}));
}

}  // namespace

void to_json(nlohmann::json& j, const KonbiniIssuance& v) {
  j = {{"issuer_request_id", v.issuer_request_id},
       {"request_id", v.request_id},
       {"issuer_instance", v.issuer_instance},
       {"municipality_code", v.municipality_code},
       {"subject_id", v.subject_id},
       {"certificate", v.certificate},
       {"copies", v.copies},
       {"fee_yen", v.fee_yen},
       {"at", Seconds(v.at)}};
  if (v.print_by) j["print_by"] = Seconds(*v.print_by);
  if (v.printed_at) j["printed_at"] = Seconds(*v.printed_at);
  if (v.voided_at) {
    j["voided_at"] = Seconds(*v.voided_at);
    j["void_reason"] = v.void_reason;
  }
}
void from_json(const nlohmann::json& j, KonbiniIssuance& v) {
  v.issuer_request_id = j.at("issuer_request_id").get<std::string>();
  v.request_id = j.at("request_id").get<std::string>();
  v.issuer_instance = j.at("issuer_instance").get<std::string>();
  v.municipality_code = j.at("municipality_code").get<std::string>();
  v.subject_id = j.at("subject_id").get<std::string>();
  v.certificate = j.at("certificate").get<std::string>();
  v.copies = j.at("copies").get<int>();
  v.fee_yen = j.at("fee_yen").get<int>();
  v.at = TimePoint(std::chrono::seconds(j.at("at").get<std::int64_t>()));
  v.print_by = OptionalTime(j, "print_by");
  v.printed_at = OptionalTime(j, "printed_at");
  v.voided_at = OptionalTime(j, "voided_at");
  v.void_reason = j.value("void_reason", std::string());
}

bool IsKonbiniVoidReason(std::string_view reason) {
  return reason == kVoidCancelled || reason == kVoidTimedOut ||
         reason == kVoidDropped || reason == kVoidUnconfirmed;
}

Status RecordKonbiniIssuance(RegistryTx& tx, const KonbiniIssuance& row) {
  OPENMYNA_RETURN_IF_ERROR(internal::Done(tx.connection().Query(
      "INSERT INTO konbini_issuances (issuer_request_id, request_id, "
      "municipality_code, subject_id, at, print_by, printed_at, doc) VALUES "
      "($1, $2, $3, $4, $5, $6, $7, $8)",
      {row.issuer_request_id, row.request_id, row.municipality_code,
       row.subject_id, Seconds(row.at), OptionalSeconds(row.print_by),
       OptionalSeconds(row.printed_at), internal::Doc(row)})));
  std::vector<std::string> residents = row.residents;
  std::sort(residents.begin(), residents.end());
  residents.erase(std::unique(residents.begin(), residents.end()),
                  residents.end());
  for (const std::string& id : residents) {
    OPENMYNA_RETURN_IF_ERROR(internal::Done(tx.connection().Query(
        "INSERT INTO konbini_issuance_residents (request_id, resident_id) "
        "VALUES ($1, $2)",
        {row.request_id, id})));
  }
  return Ok();
}

Result<std::vector<std::string>> KonbiniIssuanceResidents(
    RegistryTx& tx, std::string_view request_id) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto rows, tx.connection().Query(
                     "SELECT resident_id FROM konbini_issuance_residents "
                     "WHERE request_id = $1 ORDER BY resident_id",
                     {std::string(request_id)}));
  std::vector<std::string> ids;
  for (const SqlRow& r : rows) ids.push_back(r[0].value_or(""));
  return ids;
}

Result<std::vector<KonbiniIssuance>> ListKonbiniIssuances(
    RegistryTx& tx, std::string_view municipality_code) {
  return internal::All<KonbiniIssuance>(tx.connection().Query(
      "SELECT doc FROM konbini_issuances WHERE municipality_code = $1 "
      "ORDER BY at, issuer_request_id",
      {std::string(municipality_code)}));
}

Result<std::optional<KonbiniIssuance>> FindKonbiniIssuance(
    RegistryTx& tx, std::string_view request_id) {
  return internal::One<KonbiniIssuance>(tx.connection().Query(
      "SELECT doc FROM konbini_issuances WHERE request_id = $1",
      {std::string(request_id)}));
}

Status VoidKonbiniIssuance(RegistryTx& tx, std::string_view municipality_code,
                           std::string_view request_id,
                           std::string_view issuer_request_id,
                           std::string_view reason, TimePoint at) {
  if (!IsKonbiniVoidReason(reason)) {
    return Fail(RegistryErrc::kInvalidInput,
                "void reason: cancelled, timed_out, dropped or unconfirmed");
  }
  OPENMYNA_ASSIGN_OR_RETURN(
      auto row, RowOf(tx, municipality_code, request_id, issuer_request_id));
  if (row.voided_at) {
    return Fail(
        RegistryErrc::kConflict,
        "the ledger row of " + std::string(request_id) + " is void already");
  }
  return MarkVoid(tx, row, reason, at);
}

Status MarkKonbiniIssuancePrinted(RegistryTx& tx,
                                  std::string_view municipality_code,
                                  std::string_view request_id,
                                  std::string_view issuer_request_id,
                                  TimePoint at) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto row, RowOf(tx, municipality_code, request_id, issuer_request_id));
  if (row.voided_at) {
    return Fail(RegistryErrc::kConflict,
                "the ledger row of " + std::string(request_id) + " is void (" +
                    row.void_reason + "): it may not be printed");
  }
  if (row.printed_at) return Ok();
  row.printed_at = at;
  return internal::Done(tx.connection().Query(
      "UPDATE konbini_issuances SET printed_at = $1, doc = $2 WHERE "
      "request_id = $3 AND voided_at IS NULL AND printed_at IS NULL",
      {Seconds(at), internal::Doc(row), std::string(request_id)}));
}

namespace {
// The rows VoidUnprintedKonbiniIssuances voids (index
// konbini_issuances_unconfirmed, 0034).
constexpr std::string_view kUnprintedWhere =
    " FROM konbini_issuances WHERE municipality_code = $1 AND "
    "printed_at IS NULL AND voided_at IS NULL AND print_by < $2";
}  // namespace

Result<bool> HasUnprintedKonbiniIssuances(RegistryTx& tx,
                                          std::string_view municipality_code,
                                          TimePoint now) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto rows, tx.connection().Query(
                     "SELECT 1" + std::string(kUnprintedWhere) + " LIMIT 1",
                     {std::string(municipality_code), Seconds(now)}));
  return !rows.empty();
}

Result<std::vector<KonbiniIssuance>> VoidUnprintedKonbiniIssuances(
    RegistryTx& tx, std::string_view municipality_code, TimePoint now) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto rows, internal::All<KonbiniIssuance>(tx.connection().Query(
                     "SELECT doc" + std::string(kUnprintedWhere) +
                         " ORDER BY print_by, request_id",
                     {std::string(municipality_code), Seconds(now)})));
  for (KonbiniIssuance& row : rows) {
    OPENMYNA_RETURN_IF_ERROR(MarkVoid(tx, row, kVoidUnconfirmed, now));
  }
  return rows;
}

}  // namespace openmyna::registry
