#include "openmyna/registry/perso_card_port.h"

#include <fmt/format.h>

#include <optional>
#include <utility>
#include <vector>

#include "card_faces_files.h"
#include "issuer_terminal.h"
#include "openmyna/base/file_io.h"
#include "openmyna/card/application_table.h"
#include "openmyna/card/faces/personalize.h"
#include "openmyna/card/file_ids.h"
#include "openmyna/card/issuance.h"
#include "openmyna/card/perso/personalize.h"
#include "openmyna/domain/date.h"
#include "openmyna/face/portrait.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/registry/errors.h"

namespace openmyna::registry {
namespace {

using card::Fid;
using card::kJpkiAuthCaCert;
using card::kJpkiAuthCert;
using card::kJpkiAuthKey;
using card::kJpkiAuthPin;
using card::kJpkiCertPresence;
using card::kJpkiSignCaCert;
using card::kJpkiSignCert;
using card::kJpkiSignKey;
using card::kJpkiSignPin;
using card::kJpkiTokenInfo;
using card::kJukiPin;
using card::kTextCollationB;
using card::kTextPin;

struct PinSlot {
  std::string_view app;
  Fid fid;
};

std::vector<PinSlot> SlotsOf(domain::PasswordKind kind) {
  switch (kind) {
    case domain::PasswordKind::kSignature:
      return {{"jpki", kJpkiSignPin}};
    case domain::PasswordKind::kAuthentication:
      return {{"jpki", kJpkiAuthPin}};
    case domain::PasswordKind::kJuki:
      return {{"juki", kJukiPin}, {"common", kJukiPin}};
    case domain::PasswordKind::kInputAssist:
      return {{"text", kTextPin}};
  }
  return {};
}

// The AID a terminal selects for an application (card-apdu.md §2).
ByteView AidOf(std::string_view app) {
  if (app == "jpki") return card::kJpkiAid;
  if (app == "juki") return card::kJukiAid;
  if (app == "common") return card::kCommonAid;
  if (app == "face") return card::kFaceAid;
  return card::kTextAid;
}

Unexpected<Error> Chip(std::string_view step, const Error& cause) {
  return Fail(RegistryErrc::kUnavailable,
              fmt::format("chip: {}: {}", step, cause.message()));
}

card::ElementaryFile* FindEf(card::CardImage& image, std::string_view app,
                             Fid fid) {
  card::Application* application = image.FindApplication(app);
  return application == nullptr ? nullptr : application->Find(fid);
}

const card::ElementaryFile* FindEf(const card::CardImage& image,
                                   std::string_view app, Fid fid) {
  const card::Application* application = image.FindApplication(app);
  return application == nullptr ? nullptr : application->Find(fid);
}

card::faces::Sex CardSex(Sex sex) {
  switch (sex) {
    case Sex::kMale:
      return card::faces::Sex::kMale;
    case Sex::kFemale:
      return card::faces::Sex::kFemale;
    case Sex::kUnknown:
      break;
  }
  return card::faces::Sex::kNotApplicable;  // JIS X 0303 '9'
}

Status CheckCardId(std::string_view id) {
  const bool ok = !id.empty() && id.find_first_not_of(
                                     "abcdefghijklmnopqrstuvwxyz"
                                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789_-") == std::string::npos;
  if (!ok) {
    return Fail(RegistryErrc::kInvalidInput,
                "card id: only letters, digits, '_' and '-' name an image");
  }
  return Ok();
}

// The card-face data of `resident` (text and face APs) for `card`.
Result<card::faces::CardFacesProfile> FacesProfile(const Card& card,
                                                   const Resident& resident) {
  auto birth = domain::ParseDate(resident.date_of_birth);
  if (!birth) return Chip("date of birth", birth.error());
  auto expiry = domain::ParseDate(card.expires_on);
  if (!expiry) return Chip("card expiry", expiry.error());
  card::faces::CardFacesProfile p;
  p.number = resident.individual_number;
  p.info.name = resident.name;
  p.info.address = resident.address;
  p.info.birth = *birth;
  p.info.sex = CardSex(resident.sex);
  p.card_expiry = *expiry;
  p.municipality_code = resident.municipality_code;
  // A generated, deterministic face photo per resident (src/face; issue 12
  // item 5); an infant's card (under 1 at issuance) has none (silhouette).
  auto issued = domain::ParseDate(card.issued_on);
  if (!issued || domain::AgeAt(*birth, *issued) >= 1) {
    auto photo =
        face::PortraitPng(face::PortraitKey(resident.individual_number));
    if (!photo) return Chip("face photo", photo.error());
    p.photo_png = std::move(*photo);
  }
  return p;
}

// An unset PIN answers as blocked (model.h) until the issuer sets it.
void UnsetPin(card::CardImage& image, std::string_view app, Fid fid) {
  if (card::ElementaryFile* ef = FindEf(image, app, fid)) {
    SecureWipe(ef->pin.value);
    ef->pin.value.clear();
    ef->pin.is_set = false;
    ef->pin.tries_left = 0;
  }
}

}  // namespace

PersoCardPort::PersoCardPort(const pki::Sandbox& sandbox, Rng& rng)
    : data_dir_(sandbox.dir()), sandbox_(sandbox), rng_(rng) {}

std::filesystem::path PersoCardPort::ImagePath(std::string_view card_id) const {
  return data_dir_ / "cards" / (std::string(card_id) + ".card");
}

// Load, change, save: the image is written only when `change` succeeded.
template <typename T, typename F>
static Result<T> WithImage(const std::filesystem::path& data_dir,
                           const std::filesystem::path& path, Rng& rng,
                           F&& change) {
  auto key = card::StorageKey::LoadOrCreate(
      card::perso::StorageKeyPath(data_dir), rng);
  if (!key) return Chip("storage key", key.error());
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Fail(RegistryErrc::kNotFound,
                fmt::format("no chip image {}", path.string()));
  }
  auto image = card::LoadImage(path, &*key);
  if (!image) return Chip("loading the image", image.error());
  auto out = change(*image);
  if (!out) return Unexpected<Error>(out.error());
  if (auto saved = card::SaveImage(path, *image, *key, rng); !saved) {
    return Chip("saving the image", saved.error());
  }
  return out;
}

Result<std::string> PersoCardPort::Produce(const Card& card,
                                           const Resident& resident) {
  OPENMYNA_RETURN_IF_ERROR(CheckCardId(card.id));
  std::lock_guard lock(mutex_);
  const bool standard = card.kind == CardKind::kStandard;
  card::CardImage image = card::NewBlankImage(
      standard ? card::CardKind::kStandard : card::CardKind::kFaceAuth, rng_);
  OPENMYNA_ASSIGN_OR_RETURN(auto profile, FacesProfile(card, resident));
  profile.security_code = card::faces::NewSecurityCode(rng_);
  // The faces step sets the input-assist PIN of a standard card; the real
  // one is chosen at delivery, so a random one is set and then unset.
  if (standard) profile.input_assist_pin = card::faces::NewSecurityCode(rng_);
  if (auto faces =
          card::perso::WriteCardFaces(image, std::move(profile), data_dir_);
      !faces) {
    return Chip("card-face data", faces.error());
  }
  if (standard) UnsetPin(image, "text", kTextPin);
  // EF 0008: byte 0 signature, byte 1 authentication certificate present
  // (8F) or absent (00) (card-apdu.md §4.1); none yet.
  for (auto& [fid, contents] : std::vector<std::pair<Fid, Bytes>>{
           {kJpkiTokenInfo, card::JpkiTokenInfo()},
           {kJpkiCertPresence, Bytes(3, 0x00)}}) {
    if (auto written = card::WriteBinary(image, "jpki", fid, contents);
        !written) {
      return Chip(fmt::format("writing JPKI EF {:04X}", fid), written.error());
    }
  }
  auto key = card::StorageKey::LoadOrCreate(
      card::perso::StorageKeyPath(data_dir_), rng_);
  if (!key) return Chip("storage key", key.error());
  if (auto dir = EnsurePrivateDirectory(data_dir_ / "cards"); !dir) {
    return Chip("the cards folder", dir.error());
  }
  const auto path = ImagePath(card.id);
  // The issuer key stays with the registry (the municipal side), beside
  // the image: the terminal needs it for every later issuer command.
  auto issuer_key = card::IssuerKeyOf(image);
  if (!issuer_key) return Chip("the issuer key", issuer_key.error());
  auto kept = WriteFileAtomically(IssuerKeyPath(card.id), *issuer_key);
  SecureWipe(*issuer_key);
  if (!kept) return Chip("saving the issuer key", kept.error());
  if (auto saved = card::SaveImage(path, image, *key, rng_); !saved) {
    return Chip("saving the image", saved.error());
  }
  return path.string();
}

Status PersoCardPort::SetPasswords(const Card& card,
                                   const Passwords& passwords) {
  OPENMYNA_RETURN_IF_ERROR(CheckCardId(card.id));
  std::lock_guard lock(mutex_);
  return WithImage<bool>(
             data_dir_, ImagePath(card.id), rng_,
             [&](card::CardImage& image) -> Result<bool> {
               const std::pair<domain::PasswordKind, const std::string*>
                   values[] = {
                       {domain::PasswordKind::kSignature, &passwords.signature},
                       {domain::PasswordKind::kAuthentication,
                        &passwords.authentication},
                       {domain::PasswordKind::kJuki, &passwords.juki},
                       {domain::PasswordKind::kInputAssist,
                        &passwords.input_assist}};
               for (const auto& [kind, value] : values) {
                 if (value->empty()) continue;
                 for (const PinSlot& slot : SlotsOf(kind)) {
                   if (FindEf(image, slot.app, slot.fid) == nullptr) continue;
                   if (auto set =
                           card::SetPin(image, slot.app, slot.fid, *value);
                       !set) {
                     return Chip(fmt::format("setting {} PIN {:04X}", slot.app,
                                             slot.fid),
                                 set.error());
                   }
                 }
               }
               return true;
             })
      .transform([](bool) {});
}

Result<Bytes> PersoCardPort::GenerateKey(const Card& card,
                                         CertificateType type) {
  OPENMYNA_RETURN_IF_ERROR(CheckCardId(card.id));
  std::lock_guard lock(mutex_);
  return WithImage<Bytes>(data_dir_, ImagePath(card.id), rng_,
                          [&](card::CardImage& image) -> Result<Bytes> {
                            auto spki = card::GenerateKeyPair(
                                image, "jpki",
                                type == CertificateType::kAuthentication
                                    ? kJpkiAuthKey
                                    : kJpkiSignKey);
                            if (!spki)
                              return Chip("generating a key", spki.error());
                            return spki;
                          });
}

Status PersoCardPort::InstallCertificate(const Card& card, CertificateType type,
                                         std::string_view serial) {
  OPENMYNA_RETURN_IF_ERROR(CheckCardId(card.id));
  std::lock_guard lock(mutex_);
  auto parsed = pki::Serial::FromHex(serial);
  if (!parsed) return Chip("certificate serial", parsed.error());
  auto store = sandbox_.OpenStore();
  if (!store) return Chip("opening the certificate store", store.error());
  auto record = (*store)->Find(*parsed);
  if (!record) return Chip("reading the certificate store", record.error());
  if (!*record) {
    return Fail(
        RegistryErrc::kUnavailable,
        fmt::format("chip: the CA store has no certificate {}", serial));
  }
  const bool auth = type == CertificateType::kAuthentication;
  return WithImage<bool>(
             data_dir_, ImagePath(card.id), rng_,
             [&](card::CardImage& image) -> Result<bool> {
               const Fid cert_fid = auth ? kJpkiAuthCert : kJpkiSignCert;
               const Fid ca_fid = auth ? kJpkiAuthCaCert : kJpkiSignCaCert;
               if (auto w = card::WriteBinary(image, "jpki", cert_fid,
                                              (**record).der);
                   !w) {
                 return Chip("writing the certificate", w.error());
               }
               const card::ElementaryFile* ca_ef =
                   FindEf(image, "jpki", ca_fid);
               if (ca_ef != nullptr && ca_ef->data.empty()) {
                 auto ca = card::perso::CaCertificateDer(
                     sandbox_, auth ? pki::CaKind::kAuthentication
                                    : pki::CaKind::kSignature);
                 if (!ca) return Chip("the CA certificate", ca.error());
                 if (auto w = card::WriteBinary(image, "jpki", ca_fid, *ca);
                     !w) {
                   return Chip("writing the CA certificate", w.error());
                 }
               }
               if (card::ElementaryFile* presence =
                       FindEf(image, "jpki", kJpkiCertPresence)) {
                 Bytes flags = presence->data;
                 flags.resize(std::max<std::size_t>(flags.size(), 3), 0x00);
                 flags[auth ? 1 : 0] = 0x8F;
                 if (auto w = card::WriteBinary(image, "jpki",
                                                kJpkiCertPresence, flags);
                     !w) {
                   return Chip("writing JPKI EF 0008", w.error());
                 }
               }
               return true;
             })
      .transform([](bool) {});
}

std::filesystem::path PersoCardPort::IssuerKeyPath(
    std::string_view card_id) const {
  return data_dir_ / "cards" / (std::string(card_id) + ".issuer-key");
}

// The per-card issuer key the terminal answers the card's challenge with.
// Kept by the registry beside the image from Produce on; a card made before
// the registry kept it (older sandboxes) has it taken once from its image,
// which the registry can open with the sandbox storage key.
static Result<Bytes> IssuerKey(const std::filesystem::path& path,
                               const card::CardImage& image) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    auto key = ReadFileBytes(path);
    if (!key) return Chip("reading the issuer key", key.error());
    return key;
  }
  auto key = card::IssuerKeyOf(image);
  if (!key) return Chip("the issuer key", key.error());
  if (auto saved = WriteFileAtomically(path, *key); !saved) {
    return Chip("saving the issuer key", saved.error());
  }
  return key;
}

// Powers on the card of `path` as a terminal would (APDUs only from here).
static Result<IssuerTerminal> OpenTerminal(
    const std::filesystem::path& data_dir, const std::filesystem::path& path,
    Rng& rng) {
  auto key = card::StorageKey::LoadOrCreate(
      card::perso::StorageKeyPath(data_dir), rng);
  if (!key) return Chip("storage key", key.error());
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Fail(RegistryErrc::kNotFound,
                fmt::format("no chip image {}", path.string()));
  }
  return IssuerTerminal::Open(path, *key, rng);
}

Status PersoCardPort::RewriteTextData(const Card& card,
                                      const Resident& resident) {
  OPENMYNA_RETURN_IF_ERROR(CheckCardId(card.id));
  std::lock_guard lock(mutex_);
  OPENMYNA_ASSIGN_OR_RETURN(auto profile, FacesProfile(card, resident));
  OPENMYNA_ASSIGN_OR_RETURN(IssuerTerminal terminal,
                            OpenTerminal(data_dir_, ImagePath(card.id), rng_));
  const card::CardImage& image = terminal.image();
  // 照合番号B ends with the 4-digit security code printed on the card
  // (card-apdu.md §9.1): the face AP data keep it.
  const card::ElementaryFile* collation_b =
      FindEf(image, "text", kTextCollationB);
  if (collation_b == nullptr || !collation_b->pin.is_set ||
      collation_b->pin.value.size() < 4) {
    return Fail(RegistryErrc::kUnavailable,
                "chip: the card has no collation number B");
  }
  profile.security_code =
      collation_b->pin.value.substr(collation_b->pin.value.size() - 4);
  OPENMYNA_ASSIGN_OR_RETURN(std::vector<CardFaceFile> files,
                            BuildCardFaceFiles(image, profile, data_dir_));
  // Only the files whose contents change are written; what the card holds
  // now decides (a rewrite with the same data sends no UPDATE).
  struct Write {
    const CardFaceFile* file;
    std::size_t old_size;
  };
  std::vector<Write> writes;
  for (const CardFaceFile& file : files) {
    const card::ElementaryFile* ef = FindEf(image, file.app, file.fid);
    if (ef == nullptr) {
      return Fail(RegistryErrc::kUnavailable,
                  fmt::format("chip: no {} EF {:04X}", file.app, file.fid));
    }
    if (ef->data != file.contents) writes.push_back({&file, ef->data.size()});
  }
  if (writes.empty()) return Ok();
  OPENMYNA_ASSIGN_OR_RETURN(Bytes issuer_key,
                            IssuerKey(IssuerKeyPath(card.id), image));
  std::string_view selected;
  bool authenticated = false;
  for (const Write& w : writes) {
    if (w.file->app != selected) {
      OPENMYNA_RETURN_IF_ERROR(terminal.SelectApplication(
          w.file->app == "text" ? ByteView(card::kTextAid)
                                : ByteView(card::kFaceAid)));
      selected = w.file->app;
    }
    if (!authenticated) {
      auto done = terminal.AuthenticateIssuer(issuer_key);
      SecureWipe(issuer_key);
      OPENMYNA_RETURN_IF_ERROR(done);
      authenticated = true;
    }
    OPENMYNA_RETURN_IF_ERROR(terminal.SelectFile(w.file->fid));
    OPENMYNA_RETURN_IF_ERROR(
        terminal.RewriteCurrentFile(w.file->contents, w.old_size));
  }
  return Ok();
}

Status PersoCardPort::ResetPassword(const Card& card, domain::PasswordKind kind,
                                    std::string_view new_password) {
  OPENMYNA_RETURN_IF_ERROR(CheckCardId(card.id));
  std::lock_guard lock(mutex_);
  OPENMYNA_ASSIGN_OR_RETURN(IssuerTerminal terminal,
                            OpenTerminal(data_dir_, ImagePath(card.id), rng_));
  std::vector<PinSlot> slots;
  for (const PinSlot& slot : SlotsOf(kind)) {
    if (FindEf(terminal.image(), slot.app, slot.fid) != nullptr) {
      slots.push_back(slot);
    }
  }
  if (slots.empty()) {
    return Fail(RegistryErrc::kUnavailable,
                "chip: the card has no such password");
  }
  OPENMYNA_ASSIGN_OR_RETURN(
      Bytes issuer_key, IssuerKey(IssuerKeyPath(card.id), terminal.image()));
  bool authenticated = false;
  for (const PinSlot& slot : slots) {
    OPENMYNA_RETURN_IF_ERROR(terminal.SelectApplication(AidOf(slot.app)));
    if (!authenticated) {
      auto done = terminal.AuthenticateIssuer(issuer_key);
      SecureWipe(issuer_key);
      OPENMYNA_RETURN_IF_ERROR(done);
      authenticated = true;
    }
    OPENMYNA_RETURN_IF_ERROR(terminal.ResetPin(slot.fid, new_password));
  }
  return Ok();
}

}  // namespace openmyna::registry
