// Sample data for a fresh sandbox (`openmyna up`, `openmyna db seed`):
// Chikuma City (長野県千曲市, local government code 20218, the guidebook's
// municipality), Kiyose City (東京都清瀬市, 13221) and residents of varied
// ages and statuses: an adult, a minor with the adult as legal
// representative, a foreign resident with a limited period of stay, an
// elderly resident meant for a face-authentication card, and a resident of
// Kiyose. Individual numbers are the published valid test vectors of
// jpki.md §5.1. Idempotent: what exists is left alone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "openmyna/base/result.h"
#include "openmyna/registry/civil_seed.h"
#include "openmyna/registry/service.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry {

struct SeedReport {
  std::vector<std::string> municipalities;  // codes, all of them
  std::vector<std::string> created;         // resident ids created now
  std::vector<std::string> residents;       // every sample resident's id
  std::string face_auth_card_id;            // when a card was issued
  CivilSeedReport civil;  // households, registers, seals (civil_seed.h)
  // The sample card of the first resident (千曲 太郎), when asked for.
  std::optional<Card> sample_card;
  bool sample_card_created = false;  // issued by this call (else reused)
};

struct SeedOptions {
  // Also issue the face-authentication card of the elderly resident (needs
  // the service's CA and card ports to work).
  bool issue_face_auth_card = false;
  // Also give the first sample resident (千曲 太郎, 123456789018) a standard
  // card with both certificates, issued as any card is (apply, produce,
  // deliver with `sample_card_passwords`): the card `openmyna up` plugs.
  // A card of his in force (active or suspended) is reused as it is.
  bool issue_sample_card = false;
  Passwords sample_card_passwords;
};

Result<SeedReport> SeedSampleData(RegistryStore& store,
                                  RegistryService& service,
                                  const SeedOptions& options = {});

// Many distinct cards, for benchmarks that must not see one card again and
// again (bench/sign_in: `openmyna db seed --residents N --cards K`): the
// first `count` generated residents (bulk_load.h) who may apply alone (15
// or older, not an adult ward: domain.md §6) each get a standard card with
// the authentication certificate only (the signature certificate declined
// at the application, as a holder may), issued as any card is: apply,
// produce, deliver with `passwords` (its signature password unused: no
// signature certificate, no password for it). A card in force is reused.
// Returns the cards in the residents' order. kNotFound when the generated
// residents run out before `count` cards (load more with --residents).
Result<std::vector<Card>> IssueGeneratedResidentCards(
    RegistryService& service, std::uint64_t count, const Passwords& passwords);

}  // namespace openmyna::registry
