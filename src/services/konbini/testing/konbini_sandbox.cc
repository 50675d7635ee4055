#include "testing/konbini_sandbox.h"

#include <chrono>
#include <thread>

#include "openmyna/pki/sandbox.h"
#include "openmyna/registry/seed.h"
#include "openmyna/services/konbini/errors.h"
#include "testing/pki_fixture.h"

namespace openmyna::konbini::testing {

using namespace std::chrono;

Result<SignedDocument> SlowIssuer::Issue(const IssueRequest& r) {
  int delay_ms;
  {
    std::lock_guard lock(mutex_);
    delay_ms = std::uniform_int_distribution<int>(0, 99)(rng_) < timeouts_
                   ? 1500
                   : std::uniform_int_distribution<int>(0, 15)(rng_);
  }
  std::this_thread::sleep_for(milliseconds(delay_ms));
  return inner_->Issue(r);
}

Status KonbiniSandbox::Open() {
  // Issue day: 2026-11-25 12:00 JST (the fixture's instant).
  clock_.Set(pki::testing::FixtureNow());
  dir_ = pki::testing::TempDir("konbini");
  OPENMYNA_ASSIGN_OR_RETURN(
      registry_, registry::testing::CaRegistry::Open(dir_, clock_, rng_));
  sandbox_ = registry_->sandbox;
  pki_store_ = registry_->ca_store.get();
  store_ = registry_->store.get();
  service_ = registry_->service.get();
  civil_ = std::make_unique<registry::CivilService>(*store_, clock_, rng_);
  OPENMYNA_ASSIGN_OR_RETURN(auto sample,
                            registry::SeedSampleData(*store_, *service_, {}));
  ids_ = sample.residents;
  for (int i : {0, 1, 3, 4}) {
    OPENMYNA_ASSIGN_OR_RETURN(holders_[i], IssueCard(i));
  }
  // The next day, 10:00 JST: the mapping is in effect.
  clock_.Set(pki::testing::FixtureNow() + hours{22});
  OPENMYNA_ASSIGN_OR_RETURN(auto roots,
                            sandbox_->Roots(pki::CaKind::kAuthentication));
  verifier_ = std::make_unique<PkiCardVerifier>(std::move(roots));
  // The document keys, made once per binary (RSA key generation is slow).
  static const auto signers = [] {
    std::map<std::string, Result<std::shared_ptr<DocumentSigner>>> made;
    for (const char* code : {"20218", "13221"}) {
      made.emplace(code, DocumentSigner::Generate(std::string("doc-") + code));
    }
    return made;
  }();
  for (const auto& [code, signer] : signers) {
    if (!signer) return Unexpected(signer.error());
    signers_[code] = *signer;
    keys_[code] = (*signer)->PublicKeyPem();
  }
  return Ok();
}

Result<Holder> KonbiniSandbox::IssueCard(int index) {
  const std::string& id = ids_.at(static_cast<std::size_t>(index));
  const std::string applicant = index == 1 ? ids_[0] : id;
  registry::ApplicationRequest req{id, applicant};
  req.signature_certificate = index != 1;
  OPENMYNA_ASSIGN_OR_RETURN(auto app, service_->Apply(kClerk, req));
  OPENMYNA_ASSIGN_OR_RETURN(auto card, service_->Produce(kClerk, app.id));
  registry::Passwords p{index == 1 ? "" : "ABC123", "1234", "5678", "9012"};
  OPENMYNA_RETURN_IF_ERROR(service_->Deliver(kClerk, card.id, applicant, p));
  return HolderOf(id);
}

Result<Holder> KonbiniSandbox::HolderOf(const std::string& id) {
  Holder h{id, {}, nullptr};
  OPENMYNA_ASSIGN_OR_RETURN(auto file, service_->GetResident(kClerk, id));
  for (const auto& c : file.certificates) {
    if (c.type != registry::CertificateType::kAuthentication || c.revoked) {
      continue;
    }
    auto serial = pki::Serial::FromHex(c.serial);
    if (!serial) return Unexpected(serial.error());
    OPENMYNA_ASSIGN_OR_RETURN(auto record, pki_store_->Find(*serial));
    if (record) h.certificate_der = record->der;
  }
  h.key = registry::testing::FixtureKeyOf(h.certificate_der);
  if (h.key == nullptr) {
    return Fail(
        KonbiniErrc::kRefused,
        "no good authentication certificate with a fixture key for " + id);
  }
  return h;
}

std::unique_ptr<Centre> KonbiniSandbox::MakeCentre(
    int instances_per_municipality, CentreOptions options, int timeout_percent,
    IssuerPolicy policy) {
  auto centre =
      std::make_unique<Centre>(*store_, clock_, rng_, *verifier_, options);
  int seed = 1;
  for (const char* code : {"20218", "13221"}) {
    for (int i = 0; i < instances_per_municipality; ++i) {
      std::shared_ptr<IssuerPort> issuer = std::make_shared<MunicipalIssuer>(
          code, std::string(code) + "-" + std::to_string(i), *store_, clock_,
          rng_, signers_[code], policy);
      if (timeout_percent > 0) {
        issuer = std::make_shared<SlowIssuer>(issuer, seed++, timeout_percent);
      }
      centre->AddIssuer(code, issuer);
    }
  }
  return centre;
}

Result<Printout> KonbiniSandbox::Run(CentrePort& centre, int holder,
                                     KioskChoice choice, std::string pin) {
  const Holder& h = holders_.at(holder);
  SoftwareCard card(h.certificate_der, h.key, "1234");
  Kiosk kiosk(centre, clock_, keys_);
  return kiosk.Run(card, pin, choice);
}

KioskChoice KonbiniSandbox::Choice(std::string code,
                                   domain::KonbiniCertificate c) {
  KioskChoice choice;
  choice.municipality_code = std::move(code);
  choice.request.certificate = c;
  return choice;
}

}  // namespace openmyna::konbini::testing
