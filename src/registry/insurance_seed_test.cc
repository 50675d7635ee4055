// The insurance sample data (issue 12, item 1): the job change answers 3 on
// the old card and 1 on the new, the look-alike stays unlinked, histories
// are there, and a second run adds nothing.
#include "openmyna/registry/insurance_seed.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "openmyna/domain/insurer_number.h"
#include "openmyna/registry/seed.h"
#include "testing_ports.h"

namespace openmyna::registry {
namespace {

TEST(InsuranceSeed, JobChangeLookAlikeHistoriesAndIdempotence) {
  std::random_device rd;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("om-ins-seed-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  // 2026-12-01 10:00 JST.
  FixedClock clock(
      std::chrono::sys_days{std::chrono::year{2026} / std::chrono::month{12} /
                            std::chrono::day{1}} +
      std::chrono::hours{1});
  DeterministicRng rng(3);
  testing::RecordingCa ca;
  testing::RecordingCard card;
  auto store = RegistryStore::Open((dir / "r.db").string(), clock);
  ASSERT_TRUE(store);
  RegistryService registry(**store, clock, rng, ca, card);
  InsuranceService insurance(**store, clock, rng);
  auto residents = SeedSampleData(**store, registry, {});
  ASSERT_TRUE(residents) << residents.error();
  auto first = SeedInsuranceSampleData(**store, registry, insurance, clock);
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ(first->memberships_created, 7);
  EXPECT_GT(first->medication_records, 20);
  EXPECT_GT(first->expenses, 20);
  EXPECT_GE(first->checkups, 4);  // 太郎 is 46: five Junes, this one included
  for (const Insurer& i : first->insurers) {
    EXPECT_TRUE(domain::InsurerNumber::Parse(i.number)) << i.number;
    EXPECT_NE(i.name.find("サンドボックス"), std::string::npos);
  }

  const Actor clinic{"2010991001", Role::kClinic, "受付"};
  // 太郎's old 組合 card (番号 2001, 枝番 00) and new 協会けんぽ card.
  auto old_card = insurance.CheckByCardData(
      clinic,
      {SampleInsurerNumber("0620991"), "10", "2001", "00", "1980-05-05"});
  ASSERT_TRUE(old_card) << old_card.error();
  EXPECT_EQ(old_card->validity, Validity::kInvalidNewerExists);
  auto new_card = insurance.CheckByCardData(
      clinic,
      {SampleInsurerNumber("0120991"), "3051207", "15", "00", "1980-05-05"});
  ASSERT_TRUE(new_card) << new_card.error();
  EXPECT_EQ(new_card->validity, Validity::kValid);
  ASSERT_EQ(new_card->memberships.size(), 1u);
  EXPECT_EQ(new_card->memberships[0].link_state, LinkState::kVerified);
  // His daughter on the same card number: 枝番 01.
  auto child = insurance.CheckByCardData(
      clinic, {SampleInsurerNumber("0120991"), "", "15", "01", "2017-07-07"});
  ASSERT_TRUE(child);
  EXPECT_EQ(child->validity, Validity::kValid);
  EXPECT_EQ(child->memberships.at(0).relationship, Relationship::kDependent);

  const Actor system{"t", Role::kSystem, "test"};
  auto namesake = insurance.MembershipsOf(system, first->namesake_id);
  ASSERT_TRUE(namesake);
  EXPECT_TRUE(namesake->empty());
  auto recheck = insurance.RecheckLinks(system);
  ASSERT_TRUE(recheck);
  EXPECT_EQ(recheck->checked, 7);
  EXPECT_EQ(recheck->verified, 7);

  auto second = SeedInsuranceSampleData(**store, registry, insurance, clock);
  ASSERT_TRUE(second) << second.error();
  EXPECT_EQ(second->memberships_created, 0);
  EXPECT_EQ(second->namesake_id, first->namesake_id);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace openmyna::registry
