#include "openmyna/registry/seed.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "openmyna/domain/individual_number.h"
#include "openmyna/registry/konbini_mapping.h"
#include "testing_ports.h"

namespace openmyna::registry {
namespace {

TEST(SeedSampleData, CreatesTheSampleOnceAndIsIdempotent) {
  std::random_device rd;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("om-seed-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  FixedClock clock(
      std::chrono::sys_days{std::chrono::year{2026} / std::chrono::month{1} /
                            std::chrono::day{5}} +
      std::chrono::hours{1});
  DeterministicRng rng(1);
  testing::RecordingCa ca;
  testing::RecordingCard card;
  auto store = RegistryStore::Open((dir / "r.db").string(), clock);
  ASSERT_TRUE(store);
  RegistryService service(**store, clock, rng, ca, card);
  auto first = SeedSampleData(**store, service, {true});
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ(first->created.size(), 5u);
  EXPECT_FALSE(first->face_auth_card_id.empty());
  auto second = SeedSampleData(**store, service, {true});
  ASSERT_TRUE(second) << second.error();
  EXPECT_TRUE(second->created.empty());
  EXPECT_EQ(second->residents, first->residents);
  EXPECT_EQ(second->face_auth_card_id, first->face_auth_card_id);

  const Actor clerk{"c", Role::kCounterClerk, "check"};
  bool minor = false, foreign = false, face = false;
  std::vector<std::string> codes;
  for (const std::string& id : first->residents) {
    auto file = service.GetResident(clerk, id);
    ASSERT_TRUE(file);
    const Resident& r = file->resident;
    EXPECT_TRUE(domain::IndividualNumber::Parse(r.individual_number));
    minor |= !r.legal_representative_id.empty();
    foreign |= r.foreign.has_value();
    for (const Card& c : file->cards) {
      if (c.kind != CardKind::kFaceAuth) continue;
      face = true;
      // The authentication certificate only (insurance.md §1 item 6).
      for (const Certificate& cert : file->certificates) {
        if (cert.card_id == c.id) {
          EXPECT_EQ(cert.type, CertificateType::kAuthentication);
        }
      }
    }
    codes.push_back(r.municipality_code);
  }
  EXPECT_TRUE(minor);
  EXPECT_TRUE(foreign);
  EXPECT_TRUE(face);
  EXPECT_NE(std::find(codes.begin(), codes.end(), "20218"), codes.end());
  EXPECT_NE(std::find(codes.begin(), codes.end(), "13221"), codes.end());
  std::filesystem::remove_all(dir);
}

// The card `openmyna up` plugs: issued to the first resident through apply,
// produce and deliver (the CA and chip ports see it as any card), with
// both certificates; a second seed reuses it.
TEST(SeedSampleData, IssuesTheSampleCardOnceThroughTheLifeEvents) {
  std::random_device rd;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("om-seed-card-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  FixedClock clock(
      std::chrono::sys_days{std::chrono::year{2026} / std::chrono::month{1} /
                            std::chrono::day{5}} +
      std::chrono::hours{1});
  DeterministicRng rng(2);
  testing::RecordingCa ca;
  testing::RecordingCard card;
  auto store = RegistryStore::Open((dir / "r.db").string(), clock);
  ASSERT_TRUE(store);
  RegistryService service(**store, clock, rng, ca, card);
  SeedOptions options;
  options.issue_sample_card = true;
  options.sample_card_passwords = {"ABC123", "1234", "5678", "4321"};
  auto first = SeedSampleData(**store, service, options);
  ASSERT_TRUE(first) << first.error();
  ASSERT_TRUE(first->sample_card);
  EXPECT_TRUE(first->sample_card_created);
  EXPECT_EQ(first->sample_card->state, CardState::kActive);
  EXPECT_EQ(first->sample_card->resident_id, first->residents[0]);
  EXPECT_EQ(card.passwords.at(first->sample_card->id).authentication, "1234");
  EXPECT_EQ(card.passwords.at(first->sample_card->id).signature, "ABC123");
  EXPECT_EQ(ca.issued.size(), 2u);

  const Actor clerk{"c", Role::kCounterClerk, "check"};
  auto file = service.GetResident(clerk, first->residents[0]);
  ASSERT_TRUE(file);
  EXPECT_EQ(file->resident.individual_number, "123456789018");
  ASSERT_EQ(file->certificates.size(), 2u);
  for (const Certificate& c : file->certificates) {
    EXPECT_EQ(c.card_id, first->sample_card->id);
    EXPECT_FALSE(c.revoked);
  }
  // Its authentication certificate is mapped for the konbini centre as of
  // the day before (the clock is 2026-01-05 10:00 JST); nothing else is.
  for (const Certificate& c : file->certificates) {
    std::optional<KonbiniMapping> mapping;
    ASSERT_TRUE((*store)->Transact([&](RegistryTx& tx) -> Status {
      OPENMYNA_ASSIGN_OR_RETURN(mapping, GetKonbiniMapping(tx, c.serial));
      return Ok();
    }));
    if (c.type == CertificateType::kAuthentication) {
      ASSERT_TRUE(mapping) << c.serial;
      EXPECT_EQ(mapping->usable_from, "2026-01-04");
    } else {
      EXPECT_FALSE(mapping) << c.serial;
    }
  }

  auto second = SeedSampleData(**store, service, options);
  ASSERT_TRUE(second) << second.error();
  ASSERT_TRUE(second->sample_card);
  EXPECT_FALSE(second->sample_card_created);
  EXPECT_EQ(second->sample_card->id, first->sample_card->id);
  EXPECT_EQ(ca.issued.size(), 2u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace openmyna::registry
