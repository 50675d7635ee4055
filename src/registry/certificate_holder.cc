#include "openmyna/registry/certificate_holder.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>

#include "openmyna/base/bytes.h"
#include "openmyna/base/log.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/registry/audit_id.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/model_json.h"
#include "openmyna/registry/permissions.h"

namespace openmyna::registry {

std::string_view ToString(CertificateStanding standing) {
  switch (standing) {
    case CertificateStanding::kGood:
      return "good";
    case CertificateStanding::kRevoked:
      return "revoked";
    case CertificateStanding::kExpired:
      return "expired";
    case CertificateStanding::kNotYetValid:
      return "not_yet_valid";
  }
  return "good";
}

CertificateStanding StandingAt(const Certificate& c, TimePoint now) {
  if (c.revoked) return CertificateStanding::kRevoked;
  if (now > c.not_after) return CertificateStanding::kExpired;
  if (now < c.not_before) return CertificateStanding::kNotYetValid;
  return CertificateStanding::kGood;
}

std::string_view ToString(CardStanding standing) {
  switch (standing) {
    case CardStanding::kInUse:
      return "in_use";
    case CardStanding::kSuspended:
      return "suspended";
    case CardStanding::kReportedLost:
      return "reported_lost";
    case CardStanding::kNoLongerValid:
      return "no_longer_valid";
  }
  return "in_use";
}

CardStanding StandingOf(const Card& card) {
  switch (card.state) {
    case CardState::kSuspended:
      return CardStanding::kSuspended;
    case CardState::kVoid:
      return card.void_reason == VoidReason::kLost ||
                     card.void_reason == VoidReason::kStolen
                 ? CardStanding::kReportedLost
                 : CardStanding::kNoLongerValid;
    case CardState::kProduced:
    case CardState::kActive:
      break;
  }
  return CardStanding::kInUse;
}

Result<std::optional<CardOfCertificate>> FindCardOfCertificate(
    RegistryStore& store, std::string_view serial) {
  OPENMYNA_ASSIGN_OR_RETURN(std::string key, CanonicalSerial(serial));
  std::optional<CardOfCertificate> out;
  OPENMYNA_REGISTRY_TRANSACT(store.Read([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto certificate, tx.GetCertificate(key));
    if (!certificate) return Ok();
    OPENMYNA_ASSIGN_OR_RETURN(auto card, tx.GetCard(certificate->card_id));
    if (!card) {
      return Fail(RegistryErrc::kStorage,
                  "certificate " + key + " names a missing card");
    }
    out = CardOfCertificate{*card, StandingOf(*card)};
    return Ok();
  }));
  return out;
}

Result<std::string> CanonicalSerial(std::string_view serial) {
  auto parsed = pki::Serial::FromHex(serial);
  if (!parsed) {
    return Fail(RegistryErrc::kInvalidInput, parsed.error().message());
  }
  return parsed->Hex();
}

// Uses the index of migration 0015 (certificates_by_resident).
Result<std::vector<Certificate>> RegistryTx::ListCertificatesOfResident(
    std::string_view resident_id) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto rows,
      db_.Query("SELECT doc FROM certificates WHERE resident_id = $1",
                {std::string(resident_id)}));
  std::vector<Certificate> list;
  list.reserve(rows.size());
  for (const SqlRow& row : rows) {
    const auto doc = nlohmann::json::parse(row[0].value_or(""), nullptr, false);
    if (doc.is_discarded()) {
      return Fail(RegistryErrc::kStorage, "unreadable certificate record");
    }
    list.push_back(doc.get<Certificate>());
  }
  std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
    return std::tie(a.not_before, a.serial) < std::tie(b.not_before, b.serial);
  });
  return list;
}

Result<std::optional<Certificate>> FindSuccessor(RegistryTx& tx,
                                                 const Certificate& old,
                                                 TimePoint now) {
  if (StandingAt(old, now) == CertificateStanding::kGood) return std::nullopt;
  OPENMYNA_ASSIGN_OR_RETURN(auto all,
                            tx.ListCertificatesOfResident(old.resident_id));
  std::optional<Certificate> newest;
  for (const Certificate& c : all) {  // oldest first
    if (c.serial == old.serial || c.type != old.type) continue;
    if (c.not_before < old.not_before) continue;
    if (StandingAt(c, now) != CertificateStanding::kGood) continue;
    newest = c;
  }
  return newest;
}

Result<CertificateHolder> FindCertificateHolder(RegistryTx& tx,
                                                std::string_view serial,
                                                TimePoint now) {
  OPENMYNA_ASSIGN_OR_RETURN(std::string key, CanonicalSerial(serial));
  OPENMYNA_ASSIGN_OR_RETURN(auto certificate, tx.GetCertificate(key));
  if (!certificate) {
    return Fail(RegistryErrc::kNotFound,
                "the registry issued no certificate with serial " + key);
  }
  OPENMYNA_ASSIGN_OR_RETURN(auto card, tx.GetCard(certificate->card_id));
  OPENMYNA_ASSIGN_OR_RETURN(auto resident,
                            tx.GetResident(certificate->resident_id));
  if (!card || !resident) {
    return Fail(RegistryErrc::kStorage,
                "certificate " + key + " names a missing card or resident");
  }
  CertificateHolder out;
  OPENMYNA_ASSIGN_OR_RETURN(out.successor,
                            FindSuccessor(tx, *certificate, now));
  out.certificate = std::move(*certificate);
  out.standing = StandingAt(out.certificate, now);
  out.card_standing = StandingOf(*card);
  out.card = std::move(*card);
  out.resident = std::move(*resident);
  return out;
}

Result<CertificateHolder> LookUpCertificateHolder(RegistryStore& store,
                                                  const Clock& clock, Rng& rng,
                                                  const Actor& actor,
                                                  std::string_view serial) {
  constexpr std::string_view kAction = "certificate.holder";
  // A clinic reads the card at its reception (オンライン資格確認): it may
  // look up the holder too (its role is outside the permissions table).
  if (!MayPerform(actor.role, kAction) && actor.role != Role::kClinic) {
    return Fail(RegistryErrc::kRefused,
                "role " + std::string(ToString(actor.role)) +
                    " may not perform " + std::string(kAction));
  }
  OPENMYNA_RETURN_IF_ERROR(CanonicalSerial(serial));
  const TimePoint now = clock.Now();
  CertificateHolder out;
  OPENMYNA_REGISTRY_TRANSACT(store.Read([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(out, FindCertificateHolder(tx, serial, now));
    if (actor.role == Role::kResident) return Ok();
    log::Get("registry")
        ->debug("{} by {} ({}) on resident {}", kAction, actor.id,
                ToString(actor.role), out.resident.id);
    return tx.AppendAudit({NewAuditId(now, rng), out.resident.id, actor.id,
                           actor.role, std::string(kAction), actor.why, now});
  }));
  return out;
}

Result<AuthenticationInUse> AuthenticationInUseOf(RegistryTx& tx,
                                                  std::string_view resident_id,
                                                  TimePoint now) {
  AuthenticationInUse out;
  OPENMYNA_ASSIGN_OR_RETURN(auto cards, tx.ListCards(resident_id));
  for (const Card& card : cards) {
    if (card.state != CardState::kActive) continue;
    if (card.kind == CardKind::kFaceAuth) {
      out.face_auth_card = true;
      continue;
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto certs, tx.ListCertificates(card.id));
    for (const auto& c : certs) {
      if (c.type == CertificateType::kAuthentication && !c.revoked &&
          c.not_before <= now && now <= c.not_after) {
        out.certificate = c;
      }
    }
  }
  return out;
}

}  // namespace openmyna::registry
