#include "openmyna/card/model.h"

#include <utility>

namespace openmyna::card {

std::string_view CardKindName(CardKind kind) {
  return kind == CardKind::kFaceAuth ? "face_auth" : "standard";
}

std::optional<CardKind> ParseCardKind(std::string_view name) {
  if (name == "standard") return CardKind::kStandard;
  if (name == "face_auth") return CardKind::kFaceAuth;
  return std::nullopt;
}

std::string_view PinRuleName(PinRule rule) {
  switch (rule) {
    case PinRule::kSignaturePassword:
      return "signature_password";
    case PinRule::kAuthenticationPin:
      return "authentication_pin";
    case PinRule::kJukiPin:
      return "juki_pin";
    case PinRule::kInputAssistPin:
      return "input_assist_pin";
    case PinRule::kCollationA:
      return "collation_a";
    case PinRule::kCollationB:
      return "collation_b";
    case PinRule::kBirthDateKey:
      return "birth_date_key";
  }
  return "unknown";
}

ElementaryFile BinaryEf(Fid fid, std::string label, AccessRule read,
                        Bytes data) {
  ElementaryFile ef;
  ef.fid = fid;
  ef.label = std::move(label);
  ef.kind = EfKind::kBinary;
  ef.read = std::move(read);
  ef.data = std::move(data);
  return ef;
}

ElementaryFile RecordEf(Fid fid, std::string label, AccessRule read,
                        std::vector<Bytes> records) {
  ElementaryFile ef;
  ef.fid = fid;
  ef.label = std::move(label);
  ef.kind = EfKind::kRecord;
  ef.read = std::move(read);
  ef.records = std::move(records);
  return ef;
}

ElementaryFile PinEf(Fid fid, std::string label, PinRule rule,
                     std::uint8_t max_tries, PinChange change) {
  ElementaryFile ef;
  ef.fid = fid;
  ef.label = std::move(label);
  ef.kind = EfKind::kPin;
  ef.read = AccessRule::Never();
  ef.pin.rule = rule;
  ef.pin.max_tries = max_tries;
  ef.pin.tries_left = 0;
  ef.pin.change = change;
  return ef;
}

ElementaryFile KeyEf(Fid fid, std::string label, AccessRule use,
                     bool internal_authenticate) {
  ElementaryFile ef;
  ef.fid = fid;
  ef.label = std::move(label);
  ef.kind = EfKind::kKey;
  ef.read = AccessRule::Never();
  ef.key.use = std::move(use);
  ef.key.allows_internal_authenticate = internal_authenticate;
  return ef;
}

ElementaryFile* Application::Find(Fid fid) {
  for (auto& ef : files) {
    if (ef.fid == fid) return &ef;
  }
  return nullptr;
}

const ElementaryFile* Application::Find(Fid fid) const {
  for (const auto& ef : files) {
    if (ef.fid == fid) return &ef;
  }
  return nullptr;
}

}  // namespace openmyna::card
