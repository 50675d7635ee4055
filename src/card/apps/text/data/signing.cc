#include "openmyna/card/faces/signing.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <memory>
#include <string>

#include "openmyna/card/faces/errors.h"
#include "openmyna/card/faces/tlv.h"

namespace openmyna::card::faces {
namespace {

constexpr std::size_t kModulusBytes = 256;  // RSA-2048
// PKCS#1 v1.5 type 1 needs at least 11 bytes of padding (RFC 8017 §9.2).
constexpr std::size_t kMaxDigestInfo = kModulusBytes - 11;

struct BnFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
struct CtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, CtxFree>;
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

bool IsRsa2048(const EVP_PKEY* key) {
  return key != nullptr && EVP_PKEY_is_a(key, "RSA") &&
         EVP_PKEY_get_bits(key) == 2048;
}

Bytes BnBytes(const BIGNUM* bn, std::size_t pad_to = 0) {
  std::size_t n = static_cast<std::size_t>(BN_num_bytes(bn));
  Bytes out(std::max(n, pad_to));
  BN_bn2binpad(bn, out.data(), static_cast<int>(out.size()));
  return out;
}

}  // namespace

Result<KeyId> MakeKeyId(std::string_view number7, std::string_view group3) {
  auto digits = [](std::string_view s) {
    for (char c : s) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  };
  if (number7.size() != 7 || group3.size() != 3 || !digits(number7) ||
      !digits(group3)) {
    return Fail(FacesErrc::kInvalidArgument,
                "key ID needs a 7-digit number and a 3-digit group");
  }
  KeyId id{};
  std::copy(number7.begin(), number7.end(), id.begin());
  id[7] = 0x08;
  id[8] = 0x05;
  std::copy(group3.begin(), group3.end(), id.begin() + 9);
  return id;  // bytes 12..15 stay 00
}

Result<Bytes> EncodeRsaPublicKey(const EVP_PKEY* key) {
  if (!IsRsa2048(key)) {
    return Fail(FacesErrc::kInvalidKey, "an RSA-2048 key is required");
  }
  BIGNUM* n_raw = nullptr;
  BIGNUM* e_raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n_raw) != 1 ||
      EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e_raw) != 1) {
    BN_free(n_raw);
    BN_free(e_raw);
    return Fail(FacesErrc::kInvalidKey, "cannot read the RSA modulus");
  }
  BnPtr n(n_raw), e(e_raw);
  Bytes out;
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(out, 0x90, BnBytes(e.get())));
  OPENMYNA_RETURN_IF_ERROR(
      AppendTlv(out, 0x91, BnBytes(n.get(), kModulusBytes)));
  return out;
}

Result<EVP_PKEY*> DecodeRsaPublicKey(ByteView encoded) {
  auto e_item = ParseTlv(encoded, 0);
  if (!e_item || e_item->tag != 0x90) {
    return Fail(FacesErrc::kInvalidKey, "no exponent (tag 90)");
  }
  auto n_item = ParseTlv(encoded, e_item->size());
  if (!n_item || n_item->tag != 0x91) {
    return Fail(FacesErrc::kInvalidKey, "no modulus (tag 91)");
  }
  BnPtr e(BN_bin2bn(encoded.data() + e_item->header_size,
                    static_cast<int>(e_item->value_size), nullptr));
  BnPtr n(BN_bin2bn(encoded.data() + n_item->offset + n_item->header_size,
                    static_cast<int>(n_item->value_size), nullptr));
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  EVP_PKEY* key = nullptr;
  OSSL_PARAM* params = nullptr;
  if (bld != nullptr && e && n &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n.get()) == 1 &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e.get()) == 1) {
    params = OSSL_PARAM_BLD_to_param(bld);
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  if (params == nullptr || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    key = nullptr;
  }
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  if (key == nullptr) {
    return Fail(FacesErrc::kInvalidKey, "not a usable RSA public key");
  }
  return key;
}

Result<Bytes> SignSha256(EVP_PKEY* key, ByteView message) {
  if (!IsRsa2048(key)) {
    return Fail(FacesErrc::kInvalidKey, "signing needs an RSA-2048 key");
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  Bytes signature(kModulusBytes);
  std::size_t size = signature.size();
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), signature.data(), &size, message.data(),
                     message.size()) != 1) {
    return Fail(FacesErrc::kInvalidKey, "RSA signing failed (no private key?)");
  }
  signature.resize(size);
  return signature;
}

Result<Bytes> SignDigestInfo(EVP_PKEY* key, ByteView digest_info) {
  if (!IsRsa2048(key)) {
    return Fail(FacesErrc::kInvalidKey, "signing needs an RSA-2048 key");
  }
  if (digest_info.empty() || digest_info.size() > kMaxDigestInfo) {
    return Fail(FacesErrc::kInvalidArgument,
                "PKCS#1 v1.5 input must be 1-245 bytes, got " +
                    std::to_string(digest_info.size()));
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  Bytes signature(kModulusBytes);
  std::size_t size = signature.size();
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_sign(ctx.get(), signature.data(), &size, digest_info.data(),
                    digest_info.size()) != 1) {
    return Fail(FacesErrc::kInvalidKey, "RSA signing failed (no private key?)");
  }
  signature.resize(size);
  return signature;
}

Bytes Sha256DigestInfo(ByteView digest) {
  // AlgorithmIdentifier sha256 with NULL parameters (RFC 8017 §9.2 note 1).
  static constexpr std::uint8_t kAlgorithm[] = {0x30, 0x0D, 0x06, 0x09, 0x60,
                                                0x86, 0x48, 0x01, 0x65, 0x03,
                                                0x04, 0x02, 0x01, 0x05, 0x00};
  Bytes octets{0x04, static_cast<std::uint8_t>(digest.size())};
  Append(octets, digest);
  Bytes inner(std::begin(kAlgorithm), std::end(kAlgorithm));
  Append(inner, octets);
  Bytes out{0x30, static_cast<std::uint8_t>(inner.size())};
  Append(out, inner);
  return out;
}

Bytes Sha256(ByteView data) {
  Bytes digest(SHA256_DIGEST_LENGTH);
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(),
             nullptr);
  return digest;
}

Result<Bytes> EncodeCvCertificate(const KeyId& issuer_key_id,
                                  const KeyId& subject_key_id,
                                  const EVP_PKEY* subject_key,
                                  EVP_PKEY* signer) {
  OPENMYNA_ASSIGN_OR_RETURN(Bytes public_key, EncodeRsaPublicKey(subject_key));
  Bytes body = Concat({issuer_key_id, subject_key_id, public_key});
  OPENMYNA_ASSIGN_OR_RETURN(Bytes signature, SignSha256(signer, body));
  Bytes inner;
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(inner, 0x5F4E, body));
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(inner, 0x5F37, signature));
  return Tlv(0x7F21, inner);
}

Result<Bytes> SelfCertifiedCvCertificate(const DataIssuer& issuer) {
  return EncodeCvCertificate(issuer.key_id, issuer.key_id, issuer.key,
                             issuer.key);
}

}  // namespace openmyna::card::faces
