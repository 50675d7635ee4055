#include "openmyna/services/konbini/site.h"

#include "openmyna/base/file_io.h"
#include "openmyna/pki/names.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/services/konbini/document_keys.h"

namespace openmyna::konbini {

Result<std::unique_ptr<Site>> Site::Open(const std::filesystem::path& dir,
                                         registry::RegistryStore& store,
                                         const Clock& clock,
                                         SiteOptions options) {
  std::unique_ptr<Site> site(new Site());
  OPENMYNA_ASSIGN_OR_RETURN(auto sandbox, pki::Sandbox::Open(dir));
  OPENMYNA_ASSIGN_OR_RETURN(auto roots,
                            sandbox.Roots(pki::CaKind::kAuthentication));
  site->verifier_ =
      std::make_unique<PkiCardVerifier>(std::move(roots), options.ocsp_url);
  site->centre_ = std::make_unique<Centre>(store, clock, site->rng_,
                                           *site->verifier_, options.centre);
  std::vector<registry::Municipality> municipalities;
  OPENMYNA_RETURN_IF_ERROR(
      store.Transact([&](registry::RegistryTx& tx) -> Status {
        OPENMYNA_ASSIGN_OR_RETURN(municipalities, tx.ListMunicipalities());
        return Ok();
      }));
  if (!options.local_issuers) site->keys_ = DocumentKeysIn(dir);
  for (const auto& m : municipalities) {
    if (!options.local_issuers) break;
    OPENMYNA_ASSIGN_OR_RETURN(auto signer,
                              LoadOrCreateDocumentSigner(dir, m.code));
    site->keys_[m.code] = signer->PublicKeyPem();
    IssuerPolicy policy;
    policy.registration_office_days = options.registration_office_days;
    if (options.render_pdf) {
      OPENMYNA_ASSIGN_OR_RETURN(auto cert, LoadOrCreateDocumentCertificate(
                                               dir, m.code, *signer, clock));
      policy.pdf_certificate = std::shared_ptr<X509>(cert.release(), X509_free);
    }
    for (int i = 1; i <= std::max(1, options.instances); ++i) {
      auto issuer = std::make_shared<MunicipalIssuer>(
          m.code, m.code + "-" + std::to_string(i), store, clock, site->rng_,
          signer, policy);
      if (i == 1) site->sweeping_.push_back(issuer);
      site->centre_->AddIssuer(m.code, std::move(issuer));
    }
  }
  if (!site->sweeping_.empty()) {
    std::vector<MunicipalIssuer*> issuers;
    for (const auto& issuer : site->sweeping_) issuers.push_back(issuer.get());
    site->sweeper_ = std::make_unique<LedgerSweeper>(std::move(issuers));
  }
  site->municipalities_ = std::move(municipalities);
  if (auto ca = ReadFileText(DocumentCaPath(dir))) site->document_ca_pem_ = *ca;
  return site;
}

Result<std::string> SandboxOcspUrl(const std::filesystem::path& dir) {
  OPENMYNA_ASSIGN_OR_RETURN(auto sandbox, pki::Sandbox::Open(dir));
  return sandbox.base_url() + pki::OcspPath(pki::CaKind::kAuthentication);
}

TrustedDocumentKeys Site::Trusted() const {
  TrustedDocumentKeys trusted;
  trusted.public_key_pem =
      [keys = keys_](const std::string& code) -> std::optional<std::string> {
    auto it = keys.find(code);
    if (it == keys.end()) return std::nullopt;
    return it->second;
  };
  trusted.document_ca_pem = document_ca_pem_;
  return trusted;
}

std::map<std::string, std::string> DocumentKeysIn(
    const std::filesystem::path& dir) {
  std::map<std::string, std::string> keys;
  constexpr std::string_view kSuffix = ".document-key.pub.pem";
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator(dir / "konbini", ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(kSuffix)) continue;
    const std::string code = name.substr(0, name.size() - kSuffix.size());
    if (code.empty() ||
        code.find_first_not_of("0123456789") != std::string::npos) {
      continue;  // the document CA's own key
    }
    if (auto pem = ReadFileText(entry.path())) keys[code] = *pem;
  }
  return keys;
}

TrustedDocumentKeys TrustedKeysIn(const std::filesystem::path& dir) {
  TrustedDocumentKeys trusted;
  trusted.public_key_pem =
      [dir](const std::string& code) -> std::optional<std::string> {
    // Only a municipality code names a key file (no path in the code).
    if (code.empty() ||
        code.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    auto pem = ReadFileText(DocumentPublicKeyPath(dir, code));
    if (!pem) return std::nullopt;
    return *pem;
  };
  if (auto ca = ReadFileText(DocumentCaPath(dir)))
    trusted.document_ca_pem = *ca;
  return trusted;
}

}  // namespace openmyna::konbini
