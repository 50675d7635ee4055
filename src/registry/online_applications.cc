#include "openmyna/registry/online_applications.h"

#include <openssl/bn.h>
#include <openssl/x509.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "openmyna/domain/date.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/cms.h"
#include "openmyna/pki/verifier.h"
#include "openmyna/registry/audit_id.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/konbini_registration.h"
#include "openmyna/registry/model_json.h"
#include "openmyna/registry/resident_notices.h"

namespace openmyna::registry {
namespace {

using nlohmann::json;
using Fields = std::vector<std::pair<std::string, std::string>>;

constexpr std::pair<OnlineApplicationKind, std::string_view> kKindNames[] = {
    {OnlineApplicationKind::kIncomeCertificate, "income_certificate"},
    {OnlineApplicationKind::kTaxCertificate, "tax_certificate"},
    {OnlineApplicationKind::kDeliveryAddress, "delivery_address"},
    {OnlineApplicationKind::kKonbiniRegistration, "konbini_registration"},
    {OnlineApplicationKind::kInsuranceRegistration, "insurance_registration"},
};

constexpr std::size_t kMaxFieldBytes = 400;
// A signingTime this far after the submission is a wrong clock or a lie.
constexpr auto kClockSkew = std::chrono::minutes(5);

std::int64_t Seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
}
TimePoint FromSeconds(std::int64_t s) {
  return TimePoint(std::chrono::seconds(s));
}

std::optional<OnlineApplicationState> ParseState(std::string_view s) {
  for (auto state :
       {OnlineApplicationState::kSubmitted, OnlineApplicationState::kAccepted,
        OnlineApplicationState::kRejected}) {
    if (ToString(state) == s) return state;
  }
  return std::nullopt;
}

std::string Doc(const OnlineApplication& a) {
  json fields = json::array();
  for (const auto& [name, value] : a.fields) fields.push_back({name, value});
  json doc = {{"id", a.id},
              {"resident_id", a.resident_id},
              {"municipality_code", a.municipality_code},
              {"kind", ToString(a.kind)},
              {"state", ToString(a.state)},
              {"fields", fields},
              {"content", a.content},
              {"cms", ToHex(a.cms)},
              {"signer_serial", a.signer_serial},
              {"channel", a.channel},
              {"signed_at", Seconds(a.signed_at)},
              {"submitted_at", Seconds(a.submitted_at)},
              {"decided_by", a.decided_by},
              {"decision_reason", a.decision_reason}};
  if (a.decided_at) doc["decided_at"] = Seconds(*a.decided_at);
  return doc.dump();
}

Result<OnlineApplication> Parse(const SqlCell& cell) {
  const json doc = json::parse(cell.value_or(""), nullptr, false);
  if (!doc.is_object()) return Fail(RegistryErrc::kStorage, "unreadable");
  try {
    OnlineApplication a;
    a.id = doc.at("id").get<std::string>();
    a.resident_id = doc.at("resident_id").get<std::string>();
    a.municipality_code = doc.at("municipality_code").get<std::string>();
    const auto& kind_name = doc.at("kind").get_ref<const std::string&>();
    const auto& state_name = doc.at("state").get_ref<const std::string&>();
    auto kind = ParseOnlineApplicationKind(kind_name);
    if (!kind) {
      return Fail(RegistryErrc::kStorage,
                  "unknown online application kind \"" + kind_name + "\"");
    }
    auto state = ParseState(state_name);
    if (!state) {
      return Fail(RegistryErrc::kStorage,
                  "unknown online application state \"" + state_name + "\"");
    }
    a.kind = *kind;
    a.state = *state;
    for (const auto& field : doc.at("fields")) {
      a.fields.emplace_back(field.at(0).get<std::string>(),
                            field.at(1).get<std::string>());
    }
    a.content = doc.at("content").get<std::string>();
    auto cms = FromHex(doc.at("cms").get<std::string>());
    if (!cms) return Fail(RegistryErrc::kStorage, "bad cms");
    a.cms = std::move(*cms);
    a.signer_serial = doc.at("signer_serial").get<std::string>();
    a.channel = doc.value("channel", "portal");
    a.signed_at = FromSeconds(doc.at("signed_at").get<std::int64_t>());
    a.submitted_at = FromSeconds(doc.at("submitted_at").get<std::int64_t>());
    if (doc.contains("decided_at")) {
      a.decided_at = FromSeconds(doc.at("decided_at").get<std::int64_t>());
    }
    a.decided_by = doc.value("decided_by", "");
    a.decision_reason = doc.value("decision_reason", "");
    return a;
  } catch (const json::exception& e) {
    return Fail(RegistryErrc::kStorage, e.what());
  }
}

Result<std::vector<OnlineApplication>> ParseAll(
    Result<std::vector<SqlRow>> rows) {
  if (!rows) return Unexpected(std::move(rows).error());
  std::vector<OnlineApplication> out;
  for (const SqlRow& row : *rows) {
    OPENMYNA_ASSIGN_OR_RETURN(auto a, Parse(row[0]));
    out.push_back(std::move(a));
  }
  return out;
}

Status Put(RegistryTx& tx, const OnlineApplication& a, bool insert) {
  const std::string sql =
      insert ? "INSERT INTO online_applications (id, resident_id, "
               "municipality_code, state, submitted_at, doc) VALUES ($1, $2, "
               "$3, $4, $5, $6)"
             : "UPDATE online_applications SET state = $4, doc = $6 WHERE id "
               "= $1 AND resident_id = $2 AND municipality_code = $3 AND "
               "submitted_at = $5";
  return tx.connection()
      .Query(sql,
             {a.id, a.resident_id, a.municipality_code,
              std::string(ToString(a.state)), Seconds(a.submitted_at), Doc(a)})
      .transform([](auto&&) {});
}

Result<std::optional<OnlineApplication>> Load(RegistryTx& tx,
                                              std::string_view id) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto rows,
      tx.connection().Query("SELECT doc FROM online_applications WHERE id = $1",
                            {std::string(id)}));
  if (rows.empty()) return std::optional<OnlineApplication>();
  OPENMYNA_ASSIGN_OR_RETURN(auto a, Parse(rows[0][0]));
  return std::optional<OnlineApplication>(std::move(a));
}

std::string SerialOf(X509* cert) {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  if (bn == nullptr) return {};
  char* hex = BN_bn2hex(bn);
  BN_free(bn);
  std::string text = hex ? hex : "";
  OPENSSL_free(hex);
  auto serial = pki::Serial::FromHex(text);
  return serial ? serial->Hex() : std::string();
}

// One 利用登録申請 at a time (review finding 8), checked in the
// transaction that files it, whatever the channel: none while one at the
// same domicile waits for the clerk or was accepted (one void after a
// renewal, or rejected, may be made again). The writes of one store are
// serial (store.h); on PostgreSQL the resident's row is also locked, so a
// registry shared by several processes files one too.
Status CheckNoRegistrationInCourse(RegistryTx& tx, const Resident& resident,
                                   std::string_view domicile, TimePoint now) {
  if (tx.connection().dialect() == Dialect::kPostgres) {
    OPENMYNA_RETURN_IF_ERROR(
        tx.connection()
            .Query("SELECT id FROM residents WHERE id = $1 FOR UPDATE",
                   {resident.id})
            .transform([](auto&&) {}));
  }
  OPENMYNA_ASSIGN_OR_RETURN(
      auto current,
      KonbiniRegistrationOf(tx, resident.id, domicile, domain::JapanDateOf(now),
                            /*office_days=*/0));
  switch (current.state) {
    case KonbiniRegistrationState::kSubmitted:
      return Fail(RegistryErrc::kRefused,
                  "利用登録申請は本籍地で審査中です。重ねて申請する必要はありま"
                  "せん (an application is being reviewed: " +
                      current.application_id + ")");
    case KonbiniRegistrationState::kPending:
    case KonbiniRegistrationState::kEffective:
      return Fail(RegistryErrc::kRefused,
                  "利用登録は受け付け済みです。重ねて申請する必要はありません "
                  "(the registration was accepted: " +
                      current.application_id + ")");
    case KonbiniRegistrationState::kNone:
    case KonbiniRegistrationState::kVoid:
      return Ok();
  }
  return Ok();
}

// Fills the new application `a` from the draft: its id, the inbox (the
// resident's municipality; the domicile for a 利用登録申請), the canonical
// content and the submission time. kInvalidInput for an unknown inbox.
Result<Municipality> Address(RegistryTx& tx, const Resident& resident,
                             const OnlineApplicationDraft& draft, TimePoint now,
                             Rng& rng, OnlineApplication& a) {
  a.municipality_code = resident.municipality_code;
  if (draft.kind == OnlineApplicationKind::kKonbiniRegistration) {
    for (const auto& [name, value] : draft.fields) {
      if (name == "domicile_municipality") a.municipality_code = value;
    }
  }
  OPENMYNA_ASSIGN_OR_RETURN(auto municipality,
                            tx.GetMunicipality(a.municipality_code));
  if (!municipality) {
    return Fail(RegistryErrc::kInvalidInput,
                "unknown municipality " + a.municipality_code);
  }
  if (draft.kind == OnlineApplicationKind::kKonbiniRegistration) {
    OPENMYNA_RETURN_IF_ERROR(
        CheckNoRegistrationInCourse(tx, resident, a.municipality_code, now));
  }
  a.id = "oa-" + ToHex(rng.Bytes(8));
  a.resident_id = resident.id;
  a.kind = draft.kind;
  a.fields = draft.fields;
  a.content = OnlineApplicationContent(a.kind, a.resident_id,
                                       a.municipality_code, a.fields);
  a.submitted_at = now;
  return *std::move(municipality);
}

// A kiosk application's authentication certificate: the resident's, not
// revoked, valid at `now` (the centre checked chain and card before).
Status CheckAuthentication(RegistryTx& tx, std::string_view resident_id,
                           std::string_view serial, TimePoint now) {
  OPENMYNA_ASSIGN_OR_RETURN(auto cert, tx.GetCertificate(serial));
  if (!cert || cert->type != CertificateType::kAuthentication ||
      cert->resident_id != resident_id) {
    return Fail(RegistryErrc::kRefused,
                "not an authentication certificate of this resident");
  }
  if (cert->revoked) {
    return Fail(RegistryErrc::kRefused,
                "the authentication certificate is revoked");
  }
  // RFC 5280 §4.1.2.5: notBefore through notAfter, inclusive.
  if (now < cert->not_before || now > cert->not_after) {
    return Fail(RegistryErrc::kRefused,
                "the authentication certificate is not valid now");
  }
  return Ok();
}

struct Signature {
  TimePoint signed_at;
  std::string serial;
};

// The municipality's check of a signed application (file comment of the
// header): every failure is kRefused with the reason a clerk can read.
Result<Signature> Verify(RegistryTx& tx, const OnlineApplication& a,
                         const SignatureTrust& trust, TimePoint now) {
  std::vector<pki::X509Ptr> owned;
  std::vector<X509*> roots;
  for (const Bytes& der : trust.roots) {
    auto root = pki::ParseCertificate(der);
    if (!root) return Unexpected(root.error());
    roots.push_back(root->get());
    owned.push_back(std::move(*root));
  }
  pki::VerifyOptions options;  // at = epoch: judged at the signing time
  auto verdict = pki::VerifyDetached(
      a.cms,
      ByteView(reinterpret_cast<const std::uint8_t*>(a.content.data()),
               a.content.size()),
      roots, options);
  if (!verdict) {
    return Fail(
        RegistryErrc::kRefused,
        "the signature is not a CMS SignedData: " + verdict.error().message());
  }
  if (!verdict->signer_certificate) {
    return Fail(RegistryErrc::kRefused,
                "the signature does not match the application's content (a "
                "field changed after signing?): " +
                    verdict->detail);
  }
  if (!verdict->good) {
    return Fail(RegistryErrc::kRefused,
                "the signer certificate is not valid at the signing time: " +
                    verdict->detail);
  }
  if (!verdict->signing_time) {
    return Fail(RegistryErrc::kRefused, "the signature has no signing time");
  }
  if (*verdict->signing_time > now + kClockSkew) {
    return Fail(RegistryErrc::kRefused, "the signing time is in the future");
  }
  const std::string serial = SerialOf(verdict->signer_certificate.get());
  OPENMYNA_ASSIGN_OR_RETURN(auto cert, tx.GetCertificate(serial));
  if (!cert || cert->type != CertificateType::kSignature ||
      cert->resident_id != a.resident_id) {
    return Fail(RegistryErrc::kRefused,
                "the signer certificate is not a signature certificate of the "
                "applicant in the registry");
  }
  if (cert->revoked && cert->revoked_at &&
      *cert->revoked_at <= *verdict->signing_time) {
    return Fail(RegistryErrc::kRefused,
                "the signature certificate was revoked before the signing "
                "time");
  }
  return Signature{*verdict->signing_time, serial};
}

Status CheckFields(OnlineApplicationKind kind, const Fields& fields) {
  const auto& required = RequiredFields(kind);
  for (const std::string& name : required) {
    auto it = std::find_if(fields.begin(), fields.end(),
                           [&](const auto& f) { return f.first == name; });
    if (it == fields.end() || it->second.empty()) {
      return Fail(RegistryErrc::kInvalidInput, "missing field " + name);
    }
  }
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const auto& [name, value] = fields[i];
    if (std::find(required.begin(), required.end(), name) == required.end()) {
      return Fail(RegistryErrc::kInvalidInput, "unknown field " + name);
    }
    if (value.size() > kMaxFieldBytes) {
      return Fail(RegistryErrc::kInvalidInput, "field too long: " + name);
    }
    for (std::size_t k = 0; k < i; ++k) {
      if (fields[k].first == name) {
        return Fail(RegistryErrc::kInvalidInput, "repeated field " + name);
      }
    }
  }
  return Ok();
}

}  // namespace

std::string_view ToString(OnlineApplicationKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<OnlineApplicationKind> ParseOnlineApplicationKind(
    std::string_view s) {
  for (const auto& [k, name] : kKindNames) {
    if (name == s) return k;
  }
  return std::nullopt;
}

std::string_view ToString(OnlineApplicationState state) {
  switch (state) {
    case OnlineApplicationState::kSubmitted:
      return "submitted";
    case OnlineApplicationState::kAccepted:
      return "accepted";
    case OnlineApplicationState::kRejected:
      return "rejected";
  }
  return "unknown";
}

const std::vector<std::string>& RequiredFields(OnlineApplicationKind kind) {
  static const std::vector<std::string> kIncome = {
      "fiscal_year", "copies", "purpose", "mailing_address"};
  static const std::vector<std::string> kTax = {"fiscal_year", "tax_item",
                                                "copies", "mailing_address"};
  static const std::vector<std::string> kDelivery = {"delivery_address",
                                                     "reason"};
  static const std::vector<std::string> kKonbini = {
      "domicile_municipality", "domicile", "head_of_family"};
  static const std::vector<std::string> kInsurance = {
      "insurer_number", "insured_symbol", "insured_number"};
  switch (kind) {
    case OnlineApplicationKind::kIncomeCertificate:
      return kIncome;
    case OnlineApplicationKind::kTaxCertificate:
      return kTax;
    case OnlineApplicationKind::kDeliveryAddress:
      return kDelivery;
    case OnlineApplicationKind::kKonbiniRegistration:
      return kKonbini;
    case OnlineApplicationKind::kInsuranceRegistration:
      break;
  }
  return kInsurance;
}

std::string OnlineApplicationContent(OnlineApplicationKind kind,
                                     std::string_view resident_id,
                                     std::string_view municipality_code,
                                     const Fields& fields) {
  json field_object = json::object();  // std::map: keys sorted
  for (const auto& [name, value] : fields) field_object[name] = value;
  json content = {{"fields", field_object},
                  {"kind", ToString(kind)},
                  {"municipality", municipality_code},
                  {"resident", resident_id}};
  return content.dump();
}

OnlineApplications::OnlineApplications(RegistryStore& store, const Clock& clock,
                                       Rng& rng, SignatureTrust trust)
    : store_(store), clock_(clock), rng_(rng), trust_(std::move(trust)) {}

Result<OnlineApplication> OnlineApplications::Submit(
    const Actor& actor, const OnlineApplicationDraft& draft, ByteView cms) {
  OPENMYNA_RETURN_IF_ERROR(CheckFields(draft.kind, draft.fields));
  OnlineApplication a;
  const TimePoint now = clock_.Now();
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto resident, tx.GetResident(draft.resident_id));
    if (!resident) return Fail(RegistryErrc::kNotFound, "no such resident");
    const bool self = actor.role == Role::kResident && actor.id == resident->id;
    const bool proxy = actor.role == Role::kResident &&
                       !resident->legal_representative_id.empty() &&
                       actor.id == resident->legal_representative_id;
    if (!self && !proxy) {
      return Fail(RegistryErrc::kRefused,
                  "only the resident or their legal representative applies");
    }
    OPENMYNA_RETURN_IF_ERROR(
        Address(tx, *resident, draft, now, rng_, a).transform([](auto&&) {}));
    a.cms.assign(cms.begin(), cms.end());
    OPENMYNA_ASSIGN_OR_RETURN(auto signature, Verify(tx, a, trust_, now));
    a.signed_at = signature.signed_at;
    a.signer_serial = signature.serial;
    OPENMYNA_RETURN_IF_ERROR(Put(tx, a, /*insert=*/true));
    if (proxy) {
      // The representative acted for the resident: the child's history
      // shows it (issue 10, item 7).
      AuditEntry entry;
      entry.id = NewAuditId(now, rng_);
      entry.resident_id = resident->id;
      entry.actor_id = actor.id;
      entry.role = Role::kResident;
      entry.action = "online_application.submit";
      entry.reason = actor.why;
      entry.at = now;
      entry.on_behalf_of = resident->id;
      entry.items = {"application"};
      OPENMYNA_RETURN_IF_ERROR(tx.AppendAudit(entry));
    }
    return Ok();
  }));
  return a;
}

Result<OnlineApplication> OnlineApplications::SubmitAtKiosk(
    const Actor& actor, const OnlineApplicationDraft& draft,
    std::string_view authentication_serial) {
  if (actor.role != Role::kKiosk) {
    return Fail(RegistryErrc::kRefused, "a kiosk submits at the kiosk");
  }
  if (draft.kind != OnlineApplicationKind::kKonbiniRegistration) {
    return Fail(RegistryErrc::kRefused,
                "only the 利用登録申請 is made at a kiosk");
  }
  OPENMYNA_RETURN_IF_ERROR(CheckFields(draft.kind, draft.fields));
  OnlineApplication a;
  const TimePoint now = clock_.Now();
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto resident, tx.GetResident(draft.resident_id));
    if (!resident) return Fail(RegistryErrc::kNotFound, "no such resident");
    OPENMYNA_RETURN_IF_ERROR(
        CheckAuthentication(tx, resident->id, authentication_serial, now));
    OPENMYNA_RETURN_IF_ERROR(
        Address(tx, *resident, draft, now, rng_, a).transform([](auto&&) {}));
    a.channel = "kiosk";
    a.signer_serial = std::string(authentication_serial);
    a.signed_at = now;
    OPENMYNA_RETURN_IF_ERROR(Put(tx, a, /*insert=*/true));
    AuditEntry entry;
    entry.id = NewAuditId(now, rng_);
    entry.resident_id = resident->id;
    entry.actor_id = actor.id;
    entry.role = Role::kKiosk;
    entry.action = "online_application.submit";
    entry.reason = actor.why.empty() ? "利用登録申請" : actor.why;
    entry.at = now;
    entry.items = {"application"};
    return tx.AppendAudit(entry);
  }));
  return a;
}

Result<std::vector<OnlineApplication>> OnlineApplications::ListMine(
    const Actor& actor, std::string_view resident_id) {
  if (actor.role != Role::kResident) {
    return Fail(RegistryErrc::kRefused, "a resident's own list");
  }
  std::vector<OnlineApplication> out;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto resident, tx.GetResident(resident_id));
    if (!resident || (actor.id != resident->id &&
                      actor.id != resident->legal_representative_id)) {
      return Fail(RegistryErrc::kRefused, "not your record");
    }
    OPENMYNA_ASSIGN_OR_RETURN(
        out, ParseAll(tx.connection().Query(
                 "SELECT doc FROM online_applications WHERE resident_id = $1 "
                 "ORDER BY submitted_at DESC, id DESC",
                 {std::string(resident_id)})));
    return Ok();
  }));
  return out;
}

Result<std::vector<OnlineApplication>> ListApplicationsOf(
    RegistryTx& tx, std::string_view resident_id,
    std::string_view municipality_code, OnlineApplicationKind kind) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto all,
      ParseAll(tx.connection().Query(
          "SELECT doc FROM online_applications WHERE resident_id = "
          "$1 AND municipality_code = $2 ORDER BY submitted_at "
          "DESC, id DESC",
          {std::string(resident_id), std::string(municipality_code)})));
  std::erase_if(all, [&](const auto& a) { return a.kind != kind; });
  return all;
}

Result<std::vector<OnlineApplication>> OnlineApplications::Inbox(
    const Actor& actor, std::string_view municipality_code,
    std::optional<OnlineApplicationState> state) {
  if (actor.role != Role::kCounterClerk) {
    return Fail(RegistryErrc::kRefused, "the inbox is a counter clerk's");
  }
  std::vector<OnlineApplication> out;
  // One statement either way, on a reader (store.h ReadOneStatement).
  OPENMYNA_REGISTRY_TRANSACT(
      store_.ReadOneStatement([&](RegistryTx& tx) -> Status {
        if (state) {
          OPENMYNA_ASSIGN_OR_RETURN(
              out, ParseAll(tx.connection().Query(
                       "SELECT doc FROM online_applications WHERE "
                       "municipality_code = $1 AND state = $2 ORDER BY "
                       "submitted_at, id",
                       {std::string(municipality_code),
                        std::string(ToString(*state))})));
        } else {
          OPENMYNA_ASSIGN_OR_RETURN(
              out, ParseAll(tx.connection().Query(
                       "SELECT doc FROM online_applications WHERE "
                       "municipality_code = $1 ORDER BY submitted_at, id",
                       {std::string(municipality_code)})));
        }
        return Ok();
      }));
  return out;
}

namespace {

AuditEntry ClerkEntry(const Actor& actor, const OnlineApplication& a,
                      std::string_view action, const Municipality* m,
                      TimePoint now, Rng& rng) {
  AuditEntry entry;
  entry.id = NewAuditId(now, rng);
  entry.resident_id = a.resident_id;
  entry.actor_id = actor.id;
  entry.role = actor.role;
  entry.action = std::string(action);
  entry.reason = actor.why;
  entry.at = now;
  entry.requested_at = a.submitted_at;
  if (m) entry.requester = m->name;
  entry.items = {"application"};
  return entry;
}

}  // namespace

Result<OnlineApplication> OnlineApplications::Get(const Actor& actor,
                                                  std::string_view id) {
  if (actor.role != Role::kCounterClerk) {
    return Fail(RegistryErrc::kRefused, "a counter clerk reads the inbox");
  }
  OnlineApplication a;
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto found, Load(tx, id));
    if (!found) return Fail(RegistryErrc::kNotFound, "no such application");
    a = std::move(*found);
    OPENMYNA_ASSIGN_OR_RETURN(auto m, tx.GetMunicipality(a.municipality_code));
    return tx.AppendAudit(ClerkEntry(actor, a, "online_application.read",
                                     m ? &*m : nullptr, clock_.Now(), rng_));
  }));
  return a;
}

Result<OnlineApplication> OnlineApplications::Decide(const Actor& actor,
                                                     std::string_view id,
                                                     bool accept,
                                                     std::string_view reason) {
  if (actor.role != Role::kCounterClerk) {
    return Fail(RegistryErrc::kRefused, "a counter clerk decides");
  }
  if (!accept && reason.empty()) {
    return Fail(RegistryErrc::kInvalidInput, "a rejection needs a reason");
  }
  OnlineApplication a;
  const TimePoint now = clock_.Now();
  OPENMYNA_REGISTRY_TRANSACT(store_.Transact([&](RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(auto found, Load(tx, id));
    if (!found) return Fail(RegistryErrc::kNotFound, "no such application");
    a = std::move(*found);
    if (a.state != OnlineApplicationState::kSubmitted) {
      return Fail(RegistryErrc::kConflict, "already decided");
    }
    if (accept && a.channel == "kiosk") {
      OPENMYNA_RETURN_IF_ERROR(
          CheckAuthentication(tx, a.resident_id, a.signer_serial, now));
    } else if (accept) {
      OPENMYNA_RETURN_IF_ERROR(Verify(tx, a, trust_, now));
    }
    a.state = accept ? OnlineApplicationState::kAccepted
                     : OnlineApplicationState::kRejected;
    a.decided_at = now;
    a.decided_by = actor.id;
    a.decision_reason = std::string(reason);
    OPENMYNA_RETURN_IF_ERROR(Put(tx, a, /*insert=*/false));
    OPENMYNA_ASSIGN_OR_RETURN(auto m, tx.GetMunicipality(a.municipality_code));
    OPENMYNA_RETURN_IF_ERROR(tx.AppendAudit(ClerkEntry(
        actor, a, "online_application.decide", m ? &*m : nullptr, now, rng_)));
    ResidentNotice notice;
    notice.resident_id = a.resident_id;
    notice.kind = ResidentNoticeKind::kApplicationResult;
    notice.subject = "application:" + a.id;
    notice.created_at = now;
    notice.params = {{"application_id", a.id},
                     {"application_kind", std::string(ToString(a.kind))},
                     {"result", std::string(ToString(a.state))},
                     {"reason", a.decision_reason},
                     {"body", m ? m->name : a.municipality_code}};
    return InsertResidentNotice(tx, std::move(notice), rng_)
        .transform([](bool) {});
  }));
  return a;
}

}  // namespace openmyna::registry
