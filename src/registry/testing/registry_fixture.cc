#include "testing/registry_fixture.h"

#include <utility>

namespace openmyna::registry::testing {

Municipality Chikuma() {
  return {"20218", "千曲市", "長野県", "Chikuma-shi", "Nagano-ken", 1000, 800};
}

Municipality Kiyose() {
  return {"13221", "清瀬市", "東京都", "Kiyose-shi", "Tokyo-to", 1000, 800};
}

Status PutSampleMunicipalities(RegistryService& service, const Actor& actor) {
  for (const Municipality& m : {Chikuma(), Kiyose()}) {
    OPENMYNA_RETURN_IF_ERROR(service.PutMunicipality(actor, m));
  }
  return Ok();
}

Resident DraftResident(std::string individual_number, std::string name,
                       std::string address, std::string date_of_birth) {
  Resident r;
  r.individual_number = std::move(individual_number);
  r.name = std::move(name);
  r.date_of_birth = std::move(date_of_birth);
  r.sex = Sex::kMale;
  r.municipality_code = address.starts_with("東京都") ? "13221" : "20218";
  r.address = std::move(address);
  return r;
}

Passwords AdultPasswords() { return {"ABC123", "1234", "5678", "9012"}; }

Result<Card> IssueCard(RegistryService& service, const Resident& r,
                       CardKind kind, const Passwords& passwords,
                       const Actor& actor) {
  ApplicationRequest request{r.id, r.id, kind};
  const bool face = kind == CardKind::kFaceAuth;
  if (face) request.signature_certificate = false;
  OPENMYNA_ASSIGN_OR_RETURN(Application app, service.Apply(actor, request));
  OPENMYNA_ASSIGN_OR_RETURN(Card card, service.Produce(actor, app.id));
  return service.Deliver(actor, card.id, r.id, face ? Passwords{} : passwords);
}

std::optional<Certificate> GoodCertificate(RegistryService& service,
                                           std::string_view resident_id,
                                           CertificateType type,
                                           const Actor& actor) {
  auto file = service.GetResident(actor, resident_id);
  if (!file) return std::nullopt;
  for (const Certificate& c : file->certificates) {
    if (c.type == type && !c.revoked) return c;
  }
  return std::nullopt;
}

}  // namespace openmyna::registry::testing
