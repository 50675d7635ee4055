// The one table that maps kernel outcomes to ISO/IEC 7816-4 status words
// (architecture.md §1: "build a status word outside the kernel" is
// forbidden). Meanings follow card-apdu.md §10 (JICSAP Table 25 wording).
// No other code composes SW1 SW2.
#pragma once

#include <cstdint>
#include <string_view>

#include "openmyna/base/bytes.h"

namespace openmyna::card {

// Status word constants: value and meaning.
struct Sw {
  static constexpr std::uint16_t k9000Ok = 0x9000;
  static constexpr std::uint16_t k6282EndOfFileBeforeLe = 0x6282;
  static constexpr std::uint16_t k6300AuthenticationFailed = 0x6300;
  static constexpr std::uint16_t k63C0WrongPinTriesBase = 0x63C0;  // | n
  static constexpr std::uint16_t k6581MemoryFailure = 0x6581;
  static constexpr std::uint16_t k6700WrongLength = 0x6700;
  static constexpr std::uint16_t k6881LogicalChannelNotSupported = 0x6881;
  static constexpr std::uint16_t k6882SecureMessagingNotSupported = 0x6882;
  static constexpr std::uint16_t k6981IncompatibleFileStructure = 0x6981;
  static constexpr std::uint16_t k6982SecurityStatusNotSatisfied = 0x6982;
  static constexpr std::uint16_t k6984ReferenceDataBlocked = 0x6984;
  static constexpr std::uint16_t k6985ConditionsOfUseNotSatisfied = 0x6985;
  static constexpr std::uint16_t k6986NoCurrentEf = 0x6986;
  static constexpr std::uint16_t k69FcSecureMessagingSessionDestroyed = 0x69FC;
  static constexpr std::uint16_t k6A80WrongData = 0x6A80;
  static constexpr std::uint16_t k6A81FunctionNotSupported = 0x6A81;
  static constexpr std::uint16_t k6A82FileNotFound = 0x6A82;
  static constexpr std::uint16_t k6A83RecordNotFound = 0x6A83;
  static constexpr std::uint16_t k6A86WrongP1P2 = 0x6A86;
  static constexpr std::uint16_t k6A88ReferencedDataNotFound = 0x6A88;
  static constexpr std::uint16_t k6B00OffsetOutsideEf = 0x6B00;
  static constexpr std::uint16_t k6D00InsNotSupported = 0x6D00;
  static constexpr std::uint16_t k6E00ClaNotSupported = 0x6E00;
  static constexpr std::uint16_t k6F00NoPreciseDiagnosis = 0x6F00;
};

// What the kernel concluded about one command.
enum class Outcome : std::uint8_t {
  kOk,
  kWrongPin,          // 63 Cn, n = tries left after this attempt (0 = blocked)
  kTriesLeft,         // 63 Cn, answer to the empty VERIFY (query)
  kIssuerAuthFailed,  // 63 00
  kPersistFailed,     // 65 81: the image could not be written (nothing done)
  kWrongLength,       // 67 00
  kLogicalChannel,    // 68 81
  kSecureMessaging,   // 68 82
  kInternalEf,        // 69 81
  kSecurityStatus,    // 69 82
  kBlocked,           // 69 84
  kConditionsOfUse,   // 69 85
  kNoCurrentEf,       // 69 86
  kNoSmSession,       // 69 FC: SM-class READ/VERIFY with no SM session
  kWrongData,         // 6A 80
  kFunctionNotSupported,  // 6A 81
  kFileNotFound,          // 6A 82
  kRecordNotFound,        // 6A 83
  kWrongP1P2,             // 6A 86
  kDataNotFound,          // 6A 88
  kOffsetOutside,         // 6B 00
  kInsNotSupported,       // 6D 00
  kClaNotSupported,       // 6E 00
  kErasedChip,            // 6F 00: every command of an erased chip
  kRsaInputTooLarge,      // 6F 00: RSA input ≥ modulus (§3.4)
  kEndOfFileBeforeLe,     // 62 82 + data: strict mode only (Le past the end,
                          // ISO/IEC 7816-4 §5.6); never on the default card
};

// The status word of an outcome; `tries` (0–15) is used by kWrongPin and
// kTriesLeft only.
std::uint16_t StatusWordOf(Outcome outcome, std::uint8_t tries = 0);

// A complete response APDU: data ‖ SW1 SW2.
Bytes ResponseApdu(ByteView data, Outcome outcome, std::uint8_t tries = 0);

std::string_view OutcomeName(Outcome outcome);

}  // namespace openmyna::card
