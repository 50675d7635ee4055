// Personalization: a validated profile (profile.h) becomes a card image,
// the way a card is issued (issue 3 item 4, architecture.md §1 "card/perso"):
//   1. a blank chip of the profile's kind (openmyna/card/issuance.h);
//   2. the passwords into their PIN objects (JPKI 0018 / 001B, juki and
//      common 001C, text 0011) and the collation numbers derived from the
//      holder's data (text 0014 / 0015, face 0013 / 0012 / 0011;
//      card-apdu.md §5, §6, §9.1);
//   3. for each requested certificate an RSA-2048 key pair generated ON the
//      chip (JPKI 0017 authentication, 001A signature); only the public key
//      leaves it, goes to the sandbox CA (openmyna/pki), and the certificate
//      comes back into EF 000A / 0001; the CA certificates go into EF 000B /
//      0002 (card-apdu.md §4.1);
//   4. the card-face data of the input-assist (text) and card-face (face)
//      applications, signed by the sandbox data issuer, when the chip has
//      those applications.
// Nothing is written to disk unless every step succeeded.
#pragma once

#include <filesystem>
#include <string>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/faces/personalize.h"
#include "openmyna/card/image.h"
#include "openmyna/card/perso/profile.h"
#include "openmyna/pki/sandbox.h"

namespace openmyna::card::perso {

// Files of the sandbox data folder that personalization uses (created on
// first use, mode 0600):
//   DIR/card-master.key       32 raw bytes: the StorageKey sealing card
//                             images' secrets (image.h)
//   DIR/card-data-issuer.key  RSA-2048 PKCS#8 PEM: the sandbox data issuer
//                             that signs the text/face AP records
std::filesystem::path StorageKeyPath(const std::filesystem::path& data_dir);
std::filesystem::path DataIssuerKeyPath(const std::filesystem::path& data_dir);

// The storage key of the sandbox (for `card plug` / `card show`): kNoSandbox
// when the data folder has no key yet.
Result<StorageKey> LoadStorageKey(const std::filesystem::path& data_dir);

// The steps of Personalize that the registry's chip port (registry/
// perso_card_port.h) repeats on a card it holds:
//
// The newest root certificate of `kind` (DER), the one that issues, for JPKI
// EF 000B / 0002 (card-apdu.md §4.1). kNoSandbox when there is none.
Result<Bytes> CaCertificateDer(const pki::Sandbox& sandbox, pki::CaKind kind);
//
// Step 4: faces::PersonalizeCardFaces with the sandbox data issuer of
// `data_dir` (DataIssuerKeyPath, created 0600 on first use) as text and face
// issuer; `profile`'s text_issuer / face_issuer are ignored. Errors:
// kIssuance (the card-face data refused, message names why), kIo.
Status WriteCardFaces(CardImage& image, faces::CardFacesProfile profile,
                      const std::filesystem::path& data_dir);

struct PersoResult {
  CardImage image;
  std::string auth_certificate_serial;  // hex; empty when not issued
  std::string sign_certificate_serial;
  std::string security_code;  // the one printed on the card (照合番号B part)
  domain::Date card_expiry;
};

// Builds the chip for `profile` with the sandbox at `data_dir` (which must
// have been created by `openmyna init`: else kNoSandbox telling the user
// so). Issues the certificates (they are recorded in the CA's store).
// Errors: kNoSandbox, kIssuance (CA, chip or card-face data refused; the
// message names the step), kIo.
Result<PersoResult> Personalize(const Profile& profile,
                                const std::filesystem::path& data_dir,
                                const Clock& clock, Rng& rng);

// Personalize, then SaveImage(out) atomically with mode 0600 under the
// sandbox's storage key. `out` is not touched on any error.
Result<PersoResult> PersonalizeToFile(const Profile& profile,
                                      const std::filesystem::path& data_dir,
                                      const std::filesystem::path& out,
                                      const Clock& clock, Rng& rng);

}  // namespace openmyna::card::perso
