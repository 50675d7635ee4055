#include "openmyna/card/faces/personalize.h"

#include <openssl/x509.h>

#include <memory>

#include "face/face_app.h"
#include "openmyna/card/faces/errors.h"
#include "openmyna/card/faces/face_ap_data.h"
#include "openmyna/card/faces/text_ap_data.h"
#include "openmyna/card/issuance.h"
#include "text/text_app.h"

namespace openmyna::card::faces {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Generates a key pair on the chip and returns its public half.
Result<PkeyPtr> OnCardKey(CardImage& image, std::string_view app, Fid fid) {
  OPENMYNA_ASSIGN_OR_RETURN(Bytes spki, GenerateKeyPair(image, app, fid));
  const unsigned char* p = spki.data();
  PkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
  if (!key) return Fail(FacesErrc::kCrypto, "card returned a bad public key");
  return key;
}

Status WriteAll(CardImage& image, std::string_view app,
                std::initializer_list<std::pair<Fid, const Bytes*>> files) {
  for (const auto& [fid, data] : files) {
    OPENMYNA_RETURN_IF_ERROR(WriteBinary(image, app, fid, *data));
  }
  return Ok();
}

}  // namespace

std::string NewSecurityCode(Rng& rng) {
  std::string code;
  for (int i = 0; i < 4; ++i) {
    code.push_back(static_cast<char>('0' + rng.UniformBelow(10)));
  }
  return code;
}

Status PersonalizeCardFaces(CardImage& image, const CardFacesProfile& p) {
  const bool standard = image.kind == CardKind::kStandard;
  if (standard && p.input_assist_pin.empty()) {
    return Fail(FacesErrc::kInvalidArgument,
                "passwords.input_assist: required on a standard card");
  }
  if (!standard && !p.input_assist_pin.empty()) {
    return Fail(FacesErrc::kInvalidArgument,
                "passwords.input_assist: a face_auth card has no passwords");
  }
  // Derived secrets first: a bad field fails before the chip is touched.
  OPENMYNA_ASSIGN_OR_RETURN(std::string collation_a,
                            CollationNumberA(p.number));
  OPENMYNA_ASSIGN_OR_RETURN(
      std::string collation_b,
      CollationNumberB(p.info.birth, p.card_expiry, p.security_code));
  OPENMYNA_ASSIGN_OR_RETURN(std::string birth_key, BirthDateKey(p.info.birth));

  using namespace apps;
  OPENMYNA_ASSIGN_OR_RETURN(PkeyPtr text_signing,
                            OnCardKey(image, "text", kTextSigningKey));
  OPENMYNA_ASSIGN_OR_RETURN(PkeyPtr text_session,
                            OnCardKey(image, "text", kTextSessionKey));
  OPENMYNA_ASSIGN_OR_RETURN(PkeyPtr face_signing,
                            OnCardKey(image, "face", kFaceSigningKey));

  TextApInput text{.number = p.number,
                   .info = p.info,
                   .signing_key = text_signing.get(),
                   .session_key = text_session.get(),
                   .issuer = p.text_issuer};
  OPENMYNA_ASSIGN_OR_RETURN(TextApFiles t, BuildTextApFiles(text));
  FaceApInput face{.number = p.number,
                   .info = p.info,
                   .card_expiry = p.card_expiry,
                   .security_code = p.security_code,
                   .municipality_code = p.municipality_code,
                   .photo_png = p.photo_png,
                   .card_key = face_signing.get(),
                   .issuer = p.face_issuer};
  OPENMYNA_ASSIGN_OR_RETURN(FaceApFiles f, BuildFaceApFiles(face));

  OPENMYNA_RETURN_IF_ERROR(WriteAll(image, "text",
                                    {{kTextMyNumber, &t.ef0001},
                                     {kTextBasicInfo, &t.ef0002},
                                     {kTextIntegrity, &t.ef0003},
                                     {kTextCvCertificate, &t.ef0004},
                                     {kTextApInfo, &t.ef0005},
                                     {kTextSessionKeyPublic, &t.ef0006},
                                     {kTextSigningKeyPublic, &t.ef0007},
                                     {kTextUnknown0008, &t.ef0008}}));
  OPENMYNA_RETURN_IF_ERROR(WriteAll(image, "face",
                                    {{kFaceAgeRecord, &f.ef0001},
                                     {kFaceCardFace, &f.ef0002},
                                     {kFaceApData, &f.ef0003},
                                     {kFaceCvCertificate, &f.ef0004},
                                     {kFaceNumberImage, &f.ef0005},
                                     {kFaceUnknown0006, &f.ef0006}}));

  if (standard) {
    OPENMYNA_RETURN_IF_ERROR(
        SetPin(image, "text", kTextPin, p.input_assist_pin));
  }
  OPENMYNA_RETURN_IF_ERROR(SetPin(image, "text", kTextCollationA, collation_a));
  OPENMYNA_RETURN_IF_ERROR(SetPin(image, "text", kTextCollationB, collation_b));
  OPENMYNA_RETURN_IF_ERROR(SetPin(image, "face", kFaceBirthDateKey, birth_key));
  OPENMYNA_RETURN_IF_ERROR(SetPin(image, "face", kFaceCollationB, collation_b));
  OPENMYNA_RETURN_IF_ERROR(SetPin(image, "face", kFaceCollationA, collation_a));
  SecureWipe(collation_a);
  SecureWipe(collation_b);
  SecureWipe(birth_key);
  return Ok();
}

}  // namespace openmyna::card::faces
