// (internal) A resident's whole file — the record with its cards,
// certificates, applications, fees and notices — read in one statement
// (service.cc GetResident, the registry API's audited read).
#pragma once

#include <string_view>

#include "openmyna/base/result.h"
#include "openmyna/registry/service.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry::internal {

// The lists in the order of RegistryTx's List* (cards, fees and notices by
// id; applications by received_at, id; certificates card by card, each
// card's by not_before, serial). kNotFound "no resident ID" when there is
// none.
Result<ResidentFile> ReadResidentFile(RegistryTx& tx, std::string_view id);

}  // namespace openmyna::registry::internal
