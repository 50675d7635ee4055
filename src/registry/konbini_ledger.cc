#include "openmyna/registry/konbini_ledger.h"

#include <nlohmann/json.hpp>

#include "record_rows.h"

namespace openmyna::registry {
namespace {

std::int64_t Seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
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
  v.voided_at.reset();
  if (j.contains("voided_at")) {
    v.voided_at =
        TimePoint(std::chrono::seconds(j.at("voided_at").get<std::int64_t>()));
  }
  v.void_reason = j.value("void_reason", std::string());
}

bool IsKonbiniVoidReason(std::string_view reason) {
  return reason == kVoidCancelled || reason == kVoidTimedOut ||
         reason == kVoidDropped;
}

Status RecordKonbiniIssuance(RegistryTx& tx, const KonbiniIssuance& row) {
  return internal::Done(tx.connection().Query(
      "INSERT INTO konbini_issuances (issuer_request_id, request_id, "
      "municipality_code, subject_id, at, doc) VALUES ($1, $2, $3, $4, $5, "
      "$6)",
      {row.issuer_request_id, row.request_id, row.municipality_code,
       row.subject_id, Seconds(row.at), internal::Doc(row)}));
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
                "void reason: cancelled, timed_out or dropped");
  }
  OPENMYNA_ASSIGN_OR_RETURN(auto row, FindKonbiniIssuance(tx, request_id));
  if (!row || row->issuer_request_id != issuer_request_id ||
      row->municipality_code != municipality_code) {
    return Fail(RegistryErrc::kNotFound,
                "no ledger row of request " + std::string(request_id) +
                    " issued as " + std::string(issuer_request_id) + " by " +
                    std::string(municipality_code));
  }
  if (row->voided_at) {
    return Fail(
        RegistryErrc::kConflict,
        "the ledger row of " + std::string(request_id) + " is void already");
  }
  row->voided_at = at;
  row->void_reason = std::string(reason);
  return internal::Done(tx.connection().Query(
      "UPDATE konbini_issuances SET voided_at = $1, doc = $2 WHERE "
      "request_id = $3 AND voided_at IS NULL",
      {Seconds(at), internal::Doc(*row), std::string(request_id)}));
}

}  // namespace openmyna::registry
