#include "common/common_app.h"

#include "juki/juki_app.h"
#include "openmyna/card/application_table.h"

namespace openmyna::card::apps {

Bytes CommonCardInfoRecord(std::string_view serial15,
                           std::string_view municipality5,
                           std::string_view expiry8) {
  if (serial15.size() != 15 || municipality5.size() != 5 ||
      expiry8.size() != 8) {
    return {};
  }
  Bytes record{0x01, 0x1C};
  Append(record, ToBytes(serial15));
  Append(record, ToBytes(municipality5));
  Append(record, ToBytes(expiry8));
  return record;
}

Application CommonLayout(CardKind /*kind*/) {
  Application app;
  app.name = "common";
  app.aid.assign(std::begin(kCommonAid), std::end(kCommonAid));
  // Only INTERNAL AUTHENTICATE may use key 0019, with no PIN (§3.1, §7.2).
  ElementaryFile key =
      KeyEf(kCommonInternalAuthKey, "internal-auth key", AccessRule::Free(),
            /*internal_authenticate=*/true);
  key.key.allows_compute_signature = false;
  app.files = {
      RecordEf(kCommonCardInfo, "card information", AccessRule::Free()),
      RecordEf(kCommonKeyReference, "key reference", AccessRule::Free(),
               {SandboxKeyReference()}),
      std::move(key),
      PinEf(kCommonPin, "resident-registry PIN (copy)", PinRule::kJukiPin, 3,
            PinChange::kChangeKey),
  };
  return app;
}

}  // namespace openmyna::card::apps
