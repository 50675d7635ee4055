#include "holder.h"

#include <chrono>

#include "openmyna/domain/civil.h"
#include "openmyna/domain/konbini.h"
#include "openmyna/registry/konbini_mapping.h"
#include "openmyna/services/konbini/errors.h"

namespace openmyna::konbini {

Result<domain::Date> MappedFrom(registry::RegistryTx& tx,
                                const registry::Certificate& certificate) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto mapping, registry::GetKonbiniMapping(tx, certificate.serial));
  if (mapping) {
    auto from = domain::ParseDate(mapping->usable_from);
    if (!from) {
      return Fail(KonbiniErrc::kInternal,
                  "konbini mapping of " + certificate.serial + ": bad date");
    }
    return *from;
  }
  return domain::Date(
      std::chrono::sys_days(domain::JapanDateOf(certificate.not_before)) +
      std::chrono::days{1});
}

Result<registry::Resident> CheckHolder(registry::RegistryTx& tx,
                                       std::string_view serial,
                                       domain::Date today,
                                       bool immediate_mapping) {
  OPENMYNA_ASSIGN_OR_RETURN(auto cert, tx.GetCertificate(serial));
  if (!cert || cert->type != registry::CertificateType::kAuthentication) {
    return Fail(KonbiniErrc::kRefused,
                "この証明書は登録されていません (certificate not known to "
                "the registry)");
  }
  if (cert->revoked) {
    return Fail(KonbiniErrc::kRefused,
                "電子証明書が失効または一時停止されています (certificate "
                "revoked or suspended)");
  }
  OPENMYNA_ASSIGN_OR_RETURN(const domain::Date usable_from,
                            MappedFrom(tx, *cert));
  if (!immediate_mapping &&
      std::chrono::sys_days(today) < std::chrono::sys_days(usable_from)) {
    // A dated mapping says why (e.g. a PIN reset at the counter).
    OPENMYNA_ASSIGN_OR_RETURN(auto mapping,
                              registry::GetKonbiniMapping(tx, cert->serial));
    if (mapping && !mapping->reason.empty()) {
      return Fail(KonbiniErrc::kRefused,
                  mapping->reason + "のため、" + mapping->usable_from +
                      " 以降にご利用ください (usable from " +
                      mapping->usable_from + ")");
    }
    return Fail(KonbiniErrc::kRefused,
                "カードの交付・更新の当日は利用できません。翌日以降にご利用"
                "ください (usable from the day after issuance)");
  }
  OPENMYNA_ASSIGN_OR_RETURN(auto card, tx.GetCard(cert->card_id));
  if (!card || card->state != registry::CardState::kActive) {
    return Fail(KonbiniErrc::kRefused,
                "このカードは利用できません (the card is not active)");
  }
  OPENMYNA_ASSIGN_OR_RETURN(auto resident, tx.GetResident(cert->resident_id));
  if (!resident) {
    return Fail(KonbiniErrc::kRefused, "住民記録が見つかりません");
  }
  if (resident->status == registry::ResidentStatus::kDeceased) {
    return Fail(KonbiniErrc::kRefused, "死亡された方のカードです (deceased)");
  }
  if (resident->status == registry::ResidentStatus::kMovedOut) {
    return Fail(KonbiniErrc::kRefused, "転出された方のカードです (moved out)");
  }
  if (!immediate_mapping &&
      resident->moved_in_on == domain::FormatDate(today)) {
    return Fail(KonbiniErrc::kRefused,
                "転入届の当日は利用できません (not on the day of a move-in)");
  }
  auto birth = domain::ParseDate(resident->date_of_birth);
  if (!birth || domain::AgeAt(*birth, today) < domain::kKonbiniMinimumAge) {
    return Fail(KonbiniErrc::kRefused,
                "15歳未満の方は利用できません (under 15)");
  }
  return *std::move(resident);
}

Status CheckPerson(const registry::Resident& r,
                   const registry::ResidentCivil& items, domain::Date today,
                   bool is_subject) {
  if (r.status == registry::ResidentStatus::kDeceased) {
    return Fail(KonbiniErrc::kRefused,
                is_subject
                    ? "死亡された方の証明書は発行できません (deceased)"
                    : "世帯に死亡された方がいます (a member is deceased)");
  }
  if (r.status == registry::ResidentStatus::kMovedOut) {
    return Fail(KonbiniErrc::kRefused,
                "転出された方の証明書は発行できません (moved out of the "
                "municipality)");
  }
  if (!items.move_out_planned_on.empty()) {
    // ref §2.5 (Tamba): also the household's 住民票 when a member moves out.
    return Fail(KonbiniErrc::kRefused,
                is_subject
                    ? "転出届を提出された方の証明書は発行できません (a "
                      "move-out has been filed)"
                    : "世帯に転出届を提出された方がいます (a member of the "
                      "household has filed a move-out)");
  }
  if (items.support_measure) {
    auto since = domain::ParseDate(items.support_measure->since);
    auto last = domain::ParseDate(items.support_measure->last_day);
    if (since && last && domain::SupportMeasureInForce(*since, *last, today)) {
      return Fail(
          KonbiniErrc::kRefused,
          "支援措置の対象のため交付できません。窓口にお問い合わせください "
          "(support measure in force)");
    }
  }
  return Ok();
}

}  // namespace openmyna::konbini
