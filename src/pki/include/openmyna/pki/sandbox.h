// The sandbox on disk: the ceremony (`openmyna init`), CA generations and
// their keys, and where everything lives (jpki.md §2, §12).
//
// Layout of a sandbox folder DIR (`--data DIR` or $OPENMYNA_DATA):
//
//   DIR/sandbox.json {"format":1,"base_url":"http://127.0.0.1:8390",
//                                     "generations":{"sign":N,"auth":M}}
//   DIR/ca/                          mode 0700
//   DIR/ca/<kind>-ca-g<N>.pem        self-signed root, generation N (PEM)
//   DIR/ca/<kind>-ca-g<N>.key        its RSA-2048 private key (PKCS#8 PEM,
//   0600) DIR/ca/<kind>-ocsp-g<N>.pem      delegated OCSP responder certificate
//   of
//                                    generation N (id-kp-OCSPSigning,
//                                    id-pkix-ocsp-nocheck; RFC 6960 §4.2.2.2)
//   DIR/ca/<kind>-ocsp-g<N>.key      its key (0600)
//   DIR/ca/<kind>-ca-all.pem         every generation of that CA, oldest
//                                    first: the trust bundle verifiers embed
//   DIR/ca/certificates.sqlite       the SqliteCertificateStore of issued
//                                    certificates and their revocations
//
// <kind> is "sign" or "auth" (CaKindName). Generations count from 1; all
// generations of a CA share one DN and differ in key (jpki.md §2.1), so
// verifiers choose the root by key identifier. Issuance always uses the
// newest generation.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/pki/names.h"
#include "openmyna/pki/openssl_types.h"
#include "openmyna/pki/signer.h"

namespace openmyna::pki {

class CertificateStore;

struct SandboxOptions {
  // Written into sandbox.json at init; every certificate names its CRL,
  // OCSP and CPS URLs under it.
  std::string base_url = std::string(kDefaultBaseUrl);
};

// One generation of one CA.
struct CaGeneration {
  CaKind kind;
  int number;  // 1, 2, ...
  std::filesystem::path certificate_pem;
  std::filesystem::path key_pem;
  std::filesystem::path ocsp_certificate_pem;
  std::filesystem::path ocsp_key_pem;
};

class Sandbox {
 public:
  // The ceremony. When DIR holds no sandbox.json: creates DIR/ca (0700),
  // both CAs' first generation (root + OCSP responder certificate; RSA-2048
  // keys from OpenSSL's DRBG), the bundles, the empty store and
  // sandbox.json (written last, so a crash leaves no half sandbox that
  // claims to exist). Roots are valid from clock.Now() for 10 years, until
  // 14:59:59Z (23:59:59 JST) of the day (jpki.md §2.2). `rng` draws serials.
  // When DIR already holds a sandbox: changes nothing and returns it with
  // `created` false.
  struct InitOutcome;
  static Result<InitOutcome> Init(const std::filesystem::path& dir,
                                  const SandboxOptions& options,
                                  const Clock& clock, Rng& rng);

  // Opens an existing sandbox. kBadSandbox if DIR has none.
  static Result<Sandbox> Open(const std::filesystem::path& dir);

  // A new generation of `kind` (`openmyna ca rollover`): same DN, new key,
  // new OCSP responder certificate; updates the bundle and sandbox.json.
  // Returns the new generation's number.
  Result<int> Rollover(CaKind kind, const Clock& clock, Rng& rng);

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path ca_dir() const { return dir_ / "ca"; }
  std::filesystem::path store_path() const {
    return dir_ / "ca" / "certificates.sqlite";
  }
  std::filesystem::path bundle_pem(CaKind kind) const;
  const std::string& base_url() const { return base_url_; }

  // Every generation of `kind`, oldest first (never empty).
  const std::vector<CaGeneration>& generations(CaKind kind) const;
  // The newest generation: the one that issues.
  const CaGeneration& current(CaKind kind) const;

  // Signers of one generation's root key and OCSP responder key
  // (kNotFound for a generation that does not exist).
  Result<std::unique_ptr<Signer>> CaSigner(CaKind kind, int generation) const;
  Result<std::unique_ptr<Signer>> OcspSigner(CaKind kind, int generation) const;
  // The root certificates of every generation of `kind`, oldest first.
  Result<std::vector<X509Ptr>> Roots(CaKind kind) const;

  // The certificate store (owned by the caller): the PostgreSQL server
  // named by $OPENMYNA_PKI_DB when set (the CA state shared by nodes on
  // several machines, docs/scale.md §3), else the SQLite file at
  // store_path().
  Result<std::unique_ptr<CertificateStore>> OpenStore() const;

 private:
  Sandbox() = default;
  std::filesystem::path dir_;
  std::string base_url_;
  std::vector<CaGeneration> sign_;
  std::vector<CaGeneration> auth_;
};

struct Sandbox::InitOutcome {
  Sandbox sandbox;
  bool created;  // false: the sandbox existed and nothing was changed
  // The PEM files written (roots, OCSP certificates, bundles), for `init`
  // to print. Empty when !created.
  std::vector<std::filesystem::path> written;
};

}  // namespace openmyna::pki
