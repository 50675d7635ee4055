// Card lifecycle, the CardEndpoint side and the command dispatch
// (card-apdu.md §3.1 CLA rules). Handlers: card_files.cc (SELECT, READ,
// GET DATA), card_security.cc (VERIFY, CHANGE, signatures, issuer).
#include "openmyna/card/card.h"

#include "kernel/card_state.h"
#include "openmyna/base/log.h"
#include "openmyna/card/errors.h"

namespace openmyna::card {

void Card::State::ResetVolatile() {
  current_app = -1;
  current_ef.reset();
  verified.clear();
  kept_by_reselect.clear();
  challenge.reset();
  issuer_authenticated = false;
}

Status Card::State::Persist() {
  if (!path) return Ok();
  Status st = SaveImage(*path, image, *key, *rng);
  if (!st) {
    log::Get("card")->error("card image not written, command refused: {}",
                            st.error().message());
  }
  return st;
}

Application* Card::State::App() {
  if (current_app < 0 ||
      current_app >= static_cast<int>(image.applications.size())) {
    return nullptr;
  }
  return &image.applications[current_app];
}

Card::Card(std::unique_ptr<State> state) : state_(std::move(state)) {}
Card::~Card() = default;

Result<std::unique_ptr<Card>> Card::Open(const std::filesystem::path& path,
                                         const StorageKey& key, Rng& rng) {
  OPENMYNA_ASSIGN_OR_RETURN(CardImage image, LoadImage(path, &key));
  auto state = std::make_unique<State>();
  state->image = std::move(image);
  state->path = path;
  state->key = key;
  state->rng = &rng;
  return std::unique_ptr<Card>(new Card(std::move(state)));
}

std::unique_ptr<Card> Card::FromImage(CardImage image, Rng& rng) {
  auto state = std::make_unique<State>();
  state->image = std::move(image);
  state->rng = &rng;
  return std::unique_ptr<Card>(new Card(std::move(state)));
}

Bytes Card::Atr() const {
  return Bytes(kContactAtr.begin(), kContactAtr.end());
}

void Card::PowerOn() { state_->ResetVolatile(); }
void Card::PowerOff() { state_->ResetVolatile(); }
void Card::Reset() { state_->ResetVolatile(); }

Bytes Card::Transmit(ByteView command_apdu) {
  State& s = *state_;
  Reply reply;
  std::optional<CommandApdu> command = ParseCommandApdu(command_apdu);
  if (s.image.state == ChipState::kErased) {
    reply = Answer(Outcome::kErasedChip);
  } else if (!command) {
    reply = Answer(Outcome::kWrongLength);
  } else {
    reply = s.Dispatch(*command);
  }
  Bytes response = ResponseApdu(reply.data, reply.outcome, reply.tries);
  if (s.trace) s.trace(command_apdu, response);
  if (s.findings) {
    const std::uint16_t sw = StatusWordOf(reply.outcome, reply.tries);
    for (FindingKind kind : s.pending) {
      s.findings(Finding{kind, command_apdu, sw, s.refused});
    }
  }
  s.pending.clear();
  s.refused = false;
  return response;
}

bool Card::State::Note(FindingKind kind, bool strict_refuses) {
  pending.push_back(kind);
  if (options.strict && strict_refuses) {
    refused = true;
    return true;
  }
  return false;
}

Reply Card::State::Dispatch(const CommandApdu& c) {
  // CLA (ISO/IEC 7816-4 §5.4.1; card-apdu.md §3.1).
  const std::uint8_t cla = c.cla;
  if (cla >= 0x40 && cla <= 0x7F) return Answer(Outcome::kLogicalChannel);
  if (cla <= 0x0F) {
    if ((cla & 0x03) != 0) return Answer(Outcome::kLogicalChannel);
    if ((cla & 0x0C) != 0) {
      // Secure messaging with no SM session.
      return (c.ins == 0xB0 || c.ins == 0x20)
                 ? Answer(Outcome::kNoSmSession)
                 : Answer(Outcome::kSecureMessaging);
    }
  } else if (cla != 0x80) {
    return Answer(Outcome::kClaNotSupported);
  }
  const bool iso = cla == 0x00;
  // Extended Lc/Le (ISO/IEC 7816-4 §5.1): not promised by every card and
  // reader (card-apdu.md §3.1, §3.2). The sandbox issuer commands and GET
  // DATA (large objects need it, §7.3: checked there) are not findings.
  const bool issuer_command = !iso && (c.ins == 0x82 || c.ins == 0x2C ||
                                       c.ins == 0xD6 || c.ins == 0x0E);
  if (c.extended && !issuer_command && c.ins != 0xCA &&
      Note(FindingKind::kExtendedLength)) {
    return Answer(Outcome::kWrongLength);
  }
  switch (c.ins) {
    case 0xA4:
      return iso ? Select(c) : Answer(Outcome::kInsNotSupported);
    case 0xB0:
      return iso ? ReadBinary(c) : ForcedKeyRead(c);
    case 0xB2:
      return iso ? ReadRecord(c) : Answer(Outcome::kInsNotSupported);
    case 0x20:
      return iso ? Verify(c) : Answer(Outcome::kInsNotSupported);
    case 0x24:
      return iso ? ChangePin(c, PinChange::kChangeReferenceData)
                 : Answer(Outcome::kInsNotSupported);
    case 0x32:
      return iso ? Answer(Outcome::kInsNotSupported)
                 : ChangePin(c, PinChange::kChangeKey);
    case 0x2A:
      return iso ? Answer(Outcome::kInsNotSupported) : ComputeSignature(c);
    case 0x88:
      return iso ? InternalAuthenticate(c) : Answer(Outcome::kInsNotSupported);
    case 0x84:
      return iso ? GetChallenge(c) : Answer(Outcome::kInsNotSupported);
    case 0xCA:
      return iso ? GetData(c) : Answer(Outcome::kInsNotSupported);
    case 0xFC:
      // Last-command indicator: iPhone-token profile only; a physical card
      // answers 67 00 (card-apdu.md §3.1).
      return iso ? Answer(Outcome::kInsNotSupported)
                 : Answer(Outcome::kWrongLength);
    case 0x82:
      return iso ? Answer(Outcome::kInsNotSupported) : IssuerAuthenticate(c);
    case 0x2C:
      return iso ? Answer(Outcome::kInsNotSupported) : ResetRetryCounter(c);
    case 0xD6:
      return iso ? Answer(Outcome::kInsNotSupported) : UpdateBinary(c);
    case 0x0E:
      return iso ? Answer(Outcome::kInsNotSupported) : EraseBinary(c);
    default:
      return Answer(Outcome::kInsNotSupported);
  }
}

Status Card::Tamper() {
  log::Get("card")->warn("tamper: erasing the chip (library action)");
  EraseChip(state_->image);
  state_->key_cache.clear();
  state_->ResetVolatile();
  return state_->Persist();
}

namespace {

const ElementaryFile* KeyEfAt(const CardImage& image, int app, Fid fid) {
  if (app < 0 || app >= static_cast<int>(image.applications.size())) {
    return nullptr;
  }
  const ElementaryFile* ef = image.applications[app].Find(fid);
  return ef != nullptr && ef->kind == EfKind::kKey ? ef : nullptr;
}

}  // namespace

Status Card::ResetTo(const CardImage& image) {
  State& s = *state_;
  // A parsed key stays only where the new image holds the same key (the
  // cache only ever holds keys of the current image: erasing clears it).
  std::erase_if(s.key_cache, [&](const auto& entry) {
    const auto& [app, fid] = entry.first;
    const ElementaryFile* now = KeyEfAt(s.image, app, fid);
    const ElementaryFile* next = KeyEfAt(image, app, fid);
    return now == nullptr || next == nullptr ||
           now->key.private_key_pkcs8 != next->key.private_key_pkcs8;
  });
  s.image = image;
  s.ResetVolatile();
  return s.Persist();
}

void Card::SetFindingSink(FindingSink sink) {
  state_->findings = std::move(sink);
}

void Card::SetOptions(const CardOptions& options) { state_->options = options; }

std::optional<ReselectPolicy> ParseReselectPolicy(std::string_view text) {
  if (text == "keep") return ReselectPolicy::kKeep;
  if (text == "clear") return ReselectPolicy::kClear;
  return std::nullopt;
}

const CardImage& Card::image() const { return state_->image; }
void Card::SetTrace(std::function<void(ByteView, ByteView)> fn) {
  state_->trace = std::move(fn);
}

}  // namespace openmyna::card
