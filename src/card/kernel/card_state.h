// The kernel's internal state and command handlers (card.cc dispatches,
// the handlers live in card_*.cc). Not a public header.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "kernel/crypto.h"
#include "openmyna/card/apdu.h"
#include "openmyna/card/card.h"
#include "openmyna/card/conformance.h"
#include "openmyna/card/status_words.h"

namespace openmyna::card {

// What a handler answers: an outcome, optional data, the tries nibble.
struct Reply {
  Outcome outcome = Outcome::kOk;
  Bytes data;
  std::uint8_t tries = 0;
};

inline Reply Answer(Outcome outcome) { return Reply{outcome, {}, 0}; }
inline Reply Data(Bytes data) {
  return Reply{Outcome::kOk, std::move(data), 0};
}

struct Card::State {
  CardImage image;
  std::optional<std::filesystem::path> path;
  std::optional<StorageKey> key;
  Rng* rng = nullptr;
  CardOptions options;

  // Volatile state (cleared by power and reset).
  int current_app = -1;  // index into image.applications; -1 = ISD / MF
  std::optional<Fid> current_ef;
  std::set<Fid> verified;  // PINs of the current application
  std::optional<Bytes> challenge;
  bool issuer_authenticated = false;

  std::function<void(ByteView, ByteView)> trace;
  FindingSink findings;
  // Findings of the command being answered, and whether strict mode
  // changed its answer.
  std::vector<FindingKind> pending;
  bool refused = false;
  // PINs whose verified state survived a SELECT of the current AP
  // (kReselectKeptLogin when they are used, card-apdu.md §16 #6).
  std::set<Fid> kept_by_reselect;
  std::map<std::pair<int, Fid>, crypto::Pkey> key_cache;

  void ResetVolatile();
  // Writes the image when the card has a file; in-memory cards succeed.
  Status Persist();
  Application* App();

  Reply Dispatch(const CommandApdu& c);
  Reply Select(const CommandApdu& c);
  Reply ReadBinary(const CommandApdu& c);
  Reply ReadRecord(const CommandApdu& c);
  Reply Verify(const CommandApdu& c);
  Reply ChangePin(const CommandApdu& c, PinChange how);
  Reply ComputeSignature(const CommandApdu& c);
  Reply InternalAuthenticate(const CommandApdu& c);
  Reply GetChallenge(const CommandApdu& c);
  Reply GetData(const CommandApdu& c);
  Reply IssuerAuthenticate(const CommandApdu& c);
  Reply ResetRetryCounter(const CommandApdu& c);
  Reply UpdateBinary(const CommandApdu& c);
  Reply EraseBinary(const CommandApdu& c);
  Reply ForcedKeyRead(const CommandApdu& c);

  // Resolves P2 = 80 (current EF) or 80|SFI (ISO/IEC 7816-4 §7.5.1 "b8=1:
  // specific reference data"); nullopt → *error set.
  ElementaryFile* ReferencedObject(std::uint8_t p2, Outcome* error);
  bool RuleSatisfied(const AccessRule& rule) const;
  // RuleSatisfied for a command: notes kReselectKeptLogin when only a PIN
  // kept across a re-selection opens it, and refuses it in strict mode.
  bool Allows(const AccessRule& rule);
  bool IsVerified(Fid pin);
  // Records a finding for the current command. Returns true when strict
  // mode refuses the command (the caller then answers the refusal).
  bool Note(FindingKind kind, bool strict_refuses = true);
  Result<EVP_PKEY*> KeyFor(const ElementaryFile& ef);
};

}  // namespace openmyna::card
