// The first-party seam (first_party.h): the flag in clients.json (read back
// as plain JSON), replacement when the redirect URI changes, and the
// subject table answering once, for the right client, before expiry.
#include "openmyna/sign_in/first_party.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "openmyna/sign_in/jose.h"

namespace openmyna::sign_in {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

json ReadClients(const std::filesystem::path& dir) {
  std::ifstream in(dir / "sign_in" / "clients.json");
  return json::parse(in);
}

TEST(FirstParty, RegisteringFlagsTheClientAndFollowsItsRedirectUri) {
  std::random_device rd;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("first-party-" + std::to_string(rd()));
  DeterministicRng rng(7);
  pki::EvpPkeyPtr key(EVP_EC_gen("P-256"));
  Client portal{.client_id = "MynaPortal",
                .name = "マイナポータル",
                .redirect_uris = {"https://127.0.0.1:4431/portal/callback"},
                .keys = {*PublicJwk(key.get(), "k1", "ES256")}};
  Client other{.name = "Bank",
               .redirect_uris = {"https://rp.example/cb"},
               .keys = portal.keys};
  ASSERT_TRUE(ClientStore(dir).Add(other, rng));
  ASSERT_TRUE(RegisterFirstPartyClient(dir, portal, rng));
  ASSERT_TRUE(RegisterFirstPartyClient(dir, portal, rng));  // unchanged
  json doc = ReadClients(dir);
  ASSERT_EQ(doc["clients"].size(), 2u);
  EXPECT_FALSE(doc["clients"][0].contains("first_party"));
  EXPECT_EQ(doc["clients"][1]["client_id"], "MynaPortal");
  EXPECT_EQ(doc["clients"][1]["first_party"], true);
  // Another port: the entry is replaced, not duplicated.
  portal.redirect_uris = {"https://127.0.0.1:5551/portal/callback"};
  ASSERT_TRUE(RegisterFirstPartyClient(dir, portal, rng));
  doc = ReadClients(dir);
  ASSERT_EQ(doc["clients"].size(), 2u);
  EXPECT_EQ(doc["clients"][1]["redirect_uris"][0],
            "https://127.0.0.1:5551/portal/callback");
  EXPECT_TRUE(ClientStore(dir).Find("MynaPortal")->first_party);
  EXPECT_FALSE(ClientStore(dir)
                   .Find(doc["clients"][0]["client_id"].get<std::string>())
                   ->first_party);
  std::filesystem::remove_all(dir);
}

TEST(FirstParty, TheSubjectTableAnswersOnceForThatClientBeforeExpiry) {
  FirstPartySubjects table;
  const TimePoint now =
      TimePoint(std::chrono::sys_days(std::chrono::year(2026) / 12 / 2));
  table.Remember("MynaPortal", "sub-a", "r-1", now, now + 1h);
  table.Remember("MynaPortal", "sub-b", "r-2", now, now + 1h);
  EXPECT_FALSE(table.ResidentOf("OtherClient", "sub-a", now));
  EXPECT_FALSE(table.ResidentOf("MynaPortal", "sub-c", now));
  auto a = table.ResidentOf("MynaPortal", "sub-a", now + 10min);
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, "r-1");
  EXPECT_FALSE(table.ResidentOf("MynaPortal", "sub-a", now + 10min));
  EXPECT_FALSE(table.ResidentOf("MynaPortal", "sub-b", now + 61min));
}

}  // namespace
}  // namespace openmyna::sign_in
