#include "testing/test_card.h"

#include <cstdlib>
#include <mutex>

#include "common/common_app.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/issuance.h"

namespace openmyna::card::testing {
namespace {

void Check(const Status& st) {
  if (!st) std::abort();
}

}  // namespace

Bytes DerShapedBlob(std::size_t size, std::uint8_t fill) {
  Bytes out{0x30, 0x82};
  AppendU16(out, static_cast<std::uint16_t>(size - 4));
  out.resize(size, fill);
  return out;
}

CardImage PersonalizedImage() {
  static std::once_flag once;
  static CardImage image;
  std::call_once(once, [] {
    DeterministicRng rng(3);
    image = NewBlankImage(CardKind::kStandard, rng);
    Check(SetPin(image, "jpki", 0x0018, kAuthPin));
    Check(SetPin(image, "jpki", 0x001B, kSignPassword));
    Check(SetPin(image, "juki", 0x001C, kJukiPin));
    Check(SetPin(image, "common", 0x001C, kJukiPin));
    for (auto [app, fid] :
         {std::pair{"jpki", 0x0017}, std::pair{"jpki", 0x001A},
          std::pair{"common", 0x0019}}) {
      if (!GenerateKeyPair(image, app, static_cast<Fid>(fid))) std::abort();
    }
    Check(WriteBinary(image, "jpki", 0x000A, DerShapedBlob(750, 0xA1)));
    Check(WriteBinary(image, "jpki", 0x0001, DerShapedBlob(827, 0x51)));
    Check(WriteBinary(image, "jpki", 0x000B, DerShapedBlob(748, 0xAC)));
    Check(WriteBinary(image, "jpki", 0x0002, DerShapedBlob(748, 0x5C)));
    Check(WriteRecords(
        image, "common", 0x0001,
        {apps::CommonCardInfoRecord("123456789012345", "20218", "20350510")}));
  });
  return image;
}

}  // namespace openmyna::card::testing
