#include "juki/juki_app.h"

#include "openmyna/card/application_table.h"

namespace openmyna::card::apps {

Bytes SandboxKeyReference() {
  Bytes id = ToBytes("6000001");
  id.push_back(0x08);
  id.push_back(0x05);
  Append(id, ToBytes("001"));
  id.resize(16, 0x00);
  return id;
}

Application JukiLayout(CardKind /*kind*/) {
  Application app;
  app.name = "juki";
  app.aid.assign(std::begin(kJukiAid), std::end(kJukiAid));
  app.files = {
      RecordEf(kJukiKeyReference, "key reference", AccessRule::Free(),
               {SandboxKeyReference()}),
      // 4 digits, 3 tries, changed with 80 32 (§7.1).
      PinEf(kJukiPin, "resident-registry PIN", PinRule::kJukiPin, 3,
            PinChange::kChangeKey),
  };
  return app;
}

}  // namespace openmyna::card::apps
