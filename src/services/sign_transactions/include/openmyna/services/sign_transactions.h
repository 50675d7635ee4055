// Signing for relying parties (issue 9, item 3; sign-in-portal.md §1.6): the
// national API's 署名API shape.
//
//   1. the relying party gets a client-credentials access token (the
//      provider's token endpoint, private_key_jwt);
//   2. POST /api/sign-transactions (Bearer) with the SHA-256 hash of its
//      document or the DER DigestInfo of it -> sign_transaction_id;
//   3. the authorization request carries scope "sign" and
//      sign_transaction_id; the card holder's app (`openmyna app sign
//      <link>`) signs the DigestInfo with the card's signature key (6–16
//      character password); the provider checks the signature certificate
//      (chain, validity, revocation, the registry) and hands the signature
//      to Complete(), which checks it over the DigestInfo;
//   4. the code exchange releases the transaction (Release());
//   5. GET /api/sign-transactions/{id}/result (Bearer, the creating client
//      only, once) returns the signature and the certificate as a compact
//      JWE to the client's key.
//
// States: created -> signed -> released -> read; every state ends when the
// transaction expires (10 minutes after creation by default). In memory
// (a restart drops them). Thread-safe. Rules only: the provider
// (src/services/sign_in) authorizes, the routes are wiring.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/http/router.h"

namespace openmyna::services {

enum class SignTransactionErrc {
  kInvalid = 1,   // malformed hash, DigestInfo or certificate
  kNotFound = 2,  // unknown, or another client's
  kRefused = 3,   // the signature does not verify, or signed already
  kNotReady = 4,  // not signed yet, or the code not exchanged yet
  kGone = 5,      // expired, or the result was read already
};

struct SignTransaction {
  std::string id;  // sign_transaction_id (UUID v4)
  std::string client_id;
  Bytes digest_info;  // DER DigestInfo with SHA-256 (RFC 8017 §9.2)
  TimePoint created_at;
  TimePoint expires_at;
  bool is_signed = false;
  Bytes signature;    // the card's, over digest_info
  Bytes certificate;  // the signature certificate (DER)
  TimePoint signed_at;
  bool released = false;  // the authorization code was exchanged
  bool read = false;      // the result was given out (once)
};

// The DER DigestInfo of a SHA-256 hash (32 bytes); a 51-byte DigestInfo
// with the SHA-256 OID is returned as is. kInvalid otherwise.
Result<Bytes> Sha256DigestInfo(ByteView hash_or_digest_info);

class SignTransactions {
 public:
  static constexpr std::chrono::seconds kDefaultLifetime{600};

  SignTransactions(const Clock& clock, Rng& rng,
                   std::chrono::seconds lifetime = kDefaultLifetime);

  Result<SignTransaction> Create(std::string_view client_id,
                                 ByteView hash_or_digest_info);
  // kNotFound when unknown, kGone when expired.
  Result<SignTransaction> Find(std::string_view id);
  // Keeps the holder's signature once it verifies (RSASSA-PKCS1-v1_5, RFC
  // 8017 §8.2.2) over the DigestInfo with the certificate's key; the
  // certificate's chain and standing are the caller's (the provider's)
  // check. kRefused ("signature_invalid: ...") otherwise.
  Status Complete(std::string_view id, ByteView certificate_der,
                  ByteView signature);
  // The provider exchanged the authorization code of this transaction.
  Status Release(std::string_view id);
  // The result for `client_id`, once: {"sign_transaction_id",
  // "digest_info", "signature", "certificate" (standard base64), "signed_at"}
  // as `seal` wraps it (the JWE); the transaction counts as read only when
  // `seal` succeeds.
  using Seal = std::function<Result<std::string>(const nlohmann::json&)>;
  Result<std::string> TakeResult(std::string_view id,
                                 std::string_view client_id, const Seal& seal);

 private:
  const Clock& clock_;
  Rng& rng_;
  const std::chrono::seconds lifetime_;
  std::mutex mutex_;
  std::map<std::string, SignTransaction, std::less<>> transactions_;
};

// The client of a valid client-credentials access token, else nullopt.
using BearerCheck =
    std::function<std::optional<std::string>(std::string_view token)>;
// The result as a compact JWE to the client's registered key.
using EncryptForClient = std::function<Result<std::string>(
    std::string_view client_id, std::string_view plaintext)>;

// POST /api/sign-transactions and GET /api/sign-transactions/{id}/result
// (the relying party, Bearer); errors as RFC 9457 problems. `transactions`
// is borrowed.
Status AddSignTransactionRoutes(http::Router& router,
                                SignTransactions& transactions,
                                BearerCheck bearer, EncryptForClient encrypt);

}  // namespace openmyna::services

template <>
struct openmyna::ErrorTraits<openmyna::services::SignTransactionErrc> {
  static constexpr std::string_view kLibrary = "sign_transactions";
  static std::string_view Name(openmyna::services::SignTransactionErrc code);
};
