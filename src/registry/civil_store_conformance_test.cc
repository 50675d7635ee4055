// The civil records (civil_store.h) on both back ends (issue 11, item 1):
// every field round-trips, the schema itself keeps a resident in one
// household and one family register and allows one registered seal per
// resident, and a failed transaction leaves nothing. The PostgreSQL half
// runs under tests/pg/with-postgres.sh (registry_store_pg_test).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "openmyna/base/clock.h"
#include "openmyna/base/rng.h"
#include "openmyna/registry/civil_model_json.h"
#include "openmyna/registry/civil_service.h"
#include "openmyna/registry/civil_store.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/store.h"
#include "testing/registry_fixture.h"
#include "testing_backend.h"
#include "testing_recording_connection.h"

namespace openmyna::registry {
namespace {

const FixedClock kClock(TimePoint(std::chrono::seconds(1764000000)));

class CivilStoreConformance : public testing::StoreOnBackend {
 protected:
  void SetUp() override {
    if (!OpenStore(kClock)) return;
    ASSERT_TRUE(store_->Transact([](RegistryTx& tx) -> Status {
      OPENMYNA_RETURN_IF_ERROR(tx.PutMunicipality(testing::Chikuma()));
      OPENMYNA_RETURN_IF_ERROR(tx.PutMunicipality(testing::Kiyose()));
      for (const char* id : {"r-1", "r-2", "r-3"}) {
        Resident r;
        r.id = id;
        r.individual_number = std::string("00000000000") + id[2];
        r.name = "千曲 太郎";
        r.date_of_birth = "1980-05-05";
        r.address = "長野県千曲市大字杭瀬下84番地";
        r.municipality_code = "20218";
        OPENMYNA_RETURN_IF_ERROR(tx.InsertResident(r));
      }
      return Ok();
    }));
  }

  template <typename Fn>
  Status Civil(Fn fn) {
    return store_->Transact([&](RegistryTx& tx) -> Status {
      CivilTx civil(tx);
      return fn(civil);
    });
  }

  static Household TwoPeople(std::string id = "hh-1") {
    return {std::move(id),
            "20218",
            "長野県千曲市大字杭瀬下84番地",
            "r-1",
            {{"r-1", "世帯主"}, {"r-2", "子"}},
            "2020-04-01"};
  }

  static FamilyRegister Register(std::string id = "kr-1") {
    FamilyRegister r;
    r.id = std::move(id);
    r.municipality_code = "13221";
    r.honseki = "東京都清瀬市中里五丁目842番地";
    r.head_name = "千曲 太郎";
    r.created_on = "2010-06-01";
    r.created_cause = "婚姻";
    FamilyRegisterMember head;
    head.resident_id = "r-1";
    head.name = "千曲 太郎";
    head.name_kana = "チクマ タロウ";
    head.date_of_birth = "1980-05-05";
    head.sex = Sex::kMale;
    head.father = "千曲 一郎";
    head.mother = "千曲 春子";
    head.relationship = "長男";
    head.spouse = "千曲 桜";
    head.entered_on = "2010-06-01";
    head.entry_cause = "婚姻";
    head.addresses = {{"東京都清瀬市中里五丁目842番地", "2010-06-01"},
                      {"長野県千曲市大字杭瀬下84番地", "2015-04-01"}};
    FamilyRegisterMember left;
    left.resident_id = "r-3";
    left.name = "千曲 桜";
    left.date_of_birth = "1982-01-01";
    left.sex = Sex::kFemale;
    left.entered_on = "2010-06-01";
    left.entry_cause = "婚姻";
    left.left_on = "2019-03-03";
    left.left_cause = "離婚";
    r.members = {head, left};
    r.events = {{"ke-1", 0, "婚姻", "2010-06-01", "2010-06-01", "13221",
                 "妻 千曲 桜と婚姻", "2010-06-02"},
                {"ke-2", 1, "離婚", "2019-03-03", "2019-03-03", "20218",
                 "協議離婚", ""}};
    return r;
  }

  static SealRegistration Seal(std::string number, std::string state_on) {
    SealRegistration s;
    s.number = std::move(number);
    s.resident_id = "r-1";
    s.municipality_code = "20218";
    // Binary bytes, NUL included: the PNG signature and more.
    s.impression_png = std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    s.impression_sha256 = "ab";
    s.width_mm = 15.5;
    s.height_mm = 15.0;
    s.registered_on = std::move(state_on);
    return s;
  }
};

TEST_P(CivilStoreConformance, HouseholdRoundTripsAndFindsItsMembers) {
  ASSERT_TRUE(Civil([](CivilTx& c) { return c.PutHousehold(TwoPeople()); }));
  std::optional<Household> by_id, of_child, of_other;
  ASSERT_TRUE(Civil([&](CivilTx& c) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(by_id, c.GetHousehold("hh-1"));
    OPENMYNA_ASSIGN_OR_RETURN(of_child, c.HouseholdOf("r-2"));
    OPENMYNA_ASSIGN_OR_RETURN(of_other, c.HouseholdOf("r-3"));
    return Ok();
  }));
  ASSERT_TRUE(by_id && of_child);
  EXPECT_FALSE(of_other.has_value());
  EXPECT_EQ(of_child->id, "hh-1");
  EXPECT_EQ(by_id->address, "長野県千曲市大字杭瀬下84番地");
  EXPECT_EQ(by_id->head_id, "r-1");
  EXPECT_EQ(by_id->formed_on, "2020-04-01");
  ASSERT_EQ(by_id->members.size(), 2u);
  EXPECT_EQ(by_id->members[0].relationship, "世帯主");
  EXPECT_EQ(by_id->members[1].resident_id, "r-2");
  EXPECT_EQ(by_id->members[1].relationship, "子");
}

// CivilService's household reads run one statement on a reader, with no
// BEGIN/COMMIT (store.h ReadOneStatement); each read is audited once per
// member, every entry in the database (seen from another connection) when
// the read returns; a refused or empty read writes none.
TEST_P(CivilStoreConformance, HouseholdReadsAreOneStatementAndAudited) {
  ASSERT_TRUE(Civil([](CivilTx& c) { return c.PutHousehold(TwoPeople()); }));
  auto log = std::make_shared<testing::StatementLog>();
  auto store = testing::StoreWithRecordingReader(*backend_, log);
  ASSERT_NE(store, nullptr);
  DeterministicRng rng(5);
  CivilService civil(*store, kClock, rng);
  const Actor clerk{"clerk-1", Role::kCounterClerk, "世帯の確認"};
  auto one_statement = [&] { return testing::OneStatementSent(log->Take()); };
  auto audited = [&] {
    return testing::AuditEntriesSeen(*backend_, "household.read");
  };

  auto by_id = civil.GetHousehold(clerk, "hh-1");
  ASSERT_TRUE(by_id) << by_id.error();
  EXPECT_EQ(by_id->head_id, "r-1");
  EXPECT_TRUE(one_statement());
  EXPECT_EQ(audited(), 2);  // r-1 and r-2
  auto of_child = civil.HouseholdOf(clerk, "r-2");
  ASSERT_TRUE(of_child) << of_child.error();
  EXPECT_EQ(of_child->id, "hh-1");
  EXPECT_TRUE(one_statement());
  EXPECT_EQ(audited(), 4);
  auto none = civil.HouseholdOf(clerk, "r-3");
  ASSERT_FALSE(none);
  EXPECT_TRUE(none.error().Is(RegistryErrc::kNotFound)) << none.error();
  EXPECT_TRUE(one_statement());
  // r-3 is not a member: their reading hh-1 is refused, unaudited.
  auto theirs = civil.GetHousehold({"r-3", Role::kResident, ""}, "hh-1");
  ASSERT_FALSE(theirs);
  EXPECT_TRUE(theirs.error().Is(RegistryErrc::kRefused)) << theirs.error();
  EXPECT_TRUE(one_statement());
  EXPECT_EQ(audited(), 4);
}

TEST_P(CivilStoreConformance, AResidentIsInOneHouseholdOnly) {
  ASSERT_TRUE(Civil([](CivilTx& c) { return c.PutHousehold(TwoPeople()); }));
  Household other = TwoPeople("hh-2");
  other.head_id = "r-3";
  other.members = {{"r-3", "世帯主"}, {"r-2", "同居人"}};
  auto status = Civil([&](CivilTx& c) { return c.PutHousehold(other); });
  ASSERT_FALSE(status);
  EXPECT_TRUE(status.error().Is(RegistryErrc::kConflict)) << status.error();
  // Nothing of the failed transaction remains.
  std::optional<Household> none, of_r3;
  ASSERT_TRUE(Civil([&](CivilTx& c) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(none, c.GetHousehold("hh-2"));
    OPENMYNA_ASSIGN_OR_RETURN(of_r3, c.HouseholdOf("r-3"));
    return Ok();
  }));
  EXPECT_FALSE(none.has_value());
  EXPECT_FALSE(of_r3.has_value());
  // Leaving one household frees the resident for another.
  Household smaller = TwoPeople();
  smaller.members.pop_back();
  ASSERT_TRUE(Civil([&](CivilTx& c) -> Status {
    OPENMYNA_RETURN_IF_ERROR(c.PutHousehold(smaller));
    return c.PutHousehold(other);
  }));
  std::vector<Household> listed;
  ASSERT_TRUE(Civil([&](CivilTx& c) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(listed, c.ListHouseholds("20218"));
    return Ok();
  }));
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, "hh-1");
  EXPECT_EQ(listed[1].id, "hh-2");
}

TEST_P(CivilStoreConformance, ResidentItemsRoundTrip) {
  ResidentCivil items{"r-1",
                      "東京都清瀬市中里五丁目842番地",
                      "千曲 太郎",
                      "kr-1",
                      "2015-04-01",
                      "2015-04-01",
                      "2015-04-03",
                      "東京都清瀬市中里五丁目842番地",
                      SupportMeasure{"dv", "2026-04-01", "2027-03-31"}};
  ASSERT_TRUE(Civil([&](CivilTx& c) { return c.PutResidentCivil(items); }));
  std::optional<ResidentCivil> read, none;
  ASSERT_TRUE(Civil([&](CivilTx& c) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(read, c.GetResidentCivil("r-1"));
    OPENMYNA_ASSIGN_OR_RETURN(none, c.GetResidentCivil("r-2"));
    return Ok();
  }));
  ASSERT_TRUE(read.has_value());
  EXPECT_FALSE(none.has_value());
  EXPECT_EQ(nlohmann::json(*read), nlohmann::json(items));
  EXPECT_EQ(read->hittosha, "千曲 太郎");
  ASSERT_TRUE(read->support_measure.has_value());
  EXPECT_EQ(read->support_measure->last_day, "2027-03-31");
  items.support_measure.reset();
  ASSERT_TRUE(Civil([&](CivilTx& c) { return c.PutResidentCivil(items); }));
  ASSERT_TRUE(Civil([&](CivilTx& c) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(read, c.GetResidentCivil("r-1"));
    return Ok();
  }));
  EXPECT_FALSE(read->support_measure.has_value());
}

TEST_P(CivilStoreConformance,
       FamilyRegisterRoundTripsAndIndexesCurrentMembers) {
  const FamilyRegister written = Register();
  ASSERT_TRUE(Civil([&](CivilTx& c) { return c.PutFamilyRegister(written); }));
  std::optional<FamilyRegister> read, of_head, of_left;
  std::vector<FamilyRegister> in_kiyose, in_chikuma;
  ASSERT_TRUE(Civil([&](CivilTx& c) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(read, c.GetFamilyRegister("kr-1"));
    OPENMYNA_ASSIGN_OR_RETURN(of_head, c.FamilyRegisterOf("r-1"));
    OPENMYNA_ASSIGN_OR_RETURN(of_left, c.FamilyRegisterOf("r-3"));
    OPENMYNA_ASSIGN_OR_RETURN(in_kiyose, c.ListFamilyRegisters("13221"));
    OPENMYNA_ASSIGN_OR_RETURN(in_chikuma, c.ListFamilyRegisters("20218"));
    return Ok();
  }));
  ASSERT_TRUE(read && of_head);
  EXPECT_EQ(nlohmann::json(*read), nlohmann::json(written));
  EXPECT_EQ(read->members[0].addresses[1].set_on, "2015-04-01");
  EXPECT_EQ(read->events[1].reflected_on, "");
  EXPECT_EQ(of_head->id, "kr-1");
  EXPECT_FALSE(of_left.has_value()) << "a member who left is not current";
  EXPECT_EQ(in_kiyose.size(), 1u);
  EXPECT_TRUE(in_chikuma.empty());
  // A current member of one register cannot be current in another.
  FamilyRegister other = Register("kr-2");
  other.members.resize(1);
  auto status = Civil([&](CivilTx& c) { return c.PutFamilyRegister(other); });
  ASSERT_FALSE(status);
  EXPECT_TRUE(status.error().Is(RegistryErrc::kConflict)) << status.error();
}

TEST_P(CivilStoreConformance, OneRegisteredSealPerResident) {
  ASSERT_TRUE(Civil([&](CivilTx& c) {
    return c.PutSeal(Seal("20218-000001", "2020-01-01"));
  }));
  auto second = Civil([&](CivilTx& c) {
    return c.PutSeal(Seal("20218-000002", "2021-01-01"));
  });
  ASSERT_FALSE(second);
  EXPECT_TRUE(second.error().Is(RegistryErrc::kConflict)) << second.error();
  // Deregistered, the resident may register another.
  SealRegistration old = Seal("20218-000001", "2020-01-01");
  old.state = SealState::kDeregistered;
  old.deregistered_on = "2021-01-01";
  old.deregistration_reason = "廃止";
  ASSERT_TRUE(Civil([&](CivilTx& c) -> Status {
    OPENMYNA_RETURN_IF_ERROR(c.PutSeal(old));
    return c.PutSeal(Seal("20218-000002", "2021-01-01"));
  }));
  std::optional<SealRegistration> first, current;
  std::vector<SealRegistration> all;
  std::int64_t in_chikuma = 0, in_kiyose = 0;
  ASSERT_TRUE(Civil([&](CivilTx& c) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(first, c.GetSeal("20218-000001"));
    OPENMYNA_ASSIGN_OR_RETURN(current, c.RegisteredSealOf("r-1"));
    OPENMYNA_ASSIGN_OR_RETURN(all, c.ListSeals("r-1"));
    OPENMYNA_ASSIGN_OR_RETURN(in_chikuma, c.CountSeals("20218"));
    OPENMYNA_ASSIGN_OR_RETURN(in_kiyose, c.CountSeals("13221"));
    return Ok();
  }));
  ASSERT_TRUE(first && current);
  EXPECT_EQ(first->state, SealState::kDeregistered);
  EXPECT_EQ(first->deregistration_reason, "廃止");
  EXPECT_EQ(first->impression_png.size(), 16u);  // NUL bytes kept
  EXPECT_EQ(first->impression_png, Seal("x", "").impression_png);
  EXPECT_DOUBLE_EQ(first->width_mm, 15.5);
  EXPECT_EQ(current->number, "20218-000002");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].number, "20218-000001");
  EXPECT_EQ(in_chikuma, 2);
  EXPECT_EQ(in_kiyose, 0);
}

TEST_P(CivilStoreConformance, RecordsSurviveAReconnect) {
  ASSERT_TRUE(Civil([&](CivilTx& c) -> Status {
    OPENMYNA_RETURN_IF_ERROR(c.PutHousehold(TwoPeople()));
    OPENMYNA_RETURN_IF_ERROR(c.PutFamilyRegister(Register()));
    return c.PutSeal(Seal("20218-000001", "2020-01-01"));
  }));
  store_.reset();
  auto db = backend_->Connect();
  ASSERT_TRUE(db);
  RegistryStore again(std::move(*db));
  std::optional<Household> h;
  std::optional<FamilyRegister> r;
  std::optional<SealRegistration> s;
  ASSERT_TRUE(again.Transact([&](RegistryTx& tx) -> Status {
    CivilTx c(tx);
    OPENMYNA_ASSIGN_OR_RETURN(h, c.HouseholdOf("r-2"));
    OPENMYNA_ASSIGN_OR_RETURN(r, c.FamilyRegisterOf("r-1"));
    OPENMYNA_ASSIGN_OR_RETURN(s, c.RegisteredSealOf("r-1"));
    return Ok();
  }));
  EXPECT_TRUE(h && r && s);
}

INSTANTIATE_TEST_SUITE_P(Backends, CivilStoreConformance,
                         testing::BothBackends(), testing::BackendName);

}  // namespace
}  // namespace openmyna::registry
