// The one outcome → status-word table (card-apdu.md §10.1).
#include "openmyna/card/status_words.h"

namespace openmyna::card {

std::uint16_t StatusWordOf(Outcome outcome, std::uint8_t tries) {
  switch (outcome) {
    case Outcome::kOk:
      return Sw::k9000Ok;
    case Outcome::kWrongPin:
    case Outcome::kTriesLeft:
      // 63 Cx: x = tries left (ISO/IEC 7816-4 §5.6, counter in SW2 b4–b1).
      return Sw::k63C0WrongPinTriesBase | (tries & 0x0F);
    case Outcome::kIssuerAuthFailed:
      return Sw::k6300AuthenticationFailed;
    case Outcome::kPersistFailed:
      return Sw::k6581MemoryFailure;
    case Outcome::kWrongLength:
      return Sw::k6700WrongLength;
    case Outcome::kLogicalChannel:
      return Sw::k6881LogicalChannelNotSupported;
    case Outcome::kSecureMessaging:
      return Sw::k6882SecureMessagingNotSupported;
    case Outcome::kInternalEf:
      return Sw::k6981IncompatibleFileStructure;
    case Outcome::kSecurityStatus:
      return Sw::k6982SecurityStatusNotSatisfied;
    case Outcome::kBlocked:
      return Sw::k6984ReferenceDataBlocked;
    case Outcome::kConditionsOfUse:
      return Sw::k6985ConditionsOfUseNotSatisfied;
    case Outcome::kNoCurrentEf:
      return Sw::k6986NoCurrentEf;
    case Outcome::kNoSmSession:
      return Sw::k69FcSecureMessagingSessionDestroyed;
    case Outcome::kWrongData:
      return Sw::k6A80WrongData;
    case Outcome::kFunctionNotSupported:
      return Sw::k6A81FunctionNotSupported;
    case Outcome::kFileNotFound:
      return Sw::k6A82FileNotFound;
    case Outcome::kRecordNotFound:
      return Sw::k6A83RecordNotFound;
    case Outcome::kWrongP1P2:
      return Sw::k6A86WrongP1P2;
    case Outcome::kDataNotFound:
      return Sw::k6A88ReferencedDataNotFound;
    case Outcome::kOffsetOutside:
      return Sw::k6B00OffsetOutsideEf;
    case Outcome::kInsNotSupported:
      return Sw::k6D00InsNotSupported;
    case Outcome::kClaNotSupported:
      return Sw::k6E00ClaNotSupported;
    case Outcome::kErasedChip:
    case Outcome::kRsaInputTooLarge:
      return Sw::k6F00NoPreciseDiagnosis;
    case Outcome::kEndOfFileBeforeLe:
      return Sw::k6282EndOfFileBeforeLe;
  }
  return Sw::k6F00NoPreciseDiagnosis;
}

Bytes ResponseApdu(ByteView data, Outcome outcome, std::uint8_t tries) {
  Bytes out;
  out.reserve(data.size() + 2);  // one allocation per answer
  out.assign(data.begin(), data.end());
  AppendU16(out, StatusWordOf(outcome, tries));
  return out;
}

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kWrongPin:
      return "wrong_pin";
    case Outcome::kTriesLeft:
      return "tries_left";
    case Outcome::kIssuerAuthFailed:
      return "issuer_auth_failed";
    case Outcome::kPersistFailed:
      return "persist_failed";
    case Outcome::kWrongLength:
      return "wrong_length";
    case Outcome::kLogicalChannel:
      return "logical_channel";
    case Outcome::kSecureMessaging:
      return "secure_messaging";
    case Outcome::kInternalEf:
      return "internal_ef";
    case Outcome::kSecurityStatus:
      return "security_status";
    case Outcome::kBlocked:
      return "blocked";
    case Outcome::kConditionsOfUse:
      return "conditions_of_use";
    case Outcome::kNoCurrentEf:
      return "no_current_ef";
    case Outcome::kNoSmSession:
      return "no_sm_session";
    case Outcome::kWrongData:
      return "wrong_data";
    case Outcome::kFunctionNotSupported:
      return "function_not_supported";
    case Outcome::kFileNotFound:
      return "file_not_found";
    case Outcome::kRecordNotFound:
      return "record_not_found";
    case Outcome::kWrongP1P2:
      return "wrong_p1p2";
    case Outcome::kDataNotFound:
      return "data_not_found";
    case Outcome::kOffsetOutside:
      return "offset_outside";
    case Outcome::kInsNotSupported:
      return "ins_not_supported";
    case Outcome::kClaNotSupported:
      return "cla_not_supported";
    case Outcome::kErasedChip:
      return "erased_chip";
    case Outcome::kRsaInputTooLarge:
      return "rsa_input_too_large";
    case Outcome::kEndOfFileBeforeLe:
      return "end_of_file_before_le";
  }
  return "unknown";
}

}  // namespace openmyna::card
