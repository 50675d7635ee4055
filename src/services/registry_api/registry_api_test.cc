// The registry API through its router (in process) and one real server:
// scenarios per life event, bad input on every endpoint, the authorisation
// matrix, and the OpenAPI document against the routes.
#include "openmyna/services/registry_api.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>
#include <vector>

#include "../../registry/testing_ports.h"
#include "openmyna/http/server.h"
#include "openmyna/registry/credentials.h"
#include "openmyna/registry/model_json.h"
#include "openmyna/registry/permissions.h"
#include "resident_file_json.h"

namespace openmyna::services {
namespace {

using nlohmann::json;
using registry::Role;
using namespace std::chrono;

std::string Base64(std::string_view text) {
  std::string out(4 * ((text.size() + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(text.data()),
                      static_cast<int>(text.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("om-api-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    auto store =
        registry::RegistryStore::Open((dir_ / "registry.db").string(), clock_);
    ASSERT_TRUE(store) << store.error();
    store_ = std::move(*store);
    service_ = std::make_unique<registry::RegistryService>(*store_, clock_,
                                                           rng_, ca_, card_);
    ASSERT_TRUE(AddRegistryApi(router_, *store_, *service_));
    for (Role role : {Role::kCounterClerk, Role::kHotlineOperator, Role::kKiosk,
                      Role::kPlatform, Role::kSystem}) {
      auto c = registry::CreateCredential(*store_, role, rng_, clock_, 1000);
      ASSERT_TRUE(c) << c.error();
      auth_[role] = "Basic " + Base64(c->id + ":" + c->secret);
    }
    json m = {{"code", "20218"},
              {"name", "千曲市"},
              {"prefecture", "長野県"},
              {"name_romaji", "Chikuma-shi"},
              {"prefecture_romaji", "Nagano-ken"}};
    ASSERT_EQ(Call("POST", "/v1/municipalities", m).status, 200);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  http::Response Call(std::string method, std::string path,
                      const json& body = nullptr,
                      Role role = Role::kCounterClerk) {
    http::Request request;
    request.method = std::move(method);
    request.path = path;
    request.target = path;
    if (!body.is_null()) {
      request.body = body.dump();
      request.headers.push_back({"Content-Type", "application/json"});
    }
    request.headers.push_back({"Authorization", auth_[role]});
    request.headers.push_back({"X-Purpose", "test"});
    return router_.Dispatch(request);
  }

  static json Body(const http::Response& r) {
    return json::parse(r.body, nullptr, false);
  }

  std::string NewResident(std::string number, std::string dob) {
    auto r = Call("POST", "/v1/residents",
                  {{"individual_number", number},
                   {"name", "番号 花子"},
                   {"date_of_birth", dob},
                   {"sex", "female"},
                   {"address", "長野県千曲市杭瀬下84"},
                   {"municipality_code", "20218"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r).value("id", "");
  }

  std::string IssueCard(const std::string& resident) {
    auto app = Call("POST", "/v1/applications",
                    {{"resident_id", resident}, {"applicant_id", resident}});
    EXPECT_EQ(app.status, 200) << app.body;
    auto card = Call(
        "POST", "/v1/applications/" + Body(app).value("id", "") + "/produce");
    EXPECT_EQ(card.status, 200) << card.body;
    const std::string card_id = Body(card).value("id", "");
    auto delivered = Call("POST", "/v1/cards/" + card_id + "/deliver",
                          {{"receiver_id", resident},
                           {"passwords",
                            {{"signature", "ABC123"},
                             {"authentication", "1234"},
                             {"juki", "5678"},
                             {"input_assist", "9012"}}}});
    EXPECT_EQ(delivered.status, 200) << delivered.body;
    return card_id;
  }

  // Total rows written anywhere (to prove that refusals write nothing).
  std::int64_t RowCount() {
    std::int64_t total = 0;
    EXPECT_TRUE(store_->Transact([&](registry::RegistryTx& tx) -> Status {
      for (const char* table :
           {"residents", "cards", "certificates", "applications", "fees",
            "notices", "audit_log", "municipalities"}) {
        auto rows =
            tx.connection().Query(std::string("SELECT COUNT(*) FROM ") + table);
        if (!rows) return Unexpected(rows.error());
        total += std::stoll(*rows->at(0).at(0));
      }
      return Ok();
    }));
    return total;
  }

  FixedClock clock_{sys_days{2025y / 6 / 1} + 1h};  // 10:00 JST
  DeterministicRng rng_{9};
  registry::testing::RecordingCa ca_;
  registry::testing::RecordingCard card_;
  std::filesystem::path dir_;
  std::unique_ptr<registry::RegistryStore> store_;
  std::unique_ptr<registry::RegistryService> service_;
  http::Router router_;
  std::map<Role, std::string> auth_;
};

// GET /v1/residents/{id} writes its body straight to text: byte for byte
// what nlohmann::json's dump() makes of the same file (the independent
// serializer the other routes use), for plain and awkward residents.
TEST(ResidentFileJson, SameBytesAsTheJsonLibrary) {
  registry::ResidentFile file;
  registry::Resident& r = file.resident;
  r.id = "r-0001";
  r.individual_number = "123456789018";
  r.name = "番号 花子";
  r.address = "長野県千曲市大字杭瀬下84番地";
  r.municipality_code = "20218";
  r.date_of_birth = "1990-04-01";
  r.sex = registry::Sex::kFemale;
  auto library = [](const registry::ResidentFile& f) {
    return nlohmann::json{{"resident", f.resident},
                          {"cards", f.cards},
                          {"certificates", f.certificates},
                          {"applications", f.applications},
                          {"fees", f.fees},
                          {"notices", f.notices}}
        .dump();
  };
  EXPECT_EQ(internal::ResidentFileJson(file), library(file));
  // Escapes: quote, backslash, the short controls, other controls, DEL.
  r.former_surname =
      std::string("a\"b\\c\b\t\n\f\r") + '\x01' + '\x1f' + '\x7f' + "/";
  r.delivery_address = "Tokyo \"1-2-3\"\n\x05";
  r.adult_ward = true;
  r.legal_representative_id = "r-0002";
  r.status = registry::ResidentStatus::kDeceased;
  r.died_on = "2026-01-02";
  r.foreign = registry::ForeignResidence{
      "永住者", domain::ResidenceStatus::kMidToLongTerm, "2030-01-01", "x"};
  registry::Card card;
  card.id = "c-1";
  card.resident_id = r.id;
  file.cards.push_back(card);
  registry::Fee fee;
  fee.id = "f-1";
  file.fees.push_back(fee);
  EXPECT_EQ(internal::ResidentFileJson(file), library(file));
  // Text that is not UTF-8 is refused as the library refuses it.
  r.name = "\xff";
  EXPECT_THROW(library(file), nlohmann::json::exception);
  EXPECT_THROW(internal::ResidentFileJson(file), nlohmann::json::exception);
}

TEST_F(ApiTest, IssueSuspendAndAddressChangeThroughTheApi) {
  const std::string r = NewResident("123456789018", "1990-04-01");
  const std::string card = IssueCard(r);
  auto file = Body(Call("GET", "/v1/residents/" + r));
  ASSERT_EQ(file["cards"].size(), 1u);
  EXPECT_EQ(file["cards"][0]["state"], "active");
  EXPECT_EQ(file["cards"][0]["expires_on"], "2035-04-01");
  EXPECT_EQ(file["certificates"].size(), 2u);

  auto suspended = Call("POST", "/v1/cards/" + card + "/suspend", nullptr,
                        Role::kHotlineOperator);
  ASSERT_EQ(suspended.status, 200) << suspended.body;
  file = Body(Call("GET", "/v1/residents/" + r));
  for (const json& c : file["certificates"]) {
    EXPECT_EQ(c["revoked"], true);
    EXPECT_EQ(c["reason"], "certificateHold");
  }
  ASSERT_EQ(Call("POST", "/v1/cards/" + card + "/lift-suspension").status, 200);

  auto changed = Call("POST", "/v1/residents/" + r + "/address",
                      {{"address", "長野県千曲市屋代2"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(Body(changed)["card"]["notes"][0]["text"],
            "住所 長野県千曲市屋代2");

  auto audit = Body(Call("GET", "/v1/residents/" + r + "/audit"));
  std::vector<std::string> roles;
  for (const json& e : audit) roles.push_back(e["role"]);
  EXPECT_THAT(roles, ::testing::Contains("hotline_operator"));
}

TEST_F(ApiTest, ReissueChargesTheFeeAndRenewalWaitsForItsWindow) {
  const std::string a = NewResident("123456789018", "1990-04-01");
  const std::string b = NewResident("614106526000", "1980-12-24");
  const std::string card_a = IssueCard(a);
  const std::string card_b = IssueCard(b);
  auto early = Call("POST", "/v1/residents/" + a + "/renewal");
  EXPECT_EQ(early.status, 409);
  EXPECT_EQ(early.content_type, "application/problem+json");
  for (const auto& [card, resident] :
       {std::pair{card_a, a}, std::pair{card_b, b}}) {
    ASSERT_EQ(Call("POST", "/v1/cards/" + card + "/report-loss",
                   {{"reason", "loss"}, {"police_report", "R-1"}})
                  .status,
              200);
  }
  auto with = Call("POST", "/v1/residents/" + a + "/reissue",
                   {{"reason", "loss"}, {"with_certificates", true}});
  auto without = Call("POST", "/v1/residents/" + b + "/reissue",
                      {{"reason", "loss"}, {"with_certificates", false}});
  EXPECT_EQ(Body(with)["fee_yen"], 1000);
  EXPECT_EQ(Body(without)["fee_yen"], 800);
}

TEST_F(ApiTest, BadInputOnEveryEndpointIsAProblemAndWritesNothing) {
  const std::string r = NewResident("123456789018", "1990-04-01");
  const std::string card = IssueCard(r);
  const std::int64_t before = RowCount();
  const std::vector<std::pair<std::string, std::string>> ids = {
      {"{id}", "nobody"}, {"{serial}", "ffff"}};
  for (const RegistryRoute& route : RegistryRoutes()) {
    std::string path = route.pattern;
    for (const auto& [name, value] : ids) {
      if (auto at = path.find(name); at != std::string::npos) {
        path.replace(at, name.size(), value);
      }
    }
    SCOPED_TRACE(route.method + " " + path);
    // Unknown record or missing fields.
    auto response = Call(route.method, path,
                         route.method == "POST" ? json::object() : nullptr);
    EXPECT_GE(response.status, 400);
    EXPECT_LT(response.status, 500);
    EXPECT_EQ(response.content_type, "application/problem+json");
    auto problem = Body(response);
    EXPECT_EQ(problem.value("status", 0), response.status);
    if (route.method == "POST") {
      // A body that is not JSON.
      http::Request raw;
      raw.method = "POST";
      raw.path = raw.target = path;
      raw.body = "{not json";
      raw.headers = {{"Content-Type", "application/json"},
                     {"Authorization", auth_[Role::kCounterClerk]}};
      EXPECT_EQ(router_.Dispatch(raw).status, 400);
    }
  }
  // Malformed values on the real resident and card.
  struct Case {
    std::string path;
    json body;
  };
  const std::vector<Case> cases = {
      {"/v1/residents",
       {{"individual_number", "123456789010"},
        {"name", "x"},
        {"date_of_birth", "1990-01-01"},
        {"address", "y"},
        {"municipality_code", "20218"}}},
      {"/v1/residents",
       {{"individual_number", "510136263801"},
        {"name", "x"},
        {"date_of_birth", "1990-13-01"},
        {"address", "y"},
        {"municipality_code", "20218"}}},
      {"/v1/residents/lookup", {{"individual_number", "12345"}}},
      {"/v1/residents/" + r + "/move-in",
       {{"municipality_code", "20218"},
        {"address", "x"},
        {"moved_in_on", "2025/01/01"}}},
      {"/v1/residents/" + r + "/death", {{"died_on", "yesterday"}}},
      {"/v1/residents/" + r + "/address", {{"address", 42}}},
      {"/v1/cards/" + card + "/password-reset",
       {{"kind", "signature"}, {"new_password", "abc"}}},
      {"/v1/cards/" + card + "/report-loss",
       {{"reason", "misplaced"}, {"police_report", "x"}}},
      {"/v1/applications", {{"resident_id", r}, {"card_kind", "gold"}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path + " " + c.body.dump());
    auto response = Call("POST", c.path, c.body);
    EXPECT_EQ(response.status, 400) << response.body;
    EXPECT_EQ(response.content_type, "application/problem+json");
  }
  EXPECT_EQ(RowCount(), before);
}

TEST_F(ApiTest, AuthorisationMatrixEveryRouteEveryRole) {
  const std::string r = NewResident("123456789018", "1990-04-01");
  for (const RegistryRoute& route : RegistryRoutes()) {
    std::string path = route.pattern;
    for (const char* name : {"{id}", "{serial}"}) {
      if (auto at = path.find(name); at != std::string::npos) {
        path.replace(at, std::string_view(name).size(), r);
      }
    }
    SCOPED_TRACE(route.method + " " + path);
    http::Request anonymous;
    anonymous.method = route.method;
    anonymous.path = anonymous.target = path;
    auto denied = router_.Dispatch(anonymous);
    EXPECT_EQ(denied.status, 401);
    EXPECT_FALSE(std::string(denied.body).empty());
    anonymous.headers = {{"Authorization", "Basic " + Base64("clerk-x:bad")}};
    EXPECT_EQ(router_.Dispatch(anonymous).status, 401);
    for (Role role : {Role::kCounterClerk, Role::kHotlineOperator, Role::kKiosk,
                      Role::kPlatform}) {
      auto response =
          Call(route.method, path,
               route.method == "POST" ? json::object() : nullptr, role);
      if (registry::MayPerform(role, route.action)) {
        EXPECT_NE(response.status, 401);
        EXPECT_NE(response.status, 403) << registry::ToString(role);
      } else {
        EXPECT_EQ(response.status, 403) << registry::ToString(role);
      }
    }
  }
  // Independent spot checks of the guidebook's division of labour.
  EXPECT_TRUE(registry::MayPerform(Role::kHotlineOperator, "card.suspend"));
  EXPECT_FALSE(registry::MayPerform(Role::kHotlineOperator, "card.deliver"));
  EXPECT_FALSE(
      registry::MayPerform(Role::kHotlineOperator, "card.lift_suspension"));
  EXPECT_FALSE(registry::MayPerform(Role::kKiosk, "resident.change_address"));
  EXPECT_FALSE(registry::MayPerform(Role::kPlatform, "resident.read"));
}

// Many connections opening at once with a credential not verified yet by
// this process: the server runs one PBKDF2 per id at a time and caches the
// result; every right secret is accepted and every wrong one refused, even
// while a verification of the same id is in progress.
TEST_F(ApiTest, ConcurrentFirstUsesOfACredentialRightAndWrongSecrets) {
  const std::string resident = NewResident("123456789018", "1990-04-01");
  auto c = registry::CreateCredential(*store_, Role::kCounterClerk, rng_,
                                      clock_, 20000);
  ASSERT_TRUE(c) << c.error();
  const std::string right = "Basic " + Base64(c->id + ":" + c->secret);
  const std::string wrong = "Basic " + Base64(c->id + ":" + c->secret + "x");
  constexpr int kThreads = 12;
  std::vector<int> status(kThreads, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      http::Request request;
      request.method = "GET";
      request.path = request.target = "/v1/residents/" + resident;
      request.headers = {{"Authorization", i % 3 == 2 ? wrong : right},
                         {"X-Purpose", "test"}};
      status[static_cast<std::size_t>(i)] = router_.Dispatch(request).status;
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(status[static_cast<std::size_t>(i)], i % 3 == 2 ? 401 : 200)
        << "request " << i;
  }
}

TEST_F(ApiTest, OpenApiDocumentMatchesTheRoutes) {
  http::Request request;
  request.method = "GET";
  request.path = request.target = "/openapi.json";
  auto response = router_.Dispatch(request);
  ASSERT_EQ(response.status, 200);
  json doc = Body(response);
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["openapi"], "3.1.0");
  std::size_t operations = 0;
  for (const auto& [path, methods] : doc["paths"].items()) {
    for (const auto& [method, op] : methods.items()) {
      ++operations;
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(c));
      std::string concrete = path;
      for (const char* name : {"{id}", "{serial}"}) {
        if (auto at = concrete.find(name); at != std::string::npos) {
          concrete.replace(at, std::string_view(name).size(), "x");
        }
      }
      // The documented route exists: the router neither says 404 "no such
      // route" nor 405.
      auto answer =
          Call(upper, concrete, upper == "POST" ? json::object() : nullptr);
      SCOPED_TRACE(upper + " " + path);
      EXPECT_NE(answer.status, 405);
      EXPECT_EQ(Body(answer).value("detail", "").find("no such route"),
                std::string::npos);
    }
  }
  EXPECT_EQ(operations, RegistryRoutes().size());
  // every life event (23), the certificate holder look-up (1) and
  // civil-record operation (21) has a route
  EXPECT_EQ(RegistryRoutes().size(), 45u);
  // An undocumented path is unknown to the router.
  EXPECT_EQ(Call("GET", "/v1/nowhere").status, 404);
  EXPECT_EQ(Call("DELETE", "/v1/residents/x").status, 405);
}

// The civil records through the API (issue 11, item 1): what the clerk
// writes reads back, the kiosk may read but not write, and every access by
// staff is in the resident's audit trail.
TEST_F(ApiTest, CivilRecordsThroughTheApi) {
  const std::string head = NewResident("123456789018", "1980-05-05");
  const std::string child = NewResident("614106526000", "1985-07-07");
  auto formed = Call("POST", "/v1/households", {{"head_id", head}});
  ASSERT_EQ(formed.status, 200) << formed.body;
  const std::string household = Body(formed).value("id", "");
  EXPECT_EQ(Body(formed)["members"][0]["relationship"], "世帯主");
  auto joined = Call("POST", "/v1/households/" + household + "/members",
                     {{"resident_id", child}, {"relationship", "妻"}});
  ASSERT_EQ(joined.status, 200) << joined.body;
  EXPECT_EQ(
      Call("POST", "/v1/households", {{"head_id", child}}, Role::kKiosk).status,
      403);
  auto read = Call("GET", "/v1/residents/" + child + "/household", nullptr,
                   Role::kKiosk);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(Body(read)["members"][1]["relationship"], "妻");
  auto again = Call("POST", "/v1/households", {{"head_id", child}});
  EXPECT_EQ(again.status, 409) << "already in a household";

  json draft = {{"municipality_code", "20218"},
                {"honseki", "長野県千曲市大字杭瀬下84番地"},
                {"head_name", "番号 太郎"},
                {"members",
                 {{{"resident_id", head},
                   {"name", "番号 太郎"},
                   {"date_of_birth", "1980-05-05"},
                   {"sex", "male"}}}}};
  auto created = Call("POST", "/v1/family-registers", draft);
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string reg = Body(created).value("id", "");
  auto items = Call("GET", "/v1/residents/" + head + "/civil");
  ASSERT_EQ(items.status, 200);
  EXPECT_EQ(Body(items)["hittosha"], "番号 太郎");
  auto filed = Call("POST", "/v1/family-registers/" + reg + "/events",
                    {{"member", 0}, {"kind", "婚姻"}, {"on", "2026-01-01"}});
  ASSERT_EQ(filed.status, 200) << filed.body;
  const std::string event = Body(filed)["events"][0].value("id", "");
  EXPECT_EQ(Body(filed)["events"][0]["reflected_on"], "");
  auto reflected = Call(
      "POST", "/v1/family-registers/" + reg + "/events/" + event + "/reflect");
  ASSERT_EQ(reflected.status, 200) << reflected.body;
  EXPECT_NE(Body(reflected)["events"][0]["reflected_on"], "");
  EXPECT_EQ(Call("POST", "/v1/family-registers/" + reg + "/members/x/addresses",
                 {{"address", "a"}, {"set_on", "2026-01-01"}})
                .status,
            400);

  const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + "seal";
  auto sealed = Call("POST", "/v1/seals",
                     {{"resident_id", head},
                      {"impression_png_base64", Base64(png)},
                      {"width_mm", 15},
                      {"height_mm", 15}});
  ASSERT_EQ(sealed.status, 200) << sealed.body;
  const std::string number = Body(sealed).value("number", "");
  EXPECT_EQ(number, "20218-000001");
  auto seal = Call("GET", "/v1/seals/" + number, nullptr, Role::kKiosk);
  ASSERT_EQ(seal.status, 200);
  EXPECT_EQ(Body(seal)["impression_png_base64"], Base64(png));
  auto small = Call("POST", "/v1/seals",
                    {{"resident_id", child},
                     {"impression_png_base64", Base64(png + "2")},
                     {"width_mm", 6},
                     {"height_mm", 6}});
  EXPECT_EQ(small.status, 409) << small.body;
  auto gone =
      Call("POST", "/v1/seals/" + number + "/deregister", {{"reason", "廃止"}});
  ASSERT_EQ(gone.status, 200) << gone.body;
  EXPECT_EQ(Body(gone)["state"], "deregistered");

  auto trail = Call("GET", "/v1/residents/" + head + "/audit");
  ASSERT_EQ(trail.status, 200);
  std::vector<std::string> actions;
  for (const json& e : Body(trail)) actions.push_back(e.value("action", ""));
  for (const char* action :
       {"household.form", "household.read", "koseki.create",
        "resident.read_items", "koseki.file_event", "koseki.reflect_event",
        "seal.register", "seal.read", "seal.deregister"}) {
    EXPECT_THAT(actions, ::testing::Contains(std::string(action)));
  }
}

TEST_F(ApiTest, RealServerRejectsAnOversizedBody) {
  http::ServerOptions options;
  options.max_body_bytes = 64 * 1024;
  http::Server server(options, std::move(router_));
  ASSERT_TRUE(server.Start());
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server.port());
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string body(200 * 1024, 'x');
  const std::string head =
      "POST /v1/residents HTTP/1.1\r\nHost: x\r\nContent-Type: "
      "application/json\r\nAuthorization: " +
      auth_[Role::kCounterClerk] +
      "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  (void)::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
  (void)::send(fd, body.data(), body.size(), MSG_NOSIGNAL);
  std::string reply(4096, '\0');
  const ssize_t n = ::recv(fd, reply.data(), reply.size(), 0);
  ::close(fd);
  server.Stop();
  ASSERT_GT(n, 0);
  reply.resize(static_cast<std::size_t>(n));
  EXPECT_THAT(reply, ::testing::StartsWith("HTTP/1.1 413"));
  EXPECT_THAT(reply, ::testing::HasSubstr("application/problem+json"));
}

}  // namespace
}  // namespace openmyna::services
