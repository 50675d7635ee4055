// First-party clients of the OpenID provider: the Myna Portal is run by the
// provider's own operator and must know WHICH resident signed in, while the
// provider gives every client only a pairwise `sub` (OIDC Core §8.1), which
// nobody can invert. This is the explicit seam for that, and it is
// in-process only — nothing here is reachable over HTTP and no claim
// carries the resident id:
//
// - a client is first-party when its entry in DIR/sign_in/clients.json says
//   "first_party": true, which only RegisterFirstPartyClient writes (there
//   is no `rp add` option for it);
// - when the provider issues an ID token to such a client it records
//   (client_id, sub) -> resident id in this process's FirstPartySubjects,
//   until the ID token expires;
// - the client, after verifying the ID token itself (signature by the
//   provider's JWKS, iss, aud, exp, nonce), asks ResidentOf once: the
//   answer is given once and then forgotten.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/sign_in/clients.h"

namespace openmyna::sign_in {

// Adds `client` flagged first_party to DIR/sign_in/clients.json, or replaces
// an entry of the same client_id whose redirect URIs, keys, name or flag
// differ (a port from the kernel changes the redirect URI between runs).
Status RegisterFirstPartyClient(const std::filesystem::path& data_dir,
                                Client client, Rng& rng);

class FirstPartySubjects {
 public:
  // The process's table: the provider writes it, first-party clients read.
  static FirstPartySubjects& Instance();

  // The provider issued an ID token with `sub` to first-party `client_id`
  // for `resident_id`, valid until `until`.
  void Remember(std::string client_id, std::string sub, std::string resident_id,
                TimePoint now, TimePoint until);
  // The resident of (client_id, sub), once; kNotFound when the provider of
  // this process issued no such ID token, it expired, or was asked already.
  Result<std::string> ResidentOf(std::string_view client_id,
                                 std::string_view sub, TimePoint now);

 private:
  struct Entry {
    std::string resident_id;
    TimePoint until;
  };
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Entry> entries_;
};

}  // namespace openmyna::sign_in
