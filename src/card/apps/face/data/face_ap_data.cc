#include "openmyna/card/faces/face_ap_data.h"

#include "openmyna/card/faces/errors.h"
#include "openmyna/card/faces/tlv.h"

namespace openmyna::card::faces {
namespace {

bool Digits(std::string_view s, std::size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Result<Bytes> Png(std::string_view text, int w, int h, int font_px) {
  OPENMYNA_ASSIGN_OR_RETURN(Bitmap bitmap,
                            RenderTextBitmap(text, w, h, font_px));
  return EncodePng1Bit(bitmap);
}

// value ‖ DF13/DF43 signature (SHA-256 PKCS#1 v1.5 over `value`).
Status AppendSignature(Bytes& value, std::uint16_t tag,
                       const DataIssuer& issuer) {
  OPENMYNA_ASSIGN_OR_RETURN(Bytes signature, SignSha256(issuer.key, value));
  return AppendTlv(value, tag, signature);
}

}  // namespace

Result<Bytes> NameImagePng(std::string_view card_name) {
  return Png(card_name, kNameImageWidth, kNameImageHeight, 44);
}
Result<Bytes> AddressImagePng(std::string_view address) {
  return Png(address, kAddressImageWidth, kAddressImageHeight, 28);
}
Result<Bytes> NumberImagePng(std::string_view number) {
  OPENMYNA_ASSIGN_OR_RETURN(std::string digits, CheckedNumber(number));
  return Png(digits, kNumberImageWidth, kNumberImageHeight, 12);
}
Result<Bytes> SecurityCodeImagePng(std::string_view code) {
  if (!Digits(code, 4)) {
    return Fail(FacesErrc::kInvalidSecurityCode,
                "security code must be 4 digits");
  }
  return Png(code, kCodeImageWidth, kCodeImageHeight, 12);
}

Result<Bytes> FacePhotoJp2(ByteView photo_png) {
  GrayImage photo;
  if (photo_png.empty()) {
    photo = PlaceholderPortrait(kPhotoWidth, kPhotoHeight);
  } else {
    OPENMYNA_ASSIGN_OR_RETURN(
        photo, PhotoFromPng(photo_png, kPhotoWidth, kPhotoHeight));
  }
  return EncodeJp2(photo, kPhotoCompressionRatio);
}

Result<Bytes> EncodeAgeRecordEf(domain::Date birth, const EVP_PKEY* card_key,
                                const DataIssuer& issuer) {
  OPENMYNA_ASSIGN_OR_RETURN(std::string date, CardDate(birth));
  OPENMYNA_ASSIGN_OR_RETURN(Bytes key, EncodeRsaPublicKey(card_key));
  Bytes value;
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(value, 0xDF11, ToBytes(date)));
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(value, 0xDF12, key));
  OPENMYNA_RETURN_IF_ERROR(AppendSignature(value, 0xDF13, issuer));
  return Tlv(0xFF10, value);
}

Result<Bytes> EncodeCardFaceEf(const FaceApInput& input) {
  OPENMYNA_ASSIGN_OR_RETURN(std::string name, CardName(input.info.name));
  if (input.info.address.empty() || !IsUtf8(input.info.address)) {
    return Fail(FacesErrc::kInvalidAddress, "address must be non-empty UTF-8");
  }
  OPENMYNA_ASSIGN_OR_RETURN(std::string birth, CardDate(input.info.birth));
  OPENMYNA_ASSIGN_OR_RETURN(std::string expiry, CardDate(input.card_expiry));
  OPENMYNA_ASSIGN_OR_RETURN(Bytes key, EncodeRsaPublicKey(input.card_key));
  OPENMYNA_ASSIGN_OR_RETURN(Bytes name_png, NameImagePng(name));
  OPENMYNA_ASSIGN_OR_RETURN(Bytes address_png,
                            AddressImagePng(input.info.address));
  OPENMYNA_ASSIGN_OR_RETURN(Bytes photo, FacePhotoJp2(input.photo_png));
  OPENMYNA_ASSIGN_OR_RETURN(Bytes code_png,
                            SecurityCodeImagePng(input.security_code));
  const std::uint8_t sex = static_cast<std::uint8_t>(SexDigit(input.info.sex));

  // The three signed groups (card-apdu.md §6, DF28).
  Bytes group1, group2, group3;
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(group1, 0xDF22, ToBytes(birth)));
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(group1, 0xDF23, ByteView(&sex, 1)));
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(group1, 0xDF24, key));
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(group2, 0xDF25, name_png));
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(group2, 0xDF26, address_png));
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(group3, 0xDF27, photo));
  Bytes digests = Concat({Sha256(group1), Sha256(group2), Sha256(group3)});
  OPENMYNA_ASSIGN_OR_RETURN(
      Bytes signature,
      SignDigestInfo(input.issuer.key, Sha256DigestInfo(digests)));
  Bytes fields = Concat({group1, group2, group3});
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(fields, 0xDF28, signature));
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(fields, 0xDF29, ToBytes(expiry)));
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(fields, 0xDF2A, code_png));

  // Offsets from the start of the file to DF22 … DF2A (card-apdu.md §8.1).
  auto items = ParseTlvSequence(fields, 0, fields.size());
  if (!items || items->size() != 9) {
    return Fail(FacesErrc::kRender, "card face fields do not parse back");
  }
  const std::size_t value_size = 3 + 18 + fields.size();
  OPENMYNA_ASSIGN_OR_RETURN(Bytes outer_length, EncodeLength(value_size));
  const std::size_t first = 2 + outer_length.size() + 3 + 18;
  if (first + fields.size() > kMaxTlvValue) {
    return Fail(FacesErrc::kInvalidLength,
                "card face EF exceeds 65,535 bytes (photo too large?)");
  }
  Bytes table;
  for (const TlvItem& item : *items) {
    AppendU16(table, static_cast<std::uint16_t>(first + item.offset));
  }
  Bytes value;
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(value, 0xDF21, table));
  Append(value, fields);
  return Tlv(0xFF20, value);
}

Result<Bytes> EncodeFaceApDataEf(std::string_view municipality_code,
                                 const DataIssuer& issuer) {
  if (!Digits(municipality_code, 5)) {
    return Fail(FacesErrc::kInvalidArgument,
                "municipality code must be 5 digits (全国地方公共団体コード "
                "without its check digit)");
  }
  static constexpr std::uint8_t kIdentification[] = {0x06, 0x03, 0x0E, 0x01};
  static constexpr std::uint8_t kVersion[] = {0x01};
  Bytes value;
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(value, 0xDF31, kIdentification));
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(value, 0xDF32, issuer.key_id));
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(value, 0xDF33, kVersion));
  OPENMYNA_RETURN_IF_ERROR(
      AppendTlv(value, 0xDF34, ToBytes(municipality_code)));
  // DF35: key ID + 256 bytes whose meaning is unknown on real cards
  // (§16 #13); the sandbox puts the issuer's signature over DF31–DF34.
  OPENMYNA_ASSIGN_OR_RETURN(Bytes opaque, SignSha256(issuer.key, value));
  Bytes df35 = Concat({issuer.key_id, opaque});
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(value, 0xDF35, df35));
  return Tlv(0xFF30, value);
}

Result<Bytes> EncodeNumberImageEf(std::string_view number,
                                  const EVP_PKEY* card_key,
                                  const DataIssuer& issuer) {
  OPENMYNA_ASSIGN_OR_RETURN(Bytes png, NumberImagePng(number));
  OPENMYNA_ASSIGN_OR_RETURN(Bytes key, EncodeRsaPublicKey(card_key));
  Bytes value;
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(value, 0xDF41, png));
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(value, 0xDF42, key));
  OPENMYNA_RETURN_IF_ERROR(AppendSignature(value, 0xDF43, issuer));
  return Tlv(0xFF40, value);
}

Result<FaceApFiles> BuildFaceApFiles(const FaceApInput& input) {
  FaceApFiles files;
  OPENMYNA_ASSIGN_OR_RETURN(
      files.ef0001,
      EncodeAgeRecordEf(input.info.birth, input.card_key, input.issuer));
  OPENMYNA_ASSIGN_OR_RETURN(files.ef0002, EncodeCardFaceEf(input));
  OPENMYNA_ASSIGN_OR_RETURN(
      files.ef0003, EncodeFaceApDataEf(input.municipality_code, input.issuer));
  OPENMYNA_ASSIGN_OR_RETURN(files.ef0004,
                            SelfCertifiedCvCertificate(input.issuer));
  OPENMYNA_ASSIGN_OR_RETURN(
      files.ef0005,
      EncodeNumberImageEf(input.number, input.card_key, input.issuer));
  files.ef0006 = Bytes(32, 0xFF);
  return files;
}

}  // namespace openmyna::card::faces
