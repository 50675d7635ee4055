#include "openmyna/card/transport/trivial_card.h"

#include "openmyna/card/transport/realism.h"

namespace openmyna::card::transport {

Bytes TrivialCard::Atr() const {
  return Bytes(kContactAtr.begin(), kContactAtr.end());
}

Bytes TrivialCard::Transmit(ByteView /*command_apdu*/) {
  ++commands_;
  return {0x90, 0x00};
}

}  // namespace openmyna::card::transport
