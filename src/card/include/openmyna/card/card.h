// The virtual My Number Card chip: one kernel that every APDU passes
// (architecture.md §2): parse (apdu.h) → the selected application's objects
// (model.h) → one table of status words (status_words.h). Byte-level
// behaviour: card-apdu.md §3–§10; documented choices in docs/card.md.
//
// Persistence: a card opened from an image file writes the image back
// (atomically, 0600) after every change that must survive, and a PIN's
// retry counter is decremented and stored *before* the PIN is compared, so
// a killed process never grants an extra try. If that write fails the card
// answers 65 81 and compares nothing.
//
// Threading: a Card is not thread-safe; one transport drives it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string_view>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/card_endpoint.h"
#include "openmyna/card/image.h"

namespace openmyna::card {

// Answer-to-reset profiles (card-apdu.md §1.1, §16 #17).
enum class AtrProfile : std::uint8_t {
  kContact,         // 3B E0 00 FF 81 31 FE 45 14 (default; OpenSC matches it)
  kGeneration2024,  // 3B DA 13 FF 81 31 FB 46 80 12 39 2F 31 C1 73 C6 01 C0 3B
  kContactless,  // 3B 88 80 01 00 00 05 E0 B3 81 A1 00 7F (Type B, synthesised)
};
Bytes AtrOf(AtrProfile profile);
// "contact" | "2024" | "contactless"; kInvalidArgument otherwise.
Result<AtrProfile> ParseAtrProfile(std::string_view name);

// Added delay per instruction byte (card-apdu.md §16 #19), e.g. 300 ms for
// 80 2A. Applied before the answer is returned.
struct LatencyModel {
  std::map<std::uint8_t, std::chrono::microseconds> per_ins;
  // The suggested realistic preset: 300 ms per signature (INS 2A), 30 ms
  // per READ BINARY (INS B0).
  static LatencyModel Realistic();
  // "2A=300ms,B0=30ms" (units us, ms, s) or "realistic" or "" (none).
  // kInvalidArgument names the bad item.
  static Result<LatencyModel> Parse(std::string_view text);
};

struct CardOptions {
  AtrProfile atr = AtrProfile::kContact;
  LatencyModel latency;
  // Tag loss (issue 3 item 6): after this many APDUs the card is gone, as a
  // contactless card pulled away: Atr() and Transmit() return empty bytes
  // (vpcd reports an empty ATR as "card removed") until Reinsert().
  std::optional<std::uint64_t> tag_loss_after_apdus;
  // How latency is spent; defaults to std::this_thread::sleep_for. Tests
  // inject a recorder instead of waiting.
  std::function<void(std::chrono::microseconds)> sleep;
};

class Card final : public CardEndpoint {
 public:
  // Opens an image file. The card keeps `key` and `rng` (the caller keeps
  // `rng` alive) and writes the file back after each persistent change.
  // Fails with kIo / kBadImage / kBadMasterKey.
  static Result<std::unique_ptr<Card>> Open(const std::filesystem::path& path,
                                            const StorageKey& key, Rng& rng,
                                            CardOptions options = {});
  // An in-memory card (tests, fuzzing); nothing is written anywhere.
  static std::unique_ptr<Card> FromImage(CardImage image, Rng& rng,
                                         CardOptions options = {});
  ~Card() override;

  // CardEndpoint. After power-on or reset no AP is selected: the ISD is
  // current (card-apdu.md §2, §7.3); security status, current EF and any
  // issuer authentication are cleared; retry counters persist.
  Bytes Atr() const override;
  void PowerOn() override;
  void PowerOff() override;
  void Reset() override;
  Bytes Transmit(ByteView command_apdu) override;

  // The library-side tamper action. The APDU-level trigger is a forced read
  // of a private key: READ BINARY with the proprietary class, 80 B0, naming
  // a key object (current EF or SFI form) — the real chip erases itself on
  // illegitimate reading (jpki.md §3.6). An ordinary 00 B0 on a key answers
  // 69 81 as on real cards (card-apdu.md §3.2). Both erase every
  // application and secret and persist the erased state. Afterwards every
  // APDU is answered 6F 00 (the ATR is unchanged). Tamper() fails only when
  // the image cannot be written (kIo); the in-memory chip is erased
  // regardless.
  Status Tamper();

  // The current chip state (secrets included: do not log it).
  const CardImage& image() const;

  // Tag loss: whether the card is currently "away", and bringing it back
  // (the APDU counter restarts; volatile state is reset as by power-on).
  bool lost() const;
  void Reinsert();
  std::uint64_t apdu_count() const;

  // Called with every command and its response (for `card plug --log` and
  // transcripts). The callee must mask personal data before logging.
  void SetTrace(std::function<void(ByteView command, ByteView response)> fn);

 private:
  struct State;
  explicit Card(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace openmyna::card
