// The provider's JSON written as text (answers.h) byte for byte against
// nlohmann::json's dump() of the trees provider.cc built before, with names
// that need escaping (quotes, backslash, controls, Japanese text).
#include "answers.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace openmyna::sign_in::internal {
namespace {

using json = nlohmann::json;

const std::string kNames[] = {"Bench RP", "みずほ「銀行」\u3000オンライン",
                              "a\"b\\c\b\f\n\r\t\x01\x1f\x7f/", ""};

TEST(Answers, ChallengeIsTheTreesDump) {
  for (const std::string& name : kNames) {
    const json tree = {{"type", "openmyna-sign-in/1"},
                       {"iss", "https://127.0.0.1:8443/api/realms/main"},
                       {"rp", "RP0123456789012345"},
                       {"rp_name", name},
                       {"scope", "openid name address"},
                       {"request_id", "rid-_0"},
                       {"nonce", "n0nce"},
                       {"exp", 1764739200}};
    EXPECT_EQ(ChallengeJson({.exp = 1764739200,
                             .iss = "https://127.0.0.1:8443/api/realms/main",
                             .nonce = "n0nce",
                             .request_id = "rid-_0",
                             .rp = "RP0123456789012345",
                             .rp_name = name,
                             .scope = "openid name address",
                             .type = "openmyna-sign-in/1"}),
              tree.dump());
  }
}

TEST(Answers, LoginRequestIsTheTreesDump) {
  for (const std::string& name : kNames) {
    for (const bool attributes : {false, true}) {
      // The challenge is itself JSON text: quoted inside the answer.
      const std::string challenge =
          json{{"rp_name", name}, {"type", "openmyna-sign-in/1"}}.dump();
      const json tree = {
          {"request_id", "rid"},     {"client_id", "RP1"},
          {"client_name", name},     {"scope", "openid"},
          {"acr_values", ""},        {"challenge", challenge},
          {"key", "authentication"}, {"attributes_requested", attributes}};
      EXPECT_EQ(LoginRequestJson({.acr_values = "",
                                  .attributes_requested = attributes,
                                  .challenge = challenge,
                                  .client_id = "RP1",
                                  .client_name = name,
                                  .key = "authentication",
                                  .request_id = "rid",
                                  .scope = "openid"}),
                tree.dump());
    }
  }
}

TEST(Answers, TokenIsTheTreesDump) {
  const json tree = {{"access_token", "at-_x"}, {"token_type", "Bearer"},
                     {"expires_in", 3600},      {"refresh_token", "rt"},
                     {"scope", "openid name"},  {"id_token", "eyJh.eyJp.c2ln"}};
  EXPECT_EQ(TokenJson({.access_token = "at-_x",
                       .expires_in = 3600,
                       .id_token = "eyJh.eyJp.c2ln",
                       .refresh_token = "rt",
                       .scope = "openid name",
                       .token_type = "Bearer"}),
            tree.dump());
}

// The claims as provider.cc built the tree before (amr as {amr}: an array
// of one string); the nonce is the relying party's own text.
TEST(Answers, IdTokenIsTheTreesDump) {
  for (const std::string& nonce : kNames) {
    for (const std::string amr : {"jpki_auth", "test_card"}) {
      const json tree = {{"iss", "https://127.0.0.1:8443/api/realms/main"},
                         {"sub", "Zm9vYmFyYmF6cXV4cXV1eA"},
                         {"aud", "RP0123456789012345"},
                         {"exp", 1764742800},
                         {"iat", 1764739200},
                         {"auth_time", 1764739195},
                         {"nonce", nonce},
                         {"acr", "aal3 ocsp"},
                         {"amr", {amr}},
                         {"at_hash", "x-_Y0"},
                         {"sid", "s1d"}};
      EXPECT_EQ(IdTokenJson({.acr = "aal3 ocsp",
                             .amr = amr,
                             .at_hash = "x-_Y0",
                             .aud = "RP0123456789012345",
                             .auth_time = 1764739195,
                             .exp = 1764742800,
                             .iat = 1764739200,
                             .iss = "https://127.0.0.1:8443/api/realms/main",
                             .nonce = nonce,
                             .sid = "s1d",
                             .sub = "Zm9vYmFyYmF6cXV4cXV1eA"}),
                tree.dump());
    }
  }
}

}  // namespace
}  // namespace openmyna::sign_in::internal
