#include "openmyna/registry/platform_registrations.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "openmyna/base/bytes.h"
#include "openmyna/base/log.h"
#include "openmyna/registry/audit_id.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/permissions.h"

namespace openmyna::registry {
namespace {

using nlohmann::json;

std::int64_t Seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
}

std::string Doc(const PlatformRegistration& r) {
  return json{{"id", r.id},
              {"relying_party", r.relying_party},
              {"resident_id", r.resident_id},
              {"signature_serial", r.signature_serial},
              {"registered_at", Seconds(r.registered_at)},
              {"updated_at", Seconds(r.updated_at)}}
      .dump();
}

Result<std::optional<PlatformRegistration>> OneRegistration(
    Result<std::vector<SqlRow>> rows) {
  OPENMYNA_ASSIGN_OR_RETURN(auto list, std::move(rows));
  if (list.empty()) return std::nullopt;
  const json doc = json::parse(list[0][0].value_or(""), nullptr, false);
  if (doc.is_discarded()) {
    return Fail(RegistryErrc::kStorage, "unreadable platform registration");
  }
  PlatformRegistration r;
  r.id = doc.value("id", "");
  r.relying_party = doc.value("relying_party", "");
  r.resident_id = doc.value("resident_id", "");
  r.signature_serial = doc.value("signature_serial", "");
  r.registered_at =
      TimePoint(std::chrono::seconds(doc.value("registered_at", 0LL)));
  r.updated_at = TimePoint(std::chrono::seconds(doc.value("updated_at", 0LL)));
  return r;
}

// Role check, the holder of the presented certificate (audited inside the
// caller's transaction by Record below), and its type.
struct Call {
  RegistryStore& store;
  const Clock& clock;
  Rng& rng;
  const Actor& actor;
  TimePoint now;

  Status Authorize() const {
    if (!MayPerform(actor.role, "platform.verify")) {
      return Fail(RegistryErrc::kRefused,
                  "role " + std::string(ToString(actor.role)) +
                      " may not perform platform.verify");
    }
    return Ok();
  }

  // The holder of `serial` read in `tx` (kNotFound when never issued).
  Result<CertificateHolder> Holder(RegistryTx& tx, const std::string& serial) {
    OPENMYNA_ASSIGN_OR_RETURN(auto certificate, tx.GetCertificate(serial));
    if (!certificate) {
      return Fail(RegistryErrc::kNotFound,
                  "the registry issued no certificate with serial " + serial);
    }
    OPENMYNA_ASSIGN_OR_RETURN(auto card, tx.GetCard(certificate->card_id));
    OPENMYNA_ASSIGN_OR_RETURN(auto resident,
                              tx.GetResident(certificate->resident_id));
    if (!card || !resident) {
      return Fail(RegistryErrc::kStorage, "certificate " + serial +
                                              " names a missing card or "
                                              "resident");
    }
    CertificateHolder h;
    h.certificate = std::move(*certificate);
    h.standing = StandingAt(h.certificate, now);
    h.card = std::move(*card);
    h.resident = std::move(*resident);
    return h;
  }

  // Checks type and standing of the presented certificate; false (with the
  // verdict set) when the answer is already decided.
  static bool Usable(PlatformAnswer& answer, CertificateType type) {
    if (answer.holder.certificate.type != type) {
      answer.verdict = PlatformVerdict::kCertificateMismatch;
      answer.detail =
          "this call takes the " + std::string(ToString(type)) + " certificate";
      return false;
    }
    if (answer.holder.standing != CertificateStanding::kGood) {
      answer.verdict = PlatformVerdict::kCertificateNotGood;
      answer.detail =
          "the certificate is " + std::string(ToString(answer.holder.standing));
      return false;
    }
    return true;
  }

  Status Record(RegistryTx& tx, std::string_view resident_id,
                std::string_view action) {
    log::Get("registry")
        ->debug("{} by {} ({}) on resident {}", action, actor.id,
                ToString(actor.role), resident_id);
    return tx.AppendAudit({NewAuditId(now, rng), std::string(resident_id),
                           actor.id, actor.role, std::string(action), actor.why,
                           now});
  }
};

}  // namespace

std::string_view ToString(PlatformVerdict verdict) {
  switch (verdict) {
    case PlatformVerdict::kOk:
      return "ok";
    case PlatformVerdict::kNotRegistered:
      return "not_registered";
    case PlatformVerdict::kAlreadyRegistered:
      return "already_registered";
    case PlatformVerdict::kSignatureRevoked:
      return "signature_certificate_revoked";
    case PlatformVerdict::kCertificateMismatch:
      return "certificate_mismatch";
    case PlatformVerdict::kCertificateNotGood:
      return "certificate_not_good";
  }
  return "ok";
}

Status InsertPlatformRegistration(RegistryTx& tx,
                                  const PlatformRegistration& r) {
  OPENMYNA_RETURN_IF_ERROR(tx.connection().Query(
      "INSERT INTO platform_registrations (id, relying_party, resident_id, "
      "signature_serial, doc) VALUES ($1, $2, $3, $4, $5)",
      {r.id, r.relying_party, r.resident_id, r.signature_serial, Doc(r)}));
  return Ok();
}

Status UpdatePlatformRegistration(RegistryTx& tx,
                                  const PlatformRegistration& r) {
  OPENMYNA_RETURN_IF_ERROR(tx.connection().Query(
      "UPDATE platform_registrations SET signature_serial = $2, doc = $3 "
      "WHERE id = $1",
      {r.id, r.signature_serial, Doc(r)}));
  if (tx.connection().ChangedRows() != 1) {
    return Fail(RegistryErrc::kNotFound, "no platform registration " + r.id);
  }
  return Ok();
}

Result<std::optional<PlatformRegistration>> FindPlatformRegistration(
    RegistryTx& tx, std::string_view relying_party,
    std::string_view resident_id) {
  return OneRegistration(tx.connection().Query(
      "SELECT doc FROM platform_registrations WHERE relying_party = $1 AND "
      "resident_id = $2",
      {std::string(relying_party), std::string(resident_id)}));
}

Result<std::optional<PlatformRegistration>> FindPlatformRegistrationBySerial(
    RegistryTx& tx, std::string_view relying_party,
    std::string_view signature_serial) {
  return OneRegistration(tx.connection().Query(
      "SELECT doc FROM platform_registrations WHERE relying_party = $1 AND "
      "signature_serial = $2",
      {std::string(relying_party), std::string(signature_serial)}));
}

Result<PlatformAnswer> PlatformRegister(RegistryStore& store,
                                        const Clock& clock, Rng& rng,
                                        const Actor& actor,
                                        std::string_view signature_serial) {
  Call call{store, clock, rng, actor, clock.Now()};
  OPENMYNA_RETURN_IF_ERROR(call.Authorize());
  OPENMYNA_ASSIGN_OR_RETURN(std::string serial,
                            CanonicalSerial(signature_serial));
  PlatformAnswer answer;
  OPENMYNA_REGISTRY_TRANSACT(store.Transact([&](RegistryTx& tx) -> Status {
    answer = PlatformAnswer{};
    OPENMYNA_ASSIGN_OR_RETURN(answer.holder, call.Holder(tx, serial));
    OPENMYNA_RETURN_IF_ERROR(
        call.Record(tx, answer.holder.resident.id, "platform.registration"));
    if (!Call::Usable(answer, CertificateType::kSignature)) return Ok();
    OPENMYNA_ASSIGN_OR_RETURN(
        auto existing,
        FindPlatformRegistration(tx, actor.id, answer.holder.resident.id));
    if (existing) {
      answer.verdict = PlatformVerdict::kAlreadyRegistered;
      answer.detail = "this person is already registered as " + existing->id;
      answer.registration = existing;
      return Ok();
    }
    PlatformRegistration r{"u-" + ToHex(rng.Bytes(12)),
                           actor.id,
                           answer.holder.resident.id,
                           serial,
                           call.now,
                           call.now};
    OPENMYNA_RETURN_IF_ERROR(InsertPlatformRegistration(tx, r));
    answer.registration = r;
    return Ok();
  }));
  return answer;
}

Result<PlatformAnswer> PlatformLogin(RegistryStore& store, const Clock& clock,
                                     Rng& rng, const Actor& actor,
                                     std::string_view authentication_serial) {
  Call call{store, clock, rng, actor, clock.Now()};
  OPENMYNA_RETURN_IF_ERROR(call.Authorize());
  OPENMYNA_ASSIGN_OR_RETURN(std::string serial,
                            CanonicalSerial(authentication_serial));
  PlatformAnswer answer;
  OPENMYNA_REGISTRY_TRANSACT(store.Transact([&](RegistryTx& tx) -> Status {
    answer = PlatformAnswer{};
    OPENMYNA_ASSIGN_OR_RETURN(answer.holder, call.Holder(tx, serial));
    OPENMYNA_RETURN_IF_ERROR(
        call.Record(tx, answer.holder.resident.id, "platform.login"));
    if (!Call::Usable(answer, CertificateType::kAuthentication)) return Ok();
    OPENMYNA_ASSIGN_OR_RETURN(
        answer.registration,
        FindPlatformRegistration(tx, actor.id, answer.holder.resident.id));
    if (!answer.registration) {
      answer.verdict = PlatformVerdict::kNotRegistered;
      answer.detail = "this person is not registered with this relying party";
      return Ok();
    }
    OPENMYNA_ASSIGN_OR_RETURN(
        answer.on_file,
        tx.GetCertificate(answer.registration->signature_serial));
    if (!answer.on_file) {
      return Fail(RegistryErrc::kStorage,
                  "the signature certificate on file is not in the registry");
    }
    if (StandingAt(*answer.on_file, call.now) != CertificateStanding::kGood) {
      answer.verdict = PlatformVerdict::kSignatureRevoked;
      answer.detail =
          "the signature certificate on file is " +
          std::string(ToString(StandingAt(*answer.on_file, call.now))) +
          ": read the new signature certificate (replacement)";
      OPENMYNA_ASSIGN_OR_RETURN(answer.successor,
                                FindSuccessor(tx, *answer.on_file, call.now));
    }
    return Ok();
  }));
  return answer;
}

Result<PlatformAnswer> PlatformReplace(RegistryStore& store, const Clock& clock,
                                       Rng& rng, const Actor& actor,
                                       std::string_view old_signature_serial,
                                       std::string_view new_signature_serial) {
  Call call{store, clock, rng, actor, clock.Now()};
  OPENMYNA_RETURN_IF_ERROR(call.Authorize());
  OPENMYNA_ASSIGN_OR_RETURN(std::string old_serial,
                            CanonicalSerial(old_signature_serial));
  OPENMYNA_ASSIGN_OR_RETURN(std::string serial,
                            CanonicalSerial(new_signature_serial));
  PlatformAnswer answer;
  OPENMYNA_REGISTRY_TRANSACT(store.Transact([&](RegistryTx& tx) -> Status {
    answer = PlatformAnswer{};
    OPENMYNA_ASSIGN_OR_RETURN(answer.holder, call.Holder(tx, serial));
    OPENMYNA_RETURN_IF_ERROR(
        call.Record(tx, answer.holder.resident.id, "platform.replacement"));
    if (!Call::Usable(answer, CertificateType::kSignature)) return Ok();
    OPENMYNA_ASSIGN_OR_RETURN(
        auto registration,
        FindPlatformRegistrationBySerial(tx, actor.id, old_serial));
    if (!registration) {
      answer.verdict = PlatformVerdict::kNotRegistered;
      answer.detail = "no registration holds the signature certificate " +
                      old_serial + " on file";
      return Ok();
    }
    if (registration->resident_id != answer.holder.resident.id) {
      answer.verdict = PlatformVerdict::kCertificateMismatch;
      answer.detail =
          "the new signature certificate belongs to another person than "
          "the one on file";
      return Ok();
    }
    registration->signature_serial = serial;
    registration->updated_at = call.now;
    OPENMYNA_RETURN_IF_ERROR(UpdatePlatformRegistration(tx, *registration));
    answer.registration = registration;
    return Ok();
  }));
  return answer;
}

Result<PlatformAnswer> PlatformSuccessor(
    RegistryStore& store, const Clock& clock, Rng& rng, const Actor& actor,
    std::string_view old_signature_serial) {
  Call call{store, clock, rng, actor, clock.Now()};
  OPENMYNA_RETURN_IF_ERROR(call.Authorize());
  OPENMYNA_ASSIGN_OR_RETURN(std::string old_serial,
                            CanonicalSerial(old_signature_serial));
  PlatformAnswer answer;
  OPENMYNA_REGISTRY_TRANSACT(store.Transact([&](RegistryTx& tx) -> Status {
    answer = PlatformAnswer{};
    OPENMYNA_ASSIGN_OR_RETURN(
        answer.registration,
        FindPlatformRegistrationBySerial(tx, actor.id, old_serial));
    if (!answer.registration) {
      answer.verdict = PlatformVerdict::kNotRegistered;
      answer.detail =
          "no registration of this relying party holds the "
          "signature certificate " +
          old_serial + " on file";
      return Ok();
    }
    OPENMYNA_ASSIGN_OR_RETURN(answer.holder, call.Holder(tx, old_serial));
    answer.on_file = answer.holder.certificate;
    OPENMYNA_RETURN_IF_ERROR(
        call.Record(tx, answer.holder.resident.id, "platform.successor"));
    OPENMYNA_ASSIGN_OR_RETURN(answer.successor,
                              FindSuccessor(tx, *answer.on_file, call.now));
    return Ok();
  }));
  return answer;
}

}  // namespace openmyna::registry
