#include "test_pki.h"

#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <random>

#include "openmyna/base/testing/shell.h"
#include "openmyna/pki/errors.h"

namespace openmyna::pki::revocation::test_support {
namespace {

void AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) std::abort();
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

void SetTimes(X509* cert, TimePoint from, TimePoint to) {
  ASN1_TIME_set(X509_getm_notBefore(cert),
                std::chrono::system_clock::to_time_t(from));
  ASN1_TIME_set(X509_getm_notAfter(cert),
                std::chrono::system_clock::to_time_t(to));
}

X509NamePtr Name(const std::string& cn) {
  X509NamePtr name(X509_NAME_new());
  X509_NAME_add_entry_by_txt(name.get(), "C", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("JP"), -1,
                             -1, 0);
  X509_NAME_add_entry_by_txt(
      name.get(), "O", MBSTRING_UTF8,
      reinterpret_cast<const unsigned char*>("SANDBOX-NOT-JPKI test"), -1, -1,
      0);
  X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()),
                             -1, -1, 0);
  return name;
}

void SetSerialHex(X509* cert, const std::string& hex) {
  BIGNUM* bn = nullptr;
  BN_hex2bn(&bn, hex.c_str());
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
  BN_free(bn);
}

}  // namespace

EvpPkeyPtr TestKey(int index) {
  static std::mutex mutex;
  static std::array<EVP_PKEY*, 4> keys{};
  std::lock_guard lock(mutex);
  if (keys[index] == nullptr) {
    keys[index] = EVP_RSA_gen(2048);
  }
  EVP_PKEY_up_ref(keys[index]);
  return EvpPkeyPtr(keys[index]);
}

TestCa MakeCa(const std::string& cn, TimePoint now, int key_index) {
  return MakeCaWithKeys(cn, now, TestKey(key_index), TestKey(key_index + 1));
}

TestCa MakeCaWithKeys(const std::string& cn, TimePoint now, EvpPkeyPtr ca_key,
                      EvpPkeyPtr ocsp_key) {
  TestCa ca;
  ca.key = std::move(ca_key);
  ca.cert.reset(X509_new());
  X509_set_version(ca.cert.get(), 2);
  SetSerialHex(ca.cert.get(), "01");
  X509NamePtr name = Name(cn);
  X509_set_subject_name(ca.cert.get(), name.get());
  X509_set_issuer_name(ca.cert.get(), name.get());
  SetTimes(ca.cert.get(), now - std::chrono::hours(24 * 30),
           now + std::chrono::hours(24 * 3650));
  X509_set_pubkey(ca.cert.get(), ca.key.get());
  AddExt(ca.cert.get(), ca.cert.get(), NID_basic_constraints,
         "critical,CA:TRUE");
  AddExt(ca.cert.get(), ca.cert.get(), NID_key_usage,
         "critical,keyCertSign,cRLSign");
  AddExt(ca.cert.get(), ca.cert.get(), NID_subject_key_identifier, "hash");
  X509_sign(ca.cert.get(), ca.key.get(), EVP_sha256());
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(ca.cert.get());
  ca.key_id.assign(ski->data, ski->data + ski->length);

  ca.ocsp_key = std::move(ocsp_key);
  ca.ocsp_cert.reset(X509_new());
  X509_set_version(ca.ocsp_cert.get(), 2);
  SetSerialHex(ca.ocsp_cert.get(), "02");
  X509NamePtr ocsp_name = Name(cn + " OCSP responder");
  X509_set_subject_name(ca.ocsp_cert.get(), ocsp_name.get());
  X509_set_issuer_name(ca.ocsp_cert.get(), name.get());
  SetTimes(ca.ocsp_cert.get(), now - std::chrono::hours(24),
           now + std::chrono::hours(24 * 365));
  X509_set_pubkey(ca.ocsp_cert.get(), ca.ocsp_key.get());
  AddExt(ca.ocsp_cert.get(), ca.cert.get(), NID_key_usage,
         "critical,digitalSignature");
  AddExt(ca.ocsp_cert.get(), ca.cert.get(), NID_ext_key_usage, "OCSPSigning");
  AddExt(ca.ocsp_cert.get(), ca.cert.get(), NID_id_pkix_OCSP_noCheck,
         "ignored");
  AddExt(ca.ocsp_cert.get(), ca.cert.get(), NID_authority_key_identifier,
         "keyid:always");
  X509_sign(ca.ocsp_cert.get(), ca.key.get(), EVP_sha256());
  return ca;
}

X509Ptr IssueLeaf(const TestCa& ca, const std::string& serial_hex,
                  TimePoint now, const GENERAL_NAMES* crl_dp) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  SetSerialHex(cert.get(), serial_hex);
  X509NamePtr name = Name("leaf " + serial_hex);
  X509_set_subject_name(cert.get(), name.get());
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca.cert.get()));
  SetTimes(cert.get(), now - std::chrono::hours(24),
           now + std::chrono::hours(24 * 365));
  EvpPkeyPtr key = TestKey(3);
  X509_set_pubkey(cert.get(), key.get());
  AddExt(cert.get(), ca.cert.get(), NID_key_usage, "critical,digitalSignature");
  AddExt(cert.get(), ca.cert.get(), NID_authority_key_identifier,
         "keyid:always");
  if (crl_dp != nullptr) {
    CRL_DIST_POINTS* points = sk_DIST_POINT_new_null();
    DIST_POINT* point = DIST_POINT_new();
    point->distpoint = DIST_POINT_NAME_new();
    point->distpoint->type = 0;
    point->distpoint->name.fullname = static_cast<GENERAL_NAMES*>(ASN1_item_dup(
        ASN1_ITEM_rptr(GENERAL_NAMES), const_cast<GENERAL_NAMES*>(crl_dp)));
    sk_DIST_POINT_push(points, point);
    X509_add1_ext_i2d(cert.get(), NID_crl_distribution_points, points, 0, 0);
    CRL_DIST_POINTS_free(points);
  }
  X509_sign(cert.get(), ca.key.get(), EVP_sha256());
  return cert;
}

std::string Pem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

Bytes Der(X509* cert) {
  unsigned char* out = nullptr;
  const int n = i2d_X509(cert, &out);
  Bytes der(out, out + n);
  OPENSSL_free(out);
  return der;
}

void WriteFile(const std::filesystem::path& path, std::string_view text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string Shell(const std::string& command, int* status) {
  auto run = testing_tools::RunShell(command, testing_tools::Stderr::kCapture);
  if (status) *status = run.status;
  return std::move(run.output);
}

std::filesystem::path TempDir(const std::string& name) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("openmyna-" + name + "-" + std::to_string(::getpid()) + "-" +
       std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir);
  return dir;
}

Result<Bytes> TestSigner::Sign(DigestAlgorithm, ByteView tbs) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::size_t len = 0;
  Bytes sig;
  if (EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_) == 1 &&
      EVP_DigestSign(ctx, nullptr, &len, tbs.data(), tbs.size()) == 1) {
    sig.resize(len);
    EVP_DigestSign(ctx, sig.data(), &len, tbs.data(), tbs.size());
  }
  EVP_MD_CTX_free(ctx);
  if (sig.empty()) return Fail(PkiErrc::kCrypto, "test sign failed");
  return sig;
}

Serial SerialOf(const std::string& hex) {
  Serial s;
  std::string h = hex.size() % 2 ? "0" + hex : hex;
  s.bytes = FromHex(h).value();
  return s;
}

namespace {
std::pair<std::size_t, Bytes> KeyOf(const Serial& serial) {
  std::size_t i = 0;
  while (i < serial.bytes.size() && serial.bytes[i] == 0) ++i;
  Bytes b(serial.bytes.begin() + static_cast<std::ptrdiff_t>(i),
          serial.bytes.end());
  return {b.size(), b};
}
}  // namespace

Status MemoryStore::Put(const CertificateRecord& record) {
  std::lock_guard lock(mutex_);
  if (!records_.emplace(KeyOf(record.serial), record).second) {
    return Fail(PkiErrc::kDuplicateSerial, "duplicate");
  }
  if (record.revocation_reason && record.revocation_time) {
    sequence_of_[KeyOf(record.serial)] = ++sequence_;
  }
  return Ok();
}

Result<bool> MemoryStore::Contains(const Serial& serial) {
  std::lock_guard lock(mutex_);
  return records_.count(KeyOf(serial)) > 0;
}

Status MemoryStore::Revoke(const Serial& serial, RevocationReason reason,
                           TimePoint when) {
  std::lock_guard lock(mutex_);
  auto it = records_.find(KeyOf(serial));
  if (it == records_.end()) return Fail(PkiErrc::kNotFound, "no such serial");
  if (it->second.revocation_reason &&
      *it->second.revocation_reason != RevocationReason::kCertificateHold) {
    return Fail(PkiErrc::kAlreadyRevoked, "already revoked");
  }
  if (!it->second.revocation_time) it->second.revocation_time = when;
  it->second.revocation_reason = reason;
  sequence_of_[it->first] = ++sequence_;
  return Ok();
}

Result<CertificateStatus> MemoryStore::StatusOf(CaKind ca,
                                                const Serial& serial) {
  std::lock_guard lock(mutex_);
  CertificateStatus status;
  auto it = records_.find(KeyOf(serial));
  if (it == records_.end() || it->second.partition.ca != ca) return status;
  if (it->second.revocation_reason) {
    status.kind = CertificateStatus::Kind::kRevoked;
    status.reason = *it->second.revocation_reason;
    status.revocation_time = *it->second.revocation_time;
  } else {
    status.kind = CertificateStatus::Kind::kGood;
  }
  return status;
}

Result<std::optional<CertificateRecord>> MemoryStore::Find(
    const Serial& serial) {
  std::lock_guard lock(mutex_);
  auto it = records_.find(KeyOf(serial));
  if (it == records_.end()) return std::optional<CertificateRecord>();
  return std::optional<CertificateRecord>(it->second);
}

Result<std::vector<CertificateRecord>> MemoryStore::List(
    const ListFilter& filter) {
  std::lock_guard lock(mutex_);
  std::vector<CertificateRecord> out;
  for (const auto& [key, record] : records_) {
    if (filter.ca && record.partition.ca != *filter.ca) continue;
    if (filter.revoked_only && !record.revocation_reason) continue;
    out.push_back(record);
    if (filter.limit && out.size() >= filter.limit) break;
  }
  return out;
}

Result<std::vector<CrlPartition>> MemoryStore::Partitions(CaKind ca) {
  std::lock_guard lock(mutex_);
  std::vector<CrlPartition> out;
  for (const auto& [key, record] : records_) {
    if (record.partition.ca != ca) continue;
    bool seen = false;
    for (const auto& p : out) {
      seen |= p.generation == record.partition.generation &&
              p.municipality_code == record.partition.municipality_code;
    }
    if (!seen) out.push_back(record.partition);
  }
  return out;
}

Status MemoryStore::ForEachRevoked(
    const CrlPartition& partition,
    const std::function<bool(const RevokedEntry&)>& visit) {
  std::vector<RevokedEntry> entries;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, record] : records_) {
      if (record.partition.ca != partition.ca ||
          record.partition.generation != partition.generation ||
          record.partition.municipality_code != partition.municipality_code ||
          !record.revocation_reason) {
        continue;
      }
      entries.push_back(
          {record.serial, *record.revocation_time, *record.revocation_reason});
    }
  }
  for (const auto& e : entries) {
    if (!visit(e)) break;
  }
  return Ok();
}

Result<std::uint64_t> MemoryStore::RevocationSequence() {
  std::lock_guard lock(mutex_);
  return sequence_;
}

Status MemoryStore::ForEachRevocationSince(
    std::uint64_t after,
    const std::function<bool(const RevocationChange&)>& visit) {
  std::map<std::uint64_t, RevocationChange> changes;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, sequence] : sequence_of_) {
      if (sequence <= after) continue;
      const CertificateRecord& record = records_.at(key);
      changes[sequence] = {
          sequence,
          record.partition,
          {record.serial, *record.revocation_time, *record.revocation_reason}};
    }
  }
  for (const auto& [sequence, change] : changes) {
    if (!visit(change)) break;
  }
  return Ok();
}

}  // namespace openmyna::pki::revocation::test_support
