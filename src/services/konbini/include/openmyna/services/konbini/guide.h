// What one resident can do at a convenience store today (コンビニ交付), as
// the Myna Portal's screen shows it (docs/portal.md, "コンビニ交付";
// issue 10 item 1): whether the service is open now, whether the
// resident's card is usable at the kiosk (the centre's own checks,
// konbini.md §1.3), the certificates of the municipality of residence and
// of the registered domicile with the guidebook's availability (早見表) and
// the fees in force (the dated fee table), and the documents carrying the
// resident's data that were issued, from the audit trail (やりとり履歴,
// `konbini.issue`) with the issuing municipality's ledger row.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/domain/konbini.h"
#include "openmyna/registry/konbini_ledger.h"
#include "openmyna/registry/konbini_registration.h"
#include "openmyna/registry/store.h"
#include "openmyna/services/konbini/centre.h"

namespace openmyna::konbini {

// The resident's card at the kiosk on the JST day of `now`.
struct CardAtKiosk {
  enum class State {
    kUsable,
    kNotYet,         // mapped from a later day (the day after issuance),
                     // and no other rule of the centre refuses on that day
    kRefused,        // another rule of the centre; `reason` is its text
    kFaceAuth,       // a face-authentication card: no PIN, no certificate
    kNoCertificate,  // no card with a valid authentication certificate
  };
  State state = State::kNoCertificate;
  std::string usable_from;  // kNotYet: the JST day (YYYY-MM-DD)
  std::string reason;       // kNotYet, kRefused: the kiosk's text (ja, then en)
};

struct CertificateOffer {
  domain::KonbiniCertificate certificate =
      domain::KonbiniCertificate::kJuminhyo;
  // The guidebook's 早見表 for this resident and this municipality.
  domain::Availability availability = domain::Availability::kAvailable;
  // 印鑑登録証明書 with no registered seal: the issuer refuses it.
  bool no_registered_seal = false;
  // The fee row in force today; nullopt when the municipality has none.
  std::optional<domain::KonbiniFeeRow> fee;
  // The issuer's refusal of the requester today (a filed 転出届, a support
  // measure in force...: holder.h CheckPerson), the kiosk's text; "" when
  // none.
  std::string refused_reason;
};

struct MunicipalityOffer {
  std::string code;
  std::string name;  // "千曲市" (the registry's name; the code if none)
  bool residence = false;  // 住所地
  bool domicile = false;   // 本籍地 (the family register's municipality)
  std::vector<CertificateOffer> certificates;  // the guidebook's order
  // The domicile of a resident of elsewhere: the 利用登録申請 as the
  // issuer judges it (registry/konbini_registration.h); its △ rows are
  // obtainable once it is effective.
  std::optional<registry::KonbiniRegistration> registration;
};

// One document that carried the resident's data.
struct IssuedDocument {
  TimePoint at;
  std::string request_id;  // the centre's
  // The issuing municipality's ledger row (certificate, copies, fee, the
  // requester); nullopt when it holds none for the request id.
  std::optional<registry::KonbiniIssuance> ledger;
  std::string municipality_name;
  bool requested_by_self = false;  // else by a member of the household
};

struct ResidentGuide {
  // Why the service is closed now (the guidebook's hours, the year-end
  // closure); nullopt when open.
  std::optional<std::string> closed_reason;
  CardAtKiosk card;
  // The municipality of residence first, then the domicile when another.
  std::vector<MunicipalityOffer> municipalities;
  // Newest first, within the audit trail's 7 years.
  std::vector<IssuedDocument> issued;
};

// Reads the resident's records in one transaction. `options` are the
// centre's (hours, maintenance, immediate mapping), `registration_office_days`
// the issuers' (IssuerPolicy). kRefused when there is no such resident;
// registry failures pass through.
Result<ResidentGuide> GuideForResident(registry::RegistryStore& store,
                                       std::string_view resident_id,
                                       TimePoint now,
                                       const CentreOptions& options = {},
                                       int registration_office_days = 5);

}  // namespace openmyna::konbini
