#include "openmyna/registry/credentials.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/file_io.h"
#include "openmyna/registry/errors.h"

namespace openmyna::registry {
namespace {

Result<Bytes> Pbkdf2(std::string_view secret, ByteView salt, int iterations) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "PBKDF2", nullptr);
  if (kdf == nullptr) return Fail(RegistryErrc::kUnavailable, "no PBKDF2");
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (ctx == nullptr) return Fail(RegistryErrc::kUnavailable, "no KDF context");
  std::string password(secret);
  Bytes salt_copy(salt.begin(), salt.end());
  unsigned int iter = static_cast<unsigned int>(iterations);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
                                        password.data(), password.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt_copy.data(),
                                        salt_copy.size()),
      OSSL_PARAM_construct_uint(OSSL_KDF_PARAM_ITER, &iter),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end()};
  Bytes out(32);
  const int ok = EVP_KDF_derive(ctx, out.data(), out.size(), params);
  EVP_KDF_CTX_free(ctx);
  SecureWipe(password);
  if (ok != 1) return Fail(RegistryErrc::kUnavailable, "PBKDF2 failed");
  return out;
}

std::string_view Prefix(Role role) {
  switch (role) {
    case Role::kCounterClerk:
      return "clerk-";
    case Role::kHotlineOperator:
      return "hotline-";
    case Role::kKiosk:
      return "kiosk-";
    case Role::kPlatform:
      return "platform-";
    default:
      return "system-";
  }
}

// A new credential and the JSON document stored for it (hash only).
struct Prepared {
  NewCredential credential;
  std::string doc;
};

Result<Prepared> Prepare(Role role, Rng& rng, const Clock& clock,
                         int iterations) {
  if (role == Role::kResident) {
    return Fail(RegistryErrc::kInvalidInput,
                "residents authenticate with their card, not a credential");
  }
  if (iterations < 1) {
    return Fail(RegistryErrc::kInvalidInput, "iterations must be positive");
  }
  NewCredential credential{std::string(Prefix(role)) + ToHex(rng.Bytes(6)),
                           ToHex(rng.Bytes(16)), role};
  const Bytes salt = rng.Bytes(16);
  OPENMYNA_ASSIGN_OR_RETURN(Bytes hash,
                            Pbkdf2(credential.secret, salt, iterations));
  const nlohmann::json doc = {
      {"id", credential.id},
      {"role", std::string(ToString(role))},
      {"kdf", "PBKDF2-HMAC-SHA256"},
      {"iterations", iterations},
      {"salt", ToHex(salt)},
      {"hash", ToHex(hash)},
      {"created_at", std::chrono::duration_cast<std::chrono::seconds>(
                         clock.Now().time_since_epoch())
                         .count()}};
  return Prepared{std::move(credential), doc.dump()};
}

Status Insert(RegistryTx& tx, const Prepared& p) {
  auto rows = tx.connection().Query(
      "INSERT INTO credentials (id, role, doc) VALUES ($1, $2, $3)",
      {p.credential.id, std::string(ToString(p.credential.role)), p.doc});
  if (!rows) return Unexpected(std::move(rows).error());
  return Ok();
}

}  // namespace

Result<NewCredential> CreateCredential(RegistryStore& store, Role role,
                                       Rng& rng, const Clock& clock,
                                       int iterations) {
  OPENMYNA_ASSIGN_OR_RETURN(Prepared p, Prepare(role, rng, clock, iterations));
  OPENMYNA_REGISTRY_TRANSACT(
      store.Transact([&](RegistryTx& tx) { return Insert(tx, p); }));
  return std::move(p.credential);
}

std::string FormatCredentials(std::span<const NewCredential> credentials) {
  std::string out;
  for (const NewCredential& c : credentials) {
    std::string role(ToString(c.role));
    role.resize(std::max<std::size_t>(role.size(), 16), ' ');
    out += "  " + role + " " + c.id + ":" + c.secret + "\n";
  }
  return out;
}

Result<std::int64_t> CountCredentials(RegistryStore& store) {
  std::int64_t count = 0;
  OPENMYNA_REGISTRY_TRANSACT(
      store.ReadOneStatement([&](RegistryTx& tx) -> Status {
        OPENMYNA_ASSIGN_OR_RETURN(
            auto rows,
            tx.connection().Query("SELECT COUNT(*) FROM credentials"));
        count = std::stoll(rows.at(0).at(0).value_or("0"));
        return Ok();
      }));
  return count;
}

Result<StaffCredentials> EnsureStaffCredentials(
    RegistryStore& store, const std::filesystem::path& file, Rng& rng,
    const Clock& clock, int iterations) {
  StaffCredentials out;
  out.file = file;
  OPENMYNA_ASSIGN_OR_RETURN(std::int64_t existing, CountCredentials(store));
  if (existing > 0) return out;
  std::vector<Prepared> prepared;
  for (Role role : kStaffRoles) {
    OPENMYNA_ASSIGN_OR_RETURN(Prepared p,
                              Prepare(role, rng, clock, iterations));
    prepared.push_back(std::move(p));
  }
  for (const Prepared& p : prepared) out.credentials.push_back(p.credential);
  // The file first: credentials that were stored but never shown would be
  // lost for good. If storing fails, the file goes.
  std::string text =
      std::string(kCredentialsFileHeader) + FormatCredentials(out.credentials);
  auto written = WriteFileAtomically(file, std::string_view(text));
  SecureWipe(text);
  if (!written) {
    return Fail(RegistryErrc::kUnavailable,
                "writing " + file.string() + ": " + written.error().message());
  }
  auto stored = store.Transact([&](RegistryTx& tx) -> Status {
    for (const Prepared& p : prepared) OPENMYNA_RETURN_IF_ERROR(Insert(tx, p));
    return Ok();
  });
  if (!stored) {
    std::error_code ec;
    std::filesystem::remove(file, ec);
    return Unexpected(std::move(stored).error());
  }
  out.created = true;
  return out;
}

Result<std::optional<Role>> VerifyCredential(RegistryStore& store,
                                             std::string_view id,
                                             std::string_view secret) {
  std::optional<std::string> doc_text;
  // One statement, beside the writer (store.h ReadOneStatement).
  OPENMYNA_REGISTRY_TRANSACT(
      store.ReadOneStatement([&](RegistryTx& tx) -> Status {
        OPENMYNA_ASSIGN_OR_RETURN(
            auto rows,
            tx.connection().Query("SELECT doc FROM credentials WHERE id = $1",
                                  {std::string(id)}));
        if (!rows.empty()) doc_text = rows[0][0];
        return Ok();
      }));
  if (!doc_text) return std::optional<Role>();
  const nlohmann::json doc = nlohmann::json::parse(*doc_text, nullptr, false);
  if (doc.is_discarded() || !doc.contains("salt") || !doc.contains("hash")) {
    return Fail(RegistryErrc::kStorage, "unreadable credential");
  }
  auto salt = FromHex(doc.value("salt", ""));
  auto expected = FromHex(doc.value("hash", ""));
  auto role = ParseRole(doc.value("role", ""));
  if (!salt || !expected) {
    return Fail(RegistryErrc::kStorage, "unreadable credential");
  }
  if (!role) {
    return Fail(RegistryErrc::kStorage, "credentials.doc: unknown role \"" +
                                            doc.value("role", "") + "\"");
  }
  OPENMYNA_ASSIGN_OR_RETURN(Bytes actual,
                            Pbkdf2(secret, *salt, doc.value("iterations", 1)));
  if (!ConstantTimeEquals(actual, *expected)) return std::optional<Role>();
  return std::optional<Role>(*role);
}

}  // namespace openmyna::registry
