// ぴったりサービス: online applications (issue 10, item 6). The resident
// fills a form in the portal; its content (OnlineApplicationContent: the
// kind, the resident, the municipality and the fields, as canonical JSON)
// is signed with the card's signature key as a detached CMS SignedData
// (RFC 5652; `openmyna app sign`); the municipality verifies the signature,
// the chain and revocation at the signing time before the application enters
// its inbox, where a clerk accepts or rejects it. The decision comes back to
// the resident as a notice (resident_notices.h, kApplicationResult).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/registry/model.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry {

enum class OnlineApplicationKind {
  kIncomeCertificate,  // 所得証明書 by post (the guidebook's example)
  kTaxCertificate,     // 納税証明書 by post
  kDeliveryAddress,  // 居所登録: where mail should go instead of the address
  kKonbiniRegistration,  // 利用登録申請: family-register certificates at a
                         // convenience store for a resident of elsewhere
  kInsuranceRegistration,  // 健康保険証利用登録
};
std::string_view ToString(OnlineApplicationKind kind);
std::optional<OnlineApplicationKind> ParseOnlineApplicationKind(
    std::string_view s);
// The form fields each kind requires (docs/portal.md).
const std::vector<std::string>& RequiredFields(OnlineApplicationKind kind);

enum class OnlineApplicationState { kSubmitted, kAccepted, kRejected };
std::string_view ToString(OnlineApplicationState state);

struct OnlineApplication {
  std::string id;
  std::string resident_id;
  std::string municipality_code;  // the inbox it was delivered to
  OnlineApplicationKind kind = OnlineApplicationKind::kIncomeCertificate;
  OnlineApplicationState state = OnlineApplicationState::kSubmitted;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string content;        // the signed bytes (OnlineApplicationContent)
  Bytes cms;                  // detached SignedData, DER
  std::string signer_serial;  // the signature certificate (lower-case hex)
  // "portal" (signed, cms) or "kiosk": a 利用登録申請 made at a
  // convenience-store kiosk, authenticated by the centre with the card's
  // authentication certificate (signer_serial), without a CMS.
  std::string channel = "portal";
  TimePoint signed_at;  // the signingTime attribute
  TimePoint submitted_at;
  std::optional<TimePoint> decided_at;
  std::string decided_by;
  std::string decision_reason;
};

// The bytes that are signed: {"fields":{…sorted…},"kind":…,"municipality":…,
// "resident":…} without spaces (keys sorted, UTF-8).
std::string OnlineApplicationContent(
    OnlineApplicationKind kind, std::string_view resident_id,
    std::string_view municipality_code,
    const std::vector<std::pair<std::string, std::string>>& fields);

struct OnlineApplicationDraft {
  std::string resident_id;
  // The inbox: "" = the resident's municipality; for kKonbiniRegistration
  // the field "domicile_municipality" (where the family register is) decides.
  OnlineApplicationKind kind = OnlineApplicationKind::kIncomeCertificate;
  std::vector<std::pair<std::string, std::string>> fields;
};

// The resident's applications of `kind` delivered to `municipality_code`,
// newest first, read in the caller's transaction (a service acting on an
// accepted application, e.g. konbini_registration.h). Not audited: the
// caller audits what it does with them.
Result<std::vector<OnlineApplication>> ListApplicationsOf(
    RegistryTx& tx, std::string_view resident_id,
    std::string_view municipality_code, OnlineApplicationKind kind);

// What the municipality checks a signature against: the signature CA's
// roots (every generation, DER).
struct SignatureTrust {
  std::vector<Bytes> roots;
};

// The municipality's inbox and the resident's submissions. Thread-safe.
class OnlineApplications {
 public:
  // Borrowed references must outlive this object.
  OnlineApplications(RegistryStore& store, const Clock& clock, Rng& rng,
                     SignatureTrust trust);

  // The resident (or the legal representative) submits. The content is
  // rebuilt from `draft` and must be what `cms` signed (a field changed after
  // signing is refused, kRefused); the signer certificate must chain to a
  // root, be valid at the signing time, be a signature certificate of this
  // resident in the registry and not revoked at the signing time (kRefused
  // with the reason). A missing required field is kInvalidInput. Delivered
  // to the inbox of the resident's municipality; audited as the resident's
  // own act (no third party) and visible to them. A 利用登録申請 is
  // refused (kRefused, "審査中" / "受け付け済み") while one at the same
  // domicile waits for the clerk or was accepted and not voided by a
  // renewal: checked inside the transaction that files it, so concurrent
  // submissions (any channel) file exactly one.
  Result<OnlineApplication> Submit(const Actor& actor,
                                   const OnlineApplicationDraft& draft,
                                   ByteView cms);
  // A 利用登録申請 (kKonbiniRegistration only) made at a kiosk (actor role
  // kKiosk) for the resident the centre authenticated with the card's
  // authentication certificate `authentication_serial`, which must be the
  // resident's, not revoked and valid now (kRefused otherwise). Delivered to
  // the domicile's inbox as Submit does; the clerk's acceptance checks the
  // certificate again instead of a signature; one at a time as for Submit.
  // Audited on the resident's
  // trail as the kiosk's act. The serial is public (CRLs, OCSP): the caller
  // must have verified the card's signature over a fresh challenge in the
  // same session (konbini::Centre::Authenticate) before calling; no route
  // calls this yet.
  Result<OnlineApplication> SubmitAtKiosk(
      const Actor& actor, const OnlineApplicationDraft& draft,
      std::string_view authentication_serial);
  // The resident's own applications, newest first.
  Result<std::vector<OnlineApplication>> ListMine(const Actor& actor,
                                                  std::string_view resident_id);
  // A counter clerk lists the municipality's inbox (state nullopt = all),
  // oldest first. Listing is not a read of one resident's data; opening one
  // (Get) is, and is audited.
  Result<std::vector<OnlineApplication>> Inbox(
      const Actor& actor, std::string_view municipality_code,
      std::optional<OnlineApplicationState> state);
  Result<OnlineApplication> Get(const Actor& actor, std::string_view id);
  // Accept (the signature is verified again) or reject (a reason is
  // required). kConflict when already decided. Writes the audit entry and
  // the resident's kApplicationResult notice.
  Result<OnlineApplication> Decide(const Actor& actor, std::string_view id,
                                   bool accept, std::string_view reason);

 private:
  RegistryStore& store_;
  const Clock& clock_;
  Rng& rng_;
  SignatureTrust trust_;
};

}  // namespace openmyna::registry
