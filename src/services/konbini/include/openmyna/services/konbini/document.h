// A certificate document issued at the convenience-store kiosk (issue 11,
// items 3 and 5): the certified fields and the pages as the municipal issuer
// (証明発行サーバ) renders them, bound to ONE kiosk session by the centre's
// request id and the authenticated subject, and signed by the municipality's
// sandbox document-signing key so that anyone can verify it by machine.
//
// Signed form: a JWS in compact serialisation (RFC 7515 §7.1), algorithm
// RS256 (RFC 7518 §3.3: RSASSA-PKCS1-v1_5 with SHA-256), payload the JSON of
// the document; `openmyna verify document FILE` checks it against the
// municipality's public key. The kiosk checks the binding (request id and
// subject) on the signed payload before it prints (the check that would
// have stopped each 2023 incident, konbini.md §4).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/result.h"
#include "openmyna/domain/konbini.h"
#include "openmyna/pki/openssl_types.h"

namespace openmyna::konbini {

struct DocumentPage {
  int number = 1;                  // n of "n/N"
  int count = 1;                   // N
  std::vector<std::string> lines;  // empty in a page's 2D code
};

struct Document {
  std::string request_id;         // the centre's session request id
  std::string issuer_request_id;  // the issuer's own request id
  std::string issuer_instance;    // which issuer instance answered
  std::string municipality_code;
  std::string municipality_name;  // as printed ("千曲市")
  domain::KonbiniCertificate certificate =
      domain::KonbiniCertificate::kJuminhyo;
  std::string subject;    // the authenticated requester's resident id
  std::string issued_at;  // UTC, "YYYY-MM-DDTHH:MM:SSZ"
  int copies = 1;
  nlohmann::json fields;  // the certified fields (an object)
  std::vector<DocumentPage> pages;
};

nlohmann::json ToJson(const Document& d);
// The payload of page `n`'s 2D code: the document without the pages' lines,
// with `pages` = [{"n": n, "of": N}] (the certified fields stay, so the
// code alone is verifiable offline). `n` is 1-based.
nlohmann::json PageCodeJson(const Document& d, int n);
Result<Document> DocumentFromJson(const nlohmann::json& j);

// A municipality's sandbox document-signing key (RSA-2048).
class DocumentSigner {
 public:
  // A new key (OpenSSL's DRBG).
  static Result<std::shared_ptr<DocumentSigner>> Generate(std::string key_id);
  // From a PEM private key (PKCS#8).
  static Result<std::shared_ptr<DocumentSigner>> FromPem(
      std::string key_id, std::string_view private_key_pem);

  const std::string& key_id() const { return key_id_; }
  // The public key, PEM (SubjectPublicKeyInfo).
  std::string PublicKeyPem() const;
  std::string PrivateKeyPem() const;
  // The compact JWS of the document (header {"alg":"RS256","kid":...}).
  Result<std::string> Sign(const Document& d) const;
  // The compact JWS of page `n`'s 2D code (PageCodeJson).
  Result<std::string> SignPage(const Document& d, int n) const;
  // The private key (borrowed), e.g. to sign the PDF.
  EVP_PKEY* key() const { return key_.get(); }

 private:
  DocumentSigner(std::string key_id, pki::EvpPkeyPtr key)
      : key_id_(std::move(key_id)), key_(std::move(key)) {}
  Result<std::string> SignJson(const nlohmann::json& payload) const;
  std::string key_id_;
  pki::EvpPkeyPtr key_;
};

// Checks a compact JWS against `public_key_pem` and returns the document:
// kBadSignature for a wrong signature, alg other than RS256 or malformed
// input.
Result<Document> VerifyDocument(std::string_view jws,
                                std::string_view public_key_pem);

// base64url without padding (RFC 4648 §5), as JWS uses.
std::string Base64Url(std::string_view bytes);
std::optional<std::string> FromBase64Url(std::string_view text);

}  // namespace openmyna::konbini
