#include "openmyna/pki/sandbox.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "internal/extensions.h"
#include "internal/openssl_util.h"
#include "internal/profiles.h"
#include "openmyna/base/file_io.h"
#include "openmyna/pki/certificate_authority.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/errors.h"
#include "openmyna/pki/linter.h"

namespace openmyna::pki {
namespace {

namespace fs = std::filesystem;
using internal::CryptoError;

constexpr int kFormat = 1;
constexpr int kRsaBits = 2048;  // jpki.md §2.2; 施行規則 Art. 2 floor

CaGeneration PathsOf(const fs::path& dir, CaKind kind, int number) {
  const std::string prefix = std::string(CaKindName(kind));
  const std::string g = "-g" + std::to_string(number);
  const fs::path ca = dir / "ca";
  return CaGeneration{kind,
                      number,
                      ca / (prefix + "-ca" + g + ".pem"),
                      ca / (prefix + "-ca" + g + ".key"),
                      ca / (prefix + "-ocsp" + g + ".pem"),
                      ca / (prefix + "-ocsp" + g + ".key")};
}

Result<EvpPkeyPtr> NewRsaKey() {
  EvpPkeyPtr key(EVP_RSA_gen(kRsaBits));
  if (!key) return Unexpected(CryptoError("generating RSA-2048 key"));
  return key;
}

Status WriteKey(const fs::path& path, EVP_PKEY* key) {
  OPENMYNA_ASSIGN_OR_RETURN(std::string pem, internal::PrivateKeyToPem(key));
  Status status = WriteFileAtomically(path, pem, kPrivateFileMode);
  SecureWipe(pem);
  return status;
}

constexpr fs::perms kPublicFileMode =
    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
    fs::perms::others_read;

Status WriteCert(const fs::path& path, X509* cert) {
  OPENMYNA_ASSIGN_OR_RETURN(std::string pem, internal::CertToPem(cert));
  return WriteFileAtomically(path, pem, kPublicFileMode);
}

Status CheckLint(X509* cert, CertificateProfile profile, X509* issuer) {
  const auto findings = LintCertificate(cert, {profile, issuer});
  if (!findings.empty()) {
    return Fail(PkiErrc::kLintFailed, FormatFindings(findings));
  }
  return Ok();
}

// The self-signed root of one generation (jpki.md §2.2).
Result<X509Ptr> MakeRoot(CaKind kind, EVP_PKEY* key, const Clock& clock,
                         Rng& rng) {
  X509Ptr cert(X509_new());
  const TimePoint now = std::chrono::floor<std::chrono::seconds>(clock.Now());
  const auto start = internal::JstDate(now);
  const auto end = std::chrono::year_month_day(
      std::chrono::sys_days(start + std::chrono::years(10)) -
      std::chrono::days(1));
  const Serial serial = internal::RandomSerial(rng);
  ASN1_INTEGER* asn1_serial = internal::NewAsn1Integer(serial.bytes);
  X509NamePtr name = CaName(kind);
  bool ok = X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
            X509_set_serialNumber(cert.get(), asn1_serial) == 1 &&
            X509_set_issuer_name(cert.get(), name.get()) == 1 &&
            X509_set_subject_name(cert.get(), name.get()) == 1 &&
            internal::SetAsn1Time(X509_getm_notBefore(cert.get()), now) &&
            internal::SetAsn1Time(X509_getm_notAfter(cert.get()),
                                  internal::EndOfDayJst(end)) &&
            X509_set_pubkey(cert.get(), key) == 1;
  ASN1_INTEGER_free(asn1_serial);
  if (!ok) return Unexpected(CryptoError("building root"));
  OPENMYNA_ASSIGN_OR_RETURN(Bytes key_id, internal::KeyIdentifier(key));
  X509NamePtr alt = internal::JapaneseAltName(kind);
  GeneralNamesPtr arl(sk_GENERAL_NAME_new_null());
  GENERAL_NAME* arl_name = GENERAL_NAME_new();
  GENERAL_NAME_set0_value(arl_name, GEN_DIRNAME, X509_NAME_dup(name.get()));
  sk_GENERAL_NAME_push(arl.get(), arl_name);
  OPENMYNA_RETURN_IF_ERROR(internal::AddKeyUsage(
      cert.get(), {internal::kKuKeyCertSign, internal::kKuCrlSign}));
  OPENMYNA_RETURN_IF_ERROR(
      internal::AddDirNameAltName(cert.get(), NID_subject_alt_name, alt.get()));
  OPENMYNA_RETURN_IF_ERROR(internal::AddBasicConstraintsCa(cert.get()));
  OPENMYNA_RETURN_IF_ERROR(
      internal::AddCrlDistributionPoint(cert.get(), arl.get()));
  OPENMYNA_RETURN_IF_ERROR(internal::AddSubjectKeyId(cert.get(), key_id));
  OPENMYNA_RETURN_IF_ERROR(
      CheckLint(cert.get(), CertificateProfile::kRoot, nullptr));
  if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) {
    return Unexpected(CryptoError("self-signing root"));
  }
  return cert;
}

// The delegated OCSP responder certificate (RFC 6960 §4.2.2.2), valid
// until its root ends.
Result<X509Ptr> MakeOcspCert(CaKind kind, int number, EVP_PKEY* key, Signer& ca,
                             const Clock& clock, Rng& rng) {
  X509Ptr cert(X509_new());
  const TimePoint now = std::chrono::floor<std::chrono::seconds>(clock.Now());
  X509NamePtr subject(X509_NAME_new());
  internal::AddRdn(subject.get(), NID_countryName, V_ASN1_PRINTABLESTRING,
                   "JP");
  internal::AddRdn(subject.get(), NID_organizationName, V_ASN1_UTF8STRING,
                   kSandboxOrganization);
  internal::AddRdn(subject.get(), NID_organizationalUnitName, V_ASN1_UTF8STRING,
                   CaUnit(kind));
  internal::AddRdn(subject.get(), NID_commonName, V_ASN1_UTF8STRING,
                   "OCSP responder g" + std::to_string(number) + " (NOT JPKI)");
  const Serial serial = internal::RandomSerial(rng);
  ASN1_INTEGER* asn1_serial = internal::NewAsn1Integer(serial.bytes);
  bool ok = X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
            X509_set_serialNumber(cert.get(), asn1_serial) == 1 &&
            X509_set_issuer_name(
                cert.get(), X509_get_subject_name(ca.certificate())) == 1 &&
            X509_set_subject_name(cert.get(), subject.get()) == 1 &&
            internal::SetAsn1Time(X509_getm_notBefore(cert.get()), now) &&
            X509_set1_notAfter(cert.get(),
                               X509_get0_notAfter(ca.certificate())) == 1 &&
            X509_set_pubkey(cert.get(), key) == 1;
  ASN1_INTEGER_free(asn1_serial);
  if (!ok) return Unexpected(CryptoError("building OCSP certificate"));
  OPENMYNA_ASSIGN_OR_RETURN(Bytes key_id, internal::KeyIdentifier(key));
  OPENMYNA_RETURN_IF_ERROR(
      internal::AddKeyUsage(cert.get(), {internal::kKuDigitalSignature}));
  OPENMYNA_RETURN_IF_ERROR(
      internal::AddExtendedKeyUsage(cert.get(), NID_OCSP_sign));
  OPENMYNA_RETURN_IF_ERROR(internal::AddOcspNoCheck(cert.get()));
  OPENMYNA_RETURN_IF_ERROR(internal::AddAuthorityKeyId(
      cert.get(), ca.key_identifier(), nullptr, nullptr));
  OPENMYNA_RETURN_IF_ERROR(internal::AddSubjectKeyId(cert.get(), key_id));
  OPENMYNA_RETURN_IF_ERROR(CheckLint(
      cert.get(), CertificateProfile::kOcspResponder, ca.certificate()));
  return SignCertificate(cert.get(), ca);
}

Status MakeGeneration(const CaGeneration& paths, const Clock& clock, Rng& rng,
                      std::vector<fs::path>& written) {
  OPENMYNA_ASSIGN_OR_RETURN(EvpPkeyPtr ca_key, NewRsaKey());
  OPENMYNA_ASSIGN_OR_RETURN(X509Ptr root,
                            MakeRoot(paths.kind, ca_key.get(), clock, rng));
  OPENMYNA_ASSIGN_OR_RETURN(EvpPkeyPtr ocsp_key, NewRsaKey());
  // Keys first: a root on disk without its key would be useless.
  OPENMYNA_RETURN_IF_ERROR(WriteKey(paths.key_pem, ca_key.get()));
  OPENMYNA_RETURN_IF_ERROR(WriteCert(paths.certificate_pem, root.get()));
  OPENMYNA_ASSIGN_OR_RETURN(
      auto ca_signer,
      FileKeySigner::FromObjects(std::move(ca_key), std::move(root)));
  OPENMYNA_ASSIGN_OR_RETURN(
      X509Ptr ocsp, MakeOcspCert(paths.kind, paths.number, ocsp_key.get(),
                                 *ca_signer, clock, rng));
  OPENMYNA_RETURN_IF_ERROR(WriteKey(paths.ocsp_key_pem, ocsp_key.get()));
  OPENMYNA_RETURN_IF_ERROR(WriteCert(paths.ocsp_certificate_pem, ocsp.get()));
  written.push_back(paths.certificate_pem);
  written.push_back(paths.ocsp_certificate_pem);
  return Ok();
}

Status WriteBundle(const fs::path& path,
                   const std::vector<CaGeneration>& generations) {
  std::string bundle;
  for (const CaGeneration& g : generations) {
    auto pem = ReadFileText(g.certificate_pem);
    if (!pem) return Fail(PkiErrc::kIo, pem.error().message());
    bundle += *pem;
  }
  return WriteFileAtomically(path, bundle, kPublicFileMode);
}

Status WriteJson(const fs::path& dir, const std::string& base_url, int sign,
                 int auth) {
  nlohmann::json doc = {{"format", kFormat},
                        {"base_url", base_url},
                        {"generations", {{"sign", sign}, {"auth", auth}}}};
  return WriteFileAtomically(dir / "sandbox.json", doc.dump(2) + "\n",
                             kPublicFileMode);
}

}  // namespace

fs::path Sandbox::bundle_pem(CaKind kind) const {
  return dir_ / "ca" / (std::string(CaKindName(kind)) + "-ca-all.pem");
}

const std::vector<CaGeneration>& Sandbox::generations(CaKind kind) const {
  return kind == CaKind::kSignature ? sign_ : auth_;
}

const CaGeneration& Sandbox::current(CaKind kind) const {
  return generations(kind).back();
}

Result<Sandbox::InitOutcome> Sandbox::Init(const fs::path& dir,
                                           const SandboxOptions& options,
                                           const Clock& clock, Rng& rng) {
  std::error_code ec;
  if (fs::exists(dir / "sandbox.json", ec)) {
    OPENMYNA_ASSIGN_OR_RETURN(Sandbox existing, Open(dir));
    return InitOutcome{std::move(existing), false, {}};
  }
  if (!options.base_url.starts_with("http://")) {
    return Fail(PkiErrc::kInvalidRequest,
                "base URL must be http:// (CRLs and OCSP are plain HTTP): " +
                    options.base_url);
  }
  if (auto s = EnsurePrivateDirectory(dir / "ca"); !s) {
    return Fail(PkiErrc::kIo, s.error().message());
  }
  Sandbox sandbox;
  sandbox.dir_ = dir;
  sandbox.base_url_ = options.base_url;
  while (!sandbox.base_url_.empty() && sandbox.base_url_.back() == '/') {
    sandbox.base_url_.pop_back();
  }
  std::vector<fs::path> written;
  for (CaKind kind : {CaKind::kSignature, CaKind::kAuthentication}) {
    CaGeneration g = PathsOf(dir, kind, 1);
    OPENMYNA_RETURN_IF_ERROR(MakeGeneration(g, clock, rng, written));
    (kind == CaKind::kSignature ? sandbox.sign_ : sandbox.auth_).push_back(g);
    OPENMYNA_RETURN_IF_ERROR(
        WriteBundle(sandbox.bundle_pem(kind), sandbox.generations(kind)));
    written.push_back(sandbox.bundle_pem(kind));
  }
  OPENMYNA_ASSIGN_OR_RETURN(auto store, sandbox.OpenStore());
  store.reset();
  OPENMYNA_RETURN_IF_ERROR(WriteJson(dir, sandbox.base_url_, 1, 1));
  return InitOutcome{std::move(sandbox), true, std::move(written)};
}

Result<Sandbox> Sandbox::Open(const fs::path& dir) {
  auto text = ReadFileText(dir / "sandbox.json");
  if (!text) {
    return Fail(PkiErrc::kBadSandbox,
                "no sandbox in " + dir.string() + " (run `openmyna init`)");
  }
  nlohmann::json doc = nlohmann::json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() ||
      doc.value("format", 0) != kFormat || !doc.contains("generations") ||
      !doc["base_url"].is_string()) {
    return Fail(PkiErrc::kBadSandbox,
                "damaged " + (dir / "sandbox.json").string());
  }
  Sandbox sandbox;
  sandbox.dir_ = dir;
  sandbox.base_url_ = doc["base_url"].get<std::string>();
  for (CaKind kind : {CaKind::kSignature, CaKind::kAuthentication}) {
    const int count =
        doc["generations"].value(std::string(CaKindName(kind)), 0);
    if (count < 1) {
      return Fail(PkiErrc::kBadSandbox, "sandbox.json lists no generation");
    }
    for (int n = 1; n <= count; ++n) {
      (kind == CaKind::kSignature ? sandbox.sign_ : sandbox.auth_)
          .push_back(PathsOf(dir, kind, n));
    }
  }
  return sandbox;
}

Result<int> Sandbox::Rollover(CaKind kind, const Clock& clock, Rng& rng) {
  auto& list = kind == CaKind::kSignature ? sign_ : auth_;
  CaGeneration g = PathsOf(dir_, kind, static_cast<int>(list.size()) + 1);
  std::vector<fs::path> written;
  OPENMYNA_RETURN_IF_ERROR(MakeGeneration(g, clock, rng, written));
  list.push_back(g);
  OPENMYNA_RETURN_IF_ERROR(WriteBundle(bundle_pem(kind), list));
  OPENMYNA_RETURN_IF_ERROR(WriteJson(dir_, base_url_,
                                     static_cast<int>(sign_.size()),
                                     static_cast<int>(auth_.size())));
  return g.number;
}

Result<std::unique_ptr<Signer>> Sandbox::CaSigner(CaKind kind,
                                                  int generation) const {
  const auto& list = generations(kind);
  if (generation < 1 || generation > static_cast<int>(list.size())) {
    return Fail(PkiErrc::kNotFound,
                "no generation " + std::to_string(generation));
  }
  const CaGeneration& g = list[static_cast<std::size_t>(generation - 1)];
  OPENMYNA_ASSIGN_OR_RETURN(auto signer,
                            FileKeySigner::Load(g.key_pem, g.certificate_pem));
  return std::unique_ptr<Signer>(std::move(signer));
}

Result<std::unique_ptr<Signer>> Sandbox::OcspSigner(CaKind kind,
                                                    int generation) const {
  const auto& list = generations(kind);
  if (generation < 1 || generation > static_cast<int>(list.size())) {
    return Fail(PkiErrc::kNotFound,
                "no generation " + std::to_string(generation));
  }
  const CaGeneration& g = list[static_cast<std::size_t>(generation - 1)];
  OPENMYNA_ASSIGN_OR_RETURN(
      auto signer, FileKeySigner::Load(g.ocsp_key_pem, g.ocsp_certificate_pem));
  return std::unique_ptr<Signer>(std::move(signer));
}

Result<std::vector<X509Ptr>> Sandbox::Roots(CaKind kind) const {
  std::vector<X509Ptr> roots;
  for (const CaGeneration& g : generations(kind)) {
    auto bytes = ReadFileBytes(g.certificate_pem);
    if (!bytes) return Fail(PkiErrc::kIo, bytes.error().message());
    OPENMYNA_ASSIGN_OR_RETURN(X509Ptr cert, internal::CertFromPemOrDer(*bytes));
    roots.push_back(std::move(cert));
  }
  return roots;
}

Result<std::unique_ptr<CertificateStore>> Sandbox::OpenStore() const {
  if (const char* url = std::getenv("OPENMYNA_PKI_DB"); url && *url) {
    return OpenCertificateStore(url);
  }
  OPENMYNA_ASSIGN_OR_RETURN(auto store,
                            SqliteCertificateStore::Open(store_path()));
  return std::unique_ptr<CertificateStore>(std::move(store));
}

}  // namespace openmyna::pki
