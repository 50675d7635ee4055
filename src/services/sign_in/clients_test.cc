// ClientStore's cache of clients.json: a store that has read the file sees
// what another store (another process: `rp add` while serve runs) wrote and
// what was written by hand, and never a stale list.
#include "openmyna/sign_in/clients.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "openmyna/sign_in/jose.h"

namespace openmyna::sign_in {
namespace {

using json = nlohmann::json;

std::filesystem::path FreshDir() {
  std::random_device rd;
  return std::filesystem::temp_directory_path() /
         ("clients-" + std::to_string(rd()));
}

TEST(ClientStore, ACachedListFollowsChangesMadeElsewhere) {
  const auto dir = FreshDir();
  DeterministicRng rng(11);
  pki::EvpPkeyPtr key(EVP_EC_gen("P-256"));
  const Client bank{.name = "Bank",
                    .redirect_uris = {"https://rp.example/cb"},
                    .keys = {*PublicJwk(key.get(), "k1", "ES256")}};
  ClientStore serving(dir);  // the provider's, kept across requests
  EXPECT_TRUE(serving.List()->empty());
  auto added = ClientStore(dir).Add(bank, rng);
  ASSERT_TRUE(added) << added.error().message();
  ASSERT_TRUE(serving.Find(added->client_id));
  EXPECT_EQ(serving.Find(added->client_id)->name, "Bank");
  // Another client, then a removal, each by another store.
  Client shop = bank;
  shop.name = "Shop";
  auto second = ClientStore(dir).Add(shop, rng);
  ASSERT_TRUE(second);
  EXPECT_EQ(serving.List()->size(), 2u);
  ASSERT_TRUE(ClientStore(dir).Remove(added->client_id));
  EXPECT_FALSE(serving.Find(added->client_id));
  // An edit in place of the same length (same size; new mtime/ctime).
  const auto file = dir / "sign_in" / "clients.json";
  std::string text;
  {
    std::ifstream in(file);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto at = text.find("\"Shop\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 6, "\"Shoq\"");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::ofstream(file, std::ios::trunc) << text;
  EXPECT_EQ(serving.Find(second->client_id)->name, "Shoq");
  std::filesystem::remove_all(dir);
}

// The client's keys are made once per reading of the file: a client
// assertion signed with the registered key verifies, one signed with another
// key does not, and after the file names another key (written by hand) only
// that one verifies.
TEST(ClientStore, MadeKeysFollowTheFile) {
  const auto dir = FreshDir();
  DeterministicRng rng(12);
  pki::EvpPkeyPtr first(EVP_EC_gen("P-256"));
  pki::EvpPkeyPtr second(EVP_EC_gen("P-256"));
  auto added =
      ClientStore(dir).Add({.name = "Bank",
                            .redirect_uris = {"https://rp.example/cb"},
                            .keys = {*PublicJwk(first.get(), "k1", "ES256")}},
                           rng);
  ASSERT_TRUE(added) << added.error().message();
  ClientStore serving(dir);
  const json claims = {{"iss", added->client_id}};
  const std::string by_first = *SignEs256(claims, first.get(), "k1");
  const std::string by_second = *SignEs256(claims, second.get(), "k1");
  auto client = serving.Find(added->client_id);
  ASSERT_TRUE(client);
  ASSERT_EQ(client->made_keys.size(), 1u);
  ASSERT_NE(client->made_keys[0], nullptr);
  EXPECT_TRUE(VerifyJws(by_first, client->keys, client->made_keys));
  EXPECT_FALSE(VerifyJws(by_second, client->keys, client->made_keys));
  // The file now registers the second key under the same kid.
  const auto file = dir / "sign_in" / "clients.json";
  json doc;
  {
    std::ifstream in(file);
    doc = json::parse(in);
  }
  doc["clients"][0]["jwks"]["keys"][0] =
      *PublicJwk(second.get(), "k1", "ES256");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::ofstream(file, std::ios::trunc) << doc.dump(2);
  client = serving.Find(added->client_id);
  ASSERT_TRUE(client);
  EXPECT_FALSE(VerifyJws(by_first, client->keys, client->made_keys));
  EXPECT_TRUE(VerifyJws(by_second, client->keys, client->made_keys));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace openmyna::sign_in
