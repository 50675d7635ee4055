#include "openmyna/services/konbini/document_keys.h"

#include <fcntl.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sys/file.h>
#include <unistd.h>

#include <functional>

#include "openmyna/base/file_io.h"
#include "openmyna/services/konbini/errors.h"

namespace openmyna::konbini {
namespace {

namespace fs = std::filesystem;
constexpr auto kPublicFile = fs::perms::owner_read | fs::perms::owner_write |
                             fs::perms::group_read | fs::perms::others_read;

std::filesystem::path KeyDir(const std::filesystem::path& dir) {
  return dir / "konbini";
}

std::string CertificatePem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return pem;
}

Result<pki::X509Ptr> ReadCertificate(const fs::path& path) {
  OPENMYNA_ASSIGN_OR_RETURN(std::string pem, ReadFileText(path));
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  pki::X509Ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  if (!cert)
    return Fail(KonbiniErrc::kInternal, "bad certificate " + path.string());
  return cert;
}

// A certificate for `subject_key` named `cn`, signed by `issuer_key` (and
// `issuer` when not self-signed), valid 5 years from `now`.
Result<pki::X509Ptr> MakeCertificate(const std::string& cn,
                                     EVP_PKEY* subject_key, X509* issuer,
                                     EVP_PKEY* issuer_key, bool ca,
                                     TimePoint now) {
  pki::X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  time_t start = std::chrono::system_clock::to_time_t(now) - 3600;
  X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, 0, &start);
  X509_time_adj_ex(X509_getm_notAfter(cert.get()), 5 * 365, 0, &start);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("JP"), -1,
                             -1, 0);
  X509_NAME_add_entry_by_txt(
      name, "O", MBSTRING_UTF8,
      reinterpret_cast<const unsigned char*>("SANDBOX-NOT-JPKI"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(),
                       issuer ? X509_get_subject_name(issuer) : name);
  X509_set_pubkey(cert.get(), subject_key);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer ? issuer : cert.get(), cert.get(), nullptr,
                 nullptr, 0);
  const std::pair<int, const char*> extensions[] = {
      {NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE"},
      {NID_key_usage, ca ? "critical,keyCertSign,cRLSign"
                         : "critical,digitalSignature,nonRepudiation"},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid"}};
  for (const auto& [nid, value] : extensions) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) return Fail(KonbiniErrc::kInternal, "X.509 extension");
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) {
    return Fail(KonbiniErrc::kInternal, "certificate signing failed");
  }
  return cert;
}

}  // namespace

std::filesystem::path DocumentPublicKeyPath(const std::filesystem::path& dir,
                                            std::string_view code) {
  return KeyDir(dir) / (std::string(code) + ".document-key.pub.pem");
}

// The key and certificate files are made under WithKeyDirLock: the issuer
// processes of one sandbox folder may start together.
static Result<std::shared_ptr<DocumentSigner>> LoadOrCreateSignerLocked(
    const std::filesystem::path& data_dir, const std::string& code) {
  const auto private_path = KeyDir(data_dir) / (code + ".document-key.pem");
  const std::string key_id = "document-" + code;
  if (auto pem = ReadFileText(private_path)) {
    return DocumentSigner::FromPem(key_id, *pem);
  }
  OPENMYNA_RETURN_IF_ERROR(EnsurePrivateDirectory(KeyDir(data_dir)));
  OPENMYNA_ASSIGN_OR_RETURN(auto signer, DocumentSigner::Generate(key_id));
  OPENMYNA_RETURN_IF_ERROR(
      WriteFileAtomically(private_path, signer->PrivateKeyPem()));
  OPENMYNA_RETURN_IF_ERROR(
      WriteFileAtomically(DocumentPublicKeyPath(data_dir, code),
                          signer->PublicKeyPem(), kPublicFile));
  return signer;
}

Status WithKeyDirLock(const std::filesystem::path& data_dir,
                      const std::function<Status()>& make) {
  OPENMYNA_RETURN_IF_ERROR(EnsurePrivateDirectory(KeyDir(data_dir)));
  const int fd = ::open((KeyDir(data_dir) / "keys.lock").c_str(),
                        O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Fail(KonbiniErrc::kInternal, "konbini/keys.lock: open");
  ::flock(fd, LOCK_EX);  // released by close
  Status made = make();
  ::close(fd);
  return made;
}

Result<std::shared_ptr<DocumentSigner>> LoadOrCreateDocumentSigner(
    const std::filesystem::path& data_dir, const std::string& code) {
  std::shared_ptr<DocumentSigner> signer;
  OPENMYNA_RETURN_IF_ERROR(WithKeyDirLock(data_dir, [&]() -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(signer, LoadOrCreateSignerLocked(data_dir, code));
    return Ok();
  }));
  return signer;
}

std::filesystem::path DocumentCaPath(const std::filesystem::path& dir) {
  return KeyDir(dir) / "document-ca.pem";
}

static Result<pki::X509Ptr> LoadOrCreateCertificateLocked(
    const std::filesystem::path& data_dir, const std::string& code,
    const DocumentSigner& signer, const Clock& clock);

Result<pki::X509Ptr> LoadOrCreateDocumentCertificate(
    const std::filesystem::path& data_dir, const std::string& code,
    const DocumentSigner& signer, const Clock& clock) {
  pki::X509Ptr made;
  OPENMYNA_RETURN_IF_ERROR(WithKeyDirLock(data_dir, [&]() -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(
        made, LoadOrCreateCertificateLocked(data_dir, code, signer, clock));
    return Ok();
  }));
  return made;
}

static Result<pki::X509Ptr> LoadOrCreateCertificateLocked(
    const std::filesystem::path& data_dir, const std::string& code,
    const DocumentSigner& signer, const Clock& clock) {
  const auto cert_path = KeyDir(data_dir) / (code + ".document-cert.pem");
  if (fs::exists(cert_path)) return ReadCertificate(cert_path);
  OPENMYNA_RETURN_IF_ERROR(EnsurePrivateDirectory(KeyDir(data_dir)));
  OPENMYNA_ASSIGN_OR_RETURN(auto ca_signer,
                            LoadOrCreateSignerLocked(data_dir, "document-ca"));
  pki::X509Ptr ca;
  if (fs::exists(DocumentCaPath(data_dir))) {
    OPENMYNA_ASSIGN_OR_RETURN(ca, ReadCertificate(DocumentCaPath(data_dir)));
  } else {
    OPENMYNA_ASSIGN_OR_RETURN(
        ca, MakeCertificate("OpenMyna document CA (SANDBOX)", ca_signer->key(),
                            nullptr, ca_signer->key(), true, clock.Now()));
    OPENMYNA_RETURN_IF_ERROR(WriteFileAtomically(
        DocumentCaPath(data_dir), CertificatePem(ca.get()), kPublicFile));
  }
  OPENMYNA_ASSIGN_OR_RETURN(
      auto cert,
      MakeCertificate(code + " document signing (SANDBOX)", signer.key(),
                      ca.get(), ca_signer->key(), false, clock.Now()));
  OPENMYNA_RETURN_IF_ERROR(
      WriteFileAtomically(cert_path, CertificatePem(cert.get()), kPublicFile));
  return cert;
}

}  // namespace openmyna::konbini
