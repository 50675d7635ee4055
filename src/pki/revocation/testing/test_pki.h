// Test-only helpers: a CA and leaf certificates made directly with OpenSSL
// (independent of the pki library's issuance code), files for the openssl
// command line, and a small in-memory CertificateStore.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/openssl_types.h"
#include "openmyna/pki/signer.h"

namespace openmyna::pki::revocation::test_support {

struct TestCa {
  EvpPkeyPtr key;
  X509Ptr cert;
  Bytes key_id;
  EvpPkeyPtr ocsp_key;
  X509Ptr ocsp_cert;  // id-kp-OCSPSigning, ocsp-nocheck, issued by cert
};

// A shared RSA-2048 key (generated once per process: keygen is slow).
EvpPkeyPtr TestKey(int index);
TestCa MakeCa(const std::string& cn, TimePoint now, int key_index = 0);
// The same with given keys (for deterministic fixtures such as the fuzzer).
TestCa MakeCaWithKeys(const std::string& cn, TimePoint now, EvpPkeyPtr ca_key,
                      EvpPkeyPtr ocsp_key);
// A leaf with the given serial (hex), valid [now - 1 day, now + 365 days].
X509Ptr IssueLeaf(const TestCa& ca, const std::string& serial_hex,
                  TimePoint now, const GENERAL_NAMES* crl_dp = nullptr);

std::string Pem(X509* cert);
Bytes Der(X509* cert);
void WriteFile(const std::filesystem::path& path, std::string_view text);
// Runs a shell command, returns stdout+stderr and sets `status`.
std::string Shell(const std::string& command, int* status = nullptr);
// A fresh temporary folder, removed by the caller's TearDown.
std::filesystem::path TempDir(const std::string& name);

// A Signer over a key in memory.
class TestSigner final : public Signer {
 public:
  TestSigner(EVP_PKEY* key, X509* cert, Bytes key_id)
      : key_(key), cert_(cert), key_id_(std::move(key_id)) {}
  Result<Bytes> Sign(DigestAlgorithm, ByteView tbs) override;
  X509* certificate() const override { return cert_; }
  EVP_PKEY* public_key() const override { return key_; }
  const Bytes& key_identifier() const override { return key_id_; }
  EVP_PKEY* openssl_private_key() const override { return key_; }

 private:
  EVP_PKEY* key_;
  X509* cert_;
  Bytes key_id_;
};

// An in-memory CertificateStore with the interface's ordering contract.
class MemoryStore final : public CertificateStore {
 public:
  Status Put(const CertificateRecord& record) override;
  Result<bool> Contains(const Serial& serial) override;
  Status Revoke(const Serial& serial, RevocationReason reason,
                TimePoint when) override;
  Result<CertificateStatus> StatusOf(CaKind ca, const Serial& serial) override;
  Result<std::optional<CertificateRecord>> Find(const Serial& serial) override;
  Result<std::vector<CertificateRecord>> List(
      const ListFilter& filter) override;
  Result<std::vector<CrlPartition>> Partitions(CaKind ca) override;
  Status ForEachRevoked(
      const CrlPartition& partition,
      const std::function<bool(const RevokedEntry&)>& visit) override;
  Result<std::uint64_t> RevocationSequence() override;
  Status ForEachRevocationSince(
      std::uint64_t after,
      const std::function<bool(const RevocationChange&)>& visit) override;

 private:
  // Keyed by (length, bytes) so that iteration is ascending by value.
  std::map<std::pair<std::size_t, Bytes>, CertificateRecord> records_;
  // The change counter: serial key -> its latest sequence number.
  std::map<std::pair<std::size_t, Bytes>, std::uint64_t> sequence_of_;
  std::uint64_t sequence_ = 0;
  std::mutex mutex_;
};

Serial SerialOf(const std::string& hex);

}  // namespace openmyna::pki::revocation::test_support
