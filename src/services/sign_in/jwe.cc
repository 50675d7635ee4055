#include "openmyna/sign_in/jwe.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/sign_in/errors.h"
#include "openmyna/sign_in/jose.h"

namespace openmyna::sign_in {
namespace {

using json = nlohmann::json;

struct CtxDeleter {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, CtxDeleter>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

Error Crypto(std::string what) {
  ERR_clear_error();
  return Error(SignInErrc::kCrypto, std::move(what));
}

void PutU32(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(v >> shift));
  }
}

// RFC 7518 §4.6.2: one round of the Concat KDF with SHA-256 gives the 256-bit
// A256GCM key: AlgorithmID = "A256GCM" (the "enc" value in direct mode),
// empty PartyUInfo and PartyVInfo, SuppPubInfo = 256.
Bytes ConcatKdf(ByteView z) {
  const std::string alg = "A256GCM";
  Bytes input;
  PutU32(input, 1);
  input.insert(input.end(), z.begin(), z.end());
  PutU32(input, static_cast<std::uint32_t>(alg.size()));
  input.insert(input.end(), alg.begin(), alg.end());
  PutU32(input, 0);
  PutU32(input, 0);
  PutU32(input, 256);
  Bytes out(32);
  unsigned int size = 0;
  EVP_Digest(input.data(), input.size(), out.data(), &size, EVP_sha256(),
             nullptr);
  return out;
}

// RSA-OAEP-256: a random content key, encrypted to the client's key.
Result<Bytes> WrapRsa(EVP_PKEY* key, Rng& rng, json& header,
                      Bytes& encrypted_key) {
  Bytes cek = rng.Bytes(32);
  PkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
  std::size_t size = 0;
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_encrypt(ctx.get(), nullptr, &size, cek.data(), cek.size()) !=
          1) {
    return Unexpected(Crypto("RSA-OAEP-256 with the client's key"));
  }
  encrypted_key.resize(size);
  if (EVP_PKEY_encrypt(ctx.get(), encrypted_key.data(), &size, cek.data(),
                       cek.size()) != 1) {
    return Unexpected(Crypto("RSA-OAEP-256 with the client's key"));
  }
  encrypted_key.resize(size);
  header["alg"] = "RSA-OAEP-256";
  return cek;
}

// ECDH-ES: an ephemeral P-256 key agreed with the client's; no encrypted
// key, the ephemeral public key in "epk".
Result<Bytes> AgreeEc(EVP_PKEY* key, json& header) {
  pki::EvpPkeyPtr ephemeral(EVP_EC_gen("P-256"));
  if (!ephemeral) return Unexpected(Crypto("P-256 key generation"));
  PkeyCtx ctx(EVP_PKEY_CTX_new(ephemeral.get(), nullptr));
  std::size_t size = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), key) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &size) != 1) {
    return Unexpected(Crypto("ECDH-ES with the client's key"));
  }
  Bytes z(size);
  if (EVP_PKEY_derive(ctx.get(), z.data(), &size) != 1) {
    return Unexpected(Crypto("ECDH-ES with the client's key"));
  }
  OPENMYNA_ASSIGN_OR_RETURN(json epk, PublicJwk(ephemeral.get()));
  header["alg"] = "ECDH-ES";
  header["epk"] = {
      {"kty", "EC"}, {"crv", "P-256"}, {"x", epk["x"]}, {"y", epk["y"]}};
  Bytes cek = ConcatKdf(z);
  SecureWipe(z);
  return cek;
}

// The recipient's side of AgreeEc: Z from its key and "epk".
Result<Bytes> AgreeEcAsRecipient(EVP_PKEY* key, const json& epk) {
  OPENMYNA_ASSIGN_OR_RETURN(pki::EvpPkeyPtr peer, KeyFromJwk(epk));
  PkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
  std::size_t size = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &size) != 1) {
    return Unexpected(Crypto("ECDH-ES with the recipient's key"));
  }
  Bytes z(size);
  if (EVP_PKEY_derive(ctx.get(), z.data(), &size) != 1) {
    return Unexpected(Crypto("ECDH-ES with the recipient's key"));
  }
  Bytes cek = ConcatKdf(z);
  SecureWipe(z);
  return cek;
}

Result<Bytes> UnwrapRsa(EVP_PKEY* key, ByteView encrypted_key) {
  PkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
  std::size_t size = 0;
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_decrypt(ctx.get(), nullptr, &size, encrypted_key.data(),
                       encrypted_key.size()) != 1) {
    return Unexpected(Crypto("RSA-OAEP-256 with the recipient's key"));
  }
  Bytes cek(size);
  if (EVP_PKEY_decrypt(ctx.get(), cek.data(), &size, encrypted_key.data(),
                       encrypted_key.size()) != 1) {
    return Unexpected(Crypto("RSA-OAEP-256 with the recipient's key"));
  }
  cek.resize(size);
  return cek;
}

}  // namespace

Result<std::string> DecryptJwe(std::string_view compact,
                               EVP_PKEY* private_key) {
  std::vector<std::string_view> parts;
  for (std::size_t at = 0;;) {
    const std::size_t dot = compact.find('.', at);
    parts.push_back(compact.substr(at, dot - at));
    if (dot == std::string_view::npos) break;
    at = dot + 1;
  }
  auto invalid = [](std::string why) {
    return Unexpected(Error(SignInErrc::kInvalid, "JWE: " + std::move(why)));
  };
  if (parts.size() != 5) return invalid("not five parts");
  const auto header_bytes = Base64UrlDecode(parts[0]);
  const auto encrypted_key = Base64UrlDecode(parts[1]);
  const auto iv = Base64UrlDecode(parts[2]);
  const auto ciphertext = Base64UrlDecode(parts[3]);
  const auto tag = Base64UrlDecode(parts[4]);
  if (!header_bytes || !encrypted_key || !iv || !ciphertext || !tag ||
      iv->size() != 12 || tag->size() != 16) {
    return invalid("bad base64url or sizes");
  }
  const json header = json::parse(*header_bytes, nullptr, false);
  if (!header.is_object() || header.value("enc", "") != "A256GCM") {
    return invalid("enc must be A256GCM");
  }
  const std::string alg = header.value("alg", "");
  Result<Bytes> cek =
      alg == "ECDH-ES" && header.contains("epk") && encrypted_key->empty()
          ? AgreeEcAsRecipient(private_key, header["epk"])
      : alg == "RSA-OAEP-256" ? UnwrapRsa(private_key, *encrypted_key)
                              : invalid("alg must be ECDH-ES or RSA-OAEP-256");
  if (!cek) return Unexpected(cek.error());
  if (cek->size() != 32) return invalid("the content key is not 256 bits");
  std::string plaintext(ciphertext->size(), '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0, total = 0;
  bool ok =
      ctx &&
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, cek->data(),
                         iv->data()) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(parts[0].data()),
                        static_cast<int>(parts[0].size())) == 1 &&
      EVP_DecryptUpdate(
          ctx.get(), reinterpret_cast<unsigned char*>(plaintext.data()), &len,
          ciphertext->data(), static_cast<int>(ciphertext->size())) == 1;
  total = len;
  ok =
      ok &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16,
                          const_cast<std::uint8_t*>(tag->data())) == 1 &&
      EVP_DecryptFinal_ex(
          ctx.get(), reinterpret_cast<unsigned char*>(plaintext.data()) + total,
          &len) == 1;
  SecureWipe(*cek);
  if (!ok) return Unexpected(Crypto("A256GCM: the tag does not verify"));
  plaintext.resize(static_cast<std::size_t>(total + len));
  return plaintext;
}

Result<std::string> EncryptJwe(std::string_view plaintext,
                               const json& public_jwk, Rng& rng,
                               std::string_view cty) {
  json jwk = public_jwk;
  jwk.erase("d");  // only ever the public half
  OPENMYNA_ASSIGN_OR_RETURN(pki::EvpPkeyPtr key, KeyFromJwk(jwk));
  json header = json::object();
  Bytes encrypted_key;
  Result<Bytes> cek = EVP_PKEY_is_a(key.get(), "RSA")
                          ? WrapRsa(key.get(), rng, header, encrypted_key)
                          : AgreeEc(key.get(), header);
  if (!cek) return Unexpected(cek.error());
  header["enc"] = "A256GCM";
  if (!cty.empty()) header["cty"] = std::string(cty);
  if (jwk.contains("kid")) header["kid"] = jwk["kid"];
  // The AAD is the ASCII of the encoded protected header (RFC 7516 §5.1
  // step 14).
  const std::string protected_b64 = Base64UrlEncode(header.dump());
  const Bytes iv = rng.Bytes(12);
  Bytes ciphertext(plaintext.size() + 16);
  Bytes tag(16);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0, total = 0;
  bool ok = ctx &&
            EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                               cek->data(), iv.data()) == 1 &&
            EVP_EncryptUpdate(
                ctx.get(), nullptr, &len,
                reinterpret_cast<const unsigned char*>(protected_b64.data()),
                static_cast<int>(protected_b64.size())) == 1 &&
            EVP_EncryptUpdate(
                ctx.get(), ciphertext.data(), &len,
                reinterpret_cast<const unsigned char*>(plaintext.data()),
                static_cast<int>(plaintext.size())) == 1;
  total = len;
  ok =
      ok &&
      EVP_EncryptFinal_ex(ctx.get(), ciphertext.data() + total, &len) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, tag.data()) == 1;
  SecureWipe(*cek);
  if (!ok) return Unexpected(Crypto("A256GCM encryption"));
  ciphertext.resize(static_cast<std::size_t>(total + len));
  return protected_b64 + "." + Base64UrlEncode(ByteView(encrypted_key)) + "." +
         Base64UrlEncode(ByteView(iv)) + "." +
         Base64UrlEncode(ByteView(ciphertext)) + "." +
         Base64UrlEncode(ByteView(tag));
}

}  // namespace openmyna::sign_in
