#include "openmyna/card/client/text_ap_client.h"

#include <fmt/format.h>

#include <algorithm>

#include "openmyna/card/application_table.h"
#include "openmyna/card/client/errors.h"
#include "openmyna/card/faces/tlv.h"
#include "openmyna/card/file_ids.h"

namespace openmyna::card::client {
namespace {

constexpr Fid kBasicInfoEf = 0x0002;  // card-apdu.md §5
constexpr Fid kIntegrityEf = 0x0003;
constexpr std::size_t kChunk = 256;

Unexpected<Error> Refused(std::string_view what, std::uint16_t sw) {
  return Fail(ClientErrc::kCardStatus,
              fmt::format("{}: the card answered {:04X}{}", what, sw,
                          sw == 0x6982 ? " (security status not satisfied: "
                                         "the input-assist PIN first)"
                                       : ""));
}

}  // namespace

TextApClient::TextApClient(ApduChannel& channel) : channel_(channel) {}

Result<Response> TextApClient::Send(const Command& command,
                                    std::string_view what) {
  auto response = Exchange(channel_, command);
  if (!response) return Unexpected(response.error().WithContext(what));
  return response;
}

Status TextApClient::SelectAp() {
  const Command select{.ins = 0xA4,
                       .p1 = 0x04,
                       .p2 = 0x0C,
                       .data = Bytes(std::begin(kTextAid), std::end(kTextAid))};
  OPENMYNA_ASSIGN_OR_RETURN(Response r, Send(select, "SELECT input-assist AP"));
  if (r.sw != 0x9000) return Refused("SELECT input-assist AP", r.sw);
  return Ok();
}

Result<PinStatus> TextApClient::Login(std::string_view pin) {
  if (pin.size() != 4 || !std::all_of(pin.begin(), pin.end(), [](char c) {
        return c >= '0' && c <= '9';
      })) {
    return Fail(ClientErrc::kInvalidPin, "input-assist PIN: 4 digits");
  }
  const Command select{.ins = 0xA4,
                       .p1 = 0x02,
                       .p2 = 0x0C,
                       .data = {static_cast<std::uint8_t>(kTextPin >> 8),
                                static_cast<std::uint8_t>(kTextPin & 0xFF)}};
  OPENMYNA_ASSIGN_OR_RETURN(Response selected, Send(select, "SELECT EF 0011"));
  if (selected.sw != 0x9000) return Refused("SELECT EF 0011", selected.sw);
  // card-apdu.md §9.2: the empty VERIFY tells the tries left, spending none.
  OPENMYNA_ASSIGN_OR_RETURN(
      Response query,
      Send({.ins = 0x20, .p1 = 0x00, .p2 = 0x80}, "VERIFY (query)"));
  auto before = PinStatusOf(query.sw);
  if (!before) return Refused("VERIFY (query)", query.sw);
  if (before->state != PinStatus::State::kTriesLeft) return *before;
  Command verify{.ins = 0x20, .p1 = 0x00, .p2 = 0x80, .data = ToBytes(pin)};
  auto r = Send(verify, "VERIFY");
  SecureWipe(verify.data);
  if (!r) return Unexpected(r.error());
  auto status = PinStatusOf(r->sw);
  if (!status) return Refused("VERIFY", r->sw);
  return *status;
}

Result<Bytes> TextApClient::ReadEf(Fid fid) {
  const std::string name = fmt::format("EF {:04X}", fid);
  const Command select{.ins = 0xA4,
                       .p1 = 0x02,
                       .p2 = 0x0C,
                       .data = {static_cast<std::uint8_t>(fid >> 8),
                                static_cast<std::uint8_t>(fid & 0xFF)}};
  OPENMYNA_ASSIGN_OR_RETURN(Response selected, Send(select, "SELECT " + name));
  if (selected.sw != 0x9000) return Refused("SELECT " + name, selected.sw);
  Bytes ef;
  for (int round = 0; round < 64; ++round) {  // at most 16 KiB
    const Command read{.ins = 0xB0,
                       .p1 = static_cast<std::uint8_t>((ef.size() >> 8) & 0x7F),
                       .p2 = static_cast<std::uint8_t>(ef.size() & 0xFF),
                       .le = kChunk};
    OPENMYNA_ASSIGN_OR_RETURN(Response r, Send(read, "READ BINARY " + name));
    if (r.sw == 0x6B00 || r.sw == 0x6282) {  // past or at the end
      ef.insert(ef.end(), r.data.begin(), r.data.end());
      break;
    }
    if (r.sw != 0x9000) return Refused("READ BINARY " + name, r.sw);
    ef.insert(ef.end(), r.data.begin(), r.data.end());
    if (r.data.size() < kChunk) break;
    if (auto whole = faces::ParseTlv(ef); whole) break;  // object complete
  }
  // The object only: the filler after it (FF or 00) is not data.
  if (auto whole = faces::ParseTlv(ef); whole && whole->size() <= ef.size()) {
    ef.resize(whole->size());
  }
  return ef;
}

Result<Bytes> TextApClient::ReadBasicInfoEf() { return ReadEf(kBasicInfoEf); }

Result<Bytes> TextApClient::ReadIntegrityEf() { return ReadEf(kIntegrityEf); }

Result<CardBasicInfo> TextApClient::ReadBasicInfo() {
  OPENMYNA_ASSIGN_OR_RETURN(Bytes ef, ReadBasicInfoEf());
  return DecodeBasicInfo(ef);
}

Result<CardBasicInfo> DecodeBasicInfo(ByteView ef0002) {
  auto bad = [](std::string_view why) {
    return Fail(ClientErrc::kBadResponse,
                fmt::format("EF 0002 (basic attributes): {}", why));
  };
  auto outer = faces::ParseTlv(ef0002);
  if (!outer || outer->tag != 0xFF20) return bad("not an FF 20 object");
  auto items =
      faces::ParseTlvSequence(ef0002, outer->header_size, outer->size());
  if (!items) return bad("a truncated field");
  CardBasicInfo info;
  int found = 0;
  for (const auto& item : *items) {
    const auto* value = ef0002.data() + item.offset + item.header_size;
    std::string text(reinterpret_cast<const char*>(value), item.value_size);
    switch (item.tag) {
      case 0xDF22:
        info.name = std::move(text);
        ++found;
        break;
      case 0xDF23:
        info.address = std::move(text);
        ++found;
        break;
      case 0xDF24:
        info.birth = std::move(text);
        ++found;
        break;
      case 0xDF25:
        info.sex = std::move(text);
        ++found;
        break;
      default:
        break;
    }
  }
  if (found != 4) return bad("DF22-DF25 are not all there");
  if (info.birth.size() != 8 ||
      !std::all_of(info.birth.begin(), info.birth.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    return bad("DF24 is not YYYYMMDD");
  }
  if (info.sex.size() != 1) return bad("DF25 is not one digit");
  return info;
}

}  // namespace openmyna::card::client
