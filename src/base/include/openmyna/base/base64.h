// Base64 (RFC 4648 §4), for the JSON of APIs that carry DER and signatures.
// (JOSE's strict base64url is sign_in/jose.h.)
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "openmyna/base/bytes.h"

namespace openmyna {

// Standard alphabet, with padding.
std::string Base64Encode(ByteView data);
// The standard or the URL-safe alphabet (§5), padding optional; nullopt for
// empty input or any other character (whitespace included).
std::optional<Bytes> Base64Decode(std::string_view text);

}  // namespace openmyna
