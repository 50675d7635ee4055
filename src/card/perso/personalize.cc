#include "openmyna/card/perso/personalize.h"

#include <fmt/format.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>

#include "openmyna/base/file_io.h"
#include "openmyna/card/errors.h"
#include "openmyna/card/faces/basic_info.h"
#include "openmyna/card/faces/personalize.h"
#include "openmyna/card/file_ids.h"
#include "openmyna/card/issuance.h"
#include "openmyna/card/perso/errors.h"
#include "openmyna/domain/era.h"
#include "openmyna/domain/validity.h"
#include "openmyna/pki/certificate_authority.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/sandbox.h"

namespace openmyna::card::perso {
namespace {

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;

Unexpected<Error> Issuance(std::string_view step, const Error& cause) {
  return Fail(PersoErrc::kIssuance,
              fmt::format("{}: {}", step, cause.message()));
}

// The sandbox data issuer key: loaded, or created (RSA-2048, 0600).
Result<PkeyPtr> LoadOrCreateDataIssuer(const std::filesystem::path& path) {
  if (auto pem = ReadFileText(path); pem) {
    BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
    PkeyPtr key(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
    BIO_free(bio);
    SecureWipe(*pem);
    if (!key) {
      return Fail(PersoErrc::kIo,
                  fmt::format("{}: not a PEM private key", path.string()));
    }
    return key;
  }
  PkeyPtr key(EVP_RSA_gen(2048));
  if (!key) return Fail(PersoErrc::kIssuance, "data issuer key generation");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr,
                           nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  auto written = WriteFileAtomically(path, pem);
  SecureWipe(pem);
  if (!written) {
    return Fail(PersoErrc::kIo, written.error().message());
  }
  return key;
}

Status SetPinIfPresent(CardImage& image, std::string_view app, Fid fid,
                       std::string_view value, std::string_view what) {
  const Application* application = image.FindApplication(app);
  if (application == nullptr || application->Find(fid) == nullptr) {
    return Ok();
  }
  if (auto status = SetPin(image, app, fid, value); !status) {
    return Issuance(fmt::format("setting the {}", what), status.error());
  }
  return Ok();
}

faces::Sex CardSex(ProfileSex sex) {
  switch (sex) {
    case ProfileSex::kMale:
      return faces::Sex::kMale;
    case ProfileSex::kFemale:
      return faces::Sex::kFemale;
    case ProfileSex::kOther:
      break;
  }
  return faces::Sex::kNotApplicable;  // JIS X 0303 '9'
}

pki::SanSex CertificateSex(ProfileSex sex) {
  switch (sex) {
    case ProfileSex::kMale:
      return pki::SanSex::kMale;
    case ProfileSex::kFemale:
      return pki::SanSex::kFemale;
    case ProfileSex::kOther:
      break;
  }
  return pki::SanSex::kUnknown;
}

}  // namespace

Result<Bytes> CaCertificateDer(const pki::Sandbox& sandbox, pki::CaKind kind) {
  auto roots = sandbox.Roots(kind);
  if (!roots || roots->empty()) {
    return Fail(PersoErrc::kNoSandbox, "the sandbox has no CA certificate");
  }
  X509* root = roots->back().get();  // newest generation issues
  unsigned char* der = nullptr;
  const int length = i2d_X509(root, &der);
  if (length <= 0) return Fail(PersoErrc::kIssuance, "CA certificate to DER");
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

Status WriteCardFaces(CardImage& image, faces::CardFacesProfile profile,
                      const std::filesystem::path& data_dir) {
  OPENMYNA_ASSIGN_OR_RETURN(
      PkeyPtr issuer_key, LoadOrCreateDataIssuer(DataIssuerKeyPath(data_dir)));
  auto text_key_id = faces::MakeKeyId(faces::kSandboxTextIssuerNumber, "001");
  auto face_key_id = faces::MakeKeyId(faces::kSandboxFaceIssuerNumber, "001");
  if (!text_key_id || !face_key_id) {
    return Issuance("data issuer key IDs",
                    text_key_id ? face_key_id.error() : text_key_id.error());
  }
  profile.text_issuer = {issuer_key.get(), *text_key_id};
  profile.face_issuer = {issuer_key.get(), *face_key_id};
  auto status = faces::PersonalizeCardFaces(image, profile);
  SecureWipe(profile.input_assist_pin);
  if (!status) return Issuance("card-face data", status.error());
  return Ok();
}

std::filesystem::path StorageKeyPath(const std::filesystem::path& data_dir) {
  return data_dir / "card-master.key";
}

std::filesystem::path DataIssuerKeyPath(const std::filesystem::path& data_dir) {
  return data_dir / "card-data-issuer.key";
}

Result<StorageKey> LoadStorageKey(const std::filesystem::path& data_dir) {
  std::error_code ec;
  if (!std::filesystem::exists(StorageKeyPath(data_dir), ec)) {
    return Fail(PersoErrc::kNoSandbox,
                fmt::format("no card storage key in {} (run `openmyna init` "
                            "and `openmyna card new` with the same --data)",
                            data_dir.string()));
  }
  auto key = StorageKey::Load(StorageKeyPath(data_dir));
  if (!key) return Fail(PersoErrc::kIo, key.error().message());
  return key;
}

Result<PersoResult> Personalize(const Profile& profile,
                                const std::filesystem::path& data_dir,
                                const Clock& clock, Rng& rng) {
  auto sandbox = pki::Sandbox::Open(data_dir);
  if (!sandbox) {
    return Fail(PersoErrc::kNoSandbox,
                fmt::format("no sandbox in {}: run `openmyna init` first "
                            "(--data DIR or OPENMYNA_DATA names it)",
                            data_dir.string()));
  }
  const bool face_auth = profile.kind == ProfileKind::kFaceAuth;
  domain::ValidityInput validity_in;
  validity_in.birth = profile.birth_date;
  validity_in.issued = profile.issue_date;
  validity_in.adult_ward = profile.adult_ward;
  validity_in.face_auth_card = face_auth;
  validity_in.status = profile.residence;
  validity_in.stay_until = profile.stay_until;
  validity_in.decline_auth_cert = !profile.authentication_certificate;
  validity_in.decline_sign_cert = !profile.signature_certificate;
  auto validity = domain::ComputeValidity(validity_in);
  if (!validity) return Issuance("validity", validity.error());

  PersoResult result;
  result.card_expiry = validity->card_expiry;
  result.security_code = profile.security_code.empty()
                             ? faces::NewSecurityCode(rng)
                             : profile.security_code;
  result.image =
      NewBlankImage(face_auth ? CardKind::kFaceAuth : CardKind::kStandard, rng);
  CardImage& image = result.image;

  // 2. Passwords (the input-assist PIN and the collation numbers are set
  // with the card-face data in step 4).
  const ProfilePasswords& pw = profile.passwords;
  if (!pw.authentication.empty()) {
    OPENMYNA_RETURN_IF_ERROR(SetPinIfPresent(
        image, "jpki", kJpkiAuthPin, pw.authentication, "authentication PIN"));
  }
  if (!pw.signature.empty()) {
    OPENMYNA_RETURN_IF_ERROR(SetPinIfPresent(
        image, "jpki", kJpkiSignPin, pw.signature, "signature password"));
  }
  if (!pw.juki.empty()) {
    OPENMYNA_RETURN_IF_ERROR(
        SetPinIfPresent(image, "juki", kJukiPin, pw.juki, "juki PIN"));
    OPENMYNA_RETURN_IF_ERROR(
        SetPinIfPresent(image, "common", kJukiPin, pw.juki, "common PIN"));
  }
  // 3. JPKI keys on the chip, certificates from the sandbox CA.
  auto store = sandbox->OpenStore();
  if (!store) return Issuance("opening the certificate store", store.error());
  pki::CertificateAuthority ca(*sandbox, **store, rng);
  const TimePoint now = clock.Now();
  pki::IssueRequest request;
  request.municipality = {profile.municipality_code,
                          profile.municipality_prefecture,
                          profile.municipality_name};
  request.not_before = now;
  auto issue = [&](pki::CertificateKind kind, Fid key_fid, Fid cert_fid,
                   domain::Date last_day, std::string& serial_out) -> Status {
    auto spki = GenerateKeyPair(image, "jpki", key_fid);
    if (!spki) return Issuance("generating a key on the chip", spki.error());
    request.kind = kind;
    request.subject_public_key_info = *spki;
    request.not_after_date = last_day;
    auto issued = ca.Issue(request);
    if (!issued) return Issuance("the sandbox CA", issued.error());
    serial_out = issued->serial.Hex();
    if (auto written = WriteBinary(image, "jpki", cert_fid, issued->der);
        !written) {
      return Issuance("writing the certificate", written.error());
    }
    return Ok();
  };
  if (profile.authentication_certificate && validity->auth_cert_expiry) {
    OPENMYNA_RETURN_IF_ERROR(issue(
        pki::CertificateKind::kAuthentication, kJpkiAuthKey, kJpkiAuthCert,
        *validity->auth_cert_expiry, result.auth_certificate_serial));
  }
  if (profile.signature_certificate && validity->sign_cert_expiry) {
    auto card_name = faces::CardName(profile.name);
    if (!card_name) return Issuance("name", card_name.error());
    request.personal.name = *card_name;
    request.personal.sex = CertificateSex(profile.sex);
    request.personal.date_of_birth =
        domain::JpkiDateOfBirth(profile.birth_date);
    request.personal.address = profile.address;
    OPENMYNA_RETURN_IF_ERROR(
        issue(pki::CertificateKind::kSignature, kJpkiSignKey, kJpkiSignCert,
              *validity->sign_cert_expiry, result.sign_certificate_serial));
  }
  OPENMYNA_ASSIGN_OR_RETURN(
      Bytes auth_ca, CaCertificateDer(*sandbox, pki::CaKind::kAuthentication));
  OPENMYNA_ASSIGN_OR_RETURN(
      Bytes sign_ca, CaCertificateDer(*sandbox, pki::CaKind::kSignature));
  for (auto [fid, contents] :
       {std::pair<Fid, Bytes>{kJpkiAuthCaCert, std::move(auth_ca)},
        std::pair<Fid, Bytes>{kJpkiSignCaCert, std::move(sign_ca)},
        std::pair<Fid, Bytes>{kJpkiTokenInfo, JpkiTokenInfo()},
        // EF 0008: byte 0 signature, byte 1 authentication certificate
        // present (8F) or absent (00) (card-apdu.md §4.1).
        std::pair<Fid, Bytes>{
            kJpkiCertPresence,
            Bytes{static_cast<std::uint8_t>(
                      result.sign_certificate_serial.empty() ? 0x00 : 0x8F),
                  static_cast<std::uint8_t>(
                      result.auth_certificate_serial.empty() ? 0x00 : 0x8F),
                  0x00}}}) {
    if (auto written = WriteBinary(image, "jpki", fid, std::move(contents));
        !written) {
      return Issuance(fmt::format("writing JPKI EF {:04X}", fid),
                      written.error());
    }
  }

  // 4. Card-face data (text and face APs), their keys made on the chip, the
  // input-assist PIN and the collation numbers: card-faces' issuer step.
  faces::CardFacesProfile faces_profile;
  faces_profile.number = profile.number;
  faces_profile.info.name = profile.name;
  faces_profile.info.address = profile.address;
  faces_profile.info.birth = profile.birth_date;
  faces_profile.info.sex = CardSex(profile.sex);
  faces_profile.card_expiry = validity->card_expiry;
  faces_profile.security_code = result.security_code;
  faces_profile.municipality_code = profile.municipality_code;
  faces_profile.input_assist_pin = pw.input_assist;
  if (!profile.photo.empty()) {
    auto photo = ReadFileBytes(profile.photo);
    if (!photo) return Fail(PersoErrc::kIo, photo.error().message());
    faces_profile.photo_png = std::move(*photo);
  }
  auto status = WriteCardFaces(image, std::move(faces_profile), data_dir);
  SecureWipe(faces_profile.input_assist_pin);
  OPENMYNA_RETURN_IF_ERROR(status);
  return result;
}

Result<PersoResult> PersonalizeToFile(const Profile& profile,
                                      const std::filesystem::path& data_dir,
                                      const std::filesystem::path& out,
                                      const Clock& clock, Rng& rng) {
  OPENMYNA_ASSIGN_OR_RETURN(PersoResult result,
                            Personalize(profile, data_dir, clock, rng));
  auto key = StorageKey::LoadOrCreate(StorageKeyPath(data_dir), rng);
  if (!key) return Fail(PersoErrc::kIo, key.error().message());
  if (auto saved = SaveImage(out, result.image, *key, rng); !saved) {
    return Fail(PersoErrc::kIo, fmt::format("writing {}: {}", out.string(),
                                            saved.error().message()));
  }
  return result;
}

}  // namespace openmyna::card::perso
