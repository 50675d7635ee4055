// HTTP caching for revocation answers (RFC 9111; RFC 5019 §6.2 for OCSP):
// the headers a CDN or proxy needs to keep a response, and the conditional
// requests it sends to revalidate it (RFC 9110 §13).
//
// The bound: a shared cache may keep a response for at most
// max-age = min(bound, nextUpdate - now) seconds (Cache-Control with
// must-revalidate, so it is never served stale; Expires = Date + max-age for
// HTTP/1.0 caches). A revocation is therefore hidden by a compliant cache
// for at most `bound` after the origin answers with it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "openmyna/base/clock.h"
#include "openmyna/http/message.h"

namespace openmyna::services {

struct CacheValidity {
  TimePoint last_modified;  // OCSP producedAt / CRL thisUpdate
  TimePoint next_update;    // never cached beyond this
  std::string etag;         // a strong entity tag, quotes included
};

// IMF-fixdate (RFC 9110 §5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT".
std::string FormatHttpDate(TimePoint when);
// Parses an IMF-fixdate; nullopt for anything else (the obsolete formats
// are not produced by any cache we know; an unparsed date is ignored, which
// only costs a full answer).
std::optional<TimePoint> ParseHttpDate(std::string_view text);

// RFC 9110 §13.1.2 If-None-Match (weak comparison, "*" matches) and, only
// when absent, §13.1.3 If-Modified-Since (GET/HEAD): true when the client's
// copy is current and a 304 is the answer.
bool NotModified(const http::Request& request, const CacheValidity& validity);

// Adds Cache-Control, Expires, Last-Modified and ETag to `response` for a
// response a shared cache may keep at most `bound` (see the file comment).
void AddCachingHeaders(http::Response& response, const CacheValidity& validity,
                       TimePoint now, std::chrono::seconds bound);

// The 304 answer (RFC 9110 §15.4.5: the same validators and freshness
// headers as the 200, no content).
http::Response NotModifiedResponse(const CacheValidity& validity, TimePoint now,
                                   std::chrono::seconds bound);

// "Cache-Control: no-store" for answers no cache may keep (errors, unknown).
void AddNoStore(http::Response& response);

// A strong entity tag from a 64-bit value: "\"0123456789abcdef\"".
std::string EntityTag(std::uint64_t value);

}  // namespace openmyna::services
