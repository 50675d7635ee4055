// Feeds arbitrary bytes to the card-image decoder (a file users hand to
// `card plug --image`): it must refuse bad files with an error, never
// crash; a decoded image must encode and decode again to the same
// structure.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "openmyna/base/rng.h"
#include "openmyna/card/image.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace openmyna;
  // The corpus files are sealed under this all-zero storage key.
  static const card::StorageKey key =
      *card::StorageKey::FromBytes(Bytes(card::StorageKey::kSize, 0));
  ByteView file(data, size);
  (void)card::DecodeImage(file, nullptr);
  auto image = card::DecodeImage(file, &key);
  if (!image) return 0;
  DeterministicRng rng(1);
  auto again = card::EncodeImage(*image, key, rng);
  if (!again) std::abort();
  auto back = card::DecodeImage(*again, &key);
  if (!back || back->applications.size() != image->applications.size() ||
      back->issuer_key != image->issuer_key) {
    std::abort();
  }
  return 0;
}
