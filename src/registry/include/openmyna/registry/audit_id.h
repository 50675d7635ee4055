// The id of a new audit entry (AuditEntry::id), in time order (issue 13).
//
// "au-" + the entry's time as 12 hex digits of milliseconds since the Unix
// epoch (the 48-bit timestamp of a UUIDv7, RFC 9562 §5.7) + 16 random hex
// digits. Ids compare as their times do, so a new entry lands at the end of
// audit_log's primary-key index instead of on a random page of it (one
// page written per group, not one per entry); the 64 random bits keep the
// ids of one millisecond apart. The id is opaque to users: the trail is
// ordered by its per-resident sequence, never by id.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/rng.h"

namespace openmyna::registry {

inline std::string NewAuditId(TimePoint at, Rng& rng) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      at.time_since_epoch())
                      .count();
  std::uint64_t t = ms > 0 ? static_cast<std::uint64_t>(ms) : 0;
  std::string id = "au-000000000000";
  for (std::size_t i = id.size(); i > 3 && t != 0; --i, t >>= 4) {
    id[i - 1] = "0123456789abcdef"[t & 0xf];
  }
  return id + ToHex(rng.Bytes(8));
}

}  // namespace openmyna::registry
