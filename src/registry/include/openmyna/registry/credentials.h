// Credentials of staff and terminals (counter clerk, hotline operator, kiosk,
// platform): created once (`openmyna init`), the secret shown once and stored
// only as PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) with a 16-byte random salt,
// through OpenSSL's EVP_KDF. Verification compares in constant time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/registry/model.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry {

// PBKDF2 iterations for new credentials (OWASP 2023 guidance for
// PBKDF2-HMAC-SHA256: 600,000).
inline constexpr int kCredentialIterations = 600'000;

struct NewCredential {
  std::string id;      // "clerk-3f2a…": the user name
  std::string secret;  // 32 hex characters; shown once, never stored
  Role role;
};

// Creates and stores a credential for `role` (any role but kResident:
// residents authenticate with their card). `iterations` lower than the
// default is for tests only.
Result<NewCredential> CreateCredential(RegistryStore& store, Role role,
                                       Rng& rng, const Clock& clock,
                                       int iterations = kCredentialIterations);

// The role of a valid (id, secret) pair; nullopt when the id is unknown or
// the secret wrong (a value, not an error). Errors only for storage.
Result<std::optional<Role>> VerifyCredential(RegistryStore& store,
                                             std::string_view id,
                                             std::string_view secret);

}  // namespace openmyna::registry
