#include "face/face_app.h"

#include "openmyna/card/application_table.h"

namespace openmyna::card::apps {

Application FaceLayout(CardKind /*kind*/) {
  // One layout for both kinds: the keys of this AP are not passwords, so a
  // face_auth card keeps them (docs/card.md "Face-auth card").
  Application app;
  app.name = "face";
  app.aid.assign(std::begin(kFaceAid), std::end(kFaceAid));
  const auto a_or_b = AccessRule::AnyOf({kFaceCollationA, kFaceCollationB});
  // "Which credential opens which EF" (card-apdu.md §6, measured on cards).
  app.files = {
      BinaryEf(kFaceAgeRecord, "age record",
               AccessRule::AnyOf({kFaceBirthDateKey})),
      BinaryEf(kFaceCardFace, "card face", a_or_b),
      BinaryEf(kFaceApData, "AP data", AccessRule::Free()),
      BinaryEf(kFaceCvCertificate, "CV certificate", AccessRule::Free()),
      BinaryEf(kFaceNumberImage, "My Number image",
               AccessRule::AnyOf({kFaceCollationA})),
      BinaryEf(kFaceUnknown0006, "unidentified", a_or_b, Bytes(32, 0xFF)),
      // 10 tries each (§16 #4).
      PinEf(kFaceBirthDateKey, "birth-date key", PinRule::kBirthDateKey, 10),
      PinEf(kFaceCollationB, "collation number B", PinRule::kCollationB, 10),
      PinEf(kFaceCollationA, "collation number A", PinRule::kCollationA, 10),
      KeyEf(kFaceSigningKey, "AP signing key", AccessRule::Free()),
  };
  app.default_signing_key = kFaceSigningKey;  // card presence proof (§6)
  return app;
}

}  // namespace openmyna::card::apps
