#include "client_credentials.h"

#include <sstream>

#include "openmyna/sign_in/errors.h"
#include "openmyna/sign_in/jose.h"

namespace openmyna::sign_in {

namespace {
constexpr auto kLifetime = std::chrono::minutes(30);
}  // namespace

Result<nlohmann::json> ClientCredentials::Issue(std::string_view client_id,
                                                std::string_view scope) {
  std::istringstream words{std::string(scope)};
  for (std::string word; words >> word;) {
    if (word != "sign") {
      return Fail(
          SignInErrc::kInvalid,
          "the client_credentials grant gives scope sign only, not " + word);
    }
  }
  const std::string token = Base64UrlEncode(rng_.Bytes(32));
  const TimePoint now = clock_.Now();
  {
    std::lock_guard lock(mutex_);
    std::erase_if(tokens_,
                  [&](const auto& t) { return t.second.expires < now; });
    tokens_[token] = {std::string(client_id), now + kLifetime};
  }
  return nlohmann::json{
      {"access_token", token},
      {"token_type", "Bearer"},
      {"expires_in",
       std::chrono::duration_cast<std::chrono::seconds>(kLifetime).count()},
      {"scope", "sign"}};
}

std::optional<std::string> ClientCredentials::ClientOf(std::string_view token) {
  std::lock_guard lock(mutex_);
  auto it = tokens_.find(token);
  if (it == tokens_.end() || it->second.expires < clock_.Now()) {
    return std::nullopt;
  }
  return it->second.client_id;
}

}  // namespace openmyna::sign_in
