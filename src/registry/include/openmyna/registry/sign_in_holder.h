// What the sign-in provider (services/sign_in, issue 9) reads of the
// registry for the certificate a card presented: the certificate's type,
// its holder and the card's state, kind and void reason, in one statement
// that returns only those (the certificate's, resident's and card's stored
// documents are not parsed). The registry's full records of the same: the
// holder look-up of certificate_holder.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "openmyna/base/result.h"
#include "openmyna/registry/model.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry {

struct SignInHolder {
  CertificateType type = CertificateType::kAuthentication;
  std::string resident_id;
  std::string individual_number;  // never logged (domain.md §2)
  CardState card_state = CardState::kProduced;
  CardKind card_kind = CardKind::kStandard;
  VoidReason void_reason = VoidReason::kNone;
};

// The certificate with the registry's `serial` (hex as keyed: pki::Serial's
// Hex()), inside the caller's transaction (a reader's: RegistryStore::Read),
// without role check or audit entry: the provider audits the sign-in
// itself. std::nullopt when the registry issued no such serial, or its card
// or resident is missing; kStorage on a storage failure.
Result<std::optional<SignInHolder>> ReadSignInHolder(RegistryTx& tx,
                                                     std::string_view serial);

}  // namespace openmyna::registry
