// 利用登録申請 (issue 11 item 4; docs/konbini.md "The 利用登録申請";
// ../shared/docs/konbini.md §5): a resident whose family register is held
// by another municipality registers there, once, to get that
// municipality's 戸籍 and 戸籍の附票 at a convenience store (the △ of the
// guidebook's table). It is an online application of kind
// kKonbiniRegistration (online_applications.h) delivered to the domicile's
// inbox, signed with the card's signature key; a clerk accepts it.
//
// It takes effect `office_days` office days after its submission (Obihiro:
// "約5営業日後"; domain::AddOfficeDays), or on the day of acceptance when
// that is later, and is void once the resident holds an authentication
// certificate issued after the submission (renewal or a new card: "利用者
// 証明用電子証明書を更新した場合は再度申請", town.ikeda.fukui).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "openmyna/base/result.h"
#include "openmyna/domain/date.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry {

enum class KonbiniRegistrationState {
  kNone,       // never applied (or only rejected applications)
  kSubmitted,  // waiting for the domicile's clerk
  kPending,    // accepted, not yet effective (effective_on)
  kEffective,  // the domicile's certificates may be issued
  kVoid,       // the authentication certificate was renewed since (submitted or
               // accepted)
};

struct KonbiniRegistration {
  KonbiniRegistrationState state = KonbiniRegistrationState::kNone;
  std::string application_id;
  std::optional<domain::Date> effective_on;  // kPending, kEffective, and
                                             // kVoid once accepted
};

// The resident's registration at `municipality_code` on `today` (JST):
// effective when any application of that kind delivered there is; else the
// state of the newest one that was not rejected (a new application does not
// suspend a registration in force). `office_days` >= 0 (0: effective on
// acceptance).
Result<KonbiniRegistration> KonbiniRegistrationOf(
    RegistryTx& tx, std::string_view resident_id,
    std::string_view municipality_code, domain::Date today, int office_days);

// Why a kiosk cannot issue the domicile's certificates, or nullopt when the
// registration is effective (the text a kiosk shows).
std::optional<std::string> KonbiniRegistrationRefusal(
    const KonbiniRegistration& registration);

}  // namespace openmyna::registry
