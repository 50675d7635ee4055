// The relying-party side of the 券面事項入力補助AP (input-assist AP, AID
// D3 92 10 00 31 00 01 01 04 08): the four basic attributes (基本4情報) as
// text, behind the 4-digit input-assist PIN (card-apdu.md §5, §8.3). What an
// app reads to fill in a form, or to hand a relying party the holder's
// name, address, birth date and sex.
//
//   TextApClient text(channel);
//   text.SelectAp();
//   auto status = text.Login("4321");  // never sent to a blocked PIN
//   auto info = text.ReadBasicInfo();  // EF 0002
//
// Not thread-safe; the channel is borrowed.
#pragma once

#include <string>
#include <string_view>

#include "openmyna/base/result.h"
#include "openmyna/card/client/apdu_channel.h"
#include "openmyna/card/client/jpki_client.h"

namespace openmyna::card::client {

// EF 0002 decoded (card-apdu.md §8.3): FF 20 L { DF21 offsets ; DF22 name ;
// DF23 address ; DF24 birth ; DF25 sex }.
struct CardBasicInfo {
  std::string name;     // UTF-8, surname U+3000 given name, as on the card
  std::string address;  // UTF-8, as on the card face
  std::string birth;    // "YYYYMMDD"
  std::string sex;      // one digit, JIS X 0303: 1 male, 2 female, 0, 9
};

class TextApClient {
 public:
  explicit TextApClient(ApduChannel& channel);

  // SELECT by DF name; kCardStatus on anything but 90 00.
  Status SelectAp();
  // The empty VERIFY of PIN EF 0011 first; VERIFY with the PIN only when
  // tries are left (a blocked PIN is never sent). kInvalidPin when `pin` is
  // not 4 digits (nothing sent).
  Result<PinStatus> Login(std::string_view pin);
  // SELECT EF 0002, READ BINARY in 256-byte chunks, decode. kCardStatus
  // without the PIN (69 82), kBadResponse when the bytes are not §8.3's.
  Result<CardBasicInfo> ReadBasicInfo();
  // The files themselves (the TLV object, filler dropped), for a verifier
  // of the issuer's data signature: EF 0002, and EF 0003 = FF 30 { DF31
  // SHA-256 of EF 0001 ; DF32 SHA-256 of EF 0002 from DF22 ; DF33 the data
  // issuer's RSA signature over the DF31 and DF32 TLVs } (card-apdu.md §5).
  // Both need the PIN.
  Result<Bytes> ReadBasicInfoEf();
  Result<Bytes> ReadIntegrityEf();

 private:
  Result<Bytes> ReadEf(Fid fid);
  Result<Response> Send(const Command& command, std::string_view what);
  ApduChannel& channel_;
};

// EF 0002's bytes (filler after the object ignored) → the four fields;
// kBadResponse when malformed. Exposed for tests and fuzzing.
Result<CardBasicInfo> DecodeBasicInfo(ByteView ef0002);

}  // namespace openmyna::card::client
