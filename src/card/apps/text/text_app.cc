#include "text/text_app.h"

#include "openmyna/card/application_table.h"

namespace openmyna::card::apps {

Application TextLayout(CardKind /*kind*/) {
  // One layout for both kinds: on a face_auth card the input-assist PIN is
  // never set (it answers as blocked) and the AP opens with 照合番号A/B only.
  Application app;
  app.name = "text";
  app.aid.assign(std::begin(kTextAid), std::end(kTextAid));
  const auto any_credential =
      AccessRule::AnyOf({kTextPin, kTextCollationA, kTextCollationB});
  ElementaryFile session_key = KeyEf(
      kTextSessionKey, "session key (SET SESSION KEY)", AccessRule::Never());
  session_key.key.allows_compute_signature = false;
  // "Which credential opens which EF" (card-apdu.md §5, measured on cards).
  app.files = {
      BinaryEf(kTextMyNumber, "My Number",
               AccessRule::AnyOf({kTextPin, kTextCollationA})),
      BinaryEf(kTextBasicInfo, "4 basic data",
               AccessRule::AnyOf({kTextPin, kTextCollationB})),
      BinaryEf(kTextIntegrity, "hashes and signature", any_credential),
      BinaryEf(kTextCvCertificate, "CV certificate", AccessRule::Free()),
      BinaryEf(kTextApInfo, "AP info", AccessRule::Free()),
      BinaryEf(kTextSessionKeyPublic, "session key (public)", any_credential),
      BinaryEf(kTextSigningKeyPublic, "signing key (public, signed)",
               any_credential),
      BinaryEf(kTextUnknown0008, "unidentified", AccessRule::Free(),
               Bytes(16, 0xFF)),
      PinEf(kTextPin, "input-assist PIN", PinRule::kInputAssistPin, 3,
            PinChange::kChangeReferenceData),
      // Blocked on every card seen (§5): never set, so 63 C0 / 69 84.
      PinEf(kTextBlocked0012, "blocked key reference", PinRule::kInputAssistPin,
            3),
      // 10 tries (§16 #4).
      PinEf(kTextCollationA, "collation number A", PinRule::kCollationA, 10),
      PinEf(kTextCollationB, "collation number B", PinRule::kCollationB, 10),
      KeyEf(kTextSigningKey, "AP signing key", AccessRule::Free()),
      session_key,
  };
  app.default_signing_key = kTextSigningKey;  // card presence proof (§6)
  return app;
}

}  // namespace openmyna::card::apps
