// Registering a resident on both storage back ends: the references a
// registration needs (its municipality; for a minor or an adult ward, a
// legal representative on record) and the uniqueness of the individual
// number, each refused alone with nothing written. What was written is
// counted in the tables through a separate connection, not through the
// service.
#include <gtest/gtest.h>

#include <string>

#include "openmyna/registry/errors.h"
#include "testing_service_backend.h"

namespace openmyna::registry {
namespace {

const Actor kClerk{"clerk-1", Role::kCounterClerk, "counter visit"};

class Registration : public testing::ServiceOnBackend {
 protected:
  void SetUp() override { OpenService(); }

  // `sql` (one number) through another connection.
  std::string Count(const std::string& sql) {
    auto db = backend_->Connect();
    EXPECT_TRUE(db) << db.error();
    if (!db) return "";
    auto rows = (*db)->Query(sql);
    EXPECT_TRUE(rows) << rows.error();
    return rows ? rows->at(0).at(0).value_or("") : "";
  }
};

TEST_P(Registration, NeedsItsReferencesAndAFreeIndividualNumber) {
  auto parent = service_->RegisterResident(
      kClerk, testing::DraftResident("123456789018", "番号 太郎",
                                     "長野県千曲市杭瀬下84"));
  ASSERT_TRUE(parent) << parent.error();

  // The same individual number again: refused, without the number in the
  // message (personal data stays out of errors and logs).
  auto taken = service_->RegisterResident(
      kClerk, testing::DraftResident("123456789018", "番号 次郎",
                                     "長野県千曲市杭瀬下85"));
  ASSERT_FALSE(taken);
  EXPECT_TRUE(taken.error().Is(RegistryErrc::kConflict)) << taken.error();
  EXPECT_EQ(taken.error().message().find("123456789018"), std::string::npos);

  Resident elsewhere = testing::DraftResident("614106526000", "番号 三郎",
                                              "長野県千曲市杭瀬下86");
  elsewhere.municipality_code = "99999";
  auto unknown_town = service_->RegisterResident(kClerk, elsewhere);
  ASSERT_FALSE(unknown_town);
  EXPECT_TRUE(unknown_town.error().Is(RegistryErrc::kNotFound))
      << unknown_town.error();

  // A child (9 on 2025-06-01) needs a representative who is on record.
  Resident child = testing::DraftResident("614106526000", "番号 花子",
                                          "長野県千曲市杭瀬下84", "2015-08-10");
  auto alone = service_->RegisterResident(kClerk, child);
  ASSERT_FALSE(alone);
  EXPECT_TRUE(alone.error().Is(RegistryErrc::kInvalidInput)) << alone.error();
  child.legal_representative_id = "r-nobody";
  auto unknown_parent = service_->RegisterResident(kClerk, child);
  ASSERT_FALSE(unknown_parent);
  EXPECT_TRUE(unknown_parent.error().Is(RegistryErrc::kNotFound))
      << unknown_parent.error();
  EXPECT_NE(unknown_parent.error().message().find("r-nobody"),
            std::string::npos);
  child.legal_representative_id = parent->id;
  ASSERT_TRUE(service_->RegisterResident(kClerk, child));

  // An adult ward likewise; an adult who is not a ward needs none.
  Resident ward = testing::DraftResident("100000000013", "後見 一郎",
                                         "長野県千曲市杭瀬下87");
  ward.adult_ward = true;
  ASSERT_FALSE(service_->RegisterResident(kClerk, ward));
  ward.legal_representative_id = parent->id;
  ASSERT_TRUE(service_->RegisterResident(kClerk, ward));

  // Three residents and one registration entry in the audit trail each;
  // nothing of the refusals.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM residents"), "3");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log"), "3");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM residents WHERE individual_number "
                  "IN ('123456789018', '614106526000', '100000000013')"),
            "3");
}

INSTANTIATE_TEST_SUITE_P(Backends, Registration, testing::BothBackends(),
                         testing::BackendName);

}  // namespace
}  // namespace openmyna::registry
