// Credentials of staff and terminals (counter clerk, hotline operator, kiosk,
// platform): created once (`openmyna init`, which `openmyna up` runs; more
// with `openmyna db credentials`), the secret shown once and stored
// only as PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) with a 16-byte random salt,
// through OpenSSL's EVP_KDF. Verification compares in constant time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

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

// The roles that get a credential at setup, in this order.
inline constexpr Role kStaffRoles[] = {
    Role::kCounterClerk, Role::kHotlineOperator, Role::kKiosk, Role::kPlatform};

// The first line of DIR/credentials.txt.
inline constexpr std::string_view kCredentialsFileHeader =
    "# OpenMyna registry API credentials (HTTP Basic user:password), one per "
    "role.\n# Shown once: only PBKDF2 hashes are stored. Keep this file "
    "private.\n";

// "  <role, padded to 16> <id>:<secret>\n" per credential: what `init` and
// `db credentials` print and what the credentials file holds.
std::string FormatCredentials(std::span<const NewCredential> credentials);

// How many credentials the store holds (any role).
Result<std::int64_t> CountCredentials(RegistryStore& store);

struct StaffCredentials {
  bool created = false;  // false: some existed, nothing was changed
  std::vector<NewCredential> credentials;  // the new ones (created only)
  std::filesystem::path file;
};

// The setup step of `openmyna init`: when the store holds no credential yet,
// one per kStaffRoles, written to `file` (0600, kCredentialsFileHeader then
// FormatCredentials) BEFORE they are stored (one transaction; the file is
// removed if storing fails), and returned to be shown once. When any
// credential exists, changes nothing and returns created = false. Errors:
// kStorage, kUnavailable (the file cannot be written).
Result<StaffCredentials> EnsureStaffCredentials(
    RegistryStore& store, const std::filesystem::path& file, Rng& rng,
    const Clock& clock, int iterations = kCredentialIterations);

// The role of a valid (id, secret) pair; nullopt when the id is unknown or
// the secret wrong (a value, not an error). Errors only for storage.
Result<std::optional<Role>> VerifyCredential(RegistryStore& store,
                                             std::string_view id,
                                             std::string_view secret);

}  // namespace openmyna::registry
