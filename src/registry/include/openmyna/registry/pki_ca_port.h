// CaPort over the sandbox CAs of openmyna/pki: certificates are issued by
// pki::CertificateAuthority (linted, signed, stored in the shared
// SqliteCertificateStore that CRL and OCSP read) and revoked there, so that a
// registry event is visible on the CRL and OCSP (jpki.md §4).
#pragma once

#include <memory>
#include <mutex>

#include "openmyna/base/rng.h"
#include "openmyna/pki/certificate_authority.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/registry/ports.h"

namespace openmyna::registry {

class PkiCaPort final : public CaPort {
 public:
  // Borrowed: `sandbox`, `store` and `rng` must outlive the port.
  PkiCaPort(const pki::Sandbox& sandbox, pki::CertificateStore& store, Rng& rng)
      : store_(store), ca_(sandbox, store, rng) {}

  // The subject data come from the resident (name, address, sex, date of
  // birth as EYYYYMMDD, jpki.md §3.3) and the municipality (romanised names
  // and code, jpki.md §13 row 7). kUnavailable wraps the CA's refusal.
  Result<IssuedCertificate> Issue(CertificateType type,
                                  ByteView subject_public_key_info,
                                  const Resident& resident,
                                  const Municipality& municipality,
                                  TimePoint not_before,
                                  std::string_view last_day) override;
  // A certificate already revoked with the same hold stays as it is
  // (pki::CertificateStore::Revoke rules).
  Status Revoke(std::string_view serial, RevocationReason reason,
                TimePoint when) override;

  pki::CertificateStore& store() { return store_; }

 private:
  std::mutex mutex_;  // CertificateAuthority is thread-compatible
  pki::CertificateStore& store_;
  pki::CertificateAuthority ca_;
};

}  // namespace openmyna::registry
