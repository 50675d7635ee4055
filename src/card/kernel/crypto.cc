#include "kernel/crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "openmyna/card/errors.h"

namespace openmyna::card::crypto {
namespace {

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;

constexpr std::size_t kNonce = 12;
constexpr std::size_t kTag = 16;

Unexpected<Error> CryptoFail(std::string_view what) {
  return Fail(CardErrc::kCrypto, std::string(what) + " failed (OpenSSL)");
}

}  // namespace

Result<Bytes> Seal(ByteView key, ByteView plaintext, std::string_view aad,
                   Rng& rng) {
  Bytes out(kNonce);
  rng.Fill(out);
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(),
                         out.data()) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1) {
    return CryptoFail("AES-GCM seal");
  }
  out.resize(kNonce + plaintext.size() + kTag);
  if (!plaintext.empty() &&
      EVP_EncryptUpdate(ctx.get(), out.data() + kNonce, &len, plaintext.data(),
                        static_cast<int>(plaintext.size())) != 1) {
    return CryptoFail("AES-GCM seal");
  }
  int final_len = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), out.data() + kNonce + plaintext.size(),
                          &final_len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag,
                          out.data() + kNonce + plaintext.size()) != 1) {
    return CryptoFail("AES-GCM seal");
  }
  return out;
}

Result<Bytes> Open(ByteView key, ByteView sealed, std::string_view aad) {
  if (sealed.size() < kNonce + kTag) {
    return Fail(CardErrc::kBadImage, "sealed value too short");
  }
  const std::size_t n = sealed.size() - kNonce - kTag;
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  Bytes plain(n);
  Bytes tag(sealed.end() - kTag, sealed.end());
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(),
                         sealed.data()) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1 ||
      (n > 0 &&
       EVP_DecryptUpdate(ctx.get(), plain.data(), &len, sealed.data() + kNonce,
                         static_cast<int>(n)) != 1) ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag.data()) !=
          1) {
    return CryptoFail("AES-GCM open");
  }
  int final_len = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), plain.data() + n, &final_len) != 1) {
    SecureWipe(plain);
    return Fail(CardErrc::kBadMasterKey,
                "a sealed secret does not open under this storage key");
  }
  return plain;
}

Result<GeneratedKey> GenerateRsa2048() {
  EVP_PKEY* raw = EVP_RSA_gen(2048);
  if (raw == nullptr) return CryptoFail("RSA-2048 key generation");
  Pkey key(raw);
  GeneratedKey out;
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key.get(), &der);
  if (len <= 0) return CryptoFail("i2d_PUBKEY");
  out.public_spki.assign(der, der + len);
  OPENSSL_free(der);
  PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(key.get());
  if (p8 == nullptr) return CryptoFail("EVP_PKEY2PKCS8");
  der = nullptr;
  len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
  PKCS8_PRIV_KEY_INFO_free(p8);
  if (len <= 0) return CryptoFail("i2d_PKCS8_PRIV_KEY_INFO");
  out.private_pkcs8.assign(der, der + len);
  OPENSSL_clear_free(der, static_cast<std::size_t>(len));
  return out;
}

Result<Pkey> LoadPrivateKey(ByteView pkcs8) {
  const unsigned char* p = pkcs8.data();
  EVP_PKEY* key =
      d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(pkcs8.size()));
  if (key == nullptr) return CryptoFail("loading a private key");
  return Pkey(key);
}

Result<Bytes> SignPkcs1Raw(EVP_PKEY* key, ByteView input) {
  PkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) {
    return CryptoFail("RSA sign init");
  }
  std::size_t len = 0;
  if (EVP_PKEY_sign(ctx.get(), nullptr, &len, input.data(), input.size()) !=
      1) {
    return CryptoFail("RSA sign");
  }
  Bytes sig(len);
  if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, input.data(), input.size()) !=
      1) {
    return CryptoFail("RSA sign");
  }
  sig.resize(len);
  return sig;
}

Result<Bytes> SignPssSha256(EVP_PKEY* key, ByteView hash) {
  PkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), 32) != 1) {
    return CryptoFail("RSA-PSS sign init");
  }
  std::size_t len = 0;
  if (EVP_PKEY_sign(ctx.get(), nullptr, &len, hash.data(), hash.size()) != 1) {
    return CryptoFail("RSA-PSS sign");
  }
  Bytes sig(len);
  if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, hash.data(), hash.size()) !=
      1) {
    return CryptoFail("RSA-PSS sign");
  }
  sig.resize(len);
  return sig;
}

Result<Bytes> SignSha256Pkcs1(EVP_PKEY* key, ByteView message) {
  return SignPkcs1Raw(key, Sha256DigestInfo(Sha256(message)));
}

Bytes Sha256(ByteView data) {
  Bytes out(32);
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

Bytes Sha256DigestInfo(ByteView hash) {
  // DigestInfo ::= SEQUENCE { SEQUENCE { id-sha256, NULL }, OCTET STRING }
  Bytes out{0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
            0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
  Append(out, hash);
  return out;
}

Bytes HmacSha256(ByteView key, ByteView data) {
  // One HMAC-SHA-256 context per thread, fetched and parameterised once and
  // keyed again only when the key changes (the chip MACs with its one issuer
  // key); EVP_MAC_init with no key re-initialises the context under the key
  // it holds (EVP_MAC_init(3)). Fetching and keying per call cost more than
  // the MAC. The context and the key copy live in this process's memory as
  // the image holding the same key does.
  struct MacCtxDeleter {
    void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
  };
  struct Keyed {
    Keyed() {
      EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
      ctx.reset(hmac ? EVP_MAC_CTX_new(hmac) : nullptr);
      EVP_MAC_free(hmac);  // the context holds its own reference
      char digest[] = "SHA256";
      const OSSL_PARAM params[] = {
          OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
          OSSL_PARAM_construct_end()};
      if (ctx && EVP_MAC_CTX_set_params(ctx.get(), params) != 1) ctx.reset();
    }
    ~Keyed() { SecureWipe(key); }
    std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> ctx;
    Bytes key;
    bool keyed = false;
  };
  thread_local Keyed mac;
  if (!mac.ctx) return {};  // callers compare against it: never matches
  const bool same_key =
      mac.keyed && mac.key.size() == key.size() &&
      CRYPTO_memcmp(mac.key.data(), key.data(), key.size()) == 0;
  int init = 0;
  if (same_key) {
    init = EVP_MAC_init(mac.ctx.get(), nullptr, 0, nullptr);
  } else {
    // Never a null key here: it would keep the previous one.
    static const unsigned char kEmptyKey[1] = {0};
    SecureWipe(mac.key);
    mac.key.assign(key.begin(), key.end());
    init = EVP_MAC_init(mac.ctx.get(), key.empty() ? kEmptyKey : key.data(),
                        key.size(), nullptr);
  }
  mac.keyed = init == 1;
  Bytes out(32);
  std::size_t len = 0;
  if (init != 1 ||
      EVP_MAC_update(mac.ctx.get(), data.data(), data.size()) != 1 ||
      EVP_MAC_final(mac.ctx.get(), out.data(), &len, out.size()) != 1 ||
      len != out.size()) {
    mac.keyed = false;
    return {};
  }
  return out;
}

}  // namespace openmyna::card::crypto
