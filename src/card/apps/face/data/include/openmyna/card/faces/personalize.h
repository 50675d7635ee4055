// Personalisation of the two card-face applications on a card image
// (issuance.h): keys generated on the chip, file contents from the holder's
// data (text_ap_data.h, face_ap_data.h), PIN and collation values. Called by
// card/perso after NewBlankImage.
#pragma once

#include <string>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/faces/basic_info.h"
#include "openmyna/card/faces/signing.h"
#include "openmyna/card/image.h"

namespace openmyna::card::faces {

struct CardFacesProfile {
  std::string number;  // 12 digits
  BasicInfo info;
  domain::Date card_expiry;
  std::string security_code;      // 4 digits printed on the card face
  std::string municipality_code;  // 5 digits (face EF 0003 DF34)
  // 券面事項入力補助用暗証番号, 4 digits; must be empty on a face_auth card
  // (domain.md §3: that card has no passwords) and set on a standard one.
  std::string input_assist_pin;
  Bytes photo_png;  // optional (PNG); empty → a silhouette
  // The data issuers (may share one key): they sign the records and the CV
  // certificates of EF 0004. Keys are borrowed.
  DataIssuer text_issuer;  // sandbox key ID 9000033…
  DataIssuer face_issuer;  // sandbox key ID 9000023…
};

// A random 4-digit security code (printed on the card, part of 照合番号B).
std::string NewSecurityCode(Rng& rng);

// Generates the text AP keys 0016/0017 and the face AP key 0016 on the chip,
// writes text EF 0001–0008 and face EF 0001–0006, and sets text PINs 0011
// (standard cards only), 0014 (照合番号A), 0015 (照合番号B) and face keys
// 0011 (birth date, era YYMMDD), 0012 (B), 0013 (A).
// Fails with the faces errors of the builders (kInvalid…: bad profile
// field, named in the message), kInvalidArgument for a PIN given on a
// face_auth card or missing on a standard one, or the card library's errors
// (kInvalidPin, kNotFound when the image lacks the applications). On error
// the image may be half personalised: discard it.
Status PersonalizeCardFaces(CardImage& image, const CardFacesProfile& profile);

}  // namespace openmyna::card::faces
