#include "openmyna/services/sign_transactions.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <ctime>
#include <memory>

#include "openmyna/base/base64.h"

namespace openmyna {

std::string_view ErrorTraits<services::SignTransactionErrc>::Name(
    services::SignTransactionErrc code) {
  using services::SignTransactionErrc;
  switch (code) {
    case SignTransactionErrc::kInvalid:
      return "invalid_input";
    case SignTransactionErrc::kNotFound:
      return "not_found";
    case SignTransactionErrc::kRefused:
      return "refused";
    case SignTransactionErrc::kNotReady:
      return "not_ready";
    case SignTransactionErrc::kGone:
      return "gone";
  }
  return "unknown";
}

namespace services {
namespace {

using nlohmann::json;
using Errc = SignTransactionErrc;

// DER prefix of a SHA-256 DigestInfo (RFC 8017 §9.2 note 1).
constexpr unsigned char kSha256Prefix[] = {
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
    0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};

std::string Iso(TimePoint t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// RSASSA-PKCS1-v1_5 verification with the raw DigestInfo: the signature
// opened with the key must be exactly the padded `digest_info`.
bool SignedOver(ByteView certificate_der, ByteView signature,
                const Bytes& digest_info, std::string& why) {
  const unsigned char* p = certificate_der.data();
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      d2i_X509(nullptr, &p, static_cast<long>(certificate_der.size())),
      &X509_free);
  if (!cert || p != certificate_der.data() + certificate_der.size()) {
    why = "certificate_invalid: the certificate cannot be read";
    return false;
  }
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      key ? EVP_PKEY_CTX_new(key, nullptr) : nullptr, &EVP_PKEY_CTX_free);
  if (!ctx || !EVP_PKEY_is_a(key, "RSA") ||
      EVP_PKEY_verify_recover_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) {
    why = "certificate_invalid: not an RSA signature certificate";
    return false;
  }
  Bytes recovered(static_cast<std::size_t>(EVP_PKEY_get_size(key)));
  std::size_t size = recovered.size();
  if (EVP_PKEY_verify_recover(ctx.get(), recovered.data(), &size,
                              signature.data(), signature.size()) != 1 ||
      !std::equal(recovered.begin(), recovered.begin() + size,
                  digest_info.begin(), digest_info.end())) {
    why =
        "signature_invalid: the signature does not verify over the "
        "transaction's DigestInfo with the certificate's key";
    return false;
  }
  return true;
}

}  // namespace

Result<Bytes> Sha256DigestInfo(ByteView input) {
  if (input.size() == 32) {
    Bytes out(std::begin(kSha256Prefix), std::end(kSha256Prefix));
    out.insert(out.end(), input.begin(), input.end());
    return out;
  }
  if (input.size() == 51 &&
      std::equal(std::begin(kSha256Prefix), std::end(kSha256Prefix),
                 input.begin())) {
    return Bytes(input.begin(), input.end());
  }
  return Fail(Errc::kInvalid,
              "give the SHA-256 hash (32 bytes) or its DER DigestInfo (51 "
              "bytes, OID 2.16.840.1.101.3.4.2.1); got " +
                  std::to_string(input.size()) + " bytes");
}

SignTransactions::SignTransactions(const Clock& clock, Rng& rng,
                                   std::chrono::seconds lifetime)
    : clock_(clock), rng_(rng), lifetime_(lifetime) {}

Result<SignTransaction> SignTransactions::Create(std::string_view client_id,
                                                 ByteView hash_or_digest_info) {
  OPENMYNA_ASSIGN_OR_RETURN(Bytes digest_info,
                            Sha256DigestInfo(hash_or_digest_info));
  // UUID v4 (RFC 9562 §5.4), as the national API's sign_transaction_id.
  Bytes r = rng_.Bytes(16);
  r[6] = static_cast<std::uint8_t>((r[6] & 0x0f) | 0x40);
  r[8] = static_cast<std::uint8_t>((r[8] & 0x3f) | 0x80);
  const std::string hex = ToHex(r);
  SignTransaction t;
  t.id = hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) +
         "-" + hex.substr(16, 4) + "-" + hex.substr(20);
  t.client_id = std::string(client_id);
  t.digest_info = std::move(digest_info);
  t.created_at = clock_.Now();
  t.expires_at = t.created_at + lifetime_;
  std::lock_guard lock(mutex_);
  // Expired ones are kept an hour to say "expired" rather than "unknown".
  std::erase_if(transactions_, [&](const auto& entry) {
    return entry.second.expires_at + std::chrono::hours(1) < t.created_at;
  });
  transactions_[t.id] = t;
  return t;
}

Result<SignTransaction> SignTransactions::Find(std::string_view id) {
  std::lock_guard lock(mutex_);
  auto it = transactions_.find(id);
  if (it == transactions_.end()) {
    return Fail(Errc::kNotFound, "no such sign transaction");
  }
  if (it->second.expires_at <= clock_.Now()) {
    return Fail(Errc::kGone, "the sign transaction expired at " +
                                 Iso(it->second.expires_at));
  }
  return it->second;
}

Status SignTransactions::Complete(std::string_view id, ByteView certificate_der,
                                  ByteView signature) {
  OPENMYNA_ASSIGN_OR_RETURN(SignTransaction t, Find(id));
  if (t.is_signed) return Fail(Errc::kRefused, "signed already");
  std::string why;
  if (!SignedOver(certificate_der, signature, t.digest_info, why)) {
    return Fail(Errc::kRefused, why);
  }
  std::lock_guard lock(mutex_);
  auto it = transactions_.find(t.id);
  if (it == transactions_.end() || it->second.is_signed) {
    return Fail(Errc::kRefused, "signed already");
  }
  it->second.is_signed = true;
  it->second.signature.assign(signature.begin(), signature.end());
  it->second.certificate.assign(certificate_der.begin(), certificate_der.end());
  it->second.signed_at = clock_.Now();
  return Ok();
}

Status SignTransactions::Release(std::string_view id) {
  std::lock_guard lock(mutex_);
  auto it = transactions_.find(id);
  if (it == transactions_.end()) {
    return Fail(Errc::kNotFound, "no such sign transaction");
  }
  if (!it->second.is_signed) return Fail(Errc::kNotReady, "not signed yet");
  it->second.released = true;
  return Ok();
}

Result<std::string> SignTransactions::TakeResult(std::string_view id,
                                                 std::string_view client_id,
                                                 const Seal& seal) {
  std::lock_guard lock(mutex_);
  auto it = transactions_.find(id);
  // Another client's transaction is as unknown as a missing one.
  if (it == transactions_.end() || it->second.client_id != client_id) {
    return Fail(Errc::kNotFound, "no such sign transaction of this client");
  }
  SignTransaction& t = it->second;
  if (t.read) {
    return Fail(Errc::kGone, "the result was read already (it is given once)");
  }
  if (t.expires_at <= clock_.Now()) {
    return Fail(Errc::kGone,
                "the sign transaction expired at " + Iso(t.expires_at));
  }
  if (!t.is_signed) {
    return Fail(Errc::kNotReady, "the card holder has not signed yet");
  }
  if (!t.released) {
    return Fail(Errc::kNotReady,
                "signed, but the authorization code was not exchanged yet");
  }
  auto sealed = seal(json{{"sign_transaction_id", t.id},
                          {"digest_info", Base64Encode(t.digest_info)},
                          {"signature", Base64Encode(t.signature)},
                          {"certificate", Base64Encode(t.certificate)},
                          {"signed_at", Iso(t.signed_at)}});
  if (sealed) t.read = true;
  return sealed;
}

}  // namespace services
}  // namespace openmyna
