// (internal) The provider's JSON written on every sign-in, straight to text
// instead of a nlohmann::json tree built only to be dumped: the same bytes
// as that dump (keys in its std::map order, strings by
// http::AppendJsonString). Issue 9's bench: building and dumping these trees
// was part of serve's per-sign-in allocation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace openmyna::sign_in::internal {

// What the card signs (docs/sign-in.md "The challenge the card signs"):
// {"exp","iss","nonce","request_id","rp","rp_name","scope","type"}.
struct ChallengeFields {
  std::int64_t exp = 0;
  std::string_view iss, nonce, request_id, rp, rp_name, scope, type;
};
std::string ChallengeJson(const ChallengeFields& f);

// GET <issuer>/app/requests/{id} for a login (the app's view of it).
struct LoginRequestFields {
  std::string_view acr_values;
  bool attributes_requested = false;
  std::string_view challenge, client_id, client_name, key, request_id, scope;
};
std::string LoginRequestJson(const LoginRequestFields& f);

// The token endpoint's answer with an ID token (RFC 6749 §5.1, OIDC Core
// §3.1.3.3).
struct TokenFields {
  std::string_view access_token;
  std::int64_t expires_in = 0;
  std::string_view id_token, refresh_token, scope, token_type;
};
std::string TokenJson(const TokenFields& f);

// The ID token's claims (OIDC Core §2; at_hash §3.1.3.6; sid: Front-Channel
// Logout §3): {"acr","amr":[amr],"at_hash","aud","auth_time","exp","iat",
// "iss","nonce","sid","sub"}, signed by jose.h's SignEs256Json.
struct IdTokenFields {
  std::string_view acr, amr, at_hash, aud;
  std::int64_t auth_time = 0, exp = 0, iat = 0;
  std::string_view iss, nonce, sid, sub;
};
std::string IdTokenJson(const IdTokenFields& f);

}  // namespace openmyna::sign_in::internal
