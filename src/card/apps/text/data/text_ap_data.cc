#include "openmyna/card/faces/text_ap_data.h"

#include "openmyna/card/faces/errors.h"
#include "openmyna/card/faces/tlv.h"

namespace openmyna::card::faces {

Result<Bytes> EncodeMyNumberEf(std::string_view number) {
  OPENMYNA_ASSIGN_OR_RETURN(std::string digits, CheckedNumber(number));
  Bytes out;
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(out, 0xFF10, ToBytes(digits)));
  out.push_back(0xFF);  // two bytes of filler: 17 bytes physical (§8.2)
  out.push_back(0xFF);
  return out;
}

Result<Bytes> EncodeBasicInfoEf(const BasicInfo& info) {
  OPENMYNA_ASSIGN_OR_RETURN(std::string name, CardName(info.name));
  if (info.address.empty() || !IsUtf8(info.address)) {
    return Fail(FacesErrc::kInvalidAddress, "address must be non-empty UTF-8");
  }
  OPENMYNA_ASSIGN_OR_RETURN(std::string birth, CardDate(info.birth));
  Bytes fields;
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(fields, 0xDF22, ToBytes(name)));
  std::size_t address_at = fields.size();
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(fields, 0xDF23, ToBytes(info.address)));
  std::size_t birth_at = fields.size();
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(fields, 0xDF24, ToBytes(birth)));
  std::size_t sex_at = fields.size();
  const std::uint8_t sex = static_cast<std::uint8_t>(SexDigit(info.sex));
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(fields, 0xDF25, ByteView(&sex, 1)));

  // Value = DF21 (3 + 8 bytes) + fields; its size fixes the outer header.
  const std::size_t value_size = 11 + fields.size();
  OPENMYNA_ASSIGN_OR_RETURN(Bytes outer_length, EncodeLength(value_size));
  const std::size_t first = 2 + outer_length.size() + 11;  // DF22 offset
  if (first + fields.size() > 0xFFFF) {
    return Fail(FacesErrc::kInvalidLength, "basic data too long");
  }
  Bytes table;
  for (std::size_t at : {std::size_t{0}, address_at, birth_at, sex_at}) {
    AppendU16(table, static_cast<std::uint16_t>(first + at));
  }
  Bytes value;
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(value, 0xDF21, table));
  Append(value, fields);
  return Tlv(0xFF20, value);
}

Result<Bytes> BasicInfoHashSource(ByteView ef0002) {
  auto outer = ParseTlv(ef0002, 0);
  if (!outer || outer->tag != 0xFF20) {
    return Fail(FacesErrc::kInvalidArgument, "EF 0002 is not an FF 20 object");
  }
  auto table = ParseTlv(ef0002, outer->header_size);
  if (!table || table->tag != 0xDF21) {
    return Fail(FacesErrc::kInvalidArgument,
                "EF 0002 does not start with its DF21 offset table");
  }
  const std::size_t from = table->offset + table->size();
  const std::size_t to = outer->size();
  if (from > to) {
    return Fail(FacesErrc::kInvalidArgument, "DF21 overruns EF 0002");
  }
  return Bytes(ef0002.begin() + static_cast<std::ptrdiff_t>(from),
               ef0002.begin() + static_cast<std::ptrdiff_t>(to));
}

Result<Bytes> EncodeTextIntegrityEf(ByteView ef0001, ByteView ef0002,
                                    const DataIssuer& issuer) {
  OPENMYNA_ASSIGN_OR_RETURN(Bytes source, BasicInfoHashSource(ef0002));
  Bytes signed_part;
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(signed_part, 0xDF31, Sha256(ef0001)));
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(signed_part, 0xDF32, Sha256(source)));
  OPENMYNA_ASSIGN_OR_RETURN(Bytes signature,
                            SignSha256(issuer.key, signed_part));
  Bytes value = signed_part;
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(value, 0xDF33, signature));
  return Tlv(0xFF30, value);
}

Result<Bytes> EncodeTextApInfoEf(const DataIssuer& issuer) {
  static constexpr std::uint8_t kIdentification[] = {0x01, 0x03, 0x0E, 0x01};
  OPENMYNA_ASSIGN_OR_RETURN(Bytes issuer_key, EncodeRsaPublicKey(issuer.key));
  Bytes df43 = Sha256(issuer_key);
  df43.resize(128, 0xFF);
  Bytes value;
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(value, 0xDF41, kIdentification));
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(value, 0xDF42, issuer.key_id));
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(value, 0xDF43, df43));
  OPENMYNA_ASSIGN_OR_RETURN(Bytes out, Tlv(0xFF40, value));
  out.resize(256, 0xFF);  // the EF is 256 bytes physically (§16 #7)
  return out;
}

Result<Bytes> EncodeSessionKeyEf(const EVP_PKEY* session_key) {
  OPENMYNA_ASSIGN_OR_RETURN(Bytes key, EncodeRsaPublicKey(session_key));
  return Tlv(0xA1, key);
}

Result<Bytes> EncodeSignedKeyEf(const EVP_PKEY* ap_key,
                                const DataIssuer& issuer) {
  OPENMYNA_ASSIGN_OR_RETURN(Bytes key, EncodeRsaPublicKey(ap_key));
  Bytes value;
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(value, 0xDF51, key));
  OPENMYNA_ASSIGN_OR_RETURN(Bytes signature, SignSha256(issuer.key, value));
  OPENMYNA_RETURN_IF_ERROR(AppendTlv(value, 0xDF52, signature));
  return Tlv(0xFF50, value);
}

Bytes TextEf0008() { return Bytes(16, 0xFF); }

Result<TextApFiles> BuildTextApFiles(const TextApInput& input) {
  TextApFiles files;
  OPENMYNA_ASSIGN_OR_RETURN(files.ef0001, EncodeMyNumberEf(input.number));
  OPENMYNA_ASSIGN_OR_RETURN(files.ef0002, EncodeBasicInfoEf(input.info));
  OPENMYNA_ASSIGN_OR_RETURN(
      files.ef0003,
      EncodeTextIntegrityEf(files.ef0001, files.ef0002, input.issuer));
  OPENMYNA_ASSIGN_OR_RETURN(files.ef0004,
                            SelfCertifiedCvCertificate(input.issuer));
  OPENMYNA_ASSIGN_OR_RETURN(files.ef0005, EncodeTextApInfoEf(input.issuer));
  OPENMYNA_ASSIGN_OR_RETURN(files.ef0006,
                            EncodeSessionKeyEf(input.session_key));
  OPENMYNA_ASSIGN_OR_RETURN(files.ef0007,
                            EncodeSignedKeyEf(input.signing_key, input.issuer));
  files.ef0008 = TextEf0008();
  return files;
}

}  // namespace openmyna::card::faces
