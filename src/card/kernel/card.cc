// Card lifecycle, the CardEndpoint side and the command dispatch
// (card-apdu.md §3.1 CLA rules). Handlers: card_files.cc (SELECT, READ,
// GET DATA), card_security.cc (VERIFY, CHANGE, signatures, issuer).
#include "openmyna/card/card.h"

#include <charconv>
#include <thread>

#include "kernel/card_state.h"
#include "openmyna/base/log.h"
#include "openmyna/card/errors.h"

namespace openmyna::card {

Bytes AtrOf(AtrProfile profile) {
  switch (profile) {
    case AtrProfile::kContact:  // card-apdu.md §1.1
      return {0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14};
    case AtrProfile::kGeneration2024:
      return {0x3B, 0xDA, 0x13, 0xFF, 0x81, 0x31, 0xFB, 0x46, 0x80, 0x12,
              0x39, 0x2F, 0x31, 0xC1, 0x73, 0xC6, 0x01, 0xC0, 0x3B};
    case AtrProfile::kContactless:
      return {0x3B, 0x88, 0x80, 0x01, 0x00, 0x00, 0x05,
              0xE0, 0xB3, 0x81, 0xA1, 0x00, 0x7F};
  }
  return {};
}

Result<AtrProfile> ParseAtrProfile(std::string_view name) {
  if (name == "contact") return AtrProfile::kContact;
  if (name == "2024") return AtrProfile::kGeneration2024;
  if (name == "contactless") return AtrProfile::kContactless;
  return Fail(CardErrc::kInvalidArgument,
              "ATR profile must be contact, 2024 or contactless, not '" +
                  std::string(name) + "'");
}

LatencyModel LatencyModel::Realistic() {
  LatencyModel m;
  m.per_ins[0x2A] = std::chrono::milliseconds(300);
  m.per_ins[0xB0] = std::chrono::milliseconds(30);
  return m;
}

Result<LatencyModel> LatencyModel::Parse(std::string_view text) {
  LatencyModel m;
  if (text.empty()) return m;
  if (text == "realistic") return Realistic();
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view()
                                           : text.substr(comma + 1);
    const auto eq = item.find('=');
    auto bad = [&] {
      return Fail(CardErrc::kInvalidArgument,
                  "latency item '" + std::string(item) +
                      "' is not INS=<n>us|ms|s (e.g. 2A=300ms)");
    };
    if (eq != 2) return bad();
    unsigned ins = 0;
    if (std::from_chars(item.data(), item.data() + 2, ins, 16).ptr !=
        item.data() + 2) {
      return bad();
    }
    std::string_view amount = item.substr(3);
    long long n = 0;
    auto [p, ec] =
        std::from_chars(amount.data(), amount.data() + amount.size(), n);
    if (ec != std::errc() || n < 0) return bad();
    std::string_view unit(p, amount.data() + amount.size() - p);
    std::chrono::microseconds us;
    if (unit == "us") {
      us = std::chrono::microseconds(n);
    } else if (unit == "ms") {
      us = std::chrono::milliseconds(n);
    } else if (unit == "s") {
      us = std::chrono::seconds(n);
    } else {
      return bad();
    }
    m.per_ins[static_cast<std::uint8_t>(ins)] = us;
  }
  return m;
}

void Card::State::ResetVolatile() {
  current_app = -1;
  current_ef.reset();
  verified.clear();
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

Card::Card(std::unique_ptr<State> state) : state_(std::move(state)) {
  if (!state_->options.sleep) {
    state_->options.sleep = [](std::chrono::microseconds d) {
      std::this_thread::sleep_for(d);
    };
  }
}
Card::~Card() = default;

Result<std::unique_ptr<Card>> Card::Open(const std::filesystem::path& path,
                                         const StorageKey& key, Rng& rng,
                                         CardOptions options) {
  OPENMYNA_ASSIGN_OR_RETURN(CardImage image, LoadImage(path, &key));
  auto state = std::make_unique<State>();
  state->image = std::move(image);
  state->path = path;
  state->key = key;
  state->rng = &rng;
  state->options = std::move(options);
  return std::unique_ptr<Card>(new Card(std::move(state)));
}

std::unique_ptr<Card> Card::FromImage(CardImage image, Rng& rng,
                                      CardOptions options) {
  auto state = std::make_unique<State>();
  state->image = std::move(image);
  state->rng = &rng;
  state->options = std::move(options);
  return std::unique_ptr<Card>(new Card(std::move(state)));
}

Bytes Card::Atr() const {
  if (state_->lost) return {};
  return AtrOf(state_->options.atr);
}

void Card::PowerOn() { state_->ResetVolatile(); }
void Card::PowerOff() { state_->ResetVolatile(); }
void Card::Reset() { state_->ResetVolatile(); }

Bytes Card::Transmit(ByteView command_apdu) {
  State& s = *state_;
  if (s.lost) return {};
  Reply reply;
  std::optional<CommandApdu> command = ParseCommandApdu(command_apdu);
  if (s.image.state == ChipState::kErased) {
    reply = Answer(Outcome::kErasedChip);
  } else if (!command) {
    reply = Answer(Outcome::kWrongLength);
  } else {
    reply = s.Dispatch(*command);
    if (auto it = s.options.latency.per_ins.find(command->ins);
        it != s.options.latency.per_ins.end() && it->second.count() > 0) {
      s.options.sleep(it->second);
    }
  }
  Bytes response = ResponseApdu(reply.data, reply.outcome, reply.tries);
  if (s.trace) s.trace(command_apdu, response);
  ++s.apdu_count;
  if (s.options.tag_loss_after_apdus &&
      s.apdu_count >= *s.options.tag_loss_after_apdus) {
    s.lost = true;
  }
  return response;
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

const CardImage& Card::image() const { return state_->image; }
bool Card::lost() const { return state_->lost; }
void Card::Reinsert() {
  state_->lost = false;
  state_->apdu_count = 0;
  state_->ResetVolatile();
}
std::uint64_t Card::apdu_count() const { return state_->apdu_count; }
void Card::SetTrace(std::function<void(ByteView, ByteView)> fn) {
  state_->trace = std::move(fn);
}

}  // namespace openmyna::card
