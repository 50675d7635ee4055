#include "openmyna/card/client/jpki_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "openmyna/card/application_table.h"
#include "openmyna/card/client/errors.h"
#include "openmyna/card/file_ids.h"
#include "openmyna/domain/passwords.h"

namespace openmyna::card::client {
namespace {

// Instruction bytes, card-apdu.md §3.1.
constexpr std::uint8_t kInsSelect = 0xA4;
constexpr std::uint8_t kInsVerify = 0x20;
constexpr std::uint8_t kInsReadBinary = 0xB0;
constexpr std::uint8_t kInsComputeSignature = 0x2A;
constexpr std::uint8_t kClaProprietary = 0x80;  // 80 2A (§3.4)

// Status words the client interprets (card-apdu.md §10.1).
constexpr std::uint16_t kSwOk = 0x9000;
constexpr std::uint16_t kSwEndOfFile = 0x6282;  // ISO warning, tolerated
constexpr std::uint16_t kSwNoCounter = 0x6300;
constexpr std::uint16_t kSwAuthBlocked = 0x6983;  // ISO convention
constexpr std::uint16_t kSwKeyBlocked = 0x6984;   // what the card sends, §15
constexpr std::uint16_t kSwWrongLength = 0x6700;
constexpr std::uint16_t kSwOffsetOutside = 0x6B00;
constexpr std::uint16_t kSwWrongP1P2 = 0x6A86;
constexpr std::uint16_t kSwInsNotSupported = 0x6D00;
constexpr std::uint16_t kSwClaNotSupported = 0x6E00;

// COMPUTE DIGITAL SIGNATURE: P1 00 = input used verbatim (a DigestInfo),
// at most 245 bytes for RSA-2048 (§3.4); P2 80 = the current (key) EF.
constexpr std::size_t kMaxSignInput = 245;
constexpr std::size_t kShortChunk = 256;
constexpr std::size_t kMaxOffset = 0x7FFF;  // 15-bit offset form (§3.2)

Fid PinFid(JpkiKey key) {
  return key == JpkiKey::kSignature ? kJpkiSignPin : kJpkiAuthPin;
}
Fid KeyFid(JpkiKey key) {
  return key == JpkiKey::kSignature ? kJpkiSignKey : kJpkiAuthKey;
}

std::string SwText(std::uint16_t sw) {
  const char* meaning = "";
  switch (sw) {
    case 0x6700:
      meaning = " (wrong length)";
      break;
    case 0x6982:
      meaning = " (security status not satisfied)";
      break;
    case 0x6984:
      meaning = " (referenced key blocked)";
      break;
    case 0x6985:
      meaning = " (conditions of use not satisfied)";
      break;
    case 0x6A82:
      meaning = " (file or application not found)";
      break;
    case 0x6A86:
      meaning = " (wrong P1 P2)";
      break;
    case 0x6B00:
      meaning = " (offset outside the file)";
      break;
    case 0x6D00:
      meaning = " (instruction not supported)";
      break;
    case 0x6E00:
      meaning = " (class not supported)";
      break;
    case 0x6F00:
      meaning = " (no precise diagnosis)";
      break;
    default:
      break;
  }
  return fmt::format("{:02X} {:02X}{}", sw >> 8, sw & 0xFF, meaning);
}

Unexpected<Error> CardRefused(std::string_view what, std::uint16_t sw) {
  return Fail(ClientErrc::kCardStatus,
              fmt::format("{}: the card answered {}", what, SwText(sw)));
}

PinStatus FromSw(std::uint16_t sw, bool* known) {
  *known = true;
  if (sw == kSwOk) return {PinStatus::State::kVerified, -1};
  if (sw == kSwNoCounter) return {PinStatus::State::kTriesLeft, -1};
  if ((sw & 0xFFF0) == 0x63C0) {
    const int n = sw & 0x0F;
    if (n == 0) return {PinStatus::State::kBlocked, 0};
    return {PinStatus::State::kTriesLeft, n};
  }
  if (sw == kSwAuthBlocked || sw == kSwKeyBlocked) {
    return {PinStatus::State::kBlocked, 0};
  }
  *known = false;
  return {};
}

// Total length of the DER object whose first bytes are `header` (tag 30,
// definite length; X.690 §8.1.3), or 0 when it is not one.
std::size_t DerLength(ByteView header) {
  if (header.size() < 2 || header[0] != 0x30) return 0;
  const std::uint8_t first = header[1];
  if (first < 0x80) return 2 + first;
  const std::size_t count = first & 0x7F;
  if (count == 0 || count > 2 || header.size() < 2 + count) return 0;
  std::size_t length = 0;
  for (std::size_t i = 0; i < count; ++i) length = length << 8 | header[2 + i];
  return 2 + count + length;
}

}  // namespace

std::optional<PinStatus> PinStatusOf(std::uint16_t sw) {
  bool known = false;
  const PinStatus status = FromSw(sw, &known);
  if (!known) return std::nullopt;
  return status;
}

std::string_view JpkiKeyName(JpkiKey key) {
  return key == JpkiKey::kSignature ? "signature" : "authentication";
}

Result<JpkiKey> ParseJpkiKey(std::string_view name) {
  if (name == "signature") return JpkiKey::kSignature;
  if (name == "authentication") return JpkiKey::kAuthentication;
  return Fail(ClientErrc::kInvalidArgument,
              fmt::format("'{}' is not a JPKI key; use signature or "
                          "authentication",
                          name));
}

std::string_view PinName(JpkiKey key) {
  return key == JpkiKey::kSignature ? "signature password"
                                    : "authentication PIN";
}

Result<std::string> NormalizePin(JpkiKey key, std::string_view pin) {
  std::string value(pin);
  domain::PasswordKind kind = domain::PasswordKind::kAuthentication;
  if (key == JpkiKey::kSignature) {
    kind = domain::PasswordKind::kSignature;
    std::transform(value.begin(), value.end(), value.begin(), [](char c) {
      return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    });
  }
  if (auto violation = domain::CheckPassword(kind, value)) {
    SecureWipe(value);
    return Fail(ClientErrc::kInvalidPin,
                fmt::format("{}: {}", PinName(key), violation->message));
  }
  return value;
}

JpkiClient::JpkiClient(ApduChannel& channel, JpkiClientOptions options)
    : channel_(channel), options_(options) {}

Result<Response> JpkiClient::Send(const Command& command,
                                  std::string_view what) {
  ++commands_sent_;
  auto response = Exchange(channel_, command);
  if (!response) return Unexpected(response.error().WithContext(what));
  return response;
}

Status JpkiClient::SelectAp() {
  Command select{.cla = 0x00,
                 .ins = kInsSelect,
                 .p1 = 0x04,  // by DF name
                 .p2 = 0x0C,  // no response data
                 .data = Bytes(std::begin(kJpkiAid), std::end(kJpkiAid))};
  OPENMYNA_ASSIGN_OR_RETURN(Response r, Send(select, "SELECT JPKI-AP"));
  if (r.sw == 0x6A82) {
    return Fail(ClientErrc::kCardStatus,
                "SELECT JPKI-AP: the card has no JPKI application (6A 82); "
                "is it a My Number Card?");
  }
  if (r.sw != kSwOk) return CardRefused("SELECT JPKI-AP", r.sw);
  return Ok();
}

Status JpkiClient::Logout() {
  Command select{.cla = 0x00,
                 .ins = kInsSelect,
                 .p1 = 0x04,
                 .p2 = 0x0C,
                 .data = Bytes(std::begin(kTextAid), std::end(kTextAid))};
  OPENMYNA_ASSIGN_OR_RETURN(Response r, Send(select, "SELECT input-assist AP"));
  if (r.sw == kSwOk) return Ok();
  return SelectAp();
}

Status JpkiClient::SelectEf(Fid fid, std::string_view what) {
  Command select{.cla = 0x00,
                 .ins = kInsSelect,
                 .p1 = 0x02,  // EF under the current DF
                 .p2 = 0x0C,
                 .data = {static_cast<std::uint8_t>(fid >> 8),
                          static_cast<std::uint8_t>(fid & 0xFF)}};
  const std::string label = fmt::format("SELECT EF {:04X} ({})", fid, what);
  OPENMYNA_ASSIGN_OR_RETURN(Response r, Send(select, label));
  if (r.sw != kSwOk) return CardRefused(label, r.sw);
  return Ok();
}

Result<PinStatus> JpkiClient::QueryPin(JpkiKey key) {
  OPENMYNA_RETURN_IF_ERROR(SelectEf(PinFid(key), PinName(key)));
  Command query{.cla = 0x00, .ins = kInsVerify, .p1 = 0x00, .p2 = 0x80};
  OPENMYNA_ASSIGN_OR_RETURN(Response r, Send(query, "VERIFY (query)"));
  bool known = false;
  PinStatus status = FromSw(r.sw, &known);
  if (!known) return CardRefused("VERIFY (query)", r.sw);
  return status;
}

Result<PinStatus> JpkiClient::VerifyPin(JpkiKey key, std::string_view pin) {
  if (pin.empty() || pin.size() > 16) {
    return Fail(ClientErrc::kInvalidPin,
                fmt::format("{}: 1-16 characters expected", PinName(key)));
  }
  OPENMYNA_RETURN_IF_ERROR(SelectEf(PinFid(key), PinName(key)));
  Command verify{.cla = 0x00,
                 .ins = kInsVerify,
                 .p1 = 0x00,
                 .p2 = 0x80,
                 .data = ToBytes(pin)};
  auto r = Send(verify, "VERIFY");
  SecureWipe(verify.data);
  if (!r) return Unexpected(r.error());
  bool known = false;
  PinStatus status = FromSw(r->sw, &known);
  if (!known) return CardRefused("VERIFY", r->sw);
  return status;
}

Result<PinStatus> JpkiClient::Login(JpkiKey key, std::string_view pin) {
  OPENMYNA_ASSIGN_OR_RETURN(std::string value, NormalizePin(key, pin));
  auto before = QueryPin(key);
  if (!before || before->state == PinStatus::State::kBlocked) {
    SecureWipe(value);
    return before;
  }
  auto status = VerifyPin(key, value);
  SecureWipe(value);
  return status;
}

Result<Bytes> JpkiClient::ReadRange(std::size_t offset, std::size_t length,
                                    std::string_view what) {
  Bytes out;
  bool extended = options_.extended_length && length > kShortChunk;
  while (out.size() < length) {
    const std::size_t at = offset + out.size();
    if (at > kMaxOffset) {
      return Fail(ClientErrc::kBadResponse,
                  fmt::format("{}: offset {} beyond the 15-bit READ BINARY "
                              "offset",
                              what, at));
    }
    const std::size_t want =
        extended ? std::min<std::size_t>(length - out.size(), 65536)
                 : std::min(length - out.size(), kShortChunk);
    Command read{.cla = 0x00,
                 .ins = kInsReadBinary,
                 .p1 = static_cast<std::uint8_t>(at >> 8),
                 .p2 = static_cast<std::uint8_t>(at & 0xFF),
                 .le = want};
    OPENMYNA_ASSIGN_OR_RETURN(Response r, Send(read, "READ BINARY"));
    if (extended &&
        (r.sw == kSwWrongLength || r.sw == kSwWrongP1P2 ||
         r.sw == kSwInsNotSupported || r.sw == kSwClaNotSupported)) {
      extended = false;  // the card takes short APDUs only
      continue;
    }
    if (r.sw == kSwOffsetOutside) break;  // the file ended (JICSAP 7.3.1)
    if (r.sw != kSwOk && r.sw != kSwEndOfFile) {
      return CardRefused(fmt::format("READ BINARY of the {}", what), r.sw);
    }
    if (r.data.size() > want) r.data.resize(want);
    Append(out, r.data);
    if (r.data.empty() || r.sw == kSwEndOfFile) break;
  }
  if (out.size() < length) {
    return Fail(ClientErrc::kBadResponse,
                fmt::format("{}: the file ends after {} bytes, its DER header "
                            "announced {}",
                            what, offset + out.size(), offset + length));
  }
  return out;
}

Result<Bytes> JpkiClient::ReadDerEf(Fid fid, std::string_view what) {
  OPENMYNA_RETURN_IF_ERROR(SelectEf(fid, what));
  // The DER header first, as OpenSC does (§3.2 size probe): 30 82 HH LL.
  OPENMYNA_ASSIGN_OR_RETURN(Bytes der, ReadRange(0, 4, what));
  const std::size_t total = DerLength(der);
  if (total == 0) {
    return Fail(ClientErrc::kBadResponse,
                fmt::format("{}: EF {:04X} does not start with a DER SEQUENCE "
                            "(first bytes {})",
                            what, fid, ToHex(der, ' ')));
  }
  if (total < der.size()) {
    der.resize(total);
    return der;
  }
  OPENMYNA_ASSIGN_OR_RETURN(Bytes rest,
                            ReadRange(der.size(), total - der.size(), what));
  Append(der, rest);
  return der;
}

Result<Bytes> JpkiClient::ReadCertificate(JpkiKey key) {
  return key == JpkiKey::kSignature
             ? ReadDerEf(kJpkiSignCert, "signature certificate")
             : ReadDerEf(kJpkiAuthCert, "authentication certificate");
}

Result<Bytes> JpkiClient::ReadCaCertificate(JpkiKey key) {
  return key == JpkiKey::kSignature
             ? ReadDerEf(kJpkiSignCaCert, "signature CA certificate")
             : ReadDerEf(kJpkiAuthCaCert, "authentication CA certificate");
}

Result<Bytes> JpkiClient::Sign(JpkiKey key, ByteView digest_info) {
  if (digest_info.empty() || digest_info.size() > kMaxSignInput) {
    return Fail(ClientErrc::kInvalidArgument,
                fmt::format("signing input of {} bytes; 1-245 expected",
                            digest_info.size()));
  }
  OPENMYNA_RETURN_IF_ERROR(SelectEf(KeyFid(key), key == JpkiKey::kSignature
                                                     ? "signature key"
                                                     : "authentication key"));
  Command sign{.cla = kClaProprietary,
               .ins = kInsComputeSignature,
               .p1 = 0x00,
               .p2 = 0x80,
               .data = Bytes(digest_info.begin(), digest_info.end()),
               .le = 256};
  OPENMYNA_ASSIGN_OR_RETURN(Response r,
                            Send(sign, "COMPUTE DIGITAL SIGNATURE"));
  if (r.sw != kSwOk) {
    if (r.sw == 0x6982) {
      return Fail(ClientErrc::kCardStatus,
                  fmt::format("COMPUTE DIGITAL SIGNATURE: the {} is not "
                              "verified (69 82)",
                              PinName(key)));
    }
    return CardRefused("COMPUTE DIGITAL SIGNATURE", r.sw);
  }
  if (r.data.empty()) {
    return Fail(ClientErrc::kBadResponse,
                "COMPUTE DIGITAL SIGNATURE: no signature in the response");
  }
  return std::move(r.data);
}

}  // namespace openmyna::card::client
