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

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/atr.h"
#include "openmyna/card/card_endpoint.h"
#include "openmyna/card/image.h"

namespace openmyna::card {

// What the chip does when the AP that is already current is SELECTed again
// (card-apdu.md §2, §16 #6). Real cards keep the verified state and clients
// written against them rely on it; OpenSC's logout assumes it is cleared.
enum class ReselectPolicy : std::uint8_t {
  kKeep,   // default: the AP's verified PINs survive
  kClear,  // realism knob (`card plug --reselect clear`)
};

// Behaviour choices of the kernel where real cards differ.
struct CardOptions {
  ReselectPolicy reselect = ReselectPolicy::kKeep;
  // Refuse the commands that rely on behaviour real cards vary on
  // (conformance.h, FindingInfo::strict) instead of answering them.
  bool strict = false;
};

// Parses "keep" / "clear"; nullopt otherwise.
std::optional<ReselectPolicy> ParseReselectPolicy(std::string_view text);

// Realism knobs (ATR profiles, per-instruction latency, tag loss) are not
// the kernel's: they wrap any CardEndpoint in card/transport (realism.h,
// VpcdOptions::tag_loss_after_apdus), so the kernel card and the trivial
// card get the same ones (docs/card.md §8).
class Card final : public CardEndpoint {
 public:
  // Opens an image file. The card keeps `key` and `rng` (the caller keeps
  // `rng` alive) and writes the file back after each persistent change.
  // Fails with kIo / kBadImage / kBadMasterKey.
  static Result<std::unique_ptr<Card>> Open(const std::filesystem::path& path,
                                            const StorageKey& key, Rng& rng);
  // An in-memory card (tests, fuzzing); nothing is written anywhere.
  static std::unique_ptr<Card> FromImage(CardImage image, Rng& rng);
  ~Card() override;

  // CardEndpoint. Atr() is kContactAtr (atr.h). After power-on or reset no AP
  // is selected: the ISD is current (card-apdu.md §2, §7.3); security status,
  // current EF and any issuer authentication are cleared; retry counters
  // persist.
  Bytes Atr() const override;
  void PowerOn() override;
  void PowerOff() override;
  void Reset() override;
  Bytes Transmit(ByteView command_apdu) override;
  // Findings (conformance.h) are reported after the command is answered.
  void SetFindingSink(FindingSink sink) override;

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

  // Puts the chip back to `image` as it is after power-on: the persistent
  // state is replaced wholesale (an erased chip comes back), the volatile
  // state cleared; options, trace and finding sink are kept. The current
  // image's storage is reused (copy-assignment: no allocation when the
  // shapes match) and so are parsed private keys wherever `image` holds the
  // same PKCS#8, which lets a fuzzer start every input from one personalised
  // image cheaply (src/card/fuzz). A card opened from a file writes it
  // (kIo as for any change); an in-memory card always succeeds.
  Status ResetTo(const CardImage& image);

  // Behaviour choices where real cards differ (CardOptions); volatile state
  // is untouched.
  void SetOptions(const CardOptions& options);

  // The current chip state (secrets included: do not log it).
  const CardImage& image() const;

  // Called with every command and its response (for `card plug --log` and
  // transcripts). The callee must mask personal data before logging.
  void SetTrace(std::function<void(ByteView command, ByteView response)> fn);

 private:
  struct State;
  explicit Card(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace openmyna::card
