// Feeds APDU sequences into a personalised in-memory card. Input: a series
// of records [len u8][len bytes]; len 0 = a reset (power cycle); len FF =
// the harness performs a correct issuer authentication (GET CHALLENGE +
// 80 82 with the card's issuer key), so the issuer commands are reachable. The
// card must never crash, always answer at least a status word, and never answer
// 90 00 to a SELECT of an unknown AID (card-apdu.md §1.3).
//
// Every input starts from the same personalised chip. One card serves the
// whole run and is put back to the image after each input (Card::ResetTo:
// the image's storage and the parsed RSA keys are reused), with the random
// generator reseeded from the input's size, so an execution costs the APDUs
// rather than a new card. OPENMYNA_FUZZ_FRESH_CARD=1 builds
// a new card per input instead (same behaviour, the baseline of
// bench/fuzz/run.sh).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>

#include "openmyna/base/rng.h"
#include "openmyna/card/card.h"
#include "openmyna/card/issuer_auth.h"
#include "testing/test_card.h"

namespace {

bool IsKnownAid(openmyna::ByteView aid) {
  static const openmyna::card::CardImage image =
      openmyna::card::testing::PersonalizedImage();
  static const std::uint8_t isd[] = {0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00};
  if (aid.size() == sizeof isd && std::equal(aid.begin(), aid.end(), isd)) {
    return true;
  }
  for (const auto& app : image.applications) {
    if (app.aid.size() == aid.size() &&
        std::equal(aid.begin(), aid.end(), app.aid.begin())) {
      return true;
    }
  }
  return false;
}

// A DeterministicRng that can be reseeded (the card keeps a reference),
// made on first use: most inputs never ask the card for a random number.
class ReseedableRng final : public openmyna::Rng {
 public:
  void Seed(std::uint64_t seed) {
    seed_ = seed;
    rng_.reset();
  }
  void Fill(std::span<std::uint8_t> out) override {
    if (!rng_) rng_.emplace(seed_);
    rng_->Fill(out);
  }

 private:
  std::uint64_t seed_ = 0;
  std::optional<openmyna::DeterministicRng> rng_;
};

const bool kFreshCard = [] {
  const char* v = std::getenv("OPENMYNA_FUZZ_FRESH_CARD");
  return v != nullptr && v[0] == '1';
}();

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace openmyna;
  static const card::CardImage personalized =
      card::testing::PersonalizedImage();
  static ReseedableRng rng;
  static std::unique_ptr<card::Card> chip;
  if (chip == nullptr) chip = card::Card::FromImage(personalized, rng);
  rng.Seed(size);
  chip->PowerOn();
  std::size_t pos = 0;
  while (pos < size) {
    const std::size_t len = data[pos++];
    if (len == 0) {
      chip->Reset();
      continue;
    }
    if (len == 0xFF) {
      const Bytes ch = chip->Transmit(Bytes{0x00, 0x84, 0x00, 0x00, 0x10});
      if (ch.size() == 18) {
        Bytes auth{0x80, 0x82, 0x00, 0x00, 0x20};
        Append(auth, card::IssuerAuthResponse(personalized.issuer_key,
                                              ByteView(ch).first(16)));
        (void)chip->Transmit(auth);
      }
      continue;
    }
    const std::size_t n = std::min(len, size - pos);
    ByteView apdu(data + pos, n);
    pos += n;
    const Bytes response = chip->Transmit(apdu);
    if (response.size() < 2) std::abort();
    const bool ok =
        response[response.size() - 2] == 0x90 && response.back() == 0x00;
    // SELECT by DF name answered 90 00 must name a known AID.
    if (ok && n >= 5 && apdu[0] == 0x00 && apdu[1] == 0xA4 && apdu[2] == 0x04) {
      const std::size_t lc = apdu[4];
      if (lc != 0 && n >= 5 + lc && !IsKnownAid(apdu.subspan(5, lc))) {
        std::abort();
      }
    }
  }
  // Put the chip back for the next input now, so that what this input
  // allocated or freed is balanced within it (libFuzzer runs an input whose
  // mallocs outnumber its frees again, looking for a leak).
  rng.Seed(0);
  if (kFreshCard) {
    chip.reset();
  } else if (!chip->ResetTo(personalized)) {
    std::abort();  // in-memory: cannot fail
  }
  return 0;
}
