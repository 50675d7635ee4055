#include "openmyna/registry/pki_ca_port.h"

#include "openmyna/card/faces/basic_info.h"
#include "openmyna/domain/date.h"
#include "openmyna/domain/era.h"
#include "openmyna/pki/errors.h"
#include "openmyna/registry/errors.h"

namespace openmyna::registry {

Result<IssuedCertificate> PkiCaPort::Issue(CertificateType type, ByteView spki,
                                           const Resident& resident,
                                           const Municipality& municipality,
                                           TimePoint not_before,
                                           std::string_view last_day) {
  auto birth = domain::ParseDate(resident.date_of_birth);
  auto last = domain::ParseDate(last_day);
  if (!birth || !last) {
    return Fail(RegistryErrc::kInvalidInput, "bad date for the certificate");
  }
  pki::IssueRequest request;
  request.kind = type == CertificateType::kSignature
                     ? pki::CertificateKind::kSignature
                     : pki::CertificateKind::kAuthentication;
  request.subject_public_key_info.assign(spki.begin(), spki.end());
  request.municipality = {municipality.code, municipality.prefecture_romaji,
                          municipality.name_romaji};
  // jpki.md §3.3: surname, FULL-WIDTH space, given name; the same rule as
  // the card's text AP and `card new` (a record may hold an ASCII space).
  auto name = card::faces::CardName(resident.name);
  if (!name) {
    return Fail(RegistryErrc::kInvalidInput,
                "name for the certificate: " + name.error().message());
  }
  request.personal.name = *name;
  request.personal.sex = resident.sex == Sex::kMale     ? pki::SanSex::kMale
                         : resident.sex == Sex::kFemale ? pki::SanSex::kFemale
                                                        : pki::SanSex::kUnknown;
  request.personal.date_of_birth = domain::JpkiDateOfBirth(*birth);
  request.personal.address = resident.address;
  request.not_before = not_before;
  request.not_after_date = *last;
  std::lock_guard lock(mutex_);
  auto issued = ca_.Issue(request);
  if (!issued) {
    return Fail(RegistryErrc::kUnavailable,
                "CA refused: " + issued.error().ToString());
  }
  return IssuedCertificate{issued->serial.Hex(), issued->not_before,
                           issued->not_after};
}

Status PkiCaPort::Revoke(std::string_view serial, RevocationReason reason,
                         TimePoint when) {
  auto parsed = pki::Serial::FromHex(serial);
  if (!parsed) {
    return Fail(RegistryErrc::kInvalidInput,
                "bad serial " + std::string(serial));
  }
  std::lock_guard lock(mutex_);
  auto status = store_.Revoke(*parsed, reason, when);
  if (!status) {
    return Fail(RegistryErrc::kUnavailable,
                "CA revocation failed: " + status.error().ToString());
  }
  return Ok();
}

}  // namespace openmyna::registry
