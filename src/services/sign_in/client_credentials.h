// The provider's client-credentials grant (RFC 6749 §4.4) for the signing
// API (sign-in-portal.md §1.6 step 1): a relying party, authenticated with
// private_key_jwt at the token endpoint, gets an access token that stands
// for the client itself (no resident), with scope "sign" only. It opens
// POST /api/sign-transactions and GET /api/sign-transactions/{id}/result;
// UserInfo does not accept it. In memory (a restart drops them).
// Private to the sign_in library; thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"

namespace openmyna::sign_in {

class ClientCredentials {
 public:
  ClientCredentials(const Clock& clock, Rng& rng) : clock_(clock), rng_(rng) {}

  // The token response (RFC 6749 §4.4.3: no refresh token) for an already
  // authenticated client; `scope` empty means "sign". kInvalid (an
  // invalid_scope) for any other scope.
  Result<nlohmann::json> Issue(std::string_view client_id,
                               std::string_view scope);
  // The client a valid token was issued to; nullopt when unknown or expired.
  std::optional<std::string> ClientOf(std::string_view token);

 private:
  struct Token {
    std::string client_id;
    TimePoint expires;
  };
  const Clock& clock_;
  Rng& rng_;
  std::mutex mutex_;
  std::map<std::string, Token, std::less<>> tokens_;
};

}  // namespace openmyna::sign_in
