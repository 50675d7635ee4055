// The relying-party side of the JPKI-AP (公的個人認証AP) of a My Number
// Card: what a bank or an app sends to sign with the card. Every byte value
// comes from card-apdu.md (section named beside each use); FIDs and the AID
// from openmyna/card/file_ids.h.
//
// The usual sequence (the signature certificate EF is readable only after
// the signature password, §4.1):
//
//   JpkiClient jpki(channel);
//   jpki.SelectAp();                                       // §3.1
//   auto status = jpki.Login(JpkiKey::kSignature, "ABC123");  // §3.3, §9
//   if (status->state != PinStatus::State::kVerified) ...  // tries / blocked
//   auto cert = jpki.ReadCertificate(JpkiKey::kSignature);  // §3.2, §4.3
//   auto sig = jpki.Sign(JpkiKey::kSignature, digest_info); // §3.4
//   jpki.Logout();                                         // §2
//
// Not thread-safe; the channel is borrowed and must outlive the client.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/card/client/apdu_channel.h"
#include "openmyna/card/model.h"

namespace openmyna::card::client {

// The two key pairs of the JPKI-AP (card-apdu.md §4.1):
//   kSignature       署名用電子証明書: key 001A, password 001B (6–16 of
//                    A-Z 0-9, 5 tries), certificate EF 0001 (protected)
//   kAuthentication  利用者証明用電子証明書: key 0017, PIN 0018 (4 digits,
//                    3 tries), certificate EF 000A (free)
enum class JpkiKey : std::uint8_t { kSignature, kAuthentication };

std::string_view JpkiKeyName(JpkiKey key);  // "signature" | "authentication"
// "signature" | "authentication"; kInvalidArgument otherwise.
Result<JpkiKey> ParseJpkiKey(std::string_view name);
// The password's name for messages: "signature password" |
// "authentication PIN".
std::string_view PinName(JpkiKey key);

// What a VERIFY (or its empty query) told us (card-apdu.md §9.2, §10.1).
struct PinStatus {
  enum class State : std::uint8_t {
    kVerified,   // 90 00
    kTriesLeft,  // 63 Cn, n > 0: wrong value (or the query's answer)
    kBlocked,    // 63 C0, 69 83 or 69 84: no tries left
  };
  State state = State::kTriesLeft;
  // For kTriesLeft: n of 63 Cn; -1 when the card has no counter (63 00).
  int tries_left = -1;
};

// What a VERIFY (or its empty query) status word means (card-apdu.md
// §10.1): 90 00, 63 Cn, 63 00, 69 83, 69 84; nullopt for any other SW. For
// the other applications' PINs too (text_ap_client.h).
std::optional<PinStatus> PinStatusOf(std::uint16_t sw);

// Checks `pin` against the format rule of `key`'s password (domain
// passwords.h), after upper-casing a signature password as the JPKI client
// software does (card-apdu.md §9.1). Returns the bytes to send;
// kInvalidPin (message names the rule, never the value) otherwise, so that
// a value that cannot be right never costs a try.
Result<std::string> NormalizePin(JpkiKey key, std::string_view pin);

struct JpkiClientOptions {
  // Read certificate EFs with one extended READ BINARY (Le up to 65,536,
  // card-apdu.md §3.2) and fall back to 256-byte short reads when the card
  // refuses it (67 00, 6A 86, 6D 00, 6E 00). false: short reads only, as
  // OpenSC does (§3.2 "What OpenSC does").
  bool extended_length = true;
};

class JpkiClient {
 public:
  explicit JpkiClient(ApduChannel& channel, JpkiClientOptions options = {});

  // SELECT by DF name of the JPKI-AP, 00 A4 04 0C 0A D3 92 F0 00 26 01 00 00
  // 00 01 (card-apdu.md §2, §3.1). Selecting it again while it is current
  // does NOT reliably log out: real cards keep the verified state (§16 #6).
  // kCardStatus on anything but 90 00 (6A 82: "no JPKI-AP on this card").
  Status SelectAp();

  // Ends the login the way every card honours: SELECT of another AP (the
  // input-assist AP) clears the security status of the one left (§2). A
  // token with no such AP (6A 82) gets the JPKI-AP selected again, which
  // logs out only on cards that clear on re-selection. Best effort.
  Status Logout();

  // The empty VERIFY after SELECT of the PIN EF: 00 A4 02 0C 02 <PIN FID>,
  // 00 20 00 80 (§3.3, §9.2). Spends no try. 90 00 (some real cards, when
  // already verified) is kVerified.
  Result<PinStatus> QueryPin(JpkiKey key);

  // VERIFY with data: 00 A4 02 0C 02 <PIN FID>, 00 20 00 80 Lc <PIN> (§3.3).
  // `pin` is sent as given (use NormalizePin first). 90 00 → kVerified;
  // 63 Cn → kTriesLeft(n) or kBlocked when n = 0; 69 83 / 69 84 → kBlocked
  // (§10.1, §15). kCardStatus for any other SW.
  Result<PinStatus> VerifyPin(JpkiKey key, std::string_view pin);

  // What a careful relying party does: NormalizePin, QueryPin, and VERIFY
  // only when the query shows tries left (a blocked key is never sent the
  // PIN). kInvalidPin for a malformed PIN (nothing sent).
  Result<PinStatus> Login(JpkiKey key, std::string_view pin);

  // SELECT EF 0001 (signature) or 000A (authentication), then READ BINARY
  // (§3.2): the 4-byte DER header first (30 82 HH LL, §4.3; 30 LL and
  // 30 81 LL also accepted), then the rest (extended or 256-byte chunks;
  // 62 82 and short answers tolerated). Returns exactly the DER object;
  // filler after it is never read. 69 82 (the signature certificate
  // without the password, §16 #3) → kCardStatus "security status not
  // satisfied"; a header that is not a DER SEQUENCE or a file shorter than
  // its header says (short data, 62 82 or 6B 00 before the end) →
  // kBadResponse.
  Result<Bytes> ReadCertificate(JpkiKey key);
  // The same for the CA certificates (EF 0002 signature CA, 000B auth CA).
  Result<Bytes> ReadCaCertificate(JpkiKey key);

  // SELECT the key EF (001A / 0017), then COMPUTE DIGITAL SIGNATURE
  // 80 2A 00 80 Lc <digest_info> 00 (§3.4): the card pads `digest_info`
  // (PKCS#1 v1.5 type 1) and signs with RSA-2048. `digest_info` is normally
  // a DER DigestInfo (SHA-256: 51 bytes). Returns the raw signature.
  // kInvalidArgument for an empty input or one over 245 bytes; 69 82 (PIN
  // not verified) and every other non-90 00 SW → kCardStatus.
  Result<Bytes> Sign(JpkiKey key, ByteView digest_info);

  // Commands sent so far (each Exchange counts once, GET RESPONSE and 6C
  // re-sends included in it); for tests and logs.
  std::uint64_t commands_sent() const { return commands_sent_; }

 private:
  Result<Response> Send(const Command& command, std::string_view what);
  Status SelectEf(Fid fid, std::string_view what);
  Result<Bytes> ReadDerEf(Fid fid, std::string_view what);
  Result<Bytes> ReadRange(std::size_t offset, std::size_t length,
                          std::string_view what);

  ApduChannel& channel_;
  JpkiClientOptions options_;
  std::uint64_t commands_sent_ = 0;
};

}  // namespace openmyna::card::client
