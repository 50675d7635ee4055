// The centre's checks of a card holder (konbini.md §1.3; docs/konbini.md
// "Rules and their sources"), shared by Centre::Authenticate and the
// resident's guide (guide.h), so the portal says what the centre does.
#pragma once

#include <string_view>

#include "openmyna/base/result.h"
#include "openmyna/domain/date.h"
#include "openmyna/registry/civil_model.h"
#include "openmyna/registry/model.h"
#include "openmyna/registry/store.h"

namespace openmyna::konbini {

// The first JST day the certificate maps to its holder at the centre: the
// day after the day of its issue (the "next day" of toshima, takamatsu),
// or the day of its dated mapping (registry/konbini_mapping.h).
Result<domain::Date> MappedFrom(registry::RegistryTx& tx,
                                const registry::Certificate& certificate);

// The holder of the authentication certificate `serial` when the centre
// serves them on `today`: the certificate known and not revoked, mapped
// (unless `immediate_mapping`), its card active, the resident alive, not
// moved out, not moved in today (unless `immediate_mapping`), at least 15.
// Refusals are kRefused with the kiosk's text.
Result<registry::Resident> CheckHolder(registry::RegistryTx& tx,
                                       std::string_view serial,
                                       domain::Date today,
                                       bool immediate_mapping);

// The issuer's rules on a person whose data a document carries (the
// requester, `is_subject`, or a chosen household member), on `today`:
// deceased, moved out, a 転出届 filed (ref §2.5, Tamba), a support measure
// in force. kRefused with the kiosk's text. Shared with the resident's
// guide, so that the portal does not offer what the issuer refuses.
Status CheckPerson(const registry::Resident& r,
                   const registry::ResidentCivil& items, domain::Date today,
                   bool is_subject);

}  // namespace openmyna::konbini
