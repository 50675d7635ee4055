#include "sign_demo.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "openmyna/base/base64.h"
#include "openmyna/base/errors.h"
#include "openmyna/http/client.h"
#include "openmyna/pki/names.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/sign_in/jose.h"
#include "openmyna/sign_in/jwe.h"
#include "openmyna/web/form.h"

namespace openmyna::demo_rp {
namespace {

using json = nlohmann::json;

Error Refused(std::string what) {
  return Error(BaseErrc::kInvalidArgument, std::move(what));
}

std::string Pem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return pem;
}

std::string CommonName(X509* cert) {
  X509_NAME* name = X509_get_subject_name(cert);
  const int at = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (at < 0) return {};
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(
      &utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at)));
  if (n < 0) return {};
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

// RSASSA-PKCS1-v1_5 with SHA-256 over the document (the card signed its
// DigestInfo), with the certificate's key.
bool VerifiesOver(X509* cert, ByteView signature, std::string_view document) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      ctx &&
      EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr,
                           X509_get0_pubkey(cert)) == 1 &&
      EVP_DigestVerify(ctx, signature.data(), signature.size(),
                       reinterpret_cast<const unsigned char*>(document.data()),
                       document.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

}  // namespace

Result<std::string> RpClient::Assertion() const {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               clock->Now().time_since_epoch())
                               .count();
  return sign_in::SignEs256({{"iss", client_id},
                             {"sub", client_id},
                             {"aud", TokenEndpoint()},
                             {"jti", sign_in::Base64UrlEncode(rng->Bytes(16))},
                             {"iat", now},
                             {"exp", now + 60}},
                            key, kid);
}

Result<std::string> ServiceToken(const RpClient& rp) {
  OPENMYNA_ASSIGN_OR_RETURN(std::string assertion, rp.Assertion());
  OPENMYNA_ASSIGN_OR_RETURN(
      http::ClientResponse answer,
      http::Fetch(
          {.method = "POST",
           .url = rp.TokenEndpoint(),
           .headers = {{"Content-Type", "application/x-www-form-urlencoded"}},
           .body = "grant_type=client_credentials&scope=sign"
                   "&client_assertion_type=" +
                   web::FormEncode("urn:ietf:params:oauth:client-assertion-"
                                   "type:jwt-bearer") +
                   "&client_assertion=" + assertion,
           .trusted_root_pem = rp.trusted_root}));
  const json token = json::parse(answer.body, nullptr, false);
  if (answer.status != 200 || !token.is_object() ||
      !token.contains("access_token")) {
    return Unexpected(
        Refused("client_credentials: " + std::to_string(answer.status) + " " +
                answer.body));
  }
  return token["access_token"].get<std::string>();
}

Result<std::string> CreateSignTransaction(const RpClient& rp,
                                          const std::string& token,
                                          std::string_view document) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(document.data()),
         document.size(), digest);
  OPENMYNA_ASSIGN_OR_RETURN(
      http::ClientResponse answer,
      http::Fetch(
          {.method = "POST",
           .url = rp.api,
           .headers = {{"Content-Type", "application/json"},
                       {"Authorization", "Bearer " + token}},
           .body = json{{"hash", Base64Encode(ByteView(digest, sizeof digest))}}
                       .dump(),
           .trusted_root_pem = rp.trusted_root}));
  const json created = json::parse(answer.body, nullptr, false);
  if (answer.status != 201 || !created.is_object() ||
      !created.contains("sign_transaction_id")) {
    return Unexpected(
        Refused("sign transaction: " + std::to_string(answer.status) + " " +
                answer.body));
  }
  return created["sign_transaction_id"].get<std::string>();
}

Result<SignedDocument> ReadSignResult(const RpClient& rp,
                                      const std::string& token,
                                      const std::string& transaction_id,
                                      std::string_view document,
                                      const std::filesystem::path& data_dir,
                                      const pki::OcspTransport& ocsp) {
  OPENMYNA_ASSIGN_OR_RETURN(
      http::ClientResponse answer,
      http::Fetch({.url = rp.api + "/" + transaction_id + "/result",
                   .headers = {{"Authorization", "Bearer " + token}},
                   .trusted_root_pem = rp.trusted_root}));
  if (answer.status != 200) {
    return Unexpected(Refused("sign result: " + std::to_string(answer.status) +
                              " " + answer.body));
  }
  OPENMYNA_ASSIGN_OR_RETURN(std::string plaintext,
                            sign_in::DecryptJwe(answer.body, rp.key));
  const json result = json::parse(plaintext, nullptr, false);
  const auto signature =
      Base64Decode(result.is_object() ? result.value("signature", "") : "");
  const auto der =
      Base64Decode(result.is_object() ? result.value("certificate", "") : "");
  if (!signature || !der ||
      result.value("sign_transaction_id", "") != transaction_id) {
    return Unexpected(Refused("the sign result is not for this transaction"));
  }
  OPENMYNA_ASSIGN_OR_RETURN(pki::X509Ptr cert, pki::ParseCertificate(*der));
  SignedDocument out;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(document.data()),
         document.size(), digest);
  out.sha256_hex = ToHex(ByteView(digest, sizeof digest));
  out.signature_b64 = Base64Encode(*signature);
  out.certificate_pem = Pem(cert.get());
  out.signer = CommonName(cert.get());
  out.signed_at = result.value("signed_at", "");
  out.signature_ok = VerifiesOver(cert.get(), *signature, document);
  // The chain to the sandbox signature CA, validity now, and OCSP.
  OPENMYNA_ASSIGN_OR_RETURN(pki::Sandbox sandbox, pki::Sandbox::Open(data_dir));
  OPENMYNA_ASSIGN_OR_RETURN(auto roots, sandbox.Roots(pki::CaKind::kSignature));
  std::vector<X509*> pointers;
  for (auto& r : roots) pointers.push_back(r.get());
  pki::VerifyOptions verify;
  verify.at = rp.clock->Now();
  verify.ocsp_url =
      sandbox.base_url() + std::string(pki::OcspPath(pki::CaKind::kSignature));
  verify.ocsp_transport = ocsp;
  verify.ocsp_current_at = verify.at;  // serve --now: the responder's clock
  const pki::CertificateVerdict verdict =
      pki::VerifyCertificate(cert.get(), pointers, verify);
  out.certificate_ok = verdict.good;
  out.certificate_detail = verdict.detail;
  return out;
}

json SignedDocument::ToJson() const {
  return {{"sha256", sha256_hex},
          {"signature", signature_b64},
          {"certificate", certificate_pem},
          {"signer", signer},
          {"signed_at", signed_at},
          {"signature_ok", signature_ok},
          {"certificate_ok", certificate_ok},
          {"certificate_detail", certificate_detail}};
}

}  // namespace openmyna::demo_rp
