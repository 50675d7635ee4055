// Private: shared pieces of the CA profiles.
#pragma once

#include "openmyna/base/bytes.h"
#include "openmyna/base/rng.h"
#include "openmyna/pki/certificate_store.h"

namespace openmyna::pki::internal {

// A random positive serial of 126 bits: 16 octets, top bit clear (positive
// INTEGER), next bit set (always 16 octets long). RFC 5280 §4.1.2.2 allows
// up to 20 octets; CA/B-style ≥ 64 bits of entropy.
Serial RandomSerial(Rng& rng);

}  // namespace openmyna::pki::internal
