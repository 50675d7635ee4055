#include "card_faces_files.h"

#include <fmt/format.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "openmyna/base/file_io.h"
#include "openmyna/card/faces/face_ap_data.h"
#include "openmyna/card/faces/text_ap_data.h"
#include "openmyna/card/issuance.h"
#include "openmyna/card/perso/personalize.h"
#include "openmyna/registry/errors.h"

namespace openmyna::registry {
namespace {

// On-card keys of the card-face APs (card-apdu.md §5, §6).
constexpr card::Fid kTextSigningKey = 0x0016;
constexpr card::Fid kTextSessionKey = 0x0017;
constexpr card::Fid kFaceSigningKey = 0x0016;

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

Unexpected<Error> Step(std::string_view step, const Error& cause) {
  return Fail(RegistryErrc::kUnavailable,
              fmt::format("chip: {}: {}", step, cause.message()));
}

Result<PkeyPtr> PublicKey(const card::CardImage& image, std::string_view app,
                          card::Fid fid) {
  auto spki = card::PublicKeyOf(image, app, fid);
  if (!spki) return Step(fmt::format("{} key {:04X}", app, fid), spki.error());
  const unsigned char* p = spki->data();
  PkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki->size())));
  if (!key) {
    return Fail(
        RegistryErrc::kUnavailable,
        fmt::format("chip: {} key {:04X} is not a public key", app, fid));
  }
  return key;
}

Result<PkeyPtr> DataIssuerKey(const std::filesystem::path& data_dir) {
  const auto path = card::perso::DataIssuerKeyPath(data_dir);
  auto pem = ReadFileText(path);
  if (!pem) return Step("the data issuer key", pem.error());
  BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  SecureWipe(*pem);
  if (!key) {
    return Fail(
        RegistryErrc::kUnavailable,
        fmt::format("chip: {} is not a PEM private key", path.string()));
  }
  return key;
}

}  // namespace

Result<std::vector<CardFaceFile>> BuildCardFaceFiles(
    const card::CardImage& image, const card::faces::CardFacesProfile& profile,
    const std::filesystem::path& data_dir) {
  namespace faces = card::faces;
  OPENMYNA_ASSIGN_OR_RETURN(PkeyPtr issuer_key, DataIssuerKey(data_dir));
  auto text_id = faces::MakeKeyId(faces::kSandboxTextIssuerNumber, "001");
  if (!text_id) return Step("text issuer key ID", text_id.error());
  auto face_id = faces::MakeKeyId(faces::kSandboxFaceIssuerNumber, "001");
  if (!face_id) return Step("face issuer key ID", face_id.error());
  OPENMYNA_ASSIGN_OR_RETURN(PkeyPtr text_signing,
                            PublicKey(image, "text", kTextSigningKey));
  OPENMYNA_ASSIGN_OR_RETURN(PkeyPtr text_session,
                            PublicKey(image, "text", kTextSessionKey));
  OPENMYNA_ASSIGN_OR_RETURN(PkeyPtr face_signing,
                            PublicKey(image, "face", kFaceSigningKey));
  auto text = faces::BuildTextApFiles({.number = profile.number,
                                       .info = profile.info,
                                       .signing_key = text_signing.get(),
                                       .session_key = text_session.get(),
                                       .issuer = {issuer_key.get(), *text_id}});
  if (!text) return Step("text AP data", text.error());
  auto face =
      faces::BuildFaceApFiles({.number = profile.number,
                               .info = profile.info,
                               .card_expiry = profile.card_expiry,
                               .security_code = profile.security_code,
                               .municipality_code = profile.municipality_code,
                               .photo_png = profile.photo_png,
                               .card_key = face_signing.get(),
                               .issuer = {issuer_key.get(), *face_id}});
  if (!face) return Step("face AP data", face.error());
  std::vector<CardFaceFile> files;
  for (auto& [fid, bytes] : std::initializer_list<std::pair<card::Fid, Bytes*>>{
           {0x0001, &text->ef0001},
           {0x0002, &text->ef0002},
           {0x0003, &text->ef0003},
           {0x0004, &text->ef0004},
           {0x0005, &text->ef0005},
           {0x0006, &text->ef0006},
           {0x0007, &text->ef0007},
           {0x0008, &text->ef0008}}) {
    files.push_back({"text", fid, std::move(*bytes)});
  }
  for (auto& [fid, bytes] : std::initializer_list<std::pair<card::Fid, Bytes*>>{
           {0x0001, &face->ef0001},
           {0x0002, &face->ef0002},
           {0x0003, &face->ef0003},
           {0x0004, &face->ef0004},
           {0x0005, &face->ef0005},
           {0x0006, &face->ef0006}}) {
    files.push_back({"face", fid, std::move(*bytes)});
  }
  return files;
}

}  // namespace openmyna::registry
