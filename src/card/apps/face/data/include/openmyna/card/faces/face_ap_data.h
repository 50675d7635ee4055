// Contents of the 券面AP (card-face AP, 券面事項確認AP, AID
// D3 92 10 00 31 00 01 01 04 02) files, built from the holder's data by the
// issuer (card-apdu.md §6, §8). Pure functions: no card, no I/O.
//
// EF 0001 age record  FF 10 82 02 1E { DF11 birth ; DF12 card key ;
//                                     DF13 signature }          (547 bytes)
// EF 0002 card face   FF 20 82 HH LL { DF21 9 offsets ; DF22 birth ; DF23 sex ;
//                       DF24 card key ; DF25 name PNG ; DF26 address PNG ;
//                       DF27 photo JP2 ; DF28 signature ; DF29 expiry ;
//                       DF2A security-code PNG }
// EF 0003 AP data     FF 30 82 01 3B { DF31 ; DF32 key ID ; DF33 version ;
//                       DF34 municipality ; DF35 key ID + 256 bytes }
// EF 0004 CV certificate (568 bytes)
// EF 0005 My Number   FF 40 82 HH LL { DF41 PNG 72×12 ; DF42 card key ;
//                       DF43 signature }
// EF 0006             unidentified on real cards: 32 FF bytes here (§16 #13)
//
// Signatures are the data issuer's, RSASSA-PKCS1-v1_5: DF13 and DF43 with
// SHA-256 over every TLV before them; DF28 over one DigestInfo holding
// SHA-256(DF22‖DF23‖DF24) ‖ SHA-256(DF25‖DF26) ‖ SHA-256(DF27) (96 bytes);
// DF29 and DF2A follow it and are not covered.
#pragma once

#include <openssl/evp.h>

#include <string>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/card/faces/basic_info.h"
#include "openmyna/card/faces/images.h"
#include "openmyna/card/faces/signing.h"

namespace openmyna::card::faces {

// Image sizes. 72×12 (My Number) and 24×12 (security code) are those of a
// surveyed card [MC-surf]; the name, address and photo sizes are not
// published and are the sandbox's choice.
inline constexpr int kNameImageWidth = 512, kNameImageHeight = 64;
inline constexpr int kAddressImageWidth = 640, kAddressImageHeight = 96;
inline constexpr int kPhotoWidth = 180, kPhotoHeight = 240;
inline constexpr int kNumberImageWidth = 72, kNumberImageHeight = 12;
inline constexpr int kCodeImageWidth = 24, kCodeImageHeight = 12;
// Photo compression: about 3.6 KB for 180×240.
inline constexpr float kPhotoCompressionRatio = 12.0f;

struct FaceApInput {
  std::string number;  // 12 digits (EF 0005 image)
  BasicInfo info;
  domain::Date card_expiry;
  std::string security_code;      // 4 digits printed on the card (DF2A)
  std::string municipality_code;  // 5 ASCII digits (DF34)
  Bytes photo_png;  // optional face photo (PNG); empty → a silhouette
  const EVP_PKEY* card_key = nullptr;  // the AP's on-card key (public)
  DataIssuer issuer;
};

struct FaceApFiles {
  Bytes ef0001, ef0002, ef0003, ef0004, ef0005, ef0006;
};

// The name, address, number and code images as stored (1-bit PNGs).
Result<Bytes> NameImagePng(std::string_view card_name);
Result<Bytes> AddressImagePng(std::string_view address);
Result<Bytes> NumberImagePng(std::string_view number);
Result<Bytes> SecurityCodeImagePng(std::string_view code);
// The photo as stored: the profile's PNG or the silhouette, greyscale JP2.
Result<Bytes> FacePhotoJp2(ByteView photo_png);

// Each file. Errors: kInvalidNumber, kInvalidName, kInvalidAddress,
// kInvalidDate, kInvalidSecurityCode, kInvalidArgument (municipality
// code), kInvalidImage (photo), kInvalidKey, kInvalidLength (EF 0002 over
// 65,535 bytes), kRender.
Result<Bytes> EncodeAgeRecordEf(domain::Date birth, const EVP_PKEY* card_key,
                                const DataIssuer& issuer);
Result<Bytes> EncodeCardFaceEf(const FaceApInput& input);
Result<Bytes> EncodeFaceApDataEf(std::string_view municipality_code,
                                 const DataIssuer& issuer);
Result<Bytes> EncodeNumberImageEf(std::string_view number,
                                  const EVP_PKEY* card_key,
                                  const DataIssuer& issuer);

// All six files.
Result<FaceApFiles> BuildFaceApFiles(const FaceApInput& input);

}  // namespace openmyna::card::faces
