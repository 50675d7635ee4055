#include "openmyna/card/issuance.h"

#include <algorithm>
#include <string>

#include "kernel/crypto.h"
#include "kernel/pin_rules.h"
#include "openmyna/card/application_table.h"
#include "openmyna/card/card.h"
#include "openmyna/card/errors.h"

namespace openmyna::card {
namespace {

Result<ElementaryFile*> FindObject(CardImage& image, std::string_view app_name,
                                   Fid fid, EfKind kind) {
  if (image.state == ChipState::kErased) {
    return Fail(CardErrc::kErased, "the chip was erased");
  }
  Application* app = image.FindApplication(app_name);
  if (app == nullptr) {
    return Fail(CardErrc::kNotFound, "no application " + std::string(app_name));
  }
  ElementaryFile* ef = app->Find(fid);
  if (ef == nullptr) {
    return Fail(CardErrc::kNotFound,
                std::string(app_name) + " has no EF " +
                    ToHex(Bytes{static_cast<std::uint8_t>(fid >> 8),
                                static_cast<std::uint8_t>(fid)}));
  }
  if (ef->kind != kind) {
    return Fail(CardErrc::kWrongObjectKind,
                std::string(app_name) + " EF " + ef->label +
                    " is not an object of that kind");
  }
  return ef;
}

}  // namespace

CardImage NewBlankImage(CardKind kind, Rng& rng) {
  CardImage image;
  image.kind = kind;
  image.issuer_key = rng.Bytes(32);
  for (const auto& spec : ApplicationTable()) {
    image.applications.push_back(spec.layout(kind));
  }
  // GET DATA 5F51: the contact ATR without TS (card-apdu.md §7.3).
  image.mf_objects[0x5F51] = Bytes(kContactAtr.begin() + 1, kContactAtr.end());
  return image;
}

Status SetPin(CardImage& image, std::string_view app, Fid pin,
              std::string_view value) {
  OPENMYNA_ASSIGN_OR_RETURN(ElementaryFile * ef,
                            FindObject(image, app, pin, EfKind::kPin));
  if (image.kind == CardKind::kFaceAuth && IsPassword(ef->pin.rule)) {
    return Fail(CardErrc::kInvalidPin,
                std::string(PinRuleName(ef->pin.rule)) +
                    ": a face_auth card holds no passwords");
  }
  if (auto why = CheckPinValue(ef->pin.rule, value)) {
    return Fail(CardErrc::kInvalidPin,
                std::string(PinRuleName(ef->pin.rule)) + ": " + *why);
  }
  SecureWipe(ef->pin.value);
  ef->pin.value = std::string(value);
  ef->pin.is_set = true;
  ef->pin.tries_left = ef->pin.max_tries;
  return Ok();
}

Result<Bytes> GenerateKeyPair(CardImage& image, std::string_view app, Fid key) {
  OPENMYNA_ASSIGN_OR_RETURN(ElementaryFile * ef,
                            FindObject(image, app, key, EfKind::kKey));
  OPENMYNA_ASSIGN_OR_RETURN(crypto::GeneratedKey generated,
                            crypto::GenerateRsa2048());
  SecureWipe(ef->key.private_key_pkcs8);
  ef->key.private_key_pkcs8 = std::move(generated.private_pkcs8);
  ef->key.public_key_spki = generated.public_spki;
  return generated.public_spki;
}

Result<Bytes> PublicKeyOf(const CardImage& image, std::string_view app,
                          Fid key) {
  OPENMYNA_ASSIGN_OR_RETURN(
      ElementaryFile * ef,
      FindObject(const_cast<CardImage&>(image), app, key, EfKind::kKey));
  if (ef->key.public_key_spki.empty()) {
    return Fail(CardErrc::kNotFound, "key " + ef->label + " not generated");
  }
  return ef->key.public_key_spki;
}

Status WriteBinary(CardImage& image, std::string_view app, Fid ef_id,
                   Bytes contents) {
  OPENMYNA_ASSIGN_OR_RETURN(ElementaryFile * ef,
                            FindObject(image, app, ef_id, EfKind::kBinary));
  // Above 65,535 bytes no READ BINARY can reach the end: the offset form
  // addresses 15 bits, an extended Le reads at most 65,536 bytes.
  if (contents.size() > 0xFFFF) {
    return Fail(CardErrc::kInvalidArgument,
                "EF contents above 65,535 bytes cannot be read over APDU");
  }
  const bool present = !contents.empty();
  ef->data = std::move(contents);
  // JPKI EF 0008: 8F for each certificate present (card-apdu.md §4.1).
  if (app == "jpki" && (ef_id == 0x0001 || ef_id == 0x000A)) {
    Application* jpki = image.FindApplication("jpki");
    if (ElementaryFile* flags = jpki->Find(0x0008);
        flags != nullptr && flags->data.size() >= 2) {
      flags->data[ef_id == 0x0001 ? 0 : 1] = present ? 0x8F : 0x00;
    }
  }
  return Ok();
}

Status WriteRecords(CardImage& image, std::string_view app, Fid ef_id,
                    std::vector<Bytes> records) {
  OPENMYNA_ASSIGN_OR_RETURN(ElementaryFile * ef,
                            FindObject(image, app, ef_id, EfKind::kRecord));
  for (const auto& r : records) {
    if (r.empty() || r.size() > 254) {
      return Fail(CardErrc::kInvalidArgument,
                  "records must be 1-254 bytes (READ RECORD, short Le)");
    }
  }
  ef->records = std::move(records);
  return Ok();
}

Status SetMfObject(CardImage& image, std::uint16_t tag, Bytes value) {
  if (image.state == ChipState::kErased) {
    return Fail(CardErrc::kErased, "the chip was erased");
  }
  image.mf_objects[tag] = std::move(value);
  return Ok();
}

Status SetCardIdentity(CardImage& image, std::string_view serial15,
                       std::string_view municipality5,
                       std::string_view expiry8) {
  auto digits = [](std::string_view text, std::size_t n) {
    return text.size() == n &&
           std::all_of(text.begin(), text.end(),
                       [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!digits(serial15, 15) || !digits(municipality5, 5) ||
      !digits(expiry8, 8)) {
    return Fail(CardErrc::kInvalidArgument,
                "card identity needs a 15-digit serial, a 5-digit "
                "municipality code and an 8-digit expiry YYYYMMDD");
  }
  Bytes record{0x01, 0x1C};
  Append(record, ToBytes(serial15));
  Append(record, ToBytes(municipality5));
  Append(record, ToBytes(expiry8));
  OPENMYNA_RETURN_IF_ERROR(
      WriteRecords(image, "common", 0x0001, {std::move(record)}));
  OPENMYNA_RETURN_IF_ERROR(SetMfObject(image, 0x00F0, ToBytes(municipality5)));
  return SetMfObject(image, 0x00F2, ToBytes(expiry8));
}

Result<Bytes> IssuerKeyOf(const CardImage& image) {
  if (image.state == ChipState::kErased) {
    return Fail(CardErrc::kErased, "the chip was erased");
  }
  if (image.issuer_key.size() != 32) {
    return Fail(CardErrc::kNotFound,
                "no issuer key (image opened without its storage key?)");
  }
  return image.issuer_key;
}

Bytes JpkiTokenInfo() {
  // card-apdu.md §4.2 layout with the §16 #10 defaults.
  Bytes out;
  auto padded = [&out](std::string_view text, std::size_t width) {
    Bytes field = ToBytes(text);
    field.resize(width, ' ');
    Append(out, field);
  };
  padded("JPKIAPICCTOKEN2", 32);                           // label
  padded("JPKI", 32);                                      // manufacturerID
  padded("OpenMyna sandbox", 16);                          // model
  padded("00000000", 16);                                  // serialNumber
  AppendU32(out, 0x0000040D);                              // 96 flags
  AppendU32(out, 1);                                       // 100 maxSession
  AppendU32(out, 0);                                       // 104 session
  AppendU32(out, 0);                                       // 108 maxRw
  AppendU32(out, 0);                                       // 112 rw
  AppendU32(out, 16);                                      // 116 maxPinLen
  AppendU32(out, 6);                                       // 120 minPinLen
  for (int i = 0; i < 4; ++i) AppendU32(out, 0xFFFFFFFF);  // 124-139 memory
  Append(out, ToBytes("03"));  // 140 hardwareVersion
  Append(out, ToBytes("01"));  // 142 firmwareVersion
  padded("", 16);              // 144 utcTime (not set)
  return out;
}

}  // namespace openmyna::card
