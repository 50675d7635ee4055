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

TEST(ClientStore, ACachedListFollowsChangesMadeElsewhere) {
  std::random_device rd;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("clients-" + std::to_string(rd()));
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

}  // namespace
}  // namespace openmyna::sign_in
