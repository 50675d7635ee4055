// The municipal counter's terminal (internal to the registry): it drives a
// card image the way a terminal drives a card in a reader, with APDUs only,
// through the card's authenticated issuer commands (openmyna/card/
// issuer_auth.h, docs/card.md §6):
//
//   SELECT AP (00 A4 04 0C), GET CHALLENGE (00 84 00 00 10), ISSUER
//   AUTHENTICATE (80 82 00 00 20 HMAC-SHA256(issuer key, label ‖ challenge)),
//   SELECT EF (00 A4 02 0C 02 FID), UPDATE BINARY (80 D6), ERASE BINARY
//   (80 0E), RESET RETRY COUNTER with a new value (80 2C 02 80|SFI).
//
// The card is opened on its image file (card::Card::Open) and persists its
// own image after each write (atomically, card.h); the terminal never edits
// the image itself. Every refusal is kUnavailable naming the step and the
// status word (ISO/IEC 7816-4 §5.6); a wrong issuer key is 63 00.
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/card.h"
#include "openmyna/card/image.h"

namespace openmyna::registry {

class IssuerTerminal {
 public:
  // Powers on the card of the image at `path`, sealed under `key`. `rng` is
  // borrowed by the card (fresh nonces when it saves) and must outlive the
  // terminal.
  static Result<IssuerTerminal> Open(const std::filesystem::path& path,
                                     const card::StorageKey& key, Rng& rng);

  // SELECT by AID (ISO/IEC 7816-4 §11.2.2, P1 = 04, no FCI).
  Status SelectApplication(ByteView aid);
  // SELECT EF by FID in the current application (P1 = 02).
  Status SelectFile(card::Fid fid);
  // GET CHALLENGE then ISSUER AUTHENTICATE with `issuer_key`. The card
  // answers 63 00 to a wrong key: then this fails and nothing is granted.
  Status AuthenticateIssuer(ByteView issuer_key);
  // Makes the current binary EF hold exactly `contents`: UPDATE BINARY in
  // chunks of at most kChunk bytes (extended Lc), then ERASE BINARY at the
  // new length when the EF was longer. `old_size` is what it holds now.
  Status RewriteCurrentFile(ByteView contents, std::size_t old_size);
  // RESET RETRY COUNTER and set `value` (80 2C 02, P2 = 80 | SFI of `pin`):
  // the counter goes to its maximum, a blocked PIN is unblocked.
  Status ResetPin(card::Fid pin, std::string_view value);

  // The card's current state, for the public facts a terminal can read
  // (EF contents, public keys). Holds secrets: never log it.
  const card::CardImage& image() const { return card_->image(); }

  static constexpr std::size_t kChunk = 4096;

 private:
  explicit IssuerTerminal(std::unique_ptr<card::Card> card)
      : card_(std::move(card)) {}
  // Sends `apdu`; returns the response data when the status word is 90 00.
  Result<Bytes> Exchange(std::string_view step, ByteView apdu);

  std::unique_ptr<card::Card> card_;
};

}  // namespace openmyna::registry
