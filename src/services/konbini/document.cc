#include "openmyna/services/konbini/document.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <map>
#include <memory>
#include <mutex>

#include "openmyna/base/base64.h"
#include "openmyna/base/bytes.h"
#include "openmyna/services/konbini/errors.h"

namespace openmyna::konbini {
namespace {

using nlohmann::json;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// The public key of `pem`, parsed once per process: a kiosk verifies its
// municipalities' few keys for every document, and OpenSSL 3's PEM decoder
// was most of the kiosk's check (perf, bench/konbini). A PEM text always
// parses to the same key, so the cache holds no judgement. nullptr when it
// is not a PEM public key.
std::shared_ptr<EVP_PKEY> PublicKeyOf(std::string_view pem) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<EVP_PKEY>, std::less<>> keys;
  constexpr std::size_t kMaxKeys = 256;
  {
    std::lock_guard lock(mutex);
    if (auto it = keys.find(pem); it != keys.end()) return it->second;
  }
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  std::shared_ptr<EVP_PKEY> key(
      PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr), EVP_PKEY_free);
  BIO_free(bio);
  if (!key) return nullptr;
  std::lock_guard lock(mutex);
  if (keys.size() >= kMaxKeys) keys.clear();
  keys.emplace(std::string(pem), key);
  return key;
}

}  // namespace

// JWS base64url (RFC 7515 §2): the URL-safe alphabet, no padding.
std::string Base64Url(std::string_view bytes) {
  std::string out = Base64Encode(ToBytes(bytes));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::optional<std::string> FromBase64Url(std::string_view text) {
  if (text.find_first_of("+/=") != std::string_view::npos) return std::nullopt;
  auto bytes = Base64Decode(text);
  if (!bytes) return std::nullopt;
  return openmyna::ToString(*bytes);
}

json ToJson(const Document& d) {
  json pages = json::array();
  for (const DocumentPage& p : d.pages) {
    pages.push_back({{"n", p.number}, {"of", p.count}, {"lines", p.lines}});
  }
  return {{"request_id", d.request_id},
          {"issuer_request_id", d.issuer_request_id},
          {"issuer_instance", d.issuer_instance},
          {"municipality", d.municipality_code},
          {"municipality_name", d.municipality_name},
          {"certificate", domain::KonbiniCertificateName(d.certificate)},
          {"subject", d.subject},
          {"issued_at", d.issued_at},
          {"copies", d.copies},
          {"fields", d.fields},
          {"pages", pages},
          {"sandbox", "SANDBOX - NOT AN OFFICIAL CERTIFICATE"}};
}

Result<Document> DocumentFromJson(const json& j) {
  try {
    Document d;
    d.request_id = j.at("request_id").get<std::string>();
    d.issuer_request_id = j.at("issuer_request_id").get<std::string>();
    d.issuer_instance = j.at("issuer_instance").get<std::string>();
    d.municipality_code = j.at("municipality").get<std::string>();
    d.municipality_name = j.value("municipality_name", std::string());
    auto c =
        domain::ParseKonbiniCertificate(j.at("certificate").get<std::string>());
    if (!c) return Fail(KonbiniErrc::kBadSignature, "unknown certificate");
    d.certificate = *c;
    d.subject = j.at("subject").get<std::string>();
    d.issued_at = j.at("issued_at").get<std::string>();
    d.copies = j.at("copies").get<int>();
    d.fields = j.at("fields");
    for (const json& p : j.at("pages")) {
      d.pages.push_back({p.at("n").get<int>(), p.at("of").get<int>(),
                         p.value("lines", std::vector<std::string>{})});
    }
    return d;
  } catch (const json::exception& e) {
    return Fail(KonbiniErrc::kBadSignature,
                std::string("not a document: ") + e.what());
  }
}

json PageCodeJson(const Document& d, int n) {
  json j = ToJson(d);
  j["pages"] =
      json::array({{{"n", n}, {"of", static_cast<int>(d.pages.size())}}});
  return j;
}

Result<std::shared_ptr<DocumentSigner>> DocumentSigner::Generate(
    std::string key_id) {
  pki::EvpPkeyPtr key(EVP_RSA_gen(2048));
  if (!key) return Fail(KonbiniErrc::kInternal, "RSA key generation failed");
  return std::shared_ptr<DocumentSigner>(
      new DocumentSigner(std::move(key_id), std::move(key)));
}

Result<std::shared_ptr<DocumentSigner>> DocumentSigner::FromPem(
    std::string key_id, std::string_view private_key_pem) {
  BIO* bio = BIO_new_mem_buf(private_key_pem.data(),
                             static_cast<int>(private_key_pem.size()));
  pki::EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  if (!key) return Fail(KonbiniErrc::kInvalidInput, "not a PEM private key");
  return std::shared_ptr<DocumentSigner>(
      new DocumentSigner(std::move(key_id), std::move(key)));
}

std::string DocumentSigner::PublicKeyPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key_.get());
  std::string pem = BioText(bio);
  BIO_free(bio);
  return pem;
}

std::string DocumentSigner::PrivateKeyPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key_.get(), nullptr, nullptr, 0, nullptr,
                           nullptr);
  std::string pem = BioText(bio);
  BIO_free(bio);
  return pem;
}

Result<std::string> DocumentSigner::Sign(const Document& d) const {
  return SignJson(ToJson(d));
}

Result<std::string> DocumentSigner::SignPage(const Document& d, int n) const {
  return SignJson(PageCodeJson(d, n));
}

Result<std::string> DocumentSigner::SignJson(const json& payload) const {
  const json header = {{"alg", "RS256"}, {"kid", key_id_}, {"typ", "JWT"}};
  const std::string input =
      Base64Url(header.dump()) + "." + Base64Url(payload.dump());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::size_t size = 0;
  std::string signature;
  bool ok = EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr,
                               key_.get()) == 1 &&
            EVP_DigestSign(ctx, nullptr, &size,
                           reinterpret_cast<const unsigned char*>(input.data()),
                           input.size()) == 1;
  if (ok) {
    signature.resize(size);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()),
                        &size,
                        reinterpret_cast<const unsigned char*>(input.data()),
                        input.size()) == 1;
    signature.resize(size);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) return Fail(KonbiniErrc::kInternal, "signing failed");
  return input + "." + Base64Url(signature);
}

Result<Document> VerifyDocument(std::string_view jws,
                                std::string_view public_key_pem) {
  const std::size_t dot1 = jws.find('.');
  const std::size_t dot2 =
      dot1 == std::string_view::npos ? dot1 : jws.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos ||
      jws.find('.', dot2 + 1) != std::string_view::npos) {
    return Fail(KonbiniErrc::kBadSignature, "not a compact JWS");
  }
  auto header_text = FromBase64Url(jws.substr(0, dot1));
  auto payload_text = FromBase64Url(jws.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = FromBase64Url(jws.substr(dot2 + 1));
  if (!header_text || !payload_text || !signature) {
    return Fail(KonbiniErrc::kBadSignature, "not base64url");
  }
  const json header = json::parse(*header_text, nullptr, false);
  if (!header.is_object() || header.value("alg", "") != "RS256") {
    return Fail(KonbiniErrc::kBadSignature, "alg must be RS256");
  }
  std::shared_ptr<EVP_PKEY> key = PublicKeyOf(public_key_pem);
  if (!key) return Fail(KonbiniErrc::kInvalidInput, "not a PEM public key");
  const std::string_view input = jws.substr(0, dot2);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool good =
      EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key.get()) ==
          1 &&
      EVP_DigestVerify(
          ctx, reinterpret_cast<const unsigned char*>(signature->data()),
          signature->size(),
          reinterpret_cast<const unsigned char*>(input.data()),
          input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!good) {
    return Fail(KonbiniErrc::kBadSignature,
                "the signature does not verify with this key");
  }
  const json payload = json::parse(*payload_text, nullptr, false);
  if (!payload.is_object()) {
    return Fail(KonbiniErrc::kBadSignature, "payload is not JSON");
  }
  return DocumentFromJson(payload);
}

}  // namespace openmyna::konbini
