// The basic attributes (基本4情報) the card holder's app read from the
// input-assist AP, checked before the provider releases them instead of
// the registry's copy (issue 9 item 2; card-apdu.md §5, §8.3): the app
// posts EF 0002 and EF 0003 as the card holds them, and
//   1. DF33 of EF 0003 must verify (RSASSA-PKCS1-v1_5, SHA-256) over the
//      DF31 and DF32 TLVs with the sandbox's data issuer key — the key that
//      signed the card's data at issuance;
//   2. DF32 must be the SHA-256 of EF 0002 from its DF22 tag to the end;
//   3. DF31 must be the SHA-256 of the My Number EF (FF 10 0C <12 digits>
//      FF FF) of the resident the authentication certificate maps to: the
//      data is that person's, not another card's;
// then the attributes are decoded from EF 0002 itself. Private to the
// sign_in library.
#pragma once

#include <openssl/evp.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"

namespace openmyna::sign_in {

// The OIDC claims (name as on the card, address, birthdate YYYY-MM-DD,
// gender male | female | unknown) of `scopes`, or kInvalid naming the
// check that failed. `issuer_key` (public half is enough) is borrowed.
Result<nlohmann::json> VerifiedCardAttributes(
    ByteView ef0002, ByteView ef0003, EVP_PKEY* issuer_key,
    std::string_view individual_number, const std::vector<std::string>& scopes);

}  // namespace openmyna::sign_in
