#include "jpki/jpki_app.h"

#include "openmyna/card/application_table.h"
#include "openmyna/card/issuance.h"

namespace openmyna::card::apps {

Application JpkiLayout(CardKind /*kind*/) {
  // The same layout for both kinds: on a face_auth card the PINs are never
  // set (issuance refuses passwords there), so they answer as blocked and
  // the keys stay unusable (docs/card.md "Face-auth card").
  Application app;
  app.name = "jpki";
  app.aid.assign(std::begin(kJpkiAid), std::end(kJpkiAid));
  app.files = {
      // The signature certificate is readable only after the signature
      // password (card-apdu.md §4.1, §16 #3).
      BinaryEf(kJpkiSignCert, "signature certificate",
               AccessRule::AnyOf({kJpkiSignPin})),
      BinaryEf(kJpkiSignCaCert, "signature CA certificate", AccessRule::Free()),
      BinaryEf(kJpkiTokenInfo, "token info", AccessRule::Free(),
               JpkiTokenInfo()),
      // 8F = certificate present, 00 = absent; issuance keeps it in step
      // with EF 0001 / 000A (§4.1).
      BinaryEf(kJpkiCertPresence, "certificate presence", AccessRule::Free(),
               Bytes{0x00, 0x00, 0x00}),
      // Purpose unknown; protected (§16 #13), deterministic placeholder.
      BinaryEf(kJpkiProtected0009, "protected (unidentified)",
               AccessRule::Never(), Bytes(16, 0x00)),
      BinaryEf(kJpkiAuthCert, "authentication certificate", AccessRule::Free()),
      BinaryEf(kJpkiAuthCaCert, "authentication CA certificate",
               AccessRule::Free()),
      KeyEf(kJpkiAuthKey, "authentication key",
            AccessRule::AnyOf({kJpkiAuthPin})),
      // 4 digits, 3 tries; 6–16 characters, 5 tries (§9.1).
      PinEf(kJpkiAuthPin, "authentication PIN", PinRule::kAuthenticationPin, 3,
            PinChange::kChangeReferenceData),
      KeyEf(kJpkiSignKey, "signature key", AccessRule::AnyOf({kJpkiSignPin})),
      PinEf(kJpkiSignPin, "signature password", PinRule::kSignaturePassword, 5,
            PinChange::kChangeReferenceData),
  };
  return app;
}

}  // namespace openmyna::card::apps
