#include "openmyna/card/perso/personalize.h"

#include <fmt/format.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>

#include "openmyna/base/file_io.h"
#include "openmyna/card/errors.h"
#include "openmyna/card/faces/basic_info.h"
#include "openmyna/card/faces/face_ap_data.h"
#include "openmyna/card/faces/text_ap_data.h"
#include "openmyna/card/issuance.h"
#include "openmyna/card/perso/errors.h"
#include "openmyna/domain/era.h"
#include "openmyna/domain/validity.h"
#include "openmyna/pki/certificate_authority.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/sandbox.h"

namespace openmyna::card::perso {
namespace {

// FIDs of card-apdu.md §4.1 (JPKI-AP), §5 (text AP), §6 (face AP), §7.
constexpr Fid kJpkiSignCert = 0x0001;
constexpr Fid kJpkiSignCaCert = 0x0002;
constexpr Fid kJpkiTokenInfo = 0x0006;
constexpr Fid kJpkiCertPresence = 0x0008;
constexpr Fid kJpkiAuthCert = 0x000A;
constexpr Fid kJpkiAuthCaCert = 0x000B;
constexpr Fid kJpkiAuthKey = 0x0017;
constexpr Fid kJpkiAuthPin = 0x0018;
constexpr Fid kJpkiSignKey = 0x001A;
constexpr Fid kJpkiSignPin = 0x001B;
constexpr Fid kJukiPin = 0x001C;
constexpr Fid kTextPin = 0x0011;
constexpr Fid kTextCollationA = 0x0014;
constexpr Fid kTextCollationB = 0x0015;
constexpr Fid kFaceBirthKey = 0x0011;
constexpr Fid kFaceCollationB = 0x0012;
constexpr Fid kFaceCollationA = 0x0013;

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;

Unexpected<Error> Issuance(std::string_view step, const Error& cause) {
  return Fail(PersoErrc::kIssuance,
              fmt::format("{}: {}", step, cause.message()));
}

PkeyPtr PublicKeyFromSpki(ByteView spki) {
  const unsigned char* p = spki.data();
  return PkeyPtr(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
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

Result<Bytes> RootDer(const pki::Sandbox& sandbox, pki::CaKind kind) {
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

bool HasApplication(const CardImage& image, std::string_view name) {
  return image.FindApplication(name) != nullptr;
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

std::string DrawSecurityCode(Rng& rng) {
  return fmt::format("{:04}", rng.UniformBelow(10000));
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

// The AP's own keys (challenge signing; session) made on the chip.
struct ApKeys {
  PkeyPtr signing;
  PkeyPtr session;
};
Result<ApKeys> GenerateApKeys(CardImage& image, std::string_view app) {
  Application* application = image.FindApplication(app);
  ApKeys keys;
  std::vector<Fid> key_fids;
  for (const ElementaryFile& ef : application->files) {
    if (ef.kind == EfKind::kKey) key_fids.push_back(ef.fid);
  }
  const std::optional<Fid> signing = application->default_signing_key;
  for (Fid fid : key_fids) {
    auto spki = GenerateKeyPair(image, app, fid);
    if (!spki) {
      return Issuance(fmt::format("{} key {:04X}", app, fid), spki.error());
    }
    PkeyPtr key = PublicKeyFromSpki(*spki);
    if (signing && fid == *signing) {
      keys.signing = std::move(key);
    } else if (!keys.session) {
      keys.session = std::move(key);
    }
  }
  return keys;
}

}  // namespace

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
  result.security_code = profile.security_code.empty() ? DrawSecurityCode(rng)
                                                       : profile.security_code;
  result.image =
      NewBlankImage(face_auth ? CardKind::kFaceAuth : CardKind::kStandard, rng);
  CardImage& image = result.image;

  // 2. Passwords and collation numbers.
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
  if (!pw.input_assist.empty()) {
    OPENMYNA_RETURN_IF_ERROR(SetPinIfPresent(
        image, "text", kTextPin, pw.input_assist, "input-assist PIN"));
  }
  auto collation_a = faces::CollationNumberA(profile.number);
  if (!collation_a) return Issuance("collation number A", collation_a.error());
  auto collation_b = faces::CollationNumberB(
      profile.birth_date, validity->card_expiry, result.security_code);
  if (!collation_b) return Issuance("collation number B", collation_b.error());
  auto birth_key = faces::BirthDateKey(profile.birth_date);
  if (!birth_key) return Issuance("birth-date key", birth_key.error());
  OPENMYNA_RETURN_IF_ERROR(SetPinIfPresent(image, "text", kTextCollationA,
                                           *collation_a, "collation A"));
  OPENMYNA_RETURN_IF_ERROR(SetPinIfPresent(image, "text", kTextCollationB,
                                           *collation_b, "collation B"));
  OPENMYNA_RETURN_IF_ERROR(SetPinIfPresent(image, "face", kFaceCollationA,
                                           *collation_a, "collation A"));
  OPENMYNA_RETURN_IF_ERROR(SetPinIfPresent(image, "face", kFaceCollationB,
                                           *collation_b, "collation B"));
  OPENMYNA_RETURN_IF_ERROR(SetPinIfPresent(image, "face", kFaceBirthKey,
                                           *birth_key, "birth-date key"));

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
  OPENMYNA_ASSIGN_OR_RETURN(Bytes auth_ca,
                            RootDer(*sandbox, pki::CaKind::kAuthentication));
  OPENMYNA_ASSIGN_OR_RETURN(Bytes sign_ca,
                            RootDer(*sandbox, pki::CaKind::kSignature));
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

  // 4. Card-face data, when the chip has those applications.
  const bool has_text = HasApplication(image, "text");
  const bool has_face = HasApplication(image, "face");
  if (has_text || has_face) {
    OPENMYNA_ASSIGN_OR_RETURN(
        PkeyPtr issuer_key,
        LoadOrCreateDataIssuer(DataIssuerKeyPath(data_dir)));
    faces::BasicInfo info;
    info.name = profile.name;
    info.address = profile.address;
    info.birth = profile.birth_date;
    info.sex = CardSex(profile.sex);
    if (has_text) {
      auto key_id = faces::MakeKeyId(faces::kSandboxTextIssuerNumber, "001");
      if (!key_id) return Issuance("text issuer key ID", key_id.error());
      OPENMYNA_ASSIGN_OR_RETURN(ApKeys keys, GenerateApKeys(image, "text"));
      faces::TextApInput input;
      input.number = profile.number;
      input.info = info;
      input.signing_key = keys.signing ? keys.signing.get() : issuer_key.get();
      input.session_key = keys.session ? keys.session.get() : issuer_key.get();
      input.issuer = {issuer_key.get(), *key_id};
      auto files = faces::BuildTextApFiles(input);
      if (!files) return Issuance("text AP data", files.error());
      const std::pair<Fid, Bytes*> text_files[] = {
          {0x0001, &files->ef0001}, {0x0002, &files->ef0002},
          {0x0003, &files->ef0003}, {0x0004, &files->ef0004},
          {0x0005, &files->ef0005}, {0x0006, &files->ef0006},
          {0x0007, &files->ef0007}, {0x0008, &files->ef0008}};
      for (auto& [fid, contents] : text_files) {
        if (image.FindApplication("text")->Find(fid) == nullptr) continue;
        if (auto written = WriteBinary(image, "text", fid, *contents);
            !written) {
          return Issuance(fmt::format("writing text EF {:04X}", fid),
                          written.error());
        }
      }
    }
    if (has_face) {
      auto key_id = faces::MakeKeyId(faces::kSandboxFaceIssuerNumber, "001");
      if (!key_id) return Issuance("face issuer key ID", key_id.error());
      OPENMYNA_ASSIGN_OR_RETURN(ApKeys keys, GenerateApKeys(image, "face"));
      faces::FaceApInput input;
      input.number = profile.number;
      input.info = info;
      input.card_expiry = validity->card_expiry;
      input.security_code = result.security_code;
      input.municipality_code = profile.municipality_code;
      if (!profile.photo.empty()) {
        auto photo = ReadFileBytes(profile.photo);
        if (!photo) return Fail(PersoErrc::kIo, photo.error().message());
        input.photo_png = std::move(*photo);
      }
      input.card_key = keys.signing ? keys.signing.get() : issuer_key.get();
      input.issuer = {issuer_key.get(), *key_id};
      auto files = faces::BuildFaceApFiles(input);
      if (!files) return Issuance("face AP data", files.error());
      const std::pair<Fid, Bytes*> face_files[] = {
          {0x0001, &files->ef0001}, {0x0002, &files->ef0002},
          {0x0003, &files->ef0003}, {0x0004, &files->ef0004},
          {0x0005, &files->ef0005}, {0x0006, &files->ef0006}};
      for (auto& [fid, contents] : face_files) {
        if (image.FindApplication("face")->Find(fid) == nullptr) continue;
        if (auto written = WriteBinary(image, "face", fid, *contents);
            !written) {
          return Issuance(fmt::format("writing face EF {:04X}", fid),
                          written.error());
        }
      }
    }
  }
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
