#include "openmyna/pki/tls.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <string>

#include "internal/openssl_util.h"
#include "openmyna/base/file_io.h"

namespace openmyna::pki {
namespace {

namespace fs = std::filesystem;
using internal::CryptoError;

Result<EvpPkeyPtr> NewP256Key() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) return Unexpected(CryptoError("generating a P-256 key"));
  return EvpPkeyPtr(key);
}

// Adds an extension given in OpenSSL's config syntax (RFC 5280 §4.2).
bool AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// One certificate: subject CN, a 64-bit random serial, the key's SKI.
Result<X509Ptr> MakeCert(const std::string& cn, EVP_PKEY* key, X509* issuer,
                         EVP_PKEY* issuer_key, TimePoint from, TimePoint until,
                         bool ca, Rng& rng) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  Bytes serial = rng.Bytes(8);
  serial[0] &= 0x7F;
  serial[0] |= 0x40;  // positive, 8 bytes (RFC 5280 §4.1.2.2)
  ASN1_INTEGER* s = internal::NewAsn1Integer(serial);
  X509_set_serialNumber(cert.get(), s);
  ASN1_INTEGER_free(s);
  X509_NAME* name = X509_get_subject_name(cert.get());
  internal::AddRdn(name, NID_organizationName, V_ASN1_UTF8STRING,
                   "OpenMyna Sandbox (not the real JPKI)");
  internal::AddRdn(name, NID_commonName, V_ASN1_UTF8STRING, cn);
  X509_set_issuer_name(cert.get(),
                       issuer ? X509_get_subject_name(issuer) : name);
  if (!internal::SetAsn1Time(X509_getm_notBefore(cert.get()), from) ||
      !internal::SetAsn1Time(X509_getm_notAfter(cert.get()), until) ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return Unexpected(CryptoError("building a TLS certificate"));
  }
  X509* self_or_issuer = issuer ? issuer : cert.get();
  bool ok =
      AddExt(cert.get(), self_or_issuer, NID_subject_key_identifier, "hash") &&
      AddExt(cert.get(), self_or_issuer, NID_authority_key_identifier,
             "keyid:always");
  if (ca) {
    ok = ok &&
         AddExt(cert.get(), cert.get(), NID_basic_constraints,
                "critical,CA:TRUE,pathlen:0") &&
         AddExt(cert.get(), cert.get(), NID_key_usage,
                "critical,keyCertSign,cRLSign");
  } else {
    ok = ok &&
         AddExt(cert.get(), issuer, NID_basic_constraints,
                "critical,CA:FALSE") &&
         AddExt(cert.get(), issuer, NID_key_usage,
                "critical,digitalSignature") &&
         AddExt(cert.get(), issuer, NID_ext_key_usage, "serverAuth") &&
         AddExt(cert.get(), issuer, NID_subject_alt_name,
                "DNS:localhost,IP:127.0.0.1,IP:::1");
  }
  if (!ok) return Unexpected(CryptoError("TLS certificate extensions"));
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) {
    return Unexpected(CryptoError("signing a TLS certificate"));
  }
  return cert;
}

}  // namespace

TlsFiles TlsFilesOf(const fs::path& dir) {
  const fs::path tls = dir / "tls";
  return {tls / "root.pem", tls / "root.key", tls / "server.pem",
          tls / "server.key", false};
}

Result<TlsFiles> EnsureTlsFiles(const fs::path& dir, const Clock& clock,
                                Rng& rng) {
  TlsFiles files = TlsFilesOf(dir);
  std::error_code ec;
  if (fs::exists(files.root_pem, ec) && fs::exists(files.root_key, ec) &&
      fs::exists(files.server_chain_pem, ec) &&
      fs::exists(files.server_key, ec)) {
    return files;
  }
  OPENMYNA_RETURN_IF_ERROR(EnsurePrivateDirectory(dir / "tls"));
  const TimePoint from = clock.Now() - std::chrono::hours(24);
  OPENMYNA_ASSIGN_OR_RETURN(EvpPkeyPtr root_key, NewP256Key());
  OPENMYNA_ASSIGN_OR_RETURN(EvpPkeyPtr server_key, NewP256Key());
  OPENMYNA_ASSIGN_OR_RETURN(
      X509Ptr root, MakeCert("OpenMyna Sandbox TLS Root", root_key.get(),
                             nullptr, root_key.get(), from,
                             from + std::chrono::days(3653), true, rng));
  OPENMYNA_ASSIGN_OR_RETURN(
      X509Ptr server,
      MakeCert("localhost", server_key.get(), root.get(), root_key.get(), from,
               from + std::chrono::days(825), false, rng));
  OPENMYNA_ASSIGN_OR_RETURN(std::string root_pem,
                            internal::CertToPem(root.get()));
  OPENMYNA_ASSIGN_OR_RETURN(std::string server_pem,
                            internal::CertToPem(server.get()));
  OPENMYNA_ASSIGN_OR_RETURN(std::string root_key_pem,
                            internal::PrivateKeyToPem(root_key.get()));
  OPENMYNA_ASSIGN_OR_RETURN(std::string server_key_pem,
                            internal::PrivateKeyToPem(server_key.get()));
  constexpr auto kPublic = fs::perms::owner_read | fs::perms::owner_write |
                           fs::perms::group_read | fs::perms::others_read;
  // Keys first, certificates after: a crash leaves no certificate whose key
  // is missing.
  OPENMYNA_RETURN_IF_ERROR(WriteFileAtomically(files.root_key, root_key_pem));
  OPENMYNA_RETURN_IF_ERROR(
      WriteFileAtomically(files.server_key, server_key_pem));
  OPENMYNA_RETURN_IF_ERROR(WriteFileAtomically(files.server_chain_pem,
                                               server_pem + root_pem, kPublic));
  OPENMYNA_RETURN_IF_ERROR(
      WriteFileAtomically(files.root_pem, root_pem, kPublic));
  files.created = true;
  return files;
}

}  // namespace openmyna::pki
