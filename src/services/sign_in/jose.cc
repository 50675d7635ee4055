#include "openmyna/sign_in/jose.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>

#include <array>

#include "openmyna/http/json_string.h"
#include "openmyna/sign_in/errors.h"

namespace openmyna::sign_in {
namespace {

using json = nlohmann::json;
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

Error Invalid(std::string message) {
  return Error(SignInErrc::kInvalid, std::move(message));
}
Error Crypto(std::string what) {
  ERR_clear_error();
  return Error(SignInErrc::kCrypto, std::move(what));
}

struct BnDeleter {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;

// A big-endian magnitude, left-padded to `width` bytes when width > 0.
Bytes BnBytes(const BIGNUM* bn, int width = 0) {
  const int n = width > 0 ? width : BN_num_bytes(bn);
  Bytes out(static_cast<std::size_t>(n));
  BN_bn2binpad(bn, out.data(), n);
  return out;
}

BIGNUM* GetBn(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  return bn;
}

Result<json> Jwk(EVP_PKEY* key, std::string_view kid, std::string_view alg,
                 bool with_private) {
  json jwk;
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[32] = {};
    std::size_t len = 0;
    EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                   sizeof group, &len);
    if (std::string_view(group) != "prime256v1") {
      return Unexpected(Invalid("only EC keys on P-256 are supported"));
    }
    BnPtr x(GetBn(key, OSSL_PKEY_PARAM_EC_PUB_X));
    BnPtr y(GetBn(key, OSSL_PKEY_PARAM_EC_PUB_Y));
    if (!x || !y) return Unexpected(Crypto("reading an EC public key"));
    jwk = {{"kty", "EC"},
           {"crv", "P-256"},
           {"x", Base64UrlEncode(BnBytes(x.get(), 32))},
           {"y", Base64UrlEncode(BnBytes(y.get(), 32))}};
    if (with_private) {
      BnPtr d(GetBn(key, OSSL_PKEY_PARAM_PRIV_KEY));
      if (!d) return Unexpected(Crypto("reading an EC private key"));
      jwk["d"] = Base64UrlEncode(BnBytes(d.get(), 32));
    }
  } else if (EVP_PKEY_is_a(key, "RSA")) {
    if (with_private) {
      return Unexpected(Invalid("private RSA JWKs are not written"));
    }
    BnPtr n(GetBn(key, OSSL_PKEY_PARAM_RSA_N));
    BnPtr e(GetBn(key, OSSL_PKEY_PARAM_RSA_E));
    if (!n || !e) return Unexpected(Crypto("reading an RSA public key"));
    jwk = {{"kty", "RSA"},
           {"n", Base64UrlEncode(BnBytes(n.get()))},
           {"e", Base64UrlEncode(BnBytes(e.get()))}};
  } else {
    return Unexpected(Invalid("only EC P-256 and RSA keys are supported"));
  }
  if (!kid.empty()) jwk["kid"] = std::string(kid);
  if (!alg.empty()) jwk["alg"] = std::string(alg);
  return jwk;
}

std::optional<Bytes> MemberBytes(const json& jwk, const char* name) {
  if (!jwk.contains(name) || !jwk[name].is_string()) return std::nullopt;
  return Base64UrlDecode(jwk[name].get<std::string>());
}

// A P-256 field element of an EC JWK (x, y, d) as its 32 octets. RFC 7518
// §6.2.1.2 asks for the full length, but some libraries write the integer's
// minimal octets (Debian 12's python3-authlib 1.2.0: int_to_base64), a
// shorter string for 1 key in 128: the same integer, so it is left-padded;
// a longer or empty one is refused.
std::optional<Bytes> FieldElement(const json& jwk, const char* name) {
  auto bytes = MemberBytes(jwk, name);
  if (!bytes || bytes->empty() || bytes->size() > 32) return std::nullopt;
  bytes->insert(bytes->begin(), 32 - bytes->size(), 0);
  return bytes;
}

Result<pki::EvpPkeyPtr> FromParams(const char* type, OSSL_PARAM_BLD* bld,
                                   bool with_private) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  const bool ok =
      params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
      EVP_PKEY_fromdata(ctx, &key,
                        with_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                        params) == 1;
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  if (!ok) return Unexpected(Invalid("the JWK is not a usable key"));
  return pki::EvpPkeyPtr(key);
}

// ECDSA signatures are r || s of 32 bytes each in JWS (RFC 7518 §3.4), DER
// SEQUENCE in OpenSSL.
std::optional<Bytes> EcdsaDerToRaw(ByteView der) {
  const unsigned char* p = der.data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (sig == nullptr) return std::nullopt;
  Bytes raw = BnBytes(ECDSA_SIG_get0_r(sig), 32);
  const Bytes s = BnBytes(ECDSA_SIG_get0_s(sig), 32);
  raw.insert(raw.end(), s.begin(), s.end());
  ECDSA_SIG_free(sig);
  return raw;
}

std::optional<Bytes> EcdsaRawToDer(ByteView raw) {
  if (raw.size() != 64) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(raw.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + 32, 32, nullptr);
  ECDSA_SIG_set0(sig, r, s);
  unsigned char* der = nullptr;
  const int n = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (n <= 0) return std::nullopt;
  Bytes out(der, der + n);
  OPENSSL_free(der);
  return out;
}

}  // namespace

std::string Base64UrlEncode(ByteView data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const std::uint32_t v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == data.size()) {
    const std::uint32_t v = data[i] << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (i + 2 == data.size()) {
    const std::uint32_t v = (data[i] << 16) | (data[i + 1] << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::string Base64UrlEncode(std::string_view text) {
  return Base64UrlEncode(ByteView(
      reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

std::optional<Bytes> Base64UrlDecode(std::string_view text) {
  // Each byte's value in kAlphabet, 0xFF outside it (one look-up per
  // character instead of a search of the alphabet).
  static constexpr std::array<std::uint8_t, 256> kValue = [] {
    std::array<std::uint8_t, 256> v{};
    v.fill(0xFF);
    for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
      v[static_cast<unsigned char>(kAlphabet[i])] =
          static_cast<std::uint8_t>(i);
    }
    return v;
  }();
  if (text.size() % 4 == 1) return std::nullopt;
  Bytes out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const std::uint8_t at = kValue[static_cast<unsigned char>(c)];
    if (at == 0xFF) return std::nullopt;
    buffer = (buffer << 6) | at;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((buffer >> bits) & 0xFF));
    }
  }
  // The leftover bits must be zero (canonical encoding, RFC 4648 §3.5).
  if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

Result<json> PublicJwk(EVP_PKEY* key, std::string_view kid,
                       std::string_view alg) {
  return Jwk(key, kid, alg, false);
}

Result<json> PrivateJwk(EVP_PKEY* key, std::string_view kid,
                        std::string_view alg) {
  return Jwk(key, kid, alg, true);
}

Result<pki::EvpPkeyPtr> KeyFromJwk(const json& jwk) {
  if (!jwk.is_object() || !jwk.contains("kty") || !jwk["kty"].is_string()) {
    return Unexpected(Invalid("a JWK needs \"kty\""));
  }
  const std::string kty = jwk["kty"];
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(
      OSSL_PARAM_BLD_new(), &OSSL_PARAM_BLD_free);
  std::vector<BnPtr> keep;
  if (kty == "EC") {
    if (jwk.value("crv", "") != "P-256") {
      return Unexpected(Invalid("EC JWKs must be on P-256"));
    }
    const auto x = FieldElement(jwk, "x");
    const auto y = FieldElement(jwk, "y");
    if (!x || !y) {
      return Unexpected(Invalid("EC JWK: bad x or y"));
    }
    Bytes point{0x04};
    point.insert(point.end(), x->begin(), x->end());
    point.insert(point.end(), y->begin(), y->end());
    OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                    "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                     point.data(), point.size());
    const auto d = FieldElement(jwk, "d");
    if (jwk.contains("d")) {
      if (!d) return Unexpected(Invalid("EC JWK: bad d"));
      keep.emplace_back(BN_bin2bn(d->data(), 32, nullptr));
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY,
                             keep.back().get());
    }
    return FromParams("EC", bld.get(), jwk.contains("d"));
  }
  if (kty == "RSA") {
    const auto n = MemberBytes(jwk, "n");
    const auto e = MemberBytes(jwk, "e");
    if (!n || !e || n->size() < 256 || e->empty()) {
      return Unexpected(Invalid("RSA JWK: bad n or e (2048 bits at least)"));
    }
    keep.emplace_back(
        BN_bin2bn(n->data(), static_cast<int>(n->size()), nullptr));
    keep.emplace_back(
        BN_bin2bn(e->data(), static_cast<int>(e->size()), nullptr));
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, keep[0].get());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, keep[1].get());
    return FromParams("RSA", bld.get(), false);
  }
  return Unexpected(Invalid("unsupported JWK kty " + kty));
}

Result<std::string> JwkThumbprint(const json& jwk) {
  json members;
  const std::string kty = jwk.value("kty", "");
  if (kty == "EC") {
    members = {{"crv", jwk.value("crv", "")},
               {"kty", kty},
               {"x", jwk.value("x", "")},
               {"y", jwk.value("y", "")}};
  } else if (kty == "RSA") {
    members = {
        {"e", jwk.value("e", "")}, {"kty", kty}, {"n", jwk.value("n", "")}};
  } else {
    return Unexpected(Invalid("thumbprint of an unsupported kty"));
  }
  // nlohmann::json objects are sorted by key and dumped without spaces:
  // exactly RFC 7638 §3.3's form.
  const std::string text = members.dump();
  std::array<std::uint8_t, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
         digest.data());
  return Base64UrlEncode(ByteView(digest.data(), digest.size()));
}

namespace {

// The JWS's protected header (RFC 7515 §4.1) written as text, the bytes of
// nlohmann's dump of {"alg":"ES256","kid":kid[,"typ":typ]} (keys sorted),
// then "." and the base64url of `payload_json`.
std::string SigningInput(std::string_view payload_json, std::string_view kid,
                         std::string_view typ) {
  std::string header = R"({"alg":"ES256","kid":)";
  http::AppendJsonString(header, kid, http::InvalidUtf8::kReplace);
  if (!typ.empty()) {
    header += R"(,"typ":)";
    http::AppendJsonString(header, typ, http::InvalidUtf8::kReplace);
  }
  header.push_back('}');
  return Base64UrlEncode(header) + "." + Base64UrlEncode(payload_json);
}

std::string SigningInput(const json& payload, std::string_view kid,
                         std::string_view typ) {
  return SigningInput(std::string_view(payload.dump()), kid, typ);
}

Result<std::string> WithSignature(std::string input,
                                  const std::optional<Bytes>& der) {
  if (!der) return Unexpected(Crypto("ES256 signing"));
  const auto raw = EcdsaDerToRaw(*der);
  if (!raw) return Unexpected(Crypto("ES256 signature encoding"));
  return input + "." + Base64UrlEncode(*raw);
}

}  // namespace

Result<std::string> SignEs256(const json& payload, EVP_PKEY* key,
                              std::string_view kid, std::string_view typ) {
  const std::string input = SigningInput(payload, kid, typ);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::size_t length = 0;
  Bytes der;
  bool ok = ctx &&
            EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestSign(ctx, nullptr, &length,
                           reinterpret_cast<const unsigned char*>(input.data()),
                           input.size()) == 1;
  if (ok) {
    der.resize(length);
    ok = EVP_DigestSign(ctx, der.data(), &length,
                        reinterpret_cast<const unsigned char*>(input.data()),
                        input.size()) == 1;
    der.resize(length);
  }
  EVP_MD_CTX_free(ctx);
  return WithSignature(input, ok ? std::optional<Bytes>(der) : std::nullopt);
}

Result<std::string> SignEs256(const json& payload, const JwsKey& key,
                              std::string_view kid, std::string_view typ) {
  std::string input = SigningInput(payload, kid, typ);
  const auto der = key.Sign(input);
  return WithSignature(std::move(input), der);
}

Result<std::string> SignEs256Json(std::string_view payload_json,
                                  const JwsKey& key, std::string_view kid,
                                  std::string_view typ) {
  std::string input = SigningInput(payload_json, kid, typ);
  const auto der = key.Sign(input);
  return WithSignature(std::move(input), der);
}

Result<VerifiedJws> DecodeJws(std::string_view compact) {
  const auto first = compact.find('.');
  const auto second =
      compact.find('.', first == std::string_view::npos ? first : first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos ||
      compact.find('.', second + 1) != std::string_view::npos) {
    return Unexpected(Invalid("a compact JWS has three parts"));
  }
  const auto header = Base64UrlDecode(compact.substr(0, first));
  const auto payload =
      Base64UrlDecode(compact.substr(first + 1, second - first - 1));
  if (!header || !payload) return Unexpected(Invalid("bad base64url"));
  VerifiedJws out;
  out.header = json::parse(header->begin(), header->end(), nullptr, false);
  out.payload = json::parse(payload->begin(), payload->end(), nullptr, false);
  if (!out.header.is_object() || !out.payload.is_object()) {
    return Unexpected(Invalid("JWS header and payload must be JSON objects"));
  }
  return out;
}

Result<VerifiedJws> VerifyJws(std::string_view compact,
                              const std::vector<json>& keys) {
  return VerifyJws(compact, keys, {});
}

Result<VerifiedJws> VerifyJws(
    std::string_view compact, const std::vector<json>& keys,
    const std::vector<std::shared_ptr<const JwsKey>>& made) {
  OPENMYNA_ASSIGN_OR_RETURN(VerifiedJws decoded, DecodeJws(compact));
  OPENMYNA_RETURN_IF_ERROR(VerifyJwsSignature(compact, decoded, keys, made));
  return decoded;
}

Status VerifyJwsSignature(
    std::string_view compact, const VerifiedJws& decoded,
    const std::vector<json>& keys,
    const std::vector<std::shared_ptr<const JwsKey>>& made) {
  const json& alg_value = decoded.header["alg"];
  const std::string alg =
      alg_value.is_string() ? alg_value.get<std::string>() : std::string();
  // Only the algorithms registered for clients; "none", HS256 (a public key
  // used as an HMAC secret) and the rest are refused (RFC 8725 §3.1-3.2).
  if (alg != "ES256" && alg != "RS256") {
    return Unexpected(Invalid("unsupported alg \"" + alg + "\""));
  }
  if (decoded.header.contains("crit")) {
    return Unexpected(Invalid("no \"crit\" extension is understood"));
  }
  const std::string kty = alg == "ES256" ? "EC" : "RSA";
  const auto last = compact.rfind('.');
  const std::string_view input = compact.substr(0, last);
  const auto signature = Base64UrlDecode(compact.substr(last + 1));
  if (!signature) return Unexpected(Invalid("bad signature encoding"));
  Bytes der_signature = *signature;
  if (alg == "ES256") {
    const auto der = EcdsaRawToDer(*signature);
    if (!der) return Unexpected(Invalid("an ES256 signature is 64 bytes"));
    der_signature = *der;
  }
  const auto kid = decoded.header.find("kid");
  bool tried = false;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const json& jwk = keys[i];
    if (jwk.value("kty", "") != kty) continue;
    if (kid != decoded.header.end() && kid->is_string() &&
        jwk.contains("kid") && jwk["kid"] != *kid) {
      continue;
    }
    if (jwk.contains("alg") && jwk["alg"] != alg) continue;
    std::shared_ptr<const JwsKey> key = i < made.size() ? made[i] : nullptr;
    if (key == nullptr) {
      auto made_here = KeyFromJwk(jwk);
      if (!made_here) continue;
      auto ready = JwsKey::Make(std::move(*made_here));
      if (!ready) continue;
      key = std::move(*ready);
    }
    tried = true;
    if (key->Verify(input, der_signature)) return Ok();
  }
  return Unexpected(Invalid(tried ? "the signature does not verify"
                                  : "no registered key fits the JWS"));
}

}  // namespace openmyna::sign_in
