#include "openmyna/sign_in/jws_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>

#include "openmyna/sign_in/errors.h"

namespace openmyna::sign_in {
namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

const unsigned char* Data(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// A copy of `initialised`, ready for one EVP_DigestVerify/EVP_DigestSign.
MdCtxPtr CopyOf(EVP_MD_CTX* initialised) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_MD_CTX_copy_ex(ctx.get(), initialised) != 1) return nullptr;
  return ctx;
}

}  // namespace

Result<std::shared_ptr<const JwsKey>> JwsKey::Make(pki::EvpPkeyPtr key) {
  if (!key) return Fail(SignInErrc::kCrypto, "no key");
  std::shared_ptr<JwsKey> out(new JwsKey());
  out->key_ = std::move(key);
  out->verify_ = EVP_MD_CTX_new();
  if (!out->verify_ ||
      EVP_DigestVerifyInit_ex(out->verify_, nullptr, "SHA256", nullptr, nullptr,
                              out->key_.get(), nullptr) != 1) {
    ERR_clear_error();
    return Fail(SignInErrc::kCrypto, "setting up SHA-256 verification");
  }
  if (EVP_PKEY_is_a(out->key_.get(), "EC")) {
    // A public EC key has no private half: the signing set-up fails, and
    // the key stays one that verifies only.
    BIGNUM* d = nullptr;
    if (EVP_PKEY_get_bn_param(out->key_.get(), OSSL_PKEY_PARAM_PRIV_KEY, &d) ==
        1) {
      BN_clear_free(d);
      out->sign_ = EVP_MD_CTX_new();
      if (!out->sign_ ||
          EVP_DigestSignInit_ex(out->sign_, nullptr, "SHA256", nullptr, nullptr,
                                out->key_.get(), nullptr) != 1) {
        ERR_clear_error();
        return Fail(SignInErrc::kCrypto, "setting up ES256 signing");
      }
    }
  }
  ERR_clear_error();
  return std::shared_ptr<const JwsKey>(std::move(out));
}

JwsKey::~JwsKey() {
  EVP_MD_CTX_free(verify_);
  EVP_MD_CTX_free(sign_);
}

bool JwsKey::Verify(std::string_view input, ByteView signature) const {
  MdCtxPtr ctx = CopyOf(verify_);
  const bool ok =
      ctx && EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                              Data(input), input.size()) == 1;
  ERR_clear_error();
  return ok;
}

std::optional<Bytes> JwsKey::Sign(std::string_view input) const {
  if (sign_ == nullptr) return std::nullopt;
  MdCtxPtr ctx = CopyOf(sign_);
  std::size_t length = static_cast<std::size_t>(EVP_PKEY_get_size(key_.get()));
  Bytes der(length);
  if (!ctx || EVP_DigestSign(ctx.get(), der.data(), &length, Data(input),
                             input.size()) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  der.resize(length);
  return der;
}

}  // namespace openmyna::sign_in
