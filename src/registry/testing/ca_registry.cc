#include "testing/ca_registry.h"

#include <openssl/x509.h>

#include <string>

#include "testing/pki_fixture.h"

namespace openmyna::registry::testing {

Result<std::string> FixtureKeyCard::Produce(const Card& card, const Resident&) {
  return "mem:" + card.id;
}

Status FixtureKeyCard::SetPasswords(const Card&, const Passwords&) {
  return Ok();
}

Result<Bytes> FixtureKeyCard::GenerateKey(const Card&, CertificateType) {
  return pki::testing::SubjectSpki(next_++ % 4);
}

Status FixtureKeyCard::InstallCertificate(const Card&, CertificateType,
                                          std::string_view) {
  return Ok();
}

Status FixtureKeyCard::RewriteTextData(const Card&, const Resident&) {
  return Ok();
}

Status FixtureKeyCard::ResetPassword(const Card&, domain::PasswordKind,
                                     std::string_view) {
  return Ok();
}

EVP_PKEY* FixtureKeyOf(const Bytes& der) {
  const unsigned char* p = der.data();
  pki::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return nullptr;
  for (int k = 0; k < 4; ++k) {
    if (EVP_PKEY_eq(X509_get0_pubkey(cert.get()),
                    pki::testing::SubjectKey(k)) == 1) {
      return pki::testing::SubjectKey(k);
    }
  }
  return nullptr;
}

Result<std::unique_ptr<CaRegistry>> CaRegistry::Open(
    const std::filesystem::path& dir, const Clock& clock, Rng& rng) {
  static std::atomic<int> counter{0};
  auto made = std::make_unique<CaRegistry>();
  made->sandbox = &pki::testing::SharedSandbox();
  OPENMYNA_ASSIGN_OR_RETURN(made->ca_store, pki::SqliteCertificateStore::Open(
                                                made->sandbox->store_path()));
  made->ca = std::make_unique<PkiCaPort>(*made->sandbox, *made->ca_store, rng);
  OPENMYNA_ASSIGN_OR_RETURN(
      made->store,
      RegistryStore::Open(
          (dir / ("r" + std::to_string(counter++) + ".db")).string(), clock));
  made->service = std::make_unique<RegistryService>(*made->store, clock, rng,
                                                    *made->ca, made->card);
  return made;
}

}  // namespace openmyna::registry::testing
