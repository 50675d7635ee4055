// VERIFY, CHANGE REFERENCE DATA / CHANGE KEY, COMPUTE DIGITAL SIGNATURE,
// INTERNAL AUTHENTICATE, GET CHALLENGE and the issuer commands
// (card-apdu.md §3.3, §3.4, §9; issuer commands: issuer_auth.h).
#include "kernel/card_state.h"
#include "kernel/pin_rules.h"
#include "openmyna/card/issuer_auth.h"

namespace openmyna::card {
namespace {

bool Blocked(const PinObject& pin) {
  return !pin.is_set || pin.tries_left == 0;
}

// PINs are 1–16 bytes (JICSAP 6.4.9; card-apdu.md §16 #9).
bool PinLengthOk(std::size_t n) { return n >= 1 && n <= 16; }

// The lengths a PIN of this rule can have (card-apdu.md §9.1).
bool PinLengthFits(PinRule rule, std::size_t n) {
  switch (rule) {
    case PinRule::kSignaturePassword:
      return n >= 6 && n <= 16;
    case PinRule::kCollationA:
      return n == 12;
    case PinRule::kCollationB:
      return n == 14;
    case PinRule::kBirthDateKey:
      return n == 6;
    case PinRule::kAuthenticationPin:
    case PinRule::kJukiPin:
    case PinRule::kInputAssistPin:
      return n == 4;
  }
  return PinLengthOk(n);
}

}  // namespace

Result<EVP_PKEY*> Card::State::KeyFor(const ElementaryFile& ef) {
  const auto id = std::make_pair(current_app, ef.fid);
  if (auto it = key_cache.find(id); it != key_cache.end()) {
    return it->second.get();
  }
  OPENMYNA_ASSIGN_OR_RETURN(crypto::Pkey loaded,
                            crypto::LoadPrivateKey(ef.key.private_key_pkcs8));
  EVP_PKEY* raw = loaded.get();
  key_cache.emplace(id, std::move(loaded));
  return raw;
}

Reply Card::State::Verify(const CommandApdu& c) {
  if (c.p1 != 0x00) return Answer(Outcome::kWrongP1P2);
  Outcome error = Outcome::kOk;
  ElementaryFile* ef = ReferencedObject(c.p2, &error);
  if (ef == nullptr) return Answer(error);
  if (ef->kind != EfKind::kPin) return Answer(Outcome::kDataNotFound);
  PinObject& pin = ef->pin;
  if (c.data.empty()) {
    // Some real cards answer 90 00 when the PIN is verified (§9.2); this
    // one always 63 Cn (OpenSC needs it). Strict: the other answer.
    if (verified.contains(ef->fid) && Note(FindingKind::kQueryAfterVerify)) {
      return Answer(Outcome::kOk);
    }
    // The tries query: always 63 Cn, 63 C0 when blocked, also right after a
    // successful VERIFY; no attempt spent (§9.2, §16 #5).
    return Reply{Outcome::kTriesLeft,
                 {},
                 static_cast<std::uint8_t>(Blocked(pin) ? 0 : pin.tries_left)};
  }
  if (Blocked(pin)) {
    Note(FindingKind::kVerifyBlockedPin, false);
    if (!PinLengthOk(c.data.size())) return Answer(Outcome::kWrongLength);
    return Answer(Outcome::kBlocked);  // right or wrong
  }
  if (!PinLengthFits(pin.rule, c.data.size())) {
    // Real cards differ: a try spent (this card, §16 #9) or 67 00.
    if (Note(FindingKind::kPinWrongLength) || !PinLengthOk(c.data.size())) {
      return Answer(Outcome::kWrongLength);
    }
  }
  // Spend the try and make it durable *before* comparing.
  --pin.tries_left;
  if (!Persist()) {
    ++pin.tries_left;
    return Answer(Outcome::kPersistFailed);
  }
  if (ConstantTimeEquals(ToBytes(pin.value), c.data)) {
    pin.tries_left = pin.max_tries;
    (void)Persist();  // a failure leaves the safer, decremented file
    verified.insert(ef->fid);
    kept_by_reselect.erase(ef->fid);
    return Answer(Outcome::kOk);
  }
  verified.erase(ef->fid);
  kept_by_reselect.erase(ef->fid);
  return Reply{Outcome::kWrongPin, {}, pin.tries_left};
}

Reply Card::State::ChangePin(const CommandApdu& c, PinChange how) {
  // 00 24 01 80: P1 = 01 (new value only, after VERIFY) — ISO/IEC 7816-4
  // §11.5.7; 80 32 00 80: JICSAP CHANGE KEY.
  const std::uint8_t want_p1 = how == PinChange::kChangeReferenceData ? 1 : 0;
  if (c.p1 != want_p1) return Answer(Outcome::kWrongP1P2);
  Outcome error = Outcome::kOk;
  ElementaryFile* ef = ReferencedObject(c.p2, &error);
  if (ef == nullptr) return Answer(error);
  if (ef->kind != EfKind::kPin) return Answer(Outcome::kDataNotFound);
  PinObject& pin = ef->pin;
  if (pin.change != how) return Answer(Outcome::kConditionsOfUse);
  if (Blocked(pin)) return Answer(Outcome::kBlocked);
  if (!IsVerified(ef->fid)) return Answer(Outcome::kSecurityStatus);
  if (!PinLengthOk(c.data.size())) return Answer(Outcome::kWrongLength);
  const std::string candidate = ToString(c.data);
  // A new PIN that breaks its rule → 6A 80, unchanged (§16 #8).
  if (CheckPinValue(pin.rule, candidate)) return Answer(Outcome::kWrongData);
  std::string old = std::move(pin.value);
  const std::uint8_t old_tries = pin.tries_left;
  pin.value = candidate;
  pin.tries_left = pin.max_tries;
  if (!Persist()) {
    pin.value = std::move(old);
    pin.tries_left = old_tries;
    return Answer(Outcome::kPersistFailed);
  }
  SecureWipe(old);
  return Answer(Outcome::kOk);
}

Reply Card::State::ComputeSignature(const CommandApdu& c) {
  if (c.p1 > 0x05) return Answer(Outcome::kWrongP1P2);
  ElementaryFile* ef = nullptr;
  if (c.p2 == 0x00) {
    // No key named: the AP's own challenge-signing key (card-face APs).
    Application* app = App();
    if (app == nullptr || !app->default_signing_key) {
      return Answer(Outcome::kWrongP1P2);
    }
    ef = app->Find(*app->default_signing_key);
    if (ef == nullptr) return Answer(Outcome::kDataNotFound);
    if (Note(FindingKind::kSignKeyNotSelected)) {
      return Answer(Outcome::kWrongP1P2);
    }
  } else {
    Outcome error = Outcome::kOk;
    ef = ReferencedObject(c.p2, &error);
    if (ef == nullptr) return Answer(error);
    if (c.p2 != 0x80 && ef->kind == EfKind::kKey &&
        Note(FindingKind::kSignKeyNotSelected)) {
      return Answer(Outcome::kWrongP1P2);
    }
  }
  if (ef->kind != EfKind::kKey || !ef->key.allows_compute_signature) {
    return Answer(Outcome::kConditionsOfUse);
  }
  if (!Allows(ef->key.use)) return Answer(Outcome::kSecurityStatus);
  if (ef->key.private_key_pkcs8.empty()) {
    return Answer(Outcome::kConditionsOfUse);
  }
  if (c.le && *c.le < 256) return Answer(Outcome::kWrongLength);
  const auto BadSignInput = [this] {
    Note(FindingKind::kSignInputLength, false);  // 69 85 or 67 00 (§3.4)
    return Answer(Outcome::kWrongLength);
  };
  const ByteView in = c.data;
  Bytes input;
  bool pss = false;
  switch (c.p1) {
    case 0x00:  // DigestInfo (or any ≤ 245 bytes) used verbatim
      if (in.empty() || in.size() > 245) return BadSignInput();
      input.assign(in.begin(), in.end());
      break;
    case 0x01:  // message → bare SHA-256, padded
      if (in.empty()) return BadSignInput();
      input = crypto::Sha256(in);
      break;
    case 0x02:  // SHA-256 hash → DigestInfo
      if (in.size() != 32) return BadSignInput();
      input = crypto::Sha256DigestInfo(in);
      break;
    case 0x03:  // message → SHA-256 → DigestInfo
      if (in.empty()) return BadSignInput();
      input = crypto::Sha256DigestInfo(crypto::Sha256(in));
      break;
    case 0x04:  // SHA-256 hash → PSS
      if (in.size() != 32) return BadSignInput();
      input.assign(in.begin(), in.end());
      pss = true;
      break;
    default:  // 0x05: message → SHA-256 → PSS
      if (in.empty()) return BadSignInput();
      input = crypto::Sha256(in);
      pss = true;
      break;
  }
  auto pkey = KeyFor(*ef);
  if (!pkey) return Answer(Outcome::kConditionsOfUse);
  auto sig = pss ? crypto::SignPssSha256(*pkey, input)
                 : crypto::SignPkcs1Raw(*pkey, input);
  if (!sig) return Answer(Outcome::kRsaInputTooLarge);
  return Data(std::move(*sig));
}

Reply Card::State::InternalAuthenticate(const CommandApdu& c) {
  if (c.p1 != 0x00) return Answer(Outcome::kWrongP1P2);
  Outcome error = Outcome::kOk;
  ElementaryFile* ef = ReferencedObject(c.p2, &error);
  if (ef == nullptr) return Answer(error);
  if (ef->kind != EfKind::kKey) return Answer(Outcome::kConditionsOfUse);
  // Only keys made for it answer; PIN-protected ones 69 82, others 69 85
  // (card-apdu.md §3.1).
  if (!ef->key.allows_internal_authenticate) {
    return RuleSatisfied(ef->key.use) ? Answer(Outcome::kConditionsOfUse)
                                      : Answer(Outcome::kSecurityStatus);
  }
  if (!Allows(ef->key.use)) return Answer(Outcome::kSecurityStatus);
  if (c.data.empty()) return Answer(Outcome::kWrongLength);
  if (ef->key.private_key_pkcs8.empty()) {
    return Answer(Outcome::kConditionsOfUse);
  }
  auto pkey = KeyFor(*ef);
  if (!pkey) return Answer(Outcome::kConditionsOfUse);
  auto sig = crypto::SignSha256Pkcs1(*pkey, c.data);
  if (!sig) return Answer(Outcome::kRsaInputTooLarge);
  return Data(std::move(*sig));
}

Reply Card::State::GetChallenge(const CommandApdu& c) {
  if (c.p1 != 0 || c.p2 != 0) return Answer(Outcome::kWrongP1P2);
  if (!c.data.empty() || !c.le) return Answer(Outcome::kWrongLength);
  if (c.extended) return Answer(Outcome::kConditionsOfUse);  // §3.1
  // In an AP, with no key EF current: whether the challenge binds to the
  // key that signs next is not documented (§6 presence proof).
  if (Application* app = App(); app != nullptr) {
    const ElementaryFile* ef = current_ef ? app->Find(*current_ef) : nullptr;
    if ((ef == nullptr || ef->kind != EfKind::kKey) &&
        Note(FindingKind::kChallengeWithoutKey)) {
      return Answer(Outcome::kConditionsOfUse);
    }
  }
  Bytes random = rng->Bytes(*c.le);
  challenge = random;
  return Data(std::move(random));
}

Reply Card::State::IssuerAuthenticate(const CommandApdu& c) {
  if (c.p1 != 0 || c.p2 != 0) return Answer(Outcome::kWrongP1P2);
  if (c.data.size() != 32) return Answer(Outcome::kWrongLength);
  if (!challenge || challenge->size() < 8 || image.issuer_key.size() != 32) {
    return Answer(Outcome::kConditionsOfUse);
  }
  const Bytes expected = IssuerAuthResponse(image.issuer_key, *challenge);
  challenge.reset();  // single use, right or wrong
  issuer_authenticated = ConstantTimeEquals(expected, c.data);
  return issuer_authenticated ? Answer(Outcome::kOk)
                              : Answer(Outcome::kIssuerAuthFailed);
}

Reply Card::State::ResetRetryCounter(const CommandApdu& c) {
  if (!issuer_authenticated) return Answer(Outcome::kSecurityStatus);
  if (c.p1 != 0x02 && c.p1 != 0x03) return Answer(Outcome::kWrongP1P2);
  Outcome error = Outcome::kOk;
  ElementaryFile* ef = ReferencedObject(c.p2, &error);
  if (ef == nullptr) return Answer(error);
  if (ef->kind != EfKind::kPin) return Answer(Outcome::kDataNotFound);
  PinObject& pin = ef->pin;
  const PinObject before = pin;
  if (c.p1 == 0x03) {
    if (!c.data.empty()) return Answer(Outcome::kWrongLength);
    if (!pin.is_set) return Answer(Outcome::kConditionsOfUse);
  } else {
    if (!PinLengthOk(c.data.size())) return Answer(Outcome::kWrongLength);
    if (image.kind == CardKind::kFaceAuth && IsPassword(pin.rule)) {
      return Answer(Outcome::kConditionsOfUse);
    }
    const std::string candidate = ToString(c.data);
    if (CheckPinValue(pin.rule, candidate)) return Answer(Outcome::kWrongData);
    pin.value = candidate;
    pin.is_set = true;
  }
  pin.tries_left = pin.max_tries;
  if (!Persist()) {
    pin = before;
    return Answer(Outcome::kPersistFailed);
  }
  return Answer(Outcome::kOk);
}

namespace {

// The current binary EF for the issuer's write commands.
ElementaryFile* CurrentBinary(Application* app, std::optional<Fid> current,
                              Outcome* error) {
  if (app == nullptr || !current) {
    *error = Outcome::kNoCurrentEf;
    return nullptr;
  }
  ElementaryFile* ef = app->Find(*current);
  if (ef == nullptr || ef->kind != EfKind::kBinary) {
    *error = Outcome::kInternalEf;
    return nullptr;
  }
  return ef;
}

}  // namespace

Reply Card::State::UpdateBinary(const CommandApdu& c) {
  if (!issuer_authenticated) return Answer(Outcome::kSecurityStatus);
  if ((c.p1 & 0x80) != 0) return Answer(Outcome::kWrongP1P2);
  Outcome error = Outcome::kOk;
  ElementaryFile* ef = CurrentBinary(App(), current_ef, &error);
  if (ef == nullptr) return Answer(error);
  const std::size_t offset = (std::size_t{c.p1} << 8) | c.p2;
  if (c.data.empty()) return Answer(Outcome::kWrongLength);
  if (offset > ef->data.size()) return Answer(Outcome::kOffsetOutside);
  if (offset + c.data.size() > 0xFFFF) return Answer(Outcome::kWrongLength);
  Bytes before = ef->data;
  if (ef->data.size() < offset + c.data.size()) {
    ef->data.resize(offset + c.data.size());
  }
  std::copy(c.data.begin(), c.data.end(), ef->data.begin() + offset);
  if (!Persist()) {
    ef->data = std::move(before);
    return Answer(Outcome::kPersistFailed);
  }
  return Answer(Outcome::kOk);
}

Reply Card::State::EraseBinary(const CommandApdu& c) {
  if (!issuer_authenticated) return Answer(Outcome::kSecurityStatus);
  if ((c.p1 & 0x80) != 0) return Answer(Outcome::kWrongP1P2);
  if (!c.data.empty()) return Answer(Outcome::kWrongLength);
  Outcome error = Outcome::kOk;
  ElementaryFile* ef = CurrentBinary(App(), current_ef, &error);
  if (ef == nullptr) return Answer(error);
  const std::size_t offset = (std::size_t{c.p1} << 8) | c.p2;
  if (offset > ef->data.size()) return Answer(Outcome::kOffsetOutside);
  Bytes before = ef->data;
  ef->data.resize(offset);
  if (!Persist()) {
    ef->data = std::move(before);
    return Answer(Outcome::kPersistFailed);
  }
  return Answer(Outcome::kOk);
}

}  // namespace openmyna::card
