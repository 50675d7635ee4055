// The konbini settings, parsed in one place for every command that runs a
// konbini service (review finding 3): `serve --set` for the services
// "konbini" (/kiosk/), "centre", "issuer" and "portal" (its コンビニ交付
// page), and `openmyna kiosk --set` (docs/konbini.md, docs/cli.md):
//
//   konbini.immediate-mapping=0|1          a certificate usable on its day
//                                          of issue (default 0: the next day)
//   konbini.registration-office-days=N     office days before a 利用登録申請
//                                          takes effect (0..9999, default 5)
//   konbini.ocsp-url=URL|none              the OCSP responder (RFC 6960) the
//                                          centre asks about a card; default
//                                          per command (below)
//   konbini.issuer-deadline=MS             centre: 100..3600000 (10000)
//   konbini.confirm-deadline=MS            centre: 100..3600000 (5000), the
//                                          wait for the print confirmation
//   konbini.session-timeout=SECONDS        centre: 10..86400 (180)
//   konbini.kiosk-timeout=SECONDS          /kiosk/: 10..86400 (180)
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "openmyna/base/result.h"
#include "openmyna/services/konbini/site.h"

namespace openmyna::cli {

// Where the centre's card check asks when konbini.ocsp-url is not set.
enum class DefaultOcsp {
  kSandbox,  // serve's own responder: <base_url>/ocsp/auth (SandboxOcspUrl)
  kNone,     // none: the registry's revocation flag alone
};

struct KonbiniSettings {
  bool immediate_mapping = false;
  int registration_office_days = 5;
  std::optional<std::string> ocsp_url;  // the setting; "" = none
  DefaultOcsp default_ocsp = DefaultOcsp::kNone;
  std::chrono::milliseconds issuer_deadline{10'000};
  std::chrono::milliseconds confirm_deadline{5'000};
  std::chrono::seconds session_timeout{180};
  std::chrono::seconds kiosk_timeout{180};

  // The responder the centre asks ("" = none): the setting, else the
  // default (the sandbox in `data_dir`: kUnavailable-like error without
  // one).
  Result<std::string> OcspUrl(const std::filesystem::path& data_dir) const;
  // The centre's and the local issuers' options of a konbini::Site (all
  // but the OCSP URL, resolved by OcspUrl when the site opens).
  void ApplyTo(konbini::SiteOptions& options) const;
};

// Reads the konbini.* names of `settings` (others are ignored); a bad value
// is kInvalidInput naming the setting and what it takes.
Result<KonbiniSettings> ParseKonbiniSettings(
    const std::map<std::string, std::string>& settings,
    DefaultOcsp default_ocsp);

}  // namespace openmyna::cli
