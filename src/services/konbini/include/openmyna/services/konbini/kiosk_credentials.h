// Kiosks authenticated to the centre (issue 11; docs/konbini.md "Kiosks at
// the centre"). Each kiosk has its own credential, so the operator enrols
// and withdraws kiosks one by one: "<kiosk id>:<256 random bits in hex>",
// kept in DIR/konbini/kiosks/<id>.credential (0600), sent as
// "Authorization: Bearer <credential>" (RFC 6750 §2.1) on every step. The
// centre compares it in constant time with the credentials of the kiosks
// it enrolled and refuses anything else (401, RFC 9110 §15.5.2).
//
// A real operator would rather give each kiosk a device certificate and
// require mutual TLS; OpenMyna's HTTP stack has no client certificates yet,
// so the same per-device secret travels as a bearer credential (over the
// centre's TLS listener where it has one).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna::konbini {

// [a-z0-9-], 1 to 64 characters (a file name, never a path).
bool ValidKioskId(std::string_view id);

// The centre's side: enrols the kiosk, making its credential once (under
// the key folder's lock) when it has none yet.
Result<std::string> LoadOrCreateKioskCredential(
    const std::filesystem::path& dir, std::string_view kiosk_id);

// The kiosk's side: its credential, or kRefused when the kiosk was
// never enrolled.
Result<std::string> LoadKioskCredential(const std::filesystem::path& dir,
                                        std::string_view kiosk_id);

// The kiosks a centre accepts.
class KioskCredentials {
 public:
  // `credential` as LoadOrCreateKioskCredential returns it.
  void Enrol(std::string credential);
  // The kiosk id an "Authorization" header value proves, or
  // kRefused (nothing says which part was wrong).
  Result<std::string> Check(std::string_view authorization) const;

 private:
  std::map<std::string, std::string, std::less<>> by_id_;
};

}  // namespace openmyna::konbini
