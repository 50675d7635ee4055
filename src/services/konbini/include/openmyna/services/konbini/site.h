// The konbini services of one sandbox, wired in process (docs/konbini.md):
// the centre with the card verifier on the sandbox's authentication roots,
// one municipal issuer per municipality of the registry with its document
// key (DIR/konbini, document_keys.h), and the public keys and the document
// CA a kiosk or a verifier trusts. Used by `openmyna kiosk`, `verify
// document` and the web pages.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/registry/store.h"
#include "openmyna/services/konbini/card_verifier.h"
#include "openmyna/services/konbini/centre.h"
#include "openmyna/services/konbini/ledger_sweeper.h"
#include "openmyna/services/konbini/verification.h"

namespace openmyna::konbini {

struct SiteOptions {
  CentreOptions centre;
  // Issuers render and sign the PDF (document_keys.h certificate).
  bool render_pdf = false;
  // Issuer instances per municipality.
  int instances = 1;
  // IssuerPolicy::registration_office_days of the local issuers.
  int registration_office_days = 5;
  // false: the centre alone (issuers added by the caller, e.g. HttpIssuer);
  // the document keys are then the public key files present in DIR/konbini.
  bool local_issuers = true;
  // The OCSP responder the card check asks (RFC 6960; empty: none, the
  // registry's revocation flag alone). serve's own: SandboxOcspUrl.
  std::string ocsp_url;
};

// The sandbox's OCSP responder of authentication certificates, as `serve`
// answers it: <base_url>/ocsp/auth (pki::OcspPath).
Result<std::string> SandboxOcspUrl(const std::filesystem::path& dir);

class Site {
 public:
  // `store` and `clock` are borrowed and must outlive the site.
  static Result<std::unique_ptr<Site>> Open(const std::filesystem::path& dir,
                                            registry::RegistryStore& store,
                                            const Clock& clock,
                                            SiteOptions options = {});
  Centre& centre() { return *centre_; }
  // Municipality code -> document-signing public key (PEM).
  const std::map<std::string, std::string>& document_keys() const {
    return keys_;
  }
  // The registry's municipalities (code, name) when the site was opened.
  const std::vector<registry::Municipality>& municipalities() const {
    return municipalities_;
  }
  // What a verifier of this sandbox trusts.
  TrustedDocumentKeys Trusted() const;

 private:
  Site() = default;
  OpenSslRng rng_;
  std::unique_ptr<PkiCardVerifier> verifier_;
  std::unique_ptr<Centre> centre_;
  std::map<std::string, std::string> keys_;
  std::vector<registry::Municipality> municipalities_;
  std::string document_ca_pem_;
  // Local issuers: one instance per municipality sweeps its ledger
  // (ledger_sweeper.h); declared last, so it stops first.
  std::vector<std::shared_ptr<MunicipalIssuer>> sweeping_;
  std::unique_ptr<LedgerSweeper> sweeper_;
};

// The trusted keys from DIR/konbini alone (no registry needed).
TrustedDocumentKeys TrustedKeysIn(const std::filesystem::path& dir);
// Municipality code -> document-signing public key (PEM) of every
// DIR/konbini/<code>.document-key.pub.pem (a kiosk of another process).
std::map<std::string, std::string> DocumentKeysIn(
    const std::filesystem::path& dir);

}  // namespace openmyna::konbini
