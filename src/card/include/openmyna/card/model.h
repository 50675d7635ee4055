// The chip's object model: applications (DFs) holding elementary files,
// PINs and RSA keys, each with an access rule *value* (architecture.md §2).
//
// An application is defined once, in its own folder src/card/apps/<name>/,
// as a function that returns its blank layout (files, rules, PIN sizes) for
// a card kind; the layout function is one row of the application table
// (application_table.h). The kernel (card.h) interprets the layout; an
// application needs no command code of its own.
//
// Example (the 券面事項入力補助AP of card-apdu.md §5, abridged):
//
//   Application app{.name = "text", .aid = {0xD3, 0x92, 0x10, ...}};
//   app.files = {
//     BinaryEf(0x0001, "My Number", AccessRule::AnyOf({0x0011, 0x0014})),
//     BinaryEf(0x0002, "basic 4", AccessRule::AnyOf({0x0011, 0x0015})),
//     PinEf(0x0011, "input-assist PIN", PinRule::kInputAssistPin, 3,
//           PinChange::kChangeReferenceData),
//     PinEf(0x0014, "collation A", PinRule::kCollationA, 10),
//     KeyEf(0x0020, "card key", AccessRule::Free()),
//   };
//   app.default_signing_key = 0x0020;  // 80 2A 00 00: no credential
//
// Ownership: plain values. Secrets (PIN values, private keys) live only in
// these values and, encrypted, in the image file (image.h); they are wiped
// when the chip is erased.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/bytes.h"

namespace openmyna::card {

// File identifier. Every EF of this card has an FID in 0001–001E, so its
// short EF identifier (SFI) is the low byte (card-apdu.md §0).
using Fid = std::uint16_t;

// standard: the four passwords; face_auth: issued with no passwords at all
// (domain.md §8.4; what each AP then allows is in docs/card.md).
enum class CardKind : std::uint8_t { kStandard, kFaceAuth };

std::string_view CardKindName(CardKind kind);  // "standard" | "face_auth"
std::optional<CardKind> ParseCardKind(std::string_view name);

// Who may read an EF or use a key: a value attached to the object.
struct AccessRule {
  enum class Kind : std::uint8_t {
    kFree,   // always (READ BINARY / use without any verification)
    kAnyOf,  // after a successful VERIFY of any PIN listed in `pins`
             // (same application, since its last SELECT / power / reset)
    kNever,  // protected with no way to open it over APDU (→ 69 82)
  };
  Kind kind = Kind::kFree;
  std::vector<Fid> pins;

  static AccessRule Free() { return {}; }
  static AccessRule AnyOf(std::initializer_list<Fid> pin_fids) {
    return {Kind::kAnyOf, pin_fids};
  }
  static AccessRule Never() { return {Kind::kNever, {}}; }
  friend bool operator==(const AccessRule&, const AccessRule&) = default;
};

// The format rule a PIN value must satisfy when the issuer sets it or the
// holder changes it (card-apdu.md §9.1, §16 #8). The four password kinds
// are checked by the domain policy (openmyna/domain/passwords.h) once it
// exists; the collation numbers and the birth-date key are checked here.
enum class PinRule : std::uint8_t {
  kSignaturePassword,  // 6–16 of [A-Z0-9], at least one letter and one digit
  kAuthenticationPin,  // 4 digits
  kJukiPin,            // 4 digits
  kInputAssistPin,     // 4 digits
  kCollationA,         // 照合番号A: the 12-digit individual number
  kCollationB,  // 照合番号B: 14 digits (era YYMMDD ‖ YYYY ‖ 4-digit code)
  kBirthDateKey,  // 6 digits, era YYMMDD
};

std::string_view PinRuleName(PinRule rule);

// How the holder changes the PIN over APDU, after verifying it.
enum class PinChange : std::uint8_t {
  kNone,
  kChangeReferenceData,  // 00 24 01 80 Lc new (ISO/IEC 7816-4 §11.5.7)
  kChangeKey,            // 80 32 00 80 Lc new (JICSAP CHANGE KEY)
};

// A PIN / password / collation number with its retry counter.
struct PinObject {
  PinRule rule = PinRule::kAuthenticationPin;
  std::uint8_t max_tries = 3;  // 1–15 (63 Cx carries it in 4 bits)
  std::uint8_t tries_left = 0;
  PinChange change = PinChange::kNone;
  // False until the issuer sets a value. An unset PIN behaves as blocked:
  // query → 63 C0, VERIFY with data → 69 84 (like text EF 0012, §5).
  bool is_set = false;
  std::string value;  // secret, compared in constant time
};

// An RSA-2048 key made on the card. Its private half never leaves the chip
// except encrypted at rest inside the image (image.h).
struct KeyObject {
  AccessRule use = AccessRule::Never();       // needed for 80 2A / 00 88
  bool allows_compute_signature = true;       // 80 2A (card-apdu.md §3.4)
  bool allows_internal_authenticate = false;  // 00 88 00 99 (§3.1)
  Bytes private_key_pkcs8;  // DER PKCS#8; empty = not generated yet
  // The public half (DER SubjectPublicKeyInfo), not secret: kept beside the
  // private key so that `card show` and PublicKeyOf need no storage key.
  Bytes public_key_spki;
};

enum class EfKind : std::uint8_t {
  kBinary,  // READ BINARY
  kRecord,  // READ RECORD (simple-TLV records)
  kPin,     // internal: VERIFY / CHANGE; READ → 69 81
  kKey,     // internal: 80 2A / 00 88; READ → 69 81
};

// One elementary file or security object. Only the member of its kind is
// meaningful.
struct ElementaryFile {
  Fid fid = 0;
  std::string label;  // for humans (card show, docs), never sent
  EfKind kind = EfKind::kBinary;
  AccessRule read;             // kBinary / kRecord
  Bytes data;                  // kBinary
  std::vector<Bytes> records;  // kRecord; record number n = records[n-1]
  PinObject pin;               // kPin
  KeyObject key;               // kKey
};

ElementaryFile BinaryEf(Fid fid, std::string label, AccessRule read,
                        Bytes data = {});
ElementaryFile RecordEf(Fid fid, std::string label, AccessRule read,
                        std::vector<Bytes> records = {});
ElementaryFile PinEf(Fid fid, std::string label, PinRule rule,
                     std::uint8_t max_tries,
                     PinChange change = PinChange::kNone);
ElementaryFile KeyEf(Fid fid, std::string label, AccessRule use,
                     bool internal_authenticate = false);

// A dedicated file selected by its AID (ISO/IEC 7816-4 §7.1.1, SELECT by DF
// name, exact match).
struct Application {
  std::string name;  // "jpki", "text", "face", "juki", "common"
  Bytes aid;
  std::vector<ElementaryFile> files;
  // The key used by 80 2A with P2 = 00 (no key named): the card-face APs'
  // challenge-signing key (card-apdu.md §6, "card presence proof").
  std::optional<Fid> default_signing_key;

  ElementaryFile* Find(Fid fid);
  const ElementaryFile* Find(Fid fid) const;
};

}  // namespace openmyna::card
