#include "issuer_terminal.h"

#include <fmt/format.h>

#include <algorithm>

#include "openmyna/card/issuer_auth.h"
#include "openmyna/registry/errors.h"

namespace openmyna::registry {
namespace {

Bytes Short(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1,
            std::uint8_t p2, ByteView data) {
  Bytes apdu{cla, ins, p1, p2};
  if (!data.empty()) {
    apdu.push_back(static_cast<std::uint8_t>(data.size()));
    apdu.insert(apdu.end(), data.begin(), data.end());
  }
  return apdu;
}

// Case 3 extended (ISO/IEC 7816-4 §5.1): 00 Lc1 Lc2 data.
Bytes Extended(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1,
               std::uint8_t p2, ByteView data) {
  Bytes apdu{cla,
             ins,
             p1,
             p2,
             0x00,
             static_cast<std::uint8_t>(data.size() >> 8),
             static_cast<std::uint8_t>(data.size() & 0xFF)};
  apdu.insert(apdu.end(), data.begin(), data.end());
  return apdu;
}

}  // namespace

Result<IssuerTerminal> IssuerTerminal::Open(const std::filesystem::path& path,
                                            const card::StorageKey& key,
                                            Rng& rng) {
  auto chip = card::Card::Open(path, key, rng);
  if (!chip) {
    return Fail(
        RegistryErrc::kUnavailable,
        fmt::format("chip: opening the card: {}", chip.error().message()));
  }
  (*chip)->PowerOn();
  return IssuerTerminal(std::move(*chip));
}

Result<Bytes> IssuerTerminal::Exchange(std::string_view step, ByteView apdu) {
  Bytes response = card_->Transmit(apdu);
  if (response.size() < 2) {
    return Fail(RegistryErrc::kUnavailable,
                fmt::format("chip: {}: no answer from the card", step));
  }
  const unsigned sw = (response[response.size() - 2] << 8) | response.back();
  if (sw != 0x9000) {
    return Fail(RegistryErrc::kUnavailable,
                fmt::format("chip: {}: the card answered {:04X}{}", step, sw,
                            sw == 0x6300 ? " (wrong issuer key)" : ""));
  }
  response.resize(response.size() - 2);
  return response;
}

Status IssuerTerminal::SelectApplication(ByteView aid) {
  return Exchange("SELECT application", Short(0x00, 0xA4, 0x04, 0x0C, aid))
      .transform([](Bytes) {});
}

Status IssuerTerminal::SelectFile(card::Fid fid) {
  const Bytes id{static_cast<std::uint8_t>(fid >> 8),
                 static_cast<std::uint8_t>(fid & 0xFF)};
  return Exchange(fmt::format("SELECT EF {:04X}", fid),
                  Short(0x00, 0xA4, 0x02, 0x0C, id))
      .transform([](Bytes) {});
}

Status IssuerTerminal::AuthenticateIssuer(ByteView issuer_key) {
  OPENMYNA_ASSIGN_OR_RETURN(
      Bytes challenge,
      Exchange("GET CHALLENGE", Bytes{0x00, 0x84, 0x00, 0x00, 0x10}));
  Bytes answer = card::IssuerAuthResponse(issuer_key, challenge);
  auto done =
      Exchange("ISSUER AUTHENTICATE",
               Short(0x80, card::kInsIssuerAuthenticate, 0x00, 0x00, answer));
  SecureWipe(answer);
  return done.transform([](Bytes) {});
}

Status IssuerTerminal::RewriteCurrentFile(ByteView contents,
                                          std::size_t old_size) {
  for (std::size_t offset = 0; offset < contents.size(); offset += kChunk) {
    // P1 bit 8 must be 0: offsets are 15 bits (docs/card.md §6).
    if (offset > 0x7FFF) {
      return Fail(RegistryErrc::kUnavailable,
                  "chip: UPDATE BINARY: file longer than 15-bit offsets");
    }
    const std::size_t n = std::min(kChunk, contents.size() - offset);
    OPENMYNA_RETURN_IF_ERROR(Exchange(
        "UPDATE BINARY", Extended(0x80, card::kInsUpdateBinary,
                                  static_cast<std::uint8_t>(offset >> 8),
                                  static_cast<std::uint8_t>(offset & 0xFF),
                                  contents.subspan(offset, n))));
  }
  if (old_size > contents.size()) {
    if (contents.size() > 0x7FFF) {
      return Fail(RegistryErrc::kUnavailable,
                  "chip: ERASE BINARY: offset beyond 15 bits");
    }
    OPENMYNA_RETURN_IF_ERROR(
        Exchange("ERASE BINARY",
                 Short(0x80, card::kInsEraseBinary,
                       static_cast<std::uint8_t>(contents.size() >> 8),
                       static_cast<std::uint8_t>(contents.size() & 0xFF), {})));
  }
  return Ok();
}

Status IssuerTerminal::ResetPin(card::Fid pin, std::string_view value) {
  Bytes data(value.begin(), value.end());
  auto done =
      Exchange(fmt::format("RESET RETRY COUNTER {:04X}", pin),
               Short(0x80, card::kInsResetRetryCounter, 0x02,
                     static_cast<std::uint8_t>(0x80 | (pin & 0x1F)), data));
  SecureWipe(data);
  return done.transform([](Bytes) {});
}

}  // namespace openmyna::registry
